//! The hostile inputs of tests/hostile/cases.json, natively: each program runs as the page
//! runs it (`state::run_options`, under the case's `max_steps` or the page's cap), each link opens as the page opens it
//! (`permalink::decode`), and each ends in its expected message, without a panic.
//! tests/browser/hostile.test.mjs runs the same file in the built page.

use memlane_core::{Outcome, Version};
use memlane_web::permalink;
use memlane_web::state::{run_options, MAX_STEPS};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/hostile/cases.json"
    );
    let text = std::fs::read_to_string(path).expect("tests/hostile/cases.json");
    let file: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    file["cases"].as_array().expect("a cases array").clone()
}

/// `field`, or the concatenation of `field_parts` ([text, times] pairs).
fn text(case: &Value, field: &str) -> Option<String> {
    if let Some(s) = case[field].as_str() {
        return Some(s.to_owned());
    }
    let parts = case[format!("{field}_parts")].as_array()?;
    Some(
        parts
            .iter()
            .map(|p| {
                p[0].as_str()
                    .unwrap()
                    .repeat(p[1].as_u64().unwrap() as usize)
            })
            .collect(),
    )
}

/// How a program's run ended, as the page's output shows it: the last line of the
/// traceback or memlane's message; `None` when it finished.
fn run_program(source: &str, version: Version, max_steps: usize) -> (Option<String>, String) {
    let trace = memlane_python::run(source, &run_options(version, false, max_steps));
    let stdout = match trace.len() {
        0 => String::new(),
        n => trace.snapshot(n - 1).stdout.clone(),
    };
    let ended = match &trace.outcome {
        Outcome::Finished => None,
        other => other.error_line(),
    };
    (ended, stdout)
}

#[test]
fn every_hostile_case_ends_in_its_expected_message() {
    let cases = cases();
    assert!(cases.len() >= 40, "at least 40 hostile cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        eprintln!("case: {name}");
        let expect = case["expect"].as_str();
        let (shown, stdout) = match case["kind"].as_str().unwrap() {
            "program" => {
                let cap = case["max_steps"].as_u64().map_or(MAX_STEPS, |n| n as usize);
                run_program(&text(case, "source").unwrap(), Version::default(), cap)
            }
            "link" => match permalink::decode(&text(case, "fragment").unwrap()) {
                Err(e) => (Some(e.page_message()), String::new()),
                Ok(scenario) => run_program(&scenario.code, scenario.python, scenario.step_cap()),
            },
            kind => panic!("{name}: unknown kind {kind}"),
        };
        match (expect, &shown) {
            (Some(want), Some(got)) if got.contains(want) => {}
            (None, None) => {}
            _ => failures.push(format!("{name}: expected {expect:?}, shown {shown:?}")),
        }
        if let Some(want) = case["stdout"].as_str() {
            if stdout != want {
                failures.push(format!("{name}: printed {stdout:?}, expected {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
