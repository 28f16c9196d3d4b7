//! The whole state of the page and the one place it changes: [`State`], [`Action`] and
//! [`Reducible::reduce`]. The root component owns it with `use_reducer`; every other
//! component gets plain props and callbacks.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use memlane_core::narrate::{describe_event, describe_step_between, is_narrated};
use memlane_core::{
    Event, FrameId, GcPhase, ObjId, Outcome, Profile, Snapshot, StepKind, Stored, Trace, Version,
    Walk, TWIN_PID,
};
use memlane_python::{RunOptions, Session};
use yew::Reducible;

use crate::layout::{Drawn, Layout, LayoutBuilder, LayoutOptions};
use crate::permalink::{LinkFrames, Scenario};

/// The most line steps a run on the page records unless a link or embed asks for another
/// cap (then it ends with a limit message and keeps the steps so far). Runs and layout go
/// in slices, so the page never freezes; the cap bounds the time to the trace shown and
/// its memory (history is under 100 bytes a step: see docs/performance.md, "Running in
/// the browser").
pub const MAX_STEPS: usize = 1_000_000;
/// The step caps a link (`steps`) or an embed (`data-max-steps`) may ask for: from a
/// short demonstration up to what the page's memory guard lets a simple loop record.
pub const STEP_CAP_RANGE: std::ops::RangeInclusive<usize> = 100..=5_000_000;
/// A run also stops once the page's heap passes this: a step that changes a big container
/// records all of it today, so such a history grows with the square of its steps.
pub const MAX_MEMORY_BYTES: usize = 1 << 30;
/// A trace with at most this many events is laid out (when its run ends, or again after a
/// view switch) and counted for event stepping at once; a longer one a slice at a time
/// (each `Action::Advance(n)` goes over `n * LAYOUT_EVENTS_PER_UNIT` events), so the page
/// keeps drawing.
pub const LAYOUT_AT_ONCE: usize = 20_000;
pub const LAYOUT_EVENTS_PER_UNIT: usize = 16;
/// Steps run at once when a page opens, before any slicing: enough for a page-sized
/// program to be shown on the first render.
pub const FIRST_SLICE: usize = 2_000;
/// Columns of object cards in the heap lane: two beside the stack on a wide screen, one
/// under it on a narrow one (so the cards keep a readable size).
pub fn heap_columns(narrow: bool) -> u32 {
    if narrow {
        1
    } else {
        2
    }
}

/// The program the page opens with.
pub const DEFAULT_PROGRAM: &str = r#"def make_pair(first, second):
    pair = [first, second]
    return pair

a = 7
b = a
items = make_pair(a, "seven")
items.append(items)
del items
"#;

/// Whether the stepping buttons move by source line or by event within a line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StepMode {
    #[default]
    Line,
    Event,
}

/// How the diagram draws things; none of these change the trace, only the picture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewOptions {
    /// List objects marked `internal` (code objects, constant tables...) too.
    pub show_internal: bool,
    /// Draw ints, floats, short strings, bools and None inside the name's row instead of
    /// as cards of their own.
    pub inline_small: bool,
    /// Draw frames where CPython 3.11+ keeps them (the data stack, in heap memory) rather
    /// than as the textbook's call stack.
    pub frames_in_heap: bool,
}

/// One event of the shown step that the narration has a sentence for.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownEvent {
    /// The first event this position covers: the unnarrated events since the previous
    /// narrated one of the step (a TLB miss before its page fault, say) belong to it.
    pub start: usize,
    /// The snapshot after this event is `trace.snapshot_at_event(end)`.
    pub end: usize,
    pub sentence: String,
    /// The object the event is about, highlighted while it is shown.
    pub focus: Option<ObjId>,
    /// A cycle-collector phase and the objects it marks.
    pub gc: Option<(String, Vec<ObjId>)>,
}

/// What a run in progress is doing. A page holds at most one, so its size is no concern.
#[allow(clippy::large_enum_variant)]
enum Work {
    Tracing(Session),
    /// The run has ended; its diagram's layout is computed a slice at a time.
    LayingOut(Trace, Box<LayoutBuilder>),
}

/// A program being traced a slice at a time; `Action::Advance` runs the next slice.
#[derive(Clone)]
pub struct Running {
    /// Taken when the trace is shown.
    work: Rc<RefCell<Option<Work>>>,
    pub source: Rc<str>,
    pub version: Version,
    /// Whether the run has the twin process beside it.
    pub twin: bool,
    /// Line steps recorded so far.
    pub steps: usize,
    /// Once the run has ended and a long trace is laid out: events placed, and all.
    pub laying_out: Option<(usize, usize)>,
    /// The step to show when the trace is ready (a permalink's), else the first.
    show_step: usize,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("version", &self.version)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug)]
pub struct State {
    /// The program that was traced.
    pub source: Rc<str>,
    /// What the editor holds; traced on Run. Never overwritten by a run or an error.
    pub draft: Rc<str>,
    pub version: Version,
    pub trace: Rc<Trace>,
    /// Card places for the whole trace (recomputed when the trace or the hidden set changes).
    pub layout: Rc<Layout>,
    /// Index of the step shown; 0 when the trace has no steps.
    pub step: usize,
    pub mode: StepMode,
    /// In event mode: the narrated events of `step`, and which one is shown.
    pub events: Rc<Vec<ShownEvent>>,
    pub event: usize,
    /// The state at the shown position, computed when the position changes.
    pub snapshot: Rc<Snapshot>,
    /// The state shown before the last move, to fade out what was freed in between.
    pub previous: Rc<Snapshot>,
    /// What the diagram draws of `snapshot`, and of `previous`.
    pub drawn: Rc<Drawn>,
    pub previous_drawn: Rc<Drawn>,
    /// The sentence for what is shown (made with the snapshot, from the core's narration).
    step_narration: Rc<str>,
    /// After one step forward by line: when, in ms into the step's animation, each object's
    /// last change (allocation, refcount, free) happened, so the changes play in order.
    pub timing: Rc<Timing>,
    /// The page faults and the translation walk the RAM lane marks at the shown position
    /// (worked out once a move, not at each render).
    pub marks: Rc<MemoryMarks>,
    /// In event mode: [`event_offsets`] of the trace (empty until event mode is first used).
    pub offsets: Rc<Vec<usize>>,
    pub view: ViewOptions,
    pub playing: bool,
    /// Playback speed in steps per second, times ten (10 = one step a second).
    pub speed: u32,
    /// The object whose details are open.
    pub selected: Option<ObjId>,
    /// A narrow viewport: the lanes are drawn one under another.
    pub narrow: bool,
    /// A run in progress; the trace shown is the previous one until it ends.
    pub running: Option<Running>,
    /// The step cap of every run ([`MAX_STEPS`] unless a link or embed set another).
    pub max_steps: usize,
    /// A layout of the shown trace for view options changed since `layout` was made.
    pub relayout: Option<Chore<LayoutBuilder>>,
    /// Event stepping's positions being counted: the mode switches to events once done.
    pub counting: Option<Chore<EventOffsets>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    First,
    StepBack,
    StepForward,
    Last,
    /// Go to a step (0-based), from the slider.
    Seek(usize),
    Play,
    Pause,
    /// Space: Play when paused, Pause when playing.
    TogglePlay,
    /// The play timer fired.
    Tick,
    SetSpeed(u32),
    SetMode(StepMode),
    /// The editor's text changed.
    Edit(String),
    /// Trace the editor's text.
    Run,
    SetVersion(Version),
    ShowInternal(bool),
    InlineSmall(bool),
    FramesInHeap(bool),
    Select(Option<ObjId>),
    SetNarrow(bool),
    /// Run the next slice of the run in progress: at most this many more steps.
    Advance(usize),
    /// End the run in progress now, keeping the steps so far.
    Stop,
}

/// The empty history shown before a page's first run ends.
fn nothing_ran(version: Version) -> Trace {
    memlane_core::Recorder::new().finish(Profile::new(version), Outcome::Finished)
}

/// How the page runs a program under `version`, with a second python3 process beside
/// the traced one if `twin`, for at most `max_steps` steps.
pub fn run_options(version: Version, twin: bool, max_steps: usize) -> RunOptions {
    let mut options = RunOptions {
        profile: Profile::new(version),
        max_steps,
        ..RunOptions::default()
    };
    options.memory.twin = twin;
    options
}

/// Runs `source` under `version` the way the page does, in one go.
pub fn trace_program(source: &str, version: Version) -> Trace {
    trace_program_with(source, version, false)
}

/// [`trace_program`], with the twin process if `twin`.
pub fn trace_program_with(source: &str, version: Version, twin: bool) -> Trace {
    memlane_python::run(source, &run_options(version, twin, MAX_STEPS))
}

