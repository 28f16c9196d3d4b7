//! The serialisable view model: what one step of a program looks like.
//! The front end and `memlane trace` render these; they never recompute them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A heap object's identity for its whole life. Never reused, unlike its address.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct ObjId(pub u32);

/// A frame's identity for its whole life.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct FrameId(pub u32);

/// One reference held by an object: a list slot, a dict value, an attribute, a cell's contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// How the holder names the slot: `[0]`, `key 'a'`, `.x`, `cell`, `__class__`.
    pub label: Label,
    pub target: ObjId,
}

/// How a holder names one of its references. A position `[i]` and an int key `key i` are
/// kept as their numbers and any other text is shared: a snapshot holding a list of a
/// million items then holds no million strings, which every clone and seek of it
/// allocated (50-80 ms each), and a dict of 200,000 int keys puts no 200,000 texts in the
/// event log's string table (looking them up was 40% of such a run).
/// Made through `From`, which keeps `[i]` as a `Slot` and `key i` as a `Key` whatever its
/// source, so two labels are equal exactly when their texts are. Serialised as its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// `[i]`: a list's or tuple's position, or a dict item whose key shows as `i`.
    Slot(u64),
    /// `key i`: a dict's reference to its int key `i` (as `canonical_int` reads it).
    Key(i64),
    Text(Arc<str>),
}

impl Label {
    /// The label's text, when it is held as text (not a position or an int key).
    pub fn text(&self) -> Option<&str> {
        match self {
            Label::Slot(_) | Label::Key(_) => None,
            Label::Text(t) => Some(t),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Slot(i) => write!(f, "[{i}]"),
            Label::Key(k) => write!(f, "key {k}"),
            Label::Text(t) => f.write_str(t),
        }
    }
}

impl Label {
    fn of_text<T: AsRef<str> + Into<Arc<str>>>(text: T) -> Label {
        let s = text.as_ref();
        if let Some(i) = crate::object::slot_index(s) {
            return Label::Slot(i);
        }
        match int_key(s) {
            Some(k) => Label::Key(k),
            None => Label::Text(text.into()),
        }
    }
}

/// The int `k` of a label `key k`, when `k` is written as Python writes an int.
pub(crate) fn int_key(label: &str) -> Option<i64> {
    label.strip_prefix("key ").and_then(canonical_int)
}

/// `s` as an int when it is one as Python writes it (no sign but a minus, no leading
/// zero, no `-0`) of up to 18 digits, so that its text round-trips.
pub(crate) fn canonical_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s).as_bytes();
    let canonical = !digits.is_empty()
        && digits.len() <= 18
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || (digits.len() == 1 && digits.len() == s.len()));
    if !canonical {
        return None;
    }
    let magnitude = digits.iter().fold(0i64, |n, &d| n * 10 + (d - b'0') as i64);
    Some(if digits.len() < s.len() {
        -magnitude
    } else {
        magnitude
    })
}

impl From<&str> for Label {
    fn from(text: &str) -> Label {
        Label::of_text(text)
    }
}

impl From<String> for Label {
    fn from(text: String) -> Label {
        Label::of_text(text)
    }
}

