//! Plain-language narration of events and steps, for the widget's live region and for
//! readers of a trace. Sentences name objects the way a reader sees them: by type, short
//! value and address.

use crate::event::{Event, GcPhase, Holder};
use crate::log::Stored;
use crate::trace::{StepKind, Trace};
use crate::view::{FrameId, ObjId, ObjectView, Snapshot};

/// "the list at 0x7ffff7a1c0a0", "the int 1000 at 0x…", "the str 'abc' at 0x…".
pub fn name_object(o: &ObjectView) -> String {
    let scalar = matches!(
        o.type_name.as_str(),
        "int" | "float" | "str" | "bool" | "NoneType"
    );
    if o.type_name == "NoneType" {
        return "None".into();
    }
    if scalar {
        format!("the {} {} at {:#x}", o.type_name, o.value, o.address)
    } else {
        format!("the {} at {:#x}", o.type_name, o.address)
    }
}

fn object(snap: &Snapshot, id: ObjId) -> String {
    snap.object(id)
        .map(name_object)
        .unwrap_or_else(|| "a freed object".into())
}

fn holder_text(h: &Holder, snap: &Snapshot) -> String {
    match h {
        Holder::Name { name, .. } => format!("the name `{name}`"),
        Holder::Stack { .. } => "a temporary on the evaluation stack".into(),
        Holder::Object { obj, label } => match snap.object(*obj) {
            Some(o) if o.internal => format!("an internal {} ({label})", o.type_name),
            Some(o) => format!("{} {label}", name_object(o)),
            None => format!("{label} of a freed object"),
        },
        Holder::Runtime { what } => what.clone(),
    }
}