/// Whether `trace` was run with the twin process (it starts during start-up).
pub fn has_twin(trace: &Trace) -> bool {
    trace
        .iter_events(0..trace.prologue_end.min(trace.event_count()))
        .any(|e| matches!(e, Event::ProcessStart { pid, .. } if pid == TWIN_PID))
}

/// The narrated events of step `index`, in order.
pub fn narrated_events(trace: &Trace, index: usize) -> Vec<ShownEvent> {
    let Some(step) = trace.step(index) else {
        return Vec::new();
    };
    let mut snap = trace.snapshot_at_event(step.first_event);
    let mut out = Vec::new();
    let mut start = step.first_event;
    let mut end = step.first_event;
    trace.walk_step(index, &mut snap, |ev, before| {
        end += 1;
        let Some(sentence) = describe_event(ev, before) else {
            return;
        };
        let focus = match ev {
            Event::Alloc { object } => Some(object.id),
            Event::Refcount { obj, .. } | Event::Change { obj, .. } => Some(*obj),
            Event::Bind { target, .. } => Some(*target),
            _ => None,
        };
        let gc = match ev {
            Event::Gc { phase, objects, .. } => Some((gc_phase_name(phase), objects.clone())),
            _ => None,
        };
        out.push(ShownEvent {
            start,
            end,
            sentence,
            focus,
            gc,
        });
        start = end;
    });
    out
}

/// Where each step starts among the positions event stepping shows: `offsets[s]` positions
/// come before step `s` (one per narrated event, or one for a step with none), and the
/// last entry is the total.
pub fn event_offsets(trace: &Trace) -> Vec<usize> {
    let mut counting = EventOffsets::default();
    while counting.advance(trace, usize::MAX) {}
    counting.finish()
}

/// [`event_offsets`] worked out a slice of steps at a time, so a long trace's first
/// switch to event stepping does not freeze the page.
#[derive(Clone, Debug, Default)]
pub struct EventOffsets {
    offsets: Vec<usize>,
    total: usize,
    /// The state after the last step counted, and where it ends.
    snap: Option<(usize, Snapshot)>,
}

impl EventOffsets {
    /// Steps counted so far.
    pub fn steps_done(&self) -> usize {
        self.offsets.len()
    }

    /// Counts the next steps of `trace` (the same trace each time) until about
    /// `max_events` events are described. Returns whether steps remain.
    ///
    /// One event reader goes through the whole slice: a reader started at each step
    /// would first decode its way to the step within the log's block of 64 events, and
    /// look up the references of each list or dict it meets changed (which the reader
    /// carries from one event to the next).
    pub fn advance(&mut self, trace: &Trace, max_events: usize) -> bool {
        let mut steps = trace.steps_from(self.offsets.len()).peekable();
        let Some(first) = steps.peek() else {
            return false;
        };
        let start = first.first_event;
        let mut at = match self.snap.take() {
            Some((end, s)) if end == start => s,
            _ => trace.snapshot_at_event(start),
        };
        let mut events = trace.iter_events(start..trace.event_count());
        let mut next = start;
        let mut described = 0;
        for step in steps {
            if described >= max_events {
                self.snap = Some((next, at));
                return true;
            }
            // Events between two steps (none in practice) change the state, not the count.
            while next < step.first_event {
                let Some(ev) = events.next() else { break };
                at.apply(&ev);
                next += 1;
            }
            let mut narrated = 0;
            for ev in events.by_ref().take(step.end_event - step.first_event) {
                narrated += usize::from(is_narrated(&ev, &at));
                at.apply(&ev);
            }
            next = step.end_event;
            described += step.end_event - step.first_event;
            self.offsets.push(self.total);
            self.total += narrated.max(1);
        }
        self.snap = Some((next, at));
        false
    }

    /// The offsets, once `advance` has counted every step.
    pub fn finish(mut self) -> Vec<usize> {
        self.offsets.push(self.total);
        self.offsets
    }
}

/// Work on the shown trace done a slice at a time (`Action::Advance`) after a switch on a
/// long trace: the page keeps showing what it has until it is done.
#[derive(Clone)]
pub struct Chore<T> {
    work: Rc<RefCell<T>>,
    /// How far along, out of `all` (events laid out, or steps counted).
    pub done: usize,
    pub all: usize,
}

impl<T> Chore<T> {
    fn new(work: T, all: usize) -> Chore<T> {
        Chore {
            work: Rc::new(RefCell::new(work)),
            done: 0,
            all,
        }
    }
}

impl<T> std::fmt::Debug for Chore<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chore({} of {})", self.done, self.all)
    }
}

/// A page the kernel brought in: the frame it got and the faulting address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultShown {
    pub frame: u32,
    pub address: u64,
    pub swap_in: Option<u32>,
}

/// What the RAM lane marks at the shown position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryMarks {
    /// Page faults of the shown step (line mode) or event (event mode), in order.
    pub faults: Vec<FaultShown>,
    /// In event mode, the page-table walk of the TLB miss the shown event covers: the
    /// core's walk (`MemoryView::walk`) of the missed address at the shown position.
    pub walk: Option<Walk>,
}

/// How long a step's changes take to play, in ms.
pub const STEP_ANIMATION_MS: u32 = 600;

/// For each object a step changes, when its last change plays: the step's events are
/// spread evenly over [`STEP_ANIMATION_MS`]. Read as stored: a container's change by
/// splice is timed by its object alone, without the references a decoded `Change`
/// carries (rebuilding those walks the container's earlier changes, O(its length)).
pub fn event_timing(trace: &Trace, index: usize) -> Timing {
    let Some(step) = trace.step(index) else {
        return Timing::default();
    };
    let n = step.events().len().max(1) as u32;
    let mut at = Timing::default();
    for (i, stored) in trace
        .iter_stored_without_holder_texts(step.events())
        .enumerate()
    {
        let ms = i as u32 * STEP_ANIMATION_MS / n;
        match stored {
            Stored::Event(ev) => at.note(&ev, ms),
            Stored::Splice { obj, .. } => {
                at.objects.insert(obj, ms);
            }
        }
    }
    at
}

/// When each change of one step forward by line plays, in ms into the step's animation.
/// Empty after any other move (nothing is sequenced).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timing {
    /// Each object's last change (allocation, refcount, contents, free).
    pub objects: HashMap<ObjId, u32>,
    /// When a new object's card appears.
    pub appear: HashMap<ObjId, u32>,
    /// Each object's last refcount change: when its badge ticks.
    pub refcount: HashMap<ObjId, u32>,
    /// A frame pushed or popped.
    pub frames: HashMap<FrameId, u32>,
    /// A name bound (its row, and its arrow, appear then).
    pub names: HashMap<(FrameId, String), u32>,
}

impl Timing {
    /// Times event `ev`, which plays at `ms`.
    fn note(&mut self, ev: &Event, ms: u32) {
        let id = match ev {
            Event::Alloc { object } => {
                self.appear.insert(object.id, ms);
                object.id
            }
            Event::Refcount { obj, .. } => {
                self.refcount.insert(*obj, ms);
                *obj
            }
            Event::Free { obj, .. } | Event::Change { obj, .. } => *obj,
            Event::FramePush { frame } => {
                self.frames.insert(frame.id, ms);
                return;
            }
            Event::FramePop { frame } => {
                self.frames.insert(*frame, ms);
                return;
            }
            Event::Bind { frame, name, .. } => {
                self.names.insert((*frame, name.clone()), ms);
                return;
            }
            _ => return,
        };
        self.objects.insert(id, ms);
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.frames.is_empty() && self.names.is_empty()
    }
}

fn gc_phase_name(phase: &GcPhase) -> String {
    match phase {
        GcPhase::Start { generation } => format!("start (generation {generation})"),
        GcPhase::CopyRefcounts => "copy refcounts".into(),
        GcPhase::SubtractInternal => "subtract internal references".into(),
        GcPhase::FindUnreachable => "find unreachable".into(),
        GcPhase::Finalize => "finalize".into(),
        GcPhase::Clear => "clear".into(),
        GcPhase::Done { collected } => format!("done ({collected} collected)"),
    }
}

impl State {
    /// Runs `source` with the default profile and shows its first step: at once for a
    /// program of up to [`FIRST_SLICE`] steps, else once the slices are run.
    pub fn run(source: &str) -> State {
        let version = Version::default();
        let mut state = State::from_trace(source, nothing_ran(version));
        state.begin(source.into(), version, false, 0);
        state.advance(FIRST_SLICE);
        state
    }

    /// Opens what a permalink describes: its program traced under its profile, its view
    /// options, its mode, at its step (the last one if the link asks for more).
    pub fn open(scenario: &Scenario) -> State {
        let code = scenario.code.as_str();
        let mut state = State::from_trace(code, nothing_ran(scenario.python));
        state.view = scenario.view();
        state.mode = scenario.mode.into();
        state.max_steps = scenario.step_cap();
        state.begin(code.into(), scenario.python, scenario.twin, scenario.step);
        state.advance(FIRST_SLICE);
        state
    }

