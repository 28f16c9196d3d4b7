//! "Step N of M", the line that ran, and the two stepping buttons.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub position: AttrValue,
    /// What the shown step did: "Ran line 7".
    pub caption: AttrValue,
    pub can_step_back: bool,
    pub can_step_forward: bool,
    pub on_back: Callback<MouseEvent>,
    pub on_forward: Callback<MouseEvent>,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    html! {
        <nav class="controls" aria-label="Stepping">
            <button
                type="button"
                class="step-back"
                disabled={!props.can_step_back}
                onclick={props.on_back.clone()}
            >
                <span aria-hidden="true">{ "◀ " }</span>{ "Step back" }
            </button>
            <p class="position" aria-live="polite">
                <strong class="step-label">{ props.position.clone() }</strong>
                <span class="ran-line">{ props.caption.clone() }</span>
            </p>
            <button
                type="button"
                class="step-forward"
                disabled={!props.can_step_forward}
                onclick={props.on_forward.clone()}
            >
                { "Step forward" }<span aria-hidden="true">{ " ▶" }</span>
            </button>
        </nav>
    }
}
