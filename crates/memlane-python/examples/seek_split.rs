//! Where a seek's time goes: decoding its checkpoint, replaying the events after it, and
//! dropping the state. `cargo run --release -p memlane-python --example seek_split -- FILE`
mod common;
use std::time::Instant;
fn main() {
    for path in std::env::args().skip(1) {
        let (trace, _) = common::trace_file(&path);
        let cps = trace.checkpoint_positions();
        println!(
            "{path}: {} steps, {} events, {} checkpoints",
            trace.len(),
            trace.event_count(),
            cps.len()
        );
        for (n, w) in cps.windows(2).enumerate().step_by((cps.len() / 8).max(1)) {
            // Another checkpoint first, so the one measured is decoded, not the kept one.
            std::hint::black_box(trace.snapshot_at_event(cps[(n + 2) % cps.len()]));
            let t = Instant::now();
            let snap = trace.snapshot_at_event(w[0]);
            let decode = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            drop(snap);
            let dropped = t.elapsed().as_secs_f64() * 1e3;
            let t = Instant::now();
            let snap = trace.snapshot_at_event(w[1] - 1);
            let replay = t.elapsed().as_secs_f64() * 1e3;
            println!("  checkpoint at {} ({} objects): decode {decode:.1} ms, drop {dropped:.1} ms, replay of {} events from the kept one {replay:.1} ms",
                w[0], snap.objects.len(), w[1] - 1 - w[0]);
        }
    }
}
