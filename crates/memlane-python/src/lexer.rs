//! The tokenizer: a port of CPython 3.11's `Parser/tokenizer.c` for the cases memlane
//! needs, so that token positions and tokenizer error messages match CPython's.
//!
//! The whole source is tokenized up front. A tokenizer error ends the token list; the
//! parser reports it when it reaches that point, or earlier in place of a parser error
//! (CPython re-tokenizes the rest of the file after a parser error for the same effect).

use num_bigint::BigInt;

/// CPython's `MAXLEVEL`: the deepest bracket nesting the tokenizer accepts.
pub const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's `MAXINDENT`.
pub const MAX_INDENT_DEPTH: usize = 100;
const TAB_SIZE: u32 = 8;

/// A position: 1-based line, 0-based UTF-8 byte column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Name(String),
    Int(BigInt),
    Float(f64),
    /// A complex literal such as `2j`; outside the subset.
    Imag,
    Str(Box<StrLit>),
    /// An operator or delimiter, spelled as in the source. Characters that are not
    /// Python tokens (`$`, `?`, `!`, backquote) also come through here so that the
    /// parser reports "invalid syntax" at them, as CPython does.
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    EndMarker,
}

/// One string literal token, undecoded.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub raw: bool,
    pub bytes: bool,
    pub fstring: bool,
    /// The token's full text: prefix, quotes and body.
    pub text: String,
    /// Byte range of the body (between the quotes) within `text`.
    pub body_start: usize,
    pub body_end: usize,
}

impl StrLit {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..self.body_end]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub start: Pos,
    pub end: Pos,
    /// Bracket nesting depth after this token, like CPython's `token->level`.
    pub level: u32,
}

impl Token {
    /// INDENT, DEDENT and ENDMARKER have no text; CPython reports errors at them at the
    /// tokenizer's cursor without the usual +1 (see `Lexed::error_offset`).
    pub fn is_cursor_only(&self) -> bool {
        matches!(self.tok, Tok::Indent | Tok::Dedent | Tok::EndMarker)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum LexErrorKind {
    /// A tokenizer error CPython raises at once: it wins over any parser error.
    Error,
    /// One CPython only reports if the parser gets there (bad dedent, tabs, a stray or
    /// final line continuation, too deep indentation).
    Deferred,
    /// End of input inside brackets: wins over a parser error only if the bracket
    /// opened on an earlier line than the parser error.
    UnclosedBracket,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub msg: String,
    pub line: u32,
    /// 1-based character offset, like `SyntaxError.offset`.
    pub offset: u32,
}

/// The result of tokenizing: the tokens up to the first error, and that error.
#[derive(Clone, Debug)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub error: Option<LexError>,
    /// The normalized source (`\r\n` and `\r` turned into `\n`, a final `\n` added).
    pub source: String,
    line_starts: Vec<usize>,
}

impl Lexed {
    /// The text of line `line` (1-based), without its newline; "" past the end.
    pub fn line_text(&self, line: u32) -> &str {
        line_text(&self.source, &self.line_starts, line)
    }

    /// CPython's `SyntaxError.offset` for an error at byte column `col` of `line`:
    /// the number of characters before it, plus one.
    pub fn char_offset(&self, line: u32, col: u32) -> u32 {
        char_offset(self.line_text(line), col)
    }

    /// The 1-based offset CPython reports for an error located at `tok`.
    pub fn error_offset(&self, tok: &Token) -> u32 {
        let offset = self.char_offset(tok.start.line, tok.start.col);
        if tok.is_cursor_only() {
            // The cursor may sit past the newline at end of input.
            let past_end =
                (tok.start.col as usize).saturating_sub(self.line_text(tok.start.line).len());
            offset - 1 + past_end as u32
        } else {
            offset
        }
    }
}

fn line_text<'s>(source: &'s str, line_starts: &[usize], line: u32) -> &'s str {
    let Some(&start) = line_starts.get((line as usize).wrapping_sub(1)) else {
        return "";
    };
    let rest = &source[start..];
    &rest[..rest.find('\n').unwrap_or(rest.len())]
}

