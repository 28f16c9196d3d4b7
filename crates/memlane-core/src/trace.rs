//! The history of a run: its steps, their events, and periodic checkpoints.
//!
//! A step is one executed line. The history keeps events, not heap copies; a snapshot of
//! any step is rebuilt from the nearest earlier checkpoint, so seeking backwards costs the
//! same as seeking forwards.

use crate::event::Event;
pub use crate::log::Splice;
use crate::log::{EventLog, Stored};
use crate::profile::Profile;
use crate::view::{FrameId, ObjId, Reference, Snapshot};
use serde::{Deserialize, Serialize};
use std::mem::size_of;
use std::ops::Range;

/// What a step is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A source line ran.
    #[default]
    Line,
    /// The interpreter shut down after the program: the parser's arena was freed,
    /// `__main__`'s names were cleared, a last collection ran (and `__del__`s with it).
    Exit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default)]
    pub kind: StepKind,
    /// The source line that ran (1-based; for the exit step, the last line that ran).
    pub line: u32,
    /// The frame it ran in.
    pub frame: FrameId,
    /// This step's events are `events[first_event..end_event]`.
    pub first_event: usize,
    pub end_event: usize,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// The program ran to its end; exit status 0.
    Finished,
    /// An uncaught exception (or a SyntaxError before anything ran); exit status 1.
    /// `traceback` is what CPython prints to stderr.
    Exception {
        type_name: String,
        message: String,
        line: Option<u32>,
        traceback: String,
    },
    /// The program uses something outside memlane's Python subset.
    Unsupported { message: String, line: u32 },
    /// The run hit one of memlane's own limits; the steps so far are kept.
    Limit { message: String },
}

impl Outcome {
    pub fn exit_status(&self) -> i32 {
        match self {
            Outcome::Finished => 0,
            _ => 1,
        }
    }

