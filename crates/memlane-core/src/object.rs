//! Heap objects: a header (refcount, address, GC state) and a payload per Python type.

use crate::hash::Key;
use crate::view::{Label, ObjId, Placement, Reference};
use indexmap::IndexMap;
use num_bigint::BigInt;
use std::collections::HashMap;
use std::rc::Rc;

/// A name as CPython keeps it in attribute and name tables.
pub type Name = Rc<str>;

#[derive(Clone, Debug)]
pub struct Object {
    /// References the model holds.
    pub refcount: u64,
    /// References from parts of CPython memlane does not model (the small-int cache, the
    /// runtime's own uses of None). Counted by `sys.getrefcount`, never by the invariant.
    pub runtime_refs: u64,
    pub payload: Payload,
    /// `id()`: the address of the object header.
    pub address: u64,
    /// Start and length of the memory block (GC header and pre-header included).
    pub block: u64,
    pub block_len: u64,
    /// A second allocation the object owns: a list's item array, a dict's keys table.
    pub storage: Option<(u64, u64)>,
    pub placement: Placement,
    pub immortal: bool,
    pub interned: bool,
    pub gc_tracked: bool,
    pub generation: u8,
    /// PEP 442: `__del__` runs at most once per object.
    pub finalized: bool,
    pub internal: bool,
}

#[derive(Clone, Debug)]
pub enum Payload {
    None,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    Str(Rc<str>),
    List(List),
    Tuple(Vec<ObjId>),
    Dict(Dict),
    Set(Set),
    Range {
        start: i64,
        stop: i64,
        step: i64,
    },
    Slice {
        start: ObjId,
        stop: ObjId,
        step: ObjId,
    },
    Function(Function),
    Class(Class),
    Instance(Instance),
    BoundMethod {
        function: ObjId,
        receiver: ObjId,
    },
    Cell(Option<ObjId>),
    Module(Module),
    Code(Code),
    Builtin(Builtin),
    Iterator(Iter),
    Generator(Generator),
}

#[derive(Clone, Debug, Default)]
pub struct List {
    pub items: Vec<ObjId>,
    /// `allocated`: slots in the item array, which grows by CPython's over-allocation rule.
    pub capacity: usize,
}

/// An insertion-ordered dict with CPython's table geometry (for `sys.getsizeof`).
#[derive(Clone, Debug, Default)]
pub struct Dict {
    /// Entries in insertion order; deleted ones leave a hole until the next resize.
    /// Changed only through `push_entry`, `take_entry` and `compact`, which keep `live`.
    pub entries: Vec<Option<(ObjId, ObjId)>>,
    pub index: HashMap<Key, usize, crate::hash::FxBuild>,
    /// The keys hashed by Python code (`Key::Hashed`): by hash, those a lookup of that
    /// hash compares with `==`; and each one's hash. Empty for most dicts, so other keys'
    /// lookups stay one probe of `index`. Changed with `index` by `index_key` and
    /// `unindex_key`.
    python_keys: HashMap<i64, Vec<ObjId>, crate::hash::FxBuild>,
    python_hashes: HashMap<ObjId, i64, crate::hash::FxBuild>,
    /// log2 of the index table size; `None` while the dict has no keys table at all.
    pub log2_size: Option<u8>,
    /// All keys are str: entries take 16 bytes instead of 24.
    pub unicode: bool,
    /// Which entries are live, counted so that an entry's position among the live ones
    /// (its place in the dict's references) is found without walking the holes.
    live: SlotRanks,
}

