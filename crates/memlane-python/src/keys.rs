//! Hashing objects and finding them in dicts and sets, as CPython's `PyObject_Hash`,
//! `set_add_entry` and the dict lookup do: a class's `__hash__` is called for the hash,
//! and a stored key of the same hash that is not the object itself is compared with
//! `==`, which calls a class's `__eq__`. Keys of built-in types compare as Rust values
//! (`Key`), so their lookups never leave Rust.

use crate::vm::*;
use memlane_core::hash::{hash_from_python, hash_int, hash_tuple, Key, NoKey};
use memlane_core::heap::HashMethod;
use memlane_core::object::{BuiltinType, Dict, Payload, Probe, Probed, Set};
use memlane_core::ObjId;
use num_bigint::BigInt;

/// An object with the hash and key it is (or is to be) stored with.
pub type Keyed = (ObjId, i64, Key);

impl Vm {
    /// `PyObject_Hash`: an object's hash and its key, calling `__hash__` where a class
    /// defines it (for an instance, or each item of a tuple); a TypeError when it is
    /// unhashable.
    pub fn key_of(&mut self, obj: ObjId) -> VmResult<(i64, Key)> {
        match self.heap.key_of(obj) {
            Ok(hashed) => Ok(hashed),
            // `tuplehash` meets the unhashable item, and names its type.
            Err(NoKey::Unhashable) if matches!(self.heap.payload(obj), Payload::Tuple(_)) => self
                .python_hash(obj)
                .map(|hash| (hash, Key::Hashed { hash, id: obj.0 })),
            Err(NoKey::Unhashable) => Err(self.unhashable(obj).into()),
            Err(NoKey::ByPython) => {
                let hash = self.python_hash(obj)?;
                Ok((hash, Key::Hashed { hash, id: obj.0 }))
            }
        }
    }

    /// The hash of an object `Heap::key_of` leaves to Python code (or finds unhashable, for
    /// a tuple: its items are hashed in order up to the one that is not).
    fn python_hash(&mut self, obj: ObjId) -> VmResult<i64> {
        match self.heap.payload(obj) {
            // `tuplehash`: its items' hashes, in order, combined.
            Payload::Tuple(items) => {
                let items = items.clone();
                let mut hashes = Vec::with_capacity(items.len());
                for item in items {
                    hashes.push(self.key_of(item)?.0);
                }
                Ok(hash_tuple(&hashes))
            }
            Payload::Instance(inst) => {
                let HashMethod::Python(method) = self.heap.hash_method(inst.class) else {
                    unreachable!("Heap::key_of hashes the others")
                };
                // `slot_tp_hash`.
                let r = self.call(method, &[obj], &[])?;
                let hash = match self.heap.payload(r) {
                    Payload::Int(v) => Some(hash_from_python(v)),
                    Payload::Bool(b) => Some(*b as i64),
                    _ => None,
                };
                self.release(r);
                hash.ok_or_else(|| {
                    self.error(
                        BuiltinType::TypeError,
                        "__hash__ method should return an integer",
                    )
                    .into()
                })
            }
            _ => unreachable!("only tuples and instances hash by Python code"),
        }
    }

    /// `PyObject_RichCompareBool(startkey, key, Py_EQ)` for a stored key and the
    /// object looked up, which are not the same object: `stored` is held meanwhile,
    /// as CPython holds `startkey`.
    fn stored_key_equals(&mut self, stored: ObjId, obj: ObjId) -> VmResult<bool> {
        self.hold(stored);
        let equal = self.eq(stored, obj);
        self.release(stored);
        equal
    }

    pub(crate) fn heap_set(&self, s: ObjId) -> &Set {
        match self.heap.payload(s) {
            Payload::Set(set) => set,
            _ => unreachable!("a set"),
        }
    }

    fn heap_dict(&self, d: ObjId) -> Option<&Dict> {
        match self.heap.payload(d) {
            Payload::Dict(dict) => Some(dict),
            _ => None,
        }
    }

