//! Differential test of `memlane_python::format` against real CPython.
//!
//! Builds ~57k cases (fixed edge cases, seeded pseudo-random floats, ints, strings
//! and format specs), has ONE process per interpreter answer all of them, and
//! compares. Interpreters: `python3` (required, >= 3.11) plus pyenv's 3.12 and 3.13
//! when present. Where the CPython versions disagree among themselves, the newest
//! one is the reference (see the module docs of `format`). Unicode tables
//! (printable, decimal digits, spaces) are compared over every code point.

use memlane_python::format::*;
use num_bigint::BigInt;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

const PYTHONS: &[&str] = &[
    "python3",
    "/root/.pyenv/versions/3.12.1/bin/python",
    "/root/.pyenv/versions/3.13.0/bin/python",
];

const SCRIPT: &str = r#"
import array, json, re, struct, sys, unicodedata
def f_of(h): return struct.unpack('<d', struct.pack('<Q', int(h, 16)))[0]
def bits(x): return 'nan' if x != x else '%016x' % struct.unpack('<Q', struct.pack('<d', x))[0]
def run(c):
    k = c[0]
    if k == 'repr_float': return repr(f_of(c[1]))
    if k == 'repr_str': return repr(c[1])
    if k == 'radix':
        v = int(c[1], 16)
        return {'hex': hex, 'oct': oct, 'bin': bin, 'str': str}[c[2]](v)
    if k == 'fmt_int': return format(int(c[1], 16), c[2])
    if k == 'fmt_bool': return format(c[1], c[2])
    if k == 'fmt_float': return format(f_of(c[1]), c[2])
    if k == 'fmt_str': return format(c[1], c[2])
    if k == 'float': return bits(float(c[1]))
    if k == 'int': return format(int(c[1], c[2]), 'x')
    raise RuntimeError('unknown case ' + k)
SURROGATE = re.compile('[\ud800-\udfff]')
out = []
for line in open(sys.argv[1], encoding='utf-8'):
    try:
        r = run(json.loads(line))
        if SURROGATE.search(r):
            out.append(['surrogate'])
        else:
            out.append(['ok', r])
    except Exception as e:
        out.append(['err', type(e).__name__, str(e)])
# Unicode tables over every code point, vectorised (a plain loop is too slow).
allc = array.array('I', range(0x110000)).tobytes().decode('utf-32-le', 'surrogatepass')
flags = lambda f: bytes(map(f, allc))
unprintable = [[m.start(), m.end() - 1] for m in re.finditer(b'\x00+', flags(str.isprintable))]
decimal = [[m.start(), unicodedata.decimal(allc[m.start()])] for m in re.finditer(b'\x01', flags(str.isdecimal))]
space = [m.start() for m in re.finditer(b'\x01', flags(str.isspace))]
sys.stdout.write(json.dumps({'version': list(sys.version_info[:3]), 'unidata': unicodedata.unidata_version,
                             'results': out, 'unprintable': unprintable, 'decimal': decimal, 'space': space}))
"#;

/// splitmix64: small, seeded, good enough to spread cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn string(&mut self, alphabet: &[char], max_len: u64) -> String {
        (0..self.below(max_len + 1))
            .map(|_| *self.pick(alphabet))
            .collect()
    }
}