impl Dict {
    /// An empty dict with no keys table yet; `unicode` as a new dict literal starts.
    pub fn empty(unicode: bool) -> Dict {
        Dict {
            unicode,
            ..Dict::default()
        }
    }
    /// Adds an entry last; its index.
    pub fn push_entry(&mut self, key: ObjId, value: ObjId) -> usize {
        self.entries.push(Some((key, value)));
        self.live.push(true);
        self.entries.len() - 1
    }
    /// Empties entry `i`, leaving a hole: what it held.
    pub fn take_entry(&mut self, i: usize) -> Option<(ObjId, ObjId)> {
        let taken = self.entries[i].take();
        if taken.is_some() {
            self.live.add(i, -1);
        }
        taken
    }
    /// Drops the holes (a resize does), keeping the index pointing at the right entries.
    pub fn compact(&mut self) {
        let mut new_position = Vec::with_capacity(self.entries.len());
        let mut live = 0;
        for e in &self.entries {
            new_position.push(live);
            live += e.is_some() as usize;
        }
        for position in self.index.values_mut() {
            *position = new_position[*position];
        }
        self.entries.retain(Option::is_some);
        self.live = SlotRanks::full(self.entries.len());
    }
    /// Points `key` at entry `position`.
    pub fn index_key(&mut self, key: Key, position: usize) {
        if let Key::Hashed { hash, id } = key {
            self.python_keys.entry(hash).or_default().push(ObjId(id));
            self.python_hashes.insert(ObjId(id), hash);
        }
        self.index.insert(key, position);
    }
    /// Forgets `key`: the entry it pointed at.
    pub fn unindex_key(&mut self, key: &Key) -> Option<usize> {
        if let &Key::Hashed { hash, id } = key {
            if let Some(ids) = self.python_keys.get_mut(&hash) {
                ids.retain(|&k| k != ObjId(id));
                if ids.is_empty() {
                    self.python_keys.remove(&hash);
                }
            }
            self.python_hashes.remove(&ObjId(id));
        }
        self.index.remove(key)
    }
    /// Whether any key was hashed by Python code.
    pub fn has_python_keys(&self) -> bool {
        !self.python_keys.is_empty()
    }
    /// The hash a key object hashed by Python code was stored with.
    pub fn python_hash_of(&self, key: ObjId) -> Option<i64> {
        self.python_hashes.get(&key).copied()
    }
    /// The entries whose keys were hashed by Python code to `hash`, in entry order (the
    /// order CPython's probe meets keys of one hash in): positions and keys.
    pub fn python_candidates(&self, hash: i64) -> Vec<(usize, ObjId)> {
        let Some(ids) = self.python_keys.get(&hash) else {
            return Vec::new();
        };
        let mut found: Vec<(usize, ObjId)> = ids
            .iter()
            .filter_map(|&id| {
                let key = Key::Hashed { hash, id: id.0 };
                self.index.get(&key).map(|&i| (i, id))
            })
            .collect();
        found.sort_unstable();
        found
    }
    /// How many live entries come before entry `i`.
    pub fn live_rank(&self, i: usize) -> usize {
        if self.entries.len() == self.len() {
            return i;
        }
        self.live.full_before(i)
    }
    /// The live entry with `rank` live ones before it.
    pub fn live_entry(&self, rank: usize) -> Option<(ObjId, ObjId)> {
        if self.entries.len() == self.len() {
            return self.entries.get(rank).copied().flatten();
        }
        self.entries[self.live.slot_of(rank)?]
    }
    pub fn len(&self) -> usize {
        self.index.len()
    }
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
    pub fn items(&self) -> impl Iterator<Item = (ObjId, ObjId)> + '_ {
        self.entries.iter().flatten().copied()
    }
    pub fn get(&self, key: &Key) -> Option<(ObjId, ObjId)> {
        self.index.get(key).and_then(|&i| self.entries[i])
    }
    /// Entries the keys table can hold before it must grow (`USABLE_FRACTION`).
    pub fn usable(&self) -> usize {
        self.log2_size.map_or(0, |l| usable_fraction(1 << l))
    }
}

/// `USABLE_FRACTION`: the entries a keys table of `size` slots holds.
pub fn usable_fraction(size: usize) -> usize {
    (size << 1) / 3
}

/// A set with CPython's open-addressing table, so iteration order matches CPython's.
#[derive(Clone, Debug)]
pub struct Set {
    pub table: Vec<SetSlot>,
    pub fill: usize,
    pub used: usize,
    pub frozen: bool,
    /// Where `pop` starts looking (CPython's `finger`).
    pub finger: usize,
    /// Which slots are full, counted so that a slot's rank among the full ones (its
    /// position in the set's references) is found without walking the table.
    ranks: SlotRanks,
    /// How many items were hashed by Python code (`Key::Hashed`): while there are none,
    /// no lookup of a built-in key calls `==`.
    hashed: usize,
}

/// What `Set::insert` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// An equal item was there already.
    Present,
    /// Added as the `rank`th item in table order; the others kept their order.
    At { rank: usize },
    /// Added, and the table was rebuilt: the items' order changed.
    Rebuilt,
}

/// Where a walk of a set's probe sequence stands (`Set::probe`).
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    start: usize,
    next: usize,
    perturb: u64,
    free_slot: Option<usize>,
}

impl Probe {
    /// The start of `hash`'s probe sequence in a table of `size` slots.
    pub fn new(hash: i64, size: usize) -> Probe {
        let start = (hash as u64 as usize) & (size - 1);
        Probe {
            start,
            next: start,
            perturb: hash as u64,
            free_slot: None,
        }
    }
}

