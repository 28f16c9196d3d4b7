//! The memory diagram, drawn as one SVG: the Stack lane (frames with their names) and the
//! Heap lane (object cards at their fixed places), with an arrow for every reference from
//! a name or a slot to the object it refers to. Wide viewports put the lanes side by
//! side, narrow ones one under the other.

use std::collections::BTreeSet;
use std::rc::Rc;

use gloo_events::{EventListener, EventListenerOptions, EventListenerPhase};
use memlane_core::{FrameId, FrameView, Label, ObjId, ObjectView, Snapshot};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::hex;
use crate::layout::{
    card_height, Drawn, Layout, Place, CARD_HEADER, CARD_WIDTH, COLUMN_GAP,
    FRAME_HEADER as FRAME_HEADER_U32, FRAME_ROW as FRAME_ROW_U32, MAX_SLOT_ROWS, SLOT_ROW,
};
use crate::state::{Timing, ViewOptions};

const LANE_TOP: i32 = 44;
const FRAME_HEADER: i32 = FRAME_HEADER_U32 as i32;
const FRAME_ROW: i32 = FRAME_ROW_U32 as i32;
const FRAME_WIDTH: i32 = 240;
/// Space between the stack lane and the heap lane when they sit side by side.
const LANE_GAP: i32 = 70;
/// Room on the heap lane's left for arrows that enter a card from that side.
const NARROW_MARGIN: i32 = 30;

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub snapshot: Rc<Snapshot>,
    pub previous: Rc<Snapshot>,
    /// What is drawn of `snapshot` and of `previous` (worked out once a move, in the state).
    pub drawn: Rc<Drawn>,
    pub previous_drawn: Rc<Drawn>,
    pub layout: Rc<Layout>,
    pub view: ViewOptions,
    pub narrow: bool,
    pub selected: Option<ObjId>,
    /// The object the shown event is about (event mode).
    pub focus: Option<ObjId>,
    /// The shown cycle-collector phase and the objects it marks.
    pub gc: Option<(String, Vec<ObjId>)>,
    /// When each change plays within the step's animation (ms).
    pub timing: Rc<Timing>,
    pub on_select: Callback<Option<ObjId>>,
}

/// Where things are drawn for one render.
struct Geometry {
    narrow: bool,
    heap_x: i32,
    heap_y: i32,
}

impl Geometry {
    fn card_origin(&self, place: Place) -> (i32, i32) {
        (
            self.heap_x + place.column as i32 * (CARD_WIDTH + COLUMN_GAP) as i32,
            self.heap_y + place.y as i32,
        )
    }
}

/// Values small enough to draw inside the row that refers to them, when asked to.
fn is_small_value(o: &ObjectView) -> bool {
    matches!(o.type_name.as_str(), "int" | "float" | "bool" | "NoneType")
        || (o.type_name == "str" && o.value.chars().count() <= 12)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// A frame box's height, without the gap below it.
fn frame_height(f: &FrameView) -> i32 {
    (crate::layout::frame_height(f) - crate::layout::FRAME_GAP) as i32
}

/// The frames in the order the chosen picture draws them.
fn frame_order(snapshot: &Snapshot, view: ViewOptions) -> Vec<&FrameView> {
    let mut frames: Vec<&FrameView> = snapshot.frames.iter().collect();
    if view.frames_in_heap {
        frames.sort_by_key(|f| f.address);
    }
    frames
}

/// Where an arrow leaves from: a frame's row, or a card's slot.
enum ArrowFrom<'a> {
    /// `name` or `stack[i]`.
    Frame(FrameId, String),
    Slot(ObjId, &'a Label),
}

impl ArrowFrom<'_> {
    fn hook(&self) -> String {
        match self {
            ArrowFrom::Frame(frame, key) => format!("frame:{}:{}", frame.0, key),
            ArrowFrom::Slot(obj, label) => format!("obj:{}:{}", obj.0, label),
        }
    }
}

struct Arrow<'a> {
    from: ArrowFrom<'a>,
    to: ObjId,
    start: (i32, i32),
    /// When the reference was made in the step's animation (ms), if it was.
    made_ms: Option<u32>,
}

/// The heights of the diagram, in SVG units, whose cards and arrows are drawn: the part in
/// the viewport and a viewport's height above and below it, rounded out to `BAND_STEP`,
/// so scrolling redraws only when it passes a step. 1,004 cards in two columns make an SVG
/// about 45,000 units tall; the browser's style and layout of all of them took most of a
/// step's time, while a band holds a few dozen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Band {
    top: i32,
    bottom: i32,
}

const BAND_STEP: i32 = 400;

