//! Stepping: first / back / play-pause / forward / last, the step slider, "Step N of M",
//! the playback speed, and whether to step by line or by event.

use yew::prelude::*;

use crate::state::StepMode;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub position: AttrValue,
    /// "event 2 of 5" in event mode.
    pub event_position: Option<AttrValue>,
    /// What the shown step did: "Ran line 7".
    pub caption: AttrValue,
    /// The 0-based position shown and how many there are: steps by line, narrated events
    /// by event (the slider moves through these).
    pub step: usize,
    pub step_count: usize,
    pub can_step_back: bool,
    pub can_step_forward: bool,
    pub playing: bool,
    pub speed: u32,
    pub mode: StepMode,
    pub on_first: Callback<MouseEvent>,
    pub on_back: Callback<MouseEvent>,
    pub on_play: Callback<MouseEvent>,
    pub on_forward: Callback<MouseEvent>,
    pub on_last: Callback<MouseEvent>,
    pub on_seek: Callback<usize>,
    pub on_speed: Callback<u32>,
    pub on_mode: Callback<StepMode>,
}

/// Playback speeds offered, in tenths of a step per second.
const SPEEDS: [(u32, &str); 4] = [(5, "0.5×"), (10, "1×"), (20, "2×"), (40, "4×")];

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let on_slider = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(n) = input.value().parse::<usize>() {
                cb.emit(n.saturating_sub(1));
            }
        })
    };
    let on_speed = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(n) = select.value().parse::<u32>() {
                cb.emit(n);
            }
        })
    };
    let mode_radio = |mode: StepMode, label: &'static str| {
        let cb = props.on_mode.clone();
        html! {
            <label class="mode-option">
                <input
                    type="radio"
                    name="step-mode"
                    checked={props.mode == mode}
                    onchange={Callback::from(move |_: Event| cb.emit(mode))}
                />
                { label }
            </label>
        }
    };
    let (play_label, play_icon) = if props.playing {
        ("Pause", "M5 3h4v14H5z M11 3h4v14h-4z")
    } else {
        ("Play", "M5 3v14l12-7z")
    };
    html! {
        <nav class="controls" aria-label="Stepping">
            <div class="buttons">
                <button type="button" class="first-step" disabled={!props.can_step_back}
                        onclick={props.on_first.clone()} aria-label="First step" title="First step (Home)">
                    { icon("M4 3h2v14H4z M17 3v14L7 10z") }
                </button>
                <button type="button" class="step-back" disabled={!props.can_step_back}
                        onclick={props.on_back.clone()} title="Step back (Left arrow)">
                    { "Step back" }
                </button>
                <button type="button" class={classes!("play", props.playing.then_some("playing"))}
                        disabled={props.step_count == 0}
                        onclick={props.on_play.clone()} aria-label={play_label} title={format!("{play_label} (Space)")}>
                    { icon(play_icon) }
                </button>
                <button type="button" class="step-forward" disabled={!props.can_step_forward}
                        onclick={props.on_forward.clone()} title="Step forward (Right arrow)">
                    { "Step forward" }
                </button>
                <button type="button" class="last-step" disabled={!props.can_step_forward}
                        onclick={props.on_last.clone()} aria-label="Last step" title="Last step (End)">
                    { icon("M14 3h2v14h-2z M3 3v14l10-7z") }
                </button>
            </div>
            <p class="position">
                <strong class="step-label">{ props.position.clone() }</strong>
                if let Some(e) = &props.event_position {
                    <span class="event-label">{ e.clone() }</span>
                }
                <span class="ran-line">{ props.caption.clone() }</span>
            </p>
            <input
                type="range"
                class="step-slider"
                aria-label="Step slider"
                aria-valuetext={props.position.clone()}
                min="1"
                max={props.step_count.max(1).to_string()}
                value={(props.step + 1).to_string()}
                disabled={props.step_count < 2}
                oninput={on_slider}
            />
            <div class="playback-options">
                <label class="speed">
                    { "Speed " }
                    <select aria-label="Speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|&(value, label)| html! {
                            <option value={value.to_string()} selected={props.speed == value}>{ label }</option>
                        }) }
                    </select>
                </label>
                <fieldset class="step-mode">
                    <legend>{ "Step by" }</legend>
                    { mode_radio(StepMode::Line, "line") }
                    { mode_radio(StepMode::Event, "event") }
                </fieldset>
            </div>
        </nav>
    }
}

/// A 20×20 button icon (the page ships no icon font; the button's name is its label).
fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={path} />
        </svg>
    }
}
