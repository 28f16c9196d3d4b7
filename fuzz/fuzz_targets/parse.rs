//! The tokenizer and parser on arbitrary bytes: every input is a module or a ParseError,
//! never a panic or a stack overflow. Invalid UTF-8 goes through `run_bytes`, the path a
//! link's or a file's raw bytes take.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(source) => {
            let _ = memlane_python::parser::parse(source);
        }
        Err(_) => {
            let _ = memlane_python::parser::parse(&String::from_utf8_lossy(data));
        }
    }
});
