//! The model's central invariants, checked at every step of real runs: each live object's
//! refcount equals the references the snapshot shows to it (frame names, evaluation-stack
//! temporaries, object slots, runtime holds), and no freed object is still referenced.

use memlane_core::{Profile, Snapshot, Trace, Version};
use memlane_python::{run, RunOptions};
use proptest::prelude::*;

mod common;

fn check_every_step(trace: &Trace, what: &str) {
    let mut snap: Snapshot = trace.snapshot_at_event(trace.prologue_end);
    if let Err(e) = snap.check_invariants() {
        panic!("{what}: before step 1: {e}");
    }
    for (i, step) in trace.steps().enumerate() {
        for ev in trace.iter_events(step.events()) {
            snap.apply(&ev);
        }
        if let Err(e) = snap.check_invariants() {
            panic!("{what}: after step {} (line {}): {e}", i + 1, step.line);
        }
    }
}

fn options(version: Version) -> RunOptions {
    RunOptions {
        profile: Profile::new(version),
        ..RunOptions::default()
    }
}

#[test]
fn invariants_hold_at_every_step_of_the_conformance_programs() {
    for (name, source) in common::conformance_programs() {
        for version in Version::ALL {
            let trace = run(&source, &options(version));
            check_every_step(&trace, &format!("{name} under {version}"));
        }
    }
}

#[test]
fn the_snapshot_after_the_last_step_equals_a_fresh_replay() {
    let source =
        "a = [1, 2]\nb = {'k': a}\na.append(b)\ndel a\nimport gc\nn = gc.collect()\nprint(n)\n";
    let trace = run(source, &options(Version::Py313));
    let last = trace.len() - 1;
    let mut replay = trace.snapshot_at_event(0);
    for ev in trace.iter_events(0..trace.step(last).unwrap().end_event) {
        replay.apply(&ev);
    }
    assert_eq!(trace.snapshot(last), replay);
    // Seeking backwards gives the same state as reaching the step going forwards.
    let forward = trace.snapshot(2);
    let _ = trace.snapshot(last);
    assert_eq!(trace.snapshot(2), forward);
}

