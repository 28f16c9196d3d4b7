//! An embedded widget: the stepping controls, the narration, the program (read-only or
//! editable), its output and the diagram, for one scenario. Each widget is the root of its
//! own renderer (see `embed.rs`), so it owns its [`State`] with `use_reducer` the way
//! [`crate::app::App`] does, and several on one page never share anything. Keys step only
//! the widget that has the focus.

use std::rc::Rc;

use yew::prelude::*;
use yew::Reducible;

use crate::components::stepper::{key_action, Stepper};
use crate::embed;
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
    let onkeydown = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(action) = key_action(&e) {
                e.prevent_default();
                dispatcher.dispatch(action);
            }
        })
    };
    let footer = props.readonly.then(|| {
        let scenario = Scenario {
            ram: props.scenario.ram,
            ..state.scenario()
        };
        html! {
            <p class="embed-links">
                <a class="open-in-editor" href={embed::editor_link(&props.base, &scenario)}
                   target="_blank" rel="noopener">
                    { "Open in editor" }
                </a>
            </p>
        }
    });

    html! {
        <div class={classes!("memlane-embed", state.narrow.then_some("narrow"))}
             role="region" aria-label="memlane: a Python program, step by step" {onkeydown}>
            if !props.problems.is_empty() {
                <ul class="error embed-problems" role="alert">
                    { for props.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }
                </ul>
            }
            <div class="embed-layout">
                <Stepper state={Rc::new((*state).clone())} dispatcher={state.dispatcher()} readonly={props.readonly} ram={props.scenario.ram}
                         footer={footer.unwrap_or_default()} />
            </div>
        </div>
    }
}
