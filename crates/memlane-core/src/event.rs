//! Every change of the model is an event; a step's events are the micro-steps the UI animates.

use crate::paging::{PteWrite, WalkStep};
use crate::physical::FrameUse;
use crate::view::{FrameId, FrameView, GcView, ObjId, ObjectView, Reference};
use crate::vmem::{Access, NewTable, Region, Replacement};
use serde::{Deserialize, Serialize};

/// Who gained or dropped a reference, for narration ("`b = a` binds b ...").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Holder {
    /// A name in a frame (a fast local, a cell variable's cell, or a module global).
    Name { frame: FrameId, name: String },
    /// A frame's evaluation stack (a temporary).
    Stack { frame: FrameId },
    /// A slot of another object.
    Object { obj: ObjId, label: String },
    /// The interpreter itself (sys.intern's table, the running function, builtins).
    Runtime { what: String },
}

/// A `Holder` borrowed: what the heap's reference counting takes, so the hot paths
/// (temporaries, runtime holds) build no `String` for an event the log stores by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderRef<'a> {
    Name {
        frame: FrameId,
        name: &'a str,
    },
    Stack {
        frame: FrameId,
    },
    Object {
        obj: ObjId,
        label: &'a str,
    },
    /// Slot `index` of a list or tuple: `Holder::Object` with the label `[index]`, which
    /// the event log stores as the number (no text is made for it while recording).
    Slot {
        obj: ObjId,
        index: usize,
    },
    /// A dict's reference to its int key `key`: `Holder::Object` with the label `key 5`,
    /// also stored as the number.
    Key {
        obj: ObjId,
        key: i64,
    },
    Runtime {
        what: &'a str,
    },
}

impl Holder {
    pub fn as_ref(&self) -> HolderRef<'_> {
        match self {
            Holder::Name { frame, name } => HolderRef::Name {
                frame: *frame,
                name,
            },
            Holder::Stack { frame } => HolderRef::Stack { frame: *frame },
            Holder::Object { obj, label } => HolderRef::Object { obj: *obj, label },
            Holder::Runtime { what } => HolderRef::Runtime { what },
        }
    }
}

