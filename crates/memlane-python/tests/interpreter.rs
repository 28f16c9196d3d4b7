//! What the widget relies on beyond printed output: steps, frames, events, errors, limits.

use memlane_core::{Event, Outcome, Profile, Version};
use memlane_python::{run, RunOptions};

fn trace(source: &str) -> memlane_core::Trace {
    run(source, &RunOptions::default())
}

/// The state after the program's last line (before interpreter shutdown).
fn last_line(t: &memlane_core::Trace) -> memlane_core::Snapshot {
    let i = t
        .steps()
        .collect::<Vec<_>>()
        .iter()
        .rposition(|s| s.kind == memlane_core::StepKind::Line)
        .expect("a line step");
    t.snapshot(i)
}

fn object_named<'a>(
    snap: &'a memlane_core::Snapshot,
    frame: &str,
    name: &str,
) -> &'a memlane_core::ObjectView {
    let f = snap
        .frames
        .iter()
        .find(|f| f.function == frame)
        .unwrap_or_else(|| panic!("no frame {frame}"));
    let b = f
        .locals
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no name {name}"));
    &snap.objects[&b.target]
}

#[test]
fn each_executed_line_is_a_step_and_calls_push_frames() {
    let t = trace("def f(x):\n    y = x\n    return y\n\na = 7\nb = f(a)\n");
    let lines: Vec<u32> = t.steps().map(|s| s.line).collect();
    assert_eq!(lines, vec![1, 5, 6, 2, 3, 6, 6]);
    assert_eq!(t.last_step().unwrap().kind, memlane_core::StepKind::Exit);
    let inside = t.snapshot(3);
    assert_eq!(
        inside
            .frames
            .iter()
            .map(|f| f.function.as_str())
            .collect::<Vec<_>>(),
        vec!["<module>", "f"]
    );
    assert_eq!(object_named(&inside, "f", "y").value, "7");
    let after = last_line(&t);
    assert_eq!(after.frames.len(), 1);
    let a = object_named(&after, "<module>", "a").id;
    let b = object_named(&after, "<module>", "b").id;
    assert_eq!(a, b, "small ints are shared");
}

#[test]
fn a_list_built_at_run_time_is_one_object_with_two_names() {
    let t = trace("a = [1, 2]\nb = a\n");
    let snap = t.snapshot(1);
    let a = object_named(&snap, "<module>", "a");
    let b = object_named(&snap, "<module>", "b");
    assert_eq!(a.id, b.id);
    assert_eq!(a.refcount, 2);
    assert_eq!(a.referents.len(), 2);
    // Step 2's events include the new binding and the count going from 1 to 2.
    let events = t.events_of(1);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Bind { name, .. } if name == "b")));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Refcount { obj, count: 2, .. } if *obj == a.id)));
}

#[test]
fn del_frees_and_the_free_is_an_event() {
    let t = trace("a = [1, 2]\ndel a\n");
    let list = object_named(&t.snapshot(0), "<module>", "a").id;
    assert!(t
        .events_of(1)
        .iter()
        .any(|e| matches!(e, Event::Free { obj, .. } if *obj == list)));
    assert!(!t.snapshot(1).objects.contains_key(&list));
}

#[test]
fn gc_collect_shows_its_phases_and_frees_the_cycle() {
    let t = trace("import gc\na = []\na.append(a)\ndel a\nn = gc.collect()\n");
    let step = t.len() - 2;
    let phases: Vec<_> = t
        .events_of(step)
        .iter()
        .filter_map(|e| {
            if let Event::Gc { phase, .. } = e {
                Some(*phase)
            } else {
                None
            }
        })
        .collect();
    use memlane_core::GcPhase::*;
    assert!(
        matches!(
            phases[..],
            [
                Start { generation: 2 },
                CopyRefcounts,
                SubtractInternal,
                FindUnreachable,
                Finalize,
                Clear,
                Done { collected: 1 }
            ]
        ),
        "{phases:?}"
    );
}

