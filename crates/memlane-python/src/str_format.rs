//! `str.format`, as CPython's `Objects/stringlib/unicode_format.h` does it: fields by
//! position, number or keyword, with `.attr` and `[key]` after, `!r`/`!s`/`!a`, format
//! specs with nested fields, and the same errors.

use std::rc::Rc;

use memlane_core::object::BuiltinType;
use memlane_core::ObjId;

use crate::format;
use crate::vm::{Vm, VmResult};

/// How the fields so far were numbered: CPython refuses to mix `{}` with `{0}`.
#[derive(Clone, Copy, PartialEq)]
enum Numbering {
    Unset,
    Auto(usize),
    Manual,
}

/// A field as `parse_field` splits it.
struct Field {
    name: Vec<char>,
    conversion: Option<char>,
    spec: Vec<char>,
    spec_has_fields: bool,
}

impl Vm {
    /// `fmt.format(*args, **kwargs)`.
    pub(crate) fn str_format(
        &mut self,
        fmt: &str,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
    ) -> VmResult<String> {
        let chars: Vec<char> = fmt.chars().collect();
        let mut numbering = Numbering::Unset;
        self.build_format(&chars, args, kwargs, 2, &mut numbering)
    }

    fn build_format(
        &mut self,
        s: &[char],
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
        depth: u32,
        numbering: &mut Numbering,
    ) -> VmResult<String> {
        if depth == 0 {
            return Err(self.value_error("Max string recursion exceeded"));
        }
        let mut out = String::new();
        let mut i = 0;
        while i < s.len() {
            let c = s[i];
            i += 1;
            if c != '{' && c != '}' {
                out.push(c);
                continue;
            }
            let doubled = s.get(i) == Some(&c);
            if c == '}' && !doubled {
                return Err(self.value_error("Single '}' encountered in format string"));
            }
            if c == '{' && i == s.len() {
                return Err(self.value_error("Single '{' encountered in format string"));
            }
            if doubled {
                out.push(c);
                i += 1;
                continue;
            }
            let field = self.parse_field(s, &mut i)?;
            let obj = self.field_object(&field.name, args, kwargs, numbering)?;
            let text = self.format_field(obj, &field, args, kwargs, depth, numbering);
            self.release(obj);
            out.push_str(&text?);
        }
        Ok(out)
    }

    /// The field starting at `s[*i]` (after its `{`), up to and past its `}`.
    fn parse_field(&mut self, s: &[char], i: &mut usize) -> VmResult<Field> {
        let start = *i;
        let mut c = '\0';
        while *i < s.len() {
            c = s[*i];
            *i += 1;
            match c {
                '{' => return Err(self.value_error("unexpected '{' in field name")),
                '[' => {
                    while *i < s.len() && s[*i] != ']' {
                        *i += 1;
                    }
                }
                '}' | ':' | '!' => break,
                _ => {}
            }
        }
        let name_end = if matches!(c, '}' | ':' | '!') {
            *i - 1
        } else {
            *i
        };
        let mut field = Field {
            name: s[start..name_end].to_vec(),
            conversion: None,
            spec: Vec::new(),
            spec_has_fields: false,
        };
        if c != '!' && c != ':' {
            if c != '}' {
                return Err(self.value_error("expected '}' before end of string"));
            }
            return Ok(field);
        }
        if c == '!' {
            let Some(&conv) = s.get(*i) else {
                return Err(
                    self.value_error("end of string while looking for conversion specifier")
                );
            };
            *i += 1;
            field.conversion = Some(conv);
            if let Some(&next) = s.get(*i) {
                *i += 1;
                if next == '}' {
                    return Ok(field);
                }
                if next != ':' {
                    return Err(self.value_error("expected ':' after conversion specifier"));
                }
            }
        }
        let spec_start = *i;
        let mut count = 1;
        while *i < s.len() {
            let c = s[*i];
            *i += 1;
            match c {
                '{' => {
                    field.spec_has_fields = true;
                    count += 1;
                }
                '}' => {
                    count -= 1;
                    if count == 0 {
                        field.spec = s[spec_start..*i - 1].to_vec();
                        return Ok(field);
                    }
                }
                _ => {}
            }
        }
        Err(self.value_error("unmatched '{' in format spec"))
    }

