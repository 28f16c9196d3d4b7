//! Virtual memory: the python3 process's address space (its regions, as in
//! /proc/PID/maps), x86-64 page tables kept in physical frames, a TLB, demand paging, and
//! physical RAM shared with other processes, with eviction to swap when it is full.
//!
//! The allocator (alloc.rs) maps and unmaps regions here and reports every access
//! ("touch") it and the heap make; the model records each page fault, TLB miss, map,
//! unmap and eviction as an `Event`. docs/virtual-memory.md describes the model.

use crate::event::Event;
use crate::paging::{self, entry_span, pte, PageIndices, PageTableMemory, PteWrite, Walk};
use crate::physical::{FrameUse, PhysicalMemory, TableFrame};
use crate::tlb::Tlb;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::paging::{PAGE_SHIFT, PAGE_SIZE};

/// The traced python3 process.
pub const TRACED_PID: u32 = 1000;
/// The optional second python3 (`MemoryConfig::twin`).
pub const TWIN_PID: u32 = 1001;
/// Owners of the frames other processes hold: init, a shell, a terminal.
const OTHER_PIDS: [u32; 3] = [1, 733, 812];

/// Where Linux puts a PIE executable with ASLR off (`ELF_ET_DYN_BASE`), and the top of the
/// main thread's stack (`TASK_SIZE` less a guard page).
pub const EXE_BASE: u64 = 0x5555_5555_4000;
pub const STACK_TOP: u64 = 0x7fff_ffff_f000;
/// The initial stack mapping (Linux maps 132 KiB and grows it on demand).
pub const STACK_LEN: u64 = 0x2_1000;
/// How far ASLR may move the stack down (`stack_maxrandom_size`: 16 GiB).
const STACK_MAX_RANDOM: u64 = 1 << 34;
/// Room reserved for the statically allocated objects; grown if start-up needs more.
pub const STATIC_REGION_LEN: u64 = 256 << 10;
/// Stand-ins for the shared libraries right above `MMAP_BASE` (sized like glibc 2.36's).
const LIBC_TEXT_LEN: u64 = 0x19_5000;
const LIBC_DATA_LEN: u64 = 0x6000;

/// How the model picks a page to evict when RAM is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replacement {
    /// Second chance: a hand sweeps the frames, clearing accessed bits, and evicts the
    /// first page whose bit is already clear.
    #[default]
    Clock,
    /// The page touched longest ago (exact: every touch is timed).
    Lru,
}

impl Replacement {
    pub fn parse(s: &str) -> Option<Replacement> {
        match s {
            "clock" => Some(Replacement::Clock),
            "lru" => Some(Replacement::Lru),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
    Execute,
}

/// The simulated machine's memory: RAM size, TLB size, replacement policy, the optional
/// second process, and the optional ASLR seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryConfig {
    /// Physical RAM in 4 KiB frames. A sixteenth goes to the kernel and an eighth to
    /// other processes; the rest is free at start.
    pub frames: u32,
    pub tlb_entries: u32,
    pub replacement: Replacement,
    /// Starts a second python3 that maps the same virtual pages to frames of its own.
    pub twin: bool,
    /// None: ASLR off (`setarch -R`), the same addresses every run. Some(seed): the
    /// executable, heap, mmap area and stack move, reproducibly for a given seed.
    pub aslr_seed: Option<u64>,
}

/// 512 frames = 2 MiB, a 32 x 16 grid: 32 go to the kernel and 64 to other processes,
/// leaving 416. Start-up takes about 45 (page tables included), the conformance programs
/// at most 80, `[[i] for i in range(6000)]` about 320: they run without eviction.
pub const DEFAULT_FRAMES: u32 = 512;
/// Entries of a typical L1 data TLB.
pub const DEFAULT_TLB_ENTRIES: u32 = 64;

impl Default for MemoryConfig {
    fn default() -> MemoryConfig {
        MemoryConfig {
            frames: DEFAULT_FRAMES,
            tlb_entries: DEFAULT_TLB_ENTRIES,
            replacement: Replacement::Clock,
            twin: false,
            aslr_seed: None,
        }
    }
}

impl MemoryConfig {
    pub const MIN_FRAMES: u32 = 64;
    pub const MAX_FRAMES: u32 = 1 << 20;

    pub fn validate(&self) -> Result<(), String> {
        if !(Self::MIN_FRAMES..=Self::MAX_FRAMES).contains(&self.frames) {
            return Err(format!(
                "RAM must be {} to {} frames, not {}",
                Self::MIN_FRAMES,
                Self::MAX_FRAMES,
                self.frames
            ));
        }
        if self.tlb_entries == 0 || self.tlb_entries > 4096 {
            return Err(format!(
                "the TLB must have 1 to 4096 entries, not {}",
                self.tlb_entries
            ));
        }
        Ok(())
    }

    /// The nearest valid configuration (the machine runs with this; the CLI rejects an
    /// invalid one instead).
    pub fn clamped(&self) -> MemoryConfig {
        MemoryConfig {
            frames: self.frames.clamp(Self::MIN_FRAMES, Self::MAX_FRAMES),
            tlb_entries: self.tlb_entries.clamp(1, 4096),
            ..*self
        }
    }

    pub fn kernel_frames(&self) -> u32 {
        self.frames / 16
    }

    pub fn other_frames(&self) -> u32 {
        self.frames / 8
    }
}

/// A mapped region of a process's address space (a line of /proc/PID/maps).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub start: u64,
    pub len: u64,
    pub what: RegionKind,
}

impl Region {
    pub fn end(&self) -> u64 {
        self.start + self.len
    }