/// Where `Set::probe` stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probed {
    Found(usize),
    /// Not there: the slot to insert it in.
    Absent(usize),
    /// This slot's item has the same hash; only Python's `==` can say if it matches.
    Compare(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetSlot {
    Empty,
    Dummy,
    Full { hash: i64, key: Key, item: ObjId },
}

impl Set {
    /// An empty set, or frozenset, with CPython's 8-slot small table.
    pub fn empty(frozen: bool) -> Set {
        Set {
            table: vec![SetSlot::Empty; 8],
            fill: 0,
            used: 0,
            frozen,
            finger: 0,
            ranks: SlotRanks::new(8),
            hashed: 0,
        }
    }

    pub fn items(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.table.iter().filter_map(|s| match s {
            SetSlot::Full { item, .. } => Some(*item),
            _ => None,
        })
    }

    pub fn len(&self) -> usize {
        self.used
    }

    pub fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Whether any item was hashed by Python code.
    pub fn has_hashed(&self) -> bool {
        self.hashed > 0
    }

    /// Walks CPython's probe sequence for `hash` from where `probe` stands: 9 linear
    /// probes, then perturbed jumps. Stops at an item equal to `key` as a Rust value
    /// (identity for objects), at the free slot to insert it in, or at an item of the
    /// same hash that only Python's `==` can match (`Key::Hashed` on either side); the
    /// probe then goes on from the next slot.
    pub fn probe(&self, hash: i64, key: &Key, probe: &mut Probe) -> Probed {
        let mask = self.table.len() - 1;
        loop {
            let last = if probe.start + 9 <= mask {
                probe.start + 9
            } else {
                probe.start
            };
            while probe.next <= last {
                let j = probe.next;
                probe.next += 1;
                match &self.table[j] {
                    SetSlot::Empty => return Probed::Absent(probe.free_slot.unwrap_or(j)),
                    SetSlot::Full {
                        hash: h, key: k, ..
                    } if *h == hash => {
                        if k == key {
                            return Probed::Found(j);
                        }
                        if k.is_hashed() || key.is_hashed() {
                            return Probed::Compare(j);
                        }
                    }
                    // The last dummy passed is reused, as CPython's `set_add_entry`
                    // does (it keeps no first one).
                    SetSlot::Dummy => probe.free_slot = Some(j),
                    _ => {}
                }
            }
            probe.perturb >>= 5;
            probe.start = (probe
                .start
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(probe.perturb as usize))
                & mask;
            probe.next = probe.start;
        }
    }

    /// `probe` where keys match only as Rust values: the slot of `key`, or where it
    /// would go.
    fn find(&self, hash: i64, key: &Key) -> Result<usize, usize> {
        let mut probe = Probe::new(hash, self.table.len());
        loop {
            match self.probe(hash, key, &mut probe) {
                Probed::Found(j) => return Ok(j),
                Probed::Absent(j) => return Err(j),
                Probed::Compare(_) => {}
            }
        }
    }

    /// The item in `slot`, if it is full.
    pub fn item_at(&self, slot: usize) -> Option<ObjId> {
        match self.table.get(slot) {
            Some(SetSlot::Full { item, .. }) => Some(*item),
            _ => None,
        }
    }

    /// The items with the hash and key each was stored with, in table order.
    pub fn entries(&self) -> impl Iterator<Item = (ObjId, i64, &Key)> + '_ {
        self.table.iter().filter_map(|s| match s {
            SetSlot::Full { hash, key, item } => Some((*item, *hash, key)),
            _ => None,
        })
    }

    pub fn contains(&self, hash: i64, key: &Key) -> bool {
        self.find(hash, key).is_ok()
    }

    /// Inserts `item` unless an equal one (as a Rust value) is there.
    pub fn insert(&mut self, hash: i64, key: Key, item: ObjId) -> Inserted {
        match self.find(hash, &key) {
            Ok(_) => Inserted::Present,
            Err(slot) => self.insert_at(slot, hash, key, item),
        }
    }

    /// Puts `item` in the free `slot` a probe for its hash ended at, growing the table
    /// when it is full enough.
    pub fn insert_at(&mut self, slot: usize, hash: i64, key: Key, item: ObjId) -> Inserted {
        if self.table[slot] == SetSlot::Empty {
            self.fill += 1;
        }
        self.used += 1;
        self.hashed += key.is_hashed() as usize;
        self.table[slot] = SetSlot::Full { hash, key, item };
        self.ranks.add(slot, 1);
        let mask = self.table.len() - 1;
        if self.fill * 5 >= mask * 3 {
            self.resize(if self.used > 50_000 {
                self.used * 2
            } else {
                self.used * 4
            });
            return Inserted::Rebuilt;
        }
        Inserted::At {
            rank: self.ranks.full_before(slot),
        }
    }

    /// Makes room for `incoming` items at once, as CPython's `set_merge` and
    /// `set_update_internal` do before adding a set's or a dict's keys; whether the
    /// table was rebuilt (its items reordered).
    pub fn make_room(&mut self, incoming: usize) -> bool {
        let rebuild = (self.fill + incoming) * 5 >= (self.table.len() - 1) * 3;
        if rebuild {
            self.resize((self.used + incoming) * 2);
        }
        rebuild
    }

    /// Whether `other`'s table can be copied slot for slot, as `set_merge` does into
    /// an empty table of the same size when `other` has no dummies.
    pub fn can_copy_table(&self, other: &Set) -> bool {
        self.fill == 0 && self.table.len() == other.table.len() && other.fill == other.used
    }

    /// Takes `table`'s slots as they are (see `can_copy_table`).
    pub fn copy_table(&mut self, table: Vec<SetSlot>) {
        let frozen = self.frozen;
        *self = Set::empty(frozen);
        self.ranks = SlotRanks::new(table.len());
        for (i, slot) in table.iter().enumerate() {
            if let SetSlot::Full { key, .. } = slot {
                self.ranks.add(i, 1);
                self.used += 1;
                self.hashed += key.is_hashed() as usize;
            }
        }
        self.fill = self.used;
        self.table = table;
    }

    /// Removes the item equal to `key`: it, and the rank it had among the items.
    pub fn remove(&mut self, hash: i64, key: &Key) -> Option<(ObjId, usize)> {
        let slot = self.find(hash, key).ok()?;
        self.take(slot)
    }

    /// Removes an item as CPython's `set.pop` does, from the finger on, wrapping
    /// around: it, and the rank it had.
    pub fn pop(&mut self) -> Option<(ObjId, usize)> {
        if self.used == 0 {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut slot = self.finger & mask;
        while !matches!(self.table[slot], SetSlot::Full { .. }) {
            slot = (slot + 1) & mask;
        }
        self.finger = slot + 1;
        self.take(slot)
    }

    /// Empties the full `slot`: the item it held, and the rank it had.
    pub fn take(&mut self, slot: usize) -> Option<(ObjId, usize)> {
        let SetSlot::Full { item, key, .. } =
            std::mem::replace(&mut self.table[slot], SetSlot::Dummy)
        else {
            return None;
        };
        self.used -= 1;
        self.hashed -= key.is_hashed() as usize;
        self.ranks.add(slot, -1);
        Some((item, self.ranks.full_before(slot)))
    }

    /// Empties the set into a new small table, as CPython's `set.clear` does: the items
    /// it held, in table order.
    pub fn clear(&mut self) -> Vec<ObjId> {
        let items = self.items().collect();
        *self = Set::empty(self.frozen);
        items
    }

    /// The `rank`th item in table order.
    pub fn nth(&self, rank: usize) -> Option<ObjId> {
        match self.table.get(self.ranks.slot_of(rank)?) {
            Some(SetSlot::Full { item, .. }) => Some(*item),
            _ => None,
        }
    }

    fn resize(&mut self, min_used: usize) {
        let mut size = 8;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![SetSlot::Empty; size]);
        self.ranks = SlotRanks::new(size);
        self.fill = self.used;
        let mask = size - 1;
        for slot in old {
            if let SetSlot::Full { hash, key, item } = slot {
                let mut perturb = hash as u64;
                let mut i = (hash as u64 as usize) & mask;
                'probe: loop {
                    let probes = if i + 9 <= mask { 9 } else { 0 };
                    for j in i..=i + probes {
                        if self.table[j] == SetSlot::Empty {
                            self.table[j] = SetSlot::Full { hash, key, item };
                            self.ranks.add(j, 1);
                            break 'probe;
                        }
                    }
                    perturb >>= 5;
                    i = (i
                        .wrapping_mul(5)
                        .wrapping_add(1)
                        .wrapping_add(perturb as usize))
                        & mask;
                }
            }
        }
    }
}

