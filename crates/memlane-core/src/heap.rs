//! The heap: every Python object, its reference count, its memory, its GC state.
//! Every change goes through here and is recorded as an event.

use crate::alloc::Allocator;
use crate::event::{Event, Holder, HolderRef};
use crate::hash::{hash_float, hash_int, hash_str, hash_tuple, Key, NoKey};
use crate::log::PositionSplice;
use crate::object::*;
use crate::profile::{Profile, IMMORTAL_REFCOUNT};
use crate::trace::{Outcome, Recorder, Splice, Trace};
use crate::view::{FrameId, Label, ObjId, ObjectView, Placement, Reference};
use crate::vmem::{Access, MemoryConfig};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// CPython's per-type free lists (lists, dicts and floats hold up to this many freed objects;
/// tuples this many per length 1..=19).
const LIST_FREELIST: usize = 80;
const DICT_FREELIST: usize = 80;
const FLOAT_FREELIST: usize = 100;
const TUPLE_FREELIST: usize = 2000;
const TUPLE_FREELIST_LENGTHS: usize = 20;
/// 3.11 initialised statically allocated singletons with this refcount.
const PY311_STATIC_REFCOUNT: u64 = 999_999_999;

pub const GC_HEADER: u64 = 16;
/// References the standard library holds to its interned one-letter names (an estimate:
/// the real number depends on which modules start-up imported).
const STDLIB_NAME_REFS: u64 = 10;

#[derive(Clone, Copy, Debug, Default)]
struct InstanceValues {
    class: Option<ObjId>,
    /// Bytes after the object (3.13).
    inline: u64,
    /// Bytes of a separate values array (3.11, 3.12).
    separate: u64,
}

#[derive(Clone, Debug, Default)]
struct FreeLists {
    lists: Vec<u64>,
    dicts: Vec<u64>,
    floats: Vec<u64>,
    tuples: Vec<Vec<u64>>,
}

#[derive(Clone, Debug, Default)]
struct Statics {
    none: Option<ObjId>,
    true_: Option<ObjId>,
    false_: Option<ObjId>,
    small_ints: HashMap<i64, ObjId, crate::hash::FxBuild>,
    empty_tuple: Option<ObjId>,
    empty_str: Option<ObjId>,
    chars: HashMap<char, ObjId, crate::hash::FxBuild>,
    types: HashMap<BuiltinType, ObjId, crate::hash::FxBuild>,
    /// Each kind of iterator's own type (`list_iterator`, `zip`, `map`, ...).
    iterator_types: HashMap<IterKind, ObjId, crate::hash::FxBuild>,
    next_address: u64,
}

/// How a class's instances hash (`Heap::hash_method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashMethod {
    /// By address, `object.__hash__`.
    Identity,
    /// By calling this `__hash__` function.
    Python(ObjId),
    /// `__hash__` is None.
    Unhashable,
}

/// The cycle collector's bookkeeping: which tracked objects sit in which generation, in
/// the order they were tracked (the order collections walk them).
#[derive(Clone, Debug)]
pub struct GcState {
    pub enabled: bool,
    pub thresholds: [u32; 3],
    pub counts: [u32; 3],
    pub generations: [crate::gc::GcList; 3],
    pub collecting: bool,
    pub collections: u32,
    /// Objects that survived a gen-1 collection since the last full one.
    pub long_lived_pending: usize,
    pub long_lived_total: usize,
}

pub struct Heap {
    pub profile: Profile,
    /// Blocks the interpreter's start-up objects occupy (never freed).
    pub startup_blocks: Vec<u64>,
    objects: Vec<Option<Box<Object>>>,
    pub allocator: Allocator,
    pub recorder: Recorder,
    statics: Statics,
    interned: HashMap<Rc<str>, ObjId, crate::hash::FxBuild>,
    free_lists: FreeLists,
    pub gc: GcState,
    /// Objects whose refcount reached zero and whose `__del__` must run before they go.
    pending_finalizers: Vec<ObjId>,
    live: usize,
    /// A reused buffer for a container's summary text (`changed`).
    summary: String,
}

/// A cap on value texts in views.
const VALUE_TEXT_MAX: usize = 60;

impl Heap {
    pub fn new(profile: Profile) -> Heap {
        Heap::with_memory(profile, MemoryConfig::default())
    }

    /// A heap in a machine of the given memory configuration (RAM, TLB, ...).
    pub fn with_memory(profile: Profile, memory: MemoryConfig) -> Heap {
        let thresholds = profile.gc_thresholds();
        let mut allocator = Allocator::with_memory(memory);
        // By the time a script runs, the interpreter's own objects (modules, functions,
        // strings of start-up) hold blocks in pools of every size class. One block per class
        // stands for them, so freeing a program's last object in a pool does not empty it.
        let startup_blocks = (1..=crate::alloc::SIZE_CLASSES)
            .map(|c| allocator.malloc(crate::alloc::block_size(c - 1)))
            .collect();
        if memory.twin {
            allocator.machine_mut().spawn_twin();
        }
        let static_base = allocator.machine().layout().static_base;
        let mut heap = Heap {
            startup_blocks,
            profile,
            objects: Vec::new(),
            allocator,
            recorder: Recorder::new(),
            statics: Statics {
                next_address: static_base,
                ..Statics::default()
            },
            interned: HashMap::default(),
            free_lists: FreeLists {
                tuples: vec![Vec::new(); TUPLE_FREELIST_LENGTHS],
                ..FreeLists::default()
            },
            gc: GcState {
                enabled: true,
                thresholds,
                counts: [0; 3],
                generations: Default::default(),
                collecting: false,
                collections: 0,
                long_lived_pending: 0,
                long_lived_total: 0,
            },
            pending_finalizers: Vec::new(),
            live: 0,
            summary: String::new(),
        };
        heap.flush_memory_events();
        heap
    }

    pub fn finish(mut self, outcome: Outcome) -> Trace {
        self.close_memory_step();
        self.recorder.finish(self.profile, outcome)
    }

    pub fn record(&mut self, event: Event) {
        self.flush_memory_events();
        self.recorder.record(event);
    }

    /// Records `Event::Push` (what `record` would, without building the event).
    pub fn record_push(&mut self, frame: FrameId, obj: ObjId) {
        self.flush_memory_events();
        self.recorder.record_push(frame, obj);
    }

    /// Records `Event::Pop`.
    #[inline]
    pub fn record_pop(&mut self, frame: FrameId) {
        self.flush_memory_events();
        self.recorder.record_pop(frame);
    }

    /// Records `Event::FramePop`.
    pub fn record_frame_pop(&mut self, frame: FrameId) {
        self.flush_memory_events();
        self.recorder.record_frame_pop(frame);
    }

    /// Records `Event::Bind`.
    pub fn record_bind(&mut self, frame: FrameId, name: &str, target: ObjId) {
        self.flush_memory_events();
        self.recorder.record_bind(frame, name, target);
    }

    /// Records `Event::Unbind`.
    pub fn record_unbind(&mut self, frame: FrameId, name: &str) {
        self.flush_memory_events();
        self.recorder.record_unbind(frame, name);
    }

    /// Records `Event::Line`.
    pub fn record_line(&mut self, frame: FrameId, line: u32) {
        self.flush_memory_events();
        self.recorder.record_line(frame, line);
    }

    /// Records a reference taken over by `holder` (delta 0: the count stays as it is).
    pub fn record_moved(&mut self, obj: ObjId, holder: HolderRef<'_>) {
        let count = self.get(obj).refcount;
        self.record_refcount(obj, count, 0, holder);
    }

    fn record_refcount(&mut self, obj: ObjId, count: u64, delta: i8, holder: HolderRef<'_>) {
        self.flush_memory_events();
        self.recorder.record_refcount(obj, count, delta, holder);
    }

    /// Starts a step (see `Recorder::begin_step`), first closing the last one's memory
    /// accounting so its events and TLB counts stay in it.
    pub fn begin_step(&mut self, frame: FrameId, line: u32) {
        self.close_memory_step();
        self.recorder.begin_step(frame, line);
    }

