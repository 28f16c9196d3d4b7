//! The example gallery page: each example's title, what to watch and its program, with a
//! link that opens it on the full page at its first step.

use yew::prelude::*;

use crate::embed;
use crate::gallery::EXAMPLES;

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    /// Where the site's files are.
    pub base: AttrValue,
}

#[component]
pub fn Gallery(props: &GalleryProps) -> Html {
    html! {
        <ol class="gallery">
            { for EXAMPLES.iter().map(|e| {
                let link = embed::editor_link(&props.base, &e.scenario());
                html! {
                    <li class="example" data-example={e.slug}>
                        <h2><a href={link}>{ e.title }</a></h2>
                        <p>{ e.summary }</p>
                        <pre class="example-code"><code>{ e.code }</code></pre>
                    </li>
                }
            }) }
        </ol>
    }
}
