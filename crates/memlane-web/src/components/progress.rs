//! While a program is traced in slices: how many steps so far (a progress bar against the
//! step cap) and a Stop button; while other work goes in slices (the run's layout, a
//! relayout, event stepping's count): how far along it is, and Stop where it can be
//! given up. After a run that ended early: why (a limit, or Stop).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// Steps recorded so far by the run in progress; none when nothing runs.
    pub steps: Option<usize>,
    /// Work going in slices once no program is being traced (the run's own layout
    /// included): shown instead of the steps.
    #[prop_or_default]
    pub chore: Option<ChoreProgress>,
    /// The step cap: where the bar is full.
    pub limit: usize,
    /// Why the trace shown ended early.
    pub stopped: Option<AttrValue>,
    pub on_stop: Callback<()>,
}

/// Work done in slices: what it is, how far along, and whether Stop (or Escape) gives it
/// up.
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

/// The bar's ARIA figures and what it says beside it.
struct Bar {
    label: AttrValue,
    now: usize,
    max: usize,
    value_text: String,
    text: String,
}

fn bar(bar: Bar, on_stop: Option<&Callback<()>>) -> Html {
    let percent = bar.now.min(bar.max) as f64 * 100.0 / bar.max.max(1) as f64;
    html! {
        <div class="run-progress">
            <div class="progress-track" role="progressbar" aria-label={bar.label}
                 aria-valuemin="0" aria-valuemax={bar.max.to_string()}
                 aria-valuenow={bar.now.to_string()} aria-valuetext={bar.value_text}>
                <div class="progress-fill" style={format!("width: {percent:.1}%")}></div>
            </div>
            <span class="progress-label">{ bar.text }</span>
            if let Some(on_stop) = on_stop {
                <button type="button" class="stop" onclick={on_stop.reform(|_: MouseEvent| ())}
                        aria-keyshortcuts="Escape" title="Stop (Escape)">{ "Stop" }</button>
            }
        </div>
    }
}

#[component]
pub fn Progress(props: &ProgressProps) -> Html {
    if let Some(chore) = &props.chore {
        let percent = chore.done as f64 * 100.0 / chore.all.max(1) as f64;
        let text = format!("{}: {percent:.0}%", chore.label);
        return bar(
            Bar {
                label: chore.label.clone(),
                now: chore.done,
                max: chore.all,
                value_text: format!("{percent:.0}% done"),
                text,
            },
            chore.stoppable.then_some(&props.on_stop),
        );
    }
    if let Some(steps) = props.steps {
        let text = format!("Tracing: {} steps so far", grouped(steps));
        return bar(
            Bar {
                label: "Tracing the program".into(),
                now: steps,
                max: props.limit,
                value_text: text.clone(),
                text,
            },
            Some(&props.on_stop),
        );
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
