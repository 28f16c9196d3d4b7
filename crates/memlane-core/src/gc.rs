//! CPython's cyclic garbage collector (Modules/gcmodule.c of 3.11/3.12), phase by phase:
//! merge the younger generations, copy refcounts to gc_refs, subtract references from
//! inside the set, move what is unreachable aside, finalize (`__del__`, PEP 442), check
//! for resurrection, clear what is still unreachable, and age the survivors.

use crate::event::{Event, GcPhase, Holder};
use crate::hash::FxBuild;
use crate::heap::Heap;
use crate::object::Payload;
use crate::view::{GcView, ObjId};
use indexmap::IndexSet;
use std::collections::HashMap;

/// A generation's tracked objects in the order they were tracked (the order a collection
/// walks them). Removing one leaves a hole, squeezed out once holes are half the list:
/// every freed container leaves its generation, and `IndexSet::shift_remove` moved all
/// the later entries each time (about 2,900 instructions a free in the mixed benchmark).
#[derive(Clone, Debug, Default)]
pub struct GcList {
    slots: Vec<Option<ObjId>>,
    slot_of: HashMap<ObjId, usize, FxBuild>,
}

impl GcList {
    pub fn len(&self) -> usize {
        self.slot_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slot_of.is_empty()
    }

    pub fn contains(&self, id: ObjId) -> bool {
        self.slot_of.contains_key(&id)
    }

    /// Appends `id` unless it is already in the list.
    pub fn insert(&mut self, id: ObjId) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.slot_of.entry(id) {
            e.insert(self.slots.len());
            self.slots.push(Some(id));
        }
    }

    /// Removes `id`, the others keeping their order; false when it was not there.
    pub fn remove(&mut self, id: ObjId) -> bool {
        let Some(slot) = self.slot_of.remove(&id) else {
            return false;
        };
        self.slots[slot] = None;
        while self.slots.last() == Some(&None) {
            self.slots.pop();
        }
        if self.slots.len() >= 64 && 2 * self.slot_of.len() < self.slots.len() {
            self.slots.retain(Option::is_some);
            for (i, id) in self.slots.iter().flatten().enumerate() {
                self.slot_of.insert(*id, i);
            }
        }
        true
    }

    /// The objects in order.
    pub fn iter(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.slots.iter().flatten().copied()
    }
}

/// A collection between its analysis and its clearing: the interpreter runs the
/// finalizers of `to_finalize` in between, then calls `Heap::gc_finish`.
#[derive(Debug)]
pub struct Collection {
    pub generation: u8,
    pub unreachable: Vec<ObjId>,
    pub to_finalize: Vec<ObjId>,
}

impl Heap {
    pub fn gc_view(&self) -> GcView {
        GcView {
            enabled: self.gc.enabled,
            counts: self.gc.counts,
            thresholds: self.gc.thresholds,
            collections: self.gc.collections,
        }
    }

    fn gc_event(&mut self, phase: GcPhase, objects: Vec<ObjId>, gc_refs: Vec<u64>) {
        let gc = self.gc_view();
        self.record(Event::Gc {
            phase,
            objects,
            gc_refs,
            gc,
        });
    }

    /// The generation an automatic collection should collect now, if any
    /// (`gc_collect_generations`: the oldest generation over its threshold).
    pub fn gc_due(&self) -> Option<u8> {
        let gc = &self.gc;
        if !gc.enabled || gc.collecting || gc.thresholds[0] == 0 || gc.counts[0] <= gc.thresholds[0]
        {
            return None;
        }
        (0..3u8).rev().find(|&i| {
            let i = i as usize;
            gc.counts[i] > gc.thresholds[i]
                && !(i == 2 && gc.long_lived_pending < gc.long_lived_total / 4)
        })
    }

