//! The code editor: a textarea over a coloured copy of its text, with line numbers and
//! the line that ran, the line that runs next and an error's line marked in the gutter
//! (in words as well as colour). Run traces what is typed; nothing typed is ever replaced.
//!
//! The textarea holds the whole program; the coloured copy and the gutter (both
//! `aria-hidden`) draw only the lines in view, padded to the program's full height. Drawing
//! every line cost the browser's style, layout and paint about 0.4 ms a line on every
//! keystroke (a 64 KiB paste: 1.4 s frozen; see docs/robustness.md), while the lines in
//! view are a few dozen.

use std::ops::Range;

use yew::prelude::*;

use crate::highlight::{highlight_lines, line_count};

/// Lines drawn beyond those in view, above and below, so a quick scroll shows no gap.
const OVERSCAN: usize = 60;
/// The drawn window moves in steps of this many lines, so scrolling re-renders once a step.
const WINDOW_STEP: usize = 32;
/// Lines drawn before the editor has been measured (more than a tall screen shows).
const FIRST_WINDOW: usize = 160;

/// The lines to draw for the part of lines `visible` in view, in a `line_count`-line
/// program: the visible ones with [`OVERSCAN`] lines around them, rounded out to
/// [`WINDOW_STEP`].
pub fn drawn_window(visible: Range<usize>, line_count: usize) -> Range<usize> {
    let first = visible.start.saturating_sub(OVERSCAN) / WINDOW_STEP * WINDOW_STEP;
    let end = visible.end.saturating_add(OVERSCAN).div_ceil(WINDOW_STEP) * WINDOW_STEP;
    first.min(line_count)..end.min(line_count).max(first.min(line_count))
}

