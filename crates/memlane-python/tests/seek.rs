//! Seeking: the snapshot of any step, reached through the nearest checkpoint in any
//! order, equals replaying every event from the start; events decoded out of order equal
//! the same events decoded in one pass.

use memlane_python::{run, RunOptions};

const PROGRAMS: &[&str] = &[
    // Long enough for several checkpoints.
    "total = 0\nfor i in range(3000):\n    total += i\nprint(total)\n",
    // Lists and dicts growing, shrinking and changing in place; calls; an instance.
    r#"class Box:
    def __init__(self, v):
        self.v = v

def fill(n):
    xs = []
    d = {}
    for i in range(n):
        xs.append(Box(i))
        d[str(i % 7)] = xs[-1]
        if i % 5 == 0:
            xs.pop(0)
        if i % 11 == 0:
            del d[str(i % 7)]
        if xs:
            xs[0] = i
    return xs, d

for _ in range(40):
    xs, d = fill(30)
print(len(xs), sorted(d))
"#,
    // Cycles for the collector, strings, a generator.
    r#"import gc
def gen(n):
    for i in range(n):
        yield [i] * 3

for k in range(300):
    a = [k]
    a.append(a)
    b = {'self': a, 's': 'x' * (k % 5)}
    for g in gen(2):
        b[len(b)] = g
    del a
    if k % 50 == 0:
        gc.collect()
print(len(b))
"#,
    // Thousands of objects, so checkpoints hold several chunks of ids: items replaced
    // all over the list (touching old chunks), removed (ids freed and reused) and added.
    r#"xs = [1000 + i for i in range(2500)]
for r in range(300):
    for k in range(r % 7, 2500, 211):
        xs[k % len(xs)] = 1000 + r * k
    del xs[r * 13 % len(xs)]
    xs.append(r * 1000)
print(len(xs), sum(xs))
"#,
    // Containers of thousands of references, written to checkpoints in pieces: entries
    // replaced, deleted and put back, a set's items swapped, and big lists made, sorted,
    // cut and freed (their ids then reused).
    r#"d = {i: i for i in range(3000)}
s = set(range(2000))
for r in range(1500):
    d[r * 7 % 3000] = -r
    if r % 3 == 0:
        del d[r * 11 % 3000]
        d[r * 11 % 3000] = r
    s.discard(r * 5 % 2000)
    s.add(r * 5 % 2000 + 2000)
    if r % 300 == 299:
        ys = list(d.values())
        ys.sort()
        ys.reverse()
        del ys[10:20]
        ys.append(ys.pop(0))
print(len(d), len(s), len(ys))
"#,
];

/// A fixed pseudo-random sequence (xorshift), so failures reproduce.
fn positions(n: usize, count: usize, mut seed: u64) -> Vec<usize> {
    (0..count)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        })
        .collect()
}

#[test]
fn snapshots_in_random_order_equal_a_replay_from_the_start() {
    for (p, source) in PROGRAMS.iter().enumerate() {
        let trace = run(source, &RunOptions::default());
        assert_eq!(
            trace.outcome,
            memlane_core::Outcome::Finished,
            "program {p}"
        );
        assert!(trace.len() > 1000, "program {p} has {} steps", trace.len());
        if p == 0 || p >= 3 {
            assert!(
                trace.checkpoint_positions().len() >= 2,
                "program {p} seeks through checkpoints"
            );
        }
        let mut steps = positions(trace.len(), 40, 0x9e37_79b9_7f4a_7c15 + p as u64);
        // Forward and back across checkpoints, and both ends.
        steps.extend([trace.len() - 1, 0, trace.len() / 2, 1]);
        for i in steps {
            let end = trace.step(i).unwrap().end_event;
            assert_eq!(
                trace.snapshot(i),
                trace.replay_from_start(end),
                "program {p}, step {i}"
            );
        }
    }
}

#[test]
fn events_decoded_out_of_order_equal_one_pass() {
    for (p, source) in PROGRAMS.iter().enumerate() {
        let trace = run(source, &RunOptions::default());
        let all: Vec<_> = trace.iter_events(0..trace.event_count()).collect();
        assert_eq!(all.len(), trace.event_count());
        for i in positions(trace.len(), 60, 0x2545_f491_4f6c_dd1d + p as u64) {
            let s = trace.step(i).unwrap();
            assert_eq!(trace.events_of(i), all[s.events()], "program {p}, step {i}");
        }
        for e in positions(trace.event_count(), 200, 0xdead_beef + p as u64) {
            assert_eq!(
                trace.event(e).as_ref(),
                Some(&all[e]),
                "program {p}, event {e}"
            );
        }
    }
}

#[test]
fn a_trace_survives_serialisation() {
    let mut trace = run(PROGRAMS[1], &RunOptions::default());
    let json = serde_json::to_string(&trace).unwrap();
    let mut back: memlane_core::Trace = serde_json::from_str(&json).unwrap();
    back.index();
    trace.index();
    let n = trace.event_count();
    assert_eq!(back.events_in(0..n), trace.events_in(0..n));
    for i in positions(trace.len(), 10, 7) {
        assert_eq!(back.snapshot(i), trace.snapshot(i));
    }
}

