//! Where object memory comes from: a model of pymalloc (1 MiB arenas from mmap, 16 KiB
//! pools, 16-byte size classes up to 512 bytes, LIFO reuse of freed blocks), glibc malloc
//! for larger requests, and the thread's data stack that holds interpreter frames.
//! The layout follows CPython 3.11's obmalloc.c on 64-bit Linux.

use std::collections::{BTreeMap, HashMap};

use crate::hash::FxBuild;

pub const ARENA_SIZE: u64 = 1 << 20;
pub const POOL_SIZE: u64 = 16 << 10;
/// `sizeof(struct pool_header)` rounded up to the alignment.
pub const POOL_OVERHEAD: u64 = 48;
pub const ALIGNMENT: u64 = 16;
/// Requests above this go to malloc.
pub const SMALL_REQUEST_THRESHOLD: u64 = 512;
pub const PAGE_SIZE: u64 = 4096;
pub const SIZE_CLASSES: usize = (SMALL_REQUEST_THRESHOLD / ALIGNMENT) as usize;
/// Size of a chunk of the thread's data stack (`_PY_DATA_STACK_CHUNK_SIZE`).
pub const DATA_STACK_CHUNK: u64 = 16 << 10;

/// Fixed points of the simulated process layout (ASLR off, as under `setarch -R`).
pub const HEAP_START: u64 = 0x5555_5555_9000 + 0x2_0000; // just after python3's .bss
pub const MMAP_BASE: u64 = 0x7fff_f7c0_0000; // below the shared libraries
pub const STATIC_BASE: u64 = 0x5555_5590_0000; // python3's data segment: static objects

pub fn size_class(size: u64) -> usize {
    ((size.max(1) - 1) / ALIGNMENT) as usize
}

pub fn block_size(class: usize) -> u64 {
    (class as u64 + 1) * ALIGNMENT
}

use crate::vmem::{Access, Machine, MemoryConfig};
pub use crate::vmem::{Region, RegionKind};

/// The process's address space as the allocator sees it: mmap and munmap with top-down
/// placement into the highest gap below the mmap base (as Linux does), brk for `[heap]`,
/// and the accesses that feed the TLB and demand paging. The regions, page tables and
/// RAM behind it are the machine's (vmem.rs).
#[derive(Clone, Debug, Default)]
pub struct AddressSpace {
    pub machine: Machine,
}

impl AddressSpace {
    pub fn new(config: MemoryConfig) -> AddressSpace {
        AddressSpace {
            machine: Machine::new(config),
        }
    }

    /// The traced process's regions by start address.
    pub fn regions(&self) -> &BTreeMap<u64, Region> {
        &self.machine.traced().regions
    }

    pub fn mmap(&mut self, len: u64, what: RegionKind) -> u64 {
        let len = len.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        // Walk mapped regions from the top, looking for the first gap below the mmap base.
        let mut ceiling = self.machine.layout().mmap_base;
        for r in self.regions().values().rev() {
            if r.start + r.len <= ceiling && ceiling - (r.start + r.len) >= len {
                break;
            }
            ceiling = ceiling.min(r.start);
        }
        let start = ceiling - len;
        self.machine.map(Region { start, len, what });
        start
    }

    pub fn munmap(&mut self, start: u64) -> Option<Region> {
        self.machine.unmap(start)
    }

    pub fn heap_start(&self) -> u64 {
        self.machine.layout().heap_start
    }

    /// The highest the program break can go: the next mapping above `[heap]`.
    fn brk_limit(&self) -> u64 {
        let start = self.heap_start();
        self.regions()
            .range(start + 1..)
            .next()
            .map_or(u64::MAX, |(s, _)| *s)
    }

    /// Moves the program break: `[heap]` becomes `[heap_start, end)`.
    fn brk(&mut self, end: u64) {
        let start = self.heap_start();
        self.machine.map(Region {
            start,
            len: end - start,
            what: RegionKind::Heap,
        });
    }

