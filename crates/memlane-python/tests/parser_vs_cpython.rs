//! Compares memlane's parser with CPython 3.11's on every program in `parser_corpus/`:
//! `ast::dump` must equal `ast.dump(ast.parse(src), include_attributes=True)` exactly,
//! positions included. Needs `python3` (CPython 3.11) and fails if it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use memlane_python::{ast, parser};

const DUMP_SCRIPT: &str =
    "import ast,sys; print(ast.dump(ast.parse(open(sys.argv[1], encoding='utf-8').read()), include_attributes=True))";

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parser_corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

fn require_cpython_311() {
    let out = Command::new("python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("python3 (CPython 3.11) must be installed to compare the parser with CPython");
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // ast.dump's format and some node positions differ in other versions.
    assert_eq!(version, "3.11", "this test compares with CPython 3.11's ast.dump; python3 is {version}");
}

fn cpython_dump(path: &Path) -> String {
    let out = Command::new("python3").arg("-c").arg(DUMP_SCRIPT).arg(path).output().expect("run python3");
    assert!(
        out.status.success(),
        "python3 could not parse {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 dump").trim_end().to_string()
}

/// Where two dumps first differ, with some context.
fn first_difference(ours: &str, theirs: &str) -> String {
    let at = ours.bytes().zip(theirs.bytes()).take_while(|(a, b)| a == b).count();
    let mut from = at.saturating_sub(150);
    while !ours.is_char_boundary(from) {
        from -= 1;
    }
    let window = |s: &str| {
        let mut end = (at + 150).min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.get(from..end).unwrap_or("").to_string()
    };
    format!("at byte {at}:\n  ours:    ...{}...\n  cpython: ...{}...", window(ours), window(theirs))
}

#[test]
fn corpus_matches_cpython_ast_dump() {
    require_cpython_311();
    let files = corpus_files();
    let mut failures = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("read corpus file");
        let expected = cpython_dump(path);
        match parser::parse(&source) {
            Ok(module) => {
                let ours = ast::dump(&module);
                if ours != expected {
                    failures.push(format!("{}: dump differs {}", path.display(), first_difference(&ours, &expected)));
                }
            }
            Err(e) => failures.push(format!("{}: parse error {e:?}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} corpus files differ:\n{}", failures.len(), files.len(), failures.join("\n\n"));
    assert!(files.len() >= 30, "the corpus should have 30+ programs, found {}", files.len());
}
