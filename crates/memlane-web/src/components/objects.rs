//! The live heap objects: type, value, reference count, address and size of each.

use memlane_core::{ObjectView, Placement};
use yew::prelude::*;

use crate::hex;

#[derive(Properties, PartialEq)]
pub struct ObjectsProps {
    pub objects: Vec<ObjectView>,
    /// How many internal objects are left out.
    pub hidden: usize,
    pub show_internal: bool,
    pub on_show_internal: Callback<bool>,
}

#[component]
pub fn Objects(props: &ObjectsProps) -> Html {
    let toggle = {
        let cb = props.on_show_internal.clone();
        let show = props.show_internal;
        Callback::from(move |_: Event| cb.emit(!show))
    };
    let summary = match props.hidden {
        0 => format!("{} live", props.objects.len()),
        n => format!("{} live, {} internal hidden", props.objects.len(), n),
    };
    html! {
        <section class="objects" aria-labelledby="objects-heading">
            <div class="objects-head">
                <h2 id="objects-heading">{ "Objects" }</h2>
                <span class="meta">{ summary }</span>
                <label class="toggle">
                    <input type="checkbox" checked={props.show_internal} onchange={toggle} />
                    { " Show internal objects" }
                </label>
            </div>
            if props.objects.is_empty() {
                <p class="empty">{ "No objects to show." }</p>
            } else {
                <ul class="object-list">{ for props.objects.iter().map(object) }</ul>
            }
        </section>
    }
}

fn object(o: &ObjectView) -> Html {
    let placement = match o.placement {
        Placement::Static => "static",
        Placement::Pool => "pymalloc pool",
        Placement::Malloc => "malloc",
    };
    let mut flags = Vec::new();
    if o.immortal {
        flags.push("immortal".to_owned());
    }
    if o.interned {
        flags.push("interned".to_owned());
    }
    if o.gc_tracked {
        flags.push(match o.generation {
            Some(g) => format!("GC tracked, generation {g}"),
            None => "GC tracked".to_owned(),
        });
    }
    if o.internal {
        flags.push("internal".to_owned());
    }
    let refcount = html! {
        <>
            <span class="refcount">{ o.refcount }</span>
            if o.runtime_refs > 0 {
                <span class="runtime-refs" title="references the interpreter itself holds">
                    { format!(" ({} by the runtime)", o.runtime_refs) }
                </span>
            }
        </>
    };
    html! {
        <li
            class={classes!("object", o.internal.then_some("internal"))}
            id={format!("obj-{}", o.id.0)}
            data-object-id={o.id.0.to_string()}
            data-address={hex(o.address)}
        >
            <div class="object-head">
                <span class="type">{ o.type_name.clone() }</span>
                <code class="value" title={o.value.clone()}>{ o.value.clone() }</code>
                <span class="id">{ format!("#{}", o.id.0) }</span>
            </div>
            <dl class="facts">
                { fact("refcount", refcount) }
                { fact("address", html! { <code class="address">{ hex(o.address) }</code> }) }
                { fact("size", html! { <span class="size">{ format!("{} B", o.size) }</span> }) }
                { fact("memory", html! { placement }) }
            </dl>
            if !flags.is_empty() {
                <ul class="flags">{ for flags.into_iter().map(|f| html! { <li>{ f }</li> }) }</ul>
            }
            if !o.referents.is_empty() {
                <ul class="referents" aria-label="References it holds">
                    { for o.referents.iter().map(|r| html! {
                        <li>
                            <code>{ r.label.clone() }</code>
                            <span aria-hidden="true">{ " → " }</span>
                            <a href={format!("#obj-{}", r.target.0)}>
                                { format!("#{}", r.target.0) }
                            </a>
                        </li>
                    }) }
                </ul>
            }
        </li>
    }
}

/// One label/value row of an object's facts.
fn fact(label: &'static str, value: Html) -> Html {
    html! { <div><dt>{ label }</dt><dd>{ value }</dd></div> }
}