    /// Whether the run shown (or in progress) has the twin process.
    fn twin(&self) -> bool {
        match &self.running {
            Some(running) => running.twin,
            None => has_twin(&self.trace),
        }
    }

    /// Starts tracing `source`; the trace shown stays until the run ends.
    fn begin(&mut self, source: Rc<str>, version: Version, twin: bool, show_step: usize) {
        let session = Session::start(&source, &run_options(version, twin, self.max_steps));
        self.playing = false;
        self.running = Some(Running {
            steps: session.steps(),
            work: Rc::new(RefCell::new(Some(Work::Tracing(session)))),
            source,
            version,
            twin,
            show_step,
            laying_out: None,
        });
    }

    /// Runs the next slice of the run in progress; shows the trace once it ends.
    fn advance(&mut self, steps: usize) {
        self.advance_within(steps, crate::memory_use::bytes_in_use);
    }

    /// `advance`, stopping the run once `in_use()` bytes pass [`MAX_MEMORY_BYTES`].
    fn advance_within(&mut self, units: usize, in_use: impl Fn() -> usize) {
        let Some(running) = self.running.as_mut() else {
            return;
        };
        let cell = running.work.clone();
        let mut work = cell.borrow_mut();
        let trace = match work.as_mut() {
            None => return,
            Some(Work::Tracing(session)) => {
                let more = session.advance(units);
                running.steps = session.steps();
                let bytes = in_use();
                if more && bytes <= MAX_MEMORY_BYTES {
                    return;
                }
                let Some(Work::Tracing(session)) = work.take() else {
                    unreachable!("tracing")
                };
                if more {
                    let mut trace = session.stop();
                    trace.outcome = Outcome::Limit {
                        message: format!(
                            "stopped after {} steps: their history had grown to {} MB of \
                             memory; the steps so far are kept",
                            trace.len(),
                            bytes >> 20
                        ),
                    };
                    trace
                } else {
                    session.finish()
                }
            }
            Some(Work::LayingOut(trace, builder)) => {
                if builder.advance(trace, units.saturating_mul(LAYOUT_EVENTS_PER_UNIT)) {
                    running.laying_out = Some((builder.events_done(), trace.event_count()));
                    return;
                }
                let Some(Work::LayingOut(trace, builder)) = work.take() else {
                    unreachable!("laying out")
                };
                drop(work);
                self.end_run(trace, builder.finish());
                return;
            }
        };
        drop(work);
        self.lay_out(trace);
    }

    /// Ends the run in progress now; its steps so far are shown. Once the run has ended
    /// and its long trace is being laid out, the steps laid out so far are shown: the
    /// trace is cut after the step the layout is in, as Stop during the run would have
    /// cut it there (`Trace::truncate`), and that step's layout is finished.
    fn stop(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        let cell = running.work.clone();
        let work = cell.borrow_mut().take();
        match work {
            None => {}
            Some(Work::Tracing(session)) => self.lay_out(session.stop()),
            Some(Work::LayingOut(mut trace, mut builder)) => {
                let keep = builder.steps_started().max(1);
                if keep < trace.len() {
                    trace.truncate(keep);
                    trace.outcome = Outcome::Limit {
                        message: memlane_python::STOPPED_MESSAGE.into(),
                    };
                }
                builder.advance(&trace, usize::MAX);
                self.end_run(trace, builder.finish());
            }
        }
    }

    fn layout_options(&self) -> LayoutOptions {
        LayoutOptions {
            include_internal: self.view.show_internal,
            columns: heap_columns(self.narrow),
        }
    }

    /// Lays out the ended run's trace: at once when it is short, else in slices.
    fn lay_out(&mut self, trace: Trace) {
        let mut builder = LayoutBuilder::new(self.layout_options());
        if trace.event_count() <= LAYOUT_AT_ONCE {
            builder.advance(&trace, usize::MAX);
            self.end_run(trace, builder.finish());
            return;
        }
        if let Some(running) = &mut self.running {
            running.laying_out = Some((0, trace.event_count()));
            *running.work.borrow_mut() = Some(Work::LayingOut(trace, Box::new(builder)));
        }
    }

    fn end_run(&mut self, trace: Trace, layout: Layout) {
        let Some(running) = self.running.take() else {
            return;
        };
        self.show(running.source, running.version, trace, layout);
        if running.show_step > 0 {
            self.events = Rc::new(Vec::new());
            self.move_to(
                running.show_step.min(self.step_count().saturating_sub(1)),
                0,
            );
            self.settle_previous();
            self.timing = Rc::new(Timing::default());
        }
    }

    /// Why the shown trace ended early (a step limit, or Stop), for the note beside the
    /// controls; none while a run is in progress.
    pub fn stopped_because(&self) -> Option<String> {
        match &self.trace.outcome {
            Outcome::Limit { message } if self.running.is_none() => Some(message.clone()),
            _ => None,
        }
    }

    /// What a permalink to the shown position records.
    pub fn scenario(&self) -> Scenario {
        Scenario {
            code: self.source.to_string(),
            step: self.step,
            python: self.version,
            mode: self.mode.into(),
            frames: if self.view.frames_in_heap {
                LinkFrames::Cpython
            } else {
                LinkFrames::Textbook
            },
            inline_small: self.view.inline_small,
            show_internal: self.view.show_internal,
            twin: self.twin(),
            ram: false,
            max_steps: (self.max_steps != MAX_STEPS).then_some(self.max_steps),
        }
    }

    pub fn from_trace(source: &str, trace: Trace) -> State {
        let empty = Rc::new(Snapshot::default());
        let mut state = State {
            source: source.into(),
            draft: source.into(),
            version: trace.profile.version,
            trace: Rc::new(trace),
            layout: Rc::new(Layout::default()),
            step: 0,
            mode: StepMode::Line,
            events: Rc::new(Vec::new()),
            event: 0,
            snapshot: empty.clone(),
            previous: empty,
            step_narration: Rc::from(""),
            drawn: Rc::default(),
            previous_drawn: Rc::default(),
            timing: Rc::new(Timing::default()),
            marks: Rc::default(),
            offsets: Rc::new(Vec::new()),
            view: ViewOptions::default(),
            playing: false,
            speed: 10,
            selected: None,
            narrow: false,
            running: None,
            max_steps: MAX_STEPS,
            relayout: None,
            counting: None,
        };
        state.layout = Rc::new(Layout::compute(&state.trace, state.layout_options()));
        state.move_to(0, 0);
        state.settle_previous();
        state
    }

    /// The state shown is also the one before: nothing fades out.
    fn settle_previous(&mut self) {
        self.previous = self.snapshot.clone();
        self.previous_drawn = self.drawn.clone();
    }

    /// Lays the shown trace out again for the current view options: at once when it is
    /// short, else in slices ([`State::relayout`]), the layout shown staying until then.
    fn relayout(&mut self) {
        let options = self.layout_options();
        self.relayout = None;
        if self.layout.columns == options.columns
            && self.layout.include_internal == options.include_internal
        {
            return self.redraw();
        }
        if self.trace.event_count() <= LAYOUT_AT_ONCE {
            self.layout = Rc::new(Layout::compute(&self.trace, options));
            return self.redraw();
        }
        let all = self.trace.event_count();
        self.relayout = Some(Chore::new(LayoutBuilder::new(options), all));
    }

    /// What is drawn, worked out again under a new layout or view options.
    fn redraw(&mut self) {
        let include_internal = self.view.show_internal;
        self.drawn = Rc::new(self.layout.drawn(&self.snapshot, include_internal));
        self.previous_drawn = Rc::new(self.layout.drawn(&self.previous, include_internal));
    }

    /// Switches to stepping by line or by event. Event stepping needs the positions of
    /// every step ([`event_offsets`]): counted at once for a short trace, else in slices
    /// ([`State::counting`]), and the mode switches when they are.
    fn set_mode(&mut self, mode: StepMode) {
        self.counting = None;
        if mode == StepMode::Event && self.offsets.len() != self.trace.len() + 1 {
            if self.trace.event_count() > LAYOUT_AT_ONCE {
                self.counting = Some(Chore::new(EventOffsets::default(), self.trace.len()));
                return;
            }
            self.offsets = Rc::new(event_offsets(&self.trace));
        }
        self.mode = mode;
        self.events = Rc::new(Vec::new());
        self.move_to(self.step, 0);
    }