impl<'a> HolderRef<'a> {
    /// `obj`'s reference labelled `label`, as a holder: a position or an int key as its
    /// number (no text made and parsed back).
    pub fn of_label(obj: ObjId, label: &'a crate::view::Label) -> HolderRef<'a> {
        use crate::view::Label;
        match label {
            Label::Slot(i) => HolderRef::Slot {
                obj,
                index: *i as usize,
            },
            Label::Key(key) => HolderRef::Key { obj, key: *key },
            Label::Text(label) => HolderRef::Object { obj, label },
        }
    }

    pub fn to_owned(self) -> Holder {
        match self {
            HolderRef::Name { frame, name } => Holder::Name {
                frame,
                name: name.to_owned(),
            },
            HolderRef::Stack { frame } => Holder::Stack { frame },
            HolderRef::Object { obj, label } => Holder::Object {
                obj,
                label: label.to_owned(),
            },
            HolderRef::Slot { obj, index } => Holder::Object {
                obj,
                label: crate::object::index_label(index as u64),
            },
            HolderRef::Key { obj, key } => Holder::Object {
                obj,
                label: crate::view::Label::Key(key).to_string(),
            },
            HolderRef::Runtime { what } => Holder::Runtime {
                what: what.to_owned(),
            },
        }
    }
}

/// The phases of one cyclic garbage collection, as CPython's `gc_collect_main` runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GcPhase {
    /// The collection starts for generations 0..=generation.
    Start { generation: u8 },
    /// gc_refs := refcount for every tracked object of those generations.
    CopyRefcounts,
    /// gc_refs -= 1 for each reference from inside the set.
    SubtractInternal,
    /// Objects left with gc_refs > 0, and everything they reach, are reachable; the rest are not.
    FindUnreachable,
    /// `__del__` of unreachable objects runs (once per object, PEP 442).
    Finalize,
    /// Unreachable objects' references are cleared, which frees them.
    Clear,
    /// Survivors move to the next generation.
    Done { collected: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// A new object, with its state at birth (refcount 0 until its first holder takes it).
    Alloc {
        object: Box<ObjectView>,
    },
    /// A reference count changed to `count`.
    Refcount {
        obj: ObjId,
        count: u64,
        delta: i8,
        holder: Holder,
    },
    /// The object's memory went back to the allocator (or to a free list).
    Free {
        obj: ObjId,
        address: u64,
    },
    /// A container or attribute holder changed its contents.
    Change {
        obj: ObjId,
        value: String,
        size: u64,
        referents: Vec<Reference>,
    },
    /// Interning, immortality or GC tracking changed.
    Flags {
        obj: ObjId,
        interned: bool,
        immortal: bool,
        gc_tracked: bool,
        generation: Option<u8>,
    },
    /// A name in a frame now refers to `target`.
    Bind {
        frame: FrameId,
        name: String,
        target: ObjId,
    },
    Unbind {
        frame: FrameId,
        name: String,
    },
    /// A temporary pushed onto / popped off a frame's evaluation stack.
    Push {
        frame: FrameId,
        obj: ObjId,
    },
    Pop {
        frame: FrameId,
    },
    FramePush {
        frame: Box<FrameView>,
    },
    FramePop {
        frame: FrameId,
    },
    /// A generator's frame leaves the call stack at `yield`, and comes back on `next()`.
    FrameSuspend {
        frame: FrameId,
    },
    FrameResume {
        frame: FrameId,
    },
    /// A frame moved to another line.
    Line {
        frame: FrameId,
        line: u32,
    },
    /// Text written to stdout.
    Output {
        text: String,
    },
    /// Text written to stderr while the program runs (an exception ignored in `__del__`).
    Stderr {
        text: String,
    },
    /// A cycle-collector phase; `objects` are the ones the phase marks, and during the
    /// refcount phases `gc_refs` holds each one's working count (same order).
    Gc {
        phase: GcPhase,
        objects: Vec<ObjId>,
        gc_refs: Vec<u64>,
        gc: GcView,
    },
    // ----- virtual memory (vmem.rs; docs/virtual-memory.md) -----
    // Lists are boxed slices: these events are rare, and keeping `Event` no larger than
    // the variants above keeps the millions of refcount events small.
    /// Physical RAM at boot: what each frame holds (kernel, other processes, free).
    MemoryStart {
        frames: Box<[FrameUse]>,
        tlb_entries: u32,
        replacement: Replacement,
    },
    /// A simulated process starts; its PML4 table (what CR3 points at) is in frame `root`.
    ProcessStart {
        pid: u32,
        name: String,
        root: u32,
    },
    /// A region of a process's address space was mapped (exec, mmap, brk). A region with
    /// the same start replaces the old one: brk grows `[heap]` this way.
    Mmap {
        pid: u32,
        region: Region,
    },
    /// A region was unmapped: the page-table entries cleared, the frames freed (its pages
    /// and the page tables it left empty), the swap slots its evicted pages held.
    Munmap {
        pid: u32,
        start: u64,
        len: u64,
        writes: Box<[PteWrite]>,
        frames: Box<[u32]>,
        swap_slots: Box<[u32]>,
    },
    /// An access missed the TLB and the MMU walked the page tables. With `frame` the walk
    /// succeeded: it may set the accessed bit (`writes`) and the translation is cached,
    /// replacing the least recently used entry's page `replaced`. Without, a page fault
    /// follows.
    TlbMiss {
        pid: u32,
        address: u64,
        walk: Box<[WalkStep]>,
        frame: Option<u32>,
        writes: Box<[PteWrite]>,
        replaced: Option<u64>,
    },
    /// The kernel handled a page fault: it allocated the missing page tables and a frame
    /// (reading the page back from swap slot `swap_in` if it had been evicted). `frame`
    /// is None only when RAM held nothing it could evict.
    PageFault {
        pid: u32,
        address: u64,
        access: Access,
        frame: Option<u32>,
        tables: Box<[NewTable]>,
        writes: Box<[PteWrite]>,
        swap_in: Option<u32>,
    },
    /// RAM was full: page `vpn` of `pid` was written to swap slot `slot` and its frame
    /// freed. `writes` also holds the accessed bits the clock hand cleared on its way.
    Evict {
        pid: u32,
        vpn: u64,
        frame: u32,
        slot: u32,
        writes: Box<[PteWrite]>,
    },
    /// TLB hits and misses since the previous count (at most one per step; hits are
    /// counted, not recorded one by one).
    TlbCount {
        hits: u64,
        misses: u64,
    },
}
