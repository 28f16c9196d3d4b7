//! Decoding each step's events on their own, as the page does for every step it shows
//! (`Trace::events_of`: the narration, event timing): the slowest and the total over a
//! trace; and the same steps read as stored (`Trace::iter_stored`: splices unresolved, what
//! the page's event timing reads); and walked from the state before each (`Trace::walk_step`,
//! what event stepping's narration reads). `cargo run --release -p memlane-python --example step_events -- FILE...`

mod common;

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let (trace, ran) = common::trace_file(&path);
        let mut slowest = (0.0, 0);
        let start = Instant::now();
        for i in 0..trace.len() {
            let t = Instant::now();
            std::hint::black_box(trace.events_of(i));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if ms > slowest.0 {
                slowest = (ms, i);
            }
        }
        let all = start.elapsed().as_secs_f64();
        println!(
            "{path}: {} steps, {} events; run {ran:.2} s; events_of every step {all:.2} s, slowest {:.2} ms (step {})",
            trace.len(),
            trace.event_count(),
            slowest.0,
            slowest.1
        );
        let start = Instant::now();
        for step in trace.steps() {
            let range = step.events();
            std::hint::black_box(trace.iter_stored(range).count());
        }
        println!(
            "  as stored, every step: {:.3} s",
            start.elapsed().as_secs_f64()
        );
        // Each step's events made from the state before it (`walk_step`, what event
        // stepping's narration reads), the steps in order from one state.
        let start = Instant::now();
        let first = trace.step(0).map_or(0, |s| s.first_event);
        let mut snap = trace.snapshot_at_event(first);
        for i in 0..trace.len() {
            trace.walk_step(i, &mut snap, |ev, _| {
                std::hint::black_box(ev);
            });
        }
        println!(
            "  walked from the state before, every step: {:.3} s",
            start.elapsed().as_secs_f64()
        );
    }
}