/// Until the page is measured: the top of the diagram.
const FIRST_BAND: Band = Band {
    top: 0,
    bottom: 2400,
};

impl Band {
    /// The band for an SVG whose top is `svg_top` px below the viewport's top (negative
    /// once scrolled past), drawn `svg_height` px tall for `units` SVG units, in a viewport
    /// `viewport` px tall.
    pub(crate) fn around(svg_top: f64, svg_height: f64, units: f64, viewport: f64) -> Band {
        let scale = if svg_height > 0.0 {
            units / svg_height
        } else {
            1.0
        };
        let top = (-svg_top - viewport) * scale;
        let bottom = (2.0 * viewport - svg_top) * scale;
        Band {
            top: (top.floor() as i32).div_euclid(BAND_STEP) * BAND_STEP,
            bottom: ((bottom.ceil() as i32).div_euclid(BAND_STEP) + 1) * BAND_STEP,
        }
    }

    /// Whether the heights `top..=bottom` reach into the band.
    pub(crate) fn meets(&self, top: i32, bottom: i32) -> bool {
        top <= self.bottom && bottom >= self.top
    }
}

/// The band around the viewport for the SVG `svg` refers to, `units` tall (None before it
/// is drawn).
fn measure_band(svg: &NodeRef, units: f64) -> Option<Band> {
    let svg = svg.cast::<web_sys::Element>()?;
    let rect = svg.get_bounding_client_rect();
    let viewport = web_sys::window()?.inner_height().ok()?.as_f64()?;
    Some(Band::around(rect.top(), rect.height(), units, viewport))
}

/// The object whose card holds `target`, an event's target.
fn card_of(target: Option<web_sys::EventTarget>) -> Option<ObjId> {
    target?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-object-id]")
        .ok()??
        .get_attribute("data-object-id")?
        .parse()
        .ok()
        .map(ObjId)
}

/// Focuses object `id`'s card (which scrolls it into view).
fn focus_card(svg: &NodeRef, id: ObjId) {
    let card = svg.cast::<web_sys::Element>().and_then(|svg| {
        svg.query_selector(&format!("[data-object-id=\"{}\"]", id.0))
            .ok()
            .flatten()
    });
    if let Some(card) = card.and_then(|c| c.dyn_into::<web_sys::SvgElement>().ok()) {
        let _ = card.focus();
    }
}

/// What a card says to a screen reader (and the list of objects, for every card).
fn card_label(o: &ObjectView, freed: bool, unreachable: bool) -> String {
    format!(
        "{} {}, refcount {}, at {}{}",
        o.type_name,
        shorten(&o.value, 40),
        o.refcount,
        hex(o.address),
        if freed {
            ", freed"
        } else if unreachable {
            ", unreachable garbage"
        } else {
            ""
        }
    )
}

/// Every drawn object as a button, oldest first, for keyboards and screen readers
/// (most cards are not in the page at a time): pressing one selects the object and moves
/// the focus to its card. Built only while the list is open.
fn object_list(
    snapshot: &Snapshot,
    drawn: &[((u32, u32), ObjId)],
    lingering: &BTreeSet<ObjId>,
    open: bool,
    on_select: &Callback<Option<ObjId>>,
    focus_next: &Rc<std::cell::RefCell<Option<ObjId>>>,
) -> Html {
    if !open {
        return Html::default();
    }
    let items = drawn.iter().filter_map(|(_, id)| {
        let o = snapshot.object(*id)?;
        let id = *id;
        let onclick = {
            let on_select = on_select.clone();
            let focus_next = focus_next.clone();
            Callback::from(move |_: MouseEvent| {
                *focus_next.borrow_mut() = Some(id);
                on_select.emit(Some(id));
            })
        };
        Some(html! {
            <li key={id.0}>
                <button type="button" data-list-id={id.0.to_string()} {onclick}>
                    { card_label(o, false, lingering.contains(&id)) }
                </button>
            </li>
        })
    });
    html! { <ul class="object-list-items">{ for items }</ul> }
}

