//! A read-only, coloured listing of the program (an embed's `data-readonly`), with the line
//! that ran and the line that runs next marked in words as well as colour.

use yew::prelude::*;

use crate::highlight::highlight;

#[derive(Properties, PartialEq)]
pub struct ListingProps {
    pub code: AttrValue,
    pub current_line: Option<u32>,
    pub next_line: Option<u32>,
}

/// A read-only, coloured listing of the program with the ran / next markers.
#[component]
pub fn Listing(props: &ListingProps) -> Html {
    let lines = highlight(&props.code);
    html! {
        <section class="editor listing" aria-label="Program">
            <ol class="listing-lines">
                { for lines.iter().enumerate().map(|(i, spans)| {
                    let n = i as u32 + 1;
                    let (class, marker) = if props.current_line == Some(n) {
                        (Some("current"), "ran")
                    } else if props.next_line == Some(n) {
                        (Some("next"), "next")
                    } else {
                        (None, "")
                    };
                    html! {
                        <li data-line={n.to_string()} class={classes!(class)}
                            aria-current={(props.current_line == Some(n)).then_some("step")}>
                            <span class="marker">{ marker }</span>
                            <code>
                                { for spans.iter().map(|(kind, text)| html! {
                                    <span class={kind.class()}>{ text.clone() }</span>
                                }) }
                            </code>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
