//! Syntax colouring for the code editor: a small, forgiving scanner (keywords, strings,
//! numbers, comments) that copes with half-typed code, which the interpreter's lexer
//! rightly rejects. Web-free and tested natively.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Builtin,
    Str,
    Number,
    Comment,
    Plain,
}

impl Kind {
    /// The CSS class of a span of this kind.
    pub fn class(self) -> &'static str {
        match self {
            Kind::Keyword => "tok-kw",
            Kind::Builtin => "tok-builtin",
            Kind::Str => "tok-str",
            Kind::Number => "tok-num",
            Kind::Comment => "tok-comment",
            Kind::Plain => "tok-plain",
        }
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

const BUILTINS: &[&str] = &[
    "print",
    "len",
    "range",
    "list",
    "dict",
    "tuple",
    "set",
    "str",
    "int",
    "float",
    "bool",
    "id",
    "type",
    "isinstance",
    "sum",
    "min",
    "max",
    "sorted",
    "enumerate",
    "zip",
    "object",
    "super",
    "self",
];

/// The source split into lines, each a list of (kind, text) spans; joining the texts of a
/// line gives the line back exactly.
pub fn highlight(source: &str) -> Vec<Vec<(Kind, String)>> {
    highlight_lines(source, 0..usize::MAX)
}

/// The number of lines the editor shows for `source` (one more than its newlines).
pub fn line_count(source: &str) -> usize {
    source.bytes().filter(|&b| b == b'\n').count() + 1
}

/// [`highlight`] of the lines `wanted` only (0-based; past the end is cut off). The scan
/// still starts at the top, since a string may span lines, but spans are built only for
/// the wanted lines and the scan stops after them: the editor colours just the lines in
/// view, so a keystroke in a 64 KiB program does not build a span for every line.
pub fn highlight_lines(source: &str, wanted: Range<usize>) -> Vec<Vec<(Kind, String)>> {
    let mut lines = Vec::new();
    let mut line = 0;
    let mut current: Vec<(Kind, String)> = Vec::new();
    scan(source, |kind, text| {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                if wanted.contains(&line) {
                    lines.push(std::mem::take(&mut current));
                }
                line += 1;
            }
            if !part.is_empty() && wanted.contains(&line) {
                current.push((kind, part.to_owned()));
            }
        }
        line < wanted.end
    });
    if wanted.contains(&line) {
        lines.push(current);
    }
    lines
}

/// Calls `emit` with each token of `source` in order (their texts joined give the source
/// back) until it returns false.
fn scan(source: &str, mut emit: impl FnMut(Kind, &str) -> bool) {
    let at = |i: usize| source.get(i..).and_then(|s| s.chars().next());
    // The byte offset after the char at `i`.
    let next = |i: usize| i + at(i).map_or(1, char::len_utf8);
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        let kind = if c == '#' {
            while at(i).is_some_and(|c| c != '\n') {
                i = next(i);
            }
            Kind::Comment
        } else if c == '"' || c == '\'' {
            i = string_end(source, i);
            Kind::Str
        } else if c.is_ascii_digit() {
            while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                i = next(i);
            }
            Kind::Number
        } else if c.is_alphabetic() || c == '_' {
            while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                i = next(i);
            }
            let word = &source[start..i];
            // A string prefix (f"", r'', b"") colours with its string.
            if matches!(at(i), Some('"' | '\''))
                && word.len() <= 2
                && word.chars().all(|c| "rRbBfFuU".contains(c))
            {
                i = string_end(source, i);
                Kind::Str
            } else if KEYWORDS.contains(&word) {
                Kind::Keyword
            } else if BUILTINS.contains(&word) {
                Kind::Builtin
            } else {
                Kind::Plain
            }
        } else {
            // The first char always: a numeric char that is neither an ASCII digit nor
            // alphabetic (`²`, `٣`) starts no other token, and would stop this one empty.
            i = next(i);
            while at(i).is_some_and(|c| {
                !(c == '#' || c == '"' || c == '\'' || c.is_alphanumeric() || c == '_')
            }) {
                i = next(i);
            }
            Kind::Plain
        };
        let end = i.min(source.len());
        if !emit(kind, &source[start..end]) {
            return;
        }
        i = end;
    }
}

