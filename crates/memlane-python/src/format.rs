//! CPython's text formatting of numbers and strings, as pure functions: `repr` of
//! floats and strings, `hex`/`oct`/`bin`, the format-spec mini-language (f-strings,
//! `format()`, `str.format`), and `float()`/`int()` of strings.
//!
//! The code follows CPython's own (`Python/formatter_unicode.c`, `Python/pystrtod.c`,
//! `Objects/unicodeobject.c`, `Objects/longobject.c`) step by step, so that output
//! and error messages are byte-identical to CPython 3.11, 3.12 and 3.13;
//! `tests/format_vs_cpython.rs` checks that against every interpreter it finds.
//! Where those versions differ, this module follows 3.13:
//! - Unicode data (printable characters for `repr`, decimal digits accepted by
//!   `int()`, `float()` and format widths) is 3.13's Unicode 15.1; 3.11 (Unicode 14)
//!   and 3.12 (Unicode 15.0) lack some thousands of newer characters.
//! - `int()` of a string with more than 4300 digits followed by junk reports the bad
//!   literal (3.12+); 3.11 reported the digit limit.
//!
//! Deliberate deviations:
//! - `'n'` formats with the C locale (CPython's too, unless a program calls
//!   `locale.setlocale`).
//! - A Rust `String` cannot hold a lone surrogate, so `format(0xd800, 'c')` fails
//!   with [`SURROGATE_UNSUPPORTED`].
//! - A width, or a precision that pads digits, above [`MAX_FORMAT_LEN`] fails with
//!   [`FORMAT_TOO_LARGE`] (a `MemoryError`) rather than being allocated in the
//!   browser; CPython would build the string.
//!
//! Errors are CPython's messages; [`format_error_kind`] names the exception class.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{ToPrimitive, Zero};
use std::cmp::max;

/// CPython's default `sys.get_int_max_str_digits()`.
pub const INT_MAX_STR_DIGITS: usize = 4300;
/// memlane's cap on the length of one formatted result (see the module docs).
pub const MAX_FORMAT_LEN: i64 = 10_000_000;
/// The error for results longer than [`MAX_FORMAT_LEN`]: a `MemoryError`, whose
/// message is empty as CPython's is (it raises one for widths it cannot allocate).
pub const FORMAT_TOO_LARGE: &str = "";
/// The error for `format(i, 'c')` with a surrogate code point; a `ValueError`.
pub const SURROGATE_UNSUPPORTED: &str = "lone surrogate characters are not supported";

const MSG_INT_TOO_BIG_FOR_FLOAT: &str = "int too large to convert to float";
const MSG_C_LONG: &str = "Python int too large to convert to C long";
const MSG_C_RANGE: &str = "%c arg not in range(0x110000)";
const MSG_INT_BASE: &str = "int() base must be >= 2 and <= 36, or 0";

/// The exception class for an error message returned by this module.
pub fn format_error_kind(msg: &str) -> &'static str {
    match msg {
        MSG_INT_TOO_BIG_FOR_FLOAT | MSG_C_LONG | MSG_C_RANGE => "OverflowError",
        FORMAT_TOO_LARGE => "MemoryError",
        _ => "ValueError",
    }
}

// ---------------------------------------------------------------------------
// Unicode data
// ---------------------------------------------------------------------------

/// CPython's `str.isprintable()` for one character (and so what `repr` leaves
/// unescaped): everything except categories Cc Cf Cs Co Cn Zl Zp and Zs other
/// than ' ', per CPython 3.13's Unicode 15.1.
pub fn is_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    if in_ranges(&NEWER_THAN_CPYTHON, u) {
        return false;
    }
    // Rust's own printable table (used by `escape_debug`) has exactly CPython's
    // definition; only its Unicode version is newer (17.0 in Rust 1.95), hence the
    // table above; the differential test checks every code point, so a toolchain
    // with a still newer Unicode shows up there. In second position
    // `str::escape_debug` escapes a non-ASCII char only if it is unprintable
    // (grapheme extenders are escaped only at the start).
    let mut buf = [0u8; 5];
    buf[0] = b'a';
    let n = c.encode_utf8(&mut buf[1..]).len();
    let Ok(s) = std::str::from_utf8(&buf[..=n]) else {
        return false;
    };
    let mut it = s.escape_debug().skip(1);
    it.next() == Some(c) && it.next().is_none()
}

fn in_ranges(table: &[(u32, u32)], u: u32) -> bool {
    let i = table.partition_point(|&(lo, _)| lo <= u);
    i > 0 && u <= table[i - 1].1
}

/// The value of a Unicode decimal digit (category Nd), as CPython's
/// `Py_UNICODE_TODECIMAL`; `None` for anything else.
pub fn unicode_decimal(c: char) -> Option<u32> {
    let u = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= u);
    if i == 0 {
        return None;
    }
    let d = u - DECIMAL_ZEROS[i - 1];
    (d < 10).then_some(d)
}

/// CPython's `str.isspace()` for one character.
/// Unicode's titlecase letters (category Lt), which `str.istitle` counts with the
/// uppercase ones; Rust's `char` has no test for them.
pub fn is_titlecase(c: char) -> bool {
    matches!(c as u32, 0x1c5 | 0x1c8 | 0x1cb | 0x1f2 | 0x1f88..=0x1f8f | 0x1f98..=0x1f9f
        | 0x1fa8..=0x1faf | 0x1fbc | 0x1fcc | 0x1ffc)
}

pub fn is_unicode_space(c: char) -> bool {
    matches!(
        c as u32,
        0x09..=0x0d
            | 0x1c..=0x20
            | 0x85
            | 0xa0
            | 0x1680
            | 0x2000..=0x200a
            | 0x2028
            | 0x2029
            | 0x202f
            | 0x205f
            | 0x3000
    )
}

// ---------------------------------------------------------------------------
// repr of str
// ---------------------------------------------------------------------------

/// Python's `repr(s)`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let u = c as u32;
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if u < 0x20 || u == 0x7f => push_hex_escape(&mut out, 'x', u, 2),
            _ if u < 0x7f || is_printable(c) => out.push(c),
            _ if u <= 0xff => push_hex_escape(&mut out, 'x', u, 2),
            _ if u <= 0xffff => push_hex_escape(&mut out, 'u', u, 4),
            _ => push_hex_escape(&mut out, 'U', u, 8),
        }
    }
    out.push(quote);
    out
}

fn push_hex_escape(out: &mut String, letter: char, u: u32, width: usize) {
    use std::fmt::Write;
    out.push('\\');
    out.push(letter);
    let _ = write!(out, "{u:0width$x}");
}

// ---------------------------------------------------------------------------
// ints as text
// ---------------------------------------------------------------------------

