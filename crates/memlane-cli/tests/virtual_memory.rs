//! Virtual memory end to end: real programs run by the interpreter, the trace JSON's memory
//! fields, and `memlane translate`.

use memlane_core::paging::{PAGE_SHIFT, PAGE_SIZE};
use memlane_core::{
    Event, FrameUse, MemoryConfig, RegionKind, Replacement, Trace, TRACED_PID, TWIN_PID,
};
use memlane_python::{run, RunOptions};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

fn run_with(source: &str, memory: MemoryConfig) -> Trace {
    run(
        source,
        &RunOptions {
            memory,
            ..RunOptions::default()
        },
    )
}

fn memlane(args: &[&str], stdin: &str) -> (String, String, i32) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_memlane"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("memlane runs");
    // memlane may exit on a usage error before reading its input: ignore a closed pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// The step (0-based) whose events include the first event matching `f`.
fn step_of(trace: &Trace, f: impl Fn(&Event) -> bool) -> Option<usize> {
    (0..trace.len()).find(|&i| trace.events_of(i).iter().any(&f))
}

const LISTS: &str = "xs = [[i] for i in range(6000)]\ndel xs\nprint('done')\n";

#[test]
fn a_few_thousand_lists_map_an_arena_and_del_unmaps_it() {
    let trace = run_with(LISTS, MemoryConfig::default());
    assert_eq!(trace.snapshot(trace.len() - 1).stdout, "done\n");
    let is_arena_map = |e: &Event| matches!(e, Event::Mmap { pid, region } if *pid == TRACED_PID && region.what == RegionKind::Arena);
    // Start-up has one arena; the comprehension needs a second one.
    let mapped = step_of(&trace, is_arena_map).expect("an arena mapped by the program");
    assert_eq!(trace.step(mapped).unwrap().line, 1);
    let arena = trace
        .events_of(mapped)
        .iter()
        .find_map(|e| match e {
            Event::Mmap { region, .. } if region.what == RegionKind::Arena => Some(region.clone()),
            _ => None,
        })
        .unwrap();
    // `del xs` frees the lists, and pymalloc returns an emptied arena: not at once, as the
    // last arena with free pools is kept, but at the next pool release (here in `print`).
    let unmapped = step_of(
        &trace,
        |e| matches!(e, Event::Munmap { start, .. } if *start == arena.start),
    )
    .expect("the arena is unmapped");
    assert!(trace.step(unmapped).unwrap().line >= 2);
    let Some(Event::Munmap { frames, .. }) = trace
        .events_of(unmapped)
        .into_iter()
        .find(|e| matches!(e, Event::Munmap { start, .. } if *start == arena.start))
    else {
        unreachable!()
    };
    // Before: the arena's pages were resident; after: nothing is left of it, and their
    // frames (and the page table only they used) are free.
    let pages = (arena.start >> PAGE_SHIFT)..(arena.end() >> PAGE_SHIFT);
    let before = trace.snapshot(unmapped - 1);
    let after = trace.snapshot(unmapped);
    let traced = |s: &memlane_core::Snapshot| s.memory.processes[&TRACED_PID].pages.clone();
    let resident = traced(&before).range(pages.clone()).count();
    assert!(resident > 10, "{resident} pages");
    assert!(frames.len() >= resident);
    assert_eq!(traced(&after).range(pages.clone()).count(), 0);
    assert!(after.memory.region_at(TRACED_PID, arena.start).is_none());
    for f in frames.iter() {
        assert_eq!(after.memory.frames[*f as usize], FrameUse::Free);
    }
}

