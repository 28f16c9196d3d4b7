//! The whole state of the page and the one place it changes: [`State`], [`Action`] and
//! [`Reducible::reduce`]. The root component owns it with `use_reducer`; every other
//! component gets plain props and callbacks.

use std::rc::Rc;

use memlane_core::{ObjectView, Snapshot, StepKind, Trace};
use memlane_python::RunOptions;
use yew::Reducible;

/// The program the page opens with.
pub const DEFAULT_PROGRAM: &str = r#"def make_pair(first, second):
    pair = [first, second]
    return pair

a = 7
b = a
items = make_pair(a, "seven")
items.append(items)
del items
"#;

#[derive(Clone, Debug)]
pub struct State {
    pub source: Rc<str>,
    pub trace: Rc<Trace>,
    /// Index of the step whose result is shown; 0 when the trace has no steps.
    pub step: usize,
    /// `trace.snapshot(step)`, computed when `step` changes rather than on every render.
    pub snapshot: Rc<Snapshot>,
    /// Whether objects marked `internal` (code objects, constant tables...) are listed.
    pub show_internal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    StepBack,
    StepForward,
    ShowInternal(bool),
}

impl State {
    /// Runs `source` with the default options and shows its first step.
    pub fn run(source: &str) -> State {
        State::from_trace(source, memlane_python::run(source, &RunOptions::default()))
    }

    pub fn from_trace(source: &str, trace: Trace) -> State {
        let snapshot = Rc::new(trace.snapshot(0));
        State {
            source: source.into(),
            trace: Rc::new(trace),
            step: 0,
            snapshot,
            show_internal: false,
        }
    }

    pub fn step_count(&self) -> usize {
        self.trace.len()
    }

    pub fn can_step_back(&self) -> bool {
        self.step > 0
    }

    pub fn can_step_forward(&self) -> bool {
        self.step + 1 < self.step_count()
    }

    /// "Step 3 of 12", counting from 1; "Step 0 of 0" when nothing ran.
    pub fn position_label(&self) -> String {
        let shown = if self.trace.is_empty() {
            0
        } else {
            self.step + 1
        };
        format!("Step {} of {}", shown, self.step_count())
    }

    /// The source line the shown step ran (none for the interpreter's shutdown step).
    pub fn current_line(&self) -> Option<u32> {
        self.trace
            .step(self.step)
            .filter(|s| s.kind == StepKind::Line)
            .map(|s| s.line)
    }

    /// The line the next step will run, if a line runs next.
    pub fn next_line(&self) -> Option<u32> {
        self.trace
            .step(self.step + 1)
            .filter(|s| s.kind == StepKind::Line)
            .map(|s| s.line)
    }

    /// What the shown step did, in words: "Ran line 7".
    pub fn step_caption(&self) -> String {
        match self.trace.step(self.step) {
            Some(s) if s.kind == StepKind::Exit => "The interpreter shut down".to_owned(),
            Some(s) => format!("Ran line {}", s.line),
            None => "Nothing ran".to_owned(),
        }
    }

    pub fn at_end(&self) -> bool {
        !self.can_step_forward()
    }

    /// What the run printed to stderr at its end (an exception, a limit, an unsupported
    /// construct), shown once the last step is reached.
    pub fn error_line(&self) -> Option<String> {
        if self.at_end() {
            self.trace.outcome.error_line()
        } else {
            None
        }
    }

    /// Whether the run ended normally and the last step is shown.
    pub fn finished(&self) -> bool {
        self.at_end() && self.trace.outcome.exit_status() == 0 && !self.trace.is_empty()
    }

    /// The live objects to list, in allocation order: what the program can reach from its
    /// frames (the core decides), or everything when internals are shown.
    pub fn visible_objects(&self) -> Vec<ObjectView> {
        if self.show_internal {
            return self.snapshot.objects.values().cloned().collect();
        }
        let reachable = self.snapshot.program_objects();
        self.snapshot
            .objects
            .values()
            .filter(|o| reachable.contains(&o.id))
            .cloned()
            .collect()
    }

    pub fn hidden_object_count(&self) -> usize {
        self.snapshot.objects.len() - self.visible_objects().len()
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::StepBack if self.can_step_back() => next.step -= 1,
            Action::StepForward if self.can_step_forward() => next.step += 1,
            Action::ShowInternal(show) if show != self.show_internal => {
                next.show_internal = show;
                return Rc::new(next);
            }
            _ => return self,
        }
        next.snapshot = Rc::new(next.trace.snapshot(next.step));
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlane_core::{
        Binding, Event, FrameId, FrameView, Holder, ObjId, Outcome, Profile, Recorder,
    };

    fn object(id: u32, value: &str, internal: bool) -> ObjectView {
        ObjectView {
            id: ObjId(id),
            type_name: "int".into(),
            value: value.into(),
            address: 0x7f00_0000_0000 + u64::from(id) * 32,
            size: 28,
            refcount: 1,
            internal,
            ..ObjectView::default()
        }
    }