/// Counts of a table's full slots (a set's table, a dict's entries) as a Fenwick tree,
/// so a slot's rank among the full ones, and the slot of a rank, take O(log n): a set or
/// dict that changes an item a step records each change as a splice at that rank, where
/// walking its table was quadratic over the run. Hand-written: about 60 lines, less than
/// the glue a crate's generic tree would need here.
#[derive(Clone, Debug, Default)]
struct SlotRanks {
    /// `tree[i - 1]` counts the full slots in `(i - lowbit(i), i]` (1-based).
    tree: Vec<u32>,
}

impl SlotRanks {
    fn new(slots: usize) -> SlotRanks {
        SlotRanks {
            tree: vec![0; slots],
        }
    }

    /// `n` slots, all full.
    fn full(n: usize) -> SlotRanks {
        let mut tree = vec![1u32; n];
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent - 1] += tree[i - 1];
            }
        }
        SlotRanks { tree }
    }

    /// A slot added last, full or not.
    fn push(&mut self, full: bool) {
        // The new node covers the `lowbit` slots ending with it.
        let i = self.tree.len() + 1;
        let covered = self.full_before(i - 1) - self.full_before(i - (i & i.wrapping_neg()));
        self.tree.push(covered as u32 + full as u32);
    }

    /// `slot` became full (`delta` 1) or stopped being full (-1).
    fn add(&mut self, slot: usize, delta: i32) {
        let mut i = slot + 1;
        while i <= self.tree.len() {
            self.tree[i - 1] = self.tree[i - 1].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// How many slots before `slot` are full.
    fn full_before(&self, slot: usize) -> usize {
        let mut i = slot;
        let mut n = 0;
        while i > 0 {
            n += self.tree[i - 1] as usize;
            i &= i - 1;
        }
        n
    }

    /// The full slot with `rank` full slots before it.
    fn slot_of(&self, rank: usize) -> Option<usize> {
        // Descends by powers of two: `pos` ends as the last prefix holding `rank` or
        // fewer full slots, so the slot after it is the one sought.
        let (mut pos, mut left) = (0, rank);
        let mut step = self.tree.len().checked_next_power_of_two()?;
        while step > 0 {
            let next = pos + step;
            if next <= self.tree.len() && (self.tree[next - 1] as usize) <= left {
                pos = next;
                left -= self.tree[next - 1] as usize;
            }
            step /= 2;
        }
        (pos < self.tree.len()).then_some(pos)
    }
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: Name,
    pub qualname: Name,
    pub code: ObjId,
    pub globals: ObjId,
    /// `__defaults__`: a tuple, as CPython keeps it.
    pub defaults: Option<ObjId>,
    /// `__kwdefaults__`: a dict.
    pub kwdefaults: Option<ObjId>,
    /// `__closure__`: a tuple of cells.
    pub closure: Option<ObjId>,
}

/// Names to values in the order they were first set.
pub type Attributes = IndexMap<Name, ObjId, crate::hash::FxBuild>;

#[derive(Clone, Debug)]
pub struct Class {
    pub name: Name,
    pub bases: Vec<ObjId>,
    /// The class namespace (`__dict__`), in definition order (Fx-hashed: looked up at
    /// every method call and instantiation).
    pub attrs: Attributes,
    /// Set for built-in types (int, list, ValueError, ...).
    pub builtin: Option<BuiltinType>,
    /// The keys its instances share (`ht_cached_keys`), which size their attribute values.
    pub shared_keys: SharedKeys,
}

/// A class's shared-key table: the attribute names its instances have used, and how many
/// more it can take. `nentries + usable` sizes each new instance's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedKeys {
    pub names: Vec<Name>,
    pub usable: u32,
}