    /// Where `obj`, hashed to `hash` and `key`, is in the set `s`: `Ok(slot)` of the
    /// item equal to it, or `Err(slot)` to insert it in. As `set_add_entry`: along the
    /// probe sequence the object itself or an equal built-in value matches at once, an
    /// item of the same hash is asked `item == obj`, and the probe starts again when
    /// that call changed the slot or the table.
    pub fn set_lookup(
        &mut self,
        s: ObjId,
        obj: ObjId,
        hash: i64,
        key: &Key,
    ) -> VmResult<Result<usize, usize>> {
        'restart: loop {
            let mut probe = Probe::new(hash, self.heap_set(s).table.len());
            loop {
                let set = self.heap_set(s);
                match set.probe(hash, key, &mut probe) {
                    Probed::Found(slot) => return Ok(Ok(slot)),
                    Probed::Absent(slot) => return Ok(Err(slot)),
                    Probed::Compare(slot) => {
                        let size = set.table.len();
                        let stored = set.item_at(slot).expect("a full slot");
                        if self.stored_key_equals(stored, obj)? {
                            return Ok(Ok(slot));
                        }
                        let set = self.heap_set(s);
                        if set.table.len() != size || set.item_at(slot) != Some(stored) {
                            continue 'restart;
                        }
                    }
                }
            }
        }
    }

    /// The entry of the dict `d` whose key matches `obj`, hashed to `hash` and `key`.
    /// A built-in key is one probe of the index. A key hashed by Python code is compared,
    /// in entry order (the order CPython's probe meets keys of one hash), with the stored
    /// keys of its hash: itself matches at once, any other is asked `stored == obj`,
    /// and the lookup starts again when that call changed the entry. Of the built-in
    /// keys, only ints (and equal floats and bools) are found for such a key: the ones
    /// whose hash is `hash`.
    pub fn dict_lookup(
        &mut self,
        d: ObjId,
        obj: ObjId,
        hash: i64,
        key: &Key,
    ) -> VmResult<Option<usize>> {
        'restart: loop {
            let Some(dict) = self.heap_dict(d) else {
                return Ok(None);
            };
            if !key.is_hashed() {
                if let Some(&i) = dict.index.get(key) {
                    return Ok(Some(i));
                }
                if !dict.has_python_keys() {
                    return Ok(None);
                }
            }
            let mut candidates = dict.python_candidates(hash);
            if key.is_hashed() {
                let before = candidates.len();
                for v in ints_hashing_to(hash) {
                    if let Some(&i) = dict.index.get(&Key::Int(v)) {
                        if let Some((stored, _)) = dict.entries[i] {
                            candidates.push((i, stored));
                        }
                    }
                }
                if candidates.len() > before {
                    candidates.sort_unstable();
                }
            }
            for (i, stored) in candidates {
                if stored == obj {
                    return Ok(Some(i));
                }
                let equal = self.stored_key_equals(stored, obj)?;
                let unchanged = self
                    .heap_dict(d)
                    .and_then(|dict| dict.entries.get(i).copied().flatten())
                    .is_some_and(|(k, _)| k == stored);
                if !unchanged {
                    continue 'restart;
                }
                if equal {
                    return Ok(Some(i));
                }
            }
            return Ok(None);
        }
    }

    /// The hash and key the dict `d` stores its key object `stored` under (no
    /// `__hash__` is called: CPython keeps each entry's hash).
    pub fn dict_stored_key(&self, d: ObjId, stored: ObjId) -> (i64, Key) {
        if let Some(hash) = self
            .heap_dict(d)
            .and_then(|dict| dict.python_hash_of(stored))
        {
            return (hash, Key::Hashed { hash, id: stored.0 });
        }
        // Stored as a built-in key, it still hashes as one.
        self.heap
            .key_of(stored)
            .unwrap_or((0, Key::Identity(stored.0)))
    }

    /// The keys of the dict `d` with the hashes they are stored with, in entry order.
    pub fn dict_keyed_keys(&self, d: ObjId) -> Vec<Keyed> {
        let keys: Vec<ObjId> = match self.heap_dict(d) {
            Some(dict) => dict.items().map(|(k, _)| k).collect(),
            None => return Vec::new(),
        };
        keys.into_iter()
            .map(|k| {
                let (h, key) = self.dict_stored_key(d, k);
                (k, h, key)
            })
            .collect()
    }

    /// The items of the set `s` with the hashes they are stored with, in table order.
    pub fn set_keyed_items(&self, s: ObjId) -> Vec<Keyed> {
        match self.heap.payload(s) {
            Payload::Set(set) => set.entries().map(|(o, h, k)| (o, h, k.clone())).collect(),
            _ => Vec::new(),
        }
    }

    /// The items of a set or the keys of a dict with their stored hashes, for
    /// CPython's paths that reuse them (`set_merge`, `set_update_internal`, ...); None
    /// for anything else, whose items are hashed as they come.
    pub fn keyed_items_of(&self, o: ObjId) -> Option<Vec<Keyed>> {
        match self.heap.payload(o) {
            Payload::Set(_) => Some(self.set_keyed_items(o)),
            Payload::Dict(_) => Some(self.dict_keyed_keys(o)),
            _ => None,
        }
    }

    /// Whether looking `key` up in the dict or set `container` may call `__eq__`.
    pub fn lookup_may_run_python(&self, container: ObjId, key: &Key) -> bool {
        key.is_hashed()
            || match self.heap.payload(container) {
                Payload::Dict(dict) => dict.has_python_keys(),
                Payload::Set(set) => set.has_hashed(),
                _ => false,
            }
    }

    /// Holds the objects of `items` when looking them up in `target` may call `__eq__`,
    /// which may drop the last other reference to the items still to come (CPython
    /// holds each key while it is looked up). Whether it held them, for
    /// `release_keyed`.
    pub fn hold_keyed(&mut self, items: &[Keyed], target: ObjId) -> bool {
        let any = items
            .iter()
            .any(|(_, _, k)| self.lookup_may_run_python(target, k));
        if any {
            for &(o, _, _) in items {
                self.hold(o);
            }
        }
        any
    }

    pub fn release_keyed(&mut self, items: &[Keyed], held: bool) {
        if held {
            for &(o, _, _) in items {
                self.release(o);
            }
        }
    }
}

/// The ints whose hash is `hash` and that a key of that hash can meet in a dict:
/// `hash` itself, and -1 for -2 (an int's hash is never -1).
fn ints_hashing_to(hash: i64) -> impl Iterator<Item = BigInt> {
    let own = BigInt::from(hash);
    let own = (hash_int(&own) == hash).then_some(own);
    let minus_one = (hash == -2).then(|| BigInt::from(-1));
    own.into_iter().chain(minus_one)
}