#[component]
pub fn Diagram(props: &DiagramProps) -> Html {
    let band = use_state_eq(|| FIRST_BAND);
    let list_open = use_state_eq(|| false);
    let svg_ref = use_node_ref();
    // The card Up/Down (or the list) moved to: focused once it is drawn.
    let focus_next = use_mut_ref(|| None::<ObjId>);
    // The card with the keyboard focus stays drawn when scrolled away from.
    let focused = use_mut_ref(|| None::<ObjId>);
    {
        let svg_ref = svg_ref.clone();
        let focus_next = focus_next.clone();
        use_effect(move || {
            if let Some(id) = focus_next.borrow_mut().take() {
                focus_card(&svg_ref, id);
            }
        });
    }
    // The band follows the viewport: measured on scroll (of the page or any box holding
    // the widget), resize, and when the diagram's size changes.
    let svg_units = use_mut_ref(|| 0.0_f64);
    let measure: Rc<dyn Fn()> = {
        let band = band.clone();
        let svg_ref = svg_ref.clone();
        let svg_units = svg_units.clone();
        Rc::new(move || {
            if let Some(b) = measure_band(&svg_ref, *svg_units.borrow()) {
                band.set(b);
            }
        })
    };
    {
        let measure = measure.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window().expect("a browser window");
            let options = EventListenerOptions {
                phase: EventListenerPhase::Capture,
                passive: true,
            };
            let scroll = {
                let measure = measure.clone();
                EventListener::new_with_options(&window, "scroll", options, move |_| measure())
            };
            let resize = EventListener::new(&window, "resize", move |_| measure());
            move || drop((scroll, resize))
        });
    }
    use_effect_with(
        (props.layout.height, props.layout.columns, props.narrow),
        move |_| measure(),
    );
    let snapshot = &props.snapshot;
    let view = props.view;
    let visible = &props.drawn.all;
    let lingering = &props.drawn.lingering;
    let inline = |id: ObjId| view.inline_small && snapshot.object(id).is_some_and(is_small_value);
    let drawn_card = |id: ObjId| visible.contains(&id) && !inline(id);

    let frames = frame_order(snapshot, view);
    // The tallest the stack gets in the whole run, so the heap below it never moves.
    let stack_height = (props.layout.stack_height as i32).max(
        frames
            .iter()
            .map(|f| crate::layout::frame_height(f) as i32)
            .sum::<i32>(),
    );
    let heap_columns = props.layout.columns.max(1) as i32;
    let heap_width = heap_columns * CARD_WIDTH as i32 + (heap_columns - 1) * COLUMN_GAP as i32;
    let geometry = if props.narrow {
        Geometry {
            narrow: true,
            heap_x: NARROW_MARGIN,
            heap_y: LANE_TOP + stack_height.max(40) + 30 + LANE_TOP,
        }
    } else {
        Geometry {
            narrow: false,
            heap_x: FRAME_WIDTH + LANE_GAP,
            heap_y: LANE_TOP,
        }
    };
    // Room on the right for arrows that come round into a card's right side.
    let width = (geometry.heap_x + heap_width).max(FRAME_WIDTH) + 60;
    let height = if geometry.narrow {
        geometry.heap_y + props.layout.height as i32 + 20
    } else {
        LANE_TOP + stack_height.max(props.layout.height as i32) + 20
    };
    *svg_units.borrow_mut() = height as f64;

    // The stack lane, and the arrows leaving it.
    let mut arrows: Vec<Arrow> = Vec::new();
    let running = snapshot.frames.iter().rposition(|f| !f.suspended);
    let mut y = LANE_TOP;
    let mut frame_nodes = Vec::new();
    for f in &frames {
        let index = snapshot.frames.iter().position(|g| g.id == f.id);
        let node = frame(
            snapshot,
            f,
            y,
            index == running,
            view,
            &inline,
            &drawn_card,
            &mut arrows,
            false,
            &props.timing,
        );
        frame_nodes.push(node);
        y += crate::layout::frame_height(f) as i32;
    }
    // Frames popped by the last move fade out below the ones that remain (and below the
    // "No frames" note).
    if frames.is_empty() {
        y += 30;
    }
    for f in props
        .previous
        .frames
        .iter()
        .filter(|p| snapshot.frame(p.id).is_none())
    {
        let mut ignored = Vec::new();
        let node = frame(
            &props.previous,
            f,
            y,
            false,
            view,
            &|_| false,
            &|_| false,
            &mut ignored,
            true,
            &props.timing,
        );
        frame_nodes.push(node);
        y += crate::layout::frame_height(f) as i32;
    }

    // The heap lane: cards of visible objects, then cards of what was just freed. Only the
    // cards in the band around the viewport are drawn (and the selected and focused ones);
    // the others are reached by Up/Down from a card or through the list below the SVG.
    let band = *band;
    let has_focus = *focused.borrow();
    let pinned =
        |id: ObjId| props.selected == Some(id) || props.focus == Some(id) || has_focus == Some(id);
    let mut card_nodes = Vec::new();
    // Every drawn card with its place in reading order (height, then column): Up/Down
    // look for the nearest key before or after the current card's, with no sort.
    let mut reading: Vec<((u32, u32), ObjId)> = Vec::new();
    let gc_marked: &[ObjId] = props.gc.as_ref().map_or(&[], |(_, ids)| ids.as_slice());
    for id in visible {
        if !drawn_card(*id) {
            continue;
        }
        let (Some(o), Some(place)) = (snapshot.object(*id), props.layout.place(*id)) else {
            continue;
        };
        let origin = geometry.card_origin(place);
        reading.push(((place.y, place.column), *id));
        slot_arrows(o, origin, &drawn_card, &mut arrows, &props.timing);
        if !band.meets(origin.1, origin.1 + place.height as i32) && !pinned(*id) {
            continue;
        }
        let marks = CardMarks {
            delay_ms: props
                .timing
                .appear
                .get(id)
                .or_else(|| props.timing.objects.get(id))
                .copied(),
            refcount_ms: props.timing.refcount.get(id).copied(),
            selected: props.selected == Some(*id),
            focus: props.focus == Some(*id),
            gc: gc_marked.contains(id),
            unreachable: lingering.contains(id),
            freed: false,
            changed_refcount: props
                .previous
                .object(*id)
                .is_some_and(|p| p.refcount != o.refcount),
        };
        card_nodes.push(card(
            o,
            origin,
            marks,
            &inline,
            &drawn_card,
            snapshot,
            &props.on_select,
        ));
    }
    let reading = Rc::new(reading);
    for &id in &props.previous_drawn.all {
        if snapshot.object(id).is_some() {
            continue;
        }
        let (Some(o), Some(place)) = (props.previous.object(id), props.layout.place(id)) else {
            continue;
        };
        if view.inline_small && is_small_value(o) {
            continue;
        }
        let origin = geometry.card_origin(place);
        if !band.meets(origin.1, origin.1 + place.height as i32) {
            continue;
        }
        let marks = CardMarks {
            freed: true,
            delay_ms: props.timing.objects.get(&id).copied(),
            ..CardMarks::default()
        };
        card_nodes.push(card(
            o,
            origin,
            marks,
            &|_| true,
            &|_| false,
            &props.previous,
            &props.on_select,
        ));
    }

    let arrow_nodes = arrows.iter().filter_map(|a| {
        let place = props.layout.place(a.to)?;
        let (tx, ty) = geometry.card_origin(place);
        let (x1, y1) = a.start;
        let y2 = ty + 18;
        // A cubic's curve stays within its control points' heights: y1 and y2.
        if !band.meets(y1.min(y2), y1.max(y2)) {
            return None;
        }
        let d = if tx > x1 + 20 {
            let x2 = tx - 2;
            let dx = ((x2 - x1) / 2).max(30);
            format!("M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}", x1 + dx, x2 - dx)
        } else {
            // The target is level with or left of the port: come round into its right side.
            let x2 = tx + CARD_WIDTH as i32 + 2;
            let reach = x1.max(x2) + 50;
            format!("M{x1},{y1} C{reach},{y1} {reach},{y2} {x2},{y2}")
        };
        let from = a.from.hook();
        let to = format!("obj:{}", a.to.0);
        // A new arrow is drawn when the reference is made, and never before its target's
        // card appears.
        let appear = props.timing.appear.get(&a.to).copied();
        let delay = match (a.made_ms, appear) {
            (Some(m), Some(ap)) => Some(m.max(ap)),
            (m, ap) => m.or(ap),
        }
        .map(|ms| format!("animation-delay: {ms}ms"));
        Some(html! {
            <path
                key={format!("{from}>{to}")}
                class="arrow"
                style={delay}
                pathLength="100"
                d={d}
                data-from={from}
                data-to={to}
                marker-end="url(#arrowhead)"
            />
        })
    });

    // Up/Down on a card selects the card above or below it (in reading order: by height,
    // then column), drawn or not; the effect above moves the focus there.
    let on_cards_key = {
        let reading = reading.clone();
        let on_select = props.on_select.clone();
        let focus_next = focus_next.clone();
        Callback::from(move |e: KeyboardEvent| {
            let down = match e.key().as_str() {
                "ArrowDown" => true,
                "ArrowUp" => false,
                _ => return,
            };
            let Some(at) = card_of(e.target())
                .and_then(|id| reading.iter().find(|(_, o)| *o == id))
                .map(|(key, _)| *key)
            else {
                return;
            };
            e.prevent_default();
            let next = if down {
                reading.iter().filter(|(key, _)| *key > at).min()
            } else {
                reading.iter().filter(|(key, _)| *key < at).max()
            };
            if let Some((_, next)) = next {
                *focus_next.borrow_mut() = Some(*next);
                on_select.emit(Some(*next));
            }
        })
    };
    let on_cards_focus = {
        let focused = focused.clone();
        Callback::from(move |e: FocusEvent| *focused.borrow_mut() = card_of(e.target()))
    };
    let on_cards_blur = Callback::from(move |_: FocusEvent| *focused.borrow_mut() = None);
    let list = object_list(
        snapshot,
        &reading,
        lingering,
        *list_open,
        &props.on_select,
        &focus_next,
    );
    // A click on the summary (or Enter or Space on it) toggles the list after this handler
    // runs (`toggle` does not bubble to Yew's listeners): it will be open if it was not.
    let on_list_toggle = {
        let list_open = list_open.clone();
        Callback::from(move |e: MouseEvent| {
            let was_open = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest("details").ok().flatten())
                .is_some_and(|d| d.has_attribute("open"));
            list_open.set(!was_open);
        })
    };

    let (stack_title, picture_note) = if view.frames_in_heap {
        (
            "Data stack",
            "CPython's actual placement: each frame sits at its address in a chunk of the \
             thread's data stack, which is heap memory, not the C stack.",
        )
    } else {
        (
            "Stack",
            "The textbook picture: frames drawn as a call stack, outermost at the top. \
             CPython 3.11+ really keeps them in its data stack, in heap memory.",
        )
    };
    let heap_title_x = geometry.heap_x;
    let heap_title_y = geometry.heap_y - 18;
    let gc_label = props.gc.as_ref().map(|(phase, _)| format!("GC: {phase}"));

    html! {
        <section class="diagram" aria-labelledby="diagram-heading">
            <h2 id="diagram-heading" class="visually-hidden">{ "Memory diagram" }</h2>
            <p class="picture-note">{ picture_note }</p>
            <div class="diagram-scroll">
                <svg
                    ref={svg_ref}
                    class={classes!("memory-svg", props.narrow.then_some("narrow"))}
                    viewBox={format!("0 0 {width} {height}")}
                    width={width.to_string()}
                    height={height.to_string()}
                    role="group"
                    aria-label="Frames and heap objects, with an arrow for each reference"
                    aria-describedby="diagram-keys"
                >
                    <defs>
                        <marker
                            id="arrowhead"
                            viewBox="0 0 10 10"
                            refX="9"
                            refY="5"
                            markerWidth="7"
                            markerHeight="7"
                            orient="auto-start-reverse"
                        >
                            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
                        </marker>
                    </defs>
                    <g class="lane lane-stack" data-lane="stack">
                        <text class="lane-title" x="0" y={(LANE_TOP - 18).to_string()}>
                            { stack_title }
                        </text>
                        if frames.is_empty() {
                            <text class="empty" x="0" y={(LANE_TOP + 16).to_string()}>
                                { "No frames: nothing is running." }
                            </text>
                        }
                        // The keyed frames and cards each get a group of their own: among
                        // unkeyed siblings Yew diffs by position, and one card fewer near the
                        // start would then rebuild every card after it.
                        <g class="frames">{ for frame_nodes }</g>
                    </g>
                    <g class="lane lane-heap" data-lane="heap">
                        <text class="lane-title" x={heap_title_x.to_string()} y={heap_title_y.to_string()}>
                            { "Heap" }
                            if let Some(label) = gc_label {
                                <tspan class="gc-phase" dx="12">{ label }</tspan>
                            }
                        </text>
                        <rect
                            class="lane-floor"
                            x={(geometry.heap_x - 8).to_string()}
                            y={(geometry.heap_y - 8).to_string()}
                            width={(heap_width + 16).to_string()}
                            height={(props.layout.height as i32 + 16).max(40).to_string()}
                            rx="10"
                        />
                        <g class="cards" onkeydown={on_cards_key} onfocusin={on_cards_focus}
                           onfocusout={on_cards_blur}>{ for card_nodes }</g>
                    </g>
                    <g class="arrows">{ for arrow_nodes }</g>
                </svg>
            </div>
            <p id="diagram-keys" class="visually-hidden">
                { "Cards near the part of the diagram in view are drawn. On a card, Up and Down \
                   select the card above or below; the list of objects reaches every one." }
            </p>
            <details class="object-list">
                <summary onclick={on_list_toggle}>{ format!("List of the {} objects drawn", reading.len()) }</summary>
                { list }
            </details>
        </section>
    }
}