/// The number of characters in `line[..col]` plus one, capped at the line's length plus
/// one (CPython's `_PyPegen_byte_offset_to_character_offset`).
pub fn char_offset(line: &str, col: u32) -> u32 {
    let mut col = (col as usize).min(line.len());
    while !line.is_char_boundary(col) {
        col -= 1;
    }
    line[..col].chars().count() as u32 + 1
}

/// Where a sub-source (an f-string's expression) sits in the real file: its first line
/// is `first_line`, and columns on that line are shifted by `first_col`.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    pub first_line: u32,
    pub first_col: u32,
}

impl Origin {
    pub const FILE: Origin = Origin {
        first_line: 1,
        first_col: 0,
    };
}

/// Tokenizes a whole module.
pub fn tokenize(source: &str) -> Lexed {
    tokenize_at(source, Origin::FILE)
}

/// Tokenizes `source`, placing its tokens as if it started at `origin`.
pub fn tokenize_at(source: &str, origin: Origin) -> Lexed {
    let mut normalized = source.replace("\r\n", "\n").replace('\r', "\n");
    if !normalized.ends_with('\n') {
        normalized.push('\n');
    }
    let mut line_starts = vec![0];
    line_starts.extend(normalized.match_indices('\n').map(|(i, _)| i + 1));
    let mut lexer = Lexer {
        src: &normalized,
        bytes: normalized.as_bytes(),
        line_starts: &line_starts,
        pos: 0,
        line: 1,
        line_start: 0,
        indents: Vec::new(),
        brackets: Vec::new(),
        at_bol: true,
        blank_line: false,
        tokens: Vec::new(),
    };
    let error = lexer.run().err();
    let tokens = std::mem::take(&mut lexer.tokens);
    // Positions are shifted to the origin only now, so the lexer works in local terms.
    let tokens = tokens
        .into_iter()
        .map(|mut t| {
            t.start = origin.place(t.start);
            t.end = origin.place(t.end);
            t
        })
        .collect();
    let error = error.map(|mut e| {
        e.line += origin.first_line - 1;
        e
    });
    Lexed {
        tokens,
        error,
        source: normalized,
        line_starts,
    }
}

impl Origin {
    fn place(&self, p: Pos) -> Pos {
        Pos {
            line: p.line + self.first_line - 1,
            col: if p.line == 1 {
                p.col + self.first_col
            } else {
                p.col
            },
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    line_starts: &'a [usize],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Indentation columns of the open blocks, with tabs as 8 and as 1 column.
    indents: Vec<(u32, u32)>,
    /// Open brackets: the character and where it is.
    brackets: Vec<(u8, Pos)>,
    at_bol: bool,
    blank_line: bool,
    tokens: Vec<Token>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NumKind {
    Int,
    Float,
    Imag,
}

/// `EOF` for `nextc`: a NUL never reaches the lexer (the parser rejects it first).
const EOF: u8 = 0;

impl<'a> Lexer<'a> {
    fn nextc(&mut self) -> u8 {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => EOF,
        }
    }

    fn backup(&mut self, c: u8) {
        if c != EOF {
            self.pos -= 1;
        }
    }

    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(EOF)
    }

    fn peek_at(&self, n: usize) -> u8 {
        self.bytes.get(self.pos + n).copied().unwrap_or(EOF)
    }

    fn col_of(&self, pos: usize) -> u32 {
        (pos - self.line_start) as u32
    }

    fn here(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col_of(self.pos),
        }
    }

