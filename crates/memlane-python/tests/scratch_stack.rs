// Temporary development helper; deleted before hand-off.
use memlane_python::parser::parse;
fn fits(src: &str, stack: usize) -> bool {
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "probe", "--nocapture"])
        .env("PROBE_SRC", src).env("PROBE_STACK", stack.to_string())
        .output().unwrap();
    child.status.success()
}
#[test]
fn probe() {
    if let (Ok(src), Ok(stack)) = (std::env::var("PROBE_SRC"), std::env::var("PROBE_STACK")) {
        let stack: usize = stack.parse().unwrap();
        std::thread::Builder::new().stack_size(stack).spawn(move || { let _ = parse(&src); }).unwrap().join().unwrap();
    }
}
#[test]
fn measure() {
    let n = |k: usize, s: &str| s.repeat(k);
    let cases = [
        ("parens200", format!("x = {}1{}", n(200, "("), n(200, ")"))),
        ("lists200", format!("x = {}1{}", n(200, "["), n(200, "]"))),
        ("dicts200", format!("x = {}1{}", n(200, "{1:"), n(200, "}"))),
        ("calls200", format!("x = {}1{}", n(200, "f("), n(200, ")"))),
        ("subs200", format!("x = {}1{}", n(200, "a["), n(200, "]"))),
        ("sets+ops200", format!("x = {}1{}", n(200, "-{not "), n(200, "}"))),
        ("lambdas", format!("x = {}1", n(260, "lambda: "))),
        ("unary", format!("x = {}1", n(520, "-"))),
        ("nots", format!("x = {}1", n(520, "not "))),
        ("ifexp", format!("x = {}1", n(260, "a if b else "))),
        ("pow", format!("x = {}1", n(520, "2 ** "))),
        ("attrs", format!("x = a{}", n(1100, ".b"))),
        ("binops", format!("x = 1{}", n(1100, " + 1"))),
        ("ifs99", (0..99).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(99) + "pass\n"),
        ("comp", format!("x = {}1{}", n(200, "[x for x in "), n(200, "]"))),
        ("fstr", "x = f\"{f'{f\"\"\"{f'''{1:{2}}'''}\"\"\"}'}\"".to_string()),
    ];
    for (name, src) in cases {
        let (mut lo, mut hi) = (16usize << 10, 64usize << 20);
        while hi - lo > 8 << 10 {
            let mid = (lo + hi) / 2;
            if fits(&src, mid) { hi = mid } else { lo = mid }
        }
        println!("{name}: needs ~{} KiB; result={:?}", hi >> 10, parse(&src).err().map(|e| e.to_string()));
    }
}
