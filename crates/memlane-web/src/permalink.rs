//! Permalinks: what the page shows, as a URL fragment, and back. Web-free, so it is tested
//! natively.
//!
//! The page writes `v1.<base64url(deflate(json))>`: the [`Scenario`] as JSON, compressed
//! with raw DEFLATE (`deflate.rs` writes it, `inflate.rs` reads it) and encoded with URL-safe base64 without padding. Every
//! field has a default, so a link made before a field existed still opens. [`decode`] also
//! reads a plain form, `code=<percent-encoded>&step=N&py=3.12`, and Python Tutor links
//! (`code=...&curInstr=N&py=3`, `curInstr` counting steps from 0, `py=3` the default
//! profile). It never panics, whatever the input.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use inflate::InflateError;
use memlane_core::Version;

use crate::state::{StepMode, ViewOptions};

mod deflate;
mod inflate;
mod json;

/// The longest program a link may carry, in bytes of UTF-8.
pub const MAX_CODE_BYTES: usize = 64 * 1024;
/// The most a `v1` payload may inflate to: the code's JSON string can be six times as long
/// as the code (`\u0000` escapes), plus the other fields.
const MAX_JSON_BYTES: usize = 6 * MAX_CODE_BYTES + 1024;
/// The prefix of what [`encode`] writes.
const V1: &str = "v1.";

/// Everything a link restores. Each field's name in the JSON is given; a field that is
/// missing takes its default, so a link made before a field existed still opens, and a
/// field this page does not know is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scenario {
    /// `code`: the program (the traced one, not an unsaved draft).
    pub code: String,
    /// `step`: the step shown, counting from 0.
    pub step: usize,
    /// `py`: the CPython profile, "3.11", "3.12" or "3.13".
    pub python: Version,
    /// `mode`: "line" or "event".
    pub mode: LinkMode,
    /// `frames`: "textbook" or "cpython".
    pub frames: LinkFrames,
    /// `inline`.
    pub inline_small: bool,
    /// `internal`.
    pub show_internal: bool,
    /// `twin`, written only when on: run a second python3 process beside the traced one
    /// (`MemoryConfig::twin`).
    pub twin: bool,
    /// `ram`, written only when on: show the RAM lane in an embedded widget (the full page
    /// always shows it).
    pub ram: bool,
    /// `steps`, written only when set: the step cap of runs, when not the page's default
    /// (`state::MAX_STEPS`); within `state::STEP_CAP_RANGE`.
    pub max_steps: Option<usize>,
}

/// [`StepMode`] as a link spells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkMode {
    #[default]
    Line,
    Event,
}

/// Where frames are drawn, as a link spells it (`ViewOptions::frames_in_heap`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkFrames {
    #[default]
    Textbook,
    Cpython,
}

impl LinkMode {
    const NAMES: [&'static str; 2] = ["line", "event"];
    const ALL: [LinkMode; 2] = [LinkMode::Line, LinkMode::Event];
}

impl LinkFrames {
    const NAMES: [&'static str; 2] = ["textbook", "cpython"];
    const ALL: [LinkFrames; 2] = [LinkFrames::Textbook, LinkFrames::Cpython];
}

impl From<StepMode> for LinkMode {
    fn from(mode: StepMode) -> Self {
        match mode {
            StepMode::Line => LinkMode::Line,
            StepMode::Event => LinkMode::Event,
        }
    }
}

impl From<LinkMode> for StepMode {
    fn from(mode: LinkMode) -> Self {
        match mode {
            LinkMode::Line => StepMode::Line,
            LinkMode::Event => StepMode::Event,
        }
    }
}

impl Scenario {
    /// The step cap runs get: the one asked for, or the page's default.
    pub fn step_cap(&self) -> usize {
        self.max_steps.unwrap_or(crate::state::MAX_STEPS)
    }

    /// The view options the scenario asks for.
    pub fn view(&self) -> ViewOptions {
        ViewOptions {
            show_internal: self.show_internal,
            inline_small: self.inline_small,
            frames_in_heap: self.frames == LinkFrames::Cpython,
        }
    }
}

impl Scenario {
    /// The JSON a `v1` link compresses: options at their defaults are left out (as are
    /// `twin`, `ram` and `steps`), so links stay short.
    pub(crate) fn to_json(&self) -> String {
        let mut w = json::ObjectWriter::new();
        w.str("code", &self.code);
        w.uint("step", self.step);
        w.str("py", self.python.as_str());
        w.str("mode", LinkMode::NAMES[self.mode as usize]);
        w.str("frames", LinkFrames::NAMES[self.frames as usize]);
        w.bool("inline", self.inline_small);
        w.bool("internal", self.show_internal);
        if self.twin {
            w.bool("twin", true);
        }
        if self.ram {
            w.bool("ram", true);
        }
        if let Some(n) = self.max_steps {
            w.uint("steps", n);
        }
        w.finish()
    }

