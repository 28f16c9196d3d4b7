//! Everything the core knows about one object: opened by clicking its card (or Enter on
//! it). Who holds it comes from `Snapshot::holders`, never from the page's own counting.

use std::rc::Rc;

use memlane_core::{ObjId, Placement, Snapshot};
use yew::prelude::*;

use crate::hex;
use crate::layout::PAGE_SIZE;

#[derive(Properties, PartialEq)]
pub struct DetailsProps {
    pub snapshot: Rc<Snapshot>,
    pub selected: ObjId,
    pub on_close: Callback<()>,
}

#[component]
pub fn Details(props: &DetailsProps) -> Html {
    let Some(o) = props.snapshot.object(props.selected) else {
        return html! {};
    };
    let holders = props.snapshot.holders(o.id);
    let placement = match o.placement {
        Placement::Static => "static: inside the python3 executable",
        Placement::Pool => "a block of a pymalloc pool",
        Placement::Malloc => "malloc (requests over 512 bytes)",
    };
    let gc = match (o.gc_tracked, o.generation) {
        (true, Some(g)) => format!("tracked, generation {g}"),
        (true, None) => "tracked".to_owned(),
        (false, _) => "not tracked".to_owned(),
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let refcount = if o.runtime_refs > 0 {
        format!(
            "{} ({} held by the interpreter itself)",
            o.refcount, o.runtime_refs
        )
    } else {
        o.refcount.to_string()
    };
    // The core's translation through the modelled page tables.
    let physical = match props.snapshot.physical_address(o.address) {
        Some(p) => format!(
            "{} (frame {:#x}, offset {:#x})",
            hex(p),
            p / PAGE_SIZE,
            p % PAGE_SIZE
        ),
        None if props.snapshot.memory.frames.is_empty() => "not modelled in this trace".to_owned(),
        None => "not resident (never touched, or swapped out)".to_owned(),
    };
    let onclick = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let row = |label: &'static str, value: Html| {
        html! {
            <div><dt>{ label }</dt><dd>{ value }</dd></div>
        }
    };
    html! {
        <section class="details" aria-labelledby="details-heading" data-details-id={o.id.0.to_string()}>
            <div class="details-head">
                <h2 id="details-heading">{ format!("{} #{}", o.type_name, o.id.0) }</h2>
                <button type="button" class="close" onclick={onclick}>{ "Close details" }</button>
            </div>
            <dl class="details-facts">
                { row("type", html! { <code>{ o.type_name.clone() }</code> }) }
                { row("value", html! { <code class="value">{ o.value.clone() }</code> }) }
                { row("refcount", html! { <span class="refcount">{ refcount }</span> }) }
                { row("held by", if holders.is_empty() {
                    html! { <span>{ "only the interpreter" }</span> }
                } else {
                    html! { <ul class="holders">{ for holders.iter().map(|h| html! { <li>{ h.clone() }</li> }) }</ul> }
                }) }
                { row("id()", html! { <code>{ o.address.to_string() }</code> }) }
                { row("address", html! { <code class="address">{ hex(o.address) }</code> }) }
                { row("virtual page", html! { <code>{ hex(o.address / PAGE_SIZE * PAGE_SIZE) }</code> }) }
                { row("physical", html! { <code class="physical">{ physical }</code> }) }
                { row("size", html! { { format!("{} bytes (sys.getsizeof)", o.size) } }) }
                { row("interned", html! { yes_no(o.interned) }) }
                { row("immortal", html! { yes_no(o.immortal) }) }
                { row("cyclic GC", html! { gc }) }
                { row("memory", html! { placement }) }
                { row("internal", html! { yes_no(o.internal) }) }
            </dl>
        </section>
    }
}
