//! Building and changing lists, tuples, dicts and sets with CPython's own growth rules
//! (they decide `sys.getsizeof` and which blocks pymalloc hands out).

use crate::ast::Operator;
use crate::keys::Keyed;
use crate::vm::*;
use memlane_core::event::{Event, Holder, HolderRef};
use memlane_core::heap::Kept;
use memlane_core::object::*;
use memlane_core::{Label, ObjId};

/// `list_resize` from `size` items in room for `allocated` to `newsize` items: over-allocate
/// by about 1/8, rounded to a multiple of 4, unless the growth is larger than that (an
/// `extend`), which gets room for the new size alone, rounded up to a multiple of 4.
pub fn list_growth(allocated: usize, size: usize, newsize: usize) -> usize {
    if allocated >= newsize && newsize >= allocated >> 1 {
        return allocated;
    }
    if newsize == 0 {
        return 0;
    }
    let mut new_allocated = (newsize + (newsize >> 3) + 6) & !3;
    // Signed, as CPython compares them: a shrink never takes this branch.
    if newsize as isize - size as isize > new_allocated as isize - newsize as isize {
        new_allocated = (newsize + 3) & !3;
    }
    new_allocated
}

/// `calculate_log2_keysize` as 64-bit CPython computes it, with bit tricks whose result
/// is not always the smallest power of two holding `minsize`: under 8 it gives 16, and so
/// it does for 16 (32 for 32, ...). A dict emptied to one item grows to 16 slots.
pub fn dict_log2_for(minsize: usize) -> u8 {
    let m = (minsize | 8) - 1;
    (usize::BITS - (m | 7).leading_zeros()) as u8
}

/// `estimate_log2_keysize`: a table with room for `n` entries without a resize.
fn dict_log2_estimate(n: usize) -> u8 {
    dict_log2_for((n * 3).div_ceil(2))
}

impl Vm {
    // ----- tuples -----

    pub fn new_tuple(&mut self, items: &[ObjId]) -> ObjId {
        self.tuple_of(items, false)
    }

    /// A tuple of interpreter machinery (`co_consts`, `co_names`), internal from birth.
    pub fn new_tuple_internal(&mut self, items: &[ObjId]) -> ObjId {
        self.tuple_of(items, true)
    }

    fn tuple_of(&mut self, items: &[ObjId], internal: bool) -> ObjId {
        if items.is_empty() {
            return self.heap.empty_tuple();
        }
        let payload = Payload::Tuple(items.to_vec());
        let t = if internal {
            self.heap.alloc_internal(payload)
        } else {
            self.heap.alloc(payload)
        };
        self.hold_items(t, items);
        t
    }

    /// A tuple that takes over references the caller owned (BUILD_TUPLE steals them).
    pub fn new_tuple_owning(&mut self, items: Vec<ObjId>) -> ObjId {
        if items.is_empty() {
            return self.heap.empty_tuple();
        }
        let t = self.heap.alloc(Payload::Tuple(items.clone()));
        self.record_takeover(t, &items);
        t
    }

    /// `holder` takes a new reference to each item, labelled by position.
    fn hold_items(&mut self, holder: ObjId, items: &[ObjId]) {
        self.incref_slots(holder, items, 0);
        self.heap.changed(holder);
    }

    /// Increfs `items` as `holder`'s slots `[first]`, `[first + 1]`, ...
    fn incref_slots(&mut self, holder: ObjId, items: &[ObjId], first: usize) {
        for (i, &it) in items.iter().enumerate() {
            self.heap.incref_by(
                it,
                HolderRef::Slot {
                    obj: holder,
                    index: first + i,
                },
            );
        }
    }

    /// Records that `holder` now holds references that were someone else's.
    fn record_takeover(&mut self, holder: ObjId, items: &[ObjId]) {
        for (i, &it) in items.iter().enumerate() {
            self.heap.record_moved(
                it,
                HolderRef::Slot {
                    obj: holder,
                    index: i,
                },
            );
        }
        self.heap.changed(holder);
    }

    pub fn tuple_items(&self, t: ObjId) -> Vec<ObjId> {
        match self.heap.payload(t) {
            Payload::Tuple(items) => items.clone(),
            _ => Vec::new(),
        }
    }

    // ----- lists -----

    pub fn new_list(&mut self, capacity: usize) -> ObjId {
        self.heap.alloc(Payload::List(List {
            items: Vec::new(),
            capacity,
        }))
    }

    /// BUILD_LIST n: exactly n slots, taking over the stack's references.
    pub fn new_list_owning(&mut self, items: Vec<ObjId>) -> ObjId {
        let n = items.len();
        let l = self.heap.alloc(Payload::List(List {
            items: items.clone(),
            capacity: n,
        }));
        self.record_takeover(l, &items);
        l
    }

    /// A list of exactly these items (list_new_prealloc: slices, concatenation, repeat).
    pub fn new_list_from(&mut self, items: &[ObjId]) -> ObjId {
        let l = self.heap.alloc(Payload::List(List {
            items: items.to_vec(),
            capacity: items.len(),
        }));
        self.hold_items(l, items);
        l
    }

    pub fn list_items(&self, l: ObjId) -> Vec<ObjId> {
        match self.heap.payload(l) {
            Payload::List(list) => list.items.clone(),
            _ => Vec::new(),
        }
    }

    pub fn list_len(&self, l: ObjId) -> usize {
        match self.heap.payload(l) {
            Payload::List(list) => list.items.len(),
            _ => 0,
        }
    }

    fn list_mut(&mut self, l: ObjId) -> &mut List {
        match self.heap.payload_mut(l) {
            Payload::List(list) => list,
            _ => unreachable!("a list"),
        }
    }

    /// `list.append`: takes a new reference to `v`.
    pub fn list_push(&mut self, l: ObjId, v: ObjId) {
        let list = self.list_mut(l);
        let n = list.items.len();
        list.capacity = list_growth(list.capacity, n, n + 1);
        list.items.push(v);
        self.heap.incref_by(v, HolderRef::Slot { obj: l, index: n });
        self.heap.changed_keeping(l, Kept { front: n, back: 0 });
    }

    pub fn list_insert(&mut self, l: ObjId, index: usize, v: ObjId) {
        let list = self.list_mut(l);
        let n = list.items.len();
        list.capacity = list_growth(list.capacity, n, n + 1);
        list.items.insert(index.min(n), v);
        self.heap.incref_by(
            v,
            HolderRef::Slot {
                obj: l,
                index: index.min(n),
            },
        );
        // The items after it are kept, a place on (the splice renumbers them).
        self.heap.changed_keeping(
            l,
            Kept {
                front: index.min(n),
                back: n - index.min(n),
            },
        );
    }