fn fbits(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

fn ihex(v: &BigInt) -> String {
    format!("{v:x}")
}

fn pow(base: i64, exp: usize) -> BigInt {
    num_traits::pow(BigInt::from(base), exp)
}

fn result(r: Result<String, String>) -> Value {
    match r {
        Ok(s) => json!(["ok", s]),
        Err(m) if m == SURROGATE_UNSUPPORTED => json!(["surrogate"]),
        Err(m) => json!(["err", format_error_kind(&m), m]),
    }
}

/// What this crate answers for a case.
fn ours(case: &Value) -> Value {
    let s = |i: usize| case[i].as_str().unwrap().to_string();
    let int = |i: usize| BigInt::parse_bytes(s(i).as_bytes(), 16).unwrap();
    let float = |i: usize| f64::from_bits(u64::from_str_radix(&s(i), 16).unwrap());
    match case[0].as_str().unwrap() {
        "repr_float" => json!(["ok", float_repr(float(1))]),
        "repr_str" => json!(["ok", str_repr(&s(1))]),
        "radix" => {
            let v = int(1);
            result(match s(2).as_str() {
                "hex" => Ok(int_hex(&v)),
                "oct" => Ok(int_oct(&v)),
                "bin" => Ok(int_bin(&v)),
                _ => int_to_decimal(&v),
            })
        }
        "fmt_int" => result(format_int(&int(1), &s(2))),
        "fmt_bool" => {
            let b = case[1].as_bool().unwrap();
            let spec = s(2);
            if spec.is_empty() {
                json!(["ok", if b { "True" } else { "False" }])
            } else {
                result(format_int_as(&BigInt::from(u8::from(b)), &spec, "bool"))
            }
        }
        "fmt_float" => result(format_float(float(1), &s(2))),
        "fmt_str" => result(format_str(&s(1), &s(2))),
        "float" => match str_float_parse(&s(1)) {
            Some(x) if x.is_nan() => json!(["ok", "nan"]),
            Some(x) => json!(["ok", fbits(x)]),
            None => json!(["err", "ValueError", float_parse_error(&s(1))]),
        },
        "int" => {
            let base = case[2].as_i64().unwrap();
            let r = int_parse(&s(1), base);
            // The limit-free parser must agree wherever the limit is not involved.
            if let Ok(v) = &r {
                assert_eq!(
                    str_int_parse(&s(1), base as u32).as_ref(),
                    Some(v),
                    "{case}"
                );
            }
            result(r.map(|v| format!("{v:x}")))
        }
        k => panic!("unknown case kind {k}"),
    }
}

/// (hand-picked count, hand-picked + powers and neighbours, random).
fn float_values(rng: &mut Rng) -> (usize, Vec<f64>, Vec<f64>) {
    let mut fixed = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        0.2,
        0.1 + 0.2,
        0.5,
        1.5,
        2.5,
        -2.5,
        0.125,
        0.375,
        -0.0001,
        1e16,
        1e15,
        9999999999999998.0,
        1e17,
        1e-4,
        1e-5,
        0.00012345,
        1.5e-7,
        123456789.12345679,
        5e-324,
        f64::MIN_POSITIVE,
        f64::MAX,
        -f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e22,
        1e23,
        9007199254740992.0,
        9007199254740994.0,
        123.456,
        -123.456,
        999.9999,
        0.05,
        0.005,
        0.0005,
        1234567.891,
        std::f64::consts::PI,
        std::f64::consts::E,
        1e100,
        -1e-100,
        2.2250738585072014e-308,
        0.9999999999999999,
        99.5,
        0.995,
        1e-7,
        12345.6789,
    ];
    let hand = fixed.len();
    for k in -325..=309 {
        let p: f64 = format!("1e{k}").parse().unwrap();
        fixed.push(p);
        fixed.push(f64::from_bits(p.to_bits().wrapping_add(1)));
        fixed.push(f64::from_bits(p.to_bits().wrapping_sub(1)));
    }
    for k in (-1074..=1023).step_by(5) {
        fixed.push(2f64.powi(k));
    }
    let mut random = Vec::new();
    for _ in 0..2500 {
        random.push(f64::from_bits(rng.next()));
    }
    for _ in 0..2500 {
        let digits = 1 + rng.below(17) as u32;
        let m = rng.below(10u64.pow(digits));
        let e = rng.below(60) as i64 - 30;
        random.push(format!("{m}e{e}").parse().unwrap());
    }
    for _ in 0..500 {
        // Exact binary fractions: ties for 'f' rounding.
        let j = 1 + rng.below(12) as i32;
        random.push(rng.below(1 << 20) as f64 / 2f64.powi(j));
    }
    (hand, fixed, random)
}

