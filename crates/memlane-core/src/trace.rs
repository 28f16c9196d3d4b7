//! The history of a run: its steps, their events, and periodic checkpoints.
//!
//! A step is one executed line. The history keeps events, not heap copies; a snapshot of
//! any step is rebuilt from the nearest earlier checkpoint, so seeking backwards costs the
//! same as seeking forwards.

use crate::event::Event;
use crate::event::HolderRef;
use crate::live_references::LiveReferences;
use crate::log::FrameEvent;
pub use crate::log::Splice;
use crate::log::{put_varint, read_varint, unzigzag, zigzag, EventLog, Stored};
use crate::profile::Profile;
use crate::view::{FrameId, FrameView, ObjId, ObjectView, Reference, Snapshot};
use serde::{Deserialize, Serialize};
use std::mem::size_of;
use std::ops::Range;
use std::sync::Arc;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

impl Step {
    /// The positions of this step's events in the run's.
    pub fn events(&self) -> Range<usize> {
        self.first_event..self.end_event
    }
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
    /// Read through `step`, `steps` and `len`.
    #[serde(with = "steps_as_list")]
    steps: Steps,
    /// Read through `event`, `events_in`, `events_of` and `iter_events`.
    #[serde(with = "log_as_events")]
    events: EventLog,
    pub outcome: Outcome,
    /// Events before the first step: the interpreter's start-up (module frame, builtins).
    pub prologue_end: usize,
    #[serde(skip)]
    checkpoints: Vec<Checkpoint>,
    #[serde(skip)]
    decoded: DecodedCheckpoint,
    /// The most references each object ever holds, by id (see `most_referents`).
    #[serde(skip)]
    most_referents: MostReferents,
}

/// The checkpoint a seek decoded last, kept decoded: the next seek from it (a step back,
/// the slider moved a little) clones it, which shares its objects, instead of decoding
/// every object again (18-33 ms with a list of a million items live). A clone of the
/// trace starts without one.
#[derive(Debug, Default)]
struct DecodedCheckpoint(std::sync::Mutex<Option<(usize, Snapshot)>>);

impl Clone for DecodedCheckpoint {
    fn clone(&self) -> DecodedCheckpoint {
        DecodedCheckpoint::default()
    }
}

/// The most references each object ever holds, kept as events are recorded, so a pass
/// that sizes things for an object's whole life (the page's layout) needs no pass of its
/// own over the history. Only objects that ever hold one are kept: most objects (ints,
/// strings) never do, and a vector by id cost 4 bytes for every object of a run.
#[derive(Clone, Debug, Default)]
struct MostReferents(std::collections::HashMap<ObjId, u32, crate::hash::FxBuild>);

impl MostReferents {
    fn note(&mut self, id: ObjId, count: usize) {
        if count > 0 {
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            let most = self.0.entry(id).or_insert(0);
            *most = (*most).max(count);
        }
    }

    /// An object's references went from `before` to `after`. Its count was noted when
    /// it reached `before`, so only growth can raise its most (a map lookup at every
    /// container change was 2% of the mixed program's recording).
    #[inline]
    fn note_growth(&mut self, id: ObjId, before: usize, after: usize) {
        if after > before {
            self.note(id, after);
        }
    }

    fn note_event(&mut self, event: &Event) {
        match event {
            Event::Alloc { object } => self.note(object.id, object.referents.len()),
            Event::Change { obj, referents, .. } => self.note(*obj, referents.len()),
            _ => {}
        }
    }
}

/// The state after the first `event` events, stored compactly: its frames, objects,
/// output and collector counts as small logs of events that rebuild them
/// (`FramePush`, `Alloc`, ...), about 15 bytes an object instead of a `Snapshot`'s 190.
/// The objects are kept in chunks of `CHUNK_IDS` ids, and a chunk that no event touched
/// since the checkpoint before is that checkpoint's, shared: the 200,000 ints of a list
/// grown an item a step were written again at every checkpoint, though only the newest
/// changed. The memory part is shared copy-on-write with the live state, so it is kept
/// as is.
#[derive(Clone, Debug)]
struct Checkpoint {
    event: usize,
    /// Frames, output and the collector's counts.
    state: EventLog,
    /// The objects with ids from `c * CHUNK_IDS` on, as `Alloc`s, by chunk number `c`
    /// (the chunks with objects only: ids are not reused at once, so a long run's ids
    /// spread over hundreds of chunks).
    objects: Vec<(u32, Arc<EventLog>)>,
    /// The references of the objects that hold more than `PIECE` (their `Alloc`s in
    /// `objects` hold none), by id, in pieces of `PIECE`: a piece no change touched
    /// since the checkpoint before is that one's, shared.
    pieces: Vec<(ObjId, Vec<Arc<EventLog>>)>,
    memory: crate::memory_view::MemoryView,
}

/// References per piece of a big container's references in a checkpoint. A list and a
/// dict grown to 200,000 items over a million steps had all their references written
/// again at every checkpoint, though only the newest had changed.
const PIECE: usize = 1024;

/// An object as a checkpoint writes it: its view, its references, and how many of the
/// first of those are as they were at the checkpoint before.
type Written<'a> = (&'a ObjectView, &'a [Reference], usize);

/// Ids a checkpoint's chunk of objects covers. Smaller chunks share more between
/// checkpoints, and each costs a log's fixed size; measured at 10^6 steps (history bytes
/// a step for loop / mixed / growing / sets): 256 ids 73.6 / 98.3 / 152.1 / 165.7,
/// 1,024 ids 74.0 / 98.2 / 152.1 / 164.8, 4,096 ids 74.0 / 98.2 / 154.1 / 166.2.
const CHUNK_IDS: usize = 1024;

/// The chunk of ids `id` is in.
fn chunk_of(id: ObjId) -> u32 {
    (id.0 as usize / CHUNK_IDS) as u32
}

/// The ids chunk `c` covers (the last chunk ends at the last id: ids are `u32`s).
fn chunk_ids(c: u32) -> Range<ObjId> {
    let start = c as u64 * CHUNK_IDS as u64;
    let end = (start + CHUNK_IDS as u64).min(u32::MAX as u64);
    ObjId(start as u32)..ObjId(end as u32)
}

/// The chunks of objects that events touched since the last checkpoint.
#[derive(Debug, Default)]
struct TouchedChunks(Vec<bool>);

impl TouchedChunks {
    /// On every refcount change: the growth out of line keeps it small enough to inline.
    #[inline]
    fn touch(&mut self, id: ObjId) {
        let c = chunk_of(id) as usize;
        match self.0.get_mut(c) {
            Some(touched) => *touched = true,
            None => self.grow_to(c),
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, c: usize) {
        self.0.resize(c + 1, false);
        self.0[c] = true;
    }

    fn touched(&self, chunk: u32) -> bool {
        self.0.get(chunk as usize).copied().unwrap_or(false)
    }

    fn clear(&mut self) {
        self.0.fill(false);
    }
}

impl Checkpoint {
    fn new(event: usize, snap: &Snapshot, strings: &mut EventLog) -> Checkpoint {
        Checkpoint::of_snapshot(event, snap, strings, None, 0)
    }

