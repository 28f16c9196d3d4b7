//! Tracing throughput, seek time and history bytes per step, on programs of 10^3 to 10^6
//! line steps (a loop, a mixed program, containers that grow a step at a time, a set
//! grown and emptied a step at a time): `cargo bench -p memlane-python --bench trace`.
//! Before the timings it prints a table of history bytes per step
//! (`Trace::history_bytes`, counted from capacities).

use divan::counter::ItemsCount;
use divan::Bencher;
use memlane_python::{run, RunOptions};

/// Line steps, roughly: each program is sized to take about this many.
const SIZES: &[usize] = &[1_000, 10_000, 100_000, 1_000_000];

/// `total += i` in a loop: two line steps an iteration (the `for` line and the body; a
/// loop's jump back is no step of its own, as in CPython's tracer).
fn loop_program(steps: usize) -> String {
    format!(
        "total = 0\nfor i in range({}):\n    total += i\nprint(total)\n",
        steps / 2
    )
}

/// Calls, a list, a dict and an instance per iteration: about 12 line steps each.
fn mixed_program(steps: usize) -> String {
    format!(
        r#"class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

def step(points, index, i):
    p = Point(i, i * 2)
    points.append(p)
    index[i % 64] = p
    if len(points) > 32:
        points.pop(0)
    return p.x + p.y

points = []
index = {{}}
total = 0
for i in range({}):
    total += step(points, index, i)
print(total, len(points), len(index))
"#,
        steps / 12
    )
}

/// A list and a dict that grow by one item a step, then a loop over the list and a set
/// of it: about 5 line steps an item. Each change costs the change, not the container's
/// length (appending to a list had cost its length, 77 s for a million steps), and each
/// step of an iterator the gap to its next item.
fn growing_program(steps: usize) -> String {
    format!(
        "xs = []\nd = {{}}\nfor i in range({}):\n    xs.append(i)\n    d[i] = i\ntotal = 0\nfor v in xs:\n    total += v\nprint(total, len(d), len(set(xs)))\n",
        steps / 5
    )
}

/// A set that grows by an add a step while a dict is read with `get` and written, then
/// the set emptied a discard a step: about 5 line steps an item. A set's change costs
/// O(log n) (its table's ranks), and a method call on a set or dict no longer copies it
/// (this shape had been quadratic: 64,000 adds took 10.8 s).
fn sets_program(steps: usize) -> String {
    format!(
        "s = set()\nd = {{}}\nfor i in range({n}):\n    s.add(i)\n    d[i] = d.get(i - 1, 0) + 1\nfor i in range({n}):\n    s.discard(i)\nprint(len(s), len(d))\n",
        n = steps / 5
    )
}

fn options() -> RunOptions {
    RunOptions {
        max_steps: 2_000_000,
        ..RunOptions::default()
    }
}

fn traced(program: fn(usize) -> String, steps: usize) -> memlane_core::Trace {
    let trace = run(&program(steps), &options());
    assert_eq!(trace.outcome, memlane_core::Outcome::Finished);
    trace
}

/// Random step indexes (xorshift, fixed seed).
fn random_steps(n: usize, count: usize) -> Vec<usize> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        })
        .collect()
}

fn main() {
    println!("history bytes per step (Trace::history_bytes / steps)");
    println!(
        "{:>8} {:>9} {:>12} {:>14} {:>11}",
        "program", "size", "steps", "history bytes", "bytes/step"
    );
    for (name, program) in [
        ("loop", loop_program as fn(usize) -> String),
        ("mixed", mixed_program),
        ("growing", growing_program),
        ("sets", sets_program),
    ] {
        for &size in SIZES {
            let trace = traced(program, size);
            let bytes = trace.history_bytes();
            println!(
                "{name:>8} {size:>9} {:>12} {bytes:>14} {:>11.1}",
                trace.len(),
                bytes as f64 / trace.len() as f64
            );
        }
    }
    println!();
    divan::main();
}

fn trace_bench(bencher: Bencher, program: fn(usize) -> String, size: usize) {
    let source = program(size);
    let steps = run(&source, &options()).len();
    bencher
        .counter(ItemsCount::new(steps))
        .bench(|| run(divan::black_box(&source), &options()));
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn trace_loop(bencher: Bencher, size: usize) {
    trace_bench(bencher, loop_program, size);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn trace_mixed(bencher: Bencher, size: usize) {
    trace_bench(bencher, mixed_program, size);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn trace_growing(bencher: Bencher, size: usize) {
    trace_bench(bencher, growing_program, size);
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn trace_sets(bencher: Bencher, size: usize) {
    trace_bench(bencher, sets_program, size);
}

/// The snapshot of a random step (forward or back of the previous one): median and
/// slowest of 200 seeks.
fn seek_bench(bencher: Bencher, program: fn(usize) -> String, size: usize) {
    let trace = traced(program, size);
    let steps = random_steps(trace.len(), 200);
    let next = std::sync::atomic::AtomicUsize::new(0);
    bencher
        .with_inputs(|| {
            steps[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % steps.len()]
        })
        .bench_refs(|i| trace.snapshot(*i));
}

#[divan::bench(args = SIZES, sample_count = 200, sample_size = 1)]
fn seek_loop(bencher: Bencher, size: usize) {
    seek_bench(bencher, loop_program, size);
}

#[divan::bench(args = SIZES, sample_count = 200, sample_size = 1)]
fn seek_mixed(bencher: Bencher, size: usize) {
    seek_bench(bencher, mixed_program, size);
}

#[divan::bench(args = SIZES, sample_count = 200, sample_size = 1)]
fn seek_growing(bencher: Bencher, size: usize) {
    seek_bench(bencher, growing_program, size);
}

#[divan::bench(args = SIZES, sample_count = 200, sample_size = 1)]
fn seek_sets(bencher: Bencher, size: usize) {
    seek_bench(bencher, sets_program, size);
}

/// Event stepping's count: every event of the loop program replayed, and each asked
/// whether it is narrated: by making its sentence and dropping it (as the page did), or
/// with `is_narrated`.
fn count_bench(
    bencher: Bencher,
    size: usize,
    narrated: fn(&memlane_core::Event, &memlane_core::Snapshot) -> bool,
) {
    let trace = traced(loop_program, size);
    bencher.counter(ItemsCount::new(trace.len())).bench(|| {
        let mut at = trace.snapshot_at_event(0);
        let mut count = 0;
        for ev in trace.iter_events(0..trace.event_count()) {
            count += usize::from(narrated(&ev, &at));
            at.apply(&ev);
        }
        count
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5, sample_size = 1)]
fn count_narrated_by_sentence(bencher: Bencher, size: usize) {
    count_bench(bencher, size, |ev, at| {
        memlane_core::narrate::describe_event(ev, at).is_some()
    });
}

#[divan::bench(args = [10_000, 100_000], sample_count = 5, sample_size = 1)]
fn count_narrated_by_is_narrated(bencher: Bencher, size: usize) {
    count_bench(bencher, size, memlane_core::narrate::is_narrated);
}
