//! Narration sentences for real runs.

use memlane_core::narrate::{describe_event, describe_step};
use memlane_python::{run, RunOptions};

fn step_text(source: &str, index: usize) -> String {
    let trace = run(source, &RunOptions::default());
    let line = trace.step(index).unwrap().line as usize;
    describe_step(&trace, index, source.lines().nth(line - 1).unwrap())
}

#[test]
fn binding_an_alias_reports_the_refcount_change() {
    let text = step_text("a = [1, 2]\nb = a\n", 1);
    assert!(
        text.starts_with("`b = a` binds b to the list at 0x"),
        "{text}"
    );
    assert!(text.ends_with("its refcount goes from 1 to 2."), "{text}");
}

#[test]
fn a_call_and_a_free_are_told() {
    let src = "def f():\n    x = [7]\n    return 1\nf()\n";
    assert_eq!(step_text(src, 1), "`f()` calls f.");
    let ret = step_text(src, 3);
    assert!(
        ret.contains("returns from f") && ret.contains("frees the list at"),
        "{ret}"
    );
}

#[test]
fn a_collection_is_told() {
    let text = step_text("import gc\na = []\na.append(a)\ndel a\ngc.collect()\n", 4);
    assert!(
        text.contains("runs the cycle collector, which finds 1 unreachable object"),
        "{text}"
    );
}

#[test]
fn every_event_of_a_run_gets_a_sentence_or_is_bookkeeping() {
    let src = "class A:\n    pass\nx = A()\nx.me = x\ndel x\nimport gc\nprint(gc.collect())\n";
    let trace = run(src, &RunOptions::default());
    let mut snap = trace.snapshot_at_event(0);
    let mut told = 0;
    for ev in trace.iter_events(0..trace.event_count()) {
        if let Some(s) = describe_event(&ev, &snap) {
            assert!(s.ends_with('.'), "{s}");
            told += 1;
        }
        snap.apply(&ev);
    }
    assert!(told > 10, "only {told} sentences");
}

mod common;

/// `is_narrated` is `describe_event(..).is_some()` without the sentence, on every event of
/// every conformance program: once as they run, and once in a RAM of 24 frames with the
/// twin process, so pages are evicted to swap, read back and arenas unmapped.
#[test]
fn is_narrated_agrees_with_describe_event_on_every_event() {
    use memlane_core::narrate::is_narrated;
    use std::collections::BTreeMap;
    let mut seen: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for (name, source) in common::conformance_programs() {
        for small_ram in [false, true] {
            let mut options = RunOptions::default();
            if small_ram {
                options.memory.frames = 24;
                options.memory.twin = true;
            }
            let trace = run(&source, &options);
            let mut snap = trace.snapshot_at_event(0);
            for ev in trace.iter_events(0..trace.event_count()) {
                let told = describe_event(&ev, &snap).is_some();
                assert_eq!(is_narrated(&ev, &snap), told, "{name}: {ev:?}");
                *seen.entry((event_kind(&ev), told)).or_default() += 1;
                snap.apply(&ev);
            }
        }
    }
    // The check is not vacuous: the kinds whose answer depends on the state were met both ways.
    for kind in ["refcount", "gc", "mmap", "other"] {
        assert!(
            seen.contains_key(&(kind, true)),
            "{kind} never narrated: {seen:?}"
        );
        assert!(
            seen.contains_key(&(kind, false)),
            "{kind} never silent: {seen:?}"
        );
    }
    for kind in ["evict", "page fault"] {
        assert!(seen.contains_key(&(kind, true)), "no {kind} met: {seen:?}");
    }
}

fn event_kind(ev: &memlane_core::event::Event) -> &'static str {
    use memlane_core::event::Event;
    match ev {
        Event::Refcount { .. } => "refcount",
        Event::Gc { .. } => "gc",
        Event::PageFault { .. } => "page fault",
        Event::Munmap { .. } => "munmap",
        Event::Mmap { .. } => "mmap",
        Event::Evict { .. } => "evict",
        _ => "other",
    }
}
