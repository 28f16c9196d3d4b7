//! What the full page and an embedded widget both show over one [`State`]: the program
//! lane (stepping controls, progress and Stop, narration, the program, its output) and the
//! memory lane (view options, the diagram, an object's details, RAM). It also runs what
//! stepping needs between renders: the play timer, and the slices of a run, a layout or
//! event stepping's count. Each root owns its state with `use_reducer` and hands the
//! handle down; this component dispatches to it.

use memlane_core::ObjId;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::controls::Controls;
use crate::components::details::Details;
use crate::components::diagram::Diagram;
use crate::components::listing::Listing;
use crate::components::narration::Narration;
use crate::components::options::Options;
use crate::components::output::Output;
use crate::components::progress::{grouped, ChoreProgress, Progress};
use crate::components::ram::Ram;
use crate::components::source::Source;
use crate::state::{Action, State};

/// How long one slice of a run may take, in ms: the page draws and answers between two.
const SLICE_MS: f64 = 12.0;

/// The size of a first slice of any work, in `Action::Advance` units.
const FIRST_UNITS: usize = 256;

#[derive(Properties)]
pub struct StepperProps {
    /// The state shown (its root's, as of the root's render).
    pub state: Rc<State>,
    pub dispatcher: UseReducerDispatcher<State>,
    /// The program as a read-only listing, not in the editor.
    #[prop_or_default]
    pub readonly: bool,
    /// Draw the RAM lane.
    pub ram: bool,
    /// Under the output: sharing on the page, "Open in editor" in a widget.
    #[prop_or_default]
    pub footer: Html,
}

/// The same state is the same allocation (the roots wrap each new state once).
impl PartialEq for StepperProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
            && self.dispatcher == other.dispatcher
            && self.readonly == other.readonly
            && self.ram == other.ram
            && self.footer == other.footer
    }
}

/// The action a key press asks for, unless it was typed into a form field.
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
pub(crate) fn dispatch_with<T: 'static>(
    dispatcher: &UseReducerDispatcher<State>,
    make: fn(T) -> Action,
) -> Callback<T> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |value| dispatcher.dispatch(make(value)))
}

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

/// Work going in slices once nothing is traced, for the progress bar: the run's own
/// layout (Stop keeps the steps laid out so far), a relayout, or event stepping's count.
fn chore_progress(state: &State) -> Option<ChoreProgress> {
    if let Some(r) = &state.running {
        return r.laying_out.map(|(done, all)| ChoreProgress {
            label: format!("Laying out the diagram of {} steps", grouped(r.steps)).into(),
            done,
            all,
            stoppable: true,
        });
    }
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

#[component]
pub fn Stepper(props: &StepperProps) -> Html {
    let state = &*props.state;
    let dispatcher = props.dispatcher.clone();

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
        use_effect_with(progress_of(state), move |progress| {
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
    // One callback for the component's life: the diagram's cards compare it to skip redraws.
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

    let program = if props.readonly {
        html! {
            <Listing code={AttrValue::from(state.source.to_string())}
                     current_line={state.current_line()} next_line={state.next_line()} />
        }
    } else {
        let error = state
            .error_source_line()
            .zip(state.error_line())
            .map(|(line, message)| (line, AttrValue::from(message)));
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
                on_edit={dispatch_with(&dispatcher, Action::Edit)}
                {on_run}
            />
        }
    };
    let shown_event = state.shown_event().cloned();

    html! {
        <>
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
                    chore={chore_progress(state)}
                    limit={state.max_steps}
                    stopped={state.stopped_because().map(AttrValue::from)}
                    on_stop={Callback::from({
                        let dispatcher = dispatcher.clone();
                        move |()| dispatcher.dispatch(Action::Stop)
                    })}
                />
                <Narration sentence={state.narration()} />
                { program }
                <Output
                    stdout={AttrValue::from(state.snapshot.stdout.clone())}
                    error={state.error_line().map(AttrValue::from)}
                    traceback={state.traceback().map(AttrValue::from)}
                    finished={state.finished()}
                />
                { props.footer.clone() }
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
                if props.ram {
                    <Ram
                        snapshot={state.snapshot.clone()}
                        pages={Rc::new(state.layout.pages.clone())}
                        drawn={state.drawn.clone()}
                        narrow={state.narrow}
                        selected={state.selected}
                        marks={state.marks.clone()}
                    />
                }
            </section>
        </>
    }
}