/// `SHARED_KEYS_MAX_SIZE` in dictobject.c.
pub const SHARED_KEYS_MAX_SIZE: u32 = 30;

impl Default for SharedKeys {
    fn default() -> SharedKeys {
        SharedKeys {
            names: Vec::new(),
            usable: SHARED_KEYS_MAX_SIZE,
        }
    }
}

impl SharedKeys {
    /// `shared_keys_usable_size`: value slots a new instance gets.
    pub fn size(&self) -> u64 {
        self.names.len() as u64 + self.usable as u64
    }

    /// A new attribute name takes one usable slot.
    pub fn add(&mut self, name: &Name) {
        if !self.names.contains(name) && self.usable > 0 {
            self.names.push(name.clone());
            self.usable -= 1;
        }
    }
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub class: ObjId,
    /// Attribute values, kept inline in the object as CPython 3.11+ does (no dict object).
    pub attrs: Attributes,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub name: Name,
    /// The module's globals, for `__main__`.
    pub dict: Option<ObjId>,
}

#[derive(Clone, Debug)]
pub struct Code {
    pub name: Name,
    pub qualname: Name,
    /// `co_consts`: a tuple, shared with other code objects of the same compilation when equal.
    pub consts: ObjId,
    /// `co_names`: a tuple of interned strs.
    pub names: ObjId,
    /// The interpreter's index of the compiled body; opaque to the model.
    pub unit: u32,
    pub first_line: u32,
}

#[derive(Clone, Debug)]
pub struct Builtin {
    pub name: &'static str,
    /// The module or object the builtin is bound to (`sys` for `sys.getrefcount`).
    pub owner: Option<&'static str>,
}

impl Builtin {
    /// A class method (`dict.fromkeys`): taken from an object, it is bound to the
    /// object's type, and called without it.
    pub fn is_class_method(&self) -> bool {
        self.owner == Some("dict") && self.name == "fromkeys"
    }
}

#[derive(Clone, Debug)]
pub struct Iter {
    pub kind: IterKind,
    /// The iterated object (or the inner iterators, for zip and enumerate).
    pub sources: Vec<ObjId>,
    pub index: i64,
    pub stop: i64,
    pub step: i64,
    /// Where the next item is looked for in the source's storage: a set's table slot, a
    /// dict's entry, a str's byte (CPython's `si_pos`, `di_pos`), so a step costs the
    /// gap to the next item, not a walk from the start.
    pub pos: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IterKind {
    List,
    ListReverse,
    Tuple,
    Str,
    Range,
    DictKeys,
    DictValues,
    DictItems,
    Set,
    Enumerate,
    Zip,
    /// `map(f, *iterables)`: sources are `f`, then the iterators.
    Map,
    /// `filter(f, iterable)`: sources are `f` (or None), then the iterator.
    Filter,
    /// `dict.keys()`, `values()`, `items()`: views, not iterators; iterating one makes a
    /// dict iterator.
    KeysView,
    ValuesView,
    ItemsView,
    /// A Python-level sequence iterated through `__getitem__` / generator objects wrap frames.
    Call,
}

impl IterKind {
    /// `sys.getsizeof` of the iterator less its GC header (`enumobject.c`, `bltinmodule.c`;
    /// the rest hold an index and a sequence, or a function and iterators).
    pub fn basic_size(self) -> u64 {
        match self {
            IterKind::Zip => 48,
            IterKind::Enumerate => 56,
            _ => 32,
        }
    }

