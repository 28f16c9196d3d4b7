//! The JSON form of a trace: a public interface, documented in docs/trace-format.md.

use memlane_core::memory_view::MemoryView;
use memlane_core::paging::{level_name, pte, WalkEnd};
use memlane_core::{Event, Mapping, ObjectView, Snapshot, Trace, TRACED_PID};
use serde::Serialize;
use std::io::Write;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Header<'a> {
    format: u32,
    python: &'a str,
    steps: usize,
    outcome: &'a memlane_core::Outcome,
}

/// `memlane trace --delta`: each step carries only its events; the state they apply to is
/// given once, after start-up.
#[derive(Serialize)]
struct StartJson<'a> {
    frames: &'a [memlane_core::FrameView],
    objects: Vec<ObjectJson<'a>>,
    stdout: &'a str,
    gc: &'a memlane_core::GcView,
}

#[derive(Serialize)]
struct StepEventsJson<'a> {
    step: usize,
    line: u32,
    kind: memlane_core::StepKind,
    events: &'a [Event],
}

#[derive(Serialize)]
struct StepJson<'a> {
    step: usize,
    line: u32,
    kind: memlane_core::StepKind,
    events: &'a [Event],
    frames: &'a [memlane_core::FrameView],
    objects: Vec<ObjectJson<'a>>,
    stdout: &'a str,
    gc: &'a memlane_core::GcView,
    /// The traced process's regions, resident pages, TLB and RAM (docs/trace-format.md).
    regions: Vec<RegionJson>,
    mappings: Vec<Mapping>,
    tlb: TlbJson,
    ram: RamJson,
}

#[derive(Serialize)]
struct ObjectJson<'a> {
    #[serde(flatten)]
    object: &'a ObjectView,
    /// Null when the object's page is not resident.
    physical_address: Option<u64>,
}

#[derive(Serialize)]
struct RegionJson {
    start: u64,
    end: u64,
    perms: &'static str,
    name: &'static str,
    kind: memlane_core::RegionKind,
}

#[derive(Serialize)]
struct TlbJson {
    /// This step's hits and misses.
    hits: u64,
    misses: u64,
    /// Since the process started.
    total_hits: u64,
    total_misses: u64,
    /// Capacity, and pages cached after the step.
    entries: u32,
    cached: usize,
}

#[derive(Serialize)]
struct RamJson {
    frames: usize,
    free: usize,
    page_faults: u64,
    evictions: u64,
    swap_ins: u64,
    swapped: usize,
}

fn memory_json(
    snap: &Snapshot,
    events: &[Event],
) -> (Vec<RegionJson>, Vec<Mapping>, TlbJson, RamJson) {
    let m = &snap.memory;
    let regions = m
        .process(TRACED_PID)
        .map(|p| {
            p.regions
                .values()
                .map(|r| RegionJson {
                    start: r.start,
                    end: r.end(),
                    perms: r.what.perms(),
                    name: r.what.name(),
                    kind: r.what,
                })
                .collect()
        })
        .unwrap_or_default();
    let (hits, misses) = MemoryView::tlb_counts_of(events);
    let tlb = TlbJson {
        hits,
        misses,
        total_hits: m.counters.tlb_hits,
        total_misses: m.counters.tlb_misses,
        entries: m.tlb_entries,
        cached: m.tlb.len(),
    };
    let ram = RamJson {
        frames: m.frames.len(),
        free: m.free_frames(),
        page_faults: m.counters.page_faults,
        evictions: m.counters.evictions,
        swap_ins: m.counters.swap_ins,
        swapped: m.swap.len(),
    };
    (regions, m.mappings(TRACED_PID), tlb, ram)
}

/// serde_json wraps I/O errors; keep their kind (a closed pipe is not a failure).
fn io_error(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    }
}

fn objects_json(snap: &Snapshot) -> Vec<ObjectJson<'_>> {
    snap.objects
        .values()
        .map(|o| ObjectJson {
            object: o,
            physical_address: snap.physical_address(o.address),
        })
        .collect()
}