    pub fn contains(&self, addr: u64) -> bool {
        (self.start..self.end()).contains(&addr)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    /// python3's ELF headers (r--), code (r-x), read-only data (r--), data and bss (rw-).
    ExecutableHeader,
    ExecutableText,
    ExecutableRodata,
    ExecutableData,
    /// Where the model places statically allocated objects (None, small ints, types).
    StaticObjects,
    /// glibc malloc's main arena, grown by brk.
    Heap,
    /// A pymalloc arena (1 MiB).
    Arena,
    /// A chunk of the thread's data stack, holding interpreter frames.
    DataStack,
    /// A malloc block of 128 KiB or more, mmapped on its own.
    LargeMalloc,
    LibraryText,
    LibraryData,
    /// The main thread's C stack.
    Stack,
}

impl RegionKind {
    pub fn perms(self) -> &'static str {
        match self {
            RegionKind::ExecutableText | RegionKind::LibraryText => "r-x",
            RegionKind::ExecutableHeader | RegionKind::ExecutableRodata => "r--",
            _ => "rw-",
        }
    }

    pub fn writable(self) -> bool {
        self.perms().as_bytes()[1] == b'w'
    }

    pub fn executable(self) -> bool {
        self.perms().as_bytes()[2] == b'x'
    }

    /// The name /proc/PID/maps would show (or what the anonymous mapping is for).
    pub fn name(self) -> &'static str {
        match self {
            RegionKind::ExecutableHeader
            | RegionKind::ExecutableText
            | RegionKind::ExecutableRodata
            | RegionKind::ExecutableData => "python3",
            RegionKind::StaticObjects => "python3 static objects",
            RegionKind::Heap => "[heap]",
            RegionKind::Arena => "pymalloc arena",
            RegionKind::DataStack => "data stack",
            RegionKind::LargeMalloc => "malloc (mmap)",
            RegionKind::LibraryText | RegionKind::LibraryData => "libc.so.6",
            RegionKind::Stack => "[stack]",
        }
    }
}

/// Where the loader and the kernel put things.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub exe_base: u64,
    /// The start of `[heap]`: the end of python3's bss (plus brk randomisation).
    pub heap_start: u64,
    pub static_base: u64,
    /// mmap places regions top-down below this (the shared libraries sit above).
    pub mmap_base: u64,
    pub stack_top: u64,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::fixed()
    }
}

impl Layout {
    /// Linux's layout with ASLR off.
    pub fn fixed() -> Layout {
        Layout {
            exe_base: EXE_BASE,
            heap_start: crate::alloc::HEAP_START,
            static_base: crate::alloc::STATIC_BASE,
            mmap_base: crate::alloc::MMAP_BASE,
            stack_top: STACK_TOP,
        }
    }

    /// Linux's randomisation on x86-64: 28 bits of pages for the executable and the mmap
    /// base, up to 32 MiB for the start of brk, up to 16 GiB for the stack (the mmap base
    /// then sits below the stack's whole range).
    pub fn randomized(seed: u64) -> Layout {
        let mut rng = SplitMix64(seed);
        let fixed = Layout::fixed();
        let exe_shift = (rng.next() % (1 << 28)) << PAGE_SHIFT;
        let brk_shift = (rng.next() % (1 << 13)) << PAGE_SHIFT;
        let mmap_shift = (rng.next() % (1 << 28)) << PAGE_SHIFT;
        let stack_shift = (rng.next() % (STACK_MAX_RANDOM >> PAGE_SHIFT)) << PAGE_SHIFT;
        let static_base = fixed.static_base + exe_shift;
        let mut heap_start = fixed.heap_start + exe_shift + brk_shift;
        if (static_base..static_base + STATIC_REGION_LEN).contains(&heap_start) {
            heap_start = static_base + STATIC_REGION_LEN;
        }
        Layout {
            exe_base: fixed.exe_base + exe_shift,
            heap_start,
            static_base,
            // Linux keeps the stack's whole random range above the mmap base.
            mmap_base: fixed.mmap_base - STACK_MAX_RANDOM - mmap_shift,
            stack_top: fixed.stack_top - stack_shift,
        }
    }

    /// The regions of a freshly started python3 (before its heap and arenas).
    fn initial_regions(&self) -> Vec<Region> {
        let exe_end = crate::alloc::HEAP_START - EXE_BASE + self.exe_base;
        let text = self.exe_base + PAGE_SIZE;
        let rodata = text + 0x1_8000;
        let data = rodata + 0x8000;
        let r = |start: u64, end: u64, what| Region {
            start,
            len: end - start,
            what,
        };
        vec![
            r(self.exe_base, text, RegionKind::ExecutableHeader),
            r(text, rodata, RegionKind::ExecutableText),
            r(rodata, data, RegionKind::ExecutableRodata),
            r(data, exe_end, RegionKind::ExecutableData),
            r(
                self.static_base,
                self.static_base + STATIC_REGION_LEN,
                RegionKind::StaticObjects,
            ),
            r(
                self.mmap_base,
                self.mmap_base + LIBC_TEXT_LEN,
                RegionKind::LibraryText,
            ),
            r(
                self.mmap_base + LIBC_TEXT_LEN,
                self.mmap_base + LIBC_TEXT_LEN + LIBC_DATA_LEN,
                RegionKind::LibraryData,
            ),
            r(
                self.stack_top - STACK_LEN,
                self.stack_top,
                RegionKind::Stack,
            ),
        ]
    }
}

/// A small deterministic generator (SplitMix64) for the seeded layout and for scattering
/// other processes' frames.
#[derive(Clone, Copy, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A page table the fault handler allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTable {
    pub frame: u32,
    pub level: u8,
    /// The first virtual address it covers.
    pub base: u64,
}

#[derive(Clone, Debug)]
pub struct Process {
    pub pid: u32,
    pub name: String,
    /// The frame of its PML4 table: what CR3 holds while it runs.
    pub root: u32,
    pub regions: BTreeMap<u64, Region>,
}

impl Process {
    pub fn region_at(&self, addr: u64) -> Option<&Region> {
        self.regions
            .range(..=addr)
            .next_back()
            .map(|(_, r)| r)
            .filter(|r| r.contains(addr))
    }
}

