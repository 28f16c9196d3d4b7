//! Property tests of the heap alone: random object graphs built and dropped through the
//! Heap API keep exact reference counts, free exactly what nothing refers to, and a full
//! collection leaves no unreachable object behind.

use memlane_core::event::Holder;
use memlane_core::object::{List, Payload};
use memlane_core::{FrameId, Heap, ObjId, Profile, Version};
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Debug)]
enum Op {
    /// Allocate a list held by root `r`.
    NewList(usize),
    /// Allocate a big int held by root `r`.
    NewInt(usize, i64),
    /// List held by root `a` appends the object held by root `b`.
    Append(usize, usize),
    /// Root `r` lets go of its object.
    Drop(usize),
}

const ROOTS: usize = 6;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..ROOTS).prop_map(Op::NewList),
        ((0..ROOTS), 1000i64..100_000).prop_map(|(r, v)| Op::NewInt(r, v)),
        ((0..ROOTS), (0..ROOTS)).prop_map(|(a, b)| Op::Append(a, b)),
        (0..ROOTS).prop_map(Op::Drop),
    ]
}

fn holder(r: usize) -> Holder {
    Holder::Name {
        frame: FrameId(0),
        name: format!("r{r}"),
    }
}

/// The references the test's roots hold, for the invariant check.
fn root_refs(roots: &[Option<ObjId>]) -> HashMap<ObjId, u64> {
    let mut m = HashMap::new();
    for r in roots.iter().flatten() {
        *m.entry(*r).or_insert(0) += 1;
    }
    m
}

fn set_root(heap: &mut Heap, roots: &mut [Option<ObjId>], r: usize, new: Option<ObjId>) {
    if let Some(o) = new {
        heap.incref(o, holder(r));
    }
    if let Some(old) = std::mem::replace(&mut roots[r], new) {
        heap.decref(old, holder(r));
    }
}

/// No two live allocations share a byte: every object's block (GC header included) and
/// every separately allocated storage (a list's item array, a dict's keys) is its own.
fn allocations_disjoint(heap: &Heap) -> Result<(), String> {
    let mut spans = Vec::new();
    for id in heap.live_ids() {
        let o = heap.get(id);
        if o.block_len > 0 {
            spans.push((o.block, o.block + o.block_len, id, "block"));
        }
        if let Some((addr, len)) = o.storage {
            if len > 0 {
                spans.push((addr, addr + len, id, "storage"));
            }
        }
    }
    spans.sort();
    for pair in spans.windows(2) {
        let ((_, end, a, what_a), (start, _, b, what_b)) = (pair[0], pair[1]);
        if end > start {
            return Err(format!(
                "{what_a} of {a:?} ends at {end:#x}, after {what_b} of {b:?} starts at {start:#x}"
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn refcounts_stay_exact_and_collection_leaves_no_garbage(ops in prop::collection::vec(op(), 1..60), version in prop::sample::select(Version::ALL.to_vec())) {
        let mut heap = Heap::new(Profile::new(version));
        let mut roots: Vec<Option<ObjId>> = vec![None; ROOTS];
        for op in ops {
            match op {
                Op::NewList(r) => {
                    let l = heap.alloc(Payload::List(List::default()));
                    set_root(&mut heap, &mut roots, r, Some(l));
                }
                Op::NewInt(r, v) => {
                    let i = heap.int_i64(v);
                    set_root(&mut heap, &mut roots, r, Some(i));
                }
                Op::Append(a, b) => {
                    if let (Some(list), Some(item)) = (roots[a], roots[b]) {
                        if let Payload::List(l) = heap.payload_mut(list) {
                            l.items.push(item);
                            l.capacity = l.capacity.max(l.items.len());
                            let label = format!("[{}]", l.items.len() - 1);
                            heap.incref(item, Holder::Object { obj: list, label });
                            heap.changed(list);
                        }
                    }
                }
                Op::Drop(r) => set_root(&mut heap, &mut roots, r, None),
            }
            let held = root_refs(&roots);
            prop_assert!(heap.check_refcounts(&held).is_ok(), "{:?}", heap.check_refcounts(&held));
            if let Err(e) = allocations_disjoint(&heap) {
                prop_assert!(false, "{}", e);
            }
        }
        for r in 0..ROOTS {
            set_root(&mut heap, &mut roots, r, None);
        }
        let collection = heap.gc_begin(2);
        heap.gc_finish(collection);
        prop_assert!(heap.check_refcounts(&HashMap::new()).is_ok());
        // With every root gone, only static singletons may remain.
        let survivors: Vec<_> = heap.live_ids().filter(|&id| heap.get(id).placement != memlane_core::Placement::Static).collect();
        prop_assert!(survivors.is_empty(), "unreachable objects survived: {survivors:?}");
    }
}