    #[inline]
    pub fn touch(&mut self, addr: u64, access: Access) {
        self.machine.touch(addr, access);
    }

    pub fn touch_range(&mut self, start: u64, len: u64, access: Access) {
        self.machine.touch_range(start, len, access);
    }
}

#[derive(Clone, Debug)]
struct Pool {
    arena: usize,
    class: usize,
    /// Freed blocks, most recent last (LIFO, like the pool's freeblock list).
    free: Vec<u64>,
    next_offset: u64,
    used: u32,
}

impl Pool {
    fn capacity(&self) -> u32 {
        ((POOL_SIZE - POOL_OVERHEAD) / block_size(self.class)) as u32
    }
    fn is_full(&self) -> bool {
        self.used == self.capacity()
    }
}

#[derive(Clone, Debug)]
struct Arena {
    address: u64,
    /// Next never-used pool.
    pool_address: u64,
    /// Pools that were used and emptied again, most recent last.
    free_pools: Vec<u64>,
    nfreepools: u32,
    ntotalpools: u32,
}

/// What the allocator did, for the address-space view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllocatorEvent {
    ArenaMapped { address: u64 },
    ArenaUnmapped { address: u64 },
}

#[derive(Clone, Debug)]
pub struct Allocator {
    pub space: AddressSpace,
    arenas: Vec<Option<Arena>>,
    /// Arenas with free pools, fewest free pools first (pymalloc's `usable_arenas`).
    usable: Vec<usize>,
    /// By address. Never iterated in order, so a hash map: a `BTreeMap<u64, Pool>` of its
    /// own cost about 2 KB more of the gzipped wasm bundle.
    pools: HashMap<u64, Pool, FxBuild>,
    /// Partly used pools per size class, the one allocations come from first.
    used_pools: Vec<Vec<u64>>,
    malloc: Malloc,
    data_stack: DataStack,
    pub events: Vec<AllocatorEvent>,
    /// Bytes of the pool blocks handed out and not yet freed (`Malloc` counts its own).
    in_use: u64,
}

impl Default for Allocator {
    fn default() -> Allocator {
        Allocator::new()
    }
}

impl Allocator {
    pub fn new() -> Allocator {
        Allocator::with_memory(MemoryConfig::default())
    }

    pub fn with_memory(config: MemoryConfig) -> Allocator {
        Allocator {
            space: AddressSpace::new(config),
            arenas: Vec::new(),
            usable: Vec::new(),
            pools: HashMap::default(),
            used_pools: vec![Vec::new(); SIZE_CLASSES],
            malloc: Malloc::default(),
            data_stack: DataStack::default(),
            events: Vec::new(),
            in_use: 0,
        }
    }

    /// `PyObject_Malloc(size)`: a pool block up to 512 bytes, else malloc. The caller
    /// initialises the block, so each of its pages is written.
    pub fn malloc(&mut self, size: u64) -> u64 {
        let block = self.malloc_block(size);
        self.space.touch_range(block, size.max(1), Access::Write);
        block
    }

    fn malloc_block(&mut self, size: u64) -> u64 {
        if size == 0 || size > SMALL_REQUEST_THRESHOLD {
            return self.malloc.alloc(size.max(1), &mut self.space);
        }
        let class = size_class(size);
        self.in_use += block_size(class);
        if let Some(&pool_addr) = self.used_pools[class].first() {
            let pool = self.pools.get_mut(&pool_addr).expect("used pool exists");
            let block = match pool.free.pop() {
                Some(b) => b,
                None => {
                    let b = pool_addr + pool.next_offset;
                    pool.next_offset += block_size(class);
                    b
                }
            };
            pool.used += 1;
            if pool.is_full() {
                self.used_pools[class].remove(0);
            }
            return block;
        }
        let pool_addr = self.new_pool();
        // init_pool writes the pool header.
        self.space.touch(pool_addr, Access::Write);
        let arena = self.arena_of(pool_addr);
        // A pool that last held this size class keeps its free list (obmalloc's
        // "luckily, this pool last contained blocks of the same size class").
        let block = match self.pools.get_mut(&pool_addr) {
            Some(pool) if pool.class == class && !pool.free.is_empty() => {
                pool.used = 1;
                pool.free.pop().expect("checked")
            }
            _ => {
                let pool = Pool {
                    arena,
                    class,
                    free: Vec::new(),
                    next_offset: POOL_OVERHEAD + block_size(class),
                    used: 1,
                };
                self.pools.insert(pool_addr, pool);
                pool_addr + POOL_OVERHEAD
            }
        };
        if !self.pools[&pool_addr].is_full() {
            self.used_pools[class].insert(0, pool_addr);
        }
        block
    }

