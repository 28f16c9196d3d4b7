//! Labels as the event log stores them. A step that fills a big container: each slot's
//! refcount change names its holder by position (`[i]`), which the log stores as the
//! number, not as a text of its own. Changes stored as splices (a list's by position, an
//! instance's by attribute name) decode to the whole references.

use memlane_core::{Event, Holder, ObjId, Outcome};
use memlane_python::{run, RunOptions};

/// The object holders of `obj`'s slot refcount changes in `events`, in order.
fn slot_changes(events: &[Event], list: ObjId) -> Vec<(i8, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Refcount {
                delta,
                holder: Holder::Object { obj, label },
                ..
            } if *obj == list => Some((*delta, label.clone())),
            _ => None,
        })
        .collect()
}

/// `[7, 8] * 3` takes a reference for each of its six slots, labelled `[0]`..`[5]`;
/// `del` drops them from the last to the first (list_dealloc), with the same labels.
/// The same holds for a tuple.
#[test]
fn a_fill_decodes_to_position_labels() {
    for (source, kind) in [
        ("x = [7, 8] * 3\ndel x\n", "list"),
        // Not `(7, 8) * 3`: the compiler folds that into a constant, which outlives `del`.
        ("t = (7, 8)\nx = t * 3\ndel x\n", "tuple"),
    ] {
        let trace = run(source, &RunOptions::default());
        assert_eq!(trace.outcome, Outcome::Finished, "{:?}", trace.outcome);
        let events: Vec<Event> = trace.iter_events(0..trace.event_count()).collect();
        let made = events
            .iter()
            .find_map(|e| match e {
                Event::Alloc { object }
                    if object.type_name == kind && object.referents.len() == 6 =>
                {
                    Some(object.clone())
                }
                _ => None,
            })
            .expect("the repeated sequence");
        let labels: Vec<String> = made.referents.iter().map(|r| r.label.to_string()).collect();
        assert_eq!(labels, ["[0]", "[1]", "[2]", "[3]", "[4]", "[5]"], "{kind}");
        let changes = slot_changes(&events, made.id);
        let taken: Vec<(i8, String)> = (0..6).map(|i| (1, format!("[{i}]"))).collect();
        let dropped: Vec<(i8, String)> = (0..6).rev().map(|i| (-1, format!("[{i}]"))).collect();
        assert_eq!(changes, [taken, dropped].concat(), "{kind}");
    }
}

/// 10^5 slots filled and dropped: about 27 history bytes a slot (two refcount events and
/// the list's share); with one string-table text per label it was 90.
#[test]
fn a_big_fill_holds_no_text_per_slot() {
    const SLOTS: usize = 100_000;
    let trace = run(
        &format!("x = [0] * {SLOTS}\ndel x\n"),
        &RunOptions::default(),
    );
    assert_eq!(trace.outcome, Outcome::Finished, "{:?}", trace.outcome);
    let events: Vec<Event> = trace.iter_events(0..trace.event_count()).collect();
    let list = events
        .iter()
        .find_map(|e| match e {
            Event::Alloc { object } if object.referents.len() == SLOTS => Some(object.id),
            _ => None,
        })
        .expect("the list");
    let changes = slot_changes(&events, list);
    assert_eq!(changes.len(), 2 * SLOTS);
    assert_eq!(changes[12_345], (1, "[12345]".to_string()));
    assert_eq!(changes[SLOTS], (-1, format!("[{}]", SLOTS - 1)));
    let bytes = trace.history_bytes();
    assert!(
        bytes < 40 * SLOTS,
        "{bytes} history bytes for {SLOTS} slots"
    );
}

/// An instance's attribute changes, recorded as splices of its references, decode to
/// its whole references after each: `__class__`, then its attributes in order.
#[test]
fn an_instance_change_decodes_as_its_whole_references() {
    let source =
        "class P:\n    pass\np = P()\np.a = 1\np.b = [1]\np.a = 2\ndel p.a\np.c = p\np.a = 3\n";
    let trace = run(source, &RunOptions::default());
    assert_eq!(trace.outcome, Outcome::Finished, "{:?}", trace.outcome);
    let events: Vec<Event> = trace.iter_events(0..trace.event_count()).collect();
    let instance = events
        .iter()
        .find_map(|e| match e {
            Event::Alloc { object } if object.type_name == "P" => Some(object.id),
            _ => None,
        })
        .expect("the instance");
    let mut seen: Vec<Vec<String>> = Vec::new();
    for e in &events {
        if let Event::Change { obj, referents, .. } = e {
            if *obj == instance {
                let labels: Vec<String> = referents
                    .iter()
                    .map(|r| {
                        let target = if r.target == instance { "p" } else { "" };
                        format!("{}{target}", r.label)
                    })
                    .collect();
                if seen.last() != Some(&labels) {
                    seen.push(labels);
                }
            }
        }
    }
    // Born with its class alone; at shutdown the collector clears the cycle `p.c = p`.
    let expected: Vec<Vec<&str>> = vec![
        vec!["__class__"],
        vec!["__class__", ".a"],
        vec!["__class__", ".a", ".b"],
        vec!["__class__", ".b"],
        vec!["__class__", ".b", ".cp"],
        vec!["__class__", ".b", ".cp", ".a"],
        vec!["__class__"],
    ];
    assert_eq!(seen, expected);
}
