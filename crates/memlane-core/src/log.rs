//! The compact store of a run's events: a byte log, decoded back to `Event` on demand.
//!
//! A million-step run emits over ten million events; kept as `Vec<Event>` (88 bytes each,
//! plus a heap copy of every object view, value text and name) that was 2.7 KB per step.
//! Here each frequent event is a tag byte and a few varints (LEB128): ids, counts and
//! addresses as numbers, names and labels as indexes into a table of distinct strings,
//! value texts inline. Object ids and addresses are stored as differences from the
//! previous one in the same block of `BLOCK` events, so a block decodes on its own and
//! reaching event `i` decodes at most `BLOCK - 1` events before it. Rare events (virtual
//! memory, frame pushes, collections) are kept whole in a side vector.

use crate::event::{Event, Holder, HolderRef};
use crate::hash::FxBuild;
use crate::live_references::LiveReferences;
use crate::object::{index_label, slot_index};
use crate::paging::{pte, PageIndices, PteWrite, WalkStep, PAGE_SHIFT, TOP_LEVEL};
use crate::view::{
    canonical_int, int_key, Binding, FrameId, FrameView, Label, ObjId, ObjectView, Placement,
    Reference,
};
use crate::vmem::{Access, NewTable};
use std::collections::HashMap;
use std::sync::Arc;

/// Events per block: one `u32` offset per block.
const BLOCK: usize = 64;
/// A container's references are stored whole again after this many splices in a row, or
/// as many as it has references if more: decoding a splice out of order then costs
/// O(len + chain) = O(len), the size of what it decodes, and storing stays O(1) a change
/// amortised (a fixed chain made a growing list's history quadratic: 100,000 appends took
/// 24 s, `memlane run --max-steps 100000` on `x = []` / `while True: x.append(x)`).
const MAX_SPLICES: usize = 16;

/// The part of a list of `len` references that a splice keeping its first `keep_front`
/// and last `keep_back` replaces (the two kept parts never overlap).
fn replaced(len: usize, keep_front: usize, keep_back: usize) -> std::ops::Range<usize> {
    let back_start = len.saturating_sub(keep_back);
    keep_front.min(back_start)..back_start
}

/// How a container's references changed: the new list is the old one's first `keep_front`
/// entries, then `middle`, then the old one's last `keep_back` entries. Storing only this
/// keeps an append or a dict store O(1) in time and bytes, not O(len).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub keep_front: usize,
    pub keep_back: usize,
    pub middle: Vec<Reference>,
    /// A list's splice whose kept back moved (`pop(0)`, `insert(0, x)`): those references
    /// are labelled by their new positions after it. Stored so, a queue's `pop(0)` costs
    /// the change, not the list (it had been stored whole: quadratic history).
    pub renumber: bool,
}

impl Splice {
    /// The change it records, made to `object` in place.
    pub fn apply_to(&self, object: &mut ObjectView, value: String, size: u64) {
        object.value = value;
        object.size = size;
        self.apply(Arc::make_mut(&mut object.referents));
    }

    /// How many references a list of `len` has after the splice.
    pub fn len_after(&self, len: usize) -> usize {
        len - replaced(len, self.keep_front, self.keep_back).len() + self.middle.len()
    }

    /// Applies the splice to the recorder's `live` references, moving its new ones in.
    /// Inlined: out of line, a loop's step ran about 20 instructions more (callgrind).
    #[inline(always)]
    pub(crate) fn apply_live(self, live: &mut LiveReferences) {
        let range = replaced(live.len(), self.keep_front, self.keep_back);
        let moved_from = self.keep_front + self.middle.len();
        if range.len() == self.middle.len() {
            // As many references replaced as put in (a value rebound): in place.
            let start = range.start;
            for (slot, new) in live.changed_from(start)[..range.len()]
                .iter_mut()
                .zip(self.middle)
            {
                *slot = new;
            }
        } else {
            live.splice(range, self.middle.into_iter());
        }
        if self.renumber {
            renumber(live.changed_from(moved_from), moved_from);
        }
    }

    /// Applies the splice to `referents` in place.
    pub fn apply(&self, referents: &mut Vec<Reference>) {
        self.apply_unnumbered(referents);
        if self.renumber {
            renumber_from(referents, self.keep_front + self.middle.len());
        }
    }

    /// `apply`, leaving a moved back's labels as they were (a chain of splices of one
    /// list renumbers once, at its end).
    fn apply_unnumbered(&self, referents: &mut Vec<Reference>) {
        let range = replaced(referents.len(), self.keep_front, self.keep_back);
        referents.splice(range, self.middle.iter().cloned());
    }
}

/// Labels `references[from..]` by their positions (a list's, after its items moved).
fn renumber_from(references: &mut [Reference], from: usize) {
    renumber(&mut references[from..], from);
}

/// Labels `references` by their positions, the first being `first`.
fn renumber(references: &mut [Reference], first: usize) {
    for (j, r) in (first..).zip(references) {
        match &mut r.label {
            // The number alone: no old label to drop.
            Label::Slot(i) => *i = j as u64,
            other => *other = Label::Slot(j as u64),
        }
    }
}

/// A list's change as a splice whose new references are held by position: the labels
/// of `middle` are `[keep_front]`, `[keep_front + 1]`, ... The log stores them as numbers,
/// and the recorder's live references keep the label texts they already have, so a
/// list's change (`pop(0)` moves every item) makes no text for a position it had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PositionSplice {
    pub keep_front: usize,
    pub keep_back: usize,
    pub middle: Vec<ObjId>,
}

impl PositionSplice {
    /// How many references a list of `len` has after the splice.
    pub fn len_after(&self, len: usize) -> usize {
        len - replaced(len, self.keep_front, self.keep_back).len() + self.middle.len()
    }

    /// Whether, on a list of `len`, the kept back moves (so its labels change).
    pub fn renumbers(&self, len: usize) -> bool {
        self.keep_back > 0 && self.len_after(len) != len
    }

    /// Applies the splice to the recorder's `live` references of a list, which are
    /// labelled by their positions: as `Splice::apply` would with the labels made,
    /// reusing the labels of positions the list keeps.
    pub fn apply_live(&self, live: &mut LiveReferences) {
        let range = replaced(live.len(), self.keep_front, self.keep_back);
        let front = range.start;
        if self.keep_back == 0 {
            let (kept, added) = self
                .middle
                .split_at(self.middle.len().min(live.len() - front));
            for (j, (slot, &target)) in (front..).zip(live.changed_from(front).iter_mut().zip(kept))
            {
                debug_assert_eq!(slot.label, Label::Slot(j as u64));
                slot.target = target;
            }
            for (j, &target) in (front + kept.len()..).zip(added) {
                live.push(Reference {
                    label: Label::Slot(j as u64),
                    target,
                });
            }
            live.truncate(front + self.middle.len());
        } else {
            let moves = self.renumbers(live.len());
            let middle = self
                .middle
                .iter()
                .enumerate()
                .map(|(k, &target)| Reference {
                    label: Label::Slot((front + k) as u64),
                    target,
                });
            live.splice(range, middle);
            if moves {
                let moved_from = front + self.middle.len();
                renumber(live.changed_from(moved_from), moved_from);
            }
        }
    }

    /// `apply_live` on a `Vec`, as the recorder did before: the tests' oracle.
    #[cfg(test)]
    pub fn apply(&self, referents: &mut Vec<Reference>) {
        let range = replaced(referents.len(), self.keep_front, self.keep_back);
        let front = range.start;
        if self.keep_back == 0 {
            let old_len = referents.len();
            for (j, &target) in (front..).zip(&self.middle) {
                if j < old_len {
                    debug_assert_eq!(referents[j].label, Label::Slot(j as u64));
                    referents[j].target = target;
                } else {
                    referents.push(Reference {
                        label: Label::Slot(j as u64),
                        target,
                    });
                }
            }
            referents.truncate(front + self.middle.len());
        } else {
            let renumber = self.renumbers(referents.len());
            let middle = (front..).zip(&self.middle).map(|(j, &target)| Reference {
                label: Label::Slot(j as u64),
                target,
            });
            referents.splice(range, middle);
            if renumber {
                renumber_from(referents, front + self.middle.len());
            }
        }
    }
}

/// An event as the log keeps it: a container's change may be a splice of the references
/// it had before, for passes that keep those references themselves (a snapshot does) and
/// so need not rebuild them whole for every change.
#[derive(Clone, Debug, PartialEq)]
pub enum Stored {
    Event(Event),
    Splice {
        obj: ObjId,
        value: String,
        size: u64,
        splice: Splice,
    },
}

/// A splice as read from the log, before its object's old references are known.
struct SpliceRecord {
    obj: ObjId,
    /// The event holding the object's references just before this one.
    base_event: usize,
    value: String,
    size: u64,
    splice: Splice,
}

/// The events that name only a frame.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FrameEvent {
    Pop,
    FramePop,
    FrameSuspend,
    FrameResume,
}

enum Decoded {
    Event(Event),
    Splice(SpliceRecord),
}

// Tags. Refcount tags carry the holder kind (0..4) and the delta's common values.
const T_RARE: u8 = 0;
const T_ALLOC: u8 = 1;
const T_FREE: u8 = 2;
const T_CHANGE: u8 = 3;
const T_FLAGS: u8 = 4;
const T_BIND: u8 = 5;
const T_UNBIND: u8 = 6;
const T_PUSH: u8 = 7;
const T_POP: u8 = 8;
const T_FRAME_POP: u8 = 9;
const T_FRAME_SUSPEND: u8 = 10;
const T_FRAME_RESUME: u8 = 11;
const T_LINE: u8 = 12;
const T_OUTPUT: u8 = 13;
const T_STDERR: u8 = 14;
const T_TLB_COUNT: u8 = 15;
/// A frame pushed: its view field by field.
const T_FRAME_PUSH: u8 = 29;
/// A `Change` stored as a splice of the object's previous references (see `Splice`).
const T_CHANGE_SPLICE: u8 = 28;
/// + holder kind: delta +1.
const T_INCREF: u8 = 16;
/// + holder kind: delta -1.
const T_DECREF: u8 = 20;
/// + holder kind: the delta follows as a byte.
const T_REFCOUNT: u8 = 24;
/// A refcount change of +1 or -1 to a count of at most 7, all in the tag:
/// `T_REFCOUNT_PACKED + (kind << 4 | (delta < 0) << 3 | count)` (0x20..0x60). Most refcount
/// changes are of temporaries and names, to counts of 0 to 3.
const T_REFCOUNT_PACKED: u8 = 0x20;
const PACKED_COUNT_MAX: u64 = 7;
/// Recent holders a refcount change's holder is looked up among (see `put_holder`).
const HOLDERS: usize = 4;
/// Slots of the cache of objects stack refcount changes named (see `put_stacked`).
const STACKED: usize = 8;
/// A packed refcount change (as `T_REFCOUNT_PACKED`) whose holder is one of the block's
/// last four runtime holders, left out: `RUNTIME_RECENT[k] + ((delta < 0) << 3 | count)`
/// for the k-th most recent. Most runtime holds are "a reference the interpreter holds",
/// with the few holders of a call (its frame's code and function, the return value)
/// between them.
const RUNTIME_RECENT: [u8; 4] = [0x60, 0x70, 0xE0, 0xF0];
const T_RUNTIME_SAME: u8 = 0x60;
/// A `Bind` in the block's last frame, of the name and object of the previous event (a
/// name's refcount change: a binding takes its reference first). `T_ALLOC | SAME_FRAME`,
/// a tag never otherwise written.
const T_BIND_SAME: u8 = 0x81;
/// A `Push` of the object the previous event named (its refcount change comes first).
const T_PUSH_SAME: u8 = 30;
/// A `TlbCount` with no misses and fewer than 2^7 hits: the hits in one byte.
const T_TLB_HITS: u8 = 31;
/// The memory model's common events, written field by field (they had been kept whole
/// in `rare`: 94,000 of them were 12.8 of the growing benchmark's 117 history bytes a
/// step). Tags a refcount change with an object or runtime holder would have with
/// `SAME_FRAME` set, which those never set.
const T_TLB_MISS: u8 = 0x80 | (T_INCREF + 2);
const T_PAGE_FAULT: u8 = 0x80 | (T_INCREF + 3);
const T_EVICT: u8 = 0x80 | (T_DECREF + 2);
/// Set on the tag of an event whose frame is the one of the previous event with a frame
/// in the same block (pushes, pops, lines, bindings, stack and name holders): the frame
/// is then left out. A step's events mostly share one frame.
const SAME_FRAME: u8 = 0x80;