    /// `of` for the whole of `snap`, every object's first `unchanged` references taken
    /// to be as they were at `since`'s checkpoint.
    fn of_snapshot(
        event: usize,
        snap: &Snapshot,
        strings: &mut EventLog,
        since: Option<(&Checkpoint, &TouchedChunks)>,
        unchanged: usize,
    ) -> Checkpoint {
        let mut chunks: Vec<u32> = snap.objects.keys().map(|id| chunk_of(*id)).collect();
        chunks.dedup();
        Checkpoint::of(
            event,
            &snap.frames,
            chunks.into_iter(),
            |c, group| {
                let views = snap.objects.range(chunk_ids(c));
                group.extend(views.map(|(_, o)| (&**o, &o.referents[..], unchanged)));
            },
            snap,
            strings,
            since,
        )
    }

    /// The checkpoint of `frames`, the objects `fill` gives for each chunk number of
    /// `chunks` (increasing; in id order, each with its references), and the rest of
    /// `snap`'s fields but its objects and frames, its strings written into `strings`'
    /// table. With `since`, the previous checkpoint and the chunks touched after it, the
    /// chunks not touched are taken from it, without asking `fill` for them.
    fn of<'a>(
        event: usize,
        frames: &[FrameView],
        chunks: impl Iterator<Item = u32>,
        mut fill: impl FnMut(u32, &mut Vec<Written<'a>>),
        snap: &Snapshot,
        strings: &mut EventLog,
        since: Option<(&Checkpoint, &TouchedChunks)>,
    ) -> Checkpoint {
        let mut written: Vec<(u32, Arc<EventLog>)> = Vec::new();
        let mut pieces = Vec::new();
        let mut group: Vec<Written<'a>> = Vec::new();
        for c in chunks {
            if let Some((previous, touched)) = since {
                if !touched.touched(c) {
                    // As it was: shared, or (no object then, none born since) empty.
                    if let Some(chunk) = previous.chunk(c) {
                        written.push((c, chunk.clone()));
                        pieces.extend_from_slice(previous.pieces_in(c));
                    }
                    continue;
                }
            }
            group.clear();
            fill(c, &mut group);
            if group.is_empty() {
                continue;
            }
            for &(o, referents, unchanged) in &group {
                if referents.len() > PIECE {
                    let before = since.and_then(|(p, _)| p.pieces_of(o.id));
                    let written =
                        Checkpoint::write_pieces(o.id, referents, unchanged, before, strings);
                    pieces.push((o.id, written));
                }
            }
            let mut log = EventLog::whole_only();
            log.with_strings_of(strings, |log| {
                for &(o, referents, _) in &group {
                    // A big container's `Alloc` holds no references: its pieces do.
                    let own = if referents.len() > PIECE {
                        &[][..]
                    } else {
                        referents
                    };
                    log.push_alloc_with(o, own);
                }
            });
            log.shrink_to_fit();
            written.push((c, Arc::new(log)));
        }
        let mut chunks = written;
        chunks.shrink_to_fit();
        pieces.shrink_to_fit();
        let mut state = EventLog::whole_only();
        state.with_strings_of(strings, |state| Checkpoint::write(state, frames, snap));
        state.shrink_to_fit();
        Checkpoint {
            event,
            state,
            objects: chunks,
            pieces,
            memory: snap.memory.clone(),
        }
    }

    /// `referents` of object `id` in pieces of `PIECE`, each full piece among the first
    /// `unchanged` taken from `before`, the pieces of the checkpoint before.
    fn write_pieces(
        id: ObjId,
        referents: &[Reference],
        unchanged: usize,
        before: Option<&[Arc<EventLog>]>,
        strings: &mut EventLog,
    ) -> Vec<Arc<EventLog>> {
        referents
            .chunks(PIECE)
            .enumerate()
            .map(|(k, piece)| {
                let kept = (piece.len() == PIECE && (k + 1) * PIECE <= unchanged)
                    .then(|| before.and_then(|b| b.get(k)))
                    .flatten();
                match kept {
                    Some(p) => p.clone(),
                    None => {
                        let mut log = EventLog::whole_only();
                        log.with_strings_of(strings, |log| {
                            log.push_change_whole(id, "", 0, piece);
                        });
                        log.shrink_to_fit();
                        Arc::new(log)
                    }
                }
            })
            .collect()
    }

    /// The pieces of the big containers of chunk `c`.
    fn pieces_in(&self, c: u32) -> &[(ObjId, Vec<Arc<EventLog>>)] {
        let ids = chunk_ids(c);
        let first = self.pieces.partition_point(|(id, _)| *id < ids.start);
        let end = self.pieces.partition_point(|(id, _)| *id < ids.end);
        &self.pieces[first..end]
    }

    /// The pieces of object `id`'s references, if it has them.
    fn pieces_of(&self, id: ObjId) -> Option<&[Arc<EventLog>]> {
        let i = self.pieces.binary_search_by_key(&id, |(k, _)| *k).ok()?;
        Some(&self.pieces[i].1)
    }

    /// Its chunk `c` of objects, if it has any object there.
    fn chunk(&self, c: u32) -> Option<&Arc<EventLog>> {
        let i = self.objects.binary_search_by_key(&c, |(k, _)| *k).ok()?;
        Some(&self.objects[i].1)
    }