    fn current_line_text(&self) -> &'a str {
        line_text(self.src, self.line_starts, self.line)
    }

    /// An error with CPython's tokenizer offset: the characters before the cursor (no +1).
    fn error_at_cursor(&self, msg: impl Into<String>) -> LexError {
        let offset = char_offset(self.current_line_text(), self.col_of(self.pos)) - 1;
        self.error(msg, self.line, offset)
    }

    fn error(&self, msg: impl Into<String>, line: u32, offset: u32) -> LexError {
        // Offsets on the first line of a sub-source are relative to it, as in CPython.
        LexError {
            kind: LexErrorKind::Error,
            msg: msg.into(),
            line,
            offset,
        }
    }

    fn deferred(&self, msg: impl Into<String>, line: u32, offset: u32) -> LexError {
        LexError {
            kind: LexErrorKind::Deferred,
            msg: msg.into(),
            line,
            offset,
        }
    }

    fn push(&mut self, tok: Tok, start: Pos, end: Pos) {
        self.tokens.push(Token {
            tok,
            start,
            end,
            level: self.brackets.len() as u32,
        });
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            if self.at_bol {
                self.at_bol = false;
                self.indentation()?;
            }
            // Whitespace between tokens.
            while matches!(self.peek(), b' ' | b'\t' | b'\x0c') {
                self.pos += 1;
            }
            let start = self.pos;
            let c = self.peek();
            if c == b'#' {
                while !matches!(self.peek(), b'\n' | EOF) {
                    self.pos += 1;
                }
                continue;
            }
            if c == EOF {
                if let Some(err) = self.unclosed_bracket() {
                    return Err(err);
                }
                let at = self.eof_pos();
                self.push(Tok::EndMarker, at, at);
                return Ok(());
            }
            if c == b'\n' {
                self.pos += 1;
                let nl = Pos {
                    line: self.line,
                    col: self.col_of(start),
                };
                let real = !self.blank_line && self.brackets.is_empty();
                self.new_line();
                self.at_bol = true;
                if real {
                    self.push(Tok::Newline, nl, nl);
                }
                continue;
            }
            self.blank_line = false;
            if is_ident_start(c) {
                self.name_or_string(start)?;
                continue;
            }
            if c.is_ascii_digit() || (c == b'.' && self.peek_at(1).is_ascii_digit()) {
                self.number(start)?;
                continue;
            }
            if c == b'\'' || c == b'"' {
                self.string(start, 0)?;
                continue;
            }
            if c == b'\\' {
                self.pos += 1;
                let next = self.nextc();
                if next != b'\n' {
                    // CPython: `cur - buf - 1`, then +1 like other known locations.
                    let col = self.col_of(self.pos) - 1;
                    let offset = char_offset(self.current_line_text(), col);
                    return Err(self.deferred(
                        "unexpected character after line continuation character",
                        self.line,
                        offset,
                    ));
                }
                let line_len = self.current_line_text().chars().count() as u32 + 1;
                let line = self.line;
                self.new_line();
                if self.peek() == EOF {
                    if let Some(err) = self.unclosed_bracket() {
                        return Err(err);
                    }
                    return Err(self.deferred("unexpected EOF while parsing", line, line_len));
                }
                continue;
            }
            self.operator(start)?;
        }
    }

    fn new_line(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    /// Where CPython places tokens made at end of input: the end of the last line.
    fn eof_pos(&self) -> Pos {
        let last = self.line.saturating_sub(1).max(1);
        let text = line_text(self.src, self.line_starts, last);
        Pos {
            line: last,
            col: text.len() as u32 + 1,
        }
    }

    fn unclosed_bracket(&self) -> Option<LexError> {
        let &(c, at) = self.brackets.last()?;
        let line = line_text(self.src, self.line_starts, at.line);
        Some(LexError {
            kind: LexErrorKind::UnclosedBracket,
            msg: format!("'{}' was never closed", c as char),
            line: at.line,
            offset: char_offset(line, at.col),
        })
    }

    /// Measures a new line's indentation and emits INDENT/DEDENT tokens.
    fn indentation(&mut self) -> Result<(), LexError> {
        let (mut col, mut altcol) = (0u32, 0u32);
        loop {
            match self.peek() {
                b' ' => {
                    col += 1;
                    altcol += 1;
                }
                b'\t' => {
                    col = (col / TAB_SIZE + 1) * TAB_SIZE;
                    altcol += 1;
                }
                b'\x0c' => {
                    col = 0;
                    altcol = 0;
                }
                _ => break,
            }
            self.pos += 1;
        }
        let c = self.peek();
        self.blank_line = c == b'#' || c == b'\n';
        if self.blank_line || !self.brackets.is_empty() {
            return Ok(());
        }
        let at_eof = c == EOF;
        let here = if at_eof { self.eof_pos() } else { self.here() };
        let (top, alttop) = self.indents.last().copied().unwrap_or((0, 0));
        let tab_error = |lx: &Self| {
            lx.deferred(
                "inconsistent use of tabs and spaces in indentation",
                lx.line,
                1,
            )
        };
        if col == top {
            if altcol != alttop {
                return Err(tab_error(self));
            }
        } else if col > top {
            if self.indents.len() + 1 >= MAX_INDENT_DEPTH {
                return Err(self.deferred("too many levels of indentation", self.line, 1));
            }
            if altcol <= alttop {
                return Err(tab_error(self));
            }
            self.indents.push((col, altcol));
            self.push(Tok::Indent, here, here);
        } else {
            // CPython checks the new level before emitting any DEDENT.
            let kept = self
                .indents
                .iter()
                .take_while(|&&(top, _)| top <= col)
                .count();
            let dedents = self.indents.len() - kept;
            self.indents.truncate(kept);
            let (top, alttop) = self.indents.last().copied().unwrap_or((0, 0));
            if col != top {
                // CPython moves the cursor to the end of the line before reporting.
                let offset = self.current_line_text().chars().count() as u32 + 1;
                return Err(self.deferred(
                    "unindent does not match any outer indentation level",
                    self.line,
                    offset,
                ));
            }
            if altcol != alttop {
                return Err(tab_error(self));
            }
            for _ in 0..dedents {
                self.push(Tok::Dedent, here, here);
            }
        }
        Ok(())
    }

    fn name_or_string(&mut self, start: usize) -> Result<(), LexError> {
        while self.pos < self.bytes.len() && is_ident_char(self.bytes[self.pos]) {
            self.pos += 1;
        }
        let word = &self.src[start..self.pos];
        if matches!(self.peek(), b'\'' | b'"') && is_string_prefix(word) {
            return self.string(start, word.len());
        }
        if !word.is_ascii() {
            self.verify_identifier(start, word)?;
        }
        let (s, e) = (self.pos_of(start), self.here());
        self.push(Tok::Name(word.to_string()), s, e);
        Ok(())
    }

    fn pos_of(&self, pos: usize) -> Pos {
        Pos {
            line: self.line,
            col: self.col_of(pos),
        }
    }

    fn verify_identifier(&mut self, start: usize, word: &str) -> Result<(), LexError> {
        for (i, (at, c)) in word.char_indices().enumerate() {
            let ok = if i == 0 {
                is_xid_start(c)
            } else {
                is_xid_continue(c)
            };
            if !ok {
                self.pos = start + at + c.len_utf8();
                let msg = if crate::ast::is_printable_char(c) {
                    format!("invalid character '{c}' (U+{:04X})", c as u32)
                } else {
                    format!("invalid non-printable character U+{:04X}", c as u32)
                };
                return Err(self.error_at_cursor(msg));
            }
        }
        Ok(())
    }

    fn string(&mut self, start: usize, prefix_len: usize) -> Result<(), LexError> {
        let prefix = self.src[start..start + prefix_len].to_ascii_lowercase();
        let quote = self.nextc();
        let start_line = self.line;
        let start_line_start = self.line_start;
        let mut quote_size = 1;
        let mut end_quote_size = 0;
        let mut c = self.nextc();
        if c == quote {
            c = self.nextc();
            if c == quote {
                quote_size = 3;
            } else {
                end_quote_size = 1; // An empty string.
            }
        }
        if c != quote {
            self.backup(c);
        }
        while end_quote_size != quote_size {
            let c = self.nextc();
            if c == EOF || (quote_size == 1 && c == b'\n') {
                let detected = if c == EOF { self.line - 1 } else { self.line };
                let line = line_text(self.src, self.line_starts, start_line);
                let offset = char_offset(line, (start - start_line_start) as u32 + 1) - 1;
                let msg = if quote_size == 3 {
                    format!(
                        "unterminated triple-quoted string literal (detected at line {detected})"
                    )
                } else {
                    format!("unterminated string literal (detected at line {detected})")
                };
                return Err(self.error(msg, start_line, offset));
            }
            if c == quote {
                end_quote_size += 1;
            } else {
                end_quote_size = 0;
                if c == b'\\' {
                    if self.nextc() == b'\n' {
                        self.new_line();
                    }
                } else if c == b'\n' {
                    self.new_line();
                }
            }
        }
        let text = self.src[start..self.pos].to_string();
        let body_start = prefix_len + quote_size;
        let body_end = text.len() - quote_size;
        let lit = StrLit {
            raw: prefix.contains('r'),
            bytes: prefix.contains('b'),
            fstring: prefix.contains('f'),
            text,
            body_start,
            body_end,
        };
        let s = Pos {
            line: start_line,
            col: (start - start_line_start) as u32,
        };
        let e = self.here();
        self.push(Tok::Str(Box::new(lit)), s, e);
        Ok(())
    }

    fn operator(&mut self, start: usize) -> Result<(), LexError> {
        let c = self.peek();
        if matches!(c, b'(' | b'[' | b'{') {
            self.pos += 1;
            if self.brackets.len() >= MAX_BRACKET_DEPTH {
                return Err(self.error_at_cursor("too many nested parentheses"));
            }
            self.brackets.push((c, self.pos_of(start)));
        } else if matches!(c, b')' | b']' | b'}') {
            self.pos += 1;
            let Some((open, at)) = self.brackets.pop() else {
                return Err(self.error_at_cursor(format!("unmatched '{}'", c as char)));
            };
            let expected = match open {
                b'(' => b')',
                b'[' => b']',
                _ => b'}',
            };
            if c != expected {
                let msg = if at.line != self.line {
                    format!(
                        "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                        c as char, open as char, at.line
                    )
                } else {
                    format!(
                        "closing parenthesis '{}' does not match opening parenthesis '{}'",
                        c as char, open as char
                    )
                };
                return Err(self.error_at_cursor(msg));
            }
        } else {
            let rest = &self.bytes[self.pos..self.bytes.len().min(self.pos + 3)];
            let op = OPERATORS.iter().find(|op| rest.starts_with(op.as_bytes()));
            match op {
                Some(op) => self.pos += op.len(),
                None => {
                    self.pos += 1;
                    if c.is_ascii_graphic() {
                        let op = match c {
                            b'$' => "$",
                            b'?' => "?",
                            b'!' => "!",
                            _ => "`",
                        };
                        let (s, e) = (self.pos_of(start), self.here());
                        self.push(Tok::Op(op), s, e);
                        return Ok(());
                    }
                    return Err(self
                        .error_at_cursor(format!("invalid non-printable character U+{:04X}", c)));
                }
            }
        }
        let text = &self.src[start..self.pos];
        let op = OPERATORS
            .iter()
            .copied()
            .find(|op| *op == text)
            .unwrap_or("?");
        let (s, e) = (self.pos_of(start), self.here());
        self.push(Tok::Op(op), s, e);
        Ok(())
    }

    fn number(&mut self, start: usize) -> Result<(), LexError> {
        let first = self.nextc();
        let mut radix = 10;
        let mut kind = NumKind::Int;
        let c = if first == b'.' {
            kind = NumKind::Float;
            let c = self.nextc();
            self.fraction_onward(c, &mut kind)?
        } else if first == b'0' {
            let c = self.nextc();
            let prefixed = match c {
                b'x' | b'X' => Some((16, "hexadecimal")),
                b'o' | b'O' => Some((8, "octal")),
                b'b' | b'B' => Some((2, "binary")),
                _ => None,
            };
            match prefixed {
                Some((r, name)) => {
                    radix = r;
                    self.prefixed_digits(r, name)?
                }
                None => self.after_leading_zero(c, start, &mut kind)?,
            }
        } else {
            let c = self.decimal_tail()?;
            if c == b'.' {
                kind = NumKind::Float;
                let c = self.nextc();
                self.fraction_onward(c, &mut kind)?
            } else {
                self.exponent_onward(c, &mut kind)?
            }
        };
        self.backup(c);
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let tok = match kind {
            NumKind::Imag => Tok::Imag,
            NumKind::Float => Tok::Float(crate::format::decimal_to_f64(&text)),
            NumKind::Int if radix != 10 => {
                Tok::Int(BigInt::parse_bytes(&text.as_bytes()[2..], radix).unwrap_or_default())
            }
            NumKind::Int => Tok::Int(BigInt::parse_bytes(text.as_bytes(), 10).unwrap_or_default()),
        };
        let (s, e) = (self.pos_of(start), self.here());
        self.push(tok, s, e);
        Ok(())
    }

    /// The digits after `0x`, `0o` or `0b`. Returns the character after them.
    fn prefixed_digits(&mut self, radix: u32, name: &str) -> Result<u8, LexError> {
        let mut c = self.nextc();
        loop {
            if c == b'_' {
                c = self.nextc();
            }
            if !is_digit_of(c, radix) {
                if radix != 16 && c.is_ascii_digit() {
                    return Err(self.error_at_cursor(format!(
                        "invalid digit '{}' in {name} literal",
                        c as char
                    )));
                }
                self.backup(c);
                return Err(self.error_at_cursor(format!("invalid {name} literal")));
            }
            while is_digit_of(c, radix) {
                c = self.nextc();
            }
            if c != b'_' {
                break;
            }
        }
        if radix != 16 && c.is_ascii_digit() {
            return Err(
                self.error_at_cursor(format!("invalid digit '{}' in {name} literal", c as char))
            );
        }
        self.verify_end_of_number(c, name)?;
        Ok(c)
    }

    /// A number starting with `0` and no radix prefix: zeros, or a float, or an error for
    /// an old-style octal such as `012`. `c` is the character after the first `0`.
    fn after_leading_zero(
        &mut self,
        mut c: u8,
        start: usize,
        kind: &mut NumKind,
    ) -> Result<u8, LexError> {
        loop {
            if c == b'_' {
                c = self.nextc();
                if !c.is_ascii_digit() {
                    self.backup(c);
                    return Err(self.error_at_cursor("invalid decimal literal"));
                }
            }
            if c != b'0' {
                break;
            }
            c = self.nextc();
        }
        let nonzero = c.is_ascii_digit();
        if nonzero {
            c = self.decimal_tail()?;
        }
        if c == b'.' {
            *kind = NumKind::Float;
            let c = self.nextc();
            return self.fraction_onward(c, kind);
        }
        if matches!(c, b'e' | b'E' | b'j' | b'J') {
            return self.exponent_onward(c, kind);
        }
        if nonzero {
            // CPython gives this one's byte column directly, not a character count.
            return Err(self.error(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                self.line,
                self.col_of(start) + 1,
            ));
        }
        self.verify_end_of_number(c, "decimal")?;
        Ok(c)
    }

    /// `c` is the character after a '.': optional digits, then the rest.
    fn fraction_onward(&mut self, mut c: u8, kind: &mut NumKind) -> Result<u8, LexError> {
        if c.is_ascii_digit() {
            c = self.decimal_tail()?;
        }
        self.exponent_onward(c, kind)
    }

    /// `c` is the character after the digits: an optional exponent, then an optional `j`.
    /// The `e` is only part of the number if digits follow it: `1else` is `1`, `else`.
    /// Returns the first character after the number.
    fn exponent_onward(&mut self, mut c: u8, kind: &mut NumKind) -> Result<u8, LexError> {
        if c == b'e' || c == b'E' {
            let e = c;
            c = self.nextc();
            if c == b'+' || c == b'-' {
                c = self.nextc();
                if !c.is_ascii_digit() {
                    self.backup(c);
                    return Err(self.error_at_cursor("invalid decimal literal"));
                }
            } else if !c.is_ascii_digit() {
                self.backup(c);
                self.verify_end_of_number(e, "decimal")?;
                return Ok(e);
            }
            *kind = NumKind::Float;
            c = self.decimal_tail()?;
        }
        if c == b'j' || c == b'J' {
            *kind = NumKind::Imag;
            c = self.nextc();
            self.verify_end_of_number(c, "imaginary")?;
        } else {
            self.verify_end_of_number(c, "decimal")?;
        }
        Ok(c)
    }

    /// Digits with single underscores between them. Returns the character after them.
    fn decimal_tail(&mut self) -> Result<u8, LexError> {
        loop {
            let mut c = self.nextc();
            while c.is_ascii_digit() {
                c = self.nextc();
            }
            if c != b'_' {
                return Ok(c);
            }
            c = self.nextc();
            if !c.is_ascii_digit() {
                self.backup(c);
                return Err(self.error_at_cursor("invalid decimal literal"));
            }
            self.backup(c);
        }
    }

    /// A number directly followed by a name is an error, except before the keywords that
    /// can follow a number in valid code (`1if x else y`), which CPython only warns about.
    fn verify_end_of_number(&mut self, c: u8, kind: &str) -> Result<(), LexError> {
        let after = &self.bytes[self.pos.min(self.bytes.len())..];
        let keyword_follows = match c {
            b'a' => after.starts_with(b"nd"),
            b'e' => after.starts_with(b"lse"),
            b'f' => after.starts_with(b"or"),
            b'i' => matches!(after.first(), Some(b'f' | b'n' | b's')),
            b'o' => after.starts_with(b"r"),
            b'n' => after.starts_with(b"ot"),
            _ => false,
        };
        if !keyword_follows && is_ident_char(c) {
            self.backup(c);
            return Err(self.error_at_cursor(format!("invalid {kind} literal")));
        }
        Ok(())
    }
}