impl From<Arc<str>> for Label {
    fn from(text: Arc<str>) -> Label {
        Label::of_text(text)
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        match self {
            Label::Slot(i) => crate::object::slot_index(other) == Some(*i),
            Label::Key(k) => int_key(other) == Some(*k),
            Label::Text(t) => **t == *other,
        }
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Label::Slot(_) | Label::Key(_) => s.collect_str(self),
            Label::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Label, D::Error> {
        String::deserialize(d).map(Label::from)
    }
}

/// Where an object's memory came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Statically allocated inside the python3 executable (None, True, small ints).
    Static,
    /// A block of a pymalloc pool.
    #[default]
    Pool,
    /// malloc, for requests over 512 bytes.
    Malloc,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectView {
    pub id: ObjId,
    /// The Python type name: `int`, `list`, `function`, or a class's own name for instances.
    pub type_name: String,
    /// A short value text (`[1, 2]`, `'abc'`, `<function f>`), shortened for long values.
    pub value: String,
    /// `id(obj)`: the simulated virtual address of the object header.
    pub address: u64,
    /// `sys.getsizeof(obj)`.
    pub size: u64,
    /// References the model holds to the object. For immortal objects this is still the
    /// modelled count; `sys.getrefcount` reports the immortal value instead.
    pub refcount: u64,
    /// How many of those references the interpreter holds outside frames and objects
    /// (builtins, sys.modules, a running `__del__`; for 3.11's static singletons, the
    /// references of the whole runtime).
    pub runtime_refs: u64,
    pub immortal: bool,
    pub interned: bool,
    /// `gc.is_tracked(obj)`, and the generation it sits in while tracked.
    pub gc_tracked: bool,
    pub generation: Option<u8>,
    pub placement: Placement,
    /// Machinery the reader does not write: code objects, constant tables, name tuples,
    /// the parser's constant pool, module dicts. Views may hide these.
    pub internal: bool,
    /// Shared between the views it is the same in (copied on a change): a refcount
    /// change to a list of a million items then copies no million references.
    pub referents: Arc<Vec<Reference>>,
}

/// A local name of a frame and the object it refers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    pub target: ObjId,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameView {
    pub id: FrameId,
    /// `<module>` for the module frame, else the function's qualified name.
    pub function: String,
    pub line: u32,
    /// Names bound in the frame, in the order they were first bound.
    pub locals: Vec<Binding>,
    /// The evaluation stack: temporaries the frame holds while it computes an expression.
    pub stack: Vec<ObjId>,
    /// Where CPython 3.11+ keeps this interpreter frame: inside a chunk of the thread's
    /// data stack (heap memory), not on the C stack.
    pub address: u64,
    /// Bytes the frame occupies in the data stack.
    pub size: u64,
    /// Module and class bodies keep their names in a dict object: the bindings shown
    /// here are that dict's entries, not references of their own.
    pub namespace: Option<ObjId>,
    /// A generator's frame between two `next()` calls: it lives inside the generator
    /// object, off the call stack.
    pub suspended: bool,
}

