//! The root component: owns the [`State`] (the only `use_reducer`), hands pieces of it to
//! the components, and owns the page-wide effects: the play timer, the keyboard shortcuts
//! and the narrow-viewport switch.

use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use memlane_core::ObjId;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;
use yew::Reducible;

use crate::components::controls::Controls;
use crate::components::details::Details;
use crate::components::diagram::Diagram;
use crate::components::narration::Narration;
use crate::components::options::Options;
use crate::components::output::Output;
use crate::components::progress::{grouped, ChoreProgress, Progress};
use crate::components::ram::Ram;
use crate::components::share::{Share, ShareStatus};
use crate::components::source::Source;
use crate::permalink;
use crate::state::{Action, State, DEFAULT_PROGRAM};

/// Below this width the lanes are drawn one under another.
const NARROW_MAX_WIDTH: f64 = 720.0;

/// How long one slice of a run may take, in ms: the page draws and answers between two.
const SLICE_MS: f64 = 12.0;

/// The size of a first slice of any work, in `Action::Advance` units.
const FIRST_UNITS: usize = 256;

/// What goes in slices now (the slicing effect's slice size is measured per kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProgressTask {
    None,
    Tracing,
    LayingOut,
    Relayout,
    Counting,
}

/// What goes in slices now, and how far along it is: the slicing effect's key, which
/// changes with every slice.
fn progress_of(state: &State) -> (ProgressTask, usize) {
    if let Some(chore) = &state.relayout {
        return (ProgressTask::Relayout, chore.done);
    }
    if let Some(chore) = &state.counting {
        return (ProgressTask::Counting, chore.done);
    }
    match &state.running {
        Some(r) => match r.laying_out {
            Some((done, _)) => (ProgressTask::LayingOut, done),
            None => (ProgressTask::Tracing, r.steps),
        },
        None => (ProgressTask::None, 0),
    }
}

/// Work on the shown trace, for the progress bar: a relayout, or event stepping's count.
fn chore_progress(state: &State) -> Option<ChoreProgress> {
    if let Some(chore) = &state.relayout {
        return Some(ChoreProgress {
            label: "Laying out the diagram again".into(),
            done: chore.done,
            all: chore.all,
            stoppable: false,
        });
    }
    state.counting.as_ref().map(|chore| ChoreProgress {
        label: format!("Counting the events of {} steps", grouped(chore.all)).into(),
        done: chore.done,
        all: chore.all,
        stoppable: true,
    })
}

/// How long after the last move the permalink is written into the address, in ms.
const PERMALINK_SETTLE_MS: u32 = 150;

/// The action a key press on the page asks for, unless it was typed into a form field.
pub(crate) fn key_action(event: &web_sys::KeyboardEvent) -> Option<Action> {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return None;
    }
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let within = |selector: &str| target.closest(selector).ok().flatten().is_some();
    // Escape is Stop from anywhere (the editor and the step-mode switch included), but
    // an open list of a select keeps it to close itself.
    if event.key() == "Escape" && !within("select") {
        return Some(Action::Stop);
    }
    // Typing in the editor (or using a form control's own keys) is not stepping.
    if within("textarea, input, select") {
        return None;
    }
    let on_control = within("button, [role=button]");
    match event.key().as_str() {
        "ArrowLeft" => Some(Action::StepBack),
        "ArrowRight" => Some(Action::StepForward),
        "Home" => Some(Action::First),
        "End" => Some(Action::Last),
        // Space on a button presses that button instead.
        " " if !on_control => Some(Action::TogglePlay),
        _ => None,
    }
}

/// A callback that turns what a component reports into an action.
fn dispatch_with<T: 'static>(
    dispatcher: &UseReducerDispatcher<State>,
    make: fn(T) -> Action,
) -> Callback<T> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |value| dispatcher.dispatch(make(value)))
}

fn viewport_is_narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w <= NARROW_MAX_WIDTH)
}

/// The page's address up to its fragment, and the fragment (without `#`).
fn page_address() -> (String, String) {
    if !cfg!(target_arch = "wasm32") {
        return Default::default();
    }
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    match href.split_once('#') {
        Some((base, fragment)) => (base.to_owned(), fragment.to_owned()),
        None => (href, String::new()),
    }
}

/// What the page opens with: the scenario of the address's fragment, if it has one. A link
/// that does not open gives an empty editor and the reason.
fn opening() -> (State, Option<String>) {
    let (_, fragment) = page_address();
    if fragment.is_empty() {
        return (State::run(DEFAULT_PROGRAM), None);
    }
    match permalink::decode(&fragment) {
        Ok(scenario) => (State::open(&scenario), None),
        Err(e) => (State::run(""), Some(e.page_message())),
    }
}

/// Rewrites the fragment without adding a history entry.
fn replace_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// Writes the permalink waiting to be written, if there is one.
fn write_pending(unwritten: &std::cell::RefCell<Option<Rc<String>>>) {
    if let Some(fragment) = unwritten.borrow_mut().take() {
        replace_fragment(&fragment);
    }
}

