//! What each step of a program costs to reach: a seek to it (from the nearest checkpoint),
//! a clone of its state, and one step forward from that state. For programs whose steps
//! are long or whose state is large (`x = [0] * 10**6`).
//! `cargo run --release -p memlane-python --example step_costs -- FILE`

mod common;

use std::time::Instant;

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let path = std::env::args().nth(1).expect("a program's path");
    let (trace, took) = common::trace_file(&path);
    println!(
        "{path}: traced in {:.0} ms; {} steps; checkpoints at events {:?}",
        took * 1e3,
        trace.len(),
        trace.checkpoint_positions()
    );
    for (i, step) in trace.steps().enumerate() {
        let start = Instant::now();
        let snap = std::hint::black_box(trace.snapshot(i));
        let seek = ms(start);
        let start = Instant::now();
        let copy = std::hint::black_box(snap.clone());
        let clone = ms(start);
        let start = Instant::now();
        drop(std::hint::black_box(trace.snapshot_after(&copy, i + 1)));
        let forward = ms(start);
        println!(
            "  step {i} (events {}..{}): seek {seek:.2} ms, clone {clone:.2} ms, \
             next step {forward:.2} ms",
            step.first_event, step.end_event
        );
    }
}