#[test]
fn uncaught_exceptions_end_with_cpythons_last_line() {
    let t = trace("def f():\n    return 1 / 0\nf()\n");
    assert_eq!(t.outcome.exit_status(), 1);
    assert_eq!(
        t.outcome.error_line().as_deref(),
        Some("ZeroDivisionError: division by zero")
    );
    let Outcome::Exception { traceback, .. } = &t.outcome else {
        panic!()
    };
    assert!(
        traceback.contains("line 3, in <module>") && traceback.contains("line 2, in f"),
        "{traceback}"
    );
}

#[test]
fn syntax_errors_point_at_their_line() {
    let t = trace("x = 1\ny = = 2\n");
    assert!(t.is_empty(), "nothing runs");
    match &t.outcome {
        Outcome::Exception {
            type_name, line, ..
        } => {
            assert_eq!(type_name, "SyntaxError");
            assert_eq!(*line, Some(2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn constructs_outside_the_subset_are_named_with_their_line() {
    for (src, what) in [
        ("x = 1\nasync def f():\n    pass\n", "async def"),
        ("import os\n", "`import os`"),
        ("with open('f') as f:\n    pass\n", "with"),
        ("x = 1\nname = input('who? ')\n", "the built-in `input`"),
        ("def f():\n    return super()\n", "the built-in `super`"),
    ] {
        match trace(src).outcome {
            Outcome::Unsupported { message, line } => {
                assert!(message.contains(what), "{message}");
                assert!(
                    message.ends_with(&format!(" is not supported (line {line})")),
                    "{message}"
                );
            }
            other => panic!("{src}: {other:?}"),
        }
    }
}

#[test]
fn a_program_may_bind_the_name_of_a_builtin_memlane_lacks() {
    let t = trace(
        "def input(p):\n    return p\ndef f(open):\n    return open\nprint(input('a'), f(1))\n",
    );
    assert_eq!(t.outcome, Outcome::Finished);
    assert_eq!(last_line(&t).stdout, "a 1\n");
}

#[test]
fn is_with_a_literal_warns_before_the_first_step() {
    let t = trace("x = 1\nif x is 1 or x is not 'a':\n    print(x is None)\n");
    assert_eq!(t.outcome, Outcome::Finished);
    let first = t.snapshot(0);
    assert_eq!(
        first.stderr,
        format!(
            "{0}:2: SyntaxWarning: \"is\" with 'int' literal. Did you mean \"==\"?\n  \
             if x is 1 or x is not 'a':\n{0}:2: SyntaxWarning: \"is not\" with 'str' literal. \
             Did you mean \"!=\"?\n  if x is 1 or x is not 'a':\n",
            RunOptions::default().filename
        )
    );
    assert_eq!(last_line(&t).stdout, "False\n");
}

#[test]
fn the_step_limit_keeps_the_steps_so_far() {
    let options = RunOptions {
        max_steps: 50,
        ..RunOptions::default()
    };
    let t = run("while True:\n    pass\n", &options);
    assert_eq!(t.len(), 50);
    assert!(matches!(&t.outcome, Outcome::Limit { message } if message.contains("50 steps")));
}

#[test]
fn the_object_cap_raises_memory_error_and_keeps_the_steps_so_far() {
    let options = RunOptions {
        max_objects: 2_000,
        ..RunOptions::default()
    };
    let t = run("a = 1\nx = [str(i) for i in range(5000)]\n", &options);
    assert_eq!(t.outcome.error_line().as_deref(), Some("MemoryError"));
    assert!(t.len() > 1, "the steps before the error are kept");
}

#[test]
fn the_per_step_iteration_cap_stops_builtins_that_have_no_lines() {
    let options = RunOptions {
        max_iterations_per_step: 100,
        ..RunOptions::default()
    };
    let t = run(
        "n = 0\nfor i in range(500):\n    n += i\nx = max(range(500))\n",
        &options,
    );
    match &t.outcome {
        Outcome::Limit { message } => assert!(message.contains("more than 100 items"), "{message}"),
        other => panic!("{other:?}"),
    }
    // The Python loop made 500 iterations, one step each: only the builtin hit the cap.
    assert!(t.steps().any(|s| s.line == 4));
}

#[test]
fn a_program_over_the_source_cap_is_refused_before_parsing() {
    let source = format!(
        "s = '{}'\n",
        "a".repeat(memlane_python::limits::MAX_SOURCE_BYTES)
    );
    let t = trace(&source);
    assert!(t.is_empty());
    assert!(matches!(&t.outcome, Outcome::Limit { message } if message.contains("64 KiB")));
}

#[test]
fn recursion_stops_at_the_limit_with_recursion_error() {
    let t = trace("def f(n):\n    return f(n + 1)\nf(0)\n");
    assert_eq!(
        t.outcome.error_line().as_deref(),
        Some("RecursionError: maximum recursion depth exceeded")
    );
    let deepest = t.steps().map(|s| s.frame.0).max().unwrap();
    assert!(deepest >= 999, "frames pushed: {deepest}");
}

#[test]
fn interned_and_immortal_flags_follow_the_profile() {
    let src = "s = 'hello_world'\nn = None\n";
    for (version, immortal) in [
        (Version::Py311, false),
        (Version::Py312, true),
        (Version::Py313, false),
    ] {
        let t = run(
            src,
            &RunOptions {
                profile: Profile::new(version),
                ..RunOptions::default()
            },
        );
        let snap = last_line(&t);
        let s = object_named(&snap, "<module>", "s");
        assert!(s.interned, "{version}");
        assert_eq!(s.immortal, immortal, "{version}");
        assert_eq!(
            object_named(&snap, "<module>", "n").immortal,
            version >= Version::Py312
        );
    }
}

#[test]
fn frames_live_in_the_data_stack() {
    let t = trace("def f():\n    return 1\nf()\n");
    // After step 2 (line 3, the call) f's frame is pushed; its line runs next.
    let snap = t.snapshot(1);
    assert_eq!(snap.frames.len(), 2, "inside f");
    let module = &snap.frames[0];
    let f = &snap.frames[1];
    assert_eq!(
        f.address,
        module.address + module.size,
        "frames are stacked in one chunk"
    );
}

#[test]
fn hostile_inputs_end_in_an_outcome_not_a_panic() {
    let deep = format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    for src in [
        "",
        "\0",
        "x = '\u{1F600}'\n",
        "def\n",
        &deep,
        "x = [0] * 10**9\n",
        "x = 10 ** 10 ** 7\n",
        "print(1\n",
    ] {
        let _ = trace(src);
    }
}

#[test]
fn an_exception_in_del_is_reported_on_stderr_and_ignored() {
    let t = trace("class D:\n    def __del__(self):\n        raise KeyError('oops')\nx = D()\ndel x\nprint('after')\n");
    assert_eq!(t.outcome, Outcome::Finished);
    let snap = last_line(&t);
    assert_eq!(snap.stdout, "after\n");
    assert!(
        snap.stderr
            .starts_with("Exception ignored in: <function D.__del__ at 0x"),
        "{}",
        snap.stderr
    );
    assert!(
        snap.stderr.ends_with("KeyError: 'oops'\n"),
        "{}",
        snap.stderr
    );
}

#[test]
fn a_self_recursive_repr_raises_recursion_error() {
    // Native-to-Python nesting needs more than a test thread's default 2 MiB in debug builds.
    let run = || trace("class R:\n    def __repr__(self):\n        return repr(self)\nrepr(R())\n");
    let t = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
    assert!(
        t.outcome
            .error_line()
            .unwrap()
            .starts_with("RecursionError: maximum recursion depth exceeded"),
        "{:?}",
        t.outcome
    );
}
