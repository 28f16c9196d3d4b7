// Temporary development helper; deleted before hand-off.
use memlane_python::parser::{parse, ParseErrorKind};
#[test]
fn scratch_compare() {
    let text = std::fs::read_to_string("/tmp/exp/cases.json").unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut bad = 0;
    for c in cases.as_array().unwrap() {
        let src = c["src"].as_str().unwrap();
        eprintln!("CASE {src:?}");
        let r = parse(src);
        let ours = match &r {
            Ok(_) => "OK".to_string(),
            Err(e) => match &e.kind {
                ParseErrorKind::Syntax(m) => format!("{m:?} {} {}", e.line, e.col),
                ParseErrorKind::Unsupported(m) => format!("UNSUPPORTED {m:?} {} {}", e.line, e.col),
            },
        };
        let theirs = if c["ok"].as_bool().unwrap() {
            "OK".to_string()
        } else {
            format!("{:?} {} {}", c["msg"].as_str().unwrap(), c["line"], c["offset"])
        };
        if ours != theirs {
            bad += 1;
            println!("{:<40} ours={ours}\n{:<40} cpy ={theirs}", format!("{:?}", src.chars().take(38).collect::<String>()), "");
        }
    }
    println!("{bad} differ");
}
