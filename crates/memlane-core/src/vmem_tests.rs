//! Properties of virtual memory on a heap driven by random allocations and frees, checked
//! on the model (the heap's machine) and on the snapshot rebuilt from the events.

use crate::event::Event;
use crate::heap::Heap;
use crate::memory_view::MemoryView;
use crate::object::{List, Payload};
use crate::paging::{pte, PAGE_SHIFT, PAGE_SIZE};
use crate::physical::FrameUse;
use crate::profile::Profile;
use crate::trace::Outcome;
use crate::view::{ObjId, Snapshot};
use crate::vmem::{MemoryConfig, Region, RegionKind, Replacement, TRACED_PID, TWIN_PID};
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

#[derive(Clone, Debug)]
enum Op {
    /// `count` objects of one kind and size.
    Alloc { kind: u8, size: u32, count: u32 },
    /// Frees every `step`-th live object, starting at `from`.
    Free { from: u32, step: u32 },
    /// Drops a reference to every live object and takes it back (refcount writes).
    Churn,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, 1u32..600, 1u32..1500).prop_map(|(kind, size, count)| Op::Alloc { kind, size, count }),
        3 => (0u32..7, 1u32..4).prop_map(|(from, step)| Op::Free { from, step }),
        1 => Just(Op::Churn),
    ]
}

fn config() -> impl Strategy<Value = MemoryConfig> {
    (
        prop_oneof![Just(64u32), Just(160), Just(512)],
        prop_oneof![Just(Replacement::Clock), Just(Replacement::Lru)],
        any::<bool>(),
        prop_oneof![Just(None), (0u64..1000).prop_map(Some)],
        prop_oneof![Just(4u32), Just(64)],
    )
        .prop_map(
            |(frames, replacement, twin, aslr_seed, tlb_entries)| MemoryConfig {
                frames,
                tlb_entries,
                replacement,
                twin,
                aslr_seed,
            },
        )
}

fn new_object(heap: &mut Heap, kind: u8, size: u32, n: u32) -> ObjId {
    match kind {
        // Ints past the small-int cache; floats; strs from 1 to 600 characters (a str past
        // 512 bytes comes from malloc); lists with an item array of `size` slots.
        0 => heap.int_i64(1000 + n as i64),
        1 => heap.float(n as f64 + 0.5),
        2 => heap.alloc(Payload::Str(Rc::from("x".repeat(size as usize + 1)))),
        _ => heap.alloc(Payload::List(List {
            items: Vec::new(),
            capacity: size as usize,
        })),
    }
}

/// Runs the ops; returns the heap (still running) and the live objects.
fn drive(config: MemoryConfig, ops: &[Op]) -> (Heap, Vec<ObjId>) {
    let mut heap = Heap::with_memory(Profile::default(), config);
    let mut live: Vec<ObjId> = Vec::new();
    let mut n = 0;
    for op in ops {
        match *op {
            Op::Alloc { kind, size, count } => {
                for _ in 0..count {
                    let id = new_object(&mut heap, kind, size, n);
                    n += 1;
                    heap.incref_runtime(id, "test");
                    live.push(id);
                }
            }
            Op::Free { from, step } => {
                let doomed: BTreeSet<usize> =
                    (from as usize..live.len()).step_by(step as usize).collect();
                let mut kept = Vec::new();
                for (i, id) in live.drain(..).enumerate() {
                    if doomed.contains(&i) {
                        heap.decref_runtime(id, "test");
                    } else {
                        kept.push(id);
                    }
                }
                live = kept;
            }
            Op::Churn => {
                for &id in &live {
                    heap.incref_runtime(id, "churn");
                    heap.decref_runtime(id, "churn");
                }
            }
        }
    }
    (heap, live)
}

/// Frees everything and ends the run; returns the last snapshot.
fn finish(mut heap: Heap, live: Vec<ObjId>) -> (Snapshot, Vec<Event>) {
    for id in live {
        heap.decref_runtime(id, "test");
    }
    let trace = heap.finish(Outcome::Finished);
    let n = trace.event_count();
    (trace.snapshot_at_event(n), trace.events_in(0..n))
}