/// Statements over a few names, mixing containers, aliasing, cycles, calls and deletion.
fn statement() -> impl Strategy<Value = String> {
    let name = prop_oneof![Just("a"), Just("b"), Just("c"), Just("d")];
    let value = prop_oneof![
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("(1, 2)".to_string()),
        (0i64..400).prop_map(|n| n.to_string()),
        Just("'text'".to_string()),
        Just("Node()".to_string()),
        Just("[1000, 'x', None]".to_string()),
        Just("f(1)".to_string()),
        Just("{1, 2, 300, 'x'}".to_string()),
        Just("set(range(30))".to_string()),
        Just("frozenset({4, 5})".to_string()),
        Just("{'a': 1, 'b': [], 'k': 3, 7: 'x'}".to_string()),
    ];
    // Set algebra in place and not, which records splices at ranks.
    let set_op = prop_oneof![Just("|"), Just("&"), Just("-"), Just("^")];
    prop_oneof![
        (name.clone(), value).prop_map(|(n, v)| format!("{n} = {v}")),
        (name.clone(), name.clone()).prop_map(|(x, y)| format!("{x} = {y}")),
        (name.clone(), name.clone())
            .prop_map(|(x, y)| format!("if isinstance({x}, list): {x}.append({y})")),
        (name.clone(), name.clone())
            .prop_map(|(x, y)| format!("if isinstance({x}, Node): {x}.other = {y}")),
        (name.clone(), name.clone())
            .prop_map(|(x, y)| format!("if isinstance({x}, dict): {x}['k'] = {y}")),
        name.clone().prop_map(|n| format!("{n} = None")),
        Just("gc.collect()".to_string()),
        name.clone()
            .prop_map(|n| format!("print(sys.getrefcount({n}) > 0)")),
        (name.clone(), set_op.clone(), name.clone()).prop_map(|(x, op, y)| format!(
            "if isinstance({x}, (set, frozenset)) and isinstance({y}, (set, frozenset)): {x} {op}= {y}"
        )),
        (name.clone(), set_op, name.clone()).prop_map(|(x, op, y)| format!(
            "if isinstance({y}, (set, frozenset)): {x} = {y} {op} set(range(25, 35))"
        )),
        (name.clone(), 0i64..40).prop_map(|(x, v)| format!(
            "if isinstance({x}, set): {x}.add({v})\nif isinstance({x}, set): {x}.discard({})",
            v * 7 % 40
        )),
        name.clone().prop_map(|n| format!("if isinstance({n}, set) and {n}: {n}.pop()")),
        // Deleted entries leave holes that later changes are found past, by rank.
        (name.clone(), prop_oneof![Just("'a'"), Just("'k'"), Just("7")]).prop_map(|(n, k)| {
            format!("if isinstance({n}, dict): {n}.pop({k}, None)\nif isinstance({n}, dict): {n}['b'] = {k}")
        }),
        name.prop_map(|n| format!("t = [{n}, {n}]\ndel t")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn invariants_hold_for_random_programs(stmts in prop::collection::vec(statement(), 1..25), version in prop::sample::select(Version::ALL.to_vec())) {
        let mut source = String::from("import gc, sys\nclass Node:\n    def __del__(self):\n        pass\ndef f(x):\n    y = [x]\n    return y\na = b = c = d = None\n");
        for s in &stmts {
            source.push_str(s);
            source.push('\n');
        }
        source.push_str("gc.collect()\n");
        let trace = run(&source, &options(version));
        prop_assert!(matches!(trace.outcome, memlane_core::Outcome::Finished), "{:?}\n{}", trace.outcome, source);
        check_every_step(&trace, &source);
        // After a full collection no unreachable cycle is left: every live object is
        // reachable from a frame, a runtime hold, or the static singletons.
        let last = trace.snapshot(trace.len() - 1);
        assert_reachable(&last, &source);
    }
}

fn assert_reachable(snap: &Snapshot, source: &str) {
    use std::collections::HashSet;
    let mut seen = HashSet::new();
    let mut todo: Vec<_> = snap
        .objects
        .values()
        .filter(|o| o.runtime_refs > 0 || o.placement == memlane_core::Placement::Static)
        .map(|o| o.id)
        .collect();
    for f in &snap.frames {
        todo.extend(f.locals.iter().map(|b| b.target));
        todo.extend(f.stack.iter().copied());
        if let Some(ns) = f.namespace {
            todo.push(ns);
        }
    }
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            if let Some(o) = snap.objects.get(&id) {
                todo.extend(o.referents.iter().map(|r| r.target));
            }
        }
    }
    for o in snap.objects.values() {
        assert!(
            seen.contains(&o.id),
            "unreachable {} {} ({}) survived gc.collect()\n{source}",
            o.type_name,
            o.id.0,
            o.value
        );
    }
}

/// Every resident page of every process walks, through its own page tables, to the frame
/// its entry names; that frame holds that page of that process; no frame backs two pages;
/// every table frame belongs to its process.
fn assert_page_tables_consistent(snap: &Snapshot, what: &str) -> usize {
    use memlane_core::paging::{pte, walk};
    use memlane_core::FrameUse;
    use std::collections::HashMap;
    let memory = &*snap.memory;
    let mut owner: HashMap<u32, (u32, u64)> = HashMap::new();
    for p in memory.processes.values() {
        for (&vpn, &entry) in &p.pages {
            if !pte::is_present(entry) {
                continue;
            }
            let frame = pte::frame(entry);
            let walked = walk(memory, p.root, vpn << 12).frame();
            assert_eq!(
                walked,
                Some(frame),
                "{what}: pid {} page {vpn:#x}'s walk",
                p.pid
            );
            assert_eq!(
                memory.frames.get(frame as usize),
                Some(&FrameUse::Page { pid: p.pid, vpn }),
                "{what}: frame {frame} of pid {} page {vpn:#x}",
                p.pid
            );
            if let Some(other) = owner.insert(frame, (p.pid, vpn)) {
                panic!(
                    "{what}: frame {frame} backs pid {} page {vpn:#x} and {other:?}",
                    p.pid
                );
            }
        }
    }
    let resident = owner.len();
    for &(frame, ref table) in &memory.tables {
        assert_eq!(
            memory.frames.get(frame as usize),
            Some(&FrameUse::PageTable {
                pid: table.pid,
                level: table.level
            }),
            "{what}: table frame {frame}"
        );
    }
    resident
}