/// One sentence for one event, given the state just before it; None for bookkeeping the
/// reader does not need told (stack pushes of internal objects, flag refreshes).
pub fn describe_event(event: &Event, before: &Snapshot) -> Option<String> {
    Some(match event {
        Event::Alloc { object } => {
            if object.internal {
                return None;
            }
            format!(
                "A new {} is created at {:#x} ({} bytes).",
                object.type_name, object.address, object.size
            )
        }
        Event::Refcount {
            obj,
            count,
            delta,
            holder,
        } => {
            let o = before.object(*obj)?;
            if o.internal {
                return None;
            }
            let from = o.refcount;
            match delta {
                1 => format!(
                    "{} gains a reference from {}: its refcount goes from {from} to {count}.",
                    capitalize(&name_object(o)),
                    holder_text(holder, before)
                ),
                -1 => format!(
                    "{} loses the reference from {}: its refcount goes from {from} to {count}.",
                    capitalize(&name_object(o)),
                    holder_text(holder, before)
                ),
                _ => return None,
            }
        }
        Event::Free { obj, address } => {
            let o = before.object(*obj)?;
            if o.internal {
                return None;
            }
            format!("Nothing refers to the {} any more: it is freed and its memory at {address:#x} goes back to the allocator.", o.type_name)
        }
        Event::Change { obj, value, .. } => {
            let o = before.object(*obj)?;
            if o.internal {
                return None;
            }
            format!("{} changes: now {value}.", capitalize(&name_object(o)))
        }
        Event::Bind {
            frame,
            name,
            target,
        } => {
            let f = before.frame(*frame)?;
            format!(
                "In {}, `{name}` now refers to {}.",
                f.function,
                object(before, *target)
            )
        }
        Event::Unbind { frame, name } => {
            let f = before.frame(*frame)?;
            format!("In {}, the name `{name}` is removed.", f.function)
        }
        Event::FramePush { frame } => format!(
            "A call to {} begins: a new frame is pushed at {:#x}.",
            frame.function, frame.address
        ),
        Event::FramePop { frame } => format!(
            "The frame of {} is cleared and popped; its names let go of their objects.",
            before.frame(*frame)?.function
        ),
        Event::FrameSuspend { frame } => format!(
            "The generator {} pauses at `yield`; its frame stays inside the generator.",
            before.frame(*frame)?.function
        ),
        Event::FrameResume { frame } => {
            format!("The generator {} resumes.", before.frame(*frame)?.function)
        }
        Event::Output { text } => format!("The program prints {:?}.", text.trim_end_matches('\n')),
        Event::Stderr { text } => format!(
            "Python reports on stderr: {}.",
            text.lines().last().unwrap_or("").trim_end_matches('.')
        ),
        Event::Gc { phase, objects, .. } => match phase {
            GcPhase::Start { generation } => format!(
                "The cycle collector starts on generation {generation} (and the younger ones)."
            ),
            GcPhase::CopyRefcounts => format!(
                "It copies the refcounts of the {} tracked objects it examines.",
                objects.len()
            ),
            GcPhase::SubtractInternal => {
                "It subtracts the references those objects hold to each other.".into()
            }
            GcPhase::FindUnreachable => match objects.len() {
                0 => "Every object it examined is still reachable.".into(),
                1 => "1 object is reachable only from itself: it is garbage.".into(),
                n => format!("{n} objects are reachable only from each other: they are garbage."),
            },
            GcPhase::Finalize if objects.is_empty() => return None,
            GcPhase::Finalize => format!("It runs __del__ for {} of them.", objects.len()),
            GcPhase::Clear if objects.is_empty() => return None,
            GcPhase::Clear => "It clears their references, which frees them.".into(),
            GcPhase::Done { collected } => format!(
                "The collection ends: {collected} unreachable object{} found.",
                if *collected == 1 { "" } else { "s" }
            ),
        },
        Event::Push { .. } | Event::Pop { .. } | Event::Flags { .. } | Event::Line { .. } => {
            return None
        }
        Event::PageFault {
            address,
            frame: Some(frame),
            swap_in,
            ..
        } => {
            let page = address & !(crate::paging::PAGE_SIZE - 1);
            match swap_in {
                Some(slot) => format!(
                    "Page {page:#x} was in swap slot {slot}: a page fault reads it back into frame {frame}."
                ),
                None => format!(
                    "The first touch of page {page:#x} faults: the kernel gives it frame {frame}."
                ),
            }
        }
        Event::Evict {
            vpn, frame, slot, ..
        } => format!(
            "RAM is full: page {:#x} goes to swap slot {slot}, freeing frame {frame}.",
            vpn << crate::paging::PAGE_SHIFT
        ),
        Event::Mmap { region, .. } if region.what == crate::vmem::RegionKind::Arena => {
            format!("pymalloc maps a new 1 MiB arena at {:#x}.", region.start)
        }
        Event::Munmap {
            pid, start, frames, ..
        } if before
            .memory
            .region_at(*pid, *start)
            .is_some_and(|r| r.what == crate::vmem::RegionKind::Arena) =>
        {
            format!(
                "pymalloc returns the empty arena at {start:#x} to the system; {} frames are free again.",
                frames.len()
            )
        }
        // The rest of virtual memory is bookkeeping for the memory view.
        Event::MemoryStart { .. }
        | Event::ProcessStart { .. }
        | Event::Mmap { .. }
        | Event::Munmap { .. }
        | Event::TlbMiss { .. }
        | Event::PageFault { .. }
        | Event::TlbCount { .. } => return None,
    })
}

/// Whether [`describe_event`] has a sentence for `event`, without making it: event
/// stepping counts the narrated events of every step of a trace, and most of that
/// count's time went into sentences it threw away. `tests/narration.rs` checks the two
/// agree on every event of every conformance program.
pub fn is_narrated(event: &Event, before: &Snapshot) -> bool {
    let shown = |obj: &ObjId| before.object(*obj).is_some_and(|o| !o.internal);
    let has_frame = |frame: &FrameId| before.frame(*frame).is_some();
    match event {
        Event::Alloc { object } => !object.internal,
        Event::Refcount { obj, delta, .. } => matches!(delta, 1 | -1) && shown(obj),
        Event::Free { obj, .. } | Event::Change { obj, .. } => shown(obj),
        Event::Bind { frame, .. }
        | Event::Unbind { frame, .. }
        | Event::FramePop { frame }
        | Event::FrameSuspend { frame }
        | Event::FrameResume { frame } => has_frame(frame),
        Event::FramePush { .. }
        | Event::Output { .. }
        | Event::Stderr { .. }
        | Event::Evict { .. } => true,
        Event::Gc { phase, objects, .. } => {
            !matches!(phase, GcPhase::Finalize | GcPhase::Clear) || !objects.is_empty()
        }
        Event::PageFault { frame, .. } => frame.is_some(),
        Event::Mmap { region, .. } => region.what == crate::vmem::RegionKind::Arena,
        Event::Munmap { pid, start, .. } => before
            .memory
            .region_at(*pid, *start)
            .is_some_and(|r| r.what == crate::vmem::RegionKind::Arena),
        Event::Push { .. }
        | Event::Pop { .. }
        | Event::Flags { .. }
        | Event::Line { .. }
        | Event::MemoryStart { .. }
        | Event::ProcessStart { .. }
        | Event::TlbMiss { .. }
        | Event::TlbCount { .. } => false,
    }
}