fn snapshot_of(heap: &mut Heap) -> Snapshot {
    heap.begin_step(crate::view::FrameId(0), 1);
    heap.recorder.live().clone()
}

/// No page-table entry, swap slot or TLB entry outside the regions mapped now.
fn check_nothing_outside_regions(m: &MemoryView) -> Result<(), TestCaseError> {
    for p in m.processes.values() {
        for &vpn in p.pages.keys() {
            let addr = vpn << PAGE_SHIFT;
            prop_assert!(
                m.region_at(p.pid, addr).is_some(),
                "pid {} page {:#x} is outside every region",
                p.pid,
                addr
            );
        }
    }
    let traced = &m.processes[&TRACED_PID];
    for (vpn, frame) in &m.tlb {
        let e = traced.pages.get(vpn).copied().unwrap_or(0);
        prop_assert!(
            pte::is_present(e) && u64::from(pte::frame(e)) == *frame,
            "stale TLB entry {vpn:#x}"
        );
    }
    for (slot, (pid, vpn)) in &m.swap {
        let e = m.processes[pid].pages.get(vpn).copied().unwrap_or(0);
        prop_assert!(pte::is_swapped(e) && pte::frame(e) == *slot);
    }
    Ok(())
}

/// Every page of every process in a frame of its own, and the frame table agrees.
fn check_frames(m: &MemoryView) -> Result<(), TestCaseError> {
    let mut owner: HashMap<u32, (u32, u64)> = HashMap::new();
    for p in m.processes.values() {
        for map in m.mappings(p.pid) {
            prop_assert!(
                owner.insert(map.pfn, (p.pid, map.vpn)).is_none(),
                "frame {} holds two pages",
                map.pfn
            );
            prop_assert_eq!(
                m.frames[map.pfn as usize],
                FrameUse::Page {
                    pid: p.pid,
                    vpn: map.vpn
                }
            );
        }
    }
    let pages = m
        .frames
        .iter()
        .filter(|f| matches!(f, FrameUse::Page { .. }))
        .count();
    prop_assert_eq!(pages, owner.len());
    for (frame, t) in &m.tables {
        prop_assert_eq!(
            m.frames[*frame as usize],
            FrameUse::PageTable {
                pid: t.pid,
                level: t.level
            }
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn translation_physical_addresses_frames_and_overlap(
        config in config(),
        ops in prop::collection::vec(op(), 1..8),
    ) {
        let (mut heap, live) = drive(config, &ops);
        let snap = snapshot_of(&mut heap);
        let m = heap.allocator.machine();
        let mut blocks = Vec::new();
        for &id in &live {
            let o = heap.get(id);
            let a = o.address;
            // Translation is a function: the same walk twice, and the same in the model
            // and in the snapshot rebuilt from events.
            let walk = m.translate(TRACED_PID, a);
            prop_assert!(walk.is_some());
            prop_assert_eq!(&walk, &m.translate(TRACED_PID, a));
            prop_assert_eq!(&walk, &snap.memory.walk(TRACED_PID, a));
            // A live object's physical address is its page's frame * 4096 + its offset.
            let pa = snap.physical_address(a);
            prop_assert_eq!(pa, m.physical_address(a));
            let entry = snap.memory.processes[&TRACED_PID].pages.get(&(a >> PAGE_SHIFT)).copied();
            match entry.filter(|e| pte::is_present(*e)) {
                Some(e) => prop_assert_eq!(
                    pa,
                    Some(pte::frame(e) as u64 * PAGE_SIZE + (a & (PAGE_SIZE - 1)))
                ),
                None => prop_assert_eq!(pa, None),
            }
            blocks.push((o.block, o.block_len));
            if let Some(s) = o.storage {
                blocks.push(s);
            }
        }
        // With enough RAM nothing is evicted, so every live object is resident.
        if config.frames == 512 && m.counters().evictions == 0 {
            for &id in &live {
                prop_assert!(snap.physical_address(heap.get(id).address).is_some());
            }
        }
        // No two live objects (or item arrays) overlap in virtual memory, and each lies
        // in a mapped region.
        blocks.sort_unstable();
        for w in blocks.windows(2) {
            prop_assert!(w[0].0 + w[0].1 <= w[1].0, "{:#x}+{} overlaps {:#x}", w[0].0, w[0].1, w[1].0);
        }
        for (start, len) in &blocks {
            let r = snap.memory.region_at(TRACED_PID, *start);
            prop_assert!(r.is_some_and(|r| start + len <= r.end()), "block {start:#x} unmapped");
        }
        check_frames(&snap.memory)?;
        check_nothing_outside_regions(&snap.memory)?;
        if config.twin {
            prop_assert!(snap.memory.process(TWIN_PID).is_some());
        }
    }

    #[test]
    fn freed_arenas_leave_no_mapping_behind(
        config in config(),
        ops in prop::collection::vec(op(), 1..6),
    ) {
        let (heap, live) = drive(config, &ops);
        let (snap, events) = finish(heap, live);
        // Every arena unmapped during the run: no page, swap slot or TLB entry of the
        // traced process is left in its range unless an arena was mapped there again.
        let mut arenas: HashMap<u64, Region> = HashMap::new();
        let mut unmapped: BTreeSet<u64> = BTreeSet::new();
        for e in &events {
            match e {
                Event::Mmap { pid, region } if *pid == TRACED_PID && region.what == RegionKind::Arena => {
                    arenas.insert(region.start, region.clone());
                    unmapped.remove(&region.start);
                }
                Event::Munmap { pid, start, .. } if *pid == TRACED_PID && arenas.contains_key(start) => {
                    unmapped.insert(*start);
                }
                _ => {}
            }
        }
        let traced = &snap.memory.processes[&TRACED_PID];
        for start in &unmapped {
            let r = &arenas[start];
            let pages = (r.start >> PAGE_SHIFT)..(r.end() >> PAGE_SHIFT);
            prop_assert!(traced.pages.range(pages.clone()).next().is_none(), "arena {start:#x} left pages");
            prop_assert!(snap.memory.tlb.range(pages).next().is_none());
            prop_assert!(snap.memory.region_at(TRACED_PID, *start).is_none());
        }
        check_frames(&snap.memory)?;
        check_nothing_outside_regions(&snap.memory)?;
    }
}

#[test]
fn a_few_thousand_objects_map_and_unmap_an_arena_and_fault_only_on_first_touch() {
    let ops = [Op::Alloc {
        kind: 3,
        size: 4,
        count: 6000,
    }];
    let (heap, live) = drive(MemoryConfig::default(), &ops);
    let (snap, events) = finish(heap, live);
    let arenas_mapped = events
        .iter()
        .filter(|e| matches!(e, Event::Mmap { region, .. } if region.what == RegionKind::Arena))
        .count();
    let unmaps = events
        .iter()
        .filter(|e| matches!(e, Event::Munmap { .. }))
        .count();
    assert!(arenas_mapped >= 2, "{arenas_mapped} arenas");
    assert!(unmaps >= 1);
    // Without eviction each page faults once, unless it was unmapped in between.
    let mut faulted: BTreeSet<u64> = BTreeSet::new();
    for e in &events {
        match e {
            Event::PageFault { pid, address, .. } if *pid == TRACED_PID => {
                assert!(
                    faulted.insert(address >> PAGE_SHIFT),
                    "second fault of {address:#x}"
                );
            }
            Event::Munmap { start, len, .. } => {
                let pages = (start >> PAGE_SHIFT)..((start + len) >> PAGE_SHIFT);
                faulted.retain(|v| !pages.contains(v));
            }
            Event::Evict { .. } => panic!("nothing is evicted with the default RAM"),
            _ => {}
        }
    }
    check_frames(&snap.memory).unwrap();
    check_nothing_outside_regions(&snap.memory).unwrap();
}