    /// The object a field names, held: an argument, then each `.attr` and `[key]`.
    fn field_object(
        &mut self,
        name: &[char],
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
        numbering: &mut Numbering,
    ) -> VmResult<ObjId> {
        let first_end = name
            .iter()
            .position(|&c| c == '.' || c == '[')
            .unwrap_or(name.len());
        let first: String = name[..first_end].iter().collect();
        let index = decimal(&first);
        let mut obj = if first.is_empty() || index.is_some() {
            let auto = first.is_empty();
            match (*numbering, auto) {
                (Numbering::Manual, true) => return Err(self.value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                )),
                (Numbering::Auto(_), false) => return Err(self.value_error(
                    "cannot switch from automatic field numbering to manual field specification",
                )),
                _ => {}
            }
            let n = match *numbering {
                Numbering::Auto(n) if auto => n,
                _ if auto => 0,
                _ => index.unwrap_or(0),
            };
            *numbering = if auto {
                Numbering::Auto(n + 1)
            } else {
                Numbering::Manual
            };
            let Some(&v) = args.get(n) else {
                return Err(self
                    .error_fmt(
                        BuiltinType::IndexError,
                        format_args!(
                            "Replacement index {n} out of range for positional args tuple"
                        ),
                    )
                    .into());
            };
            v
        } else {
            match kwargs.iter().find(|(k, _)| **k == *first) {
                Some(&(_, v)) => v,
                None => {
                    let key = self.heap.str(&first);
                    return Err(self.error_with(BuiltinType::KeyError, key).into());
                }
            }
        };
        self.hold(obj);
        let mut i = first_end;
        while i < name.len() {
            let attribute = match name[i] {
                '.' => true,
                '[' => false,
                _ => {
                    self.release(obj);
                    return Err(self
                        .value_error("Only '.' or '[' may follow ']' in format field specifier"));
                }
            };
            i += 1;
            let start = i;
            if attribute {
                while i < name.len() && name[i] != '.' && name[i] != '[' {
                    i += 1;
                }
            } else {
                while i < name.len() && name[i] != ']' {
                    i += 1;
                }
                if i == name.len() {
                    self.release(obj);
                    return Err(self.value_error("Missing ']' in format string"));
                }
            }
            let part: String = name[start..i].iter().collect();
            if !attribute {
                i += 1;
            }
            if part.is_empty() {
                self.release(obj);
                return Err(self.value_error("Empty attribute in format string"));
            }
            let next = if attribute {
                self.getattr(obj, &part).map_err(Into::into)
            } else {
                let key = match decimal(&part) {
                    Some(n) => self.heap.int_i64(n as i64),
                    None => self.heap.str(&part),
                };
                self.hold(key);
                let v = self.getitem(obj, key);
                self.release(key);
                v
            };
            self.release(obj);
            obj = next?;
        }
        Ok(obj)
    }

    /// A field's text: its conversion, then its spec (with the spec's own fields filled).
    fn format_field(
        &mut self,
        obj: ObjId,
        field: &Field,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
        depth: u32,
        numbering: &mut Numbering,
    ) -> VmResult<String> {
        let spec = if field.spec_has_fields {
            self.build_format(&field.spec, args, kwargs, depth - 1, numbering)?
        } else {
            field.spec.iter().collect()
        };
        let converted = match field.conversion {
            None => return Ok(self.format_with_spec(obj, &spec)?),
            Some(c @ ('r' | 's' | 'a')) => self.conversion_text(obj, c)?,
            Some(c) if (' '..='~').contains(&c) => {
                return Err(self
                    .error_fmt(
                        BuiltinType::ValueError,
                        format_args!("Unknown conversion specifier {c}"),
                    )
                    .into())
            }
            Some(c) => {
                return Err(self
                    .error_fmt(
                        BuiltinType::ValueError,
                        format_args!("Unknown conversion specifier \\x{:x}", c as u32),
                    )
                    .into())
            }
        };
        format::format_str(&converted, &spec)
            .map_err(|m| self.error(BuiltinType::ValueError, m).into())
    }

    fn value_error(&mut self, message: &'static str) -> crate::vm::Halt {
        self.error(BuiltinType::ValueError, message).into()
    }
}

/// `text` as a field index when it is all decimal digits (CPython's `get_integer`).
fn decimal(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn only_digits_are_indexes() {
        assert_eq!(decimal("12"), Some(12));
        assert_eq!(decimal(""), None);
        assert_eq!(decimal("1a"), None);
        assert_eq!(decimal("-1"), None);
    }
}