impl FrameView {
    /// Binds `name` to `target`: rebound in place, or added last with the text `text`
    /// gives (a caller may have a spare one to reuse).
    pub(crate) fn bind(&mut self, name: &str, target: ObjId, text: impl FnOnce() -> String) {
        match self.locals.iter_mut().find(|b| b.name == name) {
            Some(b) => b.target = target,
            None => self.locals.push(Binding {
                name: text(),
                target,
            }),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcView {
    pub enabled: bool,
    /// `gc.get_count()`.
    pub counts: [u32; 3],
    /// `gc.get_threshold()`.
    pub thresholds: [u32; 3],
    pub collections: u32,
}

/// Everything there is to see after one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Frames from the outermost (`<module>`) to the innermost (current).
    pub frames: Vec<FrameView>,
    /// Each shared between the snapshots it is the same in (copied on a change), so a
    /// clone of a snapshot costs its number of objects, not their sizes.
    pub objects: BTreeMap<ObjId, Arc<ObjectView>>,
    pub stdout: String,
    /// What the program wrote to stderr before it ended (not the final traceback).
    #[serde(default)]
    pub stderr: String,
    pub gc: GcView,
    /// Virtual memory: RAM frames, page tables, TLB, regions (empty for a trace recorded
    /// without the memory events).
    #[serde(default)]
    pub memory: crate::memory_view::MemoryView,
}

impl Snapshot {
    pub fn object(&self, id: ObjId) -> Option<&ObjectView> {
        self.objects.get(&id).map(|o| &**o)
    }

    /// The physical address of virtual address `vaddr` of the traced process (an object's
    /// `address`, say), None when its page is not resident.
    pub fn physical_address(&self, vaddr: u64) -> Option<u64> {
        self.memory.physical_address(vaddr)
    }

    pub fn frame(&self, id: FrameId) -> Option<&FrameView> {
        self.frames.iter().find(|f| f.id == id)
    }

    fn frame_mut(&mut self, id: FrameId) -> Option<&mut FrameView> {
        self.frames.iter_mut().find(|f| f.id == id)
    }

    /// The objects the program can reach: from frame names and temporaries, through
    /// objects that are not interpreter machinery. What a diagram shows by default.
    pub fn program_objects(&self) -> std::collections::BTreeSet<ObjId> {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo: Vec<ObjId> = Vec::new();
        for f in &self.frames {
            todo.extend(f.locals.iter().map(|b| b.target));
            todo.extend(f.stack.iter().copied());
        }
        while let Some(id) = todo.pop() {
            let Some(o) = self.objects.get(&id) else {
                continue;
            };
            if o.internal || !seen.insert(id) {
                continue;
            }
            todo.extend(o.referents.iter().map(|r| r.target));
        }
        seen
    }

    /// Counts the references the snapshot shows to each object: frame names (of frames
    /// without a namespace dict), evaluation stacks, object slots, and runtime holds.
    pub fn reference_counts(&self) -> std::collections::HashMap<ObjId, u64> {
        let mut counts = std::collections::HashMap::new();
        for f in &self.frames {
            if f.namespace.is_none() {
                for b in &f.locals {
                    *counts.entry(b.target).or_insert(0) += 1;
                }
            }
            for &t in &f.stack {
                *counts.entry(t).or_insert(0) += 1;
            }
        }
        for o in self.objects.values() {
            for r in o.referents.iter() {
                *counts.entry(r.target).or_insert(0) += 1;
            }
            *counts.entry(o.id).or_insert(0) += o.runtime_refs;
        }
        counts
    }

    /// The model's invariant, checked on a snapshot: every live object's refcount equals the
    /// references shown to it, and nothing refers to a freed object.
    pub fn check_invariants(&self) -> Result<(), String> {
        let counts = self.reference_counts();
        for (id, n) in &counts {
            if !self.objects.contains_key(id) && *n > 0 {
                return Err(format!("freed object {id:?} is still referenced"));
            }
        }
        for o in self.objects.values() {
            let shown = counts.get(&o.id).copied().unwrap_or(0);
            if o.refcount != shown {
                return Err(format!(
                    "{} {} ({}) has refcount {} but {} references are shown",
                    o.type_name, o.id.0, o.value, o.refcount, shown
                ));
            }
        }
        Ok(())
    }

    /// Who holds `target`: each holder described in words, one entry per reference.
    pub fn holders(&self, target: ObjId) -> Vec<String> {
        let mut out = Vec::new();
        for frame in &self.frames {
            for b in frame.locals.iter().filter(|b| b.target == target) {
                out.push(format!("name `{}` in {}", b.name, frame.function));
            }
            for _ in frame.stack.iter().filter(|&&t| t == target) {
                out.push(format!(
                    "a temporary on {}'s evaluation stack",
                    frame.function
                ));
            }
        }
        for obj in self.objects.values() {
            for r in obj.referents.iter().filter(|r| r.target == target) {
                out.push(format!(
                    "{} {} of {} at {:#x}",
                    obj.type_name, r.label, obj.value, obj.address
                ));
            }
        }
        out
    }

    /// As `apply`, taking the event: an allocation's view is moved in, not cloned.
    pub fn apply_owned(&mut self, event: crate::event::Event) {
        match event {
            crate::event::Event::Alloc { object } => {
                self.objects.insert(object.id, Arc::new(*object));
            }
            e => self.apply(&e),
        }
    }

    /// Applies one event. Events carry the values after the change, so applying a step's
    /// events in order to the snapshot before it yields the snapshot after it.
    pub fn apply(&mut self, event: &crate::event::Event) {
        use crate::event::Event::*;
        match event {
            Alloc { object } => {
                self.objects.insert(object.id, Arc::new((**object).clone()));
            }
            Refcount {
                obj,
                count,
                delta,
                holder,
            } => {
                if let Some(o) = self.objects.get_mut(obj).map(Arc::make_mut) {
                    o.refcount = *count;
                    if matches!(holder, crate::event::Holder::Runtime { .. }) {
                        o.runtime_refs = o.runtime_refs.saturating_add_signed(*delta as i64);
                    }
                }
            }
            Free { obj, .. } => {
                self.objects.remove(obj);
            }
            Change {
                obj,
                value,
                size,
                referents,
            } => {
                if let Some(o) = self.objects.get_mut(obj).map(Arc::make_mut) {
                    o.value.clone_from(value);
                    o.size = *size;
                    o.referents = Arc::new(referents.clone());
                }
            }
            Flags {
                obj,
                interned,
                immortal,
                gc_tracked,
                generation,
            } => {
                if let Some(o) = self.objects.get_mut(obj).map(Arc::make_mut) {
                    o.interned = *interned;
                    o.immortal = *immortal;
                    o.gc_tracked = *gc_tracked;
                    o.generation = *generation;
                }
            }
            Bind {
                frame,
                name,
                target,
            } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.bind(name, *target, || name.clone());
                }
            }
            Unbind { frame, name } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.locals.retain(|b| &b.name != name);
                }
            }
            Push { frame, obj } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.stack.push(*obj);
                }
            }
            Pop { frame } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.stack.pop();
                }
            }
            FramePush { frame } => self.frames.push((**frame).clone()),
            FramePop { frame } => self.frames.retain(|f| f.id != *frame),
            FrameSuspend { frame } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.suspended = true;
                }
            }
            FrameResume { frame } => {
                if let Some(i) = self.frames.iter().position(|f| f.id == *frame) {
                    let mut f = self.frames.remove(i);
                    f.suspended = false;
                    self.frames.push(f);
                }
            }
            Line { frame, line } => {
                if let Some(f) = self.frame_mut(*frame) {
                    f.line = *line;
                }
            }
            Output { text } => self.stdout.push_str(text),
            Stderr { text } => self.stderr.push_str(text),
            Gc { gc, .. } => self.gc = gc.clone(),
            MemoryStart { .. }
            | ProcessStart { .. }
            | Mmap { .. }
            | Munmap { .. }
            | TlbMiss { .. }
            | PageFault { .. }
            | Evict { .. }
            | TlbCount { .. } => self.memory.apply(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::Heap;
    use crate::object::{List, Payload};
    use crate::profile::Profile;

    fn list_holding_int() -> Snapshot {
        let mut heap = Heap::new(Profile::default());
        let n = heap.int_i64(1000);
        let l = heap.alloc(Payload::List(List {
            items: vec![n],
            capacity: 1,
        }));
        heap.incref(
            n,
            crate::event::Holder::Object {
                obj: l,
                label: "[0]".into(),
            },
        );
        heap.incref_runtime(l, "test");
        heap.changed(l);
        let trace = heap.finish(crate::trace::Outcome::Finished);
        trace.snapshot_at_event(trace.event_count())
    }

    #[test]
    fn a_consistent_snapshot_passes() {
        list_holding_int().check_invariants().unwrap();
    }

    #[test]
    fn a_wrong_refcount_is_caught() {
        let mut snap = list_holding_int();
        let int = snap
            .objects
            .values_mut()
            .find(|o| o.type_name == "int")
            .map(Arc::make_mut)
            .unwrap();
        int.refcount += 1;
        let err = snap.check_invariants().unwrap_err();
        assert!(err.contains("has refcount 2 but 1 references"), "{err}");
    }

    #[test]
    fn a_reference_to_a_freed_object_is_caught() {
        let mut snap = list_holding_int();
        let int = snap
            .objects
            .values()
            .find(|o| o.type_name == "int")
            .unwrap()
            .id;
        snap.objects.remove(&int);
        let err = snap.check_invariants().unwrap_err();
        assert!(err.contains("freed object"), "{err}");
    }

    #[test]
    fn holders_are_described() {
        let snap = list_holding_int();
        let int = snap
            .objects
            .values()
            .find(|o| o.type_name == "int")
            .unwrap()
            .id;
        let holders = snap.holders(int);
        assert_eq!(holders.len(), 1);
        assert!(holders[0].starts_with("list [0]"), "{holders:?}");
    }

    /// A label made from any text is a position exactly when the text is `[i]` as
    /// `index_label` writes it, so equal texts make equal labels; it prints and
    /// serialises as its text, and reads back the same.
    #[test]
    fn labels_keep_positions_as_numbers_and_print_as_text() {
        use crate::object::index_label;
        for i in [0u64, 7, 10, 999, 1_000_000, 999_999_999_999_999_999] {
            let label = Label::from(index_label(i));
            assert_eq!(label, Label::Slot(i));
            assert_eq!(label.to_string(), index_label(i));
            assert_eq!(label, *index_label(i).as_str());
        }
        for text in [
            "[01]",
            "[-1]",
            "[x]",
            "['a']",
            "[]",
            "key 'a'",
            ".x",
            "__class__",
            "[1]x",
        ] {
            let label = Label::from(text);
            assert_eq!(label.text(), Some(text), "{text}");
            assert_eq!(label.to_string(), text);
            assert_eq!(label, text);
        }
        assert_ne!(Label::Slot(1), "[01]");
        assert_ne!(Label::from(".x"), ".y");
        let refs = vec![
            Reference {
                label: Label::Slot(12),
                target: ObjId(3),
            },
            Reference {
                label: Label::from("key 'a'"),
                target: ObjId(4),
            },
        ];
        let json = serde_json::to_string(&refs).unwrap();
        assert_eq!(
            json,
            r#"[{"label":"[12]","target":3},{"label":"key 'a'","target":4}]"#
        );
        let back: Vec<Reference> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, refs);
    }
}