/// What a block's events are written relative to, kept alike by the encoder and the
/// decoder, and reset at each block so a block decodes on its own.
#[derive(Clone, Debug)]
struct BlockState {
    /// The last object named, for differences.
    last_obj: u32,
    last_address: u64,
    last_frame: u32,
    /// The string ids + 1 of the block's last four runtime holders, latest first (0: none).
    last_runtime: [u32; 4],
    /// The block's last four objects holding a reference, latest first (see
    /// `put_holder`).
    last_holders: [u32; HOLDERS],
    /// Objects a value stack's refcount changes in the block named, by id modulo
    /// `STACKED` (see `put_stacked`).
    last_stacked: [u32; STACKED],
}

impl Default for BlockState {
    fn default() -> BlockState {
        BlockState {
            last_obj: 0,
            last_address: 0,
            last_frame: 0,
            last_runtime: [0; 4],
            last_holders: [u32::MAX; HOLDERS],
            last_stacked: [u32::MAX; STACKED],
        }
    }
}

/// Moves `recent[k]` to the front as `v`, the ones before it back one (a slice's
/// `rotate_right` cost more than the rest of `put_holder`).
#[inline]
fn to_front(recent: &mut [u32; HOLDERS], k: usize, v: u32) {
    for i in (1..=k.min(HOLDERS - 1)).rev() {
        recent[i] = recent[i - 1];
    }
    recent[0] = v;
}

/// Distinct strings (names, labels, type names, runtime holders), each stored once.
#[derive(Clone, Debug, Default)]
struct Strings {
    /// Shared with the index, and with the labels read back (`Label::Text`).
    texts: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32, FxBuild>,
    /// The last id found for texts of each `recent_slot`, plus one (0: none): a step's
    /// events name the same few strings over and over, and comparing one candidate is
    /// cheaper than hashing (`put_sym` was 6% of a loop's instructions).
    /// `RECENT` entries once used.
    recent: Vec<u32>,
}

const RECENT: usize = 256;

/// A cheap slot for `s` among `RECENT`: its length and five of its bytes (labels like
/// `[12]` and `[22]` differ in their second).
fn recent_slot(s: &str) -> usize {
    let b = s.as_bytes();
    let n = b.len();
    if n < 2 {
        return b.first().map_or(0, |&c| c as usize % RECENT);
    }
    let h = (n as u32 ^ (b[1] as u32) << 4 ^ (b[n - 2] as u32) << 12)
        ^ (b[0] as u32) << 8
        ^ (b[n / 2] as u32) << 16
        ^ (b[n - 1] as u32) << 24;
    (h.wrapping_mul(0x9e37_79b1) >> (32 - RECENT.trailing_zeros())) as usize
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if self.recent.is_empty() {
            self.recent = vec![0; RECENT];
        }
        let slot = recent_slot(s);
        if let Some(i) = self.recent[slot].checked_sub(1) {
            if *self.texts[i as usize] == *s {
                return i;
            }
        }
        let i = self.lookup(s);
        self.recent[slot] = i + 1;
        i
    }

    /// The table lookup behind `id`, kept out of line so the common path stays small.
    #[cold]
    #[inline(never)]
    fn lookup(&mut self, s: &str) -> u32 {
        match self.index.get(s) {
            Some(&i) => i,
            None => {
                let i = self.texts.len() as u32;
                let text: Arc<str> = s.into();
                self.texts.push(text.clone());
                self.index.insert(text, i);
                i
            }
        }
    }

    fn bytes(&self) -> usize {
        // Each text is held once, after its two counts; the index's table has a key, a
        // value and a control byte per bucket.
        let texts: usize = self.texts.iter().map(|t| t.len() + 16).sum();
        texts
            + self.texts.capacity() * std::mem::size_of::<Arc<str>>()
            + self.index.capacity() * (std::mem::size_of::<(Arc<str>, u32)>() + 1)
    }
}

/// Each object's last event that set its references, and how many splices in a row lead
/// to it (`u32::MAX`: none).
#[derive(Clone, Debug, Default)]
struct LastReferences(Vec<(u32, u32)>);

impl LastReferences {
    fn get(&self, obj: ObjId) -> Option<(usize, usize)> {
        match self.0.get(obj.0 as usize) {
            Some(&(event, chain)) if event != u32::MAX => Some((event as usize, chain as usize)),
            _ => None,
        }
    }

    fn set(&mut self, obj: ObjId, event: usize, chain: usize) {
        let i = obj.0 as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, (u32::MAX, 0));
        }
        // A log past 2^32 events (or a chain that long) stores its changes whole.
        self.0[i] = match (u32::try_from(event), u32::try_from(chain)) {
            (Ok(e), Ok(c)) if e != u32::MAX => (e, c),
            _ => (u32::MAX, 0),
        };
    }

    fn clear(&mut self, obj: ObjId) {
        if let Some(slot) = self.0.get_mut(obj.0 as usize) {
            *slot = (u32::MAX, 0);
        }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct EventLog {
    bytes: Vec<u8>,
    /// Byte offset of event `k * BLOCK`.
    blocks: Vec<u32>,
    len: usize,
    strings: Strings,
    rare: Vec<Event>,
    /// What the encoder writes the block's events relative to.
    block: BlockState,
    /// The string id + 1 of the name of the previous event if it was a name's refcount
    /// change (0: it was not).
    last_name: u32,
    /// While recording: each object's last event that set its references, and how many
    /// splices in a row lead to it.
    /// Indexed by object id (ids are dense): a vector, not a map, as every allocation
    /// and free touches it.
    last_references: LastReferences,
    /// A log that never records a splice (a checkpoint's) keeps no `last_references`.
    whole_only: bool,
}

/// A signed difference as an unsigned varint's value (small either way round).
pub(crate) fn zigzag(d: i64) -> u64 {
    ((d << 1) ^ (d >> 63)) as u64
}

pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends `v` as a LEB128 varint: 7 bits a byte, low bits first.
pub(crate) fn put_varint(bytes: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        bytes.push(v as u8 | 0x80);
        v >>= 7;
    }
    bytes.push(v as u8);
}

/// Reads the varint at `*at`, moving `*at` past it.
pub(crate) fn read_varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

