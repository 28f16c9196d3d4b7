//! The permalink decoder on arbitrary fragments: a Scenario or a LinkError, never a
//! panic. Whatever decodes keeps the decoder's own limits (a program of at most 64 KiB,
//! a step cap within `STEP_CAP_RANGE`) and re-encodes to a link that decodes to the same
//! scenario, as do the links the Share control copies (the editor link, the iframe
//! embed's). A link that does not open has a message for the page.
#![no_main]
use libfuzzer_sys::fuzz_target;
use memlane_web::embed::{editor_link, iframe_embed_code};
use memlane_web::permalink::{decode, encode, Scenario, MAX_CODE_BYTES};
use memlane_web::state::STEP_CAP_RANGE;

/// The scenario behind the `#` of the first link in `text`.
fn fragment_after(text: &str, marker: &str) -> Scenario {
    let start = text.find(marker).expect("the link") + marker.len();
    let end = text[start..].find('"').map_or(text.len(), |e| start + e);
    decode(&text[start..end]).expect("a link the page made opens")
}

fuzz_target!(|data: &[u8]| {
    let fragment = String::from_utf8_lossy(data);
    match decode(&fragment) {
        Ok(scenario) => {
            assert!(
                scenario.code.len() <= MAX_CODE_BYTES,
                "{} bytes",
                scenario.code.len()
            );
            assert!(
                scenario
                    .max_steps
                    .is_none_or(|n| STEP_CAP_RANGE.contains(&n)),
                "{:?} steps",
                scenario.max_steps
            );
            assert_eq!(decode(&encode(&scenario)).as_ref(), Ok(&scenario));
            let editor = fragment_after(&editor_link("https://x.org/m/", &scenario), "index.html#");
            assert_eq!(
                editor,
                Scenario {
                    ram: false,
                    ..scenario.clone()
                }
            );
            let iframe = fragment_after(
                &iframe_embed_code("https://x.org/m/", &scenario),
                "embed.html#",
            );
            assert_eq!(iframe, scenario);
        }
        Err(e) => assert!(!e.page_message().is_empty()),
    }
});
