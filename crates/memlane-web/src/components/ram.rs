//! The RAM lane: physical memory as a grid of 4 KiB frames, from the core's memory model
//! (`Snapshot::memory`): what each frame holds (kernel, another process, a page of this
//! program, a page table, nothing) and which frames hold the objects and frames drawn.
//! Translation is the core's (`Snapshot::physical_address`). A trace recorded without the
//! memory model falls back to the virtual pages that hold what is drawn.

use std::rc::Rc;

use memlane_core::{FrameUse, ObjId, Snapshot, Walk, WalkEnd, TRACED_PID};
use yew::prelude::*;

use crate::hex;
use crate::layout::PAGE_SIZE;
use crate::state::MemoryMarks;

#[derive(Properties, PartialEq)]
pub struct RamProps {
    pub snapshot: Rc<Snapshot>,
    /// Every virtual page the run ever uses (the fallback grid), in address order.
    pub pages: Rc<Vec<u64>>,
    /// What the diagram draws.
    pub drawn: Rc<crate::layout::Drawn>,
    pub narrow: bool,
    pub selected: Option<ObjId>,
    /// Page faults and the translation walk at the shown position.
    #[prop_or_default]
    pub marks: Rc<MemoryMarks>,
}

const CELL: i32 = 11;
const CELL_GAP: i32 = 2;

/// What a frame's use is called, its CSS class, and the symbol drawn in wide cells.
fn frame_use_label(u: &FrameUse) -> (&'static str, &'static str) {
    match u {
        FrameUse::Free => ("free", "free"),
        FrameUse::Kernel => ("kernel", "kernel"),
        FrameUse::OtherProcess { .. } => ("another process", "other"),
        FrameUse::Page { pid, .. } if *pid == TRACED_PID => ("a page of this program", "page"),
        FrameUse::Page { .. } => ("a page of another simulated process", "other"),
        FrameUse::PageTable { .. } => ("a page table", "table"),
    }
}

#[derive(Properties, PartialEq)]
struct RamCellProps {
    pfn: usize,
    frame_use: FrameUse,
    columns: i32,
    /// What drawn objects and call frames it holds, if any.
    held: Option<String>,
    selected: bool,
    faulted: bool,
    walked: bool,
}

/// One physical frame of the grid. A component of its own so that, with equal props, Yew
/// skips it: a step redraws only the frames it changed, not the whole grid.
#[component]
fn RamCell(props: &RamCellProps) -> Html {
    let pfn = props.pfn;
    let u = &props.frame_use;
    let (name, class) = frame_use_label(u);
    let x = (pfn as i32 % props.columns) * (CELL + CELL_GAP);
    let y = (pfn as i32 / props.columns) * (CELL + CELL_GAP);
    let detail = match u {
        FrameUse::Page { vpn, .. } => format!(", virtual page {}", hex(vpn * PAGE_SIZE)),
        FrameUse::PageTable { level, .. } => format!(", level {level}"),
        _ => String::new(),
    };
    let title = match &props.held {
        Some(what) => format!("frame {pfn:#x}: {name}{detail}; holds {what}"),
        None => format!("frame {pfn:#x}: {name}{detail}"),
    };
    html! {
        <rect
            class={classes!(
                "ram-frame",
                class,
                props.held.is_some().then_some("holds-drawn"),
                props.selected.then_some("selected"),
                props.faulted.then_some("faulted"),
                props.walked.then_some("walked")
            )}
            data-pfn={pfn.to_string()}
            data-use={class}
            x={x.to_string()} y={y.to_string()}
            width={CELL.to_string()} height={CELL.to_string()} rx="2"
        >
            <title>{ title }</title>
        </rect>
    }
}

