//! Syntax colouring for the code editor: a small, forgiving scanner (keywords, strings,
//! numbers, comments) that copes with half-typed code, which the interpreter's lexer
//! rightly rejects. Web-free and tested natively.

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
    let mut lines: Vec<Vec<(Kind, String)>> = vec![Vec::new()];
    let push = |lines: &mut Vec<Vec<(Kind, String)>>, kind: Kind, text: &str| {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !part.is_empty() {
                lines.last_mut().unwrap().push((kind, part.to_owned()));
            }
        }
    };
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(source.len(), |&(o, _)| o);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let start = i;
        let kind = if c == '#' {
            while at(i).is_some_and(|c| c != '\n') {
                i += 1;
            }
            Kind::Comment
        } else if c == '"' || c == '\'' {
            continue_string(&mut i, &chars);
            Kind::Str
        } else if c.is_ascii_digit() {
            while at(i).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                i += 1;
            }
            Kind::Number
        } else if c.is_alphabetic() || c == '_' {
            while at(i).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                i += 1;
            }
            let word = &source[offset(start)..offset(i)];
            // A string prefix (f"", r'', b"") colours with its string.
            if matches!(at(i), Some('"' | '\''))
                && word.len() <= 2
                && word.chars().all(|c| "rRbBfFuU".contains(c))
            {
                continue_string(&mut i, &chars);
                Kind::Str
            } else if KEYWORDS.contains(&word) {
                Kind::Keyword
            } else if BUILTINS.contains(&word) {
                Kind::Builtin
            } else {
                Kind::Plain
            }
        } else {
            while at(i).is_some_and(|c| {
                !(c == '#' || c == '"' || c == '\'' || c.is_alphanumeric() || c == '_')
            }) {
                i += 1;
            }
            Kind::Plain
        };
        let end = i.min(chars.len());
        push(&mut lines, kind, &source[offset(start)..offset(end)]);
        i = end;
    }
    lines
}

/// Advances `i` over a string literal starting at `chars[i]` (a quote).
fn continue_string(i: &mut usize, chars: &[(usize, char)]) {
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let q = at(*i).unwrap_or('"');
    let triple = at(*i + 1) == Some(q) && at(*i + 2) == Some(q);
    let quote_len = if triple { 3 } else { 1 };
    *i += quote_len;
    loop {
        match at(*i) {
            None => break,
            Some('\\') => *i += 2,
            Some('\n') if !triple => break,
            Some(c) if c == q && (!triple || (at(*i + 1) == Some(q) && at(*i + 2) == Some(q))) => {
                *i += quote_len;
                break;
            }
            Some(_) => *i += 1,
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
}
