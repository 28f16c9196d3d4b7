//! The JSON of a `v1` link: one flat object of strings, whole numbers and booleans.
//!
//! Written by hand rather than with serde_json because serde_json, with serde's derive and
//! the float formatting and parsing tables it links, cost 15,155 bytes of the gzipped wasm
//! (472,728 -> 457,573 with links stubbed out, `docs/performance.md`, "A link's JSON by
//! hand"), and a link needs none of it. The native tests check both directions against
//! serde_json.

use std::fmt::Write;

/// Deeper nesting than this in a field the page does not know is refused (serde_json's
/// own limit is 128), so that a hostile link cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// Writes one JSON object, field by field.
pub struct ObjectWriter {
    out: String,
}

impl ObjectWriter {
    pub fn new() -> Self {
        ObjectWriter { out: "{".into() }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_str(&mut self.out, key);
        self.out.push(':');
    }

    pub fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        write_str(&mut self.out, value);
    }

    pub fn uint(&mut self, key: &str, value: usize) {
        self.key(key);
        let _ = write!(self.out, "{value}");
    }

    pub fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON string literal, escaped as serde_json escapes it.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A field's value, as far as a link needs to tell values apart.
#[derive(Debug, PartialEq)]
pub enum Value {
    Str(String),
    /// A whole number that fits in `usize`.
    Uint(usize),
    Bool(bool),
    Null,
    /// Any other number, array or object (read, checked and dropped).
    Other,
}

impl Value {
    /// What a reader is told it found, in an error.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Uint(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Other => "a list, an object or a number that is not a whole count",
        }
    }
}