    /// Removes the item at `index`; the caller gets its reference (release it).
    pub fn list_remove_at(&mut self, l: ObjId, index: usize) -> ObjId {
        let list = self.list_mut(l);
        let v = list.items.remove(index);
        let n = list.items.len();
        list.capacity = list_growth(list.capacity, n + 1, n);
        self.heap
            .incref_runtime(v, "a reference the interpreter holds");
        // The items after it are kept, a place back (the splice renumbers them).
        self.heap.changed_keeping(
            l,
            Kept {
                front: index,
                back: n - index,
            },
        );
        self.heap.decref_by(v, HolderRef::Slot { obj: l, index });
        v
    }

    pub fn list_set(&mut self, l: ObjId, index: usize, v: ObjId) {
        let list = self.list_mut(l);
        let old = std::mem::replace(&mut list.items[index], v);
        let after = list.items.len() - index - 1;
        self.heap.incref_by(v, HolderRef::Slot { obj: l, index });
        self.heap.changed_keeping(
            l,
            Kept {
                front: index,
                back: after,
            },
        );
        self.heap.decref_by(old, HolderRef::Slot { obj: l, index });
    }

    /// Replaces the whole contents (slice assignment, sort, reverse, clear).
    pub fn list_replace_all(&mut self, l: ObjId, items: Vec<ObjId>, capacity: usize) {
        self.incref_slots(l, &items, 0);
        let list = self.list_mut(l);
        let old = std::mem::replace(&mut list.items, items);
        list.capacity = capacity;
        self.heap.changed(l);
        for (i, it) in old.into_iter().enumerate().rev() {
            self.heap
                .decref_by(it, HolderRef::Slot { obj: l, index: i });
        }
    }

    /// `list.extend` / LIST_EXTEND / `list(iterable)`, with CPython's preallocation.
    pub fn list_extend(&mut self, l: ObjId, src: ObjId) -> VmResult<()> {
        let exact = matches!(self.heap.payload(src), Payload::List(_) | Payload::Tuple(_));
        // 3.13 extends by a dict, a set or a dict view with one `list_resize` to the
        // new length (`list_extend_dict`, `list_extend_set`): no exact preallocation.
        let resized = self.heap.profile.version >= memlane_core::Version::Py313
            && match self.heap.payload(src) {
                Payload::Dict(_) | Payload::Set(_) => true,
                Payload::Iterator(it) => matches!(
                    it.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ),
                _ => false,
            };
        let items = self.iterate(src)?;
        let m = self.list_len(l);
        let n = items.len();
        if exact || resized {
            let list = self.list_mut(l);
            list.capacity = if list.capacity == 0 && !resized {
                (n + 1) & !1
            } else {
                list_growth(list.capacity, m, m + n)
            };
            self.list_mut(l).items.extend_from_slice(&items);
            self.incref_slots(l, &items, m);
            self.heap.changed_keeping(l, Kept { front: m, back: 0 });
        } else {
            // The length hint (exact for ranges and sized iterators, 8 otherwise) first.
            let hint = self.length_hint(src).unwrap_or(8);
            {
                let list = self.list_mut(l);
                if list.capacity == 0 {
                    if hint > 0 {
                        list.capacity = (hint + 1) & !1;
                    }
                } else {
                    list.capacity = list_growth(list.capacity, m, m + hint);
                }
            }
            for &it in &items {
                let list = self.list_mut(l);
                if list.items.len() >= list.capacity {
                    let n = list.items.len();
                    list.capacity = list_growth(list.capacity, n, n + 1);
                }
                let i = list.items.len();
                list.items.push(it);
                self.heap
                    .incref_by(it, HolderRef::Slot { obj: l, index: i });
            }
            let list = self.list_mut(l);
            if list.items.len() < list.capacity {
                let n = list.items.len();
                list.capacity = list_growth(list.capacity, n, n);
            }
            self.heap.changed_keeping(l, Kept { front: m, back: 0 });
        }
        for it in items {
            self.release(it);
        }
        Ok(())
    }

    // ----- dicts -----

    pub fn new_dict(&mut self) -> ObjId {
        self.heap.alloc(Payload::Dict(Dict::empty(true)))
    }

    /// `dict_new_presized`: small displays start empty, larger ones sized for their items.
    pub fn new_dict_presized(&mut self, n: usize) -> ObjId {
        let d = self.new_dict();
        if n > 5 {
            if let Payload::Dict(dict) = self.heap.payload_mut(d) {
                dict.log2_size = Some(dict_log2_estimate(n));
            }
            self.heap.changed(d);
        }
        d
    }

    /// `dict.fromkeys(iterable, value=None)` (`_PyDict_FromKeys`): a dict's keys or a
    /// set's items go into a table sized for them first (from a set, a general table),
    /// with the hashes they are stored with; anything else is stored key by key, as
    /// `d[k] = value` would.
    pub fn dict_fromkeys(&mut self, args: &[ObjId]) -> VmResult {
        match args.len() {
            1 | 2 => {}
            0 => {
                return Err(self
                    .error(
                        BuiltinType::TypeError,
                        "fromkeys expected at least 1 argument, got 0",
                    )
                    .into())
            }
            n => {
                return Err(self
                    .error_fmt(
                        BuiltinType::TypeError,
                        format_args!("fromkeys expected at most 2 arguments, got {n}"),
                    )
                    .into())
            }
        }
        let iterable = args[0];
        let value = args.get(1).copied().unwrap_or_else(|| self.heap.none());
        // `cls()`: allocated as `dict()` is, tracked from the start.
        let d = self.heap.alloc_generic(Payload::Dict(Dict::empty(true)));
        self.hold(d);
        let unicode = match self.heap.payload(iterable) {
            Payload::Dict(src) => Some(src.unicode),
            Payload::Set(_) => Some(false),
            _ => None,
        };
        let result = match (unicode, self.keyed_items_of(iterable)) {
            (Some(unicode), Some(keys)) => {
                if let Payload::Dict(dict) = self.heap.payload_mut(d) {
                    dict.log2_size = Some(dict_log2_estimate(keys.len()));
                    dict.unicode = unicode;
                }
                self.heap.changed(d);
                let held = self.hold_keyed(&keys, d);
                let mut result = Ok(());
                for keyed in keys.iter().cloned() {
                    result = self.dict_set_keyed(d, keyed, value);
                    if result.is_err() {
                        break;
                    }
                }
                self.release_keyed(&keys, held);
                result
            }
            _ => {
                let keys = match self.iterate(iterable) {
                    Ok(keys) => keys,
                    Err(e) => {
                        self.release(d);
                        return Err(e);
                    }
                };
                let mut result = Ok(());
                for &k in &keys {
                    if result.is_ok() {
                        result = self.dict_set(d, k, value);
                    }
                    self.release(k);
                }
                result
            }
        };
        self.hand_back(d, result)
    }