#[allow(clippy::too_many_arguments)]
fn frame(
    snapshot: &Snapshot,
    f: &FrameView,
    y: i32,
    running: bool,
    view: ViewOptions,
    inline: &dyn Fn(ObjId) -> bool,
    drawn_card: &dyn Fn(ObjId) -> bool,
    arrows: &mut Vec<Arrow>,
    popped: bool,
    timing: &Timing,
) -> Html {
    let h = frame_height(f);
    let status = if popped {
        "popped"
    } else if running {
        "▶ running"
    } else if f.suspended {
        "⏸ suspended"
    } else {
        "waiting"
    };
    let where_ = if view.frames_in_heap {
        format!("at {} ({} B)", hex(f.address), f.size)
    } else if f.line == 0 {
        "not started".to_owned()
    } else {
        format!("line {}", f.line)
    };
    let mut rows = Vec::new();
    let mut row_y = y + FRAME_HEADER;
    let port_x = FRAME_WIDTH - 12;
    let mut row = |label: String, key: String, target: ObjId, temp: bool| {
        let cy = row_y + FRAME_ROW / 2;
        let o = snapshot.object(target);
        let value = match o {
            Some(o) if inline(target) => o.value.clone(),
            // Containers' values already name their type ("list of 2").
            Some(o) if o.value.starts_with(&o.type_name) => o.value.clone(),
            Some(o) => format!("{} {}", o.type_name, o.value),
            None => "(freed)".to_owned(),
        };
        let port = drawn_card(target);
        // A name appears when it is bound; a temporary with the object it holds.
        let bound_ms = if temp {
            timing.refcount.get(&target).copied()
        } else {
            timing.names.get(&(f.id, label.clone())).copied()
        };
        if port {
            arrows.push(Arrow {
                from: ArrowFrom::Frame(f.id, key.clone()),
                to: target,
                start: (port_x, cy),
                made_ms: bound_ms,
            });
        }
        rows.push(html! {
            <g
                class={classes!("binding", temp.then_some("temporary"), bound_ms.is_some().then_some("bound"))}
                style={bound_ms.map(|ms| format!("animation-delay: {ms}ms"))}
                data-local={(!temp).then(|| label.clone())}
                data-target-id={target.0.to_string()}
            >
                <text class="name" x="12" y={(cy + 5).to_string()}>{ label }</text>
                <text class={classes!("row-value", inline(target).then_some("inline"))}
                      x="96" y={(cy + 5).to_string()}>
                    { shorten(&value, 14) }
                </text>
                if port {
                    <circle class="port" cx={port_x.to_string()} cy={cy.to_string()} r="4" />
                }
            </g>
        });
        row_y += FRAME_ROW;
    };
    for b in &f.locals {
        row(b.name.clone(), b.name.clone(), b.target, false);
    }
    for (i, t) in f.stack.iter().enumerate() {
        row(format!("temp {i}"), format!("stack[{i}]"), *t, true);
    }
    let empty = f.locals.is_empty() && f.stack.is_empty();
    let frame_delay = timing
        .frames
        .get(&f.id)
        .map(|ms| format!("animation-delay: {ms}ms"));
    html! {
        <g
            key={format!("frame-{}{}", f.id.0, if popped { "-popped" } else { "" })}
            class={classes!(
                "frame",
                running.then_some("running"),
                f.suspended.then_some("suspended"),
                popped.then_some("popped")
            )}
            data-frame={(!popped).then(|| f.function.clone())}
            data-frame-id={(!popped).then(|| f.id.0.to_string())}
            data-popped-frame={popped.then(|| f.function.clone())}
            aria-hidden={popped.then_some("true")}
            style={frame_delay}
            aria-label={format!("Frame {}{}", f.function, if running { ", running" } else { "" })}
        >
            <rect class="frame-box" x="0" y={y.to_string()} width={FRAME_WIDTH.to_string()}
                  height={h.to_string()} rx="8" />
            <text class="frame-name" x="12" y={(y + 17).to_string()}>{ shorten(&f.function, 18) }</text>
            <text class="frame-status" x={(FRAME_WIDTH - 10).to_string()} y={(y + 17).to_string()}
                  text-anchor="end">{ status }</text>
            <text class="frame-where" x="12" y={(y + 32).to_string()}>{ where_ }</text>
            if empty {
                <text class="empty" x="12" y={(y + FRAME_HEADER + 16).to_string()}>
                    { "No names bound yet." }
                </text>
            }
            { for rows }
        </g>
    }
}