/// `v` in base `radix` (2..=36), lowercase, '-' for negatives, no prefix and no
/// digit limit.
pub fn int_to_str_radix(v: &BigInt, radix: u32) -> String {
    v.to_str_radix(radix)
}

fn int_with_prefix(v: &BigInt, radix: u32, prefix: &str) -> String {
    let digits = v.magnitude().to_str_radix(radix);
    let sign = if v.sign() == Sign::Minus { "-" } else { "" };
    format!("{sign}{prefix}{digits}")
}

/// Python's `hex(v)`, e.g. `-0x1f`.
pub fn int_hex(v: &BigInt) -> String {
    int_with_prefix(v, 16, "0x")
}

/// Python's `oct(v)`, e.g. `0o17`.
pub fn int_oct(v: &BigInt) -> String {
    int_with_prefix(v, 8, "0o")
}

/// Python's `bin(v)`, e.g. `-0b101`.
pub fn int_bin(v: &BigInt) -> String {
    int_with_prefix(v, 2, "0b")
}

/// CPython's error for int -> str beyond [`INT_MAX_STR_DIGITS`].
pub fn int_max_str_digits_error_to_str() -> String {
    format!(
        "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; \
         use sys.set_int_max_str_digits() to increase the limit"
    )
}

/// CPython's error for str -> int of a string with `digits` digits.
pub fn int_max_str_digits_error_to_int(digits: usize) -> String {
    format!(
        "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
         value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
    )
}

/// Python's `str(v)` / `repr(v)` for an int, with CPython's digit limit.
pub fn int_to_decimal(v: &BigInt) -> Result<String, String> {
    // 2**14286 > 10**4300: skip the (quadratic) conversion when it must fail.
    if v.bits() > 14286 {
        return Err(int_max_str_digits_error_to_str());
    }
    let s = v.to_str_radix(10);
    let digits = s.len() - usize::from(v.sign() == Sign::Minus);
    if digits > INT_MAX_STR_DIGITS {
        return Err(int_max_str_digits_error_to_str());
    }
    Ok(s)
}

/// CPython's `PyLong_AsDouble`: correctly rounded (half to even), or `None` on
/// overflow.
fn bigint_to_f64(v: &BigInt) -> Option<f64> {
    let mag: &BigUint = v.magnitude();
    let bits = mag.bits();
    let f = if bits <= 64 {
        mag.to_u64()? as f64
    } else {
        let shift = bits - 64;
        if shift > 1024 {
            return None;
        }
        let mut top = (mag >> shift).to_u64()?;
        // Sticky bit: 64 bits leave 11 below the 53 kept, so OR-ing any dropped
        // bits into the lowest one makes the u64 -> f64 rounding exact.
        if mag.trailing_zeros().unwrap_or(0) < shift {
            top |= 1;
        }
        top as f64 * 2f64.powi(shift as i32)
    };
    if f.is_infinite() {
        return None;
    }
    Some(if v.sign() == Sign::Minus { -f } else { f })
}

// ---------------------------------------------------------------------------
// floats as text: digits (dtoa) and layout (format_float_short)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum DtoaMode {
    /// dtoa mode 0: shortest digits that round-trip.
    Shortest,
    /// dtoa mode 2: this many significant digits.
    Significant(i64),
    /// dtoa mode 3: this many digits after the point.
    Fixed(i64),
}

/// The digits of finite `x >= 0` as `_Py_dg_dtoa` returns them: no leading or
/// trailing zeros, and `decpt` the position of the decimal point. Zero is
/// ("0", 1); a value that rounds to nothing in Fixed(p) mode is ("", -p).
/// Rust's float formatting is exact with round-half-even, as dtoa is.
fn dtoa(x: f64, mode: DtoaMode) -> (Vec<u8>, i64) {
    if x == 0.0 {
        return (b"0".to_vec(), 1);
    }
    match mode {
        DtoaMode::Shortest | DtoaMode::Significant(_) => {
            let s = match mode {
                DtoaMode::Significant(n) => {
                    // A double has at most 767 significant digits; more are zeros.
                    let n = n.clamp(1, 800) as usize;
                    format!("{:.*e}", n - 1, x)
                }
                _ => format!("{x:e}"),
            };
            let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
            let exp: i64 = exp.parse().unwrap_or(0);
            let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
            while digits.len() > 1 && digits.last() == Some(&b'0') {
                digits.pop();
            }
            (digits, exp + 1)
        }
        DtoaMode::Fixed(p) => {
            // A double has at most 1074 digits after the point; more are zeros.
            let s = format!("{:.*}", p.clamp(0, 1100) as usize, x);
            let int_len = s.find('.').unwrap_or(s.len()) as i64;
            let all: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
            let lead = all.iter().take_while(|&&b| b == b'0').count();
            let mut digits = all[lead..].to_vec();
            while digits.last() == Some(&b'0') {
                digits.pop();
            }
            if digits.is_empty() {
                return (digits, -p);
            }
            (digits, int_len - lead as i64)
        }
    }
}

/// Options of CPython's `format_float_short`.
#[derive(Clone, Copy, Default)]
struct FloatFlags {
    add_dot_0: bool,
    alt: bool,
    no_neg_0: bool,
    upper: bool,
}

/// CPython's `PyOS_double_to_string`: `code` is one of e E f F g G r.
fn double_to_string(x: f64, code: char, precision: i64, mut flags: FloatFlags) -> String {
    flags.upper = code.is_ascii_uppercase();
    let mut precision = precision;
    let (code, mode) = match code.to_ascii_lowercase() {
        'e' => {
            precision += 1;
            ('e', DtoaMode::Significant(precision))
        }
        'f' => ('f', DtoaMode::Fixed(precision)),
        'g' => {
            if precision == 0 {
                precision = 1;
            }
            ('g', DtoaMode::Significant(precision))
        }
        _ => ('r', DtoaMode::Shortest),
    };
    format_float_short(x, code, mode, precision, flags)
}

fn push_zeros(out: &mut String, n: i64) {
    for _ in 0..n.max(0) {
        out.push('0');
    }
}

