//! While a program is traced in slices: how many steps so far (a progress bar against the
//! step cap) and a Stop button. After a run that ended early: why (a limit, or Stop).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// Steps recorded so far by the run in progress; none when nothing runs.
    pub steps: Option<usize>,
    /// Once the run has ended and its long trace is laid out: events placed, and all.
    #[prop_or_default]
    pub laying_out: Option<(usize, usize)>,
    /// Work on the shown trace going in slices (no run in progress).
    #[prop_or_default]
    pub chore: Option<ChoreProgress>,
    /// The step cap: where the bar is full.
    pub limit: usize,
    /// Why the trace shown ended early.
    pub stopped: Option<AttrValue>,
    pub on_stop: Callback<()>,
}

/// Work on the shown trace done in slices: what it is, how far along, and whether Stop
/// (or Escape) gives it up.
#[derive(Clone, Debug, PartialEq)]
pub struct ChoreProgress {
    pub label: AttrValue,
    pub done: usize,
    pub all: usize,
    pub stoppable: bool,
}

/// `12,345` for 12345.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[component]
pub fn Progress(props: &ProgressProps) -> Html {
    if let (Some(steps), Some((done, all))) = (props.steps, props.laying_out) {
        let text = format!("Laying out the diagram of {} steps", grouped(steps));
        let percent = done as f64 * 100.0 / all.max(1) as f64;
        return html! {
            <div class="run-progress">
                <div class="progress-track" role="progressbar" aria-label={text.clone()}
                     aria-valuemin="0" aria-valuemax={all.to_string()}
                     aria-valuenow={done.to_string()}
                     aria-valuetext={format!("{percent:.0}% laid out")}>
                    <div class="progress-fill" style={format!("width: {percent:.1}%")}></div>
                </div>
                <span class="progress-label">{ format!("{text}: {percent:.0}%") }</span>
            </div>
        };
    }
    if let (None, Some(chore)) = (props.steps, &props.chore) {
        let percent = chore.done as f64 * 100.0 / chore.all.max(1) as f64;
        let on_stop = props.on_stop.reform(|_: MouseEvent| ());
        return html! {
            <div class="run-progress">
                <div class="progress-track" role="progressbar" aria-label={chore.label.clone()}
                     aria-valuemin="0" aria-valuemax={chore.all.to_string()}
                     aria-valuenow={chore.done.to_string()}
                     aria-valuetext={format!("{percent:.0}% done")}>
                    <div class="progress-fill" style={format!("width: {percent:.1}%")}></div>
                </div>
                <span class="progress-label">{ format!("{}: {percent:.0}%", chore.label) }</span>
                if chore.stoppable {
                    <button type="button" class="stop" onclick={on_stop}
                            aria-keyshortcuts="Escape" title="Stop (Escape)">{ "Stop" }</button>
                }
            </div>
        };
    }
    if let Some(steps) = props.steps {
        let text = format!("Tracing: {} steps so far", grouped(steps));
        let percent = steps.min(props.limit) as f64 * 100.0 / props.limit.max(1) as f64;
        let on_stop = props.on_stop.reform(|_: MouseEvent| ());
        return html! {
            <div class="run-progress">
                <div class="progress-track" role="progressbar" aria-label="Tracing the program"
                     aria-valuemin="0" aria-valuemax={props.limit.to_string()}
                     aria-valuenow={steps.to_string()} aria-valuetext={text.clone()}>
                    <div class="progress-fill" style={format!("width: {percent:.1}%")}></div>
                </div>
                <span class="progress-label">{ text }</span>
                <button type="button" class="stop" onclick={on_stop}
                        aria-keyshortcuts="Escape" title="Stop (Escape)">{ "Stop" }</button>
            </div>
        };
    }
    match &props.stopped {
        Some(why) => html! {
            <p class="run-stopped" role="status">{ format!("The run ended early: {why}.") }</p>
        },
        None => html! {},
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::grouped(7), "7");
        assert_eq!(super::grouped(1000), "1,000");
        assert_eq!(super::grouped(1234567), "1,234,567");
    }
}