/// Running totals of the machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryCounters {
    pub tlb_hits: u64,
    pub tlb_misses: u64,
    pub page_faults: u64,
    pub evictions: u64,
    pub swap_ins: u64,
}

/// The simulated machine: RAM, swap, the MMU's TLB, and the processes' page tables.
/// Process 0 is the traced python3; it is the one running, so the TLB is its.
#[derive(Clone, Debug)]
pub struct Machine {
    config: MemoryConfig,
    layout: Layout,
    ram: PhysicalMemory,
    tlb: Tlb,
    processes: Vec<Process>,
    /// Events not yet handed to the recorder.
    events: Vec<Event>,
    /// A clock counting touches: the TLB's and the LRU policy's notion of time.
    now: u64,
    counters: MemoryCounters,
    /// TLB hits and misses since the last `TlbCount` event.
    unreported: (u64, u64),
    /// Touches outside every region (a real process would get SIGSEGV): a model bug.
    stray: u64,
}

impl Default for Machine {
    fn default() -> Machine {
        Machine::new(MemoryConfig::default())
    }
}

impl Machine {
    /// Boots the machine and starts the traced python3: its executable, libraries and
    /// stack are mapped, and the first pages it runs and writes are faulted in.
    pub fn new(config: MemoryConfig) -> Machine {
        let config = config.clamped();
        let layout = match config.aslr_seed {
            Some(seed) => Layout::randomized(seed),
            None => Layout::fixed(),
        };
        let occupied = boot_occupancy(&config);
        let ram = PhysicalMemory::new(config.frames, &occupied);
        let mut m = Machine {
            config,
            layout,
            tlb: Tlb::new(config.tlb_entries as usize),
            events: vec![Event::MemoryStart {
                frames: ram.frames().into(),
                tlb_entries: config.tlb_entries,
                replacement: config.replacement,
            }],
            ram,
            processes: Vec::new(),
            now: 0,
            counters: MemoryCounters::default(),
            unreported: (0, 0),
            stray: 0,
        };
        m.start_process(TRACED_PID);
        for region in layout.initial_regions() {
            m.map(region);
        }
        // The loader ran the interpreter's first instructions, wrote its data, and the
        // kernel wrote argv and the environment at the top of the stack.
        m.touch(layout.exe_base + PAGE_SIZE, Access::Execute);
        m.touch(
            crate::alloc::HEAP_START - EXE_BASE + layout.exe_base - 8,
            Access::Write,
        );
        m.touch(layout.stack_top - 8, Access::Write);
        m
    }

    fn start_process(&mut self, pid: u32) -> Option<usize> {
        let root = self.take_frame(FrameUse::PageTable { pid, level: 4 })?;
        self.ram.init_table(
            root,
            TableFrame {
                entries: Box::new([0; paging::ENTRIES]),
                pid,
                level: 4,
                base: 0,
                parent: None,
                live: 0,
            },
        );
        self.processes.push(Process {
            pid,
            name: "python3".into(),
            root,
            regions: BTreeMap::new(),
        });
        self.events.push(Event::ProcessStart {
            pid,
            name: "python3".into(),
            root,
        });
        Some(self.processes.len() - 1)
    }

    pub fn config(&self) -> &MemoryConfig {
        &self.config
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn ram(&self) -> &PhysicalMemory {
        &self.ram
    }

    pub fn tlb(&self) -> &Tlb {
        &self.tlb
    }

    pub fn counters(&self) -> MemoryCounters {
        self.counters
    }

    pub fn processes(&self) -> &[Process] {
        &self.processes
    }

    pub fn traced(&self) -> &Process {
        &self.processes[0]
    }

    pub fn process(&self, pid: u32) -> Option<&Process> {
        self.processes.iter().find(|p| p.pid == pid)
    }

    /// Touches that fell outside every region (0 unless the model has a bug).
    pub fn stray_touches(&self) -> u64 {
        self.stray
    }

    #[inline]
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Hands over the events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// The TLB hits and misses since the last call, as one event (None if there were none).
    pub fn take_counts(&mut self) -> Option<Event> {
        let (hits, misses) = std::mem::take(&mut self.unreported);
        (hits > 0 || misses > 0).then_some(Event::TlbCount { hits, misses })
    }

    // ----- regions -----

    /// Maps a region into the traced process (or resizes the one starting at the same
    /// address, as brk does). Pages are only given frames when first touched.
    pub fn map(&mut self, region: Region) {
        let p = &mut self.processes[0];
        let shrunk = p
            .regions
            .get(&region.start)
            .filter(|old| old.len > region.len)
            .map(|old| (region.end(), old.end() - region.end()));
        if let Some((start, len)) = shrunk {
            self.unmap_pages(0, start, len);
        }
        self.processes[0]
            .regions
            .insert(region.start, region.clone());
        self.events.push(Event::Mmap {
            pid: TRACED_PID,
            region,
        });
    }

    /// Grows the traced process's region starting at `start` to end at least at `end`.
    pub fn extend_region(&mut self, start: u64, end: u64) {
        let Some(r) = self.processes[0].regions.get(&start) else {
            return;
        };
        if r.end() < end {
            let what = r.what;
            self.map(Region {
                start,
                len: (end - start).div_ceil(PAGE_SIZE) * PAGE_SIZE,
                what,
            });
        }
    }

    /// Unmaps the traced process's region starting at `start`: its pages' frames, its
    /// swap slots and the page tables it leaves empty are freed.
    pub fn unmap(&mut self, start: u64) -> Option<Region> {
        let region = self.processes[0].regions.remove(&start)?;
        self.unmap_pages(0, region.start, region.len);
        Some(region)
    }

    fn unmap_pages(&mut self, p: usize, start: u64, len: u64) {
        let pid = self.processes[p].pid;
        let root = self.processes[p].root;
        let mut writes = Vec::new();
        let mut frames = Vec::new();
        let mut swap_slots = Vec::new();
        let mut page_tables = Vec::new();
        let end = start + len;
        let mut va = start;
        'pages: while va < end {
            let idx = PageIndices::of(va);
            let mut table = root;
            for level in (2..=paging::TOP_LEVEL).rev() {
                let e = self.ram.entry(table, idx.at(level));
                if !pte::is_present(e) {
                    // Nothing mapped under this entry: skip the whole span it covers.
                    va = (va & !(entry_span(level) - 1)) + entry_span(level);
                    continue 'pages;
                }
                table = pte::frame(e);
            }
            let e = self.ram.entry(table, idx.pt);
            if pte::is_present(e) {
                let f = pte::frame(e);
                self.ram.release(f);
                frames.push(f);
                if p == 0 {
                    self.tlb.invalidate(va >> PAGE_SHIFT);
                }
            } else if pte::is_swapped(e) {
                let slot = pte::frame(e);
                self.ram.swap_free(slot);
                swap_slots.push(slot);
            }
            if e != 0 {
                self.ram.set_entry(table, idx.pt, 0);
                writes.push(PteWrite {
                    table,
                    index: idx.pt,
                    entry: 0,
                });
                if page_tables.last() != Some(&table) {
                    page_tables.push(table);
                }
            }
            va += PAGE_SIZE;
        }
        // Page tables left empty go too, bottom-up (Linux's free_pgtables).
        while let Some(t) = page_tables.pop() {
            let Some(table) = self.ram.table(t) else {
                continue;
            };
            if table.live > 0 || table.level == paging::TOP_LEVEL {
                continue;
            }
            let (parent, index) = table.parent.expect("a lower table has a parent");
            self.ram.set_entry(parent, index, 0);
            writes.push(PteWrite {
                table: parent,
                index,
                entry: 0,
            });
            self.ram.release(t);
            frames.push(t);
            if !page_tables.contains(&parent) {
                page_tables.insert(0, parent);
            }
        }
        self.events.push(Event::Munmap {
            pid,
            start,
            len,
            writes: writes.into(),
            frames: frames.into(),
            swap_slots: swap_slots.into(),
        });
    }

