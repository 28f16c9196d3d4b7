//! The root component: owns the [`State`] and hands pieces of it to the components.

use yew::prelude::*;

use crate::components::controls::Controls;
use crate::components::frames::Frames;
use crate::components::objects::Objects;
use crate::components::output::Output;
use crate::components::source::Source;
use crate::state::{Action, State, DEFAULT_PROGRAM};

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| State::run(DEFAULT_PROGRAM));

    let dispatch = |action: Action| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(action))
    };
    let on_back = dispatch(Action::StepBack);
    let on_forward = dispatch(Action::StepForward);
    let on_show_internal = {
        let state = state.clone();
        Callback::from(move |show: bool| state.dispatch(Action::ShowInternal(show)))
    };

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
            <main class="layout">
                <section class="program" aria-labelledby="program-heading">
                    <h2 id="program-heading">{ "Program" }</h2>
                    <Controls
                        position={state.position_label()}
                        caption={state.step_caption()}
                        can_step_back={state.can_step_back()}
                        can_step_forward={state.can_step_forward()}
                        {on_back}
                        {on_forward}
                    />
                    <Source
                        source={AttrValue::from(state.source.to_string())}
                        current_line={state.current_line()}
                        next_line={state.next_line()}
                    />
                    <Output
                        stdout={AttrValue::from(state.snapshot.stdout.clone())}
                        error={state.error_line().map(AttrValue::from)}
                        finished={state.finished()}
                    />
                </section>
                <section class="memory" aria-label="Memory">
                    <Frames snapshot={state.snapshot.clone()} />
                    <Objects
                        objects={state.visible_objects()}
                        hidden={state.hidden_object_count()}
                        show_internal={state.show_internal}
                        {on_show_internal}
                    />
                </section>
            </main>
            <footer class="colophon">
                { format!("Modelled on CPython {} (64-bit).", release) }
            </footer>
        </div>
    }
}
