//! Embedding: widgets on other people's pages.
//!
//! The script embed (`memlane-embed.js`, an ES module next to the built wasm) turns every
//! `<pre class="memlane">` into a widget in place: the code is the element's text, the
//! options its `data-step` (1-based, as "Step N of M" counts), `data-python`,
//! `data-view` (words, see [`apply_view_words`]) and `data-readonly`. A `<pre>` cannot
//! hold a shadow root, so it is replaced by a `<div class="memlane-widget">` whose open
//! shadow root holds the widget and its styles (adopted, constructed style sheets: no
//! request, nothing applied to the host page, and the host's selectors cannot reach in).
//! `embed.html` (the iframe embed) shows one read-only widget for its URL fragment, and
//! `gallery.html` lists [`crate::gallery::EXAMPLES`].
//!
//! The first half of this module is web-free (option parsing, the embed code the Share
//! control copies) and tested natively.

use crate::permalink::{self, LinkFrames, LinkMode, Scenario};
use memlane_core::Version;

/// The words `data-view` understands, and what each sets.
pub const VIEW_WORDS: &[(&str, &str)] = &[
    (
        "textbook",
        "frames drawn as the textbook's call stack (the default)",
    ),
    ("cpython", "frames drawn where CPython 3.11+ keeps them"),
    (
        "inline",
        "small ints and strings drawn inside their name's row",
    ),
    ("internal", "internal objects shown too"),
    ("event", "step by event instead of by line"),
    ("ram", "the RAM lane shown"),
    ("twin", "a second python3 process beside the traced one"),
];

/// Sets what the space-separated `words` of a `data-view` ask for; an unknown word is an
/// error that names it (the others still apply).
pub fn apply_view_words(scenario: &mut Scenario, words: &str) -> Result<(), String> {
    let mut unknown = Vec::new();
    for word in words.split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "textbook" => scenario.frames = LinkFrames::Textbook,
            "cpython" => scenario.frames = LinkFrames::Cpython,
            "inline" => scenario.inline_small = true,
            "internal" => scenario.show_internal = true,
            "event" => scenario.mode = LinkMode::Event,
            "line" => scenario.mode = LinkMode::Line,
            "ram" => scenario.ram = true,
            "twin" => scenario.twin = true,
            _ => unknown.push(word),
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "data-view: {} not understood (known: {})",
            unknown.join(", "),
            VIEW_WORDS
                .iter()
                .map(|(w, _)| *w)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// The `data-view` words that give `scenario`'s options.
pub fn view_words(scenario: &Scenario) -> String {
    let mut words = Vec::new();
    if scenario.frames == LinkFrames::Cpython {
        words.push("cpython");
    }
    if scenario.inline_small {
        words.push("inline");
    }
    if scenario.show_internal {
        words.push("internal");
    }
    if scenario.mode == LinkMode::Event {
        words.push("event");
    }
    if scenario.ram {
        words.push("ram");
    }
    if scenario.twin {
        words.push("twin");
    }
    words.join(" ")
}

/// What one `<pre class="memlane">` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedRequest {
    pub scenario: Scenario,
    pub readonly: bool,
    /// Attributes that were not understood (their defaults were used instead).
    pub problems: Vec<String>,
}