#[test]
fn pages_fault_on_first_touch_only() {
    let trace = run_with(LISTS, MemoryConfig::default());
    let mut resident: BTreeSet<u64> = BTreeSet::new();
    let mut faults = 0;
    for e in &trace.events_in(0..trace.event_count()) {
        match e {
            Event::PageFault { pid, address, .. } if *pid == TRACED_PID => {
                faults += 1;
                assert!(
                    resident.insert(address >> PAGE_SHIFT),
                    "page {address:#x} faulted twice"
                );
            }
            Event::Munmap { start, len, .. } => {
                let pages = (start >> PAGE_SHIFT)..((start + len) >> PAGE_SHIFT);
                resident.retain(|v| !pages.contains(v));
            }
            Event::Evict { .. } => panic!("the default RAM holds this program"),
            _ => {}
        }
    }
    assert!(faults > 200, "{faults}");
    // Per step, the TLB counts add up to the totals.
    let last = trace.snapshot(trace.len() - 1);
    let hits: u64 = (0..trace.len())
        .map(|i| memlane_core::MemoryView::tlb_counts_of(&trace.events_of(i)).0)
        .sum();
    let prologue =
        memlane_core::MemoryView::tlb_counts_of(&trace.events_in(0..trace.prologue_end)).0;
    assert_eq!(hits + prologue, last.memory.counters.tlb_hits);
    assert!(last.memory.counters.tlb_hits > 10 * last.memory.counters.tlb_misses);
}

#[test]
fn every_live_object_has_a_physical_address_in_its_frame() {
    let trace = run_with(
        "a = [1000, 'text', 2.5]\nb = {'k': a}\n",
        MemoryConfig::default(),
    );
    for i in 0..trace.len() {
        let snap = trace.snapshot(i);
        let pages = &snap.memory.processes[&TRACED_PID].pages;
        for o in snap.objects.values() {
            let pa = snap.physical_address(o.address).expect("resident");
            let vpn = o.address >> PAGE_SHIFT;
            let frame = memlane_core::paging::pte::frame(pages[&vpn]);
            assert_eq!(pa, frame as u64 * PAGE_SIZE + (o.address & (PAGE_SIZE - 1)));
            assert_eq!(
                snap.memory.frames[frame as usize],
                FrameUse::Page {
                    pid: TRACED_PID,
                    vpn
                }
            );
        }
    }
}

#[test]
fn a_small_ram_evicts_and_objects_lose_their_physical_address_until_touched() {
    for replacement in [Replacement::Clock, Replacement::Lru] {
        let memory = MemoryConfig {
            frames: 64,
            replacement,
            ..MemoryConfig::default()
        };
        let trace = run_with(LISTS, memory);
        assert_eq!(
            trace.snapshot(trace.len() - 1).stdout,
            "done\n",
            "same program output"
        );
        let last = trace.snapshot(trace.len() - 1);
        assert!(last.memory.counters.evictions > 0, "{replacement:?}");
        let mid = trace.snapshot(trace.len() / 2);
        let swapped = mid
            .objects
            .values()
            .filter(|o| mid.physical_address(o.address).is_none())
            .count();
        assert!(swapped > 0, "{replacement:?}: some objects are in swap");
        assert!(trace.iter_events(0..trace.event_count()).any(|e| matches!(
            e,
            Event::PageFault {
                swap_in: Some(_),
                ..
            }
        )));
    }
}

#[test]
fn the_memory_model_does_not_change_what_programs_do() {
    let src = "class A:\n    pass\nxs = [A() for _ in range(50)]\nprint(len({id(x) for x in xs}), id(xs[0]) < id(xs[1]))\nd = {str(i): i for i in range(300)}\nprint(sum(d.values()))\n";
    let base = run(src, &RunOptions::default());
    let out = base.snapshot(base.len() - 1).stdout;
    for memory in [
        MemoryConfig {
            frames: 64,
            tlb_entries: 2,
            ..MemoryConfig::default()
        },
        MemoryConfig {
            twin: true,
            replacement: Replacement::Lru,
            ..MemoryConfig::default()
        },
    ] {
        let t = run_with(src, memory);
        assert_eq!(t.snapshot(t.len() - 1).stdout, out);
        // The same objects at the same virtual addresses.
        let (a, b) = (base.snapshot(base.len() - 2), t.snapshot(t.len() - 2));
        let addresses = |s: &memlane_core::Snapshot| {
            s.objects
                .values()
                .map(|o| (o.id, o.address))
                .collect::<Vec<_>>()
        };
        assert_eq!(addresses(&a), addresses(&b));
    }
}

