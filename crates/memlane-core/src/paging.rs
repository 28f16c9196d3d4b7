//! x86-64 4-level paging: how a 48-bit virtual address splits into table indices, what a
//! page-table entry holds, and the walk from CR3 to a physical frame. The model (vmem.rs)
//! and the snapshot (memory_view.rs) both walk with `walk`, so they cannot disagree.

use serde::{Deserialize, Serialize};

pub const PAGE_SHIFT: u32 = 12;
pub const PAGE_SIZE: u64 = 1 << PAGE_SHIFT;
/// Entries per table: 4 KiB of 8-byte entries.
pub const ENTRIES: usize = 512;
/// Bits of index per level.
pub const INDEX_BITS: u32 = 9;
/// Level numbers, as the Intel manual counts them: 4 is the PML4, 1 the page table.
pub const TOP_LEVEL: u8 = 4;

/// Page-table entry bits (Intel SDM vol. 3, 4.5).
pub mod pte {
    pub const PRESENT: u64 = 1 << 0;
    pub const WRITABLE: u64 = 1 << 1;
    pub const USER: u64 = 1 << 2;
    pub const ACCESSED: u64 = 1 << 5;
    /// One of the bits the CPU ignores (9..=11), here marking a non-present entry that
    /// holds a swap slot, as Linux keeps swap entries in non-present PTEs.
    pub const SWAPPED: u64 = 1 << 9;
    pub const NO_EXECUTE: u64 = 1 << 63;
    /// Bits 12..=51: the physical frame number (or the swap slot).
    pub const FRAME_MASK: u64 = 0x000f_ffff_ffff_f000;

    /// An entry pointing at the next level's table (Linux's `_PAGE_TABLE` less the dirty bit).
    pub fn table(frame: u32) -> u64 {
        ((frame as u64) << super::PAGE_SHIFT) | PRESENT | WRITABLE | USER | ACCESSED
    }

    /// A leaf entry mapping a page to `frame`; new pages are born accessed (Linux's `mk_pte`).
    pub fn page(frame: u32, writable: bool, executable: bool) -> u64 {
        let mut e = ((frame as u64) << super::PAGE_SHIFT) | PRESENT | USER | ACCESSED;
        if writable {
            e |= WRITABLE;
        }
        if !executable {
            e |= NO_EXECUTE;
        }
        e
    }

    pub fn swap(slot: u32) -> u64 {
        ((slot as u64) << super::PAGE_SHIFT) | SWAPPED
    }

    pub fn is_present(e: u64) -> bool {
        e & PRESENT != 0
    }

    pub fn is_swapped(e: u64) -> bool {
        e & PRESENT == 0 && e & SWAPPED != 0
    }

    pub fn frame(e: u64) -> u32 {
        ((e & FRAME_MASK) >> super::PAGE_SHIFT) as u32
    }

    /// `P`resent, `W`ritable, `U`ser, `A`ccessed, e`X`ecutable (NX clear), `-` where clear.
    pub fn flags_text(e: u64) -> String {
        let bit = |on: bool, c: char| if on { c } else { '-' };
        [
            bit(e & PRESENT != 0, 'P'),
            bit(e & WRITABLE != 0, 'W'),
            bit(e & USER != 0, 'U'),
            bit(e & ACCESSED != 0, 'A'),
            bit(e & PRESENT != 0 && e & NO_EXECUTE == 0, 'X'),
        ]
        .iter()
        .collect()
    }
}

/// The fields of a virtual address: four 9-bit table indices and a 12-bit page offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageIndices {
    pub pml4: u16,
    pub pdpt: u16,
    pub pd: u16,
    pub pt: u16,
    pub offset: u16,
}

impl PageIndices {
    pub fn of(vaddr: u64) -> PageIndices {
        let index = |level: u8| {
            ((vaddr >> (PAGE_SHIFT + INDEX_BITS * (level as u32 - 1))) & (ENTRIES as u64 - 1))
                as u16
        };
        PageIndices {
            pml4: index(4),
            pdpt: index(3),
            pd: index(2),
            pt: index(1),
            offset: (vaddr & (PAGE_SIZE - 1)) as u16,
        }
    }

    /// The index used at `level` (4 = PML4 ... 1 = PT).
    pub fn at(&self, level: u8) -> u16 {
        match level {
            4 => self.pml4,
            3 => self.pdpt,
            2 => self.pd,
            _ => self.pt,
        }
    }
}

