//! The cap on the simulated heap's bytes (`RunOptions::max_heap_bytes`): programs under it
//! run exactly as without it, and going over it raises MemoryError where the allocation
//! fails, catchable like CPython's.

use memlane_core::{Outcome, Version};
use memlane_python::{run, RunOptions};

mod common;

fn options(max_heap_bytes: u64) -> RunOptions {
    RunOptions {
        max_heap_bytes,
        ..RunOptions::default()
    }
}

fn stdout(trace: &memlane_core::Trace) -> String {
    match trace.len() {
        0 => String::new(),
        n => trace.snapshot(n - 1).stdout.clone(),
    }
}

/// Every conformance program records the same trace under a cap of 8 MiB as with no cap
/// at all: the default cap (256 MiB) is far above what any of them uses.
#[test]
fn conformance_programs_are_unchanged_under_the_cap() {
    for (name, source) in common::conformance_programs() {
        for version in Version::ALL {
            let profile = memlane_core::Profile::new(version);
            let free = run(
                &source,
                &RunOptions {
                    profile,
                    ..options(u64::MAX)
                },
            );
            let capped = run(
                &source,
                &RunOptions {
                    profile,
                    ..options(8 << 20)
                },
            );
            assert_eq!(capped.len(), free.len(), "{name} {version:?}: steps");
            assert_eq!(capped.outcome, free.outcome, "{name} {version:?}: outcome");
            assert_eq!(stdout(&capped), stdout(&free), "{name} {version:?}: output");
        }
    }
}

#[test]
fn going_over_the_cap_raises_memory_error_where_it_allocates() {
    let source = "parts = []\ntry:\n    while True:\n        parts.append('ab' * 500_000)\nexcept MemoryError:\n    print(len(parts))\ndel parts\nprint(len('x' * 3_000_000))\n";
    let trace = run(source, &options(16 << 20));
    assert_eq!(trace.outcome, Outcome::Finished, "{:?}", trace.outcome);
    // 1,000,000-byte strings (each a malloc mapping of 977 KiB) under 16 MiB with what
    // start-up holds: 16 of them; once freed, a 3 MB string fits again.
    let out = stdout(&trace);
    let made: usize = out.lines().next().unwrap().parse().unwrap();
    assert_eq!(made, 16, "{out}");
    assert!(out.ends_with("3000000\n"), "{out}");
    // Uncaught, it ends the run like CPython's: a traceback ending in MemoryError.
    let trace = run(
        "s = 'a' * 2_000_000\nt = s + s + s + s\n",
        &options(8 << 20),
    );
    assert_eq!(trace.outcome.error_line().as_deref(), Some("MemoryError"));
}