/// The Clipboard API, where the browser offers it (secure contexts only).
pub(crate) fn clipboard() -> Option<web_sys::Clipboard> {
    let navigator = web_sys::window()?.navigator();
    let clipboard =
        web_sys::js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    (!clipboard.is_undefined() && !clipboard.is_null()).then(|| clipboard.unchecked_into())
}

#[component]
pub fn App() -> Html {
    let opened = use_memo((), |_| opening());
    let state = {
        let opened = opened.clone();
        use_reducer(move || {
            let s = Rc::new(opened.0.clone());
            let narrow = cfg!(target_arch = "wasm32") && viewport_is_narrow();
            (*s.reduce(Action::SetNarrow(narrow))).clone()
        })
    };
    let link_error = opened.1.clone();
    let dispatcher = state.dispatcher();

    // The permalink of what is shown: written into the address (replacing, so the Back
    // button still leaves the page) once stepping settles, not while playing, and not on
    // the first render, so a link that did not open stays as it was. `replaceState` costs
    // 3-6 ms with a long link: written after every step it took a fifth of a step's
    // render, so a burst of moves (a held arrow key) writes once, PERMALINK_SETTLE_MS after
    // the last. A link not yet written is written at once when the page loses the focus
    // (the reader going to the address bar) or is hidden or left. Copy link reads the
    // fragment itself, never the address, so it is always the shown step's.
    let fragment = use_memo(state.scenario(), permalink::encode);
    let share = use_state(ShareStatus::default);
    let unwritten = use_mut_ref(|| None::<Rc<String>>);
    {
        let first = use_mut_ref(|| true);
        let share = share.clone();
        let unwritten = unwritten.clone();
        use_effect_with(
            (fragment.clone(), state.playing),
            move |(fragment, playing)| {
                let first = std::mem::take(&mut *first.borrow_mut());
                let write = (!first && !*playing).then(|| {
                    *unwritten.borrow_mut() = Some(fragment.clone());
                    Timeout::new(PERMALINK_SETTLE_MS, move || write_pending(&unwritten))
                });
                if write.is_some() && *share == ShareStatus::Copied {
                    share.set(ShareStatus::Idle);
                }
                // A newer link (or Play) drops the pending write.
                move || drop(write)
            },
        );
    }
    {
        let unwritten = unwritten.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a browser window");
            let document = window.document().expect("a document");
            let on = |target: &web_sys::EventTarget, name: &'static str| {
                let unwritten = unwritten.clone();
                EventListener::new(target, name, move |_| write_pending(&unwritten))
            };
            let listeners = [
                on(&window, "blur"),
                on(&window, "pagehide"),
                on(&document, "visibilitychange"),
            ];
            move || drop(listeners)
        });
    }
    let link = AttrValue::from(format!("{}#{}", page_address().0, fragment));
    // Each embed code compresses the scenario again: made when the scenario changes, not
    // on every render.
    let embed_codes = use_memo(state.scenario(), |scenario| {
        let base = crate::embed::site_base(&page_address().0);
        (
            AttrValue::from(crate::embed::script_embed_code(&base, scenario, true)),
            AttrValue::from(crate::embed::iframe_embed_code(&base, scenario)),
        )
    });
    let (script_embed, iframe_embed) = (*embed_codes).clone();
    let on_copy = {
        let share = share.clone();
        let link = link.clone();
        Callback::from(move |()| match clipboard() {
            Some(clipboard) => {
                let promise = clipboard.write_text(&link);
                let share = share.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let copied = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                    share.set(if copied {
                        ShareStatus::Copied
                    } else {
                        ShareStatus::Manual
                    });
                });
            }
            None => share.set(ShareStatus::Manual),
        })
    };

    // Keyboard stepping and the narrow switch, for the page's whole life.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a browser window");
            let keys = {
                let dispatcher = dispatcher.clone();
                // Not passive: the arrows and Space must not also scroll the page.
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&window, "keydown", options, move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    if let Some(action) = key_action(e) {
                        e.prevent_default();
                        dispatcher.dispatch(action);
                    }
                })
            };
            let resize = EventListener::new(&window, "resize", move |_| {
                dispatcher.dispatch(Action::SetNarrow(viewport_is_narrow()));
            });
            move || drop((keys, resize))
        });
    }

    // While playing, one move per tick; dropping the timeout (on Pause, or on any move)
    // cancels it, so Pause takes effect at once.
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

    // While a program is traced, its trace laid out, or the shown trace laid out again or
    // counted for event stepping: one slice per timeout, sized so a slice takes about
    // SLICE_MS whatever a unit of the work costs; the page draws the progress and takes
    // clicks (Stop) in between. Stopping or a new run drops the pending timeout.
    {
        let dispatcher = dispatcher.clone();
        // The slice size, and the work it was measured on: another kind of work starts
        // small again, as its units cost something else.
        let slice = use_mut_ref(|| (ProgressTask::None, FIRST_UNITS));
        let progress = progress_of(&state);
        use_effect_with(progress, move |progress| {
            let task = progress.0;
            let timer = (task != ProgressTask::None).then(|| {
                Timeout::new(0, move || {
                    let now = web_sys::js_sys::Date::now;
                    let size = match *slice.borrow() {
                        (measured, size) if measured == task => size,
                        _ => FIRST_UNITS,
                    };
                    let start = now();
                    dispatcher.dispatch(Action::Advance(size));
                    let took = (now() - start).max(1.0);
                    let next = (size as f64 * SLICE_MS / took).clamp(16.0, 1_000_000.0);
                    // Grow gently, shrink at once.
                    *slice.borrow_mut() = (task, (next as usize).min(size * 2));
                })
            });
            move || drop(timer)
        });
    }

    let click = |action: Action| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let play_action = if state.playing {
        Action::Pause
    } else {
        Action::Play
    };
    // One callback for the page's life: the diagram's cards compare it to skip redraws.
    let on_select = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |id: Option<ObjId>, _| {
            dispatcher.dispatch(Action::Select(id))
        })
    };
    let on_close = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |()| dispatcher.dispatch(Action::Select(None)))
    };
    let on_run = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |()| dispatcher.dispatch(Action::Run))
    };

    let shown_event = state.shown_event().cloned();
    let error = state
        .error_source_line()
        .zip(state.error_line())
        .map(|(line, message)| (line, AttrValue::from(message)));
    let release = state.trace.profile.version.modelled_release();

    html! {
        <div class="memlane">
            <header class="masthead">
                <h1>{ "memlane" }</h1>
                <p class="tagline">
                    { "Step through a Python program and watch where CPython keeps its names \
                       and objects." }
                </p>
            </header>
            if let Some(message) = link_error {
                <p class="error link-error" role="alert">{ message }</p>
            }
            <main class="layout">
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
                        mode={state.chosen_mode()}
                        on_first={click(Action::First)}
                        on_back={click(Action::StepBack)}
                        on_play={click(play_action)}
                        on_forward={click(Action::StepForward)}
                        on_last={click(Action::Last)}
                        on_seek={dispatch_with(&dispatcher, Action::Seek)}
                        on_speed={dispatch_with(&dispatcher, Action::SetSpeed)}
                        on_mode={dispatch_with(&dispatcher, Action::SetMode)}
                    />
                    <Progress
                        steps={state.running.as_ref().map(|r| r.steps)}
                        laying_out={state.running.as_ref().and_then(|r| r.laying_out)}
                        chore={chore_progress(&state)}
                        limit={state.max_steps}
                        stopped={state.stopped_because().map(AttrValue::from)}
                        on_stop={Callback::from({
                            let dispatcher = dispatcher.clone();
                            move |()| dispatcher.dispatch(Action::Stop)
                        })}
                    />
                    <Narration sentence={state.narration()} />
                    <Source
                        draft={AttrValue::from(state.draft.to_string())}
                        current_line={state.current_line()}
                        next_line={state.next_line()}
                        {error}
                        edited={state.edited()}
                        on_edit={dispatch_with(&dispatcher, Action::Edit)}
                        {on_run}
                    />
                    <Output
                        stdout={AttrValue::from(state.snapshot.stdout.clone())}
                        error={state.error_line().map(AttrValue::from)}
                        traceback={state.traceback().map(AttrValue::from)}
                        finished={state.finished()}
                    />
                    <Share {link} status={*share} {on_copy} {script_embed} {iframe_embed} />
                </section>
                <section class={classes!("memory", state.narrow.then_some("narrow"))} aria-label="Memory">
                    <Options
                        view={state.view}
                        version={state.version}
                        hidden={state.hidden_object_count()}
                        on_show_internal={dispatch_with(&dispatcher, Action::ShowInternal)}
                        on_inline_small={dispatch_with(&dispatcher, Action::InlineSmall)}
                        on_frames_in_heap={dispatch_with(&dispatcher, Action::FramesInHeap)}
                        on_version={dispatch_with(&dispatcher, Action::SetVersion)}
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
                    <Ram
                        snapshot={state.snapshot.clone()}
                        pages={Rc::new(state.layout.pages.clone())}
                        drawn={state.drawn.clone()}
                        narrow={state.narrow}
                        selected={state.selected}
                        marks={Rc::new(state.memory_marks())}
                    />
                </section>
            </main>
            <footer class="colophon">
                { format!("Modelled on CPython {} (64-bit).", release) }
                { " " }<a href="gallery.html">{ "Examples" }</a>
                { " · " }<a href="article.html">{ "Where Python keeps your variables" }</a>
            </footer>
        </div>
    }
}