    // ----- accesses -----

    /// One access by the traced process: a TLB hit costs nothing more; a miss walks the
    /// page tables; a page that is not present faults and is given a frame.
    #[inline]
    pub fn touch(&mut self, vaddr: u64, access: Access) {
        self.now += 1;
        let vpn = vaddr >> PAGE_SHIFT;
        if let Some(frame) = self.tlb.lookup(vpn, self.now) {
            self.counters.tlb_hits += 1;
            self.unreported.0 += 1;
            self.ram.last_used[frame as usize] = self.now;
            return;
        }
        self.miss(vaddr, access);
    }

    /// Touches every page of `[start, start + len)`.
    pub fn touch_range(&mut self, start: u64, len: u64, access: Access) {
        let first = start >> PAGE_SHIFT;
        let last = (start + len.max(1) - 1) >> PAGE_SHIFT;
        for vpn in first..=last {
            let addr = if vpn == first {
                start
            } else {
                vpn << PAGE_SHIFT
            };
            self.touch(addr, access);
        }
    }

    #[cold]
    #[inline(never)]
    fn miss(&mut self, vaddr: u64, access: Access) {
        self.count_miss();
        let walk = paging::walk(&self.ram, self.processes[0].root, vaddr);
        if walk.frame().is_some() {
            self.fill_tlb(walk);
            return;
        }
        self.events.push(Event::TlbMiss {
            pid: TRACED_PID,
            address: vaddr,
            walk: walk.steps.into(),
            frame: None,
            writes: Box::default(),
            replaced: None,
        });
        if self.fault(0, vaddr, access).is_none() {
            return;
        }
        // The faulting access is restarted: it misses again and this walk succeeds.
        self.count_miss();
        let walk = paging::walk(&self.ram, self.processes[0].root, vaddr);
        self.fill_tlb(walk);
    }

    fn count_miss(&mut self) {
        self.counters.tlb_misses += 1;
        self.unreported.1 += 1;
    }

    /// A successful walk: the MMU sets the accessed bit and caches the translation.
    fn fill_tlb(&mut self, walk: Walk) {
        let frame = walk.frame().expect("a walk that reached a frame");
        let leaf = walk.steps[walk.steps.len() - 1];
        let mut writes = Vec::new();
        if leaf.entry & pte::ACCESSED == 0 {
            let entry = leaf.entry | pte::ACCESSED;
            self.ram.set_entry(leaf.table, leaf.index, entry);
            writes.push(PteWrite {
                table: leaf.table,
                index: leaf.index,
                entry,
            });
        }
        let replaced = self.tlb.insert(walk.address >> PAGE_SHIFT, frame, self.now);
        self.ram.last_used[frame as usize] = self.now;
        self.events.push(Event::TlbMiss {
            pid: TRACED_PID,
            address: walk.address,
            walk: walk.steps.into(),
            frame: Some(frame),
            writes: writes.into(),
            replaced,
        });
    }