    fn write(state: &mut EventLog, frames: &[FrameView], snap: &Snapshot) {
        for f in frames {
            state.push_frame_push(f);
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
    }

    /// The state it holds; `strings` is the log whose table it was written with.
    /// With `known`, another checkpoint and its state decoded, the chunks the two share
    /// are taken from that state (their object views shared) instead of decoded again.
    fn snapshot(&self, strings: &EventLog, known: Option<(&Checkpoint, &Snapshot)>) -> Snapshot {
        let mut snap = Snapshot::default();
        for (c, chunk) in &self.objects {
            let shared = known.filter(|(other, _)| {
                other
                    .chunk(*c)
                    .is_some_and(|theirs| Arc::ptr_eq(theirs, chunk))
            });
            match shared {
                Some((_, decoded)) => {
                    let views = decoded.objects.range(chunk_ids(*c));
                    snap.objects
                        .extend(views.map(|(id, view)| (*id, view.clone())));
                }
                None => {
                    chunk.replay_with_strings_of(strings, 0, chunk.len(), &mut snap);
                    self.fill_pieces(*c, strings, &mut snap);
                }
            }
        }
        self.state
            .replay_with_strings_of(strings, 0, self.state.len(), &mut snap);
        snap.memory = self.memory.clone();
        snap
    }

    /// Gives the big containers of chunk `c`, decoded into `snap`, their references.
    fn fill_pieces(&self, c: u32, strings: &EventLog, snap: &mut Snapshot) {
        for (id, pieces) in self.pieces_in(c) {
            let mut referents = Vec::with_capacity(pieces.len() * PIECE);
            for piece in pieces {
                piece.extend_with_references(strings, &mut referents);
            }
            if let Some(o) = snap.objects.get_mut(id) {
                Arc::make_mut(o).referents = Arc::new(referents);
            }
        }
    }

    /// The logs it holds (chunks of objects, pieces of references) that `previous` does
    /// not share.
    fn own_logs<'a>(
        &'a self,
        previous: Option<&'a Checkpoint>,
    ) -> impl Iterator<Item = &'a EventLog> + 'a {
        let chunks = self.objects.iter().filter_map(move |(c, chunk)| {
            let shared = previous
                .and_then(|p| p.chunk(*c))
                .is_some_and(|p| Arc::ptr_eq(p, chunk));
            (!shared).then_some(&**chunk)
        });
        let pieces = self.pieces.iter().flat_map(move |(id, pieces)| {
            let before = previous.and_then(|p| p.pieces_of(*id)).unwrap_or(&[]);
            pieces.iter().enumerate().filter_map(move |(k, piece)| {
                let shared = before.get(k).is_some_and(|p| Arc::ptr_eq(p, piece));
                (!shared).then_some(&**piece)
            })
        });
        chunks.chain(pieces)
    }

    /// Heap bytes of its logs, with chunks and pieces shared with `previous` left out.
    fn log_bytes(&self, previous: Option<&Checkpoint>) -> usize {
        self.state.heap_bytes()
            + self.objects.capacity() * size_of::<(u32, Arc<EventLog>)>()
            + self
                .pieces
                .iter()
                .map(|(_, p)| size_of::<(ObjId, Vec<Arc<EventLog>>)>() + p.capacity() * 8)
                .sum::<usize>()
            + self
                .own_logs(previous)
                .map(|c| c.heap_bytes() + size_of::<EventLog>() + 16)
                .sum::<usize>()
    }

    /// Heap bytes, with chunks and memory state shared with `previous` left out.
    fn heap_bytes(&self, previous: Option<&Checkpoint>) -> usize {
        let memory = match previous {
            Some(p) if p.memory.shares_state_with(&self.memory) => 0,
            _ => self.memory.heap_bytes(),
        };
        self.log_bytes(previous) + memory
    }

    /// The bytes of every object written, shared or not: what decoding it reads.
    fn state_bytes(&self) -> usize {
        let pieces = self.pieces.iter().flat_map(|(_, p)| p);
        self.state.heap_bytes()
            + self
                .objects
                .iter()
                .map(|(_, c)| c)
                .chain(pieces)
                .map(|c| c.heap_bytes())
                .sum::<usize>()
    }
}

/// Steps per mark of the step index: reaching step `i` decodes at most this many - 1
/// records after the mark before it.
const STEP_BLOCK: usize = 64;

/// Where a block of steps starts, and the decoder's state there.
#[derive(Clone, Copy, Debug, Default)]
struct StepMark {
    byte: u32,
    /// The first event of the block's first step...
    next_event: u32,
    /// ...and the line and frame of the step before it (deltas start from them).
    line: u32,
    frame: u32,
}

/// The steps of a run, stored compactly: a `Vec<Step>` cost 32 bytes a step (a quarter
/// of the history of a plain loop). A step's events follow the previous step's, so a
/// record is the step's event count, its line as a difference from the previous step's,
/// and its frame only when it changed, as varints (about 3 bytes), plus a mark every
/// `STEP_BLOCK` steps. Word layout: zigzag(line delta) << 3 | gap << 2 | frame changed
/// << 1 | exit; a gap (events between two steps, which a recorded run never has) and
/// a changed frame follow as varints, then the event count.
#[derive(Clone, Debug, Default)]
struct Steps {
    bytes: Vec<u8>,
    marks: Vec<StepMark>,
    len: usize,
    /// The encoder's state: the last step's end event, line and frame.
    end: usize,
    line: u32,
    frame: u32,
}

impl Steps {
    fn len(&self) -> usize {
        self.len
    }

    fn put(&mut self, v: u64) {
        put_varint(&mut self.bytes, v);
    }

    fn push(&mut self, step: &Step) {
        if self.len.is_multiple_of(STEP_BLOCK) {
            self.marks.push(StepMark {
                byte: self.bytes.len() as u32,
                next_event: self.end as u32,
                line: self.line,
                frame: self.frame,
            });
        }
        let delta = step.line as i64 - self.line as i64;
        let gap = step.first_event != self.end;
        let frame_changed = step.frame.0 != self.frame;
        let word = zigzag(delta) << 3
            | (gap as u64) << 2
            | (frame_changed as u64) << 1
            | (step.kind == StepKind::Exit) as u64;
        self.put(word);
        if gap {
            self.put(zigzag(step.first_event as i64 - self.end as i64));
        }
        if frame_changed {
            self.put(step.frame.0 as u64);
        }
        self.put((step.end_event - step.first_event) as u64);
        self.len += 1;
        self.end = step.end_event;
        self.line = step.line;
        self.frame = step.frame.0;
    }

    /// The steps from `start` on, decoded as they are read.
    fn iter_from(&self, start: usize) -> StepReader<'_> {
        let start = start.min(self.len);
        let block = start / STEP_BLOCK;
        let mark = self.marks.get(block).copied().unwrap_or(StepMark {
            byte: self.bytes.len() as u32,
            next_event: self.end as u32,
            line: self.line,
            frame: self.frame,
        });
        let mut reader = StepReader {
            steps: self,
            at: mark.byte as usize,
            next: block * STEP_BLOCK,
            end: mark.next_event as usize,
            line: mark.line,
            frame: mark.frame,
        };
        while reader.next < start {
            reader.next();
        }
        reader
    }

    fn get(&self, index: usize) -> Option<Step> {
        (index < self.len)
            .then(|| self.iter_from(index).next())
            .flatten()
    }

    fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.marks.capacity() * size_of::<StepMark>()
    }

    fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.marks.shrink_to_fit();
    }
}

/// An iterator over stored steps.
pub struct StepReader<'a> {
    steps: &'a Steps,
    at: usize,
    next: usize,
    end: usize,
    line: u32,
    frame: u32,
}

impl StepReader<'_> {
    fn num(&mut self) -> u64 {
        read_varint(&self.steps.bytes, &mut self.at)
    }
}