/// CPython's `format_float_short`, step for step.
fn format_float_short(x: f64, code: char, mode: DtoaMode, precision: i64, f: FloatFlags) -> String {
    if x.is_nan() {
        return if f.upper { "NAN" } else { "nan" }.to_string();
    }
    let mut negative = x.is_sign_negative();
    if x.is_infinite() {
        let inf = if f.upper { "INF" } else { "inf" };
        return if negative {
            format!("-{inf}")
        } else {
            inf.to_string()
        };
    }
    let (digits, mut decpt) = dtoa(x.abs(), mode);
    if f.no_neg_0 && (digits.is_empty() || digits == b"0") {
        negative = false;
    }
    let digits_len = digits.len() as i64;
    let mut vdigits_end = digits_len;
    let mut use_exp = false;
    match code {
        'e' => {
            use_exp = true;
            vdigits_end = precision;
        }
        'f' => vdigits_end = decpt + precision,
        'g' => {
            let limit = if f.add_dot_0 {
                precision - 1
            } else {
                precision
            };
            if decpt <= -4 || decpt > limit {
                use_exp = true;
            }
            if f.alt {
                vdigits_end = precision;
            }
        }
        _ => {
            // repr switches to exponents at 1e16 (see CPython's comment there).
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    vdigits_end = if !use_exp && f.add_dot_0 {
        max(vdigits_end, decpt + 1)
    } else {
        max(vdigits_end, decpt)
    };

    let mut out = String::with_capacity((vdigits_end - vdigits_start + 8).max(0) as usize);
    if negative {
        out.push('-');
    }
    if decpt <= 0 {
        push_zeros(&mut out, decpt - vdigits_start);
        out.push('.');
        push_zeros(&mut out, -decpt);
    } else {
        push_zeros(&mut out, -vdigits_start);
    }
    let text = |d: &[u8]| d.iter().map(|&b| b as char).collect::<String>();
    if 0 < decpt && decpt <= digits_len {
        out.push_str(&text(&digits[..decpt as usize]));
        out.push('.');
        out.push_str(&text(&digits[decpt as usize..]));
    } else {
        out.push_str(&text(&digits));
    }
    if digits_len < decpt {
        push_zeros(&mut out, decpt - digits_len);
        out.push('.');
        push_zeros(&mut out, vdigits_end - decpt);
    } else {
        push_zeros(&mut out, vdigits_end - digits_len);
    }
    if out.ends_with('.') && !f.alt {
        out.pop();
    }
    if use_exp {
        let e = if f.upper { 'E' } else { 'e' };
        let s = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("{e}{s}{:02}", exp.abs()));
    }
    out
}

/// Python's `repr(x)` for a float: shortest round-trip digits, exponent below
/// 1e-4 and from 1e16 on, `.0` on integral values.
pub fn float_repr(x: f64) -> String {
    let flags = FloatFlags {
        add_dot_0: true,
        ..FloatFlags::default()
    };
    double_to_string(x, 'r', 0, flags)
}

/// Python's `str(x)` for a float: the same as `repr` since Python 3.2.
pub fn float_str(x: f64) -> String {
    float_repr(x)
}

// ---------------------------------------------------------------------------
// The format-spec mini-language
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sep {
    None,
    Comma,
    Underscore,
    /// '_' with b/o/x/X: every four digits.
    UnderscoreFour,
}

/// CPython's `InternalFormatSpec`.
#[derive(Clone, Debug)]
struct Spec {
    fill: char,
    align: char,
    alternate: bool,
    no_neg_0: bool,
    /// '\0' when absent.
    sign: char,
    /// -1 when absent.
    width: i64,
    sep: Sep,
    /// -1 when absent.
    precision: i64,
    /// '\0' when absent.
    ty: char,
}

/// How CPython's messages show a type character.
fn code_for_message(c: char) -> String {
    let u = c as u32;
    if u > 32 && u < 128 {
        c.to_string()
    } else {
        format!("\\x{u:x}")
    }
}

fn unknown_code(ty: char, type_name: &str) -> String {
    format!(
        "Unknown format code '{}' for object of type '{type_name}'",
        code_for_message(ty)
    )
}

/// CPython's `get_integer`: Unicode decimal digits, overflow past `Py_ssize_t`.
fn get_integer(c: &[char], pos: &mut usize) -> Result<(i64, usize), String> {
    let (mut acc, mut n) = (0i64, 0usize);
    while let Some(d) = c.get(*pos).and_then(|&ch| unicode_decimal(ch)) {
        let d = i64::from(d);
        if acc > (i64::MAX - d) / 10 {
            return Err("Too many decimal digits in format string".to_string());
        }
        acc = acc * 10 + d;
        *pos += 1;
        n += 1;
    }
    Ok((acc, n))
}

/// CPython's `parse_internal_render_format_spec`.
fn parse_spec(
    spec: &str,
    type_name: &str,
    default_type: char,
    default_align: char,
) -> Result<Spec, String> {
    let c: Vec<char> = spec.chars().collect();
    let end = c.len();
    let mut pos = 0;
    let mut s = Spec {
        fill: ' ',
        align: default_align,
        alternate: false,
        no_neg_0: false,
        sign: '\0',
        width: -1,
        sep: Sep::None,
        precision: -1,
        ty: default_type,
    };
    let is_align = |ch: char| matches!(ch, '<' | '>' | '=' | '^');
    let (mut fill_specified, mut align_specified) = (false, false);
    if end >= 2 && is_align(c[1]) {
        s.align = c[1];
        s.fill = c[0];
        fill_specified = true;
        align_specified = true;
        pos = 2;
    } else if end >= 1 && is_align(c[0]) {
        s.align = c[0];
        align_specified = true;
        pos = 1;
    }
    if pos < end && matches!(c[pos], ' ' | '+' | '-') {
        s.sign = c[pos];
        pos += 1;
    }
    if pos < end && c[pos] == 'z' {
        s.no_neg_0 = true;
        pos += 1;
    }
    if pos < end && c[pos] == '#' {
        s.alternate = true;
        pos += 1;
    }
    // A '0' before the width means zero fill, and '=' alignment for numbers.
    if !fill_specified && pos < end && c[pos] == '0' {
        s.fill = '0';
        if !align_specified && default_align == '>' {
            s.align = '=';
        }
        pos += 1;
    }
    let (width, n) = get_integer(&c, &mut pos)?;
    if n > 0 {
        s.width = width;
    }
    const BOTH: &str = "Cannot specify both ',' and '_'.";
    if pos < end && c[pos] == ',' {
        s.sep = Sep::Comma;
        pos += 1;
    }
    if pos < end && c[pos] == '_' {
        if s.sep != Sep::None {
            return Err(BOTH.to_string());
        }
        s.sep = Sep::Underscore;
        pos += 1;
    }
    if pos < end && c[pos] == ',' && s.sep == Sep::Underscore {
        return Err(BOTH.to_string());
    }
    if pos < end && c[pos] == '.' {
        pos += 1;
        let (precision, n) = get_integer(&c, &mut pos)?;
        if n == 0 {
            return Err("Format specifier missing precision".to_string());
        }
        s.precision = precision;
    }
    if end - pos > 1 {
        return Err(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        ));
    }
    if end - pos == 1 {
        s.ty = c[pos];
    }
    if s.sep != Sep::None {
        match s.ty {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
            'b' | 'o' | 'x' | 'X' if s.sep == Sep::Underscore => s.sep = Sep::UnderscoreFour,
            _ => {
                let sep = if s.sep == Sep::Comma { ',' } else { '_' };
                return Err(format!(
                    "Cannot specify '{sep}' with '{}'.",
                    code_for_message(s.ty)
                ));
            }
        }
    }
    Ok(s)
}