    /// The kernel's page-fault handler for process `p`: allocates missing page tables and
    /// a frame, reads the page back from swap if it was evicted, and writes the entries.
    fn fault(&mut self, p: usize, vaddr: u64, access: Access) -> Option<u32> {
        let pid = self.processes[p].pid;
        let Some(region) = self.processes[p].region_at(vaddr).cloned() else {
            self.stray += 1;
            debug_assert!(
                false,
                "touch of {vaddr:#x}, outside every region of pid {pid}"
            );
            return None;
        };
        let idx = PageIndices::of(vaddr);
        let vpn = vaddr >> PAGE_SHIFT;
        let mut tables = Vec::new();
        let mut writes = Vec::new();
        let mut table = self.processes[p].root;
        let mut frame = None;
        let mut swap_in = None;
        'handle: {
            for level in (2..=paging::TOP_LEVEL).rev() {
                let index = idx.at(level);
                let e = self.ram.entry(table, index);
                if pte::is_present(e) {
                    table = pte::frame(e);
                    continue;
                }
                let level = level - 1;
                let Some(new) = self.take_frame(FrameUse::PageTable { pid, level }) else {
                    break 'handle;
                };
                let base = vaddr & !(entry_span(level + 1) - 1);
                self.ram.init_table(
                    new,
                    TableFrame {
                        entries: Box::new([0; paging::ENTRIES]),
                        pid,
                        level,
                        base,
                        parent: Some((table, index)),
                        live: 0,
                    },
                );
                let entry = pte::table(new);
                self.ram.set_entry(table, index, entry);
                writes.push(PteWrite {
                    table,
                    index,
                    entry,
                });
                tables.push(NewTable {
                    frame: new,
                    level,
                    base,
                });
                table = new;
            }
            let old = self.ram.entry(table, idx.pt);
            let Some(f) = self.take_frame(FrameUse::Page { pid, vpn }) else {
                break 'handle;
            };
            if pte::is_swapped(old) {
                let slot = pte::frame(old);
                self.ram.swap_free(slot);
                swap_in = Some(slot);
                self.counters.swap_ins += 1;
            }
            let entry = pte::page(f, region.what.writable(), region.what.executable());
            self.ram.set_entry(table, idx.pt, entry);
            self.ram.set_pte_of(f, table, idx.pt);
            self.ram.last_used[f as usize] = self.now;
            writes.push(PteWrite {
                table,
                index: idx.pt,
                entry,
            });
            frame = Some(f);
        }
        self.counters.page_faults += 1;
        self.events.push(Event::PageFault {
            pid,
            address: vaddr,
            access,
            frame,
            tables: tables.into(),
            writes: writes.into(),
            swap_in,
        });
        frame
    }

    /// A free frame, or one emptied by evicting a page.
    fn take_frame(&mut self, what: FrameUse) -> Option<u32> {
        if let Some(f) = self.ram.take_free(what) {
            return Some(f);
        }
        let f = self.evict()?;
        self.ram.assign(f, what);
        Some(f)
    }

    /// Writes a page to swap to free its frame. Only pages are evicted: page tables,
    /// the kernel's and other processes' frames stay.
    fn evict(&mut self) -> Option<u32> {
        let mut writes = Vec::new();
        let victim = match self.config.replacement {
            Replacement::Clock => self.clock_victim(&mut writes),
            Replacement::Lru => self.lru_victim(),
        }?;
        let FrameUse::Page { pid, vpn } = self.ram.use_of(victim) else {
            unreachable!("victims hold pages");
        };
        let (table, index) = self.ram.pte_of(victim);
        let slot = self.ram.swap_out();
        let entry = pte::swap(slot);
        self.ram.set_entry(table, index, entry);
        writes.push(PteWrite {
            table,
            index,
            entry,
        });
        if pid == TRACED_PID {
            self.tlb.invalidate(vpn);
        }
        self.ram.vacate(victim);
        self.counters.evictions += 1;
        self.events.push(Event::Evict {
            pid,
            vpn,
            frame: victim,
            slot,
            writes: writes.into(),
        });
        Some(victim)
    }

    /// Second chance: pages with the accessed bit set lose it (and their TLB entry, so the
    /// next access sets it again) and are passed over once.
    fn clock_victim(&mut self, writes: &mut Vec<PteWrite>) -> Option<u32> {
        let n = self.ram.len();
        for _ in 0..=2 * n {
            let f = self.ram.hand;
            self.ram.hand = (self.ram.hand + 1) % n;
            let FrameUse::Page { pid, vpn } = self.ram.use_of(f) else {
                continue;
            };
            let (table, index) = self.ram.pte_of(f);
            let e = self.ram.entry(table, index);
            if e & pte::ACCESSED == 0 {
                return Some(f);
            }
            let entry = e & !pte::ACCESSED;
            self.ram.set_entry(table, index, entry);
            writes.push(PteWrite {
                table,
                index,
                entry,
            });
            if pid == TRACED_PID {
                self.tlb.invalidate(vpn);
            }
        }
        None
    }

    fn lru_victim(&self) -> Option<u32> {
        (0..self.ram.len())
            .filter(|&f| matches!(self.ram.use_of(f), FrameUse::Page { .. }))
            .min_by_key(|&f| (self.ram.last_used[f as usize], f))
    }

    // ----- the second process -----

    /// Starts a second python3 at the same point: the same layout (so the same virtual
    /// addresses) and the same pages touched, each in a frame of its own. It then sleeps:
    /// it never runs, so it never uses the TLB.
    pub fn spawn_twin(&mut self) {
        if self.processes.len() > 1 {
            return;
        }
        let Some(p) = self.start_process(TWIN_PID) else {
            return;
        };
        let regions: Vec<Region> = self.processes[0].regions.values().cloned().collect();
        for region in regions {
            self.processes[p]
                .regions
                .insert(region.start, region.clone());
            self.events.push(Event::Mmap {
                pid: TWIN_PID,
                region,
            });
        }
        for (vpn, _) in self.resident_pages(TRACED_PID) {
            self.fault(p, vpn << PAGE_SHIFT, Access::Write);
        }
    }

    // ----- queries -----

    /// The walk of `vaddr` in process `pid`'s page tables, as the MMU would do it.
    pub fn translate(&self, pid: u32, vaddr: u64) -> Option<Walk> {
        let p = self.process(pid)?;
        Some(paging::walk(&self.ram, p.root, vaddr))
    }

    /// The physical address of `vaddr` in the traced process, if its page is resident.
    pub fn physical_address(&self, vaddr: u64) -> Option<u64> {
        self.translate(TRACED_PID, vaddr)?.physical_address()
    }

    /// Every page of `pid` with a frame, as (virtual page number, frame), ascending.
    pub fn resident_pages(&self, pid: u32) -> Vec<(u64, u32)> {
        self.leaf_entries(pid)
            .into_iter()
            .filter(|(_, e)| pte::is_present(*e))
            .map(|(v, e)| (v, pte::frame(e)))
            .collect()
    }

    /// Every page of `pid` in swap, as (virtual page number, slot), ascending.
    pub fn swapped_pages(&self, pid: u32) -> Vec<(u64, u32)> {
        self.leaf_entries(pid)
            .into_iter()
            .filter(|(_, e)| pte::is_swapped(*e))
            .map(|(v, e)| (v, pte::frame(e)))
            .collect()
    }

    /// Frames holding `pid`'s page tables.
    pub fn page_table_frames(&self, pid: u32) -> Vec<u32> {
        (0..self.ram.len())
            .filter(
                |&f| matches!(self.ram.use_of(f), FrameUse::PageTable { pid: p, .. } if p == pid),
            )
            .collect()
    }

    fn leaf_entries(&self, pid: u32) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        if let Some(p) = self.process(pid) {
            self.collect_leaves(p.root, &mut out);
        }
        out
    }

    fn collect_leaves(&self, table: u32, out: &mut Vec<(u64, u64)>) {
        let Some(t) = self.ram.table(table) else {
            return;
        };
        for (i, &e) in t.entries.iter().enumerate() {
            if e == 0 {
                continue;
            }
            if t.level == 1 {
                out.push(((t.base >> PAGE_SHIFT) + i as u64, e));
            } else if pte::is_present(e) {
                self.collect_leaves(pte::frame(e), out);
            }
        }
    }
}