    /// `PyObject_Free(addr)`. pymalloc writes the free-list link into the block (glibc
    /// its tcache link), so the block's first page is written; then an emptied arena may
    /// be unmapped.
    pub fn free(&mut self, addr: u64) {
        let pool_addr = addr & !(POOL_SIZE - 1);
        let Some(pool) = self.pools.get_mut(&pool_addr).filter(|p| p.used > 0) else {
            self.malloc.free(addr, &mut self.space);
            return;
        };
        self.in_use = self.in_use.saturating_sub(block_size(pool.class));
        self.space.touch(addr, Access::Write);
        let was_full = pool.is_full();
        pool.free.push(addr);
        pool.used -= 1;
        let class = pool.class;
        if pool.used == 0 {
            let arena = pool.arena;
            self.used_pools[class].retain(|&p| p != pool_addr);
            self.release_pool(arena, pool_addr);
        } else if was_full {
            self.used_pools[class].insert(0, pool_addr);
        }
    }

    /// Bytes of the blocks allocated and not freed (a pool block's size class, a malloc
    /// chunk, a large allocation's mapping): what a cap on a program's memory compares.
    pub fn bytes_in_use(&self) -> u64 {
        self.in_use + self.malloc.in_use
    }

    /// The block size an allocation of `size` bytes really occupies.
    pub fn usable_size(size: u64) -> u64 {
        if size <= SMALL_REQUEST_THRESHOLD {
            block_size(size_class(size))
        } else {
            Malloc::chunk_size(size)
        }
    }

    /// A frame is pushed on the data stack: its memory is written.
    pub fn push_frame(&mut self, size: u64) -> u64 {
        let at = self.data_stack.push(size, &mut self.space);
        self.space.touch_range(at, size, Access::Write);
        at
    }

    /// A read or write of `addr` by the interpreter (a refcount, an object's contents).
    #[inline]
    pub fn touch(&mut self, addr: u64, access: Access) {
        self.space.touch(addr, access);
    }

    pub fn touch_range(&mut self, start: u64, len: u64, access: Access) {
        self.space.touch_range(start, len, access);
    }