fn random_spec(rng: &mut Rng, types: &[&str]) -> String {
    let parts: [&[&str]; 9] = [
        &[
            "", "", "", "<", ">", "^", "=", "*<", "*>", "*^", "*=", "0=", "0<", "x^", "é>", " =",
            "<<", "0>",
        ],
        &["", "", "+", "-", " "],
        &["", "", "", "z"],
        &["", "", "#"],
        &["", "", "0"],
        &["", "", "1", "5", "8", "12", "20"],
        &["", "", "", ",", "_"],
        &["", "", ".0", ".1", ".2", ".3", ".6", ".10", ".17", ".25"],
        types,
    ];
    parts.iter().map(|p| *rng.pick(p)).collect()
}

const HAND_SPECS: &[&str] = &[
    "",
    "<",
    ">",
    "^",
    "=",
    "10",
    "<10",
    "^10",
    ">10",
    "=10",
    "010",
    "+",
    "-",
    " ",
    "+010",
    " 010",
    "#",
    "#x",
    "#o",
    "#b",
    "#X",
    "#010x",
    "_x",
    "_b",
    "_o",
    "_X",
    "#_b",
    ",",
    "_",
    "015,",
    "015_",
    "08,",
    "09,",
    "07_",
    ",d",
    "_d",
    "n",
    "10n",
    "c",
    "<5c",
    "05c",
    "+c",
    "#c",
    ".2",
    ".0",
    ".3",
    ".17",
    ".f",
    ".",
    "e",
    "E",
    "f",
    "F",
    "g",
    "G",
    "%",
    ".0e",
    ".1e",
    ".3e",
    ".16e",
    ".20e",
    ".0f",
    ".1f",
    ".2f",
    ".20f",
    ".0g",
    ".1g",
    ".2g",
    ".17g",
    "#g",
    "#.0g",
    "#.3g",
    "#.0f",
    "#.0e",
    "#",
    "#.3",
    ".0%",
    ".2%",
    ",.2f",
    "_.3f",
    ",e",
    ",g",
    ",%",
    "z",
    "z.1f",
    "z.2e",
    "z.3g",
    "z%",
    "+z.0f",
    "z",
    "d",
    "x",
    "s",
    "b",
    "zd",
    ",x",
    ",b",
    ",c",
    ",n",
    ",s",
    "_s",
    ",_",
    "_,",
    "xx",
    "10.5.5",
    "d.",
    "<<<",
    ">>",
    "\u{0}<5",
    "é^9",
    "\u{661}\u{660}",
    ".\u{662}f",
    "5 ",
    ",é",
    ", ",
    "é",
    "=",
    "99999999999999999999",
    ".99999999999999999999f",
    ".2147483648f",
    ".2147483647g",
    "1000000000000",
    "20.10",
    "*^30.20e",
    "-^+#030,.4f",
    " >+#0",
    "+#0x",
];