impl EventLog {
    /// A log whose changes are all stored whole (a checkpoint's): it skips the
    /// bookkeeping splices need.
    pub fn whole_only() -> EventLog {
        EventLog {
            whole_only: true,
            ..EventLog::default()
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Heap bytes held: the log, its block index, the string table, the rare events
    /// (their own heap parts counted roughly by their lists' lengths).
    pub fn heap_bytes(&self) -> usize {
        let rare: usize = self.rare.iter().map(rare_heap_bytes).sum();
        self.bytes.capacity()
            + self.blocks.capacity() * 4
            + self.strings.bytes()
            + self.rare.capacity() * std::mem::size_of::<Event>()
            + rare
    }

    /// Runs `write` on this log with `table`'s string table in place of its own, so the
    /// ids it writes are `table`'s (and any new text is added there): a checkpoint's log
    /// shares the run's table instead of holding a copy of its texts (a table each was
    /// over half of a checkpoint's bytes). Read it back with `replay_with_strings_of`.
    pub fn with_strings_of<R>(
        &mut self,
        table: &mut EventLog,
        write: impl FnOnce(&mut EventLog) -> R,
    ) -> R {
        std::mem::swap(&mut self.strings, &mut table.strings);
        let r = write(self);
        std::mem::swap(&mut self.strings, &mut table.strings);
        r
    }

    /// A log holding nothing but a copy of this one's string table.
    pub fn strings_copy(&self) -> EventLog {
        EventLog {
            strings: self.strings.clone(),
            ..EventLog::default()
        }
    }

    /// Takes `other`'s string table, a copy of this one's (`strings_copy`) with texts
    /// added after its own: every id this log holds names the same text in it.
    pub fn adopt_strings(&mut self, other: EventLog) {
        debug_assert!(other.strings.texts.starts_with(&self.strings.texts));
        self.strings = other.strings;
    }

    /// Heap bytes of the string table alone.
    pub fn string_bytes(&self) -> usize {
        self.strings.bytes()
    }

    pub fn shrink_to_fit(&mut self) {
        self.last_references = LastReferences::default();
        self.strings.recent = Vec::new();
        self.bytes.shrink_to_fit();
        self.blocks.shrink_to_fit();
        self.rare.shrink_to_fit();
    }

    fn put(&mut self, v: u64) {
        put_varint(&mut self.bytes, v);
    }

    fn put_str(&mut self, s: &str) {
        self.put(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }

    /// A value text: an int's decimal text as the number itself, anything else inline.
    fn put_value(&mut self, s: &str) {
        match canonical_int(s) {
            Some(n) => self.put(zigzag(n) << 1 | 1),
            None => {
                self.put((s.len() as u64) << 1);
                self.bytes.extend_from_slice(s.as_bytes());
            }
        }
    }

    fn put_sym(&mut self, s: &str) {
        let i = self.strings.id(s);
        self.put(i as u64);
    }

    /// A changed object's value: a text ending in a number (`list of 12`, `dict of 3`)
    /// as the id of the text before the number (`id << 1 | 1`) and the number, any other
    /// text as its id (`id << 1`). A list grown an item a step has a new count each step:
    /// as whole texts they put 200,000 strings in the table for a list of 200,000 items.
    fn put_change_value(&mut self, s: &str) {
        let counted = s
            .rsplit_once(' ')
            .and_then(|(head, n)| Some((head, canonical_int(n)?)));
        match counted {
            Some((head, n)) => {
                let i = self.strings.id(head);
                self.put((i as u64) << 1 | 1);
                self.put(zigzag(n));
            }
            None => {
                let i = self.strings.id(s);
                self.put((i as u64) << 1);
            }
        }
    }

    /// A slot's label: a position `[i]` as the number (`i << 1 | 1`, `put_slot`), an int
    /// key `key k` as the number (`zigzag(k) << 2 | 2`), any other text as its string id
    /// (`id << 2`). A list of 10^6 items has 10^6 distinct position labels: as texts they
    /// were most of such a run's history (81 of 117 MB for `[0] * 10**6`); a dict's int
    /// keys likewise.
    fn put_label(&mut self, label: &Label) {
        match label {
            Label::Slot(i) => self.put_slot(*i),
            Label::Key(k) => self.put_key(*k),
            Label::Text(text) => self.put_text(text),
        }
    }

    /// A label given as text: a dict's value slot `[5]` and int key `key 5` come so.
    fn put_text_label(&mut self, label: &str) {
        if let Some(i) = slot_index(label) {
            return self.put_slot(i);
        }
        match int_key(label) {
            Some(k) => self.put_key(k),
            None => self.put_text(label),
        }
    }

    fn put_text(&mut self, label: &str) {
        let id = self.strings.id(label);
        self.put((id as u64) << 2);
    }

    fn put_key(&mut self, key: i64) {
        self.put(zigzag(key) << 2 | 2);
    }

    /// The label `[index]`.
    fn put_slot(&mut self, index: u64) {
        self.put(index << 1 | 1);
    }

    fn put_obj(&mut self, obj: ObjId) {
        let d = obj.0 as i64 - self.block.last_obj as i64;
        self.block.last_obj = obj.0;
        self.put(zigzag(d));
    }

    fn put_address(&mut self, address: u64) {
        let d = address.wrapping_sub(self.block.last_address) as i64;
        self.block.last_address = address;
        self.put(zigzag(d));
    }

    /// A TLB miss, page fault or eviction, after `start_event`, field by field. Out of
    /// line: inlined into `push`, it changed how the interpreter's hot paths were
    /// inlined (the mixed program ran 0.8% more instructions).
    #[inline(never)]
    fn put_memory_event(&mut self, event: &Event) {
        match event {
            Event::TlbMiss {
                pid,
                address,
                walk,
                frame,
                writes,
                replaced,
            } => {
                self.bytes.push(T_TLB_MISS);
                self.put(*pid as u64);
                self.put_address(*address);
                self.put_option(frame.map(u64::from));
                self.put_option(*replaced);
                self.put_walk(*address, walk);
                self.put_writes(walk, writes);
            }
            Event::PageFault {
                pid,
                address,
                access,
                frame,
                tables,
                writes,
                swap_in,
            } => {
                self.bytes.push(T_PAGE_FAULT);
                self.put(*pid as u64);
                self.put_address(*address);
                self.bytes.push(*access as u8);
                self.put_option(frame.map(u64::from));
                self.put_option(swap_in.map(u64::from));
                self.put(tables.len() as u64);
                for t in tables.iter() {
                    self.put(t.frame as u64);
                    self.bytes.push(t.level);
                    self.put(t.base);
                }
                self.put_writes(&[], writes);
            }
            Event::Evict {
                pid,
                vpn,
                frame,
                slot,
                writes,
            } => {
                self.bytes.push(T_EVICT);
                self.put(*pid as u64);
                self.put(*vpn);
                self.put(*frame as u64);
                self.put(*slot as u64);
                self.put_writes(&[], writes);
            }
            _ => unreachable!("not a memory event"),
        }
    }

    /// An object holding a reference (or a container changed by a splice): its place
    /// among the block's last `HOLDERS` holders, else `HOLDERS` plus its difference from
    /// the last object named (which it does not change). A step's references are held by
    /// the same few containers while their items change: written as differences, a
    /// list's and its items' ids took 3 bytes each, as they alternated.
    fn put_holder(&mut self, obj: ObjId) {
        let k = match self.block.last_holders.iter().position(|&h| h == obj.0) {
            Some(k) => {
                self.put(k as u64);
                k
            }
            None => {
                let d = obj.0 as i64 - self.block.last_obj as i64;
                self.put(HOLDERS as u64 + zigzag(d));
                HOLDERS - 1
            }
        };
        to_front(&mut self.block.last_holders, k, obj.0);
    }

    /// An object a value stack takes or drops a reference to: its id modulo `STACKED`
    /// when the block's last such object there was it, else `STACKED` plus its difference
    /// from the last object named. Either way it is then the last object named. A step
    /// loads the same containers and constants again and again between new values; a
    /// slot by id costs one comparison, where a most-recent-first list cost the mixed
    /// program 0.7% more instructions for about the same bytes.
    fn put_stacked(&mut self, obj: ObjId) {
        let k = obj.0 as usize % STACKED;
        if self.block.last_stacked[k] == obj.0 {
            self.put(k as u64);
        } else {
            let d = obj.0 as i64 - self.block.last_obj as i64;
            self.put(STACKED as u64 + zigzag(d));
            self.block.last_stacked[k] = obj.0;
        }
        self.block.last_obj = obj.0;
    }

    /// None as 0, a value as itself plus one.
    fn put_option(&mut self, v: Option<u64>) {
        self.put(v.map_or(0, |v| v + 1));
    }

    /// A page-table entry: its flags (the no-execute bit turned to bit 0, so they take
    /// two bytes), then its frame number.
    fn put_entry(&mut self, e: u64) {
        self.put((e & !pte::FRAME_MASK).rotate_left(1));
        self.put((e & pte::FRAME_MASK) >> PAGE_SHIFT);
    }

    /// A walk of `address`: each step's level, table and index as predicted (one below
    /// the last; the table the last entry names; `address`'s index there) in a bit each,
    /// written only where the prediction fails, then its entry.
    fn put_walk(&mut self, address: u64, walk: &[WalkStep]) {
        self.put(walk.len() as u64);
        let indices = PageIndices::of(address);
        let mut predicted = (TOP_LEVEL, None);
        for step in walk {
            let (level, table) = predicted;
            let misses = (step.level != level) as u8
                | ((Some(step.table) != table) as u8) << 1
                | ((step.index != indices.at(step.level)) as u8) << 2;
            self.bytes.push(misses);
            if misses & 1 != 0 {
                self.bytes.push(step.level);
            }
            if misses & 2 != 0 {
                self.put(step.table as u64);
            }
            if misses & 4 != 0 {
                self.put(step.index as u64);
            }
            self.put_entry(step.entry);
            predicted = (step.level.wrapping_sub(1), Some(pte::frame(step.entry)));
        }
    }

    /// Entry writes: one to the entry of a step of `walk` as that step's number plus
    /// one and the bits it changed; any other as 0, its table, index and entry.
    fn put_writes(&mut self, walk: &[WalkStep], writes: &[PteWrite]) {
        self.put(writes.len() as u64);
        for w in writes {
            let step = walk
                .iter()
                .position(|s| s.table == w.table && s.index == w.index);
            match step {
                Some(k) => {
                    self.put(k as u64 + 1);
                    self.put((w.entry ^ walk[k].entry).rotate_left(1));
                }
                None => {
                    self.put(0);
                    self.put(w.table as u64);
                    self.put(w.index as u64);
                    self.put_entry(w.entry);
                }
            }
        }
    }

    fn put_frame(&mut self, frame: FrameId) {
        self.put(frame.0 as u64);
    }

    /// A tag for an event with a frame operand: `SAME_FRAME` set when the frame is the
    /// block's last one, else the frame follows the tag.
    fn put_tag_frame(&mut self, tag: u8, frame: FrameId) {
        if frame.0 == self.block.last_frame {
            self.bytes.push(tag | SAME_FRAME);
        } else {
            self.bytes.push(tag);
            self.put(frame.0 as u64);
            self.block.last_frame = frame.0;
        }
    }

    fn put_referents(&mut self, referents: &[Reference]) {
        self.put(referents.len() as u64);
        for r in referents {
            self.put_label(&r.label);
            self.put_obj(r.target);
        }
    }

    fn start_event(&mut self) {
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(self.bytes.len() as u32);
            self.block = BlockState::default();
        }
        self.last_name = 0;
        self.len += 1;
    }

    /// Records a `Refcount` event (see `Event::Refcount`) without building it.
    pub fn push_refcount(&mut self, obj: ObjId, count: u64, delta: i8, holder: HolderRef<'_>) {
        self.start_event();
        let kind = match holder {
            HolderRef::Name { .. } => 0,
            HolderRef::Stack { .. } => 1,
            HolderRef::Object { .. } | HolderRef::Slot { .. } | HolderRef::Key { .. } => 2,
            HolderRef::Runtime { .. } => 3,
        };
        let frame = match holder {
            HolderRef::Name { frame, .. } | HolderRef::Stack { frame } => Some(frame),
            _ => None,
        };
        let packed = matches!(delta, 1 | -1) && count <= PACKED_COUNT_MAX;
        if let (HolderRef::Runtime { what }, true) = (holder, packed) {
            // One of the block's last four runtime holders, found by its text (most are
            // the same few, "a reference the interpreter holds" above all), else by the
            // string table: either way the id is the table's.
            let texts = &self.strings.texts;
            let recent = self
                .block
                .last_runtime
                .iter()
                .position(|&r| r != 0 && *texts[r as usize - 1] == *what);
            let id = match recent {
                Some(k) => self.block.last_runtime[k],
                None => self.strings.id(what) + 1,
            };
            let low = ((delta < 0) as u8) << 3 | count as u8;
            match recent {
                Some(k) => {
                    self.bytes.push(RUNTIME_RECENT[k] + low);
                    self.put_obj(obj);
                    self.block.last_runtime[..=k].rotate_right(1);
                }
                None => {
                    self.bytes.push(T_REFCOUNT_PACKED + (3 << 4 | low));
                    self.put_obj(obj);
                    self.put(id as u64 - 1);
                    self.block.last_runtime.rotate_right(1);
                    self.block.last_runtime[0] = id;
                }
            }
            return;
        }
        let tag = match delta {
            1 | -1 if packed => {
                T_REFCOUNT_PACKED + (kind << 4 | ((delta < 0) as u8) << 3 | count as u8)
            }
            1 => T_INCREF + kind,
            -1 => T_DECREF + kind,
            _ => T_REFCOUNT + kind,
        };
        match frame {
            Some(f) => self.put_tag_frame(tag, f),
            None => self.bytes.push(tag),
        }
        if (T_REFCOUNT..T_REFCOUNT + 4).contains(&tag) {
            self.bytes.push(delta as u8);
        }
        match holder {
            HolderRef::Stack { .. } => self.put_stacked(obj),
            _ => self.put_obj(obj),
        }
        if tag < T_REFCOUNT_PACKED {
            self.put(count);
        }
        match holder {
            HolderRef::Name { name, .. } => {
                let id = self.strings.id(name);
                self.put(id as u64);
                self.last_name = id + 1;
            }
            HolderRef::Stack { .. } => {}
            HolderRef::Object { obj, label } => {
                self.put_holder(obj);
                self.put_text_label(label);
            }
            HolderRef::Slot { obj, index } => {
                self.put_holder(obj);
                self.put_slot(index as u64);
            }
            HolderRef::Key { obj, key } => {
                self.put_holder(obj);
                self.put_key(key);
            }
            HolderRef::Runtime { what } => self.put_sym(what),
        }
    }

    /// Records an event that names only a frame (`Push` has an object too).
    pub fn push_frame_event(&mut self, tag_of: FrameEvent, frame: FrameId) {
        self.start_event();
        let tag = match tag_of {
            FrameEvent::Pop => T_POP,
            FrameEvent::FramePop => T_FRAME_POP,
            FrameEvent::FrameSuspend => T_FRAME_SUSPEND,
            FrameEvent::FrameResume => T_FRAME_RESUME,
        };
        self.put_tag_frame(tag, frame);
    }

    /// Records a `Push` of `obj` onto `frame`'s evaluation stack.
    pub fn push_push(&mut self, frame: FrameId, obj: ObjId) {
        let same = obj.0 == self.block.last_obj && !self.len.is_multiple_of(BLOCK);
        self.start_event();
        if same {
            self.put_tag_frame(T_PUSH_SAME, frame);
        } else {
            self.put_tag_frame(T_PUSH, frame);
            self.put_obj(obj);
        }
    }

    /// Records a `Bind` of `name` in `frame` to `target`.
    pub fn push_bind(&mut self, frame: FrameId, name: &str, target: ObjId) {
        if self.last_name != 0
            && target.0 == self.block.last_obj
            && frame.0 == self.block.last_frame
            && !self.len.is_multiple_of(BLOCK)
            && *self.strings.texts[self.last_name as usize - 1] == *name
        {
            self.start_event();
            self.bytes.push(T_BIND_SAME);
            return;
        }
        self.start_event();
        self.put_tag_frame(T_BIND, frame);
        self.put_sym(name);
        self.put_obj(target);
    }

    /// Records an `Unbind` of `name` in `frame`.
    pub fn push_unbind(&mut self, frame: FrameId, name: &str) {
        self.start_event();
        self.put_tag_frame(T_UNBIND, frame);
        self.put_sym(name);
    }

    /// Records a `Line` of `frame`.
    pub fn push_line(&mut self, frame: FrameId, line: u32) {
        self.start_event();
        self.put_tag_frame(T_LINE, frame);
        self.put(line as u64);
    }

    /// Records a `Change` of `obj` with its references whole.
    pub fn push_change_whole(&mut self, obj: ObjId, value: &str, size: u64, after: &[Reference]) {
        if !self.whole_only {
            self.last_references.set(obj, self.len, 0);
        }
        self.start_event();
        self.bytes.push(T_CHANGE);
        self.put_obj(obj);
        self.put_change_value(value);
        self.put(size);
        self.put_referents(after);
    }

    /// Records a `Change` of `obj` as `splice` (leaving `after_len` references) when the
    /// chain of splices allows; false when it must be stored whole (`push_change_whole`).
    pub fn push_splice(
        &mut self,
        obj: ObjId,
        value: &str,
        size: u64,
        splice: &Splice,
        after_len: usize,
    ) -> bool {
        let (front, back) = (splice.keep_front, splice.keep_back);
        if !self.start_splice(obj, value, size, (front, back, splice.renumber), after_len) {
            return false;
        }
        self.put_referents(&splice.middle);
        true
    }

    /// As `push_splice`, for a list's splice by position on a list of `len`: the same
    /// bytes as the `Splice` with its labels made.
    pub(crate) fn push_position_splice(
        &mut self,
        obj: ObjId,
        value: &str,
        size: u64,
        splice: &PositionSplice,
        len: usize,
    ) -> bool {
        let (front, back) = (splice.keep_front, splice.keep_back);
        let kept = (front, back, splice.renumbers(len));
        if !self.start_splice(obj, value, size, kept, splice.len_after(len)) {
            return false;
        }
        self.put(splice.middle.len() as u64);
        for (j, &target) in (front..).zip(&splice.middle) {
            self.put_slot(j as u64);
            self.put_obj(target);
        }
        true
    }

    /// A splice's event up to its new references, when the chain of splices allows;
    /// `kept` is its `keep_front`, `keep_back` and `renumber` (stored with `keep_back`,
    /// `keep_back << 1 | renumber`).
    fn start_splice(
        &mut self,
        obj: ObjId,
        value: &str,
        size: u64,
        (keep_front, keep_back, renumber): (usize, usize, bool),
        after_len: usize,
    ) -> bool {
        let here = self.len;
        match self.last_references.get(obj) {
            Some((base, chain)) if chain < MAX_SPLICES.max(after_len) => {
                self.start_event();
                self.bytes.push(T_CHANGE_SPLICE);
                self.put_holder(obj);
                self.put((here - base) as u64);
                self.put_change_value(value);
                self.put(size);
                self.put(keep_front as u64);
                self.put((keep_back as u64) << 1 | renumber as u64);
                self.last_references.set(obj, here, chain + 1);
                true
            }
            _ => false,
        }
    }

    /// Records an `Alloc` of (a copy of) `o`.
    pub fn push_alloc(&mut self, o: &ObjectView) {
        self.push_alloc_with(o, &o.referents);
    }

    /// Records an `Alloc` of `o` with the references `referents` in place of its own.
    pub fn push_alloc_with(&mut self, o: &ObjectView, referents: &[Reference]) {
        if !self.whole_only {
            self.last_references.set(o.id, self.len, 0);
        }
        self.start_event();
        self.bytes.push(T_ALLOC);
        self.put_obj(o.id);
        self.put_sym(&o.type_name);
        self.put_value(&o.value);
        self.put_address(o.address);
        self.put(o.size);
        // Bit 7 of the flags: no references yet (an object's birth), counts left out.
        let unheld = o.refcount == 0 && o.runtime_refs == 0;
        let placement = match o.placement {
            Placement::Static => 0,
            Placement::Pool => 1,
            Placement::Malloc => 2,
        };
        let flags = o.immortal as u8
            | (o.interned as u8) << 1
            | (o.gc_tracked as u8) << 2
            | (o.internal as u8) << 3
            | (o.generation.is_some() as u8) << 4
            | placement << 5
            | (unheld as u8) << 7;
        self.bytes.push(flags);
        if let Some(g) = o.generation {
            self.bytes.push(g);
        }
        if !unheld {
            self.put(o.refcount);
            self.put(o.runtime_refs);
        }
        self.put_referents(referents);
    }

    /// Records a `FramePush` of (a copy of) `f`.
    pub fn push_frame_push(&mut self, f: &FrameView) {
        self.start_event();
        self.bytes.push(T_FRAME_PUSH);
        self.put_frame(f.id);
        self.put_sym(&f.function);
        self.put(f.line as u64);
        self.put(f.locals.len() as u64);
        for b in &f.locals {
            self.put_sym(&b.name);
            self.put_obj(b.target);
        }
        self.put(f.stack.len() as u64);
        for &o in &f.stack {
            self.put_obj(o);
        }
        self.put_address(f.address);
        self.put(f.size);
        match f.namespace {
            Some(ns) => {
                self.bytes.push(1 | (f.suspended as u8) << 1);
                self.put_obj(ns);
            }
            None => self.bytes.push((f.suspended as u8) << 1),
        }
    }

    pub fn push(&mut self, event: &Event) {
        match event {
            Event::Refcount {
                obj,
                count,
                delta,
                holder,
            } => return self.push_refcount(*obj, *count, *delta, holder.as_ref()),
            Event::Push { frame, obj } => return self.push_push(*frame, *obj),
            Event::Pop { frame } => return self.push_frame_event(FrameEvent::Pop, *frame),
            Event::FramePop { frame } => {
                return self.push_frame_event(FrameEvent::FramePop, *frame)
            }
            Event::FrameSuspend { frame } => {
                return self.push_frame_event(FrameEvent::FrameSuspend, *frame)
            }
            Event::FrameResume { frame } => {
                return self.push_frame_event(FrameEvent::FrameResume, *frame)
            }
            Event::Bind {
                frame,
                name,
                target,
            } => return self.push_bind(*frame, name, *target),
            Event::Line { frame, line } => return self.push_line(*frame, *line),
            Event::Unbind { frame, name } => return self.push_unbind(*frame, name),
            Event::Alloc { object } => return self.push_alloc(object),
            Event::FramePush { frame } => return self.push_frame_push(frame),
            Event::Change {
                obj,
                value,
                size,
                referents,
            } => return self.push_change_whole(*obj, value, *size, referents),
            _ => {}
        }
        if let Event::Free { obj, .. } = event {
            self.last_references.clear(*obj);
        }
        self.start_event();
        match event {
            Event::Free { obj, address } => {
                self.bytes.push(T_FREE);
                self.put_obj(*obj);
                self.put_address(*address);
            }
            Event::Flags {
                obj,
                interned,
                immortal,
                gc_tracked,
                generation,
            } => {
                self.bytes.push(T_FLAGS);
                self.put_obj(*obj);
                let flags = *immortal as u8
                    | (*interned as u8) << 1
                    | (*gc_tracked as u8) << 2
                    | (generation.is_some() as u8) << 4;
                self.bytes.push(flags);
                if let Some(g) = generation {
                    self.bytes.push(*g);
                }
            }
            Event::Output { text } => {
                self.bytes.push(T_OUTPUT);
                self.put_str(text);
            }
            Event::Stderr { text } => {
                self.bytes.push(T_STDERR);
                self.put_str(text);
            }
            Event::TlbCount { hits, misses: 0 } if *hits < 0x80 => {
                self.bytes.push(T_TLB_HITS);
                self.bytes.push(*hits as u8);
            }
            Event::TlbCount { hits, misses } => {
                self.bytes.push(T_TLB_COUNT);
                self.put(*hits);
                self.put(*misses);
            }
            Event::TlbMiss { .. } | Event::PageFault { .. } | Event::Evict { .. } => {
                self.put_memory_event(event)
            }
            other => {
                self.bytes.push(T_RARE);
                let i = self.rare.len() as u64;
                self.put(i);
                self.rare.push(other.clone());
            }
        }
    }

    /// The log's events by kind: (kind, events, bytes), largest first; what the
    /// history's bytes go to (`memlane run --history-kinds`).
    pub fn bytes_by_kind(&self) -> Vec<(&'static str, usize, usize)> {
        let mut kinds: Vec<(&'static str, usize, usize)> = Vec::new();
        let mut r = self.reader_at(0);
        while r.next < self.len {
            let start = r.at;
            let tag = self.bytes[start] & !SAME_FRAME;
            let kind = match r.read() {
                Decoded::Splice(_) => "change (splice)",
                Decoded::Event(e) => match e {
                    Event::Refcount { holder, .. } => match (holder, tag) {
                        (Holder::Name { .. }, t) if t >= T_REFCOUNT_PACKED => {
                            "refcount name (packed)"
                        }
                        (Holder::Name { .. }, _) => "refcount name",
                        (Holder::Stack { .. }, t) if t >= T_REFCOUNT_PACKED => {
                            "refcount stack (packed)"
                        }
                        (Holder::Stack { .. }, _) => "refcount stack",
                        (Holder::Object { .. }, t) if t >= T_REFCOUNT_PACKED => {
                            "refcount object (packed)"
                        }
                        (Holder::Object { .. }, _) => "refcount object",
                        (Holder::Runtime { .. }, _) if self.bytes[start] & 0x60 == 0x60 => {
                            "refcount runtime (recent holder)"
                        }
                        (Holder::Runtime { .. }, t) if t >= T_REFCOUNT_PACKED => {
                            "refcount runtime (packed)"
                        }
                        (Holder::Runtime { .. }, _) => "refcount runtime",
                    },
                    Event::Alloc { .. } => "alloc",
                    Event::Free { .. } => "free",
                    Event::Change { .. } => "change (whole)",
                    Event::Flags { .. } => "flags",
                    Event::Bind { .. } if self.bytes[start] == T_BIND_SAME => {
                        "bind (as the refcount before)"
                    }
                    Event::Bind { .. } => "bind",
                    Event::Unbind { .. } => "unbind",
                    Event::Push { .. } if tag == T_PUSH_SAME => "push (same object)",
                    Event::Push { .. } => "push",
                    Event::Pop { .. } => "pop",
                    Event::FramePush { .. } => "frame push",
                    Event::FramePop { .. } => "frame pop",
                    Event::Line { .. } => "line",
                    Event::TlbCount { .. } => "tlb count",
                    Event::TlbMiss { .. } => "tlb miss",
                    Event::PageFault { .. } => "page fault",
                    Event::Evict { .. } => "evict",
                    _ => "other",
                },
            };
            let bytes = r.at - start;
            match kinds.iter_mut().find(|k| k.0 == kind) {
                Some(k) => {
                    k.1 += 1;
                    k.2 += bytes;
                }
                None => kinds.push((kind, 1, bytes)),
            }
        }
        kinds.sort_by_key(|k| std::cmp::Reverse(k.2));
        kinds
    }

    /// Bytes written so far.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The events `start..end` (clamped to the log).
    pub fn decode(&self, start: usize, end: usize) -> Vec<Event> {
        let mut out = Vec::with_capacity(end.min(self.len).saturating_sub(start));
        out.extend(self.iter(start, end));
        out
    }

    /// The events `start..end` (clamped to the log), decoded as they are read.
    pub fn iter(&self, start: usize, end: usize) -> Events<'_> {
        let end = end.min(self.len);
        let mut events = Events {
            reader: self.reader_at(start.min(end)),
            end,
            known: HashMap::default(),
        };
        // Skip to `start` within its block.
        while events.reader.next < start.min(end) {
            events.reader.read();
        }
        events
    }

    /// The events `start..end` as stored (splices not expanded).
    pub fn iter_stored(
        &self,
        start: usize,
        end: usize,
        holder_texts: bool,
    ) -> impl Iterator<Item = Stored> + '_ {
        let end = end.min(self.len);
        let mut reader = self.reader_at(start.min(end));
        reader.holder_texts = holder_texts;
        while reader.next < start.min(end) {
            reader.read();
        }
        std::iter::from_fn(move || {
            (reader.next < end).then(|| match reader.read() {
                Decoded::Event(e) => Stored::Event(e),
                Decoded::Splice(rec) => Stored::Splice {
                    obj: rec.obj,
                    value: rec.value,
                    size: rec.size,
                    splice: rec.splice,
                },
            })
        })
    }

    /// Keeps the first `n` events (of a finished log: the encoder's running state is not
    /// kept up). Rare events only the dropped events named stay in `rare`, unread: finding
    /// them would mean reading every dropped event, and they are rare.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len {
            return;
        }
        let mut r = self.reader_at(n);
        while r.next < n {
            r.read();
        }
        let at = r.at;
        self.bytes.truncate(at);
        self.blocks.truncate(n.div_ceil(BLOCK));
        self.len = n;
        self.shrink_to_fit();
    }

    /// A reader at the start of the block holding event `index`.
    fn reader_at(&self, index: usize) -> Reader<'_> {
        let block = index / BLOCK;
        Reader {
            log: self,
            strings: &self.strings,
            at: self
                .blocks
                .get(block)
                .map_or(self.bytes.len(), |&b| b as usize),
            next: block * BLOCK,
            block: BlockState::default(),
            last_name: 0,
            holder_texts: true,
            no_referents: None,
        }
    }

    /// The references `obj` has after event `index` (an `Alloc` or `Change` of it),
    /// following the splices back to references stored whole.
    fn references_after(&self, index: usize) -> Vec<Reference> {
        // Walk the chain back to references stored whole, then apply its splices forward
        // (a loop, not recursion: a chain may be as long as the container).
        let mut splices = Vec::new();
        let mut at = index;
        let mut referents = loop {
            let mut r = self.reader_at(at);
            while r.next < at {
                r.read();
            }
            match r.read() {
                Decoded::Event(Event::Alloc { object }) => {
                    break Arc::unwrap_or_clone(object.referents)
                }
                Decoded::Event(Event::Change { referents, .. }) => break referents,
                // A splice that keeps nothing of the list before it (a list's `sort()`,
                // a `clear()`) is the whole list: the walk stops there, so a chain of
                // them costs one, not one each.
                Decoded::Splice(rec) if rec.splice.keep_front == 0 && rec.splice.keep_back == 0 => {
                    splices.push(rec.splice);
                    break Vec::new();
                }
                Decoded::Splice(rec) => {
                    at = rec.base_event;
                    splices.push(rec.splice);
                }
                Decoded::Event(_) => break Vec::new(),
            }
        };
        // A list's moved positions are labelled once, at the end (each splice's own
        // renumbering would make the chain O(len) a splice).
        for splice in splices.iter().rev() {
            splice.apply_unnumbered(&mut referents);
        }
        if splices.iter().any(|s| s.renumber) {
            renumber_from(&mut referents, 0);
        }
        referents
    }

    /// Applies events `start..end` to `snap`, which must be the state after the first
    /// `start` events. Splices apply to the snapshot's references directly.
    pub fn replay(&self, start: usize, end: usize, snap: &mut crate::view::Snapshot) {
        self.replay_in(start, end, snap, &self.strings)
    }

    /// As `replay`, for a log written with `table`'s strings (`with_strings_of`).
    pub fn replay_with_strings_of(
        &self,
        table: &EventLog,
        start: usize,
        end: usize,
        snap: &mut crate::view::Snapshot,
    ) {
        self.replay_in(start, end, snap, &table.strings)
    }

    /// Appends the references of its first event, a `Change` written by
    /// `push_change_whole` with `table`'s strings (a piece of a big container's references
    /// in a checkpoint).
    pub fn extend_with_references(&self, table: &EventLog, out: &mut Vec<Reference>) {
        if self.len == 0 {
            return;
        }
        let mut r = self.reader_at(0);
        r.strings = &table.strings;
        r.holder_texts = false;
        if let Decoded::Event(Event::Change { referents, .. }) = r.read() {
            out.extend(referents);
        }
    }

    fn replay_in(
        &self,
        start: usize,
        end: usize,
        snap: &mut crate::view::Snapshot,
        strings: &Strings,
    ) {
        let end = end.min(self.len);
        if start >= end {
            return;
        }
        let mut r = self.reader_at(start);
        r.strings = strings;
        r.holder_texts = false;
        while r.next < start {
            r.read();
        }
        let mut working = WorkingReferences::default();
        while r.next < end {
            if let Some(view) = r.read_alloc() {
                working.forget(view.id);
                snap.objects.insert(view.id, Arc::new(view));
                continue;
            }
            match r.read() {
                Decoded::Event(e) => {
                    if let Event::Free { obj, .. } | Event::Change { obj, .. } = &e {
                        working.forget(*obj);
                    }
                    snap.apply_owned(e)
                }
                Decoded::Splice(rec) => match snap.objects.get_mut(&rec.obj).map(Arc::make_mut) {
                    Some(o) => working.apply(o, rec),
                    None => {
                        let referents = self.references_after(rec.base_event);
                        snap.apply(&rec.into_change(referents));
                    }
                },
            }
        }
        working.put_back(snap);
    }
}