    /// Runs the collection up to finding the unreachable objects.
    pub fn gc_begin(&mut self, generation: u8) -> Collection {
        let g = generation as usize;
        self.gc.collecting = true;
        if g + 1 < 3 {
            self.gc.counts[g + 1] += 1;
        }
        for i in 0..=g {
            self.gc.counts[i] = 0;
        }
        self.gc_event(GcPhase::Start { generation }, Vec::new(), Vec::new());

        // Merge the younger generations into the one collected (appended, oldest first).
        let mut list: Vec<ObjId> = std::mem::take(&mut self.gc.generations[g]).iter().collect();
        for i in 0..g {
            list.extend(std::mem::take(&mut self.gc.generations[i]).iter());
        }

        let mut gc_refs: HashMap<ObjId, u64> =
            list.iter().map(|&id| (id, self.get(id).refcount)).collect();
        self.gc_event(
            GcPhase::CopyRefcounts,
            list.clone(),
            list.iter().map(|id| gc_refs[id]).collect(),
        );

        for &id in &list {
            for t in self.get(id).payload.targets() {
                if let Some(r) = gc_refs.get_mut(&t) {
                    *r = r.saturating_sub(1);
                }
            }
        }
        self.gc_event(
            GcPhase::SubtractInternal,
            list.clone(),
            list.iter().map(|id| gc_refs[id]).collect(),
        );

        let (reachable, unreachable) = self.move_unreachable(list, &mut gc_refs);
        self.gc_event(GcPhase::FindUnreachable, unreachable.clone(), Vec::new());

        // Survivors: tuples of atomic items are untracked; the rest age a generation.
        for &id in &reachable {
            if matches!(self.get(id).payload, Payload::Tuple(_)) && self.all_atomic(id) {
                self.get_mut(id).gc_tracked = false;
                self.record_flags(id);
            }
        }
        let reachable: Vec<ObjId> = reachable
            .into_iter()
            .filter(|&id| self.get(id).gc_tracked)
            .collect();
        let old = if g < 2 { g + 1 } else { 2 };
        if g == 2 {
            // Dicts are untracked only in full collections (CPython issue #14775).
            for &id in &reachable {
                if matches!(self.get(id).payload, Payload::Dict(_)) && self.all_atomic(id) {
                    self.get_mut(id).gc_tracked = false;
                    self.record_flags(id);
                }
            }
            self.gc.long_lived_pending = 0;
        } else if g == 1 {
            self.gc.long_lived_pending += reachable.len();
        }
        for id in reachable {
            if self.get(id).gc_tracked {
                self.place_in_generation(id, old);
            }
        }
        if g == 2 {
            self.gc.long_lived_total = self.gc.generations[2].len();
        }
        // Unreachable objects stay in a list of their own until cleared.
        let to_finalize = unreachable
            .iter()
            .copied()
            .filter(|&id| self.has_unfinalized_del(id))
            .collect();
        Collection {
            generation,
            unreachable,
            to_finalize,
        }
    }

    /// CPython's `move_unreachable`: one pass over the list, objects with gc_refs of zero
    /// moved aside tentatively and brought back when something reachable refers to them.
    fn move_unreachable(
        &mut self,
        list: Vec<ObjId>,
        gc_refs: &mut HashMap<ObjId, u64>,
    ) -> (Vec<ObjId>, Vec<ObjId>) {
        let mut young: std::collections::VecDeque<ObjId> = list.into();
        let mut reachable = Vec::new();
        let mut unreachable: IndexSet<ObjId> = IndexSet::new();
        while let Some(id) = young.pop_front() {
            if gc_refs[&id] == 0 {
                unreachable.insert(id);
                continue;
            }
            reachable.push(id);
            for t in self.get(id).payload.targets() {
                if unreachable.shift_remove(&t) {
                    gc_refs.insert(t, 1);
                    young.push_back(t);
                } else if let Some(r) = gc_refs.get_mut(&t) {
                    if *r == 0 {
                        *r = 1;
                    }
                }
            }
        }
        (reachable, unreachable.into_iter().collect())
    }

