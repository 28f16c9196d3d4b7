//! What a step shows of virtual memory: RAM frame by frame, each process's regions and
//! page tables, the TLB, swap, and counters. Kept current by the memory events alone;
//! translation walks the snapshot's copy of the page tables with the same code as the
//! model (paging::walk), so front ends never translate for themselves.

use crate::event::Event;
use crate::paging::{self, pte, PageTableMemory, PteWrite, Walk, PAGE_SHIFT};
use crate::physical::FrameUse;
use crate::vmem::{Region, Replacement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The memory part of a snapshot. Its state is shared copy-on-write (an `Arc`, so traces
/// stay `Send`): the recorder's
/// checkpoints clone snapshots often and memory changes rarely, so clones share it until a
/// memory event changes it. Read it through `Deref` (`view.frames`, `view.processes`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryView {
    state: Arc<MemoryState>,
    pub counters: Counters,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryState {
    /// Physical RAM, indexed by frame number: draw it as a grid.
    pub frames: Vec<FrameUse>,
    pub tlb_entries: u32,
    pub replacement: Replacement,
    /// Simulated processes by pid.
    pub processes: BTreeMap<u32, ProcessView>,
    /// The traced process: the one running, whose TLB this is (the first started).
    pub running: Option<u32>,
    /// Contents of the frames holding page tables, by frame, in frame order. This and
    /// `swap` are sorted vectors rather than BTreeMaps: a few dozen entries each, and
    /// BTreeMaps of their own cost about 4.7 KB of the gzipped wasm bundle.
    pub tables: Vec<(u32, TableView)>,
    /// The TLB: page → frame of the running process. Frame numbers are u32 elsewhere;
    /// held as u64 here (and `entries` keyed by u64) so these maps share `pages`'
    /// `BTreeMap<u64, u64>` code in the wasm bundle (with the swap-slot scan in
    /// physical.rs, 5.4 KB gzipped less).
    pub tlb: BTreeMap<u64, u64>,
    /// Swap slots in use: slot → (pid, page).
    pub swap: Vec<(u32, (u32, u64))>,
}

impl std::ops::Deref for MemoryView {
    type Target = MemoryState;
    fn deref(&self) -> &MemoryState {
        &self.state
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub tlb_hits: u64,
    pub tlb_misses: u64,
    pub page_faults: u64,
    pub evictions: u64,
    pub swap_ins: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessView {
    pub pid: u32,
    pub name: String,
    /// The frame of its PML4 table (CR3).
    pub root: u32,
    /// Regions by start address, as /proc/PID/maps lists them.
    pub regions: BTreeMap<u64, Region>,
    /// Every page-table leaf entry in use: page number → entry (present, or a swap slot).
    pub pages: BTreeMap<u64, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableView {
    pub pid: u32,
    /// 4 = PML4 ... 1 = PT.
    pub level: u8,
    /// The first virtual address it covers.
    pub base: u64,
    /// Non-zero entries by index (0..512; a u64 key, see `MemoryState::tlb`).
    pub entries: BTreeMap<u64, u64>,
}

/// One resident page of a process: what `memlane trace` lists as `mappings`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub vpn: u64,
    pub pfn: u32,
    /// `PWUAX` letters, `-` for clear bits (paging::pte::flags_text).
    pub flags: String,
}

impl PageTableMemory for MemoryState {
    fn entry(&self, table: u32, index: u16) -> u64 {
        sorted_get(&self.tables, table)
            .and_then(|t| t.entries.get(&u64::from(index)))
            .copied()
            .unwrap_or(0)
    }
}

impl MemoryView {
    pub fn process(&self, pid: u32) -> Option<&ProcessView> {
        self.processes.get(&pid)
    }

    /// The walk of `vaddr` in `pid`'s page tables: each level's table, index and entry,
    /// and the frame (or where it stopped).
    pub fn walk(&self, pid: u32, vaddr: u64) -> Option<Walk> {
        let p = self.processes.get(&pid)?;
        Some(paging::walk(&*self.state, p.root, vaddr))
    }

    /// The physical address of `vaddr` in the running process, None when its page is not
    /// resident (never touched, evicted, or unmapped).
    pub fn physical_address(&self, vaddr: u64) -> Option<u64> {
        let p = self.processes.get(&self.running?)?;
        let e = *p.pages.get(&(vaddr >> PAGE_SHIFT))?;
        pte::is_present(e)
            .then(|| ((pte::frame(e) as u64) << PAGE_SHIFT) | (vaddr & (paging::PAGE_SIZE - 1)))
    }

    /// The resident pages of `pid`, ascending.
    pub fn mappings(&self, pid: u32) -> Vec<Mapping> {
        let Some(p) = self.processes.get(&pid) else {
            return Vec::new();
        };
        p.pages
            .iter()
            .filter(|(_, e)| pte::is_present(**e))
            .map(|(&vpn, &e)| Mapping {
                vpn,
                pfn: pte::frame(e),
                flags: pte::flags_text(e),
            })
            .collect()
    }

    /// The region of `pid` holding `vaddr`.
    pub fn region_at(&self, pid: u32, vaddr: u64) -> Option<&Region> {
        self.processes
            .get(&pid)?
            .regions
            .range(..=vaddr)
            .next_back()
            .map(|(_, r)| r)
            .filter(|r| r.contains(vaddr))
    }

    /// TLB hits and misses counted in `events` (a step's events, say).
    pub fn tlb_counts_of(events: &[Event]) -> (u64, u64) {
        events.iter().fold((0, 0), |(h, m), e| match e {
            Event::TlbCount { hits, misses } => (h + hits, m + misses),
            _ => (h, m),
        })
    }

    /// Whether two views share one copy of the memory state (see `MemoryView`).
    pub fn shares_state_with(&self, other: &MemoryView) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }

    /// An estimate of the heap bytes of the memory state (map entries plus a pointer each).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let s = &*self.state;
        let processes: usize = s
            .processes
            .values()
            .map(|p| {
                size_of::<(u32, ProcessView)>()
                    + p.name.capacity()
                    + p.regions.len() * (size_of::<(u64, Region)>() + 8)
                    + p.pages.len() * 24
            })
            .sum();
        let tables: usize = s
            .tables
            .iter()
            .map(|(_, t)| size_of::<(u32, TableView)>() + t.entries.len() * 24)
            .sum();
        size_of::<MemoryState>()
            + s.frames.capacity() * size_of::<FrameUse>()
            + processes
            + tables
            + s.tlb.len() * 24
            + s.swap.len() * 24
    }

    pub fn free_frames(&self) -> usize {
        self.frames.iter().filter(|f| **f == FrameUse::Free).count()
    }

    /// Applies a memory event; other events are ignored.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::TlbCount { hits, misses } => {
                self.counters.tlb_hits += hits;
                self.counters.tlb_misses += misses;
            }
            Event::PageFault { swap_in, .. } => {
                self.counters.page_faults += 1;
                self.counters.swap_ins += swap_in.is_some() as u64;
                Arc::make_mut(&mut self.state).apply(event);
            }
            Event::Evict { .. } => {
                self.counters.evictions += 1;
                Arc::make_mut(&mut self.state).apply(event);
            }
            Event::MemoryStart { .. } => {
                self.counters = Counters::default();
                Arc::make_mut(&mut self.state).apply(event);
            }
            Event::ProcessStart { .. }
            | Event::Mmap { .. }
            | Event::Munmap { .. }
            | Event::TlbMiss { .. } => Arc::make_mut(&mut self.state).apply(event),
            _ => {}
        }
    }
}