    pub fn dict_get(&mut self, d: ObjId, key: ObjId) -> VmResult<Option<ObjId>> {
        let (h, k) = self.key_of(key)?;
        let found = self.dict_lookup(d, key, h, &k)?;
        Ok(match (found, self.heap.payload(d)) {
            (Some(i), Payload::Dict(dict)) => dict.entries[i].map(|(_, v)| v),
            _ => None,
        })
    }

    /// `dict_get_str` for a name the code holds shared (no text copied for the key).
    pub fn dict_get_name(&self, d: ObjId, key: &std::rc::Rc<str>) -> Option<ObjId> {
        match self.heap.payload(d) {
            Payload::Dict(dict) => dict
                .get(&memlane_core::hash::Key::Str(key.clone()))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn dict_get_str(&self, d: ObjId, key: &str) -> Option<ObjId> {
        match self.heap.payload(d) {
            Payload::Dict(dict) => dict
                .get(&memlane_core::hash::Key::Str(key.into()))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// `d[key] = value`: new references to both (the key only when it is new).
    pub fn dict_set(&mut self, d: ObjId, key: ObjId, value: ObjId) -> VmResult<()> {
        let (h, k) = self.key_of(key)?;
        self.dict_set_keyed(d, (key, h, k), value)
    }

    /// `insertdict`: `d[key] = value` for a key already hashed (a merge reuses the hash
    /// its source stored).
    pub fn dict_set_keyed(&mut self, d: ObjId, (key, h, k): Keyed, value: ObjId) -> VmResult<()> {
        if !matches!(self.heap.payload(d), Payload::Dict(_)) {
            return Ok(());
        }
        let had_table = self.dict_general_for(d, key);
        let existing = self.dict_lookup(d, key, h, &k)?;
        if existing.is_none() && had_table {
            if let Payload::Dict(dict) = self.heap.payload_mut(d) {
                if dict.log2_size.is_none() {
                    // `__eq__` cleared the dict during the lookup: `insertdict` grows the
                    // empty keys with `insertion_resize(mp, 1)`, a str-keys table,
                    // whatever the key.
                    dict.unicode = true;
                    dict.log2_size = Some(dict_log2_for(0));
                }
            }
        }
        self.dict_store(d, (key, h, k), value, existing);
        Ok(())
    }

    /// What `insertdict` and `PyDict_SetDefault` do before the lookup: a non-str key
    /// converts a str-keys table to the general layout. Whether the dict has a table.
    pub fn dict_general_for(&mut self, d: ObjId, key: ObjId) -> bool {
        let is_str = matches!(self.heap.payload(key), Payload::Str(_));
        let Payload::Dict(dict) = self.heap.payload_mut(d) else {
            return false;
        };
        if dict.unicode && !is_str && dict.log2_size.is_some() {
            dict.unicode = false;
            let used = dict.len();
            dict.log2_size = Some(dict_log2_for(used * 3));
            dict.compact();
        }
        dict.log2_size.is_some()
    }

    /// Stores `value` in the entry `existing` a lookup of `key` found, or in a new
    /// entry when it found none (after `dict_general_for`).
    pub fn dict_store(
        &mut self,
        d: ObjId,
        (key, _, k): Keyed,
        value: ObjId,
        existing: Option<usize>,
    ) {
        let is_str = matches!(self.heap.payload(key), Payload::Str(_));
        let trackable = self.heap.may_be_tracked(key) || self.heap.may_be_tracked(value);
        match existing {
            Some(i) => {
                let (old, rank, live) = match self.heap.payload_mut(d) {
                    Payload::Dict(dict) => {
                        let (rank, live) = (dict.live_rank(i), dict.len());
                        let e = dict.entries[i].as_mut().expect("live entry");
                        (std::mem::replace(&mut e.1, value), rank, live)
                    }
                    _ => unreachable!(),
                };
                // The value slot's label, `[k]`: the one recorded for this entry when
                // there is one, else made from the key.
                let label = match self.heap.recorded_value_label(d, rank, key) {
                    Some(label) => label.clone(),
                    None => Label::from(item_label(&self.heap.short_value(key))),
                };
                let holder = HolderRef::of_label(d, &label);
                self.heap.incref_by(value, holder);
                // Entry `i` is the `rank`th live one: the entries either side of it
                // are as recorded.
                let kept = Kept {
                    front: 2 * rank,
                    back: 2 * (live - rank - 1),
                };
                self.heap.changed_keeping(d, kept);
                self.heap.decref_by(old, holder);
            }
            None => {
                let key_text = self.heap.short_value(key);
                let mut kept = Kept::NOTHING;
                if let Payload::Dict(dict) = self.heap.payload_mut(d) {
                    // A table without one (`insert_to_emptydict`) of the key's kind.
                    if dict.log2_size.is_none() {
                        dict.unicode = is_str;
                        dict.log2_size = Some(3);
                    } else if dict.entries.len() >= dict.usable() {
                        let used = dict.len();
                        dict.log2_size = Some(dict_log2_for(used * 3));
                        dict.compact();
                    }
                    dict.index_key(k, dict.entries.len());
                    dict.push_entry(key, value);
                    // A new entry goes last; the live ones before it are as recorded.
                    kept = Kept {
                        front: 2 * (dict.len() - 1),
                        back: 0,
                    };
                }
                self.heap.incref(
                    key,
                    Holder::Object {
                        obj: d,
                        label: key_label(&key_text),
                    },
                );
                self.heap.incref(
                    value,
                    Holder::Object {
                        obj: d,
                        label: item_label(&key_text),
                    },
                );
                self.heap.changed_keeping(d, kept);
            }
        }
        if trackable && !self.heap.get(d).gc_tracked {
            self.heap.track(d);
        }
        self.sync_namespace_binding(d, key, Some(value));
    }

    /// Removes `key`; Ok(false) when absent.
    pub fn dict_del(&mut self, d: ObjId, key: ObjId) -> VmResult<bool> {
        let (h, k) = self.key_of(key)?;
        let Some(i) = self.dict_lookup(d, key, h, &k)? else {
            return Ok(false);
        };
        self.dict_del_at(d, i);
        Ok(true)
    }

    /// `delitem_common`: removes entry `i`, found by a lookup.
    pub fn dict_del_at(&mut self, d: ObjId, i: usize) {
        let stored = match self.heap.payload(d) {
            Payload::Dict(dict) => dict.entries[i].map(|(k, _)| k),
            _ => None,
        };
        let stored_key = stored.map(|o| self.dict_stored_key(d, o).1);
        let entry = match (stored_key, self.heap.payload_mut(d)) {
            (Some(stored_key), Payload::Dict(dict)) => {
                dict.unindex_key(&stored_key);
                dict.take_entry(i)
                    .map(|e| (e, dict.live_rank(i), dict.len()))
            }
            _ => None,
        };
        let Some(((stored_key, value), rank, live)) = entry else {
            return;
        };
        let key_text = self.heap.short_value(stored_key);
        self.sync_namespace_binding(d, stored_key, None);
        // The entries either side of the `rank`th are as recorded.
        self.heap.changed_keeping(
            d,
            Kept {
                front: 2 * rank,
                back: 2 * (live - rank),
            },
        );
        self.heap.decref(
            value,
            Holder::Object {
                obj: d,
                label: item_label(&key_text),
            },
        );
        self.heap.decref(
            stored_key,
            Holder::Object {
                obj: d,
                label: key_label(&key_text),
            },
        );
    }

    pub fn dict_items(&self, d: ObjId) -> Vec<(ObjId, ObjId)> {
        match self.heap.payload(d) {
            Payload::Dict(dict) => dict.items().collect(),
            _ => Vec::new(),
        }
    }

    pub fn dict_clear(&mut self, d: ObjId) {
        let items = self.dict_items(d);
        if let Payload::Dict(dict) = self.heap.payload_mut(d) {
            *dict = Dict::empty(true);
        }
        self.heap.changed(d);
        for (k, v) in items {
            self.sync_namespace_binding(d, k, None);
            self.heap.decref(
                v,
                Holder::Object {
                    obj: d,
                    label: "value".into(),
                },
            );
            self.heap.decref(
                k,
                Holder::Object {
                    obj: d,
                    label: "key".into(),
                },
            );
        }
    }

    pub fn dict_update(&mut self, d: ObjId, src: ObjId) -> VmResult<()> {
        match self.heap.payload(src) {
            Payload::Dict(_) => self.dict_merge(d, src)?,
            _ => {
                let pairs = self.iterate(src)?;
                for (i, p) in pairs.iter().enumerate() {
                    if !self.is_iterable(*p) {
                        for &o in &pairs {
                            self.release(o);
                        }
                        return Err(self.error_fmt(BuiltinType::TypeError, format_args!("cannot convert dictionary update sequence element #{i} to a sequence")).into());
                    }
                    let kv = self.iterate(*p)?;
                    if kv.len() != 2 {
                        let n = kv.len();
                        for o in kv.into_iter().chain(pairs.iter().copied()) {
                            self.release(o);
                        }
                        return Err(self.error_fmt(BuiltinType::ValueError, format_args!("dictionary update sequence element #{i} has length {n}; 2 is required")).into());
                    }
                    self.dict_set(d, kv[0], kv[1])?;
                    self.release(kv[0]);
                    self.release(kv[1]);
                }
                for p in pairs {
                    self.release(p);
                }
            }
        }
        Ok(())
    }

    /// CPython's `dict_merge` of the dict `src` into `d`: into an empty `d`, a `src`
    /// without deleted entries and freshly sized is cloned (table and all); otherwise `d`
    /// is resized once for both, then each entry of `src` is stored in order.
    fn dict_merge(&mut self, d: ObjId, src: ObjId) -> VmResult<()> {
        let (Payload::Dict(to), Payload::Dict(from)) =
            (self.heap.payload(d), self.heap.payload(src))
        else {
            return Ok(());
        };
        if d == src || from.is_empty() {
            return Ok(());
        }
        let clean = from.entries.len() == from.len();
        // Just allocated: the smallest table, or more than half-size could hold.
        let fresh = from
            .log2_size
            .is_some_and(|l| l == 3 || usable_fraction(1 << (l - 1)) < from.len());
        if to.is_empty() && clean && fresh {
            let copy = from.clone();
            self.dict_take_table(d, copy, src);
            return Ok(());
        }
        if to.usable() < from.len() {
            let (log2, unicode) = (
                dict_log2_estimate(to.len() + from.len()),
                from.unicode && (to.unicode || to.is_empty()),
            );
            if let Payload::Dict(to) = self.heap.payload_mut(d) {
                to.log2_size = Some(log2);
                to.unicode = unicode;
                to.compact();
            }
        }
        // Each key with the hash `src` stored it with.
        let keys = self.dict_keyed_keys(src);
        let values: Vec<ObjId> = self.dict_items(src).into_iter().map(|(_, v)| v).collect();
        // CPython holds each key and value while it is stored.
        let held = self.hold_keyed(&keys, d);
        if held {
            for &v in &values {
                self.hold(v);
            }
        }
        let mut result = Ok(());
        for (keyed, &v) in keys.iter().cloned().zip(&values) {
            result = self.dict_set_keyed(d, keyed, v);
            if result.is_err() {
                break;
            }
        }
        self.release_keyed(&keys, held);
        if held {
            for v in values {
                self.release(v);
            }
        }
        result
    }

    /// `d.copy()`, CPython's `PyDict_Copy`: a dict at most a third of whose entries are
    /// deleted is cloned as it is (deleted entries too, so the copy is as big), else the
    /// copy is a merge into a new dict.
    pub fn dict_copy(&mut self, src: ObjId) -> VmResult<ObjId> {
        let d = self.new_dict();
        self.hold(d);
        let done = match self.heap.payload(src) {
            Payload::Dict(from) if !from.is_empty() && from.len() >= from.entries.len() * 2 / 3 => {
                let copy = from.clone();
                self.dict_take_table(d, copy, src);
                Ok(())
            }
            _ => self.dict_merge(d, src),
        };
        self.hand_back(d, done)
    }

    /// Gives the empty dict `d` the table `table`, cloned from `src`
    /// (`clone_combined_dict_keys`), with a reference to each of its keys and values;
    /// tracked by the GC when `src` is.
    fn dict_take_table(&mut self, d: ObjId, table: Dict, src: ObjId) {
        let items: Vec<(ObjId, ObjId)> = table.items().collect();
        if let Payload::Dict(to) = self.heap.payload_mut(d) {
            *to = table;
        }
        for (k, v) in items {
            let text = self.heap.short_value(k);
            self.heap.incref(
                k,
                Holder::Object {
                    obj: d,
                    label: key_label(&text),
                },
            );
            self.heap.incref(
                v,
                Holder::Object {
                    obj: d,
                    label: item_label(&text),
                },
            );
        }
        self.heap.changed(d);
        if self.heap.get(src).gc_tracked {
            self.heap.track(d);
        }
    }

    /// Keyword arguments from a `**mapping`.
    pub fn dict_str_items(&mut self, d: ObjId) -> PyResult<Vec<(std::rc::Rc<str>, ObjId)>> {
        let mut out = Vec::new();
        for (k, v) in self.dict_items(d) {
            match self.heap.payload(k) {
                Payload::Str(s) => out.push((s.clone(), v)),
                _ => return Err(self.error(BuiltinType::TypeError, "keywords must be strings")),
            }
        }
        Ok(out)
    }

    /// Keeps the names shown for module and class frames in step with their dicts.
    fn sync_namespace_binding(&mut self, d: ObjId, key: ObjId, value: Option<ObjId>) {
        let Payload::Str(name) = self.heap.payload(key) else {
            return;
        };
        let name = name.clone();
        for k in 0..self.frames.len() {
            if self.frames[k].namespace != Some(d) {
                continue;
            }
            let frame = self.frames[k].id;
            match value {
                Some(target) => self.heap.record_bind(frame, &name, target),
                None => self.heap.record(Event::Unbind {
                    frame,
                    name: name.to_string(),
                }),
            }
        }
    }

    // ----- sets -----

    pub fn new_set(&mut self) -> ObjId {
        self.new_set_of(false)
    }

    /// An empty set, or frozenset when `frozen` (one to be filled before anyone sees it).
    pub fn new_set_of(&mut self, frozen: bool) -> ObjId {
        self.heap.alloc(Payload::Set(Set::empty(frozen)))
    }

    pub fn new_frozenset(&mut self, items: &[ObjId]) -> ObjId {
        let s = self.new_set_of(true);
        // Hashable items only (the caller's): no error to stop at.
        let _ = self.set_fill(s, items);
        s
    }

    /// `set.add`: a new reference to `v` when it is not in the set yet.
    pub fn set_add(&mut self, s: ObjId, v: ObjId) -> VmResult<()> {
        let (h, k) = self.key_of(v)?;
        self.set_add_keyed(s, (v, h, k))
    }

    /// `set_add_entry`: `set.add` of an item already hashed.
    fn set_add_keyed(&mut self, s: ObjId, keyed: Keyed) -> VmResult<()> {
        match self.set_insert(s, keyed)? {
            Inserted::Present => {}
            // The items either side of the new one are as recorded.
            Inserted::At { rank } => {
                let back = self.heap_set(s).len() - 1 - rank;
                self.heap.record_references(s, Kept { front: rank, back });
            }
            Inserted::Rebuilt => self.heap.record_references(s, Kept::NOTHING),
        }
        Ok(())
    }

    /// Adds each of `items` as `set_add` does, recording the set's references once, at
    /// the end (or at the first unhashable item, whose TypeError is returned): its table
    /// is still written (and grown) item by item.
    pub fn set_fill(&mut self, s: ObjId, items: &[ObjId]) -> VmResult<()> {
        self.set_fill_after(s, items, None, false)
    }

    /// `set_fill` of items already hashed.
    fn set_fill_keyed(&mut self, s: ObjId, items: &[Keyed]) -> VmResult<()> {
        let objects: Vec<ObjId> = items.iter().map(|&(o, _, _)| o).collect();
        self.set_fill_after(s, &objects, Some(items), false)
    }

    /// `set_fill` after the table was or was not `rebuilt` (reordered) since its
    /// references were last recorded (see `Landing`). Each item is hashed as it comes,
    /// unless `keyed` gives the hashes (of `items` in order).
    fn set_fill_after(
        &mut self,
        s: ObjId,
        items: &[ObjId],
        keyed: Option<&[Keyed]>,
        rebuilt: bool,
    ) -> VmResult<()> {
        let mut landing = Landing::new(rebuilt);
        let mut result = Ok(());
        for (n, &it) in items.iter().enumerate() {
            let hashed = match keyed {
                Some(keyed) => Ok(keyed[n].clone()),
                None => match self.heap.key_of(it) {
                    Ok((h, k)) => Ok((it, h, k)),
                    Err(_) => {
                        landing.record(self, s);
                        self.key_of(it).map(|(h, k)| (it, h, k))
                    }
                },
            };
            result = hashed.and_then(|keyed| landing.insert(self, s, keyed));
            if result.is_err() {
                break;
            }
        }
        landing.record(self, s);
        result
    }

    /// Puts `v` in the set's table and writes it (`Heap::wrote`), without recording the
    /// set's references.
    fn set_insert(&mut self, s: ObjId, (v, h, k): Keyed) -> VmResult<Inserted> {
        let Err(slot) = self.set_lookup(s, v, h, &k)? else {
            return Ok(Inserted::Present);
        };
        let inserted = match self.heap.payload_mut(s) {
            Payload::Set(set) => set.insert_at(slot, h, k, v),
            _ => Inserted::Present,
        };
        if inserted != Inserted::Present {
            self.heap.incref(
                v,
                Holder::Object {
                    obj: s,
                    label: "item".into(),
                },
            );
            self.heap.wrote(s);
        }
        Ok(inserted)
    }

    /// `set.discard`: whether `v` was there.
    pub fn set_discard(&mut self, s: ObjId, v: ObjId) -> VmResult<bool> {
        let (h, k) = self.key_of(v)?;
        self.set_discard_keyed(s, (v, h, k))
    }

    /// `set_discard_entry`: `set.discard` of an item already hashed.
    fn set_discard_keyed(&mut self, s: ObjId, (v, h, k): Keyed) -> VmResult<bool> {
        let Ok(slot) = self.set_lookup(s, v, h, &k)? else {
            return Ok(false);
        };
        let removed = match self.heap.payload_mut(s) {
            Payload::Set(set) => set.take(slot),
            _ => None,
        };
        Ok(match removed {
            Some(removed) => {
                self.set_removed(s, removed);
                true
            }
            None => false,
        })
    }

    /// `set.pop`: the item taken, from where the last pop stopped (CPython's finger),
    /// with the set's reference to it, or None when the set is empty.
    pub fn set_pop(&mut self, s: ObjId) -> Option<ObjId> {
        let removed = match self.heap.payload_mut(s) {
            Payload::Set(set) => set.pop(),
            _ => None,
        }?;
        self.hold(removed.0);
        self.set_removed(s, removed);
        Some(removed.0)
    }

    /// Records that the set `s` lost `item`, the `rank`th in table order, and drops its
    /// reference.
    fn set_removed(&mut self, s: ObjId, (item, rank): (ObjId, usize)) {
        let back = self.heap_set(s).len() - rank;
        self.heap.changed_keeping(s, Kept { front: rank, back });
        self.heap.decref(
            item,
            Holder::Object {
                obj: s,
                label: "item".into(),
            },
        );
    }

    /// `set.clear`: a new small table, recorded once, then each item's reference
    /// dropped (CPython's `set_clear_internal`).
    pub fn set_clear(&mut self, s: ObjId) {
        let items = match self.heap.payload_mut(s) {
            Payload::Set(set) => set.clear(),
            _ => return,
        };
        if items.is_empty() {
            return;
        }
        self.heap.changed(s);
        for item in items {
            self.heap.decref(
                item,
                Holder::Object {
                    obj: s,
                    label: "item".into(),
                },
            );
        }
    }

    /// Fills the empty set `s` with `table`'s slots as they are (`Set::copy_table`).
    fn set_copy_table(&mut self, s: ObjId, table: Vec<SetSlot>) {
        if let Payload::Set(set) = self.heap.payload_mut(s) {
            set.copy_table(table);
        }
        for item in self.set_items(s) {
            self.heap.incref(
                item,
                Holder::Object {
                    obj: s,
                    label: "item".into(),
                },
            );
        }
        self.heap.changed(s);
    }

    // ----- set algebra, as CPython's setobject.c does it: the order items are
    // added in decides the result's table, and so its printed order and size -----

    fn is_set(&self, o: ObjId) -> bool {
        matches!(self.heap.payload(o), Payload::Set(_))
    }

    /// Whether the set `s` holds an item equal to `v` (a TypeError when `v` is
    /// unhashable).
    pub fn set_has(&mut self, s: ObjId, v: ObjId) -> VmResult<bool> {
        let (h, k) = self.key_of(v)?;
        self.set_has_keyed(s, (v, h, k))
    }

    /// `set_contains_entry`: whether the set `s` holds an item equal to one already
    /// hashed.
    pub fn set_has_keyed(&mut self, s: ObjId, (v, h, k): Keyed) -> VmResult<bool> {
        Ok(self.set_lookup(s, v, h, &k)?.is_ok())
    }

    /// `set_issubset`: whether each item of the set `a`, with its stored hash, is in
    /// the set `b`.
    pub fn set_is_subset(&mut self, a: ObjId, b: ObjId) -> VmResult<bool> {
        if self.heap_set(a).len() > self.heap_set(b).len() {
            return Ok(false);
        }
        let items = self.set_keyed_items(a);
        let held = self.hold_keyed(&items, b);
        let mut result = Ok(true);
        for keyed in items.iter().cloned() {
            match self.set_has_keyed(b, keyed) {
                Ok(true) => {}
                other => {
                    result = other;
                    break;
                }
            }
        }
        self.release_keyed(&items, held);
        result
    }

    /// A new, empty set of `like`'s kind (set or frozenset), held.
    fn set_like(&mut self, like: ObjId) -> ObjId {
        let r = self.new_set_of(self.heap_set(like).frozen);
        self.hold(r);
        r
    }

    /// Hands back a new object the interpreter held while making it (refcount 0, for
    /// the caller to take), or frees it when making it failed.
    pub(crate) fn hand_back<E>(&mut self, r: ObjId, made: Result<(), E>) -> Result<ObjId, E> {
        match made {
            Ok(()) => {
                self.heap.decref_runtime_soft(r);
                Ok(r)
            }
            Err(e) => {
                self.release(r);
                Err(e)
            }
        }
    }

    /// `set_copy`: a new set of `a`'s kind with its items.
    pub fn set_copy(&mut self, a: ObjId) -> VmResult<ObjId> {
        let r = self.set_like(a);
        let made = self.set_update(r, a);
        self.hand_back(r, made)
    }

    /// `a | b` and `a.union(b)`: a copy of `a`, updated with `b`.
    pub fn set_union(&mut self, a: ObjId, b: ObjId) -> VmResult<ObjId> {
        let r = self.set_copy(a)?;
        if a == b {
            return Ok(r);
        }
        self.hold(r);
        let made = self.set_update(r, b);
        self.hand_back(r, made)
    }

    /// Whether `o` is a keys or items view (the views with set operators).
    fn is_set_view(&self, o: ObjId) -> bool {
        matches!(
            self.heap.payload(o),
            Payload::Iterator(Iter {
                kind: IterKind::KeysView | IterKind::ItemsView,
                ..
            })
        )
    }

    /// `a op b` where either is a keys or items view (`dictviews_and`, `_or`, `_sub`,
    /// `_xor`): a new set, held by no one.
    pub fn dict_view_op(&mut self, a: ObjId, b: ObjId, op: Operator) -> VmResult<ObjId> {
        if op == Operator::BitAnd {
            return self.dict_view_intersect(a, b);
        }
        // `dictviews_to_set`: a keys view's set is made from its dict.
        let source = match self.heap.payload(a) {
            Payload::Iterator(Iter {
                kind: IterKind::KeysView,
                sources,
                ..
            }) => sources[0],
            _ => a,
        };
        let r = self.new_set();
        self.hold(r);
        let made = self.set_update(r, source).and_then(|()| match op {
            Operator::BitOr => self.set_update(r, b),
            Operator::Sub => self.set_difference_update(r, b),
            _ => self.set_symmetric_difference_update(r, b),
        });
        self.hand_back(r, made)
    }

    /// `_PyDictView_Intersect`: a set's own intersection when the other operand is a set at
    /// least as large; else the items of the smaller operand found in the view.
    fn dict_view_intersect(&mut self, a: ObjId, b: ObjId) -> VmResult<ObjId> {
        let (mut view, mut other) = if self.is_set_view(a) { (a, b) } else { (b, a) };
        let len = |vm: &mut Self, o: ObjId| vm.length_hint(o).unwrap_or(0);
        let view_len = len(self, view);
        if matches!(self.heap.payload(other), Payload::Set(s) if !s.frozen)
            && view_len <= self.heap_set(other).len()
        {
            return self.set_intersection(other, view);
        }
        if self.is_set_view(other) && len(self, other) > view_len {
            std::mem::swap(&mut view, &mut other);
        }
        let r = self.new_set();
        self.hold(r);
        let items = match self.iterate(other) {
            Ok(items) => items,
            Err(e) => return self.hand_back(r, Err(e)),
        };
        let mut made = Ok(());
        for &it in &items {
            match self.contains(view, it) {
                Ok(true) => {
                    if let Err(e) = self.set_add(r, it) {
                        made = Err(e);
                        break;
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    made = Err(e);
                    break;
                }
            }
        }
        for it in items {
            self.release(it);
        }
        self.hand_back(r, made)
    }

    /// `set_intersection`: the items of the smaller set found in the larger, in the
    /// smaller's table order; for another iterable, its items found in `a`, until
    /// the result is as large as `a`.
    pub fn set_intersection(&mut self, a: ObjId, b: ObjId) -> VmResult<ObjId> {
        if a == b {
            return self.set_copy(a);
        }
        let r = self.set_like(a);
        let made = self.set_intersect_into(r, a, b);
        self.hand_back(r, made)
    }

    fn set_intersect_into(&mut self, r: ObjId, a: ObjId, b: ObjId) -> VmResult<()> {
        if self.is_set(b) {
            let (so, other) = if self.heap_set(b).len() > self.heap_set(a).len() {
                (b, a)
            } else {
                (a, b)
            };
            // Each item of `other` with its stored hash, added to the result as found.
            let items = self.set_keyed_items(other);
            let held = self.hold_keyed(&items, so);
            let mut result = Ok(());
            let mut found = Vec::new();
            for keyed in items.iter().cloned() {
                match self.set_has_keyed(so, keyed.clone()) {
                    Ok(true) => found.push(keyed),
                    Ok(false) => {}
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_ok() {
                result = self.set_fill_keyed(r, &found);
            }
            self.release_keyed(&items, held);
            return result;
        }
        let items = self.iterate(b)?;
        let mut result = Ok(());
        // Added to the result as found, so equal items count once (CPython stops when
        // the result is as large as `a`).
        let mut landing = Landing::new(false);
        for &it in &items {
            let hashed = match self.heap.key_of(it) {
                Ok(hashed) => Ok(hashed),
                Err(_) => {
                    landing.record(self, r);
                    self.key_of(it)
                }
            };
            let step = hashed.and_then(|(h, k)| {
                if self.heap_set(a).has_hashed() {
                    landing.record(self, r);
                }
                if self.set_has_keyed(a, (it, h, k.clone()))? {
                    landing.insert(self, r, (it, h, k))?;
                }
                Ok(())
            });
            if let Err(e) = step {
                result = Err(e);
                break;
            }
            if self.heap_set(r).len() >= self.heap_set(a).len() {
                break;
            }
        }
        landing.record(self, r);
        for it in items {
            self.release(it);
        }
        result
    }

    /// `s.intersection(*others)`: `s` with the first, the result with each further one
    /// (a copy of `s` when there are none).
    pub fn set_intersection_multi(&mut self, s: ObjId, others: &[ObjId]) -> VmResult<ObjId> {
        if others.is_empty() {
            return self.set_copy(s);
        }
        let mut acc = s;
        self.hold(acc);
        for &other in others {
            let next = self.set_intersection(acc, other);
            self.release(acc);
            acc = next?;
            self.hold(acc);
        }
        self.heap.decref_runtime_soft(acc);
        Ok(acc)
    }

    /// `set_difference`: a copy of `a` with `b`'s items discarded when `a` is more
    /// than four times `b`'s size (or `b` is neither a set nor a dict), else `a`'s
    /// items not in `b`, in `a`'s table order.
    pub fn set_difference(&mut self, a: ObjId, b: ObjId) -> VmResult<ObjId> {
        let other_size = match self.heap.payload(b) {
            Payload::Set(o) => Some(o.len()),
            Payload::Dict(d) => Some(d.len()),
            _ => None,
        };
        match other_size {
            Some(n) if (self.heap_set(a).len() >> 2) <= n => {
                let r = self.set_like(a);
                let made = self.set_difference_into(r, a, b);
                self.hand_back(r, made)
            }
            _ => {
                let r = self.set_copy(a)?;
                self.hold(r);
                let made = self.set_difference_update(r, b);
                self.hand_back(r, made)
            }
        }
    }

    /// `a`'s items, with their stored hashes, looked up in the set or dict `b`.
    fn set_difference_into(&mut self, r: ObjId, a: ObjId, b: ObjId) -> VmResult<()> {
        let items = self.set_keyed_items(a);
        let held = self.hold_keyed(&items, b);
        let mut result = Ok(());
        let mut kept = Vec::new();
        for (it, h, k) in items.iter().cloned() {
            let found = match self.heap.payload(b) {
                Payload::Dict(_) => self.dict_lookup(b, it, h, &k).map(|i| i.is_some()),
                _ => self.set_has_keyed(b, (it, h, k.clone())),
            };
            match found {
                Ok(true) => {}
                Ok(false) => kept.push((it, h, k)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() {
            result = self.set_fill_keyed(r, &kept);
        }
        self.release_keyed(&items, held);
        result
    }

    /// `s -= b`, `set_difference_update_internal`: each of `b`'s items discarded (of
    /// the intersection when `b` is a set more than eight times `s`'s size).
    pub fn set_difference_update(&mut self, s: ObjId, b: ObjId) -> VmResult<()> {
        if s == b {
            self.set_clear(s);
            return Ok(());
        }
        if self.is_set(b) {
            let other = if (self.heap_set(b).len() >> 3) > self.heap_set(s).len() {
                let i = self.set_intersection(s, b)?;
                self.hold(i);
                i
            } else {
                b
            };
            let items = self.set_keyed_items(other);
            let held = self.hold_keyed(&items, s);
            let mut result = Ok(());
            for keyed in items.iter().cloned() {
                if let Err(e) = self.set_discard_keyed(s, keyed) {
                    result = Err(e);
                    break;
                }
            }
            self.release_keyed(&items, held);
            if other != b {
                self.release(other);
            }
            return result;
        }
        let items = self.iterate(b)?;
        let mut result = Ok(());
        for &it in &items {
            if let Err(e) = self.set_discard(s, it) {
                result = Err(e);
                break;
            }
        }
        for it in items {
            self.release(it);
        }
        result
    }

    /// `a ^ b`: a new set of `a`'s kind updated with `b`, then with `a`'s items
    /// toggled.
    pub fn set_symmetric_difference(&mut self, a: ObjId, b: ObjId) -> VmResult<ObjId> {
        let r = self.set_like(a);
        let made = self
            .set_update(r, b)
            .and_then(|()| self.set_toggle_each(r, &self.set_keyed_items(a)));
        self.hand_back(r, made)
    }

    /// `s ^= b`: each of `b`'s items (its keys for a dict, a set made of it for
    /// another iterable) discarded when there, else added.
    pub fn set_symmetric_difference_update(&mut self, s: ObjId, b: ObjId) -> VmResult<()> {
        if s == b {
            self.set_clear(s);
            return Ok(());
        }
        let items = match self.keyed_items_of(b) {
            Some(items) => items,
            None => {
                let other = self.new_set_of(false);
                self.hold(other);
                let made = self.set_update(other, b);
                let items = self.set_keyed_items(other);
                let r = made.and_then(|()| self.set_toggle_each(s, &items));
                self.release(other);
                return r;
            }
        };
        self.set_toggle_each(s, &items)
    }

    /// Each item, with its stored hash, discarded from `s` when there, else added.
    fn set_toggle_each(&mut self, s: ObjId, items: &[Keyed]) -> VmResult<()> {
        let held = self.hold_keyed(items, s);
        let mut result = Ok(());
        for keyed in items.iter().cloned() {
            result = match self.set_discard_keyed(s, keyed.clone()) {
                Ok(true) => Ok(()),
                Ok(false) => self.set_add_keyed(s, keyed),
                Err(e) => Err(e),
            };
            if result.is_err() {
                break;
            }
        }
        self.release_keyed(items, held);
        result
    }

    /// `s &= b`: the intersection made apart, then the tables exchanged
    /// (`set_swap_bodies`), and the old one freed with the other set.
    pub fn set_intersection_update(&mut self, s: ObjId, b: ObjId) -> VmResult<()> {
        let tmp = self.set_intersection(s, b)?;
        self.hold(tmp);
        self.heap.swap_set_bodies(s, tmp);
        self.release(tmp);
        Ok(())
    }

    pub fn set_items(&self, s: ObjId) -> Vec<ObjId> {
        match self.heap.payload(s) {
            Payload::Set(set) => set.items().collect(),
            _ => Vec::new(),
        }
    }

    pub fn set_update(&mut self, s: ObjId, src: ObjId) -> VmResult<()> {
        // CPython's `set_update_internal`: a set's or a dict's keys come with one resize
        // first, and a set without dummies fills an empty table of its size slot for
        // slot; anything else is added an item at a time.
        // `s.update(s)` adds nothing.
        if s == src {
            return Ok(());
        }
        let incoming = match self.heap.payload(src) {
            Payload::Set(o) => Some(o.len()),
            Payload::Dict(d) => Some(d.len()),
            _ => None,
        };
        let mut rebuilt = false;
        if let (Some(n), Payload::Set(set)) = (incoming, self.heap.payload_mut(s)) {
            if n > 0 {
                rebuilt = set.make_room(n);
            }
        }
        // Decided after the resize, as `set_merge` does.
        let table = match (self.heap.payload(s), self.heap.payload(src)) {
            (Payload::Set(set), Payload::Set(o)) if set.can_copy_table(o) => Some(o.table.clone()),
            _ => None,
        };
        if let Some(table) = table {
            self.set_copy_table(s, table);
            return Ok(());
        }
        // A set's items and a dict's keys come with their stored hashes.
        let keyed = self.keyed_items_of(src);
        let items = self.iterate(src)?;
        let r = self.set_fill_after(s, &items, keyed.as_deref(), rebuilt);
        for it in items {
            self.release(it);
        }
        r
    }
}

/// Where the items a builtin adds to a set one by one stand, so the set's references
/// are recorded once, at the end (`Heap::record_references`): nowhere yet, between a
/// first and a last rank (the recording is told the references either side are kept,
/// so adding a few items to a big set costs the items, not the set), or anywhere (the
/// table was rebuilt). Recorded early, before Python code (`__hash__`, `__eq__`) runs
/// steps, so each step sees the set as it is.
enum Landing {
    Nowhere,
    Between(usize, usize),
    Anywhere,
}

impl Landing {
    fn new(rebuilt: bool) -> Landing {
        if rebuilt {
            Landing::Anywhere
        } else {
            Landing::Nowhere
        }
    }

    /// `set_insert`, noting where the item landed.
    fn insert(&mut self, vm: &mut Vm, s: ObjId, keyed: Keyed) -> VmResult<()> {
        if keyed.2.is_hashed() || vm.heap_set(s).has_hashed() {
            self.record(vm, s);
        }
        let inserted = vm.set_insert(s, keyed)?;
        *self = match (inserted, std::mem::replace(self, Landing::Nowhere)) {
            (Inserted::Present, landed) => landed,
            (Inserted::At { rank }, Landing::Nowhere) => Landing::Between(rank, rank),
            // Items at or past the new one's rank move one place on.
            (Inserted::At { rank }, Landing::Between(lo, hi)) => {
                Landing::Between(lo.min(rank), if rank <= hi { hi + 1 } else { rank })
            }
            _ => Landing::Anywhere,
        };
        Ok(())
    }

    /// Records the set's references as they are now, if anything landed.
    fn record(&mut self, vm: &mut Vm, s: ObjId) {
        match std::mem::replace(self, Landing::Nowhere) {
            Landing::Nowhere => {}
            Landing::Between(lo, hi) => {
                let back = vm.heap_set(s).len() - 1 - hi;
                vm.heap.record_references(s, Kept { front: lo, back });
            }
            Landing::Anywhere => vm.heap.record_references(s, Kept::NOTHING),
        }
    }
}
