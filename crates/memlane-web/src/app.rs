//! The full page's root component: owns the [`State`] (the only `use_reducer` on the
//! page) and hands it to the [`Stepper`], and owns what only the page has: the permalink
//! in the address, sharing, the page-wide keyboard shortcuts and the narrow-viewport
//! switch.

use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;
use yew::Reducible;

use crate::components::share::{Share, ShareStatus};
use crate::components::stepper::{key_action, Stepper};
use crate::permalink;
use crate::state::{Action, State, DEFAULT_PROGRAM};

/// Below this width the lanes are drawn one under another.
const NARROW_MAX_WIDTH: f64 = 720.0;

/// How long after the last move the permalink is written into the address, in ms.
const PERMALINK_SETTLE_MS: u32 = 150;

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
                <Stepper state={Rc::new((*state).clone())} {dispatcher} ram=true
                         footer={html! { <Share {link} status={*share} {on_copy} {script_embed} {iframe_embed} /> }} />
            </main>
            <footer class="colophon">
                { format!("Modelled on CPython {} (64-bit).", release) }
                { " " }<a href="gallery.html">{ "Examples" }</a>
                { " · " }<a href="article.html">{ "Where Python keeps your variables" }</a>
            </footer>
        </div>
    }
}