/// The references of the big containers a replay splices far from their end, held
/// apart while it runs (see `LiveReferences`): a set emptied from the front moved all
/// its other references at each discard, and a seek replaying 7,000 of them on a set of
/// 200,000 took 4.2 s.
#[derive(Default)]
struct WorkingReferences(Vec<(ObjId, LiveReferences)>);

/// References a splice must move before its object's are held apart.
const WORKING_MOVES: usize = 256;

impl WorkingReferences {
    /// Applies `rec`, a splice of `o`.
    fn apply(&mut self, o: &mut ObjectView, rec: SpliceRecord) {
        let held = self.0.iter().position(|(id, _)| *id == rec.obj);
        let held = match held {
            Some(k) => k,
            None => {
                let len = o.referents.len();
                let range = replaced(len, rec.splice.keep_front, rec.splice.keep_back);
                // A `Vec` moves the references after the range.
                let moves =
                    range.len() != rec.splice.middle.len() && len - range.end > WORKING_MOVES;
                if !moves {
                    return rec.splice.apply_to(o, rec.value, rec.size);
                }
                let referents = std::mem::take(Arc::make_mut(&mut o.referents));
                self.0.push((rec.obj, referents.into()));
                self.0.len() - 1
            }
        };
        o.value = rec.value;
        o.size = rec.size;
        rec.splice.apply_live(&mut self.0[held].1);
    }

