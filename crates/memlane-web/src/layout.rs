//! Where each object's card sits in the heap lane, decided once per trace.
//!
//! One pass over the trace's events gives every object a place (a column and a height
//! interval) when it first becomes reachable from a frame (or from a placed object), and
//! keeps it there until the object is freed: cards never move while they live, so a free never makes the others jump (the
//! confusion Python Tutor's users report most). A place is reserved for the largest the
//! card ever gets, and is only handed to another object from the next step on, so a freed
//! card can fade out where it stood. Web-free: tested natively over real traces.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use memlane_core::{Event, ObjId, Snapshot, Splice, Stored, Trace};

/// Width of an object card, in SVG user units.
pub const CARD_WIDTH: u32 = 200;
/// Type/value, address and size lines at the top of a card.
pub const CARD_HEADER: u32 = 62;
/// One slot (a reference the object holds) per row.
pub const SLOT_ROW: u32 = 20;
/// Containers show at most this many slots; the rest are summarised in one more row.
pub const MAX_SLOT_ROWS: usize = 8;
/// Vertical space between two cards of a column.
pub const CARD_GAP: u32 = 14;
/// Horizontal space between columns.
pub const COLUMN_GAP: u32 = 34;
/// A frame box in the stack lane: a header, then a row per name or temporary.
pub const FRAME_HEADER: u32 = 38;
pub const FRAME_ROW: u32 = 24;
pub const FRAME_GAP: u32 = 12;

/// The height of a frame's box, gap included.
pub fn frame_height(f: &memlane_core::FrameView) -> u32 {
    let rows = (f.locals.len() + f.stack.len()).max(1) as u32;
    FRAME_HEADER + rows * FRAME_ROW + 8 + FRAME_GAP
}

/// Every object in the virtual address space lives in a page of this size.
pub const PAGE_SIZE: u64 = 4096;

/// The height of a card holding `slots` references.
pub fn card_height(slots: usize) -> u32 {
    let rows = slots.min(MAX_SLOT_ROWS) + usize::from(slots > MAX_SLOT_ROWS);
    CARD_HEADER + rows as u32 * SLOT_ROW + if rows > 0 { 6 } else { 0 }
}

/// The objects a diagram draws in `snap`: what the program can reach (the core decides),
/// or every live object when internal objects are shown.
pub fn visible_objects(snap: &Snapshot, include_internal: bool) -> BTreeSet<ObjId> {
    if include_internal {
        snap.objects.keys().copied().collect()
    } else {
        snap.program_objects()
    }
}

/// The objects a diagram draws at one position ([`Layout::drawn`]): worked out once per
/// move (a walk over what the program reaches), then shared by the diagram, the RAM lane
/// and the options, and kept as the previous position's on the next move.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawn {
    /// The reachable objects and the lingering garbage.
    pub all: BTreeSet<ObjId>,
    /// The garbage among them: alive in a cycle the collector has not freed yet.
    pub lingering: BTreeSet<ObjId>,
}

/// A card's place: a column of the heap lane and a vertical interval in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub column: u32,
    pub y: u32,
    pub height: u32,
}