#[component]
pub fn Ram(props: &RamProps) -> Html {
    let snapshot = &props.snapshot;
    if snapshot.memory.frames.is_empty() {
        return html! {
            <VirtualPages
                snapshot={props.snapshot.clone()}
                pages={props.pages.clone()}
                drawn={props.drawn.clone()}
                narrow={props.narrow}
                selected={props.selected}
            />
        };
    }
    let frames = &snapshot.memory.frames;
    let columns: i32 = if props.narrow { 24 } else { 32 };
    // Which physical frames hold drawn objects and the call frames.
    // By frame number; plain vectors rather than BTreeMaps of their own (their code cost
    // about 2 KB of the gzipped wasm).
    let mut holding: Vec<Vec<String>> = vec![Vec::new(); frames.len()];
    let mut selected_frame = None;
    for id in props.drawn.all.iter() {
        let Some(o) = snapshot.object(*id) else {
            continue;
        };
        if let Some(phys) = snapshot.physical_address(o.address) {
            if let Some(held) = holding.get_mut((phys / PAGE_SIZE) as usize) {
                held.push(format!("{} #{}", o.type_name, o.id.0));
            }
            if props.selected == Some(*id) {
                selected_frame = Some(phys / PAGE_SIZE);
            }
        }
    }
    for f in &snapshot.frames {
        if let Some(phys) = snapshot.physical_address(f.address) {
            if let Some(held) = holding.get_mut((phys / PAGE_SIZE) as usize) {
                held.push(format!("frame of {}", f.function));
            }
        }
    }
    // Frames of each kind, in the labels' alphabetical order.
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let cells = frames.iter().enumerate().map(|(pfn, u)| {
        let label = frame_use_label(u).0;
        match counts.binary_search_by(|(l, _)| l.cmp(&label)) {
            Ok(i) => counts[i].1 += 1,
            Err(i) => counts.insert(i, (label, 1)),
        }
        let faulted = props.marks.faults.iter().any(|f| f.frame as usize == pfn);
        let walked = props.marks.walk.as_ref().is_some_and(|w| {
            w.frame() == Some(pfn as u32) || w.steps.iter().any(|s| s.table as usize == pfn)
        });
        html! {
            <RamCell
                {pfn}
                frame_use={*u}
                {columns}
                held={holding.get(pfn).filter(|what| !what.is_empty()).map(|what| what.join(", "))}
                selected={selected_frame == Some(pfn as u64)}
                {faulted}
                {walked}
            />
        }
    });
    let mut cells: Vec<Html> = cells.collect();
    for f in &props.marks.faults {
        let pfn = f.frame as i32;
        let x = (pfn % columns) * (CELL + CELL_GAP);
        let y = (pfn / columns) * (CELL + CELL_GAP);
        cells.push(html! {
            <rect class="fault-ring" data-fault-pfn={f.frame.to_string()} aria-hidden="true"
                  x={(x - 1).to_string()} y={(y - 1).to_string()}
                  width={(CELL + 2).to_string()} height={(CELL + 2).to_string()} rx="3" />
        });
    }
    let rows = (frames.len() as i32 + columns - 1) / columns;
    let width = columns * (CELL + CELL_GAP);
    // Room for the fault rings round the edge cells.
    let height = rows * (CELL + CELL_GAP) + 2;
    let counters = &snapshot.memory.counters;
    let summary = counts
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <section class="ram" data-lane="ram" aria-labelledby="ram-heading">
            <h2 id="ram-heading">{ "RAM" }</h2>
            <p class="lane-note">
                { format!("{} physical frames of 4 KiB. ", frames.len()) }
                { format!("TLB: {} hits, {} misses; {} page faults.",
                          counters.tlb_hits, counters.tlb_misses, counters.page_faults) }
            </p>
            <ul class="ram-legend">
                <li><span class="swatch page" aria-hidden="true"></span>{ "this program's page" }</li>
                <li><span class="swatch holds-drawn" aria-hidden="true"></span>{ "holds something drawn (ringed)" }</li>
                <li><span class="swatch table" aria-hidden="true"></span>{ "page table (dotted)" }</li>
                <li><span class="swatch kernel" aria-hidden="true"></span>{ "kernel (dark)" }</li>
                <li><span class="swatch other" aria-hidden="true"></span>{ "other process (hatched)" }</li>
                <li><span class="swatch free" aria-hidden="true"></span>{ "free (empty)" }</li>
            </ul>
            if !props.marks.faults.is_empty() {
                <ul class="ram-faults">
                    { for props.marks.faults.iter().map(|f| html! {
                        <li class="ram-fault" data-fault-pfn={f.frame.to_string()}>
                            <strong>{ format!("page fault: frame {:#x}", f.frame) }</strong>
                            { format!(" ← page {}{}", hex(f.address / PAGE_SIZE * PAGE_SIZE),
                                      f.swap_in.map(|s| format!(", read back from swap slot {s}")).unwrap_or_default()) }
                        </li>
                    }) }
                </ul>
            }
            if let Some(walk) = &props.marks.walk {
                { walk_view(walk) }
            }
            <svg class="ram-svg" viewBox={format!("-1 -1 {} {height}", width + 2)} width={width.to_string()}
                 height={height.to_string()} role="img"
                 aria-label={format!("Physical memory: {summary}")}>
                <defs>
                    <pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse"
                             patternTransform="rotate(45)">
                        <line x1="0" y1="0" x2="0" y2="4" class="hatch-line" />
                    </pattern>
                </defs>
                { for cells }
            </svg>
            if holding.iter().any(|what| !what.is_empty()) {
                <ul class="ram-holding">
                    { for holding.iter().enumerate().filter(|(_, what)| !what.is_empty()).map(|(pfn, what)| html! {
                        <li data-holding-pfn={pfn.to_string()}>
                            <code>{ format!("frame {pfn:#x}") }</code>{ format!(": {}", what.join(", ")) }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}

/// The MMU's walk for a TLB miss, as the core computed it: each level's table frame and
/// index, then the frame and the physical address (or where the walk stopped).
fn walk_view(walk: &Walk) -> Html {
    let level_name = |level: u8| match level {
        4 => "PML4",
        3 => "PDPT",
        2 => "PD",
        _ => "PT",
    };
    let end = match (walk.end, walk.physical_address()) {
        (WalkEnd::Frame { frame }, Some(phys)) => {
            format!("frame {frame:#x} → physical {}", hex(phys))
        }
        (WalkEnd::Frame { frame }, None) => format!("frame {frame:#x}"),
        (WalkEnd::NotPresent { level }, _) => {
            format!("{} entry empty: page fault", level_name(level))
        }
        (WalkEnd::Swapped { slot }, _) => format!("in swap slot {slot}: page fault"),
        (WalkEnd::NonCanonical, _) => "not canonical: protection fault".to_owned(),
    };
    html! {
        <div class="tlb-walk" aria-label="Page-table walk">
            <p class="walk-head">
                <strong>{ "TLB miss: " }</strong>
                { "the MMU walks the page tables for " }
                <code>{ hex(walk.address) }</code>
            </p>
            <ol class="walk-steps">
                { for walk.steps.iter().map(|s| html! {
                    <li data-walk-level={s.level.to_string()}>
                        <code>{ format!("{}[{}]", level_name(s.level), s.index) }</code>
                        { format!(" in frame {:#x}", s.table) }
                    </li>
                }) }
                <li class="walk-end">{ end }</li>
            </ol>
        </div>
    }
}

const PAGE_W: i32 = 150;
const PAGE_H: i32 = 62;
const PAGE_GAP: i32 = 8;

/// Without the memory model: the virtual pages holding what is drawn, a thin mark per
/// object and a wide one per frame.
#[component]
fn VirtualPages(props: &RamProps) -> Html {
    let columns: i32 = if props.narrow { 2 } else { 4 };
    let rows = (props.pages.len() as i32 + columns - 1) / columns;
    let width = columns * (PAGE_W + PAGE_GAP);
    let height = rows.max(1) * (PAGE_H + PAGE_GAP);
    let page_of = |address: u64| address / PAGE_SIZE * PAGE_SIZE;
    let cells = props.pages.iter().enumerate().map(|(i, &page)| {
        let x = (i as i32 % columns) * (PAGE_W + PAGE_GAP);
        let y = (i as i32 / columns) * (PAGE_H + PAGE_GAP);
        let objects: Vec<_> = props
            .drawn.all
            .iter()
            .filter_map(|id| props.snapshot.object(*id))
            .filter(|o| page_of(o.address) == page)
            .collect();
        let frames: Vec<_> = props
            .snapshot
            .frames
            .iter()
            .filter(|f| page_of(f.address) == page)
            .collect();
        let at = |address: u64| x + 6 + ((address - page) * (PAGE_W as u64 - 12) / PAGE_SIZE) as i32;
        html! {
            <g class="page" data-page={hex(page)}>
                <rect class="page-box" x={x.to_string()} y={y.to_string()} width={PAGE_W.to_string()}
                      height={PAGE_H.to_string()} rx="6" />
                <text class="page-address" x={(x + 6).to_string()} y={(y + 15).to_string()}>{ hex(page) }</text>
                <text class="page-summary" x={(x + 6).to_string()} y={(y + 30).to_string()}>
                    { format!("{} objects, {} frames", objects.len(), frames.len()) }
                </text>
                { for objects.iter().map(|o| html! {
                    <rect class="page-object" x={at(o.address).to_string()} y={(y + 38).to_string()}
                          width="5" height="16">
                        <title>{ format!("{} {} at {}", o.type_name, o.value, hex(o.address)) }</title>
                    </rect>
                }) }
                { for frames.iter().map(|f| html! {
                    <rect class="page-frame" x={at(f.address).to_string()} y={(y + 38).to_string()}
                          width="9" height="16">
                        <title>{ format!("frame of {} at {}", f.function, hex(f.address)) }</title>
                    </rect>
                }) }
            </g>
        }
    });
    html! {
        <section class="ram" data-lane="ram" aria-labelledby="ram-heading">
            <h2 id="ram-heading">{ "RAM" }</h2>
            <p class="lane-note">
                { "This trace has no physical memory model: these are the virtual 4 KiB pages \
                   that hold what the diagram shows." }
            </p>
            <svg class="pages-svg" viewBox={format!("0 0 {width} {height}")} width={width.to_string()}
                 height={height.to_string()} role="img"
                 aria-label={format!("{} virtual pages in use", props.pages.len())}>
                { for cells }
            </svg>
        </section>
    }
}