/// Reads a script embed's text and `data-` attributes (each `None` when absent).
pub fn read_request(
    text: &str,
    step: Option<&str>,
    python: Option<&str>,
    view: Option<&str>,
    readonly: Option<&str>,
) -> EmbedRequest {
    let mut problems = Vec::new();
    let mut scenario = Scenario {
        code: dedent(text),
        ..Scenario::default()
    };
    if let Some(step) = step {
        match step.trim().parse::<usize>() {
            Ok(n) if n >= 1 => scenario.step = n - 1,
            _ => problems.push(format!(
                "data-step=\"{step}\" is not a step number (1 is the first step)"
            )),
        }
    }
    if let Some(python) = python {
        match Version::parse(python.trim()) {
            Some(v) => scenario.python = v,
            None => problems.push(format!(
                "data-python=\"{python}\" is not one of {}",
                Version::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if let Some(view) = view {
        if let Err(e) = apply_view_words(&mut scenario, view) {
            problems.push(e);
        }
    }
    let readonly = readonly.is_some_and(|v| !v.trim().eq_ignore_ascii_case("false"));
    EmbedRequest {
        scenario,
        readonly,
        problems,
    }
}

/// Reads a `data-max-steps` attribute into `request`: the step cap of its runs, a whole
/// number within `state::STEP_CAP_RANGE`; anything else is a problem that names it (and
/// the page's default cap is kept).
pub fn apply_max_steps(request: &mut EmbedRequest, value: &str) {
    let range = crate::state::STEP_CAP_RANGE;
    match value.trim().replace('_', "").parse::<usize>() {
        Ok(n) if range.contains(&n) => request.scenario.max_steps = Some(n),
        _ => request.problems.push(format!(
            "data-max-steps=\"{value}\" not understood (a number of steps from {} to {})",
            range.start(),
            range.end()
        )),
    }
}

/// The program in a `<pre>`: leading blank lines dropped, the indentation every line
/// shares removed (so a page may indent its markup), one final newline.
pub fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().skip_while(|l| l.trim().is_empty()).collect();
    let lines = match lines.iter().rposition(|l| !l.trim().is_empty()) {
        Some(last) => &lines[..=last],
        None => return String::new(),
    };
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in lines {
        out.push_str(line.get(indent..).unwrap_or("").trim_end());
        out.push('\n');
    }
    out
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The directory of a page's address (`https://x.org/memlane/index.html#v1.…` →
/// `https://x.org/memlane/`): where the site's files are.
pub fn site_base(page: &str) -> String {
    let page = page.split(['#', '?']).next().unwrap_or("");
    match page.rfind('/') {
        Some(i) => page[..=i].to_owned(),
        None => String::new(),
    }
}

/// The full page at `scenario`: what "Open in editor" opens.
pub fn editor_link(base: &str, scenario: &Scenario) -> String {
    let scenario = Scenario {
        ram: false,
        ..scenario.clone()
    };
    format!("{base}index.html#{}", permalink::encode(&scenario))
}

/// The script form of the embed code for `scenario`.
pub fn script_embed_code(base: &str, scenario: &Scenario, readonly: bool) -> String {
    let mut attributes = String::new();
    if scenario.step > 0 {
        attributes.push_str(&format!(" data-step=\"{}\"", scenario.step + 1));
    }
    if scenario.python != Version::default() {
        attributes.push_str(&format!(" data-python=\"{}\"", scenario.python.as_str()));
    }
    let words = view_words(scenario);
    if !words.is_empty() {
        attributes.push_str(&format!(" data-view=\"{words}\""));
    }
    if let Some(n) = scenario.max_steps {
        attributes.push_str(&format!(" data-max-steps=\"{n}\""));
    }
    if readonly {
        attributes.push_str(" data-readonly");
    }
    format!(
        "<script type=\"module\" src=\"{}memlane-embed.js\"></script>\n\
         <pre class=\"memlane\"{attributes}>\n{}</pre>\n",
        escape_html(base),
        escape_html(&scenario.code)
    )
}

/// The iframe form of the embed code for `scenario`, with the helper that sizes the frame.
pub fn iframe_embed_code(base: &str, scenario: &Scenario) -> String {
    let base = escape_html(base);
    format!(
        "<iframe class=\"memlane-frame\" src=\"{base}embed.html#{}\" \
         title=\"memlane: a Python program, step by step\" width=\"100%\" height=\"520\" \
         loading=\"lazy\"></iframe>\n\
         <script src=\"{base}memlane-frame.js\"></script>\n",
        permalink::encode(scenario)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_attributes() {
        let r = read_request(
            "\n    x = 1\n    if x:\n        y = x\n  \n",
            Some("3"),
            Some("3.12"),
            Some("cpython inline ram twin event"),
            Some(""),
        );
        assert_eq!(
            r,
            EmbedRequest {
                scenario: Scenario {
                    code: "x = 1\nif x:\n    y = x\n".into(),
                    step: 2,
                    python: Version::Py312,
                    mode: LinkMode::Event,
                    frames: LinkFrames::Cpython,
                    inline_small: true,
                    show_internal: false,
                    twin: true,
                    ram: true,
                    max_steps: None,
                },
                readonly: true,
                problems: vec![],
            }
        );
        let plain = read_request("x = 1", None, None, None, Some("false"));
        assert_eq!(plain.scenario.step, 0);
        assert!(!plain.readonly);
        assert!(plain.problems.is_empty());
    }

    #[test]
    fn names_what_it_does_not_understand() {
        let r = read_request("x = 1", Some("0"), Some("2.7"), Some("ram sideways"), None);
        assert_eq!(r.scenario.step, 0);
        assert_eq!(r.scenario.python, Version::default());
        assert!(r.scenario.ram, "the known words still apply");
        assert_eq!(r.problems.len(), 3, "{:?}", r.problems);
        assert!(r.problems[0].contains("data-step=\"0\""));
        assert!(r.problems[1].contains("2.7"));
        assert!(r.problems[2].contains("sideways"));
    }

    #[test]
    fn view_words_round_trip() {
        let mut s = Scenario::default();
        apply_view_words(&mut s, "cpython inline internal event ram twin").unwrap();
        let mut back = Scenario::default();
        apply_view_words(&mut back, &view_words(&s)).unwrap();
        assert_eq!(back, s);
        assert_eq!(view_words(&Scenario::default()), "");
    }

    #[test]
    fn site_base_is_the_pages_directory() {
        assert_eq!(
            site_base("https://x.org/a/memlane/index.html#v1.abc"),
            "https://x.org/a/memlane/"
        );
        assert_eq!(
            site_base("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            site_base("file:///srv/dist/article.html?x=1"),
            "file:///srv/dist/"
        );
    }

    #[test]
    fn embed_code_escapes_the_program() {
        let s = Scenario {
            code: "print('<b>' + \"&\")\n".into(),
            step: 1,
            python: Version::Py311,
            ..Scenario::default()
        };
        let code = script_embed_code("https://x.org/m/", &s, true);
        assert!(code.starts_with(
            "<script type=\"module\" src=\"https://x.org/m/memlane-embed.js\"></script>\n"
        ));
        assert!(code.contains(
            "<pre class=\"memlane\" data-step=\"2\" data-python=\"3.11\" data-readonly>\n\
             print('&lt;b&gt;' + &quot;&amp;&quot;)\n</pre>"
        ));
        let frame = iframe_embed_code("https://x.org/m/", &s);
        assert!(frame.contains(&format!(
            "src=\"https://x.org/m/embed.html#{}\"",
            permalink::encode(&s)
        )));
        assert!(frame.contains("src=\"https://x.org/m/memlane-frame.js\""));
    }

    #[test]
    fn reads_a_step_cap_and_names_a_bad_one() {
        let mut r = read_request("x = 1", None, None, None, None);
        apply_max_steps(&mut r, " 2_000_000 ");
        assert_eq!(r.scenario.max_steps, Some(2_000_000));
        assert!(r.problems.is_empty());
        assert!(script_embed_code("", &r.scenario, false).contains(" data-max-steps=\"2000000\""));
        for bad in ["lots", "-5", "10", "99999999999", ""] {
            let mut r = read_request("x = 1", None, None, None, None);
            apply_max_steps(&mut r, bad);
            assert_eq!(r.scenario.max_steps, None, "{bad}");
            assert_eq!(
                r.problems,
                vec![format!(
                    "data-max-steps=\"{bad}\" not understood (a number of steps from 100 to 5000000)"
                )]
            );
        }
    }
}