#[derive(Clone, Copy, Default, PartialEq)]
struct CardMarks {
    /// When this card's change plays within the step's animation.
    delay_ms: Option<u32>,
    /// When its refcount last changed within the step's animation (the badge ticks then).
    refcount_ms: Option<u32>,
    selected: bool,
    focus: bool,
    gc: bool,
    /// Garbage in a cycle: alive, but the program cannot reach it.
    unreachable: bool,
    freed: bool,
    changed_refcount: bool,
}

/// One reference row of a card, as drawn.
#[derive(Clone, PartialEq)]
struct SlotRow {
    label: String,
    target: ObjId,
    /// The label, or `label = value` when the target is drawn inline.
    text: String,
    /// Whether an arrow leaves this row (its target has a card).
    port: bool,
}

/// The arrows leaving a live card's slots (worked out for every card, drawn or not: an
/// arrow may cross the part in view between two cards out of it).
fn slot_arrows<'a>(
    o: &'a ObjectView,
    (x, y): (i32, i32),
    drawn_card: &dyn Fn(ObjId) -> bool,
    arrows: &mut Vec<Arrow<'a>>,
    timing: &Timing,
) {
    for (i, r) in o.referents.iter().take(MAX_SLOT_ROWS).enumerate() {
        if drawn_card(r.target) {
            let cy = y + CARD_HEADER as i32 + i as i32 * SLOT_ROW as i32 + SLOT_ROW as i32 / 2;
            arrows.push(Arrow {
                from: ArrowFrom::Slot(o.id, &r.label),
                to: r.target,
                start: (x + CARD_WIDTH as i32 - 10, cy),
                made_ms: timing.objects.get(&o.id).copied(),
            });
        }
    }
}

