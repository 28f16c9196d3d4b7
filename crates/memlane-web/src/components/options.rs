//! How the diagram draws things, and which CPython the program is traced as.

use memlane_core::Version;
use yew::prelude::*;

use crate::state::ViewOptions;

#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    pub view: ViewOptions,
    pub version: Version,
    /// How many live objects the program cannot reach (hidden unless asked).
    pub hidden: usize,
    pub on_show_internal: Callback<bool>,
    pub on_inline_small: Callback<bool>,
    pub on_frames_in_heap: Callback<bool>,
    pub on_version: Callback<Version>,
}

#[component]
pub fn Options(props: &OptionsProps) -> Html {
    let checkbox = |checked: bool, cb: &Callback<bool>, label: String, class: &'static str| {
        let cb = cb.clone();
        html! {
            <label class={classes!("toggle", class)}>
                <input type="checkbox" {checked} onchange={Callback::from(move |_: Event| cb.emit(!checked))} />
                { " " }{ label }
            </label>
        }
    };
    let on_frames = {
        let cb = props.on_frames_in_heap.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            cb.emit(select.value() == "heap");
        })
    };
    let on_version = {
        let cb = props.on_version.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(v) = Version::parse(&select.value()) {
                cb.emit(v);
            }
        })
    };
    let internal_label = if props.view.show_internal || props.hidden == 0 {
        "Show internal objects".to_owned()
    } else {
        format!("Show internal objects ({} hidden)", props.hidden)
    };
    html! {
        <div class="view-options" role="group" aria-label="Diagram options">
            { checkbox(props.view.show_internal, &props.on_show_internal, internal_label, "show-internal") }
            { checkbox(props.view.inline_small, &props.on_inline_small,
                       "Small ints and strings inline".to_owned(), "inline-small") }
            <label class="select">
                { "Frames: " }
                <select aria-label="Frames drawn as" onchange={on_frames}>
                    <option value="stack" selected={!props.view.frames_in_heap}>{ "textbook stack" }</option>
                    <option value="heap" selected={props.view.frames_in_heap}>{ "CPython placement" }</option>
                </select>
            </label>
            <label class="select">
                { "CPython " }
                <select aria-label="CPython version" onchange={on_version}>
                    { for Version::ALL.iter().map(|v| html! {
                        <option value={v.as_str()} selected={*v == props.version}>{ v.as_str() }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}