const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "%", "&", "(", ")", "*", "+", ",", "-",
    ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 128
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 128
}

fn is_digit_of(c: u8, radix: u32) -> bool {
    (c as char).is_digit(radix)
}

fn is_string_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "f" | "b" | "br" | "rb" | "fr" | "rf"
    )
}

/// Approximates Unicode's XID_Start (Rust exposes the Alphabetic property, not XID).
fn is_xid_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_xid_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric() || matches!(c as u32, 0x300..=0x36f | 0x203f | 0x2040 | 0xb7)
}

/// Decodes a (non-raw) string literal body's escapes, as CPython's
/// `decode_unicode_with_escapes`. Unknown escapes keep their backslash.
pub fn decode_escapes(body: &str) -> Result<String, EscapeError> {
    let mut out = String::with_capacity(body.len());
    let chars: Vec<char> = body.chars().collect();
    // CPython turns each non-ASCII character into a 10-byte `\U` escape before decoding,
    // so error positions count them as 10.
    let mut cpos = 0usize;
    let mut i = 0;
    let width = |c: char| if c.is_ascii() { 1 } else { 10 };
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            out.push(c);
            cpos += width(c);
            i += 1;
            continue;
        }
        let start = cpos;
        let Some(&e) = chars.get(i + 1) else {
            return Err(EscapeError::Codec(format!(
                "'unicodeescape' codec can't decode byte 0x5c in position {start}: \\ at end of string"
            )));
        };
        i += 2;
        cpos += 1 + width(e);
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e as u32 - '0' as u32;
                for _ in 0..2 {
                    match chars.get(i) {
                        Some(&d @ '0'..='7') => {
                            v = v * 8 + (d as u32 - '0' as u32);
                            i += 1;
                            cpos += 1;
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let (count, name) = match e {
                    'x' => (2, "\\xXX"),
                    'u' => (4, "\\uXXXX"),
                    _ => (8, "\\UXXXXXXXX"),
                };
                let mut v: u32 = 0;
                for _ in 0..count {
                    match chars.get(i).and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            i += 1;
                            cpos += 1;
                        }
                        None => {
                            return Err(EscapeError::Codec(format!(
                                "'unicodeescape' codec can't decode bytes in position {start}-{}: truncated {name} escape",
                                cpos - 1
                            )));
                        }
                    }
                }
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None if (0xd800..0xe000).contains(&v) => return Err(EscapeError::Surrogate),
                    None => {
                        return Err(EscapeError::Codec(format!(
                            "'unicodeescape' codec can't decode bytes in position {start}-{}: illegal Unicode character",
                            cpos - 1
                        )));
                    }
                }
            }
            'N' => return Err(EscapeError::NamedEscape),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
pub enum EscapeError {
    /// CPython's codec message, without the "(unicode error) " prefix.
    Codec(String),
    /// `\N{...}`: needs the Unicode name table, which the subset leaves out.
    NamedEscape,
    /// A lone surrogate such as `\ud800`, which a Rust string cannot hold.
    Surrogate,
}