fn cases() -> Vec<Value> {
    let mut rng = Rng(0x6d65_6d6c_616e_6521);
    let mut cases = Vec::new();
    let (hand, fixed_floats, random_floats) = float_values(&mut rng);
    for &x in fixed_floats.iter().chain(&random_floats) {
        cases.push(json!(["repr_float", fbits(x)]));
    }

    // Format specs over floats, ints, strings.
    let float_types = [
        "", "", "e", "E", "f", "F", "g", "G", "%", "n", "d", "x", "s",
    ];
    let int_types = [
        "", "", "b", "c", "d", "o", "x", "X", "n", "e", "E", "f", "F", "g", "G", "%", "s",
    ];
    let str_types = ["", "", "s", "d"];
    let spec_floats: Vec<f64> = fixed_floats[..hand]
        .iter()
        .copied()
        .chain(random_floats.iter().step_by(250).copied())
        .collect();
    for &x in &spec_floats {
        for spec in HAND_SPECS {
            cases.push(json!(["fmt_float", fbits(x), spec]));
        }
        for _ in 0..120 {
            cases.push(json!([
                "fmt_float",
                fbits(x),
                random_spec(&mut rng, &float_types)
            ]));
        }
    }
    for (i, &x) in random_floats.iter().enumerate() {
        let spec = [
            "", ".3", "e", ".17g", ".2f", ",.2f", "%", ".1f", ".0f", "#.5g", ".12",
        ][i % 11];
        cases.push(json!(["fmt_float", fbits(x), spec]));
    }
    let mut ints: Vec<BigInt> = [
        "0",
        "1",
        "-1",
        "7",
        "-31",
        "65",
        "255",
        "1000",
        "1234567",
        "-1234567",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "1114111",
        "1114112",
        "55296",
        "57343",
        "10000000000000000",
        "9007199254740993",
        "9007199254740995",
        "18014398509481987",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let two = BigInt::from(2);
    ints.push(pow(10, 400));
    ints.push(-pow(10, 308));
    ints.push(pow(2, 1024));
    ints.push(pow(2, 1024) - pow(2, 970));
    ints.push(pow(2, 1024) - pow(2, 970) - 1);
    ints.push(pow(2, 1024) - pow(2, 971));
    ints.push(pow(10, 4300));
    ints.push(pow(10, 4300) - 1);
    for _ in 0..12 {
        let b = rng.below(200) as usize;
        let v: BigInt = BigInt::from(rng.next()) * num_traits::pow(two.clone(), b) + rng.next();
        ints.push(if rng.below(2) == 0 { -v } else { v });
    }
    for v in &ints {
        for spec in HAND_SPECS {
            cases.push(json!(["fmt_int", ihex(v), spec]));
        }
        // Huge ints are slow to format in a debug build; the hand specs suffice.
        let random_specs = if v.bits() > 2000 { 0 } else { 120 };
        for _ in 0..random_specs {
            cases.push(json!([
                "fmt_int",
                ihex(v),
                random_spec(&mut rng, &int_types)
            ]));
        }
    }
    for b in [true, false] {
        for spec in ["", "d", ">5", "xx", "f", "s", ".2", "z", "c", "#x"] {
            cases.push(json!(["fmt_bool", b, spec]));
        }
    }
    let strs = [
        "",
        "a",
        "abc",
        "héllo",
        "日本語",
        "a\tb",
        "it's",
        "x\u{301}y",
        "\u{1f600}!",
        "longer text here",
    ];
    for s in strs {
        for spec in HAND_SPECS {
            cases.push(json!(["fmt_str", s, spec]));
        }
        for _ in 0..80 {
            cases.push(json!(["fmt_str", s, random_spec(&mut rng, &str_types)]));
        }
    }

    // hex/oct/bin/str, around the 4300-digit limit too.
    let mut radix_ints = ints.clone();
    radix_ints.extend([
        -pow(10, 4300),
        -(pow(10, 4300) - 1i32),
        pow(2, 14286),
        pow(2, 14285),
        pow(2, 14287),
    ]);
    for _ in 0..300 {
        let v = BigInt::from(rng.next()) * num_traits::pow(two.clone(), rng.below(300) as usize)
            + rng.next();
        radix_ints.push(if rng.below(2) == 0 { -v } else { v });
    }
    for v in &radix_ints {
        for which in ["hex", "oct", "bin", "str"] {
            cases.push(json!(["radix", ihex(v), which]));
        }
    }

    // repr(str).
    let mut reprs: Vec<String> = [
        "",
        "abc",
        "it's",
        "say \"hi\"",
        "both ' and \"",
        "\\",
        "a\nb\rc\td",
        "\u{0}\u{7}\u{1b}\u{7f}",
        "\u{85}\u{a0}\u{ad}é",
        "\u{200b}\u{200f}\u{2028}\u{2029}\u{feff}",
        "\u{e000}\u{f8ff}\u{f0000}\u{10ffff}",
        "\u{e0001}\u{e007f}",
        "\u{301}",
        "\u{fffe}\u{ffff}",
        "日本語 テキスト",
        "\u{3000}\u{1680}\u{2000}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    reprs.extend((0..0x400).filter_map(char::from_u32).map(String::from));
    for _ in 0..3000 {
        if let Some(c) = char::from_u32(rng.below(0x110000) as u32) {
            reprs.push(c.to_string());
        }
    }
    let alphabet: Vec<char> = "ab'\"\\\n\t \u{e9}\u{a0}\u{200b}日\u{1f600}\u{0}"
        .chars()
        .collect();
    for _ in 0..300 {
        reprs.push(rng.string(&alphabet, 8));
    }
    for s in reprs {
        cases.push(json!(["repr_str", s]));
    }

    // float(str).
    let mut fstrs: Vec<String> = [
        "",
        " ",
        "1",
        "-1",
        "+1.5",
        "1.",
        ".5",
        ".",
        "-.5e-3",
        "1e5",
        "1E+05",
        "1e",
        "1e+",
        "e5",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "-iNfInItY",
        "infinit",
        "infinityy",
        "nan",
        "-nan",
        "+NaN",
        "nan(1)",
        "0x1p3",
        " 1_0.0_1e1_0 ",
        "1__0",
        "1_.0",
        "1._0",
        "_1",
        "1_",
        "1_e5",
        "1e_5",
        "1e5_0",
        "\t\n 2.5 \x0b\x0c\r",
        "1\u{1c}",
        "\u{3000}1.5\u{3000}",
        "\u{661}\u{662}.\u{663}",
        "\u{ff11}e\u{ff12}",
        "1\u{0}",
        "١_٢",
        "1e500",
        "-1e-500",
        "1e99999999999999999999999",
        "0e99999999999999999999",
        "- 1",
        "--1",
        "1.5.5",
        "0.1000000000000000055511151231257827021181583404541015625",
        "2.4703282292062328e-324",
        "2.4703282292062327e-324",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "00001",
        "1 000",
        "\u{11f52}",
        "\u{1e4f3}",
        "１.５",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for &x in random_floats.iter().step_by(5) {
        fstrs.push(float_repr(x));
        fstrs.push(format_float(x, ".30e").unwrap_or_default());
    }
    let falphabet: Vec<char> = "0123456789._eE+-infatyINF \t\u{661}x".chars().collect();
    for _ in 0..2000 {
        fstrs.push(rng.string(&falphabet, 10));
    }
    for _ in 0..300 {
        let n = 1 + rng.below(40);
        let digits: String = (0..n)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect();
        let cut = rng.below(n + 1) as usize;
        fstrs.push(format!(
            "{}.{}e{}",
            &digits[..cut],
            &digits[cut..],
            rng.below(700) as i64 - 350
        ));
    }
    for s in fstrs {
        cases.push(json!(["float", s]));
    }

    // int(str, base).
    let mut istrs: Vec<(String, i64)> = [
        ("0", 10),
        ("-0", 10),
        (" 42 ", 10),
        ("+7", 10),
        ("1_000", 10),
        ("1__000", 10),
        ("_1", 10),
        ("1_", 10),
        ("0x1f", 16),
        ("0X1F", 16),
        ("0x_1f", 16),
        ("0x__1f", 16),
        ("0x", 16),
        ("0x1f", 0),
        ("0o17", 0),
        ("0b101", 0),
        ("0b", 0),
        ("010", 0),
        ("00", 0),
        ("0_0", 0),
        ("0", 0),
        ("-0x1f", 0),
        ("0b1", 16),
        ("z", 36),
        ("Z", 36),
        ("10", 2),
        ("2", 2),
        ("abc", 10),
        ("abc", 0),
        ("1\u{0}", 10),
        ("1\u{1c}", 10),
        ("\u{661}\u{662}", 10),
        ("\u{661}\u{662}", 0),
        ("\u{661}", 16),
        ("١٢٣", 7),
        ("1", 1),
        ("1", 37),
        ("1", -1),
        ("1", 36),
        ("", 10),
        (" ", 10),
        ("+", 10),
        ("- 1", 10),
        ("1 1", 10),
        ("\u{3000}5\u{3000}", 10),
        ("0b_1", 2),
        ("0o", 8),
        ("\u{11f52}", 10),
        ("\u{1e4f3}", 10),
    ]
    .iter()
    .map(|&(s, b)| (s.to_string(), b))
    .collect();
    istrs.push(("x".repeat(300), 10));
    istrs.push(("é".repeat(250), 10));
    for n in [4299, 4300, 4301, 5000] {
        istrs.push(("1".repeat(n), 10));
        istrs.push(("1".repeat(n), 16));
        istrs.push(("1".repeat(n), 7));
        istrs.push(("0".repeat(n), 0));
        istrs.push(("1_".repeat(n) + "1", 10));
        istrs.push((format!(" -{} ", "9".repeat(n)), 0));
    }
    istrs.push(("1".repeat(5000) + "x", 10));
    istrs.push(("1".repeat(5000) + "\u{0}", 10));
    let ialphabet: Vec<char> = "0123456789abcdefzxXoObB_ +-\t\u{661}".chars().collect();
    for _ in 0..3000 {
        let base = *rng.pick(&[0, 0, 2, 8, 10, 10, 16, 16, 36, 7, 3]);
        istrs.push((rng.string(&ialphabet, 8), base));
    }
    for (s, b) in istrs {
        cases.push(json!(["int", s, b]));
    }
    cases
}

struct Answer {
    python: String,
    version: Vec<u64>,
    unidata: String,
    results: Vec<Value>,
    tables: UnicodeTables,
}

/// Per code point: printable, decimal value (255: none), space.
#[derive(PartialEq)]
struct UnicodeTables {
    printable: Vec<bool>,
    decimal: Vec<u8>,
    space: Vec<bool>,
}

impl UnicodeTables {
    fn ours() -> UnicodeTables {
        let chars = || (0..0x110000u32).map(|u| char::from_u32(u).unwrap_or('\u{fffd}'));
        UnicodeTables {
            printable: chars().map(is_printable).collect(),
            decimal: chars()
                .map(|c| unicode_decimal(c).map_or(255, |d| d as u8))
                .collect(),
            space: chars().map(is_unicode_space).collect(),
        }
    }

    fn from_json(v: &Value) -> UnicodeTables {
        let mut t = UnicodeTables {
            printable: vec![true; 0x110000],
            decimal: vec![255; 0x110000],
            space: vec![false; 0x110000],
        };
        let num = |x: &Value| x.as_u64().unwrap() as usize;
        for r in v["unprintable"].as_array().unwrap() {
            t.printable[num(&r[0])..=num(&r[1])].fill(false);
        }
        for d in v["decimal"].as_array().unwrap() {
            t.decimal[num(&d[0])] = num(&d[1]) as u8;
        }
        for u in v["space"].as_array().unwrap() {
            t.space[num(u)] = true;
        }
        t
    }

    fn same_at(&self, other: &UnicodeTables, u: usize) -> bool {
        self.printable[u] == other.printable[u]
            && self.decimal[u] == other.decimal[u]
            && self.space[u] == other.space[u]
    }
}

fn spawn(python: &str, path: &std::path::Path) -> std::io::Result<Child> {
    Command::new(python)
        .arg("-I")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
}

fn collect(python: String, child: Child) -> Answer {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{python} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).expect("python printed bad JSON");
    Answer {
        version: v["version"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect(),
        unidata: v["unidata"].as_str().unwrap().to_string(),
        results: v["results"].take().as_array_mut().unwrap().split_off(0),
        tables: UnicodeTables::from_json(&v),
        python,
    }
}

/// Why CPython versions may disagree on a case: Unicode data of one of its
/// characters, or 3.12's change to >4300-digit int literals with junk.
fn version_difference_explained(case: &Value, unicode_varies: &[bool]) -> bool {
    let strings = || case.as_array().unwrap().iter().filter_map(Value::as_str);
    let long_int = case[0] == "int"
        && case[1]
            .as_str()
            .is_some_and(|s| s.len() > INT_MAX_STR_DIGITS);
    long_int
        || strings()
            .skip(1)
            .any(|s| s.chars().any(|c| unicode_varies[c as usize]))
}

#[test]
fn format_matches_cpython() {
    let cases = cases();
    let path =
        std::env::temp_dir().join(format!("memlane_format_cases_{}.jsonl", std::process::id()));
    let text: String = cases.iter().map(|c| format!("{c}\n")).collect();
    std::fs::write(&path, text).unwrap();

    // All interpreters run at once; python3 is mandatory.
    let mut children = Vec::new();
    for (i, py) in PYTHONS.iter().enumerate() {
        if i > 0 && !std::path::Path::new(py).exists() {
            eprintln!("note: {py} not found, skipped");
            continue;
        }
        match spawn(py, &path) {
            Ok(child) => children.push((py.to_string(), child)),
            Err(e) => panic!("cannot run {py} (CPython >= 3.11 is required for this test): {e}"),
        }
    }
    // Our side while CPython works.
    let (ours_all, our_tables) = std::thread::scope(|s| {
        let tables = s.spawn(UnicodeTables::ours);
        let ours_all: Vec<Value> = cases.iter().map(ours).collect();
        (ours_all, tables.join().unwrap())
    });

    let mut answers: Vec<Answer> = Vec::new();
    for (py, child) in children {
        let a = collect(py, child);
        assert!(
            a.version[..2] >= [3u64, 11][..],
            "{} is Python {:?}; this test needs CPython >= 3.11",
            a.python,
            a.version
        );
        assert_eq!(
            a.results.len(),
            cases.len(),
            "{} answered a different number of cases",
            a.python
        );
        eprintln!(
            "{}: CPython {:?}, Unicode {}",
            a.python, a.version, a.unidata
        );
        if !answers.iter().any(|b| b.version == a.version) {
            answers.push(a);
        }
    }
    let _ = std::fs::remove_file(&path);
    answers.sort_by(|a, b| a.version.cmp(&b.version));
    let newest = answers.last().unwrap();

    let mut failures = Vec::new();
    // Unicode tables: ours are the newest CPython's, at every code point.
    let unicode_varies: Vec<bool> = (0..0x110000)
        .map(|u| answers.iter().any(|a| !a.tables.same_at(&newest.tables, u)))
        .collect();
    for u in 0..0x110000usize {
        if char::from_u32(u as u32).is_some() && !our_tables.same_at(&newest.tables, u) {
            failures.push(format!(
                "U+{u:04X}: ours (printable, decimal, space) = ({}, {}, {}), CPython ({}, {}, {})",
                our_tables.printable[u],
                our_tables.decimal[u],
                our_tables.space[u],
                newest.tables.printable[u],
                newest.tables.decimal[u],
                newest.tables.space[u]
            ));
        }
    }

    // Cases: ours are the newest CPython's; older versions may differ only for
    // the documented reasons.
    let mut version_dependent = 0;
    for (i, (case, got)) in cases.iter().zip(&ours_all).enumerate() {
        let want = &newest.results[i];
        if answers.iter().any(|a| a.results[i] != *want) {
            version_dependent += 1;
            if !version_difference_explained(case, &unicode_varies) {
                let all: Vec<String> = answers
                    .iter()
                    .map(|a| format!("{:?}: {}", a.version, a.results[i]))
                    .collect();
                failures.push(format!(
                    "{case}\n    unexplained difference between versions: {}",
                    all.join(", ")
                ));
            }
        }
        if got != want {
            failures.push(format!("{case}\n    ours:    {got}\n    CPython: {want}"));
        }
    }

    eprintln!(
        "{} cases x {} CPython versions, all {} code points; {} cases and {} code points differ between \
         versions (the newest is the reference)",
        cases.len(),
        answers.len(),
        0x110000,
        version_dependent,
        unicode_varies.iter().filter(|&&v| v).count()
    );
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(40).map(String::as_str).collect();
        panic!(
            "{} mismatches with CPython; first ones:\n{}",
            failures.len(),
            shown.join("\n")
        );
    }
}