    #[inline]
    pub fn machine(&self) -> &Machine {
        &self.space.machine
    }

    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.space.machine
    }

    pub fn pop_frame(&mut self) {
        self.data_stack.pop(&mut self.space)
    }

    /// Live arenas' addresses, in the order they were mapped.
    pub fn arenas(&self) -> impl Iterator<Item = u64> + '_ {
        self.arenas.iter().flatten().map(|a| a.address)
    }

    fn arena_of(&self, pool_addr: u64) -> usize {
        self.arenas
            .iter()
            .position(|a| {
                a.as_ref()
                    .is_some_and(|a| pool_addr >= a.address && pool_addr < a.address + ARENA_SIZE)
            })
            .expect("pool inside an arena")
    }

    fn new_pool(&mut self) -> u64 {
        if self.usable.is_empty() {
            let address = self.space.mmap(ARENA_SIZE, RegionKind::Arena);
            self.events.push(AllocatorEvent::ArenaMapped { address });
            // Pools are 16 KiB aligned; a misaligned mapping loses one pool.
            let excess = address & (POOL_SIZE - 1);
            let mut arena = Arena {
                address,
                pool_address: address,
                free_pools: Vec::new(),
                nfreepools: (ARENA_SIZE / POOL_SIZE) as u32,
                ntotalpools: (ARENA_SIZE / POOL_SIZE) as u32,
            };
            if excess != 0 {
                arena.nfreepools -= 1;
                arena.ntotalpools -= 1;
                arena.pool_address += POOL_SIZE - excess;
            }
            let slot = match self.arenas.iter().position(Option::is_none) {
                Some(i) => {
                    self.arenas[i] = Some(arena);
                    i
                }
                None => {
                    self.arenas.push(Some(arena));
                    self.arenas.len() - 1
                }
            };
            self.usable.insert(0, slot);
        }
        let index = self.usable[0];
        let arena = self.arenas[index].as_mut().expect("usable arena");
        let pool = match arena.free_pools.pop() {
            Some(p) => p,
            None => {
                let p = arena.pool_address;
                arena.pool_address += POOL_SIZE;
                p
            }
        };
        arena.nfreepools -= 1;
        if arena.nfreepools == 0 {
            self.usable.remove(0);
        }
        pool
    }

    fn release_pool(&mut self, index: usize, pool_addr: u64) {
        let arena = self.arenas[index].as_mut().expect("arena of a live pool");
        arena.free_pools.push(pool_addr);
        arena.nfreepools += 1;
        let (nf, total, address) = (arena.nfreepools, arena.ntotalpools, arena.address);
        self.usable.retain(|&i| i != index);
        // An empty arena goes back to the OS unless it is the only one with free pools.
        if nf == total && !self.usable.is_empty() {
            self.arenas[index] = None;
            self.pools
                .retain(|&p, _| p < address || p >= address + ARENA_SIZE);
            self.space.munmap(address);
            self.events.push(AllocatorEvent::ArenaUnmapped { address });
            return;
        }
        let at = self
            .usable
            .partition_point(|&i| self.arenas[i].as_ref().map_or(0, |a| a.nfreepools) <= nf);
        self.usable.insert(at, index);
    }
}

/// glibc malloc in brief: 16-byte-aligned chunks with a 16-byte header carved from
/// `[heap]`, freed chunks reused last-in first-out per size (tcache/fastbin behaviour),
/// and mmap for requests of 128 KiB or more.
#[derive(Clone, Debug, Default)]
struct Malloc {
    top: u64,
    /// Freed chunks by chunk size. Never iterated in order: a hash map, like `pools`.
    free: HashMap<u64, Vec<u64>, FxBuild>,
    sizes: BTreeMap<u64, u64>,
    mapped: BTreeMap<u64, u64>,
    /// The program break: the end of `[heap]`.
    brk: u64,
    /// Bytes of the chunks and mappings handed out and not yet freed.
    in_use: u64,
}

const MMAP_THRESHOLD: u64 = 128 << 10;
/// glibc asks brk for this much more than it needs (`M_TOP_PAD`).
const TOP_PAD: u64 = 128 << 10;
/// glibc's smallest chunk (`MINSIZE`).
const MIN_CHUNK: u64 = 32;

impl Malloc {
    fn chunk_size(size: u64) -> u64 {
        (size + 8).div_ceil(16).max(2) * 16
    }

    fn alloc(&mut self, size: u64, space: &mut AddressSpace) -> u64 {
        if size >= MMAP_THRESHOLD {
            return self.alloc_mapped(size, space);
        }
        if self.top == 0 {
            self.top = space.heap_start();
            self.brk = self.top;
        }
        let chunk = Malloc::chunk_size(size);
        let addr = match self.free.get_mut(&chunk).and_then(Vec::pop) {
            Some(a) => a,
            None => {
                let need = self.top + chunk;
                // The top chunk keeps at least MINSIZE: a block's last bytes may overlap
                // the next chunk's header, so they must stay below the break.
                if need + MIN_CHUNK > self.brk {
                    let limit = space.brk_limit();
                    if need + MIN_CHUNK > limit {
                        // brk ran into the next mapping: glibc falls back to mmap.
                        return self.alloc_mapped(size, space);
                    }
                    self.brk = (need + TOP_PAD).div_ceil(PAGE_SIZE) * PAGE_SIZE;
                    self.brk = self.brk.min(limit);
                    space.brk(self.brk);
                }
                let a = self.top + 16;
                self.top = need;
                a
            }
        };
        self.sizes.insert(addr, chunk);
        self.in_use += chunk;
        addr
    }