    /// Starts the interpreter-shutdown step (see `Recorder::begin_exit_step`).
    pub fn begin_exit_step(&mut self) {
        self.close_memory_step();
        self.recorder.begin_exit_step();
    }

    /// Records what the virtual-memory model did since the last event (page faults, TLB
    /// misses, maps and unmaps), before the event that caused it.
    #[inline]
    fn flush_memory_events(&mut self) {
        if self.allocator.machine().has_events() {
            self.record_memory_events();
        }
    }

    #[inline(never)]
    fn record_memory_events(&mut self) {
        for e in self.allocator.machine_mut().take_events() {
            self.recorder.record(e);
        }
    }

    fn close_memory_step(&mut self) {
        self.flush_memory_events();
        if let Some(count) = self.allocator.machine_mut().take_counts() {
            self.recorder.record(count);
        }
    }

    /// The access an object's reference count change makes: a write, except for immortal
    /// objects, whose count CPython only reads (PEP 683).
    fn touch_refcount(&mut self, id: ObjId) {
        let o = self.get(id);
        let access = if o.immortal && self.profile.has_immortal_objects() {
            Access::Read
        } else {
            Access::Write
        };
        let address = o.address;
        self.allocator.touch(address, access);
    }

    // ----- access -----

    pub fn get(&self, id: ObjId) -> &Object {
        self.objects[id.0 as usize].as_deref().expect("live object")
    }

    pub fn get_mut(&mut self, id: ObjId) -> &mut Object {
        self.objects[id.0 as usize]
            .as_deref_mut()
            .expect("live object")
    }

    pub fn is_live(&self, id: ObjId) -> bool {
        self.objects.get(id.0 as usize).is_some_and(Option::is_some)
    }

    pub fn payload(&self, id: ObjId) -> &Payload {
        &self.get(id).payload
    }

    pub fn live_count(&self) -> usize {
        self.live
    }

