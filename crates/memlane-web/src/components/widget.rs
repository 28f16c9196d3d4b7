//! An embedded widget: the stepping controls, the narration, the program (read-only or
//! editable), its output and the diagram, for one scenario. Each widget is the root of its
//! own renderer (see `embed.rs`), so it owns its [`State`] with `use_reducer` the way
//! [`crate::app::App`] does, and several on one page never share anything. Keys step only
//! the widget that has the focus.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use memlane_core::ObjId;
use yew::prelude::*;
use yew::Reducible;

use crate::app::key_action;
use crate::components::controls::Controls;
use crate::components::details::Details;
use crate::components::diagram::Diagram;
use crate::components::narration::Narration;
use crate::components::options::Options;
use crate::components::output::Output;
use crate::components::ram::Ram;
use crate::components::source::Source;
use crate::embed;
use crate::highlight::highlight;
use crate::permalink::Scenario;
use crate::state::{Action, State};

#[derive(Properties, PartialEq)]
pub struct WidgetProps {
    pub scenario: Rc<Scenario>,
    /// No editor: the program is shown as a listing, with "Open in editor".
    pub readonly: bool,
    /// Where the site's files are (for "Open in editor").
    pub base: AttrValue,
    /// Draw the lanes one under another.
    pub narrow: bool,
    /// What the embedding page asked for that was not understood.
    #[prop_or_default]
    pub problems: Rc<Vec<String>>,
}

#[component]
pub fn Widget(props: &WidgetProps) -> Html {
    let state = {
        let scenario = props.scenario.clone();
        let narrow = props.narrow;
        use_reducer(move || {
            let s = Rc::new(State::open(&scenario));
            (*s.reduce(Action::SetNarrow(narrow))).clone()
        })
    };
    let dispatcher = state.dispatcher();

    // While playing, one move per tick (as on the full page).
    {
        let dispatcher = dispatcher.clone();
        use_effect_with(
            (
                state.playing,
                state.step,
                state.event,
                state.play_delay_ms(),
            ),
            move |&(playing, _, _, delay)| {
                let timer =
                    playing.then(|| Timeout::new(delay, move || dispatcher.dispatch(Action::Tick)));
                move || drop(timer)
            },
        );
    }

    let onkeydown = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(action) = key_action(&e) {
                e.prevent_default();
                dispatcher.dispatch(action);
            }
        })
    };
    let click = |action: Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let dispatch = |make: fn(usize) -> Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |v| dispatcher.dispatch(make(v)))
    };
    let toggle = |make: fn(bool) -> Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |on| dispatcher.dispatch(make(on)))
    };
    let on_version = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |v| dispatcher.dispatch(Action::SetVersion(v)))
    };
    let play_action = if state.playing {
        Action::Pause
    } else {
        Action::Play
    };
    let on_select = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |id: Option<ObjId>| dispatcher.dispatch(Action::Select(id)))
    };
    let on_close = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |()| dispatcher.dispatch(Action::Select(None)))
    };
    let on_mode = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |m| dispatcher.dispatch(Action::SetMode(m)))
    };
    let on_speed = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |s| dispatcher.dispatch(Action::SetSpeed(s)))
    };

    let scenario = Scenario {
        ram: props.scenario.ram,
        ..state.scenario()
    };
    let editor = embed::editor_link(&props.base, &scenario);
    let shown_event = state.shown_event().cloned();
    let error = state
        .error_source_line()
        .zip(state.error_line())
        .map(|(line, message)| (line, AttrValue::from(message)));

    let program = if props.readonly {
        html! {
            <Listing code={AttrValue::from(state.source.to_string())}
                     current_line={state.current_line()} next_line={state.next_line()} />
        }
    } else {
        let on_edit = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |text| dispatcher.dispatch(Action::Edit(text)))
        };
        let on_run = {
            let dispatcher = dispatcher.clone();
            Callback::from(move |()| dispatcher.dispatch(Action::Run))
        };
        html! {
            <Source
                draft={AttrValue::from(state.draft.to_string())}
                current_line={state.current_line()}
                next_line={state.next_line()}
                {error}
                edited={state.edited()}
                {on_edit}
                {on_run}
            />
        }
    };

    html! {
        <div class={classes!("memlane-embed", state.narrow.then_some("narrow"))}
             role="region" aria-label="memlane: a Python program, step by step" {onkeydown}>
            if !props.problems.is_empty() {
                <ul class="error embed-problems" role="alert">
                    { for props.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }
                </ul>
            }
            <div class="embed-layout">
                <section class="program" aria-label="Program and controls">
                    <Controls
                        position={state.position_label()}
                        event_position={state.event_label().map(AttrValue::from)}
                        caption={state.step_caption()}
                        step={state.position()}
                        step_count={state.position_count()}
                        can_step_back={state.can_step_back()}
                        can_step_forward={state.can_step_forward()}
                        playing={state.playing}
                        speed={state.speed}
                        mode={state.mode}
                        on_first={click(Action::First)}
                        on_back={click(Action::StepBack)}
                        on_play={click(play_action)}
                        on_forward={click(Action::StepForward)}
                        on_last={click(Action::Last)}
                        on_seek={dispatch(Action::Seek)}
                        {on_speed}
                        {on_mode}
                    />
                    <Narration sentence={state.narration()} />
                    { program }
                    <Output
                        stdout={AttrValue::from(state.snapshot.stdout.clone())}
                        error={state.error_line().map(AttrValue::from)}
                        traceback={state.traceback().map(AttrValue::from)}
                        finished={state.finished()}
                    />
                    if props.readonly {
                        <p class="embed-links">
                            <a class="open-in-editor" href={editor} target="_blank" rel="noopener">
                                { "Open in editor" }
                            </a>
                        </p>
                    }
                </section>
                <section class={classes!("memory", state.narrow.then_some("narrow"))} aria-label="Memory">
                    <Options
                        view={state.view}
                        version={state.version}
                        hidden={state.hidden_object_count()}
                        on_show_internal={toggle(Action::ShowInternal)}
                        on_inline_small={toggle(Action::InlineSmall)}
                        on_frames_in_heap={toggle(Action::FramesInHeap)}
                        on_version={on_version}
                    />
                    <Diagram
                        snapshot={state.snapshot.clone()}
                        previous={state.previous.clone()}
                        drawn={state.drawn.clone()}
                        previous_drawn={state.previous_drawn.clone()}
                        layout={state.layout.clone()}
                        view={state.view}
                        narrow={state.narrow}
                        selected={state.selected}
                        focus={shown_event.as_ref().and_then(|e| e.focus)}
                        gc={shown_event.and_then(|e| e.gc)}
                        timing={state.timing.clone()}
                        {on_select}
                    />
                    if let Some(selected) = state.selected {
                        <Details snapshot={state.snapshot.clone()} {selected} {on_close} />
                    }
                    if props.scenario.ram {
                        <Ram
                            snapshot={state.snapshot.clone()}
                            pages={Rc::new(state.layout.pages.clone())}
                            drawn={state.drawn.clone()}
                            narrow={state.narrow}
                            selected={state.selected}
                            marks={Rc::new(state.memory_marks())}
                        />
                    }
                </section>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ListingProps {
    code: AttrValue,
    current_line: Option<u32>,
    next_line: Option<u32>,
}

/// A read-only, coloured listing of the program with the ran / next markers.
#[component]
fn Listing(props: &ListingProps) -> Html {
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
