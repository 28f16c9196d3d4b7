//! Links and embeds, natively: every gallery scenario survives a link and opens at the
//! same step with the same options; Python Tutor links open; links made by the first
//! released encoding keep opening; the article's widgets are gallery programs.
#![cfg(not(target_arch = "wasm32"))]

use memlane_core::Version;
use memlane_web::embed;
use memlane_web::gallery::EXAMPLES;
use memlane_web::permalink::{self, LinkFrames, LinkMode, Scenario};
use memlane_web::state::State;

/// Made by `permalink::encode` with format v1 when embedding was added (a gallery example
/// with every option that changes the picture set); it must open the same way forever.
const V1_TWIN_FIXTURE: &str = "v1.NYxBCoQwDEWvUrJSKAMdd8KcZJxF0QwWbCxpVES8u5Hi7r-fvH9APw8ILeTRMw7mY77Omrc1za-jxIGkykusyrWuOwILWTBB6yykXcXm5ZyWsczgiiSKf_YRsxZ92mWcby3QFEh_hBe8SZDJTw_LFujJ6pZ4Xg";

fn twin_fixture() -> Scenario {
    Scenario {
        code: "shared = [1, 2, 3]\nprint(sum(shared))\n".into(),
        step: 1,
        python: Version::Py311,
        mode: LinkMode::Event,
        frames: LinkFrames::Cpython,
        inline_small: true,
        show_internal: true,
        twin: true,
        ram: true,
        max_steps: None,
    }
}

#[test]
fn every_gallery_scenario_round_trips_through_a_link() {
    assert!(EXAMPLES.len() >= 12);
    for example in EXAMPLES {
        let scenario = example.scenario();
        assert_eq!(scenario.step, 0, "{} opens at its first step", example.slug);
        let link = permalink::encode(&scenario);
        assert_eq!(
            permalink::decode(&link),
            Ok(scenario.clone()),
            "{}",
            example.slug
        );

        // Opened, the page shows that step with those options, and links back to them.
        let state = State::open(&scenario);
        assert!(state.step_count() > 1, "{} runs", example.slug);
        assert_eq!(state.step, 0);
        assert_eq!(state.view, scenario.view());
        let back = Scenario {
            ram: scenario.ram,
            ..state.scenario()
        };
        assert_eq!(back, scenario, "{}", example.slug);

        // At a later step too, through the editor link an embed's "Open in editor" makes.
        let later = Scenario {
            step: state.step_count() - 1,
            ..scenario.clone()
        };
        let editor = embed::editor_link("https://example.org/m/", &later);
        let fragment = editor
            .strip_prefix("https://example.org/m/index.html#")
            .expect("a link to the full page");
        let opened = State::open(&permalink::decode(fragment).unwrap());
        assert_eq!(opened.step, later.step, "{}", example.slug);
        assert_eq!(
            opened.scenario(),
            Scenario {
                ram: false,
                ..later
            }
        );
    }
}

#[test]
fn the_twin_example_runs_a_second_process() {
    let example = memlane_web::gallery::example("two_processes").unwrap();
    let state = State::open(&example.scenario());
    assert!(memlane_web::state::has_twin(&state.trace));
    assert!(state
        .snapshot
        .memory
        .processes
        .contains_key(&memlane_core::TWIN_PID));
    let plain = State::open(&Scenario {
        twin: false,
        ..example.scenario()
    });
    assert!(!memlane_web::state::has_twin(&plain.trace));
}

#[test]
fn script_embed_attributes_round_trip() {
    for example in EXAMPLES {
        let scenario = Scenario {
            step: 3,
            python: Version::Py312,
            ..example.scenario()
        };
        let code = embed::script_embed_code("https://example.org/m/", &scenario, true);
        // Read the attributes back the way mount.rs does.
        let attr = |name: &str| {
            let key = format!(" {name}=\"");
            code.find(&key).map(|i| {
                let rest = &code[i + key.len()..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
        };
        let body = &code[code.find("<pre").unwrap()..];
        let text = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let request = embed::read_request(
            &text,
            attr("data-step").as_deref(),
            attr("data-python").as_deref(),
            attr("data-view").as_deref(),
            code.contains(" data-readonly").then_some(""),
        );
        assert_eq!(request.scenario, scenario, "{}", example.slug);
        assert!(request.readonly);
        assert!(request.problems.is_empty());
    }
}

#[test]
fn a_python_tutor_link_opens() {
    let link = "code=def%20f(x)%3A%0A%20%20%20%20return%20x%20*%202%0A%0Ay%20%3D%20f(21)%0A\
                &cumulative=false&curInstr=3&heapPrimitives=nevernest&mode=display\
                &origin=opt-frontend.js&py=3&rawInputLstJSON=%5B%5D&textReferences=false";
    let scenario = permalink::decode(link).unwrap();
    assert_eq!(scenario.code, "def f(x):\n    return x * 2\n\ny = f(21)\n");
    let state = State::open(&scenario);
    assert_eq!(state.step, 3);
    assert_eq!(state.scenario().step, 3);
}

#[test]
fn a_first_release_v1_link_keeps_opening() {
    assert_eq!(permalink::decode(V1_TWIN_FIXTURE), Ok(twin_fixture()));
    let state = State::open(&twin_fixture());
    assert_eq!(state.step, 1);
    assert!(memlane_web::state::has_twin(&state.trace));
}

/// Each widget of the article runs a gallery program, so CPython checks what it prints.
#[test]
fn the_articles_widgets_are_gallery_programs() {
    let article = include_str!("../../../www/site/article.html");
    let mut found = 0;
    for (i, _) in article.match_indices("<pre class=\"memlane\"") {
        let rest = &article[i..];
        let open_end = rest.find('>').unwrap();
        let text = &rest[open_end + 1..rest.find("</pre>").unwrap()];
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let code = embed::dedent(&text);
        assert!(
            EXAMPLES.iter().any(|e| e.code == code),
            "not a gallery program:\n{code}"
        );
        found += 1;
    }
    assert!(found >= 10, "{found} widgets");
}
