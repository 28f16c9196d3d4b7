//! The whole interpreter under the limits the page uses: any source text runs to an
//! Outcome (finished, an exception, a limit, unsupported), never a panic, and within the
//! step cap. The heap's own invariants are checked by memlane-python's property tests.
#![no_main]
use libfuzzer_sys::fuzz_target;
use memlane_python::{run, RunOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let options = RunOptions { max_steps: 2_000, ..RunOptions::default() };
    let trace = run(source, &options);
    // The trace is read back the way the page reads it: the last step's snapshot.
    if let Some(last) = trace.steps.len().checked_sub(1) {
        let _ = trace.snapshot(last);
    }
});