    fn alloc_mapped(&mut self, size: u64, space: &mut AddressSpace) -> u64 {
        let start = space.mmap(size + 16, RegionKind::LargeMalloc);
        self.in_use += (size + 16).div_ceil(PAGE_SIZE) * PAGE_SIZE;
        self.mapped.insert(start + 16, start);
        start + 16
    }

    fn free(&mut self, addr: u64, space: &mut AddressSpace) {
        if let Some(start) = self.mapped.remove(&addr) {
            let len = space.munmap(start).map_or(0, |r| r.len);
            self.in_use = self.in_use.saturating_sub(len);
        } else if let Some(chunk) = self.sizes.remove(&addr) {
            space.touch(addr, Access::Write);
            self.free.entry(chunk).or_default().push(addr);
            self.in_use = self.in_use.saturating_sub(chunk);
        }
    }
}

/// The thread's data stack: chunks of memory in which CPython 3.11+ places interpreter
/// frames, pushed and popped like a stack.
#[derive(Clone, Debug, Default)]
struct DataStack {
    chunks: Vec<Chunk>,
}

#[derive(Clone, Debug)]
struct Chunk {
    start: u64,
    len: u64,
    /// (address, size) of each frame in the chunk, innermost last.
    frames: Vec<(u64, u64)>,
}

impl Chunk {
    /// The chunk header (previous pointer, size, top) comes first.
    fn top(&self) -> u64 {
        self.frames.last().map_or(self.start + 16, |(a, s)| a + s)
    }
}

impl DataStack {
    fn push(&mut self, size: u64, space: &mut AddressSpace) -> u64 {
        if self
            .chunks
            .last()
            .is_none_or(|c| c.top() + size > c.start + c.len)
        {
            let len = DATA_STACK_CHUNK.max((size + 16).div_ceil(PAGE_SIZE) * PAGE_SIZE);
            let start = space.mmap(len, RegionKind::DataStack);
            self.chunks.push(Chunk {
                start,
                len,
                frames: Vec::new(),
            });
        }
        let chunk = self.chunks.last_mut().expect("a chunk");
        let at = chunk.top();
        chunk.frames.push((at, size));
        at
    }

