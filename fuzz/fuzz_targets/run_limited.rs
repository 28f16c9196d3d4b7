//! The whole interpreter under the limits the page uses: any source text runs to an
//! Outcome (finished, an exception, a limit, unsupported), never a panic, and within the
//! step cap. Then the trace is read back every way the page and the CLI read it, and the
//! ways must agree:
//!
//! - stepping forward (every event applied in order, as `Trace::snapshot_after` does)
//!   keeps the model's invariant at every step (`Snapshot::check_invariants`: refcounts
//!   equal the references shown, nothing refers to a freed object);
//! - seeking to pseudo-random steps (`Trace::snapshot`, from the nearest checkpoint) and
//!   `snapshot_after` from the step before equal the state reached stepping forward;
//! - events decoded out of order (`Trace::event`, `events_of`) equal the one-pass decode;
//! - `is_narrated` agrees with `describe_event` on every event, and event stepping's
//!   offsets counted a slice at a time (`EventOffsets::advance`) equal the per-step count;
//! - the card layout computed a slice at a time equals the one computed in one pass;
//! - the step sentence of each seeked step is made without a panic;
//! - running in slices of steps (`Session`, as the page runs) records the same steps,
//!   events and outcome as one `run`.
//!
//! The CPython version, the seek points and the slice sizes come from a hash of the input,
//! so a crash reproduces from its file alone.
#![no_main]
use libfuzzer_sys::fuzz_target;
use memlane_core::narrate::{describe_event, describe_step_between, is_narrated};
use memlane_core::{Event, Trace, Version};
use memlane_python::Session;
use memlane_web::layout::{Layout, LayoutBuilder, LayoutOptions};
use memlane_web::state::{run_options, EventOffsets};

/// Steps per run: the page's cap is far higher, but 2,000 keeps each input fast.
const MAX_STEPS: usize = 2_000;

/// FNV-1a, then xorshift for the numbers drawn from it.
struct Draw(u64);

impl Draw {
    fn new(data: &[u8]) -> Draw {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in data {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Draw(h | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let mut draw = Draw::new(data);
    let version = Version::ALL[draw.below(Version::ALL.len())];
    let options = run_options(version, false, MAX_STEPS);
    let trace = memlane_python::run(source, &options);
    assert!(trace.len() <= MAX_STEPS + 1, "{} steps", trace.len());
    let events = check_reading(&trace, source, &mut draw);
    // The page runs a program a slice of steps at a time: it must record the same.
    let mut session = Session::start(source, &options);
    let slice = 1 + draw.below(300);
    while session.advance(slice) {}
    let sliced = session.finish();
    assert_eq!(
        sliced.outcome, trace.outcome,
        "outcome in slices of {slice}"
    );
    assert!(
        sliced.steps().eq(trace.steps()),
        "steps in slices of {slice}"
    );
    assert!(
        sliced.iter_events(0..sliced.event_count()).eq(events),
        "events in slices of {slice}"
    );
});

/// Reads `trace` back every way (see the top of the file); returns its events.
fn check_reading(trace: &Trace, source: &str, draw: &mut Draw) -> Vec<Event> {
    let count = trace.event_count();
    let events: Vec<Event> = trace.iter_events(0..count).collect();
    assert_eq!(events.len(), count, "one-pass decode");
    for _ in 0..8.min(count) {
        let e = draw.below(count);
        assert_eq!(trace.event(e).as_ref(), Some(&events[e]), "event {e}");
    }

    let steps = trace.len();
    let mut seek: Vec<usize> = (0..6.min(steps)).map(|_| draw.below(steps)).collect();
    seek.extend(steps.checked_sub(1));
    let lines: Vec<&str> = source.lines().collect();

    // Forward, as stepping does: the state after start-up, then each step's events.
    let mut snap = trace.snapshot_at_event(trace.prologue_end);
    let mut next = trace.prologue_end.min(count);
    let mut offsets = Vec::with_capacity(steps + 1);
    let mut total = 0;
    let mut before = snap.clone();
    for (i, step) in trace.steps().enumerate() {
        assert!(step.first_event <= step.end_event && step.end_event <= count);
        assert!(
            next <= step.first_event,
            "step {i} starts before the one before ended"
        );
        let seeking = seek.contains(&i);
        while next < step.first_event {
            snap.apply(&events[next]);
            next += 1;
        }
        if seeking {
            before = snap.clone();
        }
        let mut narrated = 0;
        for ev in &events[step.first_event..step.end_event] {
            let said = describe_event(ev, &snap).is_some();
            assert_eq!(is_narrated(ev, &snap), said, "step {i}: {ev:?}");
            narrated += usize::from(said);
            snap.apply(ev);
        }
        next = step.end_event;
        offsets.push(total);
        total += narrated.max(1);
        if let Err(e) = snap.check_invariants() {
            panic!("after step {i} (line {}): {e}", step.line);
        }
        if seeking {
            assert_eq!(trace.snapshot(i), snap, "seek to step {i}");
            assert_eq!(
                trace.events_of(i),
                events[step.first_event..step.end_event],
                "events of step {i}"
            );
            if i > 0 {
                let previous = trace.snapshot(i - 1);
                assert_eq!(
                    trace.snapshot_after(&previous, i),
                    snap,
                    "step {i} after {}",
                    i - 1
                );
            }
            let code = lines
                .get((step.line as usize).wrapping_sub(1))
                .copied()
                .unwrap_or("");
            let _ = describe_step_between(trace, i, code, &before, &snap);
        }
    }
    offsets.push(total);

    let mut counting = EventOffsets::default();
    let slice = 1 + draw.below(64);
    while counting.advance(trace, slice) {}
    assert_eq!(
        counting.finish(),
        offsets,
        "event offsets, {slice} events a slice"
    );

    let options = LayoutOptions {
        include_internal: draw.below(2) == 1,
        columns: 1 + draw.below(4) as u32,
    };
    let whole = Layout::compute(trace, options);
    let mut builder = LayoutBuilder::new(options);
    let slice = 1 + draw.below(200);
    while builder.advance(trace, slice) {}
    assert!(builder.finish() == whole, "layout, {slice} events a slice");
    events
}