/// Writes `{"format":1, "python":..., "outcome":..., "steps":[...]}`; each step carries its
/// events and the full state after it (frames and live objects). With `delta`, the state
/// after start-up is written once (`"start"`) and each step carries only its events: the
/// trace of a long run grows with its events, not with its steps times its objects.
pub fn write_trace_json(trace: &Trace, out: &mut impl Write, delta: bool) -> std::io::Result<()> {
    let header = Header {
        format: FORMAT_VERSION,
        python: trace.profile.version.as_str(),
        steps: trace.len(),
        outcome: &trace.outcome,
    };
    let head = serde_json::to_string(&header).map_err(io_error)?;
    let mut snap = trace.snapshot_at_event(trace.prologue_end);
    // Splice the steps array into the header object, streaming one step at a time.
    write!(out, "{}", &head[..head.len() - 1])?;
    if delta {
        let start = StartJson {
            frames: &snap.frames,
            objects: objects_json(&snap),
            stdout: &snap.stdout,
            gc: &snap.gc,
        };
        out.write_all(b",\"delta\":true,\"start\":")?;
        serde_json::to_writer(&mut *out, &start).map_err(io_error)?;
    }
    out.write_all(b",\"trace\":[")?;
    for (i, step) in trace.steps().enumerate() {
        let events = &trace.events_in(step.events())[..];
        if i > 0 {
            out.write_all(b",")?;
        }
        if delta {
            let json = StepEventsJson {
                step: i + 1,
                line: step.line,
                kind: step.kind,
                events,
            };
            serde_json::to_writer(&mut *out, &json).map_err(io_error)?;
            out.write_all(b"\n")?;
            continue;
        }
        for ev in events {
            snap.apply(ev);
        }
        let (regions, mappings, tlb, ram) = memory_json(&snap, events);
        let json = StepJson {
            step: i + 1,
            line: step.line,
            kind: step.kind,
            events,
            frames: &snap.frames,
            objects: objects_json(&snap),
            stdout: &snap.stdout,
            gc: &snap.gc,
            regions,
            mappings,
            tlb,
            ram,
        };
        serde_json::to_writer(&mut *out, &json).map_err(io_error)?;
        out.write_all(b"\n")?;
    }
    out.write_all(b"]}\n")
}