/// A card and its rows.
#[allow(clippy::too_many_arguments)]
fn card(
    o: &ObjectView,
    origin: (i32, i32),
    marks: CardMarks,
    inline: &dyn Fn(ObjId) -> bool,
    drawn_card: &dyn Fn(ObjId) -> bool,
    snapshot: &Rc<Snapshot>,
    on_select: &Callback<Option<ObjId>>,
) -> Html {
    let slots: Vec<SlotRow> = o
        .referents
        .iter()
        .take(MAX_SLOT_ROWS)
        .map(|r| {
            let text = match snapshot.object(r.target) {
                Some(t) if inline(r.target) => format!("{} = {}", r.label, t.value),
                _ => r.label.to_string(),
            };
            SlotRow {
                label: r.label.to_string(),
                target: r.target,
                text: shorten(&text, 22),
                port: !marks.freed && drawn_card(r.target),
            }
        })
        .collect();
    html! {
        <Card
            key={format!("obj-{}{}", o.id.0, if marks.freed { "-freed" } else { "" })}
            snapshot={snapshot.clone()}
            id={o.id}
            {origin}
            {marks}
            {slots}
            on_select={on_select.clone()}
        />
    }
}

/// The card of object `id` of `snapshot` (the previous snapshot for a freed card).
#[derive(Properties)]
struct CardProps {
    snapshot: Rc<Snapshot>,
    id: ObjId,
    origin: (i32, i32),
    marks: CardMarks,
    slots: Vec<SlotRow>,
    on_select: Callback<Option<ObjId>>,
}

