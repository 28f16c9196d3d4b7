//! The permalink decoder on arbitrary fragments: a Scenario or a LinkError, never a
//! panic; and whatever decodes re-encodes to a link that decodes to the same scenario.
#![no_main]
use libfuzzer_sys::fuzz_target;
use memlane_web::permalink::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let fragment = String::from_utf8_lossy(data);
    if let Ok(scenario) = decode(&fragment) {
        assert_eq!(decode(&encode(&scenario)).as_ref(), Ok(&scenario));
    }
});
