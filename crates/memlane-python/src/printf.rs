//! printf-style formatting, `text % args`, as CPython's `PyUnicode_Format` does it: the
//! conversion specifiers, the flags, `*` widths, `%(key)s` from a mapping, and its errors.

use memlane_core::object::{BuiltinType, Payload};
use memlane_core::ObjId;
use num_bigint::{BigInt, Sign};
use num_traits::{FromPrimitive, ToPrimitive};

use crate::format;
use crate::vm::{Vm, VmResult};

/// Where the next argument comes from: CPython's `argidx` and `arglen`.
enum Source {
    /// The items of a tuple, the next at `.1`.
    Items(Vec<ObjId>, usize),
    /// One object, and whether it was taken.
    Single(ObjId, bool),
}

/// One conversion's flags, width and precision.
#[derive(Default)]
struct Conversion {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

impl Vm {
    /// `fmt % args`: the text, or the exception CPython raises. The objects it looks up by
    /// key are held while it runs.
    pub(crate) fn printf(&mut self, fmt: &str, args: ObjId) -> VmResult<String> {
        let mut held = Vec::new();
        let r = self.printf_holding(fmt, args, &mut held);
        for o in held {
            self.release(o);
        }
        r
    }

    fn printf_holding(
        &mut self,
        fmt: &str,
        args: ObjId,
        held: &mut Vec<ObjId>,
    ) -> VmResult<String> {
        let mapping = match self.heap.payload(args) {
            Payload::Dict(_) | Payload::List(_) => true,
            Payload::Instance(i) => self.heap.class_lookup(i.class, "__getitem__").is_some(),
            _ => false,
        };
        let mut source = match self.heap.payload(args) {
            Payload::Tuple(items) => Source::Items(items.clone(), 0),
            _ => Source::Single(args, false),
        };
        let chars: Vec<char> = fmt.chars().collect();
        let mut out = String::with_capacity(fmt.len());
        let mut i = 0;
        while i < chars.len() {
            if chars[i] != '%' {
                out.push(chars[i]);
                i += 1;
                continue;
            }
            i += 1;
            if chars.get(i) == Some(&'%') {
                out.push('%');
                i += 1;
                continue;
            }
            if chars.get(i) == Some(&'(') {
                if !mapping {
                    return Err(self
                        .error(BuiltinType::TypeError, "format requires a mapping")
                        .into());
                }
                let start = i + 1;
                let mut depth = 1;
                i += 1;
                while i < chars.len() && depth > 0 {
                    depth += match chars[i] {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    i += 1;
                }
                if depth > 0 {
                    return Err(self
                        .error(BuiltinType::ValueError, "incomplete format key")
                        .into());
                }
                let name: String = chars[start..i - 1].iter().collect();
                let key = self.heap.str(&name);
                self.hold(key);
                let value = self.getitem(args, key);
                self.release(key);
                let value = value?;
                held.push(value);
                source = Source::Single(value, false);
            }
            let mut c = Conversion::default();
            while let Some(&f) = chars.get(i) {
                match f {
                    '-' => c.left = true,
                    '+' => c.plus = true,
                    ' ' => c.space = true,
                    '#' => c.alt = true,
                    '0' => c.zero = true,
                    _ => break,
                }
                i += 1;
            }
            if chars.get(i) == Some(&'*') {
                i += 1;
                let w = self.star(&mut source)?;
                c.left |= w < 0;
                c.width = w.unsigned_abs() as usize;
            } else {
                c.width = digits(&chars, &mut i);
            }
            if chars.get(i) == Some(&'.') {
                i += 1;
                c.precision = Some(if chars.get(i) == Some(&'*') {
                    i += 1;
                    self.star(&mut source)?.max(0) as usize
                } else {
                    digits(&chars, &mut i)
                });
            }
            while let Some('h' | 'l' | 'L') = chars.get(i) {
                i += 1;
            }
            let Some(&kind) = chars.get(i) else {
                return Err(self
                    .error(BuiltinType::ValueError, "incomplete format")
                    .into());
            };
            i += 1;
            // The argument is taken before the character is checked, as CPython does.
            let arg = self.next_arg(&mut source)?;
            if !"sradiuoxXeEfFgGc".contains(kind) {
                let shown = if (' '..='~').contains(&kind) {
                    kind
                } else {
                    '?'
                };
                return Err(self
                    .error_fmt(
                        BuiltinType::ValueError,
                        format_args!(
                            "unsupported format character '{shown}' ({:#x}) at index {}",
                            kind as u32,
                            i - 1
                        ),
                    )
                    .into());
            }
            let text = self.convert(arg, kind, &c)?;
            let pad = c.width.saturating_sub(text.chars().count());
            self.check_new_str(pad, pad)?;
            if pad == 0 {
                out.push_str(&text);
            } else if c.left {
                out.push_str(&text);
                out.extend(std::iter::repeat_n(' ', pad));
            } else {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(&text);
            }
        }
        let unused = match source {
            Source::Items(items, next) => next < items.len(),
            Source::Single(_, used) => !used,
        };
        self.check_new_str(out.chars().count(), out.len())?;
        if unused && !mapping {
            return Err(self
                .error(
                    BuiltinType::TypeError,
                    "not all arguments converted during string formatting",
                )
                .into());
        }
        Ok(out)
    }

    fn next_arg(&mut self, source: &mut Source) -> VmResult<ObjId> {
        let arg = match source {
            Source::Items(items, next) => items.get(*next).copied().inspect(|_| *next += 1),
            Source::Single(o, used) => (!std::mem::replace(used, true)).then_some(*o),
        };
        arg.ok_or_else(|| {
            self.error(
                BuiltinType::TypeError,
                "not enough arguments for format string",
            )
            .into()
        })
    }

    /// A `*` width or precision: the next argument, an int.
    fn star(&mut self, source: &mut Source) -> VmResult<i64> {
        let arg = self.next_arg(source)?;
        match self.int_value(arg).and_then(|v| v.to_i64()) {
            Some(n) => Ok(n),
            None => Err(self.error(BuiltinType::TypeError, "* wants int").into()),
        }
    }

    /// One conversion's text, before its width is applied (a number's zero fill is its
    /// own).
    fn convert(&mut self, arg: ObjId, kind: char, c: &Conversion) -> VmResult<String> {
        Ok(match kind {
            's' | 'r' | 'a' => {
                let text = self.conversion_text(arg, kind)?;
                match c.precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                }
            }
            'c' => match self.heap.payload(arg) {
                Payload::Str(s) if s.chars().count() == 1 => s.to_string(),
                Payload::Int(_) | Payload::Bool(_) => {
                    let code = self.int_value(arg).and_then(|v| v.to_u32());
                    match code.and_then(char::from_u32) {
                        Some(ch) => ch.to_string(),
                        None => {
                            return Err(self
                                .error(BuiltinType::OverflowError, "%c arg not in range(0x110000)")
                                .into())
                        }
                    }
                }
                _ => {
                    return Err(self
                        .error(BuiltinType::TypeError, "%c requires int or char")
                        .into())
                }
            },
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let x = match self.heap.payload(arg) {
                    Payload::Float(f) => *f,
                    Payload::Int(_) | Payload::Bool(_) => {
                        let v = self.int_value(arg).unwrap_or_default();
                        self.int_to_float(&v)?
                    }
                    _ => {
                        let t = self.heap.type_name(arg).to_string();
                        return Err(self
                            .error_fmt(
                                BuiltinType::TypeError,
                                format_args!("must be real number, not {t}"),
                            )
                            .into());
                    }
                };
                let spec = format!(
                    "{}{}{}{}{}.{}{kind}",
                    if c.left { "<" } else { "" },
                    if c.plus {
                        "+"
                    } else if c.space {
                        " "
                    } else {
                        ""
                    },
                    if c.alt { "#" } else { "" },
                    if c.zero && !c.left { "0" } else { "" },
                    c.width,
                    c.precision.unwrap_or(6),
                );
                format::format_float(x, &spec)
                    .map_err(|m| self.error(BuiltinType::ValueError, m))?
            }
            _ => {
                let v = match self.heap.payload(arg) {
                    Payload::Int(_) | Payload::Bool(_) => self.int_value(arg).unwrap_or_default(),
                    Payload::Float(f) if "diu".contains(kind) => {
                        let f = *f;
                        match BigInt::from_f64(f.trunc()) {
                            Some(v) => v,
                            None => {
                                let (t, m) = if f.is_nan() {
                                    (
                                        BuiltinType::ValueError,
                                        "cannot convert float NaN to integer",
                                    )
                                } else {
                                    (
                                        BuiltinType::OverflowError,
                                        "cannot convert float infinity to integer",
                                    )
                                };
                                return Err(self.error(t, m).into());
                            }
                        }
                    }
                    _ => {
                        let t = self.heap.type_name(arg).to_string();
                        let wants = if "diu".contains(kind) {
                            "a real number"
                        } else {
                            "an integer"
                        };
                        return Err(self
                            .error_fmt(
                                BuiltinType::TypeError,
                                format_args!("%{kind} format: {wants} is required, not {t}"),
                            )
                            .into());
                    }
                };
                let radix = match kind {
                    'o' => 8,
                    'x' | 'X' => 16,
                    _ => 10,
                };
                let mut digits = v.magnitude().to_str_radix(radix);
                if kind == 'X' {
                    digits.make_ascii_uppercase();
                }
                let sign = if v.sign() == Sign::Minus {
                    "-"
                } else if c.plus {
                    "+"
                } else if c.space {
                    " "
                } else {
                    ""
                };
                let prefix = match (c.alt, kind) {
                    (true, 'o') => "0o",
                    (true, 'x') => "0x",
                    (true, 'X') => "0X",
                    _ => "",
                };
                let mut zeros = c.precision.unwrap_or(0).saturating_sub(digits.len());
                // The `0` flag fills the width with zeros after the sign and the prefix.
                if c.zero && !c.left {
                    zeros = zeros.max(
                        c.width
                            .saturating_sub(sign.len() + prefix.len() + digits.len()),
                    );
                }
                self.check_new_str(zeros + digits.len(), zeros + digits.len())?;
                format!("{sign}{prefix}{}{digits}", "0".repeat(zeros))
            }
        })
    }
}

/// A run of decimal digits at `chars[*i]`, as a number (0 for none).
fn digits(chars: &[char], i: &mut usize) -> usize {
    let mut n = 0usize;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n.saturating_mul(10).saturating_add(d as usize);
        *i += 1;
    }
    n
}
