//! The translation lookaside buffer: a small cache of page → frame translations of the
//! running process, fully associative, least recently used entry replaced first.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiplicative hash for page numbers: keys are small integers, so SipHash's
/// protection against chosen keys only costs time.
#[derive(Default, Clone, Copy)]
pub struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub type PageMap<V> = HashMap<u64, V, BuildHasherDefault<PageHasher>>;

#[derive(Clone, Copy, Debug)]
struct Entry {
    vpn: u64,
    frame: u32,
    /// When the entry was last used, for LRU replacement.
    used: u64,
}

/// Slots of the quick index below (a power of two).
const QUICK: usize = 64;
const EMPTY: u64 = u64::MAX;

/// Folds higher bits in, so pages 1 MiB or 2 MiB apart (arenas, pools) do not collide.
#[inline]
fn quick_slot(vpn: u64) -> usize {
    ((vpn ^ (vpn >> 6) ^ (vpn >> 12)) as usize) & (QUICK - 1)
}

#[derive(Clone, Debug)]
pub struct Tlb {
    capacity: usize,
    /// The entries, in no order; a replaced entry's slot is reused.
    slots: Vec<Entry>,
    /// Page → slot.
    index: PageMap<usize>,
    /// Page → slot for recently used pages, direct-mapped by the page's low bits: most
    /// lookups are answered here without hashing. (A speed-up of the simulation, not part
    /// of the modelled TLB.)
    quick: [(u64, usize); QUICK],
}

impl Tlb {
    pub fn new(capacity: usize) -> Tlb {
        Tlb {
            capacity: capacity.max(1),
            slots: Vec::new(),
            index: PageMap::default(),
            quick: [(EMPTY, 0); QUICK],
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The frame of page `vpn` if cached; a hit makes the entry the most recently used.
    #[inline]
    pub fn lookup(&mut self, vpn: u64, now: u64) -> Option<u32> {
        let q = self.quick[quick_slot(vpn)];
        let slot = if q.0 == vpn {
            q.1
        } else {
            self.lookup_index(vpn)?
        };
        let e = &mut self.slots[slot];
        e.used = now;
        Some(e.frame)
    }

    #[inline(never)]
    fn lookup_index(&mut self, vpn: u64) -> Option<usize> {
        let slot = *self.index.get(&vpn)?;
        self.quick[quick_slot(vpn)] = (vpn, slot);
        Some(slot)
    }

    /// Caches a translation after a walk; returns the page whose entry it replaced.
    pub fn insert(&mut self, vpn: u64, frame: u32, now: u64) -> Option<u64> {
        let entry = Entry {
            vpn,
            frame,
            used: now,
        };
        if let Some(&slot) = self.index.get(&vpn) {
            self.slots[slot] = entry;
            return None;
        }
        let (slot, replaced) = if self.slots.len() < self.capacity {
            self.slots.push(entry);
            (self.slots.len() - 1, None)
        } else if let Some(free) = self.slots.iter().position(|e| e.vpn == EMPTY) {
            self.slots[free] = entry;
            (free, None)
        } else {
            let (slot, victim) = self
                .slots
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| (e.used, e.vpn))
                .map(|(i, e)| (i, e.vpn))
                .expect("a full TLB has entries");
            self.forget(victim);
            self.slots[slot] = entry;
            (slot, Some(victim))
        };
        self.index.insert(vpn, slot);
        self.quick[quick_slot(vpn)] = (vpn, slot);
        replaced
    }

    fn forget(&mut self, vpn: u64) -> Option<usize> {
        let slot = self.index.remove(&vpn)?;
        let q = &mut self.quick[quick_slot(vpn)];
        if q.0 == vpn {
            *q = (EMPTY, 0);
        }
        Some(slot)
    }

    /// `invlpg`: the page's translation changed.
    pub fn invalidate(&mut self, vpn: u64) {
        if let Some(slot) = self.forget(vpn) {
            self.slots[slot].vpn = EMPTY;
        }
    }

    /// Cached pages, in ascending order.
    pub fn pages(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = self
            .index
            .iter()
            .map(|(p, &s)| (*p, self.slots[s].frame))
            .collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_is_replaced() {
        let mut t = Tlb::new(2);
        assert_eq!(t.insert(10, 1, 1), None);
        assert_eq!(t.insert(11, 2, 2), None);
        assert_eq!(t.lookup(10, 3), Some(1));
        assert_eq!(t.insert(12, 3, 4), Some(11));
        assert_eq!(t.lookup(11, 5), None);
        assert_eq!(t.pages(), vec![(10, 1), (12, 3)]);
    }

    #[test]
    fn an_invalidated_page_misses_and_frees_its_slot() {
        let mut t = Tlb::new(2);
        t.insert(7, 70, 1);
        t.insert(8, 80, 2);
        assert_eq!(t.lookup(7, 3), Some(70));
        t.invalidate(7);
        assert_eq!(t.lookup(7, 4), None);
        assert_eq!(t.insert(9, 90, 5), None, "the freed slot is used first");
        assert_eq!(t.pages(), vec![(8, 80), (9, 90)]);
    }

    #[test]
    fn pages_sharing_a_quick_slot_both_hit() {
        let mut t = Tlb::new(4);
        let a = 3;
        let b = (a + 1..).find(|&v| quick_slot(v) == quick_slot(a)).unwrap();
        t.insert(a, 1, 1);
        t.insert(b, 2, 2);
        for now in 3..10 {
            assert_eq!(t.lookup(a, now), Some(1));
            assert_eq!(t.lookup(b, now), Some(2));
        }
        // Recency is kept through the quick index: `a` was used last here.
        assert_eq!(t.lookup(a, 20), Some(1));
        t.insert(5, 5, 21);
        t.insert(6, 6, 22);
        assert_eq!(t.insert(7, 7, 23), Some(b));
    }
}