    pub fn type_name(self) -> &'static str {
        match self {
            IterKind::List => "list_iterator",
            IterKind::ListReverse => "list_reverseiterator",
            IterKind::Tuple => "tuple_iterator",
            IterKind::Str => "str_ascii_iterator",
            IterKind::Range => "range_iterator",
            IterKind::DictKeys => "dict_keyiterator",
            IterKind::DictValues => "dict_valueiterator",
            IterKind::DictItems => "dict_itemiterator",
            IterKind::Set => "set_iterator",
            IterKind::Enumerate => "enumerate",
            IterKind::Zip => "zip",
            IterKind::Map => "map",
            IterKind::Filter => "filter",
            IterKind::KeysView => "dict_keys",
            IterKind::ValuesView => "dict_values",
            IterKind::ItemsView => "dict_items",
            IterKind::Call => "iterator",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Generator {
    pub name: Name,
    pub qualname: Name,
    /// The interpreter's handle of the suspended frame.
    pub frame: u32,
    pub finished: bool,
    pub running: bool,
    /// `<genexpr>` and generator functions both make generators.
    pub code: ObjId,
}

/// The built-in types memlane models, each with a static type object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinType {
    Object,
    Type,
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Range,
    Slice,
    Function,
    BuiltinFunction,
    Method,
    Cell,
    Module,
    Code,
    Generator,
    Iterator,
    BaseException,
    Exception,
    ArithmeticError,
    ZeroDivisionError,
    OverflowError,
    LookupError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    NameError,
    UnboundLocalError,
    AttributeError,
    RuntimeError,
    RecursionError,
    NotImplementedError,
    AssertionError,
    StopIteration,
    MemoryError,
    KeyboardInterrupt,
    UnicodeError,
}

impl BuiltinType {
    pub const ALL: &'static [BuiltinType] = &[
        BuiltinType::Object,
        BuiltinType::Type,
        BuiltinType::NoneType,
        BuiltinType::Bool,
        BuiltinType::Int,
        BuiltinType::Float,
        BuiltinType::Str,
        BuiltinType::List,
        BuiltinType::Tuple,
        BuiltinType::Dict,
        BuiltinType::Set,
        BuiltinType::FrozenSet,
        BuiltinType::Range,
        BuiltinType::Slice,
        BuiltinType::Function,
        BuiltinType::BuiltinFunction,
        BuiltinType::Method,
        BuiltinType::Cell,
        BuiltinType::Module,
        BuiltinType::Code,
        BuiltinType::Generator,
        BuiltinType::Iterator,
        BuiltinType::BaseException,
        BuiltinType::Exception,
        BuiltinType::ArithmeticError,
        BuiltinType::ZeroDivisionError,
        BuiltinType::OverflowError,
        BuiltinType::LookupError,
        BuiltinType::KeyError,
        BuiltinType::IndexError,
        BuiltinType::TypeError,
        BuiltinType::ValueError,
        BuiltinType::NameError,
        BuiltinType::UnboundLocalError,
        BuiltinType::AttributeError,
        BuiltinType::RuntimeError,
        BuiltinType::RecursionError,
        BuiltinType::NotImplementedError,
        BuiltinType::AssertionError,
        BuiltinType::StopIteration,
        BuiltinType::MemoryError,
        BuiltinType::KeyboardInterrupt,
        BuiltinType::UnicodeError,
    ];

    pub fn name(self) -> &'static str {
        use BuiltinType::*;
        match self {
            Object => "object",
            Type => "type",
            NoneType => "NoneType",
            Bool => "bool",
            Int => "int",
            Float => "float",
            Str => "str",
            List => "list",
            Tuple => "tuple",
            Dict => "dict",
            Set => "set",
            FrozenSet => "frozenset",
            Range => "range",
            Slice => "slice",
            Function => "function",
            BuiltinFunction => "builtin_function_or_method",
            Method => "method",
            Cell => "cell",
            Module => "module",
            Code => "code",
            Generator => "generator",
            Iterator => "iterator",
            BaseException => "BaseException",
            Exception => "Exception",
            ArithmeticError => "ArithmeticError",
            ZeroDivisionError => "ZeroDivisionError",
            OverflowError => "OverflowError",
            LookupError => "LookupError",
            KeyError => "KeyError",
            IndexError => "IndexError",
            TypeError => "TypeError",
            ValueError => "ValueError",
            NameError => "NameError",
            UnboundLocalError => "UnboundLocalError",
            AttributeError => "AttributeError",
            RuntimeError => "RuntimeError",
            RecursionError => "RecursionError",
            NotImplementedError => "NotImplementedError",
            AssertionError => "AssertionError",
            StopIteration => "StopIteration",
            MemoryError => "MemoryError",
            KeyboardInterrupt => "KeyboardInterrupt",
            UnicodeError => "UnicodeError",
        }
    }

    /// The single base of each built-in type.
    pub fn base(self) -> Option<BuiltinType> {
        use BuiltinType::*;
        Some(match self {
            Object => return None,
            Bool => Int,
            BaseException => Object,
            Exception | KeyboardInterrupt => BaseException,
            ArithmeticError | LookupError | TypeError | ValueError | NameError | AttributeError
            | RuntimeError | AssertionError | StopIteration | MemoryError => Exception,
            ZeroDivisionError | OverflowError => ArithmeticError,
            KeyError | IndexError => LookupError,
            UnboundLocalError => NameError,
            RecursionError | NotImplementedError => RuntimeError,
            UnicodeError => ValueError,
            _ => Object,
        })
    }

    pub fn from_name(name: &str) -> Option<BuiltinType> {
        BuiltinType::ALL.iter().copied().find(|t| t.name() == name)
    }

    pub fn is_exception(self) -> bool {
        let mut t = Some(self);
        while let Some(x) = t {
            if x == BuiltinType::BaseException {
                return true;
            }
            t = x.base();
        }
        false
    }
}

