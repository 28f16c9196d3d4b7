//! The history of a run: its steps, their events, and periodic checkpoints.
//!
//! A step is one executed line. The history keeps events, not heap copies; a snapshot of
//! any step is rebuilt from the nearest earlier checkpoint, so seeking backwards costs the
//! same as seeking forwards.

use crate::event::Event;
use crate::profile::Profile;
use crate::view::{FrameId, Snapshot};
use serde::{Deserialize, Serialize};

/// A checkpoint is taken at the first step boundary after this many events.
const CHECKPOINT_EVENTS: usize = 4096;

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
    pub events: Vec<Event>,
    pub outcome: Outcome,
    /// Events before the first step: the interpreter's start-up (module frame, builtins).
    pub prologue_end: usize,
    #[serde(skip)]
    checkpoints: Vec<(usize, Snapshot)>,
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

    pub fn events_of(&self, index: usize) -> &[Event] {
        match self.steps.get(index) {
            Some(s) => &self.events[s.first_event..s.end_event],
            None => &[],
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

    /// The state after the first `end` events.
    pub fn snapshot_at_event(&self, end: usize) -> Snapshot {
        let end = end.min(self.events.len());
        let at = self.checkpoints.partition_point(|(e, _)| *e <= end);
        let (start, mut snap) = match at.checked_sub(1).map(|i| &self.checkpoints[i]) {
            Some((e, s)) => (*e, s.clone()),
            None => (0, Snapshot::default()),
        };
        for ev in &self.events[start..end] {
            snap.apply(ev);
        }
        snap
    }

    /// Rebuilds the checkpoints (after deserialising a trace, say).
    pub fn index(&mut self) {
        self.checkpoints.clear();
        let mut snap = Snapshot::default();
        let mut applied = 0;
        let mut since = 0;
        let boundaries: Vec<usize> = self.steps.iter().map(|s| s.end_event).collect();
        for end in boundaries {
            for ev in &self.events[applied..end] {
                snap.apply(ev);
            }
            since += end - applied;
            applied = end;
            if since >= CHECKPOINT_EVENTS {
                self.checkpoints.push((applied, snap.clone()));
                since = 0;
            }
        }
    }
}

/// Collects events while the interpreter runs and cuts them into steps.
#[derive(Debug, Default)]
pub struct Recorder {
    events: Vec<Event>,
    steps: Vec<Step>,
    prologue_end: Option<usize>,
    /// Folded forward as events arrive, to take checkpoints without a second pass.
    live: Snapshot,
    checkpoints: Vec<(usize, Snapshot)>,
    since_checkpoint: usize,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    pub fn record(&mut self, event: Event) {
        self.live.apply(&event);
        self.events.push(event);
    }

    /// Starts a new step: the line `line` of frame `frame` is about to run.
    pub fn begin_step(&mut self, frame: FrameId, line: u32) {
        let now = self.events.len();
        self.close_step(now);
        if self.prologue_end.is_none() {
            self.prologue_end = Some(now);
        }
        if self.since_checkpoint >= CHECKPOINT_EVENTS {
            self.checkpoints.push((now, self.live.clone()));
            self.since_checkpoint = 0;
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
            self.since_checkpoint += now - last.end_event;
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