/// Equal when the object's view is: compared in place, so no view is copied into props.
impl PartialEq for CardProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.origin == other.origin
            && self.marks == other.marks
            && self.slots == other.slots
            && self.on_select == other.on_select
            && (Rc::ptr_eq(&self.snapshot, &other.snapshot)
                || self.snapshot.object(self.id) == other.snapshot.object(other.id))
    }
}

/// One object's card. A component of its own so that, with equal props, Yew skips it: a
/// step redraws only the cards it changed, not every card on screen.
#[component]
fn Card(props: &CardProps) -> Html {
    let CardProps {
        origin: (x, y),
        marks,
        ..
    } = props;
    let Some(o) = props.snapshot.object(props.id) else {
        return Html::default();
    };
    let (x, y) = (*x, *y);
    let h = card_height(o.referents.len()) as i32;
    let w = CARD_WIDTH as i32;
    let mut flags = Vec::new();
    if o.interned {
        flags.push("interned");
    }
    if o.immortal {
        flags.push("immortal");
    }
    if o.internal {
        flags.push("internal");
    }
    let mut facts = format!("{} B", o.size);
    for f in &flags {
        facts.push_str(" · ");
        facts.push_str(f);
    }
    let slots = props.slots.iter().enumerate().map(|(i, r)| {
        let top = y + CARD_HEADER as i32 + i as i32 * SLOT_ROW as i32;
        let cy = top + SLOT_ROW as i32 / 2;
        let port_x = x + w - 10;
        html! {
            <g class="slot" data-slot={r.label.clone()} data-target-id={r.target.0.to_string()}>
                <line class="slot-rule" x1={(x + 6).to_string()} x2={(x + w - 6).to_string()}
                      y1={top.to_string()} y2={top.to_string()} />
                <text class="slot-label" x={(x + 10).to_string()} y={(cy + 4).to_string()}>
                    { r.text.clone() }
                </text>
                if r.port {
                    <circle class="port" cx={port_x.to_string()} cy={cy.to_string()} r="4" />
                }
            </g>
        }
    });
    let more = o.referents.len().saturating_sub(MAX_SLOT_ROWS);
    let id = o.id;
    let onclick = {
        let cb = props.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Some(id)))
    };
    let onkeydown = {
        let cb = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                cb.emit(Some(id));
            }
        })
    };
    let label = card_label(o, marks.freed, marks.unreachable);
    let delay = marks.delay_ms.map(|ms| format!("animation-delay: {ms}ms"));
    let status = if marks.freed {
        Some("freed")
    } else if marks.gc {
        Some("GC")
    } else if marks.unreachable {
        Some("unreachable")
    } else {
        None
    };
    html! {
        <g
            class={classes!(
                "card",
                o.internal.then_some("internal"),
                marks.selected.then_some("selected"),
                marks.focus.then_some("focus"),
                marks.gc.then_some("gc-marked"),
                marks.unreachable.then_some("unreachable"),
                marks.freed.then_some("freed"),
            )}
            data-object-id={(!marks.freed).then(|| o.id.0.to_string())}
            data-freed-id={marks.freed.then(|| o.id.0.to_string())}
            aria-hidden={marks.freed.then_some("true")}
            data-address={hex(o.address)}
            data-type={o.type_name.clone()}
            tabindex={(!marks.freed).then_some("0")}
            role={(!marks.freed).then_some("button")}
            aria-pressed={(!marks.freed).then(|| marks.selected.to_string())}
            aria-label={label}
            style={delay.clone()}
            onclick={(!marks.freed).then_some(onclick)}
            onkeydown={(!marks.freed).then_some(onkeydown)}
        >
            <rect class="card-box" x={x.to_string()} y={y.to_string()} width={w.to_string()}
                  height={h.to_string()} rx="8" />
            <text class="card-title" x={(x + 10).to_string()} y={(y + 19).to_string()}>
                <tspan class="type">{ shorten(&o.type_name, 10) }</tspan>
                <tspan class="value" dx="6">{ shorten(&o.value, 15usize.saturating_sub(o.type_name.chars().count().min(10)).max(4)) }</tspan>
            </text>
            // Keyed on the count, so the badge is redrawn (and ticks) when it changes.
            { for std::iter::once(html! {
                <g key={format!("rc-{}", o.refcount)}
                   class={classes!("refcount", marks.changed_refcount.then_some("ticked"))}
                   style={marks.refcount_ms.or(marks.delay_ms).map(|ms| format!("animation-delay: {ms}ms"))}>
                    <rect class="badge" x={(x + w - 66).to_string()} y={(y + 5).to_string()}
                          width="58" height="20" rx="10" />
                    <text class="badge-text" x={(x + w - 37).to_string()} y={(y + 19).to_string()}
                          text-anchor="middle">{ format!("refs {}", o.refcount) }</text>
                </g>
            }) }
            <text class="address" x={(x + 10).to_string()} y={(y + 38).to_string()}>
                { format!("{}  #{}", hex(o.address), o.id.0) }
            </text>
            <text class="facts" x={(x + 10).to_string()} y={(y + 55).to_string()}>{ facts }</text>
            if let Some(status) = status {
                <text class="card-status" x={(x + w - 10).to_string()} y={(y + 55).to_string()}
                      text-anchor="end">{ status }</text>
            }
            { for slots }
            if more > 0 {
                <text class="slot-label more" x={(x + 10).to_string()}
                      y={(y + CARD_HEADER as i32 + MAX_SLOT_ROWS as i32 * SLOT_ROW as i32 + 14).to_string()}>
                    { format!("+ {more} more") }
                </text>
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::Band;

    #[test]
    fn the_band_covers_the_viewport_and_a_viewport_around_it() {
        // An SVG 45,000 units tall drawn at full size, its top 100 px below the viewport's.
        let band = Band::around(100.0, 45_000.0, 45_000.0, 900.0);
        assert!(band.meets(0, 100), "{band:?}");
        assert!(band.meets(1_600, 1_700), "a viewport below the one in view");
        assert!(!band.meets(3_000, 3_200), "{band:?}");
        // Drawn at half size and scrolled 5,000 px down: the view shows units 10,000-11,800.
        let band = Band::around(-5_000.0, 22_500.0, 45_000.0, 900.0);
        assert!(
            band.meets(8_200, 8_300) && band.meets(13_500, 13_600),
            "{band:?}"
        );
        assert!(
            !band.meets(0, 7_000) && !band.meets(15_000, 45_000),
            "{band:?}"
        );
    }

    #[test]
    fn scrolling_within_a_band_step_keeps_the_band() {
        let a = Band::around(-1_000.0, 45_000.0, 45_000.0, 900.0);
        let b = Band::around(-1_010.0, 45_000.0, 45_000.0, 900.0);
        assert_eq!(a, b);
    }
}