/// An address as typed: hex with `0x`, or decimal; `_` separators allowed.
pub fn parse_address(text: &str) -> Option<u64> {
    let t: String = text.chars().filter(|&c| c != '_').collect();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// What `memlane translate` prints: the walk of `address` in process `pid` at the state
/// `snap`, level by level, down to the frame and the physical address, or the fault.
pub fn describe_translation(snap: &Snapshot, pid: u32, address: u64) -> Result<String, String> {
    use std::fmt::Write as _;
    let m = &snap.memory;
    let walk = m
        .walk(pid, address)
        .ok_or_else(|| format!("no process {pid} (the traced python3 is {TRACED_PID})"))?;
    let i = walk.indices;
    let mut out = String::new();
    let region = match m.region_at(pid, address) {
        Some(r) => format!(
            "{} {:#x}-{:#x} {}",
            r.what.name(),
            r.start,
            r.end(),
            r.what.perms()
        ),
        None => "no region: unmapped".into(),
    };
    let _ = writeln!(out, "virtual address {address:#x} (pid {pid}): {region}");
    if walk.end == WalkEnd::NonCanonical {
        let _ = writeln!(
            out,
            "not canonical: bits 48-63 must copy bit 47; the CPU raises a general-protection fault"
        );
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "  PML4 {} | PDPT {} | PD {} | PT {} | offset {:#05x}",
        i.pml4, i.pdpt, i.pd, i.pt, i.offset
    );
    let _ = writeln!(out, "  CR3 -> PML4 table in frame {}", walk.root);
    for s in &walk.steps {
        let label = format!("{}[{}]", level_name(s.level), s.index);
        let target = if !pte::is_present(s.entry) {
            if pte::is_swapped(s.entry) {
                format!("not present: in swap slot {}", pte::frame(s.entry))
            } else {
                "not present".to_string()
            }
        } else if s.level == 1 {
            format!(
                "page in frame {} ({})",
                pte::frame(s.entry),
                pte::flags_text(s.entry)
            )
        } else {
            format!(
                "{} table in frame {}",
                level_name(s.level - 1),
                pte::frame(s.entry)
            )
        };
        let _ = writeln!(
            out,
            "  {label:<10} (table in frame {:>4}) = {:#018x} -> {target}",
            s.table, s.entry
        );
    }
    match walk.end {
        WalkEnd::Frame { frame } => {
            let _ = writeln!(
                out,
                "physical address = frame {frame} * 4096 + {:#05x} = {:#x}",
                i.offset,
                walk.physical_address().expect("a frame")
            );
        }
        WalkEnd::NotPresent { level } => {
            let why = if m.region_at(pid, address).is_some() {
                "the page was never touched: the first access page-faults and the kernel gives it a frame"
            } else {
                "no region maps it: an access is a segmentation fault"
            };
            let _ = writeln!(
                out,
                "page fault: the {} entry is empty; {why}",
                level_name(level)
            );
        }
        WalkEnd::Swapped { slot } => {
            let _ = writeln!(
                out,
                "page fault: the page was evicted to swap slot {slot}; the next access reads it back into a free frame"
            );
        }
        WalkEnd::NonCanonical => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlane_core::vmem::PAGE_SIZE;
    use memlane_core::{Access, Machine, MemoryConfig, Region, RegionKind};

    #[test]
    fn addresses_parse_as_hex_or_decimal() {
        assert_eq!(parse_address("0x7f3c45a820"), Some(0x7f3c45a820));
        assert_eq!(parse_address("0X7F3C_45A8_20"), Some(0x7f3c45a820));
        assert_eq!(parse_address("546472044576"), Some(0x7f3c45a820));
        assert_eq!(parse_address("0x"), None);
        assert_eq!(parse_address("12ab"), None);
        assert_eq!(parse_address("-1"), None);
    }

    #[test]
    fn the_worked_example_is_described_level_by_level() {
        let mut m = Machine::new(MemoryConfig::default());
        m.map(Region {
            start: 0x007f_3c40_0000,
            len: 256 * PAGE_SIZE,
            what: RegionKind::LargeMalloc,
        });
        m.touch(0x7f3c45a820, Access::Write);
        let mut snap = Snapshot::default();
        for e in m.take_events() {
            snap.apply(&e);
        }
        let frame = m
            .translate(TRACED_PID, 0x7f3c45a820)
            .unwrap()
            .frame()
            .unwrap();
        let text = describe_translation(&snap, TRACED_PID, 0x7f3c45a820).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("virtual address 0x7f3c45a820 (pid 1000): malloc (mmap)"));
        assert_eq!(
            lines[1],
            "  PML4 0 | PDPT 508 | PD 482 | PT 90 | offset 0x820"
        );
        assert!(lines[3].starts_with("  PML4[0] "), "{text}");
        assert!(lines[4].starts_with("  PDPT[508] "), "{text}");
        assert!(lines[5].starts_with("  PD[482] "), "{text}");
        assert!(lines[6].starts_with("  PT[90] "), "{text}");
        assert!(
            lines[6].ends_with(&format!("page in frame {frame} (PWUA-)")),
            "{text}"
        );
        assert_eq!(
            lines[7],
            format!(
                "physical address = frame {frame} * 4096 + 0x820 = {:#x}",
                frame as u64 * 4096 + 0x820
            )
        );
        assert!(describe_translation(&snap, 4242, 0x1000).is_err());
    }
}
