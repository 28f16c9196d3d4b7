//! The JSON form of a trace: a public interface, documented in docs/trace-format.md.

use memlane_core::{Event, Trace};
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

#[derive(Serialize)]
struct StepJson<'a> {
    step: usize,
    line: u32,
    kind: memlane_core::StepKind,
    events: &'a [Event],
    frames: &'a [memlane_core::FrameView],
    objects: Vec<&'a memlane_core::ObjectView>,
    stdout: &'a str,
    gc: &'a memlane_core::GcView,
}

/// serde_json wraps I/O errors; keep their kind (a closed pipe is not a failure).
fn io_error(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    }
}

/// Writes `{"format":1, "python":..., "outcome":..., "steps":[...]}`; each step carries its
/// events and the full state after it (frames and live objects).
pub fn write_trace_json(trace: &Trace, out: &mut impl Write) -> std::io::Result<()> {
    let header = Header {
        format: FORMAT_VERSION,
        python: trace.profile.version.as_str(),
        steps: trace.len(),
        outcome: &trace.outcome,
    };
    let head = serde_json::to_string(&header).map_err(io_error)?;
    // Splice the steps array into the header object, streaming one step at a time.
    write!(out, "{},\"trace\":[", &head[..head.len() - 1])?;
    let mut snap = trace.snapshot_at_event(trace.prologue_end);
    for (i, step) in trace.steps.iter().enumerate() {
        for ev in &trace.events[step.first_event..step.end_event] {
            snap.apply(ev);
        }
        let json = StepJson {
            step: i + 1,
            line: step.line,
            kind: step.kind,
            events: &trace.events[step.first_event..step.end_event],
            frames: &snap.frames,
            objects: snap.objects.values().collect(),
            stdout: &snap.stdout,
            gc: &snap.gc,
        };
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &json).map_err(io_error)?;
        out.write_all(b"\n")?;
    }
    out.write_all(b"]}\n")
}