/// The byte offset just past the string literal whose quote is at `start` (or the end of
/// its line, or of the source, when it is not closed).
fn string_end(source: &str, start: usize) -> usize {
    let bytes = source.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let q = bytes[start];
    let triple = at(start + 1) == Some(q) && at(start + 2) == Some(q);
    let quote_len = if triple { 3 } else { 1 };
    let mut i = start + quote_len;
    loop {
        match at(i) {
            None => return source.len(),
            Some(b'\\') => {
                // The backslash and the whole character it escapes.
                i += 1;
                i += source
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
            }
            Some(b'\n') if !triple => return i,
            Some(c) if c == q && (!triple || (at(i + 1) == Some(q) && at(i + 2) == Some(q))) => {
                return i + quote_len;
            }
            Some(_) => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &[(Kind, String)]) -> Vec<(Kind, &str)> {
        line.iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(k, t)| (*k, t.trim()))
            .collect()
    }

    #[test]
    fn colours_keywords_strings_numbers_and_comments() {
        let lines = highlight("def f(x):  # doc\n    return 'a' + f\"{x}\" + 12\n");
        assert_eq!(
            kinds(&lines[0]),
            vec![
                (Kind::Keyword, "def"),
                (Kind::Plain, "f"),
                (Kind::Plain, "("),
                (Kind::Plain, "x"),
                (Kind::Plain, "):"),
                (Kind::Comment, "# doc"),
            ]
        );
        assert_eq!(
            kinds(&lines[1]),
            vec![
                (Kind::Keyword, "return"),
                (Kind::Str, "'a'"),
                (Kind::Plain, "+"),
                (Kind::Str, "f\"{x}\""),
                (Kind::Plain, "+"),
                (Kind::Number, "12"),
            ]
        );
    }

    /// Numeric chars that are not ASCII digits nor letters (superscripts, other scripts'
    /// digits) once stopped the scanner with an empty token, forever: typing `x = ²` froze
    /// the page.
    #[test]
    fn every_token_moves_on_over_non_ascii_numerics() {
        for src in [
            "x = ²",
            "٣ + 1",
            "if a\u{fffd}\u{7c0}\u{fffd}\0pass",
            "½'s'",
            "# ok\n¼",
        ] {
            let mut joined = String::new();
            scan(src, |_, text| {
                assert!(
                    !text.is_empty(),
                    "an empty token in {src:?} after {joined:?}"
                );
                joined.push_str(text);
                true
            });
            assert_eq!(joined, src);
        }
    }

    #[test]
    fn lines_join_back_to_the_source() {
        for src in [
            "a = '''one\ntwo'''\nb = 'unterminated\nc = 1 # x\n",
            "print(\"é\", 'ü')\n\n\tx = 1.5e3\n",
            "",
        ] {
            let joined: Vec<String> = highlight(src)
                .iter()
                .map(|l| l.iter().map(|(_, t)| t.as_str()).collect())
                .collect();
            assert_eq!(joined.join("\n"), src);
        }
    }

    #[test]
    fn a_triple_quoted_string_spans_lines() {
        let lines = highlight("s = \"\"\"a\nb\"\"\"\n");
        assert_eq!(lines[1][0], (Kind::Str, "b\"\"\"".to_owned()));
    }

    #[test]
    fn a_window_of_lines_is_those_lines_of_the_whole() {
        let src = "s = \"\"\"é\n'ü\\\n\"\"\"\nx = 'a\\\nb'  # ü\n\n\tdef f(): return 1.5\nend";
        let whole = highlight(src);
        assert_eq!(whole.len(), line_count(src));
        for first in 0..=whole.len() {
            for end in first..=whole.len() + 2 {
                let window = highlight_lines(src, first..end);
                assert_eq!(window, whole[first..end.min(whole.len())], "{first}..{end}");
            }
        }
    }
}