    pub fn live_ids(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_some())
            .map(|(i, _)| ObjId(i as u32))
    }

    /// What `sys.getrefcount` reports (before the caller's own argument reference).
    pub fn reported_refcount(&self, id: ObjId) -> u64 {
        let o = self.get(id);
        if o.immortal {
            IMMORTAL_REFCOUNT
        } else {
            o.refcount
        }
    }

    // ----- allocation -----

    /// Allocates a new object in pymalloc (or a free list); refcount 0 until a holder takes it.
    pub fn alloc(&mut self, payload: Payload) -> ObjId {
        self.alloc_with(payload, false)
    }

    /// Allocates an object the reader does not write (code objects, name tables, ...).
    pub fn alloc_internal(&mut self, payload: Payload) -> ObjId {
        self.alloc_with(payload, true)
    }

    /// Allocates through the type's `tp_alloc`, bypassing its free list (`list()`, `dict()`).
    pub fn alloc_generic(&mut self, payload: Payload) -> ObjId {
        self.alloc_with_options(payload, false, false)
    }

    /// An object the interpreter made at start-up, before the program (a built-in function,
    /// a module): it does not count as a new allocation and sits in the oldest generation.
    pub fn alloc_preexisting(&mut self, payload: Payload) -> ObjId {
        let id = self.alloc_with(payload, true);
        if self.get(id).payload.is_gc_type() {
            self.gc.counts[0] = self.gc.counts[0].saturating_sub(1);
        }
        if self.get(id).gc_tracked {
            self.gc.generations[0].remove(id);
            self.get_mut(id).generation = 2;
            self.gc.generations[2].insert(id);
            self.record_flags(id);
        }
        id
    }

    fn alloc_with(&mut self, payload: Payload, internal: bool) -> ObjId {
        self.alloc_with_options(payload, internal, true)
    }

    fn alloc_with_options(&mut self, payload: Payload, internal: bool, free_lists: bool) -> ObjId {
        let gc_type = payload.is_gc_type();
        let preheader = if matches!(payload, Payload::Instance(_)) {
            self.profile.instance_preheader()
        } else {
            0
        };
        let header = if gc_type { GC_HEADER } else { 0 };
        let values = self.instance_values(&payload);
        let block_len = self.block_len(&payload) + values.inline;
        let block = if free_lists {
            self.take_block(&payload, block_len)
        } else {
            self.allocator.malloc(block_len)
        };
        let address = block + header + preheader;
        let track = self.tracked_at_birth(&payload);
        let mut object = Object {
            refcount: 0,
            runtime_refs: 0,
            payload,
            address,
            block,
            block_len,
            storage: None,
            placement: Placement::Pool,
            immortal: false,
            interned: false,
            gc_tracked: false,
            generation: 0,
            finalized: false,
            internal,
        };
        if block_len > crate::alloc::SMALL_REQUEST_THRESHOLD {
            object.placement = Placement::Malloc;
        }
        let id = self.insert(object);
        self.resize_storage(id);
        if values.separate > 0 {
            let addr = self.allocator.malloc(values.separate);
            self.get_mut(id).storage = Some((addr, values.separate));
        }
        if let (Some(class), true) = (values.class, values.inline > 0) {
            // 3.13 `_PyObject_InitInlineValues`: each new instance shrinks the class's
            // shared keys by one slot, so later instances are smaller.
            if let Payload::Class(c) = &mut self.get_mut(class).payload {
                if c.shared_keys.usable > 1 {
                    c.shared_keys.usable -= 1;
                }
            }
        }
        if gc_type {
            self.gc.counts[0] += 1;
        }
        self.record_alloc(id);
        if track {
            self.track(id);
        }
        id
    }

    fn insert(&mut self, object: Object) -> ObjId {
        let id = ObjId(self.objects.len() as u32);
        self.objects.push(Some(Box::new(object)));
        self.live += 1;
        id
    }

    fn record_alloc(&mut self, id: ObjId) {
        let mut view = self.recorder.spare_view();
        self.view_into(id, &mut view);
        self.record(Event::Alloc { object: view });
    }

    /// The attribute values of an instance of a Python class: inline after the object in
    /// 3.13, a separately allocated values array in 3.11 and 3.12.
    fn instance_values(&self, payload: &Payload) -> InstanceValues {
        let Payload::Instance(inst) = payload else {
            return InstanceValues::default();
        };
        let Payload::Class(c) = &self.get(inst.class).payload else {
            return InstanceValues::default();
        };
        if c.builtin.is_some()
            || self
                .class_lookup_builtin(inst.class)
                .is_some_and(|t| t != BuiltinType::Object)
        {
            return InstanceValues::default();
        }
        let size = c.shared_keys.size();
        if self.profile.version >= crate::profile::Version::Py313 {
            // _PyInlineValuesSize: a rounded order prefix, then size + 1 slots.
            InstanceValues {
                class: Some(inst.class),
                inline: size.div_ceil(8) * 8 + (size + 1) * 8,
                separate: 0,
            }
        } else {
            // new_values(): a prefix of size + 2 bytes rounded up, then size slots.
            InstanceValues {
                class: Some(inst.class),
                inline: 0,
                separate: (size + 2).div_ceil(8) * 8 + size * 8,
            }
        }
    }

    /// The built-in type a class derives from.
    fn class_lookup_builtin(&self, class: ObjId) -> Option<BuiltinType> {
        let mut cur = Some(class);
        while let Some(c) = cur {
            match &self.get(c).payload {
                Payload::Class(cls) => {
                    if cls.builtin.is_some() {
                        return cls.builtin;
                    }
                    cur = cls.bases.first().copied();
                }
                _ => return None,
            }
        }
        None
    }

    /// Bytes of the object's own block: what `sys.getsizeof` counts minus separately
    /// allocated storage, plus the pre-header of instances.
    fn block_len(&self, payload: &Payload) -> u64 {
        match payload {
            Payload::List(_) => 56,
            Payload::Dict(_) => 64,
            Payload::Set(_) => 216,
            Payload::Instance(_) => self.profile.instance_size(),
            _ => self.base_size(payload),
        }
    }

    fn take_block(&mut self, payload: &Payload, len: u64) -> u64 {
        let reused = match payload {
            Payload::List(_) => self.free_lists.lists.pop(),
            Payload::Dict(_) => self.free_lists.dicts.pop(),
            Payload::Float(_) => self.free_lists.floats.pop(),
            Payload::Tuple(items) if !items.is_empty() && items.len() < TUPLE_FREELIST_LENGTHS => {
                self.free_lists.tuples[items.len()].pop()
            }
            _ => None,
        };
        reused.unwrap_or_else(|| self.allocator.malloc(len))
    }

    /// Returns the block to its free list, or to pymalloc.
    fn release_block(&mut self, payload: &Payload, block: u64) {
        let list = match payload {
            Payload::List(_) => Some((&mut self.free_lists.lists, LIST_FREELIST)),
            Payload::Dict(_) => Some((&mut self.free_lists.dicts, DICT_FREELIST)),
            Payload::Float(_) => Some((&mut self.free_lists.floats, FLOAT_FREELIST)),
            Payload::Tuple(items) if !items.is_empty() && items.len() < TUPLE_FREELIST_LENGTHS => {
                Some((&mut self.free_lists.tuples[items.len()], TUPLE_FREELIST))
            }
            _ => None,
        };
        match list {
            Some((list, cap)) if list.len() < cap => {
                list.push(block);
                // Floats and tuples are chained through the freed object itself; lists
                // and dicts sit in an array of the interpreter state.
                if matches!(payload, Payload::Float(_) | Payload::Tuple(_)) {
                    self.allocator.touch(block, Access::Write);
                }
            }
            _ => self.allocator.free(block),
        }
    }

    /// `gc.collect()` of the oldest generation empties the free lists.
    pub fn clear_free_lists(&mut self) {
        let mut blocks = Vec::new();
        blocks.append(&mut self.free_lists.lists);
        blocks.append(&mut self.free_lists.dicts);
        blocks.append(&mut self.free_lists.floats);
        for t in &mut self.free_lists.tuples {
            blocks.append(t);
        }
        for b in blocks {
            self.allocator.free(b);
        }
    }

    /// Keeps a list's item array or a dict's keys table the size CPython would give it.
    fn resize_storage(&mut self, id: ObjId) {
        let want = match &self.get(id).payload {
            Payload::List(l) => l.capacity as u64 * 8,
            Payload::Dict(d) => self.dict_keys_size(d),
            Payload::Set(s) if s.table.len() > 8 => s.table.len() as u64 * 16,
            // An instance's values array keeps the size it was given.
            Payload::Instance(_) => return,
            _ => 0,
        };
        let have = self.get(id).storage.map_or(0, |(_, len)| len);
        if want == have {
            return;
        }
        if let Some((addr, _)) = self.get(id).storage {
            self.allocator.free(addr);
        }
        let storage = (want > 0).then(|| (self.allocator.malloc(want), want));
        self.get_mut(id).storage = storage;
    }

    fn dict_keys_size(&self, d: &Dict) -> u64 {
        let Some(log2) = d.log2_size else { return 0 };
        let index_bytes: u64 = match log2 {
            0..=7 => 1,
            8..=15 => 2,
            16..=31 => 4,
            _ => 8,
        } << log2;
        let entry = if d.unicode { 16 } else { 24 };
        32 + index_bytes + d.usable() as u64 * entry
    }

    /// A statically allocated object inside the python3 executable.
    fn alloc_static(&mut self, payload: Payload) -> ObjId {
        self.alloc_static_with(payload, PY311_STATIC_REFCOUNT)
    }

    /// `py311_refs`: the refcount 3.11 gives the object from the rest of the runtime.
    fn alloc_static_with(&mut self, payload: Payload, py311_refs: u64) -> ObjId {
        let size = self.base_size(&payload).max(16);
        let address = self.statics.next_address;
        self.statics.next_address += size.div_ceil(16) * 16;
        let machine = self.allocator.machine_mut();
        machine.extend_region(machine.layout().static_base, self.statics.next_address);
        self.allocator.touch_range(address, size, Access::Write);
        let (immortal, runtime_refs) = if self.profile.has_immortal_objects() {
            (true, 0)
        } else {
            (false, py311_refs)
        };
        let id = self.insert(Object {
            refcount: runtime_refs,
            runtime_refs,
            payload,
            address,
            block: address,
            block_len: size,
            storage: None,
            placement: Placement::Static,
            immortal,
            interned: false,
            gc_tracked: false,
            generation: 0,
            finalized: false,
            internal: false,
        });
        self.record_alloc(id);
        id
    }

    // ----- singletons, small ints, interning -----

    pub fn none(&mut self) -> ObjId {
        if let Some(id) = self.statics.none {
            return id;
        }
        let id = self.alloc_static_with(Payload::None, 5000);
        self.statics.none = Some(id);
        id
    }

    pub fn bool(&mut self, value: bool) -> ObjId {
        let slot = if value {
            self.statics.true_
        } else {
            self.statics.false_
        };
        if let Some(id) = slot {
            return id;
        }
        let id = self.alloc_static_with(Payload::Bool(value), 500);
        if value {
            self.statics.true_ = Some(id);
        } else {
            self.statics.false_ = Some(id);
        }
        id
    }

    /// An int: the cached object for -5..=256, else a new object.
    pub fn int(&mut self, value: BigInt) -> ObjId {
        if let Some(small) = value.to_i64().filter(|v| (-5..=256).contains(v)) {
            if let Some(&id) = self.statics.small_ints.get(&small) {
                return id;
            }
            let id = self.alloc_static(Payload::Int(value));
            self.statics.small_ints.insert(small, id);
            return id;
        }
        self.alloc(Payload::Int(value))
    }

    pub fn int_i64(&mut self, value: i64) -> ObjId {
        self.int(BigInt::from(value))
    }

    pub fn float(&mut self, value: f64) -> ObjId {
        self.alloc(Payload::Float(value))
    }

    pub fn empty_tuple(&mut self) -> ObjId {
        if let Some(id) = self.statics.empty_tuple {
            return id;
        }
        let id = self.alloc_static(Payload::Tuple(Vec::new()));
        self.statics.empty_tuple = Some(id);
        id
    }

    /// A str: `""` and one-character Latin-1 strings are cached singletons, others new.
    pub fn str(&mut self, value: &str) -> ObjId {
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (None, _) => {
                if let Some(id) = self.statics.empty_str {
                    return id;
                }
                let id = self.alloc_static(Payload::Str(Rc::from("")));
                self.set_interned(id);
                self.statics.empty_str = Some(id);
                id
            }
            (Some(c), None) if (c as u32) < 256 => {
                if let Some(&id) = self.statics.chars.get(&c) {
                    return id;
                }
                let id = self.alloc_static(Payload::Str(Rc::from(value)));
                self.set_interned(id);
                self.statics.chars.insert(c, id);
                // 3.13 keeps these statically allocated strings in the interned table, so
                // interning a one-character literal finds them.
                if self.profile.version >= crate::profile::Version::Py313 {
                    self.interned.insert(Rc::from(value), id);
                }
                id
            }
            _ => self.alloc(Payload::Str(Rc::from(value))),
        }
    }

    /// A new str object even for one character (what the parser makes of a literal);
    /// `""` is still the singleton.
    pub fn new_str(&mut self, value: &str) -> ObjId {
        if value.is_empty() {
            return self.str(value);
        }
        self.alloc(Payload::Str(Rc::from(value)))
    }

    /// Drops a runtime hold without freeing: the object is being handed to a new holder
    /// (a built-in's return value on its way to the stack).
    pub fn decref_runtime_soft(&mut self, id: ObjId) {
        let o = self.get_mut(id);
        o.runtime_refs -= 1;
        o.refcount -= 1;
        let count = o.refcount;
        self.touch_refcount(id);
        self.record_refcount(
            id,
            count,
            -1,
            HolderRef::Runtime {
                what: "a reference the interpreter holds",
            },
        );
    }

    /// `sys.intern` / compile-time interning: the canonical object for this text.
    /// Returns the interned object, which is `id` itself if the text was not interned yet.
    pub fn intern(&mut self, id: ObjId) -> ObjId {
        let Payload::Str(text) = &self.get(id).payload else {
            return id;
        };
        if self.get(id).interned {
            return id;
        }
        if let Some(&existing) = self.interned.get(text) {
            return existing;
        }
        let text = text.clone();
        let one_char = text.chars().count() == 1 && text.chars().all(|c| (c as u32) < 256);
        if one_char && self.profile.version >= crate::profile::Version::Py313 {
            return self.str(&text);
        }
        if one_char && text.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            // 3.11 and 3.12: by the time a script runs, the standard library's code objects
            // have interned their one-letter names (`e`, `x`, `_`): a separate object from
            // the Latin-1 singleton, which interning then finds.
            let existing = self.alloc_preexisting(Payload::Str(text.clone()));
            self.get_mut(existing).runtime_refs = STDLIB_NAME_REFS;
            self.get_mut(existing).refcount = STDLIB_NAME_REFS;
            self.record(Event::Refcount {
                obj: existing,
                count: STDLIB_NAME_REFS,
                delta: STDLIB_NAME_REFS as i8,
                holder: Holder::Runtime {
                    what: "the standard library's code objects".into(),
                },
            });
            self.interned.insert(text, existing);
            self.set_interned(existing);
            return existing;
        }
        self.interned.insert(text, id);
        self.set_interned(id);
        id
    }

    /// The interned str for `text`, creating it if needed.
    pub fn interned_str(&mut self, text: &str) -> ObjId {
        if let Some(&id) = self.interned.get(text) {
            return id;
        }
        let id = self.str(text);
        self.intern(id)
    }

    fn set_interned(&mut self, id: ObjId) {
        let immortal = self.profile.interned_strings_immortal() || self.get(id).immortal;
        let o = self.get_mut(id);
        o.interned = true;
        o.immortal = immortal;
        self.record_flags(id);
    }

    /// The type object of a built-in type (static, immortal from 3.12).
    pub fn type_object(&mut self, t: BuiltinType) -> ObjId {
        if let Some(&id) = self.statics.types.get(&t) {
            return id;
        }
        let base = t.base().map(|b| self.type_object(b));
        let id = self.static_class(t.name(), t, base);
        self.statics.types.insert(t, id);
        id
    }

    /// A static, internal type object named `name`, of the built-in type `t`.
    fn static_class(&mut self, name: &str, t: BuiltinType, base: Option<ObjId>) -> ObjId {
        let id = self.alloc_static(Payload::Class(Class {
            name: Rc::from(name),
            bases: Vec::new(),
            attrs: Default::default(),
            builtin: Some(t),
            shared_keys: SharedKeys::default(),
        }));
        self.get_mut(id).internal = true;
        if let Some(b) = base {
            self.class_add_base(id, b);
        }
        id
    }

    /// The type of iterators of `kind`: a subtype of the model's one iterator type, named
    /// as CPython names it, so that `type(zip())` is not `type(iter([]))`.
    pub fn iterator_type(&mut self, kind: IterKind) -> ObjId {
        if let Some(&id) = self.statics.iterator_types.get(&kind) {
            return id;
        }
        let base = self.type_object(BuiltinType::Iterator);
        let id = self.static_class(kind.type_name(), BuiltinType::Iterator, Some(base));
        self.statics.iterator_types.insert(kind, id);
        id
    }

    fn class_add_base(&mut self, class: ObjId, base: ObjId) {
        let i = match &mut self.get_mut(class).payload {
            Payload::Class(c) => {
                c.bases.push(base);
                c.bases.len() - 1
            }
            _ => return,
        };
        self.incref(
            base,
            Holder::Object {
                obj: class,
                label: format!("__bases__[{i}]"),
            },
        );
        self.changed(class);
    }

    // ----- reference counting -----

    pub fn incref(&mut self, id: ObjId, holder: Holder) {
        self.incref_by(id, holder.as_ref());
    }

    /// `incref` with a borrowed holder (no `String` built for the event).
    pub fn incref_by(&mut self, id: ObjId, holder: HolderRef<'_>) {
        let o = self.get_mut(id);
        o.refcount += 1;
        let count = o.refcount;
        self.touch_refcount(id);
        self.record_refcount(id, count, 1, holder);
    }

    /// A reference from the runtime (builtins, sys.modules, a running `__del__`).
    pub fn incref_runtime(&mut self, id: ObjId, what: &str) {
        self.get_mut(id).runtime_refs += 1;
        self.incref_by(id, HolderRef::Runtime { what });
    }

    pub fn decref_runtime(&mut self, id: ObjId, what: &str) {
        self.get_mut(id).runtime_refs -= 1;
        self.decref_by(id, HolderRef::Runtime { what });
    }

    /// Drops a reference; at zero the object is finalized or freed, and what it held is
    /// released in turn (iteratively: deep structures do not exhaust the Rust stack).
    pub fn decref(&mut self, id: ObjId, holder: Holder) {
        self.decref_by(id, holder.as_ref());
    }

    /// `decref` with a borrowed holder.
    pub fn decref_by(&mut self, id: ObjId, holder: HolderRef<'_>) {
        if self.drop_ref(id, holder) {
            self.dealloc(id);
        }
    }

    /// Decrements; true when the object must now be deallocated.
    fn drop_ref(&mut self, id: ObjId, holder: HolderRef<'_>) -> bool {
        let o = self.get_mut(id);
        debug_assert!(o.refcount > 0, "decref of an object with no references");
        o.refcount = o.refcount.saturating_sub(1);
        let count = o.refcount;
        let static_object = o.placement == Placement::Static;
        self.touch_refcount(id);
        self.record_refcount(id, count, -1, holder);
        if count > 0 || static_object {
            return false;
        }
        if self.needs_finalizer(id) {
            self.pending_finalizers.push(id);
            return false;
        }
        true
    }

    fn needs_finalizer(&self, id: ObjId) -> bool {
        let o = self.get(id);
        !o.finalized
            && matches!(&o.payload, Payload::Instance(inst) if self.class_lookup(inst.class, "__del__").is_some())
    }

    /// Instances waiting for their `__del__` (the interpreter runs them, then calls
    /// `finish_finalizer`).
    pub fn has_pending_finalizers(&self) -> bool {
        !self.pending_finalizers.is_empty()
    }

    pub fn take_pending_finalizers(&mut self) -> Vec<ObjId> {
        std::mem::take(&mut self.pending_finalizers)
    }

    pub fn mark_finalized(&mut self, id: ObjId) {
        self.get_mut(id).finalized = true;
    }

    /// After `__del__` ran: free the object unless it was resurrected.
    pub fn finish_finalizer(&mut self, id: ObjId) {
        if self.is_live(id) && self.get(id).refcount == 0 {
            self.dealloc(id);
        }
    }

    fn dealloc(&mut self, root: ObjId) {
        let order = self.dealloc_order(root);
        self.untrack(root);
        if order.is_empty() {
            // An int, a str, an empty container: nothing to release in turn.
            self.release(root);
            return;
        }
        let mut stack = Vec::with_capacity(4);
        stack.push((root, order));
        while let Some((obj, children)) = stack.last_mut() {
            let obj = *obj;
            let dropped = match children {
                Releases::Slots(items) => items.pop().map(|target| {
                    let index = items.len();
                    (
                        target,
                        self.drop_ref(target, HolderRef::Slot { obj, index }),
                    )
                }),
                Releases::Labelled(refs) => refs.pop().map(|r| {
                    let holder = HolderRef::of_label(obj, &r.label);
                    (r.target, self.drop_ref(r.target, holder))
                }),
            };
            match dropped {
                Some((target, true)) => {
                    self.untrack(target);
                    let order = self.dealloc_order(target);
                    stack.push((target, order));
                }
                Some((_, false)) => {}
                None => {
                    stack.pop();
                    self.release(obj);
                }
            }
        }
    }

    /// References in the reverse of the order CPython's dealloc drops them (popped from the end).
    fn dealloc_order(&self, id: ObjId) -> Releases {
        let payload = &self.get(id).payload;
        match payload {
            // list_dealloc and tupledealloc drop items from the last to the first.
            Payload::List(l) => Releases::Slots(l.items.clone()),
            Payload::Tuple(items) => Releases::Slots(items.clone()),
            _ => {
                let mut refs = Vec::new();
                payload.referents(&mut refs);
                // Dropped under the labels the page shows (a dict's `['a']`, not its
                // entry number): the same references, as recorded. Entry numbers as
                // texts also filled the log's string table at a big dict's free.
                let recorded = match refs.is_empty() {
                    true => None,
                    false => self.recorder.references(id),
                };
                if let Some(recorded) = recorded {
                    if recorded.len() == refs.len()
                        && recorded
                            .iter()
                            .zip(&refs)
                            .all(|(a, b)| a.target == b.target)
                    {
                        refs.clear();
                        refs.extend_from_slice(recorded);
                    }
                }
                refs.reverse();
                Releases::Labelled(refs)
            }
        }
    }

    fn release(&mut self, id: ObjId) {
        let o = self.objects[id.0 as usize].take().expect("live object");
        self.live -= 1;
        if let Payload::Str(text) = &o.payload {
            if o.interned && self.interned.get(text) == Some(&id) {
                self.interned.remove(text);
            }
        }
        if o.payload.is_gc_type() && self.gc.counts[0] > 0 {
            self.gc.counts[0] -= 1;
        }
        // The object is gone before its memory is: the free-list writes and any arena
        // unmapped come after the Free event.
        self.record(Event::Free {
            obj: id,
            address: o.address,
        });
        if let Some((addr, _)) = o.storage {
            self.allocator.free(addr);
        }
        self.release_block(&o.payload, o.block);
        self.flush_memory_events();
    }

    // ----- GC tracking -----

    fn tracked_at_birth(&self, payload: &Payload) -> bool {
        match payload {
            // Dicts are tracked only once they hold something trackable (MAINTAIN_TRACKING).
            Payload::Dict(_) => false,
            p => p.is_gc_type(),
        }
    }

    pub fn track(&mut self, id: ObjId) {
        if self.get(id).gc_tracked {
            return;
        }
        let o = self.get_mut(id);
        o.gc_tracked = true;
        o.generation = 0;
        self.gc.generations[0].insert(id);
        self.record_flags(id);
    }

    pub fn untrack(&mut self, id: ObjId) {
        if !self.get(id).gc_tracked {
            return;
        }
        let g = self.get(id).generation as usize;
        self.gc.generations[g].remove(id);
        self.get_mut(id).gc_tracked = false;
        self.record_flags(id);
    }

    /// Can this object ever be part of a cycle? (`_PyObject_GC_MAY_BE_TRACKED`)
    pub fn may_be_tracked(&self, id: ObjId) -> bool {
        let o = self.get(id);
        o.payload.is_gc_type() && (!matches!(o.payload, Payload::Tuple(_)) || o.gc_tracked)
    }

    pub fn record_flags(&mut self, id: ObjId) {
        let o = self.get(id);
        let event = Event::Flags {
            obj: id,
            interned: o.interned,
            immortal: o.immortal,
            gc_tracked: o.gc_tracked,
            generation: o.gc_tracked.then_some(o.generation),
        };
        self.record(event);
    }

    // ----- contents -----

    /// Records that `id`'s contents changed (its value text, size and references).
    pub fn changed(&mut self, id: ObjId) {
        self.changed_keeping(id, Kept::NOTHING);
    }

    /// `changed`, where the caller knows `kept`: how many of the container's references
    /// at the front (and, for a list whose length is unchanged, at the back) are as last
    /// recorded. The recorded splice is the same as without it; finding it starts past
    /// them, so appending to a list or storing into a dict costs the change, not the
    /// container's length (a loop appending to a list had been quadratic).
    pub fn changed_keeping(&mut self, id: ObjId, kept: Kept) {
        self.wrote(id);
        self.record_references(id, kept);
    }

    /// Exchanges two sets' tables and the memory that holds them, each keeping its
    /// header and kind, as CPython's `set_swap_bodies` does for `&=`: each reference
    /// goes with its table, so no refcount changes.
    pub fn swap_set_bodies(&mut self, a: ObjId, b: ObjId) {
        let frozen =
            |heap: &Heap, id: ObjId| matches!(heap.payload(id), Payload::Set(s) if s.frozen);
        let (fa, fb) = (frozen(self, a), frozen(self, b));
        let o = self.get_mut(a);
        let (pa, sa) = (
            std::mem::replace(&mut o.payload, Payload::None),
            o.storage.take(),
        );
        let o = self.get_mut(b);
        let pb = std::mem::replace(&mut o.payload, pa);
        let sb = std::mem::replace(&mut o.storage, sa);
        let o = self.get_mut(a);
        o.payload = pb;
        o.storage = sb;
        for (id, kind) in [(a, fa), (b, fb)] {
            if let Payload::Set(s) = self.payload_mut(id) {
                s.frozen = kind;
            }
            self.changed(id);
        }
    }

    /// What the interpreter does to memory when it writes a container: its storage
    /// resized to fit, the object and its storage written.
    pub fn wrote(&mut self, id: ObjId) {
        self.resize_storage(id);
        let o = self.get(id);
        let (address, storage) = (o.address, o.storage);
        self.allocator.touch(address, Access::Write);
        if let Some((addr, _)) = storage {
            self.allocator.touch(addr, Access::Write);
        }
    }

    /// Records `id`'s value text, size and references as they are now: a splice of the
    /// ones last recorded where there is one, else whole. A builtin that fills a set
    /// item by item (`wrote` after each) records it once, at the end: a set's splice
    /// has no cheap hint, and finding it at each of a million items was quadratic.
    pub fn record_references(&mut self, id: ObjId, kept: Kept) {
        let splice = self
            .recorder
            .references(id)
            .and_then(|old| self.references_splice(id, old, kept));
        match splice {
            Some(splice) => {
                self.flush_memory_events();
                let size = self.sizeof(id);
                match self.container_summary(id) {
                    // "dict of 3" written into a reused buffer: most changes leave it as
                    // it was, and then nothing is allocated for it.
                    Some((kind, len)) => {
                        let mut value = std::mem::take(&mut self.summary);
                        value.clear();
                        value.push_str(kind);
                        push_decimal(&mut value, len as u64);
                        self.recorder.record_splice(id, &value, size, splice);
                        self.summary = value;
                    }
                    None => {
                        let value = self.short_value(id);
                        self.recorder.record_splice(id, &value, size, splice);
                    }
                }
            }
            None => {
                let view = self.view(id);
                self.record(Event::Change {
                    obj: id,
                    value: view.value,
                    size: view.size,
                    referents: Arc::unwrap_or_clone(view.referents),
                });
            }
        }
    }

    /// How a list's, dict's or instance's references changed since `old` (the ones last
    /// recorded), found without building the whole new list: labels are positions
    /// (`[i]`), come from the key object (`key 'a'`, `['a']`), so equal targets mean
    /// equal labels, or are attribute names (`.x`, compared as they are). None for other
    /// objects, which record their references whole.
    fn references_splice(
        &self,
        id: ObjId,
        old: &[Reference],
        kept: Kept,
    ) -> Option<ReferencesSplice> {
        match &self.get(id).payload {
            Payload::List(l) => {
                // Kept references may move (a `pop(0)` keeps all but the first, one place
                // on): the splice then renumbers them (`PositionSplice::renumbers`).
                let new = &l.items;
                let same = |i: usize, j: usize| old[i].target == new[j];
                let (keep_front, keep_back) =
                    kept_between_from(old.len(), new.len(), true, same, kept);
                Some(ReferencesSplice::Positions(PositionSplice {
                    keep_front,
                    keep_back,
                    middle: new[keep_front..new.len() - keep_back].to_vec(),
                }))
            }
            Payload::Instance(inst) => {
                // `__class__`, then `.name` for each attribute in order (as
                // `Payload::referents` labels them): a label names its slot wherever it is.
                let attrs = &inst.attrs;
                let same = |i: usize, j: usize| {
                    let r = &old[i];
                    match j.checked_sub(1) {
                        None => r.target == inst.class && r.label == "__class__",
                        Some(a) => attrs.get_index(a).is_some_and(|(name, &value)| {
                            r.target == value
                                && r.label.text().and_then(|t| t.strip_prefix('.')) == Some(&**name)
                        }),
                    }
                };
                let make = |j: usize| match j.checked_sub(1) {
                    None => Reference {
                        label: "__class__".into(),
                        target: inst.class,
                    },
                    Some(a) => {
                        let (name, &value) = attrs.get_index(a).expect("an attribute");
                        Reference {
                            label: attribute_label(name).into(),
                            target: value,
                        }
                    }
                };
                Some(ReferencesSplice::Labelled(splice_between(
                    old.len(),
                    1 + attrs.len(),
                    true,
                    same,
                    make,
                    Kept::NOTHING,
                )))
            }
            Payload::Set(set) => {
                // Every reference is an `item`, in table order: an add or a discard
                // moves no other (a resize reorders them all). Items are reached by
                // rank, so a change at a known rank costs O(log n), not the table.
                // Without a hint the whole set is compared: the table is walked once.
                let walked: Vec<ObjId> = if kept == Kept::NOTHING {
                    set.items().collect()
                } else {
                    Vec::new()
                };
                let item = |j: usize| match walked.get(j) {
                    Some(&o) => o,
                    None => set.nth(j).expect("an item of that rank"),
                };
                let same = |i: usize, j: usize| old[i].target == item(j) && old[i].label == *"item";
                let make = |j: usize| Reference {
                    label: "item".into(),
                    target: item(j),
                };
                Some(ReferencesSplice::Labelled(splice_between(
                    old.len(),
                    set.len(),
                    true,
                    same,
                    make,
                    kept,
                )))
            }
            Payload::Dict(d) => {
                if !old.len().is_multiple_of(2) {
                    return None;
                }
                // Live entries by rank: past deleted ones without walking them.
                let entry = |r: usize| d.live_entry(r).expect("a live entry");
                let (keep_front, keep_back) = dict_kept_between(old, d.len(), entry, kept);
                Some(ReferencesSplice::Labelled(Splice {
                    keep_front,
                    keep_back,
                    middle: (keep_front..2 * d.len() - keep_back)
                        .map(|j| {
                            let (key, value) = entry(j / 2);
                            let target = if j % 2 == 0 { key } else { value };
                            // The same str or int key at the same place had this label: its
                            // text cannot have changed (a value replaced in place, the hot
                            // case of a name rebound in a module), so it is not made again.
                            if j < old.len()
                                && old[j - j % 2].target == key
                                && matches!(
                                    self.get(key).payload,
                                    Payload::Str(_) | Payload::Int(_)
                                )
                            {
                                return Reference {
                                    label: old[j].label.clone(),
                                    target,
                                };
                            }
                            let text = self.short_value(key);
                            if j % 2 == 0 {
                                Reference {
                                    label: key_label(&text).into(),
                                    target: key,
                                }
                            } else {
                                Reference {
                                    label: item_label(&text).into(),
                                    target: value,
                                }
                            }
                        })
                        .collect(),
                    renumber: false,
                }))
            }
            _ => None,
        }
    }

    /// The label the recorder holds for the value of the dict `dict`'s live entry
    /// `entry` (`['total']`), when that entry's key is `key`, a str or an int: such a
    /// key's text cannot change, so the label is the one `item_label` would make again.
    pub fn recorded_value_label(&self, dict: ObjId, entry: usize, key: ObjId) -> Option<&Label> {
        if !matches!(self.get(key).payload, Payload::Str(_) | Payload::Int(_)) {
            return None;
        }
        match self
            .recorder
            .references(dict)?
            .get(2 * entry..2 * entry + 2)?
        {
            [k, v] if k.target == key => Some(&v.label),
            _ => None,
        }
    }

    /// Replaces a payload in place. The caller has already moved references in or out.
    pub fn set_payload(&mut self, id: ObjId, payload: Payload) {
        self.get_mut(id).payload = payload;
        self.changed(id);
    }

    pub fn payload_mut(&mut self, id: ObjId) -> &mut Payload {
        &mut self.get_mut(id).payload
    }

    /// Walks a class and its bases for an attribute (single inheritance).
    pub fn class_lookup(&self, class: ObjId, name: &str) -> Option<ObjId> {
        let mut cur = Some(class);
        while let Some(c) = cur {
            match &self.get(c).payload {
                Payload::Class(cls) => {
                    if let Some(&v) = cls.attrs.get(name) {
                        return Some(v);
                    }
                    cur = cls.bases.first().copied();
                }
                _ => return None,
            }
        }
        None
    }

    /// The Python hash and dict/set key of an object, or why there is none here.
    pub fn key_of(&self, id: ObjId) -> Result<(i64, Key), NoKey> {
        let o = self.get(id);
        Ok(match &o.payload {
            Payload::None => (0x7fff_f7d9_4c60 >> 4, Key::None),
            Payload::Bool(b) => (*b as i64, Key::Int(BigInt::from(*b as u8))),
            Payload::Int(v) => (hash_int(v), Key::Int(v.clone())),
            Payload::Float(v) => (hash_float(*v, o.address), Key::from_float(*v, id.0)),
            Payload::Str(s) => (hash_str(s), Key::Str(s.clone())),
            Payload::Tuple(items) => {
                let mut hashes = Vec::with_capacity(items.len());
                let mut keys = Vec::with_capacity(items.len());
                for &item in items {
                    let (h, k) = self.key_of(item)?;
                    hashes.push(h);
                    keys.push(k);
                }
                (hash_tuple(&hashes), Key::Tuple(keys))
            }
            Payload::List(_) | Payload::Dict(_) => return Err(NoKey::Unhashable),
            Payload::Set(s) if !s.frozen => return Err(NoKey::Unhashable),
            Payload::Instance(inst) => match self.hash_method(inst.class) {
                HashMethod::Identity => ((o.address >> 4) as i64, Key::Identity(id.0)),
                HashMethod::Python(_) => return Err(NoKey::ByPython),
                HashMethod::Unhashable => return Err(NoKey::Unhashable),
            },
            _ => ((o.address >> 4) as i64, Key::Identity(id.0)),
        })
    }

    /// How instances of `class` hash: the first class up the bases that defines
    /// `__hash__` decides; one that defines `__eq__` without it has `__hash__ = None`,
    /// as `type.__new__` sets it.
    pub fn hash_method(&self, class: ObjId) -> HashMethod {
        let mut cur = Some(class);
        while let Some(c) = cur {
            let Payload::Class(cls) = &self.get(c).payload else {
                break;
            };
            if let Some(&f) = cls.attrs.get("__hash__") {
                return match &self.get(f).payload {
                    Payload::Function(_) => HashMethod::Python(f),
                    Payload::None => HashMethod::Unhashable,
                    _ => HashMethod::Identity,
                };
            }
            if cls.attrs.contains_key("__eq__") {
                return HashMethod::Unhashable;
            }
            cur = cls.bases.first().copied();
        }
        HashMethod::Identity
    }

    // ----- sizes -----

    /// `sys.getsizeof`.
    pub fn sizeof(&self, id: ObjId) -> u64 {
        let o = self.get(id);
        match &o.payload {
            Payload::List(l) => 56 + 8 * l.capacity as u64,
            Payload::Dict(d) => 64 + self.dict_keys_size(d),
            Payload::Set(s) => {
                216 + if s.table.len() > 8 {
                    16 * s.table.len() as u64
                } else {
                    0
                }
            }
            Payload::Instance(i) if self.is_bare_object(i.class) => 16,
            Payload::Instance(_) => self.profile.instance_size(),
            p => self.base_size(p),
        }
    }

    fn is_bare_object(&self, class: ObjId) -> bool {
        matches!(&self.get(class).payload, Payload::Class(c) if c.builtin == Some(BuiltinType::Object))
    }

    fn base_size(&self, payload: &Payload) -> u64 {
        let gc = if payload.is_gc_type() { GC_HEADER } else { 0 };
        gc + match payload {
            Payload::None => 16,
            Payload::Bool(_) => 28,
            Payload::Int(v) => {
                let digits = v.magnitude().bits().div_ceil(30).max(1);
                24 + 4 * digits
            }
            Payload::Float(_) => 24,
            Payload::Str(s) => self.str_size(s),
            Payload::Tuple(items) => 24 + 8 * items.len() as u64,
            Payload::List(_) => 40,
            Payload::Dict(_) => 48,
            Payload::Set(_) => 200,
            Payload::Range { .. } => 48,
            Payload::Slice { .. } => 40,
            Payload::Function(_) => self.profile.function_size() - GC_HEADER,
            Payload::Class(_) => self.profile.class_size() - GC_HEADER,
            Payload::Instance(_) => self.profile.instance_size() - GC_HEADER,
            // A built-in's bound method is a `builtin_function_or_method`, as `len` is.
            Payload::BoundMethod { .. } if self.is_bound_builtin(payload) => 56,
            Payload::BoundMethod { .. } => 48,
            Payload::Cell(_) => 24,
            Payload::Module(_) => 56,
            Payload::Code(_) => 160,
            Payload::Builtin(_) => 56,
            Payload::Iterator(it) => it.kind.basic_size(),
            Payload::Generator(_) => 184,
        }
    }

    fn str_size(&self, s: &str) -> u64 {
        let len = s.chars().count() as u64;
        let max = s.chars().map(|c| c as u32).max().unwrap_or(0);
        if max < 128 {
            self.profile.str_ascii_header() + len + 1
        } else {
            let width = if max < 256 {
                1
            } else if max < 65536 {
                2
            } else {
                4
            };
            let utf8 = if len == 1 && width == 1 && self.profile.latin1_chars_have_utf8() {
                3
            } else {
                0
            };
            self.profile.str_compact_header() + width * (len + 1) + utf8
        }
    }

    // ----- views -----

    pub fn type_name(&self, id: ObjId) -> String {
        self.type_name_str(id).to_owned()
    }

    /// `type_name`, borrowed.
    fn type_name_str(&self, id: ObjId) -> &str {
        match &self.get(id).payload {
            Payload::Instance(inst) => match &self.get(inst.class).payload {
                Payload::Class(c) => &c.name,
                _ => "object",
            },
            Payload::Iterator(it) => it.kind.type_name(),
            p => self.builtin_type_of(p).name(),
        }
    }

    /// The built-in type of `payload`, a bound built-in being a
    /// `builtin_function_or_method` (which the payload alone cannot tell).
    pub fn builtin_type_of(&self, payload: &Payload) -> BuiltinType {
        if self.is_bound_builtin(payload) {
            BuiltinType::BuiltinFunction
        } else {
            payload.builtin_type()
        }
    }

    /// A built-in's method bound to its object (`xs.append`): CPython's
    /// `builtin_function_or_method` with `__self__` set, not a `method`.
    pub fn is_bound_builtin(&self, payload: &Payload) -> bool {
        matches!(payload, Payload::BoundMethod { function, .. }
            if matches!(self.get(*function).payload, Payload::Builtin(_)))
    }

    pub fn view(&self, id: ObjId) -> ObjectView {
        let mut view = ObjectView::default();
        self.view_into(id, &mut view);
        view
    }

    /// Writes `view(id)` into `view`, reusing its strings' and list's memory (a freed
    /// object's view, handed back by the recorder: an int's birth then allocates nothing
    /// for its view).
    pub fn view_into(&self, id: ObjId, view: &mut ObjectView) {
        let o = self.get(id);
        // Shared with a snapshot: a new list (a copy would be cleared at once).
        if Arc::get_mut(&mut view.referents).is_none() {
            view.referents = Arc::default();
        }
        let referents = Arc::make_mut(&mut view.referents);
        referents.clear();
        o.payload.referents(referents);
        if let Payload::Dict(d) = &o.payload {
            // Label dict slots by their keys: `key 'a'` and `['a']`.
            for (i, (k, _)) in d.items().enumerate() {
                let key = self.short_value(k);
                referents[2 * i].label = key_label(&key).into();
                referents[2 * i + 1].label = item_label(&key).into();
            }
        }
        view.id = id;
        view.type_name.clear();
        view.type_name.push_str(self.type_name_str(id));
        view.value.clear();
        match &o.payload {
            Payload::Int(v) if v.to_i64().is_some() => {
                let n = v.to_i64().expect("checked");
                if n < 0 {
                    view.value.push('-');
                }
                push_decimal(&mut view.value, n.unsigned_abs());
            }
            _ => view.value.push_str(&self.short_value(id)),
        }
        view.address = o.address;
        view.size = self.sizeof(id);
        view.refcount = o.refcount;
        view.runtime_refs = o.runtime_refs;
        view.immortal = o.immortal;
        view.interned = o.interned;
        view.gc_tracked = o.gc_tracked;
        view.generation = o.gc_tracked.then_some(o.generation);
        view.placement = o.placement;
        view.internal = o.internal;
    }

    /// A list's, tuple's or dict's `short_value` in parts: "list of " and its length.
    fn container_summary(&self, id: ObjId) -> Option<(&'static str, usize)> {
        match &self.get(id).payload {
            Payload::List(l) => Some(("list of ", l.items.len())),
            Payload::Tuple(t) => Some(("tuple of ", t.len())),
            Payload::Dict(d) => Some(("dict of ", d.len())),
            _ => None,
        }
    }

    /// A short text for an object's card: the repr of scalars, a summary of containers.
    pub fn short_value(&self, id: ObjId) -> String {
        let o = self.get(id);
        let text = match &o.payload {
            Payload::None => "None".into(),
            Payload::Bool(b) => if *b { "True" } else { "False" }.into(),
            Payload::Int(v) => {
                if let Some(small) = v.to_i64() {
                    decimal(small)
                } else if v.magnitude().bits() > 190 {
                    let digits =
                        (v.magnitude().bits() as f64 * std::f64::consts::LOG10_2) as u64 + 1;
                    format!(
                        "{}<int of about {digits} digits>",
                        if v.is_negative() { "-" } else { "" }
                    )
                } else {
                    v.to_string()
                }
            }
            Payload::Float(v) => float_text(*v),
            Payload::Str(s) => quote(s),
            Payload::List(l) => text_and_number("list of ", l.items.len()),
            Payload::Tuple(t) => text_and_number("tuple of ", t.len()),
            Payload::Dict(d) => text_and_number("dict of ", d.len()),
            Payload::Set(s) => format!(
                "{} of {}",
                if s.frozen { "frozenset" } else { "set" },
                s.len()
            ),
            Payload::Range { start, stop, step } => {
                if *step == 1 {
                    format!("range({start}, {stop})")
                } else {
                    format!("range({start}, {stop}, {step})")
                }
            }
            Payload::Slice { .. } => "slice".into(),
            Payload::Function(f) => f.qualname.to_string(),
            Payload::Class(c) => c.name.to_string(),
            Payload::Instance(_) => {
                // Appended, not `format!`ed: every attribute store records this text.
                let name = self.type_name_str(id);
                let mut text = String::with_capacity(name.len() + 7);
                text.push_str(name);
                text.push_str(" object");
                text
            }
            Payload::BoundMethod { function, .. } => match &self.get(*function).payload {
                Payload::Function(f) => f.qualname.to_string(),
                Payload::Builtin(b) => b.name.to_string(),
                _ => String::new(),
            },
            Payload::Cell(_) => "cell".into(),
            Payload::Module(m) => m.name.to_string(),
            Payload::Code(c) => c.qualname.to_string(),
            Payload::Builtin(b) => match b.owner {
                Some(owner) => format!("{owner}.{}", b.name),
                None => b.name.to_string(),
            },
            Payload::Iterator(it) => it.kind.type_name().into(),
            Payload::Generator(g) => g.qualname.to_string(),
        };
        shorten(text)
    }

    /// Checks the model's central invariant on its own objects: each refcount equals the
    /// references held by other objects plus `extra` (frames, stacks) plus runtime holds.
    pub fn check_refcounts(&self, extra: &HashMap<ObjId, u64>) -> Result<(), String> {
        let mut held: HashMap<ObjId, u64> = extra.clone();
        for id in self.live_ids() {
            for t in self.get(id).payload.targets() {
                if !self.is_live(t) {
                    return Err(format!("object {id:?} refers to freed object {t:?}"));
                }
                *held.entry(t).or_default() += 1;
            }
        }
        for id in self.live_ids() {
            let o = self.get(id);
            let expected = held.get(&id).copied().unwrap_or(0) + o.runtime_refs;
            if o.refcount != expected {
                return Err(format!(
                    "{} {:?} ({}) has refcount {} but {} references",
                    self.type_name(id),
                    id,
                    self.short_value(id),
                    o.refcount,
                    expected
                ));
            }
        }
        Ok(())
    }
}