impl Payload {
    /// The built-in type of the payload (instances answer with `Object`; ask the class).
    pub fn builtin_type(&self) -> BuiltinType {
        match self {
            Payload::None => BuiltinType::NoneType,
            Payload::Bool(_) => BuiltinType::Bool,
            Payload::Int(_) => BuiltinType::Int,
            Payload::Float(_) => BuiltinType::Float,
            Payload::Str(_) => BuiltinType::Str,
            Payload::List(_) => BuiltinType::List,
            Payload::Tuple(_) => BuiltinType::Tuple,
            Payload::Dict(_) => BuiltinType::Dict,
            Payload::Set(s) if s.frozen => BuiltinType::FrozenSet,
            Payload::Set(_) => BuiltinType::Set,
            Payload::Range { .. } => BuiltinType::Range,
            Payload::Slice { .. } => BuiltinType::Slice,
            Payload::Function(_) => BuiltinType::Function,
            Payload::Class(_) => BuiltinType::Type,
            Payload::Instance(_) => BuiltinType::Object,
            Payload::BoundMethod { .. } => BuiltinType::Method,
            Payload::Cell(_) => BuiltinType::Cell,
            Payload::Module(_) => BuiltinType::Module,
            Payload::Code(_) => BuiltinType::Code,
            Payload::Builtin(_) => BuiltinType::BuiltinFunction,
            Payload::Iterator(_) => BuiltinType::Iterator,
            Payload::Generator(_) => BuiltinType::Generator,
        }
    }

    /// Is this a type CPython's cycle collector knows (`Py_TPFLAGS_HAVE_GC`)?
    pub fn is_gc_type(&self) -> bool {
        !matches!(
            self,
            Payload::None
                | Payload::Bool(_)
                | Payload::Int(_)
                | Payload::Float(_)
                | Payload::Str(_)
                | Payload::Range { .. }
                | Payload::Slice { .. }
        )
    }

    /// Every reference the object holds, in CPython's `tp_traverse` order, with labels.
    pub fn referents(&self, out: &mut Vec<Reference>) {
        let mut push = |label: Label, target: ObjId| out.push(Reference { label, target });
        match self {
            Payload::List(l) => l
                .items
                .iter()
                .enumerate()
                .for_each(|(i, &t)| push(Label::Slot(i as u64), t)),
            Payload::Tuple(items) => items
                .iter()
                .enumerate()
                .for_each(|(i, &t)| push(Label::Slot(i as u64), t)),
            Payload::Dict(d) => {
                for (i, (k, v)) in d.items().enumerate() {
                    push(text_and_number("key ", i).into(), k);
                    push(text_and_number("value ", i).into(), v);
                }
            }
            Payload::Set(s) => s.items().for_each(|t| push("item".into(), t)),
            Payload::Slice { start, stop, step } => {
                push("start".into(), *start);
                push("stop".into(), *stop);
                push("step".into(), *step);
            }
            Payload::Function(f) => {
                push("__code__".into(), f.code);
                push("__globals__".into(), f.globals);
                if let Some(d) = f.defaults {
                    push("__defaults__".into(), d);
                }
                if let Some(d) = f.kwdefaults {
                    push("__kwdefaults__".into(), d);
                }
                if let Some(c) = f.closure {
                    push("__closure__".into(), c);
                }
            }
            Payload::Class(c) => {
                c.bases
                    .iter()
                    .enumerate()
                    .for_each(|(i, &b)| push(format!("__bases__[{i}]").into(), b));
                c.attrs
                    .iter()
                    .for_each(|(k, &v)| push(attribute_label(k).into(), v));
            }
            Payload::Instance(o) => {
                push("__class__".into(), o.class);
                o.attrs
                    .iter()
                    .for_each(|(k, &v)| push(attribute_label(k).into(), v));
            }
            Payload::BoundMethod { function, receiver } => {
                push("__func__".into(), *function);
                push("__self__".into(), *receiver);
            }
            Payload::Cell(Some(t)) => push("cell_contents".into(), *t),
            Payload::Module(m) => {
                if let Some(d) = m.dict {
                    push("__dict__".into(), d);
                }
            }
            Payload::Code(c) => {
                push("co_consts".into(), c.consts);
                push("co_names".into(), c.names);
            }
            Payload::Iterator(it) => it.sources.iter().for_each(|&t| push("source".into(), t)),
            Payload::Generator(g) => push("gi_code".into(), g.code),
            Payload::None
            | Payload::Bool(_)
            | Payload::Int(_)
            | Payload::Float(_)
            | Payload::Str(_)
            | Payload::Range { .. }
            | Payload::Cell(None)
            | Payload::Builtin(_) => {}
        }
    }

    /// The referenced objects alone, without labels (for refcounting and the collector).
    pub fn targets(&self) -> Vec<ObjId> {
        let mut refs = Vec::new();
        self.referents(&mut refs);
        refs.into_iter().map(|r| r.target).collect()
    }
}

// Labels and summaries are made for every container change: built by appending, not with
// `format!` (whose machinery was 11% of a loop's instructions under callgrind).

/// `n` in decimal, appended to `out`.
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Pushed as chars: ASCII needs no UTF-8 check (`from_utf8` cost more than the digits).
    out.reserve(digits.len() - i);
    digits[i..].iter().for_each(|&d| out.push(d as char));
}

/// `n` in decimal.
pub fn decimal(n: i64) -> String {
    let mut out = String::with_capacity(20);
    if n < 0 {
        out.push('-');
    }
    push_decimal(&mut out, n.unsigned_abs());
    out
}

/// `prefix` followed by `n` (`dict of 3`, `key 0`).
pub fn text_and_number(prefix: &str, n: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + 4);
    out.push_str(prefix);
    push_decimal(&mut out, n as u64);
    out
}