/// The separator and group size for a spec; 'n' means the C locale: none.
fn grouping(s: &Spec) -> Option<(char, i64)> {
    if s.ty == 'n' {
        return None;
    }
    match s.sep {
        Sep::None => None,
        Sep::Comma => Some((',', 3)),
        Sep::Underscore => Some(('_', 3)),
        Sep::UnderscoreFour => Some(('_', 4)),
    }
}

/// CPython's `_PyUnicode_InsertThousandsGrouping`: groups `digits` and pads them
/// with zeros (separators included) to at least `min_width` characters.
fn group_digits(digits: &str, min_width: i64, grouping: Option<(char, i64)>) -> String {
    let digits: Vec<char> = digits.chars().collect();
    let mut min_width = min_width.max(0);
    let mut remaining = digits.len() as i64;
    // Built right to left, then reversed.
    let mut rev: Vec<char> = Vec::new();
    let mut end = digits.len();
    let mut fill = |rev: &mut Vec<char>, n_chars: i64, n_zeros: i64, sep: Option<char>| {
        if let Some(sep) = sep {
            rev.push(sep);
        }
        let start = end - n_chars as usize;
        rev.extend(digits[start..end].iter().rev());
        end = start;
        rev.extend(std::iter::repeat_n('0', n_zeros as usize));
    };
    let mut use_sep = false;
    let mut loop_broken = false;
    if let Some((sep, group)) = grouping {
        loop {
            let len = group.min(remaining.max(min_width).max(1));
            let n_zeros = (len - remaining).max(0);
            let n_chars = remaining.min(len).max(0);
            fill(&mut rev, n_chars, n_zeros, use_sep.then_some(sep));
            use_sep = true;
            remaining -= n_chars;
            min_width -= len;
            if remaining <= 0 && min_width <= 0 {
                loop_broken = true;
                break;
            }
            min_width -= 1;
        }
    }
    if !loop_broken {
        let len = remaining.max(min_width).max(1);
        let n_zeros = (len - remaining).max(0);
        let n_chars = remaining.min(len).max(0);
        fill(
            &mut rev,
            n_chars,
            n_zeros,
            grouping.filter(|_| use_sep).map(|g| g.0),
        );
    }
    rev.iter().rev().collect()
}

fn repeat_char(out: &mut String, c: char, n: i64) {
    out.extend(std::iter::repeat_n(c, n.max(0) as usize));
}

/// CPython's `calc_number_widths` + `fill_number`: lays out
/// `[lpad][sign][prefix][spad][grouped digits][.][remainder][rpad]`.
fn render_number(
    s: &Spec,
    negative: bool,
    prefix: &str,
    digits: &str,
    has_decimal: bool,
    remainder: &str,
    upper: bool,
) -> Result<String, String> {
    if s.width > MAX_FORMAT_LEN {
        return Err(FORMAT_TOO_LARGE.to_string());
    }
    let sign = match s.sign {
        '+' => Some(if negative { '-' } else { '+' }),
        ' ' => Some(if negative { '-' } else { ' ' }),
        _ => negative.then_some('-'),
    };
    let n_prefix = prefix.chars().count() as i64;
    let n_remainder = remainder.chars().count() as i64;
    let n_non_digit = i64::from(sign.is_some()) + n_prefix + i64::from(has_decimal) + n_remainder;
    let min_width = if s.fill == '0' && s.align == '=' {
        s.width - n_non_digit
    } else {
        0
    };
    let mut grouped = if digits.is_empty() {
        String::new()
    } else {
        group_digits(digits, min_width, grouping(s))
    };
    if upper {
        grouped = grouped.to_ascii_uppercase();
    }
    let n_grouped = grouped.chars().count() as i64;
    let n_padding = s.width - (n_non_digit + n_grouped);
    let (mut lpad, mut spad, mut rpad) = (0, 0, 0);
    if n_padding > 0 {
        match s.align {
            '<' => rpad = n_padding,
            '^' => {
                lpad = n_padding / 2;
                rpad = n_padding - lpad;
            }
            '=' => spad = n_padding,
            _ => lpad = n_padding,
        }
    }
    let mut out = String::new();
    repeat_char(&mut out, s.fill, lpad);
    out.extend(sign);
    if upper {
        out.push_str(&prefix.to_ascii_uppercase());
    } else {
        out.push_str(prefix);
    }
    repeat_char(&mut out, s.fill, spad);
    out.push_str(&grouped);
    if has_decimal {
        out.push('.');
    }
    out.push_str(remainder);
    repeat_char(&mut out, s.fill, rpad);
    Ok(out)
}

/// `format(v, spec)` for an int: `int.__format__`.
pub fn format_int(v: &BigInt, spec: &str) -> Result<String, String> {
    format_int_as(v, spec, "int")
}

/// `format_int` for an int subclass such as bool: `type_name` appears in error
/// messages. An empty spec gives `str(v)`, which for bool the caller must handle.
pub fn format_int_as(v: &BigInt, spec: &str, type_name: &str) -> Result<String, String> {
    if spec.is_empty() {
        return int_to_decimal(v);
    }
    let s = parse_spec(spec, type_name, 'd', '>')?;
    match s.ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => format_long_internal(v, &s),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            let f = bigint_to_f64(v).ok_or_else(|| MSG_INT_TOO_BIG_FOR_FLOAT.to_string())?;
            format_float_internal(f, &s)
        }
        ty => Err(unknown_code(ty, type_name)),
    }
}

/// CPython's `format_long_internal`.
fn format_long_internal(v: &BigInt, s: &Spec) -> Result<String, String> {
    if s.precision != -1 {
        return Err("Precision not allowed in integer format specifier".to_string());
    }
    if s.no_neg_0 {
        return Err(
            "Negative zero coercion (z) not allowed in integer format specifier".to_string(),
        );
    }
    if s.ty == 'c' {
        if s.sign != '\0' {
            return Err("Sign not allowed with integer format specifier 'c'".to_string());
        }
        if s.alternate {
            return Err(
                "Alternate form (#) not allowed with integer format specifier 'c'".to_string(),
            );
        }
        let x = v.to_i64().ok_or_else(|| MSG_C_LONG.to_string())?;
        if !(0..=0x10ffff).contains(&x) {
            return Err(MSG_C_RANGE.to_string());
        }
        let ch = char::from_u32(x as u32).ok_or_else(|| SURROGATE_UNSUPPORTED.to_string())?;
        // Like CPython, the character counts as "remainder": never grouped.
        return render_number(s, false, "", "", false, &ch.to_string(), false);
    }
    let (radix, prefix) = match s.ty {
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' | 'X' => (16, "0x"),
        _ => (10, ""),
    };
    let digits = if radix == 10 {
        let mut d = int_to_decimal(v)?;
        if v.sign() == Sign::Minus {
            d.remove(0);
        }
        d
    } else {
        v.magnitude().to_str_radix(radix)
    };
    let prefix = if s.alternate { prefix } else { "" };
    render_number(
        s,
        v.sign() == Sign::Minus,
        prefix,
        &digits,
        false,
        "",
        s.ty == 'X',
    )
}