    /// `obj` was freed or its references replaced: what is held of it is stale.
    #[inline]
    fn forget(&mut self, obj: ObjId) {
        if !self.0.is_empty() {
            self.0.retain(|(id, _)| *id != obj);
        }
    }

    /// Gives the objects of `snap` the references held for them.
    fn put_back(self, snap: &mut crate::view::Snapshot) {
        for (obj, live) in self.0 {
            if let Some(o) = snap.objects.get_mut(&obj).map(Arc::make_mut) {
                o.referents = Arc::new(live.to_vec());
            }
        }
    }
}

impl SpliceRecord {
    fn into_change(self, referents: Vec<Reference>) -> Event {
        spliced_change(self.obj, self.value, self.size, &self.splice, referents)
    }
}

/// The `Change` of `obj` that `splice` records, given the references it had before.
fn spliced_change(
    obj: ObjId,
    value: String,
    size: u64,
    splice: &Splice,
    mut referents: Vec<Reference>,
) -> Event {
    splice.apply(&mut referents);
    Event::Change {
        obj,
        value,
        size,
        referents,
    }
}

impl Stored {
    /// The event this stands for; a splice's is made from `before(obj)`, the references
    /// its object had before it.
    pub fn into_event(self, before: impl FnOnce(ObjId) -> Vec<Reference>) -> Event {
        match self {
            Stored::Event(event) => event,
            Stored::Splice {
                obj,
                value,
                size,
                splice,
            } => spliced_change(obj, value, size, &splice, before(obj)),
        }
    }
}

/// An iterator over a range of the log's events.
pub(crate) struct Events<'a> {
    reader: Reader<'a>,
    end: usize,
    /// The references of the objects met so far: a splice's starting point.
    known: HashMap<ObjId, Vec<Reference>, FxBuild>,
}

impl Events<'_> {
    /// The log's byte offset of the next event.
    pub fn byte_position(&self) -> usize {
        self.reader.at
    }
}

impl Iterator for Events<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.reader.next >= self.end {
            return None;
        }
        let event = match self.reader.read() {
            Decoded::Event(e) => e,
            Decoded::Splice(rec) => {
                let referents = match self.known.get(&rec.obj) {
                    Some(r) => r.clone(),
                    None => self.reader.log.references_after(rec.base_event),
                };
                rec.into_change(referents)
            }
        };
        match &event {
            Event::Alloc { object } => {
                self.known.insert(object.id, object.referents.to_vec());
            }
            Event::Change { obj, referents, .. } => {
                self.known.insert(*obj, referents.clone());
            }
            Event::Free { obj, .. } => {
                self.known.remove(obj);
            }
            _ => {}
        }
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.saturating_sub(self.reader.next);
        (n, Some(n))
    }
}

struct Reader<'a> {
    log: &'a EventLog,
    /// The string table its ids index: the log's own, or the one it shares (a
    /// checkpoint's log uses the run's).
    strings: &'a Strings,
    at: usize,
    /// The index of the next event.
    next: usize,
    /// What the block's events were written relative to (as `EventLog::block`).
    block: BlockState,
    last_name: u32,
    /// False while replaying into a snapshot: a refcount change's holder then comes
    /// back with its kind but no text (`Snapshot::apply` reads only the count and
    /// whether the holder is the runtime), so a seek makes no string for it.
    holder_texts: bool,
    /// One empty list of references for all the views it reads that hold none (most
    /// objects: ints, strings), made at the first.
    no_referents: Option<Arc<Vec<Reference>>>,
}