/// The position `i` of a label `[i]` written as `index_label` writes it (no leading
/// zeros, under 2^60); None for any other label.
pub fn slot_index(label: &str) -> Option<u64> {
    let b = label.as_bytes();
    let n = b.len();
    // Most other labels fail at the first test or two (`['total']`, `.x`, `key 'a'`).
    if !(3..=20).contains(&n) || b[0] != b'[' || !b[1].is_ascii_digit() || b[n - 1] != b']' {
        return None;
    }
    let digits = &b[1..n - 1];
    if digits[0] == b'0' && digits.len() > 1 {
        return None;
    }
    let mut i = 0u64;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        i = i * 10 + (d - b'0') as u64;
    }
    Some(i)
}

/// `.name`, an attribute's label (appended, not `format!`ed: an instance's dealloc and
/// allocation make one per attribute).
pub fn attribute_label(name: &str) -> String {
    let mut label = String::with_capacity(name.len() + 1);
    label.push('.');
    label.push_str(name);
    label
}

/// A position's label: `[3]`, allocated at its length (past `[999]` a guessed capacity of
/// 5 was outgrown and the label copied again: a large part of a big list's seek).
pub fn index_label(i: u64) -> String {
    let digits = i.checked_ilog10().unwrap_or(0) as usize + 1;
    let mut out = String::with_capacity(digits + 2);
    out.push('[');
    push_decimal(&mut out, i);
    out.push(']');
    out
}

/// A dict value's label, from its key's short text: `['a']`.
pub fn item_label(key_text: &str) -> String {
    let mut out = String::with_capacity(key_text.len() + 2);
    out.push('[');
    out.push_str(key_text);
    out.push(']');
    out
}

/// A dict key's label, from its short text: `key 'a'`.
pub fn key_label(key_text: &str) -> String {
    let mut out = String::with_capacity(key_text.len() + 4);
    out.push_str("key ");
    out.push_str(key_text);
    out
}

#[cfg(test)]
mod set_tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Add(u8),
        Remove(u8),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => any::<u8>().prop_map(Op::Add),
            2 => any::<u8>().prop_map(Op::Remove),
            1 => Just(Op::Pop),
        ]
    }

    proptest! {
        /// The ranks a set reports are the positions its items have in table order:
        /// an add's rank is where the new item stands, a removal's where the old one
        /// stood, and `nth` reads the table in order, across resizes and dummies.
        #[test]
        fn ranks_are_positions_in_table_order(ops in prop::collection::vec(op(), 0..200)) {
            let mut set = Set::empty(false);
            // Colliding hashes (v % 16) exercise probing past full slots and dummies.
            let key = |v: u8| (v as i64 % 16, Key::Int(BigInt::from(v)));
            for op in ops {
                let before: Vec<ObjId> = set.items().collect();
                match op {
                    Op::Add(v) => {
                        let (h, k) = key(v);
                        let added = set.insert(h, k, ObjId(v as u32));
                        let after: Vec<ObjId> = set.items().collect();
                        match added {
                            Inserted::Present => prop_assert_eq!(&after, &before),
                            Inserted::At { rank } => {
                                let mut expected = before.clone();
                                expected.insert(rank, ObjId(v as u32));
                                prop_assert_eq!(&after, &expected);
                            }
                            Inserted::Rebuilt => prop_assert_eq!(after.len(), before.len() + 1),
                        }
                    }
                    Op::Remove(v) => {
                        let (h, k) = key(v);
                        if let Some((item, rank)) = set.remove(h, &k) {
                            prop_assert_eq!(before[rank], item);
                        }
                    }
                    Op::Pop => {
                        if let Some((item, rank)) = set.pop() {
                            prop_assert_eq!(before[rank], item);
                        }
                    }
                }
                let items: Vec<ObjId> = set.items().collect();
                prop_assert_eq!(items.len(), set.len());
                for (j, &item) in items.iter().enumerate() {
                    prop_assert_eq!(set.nth(j), Some(item));
                }
                prop_assert_eq!(set.nth(items.len()), None);
            }
        }
    }
}

#[cfg(test)]
mod dict_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A dict's live ranks follow its holes: `live_rank` counts the live entries
        /// before an entry and `live_entry` finds the one of a rank, through pushes,
        /// deletions and compactions.
        #[test]
        fn live_ranks_follow_the_holes(ops in prop::collection::vec(0u8..10, 0..200)) {
            let mut dict = Dict::empty(false);
            for (n, op) in ops.into_iter().enumerate() {
                match op {
                    0..=4 => {
                        dict.push_entry(ObjId(n as u32), ObjId(n as u32 + 1000));
                    }
                    5..=8 if !dict.entries.is_empty() => {
                        let i = (n * 7919) % dict.entries.len();
                        dict.take_entry(i);
                    }
                    _ => dict.compact(),
                }
                let live: Vec<usize> = (0..dict.entries.len())
                    .filter(|&i| dict.entries[i].is_some())
                    .collect();
                for i in 0..dict.entries.len() {
                    prop_assert_eq!(dict.live_rank(i), live.iter().filter(|&&j| j < i).count());
                }
                // `len` counts the index, which these raw pushes leave empty.
                for (r, &i) in live.iter().enumerate() {
                    prop_assert_eq!(dict.live.slot_of(r), Some(i));
                }
                prop_assert_eq!(dict.live.slot_of(live.len()), None);
            }
        }
    }
}