/// One sentence for a whole step: what the line did to names and objects.
/// `code` is the text of the step's line.
pub fn describe_step(trace: &Trace, index: usize, code: &str) -> String {
    let Some(step) = trace.step(index) else {
        return String::new();
    };
    if step.kind == StepKind::Exit {
        return "The program has ended: the interpreter clears the module's names and runs a last collection.".into();
    }
    describe_step_between(
        trace,
        index,
        code,
        &trace.snapshot_before(index),
        &trace.snapshot(index),
    )
}

/// [`describe_step`] for a caller that holds the states around the step: `before`, the
/// state after step `index - 1` (after start-up for the first step), and `after`, the
/// state after step `index`.
pub fn describe_step_between(
    trace: &Trace,
    index: usize,
    code: &str,
    before: &Snapshot,
    after: &Snapshot,
) -> String {
    let Some(step) = trace.step(index) else {
        return String::new();
    };
    if step.kind == StepKind::Exit {
        return describe_step(trace, index, code);
    }
    let code = code.trim();
    let mut parts = Vec::new();
    let events = trace.iter_stored_without_holder_texts(step.events());
    for stored in events {
        // A container's change (a splice) is not part of the summary.
        let Stored::Event(ev) = stored else {
            continue;
        };
        match &ev {
            Event::Bind {
                name,
                target,
                frame,
            } if after.frame(*frame).is_some_and(|f| {
                f.locals
                    .iter()
                    .any(|b| &b.name == name && b.target == *target)
            }) =>
            {
                if parts
                    .iter()
                    .any(|p: &String| p.contains(&format!("binds {name} ")))
                {
                    continue;
                }
                let Some(o) = after.object(*target) else {
                    continue;
                };
                let from = before.object(*target).map_or(0, |b| b.refcount);
                let counts = if from == o.refcount || o.immortal {
                    String::new()
                } else {
                    format!("; its refcount goes from {from} to {}", o.refcount)
                };
                parts.push(format!("binds {name} to {}{counts}", name_object(o)));
            }
            Event::FramePush { frame } => parts.push(format!("calls {}", frame.function)),
            Event::FramePop { frame } => {
                if let Some(f) = before.frame(*frame) {
                    parts.push(format!("returns from {}", f.function));
                }
            }
            Event::Free { obj, .. } => {
                if let Some(o) = before.object(*obj).filter(|o| !o.internal) {
                    parts.push(format!("frees {}", name_object(o)));
                }
            }
            Event::Gc {
                phase: GcPhase::Done { collected },
                ..
            } => parts.push(format!(
                "runs the cycle collector, which finds {collected} unreachable object{}",
                if *collected == 1 { "" } else { "s" }
            )),
            Event::Output { text } => {
                parts.push(format!("prints {:?}", text.trim_end_matches('\n')))
            }
            _ => {}
        }
    }
    parts.dedup();
    if parts.is_empty() {
        return format!("`{code}` runs.");
    }
    let list = match parts.len() {
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    format!("`{code}` {list}.")
}

/// `s` with its first letter uppercased: `name_object`'s text, which starts with `the`
/// or `None`, so ASCII is enough (Unicode's case tables cost the page 15.7 KB).
fn capitalize(s: &str) -> String {
    let mut s = s.to_string();
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}
