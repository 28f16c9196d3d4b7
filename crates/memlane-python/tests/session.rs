//! Running in slices (`Session`) records exactly what one `run` records, and stopping
//! keeps the steps so far.

use memlane_core::{Outcome, Profile, StepKind, Trace, Version};
use memlane_python::{run, RunOptions, Session, STOPPED_MESSAGE};

mod common;

fn options() -> RunOptions {
    RunOptions::default()
}

/// Everything a trace records, in a comparable form (steps, events, outcome, profile).
fn recorded(trace: &Trace) -> serde_json::Value {
    serde_json::to_value(trace).expect("a trace serialises")
}

fn sliced(source: &str, options: &RunOptions, slice: usize) -> Trace {
    let mut session = Session::start(source, options);
    let mut slices = 0;
    while session.advance(slice) {
        slices += 1;
        assert!(slices <= 10_000_000, "the run does not end");
    }
    session.finish()
}

fn assert_same_in_slices(name: &str, source: &str, options: &RunOptions) {
    let whole = run(source, options);
    for slice in [1, 7, 1000] {
        let parts = sliced(source, options, slice);
        assert_eq!(
            parts.len(),
            whole.len(),
            "{name}: steps in slices of {slice}"
        );
        assert_eq!(
            parts.outcome, whole.outcome,
            "{name}: outcome in slices of {slice}"
        );
        assert!(
            recorded(&parts) == recorded(&whole),
            "{name}: the trace differs in slices of {slice}"
        );
    }
}

/// Programs whose steps happen inside nested calls, where no pause may be taken.
const NESTED: &[(&str, &str)] = &[
    (
        "generator driven by for and by a builtin",
        "def gen(n):\n    for i in range(n):\n        yield i * 2\n\ntotal = 0\nfor v in gen(5):\n    total += v\nprint(sum(gen(4)), list(gen(3)), total)\n",
    ),
    (
        "sort key and repr",
        "class P:\n    def __init__(self, x):\n        self.x = x\n    def __repr__(self):\n        return 'P(' + str(self.x) + ')'\n\ndef key(p):\n    k = -p.x\n    return k\n\nps = sorted([P(3), P(1), P(2)], key=key)\nprint(ps)\n",
    ),
    (
        "finalizers and the collector",
        "class Node:\n    def __init__(self, name):\n        self.name = name\n        self.other = None\n    def __del__(self):\n        print('bye', self.name)\n\na = Node('a')\nb = Node('b')\na.other = b\nb.other = a\ndel a, b\nimport gc\ngc.collect()\nc = Node('c')\nc = None\nprint('end')\n",
    ),
    (
        "uncaught exception inside a call",
        "def f(n):\n    if n == 0:\n        return 1 // n\n    return f(n - 1)\n\nf(3)\n",
    ),
    ("syntax error", "x = (1,\n"),
    (
        "class body with a loop",
        "class C:\n    total = 0\n    for i in range(4):\n        total += i\n\nprint(C.total)\n",
    ),
];

#[test]
fn slices_record_what_one_run_records() {
    for (name, source) in NESTED {
        assert_same_in_slices(name, source, &options());
    }
    // Each version's profile, on a program with calls, containers and a cycle.
    for version in [Version::Py311, Version::Py312, Version::Py313] {
        let options = RunOptions {
            profile: Profile::new(version),
            ..options()
        };
        assert_same_in_slices("versions", NESTED[2].1, &options);
    }
}

#[test]
fn slices_record_what_one_run_records_for_every_conformance_program() {
    for (name, source) in common::conformance_programs() {
        assert_same_in_slices(&name, &source, &options());
    }
}

#[test]
fn a_step_limit_is_the_same_in_slices() {
    let options = RunOptions {
        max_steps: 50,
        ..options()
    };
    let source = "i = 0\nwhile True:\n    i += 1\n";
    assert_same_in_slices("limit", source, &options);
    assert!(matches!(
        run(source, &options).outcome,
        Outcome::Limit { .. }
    ));
}

#[test]
fn advance_stops_after_the_asked_steps_at_the_top_level() {
    let source = "total = 0\nfor i in range(100):\n    total += i\nprint(total)\n";
    let mut session = Session::start(source, &options());
    assert_eq!(session.steps(), 0, "no line runs before the first advance");
    assert!(session.advance(10));
    assert_eq!(session.steps(), 10);
    assert!(session.advance(7));
    assert_eq!(session.steps(), 17);
    assert!(!session.is_done());
}