    /// The scenario `text` describes; the error says which field is wrong and how.
    fn from_json(text: &str) -> Result<Scenario, String> {
        let mut s = Scenario::default();
        for (key, value) in json::read_object(text)? {
            let wrong = |expected: &str| format!("its {key} is {}, not {expected}", value.kind());
            let name = |names: &[&str]| match &value {
                json::Value::Str(v) => names
                    .iter()
                    .position(|n| n == v)
                    .ok_or_else(|| format!("its {key} is \"{v}\", one of {names:?} expected")),
                _ => Err(wrong("a string")),
            };
            let flag = || match value {
                json::Value::Bool(b) => Ok(b),
                _ => Err(wrong("true or false")),
            };
            match key.as_str() {
                "code" => match &value {
                    json::Value::Str(code) => s.code = code.clone(),
                    _ => return Err(wrong("a string")),
                },
                "step" => match value {
                    json::Value::Uint(n) => s.step = n,
                    _ => return Err(wrong("a count")),
                },
                "steps" => match value {
                    json::Value::Uint(n) => s.max_steps = Some(n),
                    json::Value::Null => s.max_steps = None,
                    _ => return Err(wrong("a count")),
                },
                "py" => s.python = Version::ALL[name(&Version::NAMES)?],
                "mode" => s.mode = LinkMode::ALL[name(&LinkMode::NAMES)?],
                "frames" => s.frames = LinkFrames::ALL[name(&LinkFrames::NAMES)?],
                "inline" => s.inline_small = flag()?,
                "internal" => s.show_internal = flag()?,
                "twin" => s.twin = flag()?,
                "ram" => s.ram = flag()?,
                _ => {}
            }
        }
        Ok(s)
    }
}

/// Why a link did not open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The fragment stops before its data ends (cut off when it was copied).
    Truncated,
    /// Characters that are not URL-safe base64.
    CorruptBase64,
    /// The data is not DEFLATE, or does not hold a scenario.
    Corrupt(String),
    /// A format this page does not know (a link from a newer memlane).
    UnknownVersion(String),
    /// The program is longer than [`MAX_CODE_BYTES`].
    TooLarge,
    /// A plain-form parameter that makes no sense (`step=abc`, `py=2`).
    BadParameter { name: String, value: String },
    /// Neither `v1.` nor `code=...`.
    Unrecognised,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Truncated => write!(f, "the link is cut off: copy the whole address"),
            LinkError::CorruptBase64 => {
                write!(f, "the link is damaged: it has characters a link never has")
            }
            LinkError::Corrupt(why) => write!(f, "the link is damaged: {why}"),
            LinkError::UnknownVersion(v) => write!(
                f,
                "the link is in format {v}, which this version of memlane does not know \
                 (it may come from a newer memlane)"
            ),
            LinkError::TooLarge => write!(
                f,
                "the link's program is longer than {} KiB",
                MAX_CODE_BYTES / 1024
            ),
            LinkError::BadParameter { name, value } => {
                write!(f, "the link's {name}={value} is not understood")
            }
            LinkError::Unrecognised => write!(f, "this is not a memlane link"),
        }
    }
}

impl std::error::Error for LinkError {}

impl LinkError {
    /// What the page shows above its empty editor when a link does not open.
    pub fn page_message(&self) -> String {
        format!("This link did not open: {self}.")
    }
}