/// Frames not free at boot: the kernel's at the bottom, other processes' scattered.
fn boot_occupancy(config: &MemoryConfig) -> Vec<(u32, FrameUse)> {
    let mut out: Vec<(u32, FrameUse)> = (0..config.kernel_frames())
        .map(|f| (f, FrameUse::Kernel))
        .collect();
    let first = config.kernel_frames();
    let span = config.frames - first;
    let mut taken = vec![false; span as usize];
    let mut rng = SplitMix64(config.aslr_seed.unwrap_or(0x006d_656d_6c61_6e65));
    let mut placed = 0;
    while placed < config.other_frames().min(span / 2) {
        let i = (rng.next() % span as u64) as usize;
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let pid = OTHER_PIDS[placed as usize % OTHER_PIDS.len()];
        out.push((first + i as u32, FrameUse::OtherProcess { pid }));
        placed += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory_view::MemoryView;
    use crate::paging::WalkEnd;

    /// A machine and every event it recorded, so the snapshot's view can be rebuilt.
    struct Run {
        m: Machine,
        events: Vec<Event>,
    }

    impl Run {
        fn new(config: MemoryConfig) -> Run {
            let mut m = Machine::new(config);
            let events = m.take_events();
            Run { m, events }
        }

        fn take(&mut self) -> Vec<Event> {
            let new = self.m.take_events();
            self.events.extend(new.iter().cloned());
            new
        }

        fn view(&self) -> MemoryView {
            let mut v = MemoryView::default();
            for e in &self.events {
                v.apply(e);
            }
            v
        }

        /// The view rebuilt from the events shows exactly the model's state.
        fn check_view(&mut self) {
            self.take();
            let v = self.view();
            assert_eq!(self.m.ram().frames(), &v.frames[..]);
            for p in self.m.processes() {
                let shown: Vec<(u64, u32)> =
                    v.mappings(p.pid).iter().map(|x| (x.vpn, x.pfn)).collect();
                assert_eq!(self.m.resident_pages(p.pid), shown, "pid {}", p.pid);
                let swapped: Vec<(u64, u32)> = v.processes[&p.pid]
                    .pages
                    .iter()
                    .filter(|(_, e)| pte::is_swapped(**e))
                    .map(|(vpn, e)| (*vpn, pte::frame(*e)))
                    .collect();
                assert_eq!(self.m.swapped_pages(p.pid), swapped);
                assert_eq!(p.regions, v.processes[&p.pid].regions);
            }
            let tlb: Vec<(u64, u32)> = v.tlb.iter().map(|(p, f)| (*p, *f as u32)).collect();
            assert_eq!(self.m.tlb().pages(), tlb);
            assert_eq!(self.m.ram().swap_used(), v.swap.len());
        }

        fn map(&mut self, start: u64, pages: u64) {
            self.m.map(Region {
                start,
                len: pages * PAGE_SIZE,
                what: RegionKind::LargeMalloc,
            });
        }
    }

    fn small(frames: u32, replacement: Replacement) -> MemoryConfig {
        MemoryConfig {
            frames,
            replacement,
            ..MemoryConfig::default()
        }
    }

    #[test]
    fn a_fresh_process_is_laid_out_like_linux_with_aslr_off() {
        let mut r = Run::new(MemoryConfig::default());
        let regions: Vec<(u64, &str, &str)> =
            r.m.traced()
                .regions
                .values()
                .map(|r| (r.start, r.what.name(), r.what.perms()))
                .collect();
        assert_eq!(regions[0], (0x5555_5555_4000, "python3", "r--"));
        assert_eq!(regions[1], (0x5555_5555_5000, "python3", "r-x"));
        assert_eq!(regions[3].2, "rw-");
        assert!(regions.contains(&(crate::alloc::STATIC_BASE, "python3 static objects", "rw-")));
        assert!(regions.contains(&(crate::alloc::MMAP_BASE, "libc.so.6", "r-x")));
        let stack = r.m.traced().regions.values().last().unwrap();
        assert_eq!(
            (stack.what, stack.end()),
            (RegionKind::Stack, 0x7fff_ffff_f000)
        );
        // The loader's first instructions, its data and the top of the stack are resident.
        let pages: Vec<u64> = r.m.resident_pages(TRACED_PID).iter().map(|p| p.0).collect();
        assert_eq!(pages, vec![0x5_5555_5555, 0x5_5555_5578, 0x7_ffff_fffe]);
        let text = r.m.translate(TRACED_PID, 0x5555_5555_5000).unwrap();
        assert_eq!(pte::flags_text(text.steps[3].entry), "P-UAX");
        // 32 kernel frames at the bottom, 64 of other processes scattered above.
        let ram = r.m.ram();
        assert!((0..32).all(|f| ram.use_of(f) == FrameUse::Kernel));
        let others = (0..ram.len())
            .filter(|&f| matches!(ram.use_of(f), FrameUse::OtherProcess { .. }))
            .count();
        assert_eq!(others, 64);
        r.check_view();
    }

    #[test]
    fn the_worked_example_faults_once_then_hits() {
        let mut r = Run::new(MemoryConfig::default());
        r.map(0x007f_3c40_0000, 256);
        r.take();
        let before = r.m.counters();
        r.m.touch(0x7f3c45a820, Access::Write);
        let events = r.take();
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                Event::TlbMiss { frame: None, .. } => "miss",
                Event::PageFault { .. } => "fault",
                Event::TlbMiss { frame: Some(_), .. } => "miss, walk succeeds",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["miss", "fault", "miss, walk succeeds"]);
        // PML4[0] was empty (nothing else lives below 512 GiB): the walk stops at once, and
        // the handler allocates a PDPT, a PD and a PT.
        let Event::TlbMiss { walk, .. } = &events[0] else {
            unreachable!()
        };
        assert_eq!((walk.len(), walk[0].index), (1, 0));
        let Event::PageFault { tables, .. } = &events[1] else {
            unreachable!()
        };
        assert_eq!(
            tables.iter().map(|t| t.level).collect::<Vec<_>>(),
            [3, 2, 1]
        );
        let w = r.m.translate(TRACED_PID, 0x7f3c45a820).unwrap();
        let indices: Vec<u16> = w.steps.iter().map(|s| s.index).collect();
        assert_eq!(indices, [0, 508, 482, 90]);
        let frame = w.frame().unwrap();
        assert_eq!(w.physical_address(), Some(frame as u64 * 4096 + 0x820));
        assert_eq!(r.m.physical_address(0x7f3c45a820), w.physical_address());
        // The same page again: a TLB hit, no event.
        r.m.touch(0x7f3c45a000, Access::Read);
        assert!(r.take().is_empty());
        let after = r.m.counters();
        assert_eq!(after.page_faults - before.page_faults, 1);
        assert_eq!(after.tlb_misses - before.tlb_misses, 2);
        assert_eq!(after.tlb_hits - before.tlb_hits, 1);
        assert_eq!(r.view().walk(TRACED_PID, 0x7f3c45a820), Some(w));
        r.check_view();
    }

    #[test]
    fn unmapping_frees_frames_page_tables_and_tlb_entries() {
        let mut r = Run::new(MemoryConfig::default());
        r.map(0x007f_3c40_0000, 256);
        for page in 0..4 {
            r.m.touch(0x007f_3c40_0000 + page * PAGE_SIZE, Access::Write);
        }
        let free = r.m.ram().free_count();
        r.take();
        assert!(r.m.unmap(0x007f_3c40_0000).is_some());
        let Some(Event::Munmap { frames, .. }) = r.take().pop() else {
            panic!("a Munmap event")
        };
        // 4 pages and the 3 tables only they used.
        assert_eq!(frames.len(), 7);
        assert_eq!(r.m.ram().free_count(), free + 7);
        assert_eq!(
            r.m.translate(TRACED_PID, 0x007f_3c40_0000).unwrap().end,
            WalkEnd::NotPresent { level: 4 }
        );
        assert!(r.m.tlb().pages().iter().all(|(v, _)| *v >> 8 != 0x7f3c4));
        r.check_view();
    }

    #[test]
    fn a_full_ram_evicts_to_swap_and_a_touch_reads_the_page_back() {
        for policy in [Replacement::Clock, Replacement::Lru] {
            let mut r = Run::new(small(64, policy));
            let base = 0x7f00_0000_0000;
            r.map(base, 100);
            for page in 0..100 {
                r.m.touch(base + page * PAGE_SIZE, Access::Write);
            }
            let c = r.m.counters();
            assert!(c.evictions > 40, "{policy:?}: {c:?}");
            let swapped = r.m.swapped_pages(TRACED_PID);
            let resident = r.m.resident_pages(TRACED_PID);
            assert_eq!(r.m.ram().free_count(), 0);
            // Every page of the region is somewhere: in RAM or in swap.
            let in_region = |v: &&(u64, u32)| (base >> 12..(base >> 12) + 100).contains(&v.0);
            assert_eq!(
                swapped.iter().filter(in_region).count()
                    + resident.iter().filter(in_region).count(),
                100
            );
            let (vpn, slot) = swapped[swapped.len() / 2];
            assert_eq!(
                r.m.translate(TRACED_PID, vpn << 12).unwrap().end,
                WalkEnd::Swapped { slot }
            );
            r.take();
            r.m.touch(vpn << 12, Access::Read);
            let fault = r
                .take()
                .into_iter()
                .find(|e| matches!(e, Event::PageFault { .. }));
            assert!(
                matches!(fault, Some(Event::PageFault { swap_in: Some(s), .. }) if s == slot),
                "{policy:?}"
            );
            assert!(r.m.physical_address(vpn << 12).is_some());
            r.check_view();
        }
    }

    #[test]
    fn lru_evicts_the_page_touched_longest_ago() {
        let mut r = Run::new(small(64, Replacement::Lru));
        let base = 0x7f00_0000_0000;
        r.map(base, 100);
        let mut page = 0;
        while r.m.ram().free_count() > 0 {
            r.m.touch(base + page * PAGE_SIZE, Access::Write);
            page += 1;
        }
        // Refresh the boot pages: now the region's first page is the oldest.
        for p in r.m.resident_pages(TRACED_PID) {
            if !(base >> 12..(base >> 12) + 100).contains(&p.0) {
                r.m.touch(p.0 << 12, Access::Read);
            }
        }
        r.take();
        r.m.touch(base + page * PAGE_SIZE, Access::Write);
        let evicted: Vec<u64> = r
            .take()
            .iter()
            .filter_map(|e| match e {
                Event::Evict { vpn, .. } => Some(*vpn),
                _ => None,
            })
            .collect();
        assert_eq!(evicted, [base >> 12]);
        r.check_view();
    }

    #[test]
    fn the_clock_gives_recently_used_pages_a_second_chance() {
        let mut r = Run::new(small(64, Replacement::Clock));
        let base = 0x7f00_0000_0000;
        r.map(base, 200);
        let mut page = 0;
        // Fill RAM, then evict once: the hand sweeps every page, clearing accessed bits.
        while r.m.counters().evictions == 0 {
            r.m.touch(base + page * PAGE_SIZE, Access::Write);
            page += 1;
        }
        let hot: Vec<u64> =
            r.m.resident_pages(TRACED_PID)
                .iter()
                .map(|p| p.0)
                .take(5)
                .collect();
        for &v in &hot {
            r.m.touch(v << 12, Access::Read);
            let w = r.m.translate(TRACED_PID, v << 12).unwrap();
            assert_ne!(
                w.steps[3].entry & pte::ACCESSED,
                0,
                "the walk set the bit again"
            );
        }
        r.take();
        for _ in 0..10 {
            r.m.touch(base + page * PAGE_SIZE, Access::Write);
            page += 1;
        }
        let evicted: Vec<u64> = r
            .take()
            .iter()
            .filter_map(|e| match e {
                Event::Evict { vpn, .. } => Some(*vpn),
                _ => None,
            })
            .collect();
        assert_eq!(evicted.len(), 10);
        assert!(
            evicted.iter().all(|v| !hot.contains(v)),
            "{evicted:x?} {hot:x?}"
        );
        r.check_view();
    }

    #[test]
    fn a_twin_maps_the_same_addresses_to_frames_of_its_own() {
        let mut r = Run::new(MemoryConfig {
            twin: true,
            ..MemoryConfig::default()
        });
        r.map(0x7f00_0000_0000, 8);
        for page in 0..8 {
            r.m.touch(0x7f00_0000_0000 + page * PAGE_SIZE, Access::Write);
        }
        r.m.spawn_twin();
        let a = r.m.resident_pages(TRACED_PID);
        let b = r.m.resident_pages(TWIN_PID);
        assert_eq!(
            a.iter().map(|p| p.0).collect::<Vec<_>>(),
            b.iter().map(|p| p.0).collect::<Vec<_>>()
        );
        for ((vpn, fa), (_, fb)) in a.iter().zip(&b) {
            assert_ne!(fa, fb);
            assert_eq!(
                r.m.ram().use_of(*fb),
                FrameUse::Page {
                    pid: TWIN_PID,
                    vpn: *vpn
                }
            );
        }
        let addr = 0x7f00_0000_0123;
        let pa = r.m.translate(TRACED_PID, addr).unwrap().physical_address();
        let pb = r.m.translate(TWIN_PID, addr).unwrap().physical_address();
        assert!(pa.is_some() && pb.is_some() && pa != pb);
        assert_ne!(r.m.process(TWIN_PID).unwrap().root, r.m.traced().root);
        r.check_view();
        let v = r.view();
        assert_eq!(v.walk(TWIN_PID, addr).unwrap().physical_address(), pb);
        // The snapshot's physical addresses are the traced process's.
        assert_eq!(v.physical_address(addr), pa);
    }

    #[test]
    fn aslr_moves_the_layout_reproducibly() {
        assert_eq!(Layout::randomized(7), Layout::randomized(7));
        assert_ne!(Layout::randomized(7), Layout::randomized(8));
        for seed in 0..50 {
            let l = Layout::randomized(seed);
            assert_ne!(l, Layout::fixed());
            for a in [
                l.exe_base,
                l.heap_start,
                l.static_base,
                l.mmap_base,
                l.stack_top,
            ] {
                assert_eq!(a % PAGE_SIZE, 0);
            }
            assert!(l.exe_base >= EXE_BASE && l.exe_base < EXE_BASE + (1 << 40));
            assert!(l.stack_top <= STACK_TOP && l.stack_top > STACK_TOP - (1 << 34) - 1);
            assert!(l.mmap_base + LIBC_TEXT_LEN + LIBC_DATA_LEN < l.stack_top - STACK_LEN);
            assert!(l.heap_start >= l.exe_base + 0x2_5000);
        }
        let m = Machine::new(MemoryConfig {
            aslr_seed: Some(7),
            ..MemoryConfig::default()
        });
        let first = m.traced().regions.values().next().unwrap();
        assert_eq!(first.start, Layout::randomized(7).exe_base);
        assert_eq!(
            Machine::new(MemoryConfig::default()).layout(),
            &Layout::fixed()
        );
    }

    #[test]
    fn configurations_are_checked() {
        assert!(MemoryConfig::default().validate().is_ok());
        assert!(small(16, Replacement::Clock).validate().is_err());
        let no_tlb = MemoryConfig {
            tlb_entries: 0,
            ..MemoryConfig::default()
        };
        assert!(no_tlb.validate().is_err());
        let m = Machine::new(MemoryConfig {
            frames: 3,
            tlb_entries: 0,
            ..MemoryConfig::default()
        });
        assert_eq!((m.config().frames, m.config().tlb_entries), (64, 1));
    }
}
