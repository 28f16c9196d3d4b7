//! The program's source, with the line that just ran and the line that runs next marked.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SourceProps {
    pub source: AttrValue,
    pub current_line: Option<u32>,
    pub next_line: Option<u32>,
}

#[component]
pub fn Source(props: &SourceProps) -> Html {
    let lines = props.source.lines().enumerate().map(|(i, text)| {
        let n = i as u32 + 1;
        let current = props.current_line == Some(n);
        let next = props.next_line == Some(n) && !current;
        let marker = if current {
            "ran"
        } else if next {
            "next"
        } else {
            ""
        };
        html! {
            <li
                data-line={n.to_string()}
                class={classes!(current.then_some("current"), next.then_some("next"))}
                aria-current={current.then_some("step")}
            >
                <span class="lineno">{ n }</span>
                <span class="marker">{ marker }</span>
                <code>{ if text.is_empty() { " " } else { text } }</code>
            </li>
        }
    });
    html! {
        <ol class="source" aria-label="Source">{ for lines }</ol>
    }
}
