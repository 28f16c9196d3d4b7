// Temporary development helper; deleted before hand-off.
use memlane_python::parser::parse;
fn fits(src: &str, stack: usize) -> bool {
    let s = src.to_string();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "probe", "--nocapture"])
        .env("PROBE_SRC", &s).env("PROBE_STACK", stack.to_string())
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
    let cases = [
        ("parens", format!("x = {}1{}", "(".repeat(200), ")".repeat(200))),
        ("lists", format!("x = {}1{}", "[".repeat(200), "]".repeat(200))),
        ("calls", format!("x = {}1{}", "f(".repeat(200), ")".repeat(200))),
        ("lambdas", format!("x = {}1", "lambda: ".repeat(280))),
        ("unary", format!("x = {}1", "-".repeat(1150))),
        ("nots", format!("x = {}1", "not ".repeat(1150))),
        ("ifexp", format!("x = {}1", "a if b else ".repeat(280))),
        ("pow", format!("x = {}1", "2 ** ".repeat(1150))),
    ];
    for (name, src) in cases {
        let (mut lo, mut hi) = (16usize << 10, 64usize << 20);
        while hi - lo > 8 << 10 {
            let mid = (lo + hi) / 2;
            if fits(&src, mid) { hi = mid } else { lo = mid }
        }
        println!("{name}: needs ~{} KiB; err={:?}", hi >> 10, parse(&src).err().map(|e| e.to_string()));
    }
}
#[test]
fn direct() {
    let src = format!("x = {}1{}", "(".repeat(200), ")".repeat(200));
    for kb in [512usize, 1024, 2048, 4096, 8192] {
        let ok = fits(&src, kb << 10);
        println!("debug? {} {kb} KiB -> {ok}", cfg!(debug_assertions));
    }
}
