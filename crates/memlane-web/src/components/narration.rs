//! One plain-language sentence for the step (or event) shown, from the core's narration.
//! A polite live region: screen readers read it after each move without interrupting.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub sentence: AttrValue,
}

#[component]
pub fn Narration(props: &NarrationProps) -> Html {
    html! {
        <p class="narration" aria-live="polite" aria-atomic="true">
            { props.sentence.clone() }
        </p>
    }
}
