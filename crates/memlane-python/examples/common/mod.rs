//! What the measuring examples share.

use std::time::Instant;

/// The program in file `path` traced with room for two million steps, and how long that
/// took in seconds.
pub fn trace_file(path: &str) -> (memlane_core::Trace, f64) {
    let source = std::fs::read_to_string(path).expect("a readable program");
    let options = memlane_python::RunOptions {
        max_steps: 2_000_000,
        ..Default::default()
    };
    let start = Instant::now();
    let trace = memlane_python::run(&source, &options);
    (trace, start.elapsed().as_secs_f64())
}