    fn place_in_generation(&mut self, id: ObjId, generation: usize) {
        let o = self.get_mut(id);
        o.generation = generation as u8;
        self.gc.generations[generation].insert(id);
        self.record_flags(id);
    }

    fn all_atomic(&self, id: ObjId) -> bool {
        self.get(id)
            .payload
            .targets()
            .into_iter()
            .all(|t| !self.may_be_tracked(t))
    }

    fn has_unfinalized_del(&self, id: ObjId) -> bool {
        let o = self.get(id);
        !o.finalized
            && matches!(&o.payload, Payload::Instance(inst) if self.class_lookup(inst.class, "__del__").is_some())
    }

    /// Announces the finalizer phase (the interpreter then calls each `__del__`).
    pub fn gc_finalize_phase(&mut self, c: &Collection) {
        self.gc_event(GcPhase::Finalize, c.to_finalize.clone(), Vec::new());
        for &id in &c.to_finalize {
            self.mark_finalized(id);
        }
    }

    /// Finishes a collection after the finalizers ran: objects a finalizer resurrected (and
    /// what they reach) survive; the rest are cleared, which frees them. Returns what
    /// `gc.collect()` returns: the number of unreachable objects found.
    pub fn gc_finish(&mut self, c: Collection) -> u32 {
        let old = if c.generation < 2 {
            c.generation as usize + 1
        } else {
            2
        };
        let alive: Vec<ObjId> = c
            .unreachable
            .iter()
            .copied()
            .filter(|&id| self.is_live(id))
            .collect();
        let mut gc_refs: HashMap<ObjId, u64> = alive
            .iter()
            .map(|&id| (id, self.get(id).refcount))
            .collect();
        for &id in &alive {
            for t in self.get(id).payload.targets() {
                if let Some(r) = gc_refs.get_mut(&t) {
                    *r = r.saturating_sub(1);
                }
            }
        }
        let (resurrected, still) = self.move_unreachable(alive, &mut gc_refs);
        for id in resurrected {
            self.place_in_generation(id, old);
        }
        let found = still.len() as u32;
        self.gc_event(GcPhase::Clear, still.clone(), Vec::new());
        for id in still {
            if self.is_live(id) {
                self.gc_clear(id);
            }
            // Still alive after clearing (a tuple waiting on another member): it ages.
            if self.is_live(id) && self.get(id).gc_tracked {
                let g = self.get(id).generation as usize;
                self.gc.generations[g].remove(id);
                self.place_in_generation(id, old);
            }
        }
        if c.generation == 2 {
            self.clear_free_lists();
        }
        self.gc.collecting = false;
        self.gc.collections += 1;
        self.gc_event(GcPhase::Done { collected: found }, Vec::new(), Vec::new());
        found
    }