#[test]
fn a_pause_waits_for_the_top_level_loop() {
    // Every step of `gen` runs inside the builtin `sum`: one slice takes them all.
    let source =
        "def gen():\n    for i in range(20):\n        yield i\n\nprint(sum(gen()))\nx = 1\n";
    let mut session = Session::start(source, &options());
    let mut grew = Vec::new();
    let mut before = 0;
    while session.advance(1) {
        grew.push(session.steps() - before);
        before = session.steps();
    }
    // `def gen`; then `print(sum(gen()))`, whose slice also runs every step of the
    // generator (its `for` and `yield` lines, twenty times each); then `x = 1`.
    assert_eq!(grew.len(), 3, "{grew:?}");
    assert_eq!((grew[0], grew[2]), (1, 1), "{grew:?}");
    assert!(grew[1] > 40, "{grew:?}");
}

#[test]
fn stop_keeps_the_steps_so_far_and_says_why() {
    let source = "i = 0\nwhile True:\n    i += 1\n";
    let whole = run(
        source,
        &RunOptions {
            max_steps: 100,
            ..options()
        },
    );
    let mut session = Session::start(source, &options());
    session.advance(40);
    let stopped = session.stop();
    assert_eq!(stopped.len(), 40);
    assert_eq!(
        stopped.outcome,
        Outcome::Limit {
            message: STOPPED_MESSAGE.into()
        }
    );
    assert_eq!(
        stopped.outcome.error_line().as_deref(),
        Some(STOPPED_MESSAGE)
    );
    assert_eq!(
        stopped.steps().collect::<Vec<_>>(),
        whole.steps().take(40).collect::<Vec<_>>()
    );
    assert!(stopped.steps().all(|s| s.kind == StepKind::Line));
    // The stopped history replays like any other.
    let snap = stopped.snapshot(39);
    assert_eq!(snap.frames.len(), 1);
}

/// `Trace::truncate` (Stop while a long trace is laid out) leaves what Stop during the
/// run would have: the same steps, events and states, for every conformance program cut
/// at its first, middle and last steps.
#[test]
fn a_truncated_trace_is_the_trace_stop_leaves() {
    for (name, source) in common::conformance_programs() {
        let whole = run(&source, &options());
        for wanted in [1, whole.len() / 2, whole.len().saturating_sub(1)] {
            let mut session = Session::start(&source, &options());
            session.advance(wanted);
            let stopped = session.stop();
            if stopped.len() >= whole.len() {
                continue; // the program ended within the slice
            }
            let mut cut = whole.clone();
            cut.truncate(stopped.len());
            cut.outcome = stopped.outcome.clone();
            assert!(
                recorded(&cut) == recorded(&stopped),
                "{name}: cut at {} steps",
                stopped.len()
            );
            assert_eq!(cut.event_count(), stopped.event_count(), "{name}");
            for i in [0, cut.len() / 2, cut.len() - 1] {
                assert_eq!(cut.snapshot(i), stopped.snapshot(i), "{name}: step {i}");
            }
            // A long trace cut in a long run's middle: seeks still start at checkpoints.
            assert_eq!(
                cut.snapshot(cut.len() - 1),
                cut.replay_from_start(cut.last_step().map_or(0, |s| s.end_event)),
                "{name}"
            );
        }
    }
}

#[test]
fn a_long_trace_truncated_keeps_its_checkpoints_before_the_cut() {
    let source = "xs = []\nfor i in range(15000):\n    xs.append(i % 7)\n    if len(xs) > 40:\n        xs.pop(0)\n";
    let whole = run(source, &options());
    assert!(
        whole.checkpoint_positions().len() > 2,
        "a long run has checkpoints"
    );
    let mut cut = whole.clone();
    cut.truncate(whole.len() / 3);
    let end = cut.last_step().expect("steps").end_event;
    assert_eq!(cut.event_count(), end);
    assert!(cut.checkpoint_positions().iter().all(|&c| c <= end));
    assert!(!cut.checkpoint_positions().is_empty());
    for i in (0..cut.len()).step_by(997).chain([cut.len() - 1]) {
        assert_eq!(cut.snapshot(i), whole.snapshot(i), "step {i}");
    }
    assert_eq!(
        cut.iter_events(0..end).collect::<Vec<_>>(),
        whole.iter_events(0..end).collect::<Vec<_>>()
    );
    // Truncating to as many steps as there are, or more, changes nothing.
    let mut same = whole.clone();
    same.truncate(whole.len() + 5);
    assert_eq!(same.event_count(), whole.event_count());
    assert!(same.steps().eq(whole.steps()));
    assert_eq!(same.checkpoint_positions(), whole.checkpoint_positions());
}

#[test]
fn stopping_an_ended_run_changes_nothing() {
    let source = "a = [1, 2]\nb = a\n";
    let mut session = Session::start(source, &options());
    assert!(!session.advance(1000));
    assert!(session.is_done());
    let stopped = session.stop();
    assert_eq!(stopped.outcome, Outcome::Finished);
    assert!(recorded(&stopped) == recorded(&run(source, &options())));
}