/// `format(v, spec)` for a float: `float.__format__`.
pub fn format_float(v: f64, spec: &str) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(float_str(v));
    }
    let s = parse_spec(spec, "float", '\0', '>')?;
    match s.ty {
        '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => format_float_internal(v, &s),
        ty => Err(unknown_code(ty, "float")),
    }
}

/// CPython's `format_float_internal`.
fn format_float_internal(v: f64, s: &Spec) -> Result<String, String> {
    if s.precision > i64::from(i32::MAX) {
        return Err("precision too big".to_string());
    }
    let mut precision = s.precision;
    let mut default_precision = 6;
    let mut flags = FloatFlags {
        alt: s.alternate,
        no_neg_0: s.no_neg_0,
        ..FloatFlags::default()
    };
    let mut ty = s.ty;
    if ty == '\0' {
        // No type: like repr, or like 'g' given a precision, but always with a
        // digit after the point.
        flags.add_dot_0 = true;
        ty = 'r';
        default_precision = 0;
    }
    if ty == 'n' {
        ty = 'g';
    }
    let mut v = v;
    let add_pct = ty == '%';
    if add_pct {
        ty = 'f';
        v *= 100.0;
    }
    if precision < 0 {
        precision = default_precision;
    } else if ty == 'r' {
        ty = 'g';
    }
    // Only these pad the digits out to the precision.
    let pads = matches!(ty, 'e' | 'E' | 'f' | 'F') || (s.alternate && matches!(ty, 'g' | 'G'));
    if pads && precision > MAX_FORMAT_LEN {
        return Err(FORMAT_TOO_LARGE.to_string());
    }
    let mut buf = double_to_string(v, ty, precision, flags);
    if add_pct {
        buf.push('%');
    }
    let (negative, body) = match buf.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, buf.as_str()),
    };
    let n_digits = body.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = body.split_at(n_digits);
    let (has_decimal, remainder) = match rest.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    render_number(s, negative, "", digits, has_decimal, remainder, false)
}

/// `format(v, spec)` for a str: `str.__format__`.
pub fn format_str(v: &str, spec: &str) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(v.to_string());
    }
    let s = parse_spec(spec, "str", 's', '<')?;
    if s.ty != 's' {
        return Err(unknown_code(s.ty, "str"));
    }
    if s.sign == ' ' {
        return Err("Space not allowed in string format specifier".to_string());
    }
    if s.sign != '\0' {
        return Err("Sign not allowed in string format specifier".to_string());
    }
    if s.no_neg_0 {
        return Err(
            "Negative zero coercion (z) not allowed in string format specifier".to_string(),
        );
    }
    if s.alternate {
        return Err("Alternate form (#) not allowed in string format specifier".to_string());
    }
    if s.align == '=' {
        return Err("'=' alignment not allowed in string format specifier".to_string());
    }
    if s.width > MAX_FORMAT_LEN {
        return Err(FORMAT_TOO_LARGE.to_string());
    }
    let mut len = v.chars().count() as i64;
    let text = if s.precision >= 0 && len >= s.precision {
        len = s.precision;
        v.chars().take(len as usize).collect::<String>()
    } else {
        v.to_string()
    };
    let total = s.width.max(len);
    let lpad = match s.align {
        '>' => total - len,
        '^' => (total - len) / 2,
        _ => 0,
    };
    let rpad = total - len - lpad;
    let mut out = String::with_capacity(text.len() + (total - len) as usize);
    repeat_char(&mut out, s.fill, lpad);
    out.push_str(&text);
    repeat_char(&mut out, s.fill, rpad);
    Ok(out)
}

// ---------------------------------------------------------------------------
// float() and int() of strings
// ---------------------------------------------------------------------------

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII` followed by C-string
/// reading: Unicode digits become ASCII, Unicode spaces ' ', anything else
/// non-ASCII ends the text with '?'. Also reports whether a NUL cut the text.
fn to_ascii_numeric(s: &str) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if u < 127 {
            out.push(u as u8);
        } else if is_unicode_space(c) {
            out.push(b' ');
        } else if let Some(d) = unicode_decimal(c) {
            out.push(b'0' + d as u8);
        } else {
            out.push(b'?');
            break;
        }
    }
    match out.iter().position(|&b| b == 0) {
        Some(i) => {
            out.truncate(i);
            (out, true)
        }
        None => (out, false),
    }
}

/// C's `isspace` in the C locale (`Py_ISSPACE`).
fn c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Python's `float(s)` for a str; `None` where CPython raises ValueError.
pub fn str_float_parse(s: &str) -> Option<f64> {
    let (mut buf, had_nul) = to_ascii_numeric(s);
    if had_nul {
        return None;
    }
    if buf.contains(&b'_') {
        // Underscores only between digits (`_Py_string_to_number_with_underscores`).
        let mut prev = 0u8;
        let mut kept = Vec::with_capacity(buf.len());
        for &b in &buf {
            if b == b'_' {
                if !prev.is_ascii_digit() {
                    return None;
                }
            } else {
                if prev == b'_' && !b.is_ascii_digit() {
                    return None;
                }
                kept.push(b);
            }
            prev = b;
        }
        if prev == b'_' {
            return None;
        }
        buf = kept;
    }
    let start = buf.iter().position(|&b| !c_space(b))?;
    let end = buf.iter().rposition(|&b| !c_space(b))? + 1;
    let text = std::str::from_utf8(&buf[start..end]).ok()?;
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(v) = special {
        return Some(if negative { -v } else { v });
    }
    if !is_decimal_literal(body.as_bytes()) {
        return None;
    }
    Some(decimal_to_f64(text))
}

/// The double nearest a decimal literal (an optional sign, `digits [. digits]
/// [e [sign] digits]`, as `is_decimal_literal` checks), ties to even, as `_Py_dg_strtod`
/// rounds. Done exactly with big ints, which the interpreter has anyway: core's
/// `f64::from_str` brings its own tables and slow path, 15 KB of the page gzipped
/// (docs/performance.md, "Floats read with big ints").
pub fn decimal_to_f64(text: &str) -> f64 {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // Saturated: anything past a billion is infinity or zero either way.
    let (exponent_negative, exponent_digits) = match exponent.as_bytes().first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    let magnitude = exponent_digits
        .bytes()
        .fold(0i64, |n, d| (n * 10 + (d - b'0') as i64).min(1_000_000_000));
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    let trimmed = significant.trim_end_matches('0');
    let exp = if exponent_negative {
        -magnitude
    } else {
        magnitude
    } - fraction.len() as i64
        + (significant.len() - trimmed.len()) as i64;
    let v = nearest_double(trimmed, exp);
    if negative {
        -v
    } else {
        v
    }
}

