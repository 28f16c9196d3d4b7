//! What several test files share: the conformance programs, read once per test.

use std::path::Path;

/// Every conformance program, as (file name, source), sorted by name.
pub fn conformance_programs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/programs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the conformance programs")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    paths.sort();
    assert!(
        paths.len() > 100,
        "found {} programs in {}",
        paths.len(),
        dir.display()
    );
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("a program"))
        })
        .collect()
}
