//! The slowest seeks a trace can have: to the step just before each of the 20 checkpoints
//! farthest from the one before (a seek replays from the checkpoint at or before it),
//! three times each. `cargo run --release -p memlane-python --example worst_seek -- FILE...`

mod common;

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let (trace, _) = common::trace_file(&path);
        let checkpoints = trace.checkpoint_positions();
        let mut order: Vec<usize> = (1..checkpoints.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(checkpoints[i] - checkpoints[i - 1]));
        let widest = order
            .first()
            .map_or(0, |&i| checkpoints[i] - checkpoints[i - 1]);
        println!(
            "{path}: {} steps, {} checkpoints, at most {widest} events apart",
            trace.len(),
            checkpoints.len()
        );
        let mut times = Vec::new();
        for &i in order.iter().take(20) {
            // The last step that ends before this checkpoint.
            let step = trace
                .steps()
                .take_while(|s| s.end_event < checkpoints[i])
                .count()
                .saturating_sub(1);
            for _ in 0..3 {
                let start = Instant::now();
                std::hint::black_box(trace.snapshot(step));
                times.push(start.elapsed().as_secs_f64() * 1e3);
            }
        }
        times.sort_by(f64::total_cmp);
        if let (Some(first), Some(last)) = (times.first(), times.last()) {
            println!(
                "  worst-placed seeks: fastest {first:.2} ms, median {:.2} ms, slowest {last:.2} ms",
                times[times.len() / 2]
            );
        }
    }
}