/// The objects each collection clears were unreachable when it cleared them: nothing a
/// frame, a runtime hold or a static object reaches is ever freed by the collector.
fn assert_gc_frees_only_unreachable(trace: &Trace, what: &str) {
    use memlane_core::{Event, GcPhase};
    for (i, event) in trace.iter_events(0..trace.event_count()).enumerate() {
        if let Event::Gc {
            phase: GcPhase::Clear,
            objects,
            ..
        } = event
        {
            let snap = trace.snapshot_at_event(i);
            let reachable = reachable_set(&snap);
            for id in &objects {
                assert!(
                    !reachable.contains(id),
                    "{what}: the collector cleared reachable {:?}",
                    snap.objects.get(id).map(|o| (&o.type_name, &o.value))
                );
            }
        }
    }
}

fn reachable_set(snap: &Snapshot) -> std::collections::HashSet<memlane_core::ObjId> {
    let mut seen = std::collections::HashSet::new();
    let mut todo: Vec<_> = snap
        .objects
        .values()
        .filter(|o| o.runtime_refs > 0 || o.placement == memlane_core::Placement::Static)
        .map(|o| o.id)
        .collect();
    for f in &snap.frames {
        todo.extend(f.locals.iter().map(|b| b.target));
        todo.extend(f.stack.iter().copied());
        if let Some(ns) = f.namespace {
            todo.push(ns);
        }
    }
    while let Some(id) = todo.pop() {
        if seen.insert(id) {
            if let Some(o) = snap.objects.get(&id) {
                todo.extend(o.referents.iter().map(|r| r.target));
            }
        }
    }
    seen
}

/// The memory invariants at every step of a trace; the most resident pages seen.
fn check_memory_every_step(trace: &Trace, what: &str) -> usize {
    let mut most = 0;
    let mut snap: Snapshot = trace.snapshot_at_event(trace.prologue_end);
    for (i, step) in trace.steps().enumerate() {
        for ev in trace.iter_events(step.events()) {
            snap.apply(&ev);
        }
        let at = format!("{what}: after step {}", i + 1);
        most = most.max(assert_page_tables_consistent(&snap, &at));
    }
    assert_gc_frees_only_unreachable(trace, what);
    most
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn allocations_page_tables_and_gc_stay_sound_for_random_programs(stmts in prop::collection::vec(statement(), 1..25), version in prop::sample::select(Version::ALL.to_vec())) {
        let mut source = String::from("import gc, sys\nclass Node:\n    def __del__(self):\n        pass\ndef f(x):\n    y = [x]\n    return y\na = b = c = d = None\n");
        for s in &stmts {
            source.push_str(s);
            source.push('\n');
        }
        source.push_str("a = b = c = d = None\ngc.collect()\n");
        let trace = run(&source, &options(version));
        prop_assert!(matches!(trace.outcome, memlane_core::Outcome::Finished), "{:?}\n{}", trace.outcome, source);
        check_memory_every_step(&trace, &source);
    }
}

#[test]
fn allocations_page_tables_and_gc_stay_sound_in_the_conformance_programs() {
    let mut resident = 0;
    for (name, source) in common::conformance_programs() {
        let trace = run(&source, &options(Version::default()));
        resident = resident.max(check_memory_every_step(&trace, &name));
    }
    assert!(resident > 0, "no resident page was checked");
}