    /// The last line of what goes to stderr (`ZeroDivisionError: division by zero`).
    pub fn error_line(&self) -> Option<String> {
        match self {
            Outcome::Finished => None,
            Outcome::Exception { traceback, .. } => traceback.lines().last().map(str::to_owned),
            Outcome::Unsupported { message, .. } | Outcome::Limit { message } => {
                Some(message.clone())
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trace {
    pub profile: Profile,
    pub steps: Vec<Step>,
    /// Read through `event`, `events_in`, `events_of` and `iter_events`.
    #[serde(with = "log_as_events")]
    events: EventLog,
    pub outcome: Outcome,
    /// Events before the first step: the interpreter's start-up (module frame, builtins).
    pub prologue_end: usize,
    #[serde(skip)]
    checkpoints: Vec<Checkpoint>,
}

/// The state after the first `event` events, stored compactly: its frames, objects,
/// output and collector counts as a small log of events that rebuild them
/// (`FramePush`, `Alloc`, ...), about 15 bytes an object instead of a `Snapshot`'s 190.
/// The memory part is shared copy-on-write with the live state, so it is kept as is.
#[derive(Clone, Debug)]
struct Checkpoint {
    event: usize,
    state: EventLog,
    memory: crate::memory_view::MemoryView,
}

impl Checkpoint {
    fn new(event: usize, snap: &Snapshot) -> Checkpoint {
        let mut state = EventLog::default();
        for f in &snap.frames {
            state.push(&Event::FramePush {
                frame: Box::new(f.clone()),
            });
        }
        for o in snap.objects.values() {
            state.push(&Event::Alloc {
                object: Box::new(o.clone()),
            });
        }
        for (text, stderr) in [(&snap.stdout, false), (&snap.stderr, true)] {
            if !text.is_empty() {
                state.push(&if stderr {
                    Event::Stderr { text: text.clone() }
                } else {
                    Event::Output { text: text.clone() }
                });
            }
        }
        state.push(&Event::Gc {
            phase: crate::event::GcPhase::Done { collected: 0 },
            objects: Vec::new(),
            gc_refs: Vec::new(),
            gc: snap.gc.clone(),
        });
        state.shrink_to_fit();
        Checkpoint {
            event,
            state,
            memory: snap.memory.clone(),
        }
    }

    fn snapshot(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        self.state.replay(0, self.state.len(), &mut snap);
        snap.memory = self.memory.clone();
        snap
    }

    /// Heap bytes, with memory state shared with `previous` left out.
    fn heap_bytes(&self, previous: Option<&Checkpoint>) -> usize {
        let memory = match previous {
            Some(p) if p.memory.shares_state_with(&self.memory) => 0,
            _ => self.memory.heap_bytes(),
        };
        self.state.heap_bytes() + memory
    }
}

/// The trace's serialised form keeps the plain list of events.
mod log_as_events {
    use super::EventLog;
    use crate::event::Event;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(log: &EventLog, s: S) -> Result<S::Ok, S::Error> {
        log.decode(0, log.len()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EventLog, D::Error> {
        let mut log = EventLog::default();
        for e in Vec::<Event>::deserialize(d)? {
            log.push(&e);
        }
        Ok(log)
    }
}

impl Trace {
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn step(&self, index: usize) -> Option<&Step> {
        self.steps.get(index)
    }

    /// How many events the run emitted.
    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Event `index`, decoded.
    pub fn event(&self, index: usize) -> Option<Event> {
        (index < self.events.len()).then(|| self.events.decode(index, index + 1).remove(0))
    }

    /// The events in `range` (clamped to the run's), decoded.
    pub fn events_in(&self, range: Range<usize>) -> Vec<Event> {
        self.events.decode(range.start, range.end)
    }

    /// The events in `range` as stored: a container change may come as a splice, which
    /// a pass that keeps the references itself applies in O(change), not O(len).
    pub fn iter_stored(&self, range: Range<usize>) -> impl Iterator<Item = Stored> + '_ {
        self.events.iter_stored(range.start, range.end)
    }

    /// The events in `range`, decoded one at a time (for passes over a whole run).
    pub fn iter_events(&self, range: Range<usize>) -> impl Iterator<Item = Event> + '_ {
        self.events.iter(range.start, range.end)
    }

    /// The events of step `index` (none for an index past the end).
    pub fn events_of(&self, index: usize) -> Vec<Event> {
        match self.steps.get(index) {
            Some(s) => self.events_in(s.first_event..s.end_event),
            None => Vec::new(),
        }
    }

    /// The state after step `index` has run (clamped to the last step). With no steps,
    /// the state after start-up.
    pub fn snapshot(&self, index: usize) -> Snapshot {
        let end = match self.steps.get(index).or(self.steps.last()) {
            Some(s) => s.end_event,
            None => self.prologue_end.min(self.events.len()),
        };
        self.snapshot_at_event(end)
    }

    /// The state after step `index`, given `before`, the state after step `index - 1`: the
    /// events between them applied to a copy of it. Stepping forward holds the state
    /// before, and this skips rebuilding it from a checkpoint (decoding every object of
    /// the checkpoint, 0.8 ms a step with 1,000 objects in the page).
    pub fn snapshot_after(&self, before: &Snapshot, index: usize) -> Snapshot {
        let previous = index.checked_sub(1).and_then(|i| self.steps.get(i));
        let (Some(previous), Some(step)) = (previous, self.steps.get(index)) else {
            return self.snapshot(index);
        };
        let mut snap = before.clone();
        self.events
            .replay(previous.end_event, step.end_event, &mut snap);
        snap
    }

    /// The state after the first `end` events: the nearest checkpoint at or before `end`,
    /// with the events since applied to it.
    pub fn snapshot_at_event(&self, end: usize) -> Snapshot {
        let end = end.min(self.events.len());
        let at = self.checkpoints.partition_point(|c| c.event <= end);
        let (start, mut snap) = match at.checked_sub(1).map(|i| &self.checkpoints[i]) {
            Some(c) => (c.event, c.snapshot()),
            None => (0, Snapshot::default()),
        };
        self.events.replay(start, end, &mut snap);
        snap
    }

    /// The state after the first `end` events, replayed from the first event without
    /// checkpoints: what `snapshot_at_event` must equal.
    pub fn replay_from_start(&self, end: usize) -> Snapshot {
        let mut snap = Snapshot::default();
        for ev in self.events.iter(0, end) {
            snap.apply(&ev);
        }
        snap
    }

    /// Event positions of the checkpoints.
    pub fn checkpoint_positions(&self) -> Vec<usize> {
        self.checkpoints.iter().map(|c| c.event).collect()
    }

    /// The heap bytes the history holds, counted from capacities: the event log (bytes,
    /// block index, string table, rare events), the steps and the checkpoints (each
    /// snapshot's estimated size; memory state shared between checkpoints counted once).
    /// The trace's own struct and the outcome's text are left out.
    pub fn history_bytes(&self) -> usize {
        let mut checkpoints = self.checkpoints.capacity() * size_of::<Checkpoint>();
        let mut previous = None;
        for c in &self.checkpoints {
            checkpoints += c.heap_bytes(previous);
            previous = Some(c);
        }
        self.events.heap_bytes() + self.steps.capacity() * size_of::<Step>() + checkpoints
    }

    /// Rebuilds the checkpoints (after deserialising a trace, say).
    pub fn index(&mut self) {
        self.checkpoints.clear();
        let mut spacing = Spacing::default();
        let mut snap = Snapshot::default();
        let mut events = self.events.iter(0, self.events.len());
        let mut applied = 0;
        for s in 0..self.steps.len() {
            let end = self.steps[s].end_event;
            while applied < end {
                match events.next() {
                    Some(ev) => snap.apply(&ev),
                    None => break,
                }
                applied += 1;
            }
            let bytes = events.byte_position();
            if spacing.due(applied, bytes) {
                let checkpoint = Checkpoint::new(applied, &snap);
                spacing.taken(applied, bytes, &checkpoint);
                self.checkpoints.push(checkpoint);
            }
        }
    }
}

/// When to take a checkpoint. Each one costs a whole snapshot; replay from one costs
/// about 50 ns an event. A checkpoint is taken once the log has grown by `RATIO` times
/// the last checkpoint's size since it (so checkpoints stay under 1/RATIO of the log),
/// and at least `MIN_EVENTS` events on; after `MAX_EVENTS` one is taken whatever its
/// size, which bounds a seek's replay at about 3 ms. Checkpoints are stored as events
/// (`Checkpoint`), so a few thousand bytes each for a program of a few hundred objects.
#[derive(Debug, Default)]
struct Spacing {
    last_event: usize,
    last_byte: usize,
    last_size: usize,
}

const RATIO: usize = 4;
const MIN_EVENTS: usize = 16_384;
const MAX_EVENTS: usize = 65_536;

impl Spacing {
    fn due(&self, event: usize, byte: usize) -> bool {
        let events = event - self.last_event;
        events >= MAX_EVENTS
            || (events >= MIN_EVENTS && byte - self.last_byte >= RATIO * self.last_size)
    }

    fn taken(&mut self, event: usize, byte: usize, checkpoint: &Checkpoint) {
        self.last_event = event;
        self.last_byte = byte;
        self.last_size = checkpoint.state.heap_bytes();
    }
}

/// Collects events while the interpreter runs and cuts them into steps.
#[derive(Debug, Default)]
pub struct Recorder {
    events: EventLog,
    steps: Vec<Step>,
    prologue_end: Option<usize>,
    /// Folded forward as events arrive, to take checkpoints without a second pass.
    live: Snapshot,
    checkpoints: Vec<Checkpoint>,
    spacing: Spacing,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    pub fn record(&mut self, event: Event) {
        self.live.apply(&event);
        self.events.push(&event);
    }

    /// Records a `Change` of `obj` given as a splice of its references (see `Splice`):
    /// no whole list of references is built for it.
    pub fn record_change(&mut self, obj: ObjId, value: String, size: u64, splice: Splice) {
        let Some(o) = self.live.objects.get_mut(&obj) else {
            return;
        };
        splice.apply(&mut o.referents);
        self.events
            .push_change(obj, &value, size, &splice, &o.referents);
        o.value = value;
        o.size = size;
    }

    /// The references `obj` had at its last recorded event.
    pub fn references(&self, obj: ObjId) -> Option<&[Reference]> {
        self.live.objects.get(&obj).map(|o| &o.referents[..])
    }

    /// Starts a new step: the line `line` of frame `frame` is about to run.
    pub fn begin_step(&mut self, frame: FrameId, line: u32) {
        let now = self.events.len();
        self.close_step(now);
        if self.prologue_end.is_none() {
            self.prologue_end = Some(now);
        }
        let bytes = self.events.byte_len();
        if self.spacing.due(now, bytes) {
            let checkpoint = Checkpoint::new(now, &self.live);
            self.spacing.taken(now, bytes, &checkpoint);
            self.checkpoints.push(checkpoint);
        }
        self.steps.push(Step {
            kind: StepKind::Line,
            line,
            frame,
            first_event: now,
            end_event: now,
        });
    }

    /// Starts the interpreter-shutdown step.
    pub fn begin_exit_step(&mut self) {
        let (frame, line) = self
            .steps
            .last()
            .map_or((FrameId(0), 0), |s| (s.frame, s.line));
        self.begin_step(frame, line);
        if let Some(s) = self.steps.last_mut() {
            s.kind = StepKind::Exit;
        }
    }

    fn close_step(&mut self, now: usize) {
        if let Some(last) = self.steps.last_mut() {
            last.end_event = now;
        }
    }

    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// The state as of the latest event.
    pub fn live(&self) -> &Snapshot {
        &self.live
    }

    pub fn finish(mut self, profile: Profile, outcome: Outcome) -> Trace {
        let now = self.events.len();
        self.close_step(now);
        self.events.shrink_to_fit();
        self.steps.shrink_to_fit();
        Trace {
            profile,
            prologue_end: self.prologue_end.unwrap_or(now),
            steps: self.steps,
            events: self.events,
            outcome,
            checkpoints: self.checkpoints,
        }
    }
}
