//! Sharing: "Copy link" copies the permalink of what is shown; "Copy embed code" copies
//! the HTML that puts this scenario on another page, in both forms (the script embed and
//! the iframe embed), and shows each in a read-only field. Where the Clipboard API is
//! missing or refuses, the text is shown selected instead, and the note says which
//! happened.

use yew::prelude::*;

use crate::app::clipboard;

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
    /// The script form of the embed code for the shown position.
    #[prop_or_default]
    pub script_embed: AttrValue,
    /// The iframe form.
    #[prop_or_default]
    pub iframe_embed: AttrValue,
}

/// Both forms, as one text for the clipboard.
fn embed_text(script: &str, iframe: &str) -> String {
    format!(
        "<!-- memlane, script form: the widget is drawn in place of the <pre> -->\n{script}\
         \n<!-- or the iframe form -->\n{iframe}"
    )
}

#[component]
pub fn Share(props: &ShareProps) -> Html {
    let field = use_node_ref();
    // Whether the embed code is shown, and what copying it did.
    let embed = use_state(|| None::<ShareStatus>);
    {
        // Select the link whenever the field is (re)shown or the link changes.
        let field = field.clone();
        use_effect_with((props.status, props.link.clone()), move |_| {
            if let Some(input) = field.cast::<web_sys::HtmlInputElement>() {
                input.select();
            }
        });
    }
    // The note speaks of the last button pressed: copying the link closes the embed code.
    let onclick = {
        let embed = embed.clone();
        props.on_copy.reform(move |_: MouseEvent| embed.set(None))
    };
    let on_embed = {
        let embed = embed.clone();
        let text = embed_text(&props.script_embed, &props.iframe_embed);
        Callback::from(move |_: MouseEvent| {
            let Some(clipboard) = clipboard() else {
                embed.set(Some(ShareStatus::Manual));
                return;
            };
            let promise = clipboard.write_text(&text);
            let embed = embed.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                embed.set(Some(if copied {
                    ShareStatus::Copied
                } else {
                    ShareStatus::Manual
                }));
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            area.select();
        }
    });
    let note = match (*embed, props.status) {
        (Some(ShareStatus::Copied), _) => "Embed code (both forms) copied to the clipboard.",
        (Some(ShareStatus::Manual), _) => {
            "This browser does not let the page use the \
            clipboard: select the embed code below and copy it with Ctrl+C (⌘C on a Mac)."
        }
        (_, ShareStatus::Idle) => "",
        (_, ShareStatus::Copied) => "Link copied to the clipboard.",
        (_, ShareStatus::Manual) => {
            "This browser does not let the page use the \
            clipboard: the link is selected below, copy it with Ctrl+C (⌘C on a Mac)."
        }
    };
    html! {
        <section class="share" aria-label="Share">
            <button type="button" class="copy-link" {onclick}>{ "Copy link" }</button>
            { " " }
            <button type="button" class="copy-embed" onclick={on_embed}>{ "Copy embed code" }</button>
            <span class="share-note" role="status">{ note }</span>
            if props.status == ShareStatus::Manual && embed.is_none() {
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
            if embed.is_some() {
                <div class="embed-code">
                    <label>
                        { "Script form (one script per page, a pre per widget):" }
                        <textarea class="embed-script" readonly=true rows="5"
                                  value={props.script_embed.clone()} onfocus={select_all.clone()} />
                    </label>
                    <label>
                        { "Iframe form:" }
                        <textarea class="embed-iframe" readonly=true rows="4"
                                  value={props.iframe_embed.clone()} onfocus={select_all} />
                    </label>
                </div>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn embed_text_holds_both_forms() {
        let text = super::embed_text("<pre class=\"memlane\">x</pre>\n", "<iframe></iframe>\n");
        assert!(text.contains("<pre class=\"memlane\">x</pre>"));
        assert!(text.contains("<iframe></iframe>"));
    }
}