/// The double nearest `digits × 10^exp` (`digits` without leading or trailing zeros).
fn nearest_double(digits: &str, exp: i64) -> f64 {
    // The value lies in [10^(n+exp-1), 10^(n+exp)).
    let n = digits.len() as i64;
    if digits.is_empty() || n + exp < -330 {
        return 0.0;
    }
    if n + exp > 310 {
        return f64::INFINITY;
    }
    let d = BigUint::parse_bytes(digits.as_bytes(), 10).unwrap_or_default();
    let ten = BigUint::from(10u32);
    let (num, den) = if exp >= 0 {
        (d * ten.pow(exp as u32), BigUint::from(1u32))
    } else {
        (d, ten.pow((-exp) as u32))
    };
    // `num / den` scaled by `2^-shift`, as a fraction.
    let scaled = |shift: i64| {
        if shift >= 0 {
            (num.clone(), &den << shift as u64)
        } else {
            (&num << (-shift) as u64, den.clone())
        }
    };
    // `q` with 2^q <= num/den < 2^(q+1).
    let mut q = num.bits() as i64 - den.bits() as i64;
    let (a, b) = scaled(q);
    if a < b {
        q -= 1;
    }
    // 53 significant bits, fewer below the normal range.
    let mut shift = (q - 52).max(-1074);
    let (a, b) = scaled(shift);
    let (m, rest) = num_integer::Integer::div_rem(&a, &b);
    let mut m = m.to_u64().unwrap_or(0);
    let twice: BigUint = rest << 1u32;
    if twice > b || (twice == b && m & 1 == 1) {
        m += 1;
    }
    if m == 1 << 53 {
        m >>= 1;
        shift += 1;
    }
    if shift + 52 > 1023 {
        return f64::INFINITY;
    }
    if m < 1 << 52 {
        // Subnormal: the exponent field is zero.
        return f64::from_bits(m);
    }
    f64::from_bits(((shift + 1075) as u64) << 52 | (m - (1 << 52)))
}

/// `digits [. digits] [e [sign] digits]` with at least one mantissa digit: what
/// `_Py_dg_strtod` consumes entirely.
fn is_decimal_literal(b: &[u8]) -> bool {
    let mut i = 0;
    let count_digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = count_digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        mantissa += count_digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if count_digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// CPython's message for a failed `float(s)`.
pub fn float_parse_error(s: &str) -> String {
    format!("could not convert string to float: {}", str_repr(s))
}

enum IntParsed {
    Value(BigInt),
    Invalid,
    TooManyDigits(usize),
}

/// `_PyLong_DigitValue`.
fn digit_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'a'..=b'z' => u32::from(b - b'a') + 10,
        b'A'..=b'Z' => u32::from(b - b'A') + 10,
        _ => 37,
    }
}