impl Reader<'_> {
    /// Text `i` of the string table, or an empty one when holder texts are skipped.
    fn holder_text(&self, i: usize) -> String {
        if self.holder_texts {
            self.strings.texts[i].to_string()
        } else {
            String::new()
        }
    }

    fn byte(&mut self) -> u8 {
        let b = self.log.bytes[self.at];
        self.at += 1;
        b
    }

    fn num(&mut self) -> u64 {
        read_varint(&self.log.bytes, &mut self.at)
    }

    fn text(&mut self) -> String {
        let n = self.num() as usize;
        let s = &self.log.bytes[self.at..self.at + n];
        self.at += n;
        // Only ever written from a `&str`.
        String::from_utf8_lossy(s).into_owned()
    }

    fn value(&mut self) -> String {
        let v = self.num();
        if v & 1 == 1 {
            // Every int's birth: not through `fmt`.
            return crate::object::decimal(unzigzag(v >> 1));
        }
        let n = (v >> 1) as usize;
        let s = &self.log.bytes[self.at..self.at + n];
        self.at += n;
        String::from_utf8_lossy(s).into_owned()
    }

    fn sym(&mut self) -> String {
        let i = self.num() as usize;
        self.strings.texts[i].to_string()
    }

    /// A value written by `put_change_value`.
    fn change_value(&mut self) -> String {
        let v = self.num();
        let text = &self.strings.texts[(v >> 1) as usize];
        if v & 1 == 0 {
            return text.to_string();
        }
        let text = text.clone();
        format!("{text} {}", unzigzag(self.num()))
    }

    /// A label written by `put_label`: `[i]` made here, when it is decoded.
    fn label(&mut self) -> String {
        match self.reference_label() {
            Label::Slot(i) => index_label(i),
            label @ Label::Key(_) => label.to_string(),
            Label::Text(text) => text.to_string(),
        }
    }

    /// A reference's label written by `put_label`, as a `Label`: a position stays a
    /// number and a text is shared with the string table (nothing is allocated).
    fn reference_label(&mut self) -> Label {
        let v = self.num();
        match v & 3 {
            1 | 3 => Label::Slot(v >> 1),
            2 => Label::Key(unzigzag(v >> 2)),
            _ => Label::Text(self.strings.texts[(v >> 2) as usize].clone()),
        }
    }

    fn obj(&mut self) -> ObjId {
        let d = unzigzag(self.num());
        self.block.last_obj = (self.block.last_obj as i64 + d) as u32;
        ObjId(self.block.last_obj)
    }

    /// An object holding a reference, written by `put_holder`.
    fn holder(&mut self) -> ObjId {
        let v = self.num();
        let (k, obj) = match v.checked_sub(HOLDERS as u64) {
            Some(d) => (
                HOLDERS - 1,
                (self.block.last_obj as i64 + unzigzag(d)) as u32,
            ),
            None => (v as usize, self.block.last_holders[v as usize]),
        };
        to_front(&mut self.block.last_holders, k, obj);
        ObjId(obj)
    }

    /// An object a value stack's refcount change named, written by `put_stacked`.
    fn stacked(&mut self) -> ObjId {
        let v = self.num();
        let obj = match v.checked_sub(STACKED as u64) {
            Some(d) => {
                let obj = (self.block.last_obj as i64 + unzigzag(d)) as u32;
                self.block.last_stacked[obj as usize % STACKED] = obj;
                obj
            }
            None => self.block.last_stacked[v as usize],
        };
        self.block.last_obj = obj;
        ObjId(obj)
    }

    fn option(&mut self) -> Option<u64> {
        self.num().checked_sub(1)
    }

    fn entry(&mut self) -> u64 {
        let flags = self.num().rotate_right(1);
        flags | self.num() << PAGE_SHIFT
    }

    /// A `TlbMiss` written by `push`, after its tag.
    fn tlb_miss(&mut self) -> Event {
        let pid = self.num() as u32;
        let address = self.address();
        let frame = self.option().map(|f| f as u32);
        let replaced = self.option();
        let indices = PageIndices::of(address);
        let mut walk = Vec::with_capacity(self.num() as usize);
        let (mut level, mut table) = (TOP_LEVEL, 0);
        for _ in 0..walk.capacity() {
            let misses = self.byte();
            if misses & 1 != 0 {
                level = self.byte();
            }
            if misses & 2 != 0 {
                table = self.num() as u32;
            }
            let index = match misses & 4 != 0 {
                true => self.num() as u16,
                false => indices.at(level),
            };
            let entry = self.entry();
            walk.push(WalkStep {
                level,
                table,
                index,
                entry,
            });
            (level, table) = (level.wrapping_sub(1), pte::frame(entry));
        }
        let writes = self.writes(&walk);
        Event::TlbMiss {
            pid,
            address,
            walk: walk.into(),
            frame,
            writes,
            replaced,
        }
    }

    /// A `PageFault` written by `push`, after its tag.
    fn page_fault(&mut self) -> Event {
        let pid = self.num() as u32;
        let address = self.address();
        let access = match self.byte() {
            0 => Access::Read,
            1 => Access::Write,
            _ => Access::Execute,
        };
        let frame = self.option().map(|f| f as u32);
        let swap_in = self.option().map(|s| s as u32);
        let tables = (0..self.num())
            .map(|_| NewTable {
                frame: self.num() as u32,
                level: self.byte(),
                base: self.num(),
            })
            .collect();
        Event::PageFault {
            pid,
            address,
            access,
            frame,
            tables,
            writes: self.writes(&[]),
            swap_in,
        }
    }

    /// Entry writes written by `put_writes` with `walk`.
    fn writes(&mut self, walk: &[WalkStep]) -> Box<[PteWrite]> {
        (0..self.num())
            .map(|_| match self.num().checked_sub(1) {
                Some(k) => {
                    let step = walk[k as usize];
                    PteWrite {
                        table: step.table,
                        index: step.index,
                        entry: step.entry ^ self.num().rotate_right(1),
                    }
                }
                None => PteWrite {
                    table: self.num() as u32,
                    index: self.num() as u16,
                    entry: self.entry(),
                },
            })
            .collect()
    }

    fn address(&mut self) -> u64 {
        let d = unzigzag(self.num());
        self.block.last_address = self.block.last_address.wrapping_add(d as u64);
        self.block.last_address
    }

    fn frame(&mut self) -> FrameId {
        FrameId(self.num() as u32)
    }

    /// The frame of an event whose tag was `tag` (see `SAME_FRAME`).
    fn tag_frame(&mut self, tag: u8) -> FrameId {
        if tag & SAME_FRAME == 0 {
            self.block.last_frame = self.num() as u32;
        }
        FrameId(self.block.last_frame)
    }

    fn referents(&mut self) -> Vec<Reference> {
        let n = self.num() as usize;
        (0..n)
            .map(|_| {
                let label = self.reference_label();
                Reference {
                    label,
                    target: self.obj(),
                }
            })
            .collect()
    }

    /// An `Alloc`'s view, read after its tag.
    fn alloc_view(&mut self) -> ObjectView {
        let id = self.obj();
        let type_name = self.sym();
        let value = self.value();
        let address = self.address();
        let size = self.num();
        let flags = self.byte();
        let generation = (flags & 0x10 != 0).then(|| self.byte());
        let (refcount, runtime_refs) = if flags & 0x80 != 0 {
            (0, 0)
        } else {
            (self.num(), self.num())
        };
        let referents = self.referents();
        ObjectView {
            id,
            type_name,
            value,
            address,
            size,
            refcount,
            runtime_refs,
            immortal: flags & 1 != 0,
            interned: flags & 2 != 0,
            gc_tracked: flags & 4 != 0,
            generation,
            placement: match flags >> 5 & 3 {
                0 => Placement::Static,
                1 => Placement::Pool,
                _ => Placement::Malloc,
            },
            internal: flags & 8 != 0,
            referents: match referents.is_empty() {
                true => self
                    .no_referents
                    .get_or_insert_with(Default::default)
                    .clone(),
                false => Arc::new(referents),
            },
        }
    }

    /// The next event read straight into a view when it is an `Alloc` (a checkpoint is
    /// all `Alloc`s: no boxed event to copy out of), else None with nothing read.
    fn read_alloc(&mut self) -> Option<ObjectView> {
        if self.log.bytes[self.at] != T_ALLOC {
            return None;
        }
        self.begin_event();
        self.last_name = 0;
        self.at += 1;
        Some(self.alloc_view())
    }

    /// Starts reading event `next` (returned): a block's first resets the differences.
    fn begin_event(&mut self) -> usize {
        if self.next.is_multiple_of(BLOCK) {
            self.block = BlockState::default();
        }
        self.next += 1;
        self.next - 1
    }

    /// Reads the next event.
    fn read(&mut self) -> Decoded {
        let here = self.begin_event();
        let name = std::mem::take(&mut self.last_name);
        if self.log.bytes[self.at] == T_CHANGE_SPLICE {
            self.at += 1;
            let obj = self.holder();
            let base_event = here - self.num() as usize;
            let value = self.change_value();
            let size = self.num();
            let keep_front = self.num() as usize;
            let back = self.num();
            let middle = self.referents();
            return Decoded::Splice(SpliceRecord {
                obj,
                base_event,
                value,
                size,
                splice: Splice {
                    keep_front,
                    keep_back: (back >> 1) as usize,
                    middle,
                    renumber: back & 1 == 1,
                },
            });
        }
        Decoded::Event(self.event(name))
    }

    /// The event at the reader; `name` is the string id + 1 of the previous event's name
    /// if it was a name's refcount change.
    fn event(&mut self, name: u32) -> Event {
        let full = self.byte();
        if full == T_BIND_SAME {
            return Event::Bind {
                frame: FrameId(self.block.last_frame),
                name: self.strings.texts[name as usize - 1].to_string(),
                target: ObjId(self.block.last_obj),
            };
        }
        if full >= T_RUNTIME_SAME && full & 0x60 == 0x60 {
            // A runtime holder among the block's last four.
            let k = (full >> 7) << 1 | (full >> 4 & 1);
            let low = full & 0x0f;
            let obj = self.obj();
            let k = k as usize;
            let id = self.block.last_runtime[k];
            self.block.last_runtime[..=k].rotate_right(1);
            return Event::Refcount {
                obj,
                count: (low & 7) as u64,
                delta: 1 - 2 * (low >> 3) as i8,
                holder: Holder::Runtime {
                    what: self.strings.texts[id as usize - 1].to_string(),
                },
            };
        }
        match full {
            T_TLB_MISS => return self.tlb_miss(),
            T_PAGE_FAULT => return self.page_fault(),
            T_EVICT => {
                return Event::Evict {
                    pid: self.num() as u32,
                    vpn: self.num(),
                    frame: self.num() as u32,
                    slot: self.num() as u32,
                    writes: self.writes(&[]),
                }
            }
            _ => {}
        }
        let tag = full & !SAME_FRAME;
        match tag {
            T_RARE => self.log.rare[self.num() as usize].clone(),
            T_ALLOC => Event::Alloc {
                object: Box::new(self.alloc_view()),
            },
            T_FREE => Event::Free {
                obj: self.obj(),
                address: self.address(),
            },
            T_CHANGE => Event::Change {
                obj: self.obj(),
                value: self.change_value(),
                size: self.num(),
                referents: self.referents(),
            },
            T_FLAGS => {
                let obj = self.obj();
                let flags = self.byte();
                Event::Flags {
                    obj,
                    immortal: flags & 1 != 0,
                    interned: flags & 2 != 0,
                    gc_tracked: flags & 4 != 0,
                    generation: (flags & 0x10 != 0).then(|| self.byte()),
                }
            }
            T_BIND => Event::Bind {
                frame: self.tag_frame(full),
                name: self.sym(),
                target: self.obj(),
            },
            T_UNBIND => Event::Unbind {
                frame: self.tag_frame(full),
                name: self.sym(),
            },
            T_PUSH => Event::Push {
                frame: self.tag_frame(full),
                obj: self.obj(),
            },
            T_PUSH_SAME => Event::Push {
                frame: self.tag_frame(full),
                obj: ObjId(self.block.last_obj),
            },
            T_TLB_HITS => Event::TlbCount {
                hits: self.byte() as u64,
                misses: 0,
            },
            T_FRAME_PUSH => {
                let id = self.frame();
                let function = self.sym();
                let line = self.num() as u32;
                let locals = (0..self.num())
                    .map(|_| {
                        let name = self.sym();
                        Binding {
                            name,
                            target: self.obj(),
                        }
                    })
                    .collect();
                let stack = (0..self.num()).map(|_| self.obj()).collect();
                let address = self.address();
                let size = self.num();
                let flags = self.byte();
                let namespace = (flags & 1 != 0).then(|| self.obj());
                Event::FramePush {
                    frame: Box::new(FrameView {
                        id,
                        function,
                        line,
                        locals,
                        stack,
                        address,
                        size,
                        namespace,
                        suspended: flags & 2 != 0,
                    }),
                }
            }
            T_POP => Event::Pop {
                frame: self.tag_frame(full),
            },
            T_FRAME_POP => Event::FramePop {
                frame: self.tag_frame(full),
            },
            T_FRAME_SUSPEND => Event::FrameSuspend {
                frame: self.tag_frame(full),
            },
            T_FRAME_RESUME => Event::FrameResume {
                frame: self.tag_frame(full),
            },
            T_LINE => Event::Line {
                frame: self.tag_frame(full),
                line: self.num() as u32,
            },
            T_OUTPUT => Event::Output { text: self.text() },
            T_STDERR => Event::Stderr { text: self.text() },
            T_TLB_COUNT => Event::TlbCount {
                hits: self.num(),
                misses: self.num(),
            },
            _ => {
                let packed = tag >= T_REFCOUNT_PACKED;
                let kind = if packed {
                    (tag - T_REFCOUNT_PACKED) >> 4
                } else {
                    (tag - T_INCREF) % 4
                };
                // The frame comes right after the tag, before the rest.
                let frame = (kind < 2).then(|| self.tag_frame(full));
                let delta = match tag {
                    _ if packed => 1 - 2 * ((tag - T_REFCOUNT_PACKED) >> 3 & 1) as i8,
                    T_INCREF..T_DECREF => 1,
                    T_DECREF..T_REFCOUNT => -1,
                    _ => self.byte() as i8,
                };
                let obj = match kind {
                    1 => self.stacked(),
                    _ => self.obj(),
                };
                let count = if packed { (tag & 7) as u64 } else { self.num() };
                let holder = match kind {
                    0 => {
                        let i = self.num() as usize;
                        self.last_name = i as u32 + 1;
                        Holder::Name {
                            frame: frame.expect("a name's frame"),
                            name: self.holder_text(i),
                        }
                    }
                    1 => Holder::Stack {
                        frame: frame.expect("a stack's frame"),
                    },
                    2 => Holder::Object {
                        obj: self.holder(),
                        label: if self.holder_texts {
                            self.label()
                        } else {
                            self.num();
                            String::new()
                        },
                    },
                    _ => {
                        let i = self.num() as usize;
                        if packed {
                            self.block.last_runtime.rotate_right(1);
                            self.block.last_runtime[0] = i as u32 + 1;
                        }
                        Holder::Runtime {
                            what: self.holder_text(i),
                        }
                    }
                };
                Event::Refcount {
                    obj,
                    count,
                    delta,
                    holder,
                }
            }
        }
    }
}