/// The fragment (without `#`) for `scenario`: `v1.` and the compressed JSON.
pub fn encode(scenario: &Scenario) -> String {
    let deflated = deflate::compress(scenario.to_json().as_bytes());
    format!("{V1}{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// The scenario a fragment (with or without its `#`) describes.
pub fn decode(fragment: &str) -> Result<Scenario, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if let Some(payload) = fragment.strip_prefix(V1) {
        return decode_v1(payload);
    }
    if let Some(version) = format_version(fragment) {
        return Err(LinkError::UnknownVersion(version.to_owned()));
    }
    if fragment.split('&').any(|p| p.starts_with("code=")) {
        return decode_plain(fragment);
    }
    Err(LinkError::Unrecognised)
}

/// `v9` of `v9.xxx`: a `v`, digits and a dot.
fn format_version(fragment: &str) -> Option<&str> {
    let (head, _) = fragment.split_once('.')?;
    let digits = head.strip_prefix('v')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(head)
}

fn decode_v1(payload: &str) -> Result<Scenario, LinkError> {
    if payload.is_empty() {
        return Err(LinkError::Truncated);
    }
    // Base64 of at most MAX_JSON_BYTES deflated (DEFLATE never grows data by much).
    if payload.len() > 2 * MAX_JSON_BYTES {
        return Err(LinkError::TooLarge);
    }
    let deflated = URL_SAFE_NO_PAD.decode(payload).map_err(|e| match e {
        // One character too many or too few for whole bytes: cut off mid-character.
        base64::DecodeError::InvalidLength(_) => LinkError::Truncated,
        _ => LinkError::CorruptBase64,
    })?;
    let json = inflate::decompress(&deflated, MAX_JSON_BYTES).map_err(|e| match e {
        InflateError::Truncated => LinkError::Truncated,
        InflateError::TooLarge => LinkError::TooLarge,
        InflateError::Corrupt => LinkError::Corrupt("its data does not inflate".into()),
    })?;
    let scenario = std::str::from_utf8(&json)
        .map_err(|_| "it is not text".to_owned())
        .and_then(Scenario::from_json)
        .map_err(|why| LinkError::Corrupt(format!("its scenario does not read ({why})")))?;
    check_size(scenario)
}

fn check_size(scenario: Scenario) -> Result<Scenario, LinkError> {
    if scenario.code.len() > MAX_CODE_BYTES {
        return Err(LinkError::TooLarge);
    }
    if let Some(n) = scenario.max_steps {
        if !crate::state::STEP_CAP_RANGE.contains(&n) {
            return Err(LinkError::BadParameter {
                name: "steps".into(),
                value: n.to_string(),
            });
        }
    }
    Ok(scenario)
}

/// `code=...&step=N&py=3.12`, or Python Tutor's `code=...&curInstr=N&py=3` (other
/// parameters are ignored).
fn decode_plain(fragment: &str) -> Result<Scenario, LinkError> {
    let mut scenario = Scenario::default();
    for pair in fragment.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = || LinkError::BadParameter {
            name: name.to_owned(),
            value: value.chars().take(40).collect(),
        };
        match name {
            "code" => {
                // Percent-encoded UTF-8 is at most three times as long as the code.
                if value.len() > 3 * MAX_CODE_BYTES {
                    return Err(LinkError::TooLarge);
                }
                scenario.code = percent_decode(value).ok_or_else(bad)?;
            }
            "step" | "curInstr" => scenario.step = value.parse().map_err(|_| bad())?,
            "py" => {
                scenario.python = match value {
                    "3" => Version::default(),
                    v => Version::parse(v).ok_or_else(bad)?,
                }
            }
            // Python Tutor's own `mode=display` / `mode=edit` mean nothing here.
            "mode" if value == "event" => scenario.mode = LinkMode::Event,
            "steps" => scenario.max_steps = Some(value.parse().map_err(|_| bad())?),
            _ => {}
        }
    }
    check_size(scenario)
}

