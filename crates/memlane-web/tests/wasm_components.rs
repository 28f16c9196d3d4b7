//! Component tests in a real browser (wasm-bindgen-test in headless Chromium): states the
//! end-to-end tests cannot reach through the page, because the interpreter never produces
//! them — a trace without the physical memory model, and hand-made snapshots.
//! Run: scripts/test.sh wasm
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeSet;
use std::rc::Rc;

use memlane_core::{
    Event, FrameId, FrameView, Label, ObjId, ObjectView, Outcome, Profile, Recorder, Reference,
    Trace,
};
use memlane_web::components::diagram::{Diagram, DiagramProps};
use memlane_web::components::ram::{Ram, RamProps};
use memlane_web::layout::{Drawn, Layout, LayoutOptions};
use memlane_web::state::ViewOptions;
use wasm_bindgen_test::*;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Lets Yew's scheduler run the first render.
async fn rendered() {
    yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
}

fn list_of(n: u32) -> ObjectView {
    ObjectView {
        id: ObjId(1),
        type_name: "list".into(),
        value: format!("list of {n}"),
        address: 0x7fff_0000_1040,
        size: 56 + 8 * u64::from(n),
        refcount: 1,
        referents: std::sync::Arc::new(
            (0..n)
                .map(|i| Reference {
                    label: Label::Slot(u64::from(i)),
                    target: ObjId(1),
                })
                .collect(),
        ),
        ..ObjectView::default()
    }
}

/// `xs = <object>` as a one-step trace recorded without the memory model.
fn one_step_trace(object: ObjectView) -> Trace {
    let module = FrameId(0);
    let id = object.id;
    let mut rec = Recorder::new();
    rec.record(Event::FramePush {
        frame: Box::new(FrameView {
            id: module,
            function: "<module>".into(),
            line: 1,
            address: 0x7fff_0000_2010,
            size: 80,
            ..FrameView::default()
        }),
    });
    rec.begin_step(module, 1);
    rec.record(Event::Alloc {
        object: Box::new(object),
    });
    rec.record(Event::Bind {
        frame: module,
        name: "xs".into(),
        target: id,
    });
    rec.finish(Profile::default(), Outcome::Finished)
}

#[wasm_bindgen_test]
async fn without_the_memory_model_the_ram_lane_shows_virtual_pages() {
    let root = mount_point();
    let snapshot = Rc::new(one_step_trace(list_of(1)).snapshot(0));
    let props = RamProps {
        snapshot,
        pages: Rc::new(vec![0x7fff_0000_1000, 0x7fff_0000_2000]),
        drawn: Rc::new(Drawn {
            all: BTreeSet::from([ObjId(1)]),
            lingering: BTreeSet::new(),
        }),
        narrow: false,
        selected: None,
        marks: Default::default(),
    };
    yew::Renderer::<Ram>::with_root_and_props(root.clone(), props).render();
    rendered().await;
    assert_eq!(root.query_selector_all(".ram-frame").unwrap().length(), 0);
    assert_eq!(root.query_selector_all("[data-page]").unwrap().length(), 2);
    let note = root
        .query_selector(".lane-note")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(note.contains("no physical memory model"), "{note}");
    assert_eq!(root.query_selector_all(".page-object").unwrap().length(), 1);
    assert_eq!(root.query_selector_all(".page-frame").unwrap().length(), 1);
}

#[wasm_bindgen_test]
async fn a_long_container_shows_eight_slots_and_a_count_of_the_rest() {
    let root = mount_point();
    let trace = one_step_trace(list_of(11));
    let snapshot = Rc::new(trace.snapshot(0));
    let layout = Rc::new(Layout::compute(
        &trace,
        LayoutOptions {
            include_internal: false,
            columns: 2,
        },
    ));
    let drawn = Rc::new(layout.drawn(&snapshot, false));
    let props = DiagramProps {
        snapshot: snapshot.clone(),
        previous: snapshot,
        drawn: drawn.clone(),
        previous_drawn: drawn,
        layout,
        view: ViewOptions::default(),
        narrow: false,
        selected: None,
        focus: None,
        gc: None,
        timing: Rc::default(),
        on_select: Callback::noop(),
    };
    yew::Renderer::<Diagram>::with_root_and_props(root.clone(), props).render();
    rendered().await;
    let card = root
        .query_selector("[data-object-id=\"1\"]")
        .unwrap()
        .unwrap();
    assert_eq!(card.query_selector_all(".slot").unwrap().length(), 8);
    let more = card
        .query_selector(".more")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(more, "+ 3 more");
    // Eight arrows leave the shown slots (all to the list itself), one leaves `xs`.
    assert_eq!(root.query_selector_all("path.arrow").unwrap().length(), 9);
    assert!(root
        .query_selector("[data-from=\"frame:0:xs\"][data-to=\"obj:1\"]")
        .unwrap()
        .is_some());
}