    /// Runs the next slice of the work on the shown trace: a relayout, then a count.
    fn advance_chores(&mut self, units: usize) {
        let events = units.saturating_mul(LAYOUT_EVENTS_PER_UNIT);
        if let Some(chore) = &mut self.relayout {
            let more = chore.work.borrow_mut().advance(&self.trace, events);
            chore.done = chore.work.borrow().events_done();
            if more {
                return;
            }
            // The builder is shared with the state before this action: moved out, not cloned.
            let work = self.relayout.take().expect("a relayout").work;
            let empty = LayoutBuilder::new(self.layout_options());
            let builder = std::mem::replace(&mut *work.borrow_mut(), empty);
            self.layout = Rc::new(builder.finish());
            self.redraw();
        } else if let Some(chore) = &mut self.counting {
            let more = chore.work.borrow_mut().advance(&self.trace, events);
            chore.done = chore.work.borrow().steps_done();
            if more {
                return;
            }
            let counted = std::mem::take(&mut *chore.work.borrow_mut());
            self.counting = None;
            self.offsets = Rc::new(counted.finish());
            self.set_mode(StepMode::Event);
        }
    }

    /// Shows step `step` (and, in event mode, its narrated event `event`).
    fn move_to(&mut self, step: usize, event: usize) {
        let one_line_forward = self.mode == StepMode::Line && step == self.step + 1;
        self.timing = Rc::new(if one_line_forward {
            event_timing(&self.trace, step)
        } else {
            Timing::default()
        });
        let step_changed = step != self.step || self.events.is_empty();
        self.step = step;
        if self.mode == StepMode::Event && step_changed {
            self.events = Rc::new(narrated_events(&self.trace, step));
        }
        self.event = event.min(self.events.len().saturating_sub(1));
        self.previous = self.snapshot.clone();
        // One line forward, the state shown is the step before's: only the step's events
        // are applied to it, and the narration compares the two.
        self.snapshot = Rc::new(match self.shown_event() {
            Some(e) => self.trace.snapshot_at_event(e.end),
            None if one_line_forward => self.trace.snapshot_after(&self.previous, step),
            None => self.trace.snapshot(step),
        });
        self.step_narration = match self.shown_event() {
            Some(e) => e.sentence.as_str().into(),
            None if self.trace.is_empty() => self
                .trace
                .outcome
                .error_line()
                .unwrap_or_else(|| "Nothing ran.".into())
                .into(),
            None if one_line_forward => describe_step_between(
                &self.trace,
                step,
                self.line_text(),
                &self.previous,
                &self.snapshot,
            )
            .into(),
            // The state after the step is the one shown: only the one before is sought.
            None => describe_step_between(
                &self.trace,
                step,
                self.line_text(),
                &self.trace.snapshot_before(step),
                &self.snapshot,
            )
            .into(),
        };
        self.previous_drawn = self.drawn.clone();
        self.drawn = Rc::new(self.layout.drawn(&self.snapshot, self.view.show_internal));
        self.marks = Rc::new(self.memory_marks());
        if self
            .selected
            .is_some_and(|id| self.snapshot.object(id).is_none())
        {
            self.selected = None;
        }
    }

    /// The stepping mode the reader chose: by event as soon as asked, while the positions
    /// are still counted and stepping goes by line.
    pub fn chosen_mode(&self) -> StepMode {
        if self.counting.is_some() {
            StepMode::Event
        } else {
            self.mode
        }
    }

    /// The narrated event shown, in event mode.
    pub fn shown_event(&self) -> Option<&ShownEvent> {
        match self.mode {
            StepMode::Event => self.events.get(self.event),
            StepMode::Line => None,
        }
    }

    pub fn step_count(&self) -> usize {
        self.trace.len()
    }

    pub fn can_step_back(&self) -> bool {
        self.step > 0 || (self.shown_event().is_some() && self.event > 0)
    }

    pub fn can_step_forward(&self) -> bool {
        self.step + 1 < self.step_count()
            || (self.shown_event().is_some() && self.event + 1 < self.events.len())
    }

    /// How many positions the slider has: steps by line, narrated events by event.
    pub fn position_count(&self) -> usize {
        match self.mode {
            StepMode::Line => self.step_count(),
            StepMode::Event => self.offsets.last().copied().unwrap_or(0),
        }
    }

    /// The 0-based position shown among [`State::position_count`].
    pub fn position(&self) -> usize {
        match self.mode {
            StepMode::Line => self.step,
            StepMode::Event => self.offsets.get(self.step).copied().unwrap_or(0) + self.event,
        }
    }

    /// "Step 3 of 12" by line, "Event 17 of 80" by event, counting from 1; "Step 0 of 0"
    /// when nothing ran.
    /// "Step N of M", in both modes.
    pub fn position_label(&self) -> String {
        let count = self.step_count();
        let shown = if count == 0 { 0 } else { self.step + 1 };
        format!("Step {shown} of {count}")
    }

    /// In event mode, where the slider is: "Event 14 of 52 (event 2 of 5 in this step)".
    pub fn event_label(&self) -> Option<String> {
        (self.mode == StepMode::Event && !self.trace.is_empty()).then(|| {
            format!(
                "Event {} of {} (event {} of {} in this step)",
                self.position() + 1,
                self.position_count(),
                self.event + 1,
                self.events.len().max(1)
            )
        })
    }

    /// Shows position `index` of the current mode (the slider).
    fn seek(&mut self, index: usize) -> bool {
        if index >= self.position_count() || index == self.position() {
            return false;
        }
        match self.mode {
            StepMode::Line => self.move_to(index, 0),
            StepMode::Event => {
                let step = self.offsets.partition_point(|&o| o <= index) - 1;
                let event = index - self.offsets[step];
                if step != self.step {
                    self.events = Rc::new(Vec::new());
                }
                self.move_to(step, event);
            }
        }
        true
    }

    /// The page faults and the translation walk to mark in the RAM lane ([`State::marks`]).
    /// Read as stored without holder texts: only memory events matter here.
    fn memory_marks(&self) -> MemoryMarks {
        let range = match (self.shown_event(), self.trace.step(self.step)) {
            (Some(e), _) => e.start..e.end,
            // By line, or a step without a narrated event: the whole step.
            (None, Some(step)) => step.events(),
            (None, None) => 0..0,
        };
        let mut marks = MemoryMarks::default();
        let mut missed = None;
        for stored in self.trace.iter_stored_without_holder_texts(range) {
            let Stored::Event(ev) = stored else {
                continue;
            };
            match &ev {
                Event::PageFault {
                    address,
                    frame: Some(frame),
                    swap_in,
                    ..
                } => marks.faults.push(FaultShown {
                    frame: *frame,
                    address: *address,
                    swap_in: *swap_in,
                }),
                Event::TlbMiss { pid, address, .. } => missed = Some((*pid, *address)),
                _ => {}
            }
        }
        if self.mode == StepMode::Event {
            marks.walk = missed.and_then(|(pid, address)| self.snapshot.memory.walk(pid, address));
        }
        marks
    }

    /// The source line the shown step ran (none for the interpreter's shutdown step).
    pub fn current_line(&self) -> Option<u32> {
        self.trace
            .step(self.step)
            .filter(|s| s.kind == StepKind::Line)
            .map(|s| s.line)
    }

    /// The line the next step will run, if a line runs next.
    pub fn next_line(&self) -> Option<u32> {
        self.trace
            .step(self.step + 1)
            .filter(|s| s.kind == StepKind::Line)
            .map(|s| s.line)
    }

    /// What the shown step did, in words: "Ran line 7".
    pub fn step_caption(&self) -> String {
        match self.trace.step(self.step) {
            Some(s) if s.kind == StepKind::Exit => "The interpreter shut down".to_owned(),
            Some(s) => format!("Ran line {}", s.line),
            None => "Nothing ran".to_owned(),
        }
    }

    /// One sentence for what is shown: the event in event mode, else the whole step.
    pub fn narration(&self) -> String {
        self.step_narration.to_string()
    }

    /// The text of the line the shown step ran.
    fn line_text(&self) -> &str {
        self.current_line().map_or("", |n| {
            self.source.lines().nth(n as usize - 1).unwrap_or("")
        })
    }

    pub fn at_end(&self) -> bool {
        !self.can_step_forward()
    }

    /// What the run printed to stderr at its end (an exception, a limit, an unsupported
    /// construct), shown once the last step is reached.
    pub fn error_line(&self) -> Option<String> {
        if self.at_end() {
            self.trace.outcome.error_line()
        } else {
            None
        }
    }

    /// The whole traceback of an uncaught exception, once the last step is shown.
    pub fn traceback(&self) -> Option<String> {
        match &self.trace.outcome {
            Outcome::Exception { traceback, .. } if self.at_end() => Some(traceback.clone()),
            _ => None,
        }
    }