/// Steps of over 100,000 events each (a list filled, then freed at shutdown): each step's
/// end is a checkpoint, every way of reaching a step (a seek, the same seek again from
/// the checkpoint kept decoded, one step forward) equals a replay from the start, and a
/// step that only changes the big list's refcount shares its references with the step
/// before instead of copying them.
#[test]
fn long_steps_are_reached_from_their_own_checkpoints_and_share_references() {
    let source = "x = [0] * 120000\ny = x\nprint(len(y))\n";
    let trace = run(source, &RunOptions::default());
    assert_eq!(trace.outcome, memlane_core::Outcome::Finished);
    let ends: Vec<usize> = trace.steps().map(|s| s.end_event).collect();
    let checkpoints = trace.checkpoint_positions();
    assert!(checkpoints.contains(&ends[0]), "{checkpoints:?} {ends:?}");
    assert!(
        checkpoints.contains(ends.last().unwrap()),
        "the shutdown's end: {checkpoints:?} {ends:?}"
    );
    for i in (0..trace.len()).chain((0..trace.len()).rev()) {
        let expected = trace.replay_from_start(ends[i]);
        assert_eq!(trace.snapshot(i), expected, "step {i}");
        assert_eq!(trace.snapshot(i), expected, "step {i} again");
        if i > 0 {
            let before = trace.snapshot(i - 1);
            assert_eq!(
                trace.snapshot_after(&before, i),
                expected,
                "step {i} forward"
            );
        }
    }
    // Step 1 (`y = x`) changes the list's refcount only.
    let before = trace.snapshot(0);
    let after = trace.snapshot_after(&before, 1);
    let list = |s: &memlane_core::Snapshot| {
        s.objects
            .values()
            .find(|o| o.type_name == "list" && o.referents.len() == 120_000)
            .cloned()
            .expect("the list")
    };
    let (a, b) = (list(&before), list(&after));
    assert_eq!(b.refcount, a.refcount + 1);
    assert!(std::sync::Arc::ptr_eq(&a.referents, &b.referents));
}

/// A list changed at the front: every `pop(0)` / `insert(0, x)` moves each position, so
/// its splice keeps the list's back and renumbers it, and decoding one out of order walks
/// its chain back; mixed with appends, in-place stores and a sort (which keeps nothing).
#[test]
fn front_changes_decoded_out_of_order_equal_one_pass() {
    let source = "xs = list(range(300))\nfor i in range(200):\n    xs.pop(0)\n    if i % 3 == 0:\n        xs.append(i)\n    if i % 7 == 0:\n        xs.insert(0, i)\n    xs[-1] = i\nxs.sort()\nxs.append(0)\nprint(len(xs))\n";
    let trace = run(source, &RunOptions::default());
    assert_eq!(trace.outcome, memlane_core::Outcome::Finished);
    let all: Vec<_> = trace.iter_events(0..trace.event_count()).collect();
    for i in 0..trace.len() {
        let s = trace.step(i).unwrap();
        assert_eq!(trace.events_of(i), all[s.events()], "step {i}");
    }
}

/// A list popped and grown at the front records each change, not the list: the kept
/// references move, and the splice says so (`Splice::renumber`). Stored whole, each
/// `pop(0)` of a list of 3,000 cost about 9 KB of history. Seeks in it still equal a
/// replay from the start.
#[test]
fn front_changes_to_a_big_list_cost_the_change() {
    let source = "xs = list(range(3000))
while xs:
    xs.pop(0)
for i in range(1000):
    xs.insert(0, i)
print(len(xs))
";
    let trace = run(source, &RunOptions::default());
    assert_eq!(trace.outcome, memlane_core::Outcome::Finished);
    let per_step = trace.history_bytes() / trace.len();
    assert!(per_step < 300, "{per_step} history bytes a step");
    let mut steps = positions(trace.len(), 12, 7);
    steps.extend([trace.len() - 1, 2, 3]);
    for i in steps {
        let end = trace.step(i).unwrap().end_event;
        assert_eq!(trace.snapshot(i), trace.replay_from_start(end), "step {i}");
    }
}

/// A step walked from the state before it (`Trace::walk_step`: container changes made
/// from that state's references) yields the same events as the step decoded on its own,
/// each with the state before it, and leaves the state after the step.
#[test]
fn a_step_walked_from_the_state_before_equals_it_decoded_on_its_own() {
    let front = "xs = list(range(50))\nfor i in range(40):\n    xs.pop(0)\n    xs.insert(3, i)\n    xs.append([i])\n    xs[-1] = i\n";
    for (p, source) in PROGRAMS.iter().chain([&front]).enumerate() {
        let trace = run(source, &RunOptions::default());
        let steps: Vec<usize> = (0..trace.len().min(60))
            .chain(positions(trace.len(), 20, 0x51ed + p as u64))
            .collect();
        for i in steps {
            let step = trace.step(i).unwrap();
            let mut snap = trace.snapshot_at_event(step.first_event);
            let mut walked = Vec::new();
            let mut states_ok = true;
            let mut at = step.first_event;
            trace.walk_step(i, &mut snap, |ev, before| {
                states_ok &= *before == trace.snapshot_at_event(at);
                at += 1;
                walked.push(ev.clone());
            });
            assert_eq!(walked, trace.events_of(i), "program {p}, step {i}");
            assert!(
                states_ok,
                "program {p}, step {i}: the state before each event"
            );
            assert_eq!(
                snap,
                trace.snapshot(i),
                "program {p}, step {i}: the state after"
            );
        }
    }
}