impl Iterator for StepReader<'_> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        if self.next >= self.steps.len {
            return None;
        }
        if self.next.is_multiple_of(STEP_BLOCK) {
            let mark = self.steps.marks[self.next / STEP_BLOCK];
            self.at = mark.byte as usize;
            self.end = mark.next_event as usize;
            self.line = mark.line;
            self.frame = mark.frame;
        }
        self.next += 1;
        let word = self.num();
        let mut first = self.end;
        if word & 4 != 0 {
            first = (first as i64 + unzigzag(self.num())) as usize;
        }
        if word & 2 != 0 {
            self.frame = self.num() as u32;
        }
        let count = self.num() as usize;
        self.line = (self.line as i64 + unzigzag(word >> 3)) as u32;
        self.end = first + count;
        Some(Step {
            kind: if word & 1 != 0 {
                StepKind::Exit
            } else {
                StepKind::Line
            },
            line: self.line,
            frame: FrameId(self.frame),
            first_event: first,
            end_event: self.end,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.steps.len - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for StepReader<'_> {}

/// The trace's serialised form keeps the plain list of steps.
mod steps_as_list {
    use super::{Step, Steps};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(steps: &Steps, s: S) -> Result<S::Ok, S::Error> {
        steps.iter_from(0).collect::<Vec<Step>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Steps, D::Error> {
        let mut steps = Steps::default();
        for step in Vec::<Step>::deserialize(d)? {
            steps.push(&step);
        }
        Ok(steps)
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
        self.steps.len() == 0
    }

    /// Step `index`, decoded (steps are stored compactly, see `Steps`).
    pub fn step(&self, index: usize) -> Option<Step> {
        self.steps.get(index)
    }

    /// The steps in order, decoded as they are read.
    pub fn steps(&self) -> StepReader<'_> {
        self.steps.iter_from(0)
    }

    /// The steps from `start` on.
    pub fn steps_from(&self, start: usize) -> StepReader<'_> {
        self.steps.iter_from(start)
    }

    /// The last step.
    pub fn last_step(&self) -> Option<Step> {
        self.len().checked_sub(1).and_then(|i| self.step(i))
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
        self.events.iter_stored(range.start, range.end, true)
    }

    /// As `iter_stored`, with each refcount's holder left without its text (an empty
    /// name, label or runtime holder; a slot's `[i]` made for each of a million slots
    /// was most of such a pass): for passes that look only at which objects and frames
    /// change (animation timing, layout, a step's summary).
    pub fn iter_stored_without_holder_texts(
        &self,
        range: Range<usize>,
    ) -> impl Iterator<Item = Stored> + '_ {
        self.events.iter_stored(range.start, range.end, false)
    }

    /// Keeps the first `steps` steps and the events up to the end of the last of them:
    /// the trace a run stopped there would have left (the caller says why, in
    /// `outcome`). For Stop while a long trace is laid out: the steps laid out so far are
    /// shown. Checkpoints past the end go; the kept ones stay valid.
    pub fn truncate(&mut self, steps: usize) {
        if steps >= self.len() {
            return;
        }
        let end = match steps.checked_sub(1).and_then(|i| self.step(i)) {
            Some(last) => last.end_event,
            None => self.prologue_end.min(self.events.len()),
        };
        let mut kept = Steps::default();
        for step in self.steps.iter_from(0).take(steps) {
            kept.push(&step);
        }
        kept.shrink_to_fit();
        self.steps = kept;
        self.events.truncate(end);
        let checkpoints = self.checkpoints.partition_point(|c| c.event <= end);
        self.checkpoints.truncate(checkpoints);
        self.decoded = DecodedCheckpoint::default();
    }

    /// The state before step `index` has run: after start-up for the first step.
    pub fn snapshot_before(&self, index: usize) -> Snapshot {
        match index.checked_sub(1) {
            Some(previous) => self.snapshot(previous),
            None => self.snapshot_at_event(self.prologue_end),
        }
    }

    /// Calls `each` with every event of step `index` and the state just before that
    /// event, then applies the event to `snap`, which must be the state before the step.
    /// A container's change comes with its references made from `snap`'s and the splice,
    /// instead of by walking the log back through the container's earlier changes, as a
    /// step decoded on its own (`events_of`) must.
    pub fn walk_step(
        &self,
        index: usize,
        snap: &mut Snapshot,
        mut each: impl FnMut(&Event, &Snapshot),
    ) {
        let Some(step) = self.steps.get(index) else {
            return;
        };
        for stored in self.iter_stored(step.events()) {
            let event = stored.into_event(|obj| {
                snap.object(obj)
                    .map(|o| o.referents.to_vec())
                    .unwrap_or_default()
            });
            each(&event, snap);
            snap.apply_owned(event);
        }
    }

    /// The events in `range`, decoded one at a time (for passes over a whole run).
    pub fn iter_events(&self, range: Range<usize>) -> impl Iterator<Item = Event> + '_ {
        self.events.iter(range.start, range.end)
    }

    /// The events of step `index` (none for an index past the end).
    pub fn events_of(&self, index: usize) -> Vec<Event> {
        match self.steps.get(index) {
            Some(s) => self.events_in(s.events()),
            None => Vec::new(),
        }
    }

    /// The state after step `index` has run (clamped to the last step). With no steps,
    /// the state after start-up.
    pub fn snapshot(&self, index: usize) -> Snapshot {
        let end = match self.step(index).or_else(|| self.last_step()) {
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
        // A long step with a checkpoint inside it: replaying from that checkpoint is
        // shorter than replaying the whole step.
        let replay_from = self
            .checkpoints
            .partition_point(|c| c.event <= step.end_event);
        if let Some(c) = replay_from.checked_sub(1).map(|i| &self.checkpoints[i]) {
            if c.event > previous.end_event && step.end_event - previous.end_event > MIN_EVENTS {
                return self.snapshot_at_event(step.end_event);
            }
        }
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
        let (start, mut snap) = match at.checked_sub(1) {
            Some(i) => (self.checkpoints[i].event, self.checkpoint_snapshot(i)),
            None => (0, Snapshot::default()),
        };
        self.events.replay(start, end, &mut snap);
        snap
    }

    /// The state at checkpoint `i`, from `decoded` when it is the one kept there.
    fn checkpoint_snapshot(&self, i: usize) -> Snapshot {
        let mut decoded = self
            .decoded
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((at, snap)) = &*decoded {
            if *at == i {
                return snap.clone();
            }
        }
        let known = decoded
            .as_ref()
            .map(|(at, snap)| (&self.checkpoints[*at], snap));
        let snap = self.checkpoints[i].snapshot(&self.events, known);
        *decoded = Some((i, snap.clone()));
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
    /// block index, string table, rare events), the steps (their compact records and
    /// index) and the checkpoints (each
    /// snapshot's estimated size; memory state shared between checkpoints counted once).
    /// The trace's own struct and the outcome's text are left out.
    pub fn history_bytes(&self) -> usize {
        let mut checkpoints = self.checkpoints.capacity() * size_of::<Checkpoint>();
        let mut previous = None;
        for c in &self.checkpoints {
            checkpoints += c.heap_bytes(previous);
            previous = Some(c);
        }
        self.events.heap_bytes() + self.steps.heap_bytes() + checkpoints
    }

    /// The most references object `id` ever holds over the run (0 for an unknown id).
    pub fn most_referents(&self, id: ObjId) -> usize {
        self.most_referents.0.get(&id).map_or(0, |&n| n as usize)
    }

    /// Where the history's bytes go: the event log by event kind (kind, events, bytes),
    /// then the steps, the string table and block index, and the checkpoints.
    pub fn history_by_kind(&self) -> Vec<(&'static str, usize, usize)> {
        let mut kinds = self.events.bytes_by_kind();
        let logged: usize = kinds.iter().map(|k| k.2).sum();
        kinds.push(("(steps)", self.steps.len(), self.steps.heap_bytes()));
        kinds.push((
            "(log: strings, blocks, rare, spare capacity)",
            0,
            self.events.heap_bytes() - logged,
        ));
        let (mut logs, mut strings, mut memory) = (0, 0, 0);
        let mut previous: Option<&Checkpoint> = None;
        for c in &self.checkpoints {
            logs += c.log_bytes(previous);
            strings += c.state.string_bytes()
                + c.own_logs(previous)
                    .map(EventLog::string_bytes)
                    .sum::<usize>();
            memory += c.heap_bytes(previous) - c.log_bytes(previous);
            previous = Some(c);
        }
        let n = self.checkpoints.len();
        kinds.push(("(checkpoints: event logs)", n, logs - strings));
        kinds.push(("(checkpoints: their string tables)", n, strings));
        kinds.push(("(checkpoints: memory state)", n, memory));
        kinds
    }

    /// Rebuilds the checkpoints and the most references per object (after deserialising
    /// a trace, say).
    pub fn index(&mut self) {
        self.checkpoints.clear();
        self.decoded = DecodedCheckpoint::default();
        self.most_referents = MostReferents::default();
        let mut spacing = Spacing::default();
        let mut snap = Snapshot::default();
        // The checkpoints' strings go to a copy of the log's table (the log is being
        // read), which then replaces it: texts are only ever added, so its ids stay.
        let mut table = self.events.strings_copy();
        let mut events = self.events.iter(0, self.events.len());
        let mut applied = 0;
        for step in self.steps.iter_from(0) {
            let end = step.end_event;
            while applied < end {
                match events.next() {
                    Some(ev) => {
                        self.most_referents.note_event(&ev);
                        snap.apply(&ev);
                    }
                    None => break,
                }
                applied += 1;
            }
            let bytes = events.byte_position();
            if spacing.due(applied, bytes) {
                let checkpoint = Checkpoint::new(applied, &snap, &mut table);
                spacing.taken(applied, bytes, checkpoint.state_bytes());
                self.checkpoints.push(checkpoint);
            }
        }
        for ev in &mut events {
            self.most_referents.note_event(&ev);
        }
        drop(events);
        self.events.adopt_strings(table);
    }
}

/// When to take a checkpoint. Each one costs a whole snapshot; replay from one costs
/// about 50 ns an event. A checkpoint is taken once the log has grown by `RATIO` times
/// the last checkpoint's size since it (so checkpoints stay under 1/RATIO of the log),
/// and at least `MIN_EVENTS` events on; after `MAX_EVENTS`, once the log has grown by
/// the last one's size (so checkpoints stay under half the history), which bounds a
/// seek's replay at about 3 ms while the state is small, and for a big state at a replay
/// about as long as decoding its checkpoint, which the seek does anyway. (Taken after
/// `MAX_EVENTS` whatever their size, the checkpoints of a list and a dict grown to
/// 200,000 items over a million steps were 896 of its 1,104 MB.) Checkpoints are stored as events
/// (`Checkpoint`) over the run's string table, so a few thousand bytes each for a program
/// of a few hundred objects. 49,152 events apart at least (16,384 before): checkpoints
/// were a quarter of the mixed benchmark's history; a seek placed worst replays about
/// 2.3-3 ms instead of about 1 ms (`examples/worst_seek.rs`), still under 5 ms.
#[derive(Debug, Default)]
struct Spacing {
    last_event: usize,
    last_byte: usize,
    last_size: usize,
}

const RATIO: usize = 8;
const MIN_EVENTS: usize = 49_152;
const MAX_EVENTS: usize = 65_536;

impl Spacing {
    fn due(&self, event: usize, byte: usize) -> bool {
        let events = event - self.last_event;
        let grown = byte - self.last_byte;
        (events >= MAX_EVENTS && grown >= self.last_size)
            || (events >= MIN_EVENTS && grown >= RATIO * self.last_size)
    }

    /// A checkpoint of `size` bytes of its own was taken at `event`.
    fn taken(&mut self, event: usize, byte: usize, size: usize) {
        self.last_event = event;
        self.last_byte = byte;
        self.last_size = size;
    }
}

/// Collects events while the interpreter runs and cuts them into steps.
#[derive(Debug, Default)]
pub struct Recorder {
    events: EventLog,
    /// The closed steps, and the one running (its end not known yet).
    steps: Steps,
    open: Option<Step>,
    prologue_end: Option<usize>,
    /// Folded forward as events arrive, to take checkpoints without a second pass.
    live: Live,
    /// Views of freed objects, reused by the next allocations (`spare_view`); boxed as
    /// the live state and `Event::Alloc` hold them, so they move without a copy.
    #[allow(clippy::vec_box)]
    spare_views: Vec<Box<ObjectView>>,
    checkpoints: Vec<Checkpoint>,
    spacing: Spacing,
    most_referents: MostReferents,
}

impl Recorder {
    pub fn new() -> Recorder {
        Recorder::default()
    }

    pub fn record(&mut self, event: Event) {
        self.events.push(&event);
        self.most_referents.note_event(&event);
        if let Event::Free { obj, .. } = event {
            // The freed object's view is kept for the next allocation to fill.
            if let Some(view) = self.live.take(obj) {
                if self.spare_views.len() < SPARE_VIEWS {
                    self.spare_views.push(view);
                }
            }
            return;
        }
        self.live.apply(event);
    }

    /// A view to fill for an allocation: a freed object's, or a new one.
    pub fn spare_view(&mut self) -> Box<ObjectView> {
        self.spare_views.pop().unwrap_or_default()
    }

    /// Records a `Refcount` event without building it (see `HolderRef`).
    pub fn record_refcount(&mut self, obj: ObjId, count: u64, delta: i8, holder: HolderRef<'_>) {
        self.events.push_refcount(obj, count, delta, holder);
        if let Some(o) = self.live.object_mut(obj) {
            o.refcount = count;
            if matches!(holder, HolderRef::Runtime { .. }) {
                o.runtime_refs = o.runtime_refs.saturating_add_signed(delta as i64);
            }
        }
    }

    /// Records a `Push` of a temporary.
    pub fn record_push(&mut self, frame: FrameId, obj: ObjId) {
        self.events.push_push(frame, obj);
        if let Some(f) = self.live.frame_mut(frame) {
            f.stack.push(obj);
        }
    }

    /// Records a `Pop` of a temporary.
    pub fn record_pop(&mut self, frame: FrameId) {
        self.events.push_frame_event(FrameEvent::Pop, frame);
        if let Some(f) = self.live.frame_mut(frame) {
            f.stack.pop();
        }
    }

    /// Records a `FramePop` of `frame`.
    pub fn record_frame_pop(&mut self, frame: FrameId) {
        self.events.push_frame_event(FrameEvent::FramePop, frame);
        self.live.rest.frames.retain(|f| f.id != frame);
    }

    /// Records a `Bind` of `name` in `frame`.
    pub fn record_bind(&mut self, frame: FrameId, name: &str, target: ObjId) {
        self.events.push_bind(frame, name, target);
        let Live {
            rest, spare_names, ..
        } = &mut self.live;
        if let Some(f) = innermost(&mut rest.frames, frame) {
            f.bind(name, target, || {
                let mut text = spare_names.pop().unwrap_or_default();
                text.clear();
                text.push_str(name);
                text
            });
        }
    }

    /// Records an `Unbind` of `name` in `frame`.
    pub fn record_unbind(&mut self, frame: FrameId, name: &str) {
        self.events.push_unbind(frame, name);
        let Live {
            rest, spare_names, ..
        } = &mut self.live;
        let Some(f) = innermost(&mut rest.frames, frame) else {
            return;
        };
        // The binding's name text is kept for the next name bound (a call's parameters
        // are bound and unbound at every call).
        while let Some(i) = f.locals.iter().position(|b| b.name == name) {
            let gone = f.locals.remove(i);
            if spare_names.len() < SPARE_NAMES {
                spare_names.push(gone.name);
            }
        }
    }

    /// Records a `Line` of `frame`.
    pub fn record_line(&mut self, frame: FrameId, line: u32) {
        self.events.push_line(frame, line);
        if let Some(f) = self.live.frame_mut(frame) {
            f.line = line;
        }
    }

    /// Records a list's, dict's or instance's change as a splice of its references (see
    /// `Heap::changed`): no whole list of references is built for it, unless the log
    /// stores it whole (see `MAX_SPLICES`).
    pub(crate) fn record_splice(
        &mut self,
        obj: ObjId,
        value: &str,
        size: u64,
        splice: crate::heap::ReferencesSplice,
    ) {
        use crate::heap::ReferencesSplice;
        let Some((o, live)) = self.live.object_and_references_mut(obj) else {
            return;
        };
        let len = live.len();
        let spliced = match splice {
            ReferencesSplice::Positions(p) => {
                let after_len = p.len_after(len);
                self.most_referents.note_growth(obj, len, after_len);
                let spliced = self.events.push_position_splice(obj, value, size, &p, len);
                p.apply_live(live);
                spliced
            }
            ReferencesSplice::Labelled(s) => {
                let after_len = s.len_after(len);
                self.most_referents.note_growth(obj, len, after_len);
                let spliced = self.events.push_splice(obj, value, size, &s, after_len);
                s.apply_live(live);
                spliced
            }
        };
        if !spliced {
            self.events.push_change_whole(obj, value, size, live);
        }
        if o.value != value {
            o.value.clear();
            o.value.push_str(value);
        }
        o.size = size;
    }

    /// The references `obj` had at its last recorded event.
    pub fn references(&self, obj: ObjId) -> Option<&[Reference]> {
        self.live.references(obj)
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
            let previous = self.checkpoints.last();
            let checkpoint = self.live.checkpoint(now, &mut self.events, previous);
            // Spaced by the whole state's size, shared chunks and pieces too: spaced by
            // its own bytes, the growing benchmark took 223 checkpoints instead of 45,
            // 166 history bytes a step instead of 117 (the memory state, not shared,
            // 49 of them).
            self.spacing.taken(now, bytes, checkpoint.state_bytes());
            self.checkpoints.push(checkpoint);
        }
        self.open = Some(Step {
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
            .open
            .as_ref()
            .map_or((FrameId(0), 0), |s| (s.frame, s.line));
        self.begin_step(frame, line);
        if let Some(s) = &mut self.open {
            s.kind = StepKind::Exit;
        }
    }

    fn close_step(&mut self, now: usize) {
        if let Some(mut last) = self.open.take() {
            last.end_event = now;
            self.steps.push(&last);
        }
    }

    pub fn step_count(&self) -> usize {
        self.steps.len() + self.open.is_some() as usize
    }

    /// The state as of the latest event.
    pub fn live(&self) -> Snapshot {
        self.live.snapshot()
    }

    pub fn finish(mut self, profile: Profile, outcome: Outcome) -> Trace {
        let now = self.events.len();
        self.close_step(now);
        // The end of a long last step (the shutdown's, freeing everything) is a seek's
        // target too.
        if self.spacing.due(now, self.events.byte_len()) {
            let checkpoint = self
                .live
                .checkpoint(now, &mut self.events, self.checkpoints.last());
            self.checkpoints.push(checkpoint);
        }
        self.events.shrink_to_fit();
        self.steps.shrink_to_fit();
        Trace {
            profile,
            prologue_end: self.prologue_end.unwrap_or(now),
            steps: self.steps,
            events: self.events,
            outcome,
            checkpoints: self.checkpoints,
            decoded: DecodedCheckpoint::default(),
            most_referents: self.most_referents,
        }
    }
}

/// How many freed objects' views the recorder keeps for reuse.
const SPARE_VIEWS: usize = 64;

/// How many unbound names' texts the recorder keeps for reuse.
const SPARE_NAMES: usize = 64;

/// The recorder's state as of the latest event: a `Snapshot` with its objects in a
/// vector indexed by id (ids are dense and never reused), so the million refcount
/// changes of a run find their object without a tree walk, and events are applied by
/// value (an allocated object's view is moved in, not cloned). `apply` must do what
/// `Snapshot::apply` does; `snapshot` turns it into one.
#[derive(Debug, Default)]
struct Live {
    objects: Vec<Option<Box<ObjectView>>>,
    /// The references of the live objects that have had any; their views' own
    /// `referents` stay empty meanwhile.
    references: ReferenceSlots,
    /// Frames, stdout, stderr, gc and memory (its `objects` stay empty).
    rest: Snapshot,
    /// Texts of unbound names, reused by the next bindings.
    spare_names: Vec<String>,
    /// The chunks of objects changed since the last checkpoint.
    touched: TouchedChunks,
}

/// Frame `id` among `frames` (a function of the frames alone, so a caller may hold
/// another field of `Live` meanwhile). The innermost frames are the busy ones: searched
/// from the end.
fn innermost(frames: &mut [FrameView], id: FrameId) -> Option<&mut FrameView> {
    frames.iter_mut().rev().find(|f| f.id == id)
}

/// The live objects' references, kept apart from their views (see
/// `LiveReferences`), so a splice near either end of a big container is cheap. Found
/// through a slot number by id, not hashed: a dict store looks them up three times.
#[derive(Debug, Default)]
struct ReferenceSlots {
    /// By id: the slot holding the object's references, plus one; 0 for none.
    slot_of: Vec<u32>,
    slots: Vec<LiveReferences>,
    /// Slots that freed objects left.
    free: Vec<u32>,
}

impl ReferenceSlots {
    #[inline]
    fn get(&self, id: ObjId) -> Option<&LiveReferences> {
        let slot = self.slot_of.get(id.0 as usize)?.checked_sub(1)?;
        Some(&self.slots[slot as usize])
    }

    /// `id`'s references, `initial()` if it had none.
    #[inline]
    fn get_or_insert(
        &mut self,
        id: ObjId,
        initial: impl FnOnce() -> Vec<Reference>,
    ) -> &mut LiveReferences {
        match self.slot_of.get(id.0 as usize) {
            Some(&slot) if slot > 0 => &mut self.slots[slot as usize - 1],
            _ => self.insert(id, initial()),
        }
    }

    /// Gives `id`, which has none, a slot holding `references`.
    fn insert(&mut self, id: ObjId, references: Vec<Reference>) -> &mut LiveReferences {
        let i = id.0 as usize;
        if i >= self.slot_of.len() {
            self.slot_of.resize(i + 1, 0);
        }
        let slot = match self.free.pop() {
            Some(slot) => slot as usize,
            None => {
                self.slots.push(LiveReferences::default());
                self.slots.len() - 1
            }
        };
        self.slot_of[i] = slot as u32 + 1;
        self.slots[slot] = references.into();
        &mut self.slots[slot]
    }

    fn set(&mut self, id: ObjId, references: Vec<Reference>) {
        *self.get_or_insert(id, Vec::new) = references.into();
    }

    fn remove(&mut self, id: ObjId) -> Option<LiveReferences> {
        let slot = std::mem::take(self.slot_of.get_mut(id.0 as usize)?).checked_sub(1)?;
        self.free.push(slot);
        Some(std::mem::take(&mut self.slots[slot as usize]))
    }
}

impl Live {
    fn object(&self, id: ObjId) -> Option<&ObjectView> {
        self.objects.get(id.0 as usize)?.as_deref()
    }

    /// The references of the live object `id` (only live objects have a slot).
    fn references(&self, id: ObjId) -> Option<&[Reference]> {
        self.object(id).map(|o| self.references_of(o))
    }

    /// The references of `o`, a live object.
    fn references_of<'a>(&'a self, o: &'a ObjectView) -> &'a [Reference] {
        match self.references.get(o.id) {
            Some(r) => r,
            None => &o.referents,
        }
    }

    fn object_and_references_mut(
        &mut self,
        id: ObjId,
    ) -> Option<(&mut ObjectView, &mut LiveReferences)> {
        self.touched.touch(id);
        let o = self.objects.get_mut(id.0 as usize)?.as_deref_mut()?;
        let live = self.references.get_or_insert(id, || take_references(o));
        Some((o, live))
    }

    /// Removes a freed object's view (what `apply` of its `Free` does), its references'
    /// buffer given back to it for the next allocation to fill.
    #[inline(always)]
    fn take(&mut self, id: ObjId) -> Option<Box<ObjectView>> {
        self.touched.touch(id);
        let mut view = self.objects.get_mut(id.0 as usize)?.take()?;
        if let Some(live) = self.references.remove(id) {
            if let Some(referents) = Arc::get_mut(&mut view.referents) {
                *referents = live.into_empty_vec();
            }
        }
        Some(view)
    }

    fn object_mut(&mut self, id: ObjId) -> Option<&mut ObjectView> {
        self.touched.touch(id);
        self.objects.get_mut(id.0 as usize)?.as_deref_mut()
    }

    fn frame_mut(&mut self, id: FrameId) -> Option<&mut FrameView> {
        innermost(&mut self.rest.frames, id)
    }

    fn apply(&mut self, event: Event) {
        match event {
            Event::Alloc { mut object } => {
                let i = object.id.0 as usize;
                if i >= self.objects.len() {
                    self.objects.resize_with(i + 1, || None);
                }
                self.touched.touch(object.id);
                if !object.referents.is_empty() {
                    let live = take_references(&mut object);
                    self.references.set(object.id, live);
                }
                self.objects[i] = Some(object);
            }
            Event::Free { obj, .. } => {
                self.take(obj);
            }
            Event::Refcount {
                obj,
                count,
                delta,
                holder,
            } => {
                if let Some(o) = self.object_mut(obj) {
                    o.refcount = count;
                    if matches!(holder, crate::event::Holder::Runtime { .. }) {
                        o.runtime_refs = o.runtime_refs.saturating_add_signed(delta as i64);
                    }
                }
            }
            Event::Change {
                obj,
                value,
                size,
                referents,
            } => {
                if let Some(o) = self.object_mut(obj) {
                    o.value = value;
                    o.size = size;
                    self.references.set(obj, referents);
                }
            }
            Event::Flags {
                obj,
                interned,
                immortal,
                gc_tracked,
                generation,
            } => {
                if let Some(o) = self.object_mut(obj) {
                    o.interned = interned;
                    o.immortal = immortal;
                    o.gc_tracked = gc_tracked;
                    o.generation = generation;
                }
            }
            Event::Bind {
                frame,
                name,
                target,
            } => {
                if let Some(f) = self.frame_mut(frame) {
                    f.bind(&name, target, || name.clone());
                }
            }
            // The frame's view is moved in (a snapshot's `apply` clones it).
            Event::FramePush { frame } => self.rest.frames.push(*frame),
            // Frames, output, collections and memory: as a snapshot applies them.
            other => self.rest.apply(&other),
        }
    }

    /// A checkpoint of the state, sharing the chunks not touched since `previous`.
    fn checkpoint(
        &mut self,
        event: usize,
        strings: &mut EventLog,
        previous: Option<&Checkpoint>,
    ) -> Checkpoint {
        let (objects, references) = (&self.objects, &self.references);
        let checkpoint = Checkpoint::of(
            event,
            &self.rest.frames,
            0..objects.len().div_ceil(CHUNK_IDS) as u32,
            |c, group| {
                let ids = chunk_ids(c);
                let slots = objects
                    .get(ids.start.0 as usize..(ids.end.0 as usize).min(objects.len()))
                    .unwrap_or_default();
                group.extend(slots.iter().flatten().map(|o| match references.get(o.id) {
                    Some(r) => (&**o, &r[..], r.unchanged()),
                    None => (&**o, &o.referents[..], 0),
                }));
            },
            &self.rest,
            strings,
            previous.map(|p| (p, &self.touched)),
        );
        self.touched.clear();
        for r in &mut self.references.slots {
            r.mark_unchanged();
        }
        checkpoint
    }

    fn snapshot(&self) -> Snapshot {
        let mut snap = self.rest.clone();
        snap.objects = self
            .objects
            .iter()
            .flatten()
            .map(|o| {
                let mut view = (**o).clone();
                view.referents = Arc::new(self.references_of(o).to_vec());
                (o.id, Arc::new(view))
            })
            .collect();
        snap
    }
}

/// Moves `o`'s references out of its view, leaving it none.
fn take_references(o: &mut ObjectView) -> Vec<Reference> {
    match Arc::get_mut(&mut o.referents) {
        Some(referents) => std::mem::take(referents),
        None => std::mem::take(&mut o.referents).to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `second` decodes to `snap`, alone and beside `first` decoded.
    fn assert_decodes_to(
        second: &Checkpoint,
        first: &Checkpoint,
        table: &EventLog,
        snap: &Snapshot,
    ) {
        assert_eq!(&second.snapshot(table, None), snap);
        let first_state = first.snapshot(table, None);
        assert_eq!(&second.snapshot(table, Some((first, &first_state))), snap);
    }

    /// A checkpoint takes the chunks of ids no event touched from the one before, shared,
    /// writes the others again, and decodes to the state either way.
    #[test]
    fn checkpoints_share_the_chunks_no_event_touched() {
        let view = |id: u32, value: &str| {
            Arc::new(ObjectView {
                id: ObjId(id),
                type_name: "int".into(),
                value: value.into(),
                refcount: 1,
                ..ObjectView::default()
            })
        };
        let mut snap = Snapshot::default();
        let k = CHUNK_IDS as u32;
        for id in [3, 700, k + 500, 2 * k + 100, 2 * k + 900] {
            snap.objects.insert(ObjId(id), view(id, "1"));
        }
        let mut table = EventLog::default();
        let first = Checkpoint::new(10, &snap, &mut table);
        assert_eq!(first.snapshot(&table, None), snap);
        assert_eq!(first.objects.len(), 3);

        // One object of chunk 1 changes, one of chunk 2 is freed, one of chunk 4 is born.
        let mut touched = TouchedChunks::default();
        snap.objects.insert(ObjId(k + 500), view(k + 500, "2"));
        snap.objects.remove(&ObjId(2 * k + 900));
        snap.objects.insert(ObjId(4 * k + 5), view(4 * k + 5, "3"));
        for id in [k + 500, 2 * k + 900, 4 * k + 5] {
            touched.touch(ObjId(id));
        }
        let second = Checkpoint::of_snapshot(20, &snap, &mut table, Some((&first, &touched)), 0);
        assert_decodes_to(&second, &first, &table, &snap);
        let shared = |c: u32| match (first.chunk(c), second.chunk(c)) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        assert!(shared(0), "chunk 0 was not touched");
        assert!(!shared(1) && !shared(2), "chunks 1 and 2 were");
        assert!(second.chunk(3).is_none() && second.chunk(4).is_some());
        assert!(second.heap_bytes(Some(&first)) < second.heap_bytes(None));
    }

    /// A big container's references are written in pieces of `PIECE`: the full pieces
    /// among the references no change touched are the checkpoint before's, shared; the
    /// rest are written again, and the state decodes the same either way.
    #[test]
    fn checkpoints_share_the_pieces_of_big_containers_no_change_touched() {
        let list = |items: std::ops::Range<u32>| {
            let referents: Vec<Reference> = items
                .enumerate()
                .map(|(i, target)| Reference {
                    label: crate::view::Label::Slot(i as u64),
                    target: ObjId(target),
                })
                .collect();
            Arc::new(ObjectView {
                id: ObjId(7),
                type_name: "list".into(),
                refcount: 1,
                referents: Arc::new(referents),
                ..ObjectView::default()
            })
        };
        let mut snap = Snapshot::default();
        snap.objects.insert(ObjId(7), list(100..3_100));
        let mut table = EventLog::default();
        let first = Checkpoint::new(10, &snap, &mut table);
        assert_eq!(first.pieces_of(ObjId(7)).map(<[_]>::len), Some(3));
        assert_eq!(first.snapshot(&table, None), snap);

        let mut touched = TouchedChunks::default();
        touched.touch(ObjId(7));
        let at = |c: &Checkpoint, k: usize| c.pieces_of(ObjId(7)).unwrap()[k].clone();
        for (unchanged, shared) in [(2_500, [true, true, false, false]), (1_000, [false; 4])] {
            // An item past `unchanged` replaced and 100 appended.
            let mut grown = list(100..3_200);
            let referents = Arc::make_mut(&mut Arc::make_mut(&mut grown).referents);
            referents[2_600].target = ObjId(1);
            snap.objects.insert(ObjId(7), grown);
            let second =
                Checkpoint::of_snapshot(20, &snap, &mut table, Some((&first, &touched)), unchanged);
            assert_eq!(second.pieces_of(ObjId(7)).map(<[_]>::len), Some(4));
            for (k, shared) in shared.into_iter().enumerate().take(3) {
                assert_eq!(
                    Arc::ptr_eq(&at(&first, k), &at(&second, k)),
                    shared,
                    "piece {k}"
                );
            }
            assert_decodes_to(&second, &first, &table, &snap);
            assert!(second.heap_bytes(Some(&first)) < second.heap_bytes(None) || !shared[0]);
        }
    }

    /// Steps decode as recorded from any index, across marks, with frame changes, lines
    /// going back, a gap between two steps (a deserialised trace may have one) and the
    /// exit step.
    #[test]
    fn compact_steps_decode_as_recorded() {
        let mut recorded = Vec::new();
        let mut first = 5;
        for i in 0..300u32 {
            let events = (i as usize * 7) % 40;
            let gap = if i == 130 { 3 } else { 0 };
            recorded.push(Step {
                kind: if i == 299 {
                    StepKind::Exit
                } else {
                    StepKind::Line
                },
                line: 1 + (i * 13) % 50,
                frame: FrameId(i / 20),
                first_event: first + gap,
                end_event: first + gap + events,
            });
            first += gap + events;
        }
        let mut steps = Steps::default();
        for s in &recorded {
            steps.push(s);
        }
        assert_eq!(steps.len(), recorded.len());
        assert_eq!(steps.iter_from(0).collect::<Vec<_>>(), recorded);
        for i in [0, 1, 63, 64, 65, 130, 200, 299] {
            assert_eq!(steps.get(i), Some(recorded[i]));
            assert_eq!(steps.iter_from(i).collect::<Vec<_>>(), recorded[i..]);
        }
        assert_eq!(steps.get(300), None);
        assert_eq!(steps.iter_from(300).count(), 0);
    }
}