    /// `tp_clear`: drops the references an object holds, breaking the cycle.
    fn gc_clear(&mut self, id: ObjId) {
        let dropped: Vec<(String, ObjId)> = match self.payload_mut(id) {
            Payload::List(l) => {
                let items = std::mem::take(&mut l.items);
                l.capacity = 0;
                items
                    .into_iter()
                    .enumerate()
                    .rev()
                    .map(|(i, t)| (format!("[{i}]"), t))
                    .collect()
            }
            Payload::Dict(d) => {
                let items: Vec<_> = d.items().collect();
                *d = Default::default();
                items
                    .into_iter()
                    .flat_map(|(k, v)| [("key".to_string(), k), ("value".to_string(), v)])
                    .collect()
            }
            Payload::Set(s) => s
                .clear()
                .into_iter()
                .map(|t| ("item".to_string(), t))
                .collect(),
            Payload::Instance(inst) => std::mem::take(&mut inst.attrs)
                .into_iter()
                .map(|(k, v)| (format!(".{k}"), v))
                .collect(),
            Payload::Cell(c) => c
                .take()
                .map(|t| ("cell_contents".to_string(), t))
                .into_iter()
                .collect(),
            Payload::Function(f) => {
                let mut out = Vec::new();
                if let Some(d) = f.defaults.take() {
                    out.push(("__defaults__".to_string(), d));
                }
                if let Some(d) = f.kwdefaults.take() {
                    out.push(("__kwdefaults__".to_string(), d));
                }
                if let Some(c) = f.closure.take() {
                    out.push(("__closure__".to_string(), c));
                }
                out
            }
            Payload::Class(c) => std::mem::take(&mut c.attrs)
                .into_iter()
                .map(|(k, v)| (format!(".{k}"), v))
                .collect(),
            _ => Vec::new(),
        };
        if dropped.is_empty() {
            return;
        }
        self.changed(id);
        for (label, t) in dropped {
            self.decref(t, Holder::Object { obj: id, label });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::event::Holder;
    use crate::heap::Heap;
    use crate::object::{List, Payload};
    use crate::profile::{Profile, Version};
    use crate::view::{FrameId, ObjId};

    fn stack() -> Holder {
        Holder::Stack { frame: FrameId(0) }
    }

    /// A generation keeps tracking order through removals, holes and their squeezing out.
    #[test]
    fn gc_list_keeps_order_through_removals() {
        let mut list = super::GcList::default();
        let mut model: Vec<ObjId> = Vec::new();
        for i in 0..300u32 {
            list.insert(ObjId(i));
            model.push(ObjId(i));
            if model.contains(&ObjId(i / 2)) {
                list.insert(ObjId(i / 2)); // already there: stays where it was
            }
            if i % 3 == 0 {
                let gone = ObjId(i * 7 % (i + 1));
                assert_eq!(list.remove(gone), model.contains(&gone));
                model.retain(|&o| o != gone);
            }
            assert!(!list.remove(ObjId(1000)));
        }
        for i in (0..300u32).step_by(2) {
            list.remove(ObjId(i));
            model.retain(|&o| o != ObjId(i));
        }
        assert_eq!(list.iter().collect::<Vec<_>>(), model);
        assert_eq!(list.len(), model.len());
        assert!(model.iter().all(|&o| list.contains(o)));
        list.insert(ObjId(0));
        model.push(ObjId(0));
        assert_eq!(list.iter().collect::<Vec<_>>(), model);
    }

    /// Makes list `from` hold `to` as its only item.
    fn point(heap: &mut Heap, from: ObjId, to: ObjId) {
        *heap.payload_mut(from) = Payload::List(List {
            items: vec![to],
            capacity: 4,
        });
        heap.incref(
            to,
            Holder::Object {
                obj: from,
                label: "[0]".into(),
            },
        );
    }

    #[test]
    fn a_self_referencing_list_is_found_and_freed() {
        let mut heap = Heap::new(Profile::new(Version::Py311));
        let l = heap.alloc(Payload::List(List::default()));
        heap.incref(l, stack());
        point(&mut heap, l, l);
        heap.decref(l, stack());
        assert!(heap.is_live(l), "refcounting alone cannot free a cycle");
        let c = heap.gc_begin(2);
        assert_eq!(c.unreachable, vec![l]);
        assert_eq!(heap.gc_finish(c), 1);
        assert!(!heap.is_live(l));
        heap.check_refcounts(&Default::default()).unwrap();
    }

    #[test]
    fn a_reachable_cycle_survives_and_ages() {
        let mut heap = Heap::new(Profile::new(Version::Py313));
        let a = heap.alloc(Payload::List(List::default()));
        let b = heap.alloc(Payload::List(List::default()));
        heap.incref(a, stack());
        point(&mut heap, a, b);
        point(&mut heap, b, a);
        let c = heap.gc_begin(0);
        assert!(c.unreachable.is_empty());
        assert_eq!(heap.gc_finish(c), 0);
        assert_eq!(heap.get(a).generation, 1);
        assert_eq!(heap.gc.counts, [0, 1, 0]);
    }
}
