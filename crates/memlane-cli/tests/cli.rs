//! The `memlane` binary: output, exit status, and the documented JSON trace.

use std::io::Write;
use std::process::{Command, Stdio};

fn memlane(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_memlane"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("memlane runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn run_prints_like_python_and_exits_zero() {
    let (out, err, code) = memlane(&["run", "-"], "x = [1, 2.5, 'a']\nprint(x, len(x))\n");
    assert_eq!(out, "[1, 2.5, 'a'] 3\n");
    assert_eq!(err, "");
    assert_eq!(code, 0);
}

#[test]
fn an_uncaught_exception_prints_a_traceback_and_exits_one() {
    let (out, err, code) = memlane(
        &["run", "--python", "3.11", "-"],
        "print('before')\n{}['k']\n",
    );
    assert_eq!(out, "before\n");
    assert!(
        err.starts_with("Traceback (most recent call last):\n"),
        "{err}"
    );
    assert_eq!(err.lines().last(), Some("KeyError: 'k'"));
    assert_eq!(code, 1);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let (_, err, code) = memlane(&["run", "--python", "2.7", "-"], "");
    assert!(err.contains("unknown Python version '2.7'"), "{err}");
    assert_eq!(code, 2);
    let (_, err, code) = memlane(&["frobnicate"], "");
    assert!(err.contains("unknown command"), "{err}");
    assert_eq!(code, 2);
}

#[test]
fn trace_json_has_the_documented_shape() {
    let (out, _, code) = memlane(
        &["trace", "--python", "3.12", "-"],
        "a = [1000]\nb = a\ndel a\n",
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["format"], 1);
    assert_eq!(doc["python"], "3.12");
    assert_eq!(doc["outcome"]["status"], "finished");
    let steps = doc["trace"].as_array().unwrap();
    assert_eq!(doc["steps"].as_u64().unwrap() as usize, steps.len());
    assert_eq!(steps.last().unwrap()["kind"], "exit");
    let second = &steps[1];
    assert_eq!(second["line"], 2);
    for key in ["events", "frames", "objects", "stdout", "gc"] {
        assert!(second.get(key).is_some(), "step lacks {key}");
    }
    let frame = &second["frames"][0];
    assert_eq!(frame["function"], "<module>");
    let target = |name: &str| {
        frame["locals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .map(|b| b["target"].clone())
            .unwrap()
    };
    assert_eq!(target("a"), target("b"));
    let list = second["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == target("a"))
        .unwrap();
    assert_eq!(list["type_name"], "list");
    assert_eq!(list["refcount"], 2);
    for key in [
        "address",
        "size",
        "runtime_refs",
        "immortal",
        "interned",
        "gc_tracked",
        "generation",
        "placement",
        "internal",
        "referents",
    ] {
        assert!(list.get(key).is_some(), "object lacks {key}");
    }
    // Step 3 (`del a`) unbinds a; the list lives on through b.
    assert!(steps[2]["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["event"] == "unbind" && e["name"] == "a"));
}

/// `trace --delta` holds what the full trace holds: the same events for every step, and
/// a start state that, with them applied, gives every step's frames, objects and output.
#[test]
fn a_delta_trace_replays_to_the_full_trace() {
    use memlane_core::{Event, FrameView};
    let program = "import gc\nclass A:\n    pass\nx = A()\nx.me = x\nitems = [[i] for i in range(40)]\n\
                   for i in range(30):\n    items.append(i)\ndel x\nprint(gc.collect(), len(items))\ndef f(n):\n    return [n] * n\nprint(sum(f(3)))\n";
    let (full, _, code) = memlane(&["trace", "-"], program);
    assert_eq!(code, 0);
    let (delta, _, code) = memlane(&["trace", "--delta", "-"], program);
    assert_eq!(code, 0);
    let full: serde_json::Value = serde_json::from_str(&full).unwrap();
    let delta: serde_json::Value = serde_json::from_str(&delta).unwrap();
    assert_eq!(delta["delta"], true);
    assert!(full.get("delta").is_none() && full.get("start").is_none());
    for key in ["format", "python", "steps", "outcome"] {
        assert_eq!(full[key], delta[key], "{key}");
    }

    // The start state, as a snapshot the core can apply events to.
    let start = &delta["start"];
    let mut snap = memlane_core::Snapshot {
        frames: serde_json::from_value::<Vec<FrameView>>(start["frames"].clone()).unwrap(),
        stdout: start["stdout"].as_str().unwrap().to_owned(),
        ..Default::default()
    };
    for o in start["objects"].as_array().unwrap() {
        let object: memlane_core::ObjectView = serde_json::from_value(o.clone()).unwrap();
        snap.objects.insert(object.id, std::sync::Arc::new(object));
    }
    let (full_steps, delta_steps) = (
        full["trace"].as_array().unwrap(),
        delta["trace"].as_array().unwrap(),
    );
    assert_eq!(full_steps.len(), delta_steps.len());
    assert!(full_steps.len() > 100, "{} steps", full_steps.len());
    for (f, d) in full_steps.iter().zip(delta_steps) {
        for key in ["step", "line", "kind", "events"] {
            assert_eq!(f[key], d[key], "step {}: {key}", f["step"]);
        }
        assert!(d.get("objects").is_none(), "a delta step carries no state");
        for e in d["events"].as_array().unwrap() {
            snap.apply(&serde_json::from_value::<Event>(e.clone()).unwrap());
        }
        let ids = |objects: &serde_json::Value| -> Vec<serde_json::Value> {
            objects
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].clone())
                .collect()
        };
        let replayed: Vec<serde_json::Value> = snap
            .objects
            .keys()
            .map(|id| serde_json::json!(id))
            .collect();
        assert_eq!(
            ids(&f["objects"]),
            replayed,
            "step {}: live objects",
            f["step"]
        );
        for (o, mine) in f["objects"]
            .as_array()
            .unwrap()
            .iter()
            .zip(snap.objects.values())
        {
            for key in ["refcount", "referents", "value", "address", "type_name"] {
                assert_eq!(
                    o[key],
                    serde_json::to_value(mine).unwrap()[key],
                    "step {}: {key}",
                    f["step"]
                );
            }
        }
        assert_eq!(
            f["frames"],
            serde_json::to_value(&snap.frames).unwrap(),
            "step {}",
            f["step"]
        );
        assert_eq!(
            f["stdout"].as_str().unwrap(),
            snap.stdout,
            "step {}",
            f["step"]
        );
    }
    // And it is smaller: the objects are not repeated at every step.
    assert!(
        delta.to_string().len() * 5 < full.to_string().len(),
        "{} vs {} bytes",
        delta.to_string().len(),
        full.to_string().len()
    );
}