    /// `a = 1` then `b = 2`, with one internal object allocated at start-up.
    fn two_steps(outcome: Outcome) -> Trace {
        let module = FrameId(0);
        let mut rec = Recorder::new();
        rec.record(Event::FramePush {
            frame: Box::new(FrameView {
                id: module,
                function: "<module>".into(),
                line: 1,
                address: 0x1000,
                size: 80,
                ..FrameView::default()
            }),
        });
        rec.record(Event::Alloc {
            object: Box::new(object(0, "<code>", true)),
        });
        for (line, (name, id, value)) in [("a", 1, "1"), ("b", 2, "2")].into_iter().enumerate() {
            rec.begin_step(module, line as u32 + 1);
            rec.record(Event::Alloc {
                object: Box::new(object(id, value, false)),
            });
            rec.record(Event::Bind {
                frame: module,
                name: name.into(),
                target: ObjId(id),
            });
            rec.record(Event::Refcount {
                obj: ObjId(id),
                count: 1,
                delta: 1,
                holder: Holder::Name {
                    frame: module,
                    name: name.into(),
                },
            });
        }
        rec.finish(Profile::default(), outcome)
    }

    fn reduce(state: State, actions: &[Action]) -> Rc<State> {
        actions.iter().fold(Rc::new(state), |s, &a| s.reduce(a))
    }

    #[test]
    fn starts_at_the_first_step() {
        let s = State::from_trace("a = 1\nb = 2\n", two_steps(Outcome::Finished));
        assert_eq!(s.position_label(), "Step 1 of 2");
        assert_eq!(s.current_line(), Some(1));
        assert_eq!(s.next_line(), Some(2));
        assert!(!s.can_step_back() && s.can_step_forward());
        assert_eq!(
            s.snapshot.frames[0].locals,
            vec![Binding {
                name: "a".into(),
                target: ObjId(1)
            }]
        );
        assert_eq!(s.error_line(), None);
    }

    #[test]
    fn steps_forward_and_back_within_bounds() {
        let s = State::from_trace("a = 1\nb = 2\n", two_steps(Outcome::Finished));
        let end = reduce(
            s.clone(),
            &[
                Action::StepForward,
                Action::StepForward,
                Action::StepForward,
            ],
        );
        assert_eq!(end.step, 1);
        assert_eq!(end.position_label(), "Step 2 of 2");
        assert_eq!(end.snapshot.frames[0].locals.len(), 2);
        assert!(end.finished());
        let back = reduce(
            s,
            &[Action::StepForward, Action::StepBack, Action::StepBack],
        );
        assert_eq!(back.step, 0);
        assert_eq!(back.snapshot.frames[0].locals.len(), 1);
    }

    #[test]
    fn a_no_op_action_keeps_the_same_state() {
        let s = Rc::new(State::from_trace("", two_steps(Outcome::Finished)));
        assert!(Rc::ptr_eq(&s, &s.clone().reduce(Action::StepBack)));
        assert!(Rc::ptr_eq(
            &s,
            &s.clone().reduce(Action::ShowInternal(false))
        ));
    }

    #[test]
    fn hides_internal_objects_until_asked() {
        let s = State::from_trace("", two_steps(Outcome::Finished));
        assert_eq!(
            s.visible_objects().iter().map(|o| o.id).collect::<Vec<_>>(),
            vec![ObjId(1)]
        );
        assert_eq!(s.hidden_object_count(), 1);
        let s = reduce(s, &[Action::ShowInternal(true)]);
        assert_eq!(s.visible_objects().len(), 2);
        assert_eq!(s.hidden_object_count(), 0);
    }

    #[test]
    fn shows_the_error_line_at_the_last_step_only() {
        let outcome = Outcome::Exception {
            type_name: "NameError".into(),
            message: "name 'c' is not defined".into(),
            line: Some(2),
            traceback: "Traceback (most recent call last):\nNameError: name 'c' is not defined"
                .into(),
        };
        let s = State::from_trace("", two_steps(outcome));
        assert_eq!(s.error_line(), None);
        let s = reduce(s, &[Action::StepForward]);
        assert_eq!(
            s.error_line().as_deref(),
            Some("NameError: name 'c' is not defined")
        );
        assert!(!s.finished());
    }

    #[test]
    fn the_exit_step_runs_no_line() {
        let mut rec = Recorder::new();
        rec.begin_step(FrameId(0), 1);
        rec.begin_exit_step();
        let s = State::from_trace("pass\n", rec.finish(Profile::default(), Outcome::Finished));
        assert_eq!(s.step_caption(), "Ran line 1");
        assert_eq!(s.next_line(), None, "no line runs after the last one");
        let s = reduce(s, &[Action::StepForward]);
        assert_eq!(s.position_label(), "Step 2 of 2");
        assert_eq!(s.current_line(), None);
        assert_eq!(s.step_caption(), "The interpreter shut down");
        assert!(s.finished());
    }

    #[test]
    fn a_trace_without_steps_shows_its_message() {
        let trace = Recorder::new().finish(
            Profile::default(),
            Outcome::Limit {
                message: "not yet".into(),
            },
        );
        let s = State::from_trace("x = 1\n", trace);
        assert_eq!(s.position_label(), "Step 0 of 0");
        assert!(!s.can_step_back() && !s.can_step_forward());
        assert_eq!(s.current_line(), None);
        assert_eq!(s.step_caption(), "Nothing ran");
        assert_eq!(s.error_line().as_deref(), Some("not yet"));
        let s = Rc::new(s);
        assert!(Rc::ptr_eq(&s, &s.clone().reduce(Action::StepForward)));
    }

    #[test]
    fn the_default_program_runs_without_panicking() {
        let s = State::run(DEFAULT_PROGRAM);
        assert!(s.step_count() == 0 || s.current_line().is_some());
    }
}