/// Bits 48..=63 must copy bit 47; other addresses fault before any walk.
pub fn is_canonical(vaddr: u64) -> bool {
    let top = vaddr >> 47;
    top == 0 || top == 0x1_ffff
}

pub fn level_name(level: u8) -> &'static str {
    match level {
        4 => "PML4",
        3 => "PDPT",
        2 => "PD",
        _ => "PT",
    }
}

/// Bytes of virtual memory one entry at `level` covers (4 KiB at level 1, 512 GiB at 4).
pub fn entry_span(level: u8) -> u64 {
    PAGE_SIZE << (INDEX_BITS * (level as u32 - 1))
}

/// Page-table entries as JSON hex strings: they use bit 63, past what a JSON number
/// (a double) holds exactly.
pub mod hex_entry {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:#018x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = String::deserialize(d)?;
        let digits = text.trim_start_matches("0x");
        u64::from_str_radix(digits, 16).map_err(serde::de::Error::custom)
    }
}

/// One entry written into a page table (by the fault handler, munmap, eviction, or the
/// MMU setting the accessed bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PteWrite {
    /// The frame holding the table.
    pub table: u32,
    pub index: u16,
    #[serde(with = "hex_entry")]
    pub entry: u64,
}

/// One level of a walk: the table read, the index used, the entry found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkStep {
    pub level: u8,
    pub table: u32,
    pub index: u16,
    #[serde(with = "hex_entry")]
    pub entry: u64,
}

/// Where a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum WalkEnd {
    /// The page is in `frame`.
    Frame { frame: u32 },
    /// The entry at `level` is empty: an access faults.
    NotPresent { level: u8 },
    /// The page is in swap slot `slot`: an access faults and reads it back.
    Swapped { slot: u32 },
    /// Bits 48..=63 do not copy bit 47: a general-protection fault, no walk.
    NonCanonical,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    pub address: u64,
    pub indices: PageIndices,
    /// The CR3 frame (the PML4 table).
    pub root: u32,
    pub steps: Vec<WalkStep>,
    pub end: WalkEnd,
}

impl Walk {
    pub fn frame(&self) -> Option<u32> {
        match self.end {
            WalkEnd::Frame { frame } => Some(frame),
            _ => None,
        }
    }

    pub fn physical_address(&self) -> Option<u64> {
        self.frame()
            .map(|f| ((f as u64) << PAGE_SHIFT) | self.indices.offset as u64)
    }
}

/// Anything holding page tables in frames: the model's RAM, or a snapshot's copy of it.
pub trait PageTableMemory {
    /// The entry at `index` of the table in `table` (0 when there is no such table).
    fn entry(&self, table: u32, index: u16) -> u64;
}

