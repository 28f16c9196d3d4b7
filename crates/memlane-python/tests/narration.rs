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