/// CPython 3.12+'s `PyLong_FromString` on the ASCII-transformed text; `base` is 0
/// or 2..=36. With `limit`, non-power-of-two bases stop at 4300 digits.
fn parse_int_ascii(buf: &[u8], base: u32, limit: bool) -> IntParsed {
    let at = |i: usize| buf.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while c_space(at(i)) {
        i += 1;
    }
    let mut negative = false;
    if at(i) == b'+' || at(i) == b'-' {
        negative = at(i) == b'-';
        i += 1;
    }
    let mut base = base;
    let mut error_if_nonzero = false;
    if base == 0 {
        base = match (at(i), at(i + 1).to_ascii_lowercase()) {
            (b'0', b'x') => 16,
            (b'0', b'o') => 8,
            (b'0', b'b') => 2,
            (b'0', _) => {
                // "Old" octal like 010 is an error, but 0, 00, 0_0 are fine.
                error_if_nonzero = true;
                10
            }
            _ => 10,
        };
    }
    let p = at(i + 1).to_ascii_lowercase();
    if at(i) == b'0'
        && ((base == 16 && p == b'x') || (base == 8 && p == b'o') || (base == 2 && p == b'b'))
    {
        i += 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    if at(i) == b'_' {
        return IntParsed::Invalid;
    }
    let start = i;
    let mut prev = 0u8;
    let mut digits = 0usize;
    while i < buf.len() && (digit_value(buf[i]) < base || buf[i] == b'_') {
        if buf[i] == b'_' {
            if prev == b'_' {
                return IntParsed::Invalid;
            }
        } else {
            digits += 1;
        }
        prev = buf[i];
        i += 1;
    }
    if prev == b'_' || i == start {
        return IntParsed::Invalid;
    }
    let body_end = i;
    while c_space(at(i)) {
        i += 1;
    }
    if i != buf.len() {
        return IntParsed::Invalid;
    }
    if limit && !base.is_power_of_two() && digits > INT_MAX_STR_DIGITS {
        return IntParsed::TooManyDigits(digits);
    }
    let clean: Vec<u8> = buf[start..body_end]
        .iter()
        .copied()
        .filter(|&b| b != b'_')
        .collect();
    let Some(mut v) = BigInt::parse_bytes(&clean, base) else {
        return IntParsed::Invalid;
    };
    if error_if_nonzero && !v.is_zero() {
        return IntParsed::Invalid;
    }
    if negative {
        v = -v;
    }
    IntParsed::Value(v)
}

/// Python's `int(s, base)` for a str, without the digit limit; `None` where
/// CPython raises ValueError (including a base outside 0 and 2..=36).
pub fn str_int_parse(s: &str, base: u32) -> Option<BigInt> {
    if base == 1 || base > 36 {
        return None;
    }
    let (buf, had_nul) = to_ascii_numeric(s);
    match parse_int_ascii(&buf, base, false) {
        IntParsed::Value(v) if !had_nul => Some(v),
        _ => None,
    }
}

/// Python's `int(s, base)` for a str, with CPython's errors: the base check, the
/// 4300-digit limit, and "invalid literal for int() with base 10: 'x'". A base
/// outside `i64` should be clamped by the caller (CPython clamps it too).
pub fn int_parse(s: &str, base: i64) -> Result<BigInt, String> {
    if base != 0 && !(2..=36).contains(&base) {
        return Err(MSG_INT_BASE.to_string());
    }
    let (buf, had_nul) = to_ascii_numeric(s);
    match parse_int_ascii(&buf, base as u32, true) {
        IntParsed::Value(v) if !had_nul => Ok(v),
        IntParsed::TooManyDigits(n) => Err(int_max_str_digits_error_to_int(n)),
        _ => {
            // CPython's "%.200R": the repr cut to 200 characters.
            let r: String = str_repr(s).chars().take(200).collect();
            Err(format!("invalid literal for int() with base {base}: {r}"))
        }
    }
}

/// Characters Rust's Unicode (17.0) assigns as printable but CPython 3.13's Unicode 15.1
/// leaves unassigned: inclusive ranges, generated by comparing both.
#[rustfmt::skip]
const NEWER_THAN_CPYTHON: [(u32, u32); 87] = [
    (0x88F, 0x88F), (0x897, 0x897), (0xC5C, 0xC5C), (0xCDC, 0xCDC), (0x1ACF, 0x1ADD), (0x1AE0, 0x1AEB),
    (0x1B4E, 0x1B4F), (0x1B7F, 0x1B7F), (0x1C89, 0x1C8A), (0x20C1, 0x20C1), (0x2427, 0x2429), (0x2B96, 0x2B96),
    (0x31E4, 0x31E5), (0xA7CB, 0xA7CF), (0xA7D2, 0xA7D2), (0xA7D4, 0xA7D4), (0xA7DA, 0xA7DC), (0xA7F1, 0xA7F1),
    (0xFBC3, 0xFBD2), (0xFD90, 0xFD91), (0xFDC8, 0xFDCE), (0x105C0, 0x105F3), (0x10940, 0x10959), (0x10D40, 0x10D65),
    (0x10D69, 0x10D85), (0x10D8E, 0x10D8F), (0x10EC2, 0x10EC7), (0x10ED0, 0x10ED8), (0x10EFA, 0x10EFC), (0x11380, 0x11389),
    (0x1138B, 0x1138B), (0x1138E, 0x1138E), (0x11390, 0x113B5), (0x113B7, 0x113C0), (0x113C2, 0x113C2), (0x113C5, 0x113C5),
    (0x113C7, 0x113CA), (0x113CC, 0x113D5), (0x113D7, 0x113D8), (0x113E1, 0x113E2), (0x116D0, 0x116E3), (0x11B60, 0x11B67),
    (0x11BC0, 0x11BE1), (0x11BF0, 0x11BF9), (0x11DB0, 0x11DDB), (0x11DE0, 0x11DE9), (0x11F5A, 0x11F5A), (0x13460, 0x143FA),
    (0x16100, 0x16139), (0x16D40, 0x16D79), (0x16EA0, 0x16EB8), (0x16EBB, 0x16ED3), (0x16FF2, 0x16FF6), (0x187F8, 0x187FF),
    (0x18CFF, 0x18CFF), (0x18D09, 0x18D1E), (0x18D80, 0x18DF2), (0x1CC00, 0x1CCFC), (0x1CD00, 0x1CEB3), (0x1CEBA, 0x1CED0),
    (0x1CEE0, 0x1CEF0), (0x1E5D0, 0x1E5FA), (0x1E5FF, 0x1E5FF), (0x1E6C0, 0x1E6DE), (0x1E6E0, 0x1E6F5), (0x1E6FE, 0x1E6FF),
    (0x1F6D8, 0x1F6D8), (0x1F777, 0x1F77A), (0x1F8B2, 0x1F8BB), (0x1F8C0, 0x1F8C1), (0x1F8D0, 0x1F8D8), (0x1FA54, 0x1FA57),
    (0x1FA89, 0x1FA8A), (0x1FA8E, 0x1FA8F), (0x1FABE, 0x1FABE), (0x1FAC6, 0x1FAC6), (0x1FAC8, 0x1FAC8), (0x1FACD, 0x1FACD),
    (0x1FADC, 0x1FADC), (0x1FADF, 0x1FADF), (0x1FAE9, 0x1FAEA), (0x1FAEF, 0x1FAEF), (0x1FBCB, 0x1FBEF), (0x1FBFA, 0x1FBFA),
    (0x2B73A, 0x2B73F), (0x2CEA2, 0x2CEAD), (0x323B0, 0x33479),
];
/// The zero of every run of ten Unicode decimal digits (category Nd), Unicode 15.1,
/// generated with CPython 3.13's `unicodedata`.
#[rustfmt::skip]
const DECIMAL_ZEROS: [u32; 68] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6,
    0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0,
    0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0,
    0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8,
    0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn big(s: &str) -> BigInt {
        s.parse().unwrap()
    }

    #[test]
    fn float_repr_examples() {
        let cases: &[(f64, &str)] = &[
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456789.12345679, "123456789.12345679"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.0001, "0.0001"),
            (1e22, "1e+22"),
        ];
        for &(x, want) in cases {
            assert_eq!(float_repr(x), want, "{x:?}");
        }
    }

    #[test]
    fn str_repr_examples() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("'\""), "'\\'\"'");
        assert_eq!(
            str_repr("a\\b\n\r\t\x00\x7f"),
            "'a\\\\b\\n\\r\\t\\x00\\x7f'"
        );
        assert_eq!(str_repr("\u{a0}\u{ad}\u{e9}"), "'\\xa0\\xad\u{e9}'");
        assert_eq!(
            str_repr("\u{200b}\u{2028}\u{feff}\u{e000}"),
            "'\\u200b\\u2028\\ufeff\\ue000'"
        );
        assert_eq!(str_repr("\u{e0001}\u{1f600}"), "'\\U000e0001\u{1f600}'");
        assert_eq!(str_repr("\u{301}"), "'\u{301}'");
        assert_eq!(str_repr("\u{88f}"), "'\\u088f'");
    }

    #[test]
    fn radix_helpers() {
        assert_eq!(int_hex(&big("-31")), "-0x1f");
        assert_eq!(int_oct(&big("15")), "0o17");
        assert_eq!(int_bin(&big("0")), "0b0");
        assert_eq!(int_to_str_radix(&big("-35"), 36), "-z");
    }

    #[test]
    fn digit_limit() {
        let ten = BigInt::from(10);
        let max_ok = num_traits::pow(ten.clone(), 4300) - 1;
        assert_eq!(int_to_decimal(&max_ok).unwrap().len(), 4300);
        assert_eq!(
            int_to_decimal(&(max_ok + 1)),
            Err(int_max_str_digits_error_to_str())
        );
        assert_eq!(
            int_parse(&"1".repeat(5000), 10),
            Err(int_max_str_digits_error_to_int(5000))
        );
        assert!(int_parse(&"1".repeat(5000), 16).is_ok());
        assert!(str_int_parse(&"1".repeat(5000), 10).is_some());
        assert_eq!(
            int_max_str_digits_error_to_int(5000),
            "Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits; \
             use sys.set_int_max_str_digits() to increase the limit"
        );
    }

    #[test]
    fn format_examples() {
        let i = |v: i64, s: &str| format_int(&BigInt::from(v), s);
        assert_eq!(i(1234567, ",").unwrap(), "1,234,567");
        assert_eq!(i(1, "010,").unwrap(), "00,000,001");
        assert_eq!(i(1234, "08,").unwrap(), "0,001,234");
        assert_eq!(i(-31, "#x").unwrap(), "-0x1f");
        assert_eq!(i(-31, "#010X").unwrap(), "-0X000001F");
        assert_eq!(i(255, "_b").unwrap(), "1111_1111");
        assert_eq!(i(65, "05c").unwrap(), "0000A");
        assert_eq!(i(1, "^+7").unwrap(), "  +1   ");
        assert_eq!(
            i(1, ".2").unwrap_err(),
            "Precision not allowed in integer format specifier"
        );
        assert_eq!(
            i(1, "xx").unwrap_err(),
            "Invalid format specifier 'xx' for object of type 'int'"
        );
        assert_eq!(i(1, ",x").unwrap_err(), "Cannot specify ',' with 'x'.");
        assert_eq!(i(-1, "c").unwrap_err(), "%c arg not in range(0x110000)");
        assert_eq!(format_error_kind(&i(-1, "c").unwrap_err()), "OverflowError");
        assert_eq!(i(2, "%").unwrap(), "200.000000%");
        let f = format_float;
        assert_eq!(f(1.0, "").unwrap(), "1.0");
        assert_eq!(f(1e16, "").unwrap(), "1e+16");
        assert_eq!(f(1.0, ".3").unwrap(), "1.0");
        assert_eq!(f(123.0, ".3").unwrap(), "1.23e+02");
        assert_eq!(f(1.5, "#.0f").unwrap(), "2.");
        assert_eq!(f(2.5, ".0f").unwrap(), "2");
        assert_eq!(f(0.125, ".2f").unwrap(), "0.12");
        assert_eq!(f(-0.0001, "z.2f").unwrap(), "0.00");
        assert_eq!(f(-0.0001, ".2f").unwrap(), "-0.00");
        assert_eq!(f(f64::INFINITY, "010").unwrap(), "0000000inf");
        assert_eq!(f(f64::NAN, "+").unwrap(), "+nan");
        assert_eq!(f(12345678.5, "_f").unwrap(), "12_345_678.500000");
        assert_eq!(
            f(1.0, "d").unwrap_err(),
            "Unknown format code 'd' for object of type 'float'"
        );
        assert_eq!(
            f(1.0, ".").unwrap_err(),
            "Format specifier missing precision"
        );
        assert_eq!(f(1.0, ".3000000000f").unwrap_err(), "precision too big");
        assert_eq!(
            format_error_kind(&f(1.0, "100000000000").unwrap_err()),
            "MemoryError"
        );
        assert_eq!(format_str("ab", "010").unwrap(), "ab00000000");
        assert_eq!(format_str("abcdef", "^8.3").unwrap(), "  abc   ");
        assert_eq!(
            format_str("a", "+").unwrap_err(),
            "Sign not allowed in string format specifier"
        );
        assert_eq!(
            format_str("a", ",").unwrap_err(),
            "Cannot specify ',' with 's'."
        );
        assert_eq!(format_str("a", "\u{661}\u{660}").unwrap(), "a         ");
    }

    #[test]
    fn parse_examples() {
        assert_eq!(str_float_parse(" 1_000.5 "), Some(1000.5));
        assert_eq!(str_float_parse("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(str_float_parse("nAn").unwrap().is_nan());
        assert_eq!(str_float_parse("1."), Some(1.0));
        assert_eq!(str_float_parse(".5"), Some(0.5));
        assert_eq!(str_float_parse("1e500"), Some(f64::INFINITY));
        assert_eq!(str_float_parse("\u{661}\u{662}"), Some(12.0));
        for bad in [
            "", " ", "abc", "1_", "_1", "1__0", "1e", ".", "0x1p3", "infinit", "1\0", "- 1",
        ] {
            assert_eq!(str_float_parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            float_parse_error("abc"),
            "could not convert string to float: 'abc'"
        );
        assert_eq!(str_int_parse(" -0x_1f ", 0), Some(big("-31")));
        assert_eq!(str_int_parse("0_0", 0), Some(big("0")));
        assert_eq!(str_int_parse("010", 0), None);
        assert_eq!(str_int_parse("z", 36), Some(big("35")));
        assert_eq!(
            int_parse("010", 0).unwrap_err(),
            "invalid literal for int() with base 0: '010'"
        );
        assert_eq!(
            int_parse("1", 37).unwrap_err(),
            "int() base must be >= 2 and <= 36, or 0"
        );
    }
}

/// `decimal_to_f64` against core's `f64::from_str` (correctly rounded too) on the texts
/// that are hardest to round: every double's shortest and long forms, the exact
/// midpoints between neighbours (ties go to the even one), and random digit strings.
#[cfg(test)]
mod decimal_tests {
    use super::decimal_to_f64;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    fn same(text: &str) {
        let want: f64 = text.parse().unwrap();
        let got = decimal_to_f64(text);
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} != {want:e}");
    }

    /// The exact decimal text of the midpoint between `x` and the next double up.
    fn midpoint(x: f64) -> String {
        let bits = x.to_bits();
        let (exponent, fraction) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
        let (m, e) = match exponent {
            0 => (fraction, -1074),
            _ => (fraction | 1 << 52, exponent - 1075),
        };
        // (2m + 1) × 2^(e - 1)
        let odd = BigUint::from(2 * m + 1);
        let k = e - 1;
        if k >= 0 {
            (odd << k as u64).to_string()
        } else {
            let digits = odd * BigUint::from(5u32).pow((-k) as u32);
            format!("{digits}e{k}")
        }
    }

    #[test]
    fn edges_round_as_core_does() {
        for text in [
            "0",
            "0.0",
            "-0.0",
            "00.000e5",
            "1",
            "-1",
            "0.1",
            ".5",
            "5.",
            "1e23",
            "8.5e-1",
            "1e309",
            "-1e309",
            "1e-400",
            "-1e-400",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "9007199254740993",
            "9007199254740995",
            "123456789012345678901234567890e-10",
            "1e999999999999",
            "0e999999999999",
            "1e-999999999999",
        ] {
            same(text);
        }
        assert!(decimal_to_f64("-0.0").is_sign_negative());
        assert!(decimal_to_f64("-1e-400").is_sign_negative());
    }

    proptest! {
        #[test]
        fn every_double_reads_back(bits in 1u64..0x7ff0_0000_0000_0000) {
            let x = f64::from_bits(bits);
            for text in [format!("{x}"), format!("{x:e}"), format!("{x:.25e}"), format!("{:.3e}", x)] {
                same(&text);
            }
            same(&midpoint(x));
        }

        #[test]
        fn random_digits_round_as_core_does(
            digits in "[0-9]{1,40}",
            point in 0usize..40,
            exp in -360i32..330,
        ) {
            let point = point.min(digits.len());
            same(&format!("{}.{}e{exp}", &digits[..point], &digits[point..]));
        }
    }
}