    /// The source line the run's error points at, once the last step is shown.
    pub fn error_source_line(&self) -> Option<u32> {
        if !self.at_end() {
            return None;
        }
        match &self.trace.outcome {
            Outcome::Exception { line, .. } => *line,
            Outcome::Unsupported { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// Whether the run ended normally and the last step is shown.
    pub fn finished(&self) -> bool {
        self.at_end() && self.trace.outcome.exit_status() == 0 && !self.trace.is_empty()
    }

    /// Whether the editor holds something other than what was traced.
    pub fn edited(&self) -> bool {
        self.draft != self.source
    }

    /// The objects drawn at the shown position (reachable ones, and cycle garbage the
    /// collector has not freed yet).
    pub fn visible_ids(&self) -> &std::collections::BTreeSet<ObjId> {
        &self.drawn.all
    }

    pub fn hidden_object_count(&self) -> usize {
        self.snapshot.objects.len() - self.visible_ids().len()
    }

    /// Playback delay between two moves, in milliseconds.
    pub fn play_delay_ms(&self) -> u32 {
        let per_second = self.speed.max(1);
        let base = 10_000 / per_second;
        match self.mode {
            StepMode::Line => base,
            StepMode::Event => base / 2,
        }
    }

    fn forward(&mut self) -> bool {
        if self.shown_event().is_some() && self.event + 1 < self.events.len() {
            self.move_to(self.step, self.event + 1);
        } else if self.step + 1 < self.step_count() {
            self.move_to(self.step + 1, 0);
        } else {
            return false;
        }
        true
    }

    fn back(&mut self) -> bool {
        if self.shown_event().is_some() && self.event > 0 {
            self.move_to(self.step, self.event - 1);
        } else if self.step > 0 {
            self.move_to(self.step - 1, usize::MAX);
        } else {
            return false;
        }
        true
    }

    /// Shows `trace`, the history of `source` under `version`, from its first step.
    /// `layout` was computed for it, perhaps under view options changed since.
    fn show(&mut self, source: Rc<str>, version: Version, trace: Trace, layout: Layout) {
        self.source = source;
        self.version = version;
        self.trace = Rc::new(trace);
        self.events = Rc::new(Vec::new());
        self.offsets = Rc::new(Vec::new());
        self.selected = None;
        self.playing = false;
        // Laid out under the options of the run's start: redone (in slices) if they
        // changed since; event stepping's positions are counted anew.
        self.layout = Rc::new(layout);
        self.relayout();
        let mode = std::mem::take(&mut self.mode);
        self.counting = None;
        self.step = 0;
        self.snapshot = Rc::new(Snapshot::default());
        self.move_to(0, 0);
        self.settle_previous();
        if mode == StepMode::Event {
            self.set_mode(mode);
            self.settle_previous();
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::First if self.can_step_back() => next.move_to(0, 0),
            Action::StepBack if self.can_step_back() => {
                next.back();
            }
            Action::StepForward if self.can_step_forward() => {
                next.forward();
            }
            Action::Last if self.can_step_forward() => {
                next.move_to(self.step_count().saturating_sub(1), usize::MAX)
            }
            Action::Seek(index) => {
                if !next.seek(index) {
                    return self;
                }
            }
            Action::Play if !self.playing && !self.trace.is_empty() => {
                if self.at_end() {
                    next.move_to(0, 0);
                }
                next.playing = true;
            }
            Action::Pause if self.playing => next.playing = false,
            Action::TogglePlay if self.playing => next.playing = false,
            Action::TogglePlay => return self.reduce(Action::Play),
            Action::Tick if self.playing => {
                if !next.forward() || next.at_end() {
                    next.playing = false;
                }
            }
            Action::SetSpeed(speed) if speed != self.speed && speed > 0 => next.speed = speed,
            Action::SetMode(mode) if mode != self.chosen_mode() => next.set_mode(mode),
            Action::Edit(text) if *text != *self.draft => next.draft = text.into(),
            // The first slice runs at once: a page-sized program is shown without a wait.
            Action::Run => {
                let source = next.draft.clone();
                next.begin(source, self.version, self.twin(), 0);
                next.advance(FIRST_SLICE);
            }
            Action::SetVersion(version) if version != self.version => {
                let source = next.source.clone();
                next.begin(source, version, self.twin(), 0);
                next.advance(FIRST_SLICE);
            }
            Action::Advance(units) if self.relayout.is_some() || self.counting.is_some() => {
                next.advance_chores(units)
            }
            Action::Advance(steps) if self.running.is_some() => next.advance(steps),
            Action::Stop if self.running.is_some() => next.stop(),
            // Stop (or Escape) while event stepping's positions are counted: stay by line.
            Action::Stop if self.counting.is_some() => next.counting = None,
            Action::ShowInternal(show) if show != self.view.show_internal => {
                next.view.show_internal = show;
                next.relayout();
            }
            Action::InlineSmall(on) if on != self.view.inline_small => next.view.inline_small = on,
            Action::FramesInHeap(on) if on != self.view.frames_in_heap => {
                next.view.frames_in_heap = on
            }
            Action::Select(id) if id != self.selected => next.selected = id,
            Action::SetNarrow(narrow) if narrow != self.narrow => {
                next.narrow = narrow;
                next.relayout();
            }
            _ => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlane_core::narrate::describe_step;
    use memlane_core::{Binding, FrameId, FrameView, Holder, ObjectView, Recorder};

    fn object(id: u32, value: &str, internal: bool) -> ObjectView {
        ObjectView {
            id: ObjId(id),
            type_name: "int".into(),
            value: value.into(),
            address: 0x7f00_0000_0000 + u64::from(id) * 32,
            size: 28,
            refcount: 1,
            internal,
            ..ObjectView::default()
        }
    }

    /// `a = 1` then `b = 2`, with one internal object allocated at start-up.
    fn two_steps(outcome: Outcome) -> Trace {
        let module = FrameId(0);
        let mut rec = Recorder::new();
        rec.record(Event::FramePush {
            frame: Box::new(FrameView {
                id: module,
                function: "<module>".into(),
                line: 1,
                address: 0x1000,
                size: 80,
                ..FrameView::default()
            }),
        });
        rec.record(Event::Alloc {
            object: Box::new(object(0, "<code>", true)),
        });
        for (line, (name, id, value)) in [("a", 1, "1"), ("b", 2, "2")].into_iter().enumerate() {
            rec.begin_step(module, line as u32 + 1);
            rec.record(Event::Alloc {
                object: Box::new(object(id, value, false)),
            });
            rec.record(Event::Bind {
                frame: module,
                name: name.into(),
                target: ObjId(id),
            });
            rec.record(Event::Refcount {
                obj: ObjId(id),
                count: 1,
                delta: 1,
                holder: Holder::Name {
                    frame: module,
                    name: name.into(),
                },
            });
        }
        rec.finish(Profile::default(), outcome)
    }

    /// Runs the run in progress, its layout and any work on the shown trace to the end.
    fn settled(mut s: Rc<State>) -> Rc<State> {
        while s.running.is_some() || s.relayout.is_some() || s.counting.is_some() {
            s = s.reduce(Action::Advance(10_000));
        }
        s
    }

    fn reduce(state: State, actions: &[Action]) -> Rc<State> {
        actions
            .iter()
            .fold(Rc::new(state), |s, a| s.reduce(a.clone()))
    }

    #[test]
    fn stepping_forward_shows_what_the_core_rebuilds_for_each_step() {
        // Stepping forward applies one step's events to the state shown; it must equal the
        // core's snapshot and narration of the step, whatever the program did (frees,
        // calls, growing containers, a collection, output).
        let source = "import gc\nclass N:\n    pass\ndef f(n):\n    a = N()\n    a.me = a\n    return [n] * 3\n\
                      xs = []\nfor i in range(6):\n    xs.append(f(i))\n    del xs[0:1]\ngc.collect()\nprint(len(xs))\n";
        let mut s = Rc::new(State::from_trace(
            source,
            trace_program(source, Version::Py312),
        ));
        let line = |s: &State| s.line_text().to_owned();
        while s.can_step_forward() {
            s = s.reduce(Action::StepForward);
            assert_eq!(*s.snapshot, s.trace.snapshot(s.step), "step {}", s.step);
            // What is drawn is worked out once a move, and kept for the next one.
            assert_eq!(*s.drawn, s.layout.drawn(&s.snapshot, false));
            assert_eq!(*s.previous_drawn, s.layout.drawn(&s.previous, false));
            assert_eq!(
                s.narration(),
                describe_step(&s.trace, s.step, &line(&s)),
                "step {}",
                s.step
            );
        }
        assert!(s.step > 20, "{} steps", s.step);
        // A seek narrates its step as the step's own summary does.
        for k in [0, 7, 3, s.step, 1, 12] {
            let at = s.clone().reduce(Action::Seek(k));
            assert_eq!(at.step, k);
            assert_eq!(
                at.narration(),
                describe_step(&at.trace, k, &line(&at)),
                "seek to {k}"
            );
        }
        // Showing internal objects redraws both positions with them.
        let s = s
            .reduce(Action::StepBack)
            .reduce(Action::ShowInternal(true));
        assert_eq!(*s.drawn, s.layout.drawn(&s.snapshot, true));
        assert_eq!(*s.previous_drawn, s.layout.drawn(&s.previous, true));
    }

    #[test]
    fn starts_at_the_first_step() {
        let s = State::from_trace("a = 1\nb = 2\n", two_steps(Outcome::Finished));
        assert_eq!(s.position_label(), "Step 1 of 2");
        assert_eq!(s.current_line(), Some(1));
        assert_eq!(s.next_line(), Some(2));
        assert!(!s.can_step_back() && s.can_step_forward());
        assert_eq!(
            s.snapshot.frames[0].locals,
            vec![Binding {
                name: "a".into(),
                target: ObjId(1)
            }]
        );
        assert_eq!(s.error_line(), None);
    }

    #[test]
    fn steps_forward_and_back_within_bounds() {
        let s = State::from_trace("a = 1\nb = 2\n", two_steps(Outcome::Finished));
        let end = reduce(
            s.clone(),
            &[
                Action::StepForward,
                Action::StepForward,
                Action::StepForward,
            ],
        );
        assert_eq!(end.step, 1);
        assert_eq!(end.position_label(), "Step 2 of 2");
        assert_eq!(end.snapshot.frames[0].locals.len(), 2);
        assert!(end.finished());
        let back = reduce(
            s,
            &[Action::StepForward, Action::StepBack, Action::StepBack],
        );
        assert_eq!(back.step, 0);
        assert_eq!(back.snapshot.frames[0].locals.len(), 1);
    }

    #[test]
    fn a_no_op_action_keeps_the_same_state() {
        let s = Rc::new(State::from_trace("", two_steps(Outcome::Finished)));
        assert!(Rc::ptr_eq(&s, &s.clone().reduce(Action::StepBack)));
        assert!(Rc::ptr_eq(
            &s,
            &s.clone().reduce(Action::ShowInternal(false))
        ));
    }

    #[test]
    fn hides_internal_objects_until_asked() {
        let s = State::from_trace("", two_steps(Outcome::Finished));
        assert_eq!(
            s.visible_ids().iter().copied().collect::<Vec<_>>(),
            vec![ObjId(1)]
        );
        assert_eq!(s.hidden_object_count(), 1);
        let s = reduce(s, &[Action::ShowInternal(true)]);
        assert_eq!(s.visible_ids().len(), 2);
        assert_eq!(s.hidden_object_count(), 0);
    }

    #[test]
    fn shows_the_error_line_at_the_last_step_only() {
        let outcome = Outcome::Exception {
            type_name: "NameError".into(),
            message: "name 'c' is not defined".into(),
            line: Some(2),
            traceback: "Traceback (most recent call last):\nNameError: name 'c' is not defined"
                .into(),
        };
        let s = State::from_trace("", two_steps(outcome));
        assert_eq!(s.error_line(), None);
        let s = reduce(s, &[Action::StepForward]);
        assert_eq!(
            s.error_line().as_deref(),
            Some("NameError: name 'c' is not defined")
        );
        assert!(!s.finished());
    }

    #[test]
    fn the_exit_step_runs_no_line() {
        let mut rec = Recorder::new();
        rec.begin_step(FrameId(0), 1);
        rec.begin_exit_step();
        let s = State::from_trace("pass\n", rec.finish(Profile::default(), Outcome::Finished));
        assert_eq!(s.step_caption(), "Ran line 1");
        assert_eq!(s.next_line(), None, "no line runs after the last one");
        let s = reduce(s, &[Action::StepForward]);
        assert_eq!(s.position_label(), "Step 2 of 2");
        assert_eq!(s.current_line(), None);
        assert_eq!(s.step_caption(), "The interpreter shut down");
        assert!(s.finished());
    }

    #[test]
    fn a_trace_without_steps_shows_its_message() {
        let trace = Recorder::new().finish(
            Profile::default(),
            Outcome::Limit {
                message: "not yet".into(),
            },
        );
        let s = State::from_trace("x = 1\n", trace);
        assert_eq!(s.position_label(), "Step 0 of 0");
        assert!(!s.can_step_back() && !s.can_step_forward());
        assert_eq!(s.current_line(), None);
        assert_eq!(s.step_caption(), "Nothing ran");
        assert_eq!(s.error_line().as_deref(), Some("not yet"));
        let s = Rc::new(s);
        assert!(Rc::ptr_eq(&s, &s.clone().reduce(Action::StepForward)));
    }

    /// Timing read from the stored events (splices unresolved) equals timing the decoded
    /// events, whose container changes carry their references, on every step of programs
    /// that grow, shrink and change lists, dicts and instances.
    #[test]
    fn event_timing_from_stored_events_equals_timing_decoded_events() {
        let programs = [
            DEFAULT_PROGRAM,
            "xs = []\nd = {}\nfor i in range(200):\n    xs.append(i)\n    d[i % 9] = xs\n    if i % 4 == 0:\n        xs.pop(0)\n        del d[i % 9]\n",
            "class P:\n    pass\nps = [P() for _ in range(40)]\nfor k, p in enumerate(ps):\n    p.x = k\n    p.y = [k]\n    ps[k // 2] = p\n",
        ];
        for source in programs {
            let trace = memlane_python::run(source, &RunOptions::default());
            assert!(trace.len() > 5, "{source}");
            for i in 0..trace.len() {
                let events = trace.events_of(i);
                let n = events.len().max(1) as u32;
                let mut expected = Timing::default();
                for (k, ev) in events.iter().enumerate() {
                    expected.note(ev, k as u32 * STEP_ANIMATION_MS / n);
                }
                assert_eq!(event_timing(&trace, i), expected, "step {i} of {source}");
            }
        }
    }

    #[test]
    fn the_default_program_runs_without_panicking() {
        let s = State::run(DEFAULT_PROGRAM);
        assert!(s.step_count() == 0 || s.current_line().is_some());
    }

    #[test]
    fn first_last_seek_and_play_to_the_end() {
        let s = State::run(DEFAULT_PROGRAM);
        let n = s.step_count();
        let last = reduce(s.clone(), &[Action::Last]);
        assert_eq!(last.step, n - 1);
        assert!(last.at_end());
        assert_eq!(reduce((*last).clone(), &[Action::First]).step, 0);
        assert_eq!(reduce(s.clone(), &[Action::Seek(3)]).step, 3);
        let mut playing = reduce(s, &[Action::Play]);
        assert!(playing.playing);
        for _ in 0..n + 2 {
            playing = playing.reduce(Action::Tick);
        }
        assert!(!playing.playing, "playing stops at the last step");
        assert_eq!(playing.step, n - 1);
        let paused = reduce((*playing).clone(), &[Action::Play, Action::TogglePlay]);
        assert!(!paused.playing);
        assert_eq!(paused.step, 0, "Play at the end starts over");
    }

    #[test]
    fn event_mode_walks_each_narrated_event_across_steps() {
        let s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::SetMode(StepMode::Event)],
        );
        assert!(!s.events.is_empty());
        let mut s = s;
        let mut ends = vec![s.shown_event().unwrap().end];
        while s.can_step_forward() {
            s = s.reduce(Action::StepForward);
            if let Some(e) = s.shown_event() {
                ends.push(e.end);
                assert_eq!(*s.snapshot, s.trace.snapshot_at_event(e.end));
            }
        }
        assert!(
            ends.windows(2).all(|w| w[0] < w[1]),
            "events move forward: {ends:?}"
        );
        assert!(ends.len() > s.step_count(), "more events than steps");
        // And back again to the very first event.
        while s.can_step_back() {
            s = s.reduce(Action::StepBack);
        }
        assert_eq!(s.shown_event().unwrap().end, ends[0]);
    }

    #[test]
    fn narration_comes_from_the_core() {
        let s = State::run(DEFAULT_PROGRAM);
        assert!(!s.narration().is_empty());
        let line = s.source.lines().next().unwrap();
        assert_eq!(s.narration(), describe_step(&s.trace, 0, line));
    }

    #[test]
    fn run_traces_the_draft_and_keeps_it_after_an_error() {
        let s = State::run(DEFAULT_PROGRAM);
        let broken = "x = 1\ny = (2\n";
        let s = reduce(s, &[Action::Edit(broken.into())]);
        assert!(s.edited());
        let s = reduce((*s).clone(), &[Action::Run]);
        assert_eq!(&*s.draft, broken, "nothing typed is lost");
        assert!(!s.edited());
        assert!(
            s.error_line().unwrap().contains("SyntaxError"),
            "{:?}",
            s.error_line()
        );
        assert!(s.error_source_line().is_some());

        let s = reduce(
            (*s).clone(),
            &[
                Action::Edit("a = 1\nb = a / 0\n".into()),
                Action::Run,
                Action::Last,
            ],
        );
        assert_eq!(s.error_source_line(), Some(2));
        assert!(s.traceback().unwrap().contains("ZeroDivisionError"));
    }

    #[test]
    fn changing_the_version_retraces_the_same_source() {
        let s = State::run(DEFAULT_PROGRAM);
        let s = reduce(
            s,
            &[
                Action::Edit("x = 1\n".into()),
                Action::SetVersion(Version::Py311),
            ],
        );
        assert_eq!(s.trace.profile.version, Version::Py311);
        assert_eq!(
            &*s.source, DEFAULT_PROGRAM,
            "the traced program, not the draft"
        );
        assert_eq!(&*s.draft, "x = 1\n", "the draft is kept");
    }

    #[test]
    fn one_line_forward_times_its_changes_in_event_order() {
        let s = State::run("x = [1, 2]\ndel x\n");
        let s = reduce(s, &[Action::StepForward]);
        let freed: Vec<ObjId> = s
            .previous
            .objects
            .keys()
            .filter(|id| s.snapshot.object(**id).is_none())
            .copied()
            .collect();
        assert!(!freed.is_empty());
        assert!(freed
            .iter()
            .all(|id| s.timing.objects[id] < STEP_ANIMATION_MS));
        // The list is freed before its items are released.
        let list = freed
            .iter()
            .find(|id| s.previous.objects[id].type_name == "list")
            .unwrap();
        assert!(freed
            .iter()
            .all(|id| s.timing.objects[id] >= s.timing.objects[list]));
        assert!(
            reduce((*s).clone(), &[Action::StepBack]).timing.is_empty(),
            "only forward steps animate in order"
        );
    }

    #[test]
    fn event_mode_counts_and_seeks_by_event() {
        let line = State::run(DEFAULT_PROGRAM);
        let line = reduce(line, &[Action::Seek(2)]);
        let mut s = reduce((*line).clone(), &[Action::SetMode(StepMode::Event)]);
        assert_eq!(s.step, 2, "event mode starts in the step shown");
        assert_eq!(s.event, 0, "at its first narrated event");
        let total = s.position_count();
        assert!(total > s.step_count());
        assert_eq!(s.position(), s.offsets[2]);
        assert_eq!(
            s.position_label(),
            format!("Step 3 of {}", s.step_count()),
            "the step label stays"
        );
        assert!(s.event_label().unwrap().starts_with(&format!(
            "Event {} of {total} (event 1 of ",
            s.offsets[2] + 1
        )));
        // Forward moves one event at a time, through every position.
        let mut seen = vec![s.position()];
        while s.can_step_forward() {
            s = s.reduce(Action::StepForward);
            seen.push(s.position());
        }
        assert_eq!(seen, (s.offsets[2]..total).collect::<Vec<_>>());
        // The slider lands on any event; switching back shows the step holding it.
        let target = total / 2;
        let s = s.reduce(Action::Seek(target));
        assert_eq!(s.position(), target);
        let e = s.shown_event().expect("a narrated event").clone();
        assert_eq!(*s.snapshot, s.trace.snapshot_at_event(e.end));
        let step = s.step;
        let back = reduce((*s).clone(), &[Action::SetMode(StepMode::Line)]);
        assert_eq!(back.step, step);
        let st = back.trace.step(step).unwrap();
        assert!(st.first_event < e.end && e.end <= st.end_event);
        assert_eq!(
            back.position_label(),
            format!("Step {} of {}", step + 1, back.step_count())
        );
    }

    #[test]
    fn page_faults_and_walks_come_from_the_events() {
        // A list big enough to need new pages.
        let mut s = (*settled(Rc::new(State::run("x = [0] * 3000\ny = x * 4\n")))).clone();
        let faulting = (0..s.step_count()).find(|&i| {
            s.trace
                .events_of(i)
                .iter()
                .any(|e| matches!(e, Event::PageFault { frame: Some(_), .. }))
        });
        let Some(step) = faulting else {
            panic!("the default program faults in a page at some step");
        };
        s = (*reduce(s, &[Action::Seek(step)])).clone();
        let marks = s.marks.clone();
        assert_eq!(*marks, s.memory_marks(), "worked out by the move");
        assert!(!marks.faults.is_empty());
        assert!(marks.walk.is_none(), "walks are shown by event");
        for f in &marks.faults {
            assert!(matches!(
                s.snapshot.memory.frames[f.frame as usize],
                memlane_core::FrameUse::Page { .. }
            ));
        }
        // By event: some event covers a TLB miss, and its walk is the core's.
        let mut s = settled(reduce(
            s,
            &[Action::First, Action::SetMode(StepMode::Event)],
        ));
        assert_eq!(s.mode, StepMode::Event);
        let mut walked = false;
        while s.can_step_forward() && !walked {
            s = s.reduce(Action::StepForward);
            assert_eq!(*s.marks, s.memory_marks(), "worked out by the move");
            if let Some(w) = s.marks.walk.clone() {
                assert_eq!(w.steps.len(), 4, "PML4, PDPT, PD, PT");
                assert!(w.physical_address().is_some());
                walked = true;
            }
        }
        assert!(walked, "some event shows a page-table walk");
    }

    #[test]
    fn a_call_times_the_frame_push_before_its_names() {
        let s = State::run(DEFAULT_PROGRAM);
        let mut s = Rc::new(s);
        while s.can_step_forward() {
            s = s.reduce(Action::StepForward);
            if let Some(f) = s.snapshot.frames.iter().find(|f| f.function == "make_pair") {
                let pushed = s.timing.frames[&f.id];
                for b in &f.locals {
                    if let Some(&bound) = s.timing.names.get(&(f.id, b.name.clone())) {
                        assert!(bound > pushed, "{} bound after the push", b.name);
                    }
                }
                return;
            }
        }
        panic!("make_pair is called");
    }

    #[test]
    fn a_scenario_reopens_where_it_was() {
        let s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[
                Action::SetVersion(Version::Py312),
                Action::Seek(3),
                Action::SetMode(StepMode::Event),
                Action::InlineSmall(true),
                Action::ShowInternal(true),
            ],
        );
        let scenario = s.scenario();
        assert_eq!(scenario.step, 3);
        let opened = State::open(&scenario);
        assert_eq!(opened.scenario(), scenario);
        assert_eq!(opened.position_label(), s.position_label());
        assert_eq!(opened.view, s.view);
        assert_eq!(*opened.snapshot, *s.snapshot);
        let past_the_end = State::open(&crate::permalink::Scenario {
            code: "x = 1\n".into(),
            step: 99,
            ..Default::default()
        });
        assert!(past_the_end.at_end(), "a step past the end opens the last");
    }

    #[test]
    fn refcount_badges_tick_at_their_last_change_in_event_order() {
        let s = reduce(State::run(DEFAULT_PROGRAM), &[Action::StepForward]);
        let events = s.trace.events_of(s.step);
        let n = events.len() as u32;
        let mut last = HashMap::new();
        for (i, ev) in events.iter().enumerate() {
            if let Event::Refcount { obj, .. } = ev {
                last.insert(*obj, i as u32 * STEP_ANIMATION_MS / n);
            }
        }
        assert!(!last.is_empty());
        assert_eq!(s.timing.refcount, last);
        for (id, at) in &s.timing.appear {
            if let Some(tick) = s.timing.refcount.get(id) {
                assert!(tick >= at, "a new object's badge ticks after it appears");
            }
        }
    }

    const LONG_LOOP: &str = "total = 0\nfor i in range(3000):\n    total += i\nprint(total)\n";

    #[test]
    fn a_long_run_goes_in_slices_and_shows_its_trace_when_it_ends() {
        let s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::Edit(LONG_LOOP.into()), Action::Run],
        );
        let running = s
            .running
            .as_ref()
            .expect("still running after the first slice");
        assert_eq!(running.steps, FIRST_SLICE);
        // The previous trace stays shown meanwhile.
        assert_eq!(&*s.source, DEFAULT_PROGRAM);
        let mut s = s;
        let mut slices = 0;
        while s.running.is_some() {
            s = s.reduce(Action::Advance(1000));
            slices += 1;
        }
        assert!(slices > 1, "{slices} slices");
        assert_eq!(&*s.source, LONG_LOOP);
        assert_eq!(s.trace.outcome, Outcome::Finished);
        assert_eq!(s.step, 0);
        assert_eq!(s.trace.len(), trace_program(LONG_LOOP, s.version).len());
        assert_eq!(s.stopped_because(), None);
    }