fn shorten(mut text: String) -> String {
    if text.chars().count() > VALUE_TEXT_MAX {
        text = text.chars().take(VALUE_TEXT_MAX - 1).collect::<String>() + "…";
    }
    text
}

/// Python's float repr, for views (the interpreter has the full formatter).
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{v}");
        if s.contains('.') {
            s
        } else {
            s + ".0"
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Python's str repr in brief (quotes and the common escapes).
pub fn quote(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

impl Heap {
    /// True when the payload is the int zero (for `bool()` and friends).
    pub fn is_zero_int(&self, id: ObjId) -> bool {
        matches!(&self.get(id).payload, Payload::Int(v) if v.is_zero())
    }
}

/// How a container's references changed: a list's by position, a dict's with labels.
pub(crate) enum ReferencesSplice {
    Positions(PositionSplice),
    Labelled(Splice),
}

/// What a dying object still has to release, popped from the end: a list's or tuple's
/// items (held by their positions: no label text is made for them), or other references
/// with their labels.
enum Releases {
    Slots(Vec<ObjId>),
    Labelled(Vec<Reference>),
}

impl Releases {
    fn is_empty(&self) -> bool {
        match self {
            Releases::Slots(items) => items.is_empty(),
            Releases::Labelled(refs) => refs.is_empty(),
        }
    }
}

/// The splice from a list of `old_len` references to one of `new_len`: the longest equal
/// front, then (with `match_back`) the longest equal back, found past `kept`;
/// `same(i, j)` says whether old entry `i` equals new entry `j`, `make(j)` builds new
/// entry `j`.
fn splice_between(
    old_len: usize,
    new_len: usize,
    match_back: bool,
    same: impl Fn(usize, usize) -> bool,
    make: impl Fn(usize) -> Reference,
    kept: Kept,
) -> Splice {
    let (front, back) = kept_between_from(old_len, new_len, match_back, same, kept);
    Splice {
        keep_front: front,
        keep_back: back,
        middle: (front..new_len - back).map(make).collect(),
        renumber: false,
    }
}

/// `kept_between` for a dict's references, `key k` then `[k]` for each of its `live`
/// entries (`entry(r)`, the `r`th live one's key and value), compared an entry at a time:
/// a key's reference is kept when its key is; a value's when its key and value are (so a
/// value stored under another key is not kept). `kept` (whole entries: even counts) lets
/// the walk start past the entries known unchanged.
fn dict_kept_between(
    old: &[Reference],
    live: usize,
    entry: impl Fn(usize) -> (ObjId, ObjId),
    kept: Kept,
) -> (usize, usize) {
    let old_pairs = old.len() / 2;
    let pairs = old_pairs.min(live);
    let recorded = |p: usize| (old[2 * p].target, old[2 * p + 1].target);
    let skip_front = (kept.front / 2).min(pairs);
    debug_assert!(
        (0..skip_front).all(|r| recorded(r) == entry(r)),
        "a dict's kept front is as recorded"
    );
    let mut front = 2 * skip_front;
    for r in skip_front..pairs {
        let ((old_key, old_value), (key, value)) = (recorded(r), entry(r));
        if old_key != key {
            break;
        }
        front += 1;
        if old_value != value {
            break;
        }
        front += 1;
    }
    // From the back each entry's value reference comes before its key's.
    let limit = old.len().min(2 * live) - front;
    let skip_back = (kept.back / 2).min(limit / 2);
    let from_back = |k: usize| (recorded(old_pairs - 1 - k), entry(live - 1 - k));
    debug_assert!(
        (0..skip_back).all(|k| {
            let (was, is) = from_back(k);
            was == is
        }),
        "a dict's kept back is as recorded"
    );
    let mut back = 2 * skip_back;
    for k in skip_back..pairs {
        let (was, is) = from_back(k);
        if back >= limit || was != is {
            break;
        }
        back += 1;
        if back >= limit {
            break;
        }
        back += 1;
    }
    (front, back)
}

/// What a change is known to leave as last recorded: the container's first `front`
/// references and last `back` (a hint to `Heap::changed_keeping`; for a dict, whole
/// entries, two references each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub front: usize,
    pub back: usize,
}

impl Kept {
    pub const NOTHING: Kept = Kept { front: 0, back: 0 };
}

/// The lengths of the equal front and (with `match_back`) back of `splice_between`.
#[cfg(test)]
fn kept_between(
    old_len: usize,
    new_len: usize,
    match_back: bool,
    same: impl Fn(usize, usize) -> bool,
) -> (usize, usize) {
    kept_between_from(old_len, new_len, match_back, same, Kept::NOTHING)
}

/// `kept_between`, starting past `kept` (known equal; checked in debug builds): the
/// same lengths, found in the time the change takes.
fn kept_between_from(
    old_len: usize,
    new_len: usize,
    match_back: bool,
    same: impl Fn(usize, usize) -> bool,
    kept: Kept,
) -> (usize, usize) {
    let mut front = kept.front.min(old_len).min(new_len);
    debug_assert!(
        (0..front).all(|i| same(i, i)),
        "the kept front is as recorded"
    );
    while front < old_len && front < new_len && same(front, front) {
        front += 1;
    }
    let mut back = 0;
    if match_back {
        back = kept.back.min(old_len - front).min(new_len - front);
        debug_assert!(
            (0..back).all(|k| same(old_len - 1 - k, new_len - 1 - k)),
            "the kept back is as recorded"
        );
        while back < old_len - front
            && back < new_len - front
            && same(old_len - 1 - back, new_len - 1 - back)
        {
            back += 1;
        }
    }
    (front, back)
}

#[cfg(test)]
mod splice_tests {
    use super::*;
    use proptest::prelude::*;

    fn references(targets: &[u32]) -> Vec<Reference> {
        targets
            .iter()
            .map(|&t| Reference {
                label: "item".into(),
                target: ObjId(t),
            })
            .collect()
    }

    proptest! {
        /// A hint that stays within what is really kept finds the same splice as none:
        /// a list's positions, and a dict's entries.
        #[test]
        fn a_kept_hint_changes_nothing_found(
            old in prop::collection::vec(0u32..4, 0..24),
            new in prop::collection::vec(0u32..4, 0..24),
            front_share in 0.0f64..=1.0,
            back_share in 0.0f64..=1.0,
        ) {
            let same = |i: usize, j: usize| old[i] == new[j];
            let match_back = old.len() == new.len();
            let (front, back) = kept_between(old.len(), new.len(), match_back, same);
            let kept = Kept {
                front: (front as f64 * front_share) as usize,
                back: (back as f64 * back_share) as usize,
            };
            prop_assert_eq!(
                kept_between_from(old.len(), new.len(), match_back, same, kept),
                (front, back)
            );

            let old_refs = references(&old[..old.len() / 2 * 2]);
            let items: Vec<Option<(ObjId, ObjId)>> = new
                .chunks_exact(2)
                .map(|p| Some((ObjId(p[0]), ObjId(p[1]))))
                .collect();
            let entry = |r: usize| items[r].expect("a live entry");
            let (front, back) = dict_kept_between(&old_refs, items.len(), entry, Kept::NOTHING);
            let kept = Kept {
                front: (front as f64 * front_share) as usize / 2 * 2,
                back: (back as f64 * back_share) as usize / 2 * 2,
            };
            prop_assert_eq!(dict_kept_between(&old_refs, items.len(), entry, kept), (front, back));
        }
    }
}
