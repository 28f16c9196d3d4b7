//! What the program printed so far; once the last step is shown, how the run ended
//! (the traceback of an uncaught exception, or memlane's own message).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OutputProps {
    pub stdout: AttrValue,
    pub error: Option<AttrValue>,
    pub traceback: Option<AttrValue>,
    pub finished: bool,
}

#[component]
pub fn Output(props: &OutputProps) -> Html {
    html! {
        <section class="output" aria-labelledby="output-heading">
            <h2 id="output-heading">{ "Output" }</h2>
            if props.stdout.is_empty() {
                <p class="empty">{ "Nothing printed yet." }</p>
            } else {
                <pre class="stdout">{ props.stdout.clone() }</pre>
            }
            if let Some(traceback) = &props.traceback {
                <pre class="traceback" aria-label="Traceback">{ traceback.trim_end().to_owned() }</pre>
            } else if let Some(error) = &props.error {
                <p class="error">{ error.clone() }</p>
            }
            if props.finished {
                <p class="finished">{ "✓ The program finished." }</p>
            }
        </section>
    }
}
