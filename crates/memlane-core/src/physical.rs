//! Physical RAM as numbered 4 KiB frames: who holds each one, the contents of the frames
//! that hold page tables, the free list, and the swap area evicted pages go to.

use crate::paging::{PageTableMemory, ENTRIES};
use serde::{Deserialize, Serialize};

/// What a physical frame holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "use")]
pub enum FrameUse {
    #[default]
    Free,
    /// The kernel's own memory (its code, data, page cache): never given to a process.
    Kernel,
    /// Memory of a process outside the model, shown occupied: no simulated process can
    /// reach it (isolation).
    OtherProcess { pid: u32 },
    /// A page of a simulated process's virtual memory.
    Page { pid: u32, vpn: u64 },
    /// One of a simulated process's page tables (level 4 = PML4 ... 1 = PT).
    PageTable { pid: u32, level: u8 },
}

/// A frame holding a page table: its 512 entries and where it hangs in the tree.
#[derive(Clone, Debug)]
pub struct TableFrame {
    pub entries: Box<[u64; ENTRIES]>,
    pub pid: u32,
    pub level: u8,
    /// The first virtual address the table covers.
    pub base: u64,
    /// The entry of the parent table pointing here (None for a PML4).
    pub parent: Option<(u32, u16)>,
    /// Entries in use (present or holding a swap slot): at 0 the table can be freed.
    pub live: u16,
}

#[derive(Clone, Debug)]
pub struct PhysicalMemory {
    frames: Vec<FrameUse>,
    tables: Vec<Option<TableFrame>>,
    /// Free frames; the next one handed out is the last. Freed frames are pushed, so the
    /// most recently freed frame is reused first (as Linux's per-CPU free lists do).
    free: Vec<u32>,
    /// For a frame holding a page: the page-table entry that maps it (table frame, index).
    pte_of: Vec<(u32, u16)>,
    /// For a frame holding a page: when it was last touched (LRU replacement).
    pub last_used: Vec<u64>,
    /// The clock hand of second-chance replacement.
    pub hand: u32,
    swap: Swap,
}

/// Swap slots, 4 KiB each; the lowest free slot is used first. Found by a scan of `used`
/// rather than kept in a `BTreeSet<u32>`: slots number in the thousands at most, and the
/// set had a B-tree instantiation of its own in the wasm bundle (see `MemoryState::tlb`).
#[derive(Clone, Debug, Default)]
struct Swap {
    used: Vec<bool>,
    in_use: usize,
}

impl PhysicalMemory {
    /// `occupied` lists frames that are not free at boot.
    pub fn new(frames: u32, occupied: &[(u32, FrameUse)]) -> PhysicalMemory {
        let n = frames as usize;
        let mut uses = vec![FrameUse::Free; n];
        for &(f, u) in occupied {
            uses[f as usize] = u;
        }
        let free = (0..frames)
            .rev()
            .filter(|&f| uses[f as usize] == FrameUse::Free)
            .collect();
        PhysicalMemory {
            frames: uses,
            tables: vec![None; n],
            free,
            pte_of: vec![(0, 0); n],
            last_used: vec![0; n],
            hand: 0,
            swap: Swap::default(),
        }
    }

    pub fn len(&self) -> u32 {
        self.frames.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn frames(&self) -> &[FrameUse] {
        &self.frames
    }

    pub fn use_of(&self, frame: u32) -> FrameUse {
        self.frames[frame as usize]
    }

    pub fn free_count(&self) -> usize {
        self.free.len()
    }

    /// Takes a free frame, if there is one.
    pub fn take_free(&mut self, what: FrameUse) -> Option<u32> {
        let f = self.free.pop()?;
        self.frames[f as usize] = what;
        Some(f)
    }

    /// Gives a frame to `what` (a frame just emptied by eviction).
    pub fn assign(&mut self, frame: u32, what: FrameUse) {
        self.frames[frame as usize] = what;
    }

    /// Returns a frame to the free list.
    pub fn release(&mut self, frame: u32) {
        self.frames[frame as usize] = FrameUse::Free;
        self.tables[frame as usize] = None;
        self.free.push(frame);
    }

    /// Marks a frame free without listing it: the caller reuses it at once.
    pub fn vacate(&mut self, frame: u32) {
        self.frames[frame as usize] = FrameUse::Free;
    }

    pub fn init_table(&mut self, frame: u32, table: TableFrame) {
        self.tables[frame as usize] = Some(table);
    }

    pub fn table(&self, frame: u32) -> Option<&TableFrame> {
        self.tables.get(frame as usize).and_then(Option::as_ref)
    }

    /// Writes an entry, keeping the table's count of live entries.
    pub fn set_entry(&mut self, table: u32, index: u16, entry: u64) {
        let t = self.tables[table as usize]
            .as_mut()
            .expect("a write goes to a page table");
        let old = t.entries[index as usize];
        match (old != 0, entry != 0) {
            (false, true) => t.live += 1,
            (true, false) => t.live -= 1,
            _ => {}
        }
        t.entries[index as usize] = entry;
    }

    pub fn set_pte_of(&mut self, frame: u32, table: u32, index: u16) {
        self.pte_of[frame as usize] = (table, index);
    }

    pub fn pte_of(&self, frame: u32) -> (u32, u16) {
        self.pte_of[frame as usize]
    }

    pub fn swap_out(&mut self) -> u32 {
        self.swap.in_use += 1;
        match self.swap.used.iter().position(|&u| !u) {
            Some(s) => {
                self.swap.used[s] = true;
                s as u32
            }
            None => {
                self.swap.used.push(true);
                self.swap.used.len() as u32 - 1
            }
        }
    }

    pub fn swap_free(&mut self, slot: u32) {
        if self.swap.used.get(slot as usize) == Some(&true) {
            self.swap.used[slot as usize] = false;
            self.swap.in_use -= 1;
        }
    }

    pub fn swap_used(&self) -> usize {
        self.swap.in_use
    }
}

impl PageTableMemory for PhysicalMemory {
    fn entry(&self, table: u32, index: u16) -> u64 {
        self.table(table).map_or(0, |t| t.entries[index as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_frames_are_handed_out_lowest_first_and_reused_last_freed_first() {
        let mut ram = PhysicalMemory::new(
            8,
            &[
                (0, FrameUse::Kernel),
                (2, FrameUse::OtherProcess { pid: 1 }),
            ],
        );
        let page = |vpn| FrameUse::Page { pid: 9, vpn };
        assert_eq!(ram.take_free(page(1)), Some(1));
        assert_eq!(ram.take_free(page(2)), Some(3));
        ram.release(1);
        assert_eq!(ram.take_free(page(3)), Some(1));
        assert_eq!(ram.free_count(), 4);
        assert_eq!(ram.use_of(2), FrameUse::OtherProcess { pid: 1 });
    }

    #[test]
    fn swap_slots_are_reused_lowest_first() {
        let mut ram = PhysicalMemory::new(4, &[]);
        assert_eq!((ram.swap_out(), ram.swap_out(), ram.swap_out()), (0, 1, 2));
        ram.swap_free(1);
        ram.swap_free(0);
        assert_eq!(ram.swap_out(), 0);
        assert_eq!(ram.swap_used(), 2);
    }
}