    #[test]
    fn stop_shows_the_steps_so_far_and_says_why() {
        let s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[
                Action::Edit(LONG_LOOP.into()),
                Action::Run,
                Action::Advance(500),
                Action::Stop,
            ],
        );
        // Stop ends the run; a long trace is then laid out in slices.
        let s = settled(s);
        assert_eq!(s.trace.len(), FIRST_SLICE + 500);
        assert_eq!(&*s.source, LONG_LOOP);
        assert_eq!(
            s.stopped_because().as_deref(),
            Some(memlane_python::STOPPED_MESSAGE)
        );
        // Stop and Advance do nothing once nothing runs.
        let same = s.clone().reduce(Action::Stop);
        assert!(Rc::ptr_eq(&same, &s));
    }

    #[test]
    fn a_permalink_to_a_long_run_opens_at_its_step_once_traced() {
        let scenario = crate::permalink::Scenario {
            code: LONG_LOOP.into(),
            step: 4000,
            ..crate::permalink::Scenario::default()
        };
        let mut s = Rc::new(State::open(&scenario));
        assert!(s.running.is_some());
        while s.running.is_some() {
            s = s.reduce(Action::Advance(10_000));
        }
        assert_eq!(s.step, 4000);
    }

    #[test]
    fn a_run_stops_when_its_memory_passes_the_cap() {
        let mut s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::Edit(LONG_LOOP.into()), Action::Run],
        );
        let mut next = (*s).clone();
        next.advance_within(100, || MAX_MEMORY_BYTES);
        assert!(next.running.is_some(), "at the cap, not past it");
        next.advance_within(100, || MAX_MEMORY_BYTES + (5 << 20));
        s = settled(Rc::new(next));
        assert_eq!(s.trace.len(), FIRST_SLICE + 200);
        let why = s.stopped_because().expect("a reason");
        assert!(
            why.starts_with("stopped after 2200 steps: their history had grown to 1029 MB"),
            "{why}"
        );
    }

    #[test]
    fn a_long_trace_is_laid_out_in_slices_as_one_pass_would() {
        let s = reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::Edit(LONG_LOOP.into()), Action::Run],
        );
        let mut s = s;
        let mut laid_out = Vec::new();
        while s.running.is_some() {
            s = s.reduce(Action::Advance(200));
            if let Some(progress) = s.running.as_ref().and_then(|r| r.laying_out) {
                laid_out.push(progress);
            }
        }
        assert!(s.trace.event_count() > LAYOUT_AT_ONCE);
        assert!(laid_out.len() > 1, "laid out in slices: {laid_out:?}");
        assert!(laid_out.windows(2).all(|w| w[0].0 < w[1].0));
        let whole = Layout::compute(&s.trace, s.layout_options());
        assert_eq!(*s.layout, whole);
    }

    #[test]
    fn stop_while_laying_out_shows_the_steps_laid_out_so_far() {
        let mut t = reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::Edit(LONG_LOOP.into()), Action::Run],
        );
        while t.running.as_ref().is_some_and(|r| r.laying_out.is_none()) {
            t = t.reduce(Action::Advance(1000));
        }
        // A few slices into the layout.
        for _ in 0..3 {
            t = t.reduce(Action::Advance(50));
        }
        let (done, all) = t
            .running
            .as_ref()
            .and_then(|r| r.laying_out)
            .expect("laying out");
        assert!(0 < done && done < all, "{done} of {all}");
        // (A clone of `t` would share its work: the whole run is run again apart.)
        let whole = long_trace_shown();
        let stopped = t.reduce(Action::Stop);
        assert!(stopped.running.is_none(), "shown at once");
        assert!(
            0 < stopped.step_count() && stopped.step_count() < whole.step_count(),
            "{} of {} steps",
            stopped.step_count(),
            whole.step_count()
        );
        // The cut ends with the step the layout was in.
        let last = stopped.trace.last_step().expect("steps");
        assert!(last.first_event < done && done <= last.end_event);
        assert_eq!(stopped.trace.event_count(), last.end_event);
        assert_eq!(
            stopped.stopped_because().as_deref(),
            Some(memlane_python::STOPPED_MESSAGE)
        );
        assert_eq!(
            *stopped.layout,
            Layout::compute(&stopped.trace, stopped.layout_options())
        );
        // The steps kept are the whole run's.
        let shown = stopped
            .clone()
            .reduce(Action::Seek(stopped.step_count() - 1));
        assert_eq!(
            *shown.snapshot,
            whole.trace.snapshot(shown.step),
            "the last step kept"
        );
    }

    /// The state once `LONG_LOOP` has run and been laid out.
    fn long_trace_shown() -> Rc<State> {
        let s = settled(reduce(
            State::run(DEFAULT_PROGRAM),
            &[Action::Edit(LONG_LOOP.into()), Action::Run],
        ));
        assert!(s.trace.event_count() > LAYOUT_AT_ONCE);
        s
    }

    #[test]
    fn switches_on_a_long_trace_lay_it_out_again_in_slices_as_one_pass_would() {
        for switch in [Action::ShowInternal(true), Action::SetNarrow(true)] {
            let mut s = long_trace_shown().reduce(switch.clone());
            let before = s.layout.clone();
            let mut seen = Vec::new();
            while let Some(chore) = &s.relayout {
                seen.push(chore.done);
                // The page keeps showing (and stepping through) the trace meanwhile.
                assert!(Rc::ptr_eq(&s.layout, &before));
                s = s.reduce(Action::Advance(200));
            }
            assert!(seen.len() > 2, "{switch:?} in slices: {seen:?}");
            assert!(seen.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(*s.layout, Layout::compute(&s.trace, s.layout_options()));
            assert_eq!(*s.drawn, s.layout.drawn(&s.snapshot, s.view.show_internal));
        }
        // Switching back before the new layout is done keeps the one shown.
        let s = long_trace_shown();
        let shown = s.layout.clone();
        let s = reduce(
            (*s).clone(),
            &[
                Action::ShowInternal(true),
                Action::Advance(50),
                Action::ShowInternal(false),
            ],
        );
        assert!(s.relayout.is_none());
        assert!(Rc::ptr_eq(&s.layout, &shown));
    }

    #[test]
    fn event_stepping_on_a_long_trace_counts_its_positions_in_slices() {
        let s = long_trace_shown().reduce(Action::Seek(40));
        let mut s = s.reduce(Action::SetMode(StepMode::Event));
        let mut seen = Vec::new();
        while let Some(chore) = &s.counting {
            seen.push(chore.done);
            assert_eq!(
                s.mode,
                StepMode::Line,
                "by line until the positions are counted"
            );
            s = s.reduce(Action::Advance(100));
        }
        assert!(seen.len() > 2, "in slices: {seen:?}");
        assert_eq!(s.mode, StepMode::Event);
        assert_eq!(s.step, 40);
        assert_eq!(*s.offsets, event_offsets(&s.trace));
        assert_eq!(s.position(), s.offsets[40]);
        // Stop (or Escape) while counting, or a switch back, stays by line.
        for cancel in [Action::Stop, Action::SetMode(StepMode::Line)] {
            let s = reduce(
                (*long_trace_shown()).clone(),
                &[
                    Action::SetMode(StepMode::Event),
                    Action::Advance(50),
                    cancel,
                ],
            );
            assert!(s.counting.is_none());
            assert_eq!(s.mode, StepMode::Line);
            assert_eq!(s.chosen_mode(), StepMode::Line);
        }
        // A run that ends in event mode shows its first step by line, then by event.
        let s = reduce(
            (*s).clone(),
            &[Action::Edit(format!("{LONG_LOOP}x = 1\n")), Action::Run],
        );
        let s = settled(s);
        assert_eq!(s.mode, StepMode::Event);
        assert_eq!(*s.offsets, event_offsets(&s.trace));
        assert_eq!(s.step, 0);
    }

    #[test]
    fn event_offsets_in_slices_equal_one_pass() {
        let trace = trace_program(LONG_LOOP, Version::Py312);
        let whole = event_offsets(&trace);
        for events in [1, 7, 1000] {
            let mut counting = EventOffsets::default();
            while counting.advance(&trace, events) {}
            assert_eq!(counting.finish(), whole, "{events} events a slice");
        }
        assert_eq!(whole.len(), trace.len() + 1);
    }

    /// Counted another way: each step on its own, from its own state, by sentence; over
    /// a program whose lists and dicts change (their changes are stored as splices).
    #[test]
    fn event_offsets_count_each_steps_narrated_events() {
        let program = "def f(xs, d, i):\n    xs.append([i])\n    d[i % 7] = xs[-1]\n    return len(xs)\n\
                       xs = []\nd = {}\nfor i in range(60):\n    f(xs, d, i)\n    if len(xs) > 9:\n        xs.pop(0)\n";
        let trace = trace_program(program, Version::Py311);
        let whole = event_offsets(&trace);
        let mut counting = EventOffsets::default();
        while counting.advance(&trace, 50) {}
        assert_eq!(counting.finish(), whole);
        let mut total = 0;
        for (i, step) in trace.steps().enumerate() {
            assert_eq!(whole[i], total, "before step {i}");
            let mut at = trace.snapshot_at_event(step.first_event);
            let mut narrated = 0;
            for ev in trace.events_of(i) {
                narrated += usize::from(describe_event(&ev, &at).is_some());
                at.apply(&ev);
            }
            total += narrated.max(1);
        }
        assert_eq!(whole[trace.len()], total);
    }
}