/// The fields of the one object `text` holds, in order; an error names what is wrong and
/// where (a byte offset).
pub fn read_object(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut fields = Vec::new();
    r.expect(b'{')?;
    if !r.eat(b'}') {
        loop {
            let key = r.string()?;
            r.expect(b':')?;
            fields.push((key, r.value(0)?));
            if r.eat(b'}') {
                break;
            }
            r.expect(b',')?;
        }
    }
    r.skip_space();
    if r.at < r.bytes.len() {
        return Err(r.error("text after the object"));
    }
    Ok(fields)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after any whitespace, without taking it.
    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", b as char)))
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(open @ (b'[' | b'{')) => {
                self.at += 1;
                let close = open + 2; // `]` and `}` follow `[` and `{` by two in ASCII
                if !self.eat(close) {
                    loop {
                        if open == b'{' {
                            self.string()?;
                            self.expect(b':')?;
                        }
                        self.value(depth + 1)?;
                        if self.eat(close) {
                            break;
                        }
                        self.expect(b',')?;
                    }
                }
                Ok(Value::Other)
            }
            _ => Err(self.error("expected a value")),
        }
    }

    /// A number in JSON's grammar; a whole one that fits in `usize` is kept.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while let Some(b'0'..=b'9') = r.bytes.get(r.at) {
                r.at += 1;
            }
            r.at - from
        };
        let negative = self.bytes[self.at] == b'-';
        self.at += usize::from(negative);
        let whole = digits(self);
        let leading_zero = whole > 1 && self.bytes[self.at - whole] == b'0';
        if whole == 0 || leading_zero {
            return Err(self.error("a malformed number"));
        }
        let mut integral = !negative;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(self.error("a malformed number"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a malformed number"));
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default();
        Ok(match text.parse() {
            Ok(n) if integral => Value::Uint(n),
            _ => Value::Other,
        })
    }

    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(&b) = self.bytes.get(self.at) else {
                return Err(self.error("an unfinished string"));
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.at) else {
                        return Err(self.error("an unfinished string"));
                    };
                    self.at += 1;
                    let c = match e {
                        b'"' | b'\\' | b'/' => e as char,
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => self.escaped_char()?,
                        _ => return Err(self.error("an unknown escape")),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err(self.error("a control character in a string")),
                _ => out.push(b),
            }
        }
        // The text was a `str` and the escapes were whole characters.
        String::from_utf8(out).map_err(|_| self.error("a string that is not UTF-8"))
    }

    /// The character of a `\uXXXX` escape (the `\u` read), joining a surrogate pair.
    fn escaped_char(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&high) {
            if !self.bytes[self.at..].starts_with(b"\\u") {
                return Err(self.error("a lone surrogate"));
            }
            self.at += 2;
            let low = self.hex4()?;
            if !(0xdc00..0xe000).contains(&low) {
                return Err(self.error("a lone surrogate"));
            }
            0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| self.error("a lone surrogate"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("a bad \\u escape"))?;
        self.at += 4;
        Ok(u32::from_str_radix(hex, 16).unwrap_or_default())
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Fields by name (serde_json's map sorts them).
    fn sorted(mut fields: Vec<(String, Value)>) -> Vec<(String, Value)> {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields
    }

    fn read_sorted(text: &str) -> Option<Vec<(String, Value)>> {
        read_object(text).ok().map(sorted)
    }

    /// serde_json's reading of the same text, as this module's values, by name.
    fn oracle(text: &str) -> Option<Vec<(String, Value)>> {
        let serde_json::Value::Object(map) = serde_json::from_str(text).ok()? else {
            return None;
        };
        Some(sorted(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => Value::Str(s),
                        serde_json::Value::Bool(b) => Value::Bool(b),
                        serde_json::Value::Null => Value::Null,
                        serde_json::Value::Number(n) => match n.as_u64() {
                            Some(n) => usize::try_from(n).map_or(Value::Other, Value::Uint),
                            None => Value::Other,
                        },
                        _ => Value::Other,
                    };
                    (k, v)
                })
                .collect(),
        ))
    }

    #[test]
    fn reads_what_it_writes_and_what_serde_json_writes() {
        let mut w = ObjectWriter::new();
        w.str("code", "a = \"b\\\"\n\t\u{1}é🐍");
        w.uint("step", 41);
        w.bool("inline", true);
        let text = w.finish();
        let expected = vec![
            (
                "code".to_string(),
                Value::Str("a = \"b\\\"\n\t\u{1}é🐍".into()),
            ),
            ("step".to_string(), Value::Uint(41)),
            ("inline".to_string(), Value::Bool(true)),
        ];
        assert_eq!(read_object(&text), Ok(expected));
        assert_eq!(read_sorted(&text), oracle(&text));
    }

    #[test]
    fn skips_what_it_does_not_need_and_refuses_what_is_not_json() {
        let text = r#" { "a" : [1, -2.5e3, {"b": [null, "\ud83d\udc0d"]}], "n": 18446744073709551616,
                         "z": -0, "s": "\u00e9\/" } "#;
        assert_eq!(read_sorted(text), oracle(text));
        for bad in [
            "",
            "{",
            "[]",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":tru}",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "{\"a\" 1}",
        ] {
            assert!(read_object(bad).is_err(), "{bad:?}");
            assert_eq!(oracle(bad), None, "{bad:?}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(read_object(&deep)
            .unwrap_err()
            .contains("nested too deeply"));
    }

    proptest! {
        /// Any object serde_json writes reads back the same (keys unique, as a map's are).
        #[test]
        fn agrees_with_serde_json(
            fields in prop::collection::btree_map(
                "\\PC{0,6}",
                prop_oneof![
                    "\\PC{0,20}".prop_map(serde_json::Value::from),
                    any::<u64>().prop_map(serde_json::Value::from),
                    any::<i64>().prop_map(serde_json::Value::from),
                    any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
                    any::<bool>().prop_map(serde_json::Value::from),
                    Just(serde_json::Value::Null),
                    Just(serde_json::json!([1, {"x": [true, "y"]}])),
                ],
                0..6,
            ),
            pretty in any::<bool>(),
        ) {
            let map: serde_json::Map<_, _> = fields.into_iter().collect();
            let value = serde_json::Value::Object(map);
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            prop_assert_eq!(read_sorted(&text), oracle(&text));
        }

        /// Whatever it is given, it answers without panicking, and accepts only JSON.
        #[test]
        fn never_panics(text in "[{}\\[\\]\":,0-9eE.+\\-a-z\\\\ ]{0,40}") {
            if read_object(&text).is_ok() {
                prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{}", text);
            }
        }

        #[test]
        fn strings_round_trip(s in "\\PC*|[\\x00-\\x1f\"\\\\]*") {
            let mut w = ObjectWriter::new();
            w.str("s", &s);
            let text = w.finish();
            prop_assert_eq!(serde_json::to_string(&serde_json::json!({"s": s})).unwrap(), text.clone());
            prop_assert_eq!(read_object(&text), Ok(vec![("s".to_string(), Value::Str(s))]));
        }
    }
}
