//! A step is CPython's "line" event, plus one when control comes back into a frame (a
//! return into the caller, a generator resumed): docs/trace-format.md. memlane's steps,
//! as the lines they ran, must be those `sys.settrace` reports for the same program under
//! python3 (CPython 3.11), with those frame changes added from its `return` and `call`
//! events. Needs `python3` and fails if it is missing.

use memlane_core::{Profile, StepKind, Version};
use memlane_python::{run, RunOptions};
use std::process::Command;

/// Programs whose control flow exercises where line events fall: loops (the jump back
/// has no line of its own), `continue`/`break`, an `if` as a loop's last statement,
/// `else` clauses, calls and returns, a generator, exceptions.
const PROGRAMS: &[&str] = &[
    "total = 0\nfor i in range(4):\n    total += i\nprint(total)\n",
    "i = 0\nwhile i < 3:\n    i += 1\nprint(i)\n",
    "n = 0\nfor i in range(6):\n    if i % 2:\n        continue\n    n += i\nprint(n)\n",
    "for i in range(5):\n    if i == 3:\n        break\n    x = i\nelse:\n    x = -1\nprint(x)\n",
    "xs = []\nfor i in range(4):\n    if i > 1:\n        xs.append(i)\nprint(xs)\n",
    "i = 0\nwhile i < 4:\n    i += 1\n    if i == 2:\n        continue\n    y = i\nelse:\n    y = 0\nprint(y)\n",
    "def f(a):\n    b = a * 2\n    return b\n\nx = f(1)\ny = f(x)\nprint(y)\n",
    "def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n\nprint(fact(4))\n",
    "def gen():\n    for i in range(3):\n        yield i\n\nfor v in gen():\n    print(v)\n",
    "for i in range(2):\n    for j in range(2):\n        print(i, j)\n",
    "try:\n    x = 1 / 0\nexcept ZeroDivisionError:\n    x = 0\nfinally:\n    y = 1\nprint(x, y)\n",
    "d = {}\nfor k in 'abc':\n    d[k] = len(d)\n    if k == 'b':\n        pass\nprint(d)\n",
];

/// The steps of `source` under python3: its line events from the program's own frames,
/// plus the caller's line on a return (or yield) into a program frame, and the resume
/// line of a generator resumed mid-body.
fn cpython_lines(source: &str) -> Vec<u32> {
    let harness = r#"
import sys
src = sys.stdin.read()
code = compile(src, "<prog>", "exec")
lines = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename != "<prog>":
        return None
    if event == "line":
        lines.append(frame.f_lineno)
    elif event == "return" and frame.f_back and frame.f_back.f_code.co_filename == "<prog>":
        lines.append(frame.f_back.f_lineno)
    # A generator's first resume starts at its def line (RETURN_GENERATOR): not mid-body.
    elif event == "call" and frame.f_lasti > 0 and frame.f_lineno != frame.f_code.co_firstlineno:
        lines.append(frame.f_lineno)
    return tracer
sys.settrace(tracer)
try:
    exec(code, {"__name__": "__main__"})
finally:
    sys.settrace(None)
sys.stderr.write(" ".join(map(str, lines)))
"#;
    let mut child = Command::new("python3")
        .args(["-c", harness])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (CPython 3.11) must be installed to compare steps with CPython");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("write the program");
    let out = child.wait_with_output().expect("run python3");
    String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .map(|n| n.parse().expect("a line number"))
        .collect()
}

fn memlane_lines(source: &str) -> Vec<u32> {
    let options = RunOptions {
        profile: Profile::new(Version::Py311),
        ..RunOptions::default()
    };
    run(source, &options)
        .steps()
        .filter(|s| s.kind == StepKind::Line)
        .map(|s| s.line)
        .collect()
}

#[test]
fn steps_are_cpythons_line_events() {
    let version = Command::new("python3")
        .arg("--version")
        .output()
        .expect("python3 must be installed");
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("3.11"),
        "this test compares with CPython 3.11's line events"
    );
    let mut failures = Vec::new();
    for source in PROGRAMS {
        let theirs = cpython_lines(source);
        assert!(!theirs.is_empty(), "python3 reported no line events");
        let ours = memlane_lines(source);
        if ours != theirs {
            failures.push(format!(
                "{source}\n  CPython: {theirs:?}\n  memlane: {ours:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