/// The lines of the textarea `area` that are in view: inside the scrolling `.code` box and
/// inside the window. (The textarea, not the coloured copy, whose padding stands for the
/// lines not drawn.)
fn visible_lines(code: &web_sys::Element, area: &web_sys::Element) -> Option<Range<usize>> {
    let window = web_sys::window()?;
    let style = window.get_computed_style(area).ok()??;
    let px = |name: &str| {
        style
            .get_property_value(name)
            .ok()
            // The page's own parser: Rust's float parsing costs the page 15 KB.
            .map(|v| web_sys::js_sys::parse_float(&v))
            .filter(|v| v.is_finite())
    };
    let line = px("line-height").filter(|h| *h > 0.0)?;
    let first_top = area.get_bounding_client_rect().top() + px("padding-top").unwrap_or(0.0);
    let bounds = code.get_bounding_client_rect();
    let height = window.inner_height().ok()?.as_f64()?;
    let top = bounds.top().max(0.0);
    let bottom = bounds.bottom().min(height).max(top);
    let first = ((top - first_top) / line).floor().max(0.0) as usize;
    let end = ((bottom - first_top) / line).ceil().max(0.0) as usize;
    Some(first..end.max(first))
}

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
    let code_ref = use_node_ref();
    let area_ref = use_node_ref();
    let area_box_ref = use_node_ref();
    // Which lines are drawn: where the editor is scrolled to, the component's own view
    // state (scrolling is not a change to the page's State).
    let window = use_state_eq(|| 0..FIRST_WINDOW);
    let (line_count, longest) = *use_memo(props.draft.clone(), |draft| {
        let longest = draft.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        (line_count(draft), longest)
    });
    // A window past the end (the program just got shorter) draws its last lines until
    // the editor is measured again.
    let drawn = match window.end.min(line_count) {
        end if end > window.start => window.start..end,
        _ => line_count.saturating_sub(window.len())..line_count,
    };
    let lines = use_memo((props.draft.clone(), drawn.clone()), |(draft, drawn)| {
        highlight_lines(draft, drawn.clone())
    });
    // A keystroke or paste that lengthens the text scrolls the caret into view before the
    // boxes grow to fit it, so the browser scrolls the textarea inside itself; once they
    // have grown, that scroll is moved to the boxes around it (the textarea stays aligned
    // with the coloured copy, and the caret stays where the browser put it on screen).
    {
        let (code_ref, area_ref, area_box_ref) =
            (code_ref.clone(), area_ref.clone(), area_box_ref.clone());
        use_effect_with(props.draft.clone(), move |_| {
            let (Some(code), Some(area), Some(area_box)) = (
                code_ref.cast::<web_sys::Element>(),
                area_ref.cast::<web_sys::Element>(),
                area_box_ref.cast::<web_sys::Element>(),
            ) else {
                return;
            };
            let (down, right) = (area.scroll_top(), area.scroll_left());
            if down != 0 {
                area.set_scroll_top(0);
                code.set_scroll_top(code.scroll_top() + down);
            }
            if right != 0 {
                area.set_scroll_left(0);
                area_box.set_scroll_left(area_box.scroll_left() + right);
            }
        });
    }
    // Measure what is in view after each render that may change it, and on every scroll
    // of the editor or the page and every resize.
    {
        let (code_ref, area_ref, window) = (code_ref.clone(), area_ref.clone(), window.clone());
        use_effect_with(line_count, move |&line_count| {
            let code = code_ref.cast::<web_sys::Element>();
            let measure = std::rc::Rc::new(move || {
                let (Some(code), Some(area)) = (
                    code_ref.cast::<web_sys::Element>(),
                    area_ref.cast::<web_sys::Element>(),
                ) else {
                    return;
                };
                if let Some(visible) = visible_lines(&code, &area) {
                    window.set(drawn_window(visible, line_count));
                }
            });
            measure();
            let listen = |target: &web_sys::EventTarget, event: &'static str| {
                let measure = measure.clone();
                gloo_events::EventListener::new(target, event, move |_| measure())
            };
            // The editor's own scroll does not reach the page from inside a widget's
            // shadow root, so it is listened to on the element.
            let listeners = web_sys::window().map(|w| {
                let mut all = vec![listen(&w, "scroll"), listen(&w, "resize")];
                all.extend(code.map(|code| listen(&code, "scroll")));
                all
            });
            move || drop(listeners)
        });
    }
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
    let gutter = (drawn.start + 1..=drawn.end).map(|n| {
        let n = n as u32;
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
        let m = marker((drawn.start + i) as u32 + 1);
        html! {
            <span class={classes!("code-line", m.map(|(c, _)| c))}>
                { for spans.iter().map(|(kind, text)| html! {
                    <span class={kind.class()}>{ text.clone() }</span>
                }) }
                { "\n" }
            </span>
        }
    });
    // The lines not drawn, above and below, as padding (the boxes' own 6px included).
    let padding = format!(
        "padding-top: calc(6px + {} * var(--code-line)); \
         padding-bottom: calc(6px + {} * var(--code-line))",
        drawn.start,
        line_count - drawn.end
    );
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
            <div class="code" ref={code_ref}
                 style={format!("--code-lines: {line_count}; --code-columns: {}", longest + 2)}>
                <ol class="gutter source" aria-hidden="true" style={padding.clone()}>{ for gutter }</ol>
                <div class="code-area" ref={area_box_ref}>
                    <pre class="highlight" aria-hidden="true" style={padding}>
                        { for coloured }
                    </pre>
                    <textarea
                        ref={area_ref}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawn_window_covers_the_lines_in_view_and_stays_in_the_program() {
        for (visible, count) in [
            (0..30, 4000),
            (1000..1030, 4000),
            (3990..4000, 4000),
            (0..5, 3),
        ] {
            let drawn = drawn_window(visible.clone(), count);
            assert!(drawn.start <= visible.start && drawn.end >= visible.end.min(count));
            assert!(drawn.end <= count && drawn.start <= drawn.end);
            assert!(drawn.len() <= visible.len() + 2 * (OVERSCAN + WINDOW_STEP));
        }
        // Scrolling by a line or two keeps the same window most of the time.
        assert_eq!(
            drawn_window(1000..1030, 4000),
            drawn_window(1001..1031, 4000)
        );
        // A measurement past the end (the program just got shorter) still gives its end.
        assert_eq!(drawn_window(500..530, 10), 10..10);
    }
}
