//! What the program printed so far, and how it ended once the last step is shown.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OutputProps {
    pub stdout: AttrValue,
    pub error: Option<AttrValue>,
    pub finished: bool,
}

#[component]
pub fn Output(props: &OutputProps) -> Html {
    html! {
        <section class="output" aria-labelledby="output-heading">
            <h3 id="output-heading">{ "Output" }</h3>
            if props.stdout.is_empty() {
                <p class="empty">{ "Nothing printed yet." }</p>
            } else {
                <pre class="stdout">{ props.stdout.clone() }</pre>
            }
            if let Some(error) = &props.error {
                <p class="error">{ error.clone() }</p>
            }
            if props.finished {
                <p class="finished">{ "The program finished." }</p>
            }
        </section>
    }
}