/// A rough count of the heap memory a rare event's lists hold.
fn rare_heap_bytes(e: &Event) -> usize {
    use std::mem::size_of_val;
    match e {
        Event::Gc {
            objects, gc_refs, ..
        } => objects.capacity() * 4 + gc_refs.capacity() * 8,
        Event::MemoryStart { frames, .. } => size_of_val(&**frames),
        Event::ProcessStart { name, .. } => name.capacity(),
        Event::Munmap {
            writes,
            frames,
            swap_slots,
            ..
        } => size_of_val(&**writes) + size_of_val(&**frames) + size_of_val(&**swap_slots),
        Event::TlbMiss { walk, writes, .. } => size_of_val(&**walk) + size_of_val(&**writes),
        Event::PageFault { tables, writes, .. } => size_of_val(&**tables) + size_of_val(&**writes),
        Event::Evict { writes, .. } => size_of_val(&**writes),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(id: u32, value: &str) -> Event {
        Event::Alloc {
            object: Box::new(ObjectView {
                id: ObjId(id),
                type_name: "int".into(),
                value: value.into(),
                address: 0x7fff_0000 + 32 * id as u64,
                size: 28,
                ..ObjectView::default()
            }),
        }
    }

    /// Every encoding (packed and plain refcounts, frames left out or given, ints stored
    /// as numbers or as text) decodes to the event pushed, across block boundaries.
    #[test]
    fn events_decode_as_pushed() {
        let mut events = Vec::new();
        let values = [
            "0",
            "-0",
            "007",
            "123",
            "-45",
            "+5",
            "1152921504606846975",
            "x",
        ];
        for (i, v) in values.iter().enumerate() {
            events.push(int(i as u32, v));
        }
        for round in 0..40u32 {
            let frame = FrameId(round % 3);
            for (k, holder) in [
                Holder::Name {
                    frame,
                    name: "total".into(),
                },
                Holder::Stack { frame },
                Holder::Object {
                    obj: ObjId(round % 5),
                    label: format!("[{round}]"),
                },
                Holder::Runtime {
                    what: "a reference the interpreter holds".into(),
                },
            ]
            .into_iter()
            .enumerate()
            {
                for (delta, count) in [(1, 0), (-1, 7), (1, 8), (0, 2), (10, 300), (-1, 1)] {
                    events.push(Event::Refcount {
                        obj: ObjId(round * 7 + k as u32),
                        count,
                        delta,
                        holder: holder.clone(),
                    });
                }
            }
            events.push(Event::Push {
                frame,
                obj: ObjId(round),
            });
            events.push(Event::Pop { frame });
            events.push(Event::Line {
                frame: FrameId(round % 2),
                line: round,
            });
            events.push(Event::Bind {
                frame,
                name: "i".into(),
                target: ObjId(round),
            });
            events.push(Event::Unbind {
                frame: FrameId(7),
                name: "i".into(),
            });
            // Runtime holders past the four recent ones, a push of the object just named,
            // a bind after its name's refcount change (and after another name's, another
            // object's, another frame's), TLB counts, an allocation already held.
            for h in [0, 1, 2, 3, 4, 0, 2, 5, 1, 0] {
                events.push(Event::Refcount {
                    obj: ObjId(round + h),
                    count: (round + h) as u64 % 9,
                    delta: if h % 2 == 0 { 1 } else { -1 },
                    holder: Holder::Runtime {
                        what: format!("holder {}", (h + round) % 6),
                    },
                });
            }
            for (name, target, bind_frame) in [
                ("x", round, frame),
                ("y", round, frame),
                ("x", round + 1, frame),
                ("x", round, FrameId(9)),
            ] {
                events.push(Event::Refcount {
                    obj: ObjId(round),
                    count: 3,
                    delta: 1,
                    holder: Holder::Name {
                        frame,
                        name: "x".into(),
                    },
                });
                events.push(Event::Bind {
                    frame: bind_frame,
                    name: name.into(),
                    target: ObjId(target),
                });
                events.push(Event::Push {
                    frame,
                    obj: ObjId(target),
                });
            }
            events.push(Event::TlbCount {
                hits: round as u64 * 5,
                misses: (round % 3) as u64,
            });
            let mut held = int(1000 + round, "5");
            if let Event::Alloc { object } = &mut held {
                object.refcount = (round % 2) as u64;
                object.runtime_refs = (round % 3) as u64;
            }
            events.push(held);
        }
        let mut log = EventLog::default();
        for e in &events {
            log.push(e);
        }
        assert_eq!(log.decode(0, log.len()), events);
        for start in (0..events.len() - 70).step_by(7) {
            assert_eq!(log.decode(start, start + 70), events[start..start + 70]);
        }
    }

    #[test]
    fn only_canonical_int_texts_are_stored_as_numbers() {
        assert_eq!(canonical_int("0"), Some(0));
        assert_eq!(canonical_int("-45"), Some(-45));
        assert_eq!(canonical_int("123"), Some(123));
        for text in [
            "",
            "-",
            "-0",
            "007",
            "+5",
            "1.0",
            "12a",
            "1152921504606846975",
        ] {
            assert_eq!(canonical_int(text), None, "{text}");
        }
    }

    /// A position label `[i]` among an object's references is stored as its number, and
    /// a slot holder recorded by position (`HolderRef::Slot`) too; so is an int key's
    /// label `key k`, given either way (`HolderRef::Key` or the text). None adds to the string table, and all decode
    /// to the label text, as any other label does.
    #[test]
    fn slot_and_int_key_labels_are_numbers_and_decode_as_texts() {
        assert_eq!(slot_index("[0]"), Some(0));
        assert_eq!(slot_index("[42]"), Some(42));
        assert_eq!(
            slot_index("[999999999999999999]"),
            Some(999_999_999_999_999_999)
        );
        let labels = [
            "[0]",
            "[7]",
            "[12345]",
            "[999999999999999999]",
            "[1000000000000000000]",
            "[007]",
            "[00]",
            "[-1]",
            "[+1]",
            "[]",
            "[",
            "]",
            "[1",
            "1]",
            "['a']",
            "[(1, 2)]",
            "key 00",
            "key +1",
            "key -0",
            "key 1.5",
            "key 1000000000000000000",
            "key  1",
            "__bases__[0]",
            "cell_contents",
            // Int keys: numbers.
            "key 0",
            "key -7",
            "key 123456",
            "key 999999999999999999",
            "key -999999999999999999",
        ];
        let keys = labels.len() - 5;
        for (k, label) in labels.iter().enumerate() {
            assert_eq!(int_key(label).is_some(), k >= keys, "{label}");
        }
        // Only the first four are positions as `index_label` writes them.
        for (k, label) in labels.iter().enumerate() {
            match slot_index(label) {
                Some(i) => assert_eq!((k < 4, format!("[{i}]").as_str()), (true, *label)),
                None => assert!(k >= 4, "{label}"),
            }
        }
        // References (an allocation's or a change's) and slot holders by position: the
        // positions are numbers, only the other labels are texts.
        let mut expected = vec![Event::Change {
            obj: ObjId(3),
            value: "list of 19".into(),
            size: 208,
            referents: labels
                .iter()
                .enumerate()
                .map(|(k, label)| Reference {
                    label: Label::from(*label),
                    target: ObjId(k as u32),
                })
                .collect(),
        }];
        let mut log = EventLog::default();
        log.push(&expected[0]);
        for index in [0usize, 1, 63, 64, 100_000, 5] {
            let holder = HolderRef::Slot {
                obj: ObjId(3),
                index,
            };
            log.push_refcount(ObjId(9), 2, -1, holder);
            expected.push(Event::Refcount {
                obj: ObjId(9),
                count: 2,
                delta: -1,
                holder: holder.to_owned(),
            });
        }
        // An int key's holder given as its number.
        for key in [0, -7, 123_456, 999_999_999_999_999_999] {
            let holder = HolderRef::Key { obj: ObjId(4), key };
            log.push_refcount(ObjId(10), 3, 1, holder);
            expected.push(Event::Refcount {
                obj: ObjId(10),
                count: 3,
                delta: 1,
                holder: Holder::Object {
                    obj: ObjId(4),
                    label: format!("key {key}"),
                },
            });
        }
        let stored: Vec<&str> = log.strings.texts.iter().map(|t| &**t).collect();
        let mut texts: Vec<&str> = labels[4..keys].to_vec();
        // A change's value is stored as its text before the count.
        texts.push("list of");
        texts.sort();
        let mut stored_sorted = stored.clone();
        stored_sorted.sort();
        assert_eq!(stored_sorted, texts);
        let table = stored.len();
        // An object holder given as a text keeps its text, whatever it is; a position
        // or an int key given so is stored as its number too.
        for (k, label) in labels.iter().enumerate() {
            let event = Event::Refcount {
                obj: ObjId(k as u32),
                count: k as u64 * 3,
                delta: 1,
                holder: Holder::Object {
                    obj: ObjId(100 + k as u32),
                    label: label.to_string(),
                },
            };
            log.push(&event);
            expected.push(event);
        }
        assert_eq!(log.strings.texts.len(), table, "holders added no text");
        assert_eq!(log.decode(0, log.len()), expected);
        assert_eq!(
            expected[6],
            Event::Refcount {
                obj: ObjId(9),
                count: 2,
                delta: -1,
                holder: Holder::Object {
                    obj: ObjId(3),
                    label: "[5]".into(),
                },
            }
        );
    }

    /// A changed object's value decodes as written, and only its text before a count
    /// goes to the string table: a container grown an item a step adds no text a step.
    #[test]
    fn change_values_keep_counts_out_of_the_string_table() {
        let values = [
            "list of 0",
            "list of 1",
            "dict of 200000",
            "list of 007",
            "list of -0",
            "list of -3",
            "Dog object",
            "set of 1.5",
            "",
            "5",
            " 5",
        ];
        let mut log = EventLog::default();
        let mut expected = Vec::new();
        for (k, value) in values.iter().enumerate() {
            let event = Event::Change {
                obj: ObjId(k as u32),
                value: value.to_string(),
                size: 56,
                referents: Vec::new(),
            };
            log.push(&event);
            expected.push(event);
        }
        assert_eq!(log.decode(0, log.len()), expected);
        let mut stored: Vec<&str> = log.strings.texts.iter().map(|t| &**t).collect();
        stored.sort();
        assert_eq!(
            stored,
            [
                "",
                "5",
                "Dog object",
                "dict of",
                "list of",
                "list of -0",
                "list of 007",
                "set of 1.5"
            ]
        );
    }

    /// A list's splice by position writes the bytes of the same `Splice` with its labels
    /// made, and applies to a list's references as that splice does.
    #[test]
    fn position_splices_match_labelled_splices() {
        let list = |targets: &[u32]| -> Vec<Reference> {
            (0..)
                .zip(targets)
                .map(|(j, &t)| Reference {
                    label: Label::Slot(j),
                    target: ObjId(t),
                })
                .collect()
        };
        // (old targets, keep_front, keep_back, middle): an append, a pop(0) stored
        // whole and as a moved back, an insert(0, x), an item replaced, a clear, a
        // shrink from the back, a fill of an empty list, a removal in the middle.
        let cases: [(&[u32], usize, usize, &[u32]); 9] = [
            (&[1, 2, 3], 3, 0, &[4]),
            (&[1, 2, 3, 4], 0, 0, &[2, 3, 4]),
            (&[1, 2, 3, 4], 0, 3, &[]),
            (&[1, 2, 3], 0, 3, &[9]),
            (&[1, 2, 3, 4], 1, 2, &[9]),
            (&[1, 2], 0, 0, &[]),
            (&[1, 2, 3], 1, 0, &[]),
            (&[], 0, 0, &[5, 6, 7]),
            (&[1, 2, 3, 4, 5], 2, 2, &[]),
        ];
        for (old, keep_front, keep_back, middle) in cases {
            let by_position = PositionSplice {
                keep_front,
                keep_back,
                middle: middle.iter().map(|&t| ObjId(t)).collect(),
            };
            let labelled = Splice {
                keep_front,
                keep_back,
                middle: (keep_front as u64..)
                    .zip(middle)
                    .map(|(j, &t)| Reference {
                        label: Label::Slot(j),
                        target: ObjId(t),
                    })
                    .collect(),
                renumber: by_position.renumbers(old.len()),
            };
            let (mut a, mut b) = (list(old), list(old));
            by_position.apply(&mut a);
            labelled.apply(&mut b);
            assert_eq!(a, b, "{old:?} {keep_front} {keep_back} {middle:?}");
            assert_eq!(by_position.len_after(old.len()), a.len());
            // Whatever moved, the list is labelled by position after it.
            let targets: Vec<u32> = a.iter().map(|r| r.target.0).collect();
            assert_eq!(a, list(&targets));

            let mut logs = [EventLog::default(), EventLog::default()];
            for log in &mut logs {
                log.push_change_whole(ObjId(1), "list of 3", 80, &list(old));
            }
            let n = a.len();
            assert!(logs[0].push_position_splice(ObjId(1), "list", 88, &by_position, old.len()));
            assert!(logs[1].push_splice(ObjId(1), "list", 88, &labelled, n));
            assert_eq!(logs[0].bytes, logs[1].bytes);
            match &logs[0].decode(0, 2)[1] {
                Event::Change { referents, .. } => assert_eq!(referents, &a),
                other => panic!("{other:?}"),
            }
        }
    }

    fn labelled(targets: &[u32], label: impl Fn(usize) -> Label) -> Vec<Reference> {
        targets
            .iter()
            .enumerate()
            .map(|(i, &t)| Reference {
                label: label(i),
                target: ObjId(t),
            })
            .collect()
    }

    /// `references` as the recorder's live ones, with `room` spare before them.
    fn live(references: Vec<Reference>, room: usize) -> LiveReferences {
        let mut live = LiveReferences::from(references);
        live.make_room(room);
        live
    }

    proptest::proptest! {
        /// Splices applied to the recorder's live references leave what they left when
        /// those were a `Vec`, wherever they fall and whatever room there is.
        #[test]
        fn splices_apply_to_live_references_as_to_a_vec(
            old in proptest::collection::vec(0u32..50, 0..40),
            room in 0usize..40,
            splices in proptest::collection::vec(
                (0usize..45, 0usize..45, proptest::collection::vec(50u32..99, 0..20)),
                1..8,
            ),
        ) {
            let text = |i: usize| Label::from(format!("key {}", i % 7));
            let mut expected = labelled(&old, text);
            let mut got = live(expected.clone(), room);
            for (keep_front, keep_back, middle) in &splices {
                let splice = Splice {
                    keep_front: *keep_front,
                    keep_back: *keep_back,
                    middle: labelled(middle, |i| text(i + 3)),
                    renumber: false,
                };
                splice.apply(&mut expected);
                splice.apply_live(&mut got);
                proptest::prop_assert_eq!(&got[..], &expected[..]);
            }

            let slot = |i: usize| Label::Slot(i as u64);
            let (keep_front, keep_back, middle) = &splices[0];
            let by_position = PositionSplice {
                keep_front: *keep_front,
                keep_back: *keep_back,
                middle: middle.iter().map(|&t| ObjId(t)).collect(),
            };
            let mut expected = labelled(&old, slot);
            let mut got = live(expected.clone(), room);
            by_position.apply(&mut expected);
            by_position.apply_live(&mut got);
            proptest::prop_assert_eq!(&got[..], &expected[..]);
        }
    }

    /// A walk as the MMU makes it (each table the one the entry before names, each index
    /// the address's) or any steps at all.
    fn walk_strategy() -> impl proptest::strategy::Strategy<Value = (u64, Vec<WalkStep>)> {
        use proptest::prelude::*;
        let entry = prop_oneof![
            any::<u64>(),
            (any::<u32>(), any::<bool>(), 0u64..0x1000)
                .prop_map(|(f, nx, flags)| (f as u64) << PAGE_SHIFT | (nx as u64) << 63 | flags),
        ];
        let real = (
            any::<u64>(),
            any::<u32>(),
            proptest::collection::vec(entry.clone(), 0..=4),
        )
            .prop_map(|(address, root, entries)| {
                let indices = PageIndices::of(address);
                let mut table = root;
                let steps = (1..=TOP_LEVEL)
                    .rev()
                    .zip(entries)
                    .map(|(level, entry)| {
                        let step = WalkStep {
                            level,
                            table,
                            index: indices.at(level),
                            entry,
                        };
                        table = pte::frame(entry);
                        step
                    })
                    .collect();
                (address, steps)
            });
        let any_steps = (
            any::<u64>(),
            proptest::collection::vec((any::<u8>(), any::<u32>(), any::<u16>(), entry), 0..6),
        )
            .prop_map(|(address, steps)| {
                let steps = steps
                    .into_iter()
                    .map(|(level, table, index, entry)| WalkStep {
                        level,
                        table,
                        index,
                        entry,
                    })
                    .collect();
                (address, steps)
            });
        prop_oneof![real, any_steps]
    }

    proptest::proptest! {
        /// The memory model's events written field by field decode to the events pushed,
        /// with walks as the MMU makes them or not, entry writes to the walk's entries or
        /// to others, and across block boundaries.
        #[test]
        fn memory_events_decode_as_pushed(
            events in proptest::collection::vec(
                (
                    walk_strategy(),
                    proptest::collection::vec(proptest::arbitrary::any::<(Option<u8>, u32, u16, u64)>(), 0..4),
                    proptest::arbitrary::any::<(u32, Option<u32>, Option<u64>, u8)>(),
                    proptest::collection::vec(proptest::arbitrary::any::<(u32, u8, u64)>(), 0..4),
                ),
                1..90,
            ),
        ) {
            use proptest::prop_assert;
            let mut pushed = Vec::new();
            for ((address, walk), writes, (pid, frame, replaced, kind), tables) in events {
                let writes: Box<[PteWrite]> = writes
                    .into_iter()
                    .map(|(step, table, index, entry)| match step.filter(|_| !walk.is_empty()) {
                        Some(k) => {
                            let s = walk[k as usize % walk.len()];
                            PteWrite { table: s.table, index: s.index, entry }
                        }
                        None => PteWrite { table, index, entry },
                    })
                    .collect();
                pushed.push(match kind % 3 {
                    0 => Event::TlbMiss { pid, address, walk: walk.into(), frame, writes, replaced },
                    1 => Event::PageFault {
                        pid,
                        address,
                        access: [Access::Read, Access::Write, Access::Execute][kind as usize / 3 % 3],
                        frame,
                        tables: tables
                            .into_iter()
                            .map(|(frame, level, base)| NewTable { frame, level, base })
                            .collect(),
                        writes,
                        swap_in: replaced.map(|r| r as u32),
                    },
                    _ => Event::Evict {
                        pid,
                        vpn: address,
                        frame: frame.unwrap_or(7),
                        slot: kind as u32,
                        writes,
                    },
                });
                pushed.push(Event::TlbCount { hits: 3, misses: 0 });
            }
            let mut log = EventLog::default();
            for e in &pushed {
                log.push(e);
            }
            prop_assert!(log.rare.is_empty());
            proptest::prop_assert_eq!(log.decode(0, log.len()), pushed.clone());
            let mid = pushed.len() / 2;
            proptest::prop_assert_eq!(log.decode(mid, pushed.len()), pushed[mid..].to_vec());
        }
    }

    /// The recent-strings cache never gives a text another's id.
    #[test]
    fn string_ids_are_stable() {
        let mut strings = Strings::default();
        let texts: Vec<String> = (0..2000).map(|i| format!("[{}]", i % 700)).collect();
        let ids: Vec<u32> = texts.iter().map(|t| strings.id(t)).collect();
        for (t, &i) in texts.iter().zip(&ids) {
            assert_eq!(&*strings.texts[i as usize], t.as_str());
            assert_eq!(strings.id(t), i);
        }
    }
}