    fn pop(&mut self, space: &mut AddressSpace) {
        let count = self.chunks.len();
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        chunk.frames.pop();
        // A chunk emptied by the pop is returned, except the thread's first.
        if chunk.frames.is_empty() && count > 1 {
            let start = chunk.start;
            self.chunks.pop();
            space.munmap(start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_blocks_are_reused_last_in_first_out() {
        let mut a = Allocator::new();
        let x = a.malloc(64);
        let y = a.malloc(64);
        assert_eq!(y, x + 64);
        a.free(x);
        a.free(y);
        assert_eq!(a.malloc(60), y);
        assert_eq!(a.malloc(50), x);
    }

    #[test]
    fn size_classes_use_separate_pools() {
        let mut a = Allocator::new();
        let small = a.malloc(16);
        let big = a.malloc(500);
        assert_ne!(small & !(POOL_SIZE - 1), big & !(POOL_SIZE - 1));
        assert_eq!(small % POOL_SIZE, POOL_OVERHEAD);
    }

    #[test]
    fn an_emptied_second_arena_is_unmapped() {
        let mut a = Allocator::new();
        // Fill more than one arena with 512-byte blocks.
        let per_pool = (POOL_SIZE - POOL_OVERHEAD) / 512;
        let n = per_pool * 64 + 1;
        let blocks: Vec<u64> = (0..n).map(|_| a.malloc(512)).collect();
        assert_eq!(a.arenas().count(), 2);
        for b in blocks.iter().rev() {
            a.free(*b);
        }
        assert_eq!(a.arenas().count(), 1, "one empty arena is kept in reserve");
        assert!(a
            .events
            .iter()
            .any(|e| matches!(e, AllocatorEvent::ArenaUnmapped { .. })));
    }

    #[test]
    fn an_unmapped_arena_leaves_no_page_behind() {
        let mut a = Allocator::new();
        let per_pool = (POOL_SIZE - POOL_OVERHEAD) / 512;
        let blocks: Vec<u64> = (0..per_pool * 64 + 1).map(|_| a.malloc(512)).collect();
        let before: Vec<u64> = a.arenas().collect();
        let resident = a.machine().resident_pages(crate::vmem::TRACED_PID);
        for arena in &before {
            assert!(resident
                .iter()
                .any(|p| p.0 << 12 >= *arena && p.0 << 12 < arena + ARENA_SIZE));
        }
        for b in blocks.iter().rev() {
            a.free(*b);
        }
        let gone = *before
            .iter()
            .find(|x| a.arenas().all(|y| y != **x))
            .expect("an arena was unmapped");
        let in_arena = |v: u64| (gone >> 12..(gone + ARENA_SIZE) >> 12).contains(&v);
        let m = a.machine();
        assert!(!m
            .resident_pages(crate::vmem::TRACED_PID)
            .iter()
            .any(|p| in_arena(p.0)));
        assert!(!m.tlb().pages().iter().any(|p| in_arena(p.0)));
        assert!(a.space.regions().get(&gone).is_none());
        assert!(a
            .events
            .contains(&AllocatorEvent::ArenaUnmapped { address: gone }));
    }

    #[test]
    fn brk_grows_the_heap_with_glibcs_top_pad() {
        let mut a = Allocator::new();
        assert!(
            a.space.regions().get(&HEAP_START).is_none(),
            "no [heap] before malloc"
        );
        let x = a.malloc(1000);
        let heap = a.space.regions()[&HEAP_START].clone();
        assert_eq!(heap.what, RegionKind::Heap);
        // glibc's first heap: 132 KiB.
        assert_eq!(heap.len, 0x2_1000);
        assert!(heap.contains(x));
    }

    #[test]
    fn when_brk_meets_the_next_mapping_malloc_falls_back_to_mmap() {
        let mut a = Allocator::new();
        let limit = a.space.brk_limit();
        assert_eq!(limit, STATIC_BASE);
        let mut last = 0;
        // 4 KiB chunks until the heap cannot grow.
        while last < limit && last + 8192 < MMAP_BASE {
            last = a.malloc(4000);
            assert!(
                last + 4000 <= limit || last > MMAP_BASE - (1 << 40),
                "{last:#x}"
            );
        }
        let region = a.space.machine.traced().region_at(last).unwrap().clone();
        assert_eq!(region.what, RegionKind::LargeMalloc);
        let heap = &a.space.regions()[&HEAP_START];
        assert!(heap.end() <= STATIC_BASE);
    }

    #[test]
    fn large_requests_come_from_malloc() {
        let mut a = Allocator::new();
        let x = a.malloc(1000);
        assert!((HEAP_START..HEAP_START + (1 << 20)).contains(&x));
        a.free(x);
        assert_eq!(a.malloc(1000), x);
    }

    #[test]
    fn data_stack_frames_are_stacked() {
        let mut a = Allocator::new();
        let f1 = a.push_frame(100);
        let f2 = a.push_frame(200);
        assert_eq!(f2, f1 + 100);
        a.pop_frame();
        assert_eq!(a.push_frame(50), f2);
    }
}