impl Place {
    #[cfg(test)]
    fn overlaps(&self, other: &Place) -> bool {
        self.column == other.column
            && self.y < other.y + other.height + CARD_GAP
            && other.y < self.y + self.height + CARD_GAP
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutOptions {
    pub include_internal: bool,
    pub columns: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    places: HashMap<ObjId, Place>,
    pub columns: u32,
    /// Whether internal objects have places too.
    pub include_internal: bool,
    /// The lowest card bottom over the whole run: the heap lane's height never changes.
    pub height: u32,
    /// The tallest the stack lane gets over the run: where the heap lane starts when the
    /// lanes are drawn one under another, so frames coming and going never move cards.
    pub stack_height: u32,
    /// Every 4 KiB page that ever holds a drawn object or a frame, in address order.
    pub pages: Vec<u64>,
}

/// A layout being computed a slice of events at a time (`Layout::compute` runs it to the
/// end), so a page can lay out a long trace without freezing. Each card is sized by the
/// most references its object ever holds, which the core keeps as it records
/// (`Trace::most_referents`): starting costs nothing, and every pass is a slice.
#[derive(Clone, Debug)]
pub struct LayoutBuilder {
    options: LayoutOptions,
    columns: u32,
    snap: Snapshot,
    places: HashMap<ObjId, Place>,
    /// The places in use, per column, by top edge.
    held: Vec<BTreeMap<u32, u32>>,
    freed_this_step: Vec<ObjId>,
    pages: BTreeSet<u64>,
    height: u32,
    stack_height: u32,
    /// The next event to replay.
    next: usize,
    /// The first step that has not started yet (the events before its first one do not
    /// free places).
    next_step: usize,
}

impl LayoutBuilder {
    pub fn new(options: LayoutOptions) -> LayoutBuilder {
        let columns = options.columns.max(1);
        LayoutBuilder {
            options,
            columns,
            snap: Snapshot::default(),
            places: HashMap::new(),
            held: vec![BTreeMap::new(); columns as usize],
            freed_this_step: Vec::new(),
            pages: BTreeSet::new(),
            height: 0,
            stack_height: 0,
            next: 0,
            next_step: 0,
        }
    }

    /// Events replayed so far.
    pub fn events_done(&self) -> usize {
        self.next
    }

    /// Steps whose first event has been replayed.
    pub fn steps_started(&self) -> usize {
        self.next_step
    }

    /// Replays up to `max_events` more events of `trace` (the same trace each time),
    /// placing objects as they become visible. Returns whether events remain.
    pub fn advance(&mut self, trace: &Trace, max_events: usize) -> bool {
        let end = trace
            .event_count()
            .min(self.next.saturating_add(max_events));
        let mut steps = trace.steps_from(self.next_step).peekable();
        for (i, ev) in (self.next..end).zip(trace.iter_stored_without_holder_texts(self.next..end))
        {
            // A step's first event frees the places of the objects freed in the step
            // before (several steps may start at one event: an empty step).
            let mut starts = false;
            while steps.next_if(|s| s.first_event <= i).is_some() {
                self.next_step += 1;
                starts = true;
            }
            if starts {
                self.free_places();
            }
            match ev {
                Stored::Event(ev) => self.replay(trace, &ev),
                Stored::Splice {
                    obj,
                    value,
                    size,
                    splice,
                } => self.replay_splice(trace, obj, value, size, &splice),
            }
        }
        self.next = end;
        end < trace.event_count()
    }

    fn free_places(&mut self) {
        for id in self.freed_this_step.drain(..) {
            let p = self.places[&id];
            self.held[p.column as usize].remove(&p.y);
        }
    }

    /// A container change stored as a splice: only its new references can make an object
    /// visible, so only they are walked.
    fn replay_splice(
        &mut self,
        trace: &Trace,
        obj: ObjId,
        value: String,
        size: u64,
        splice: &Splice,
    ) {
        let Some(o) = self
            .snap
            .objects
            .get_mut(&obj)
            .map(std::sync::Arc::make_mut)
        else {
            return;
        };
        splice.apply_to(o, value, size);
        if self.places.contains_key(&obj) {
            let todo = splice.middle.iter().map(|r| r.target).collect();
            self.place_reachable(trace, todo);
        }
    }

    fn replay(&mut self, trace: &Trace, ev: &Event) {
        let options = self.options;
        let snap = &mut self.snap;
        let places = &mut self.places;
        snap.apply(ev);
        if matches!(
            ev,
            Event::FramePush { .. } | Event::Bind { .. } | Event::Push { .. }
        ) {
            self.stack_height = self
                .stack_height
                .max(snap.frames.iter().map(frame_height).sum());
        }
        match ev {
            Event::Free { obj, .. } if places.contains_key(obj) => self.freed_this_step.push(*obj),
            Event::FramePush { frame } => {
                self.pages.insert(frame.address / PAGE_SIZE * PAGE_SIZE);
            }
            _ => {}
        }
        // Only a new reference can make an object visible: start from what the event
        // now refers to and place every unplaced object reachable from there. Objects
        // reachable from a placed one are always placed, so the walk stops at them.
        let todo: Vec<ObjId> = match ev {
            Event::Bind { target, .. } => vec![*target],
            Event::Push { obj, .. } => vec![*obj],
            Event::FramePush { frame } => frame
                .locals
                .iter()
                .map(|b| b.target)
                .chain(frame.stack.iter().copied())
                .collect(),
            Event::Change { obj, referents, .. } if places.contains_key(obj) => referents
                .iter()
                .map(|r| r.target)
                .filter(|t| !places.contains_key(t))
                .collect(),
            Event::Alloc { object } if options.include_internal => vec![object.id],
            _ => Vec::new(),
        };
        self.place_reachable(trace, todo);
    }

    /// Places every unplaced, shown object reachable from `todo`.
    fn place_reachable(&mut self, trace: &Trace, mut todo: Vec<ObjId>) {
        let options = self.options;
        let (snap, places) = (&self.snap, &mut self.places);
        while let Some(id) = todo.pop() {
            if places.contains_key(&id) {
                continue;
            }
            let Some(o) = snap.object(id) else { continue };
            if o.internal && !options.include_internal {
                continue;
            }
            let h = card_height(trace.most_referents(id));
            let place = first_fit(&self.held, h);
            self.height = self.height.max(place.y + place.height);
            places.insert(id, place);
            self.held[place.column as usize].insert(place.y, place.height);
            self.pages.insert(o.address / PAGE_SIZE * PAGE_SIZE);
            todo.extend(o.referents.iter().map(|r| r.target));
        }
    }

    /// The layout, once `advance` has replayed every event.
    pub fn finish(self) -> Layout {
        Layout {
            places: self.places,
            columns: self.columns,
            include_internal: self.options.include_internal,
            height: self.height,
            stack_height: self.stack_height,
            pages: self.pages.into_iter().collect(),
        }
    }
}

impl Layout {
    pub fn compute(trace: &Trace, options: LayoutOptions) -> Layout {
        let mut builder = LayoutBuilder::new(options);
        while builder.advance(trace, usize::MAX) {}
        builder.finish()
    }

    /// Objects the program can no longer reach that the cyclic GC has not freed yet:
    /// container garbage kept alive by a reference cycle. They were drawn before (so they
    /// have a place) and stay drawn, marked, until they are freed: that is when they leave
    /// memory.
    pub fn lingering(&self, snap: &Snapshot, visible: &BTreeSet<ObjId>) -> BTreeSet<ObjId> {
        snap.objects
            .values()
            .filter(|o| o.gc_tracked && !o.internal && !visible.contains(&o.id))
            .filter(|o| self.places.contains_key(&o.id))
            .map(|o| o.id)
            .collect()
    }

    /// Everything a diagram draws in `snap`: the visible objects and the lingering garbage.
    pub fn drawn(&self, snap: &Snapshot, include_internal: bool) -> Drawn {
        let mut all = visible_objects(snap, include_internal);
        let lingering = self.lingering(snap, &all);
        all.extend(lingering.iter().copied());
        Drawn { all, lingering }
    }

    /// Where `id`'s card sits, for its whole life.
    pub fn place(&self, id: ObjId) -> Option<Place> {
        self.places.get(&id).copied()
    }
}

/// The highest free interval of height `h`, leftmost column first among equals.
fn first_fit(held: &[BTreeMap<u32, u32>], h: u32) -> Place {
    let mut best = Place {
        column: 0,
        y: u32::MAX,
        height: h,
    };
    for (column, places) in held.iter().enumerate() {
        // Walk the column's cards top down; the first gap that fits wins.
        let mut y = 0;
        for (&top, &height) in places {
            if top >= y + h + CARD_GAP {
                break;
            }
            y = y.max(top + height + CARD_GAP);
        }
        if y < best.y {
            best = Place {
                column: column as u32,
                y,
                height: h,
            };
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlane_python::RunOptions;

    fn layout_of(trace: &Trace, include_internal: bool, columns: u32) -> Layout {
        Layout::compute(
            trace,
            LayoutOptions {
                include_internal,
                columns,
            },
        )
    }

    const PROGRAMS: &[&str] = &[
        crate::state::DEFAULT_PROGRAM,
        "xs = [1, 2, 3]\nys = xs\nxs.append(4)\ndel xs\nys = None\nzs = [[0] * 2 for _ in range(3)]\n",
        "def f(n):\n    if n == 0:\n        return []\n    r = f(n - 1)\n    r.append(n)\n    return r\n\nout = f(4)\nprint(out)\n",
        "a = [1]\nb = [a]\na.append(b)\ndel a\ndel b\nimport gc\ngc.collect()\nc = 'x' * 3\nd = {'k': c}\n",
        "class P:\n    def __init__(self, x):\n        self.x = x\n\np = P(5)\nq = P(p)\ndel p\nq.x = 1\n",
    ];

    fn traces() -> Vec<Trace> {
        PROGRAMS
            .iter()
            .map(|src| memlane_python::run(src, &RunOptions::default()))
            .collect()
    }

    /// Every position the page can show: after each event from the end of start-up on.
    fn positions(trace: &Trace) -> impl Iterator<Item = (usize, Snapshot)> + '_ {
        let mut snap = trace.snapshot_at_event(trace.prologue_end);
        let mut at = trace.prologue_end;
        std::iter::from_fn(move || {
            let ev = trace.event(at)?;
            snap.apply(&ev);
            at += 1;
            Some((at, snap.clone()))
        })
    }

    #[test]
    fn every_visible_object_has_a_place_and_live_cards_never_overlap() {
        for trace in traces() {
            for internal in [false, true] {
                let layout = layout_of(&trace, internal, 2);
                for (at, snap) in positions(&trace) {
                    let shown: Vec<(ObjId, Place)> = layout
                        .drawn(&snap, internal)
                        .all
                        .into_iter()
                        .map(|id| {
                            let p = layout.place(id);
                            assert!(
                                p.is_some(),
                                "object {id:?} shown after event {at} has no place"
                            );
                            (id, p.unwrap())
                        })
                        .collect();
                    for (i, (a, pa)) in shown.iter().enumerate() {
                        assert!(pa.y + pa.height <= layout.height);
                        for (b, pb) in &shown[i + 1..] {
                            assert!(!pa.overlaps(pb), "{a:?} and {b:?} overlap after event {at}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn no_card_moves_while_alive() {
        for trace in traces() {
            let layout = layout_of(&trace, false, 2);
            let mut seen: HashMap<ObjId, Place> = HashMap::new();
            for (at, snap) in positions(&trace) {
                for id in layout.drawn(&snap, false).all {
                    let p = layout.place(id).unwrap();
                    let first = *seen.entry(id).or_insert(p);
                    assert_eq!(first, p, "{id:?} moved after event {at}");
                }
            }
            assert!(!seen.is_empty());
        }
    }

    #[test]
    fn a_freed_place_is_reused_only_from_the_next_step() {
        for trace in traces() {
            let layout = layout_of(&trace, false, 2);
            for (i, step) in trace.steps().enumerate() {
                let before = trace.snapshot_at_event(step.first_event);
                let after = trace.snapshot(i);
                let freed: Vec<ObjId> = visible_objects(&before, false)
                    .into_iter()
                    .filter(|id| after.object(*id).is_none())
                    .collect();
                let born: Vec<ObjId> = visible_objects(&after, false)
                    .into_iter()
                    .filter(|id| before.object(*id).is_none())
                    .collect();
                for f in &freed {
                    for b in &born {
                        let (pf, pb) = (layout.place(*f).unwrap(), layout.place(*b).unwrap());
                        assert!(
                            !pf.overlaps(&pb),
                            "step {i}: {b:?} took freed {f:?}'s place"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_growing_list_keeps_room_for_its_largest_size() {
        let trace = memlane_python::run(
            "xs = []\nys = [7]\nxs.append(1)\nxs.append(2)\nxs.append(3)\n",
            &RunOptions::default(),
        );
        let layout = layout_of(&trace, false, 1);
        // The step before the interpreter's shutdown, which clears the module's names.
        let last = trace.snapshot(trace.len() - 2);
        let xs = last.frames[0]
            .locals
            .iter()
            .find(|b| b.name == "xs")
            .unwrap();
        assert_eq!(layout.place(xs.target).unwrap().height, card_height(3));
    }

    #[test]
    fn cycle_garbage_stays_drawn_until_the_collector_frees_it() {
        let trace = memlane_python::run(
            "import gc\na = []\nb = [a]\na.append(b)\ndel a, b\nn = gc.collect()\n",
            &RunOptions::default(),
        );
        let layout = layout_of(&trace, false, 2);
        // After `del a, b` (step 5) the two lists are unreachable but alive.
        let after_del = trace.snapshot(4);
        let visible = visible_objects(&after_del, false);
        let lingering = layout.lingering(&after_del, &visible);
        assert_eq!(lingering.len(), 2, "{lingering:?}");
        // After gc.collect() they are gone.
        let after_collect = trace.snapshot(5);
        assert!(lingering
            .iter()
            .all(|id| after_collect.object(*id).is_none()));
        assert!(layout
            .lingering(&after_collect, &visible_objects(&after_collect, false))
            .is_empty());
    }

    #[test]
    fn the_stack_lane_reserves_its_tallest_height() {
        for trace in traces() {
            let layout = layout_of(&trace, false, 1);
            for (at, snap) in positions(&trace) {
                let h: u32 = snap.frames.iter().map(frame_height).sum();
                assert!(
                    h <= layout.stack_height,
                    "stack {h} > {} after event {at}",
                    layout.stack_height
                );
            }
        }
    }

    /// The most references of each object over the stored events, counted the way the
    /// layout did before the core kept the figure: splices counted, not expanded.
    fn most_slots_counted(trace: &Trace) -> HashMap<ObjId, usize> {
        let mut most: HashMap<ObjId, usize> = HashMap::new();
        let mut slots: HashMap<ObjId, usize> = HashMap::new();
        for ev in trace.iter_stored_without_holder_texts(0..trace.event_count()) {
            let (id, n) = match &ev {
                Stored::Event(Event::Alloc { object }) => (object.id, object.referents.len()),
                Stored::Event(Event::Change { obj, referents, .. }) => (*obj, referents.len()),
                Stored::Splice { obj, splice, .. } => {
                    (*obj, splice.len_after(slots.get(obj).copied().unwrap_or(0)))
                }
                _ => continue,
            };
            slots.insert(id, n);
            let m = most.entry(id).or_insert(0);
            *m = (*m).max(n);
        }
        most
    }

    #[test]
    fn the_core_keeps_each_objects_most_references_as_the_events_count_them() {
        let grow = "xs = []\nfor i in range(40):\n    xs.append([i] * (i % 5))\n    if i % 7 == 0:\n        del xs[:3]\nd = {}\nfor i in range(30):\n    d[i] = i\nd.clear()\n";
        let mut all = traces();
        all.push(memlane_python::run(grow, &RunOptions::default()));
        for trace in all {
            let counted = most_slots_counted(&trace);
            assert!(!counted.is_empty());
            for (id, n) in &counted {
                assert_eq!(trace.most_referents(*id), *n, "{id:?}");
            }
            // A deserialised trace gets the figures back from `index`.
            let json = serde_json::to_string(&trace).unwrap();
            let mut back: Trace = serde_json::from_str(&json).unwrap();
            back.index();
            for (id, n) in &counted {
                assert_eq!(back.most_referents(*id), *n, "{id:?} after index");
            }
        }
    }

    #[test]
    fn card_height_caps_long_containers() {
        assert_eq!(card_height(0), CARD_HEADER);
        assert_eq!(
            card_height(MAX_SLOT_ROWS + 5),
            card_height(MAX_SLOT_ROWS + 1)
        );
    }
}
