//! The front of the pipeline on arbitrary bytes (invalid UTF-8 made lossy, as a pasted or
//! linked source would be), never a panic or a stack overflow:
//!
//! - the tokenizer and parser give a module or a ParseError; a module compiles to
//!   bytecode or a CompileError under each CPython version;
//! - the editor's highlighter (run on every keystroke, on half-typed code) gives lines
//!   whose spans join to the source's lines exactly, and colouring only some lines
//!   (`highlight_lines`, what the editor draws) gives those lines of the whole.
#![no_main]
use libfuzzer_sys::fuzz_target;
use memlane_core::Version;
use memlane_web::highlight::{highlight, highlight_lines, line_count};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    if let Ok(module) = memlane_python::parser::parse(&source) {
        for version in Version::ALL {
            let _ = memlane_python::compile::compile(&module, version);
        }
    }

    let lines = highlight(&source);
    assert_eq!(lines.len(), line_count(&source));
    for (spans, text) in lines.iter().zip(source.split('\n')) {
        let joined: String = spans.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(joined, text);
    }
    let start = data.first().map_or(0, |&b| usize::from(b) % lines.len());
    let end = start + data.last().map_or(1, |&b| usize::from(b) % 8);
    let part = highlight_lines(&source, start..end);
    assert_eq!(part[..], lines[start..end.min(lines.len())]);
});
