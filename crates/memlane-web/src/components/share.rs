//! "Copy link": copies the permalink of what is shown. Where the Clipboard API is missing
//! or refuses, the link is shown selected in a read-only field instead, and the note says
//! which happened.

use yew::prelude::*;

/// What the last "Copy link" did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShareStatus {
    #[default]
    Idle,
    /// The Clipboard API took the link.
    Copied,
    /// No clipboard access: the link is selected in the field for the reader to copy.
    Manual,
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    /// The whole address of the shown position.
    pub link: AttrValue,
    pub status: ShareStatus,
    pub on_copy: Callback<()>,
}

#[component]
pub fn Share(props: &ShareProps) -> Html {
    let field = use_node_ref();
    {
        // Select the link whenever the field is (re)shown or the link changes.
        let field = field.clone();
        use_effect_with((props.status, props.link.clone()), move |_| {
            if let Some(input) = field.cast::<web_sys::HtmlInputElement>() {
                input.select();
            }
        });
    }
    let onclick = props.on_copy.reform(|_: MouseEvent| ());
    html! {
        <section class="share" aria-label="Share">
            <button type="button" class="copy-link" {onclick}>{ "Copy link" }</button>
            <span class="share-note" role="status">
                { match props.status {
                    ShareStatus::Idle => "",
                    ShareStatus::Copied => "Link copied to the clipboard.",
                    ShareStatus::Manual => "This browser does not let the page use the \
                        clipboard: the link is selected below, copy it with Ctrl+C (⌘C on a Mac).",
                } }
            </span>
            if props.status == ShareStatus::Manual {
                <input
                    ref={field}
                    class="share-link"
                    type="text"
                    readonly=true
                    aria-label="Link to this step"
                    value={props.link.clone()}
                    onfocus={Callback::from(|e: FocusEvent| {
                        if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                            input.select();
                        }
                    })}
                />
            }
        </section>
    }
}