#[test]
fn a_twin_process_maps_the_same_addresses_to_other_frames() {
    let trace = run_with(
        "x = [1000]\n",
        MemoryConfig {
            twin: true,
            ..MemoryConfig::default()
        },
    );
    let snap = trace.snapshot(0);
    let twin = snap.memory.process(TWIN_PID).expect("the twin runs");
    let traced = snap.memory.process(TRACED_PID).unwrap();
    assert_eq!(twin.regions.len(), 9, "the same layout at start-up");
    let shared: Vec<u64> = twin
        .pages
        .keys()
        .filter(|v| traced.pages.contains_key(v))
        .copied()
        .collect();
    assert!(shared.len() > 30, "{}", shared.len());
    for vpn in shared {
        let a = snap
            .memory
            .walk(TRACED_PID, vpn << PAGE_SHIFT)
            .unwrap()
            .frame();
        let b = snap
            .memory
            .walk(TWIN_PID, vpn << PAGE_SHIFT)
            .unwrap()
            .frame();
        assert!(a.is_some() && b.is_some() && a != b, "page {vpn:#x}");
    }
}

#[test]
fn trace_json_shows_mappings_tlb_and_physical_addresses() {
    let (out, _, code) = memlane(
        &["trace", "--frames", "256", "--tlb", "16", "-"],
        "a = [1000]\nb = a\n",
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let step = &doc["trace"][0];
    let mappings = step["mappings"].as_array().unwrap();
    assert!(mappings.len() > 30);
    let m = &mappings[0];
    assert!(m["vpn"].is_u64() && m["pfn"].is_u64());
    assert_eq!(m["flags"].as_str().unwrap().len(), 5);
    assert_eq!(step["tlb"]["entries"], 16);
    assert!(step["tlb"]["hits"].as_u64().unwrap() > 0);
    assert!(step["tlb"]["total_hits"].as_u64().unwrap() >= step["tlb"]["hits"].as_u64().unwrap());
    assert_eq!(step["ram"]["frames"], 256);
    let regions = step["regions"].as_array().unwrap();
    assert_eq!(regions[0]["name"], "python3");
    assert_eq!(regions[0]["perms"], "r--");
    assert_eq!(regions[0]["start"], 0x5555_5555_4000u64);
    for o in step["objects"].as_array().unwrap() {
        let (va, pa) = (
            o["address"].as_u64().unwrap(),
            o["physical_address"].as_u64().unwrap(),
        );
        assert_eq!(pa % 4096, va % 4096);
        let frame = pa / 4096;
        assert!(mappings
            .iter()
            .any(|m| m["vpn"] == va / 4096 && m["pfn"] == frame));
    }
    // A miss event carries the walk, each entry as a hex string.
    let events: Vec<&serde_json::Value> = doc["trace"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["events"].as_array().unwrap())
        .collect();
    let miss = events.iter().find(|e| e["event"] == "tlb_miss");
    if let Some(miss) = miss {
        assert!(miss["walk"][0]["entry"].as_str().unwrap().starts_with("0x"));
    }
}

#[test]
fn translate_prints_each_level_and_the_physical_address() {
    let src = "a = [1000]\nb = a\n";
    let (out, _, _) = memlane(&["trace", "-"], src);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = doc["trace"][1]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type_name"] == "list" && o["internal"] == false)
        .unwrap()
        .clone();
    let (va, pa) = (
        list["address"].as_u64().unwrap(),
        list["physical_address"].as_u64().unwrap(),
    );
    let hex = format!("{va:#x}");
    let (out, err, code) = memlane(&["translate", "-", "--step", "2", "--address", &hex], src);
    assert_eq!(code, 0, "{err}");
    let i = memlane_core::PageIndices::of(va);
    assert!(
        out.starts_with(&format!(
            "after step 2 (line 2): virtual address {hex} (pid 1000): pymalloc arena"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "PML4 {} | PDPT {} | PD {} | PT {} | offset {:#05x}",
            i.pml4, i.pdpt, i.pd, i.pt, i.offset
        )),
        "{out}"
    );
    for level in ["PML4[", "PDPT[", "PD[", "PT["] {
        assert!(out.contains(level), "{out}");
    }
    assert!(out.trim_end().ends_with(&format!("= {pa:#x}")), "{out}");
    // Decimal works too, and gives the same walk.
    let (dec, _, _) = memlane(
        &[
            "translate",
            "-",
            "--step",
            "2",
            "--address",
            &va.to_string(),
        ],
        src,
    );
    assert_eq!(dec, out);
}

#[test]
fn translate_shows_faults_and_rejects_bad_input() {
    let src = "a = 1\n";
    // The last page of the stack region is mapped but never touched.
    let (out, _, code) = memlane(
        &[
            "translate",
            "-",
            "--step",
            "1",
            "--address",
            "0x7ffffffde000",
        ],
        src,
    );
    assert_eq!(code, 0);
    assert!(out.contains("[stack]"), "{out}");
    assert!(
        out.contains("page fault") && out.contains("never touched"),
        "{out}"
    );
    let (out, _, _) = memlane(
        &["translate", "-", "--step", "1", "--address", "0x1000"],
        src,
    );
    assert!(
        out.contains("no region") && out.contains("segmentation fault"),
        "{out}"
    );
    let (out, _, _) = memlane(
        &[
            "translate",
            "-",
            "--step",
            "1",
            "--address",
            "0x800000000000",
        ],
        src,
    );
    assert!(out.contains("not canonical"), "{out}");
    let (_, err, code) = memlane(&["translate", "-", "--step", "1", "--address", "zz"], src);
    assert_eq!(code, 2);
    assert!(err.contains("is not an address"), "{err}");
    let (_, err, code) = memlane(
        &["translate", "-", "--step", "99", "--address", "0x1000"],
        src,
    );
    assert_eq!(code, 2);
    assert!(err.contains("past the last step"), "{err}");
    let (_, err, code) = memlane(&["translate", "-", "--address", "0x1000"], src);
    assert_eq!(code, 2);
    assert!(err.contains("--step"), "{err}");
    let (_, err, code) = memlane(&["run", "--frames", "8", "-"], src);
    assert_eq!(code, 2);
    assert!(err.contains("RAM must be"), "{err}");
}

#[test]
fn translate_follows_the_twin_and_evicted_pages() {
    let src = "xs = [[i] for i in range(3000)]\n";
    let (out, _, code) = memlane(
        &[
            "translate",
            "--twin",
            "-",
            "--step",
            "1",
            "--pid",
            "1001",
            "--address",
            "0x7fffffffeff8",
        ],
        src,
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("(pid 1001)") && out.contains("physical address"),
        "{out}"
    );
    let trace = run_with(
        src,
        MemoryConfig {
            frames: 64,
            ..MemoryConfig::default()
        },
    );
    let last = trace.len() - 1;
    let snap = trace.snapshot(last);
    let (vpn, _) = snap.memory.processes[&TRACED_PID]
        .pages
        .iter()
        .find(|(_, e)| memlane_core::paging::pte::is_swapped(**e))
        .expect("an evicted page");
    let addr = format!("{:#x}", vpn << PAGE_SHIFT);
    let step = (last + 1).to_string();
    let (out, _, _) = memlane(
        &[
            "translate",
            "--frames",
            "64",
            "-",
            "--step",
            &step,
            "--address",
            &addr,
        ],
        src,
    );
    assert!(out.contains("swap slot"), "{out}");
}

#[test]
fn an_aslr_seed_moves_everything_reproducibly() {
    let src = "x = [1000]\nprint(len(x))\n";
    let (a, _, _) = memlane(&["trace", "--aslr", "42", "-"], src);
    let (b, _, _) = memlane(&["trace", "--aslr", "42", "-"], src);
    let (c, _, _) = memlane(&["trace", "-"], src);
    assert_eq!(a, b);
    let doc: serde_json::Value = serde_json::from_str(&a).unwrap();
    let fixed: serde_json::Value = serde_json::from_str(&c).unwrap();
    let start = |d: &serde_json::Value| d["trace"][0]["regions"][0]["start"].as_u64().unwrap();
    assert_eq!(start(&fixed), 0x5555_5555_4000);
    assert_ne!(start(&doc), start(&fixed));
    assert_eq!(
        doc["trace"].as_array().unwrap().last().unwrap()["stdout"],
        "1\n"
    );
}