/// Decodes `%XX` escapes and `+` (a space, as in a form); `None` for a bad escape or bytes
/// that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// Made once by `encode` with format v1; must open the same way forever.
    const V1_FIXTURE: &str = "v1.JYzBCoMwEER_JexJIRRMb4F-SdPDalcMxDUkqyDiv7vibeYxbw4Ylj-BBzQf8-2scb_AvWYMnEtkaRJx07dtYLBQhTJ4ZyHvqrxfnVM4Pwe0EYvWseBMVcGQd5mWW4ucIutGykp3EyqMCfyIqdJ5AQ";

    fn fixture_scenario() -> Scenario {
        Scenario {
            code: "a = [1, 2]\nb = a\nprint(len(b))\n".into(),
            step: 2,
            python: Version::Py312,
            mode: LinkMode::Event,
            frames: LinkFrames::Cpython,
            inline_small: true,
            show_internal: false,
            twin: false,
            ram: false,
            max_steps: None,
        }
    }

    #[test]
    fn the_v1_fixture_still_opens() {
        assert_eq!(decode(V1_FIXTURE), Ok(fixture_scenario()));
    }

    #[test]
    fn writes_the_json_the_first_links_were_made_with() {
        let deflated = URL_SAFE_NO_PAD.decode(&V1_FIXTURE[3..]).unwrap();
        let json = miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap();
        assert_eq!(fixture_scenario().to_json().as_bytes(), json);
    }

    #[test]
    fn says_which_field_does_not_read() {
        for (json, why) in [
            (r#"{"step":"2"}"#, "its step is a string, not a count"),
            (
                r#"{"step":-1}"#,
                "its step is a list, an object or a number",
            ),
            (r#"{"code":1}"#, "its code is a number, not a string"),
            (
                r#"{"py":"3.10"}"#,
                r#"its py is "3.10", one of ["3.11", "3.12", "3.13"] expected"#,
            ),
            (
                r#"{"mode":"fast"}"#,
                r#"its mode is "fast", one of ["line", "event"]"#,
            ),
            (
                r#"{"inline":1}"#,
                "its inline is a number, not true or false",
            ),
            (r#"{"code":"x"#, "an unfinished string at byte 10"),
        ] {
            let err = Scenario::from_json(json).unwrap_err();
            assert!(err.starts_with(why), "{json}: {err}");
        }
        // Unknown fields are skipped, whatever they hold; `steps` may be null.
        assert_eq!(
            Scenario::from_json(r#"{"later":{"x":[1.5,null]},"steps":null,"step":3}"#),
            Ok(Scenario {
                step: 3,
                ..Scenario::default()
            })
        );
    }

    #[test]
    fn a_step_cap_travels_in_a_link_and_is_bounded() {
        let capped = Scenario {
            max_steps: Some(20_000),
            ..fixture_scenario()
        };
        assert_eq!(decode(&encode(&capped)), Ok(capped.clone()));
        assert_eq!(capped.step_cap(), 20_000);
        assert_eq!(fixture_scenario().step_cap(), crate::state::MAX_STEPS);
        // The default cap is left out, so links without one stay as they were.
        assert!(!fixture_scenario().to_json().contains("steps"));
        let plain = decode("code=x%3D1&steps=5000").unwrap();
        assert_eq!(plain.max_steps, Some(5000));
        for bad in [
            "code=x&steps=10",
            "code=x&steps=many",
            "code=x&steps=99000000",
        ] {
            assert!(
                matches!(decode(bad), Err(LinkError::BadParameter { ref name, .. }) if name == "steps"),
                "{bad}"
            );
        }
        let too_many = Scenario {
            max_steps: Some(50),
            ..fixture_scenario()
        };
        assert!(matches!(
            decode(&encode(&too_many)),
            Err(LinkError::BadParameter { .. })
        ));
    }

    #[test]
    fn round_trips() {
        let scenarios = [
            Scenario::default(),
            fixture_scenario(),
            Scenario {
                code: "def f(x):\n    return 'é ✓ 🐍' * x\n\nprint(f(3))\n".into(),
                step: 41,
                python: Version::Py311,
                show_internal: true,
                ..Scenario::default()
            },
            Scenario {
                code: "x = 1\n".repeat(10_000),
                step: 9_999,
                ..Scenario::default()
            },
        ];
        for s in scenarios {
            let link = encode(&s);
            assert!(link.starts_with("v1."), "{link}");
            assert!(
                link.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
                "URL-safe: {link}"
            );
            assert_eq!(decode(&link), Ok(s.clone()));
            assert_eq!(decode(&format!("#{link}")), Ok(s));
        }
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let json = br#"{"code":"x = 1\n"}"#;
        let link = format!(
            "v1.{}",
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json, 6))
        );
        assert_eq!(
            decode(&link),
            Ok(Scenario {
                code: "x = 1\n".into(),
                ..Scenario::default()
            })
        );
    }

    #[test]
    fn reads_the_plain_form() {
        assert_eq!(
            decode("code=x%20%3D%201%0Aprint(x)&step=1&py=3.12&mode=event"),
            Ok(Scenario {
                code: "x = 1\nprint(x)".into(),
                step: 1,
                python: Version::Py312,
                mode: LinkMode::Event,
                ..Scenario::default()
            })
        );
        assert_eq!(decode("#code=a+%2B+1").unwrap().code, "a + 1");
    }

    #[test]
    fn reads_python_tutor_links() {
        let link = "code=x%20%3D%201%0Ay%20%3D%20x&cumulative=false&curInstr=2\
                    &heapPrimitives=nevernest&mode=display&origin=opt-frontend.js&py=3\
                    &rawInputLstJSON=%5B%5D&textReferences=false";
        assert_eq!(
            decode(link),
            Ok(Scenario {
                code: "x = 1\ny = x".into(),
                step: 2,
                python: Version::default(),
                ..Scenario::default()
            })
        );
    }

    #[test]
    fn says_what_is_wrong() {
        let good = encode(&fixture_scenario());
        let payload = &good[3..];
        // Cut at a whole number of base64 quads: valid base64, unfinished DEFLATE.
        let cut = &payload[..payload.len() / 2 / 4 * 4];
        assert_eq!(decode(&format!("v1.{cut}")), Err(LinkError::Truncated));
        assert_eq!(decode("v1."), Err(LinkError::Truncated));
        assert_eq!(decode("v1.!!!"), Err(LinkError::CorruptBase64));
        assert_eq!(decode("v1.A"), Err(LinkError::Truncated));
        assert!(matches!(
            decode(&format!(
                "v1.{}",
                URL_SAFE_NO_PAD.encode([0xff, 0xff, 0xff, 0xff])
            )),
            Err(LinkError::Corrupt(_))
        ));
        let not_json = miniz_oxide::deflate::compress_to_vec(b"[1, 2", 6);
        assert!(matches!(
            decode(&format!("v1.{}", URL_SAFE_NO_PAD.encode(not_json))),
            Err(LinkError::Corrupt(_))
        ));
        assert_eq!(
            decode(&format!("v9.{payload}")),
            Err(LinkError::UnknownVersion("v9".into()))
        );
        let big = Scenario {
            code: "#".repeat(MAX_CODE_BYTES + 1),
            ..Scenario::default()
        };
        assert_eq!(decode(&encode(&big)), Err(LinkError::TooLarge));
        let huge = miniz_oxide::deflate::compress_to_vec(&vec![b' '; MAX_JSON_BYTES + 1], 9);
        assert_eq!(
            decode(&format!("v1.{}", URL_SAFE_NO_PAD.encode(huge))),
            Err(LinkError::TooLarge)
        );
        assert_eq!(
            decode(&format!("code={}", "%41".repeat(MAX_CODE_BYTES + 1))),
            Err(LinkError::TooLarge)
        );
        assert!(matches!(
            decode("code=x&step=two"),
            Err(LinkError::BadParameter { .. })
        ));
        assert!(matches!(
            decode("code=x&py=2"),
            Err(LinkError::BadParameter { .. })
        ));
        assert!(matches!(
            decode("code=%E2%82"),
            Err(LinkError::BadParameter { .. })
        ));
        assert!(matches!(
            decode("code=%4"),
            Err(LinkError::BadParameter { .. })
        ));
        assert_eq!(decode("hello"), Err(LinkError::Unrecognised));
        assert_eq!(decode(""), Err(LinkError::Unrecognised));
        for e in [
            LinkError::Truncated,
            LinkError::CorruptBase64,
            LinkError::UnknownVersion("v9".into()),
            LinkError::TooLarge,
        ] {
            assert!(e.to_string().starts_with("the link"), "{e}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn scenario() -> impl Strategy<Value = Scenario> {
            (
                ".{0,200}",
                0usize..100_000,
                prop::sample::select(Version::ALL.to_vec()),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                prop::option::of(crate::state::STEP_CAP_RANGE),
            )
                .prop_map(
                    |(
                        code,
                        step,
                        python,
                        event,
                        cpython,
                        inline,
                        internal,
                        twin,
                        ram,
                        max_steps,
                    )| Scenario {
                        code,
                        step,
                        python,
                        mode: if event {
                            LinkMode::Event
                        } else {
                            LinkMode::Line
                        },
                        frames: if cpython {
                            LinkFrames::Cpython
                        } else {
                            LinkFrames::Textbook
                        },
                        inline_small: inline,
                        show_internal: internal,
                        twin,
                        ram,
                        max_steps,
                    },
                )
        }

        proptest! {
            #[test]
            fn decode_never_panics(s in "\\PC*") {
                let _ = decode(&s);
            }

            #[test]
            fn decode_never_panics_on_v1_lookalikes(s in "[A-Za-z0-9_\\-]{0,300}") {
                let _ = decode(&format!("v1.{s}"));
            }

            #[test]
            fn decode_never_panics_on_damaged_links(
                s in scenario(), at in any::<prop::sample::Index>(), b in any::<u8>()
            ) {
                let mut bytes = encode(&s).into_bytes();
                let i = at.index(bytes.len());
                bytes[i] = b'A' + b % 26;
                let _ = decode(&String::from_utf8_lossy(&bytes));
                let _ = decode(&String::from_utf8_lossy(&bytes[..i]));
            }

            #[test]
            fn encode_then_decode_is_the_identity(s in scenario()) {
                prop_assert_eq!(decode(&encode(&s)), Ok(s));
            }
        }
    }
}
