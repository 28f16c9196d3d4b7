//! The code editor: a textarea over a coloured copy of its text, with line numbers and
//! the line that ran, the line that runs next and an error's line marked in the gutter
//! (in words as well as colour). Run traces what is typed; nothing typed is ever replaced.

use yew::prelude::*;

use crate::highlight::highlight;

#[derive(Properties, PartialEq)]
pub struct SourceProps {
    /// The editor's text.
    pub draft: AttrValue,
    pub current_line: Option<u32>,
    pub next_line: Option<u32>,
    /// The line an error points at, and its message.
    pub error: Option<(u32, AttrValue)>,
    /// The text differs from what was traced: the markers refer to the traced program.
    pub edited: bool,
    pub on_edit: Callback<String>,
    pub on_run: Callback<()>,
}

#[component]
pub fn Source(props: &SourceProps) -> Html {
    let lines = highlight(&props.draft);
    let line_count = lines.len().max(1);
    let longest = props
        .draft
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let error_line = props.error.as_ref().map(|(n, _)| *n);
    let marker = |n: u32| {
        if error_line == Some(n) {
            Some(("error-line", "error"))
        } else if props.current_line == Some(n) {
            Some(("current", "ran"))
        } else if props.next_line == Some(n) {
            Some(("next", "next"))
        } else {
            None
        }
    };
    let gutter = (1..=line_count as u32).map(|n| {
        let m = marker(n);
        html! {
            <li data-line={n.to_string()} class={classes!(m.map(|(c, _)| c))}
                aria-current={(props.current_line == Some(n)).then_some("step")}>
                <span class="marker">{ m.map_or("", |(_, text)| text) }</span>
                <span class="lineno">{ n }</span>
            </li>
        }
    });
    let coloured = lines.iter().enumerate().map(|(i, spans)| {
        let m = marker(i as u32 + 1);
        html! {
            <span class={classes!("code-line", m.map(|(c, _)| c))}>
                { for spans.iter().map(|(kind, text)| html! {
                    <span class={kind.class()}>{ text.clone() }</span>
                }) }
                { "\n" }
            </span>
        }
    });
    let oninput = {
        let cb = props.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            cb.emit(area.value());
        })
    };
    // Ctrl+Enter (or Cmd+Enter) runs; Tab inserts four spaces rather than leaving the editor.
    let onkeydown = {
        let run = props.on_run.clone();
        let edit = props.on_edit.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
                e.prevent_default();
                run.emit(());
            } else if e.key() == "Tab" && !e.shift_key() {
                let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
                let (Ok(Some(start)), Ok(Some(end))) =
                    (area.selection_start(), area.selection_end())
                else {
                    return;
                };
                e.prevent_default();
                let text: Vec<u16> = area.value().encode_utf16().collect();
                let mut out = String::from_utf16_lossy(&text[..start as usize]);
                out.push_str("    ");
                out.push_str(&String::from_utf16_lossy(&text[end as usize..]));
                area.set_value(&out);
                let _ = area.set_selection_range(start + 4, start + 4);
                edit.emit(out);
            }
        })
    };
    let onclick_run = {
        let cb = props.on_run.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <section class="editor" aria-labelledby="program-heading">
            <div class="editor-head">
                <h2 id="program-heading">{ "Program" }</h2>
                <button type="button" class="run" onclick={onclick_run} title="Run (Ctrl+Enter)">
                    { "Run" }
                </button>
            </div>
            <div class="code" style={format!("--code-lines: {line_count}; --code-columns: {}", longest + 2)}>
                <ol class="gutter source" aria-hidden="true">{ for gutter }</ol>
                <div class="code-area">
                    <pre class="highlight" aria-hidden="true">{ for coloured }</pre>
                    <textarea
                        class="code-input"
                        aria-label="Python code"
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        wrap="off"
                        rows={line_count.to_string()}
                        value={props.draft.clone()}
                        {oninput}
                        {onkeydown}
                    />
                </div>
            </div>
            if props.edited {
                <p class="edited-note">{ "Edited: press Run (or Ctrl+Enter) to trace this code." }</p>
            }
            if let Some((line, message)) = &props.error {
                <p class="error code-error" role="alert">
                    <strong>{ format!("Line {line}: ") }</strong>{ message.clone() }
                </p>
            }
        </section>
    }
}