/// The MMU's walk: CR3 → PML4 → PDPT → PD → PT → frame.
pub fn walk(mem: &impl PageTableMemory, root: u32, address: u64) -> Walk {
    let indices = PageIndices::of(address);
    let mut steps = Vec::with_capacity(TOP_LEVEL as usize);
    let mut out = Walk {
        address,
        indices,
        root,
        steps: Vec::new(),
        end: WalkEnd::NonCanonical,
    };
    if !is_canonical(address) {
        return out;
    }
    let mut table = root;
    for level in (1..=TOP_LEVEL).rev() {
        let index = indices.at(level);
        let entry = mem.entry(table, index);
        steps.push(WalkStep {
            level,
            table,
            index,
            entry,
        });
        if !pte::is_present(entry) {
            out.end = if level == 1 && pte::is_swapped(entry) {
                WalkEnd::Swapped {
                    slot: pte::frame(entry),
                }
            } else {
                WalkEnd::NotPresent { level }
            };
            out.steps = steps;
            return out;
        }
        table = pte::frame(entry);
    }
    out.steps = steps;
    out.end = WalkEnd::Frame { frame: table };
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_worked_example_splits_as_documented() {
        let i = PageIndices::of(0x7f3c45a820);
        assert_eq!(
            i,
            PageIndices {
                pml4: 0,
                pdpt: 508,
                pd: 482,
                pt: 90,
                offset: 0x820
            }
        );
        // The same arithmetic by hand: 0x7f3c45a820 >> 12 = 0x7f3c45a.
        assert_eq!(0x7f3c45a & 0x1ff, 90);
        assert_eq!((0x7f3c45a >> 9) & 0x1ff, 482);
        assert_eq!((0x7f3c45a >> 18) & 0x1ff, 508);
        assert_eq!(0x7f3c45a >> 27, 0);
    }

    #[test]
    fn the_split_reassembles_to_the_address() {
        for a in [
            0u64,
            0xfff,
            0x1000,
            0x5555_5555_4000,
            0x7fff_f7c0_0000,
            0x7fff_ffff_efff,
        ] {
            let i = PageIndices::of(a);
            let back = ((i.pml4 as u64) << 39)
                | ((i.pdpt as u64) << 30)
                | ((i.pd as u64) << 21)
                | ((i.pt as u64) << 12)
                | i.offset as u64;
            assert_eq!(back, a);
        }
        let top = PageIndices::of(0x7fff_ffff_ffff);
        assert_eq!(
            (top.pml4, top.pdpt, top.pd, top.pt, top.offset),
            (255, 511, 511, 511, 0xfff)
        );
    }

    #[test]
    fn canonical_addresses_copy_bit_47() {
        assert!(is_canonical(0x7fff_ffff_ffff));
        assert!(is_canonical(0xffff_8000_0000_0000));
        assert!(!is_canonical(0x8000_0000_0000));
        assert!(!is_canonical(0x0001_0000_0000_0000));
    }

    struct Tables(HashMap<(u32, u16), u64>);

    impl PageTableMemory for Tables {
        fn entry(&self, table: u32, index: u16) -> u64 {
            self.0.get(&(table, index)).copied().unwrap_or(0)
        }
    }

    #[test]
    fn a_walk_follows_each_level_to_the_frame() {
        // CR3 = frame 1; PML4[0] -> 2; PDPT[508] -> 3; PD[482] -> 4; PT[90] -> page in 77.
        let mut t = HashMap::new();
        t.insert((1, 0), pte::table(2));
        t.insert((2, 508), pte::table(3));
        t.insert((3, 482), pte::table(4));
        t.insert((4, 90), pte::page(77, true, false));
        let tables = Tables(t);
        let w = walk(&tables, 1, 0x7f3c45a820);
        let path: Vec<(u8, u32, u16)> = w
            .steps
            .iter()
            .map(|s| (s.level, s.table, s.index))
            .collect();
        assert_eq!(path, vec![(4, 1, 0), (3, 2, 508), (2, 3, 482), (1, 4, 90)]);
        assert_eq!(w.end, WalkEnd::Frame { frame: 77 });
        assert_eq!(w.physical_address(), Some(77 * 4096 + 0x820));
        assert_eq!(pte::flags_text(w.steps[3].entry), "PWUA-");
        // One page further the PT entry is empty: the walk stops at level 1.
        let w = walk(&tables, 1, 0x7f3c45b000);
        assert_eq!(w.end, WalkEnd::NotPresent { level: 1 });
        // Another PD entry: the walk stops at level 2.
        let w = walk(&tables, 1, 0x7f3c600000);
        assert_eq!(w.end, WalkEnd::NotPresent { level: 2 });
        assert_eq!(w.steps.len(), 3);
        assert_eq!(
            walk(&tables, 1, 0x8000_0000_0000).end,
            WalkEnd::NonCanonical
        );
    }

    #[test]
    fn a_swapped_entry_names_its_slot() {
        let mut t = HashMap::new();
        t.insert((1, 0), pte::table(2));
        t.insert((2, 0), pte::table(3));
        t.insert((3, 0), pte::table(4));
        t.insert((4, 5), pte::swap(42));
        let w = walk(&Tables(t), 1, 5 * 4096 + 8);
        assert_eq!(w.end, WalkEnd::Swapped { slot: 42 });
        assert_eq!(w.physical_address(), None);
    }

    #[test]
    fn entries_round_trip_through_json_as_hex() {
        let w = PteWrite {
            table: 3,
            index: 7,
            entry: pte::page(9, true, false),
        };
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(
            json,
            r#"{"table":3,"index":7,"entry":"0x8000000000009027"}"#
        );
        assert_eq!(serde_json::from_str::<PteWrite>(&json).unwrap(), w);
    }
}