impl MemoryState {
    fn write(&mut self, w: &PteWrite) {
        let Some(t) = sorted_get_mut(&mut self.tables, w.table) else {
            return;
        };
        if w.entry == 0 {
            t.entries.remove(&u64::from(w.index));
        } else {
            t.entries.insert(u64::from(w.index), w.entry);
        }
        if t.level != 1 {
            return;
        }
        let (pid, vpn) = (t.pid, (t.base >> PAGE_SHIFT) + w.index as u64);
        if let Some(p) = self.processes.get_mut(&pid) {
            if w.entry == 0 {
                p.pages.remove(&vpn);
            } else {
                p.pages.insert(vpn, w.entry);
            }
        }
        // A changed translation is flushed from the TLB (invlpg).
        if Some(pid) == self.running {
            self.tlb.remove(&vpn);
        }
    }

    fn set_frame(&mut self, frame: u32, what: FrameUse) {
        if let Some(f) = self.frames.get_mut(frame as usize) {
            *f = what;
        }
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::MemoryStart {
                frames,
                tlb_entries,
                replacement,
            } => {
                *self = MemoryState {
                    frames: frames.to_vec(),
                    tlb_entries: *tlb_entries,
                    replacement: *replacement,
                    ..MemoryState::default()
                };
            }
            Event::ProcessStart { pid, name, root } => {
                self.set_frame(
                    *root,
                    FrameUse::PageTable {
                        pid: *pid,
                        level: 4,
                    },
                );
                sorted_insert(
                    &mut self.tables,
                    *root,
                    TableView {
                        pid: *pid,
                        level: 4,
                        base: 0,
                        entries: BTreeMap::new(),
                    },
                );
                self.processes.insert(
                    *pid,
                    ProcessView {
                        pid: *pid,
                        name: name.clone(),
                        root: *root,
                        ..ProcessView::default()
                    },
                );
                self.running.get_or_insert(*pid);
            }
            Event::Mmap { pid, region } => {
                if let Some(p) = self.processes.get_mut(pid) {
                    p.regions.insert(region.start, region.clone());
                }
            }
            Event::Munmap {
                pid,
                start,
                writes,
                frames,
                swap_slots,
                ..
            } => {
                for w in writes {
                    self.write(w);
                }
                for &f in frames {
                    sorted_remove(&mut self.tables, f);
                    self.set_frame(f, FrameUse::Free);
                }
                for s in swap_slots {
                    sorted_remove(&mut self.swap, *s);
                }
                // (brk shrinking `[heap]` unmaps a tail, which starts no region.)
                if let Some(p) = self.processes.get_mut(pid) {
                    p.regions.remove(start);
                }
            }
            Event::TlbMiss {
                address,
                frame,
                writes,
                replaced,
                ..
            } => {
                for w in writes {
                    self.write(w);
                }
                if let Some(v) = replaced {
                    self.tlb.remove(v);
                }
                if let Some(f) = frame {
                    self.tlb.insert(address >> PAGE_SHIFT, u64::from(*f));
                }
            }
            Event::PageFault {
                pid,
                address,
                frame,
                tables,
                writes,
                swap_in,
                ..
            } => {
                for t in tables {
                    self.set_frame(
                        t.frame,
                        FrameUse::PageTable {
                            pid: *pid,
                            level: t.level,
                        },
                    );
                    sorted_insert(
                        &mut self.tables,
                        t.frame,
                        TableView {
                            pid: *pid,
                            level: t.level,
                            base: t.base,
                            entries: BTreeMap::new(),
                        },
                    );
                }
                for w in writes {
                    self.write(w);
                }
                if let Some(f) = frame {
                    self.set_frame(
                        *f,
                        FrameUse::Page {
                            pid: *pid,
                            vpn: address >> PAGE_SHIFT,
                        },
                    );
                }
                if let Some(s) = swap_in {
                    sorted_remove(&mut self.swap, *s);
                }
            }
            Event::Evict {
                pid,
                vpn,
                frame,
                slot,
                writes,
            } => {
                for w in writes {
                    self.write(w);
                }
                self.set_frame(*frame, FrameUse::Free);
                sorted_insert(&mut self.swap, *slot, (*pid, *vpn));
            }
            _ => {}
        }
    }
}

/// The value at `key` of a vector of pairs sorted by key.
fn sorted_get<V>(pairs: &[(u32, V)], key: u32) -> Option<&V> {
    let i = pairs.binary_search_by_key(&key, |(k, _)| *k).ok()?;
    Some(&pairs[i].1)
}

fn sorted_get_mut<V>(pairs: &mut [(u32, V)], key: u32) -> Option<&mut V> {
    let i = pairs.binary_search_by_key(&key, |(k, _)| *k).ok()?;
    Some(&mut pairs[i].1)
}

/// Sets `key` to `value`, replacing what it held, keeping the pairs sorted.
fn sorted_insert<V>(pairs: &mut Vec<(u32, V)>, key: u32, value: V) {
    match pairs.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) => pairs[i].1 = value,
        Err(i) => pairs.insert(i, (key, value)),
    }
}

fn sorted_remove<V>(pairs: &mut Vec<(u32, V)>, key: u32) {
    if let Ok(i) = pairs.binary_search_by_key(&key, |(k, _)| *k) {
        pairs.remove(i);
    }
}
