//! Where a seek's time goes: decoding its checkpoint (whole, with nothing kept decoded),
//! dropping that state, and replaying the events after it.
//! `cargo run --release -p memlane-python --example seek_split -- FILE`

mod common;

use std::time::Instant;

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    for path in std::env::args().skip(1) {
        let (trace, _) = common::trace_file(&path);
        let checkpoints = trace.checkpoint_positions();
        println!(
            "{path}: {} steps, {} events, {} checkpoints",
            trace.len(),
            trace.event_count(),
            checkpoints.len()
        );
        let every = (checkpoints.len() / 8).max(1);
        for pair in checkpoints.windows(2).step_by(every) {
            // A clone keeps nothing decoded: the decode below is the whole checkpoint's.
            let fresh = trace.clone();
            let start = Instant::now();
            let snap = fresh.snapshot_at_event(pair[0]);
            let decode = ms(start);
            let objects = snap.objects.len();
            let start = Instant::now();
            drop(snap);
            let dropped = ms(start);
            let start = Instant::now();
            std::hint::black_box(fresh.snapshot_at_event(pair[1] - 1));
            let replay = ms(start);
            println!(
                "  checkpoint at event {} ({objects} objects): decode {decode:.1} ms, drop \
                 {dropped:.1} ms; then {} events replayed from it in {replay:.1} ms",
                pair[0],
                pair[1] - 1 - pair[0]
            );
        }
    }
}
