//! The frames, outermost first: each frame's names and the object each name refers to.
//! A suspended generator's frame is kept (it lives inside its generator) but marked.

use std::rc::Rc;

use memlane_core::{Binding, FrameView, Snapshot};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FramesProps {
    pub snapshot: Rc<Snapshot>,
}

#[component]
pub fn Frames(props: &FramesProps) -> Html {
    let snapshot = &props.snapshot;
    // The running frame: the last one on the call stack (suspended frames are off it).
    let innermost = snapshot.frames.iter().rposition(|f| !f.suspended);
    let frames = snapshot
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| frame(snapshot, f, Some(i) == innermost));
    html! {
        <section class="frames" aria-labelledby="frames-heading">
            <h2 id="frames-heading">{ "Frames" }</h2>
            if snapshot.frames.is_empty() {
                <p class="empty">{ "No frames: nothing is running." }</p>
            } else {
                { for frames }
            }
        </section>
    }
}

fn frame(snapshot: &Snapshot, f: &FrameView, innermost: bool) -> Html {
    html! {
        <section
            class={classes!(
                "frame",
                innermost.then_some("innermost"),
                f.suspended.then_some("suspended")
            )}
            data-frame={f.function.clone()}
            aria-label={format!("Frame {}", f.function)}
        >
            <h3>
                <code>{ f.function.clone() }</code>
                <span class="meta">
                    if f.suspended {
                        { "suspended generator, " }
                    }
                    if f.line == 0 {
                        { "not started" }
                    } else {
                        { format!("line {}", f.line) }
                    }
                </span>
            </h3>
            if let Some(dict) = f.namespace {
                <p class="namespace meta">
                    { "Names live in the dict " }
                    <a href={format!("#obj-{}", dict.0)}>{ format!("#{}", dict.0) }</a>
                </p>
            }
            if f.locals.is_empty() {
                <p class="empty">{ "No names bound yet." }</p>
            } else {
                <table class="locals">
                    <tbody>{ for f.locals.iter().map(|b| binding(snapshot, b)) }</tbody>
                </table>
            }
        </section>
    }
}

fn binding(snapshot: &Snapshot, b: &Binding) -> Html {
    let target = snapshot.object(b.target);
    let description = match target {
        Some(o) => format!("{} {}", o.type_name, o.value),
        None => "(freed object)".to_owned(),
    };
    html! {
        <tr data-local={b.name.clone()} data-target-id={b.target.0.to_string()}>
            <th scope="row"><code>{ b.name.clone() }</code></th>
            <td>
                <span class="arrow" aria-hidden="true">{ "→ " }</span>
                <a href={format!("#obj-{}", b.target.0)}>{ description }</a>
            </td>
        </tr>
    }
}
