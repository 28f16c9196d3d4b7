//! A hand-written recursive-descent parser for memlane's Python subset, following
//! CPython 3.11's grammar (`Grammar/python.gram`): same tree, same node positions, and
//! CPython's messages and locations for the common syntax errors. Constructs outside
//! the subset are reported as [`ParseErrorKind::Unsupported`].
//!
//! Recursion is bounded (see [`MAX_NESTING`]) so that no input can overflow the stack.

use std::fmt;

use crate::ast::*;
use crate::lexer::{
    self, char_offset, EscapeError, LexErrorKind, Lexed, Origin, StrLit, Tok, Token,
};

/// Budget for syntactic nesting, so that parsing (and walking the tree) cannot overflow
/// the stack. A nested expression costs [`EXPR_COST`], a prefix operator or `**`
/// [`PREFIX_COST`], a trailer (`.x`, `(...)`, `[...]`) or chained binary operator 1.
/// This admits CPython's 200 nested brackets; expression trees stay under 1000 deep.
pub const MAX_NESTING: u32 = 1000;
/// The error for nesting past [`MAX_NESTING`] (CPython's parser stack overflow).
pub const NESTED_TOO_DEEPLY: &str = "expression is nested too deeply";
const EXPR_COST: u32 = 4;
const PREFIX_COST: u32 = 2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A `SyntaxError` (or `IndentationError`/`TabError`) with CPython's message.
    Syntax(String),
    /// Valid Python outside memlane's subset; names the construct.
    Unsupported(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// 1-based line.
    pub line: u32,
    /// 1-based character column, like `SyntaxError.offset`.
    pub col: u32,
}

impl ParseError {
    /// The exception CPython would raise: "SyntaxError", "IndentationError" or "TabError".
    /// `None` for unsupported constructs.
    pub fn python_exception(&self) -> Option<&'static str> {
        match &self.kind {
            ParseErrorKind::Unsupported(_) => None,
            ParseErrorKind::Syntax(m) if m.starts_with("inconsistent use of tabs") => {
                Some("TabError")
            }
            ParseErrorKind::Syntax(m)
                if m == "unexpected indent"
                    || m == "unexpected unindent"
                    || m == "too many levels of indentation"
                    || m.starts_with("unindent does not match")
                    || m.starts_with("expected an indented block") =>
            {
                Some("IndentationError")
            }
            ParseErrorKind::Syntax(_) => Some("SyntaxError"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::Syntax(msg) => {
                write!(
                    f,
                    "{}: {msg} (line {})",
                    self.python_exception().unwrap_or("SyntaxError"),
                    self.line
                )
            }
            ParseErrorKind::Unsupported(what) => {
                write!(f, "`{what}` is not supported (line {})", self.line)
            }
        }
    }
}

impl std::error::Error for ParseError {}

type PResult<T> = Result<T, ParseError>;

/// A primary already parsed, with the index of its first token.
type Pre = Option<(Expr, usize)>;

/// Parses a module. Never panics; deep nesting gives an error rather than a stack overflow.
pub fn parse(source: &str) -> Result<Module, ParseError> {
    if let Some(at) = source.find('\0') {
        let line = source[..at].matches('\n').count() as u32 + 1;
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        let col = source[line_start..at].chars().count() as u32 + 1;
        return Err(syntax(
            "source code string cannot contain null bytes",
            line,
            col,
        ));
    }
    let lexed = lexer::tokenize(source);
    let module = {
        let mut p = Parser::new(&lexed, &lexed, None, 0);
        let result = p.file();
        result.map_err(|e| p.prefer_lex_error(e))?
    };
    Checker::new(&lexed).check(&module)?;
    Ok(module)
}

fn syntax(msg: impl Into<String>, line: u32, col: u32) -> ParseError {
    ParseError {
        kind: ParseErrorKind::Syntax(msg.into()),
        line,
        col,
    }
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// An end-of-tokens marker used after a tokenizer error.
static ERROR_TOKEN: Token = Token {
    tok: Tok::EndMarker,
    start: lexer::Pos { line: 0, col: 0 },
    end: lexer::Pos { line: 0, col: 0 },
    level: 0,
};

struct Parser<'a> {
    lexed: &'a Lexed,
    /// The whole file's tokens, for line texts (differs from `lexed` in f-strings).
    root: &'a Lexed,
    toks: &'a [Token],
    pos: usize,
    /// The furthest token looked at: CPython reports generic errors there.
    max_pos: usize,
    /// The furthest token looked at, even while looking for error hints.
    max_fetched: usize,
    depth: u32,
    /// Set while parsing an f-string replacement field's expression.
    fstring: Option<Origin>,
    /// Set while looking ahead for CPython's error hints, which must not nest
    /// (CPython's `expression_without_invalid`).
    quiet: bool,
    /// Set while parsing a `for` target: a top-level `in` ends it rather than comparing.
    stop_at_in: bool,
}

/// Which kind of target list a check is for (CPython's `TARGETS_TYPE`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Targets {
    Star,
    For,
    Del,
}

impl<'a> Parser<'a> {
    fn new(lexed: &'a Lexed, root: &'a Lexed, fstring: Option<Origin>, depth: u32) -> Parser<'a> {
        Parser {
            lexed,
            root,
            toks: &lexed.tokens,
            pos: 0,
            max_pos: 0,
            max_fetched: 0,
            depth,
            fstring,
            quiet: false,
            stop_at_in: false,
        }
    }

    // ----- Token access -----

    fn tok_at(&self, i: usize) -> &'a Token {
        match self.toks.get(i) {
            Some(t) => t,
            None if self.lexed.error.is_some() => &ERROR_TOKEN,
            None => self.toks.last().unwrap_or(&ERROR_TOKEN),
        }
    }

    fn peek(&mut self) -> &'a Token {
        self.peek_nth(0)
    }

    fn peek_nth(&mut self, n: usize) -> &'a Token {
        self.max_pos = self.max_pos.max(self.pos + n);
        self.max_fetched = self.max_fetched.max(self.pos + n);
        self.tok_at(self.pos + n)
    }

    fn advance(&mut self) -> &'a Token {
        let t = self.peek();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn at_op(&mut self, op: &str) -> bool {
        matches!(&self.peek().tok, Tok::Op(o) if *o == op)
    }

    fn at_kw(&mut self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Name(n) if n == kw)
    }

    fn at_newline(&mut self) -> bool {
        matches!(self.peek().tok, Tok::Newline)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.at_op(op);
        if yes {
            self.advance();
        }
        yes
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.at_kw(kw);
        if yes {
            self.advance();
        }
        yes
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(self.invalid_syntax())
        }
    }

    /// CPython's forced token (`&&':'`): "expected ':'" at whatever is there instead.
    fn expect_forced(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            return Ok(());
        }
        let t = self.peek();
        Err(self.error_at_token(format!("expected '{op}'"), t))
    }

    /// A colon after a header that CPython checks with `... NEWLINE { "expected ':'" }`.
    fn expect_colon_before_newline(&mut self) -> PResult<()> {
        if self.eat_op(":") {
            return Ok(());
        }
        if self.at_newline() {
            let t = self.peek();
            return Err(self.error_at_token("expected ':'", t));
        }
        Err(self.invalid_syntax())
    }

    fn start(&mut self) -> lexer::Pos {
        self.peek().start
    }

    fn prev_end(&self) -> lexer::Pos {
        if self.pos == 0 {
            return self.tok_at(0).start;
        }
        self.tok_at(self.pos - 1).end
    }

    fn loc_from(&self, start: lexer::Pos) -> Loc {
        let end = self.prev_end();
        Loc {
            line: start.line,
            col: start.col,
            end_line: end.line,
            end_col: end.col,
        }
    }

    fn name_token(&mut self) -> Option<(String, &'a Token)> {
        let t = self.peek();
        match &t.tok {
            Tok::Name(n) if !is_keyword(n) => {
                self.advance();
                Some((n.clone(), t))
            }
            _ => None,
        }
    }

    fn expect_name(&mut self) -> PResult<(String, &'a Token)> {
        match self.name_token() {
            Some(x) => Ok(x),
            None => Err(self.invalid_syntax()),
        }
    }

    // ----- Nesting budget -----

    fn enter(&mut self, cost: u32) -> PResult<()> {
        self.depth += cost;
        if self.depth > MAX_NESTING {
            let t = self.peek();
            return Err(self.error_at_token(NESTED_TOO_DEEPLY, t));
        }
        Ok(())
    }

    fn leave(&mut self, cost: u32) {
        self.depth -= cost;
    }

    /// Runs `f`; on failure restores the position and returns `None`.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> Option<T> {
        let (pos, depth, stop_at_in) = (self.pos, self.depth, self.stop_at_in);
        match f(self) {
            Ok(v) => Some(v),
            Err(_) => {
                self.pos = pos;
                self.depth = depth;
                self.stop_at_in = stop_at_in;
                None
            }
        }
    }

    /// Looks ahead for an error hint: runs `f` quietly, then restores everything, including
    /// how far the parser has looked (CPython reports generic errors where its first pass
    /// stopped, not where its hint-finding second pass got to).
    fn probe<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> Option<T> {
        let (pos, max_pos, quiet) = (self.pos, self.max_pos, self.quiet);
        self.quiet = true;
        let result = self.attempt(f);
        self.pos = pos;
        self.max_pos = max_pos;
        self.quiet = quiet;
        result
    }

    // ----- Errors -----

    fn offset_at(&self, pos: lexer::Pos) -> u32 {
        match self.fstring {
            None => self.root.char_offset(pos.line, pos.col),
            Some(o) => {
                let local_line = pos.line.saturating_sub(o.first_line) + 1;
                let col = if local_line == 1 {
                    pos.col.saturating_sub(o.first_col)
                } else {
                    pos.col
                };
                char_offset(self.lexed.line_text(local_line), col)
            }
        }
    }

    fn error_at(&self, msg: impl Into<String>, pos: lexer::Pos) -> ParseError {
        let mut msg = msg.into();
        if self.fstring.is_some() {
            msg = format!("f-string: {msg}");
        }
        syntax(msg, pos.line, self.offset_at(pos))
    }

    fn error_at_token(&self, msg: impl Into<String>, t: &Token) -> ParseError {
        if std::ptr::eq(t, &ERROR_TOKEN) {
            return self.lex_error();
        }
        let mut e = self.error_at(msg, t.start);
        if t.is_cursor_only() {
            let past_end = match self.fstring {
                None => (t.start.col as usize)
                    .saturating_sub(self.root.line_text(t.start.line).len())
                    as u32,
                Some(_) => 0,
            };
            e.col = e.col - 1 + past_end;
        }
        e
    }

    fn lex_error(&self) -> ParseError {
        match &self.lexed.error {
            Some(le) => syntax(le.msg.clone(), le.line, le.offset),
            None => syntax("invalid syntax", 1, 1),
        }
    }

    /// CPython's generic error, at the furthest token looked at.
    fn invalid_syntax(&self) -> ParseError {
        let t = self.tok_at(self.max_pos);
        match t.tok {
            Tok::Indent => self.error_at_token("unexpected indent", t),
            Tok::Dedent => self.error_at_token("unexpected unindent", t),
            _ => self.error_at_token("invalid syntax", t),
        }
    }

    fn unsupported(&self, what: &str, pos: lexer::Pos) -> ParseError {
        ParseError {
            kind: ParseErrorKind::Unsupported(what.to_string()),
            line: pos.line,
            col: self.root.char_offset(pos.line, pos.col),
        }
    }

    /// Which error CPython reports when the tokenizer also failed: the tokenizer's if the
    /// parser reached it. Otherwise CPython tokenizes the rest of the file (except after
    /// an unexpected indent) and a tokenizer error there wins, but an unclosed bracket
    /// only if it opened on a line before the furthest token the parser looked at.
    fn prefer_lex_error(&self, e: ParseError) -> ParseError {
        let Some(le) = &self.lexed.error else {
            return e;
        };
        if self.max_fetched >= self.toks.len() {
            return self.lex_error();
        }
        if matches!(&e.kind, ParseErrorKind::Syntax(m) if m == "unexpected indent" || m == "unexpected unindent")
        {
            return e;
        }
        let furthest_line = self.tok_at(self.max_fetched).start.line;
        let wins = match le.kind {
            LexErrorKind::Error => true,
            LexErrorKind::UnclosedBracket => le.line < furthest_line,
            LexErrorKind::Deferred => false,
        };
        if wins {
            return self.lex_error();
        }
        e
    }

    // ----- Statements -----

    fn file(&mut self) -> PResult<Module> {
        let mut body = Vec::new();
        loop {
            let t = self.peek();
            if std::ptr::eq(t, &ERROR_TOKEN) {
                return Err(self.lex_error());
            }
            if matches!(t.tok, Tok::EndMarker) {
                break;
            }
            body.extend(self.statement()?);
        }
        Ok(Module { body })
    }

    fn statement(&mut self) -> PResult<Vec<Stmt>> {
        let t = self.peek();
        let kw = match &t.tok {
            Tok::Name(n) => n.as_str(),
            Tok::Op("@") => return Err(self.unsupported("decorators", t.start)),
            _ => "",
        };
        let stmt = match kw {
            "if" => self.if_stmt()?,
            "while" => self.while_stmt()?,
            "for" => self.for_stmt()?,
            "try" => self.try_stmt()?,
            "def" => self.function_def()?,
            "class" => self.class_def()?,
            "with" => return Err(self.unsupported("with statement", t.start)),
            "async" => {
                let what = match &self.peek_nth(1).tok {
                    Tok::Name(n) if n == "def" => "async def",
                    Tok::Name(n) if n == "for" => "async for",
                    Tok::Name(n) if n == "with" => "async with",
                    _ => {
                        self.advance();
                        self.peek();
                        return Err(self.invalid_syntax());
                    }
                };
                return Err(self.unsupported(what, t.start));
            }
            "match" if self.looks_like_match() => {
                return Err(self.unsupported("match statement", t.start))
            }
            _ => return self.simple_stmts(),
        };
        Ok(vec![stmt])
    }

    /// `match` is a soft keyword: a statement only if `match <subject>:` then a newline.
    fn looks_like_match(&mut self) -> bool {
        let (pos, quiet) = (self.pos, self.quiet);
        self.quiet = true;
        self.advance();
        let ok = self.attempt(|p| p.star_expressions()).is_some()
            && self.eat_op(":")
            && self.at_newline();
        self.pos = pos;
        self.quiet = quiet;
        ok
    }

    fn simple_stmts(&mut self) -> PResult<Vec<Stmt>> {
        let mut stmts = vec![self.simple_stmt()?];
        while self.eat_op(";") {
            if self.at_newline() {
                break;
            }
            stmts.push(self.simple_stmt()?);
        }
        if !self.at_newline() {
            return Err(self.invalid_syntax());
        }
        self.advance();
        Ok(stmts)
    }

    fn simple_stmt(&mut self) -> PResult<Stmt> {
        let start = self.start();
        let t = self.peek();
        let kw = match &t.tok {
            Tok::Name(n) => n.as_str(),
            _ => "",
        };
        let kind = match kw {
            "pass" => {
                self.advance();
                StmtKind::Pass
            }
            "break" => {
                self.advance();
                StmtKind::Break
            }
            "continue" => {
                self.advance();
                StmtKind::Continue
            }
            "return" => {
                self.advance();
                let value = if self.can_start_expression() {
                    Some(self.star_expressions()?)
                } else {
                    None
                };
                StmtKind::Return(value)
            }
            "raise" => {
                self.advance();
                let mut exc = None;
                let mut cause = None;
                if self.can_start_expression() {
                    exc = Some(self.expression()?);
                    if self.eat_kw("from") {
                        cause = Some(self.expression()?);
                    }
                }
                StmtKind::Raise { exc, cause }
            }
            "global" | "nonlocal" => {
                self.advance();
                let mut names = vec![self.expect_name()?.0];
                while self.eat_op(",") {
                    names.push(self.expect_name()?.0);
                }
                if kw == "global" {
                    StmtKind::Global(names)
                } else {
                    StmtKind::Nonlocal(names)
                }
            }
            "del" => self.del_stmt()?,
            "assert" => {
                self.advance();
                let test = self.expression()?;
                let msg = if self.eat_op(",") {
                    Some(self.expression()?)
                } else {
                    None
                };
                StmtKind::Assert { test, msg }
            }
            "import" => self.import_stmt()?,
            "from" => self.import_from()?,
            _ => return self.expr_or_assign_stmt(),
        };
        Ok(Stmt {
            kind,
            loc: self.loc_from(start),
        })
    }

    fn del_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut targets = Vec::new();
        loop {
            let mut e = self.star_expression()?;
            if let Some(bad) = invalid_target(&e, Targets::Del) {
                return Err(self.error_at(format!("cannot delete {}", expr_name(bad)), pos_of(bad)));
            }
            set_ctx(&mut e, ExprContext::Del);
            targets.push(e);
            if !self.eat_op(",") || !self.can_start_expression() {
                break;
            }
        }
        Ok(StmtKind::Delete(targets))
    }

    fn dotted_name(&mut self) -> PResult<String> {
        let mut name = self.expect_name()?.0;
        while self.at_op(".") {
            self.advance();
            name.push('.');
            name.push_str(&self.expect_name()?.0);
        }
        Ok(name)
    }

    fn import_stmt(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut names = Vec::new();
        loop {
            let start = self.start();
            let name = self.dotted_name()?;
            let asname = if self.eat_kw("as") {
                Some(self.expect_name()?.0)
            } else {
                None
            };
            names.push(Alias {
                name,
                asname,
                loc: self.loc_from(start),
            });
            if !self.eat_op(",") {
                break;
            }
        }
        Ok(StmtKind::Import(names))
    }

    fn import_from(&mut self) -> PResult<StmtKind> {
        self.advance();
        let mut level = 0;
        loop {
            if self.eat_op(".") {
                level += 1;
            } else if self.eat_op("...") {
                level += 3;
            } else {
                break;
            }
        }
        let module = if level == 0 || !self.at_kw("import") {
            Some(self.dotted_name()?)
        } else {
            None
        };
        if !self.eat_kw("import") {
            return Err(self.invalid_syntax());
        }
        if self.at_op("*") {
            let t = self.peek();
            return Err(self.unsupported("star imports", t.start));
        }
        let parens = self.eat_op("(");
        let mut names = Vec::new();
        loop {
            let (name, t) = self.expect_name()?;
            let asname = if self.eat_kw("as") {
                Some(self.expect_name()?.0)
            } else {
                None
            };
            names.push(Alias {
                name,
                asname,
                loc: self.loc_from(t.start),
            });
            if !self.eat_op(",") {
                break;
            }
            if parens && self.at_op(")") {
                break;
            }
        }
        if parens {
            self.expect_op(")")?;
        }
        Ok(StmtKind::ImportFrom {
            module,
            names,
            level,
        })
    }

    fn expr_or_assign_stmt(&mut self) -> PResult<Stmt> {
        let start = self.start();
        let first = if self.at_kw("yield") {
            self.yield_expr()?
        } else {
            self.star_expressions()?
        };
        // CPython's annotation rules need an expression after the colon; its first pass
        // looks there, so a generic error may be reported there too.
        if self.at_op(":") {
            let max_pos = self.max_pos;
            let annotated = self.probe(|p| {
                p.advance();
                p.peek();
                p.expression()
            });
            // Only single targets have annotation rules that get past the colon.
            if matches!(
                first.kind,
                ExprKind::Name { .. } | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
            ) {
                self.max_pos = max_pos.max(self.pos + 1);
            } else {
                self.max_pos = max_pos;
            }
            if annotated.is_some() {
                return Err(self.annotation_error(&first));
            }
        }
        if let Tok::Op(op) = self.peek().tok {
            if let Some(op) = aug_operator(op) {
                if !matches!(
                    first.kind,
                    ExprKind::Name { .. } | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
                ) {
                    return Err(self.error_at(
                        format!(
                            "'{}' is an illegal expression for augmented assignment",
                            expr_name(&first)
                        ),
                        pos_of(&first),
                    ));
                }
                self.advance();
                let value = if self.at_kw("yield") {
                    self.yield_expr()?
                } else {
                    self.star_expressions()?
                };
                let mut target = first;
                set_ctx(&mut target, ExprContext::Store);
                let kind = StmtKind::AugAssign { target, op, value };
                return Ok(Stmt {
                    kind,
                    loc: self.loc_from(start),
                });
            }
        }
        if !self.at_op("=") {
            return Ok(Stmt {
                kind: StmtKind::Expr(first),
                loc: self.loc_from(start),
            });
        }
        let mut items = vec![first];
        let mut value_start = 0;
        while self.eat_op("=") {
            let before = self.pos;
            let item = if self.at_kw("yield") {
                self.yield_expr()?
            } else {
                self.star_expressions()?
            };
            value_start = before;
            items.push(item);
        }
        let Some(value) = items.pop() else {
            return Err(self.invalid_syntax());
        };
        for (i, target) in items.iter().enumerate() {
            if matches!(target.kind, ExprKind::Yield(_) | ExprKind::YieldFrom(_)) {
                return Err(self.error_at(
                    "assignment to yield expression not possible",
                    pos_of(target),
                ));
            }
            if i == 0
                && items.len() == 1
                && invalid_target(target, Targets::Star).is_some()
                && self.starts_with_bitwise_or(value_start)
            {
                if let Some(e) = self.maybe_meant_equals(target) {
                    return Err(e);
                }
            }
            if let Some(bad) = invalid_target(target, Targets::Star) {
                return Err(
                    self.error_at(format!("cannot assign to {}", expr_name(bad)), pos_of(bad))
                );
            }
        }
        let mut targets = items;
        for t in &mut targets {
            set_ctx(t, ExprContext::Store);
        }
        Ok(Stmt {
            kind: StmtKind::Assign { targets, value },
            loc: self.loc_from(start),
        })
    }

    /// Whether the tokens `from..to` form a `bitwise_or` (CPython's
    /// `invalid_named_expression` only fires for those).
    fn parses_as_bitwise_or(&mut self, from: usize, to: usize) -> bool {
        self.probe(|p| {
            p.pos = from;
            p.binary(0, None)?;
            Ok(p.pos == to)
        }) == Some(true)
    }

    /// Whether the tokens from `from` begin with a `bitwise_or` that no `=` or `:=` follows.
    fn starts_with_bitwise_or(&mut self, from: usize) -> bool {
        self.probe(|p| {
            p.pos = from;
            p.binary(0, None)?;
            Ok(!p.at_op("=") && !p.at_op(":="))
        }) == Some(true)
    }

    /// CPython 3.11's `invalid_named_expression` messages for `target = value` with a
    /// bad target: "cannot assign to X here. Maybe you meant '==' instead of '='?", or for
    /// a name at the end of a bad target tuple "invalid syntax. Maybe you meant '==' or
    /// ':=' instead of '='?".
    fn maybe_meant_equals(&self, target: &Expr) -> Option<ParseError> {
        let last = match &target.kind {
            ExprKind::Tuple { elts, .. } if !self.starts_with_paren(target) => elts.last()?,
            _ => target,
        };
        if matches!(last.kind, ExprKind::Name { .. }) {
            return Some(self.error_at(
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                pos_of(last),
            ));
        }
        let excluded = matches!(
            last.kind,
            ExprKind::List { .. }
                | ExprKind::Tuple { .. }
                | ExprKind::GeneratorExp { .. }
                | ExprKind::Constant(Constant::True | Constant::False | Constant::None)
                | ExprKind::BoolOp { .. }
                | ExprKind::Compare { .. }
                | ExprKind::IfExp { .. }
                | ExprKind::Lambda { .. }
                | ExprKind::Starred { .. }
                | ExprKind::UnaryOp {
                    op: UnaryOp::Not,
                    ..
                }
        );
        if excluded {
            return None;
        }
        Some(self.error_at(
            format!(
                "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                expr_name(last)
            ),
            pos_of(last),
        ))
    }

    fn starts_with_paren(&self, e: &Expr) -> bool {
        self.toks
            .iter()
            .find(|t| t.start.line == e.loc.line && t.start.col == e.loc.col)
            .is_some_and(|t| matches!(t.tok, Tok::Op("(")))
    }

    fn annotation_error(&mut self, target: &Expr) -> ParseError {
        match &target.kind {
            ExprKind::Name { .. } | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {
                self.unsupported("type annotations", pos_of(target))
            }
            ExprKind::Tuple { .. } => self.error_at(
                "only single target (not tuple) can be annotated",
                pos_of(target),
            ),
            ExprKind::List { .. } => self.error_at(
                "only single target (not list) can be annotated",
                pos_of(target),
            ),
            _ => self.error_at("illegal target for annotation", pos_of(target)),
        }
    }

    /// `NEWLINE INDENT statements DEDENT` or simple statements on the header's line.
    fn block(&mut self, what: &str, header_line: u32) -> PResult<Vec<Stmt>> {
        if !self.at_newline() {
            return self.simple_stmts();
        }
        self.advance();
        let t = self.peek();
        if !matches!(t.tok, Tok::Indent) {
            return Err(self.error_at_token(
                format!("expected an indented block after {what} on line {header_line}"),
                t,
            ));
        }
        self.advance();
        let mut body = Vec::new();
        while !matches!(self.peek().tok, Tok::Dedent) {
            if std::ptr::eq(self.peek(), &ERROR_TOKEN) {
                return Err(self.lex_error());
            }
            body.extend(self.statement()?);
        }
        self.advance();
        Ok(body)
    }

    /// The span from `start` to the end of the last statement of the last non-empty block.
    fn span_to(start: lexer::Pos, blocks: &[&[Stmt]]) -> Loc {
        let end = blocks
            .iter()
            .rev()
            .find_map(|b| b.last())
            .map(|s| (s.loc.end_line, s.loc.end_col));
        let (end_line, end_col) = end.unwrap_or((start.line, start.col));
        Loc {
            line: start.line,
            col: start.col,
            end_line,
            end_col,
        }
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        let what = if matches!(&t.tok, Tok::Name(n) if n == "elif") {
            "'elif' statement"
        } else {
            "'if' statement"
        };
        let test = self.named_expression()?;
        self.expect_colon_before_newline()?;
        let body = self.block(what, t.start.line)?;
        let orelse = if self.at_kw("elif") {
            vec![self.if_stmt()?]
        } else if self.at_kw("else") {
            self.else_block()?
        } else {
            Vec::new()
        };
        let loc = Self::span_to(t.start, &[&body, &orelse]);
        Ok(Stmt {
            kind: StmtKind::If { test, body, orelse },
            loc,
        })
    }

    fn else_block(&mut self) -> PResult<Vec<Stmt>> {
        let t = self.advance();
        self.expect_forced(":")?;
        self.block("'else' statement", t.start.line)
    }

    fn while_stmt(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        let test = self.named_expression()?;
        self.expect_colon_before_newline()?;
        let body = self.block("'while' statement", t.start.line)?;
        let orelse = if self.at_kw("else") {
            self.else_block()?
        } else {
            Vec::new()
        };
        let loc = Self::span_to(t.start, &[&body, &orelse]);
        Ok(Stmt {
            kind: StmtKind::While { test, body, orelse },
            loc,
        })
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        let target = self.for_target()?;
        let iter = self.star_expressions()?;
        self.expect_colon_before_newline()?;
        let body = self.block("'for' statement", t.start.line)?;
        let orelse = if self.at_kw("else") {
            self.else_block()?
        } else {
            Vec::new()
        };
        let loc = Self::span_to(t.start, &[&body, &orelse]);
        Ok(Stmt {
            kind: StmtKind::For {
                target,
                iter,
                body,
                orelse,
            },
            loc,
        })
    }

    /// The target of a `for` (statement or comprehension) and its `in`. Parsed as
    /// expressions that stop at a top-level `in`, then checked, as CPython's
    /// `invalid_for_target` does.
    fn for_target(&mut self) -> PResult<Expr> {
        let stop_at_in = self.stop_at_in;
        self.stop_at_in = true;
        let e = self.star_expressions();
        self.stop_at_in = stop_at_in;
        let mut target = e?;
        if let Some(bad) = invalid_target(&target, Targets::For) {
            return Err(self.error_at(format!("cannot assign to {}", expr_name(bad)), pos_of(bad)));
        }
        if !self.eat_kw("in") {
            return Err(self.invalid_syntax());
        }
        set_ctx(&mut target, ExprContext::Store);
        Ok(target)
    }

    fn try_stmt(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        self.expect_forced(":")?;
        let body = self.block("'try' statement", t.start.line)?;
        let mut handlers = Vec::new();
        while self.at_kw("except") {
            let et = self.advance();
            if self.at_op("*") {
                return Err(self.unsupported("except* (exception groups)", et.start));
            }
            let mut type_ = None;
            let mut name = None;
            if !self.at_op(":") && !self.at_newline() {
                let e = self.expression()?;
                if self.at_op(",") {
                    let unparenthesized = self.probe(|p| {
                        p.advance();
                        p.expression()?;
                        while p.eat_op(",") {
                            p.expression()?;
                        }
                        Ok(p.at_op(":") || p.at_kw("as"))
                    });
                    if unparenthesized == Some(true) {
                        return Err(self.error_at(
                            "multiple exception types must be parenthesized",
                            pos_of(&e),
                        ));
                    }
                    return Err(self.invalid_syntax());
                }
                type_ = Some(e);
                if self.eat_kw("as") {
                    name = Some(self.expect_name()?.0);
                }
            }
            self.expect_colon_before_newline()?;
            let hbody = self.block("'except' statement", et.start.line)?;
            let loc = Self::span_to(et.start, &[&hbody]);
            handlers.push(ExceptHandler {
                type_,
                name,
                body: hbody,
                loc,
            });
        }
        let orelse = if !handlers.is_empty() && self.at_kw("else") {
            self.else_block()?
        } else {
            Vec::new()
        };
        let mut finalbody = Vec::new();
        if self.at_kw("finally") {
            let ft = self.advance();
            self.expect_forced(":")?;
            finalbody = self.block("'finally' statement", ft.start.line)?;
        }
        if handlers.is_empty() && finalbody.is_empty() {
            let t = self.peek();
            return Err(self.error_at_token("expected 'except' or 'finally' block", t));
        }
        let last_handler = handlers.last().map_or(&[][..], |h| &h.body[..]);
        let loc = Self::span_to(t.start, &[&body, last_handler, &orelse, &finalbody]);
        Ok(Stmt {
            kind: StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody: finalbody.into(),
            },
            loc,
        })
    }

    fn function_def(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        let (name, _) = self.expect_name()?;
        self.expect_forced("(")?;
        let args = self.parameters(")", true)?;
        self.expect_op(")")?;
        if self.at_op("->") {
            let a = self.peek();
            return Err(self.unsupported("type annotations", a.start));
        }
        self.expect_forced(":")?;
        let body = self.block("function definition", t.start.line)?;
        let loc = Self::span_to(t.start, &[&body]);
        Ok(Stmt {
            kind: StmtKind::FunctionDef {
                name,
                args: Box::new(args),
                body,
            },
            loc,
        })
    }

    fn class_def(&mut self) -> PResult<Stmt> {
        let t = self.advance();
        let (name, _) = self.expect_name()?;
        let mut bases = Vec::new();
        if self.eat_op("(") {
            let (args, keywords) = self.call_args()?;
            if let Some(k) = keywords.first() {
                return Err(self.unsupported("class keyword arguments", pos_of_loc(&k.loc)));
            }
            bases = args;
        }
        self.expect_colon_before_newline()?;
        let body = self.block("class definition", t.start.line)?;
        let loc = Self::span_to(t.start, &[&body]);
        Ok(Stmt {
            kind: StmtKind::ClassDef { name, bases, body },
            loc,
        })
    }

    /// Parameters up to (not including) `close`: `)` for `def`, `:` for `lambda`.
    fn parameters(&mut self, close: &str, is_def: bool) -> PResult<Arguments> {
        let mut a = Arguments::default();
        // Positional parameters so far, and how many of them have defaults.
        let mut positional: Vec<Arg> = Vec::new();
        let mut seen_slash = false;
        let mut seen_star = false;
        let mut star_tok: Option<&Token> = None;
        let mut seen_kwarg = false;
        let mut last_was_bare_star = false;
        while !self.at_op(close) {
            let t = self.peek();
            if seen_kwarg {
                return Err(self.error_at_token("arguments cannot follow var-keyword argument", t));
            }
            if self.at_op("/") {
                if seen_slash {
                    return Err(self.error_at_token("/ may appear only once", t));
                }
                if seen_star {
                    return Err(self.error_at_token("/ must be ahead of *", t));
                }
                if positional.is_empty() {
                    return Err(self.invalid_syntax());
                }
                self.advance();
                seen_slash = true;
                a.posonlyargs = std::mem::take(&mut positional);
            } else if self.at_op("*") {
                if seen_star {
                    return Err(self.error_at_token("* argument may appear only once", t));
                }
                self.advance();
                seen_star = true;
                star_tok = Some(t);
                if self.at_op(",") || self.at_op(close) {
                    last_was_bare_star = true;
                } else {
                    a.vararg = Some(self.param(is_def)?);
                    if self.at_op("=") {
                        let t = self.peek();
                        return Err(self.error_at_token(
                            "var-positional argument cannot have default value",
                            t,
                        ));
                    }
                }
            } else if self.at_op("**") {
                self.advance();
                if last_was_bare_star {
                    return Err(self.error_at_token(
                        "named arguments must follow bare *",
                        star_tok.unwrap_or(t),
                    ));
                }
                a.kwarg = Some(self.param(is_def)?);
                if self.at_op("=") {
                    let t = self.peek();
                    return Err(
                        self.error_at_token("var-keyword argument cannot have default value", t)
                    );
                }
                seen_kwarg = true;
            } else {
                let p = self.param(is_def)?;
                let default = if self.eat_op("=") {
                    Some(self.expression()?)
                } else {
                    None
                };
                if seen_star {
                    last_was_bare_star = false;
                    a.kwonlyargs.push(p);
                    a.kw_defaults.push(default);
                } else {
                    match default {
                        Some(d) => a.defaults.push(d),
                        None if !a.defaults.is_empty() => {
                            return Err(self.error_at_token(
                                "non-default argument follows default argument",
                                t,
                            ));
                        }
                        None => {}
                    }
                    positional.push(p);
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if last_was_bare_star {
            if let Some(t) = star_tok {
                return Err(self.error_at_token("named arguments must follow bare *", t));
            }
        }
        a.args = positional;
        Ok(a)
    }

    fn param(&mut self, is_def: bool) -> PResult<Arg> {
        let (name, t) = self.expect_name()?;
        if is_def && self.at_op(":") {
            return Err(self.unsupported("type annotations", t.start));
        }
        Ok(Arg {
            arg: name,
            loc: self.loc_from(t.start),
        })
    }

    // ----- Expressions -----

    /// Whether the next token can begin an expression.
    fn can_start_expression(&mut self) -> bool {
        match &self.peek().tok {
            Tok::Name(n) => {
                !is_keyword(n)
                    || matches!(
                        n.as_str(),
                        "not" | "lambda" | "None" | "True" | "False" | "await"
                    )
            }
            Tok::Int(_) | Tok::Float(_) | Tok::Imag | Tok::Str(_) => true,
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "-" | "+" | "~" | "..." | "*"),
            _ => false,
        }
    }

    fn star_expressions(&mut self) -> PResult<Expr> {
        let start = self.start();
        let first = self.star_expression()?;
        if !self.at_op(",") {
            return Ok(first);
        }
        let mut elts = vec![first];
        while self.eat_op(",") {
            if !self.can_start_expression() {
                break;
            }
            elts.push(self.star_expression()?);
        }
        Ok(Expr {
            kind: ExprKind::Tuple {
                elts,
                ctx: ExprContext::Load,
            },
            loc: self.loc_from(start),
        })
    }

    fn star_expression(&mut self) -> PResult<Expr> {
        if self.at_op("*") {
            let start = self.start();
            self.advance();
            let value = self.binary(0, None)?;
            return Ok(Expr {
                kind: ExprKind::Starred {
                    value: Box::new(value),
                    ctx: ExprContext::Load,
                },
                loc: self.loc_from(start),
            });
        }
        self.expression()
    }

    #[inline(always)]
    fn star_named_expression(&mut self) -> PResult<Expr> {
        if self.at_op("*") {
            return self.star_expression();
        }
        self.named_expression()
    }

    // The functions from here to `atom` recurse once per nesting level, so each keeps
    // only its pass-through case and leaves building nodes to `#[inline(never)]`
    // helpers: that keeps their stack frames small (see `MAX_NESTING`).

    /// An expression where CPython's grammar allows `:=`; also gives CPython's hints for
    /// `=` written where `==` was meant.
    fn named_expression(&mut self) -> PResult<Expr> {
        let before = self.pos;
        let e = self.expression()?;
        if self.at_op(":=") || (!self.quiet && self.at_op("=")) {
            return self.named_expression_error(e, before);
        }
        Ok(e)
    }

    #[inline(never)]
    fn named_expression_error(&mut self, e: Expr, before: usize) -> PResult<Expr> {
        if self.at_op(":=") {
            return Err(self.unsupported("walrus operator (:=)", pos_of(&e)));
        }
        if !self.parses_as_bitwise_or(before, self.pos) {
            return Ok(e);
        }
        let after_eq = self.probe(|p| {
            p.advance();
            p.binary(0, None)?;
            if p.at_op("=") || p.at_op(":=") {
                return Err(p.invalid_syntax());
            }
            Ok(())
        });
        if after_eq.is_none() {
            return Ok(e);
        }
        if matches!(e.kind, ExprKind::Name { .. }) {
            return Err(self.error_at(
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                pos_of(&e),
            ));
        }
        let excluded = matches!(
            e.kind,
            ExprKind::List { .. }
                | ExprKind::Tuple { .. }
                | ExprKind::GeneratorExp { .. }
                | ExprKind::Constant(Constant::True | Constant::False | Constant::None)
        );
        if excluded {
            return Ok(e);
        }
        Err(self.error_at(
            format!(
                "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                expr_name(&e)
            ),
            pos_of(&e),
        ))
    }

    fn expression(&mut self) -> PResult<Expr> {
        self.enter(EXPR_COST)?;
        let start_pos = self.pos;
        let e = if self.at_kw("lambda") {
            self.lambda()
        } else if self.starts_primary() {
            // Fast path: a primary with no operator after it skips the precedence chain.
            match self.primary() {
                Ok(p) if self.at_chain_operator() => self.disjunction(Some((p, start_pos))),
                other => other,
            }
        } else {
            self.disjunction(None)
        };
        let e = match e {
            Ok(e) if self.at_kw("if") || (!self.quiet && self.can_start_expression()) => {
                self.expression_rest(e, start_pos)
            }
            other => other,
        };
        self.leave(EXPR_COST);
        e
    }

    fn starts_primary(&mut self) -> bool {
        match &self.peek().tok {
            Tok::Name(n) => !is_keyword(n) || matches!(n.as_str(), "None" | "True" | "False"),
            Tok::Int(_) | Tok::Float(_) | Tok::Str(_) => true,
            Tok::Op(o) => matches!(*o, "(" | "[" | "{" | "..."),
            _ => false,
        }
    }

    /// Whether the current token continues an expression inside the `disjunction` chain.
    fn at_chain_operator(&mut self) -> bool {
        match &self.peek().tok {
            Tok::Name(n) => matches!(n.as_str(), "or" | "and" | "not" | "in" | "is"),
            Tok::Op(o) => matches!(
                *o,
                "|" | "^"
                    | "&"
                    | "<<"
                    | ">>"
                    | "+"
                    | "-"
                    | "*"
                    | "/"
                    | "//"
                    | "%"
                    | "@"
                    | "**"
                    | "=="
                    | "!="
                    | "<"
                    | "<="
                    | ">"
                    | ">="
            ),
            _ => false,
        }
    }

    /// After a disjunction: a conditional expression, or CPython's hints for a missing comma.
    #[inline(never)]
    fn expression_rest(&mut self, body: Expr, start_pos: usize) -> PResult<Expr> {
        if matches!(body.kind, ExprKind::Lambda { .. }) {
            return Ok(body);
        }
        let start = self.tok_at(start_pos).start;
        if self.at_kw("if") {
            self.advance();
            let test = self.disjunction(None)?;
            if !self.eat_kw("else") {
                if self.at_op(":") {
                    return Err(self.invalid_syntax());
                }
                return Err(self.error_at("expected 'else' after 'if' expression", start));
            }
            let orelse = self.expression()?;
            return Ok(Expr {
                kind: ExprKind::IfExp {
                    test: Box::new(test),
                    body: Box::new(body),
                    orelse: Box::new(orelse),
                },
                loc: self.loc_from(start),
            });
        }
        if !self.at_op("*") {
            self.check_missing_comma(&body, start_pos)?;
        }
        Ok(body)
    }

    /// CPython's `invalid_expression` and `invalid_legacy_expression`: an expression
    /// directly followed by another one.
    #[inline(never)]
    fn check_missing_comma(&mut self, a: &Expr, a_pos: usize) -> PResult<()> {
        let legacy = match &a.kind {
            ExprKind::Name { id, .. } if id == "print" || id == "exec" => Some(id.clone()),
            _ => None,
        };
        if let Some(name) = legacy {
            if !self.at_op("(") && self.probe(|p| p.star_expressions()).is_some() {
                return Err(self.error_at(
                    format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?"),
                    pos_of(a),
                ));
            }
            return Ok(());
        }
        // `!(NAME STRING | SOFT_KEYWORD)` at the start of `a`.
        let first = self.tok_at(a_pos);
        let second = self.tok_at(a_pos + 1);
        if let Tok::Name(n) = &first.tok {
            if matches!(second.tok, Tok::Str(_)) || matches!(n.as_str(), "match" | "case" | "_") {
                return Ok(());
            }
        }
        // PEG backtracking accepts any prefix that is an expression, such as `f` in `f + or`.
        let b_end = self.probe(|p| {
            let b_start = p.pos;
            if p.expression().is_err() {
                p.pos = b_start;
                while matches!(p.peek().tok, Tok::Op("-" | "+" | "~")) || p.at_kw("not") {
                    p.advance();
                }
                p.primary()?;
            }
            Ok(p.pos)
        });
        if let Some(end) = b_end {
            if self.tok_at(end.saturating_sub(1)).level > 0 {
                return Err(self.error_at("invalid syntax. Perhaps you forgot a comma?", pos_of(a)));
            }
        }
        Ok(())
    }

    #[inline(never)]
    fn lambda(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        let args = self.parameters(":", false)?;
        self.expect_op(":")?;
        let body = self.expression()?;
        Ok(Expr {
            kind: ExprKind::Lambda {
                args: Box::new(args),
                body: Box::new(body),
            },
            loc: self.loc_from(start),
        })
    }

    /// `pre` is a primary the caller has already parsed, with the index of its first token.
    fn disjunction(&mut self, pre: Pre) -> PResult<Expr> {
        let start_pos = pre.as_ref().map_or(self.pos, |p| p.1);
        let first = self.conjunction(pre)?;
        if self.at_kw("or") {
            return self.bool_op_rest(first, start_pos, BoolOp::Or);
        }
        Ok(first)
    }

    fn conjunction(&mut self, pre: Pre) -> PResult<Expr> {
        let start_pos = pre.as_ref().map_or(self.pos, |p| p.1);
        let first = self.inversion(pre)?;
        if self.at_kw("and") {
            return self.bool_op_rest(first, start_pos, BoolOp::And);
        }
        Ok(first)
    }

    #[inline(never)]
    fn bool_op_rest(&mut self, first: Expr, start_pos: usize, op: BoolOp) -> PResult<Expr> {
        let kw = if op == BoolOp::Or { "or" } else { "and" };
        let mut values = vec![first];
        while self.eat_kw(kw) {
            values.push(if op == BoolOp::Or {
                self.conjunction(None)?
            } else {
                self.inversion(None)?
            });
        }
        Ok(Expr {
            kind: ExprKind::BoolOp { op, values },
            loc: self.loc_from(self.tok_at(start_pos).start),
        })
    }

    fn inversion(&mut self, pre: Pre) -> PResult<Expr> {
        if pre.is_none() && self.at_kw("not") {
            return self.not_rest();
        }
        self.comparison(pre)
    }

    #[inline(never)]
    fn not_rest(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        self.enter(PREFIX_COST)?;
        let operand = self.inversion(None)?;
        self.leave(PREFIX_COST);
        Ok(Expr {
            kind: ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand: Box::new(operand),
            },
            loc: self.loc_from(start),
        })
    }

    fn comparison(&mut self, pre: Pre) -> PResult<Expr> {
        let start_pos = pre.as_ref().map_or(self.pos, |p| p.1);
        let left = self.binary(0, pre)?;
        if self.comparison_operator().is_some() {
            return self.comparison_rest(left, start_pos);
        }
        Ok(left)
    }

    /// The comparison operator at the current token and how many tokens it takes.
    fn comparison_operator(&mut self) -> Option<(CmpOp, usize)> {
        Some(match &self.peek().tok {
            Tok::Op("==") => (CmpOp::Eq, 1),
            Tok::Op("!=") => (CmpOp::NotEq, 1),
            Tok::Op("<") => (CmpOp::Lt, 1),
            Tok::Op("<=") => (CmpOp::LtE, 1),
            Tok::Op(">") => (CmpOp::Gt, 1),
            Tok::Op(">=") => (CmpOp::GtE, 1),
            Tok::Name(n) if n == "in" && !self.stop_at_in => (CmpOp::In, 1),
            Tok::Name(n) if n == "is" => {
                if matches!(&self.peek_nth(1).tok, Tok::Name(n) if n == "not") {
                    (CmpOp::IsNot, 2)
                } else {
                    (CmpOp::Is, 1)
                }
            }
            Tok::Name(n) if n == "not" && !self.stop_at_in => {
                if matches!(&self.peek_nth(1).tok, Tok::Name(n) if n == "in") {
                    (CmpOp::NotIn, 2)
                } else {
                    return None;
                }
            }
            _ => return None,
        })
    }

    #[inline(never)]
    fn comparison_rest(&mut self, left: Expr, start_pos: usize) -> PResult<Expr> {
        let mut ops = Vec::new();
        let mut comparators = Vec::new();
        while let Some((op, len)) = self.comparison_operator() {
            for _ in 0..len {
                self.advance();
            }
            ops.push(op);
            comparators.push(self.binary(0, None)?);
        }
        let loc = self.loc_from(self.tok_at(start_pos).start);
        Ok(Expr {
            kind: ExprKind::Compare {
                left: Box::new(left),
                ops,
                comparators,
            },
            loc,
        })
    }

    /// The binary operator at the current token and its precedence level (0 is `|`).
    fn binary_operator(&mut self) -> Option<(Operator, u8)> {
        Some(match self.peek().tok {
            Tok::Op("|") => (Operator::BitOr, 0),
            Tok::Op("^") => (Operator::BitXor, 1),
            Tok::Op("&") => (Operator::BitAnd, 2),
            Tok::Op("<<") => (Operator::LShift, 3),
            Tok::Op(">>") => (Operator::RShift, 3),
            Tok::Op("+") => (Operator::Add, 4),
            Tok::Op("-") => (Operator::Sub, 4),
            Tok::Op("*") => (Operator::Mult, 5),
            Tok::Op("/") => (Operator::Div, 5),
            Tok::Op("//") => (Operator::FloorDiv, 5),
            Tok::Op("%") => (Operator::Mod, 5),
            Tok::Op("@") => (Operator::MatMult, 5),
            _ => return None,
        })
    }

    /// Binary operators from `|` down to `*`, by precedence climbing: this parses
    /// operators of precedence `min` or higher.
    fn binary(&mut self, min: u8, pre: Pre) -> PResult<Expr> {
        let start_pos = pre.as_ref().map_or(self.pos, |p| p.1);
        let left = self.factor(pre)?;
        match self.binary_operator() {
            Some((_, prec)) if prec >= min => self.binary_rest(left, start_pos, min),
            _ => Ok(left),
        }
    }

    #[inline(never)]
    fn binary_rest(&mut self, mut left: Expr, start_pos: usize, min: u8) -> PResult<Expr> {
        let start = self.tok_at(start_pos).start;
        let mut chain = 0;
        while let Some((op, prec)) = self.binary_operator() {
            if prec < min {
                break;
            }
            self.advance();
            self.enter(1)?;
            chain += 1;
            let right = self.binary(prec + 1, None)?;
            left = Expr {
                kind: ExprKind::BinOp {
                    left: Box::new(left),
                    op,
                    right: Box::new(right),
                },
                loc: self.loc_from(start),
            };
        }
        self.leave(chain);
        Ok(left)
    }

    fn factor(&mut self, pre: Pre) -> PResult<Expr> {
        if pre.is_none() && matches!(self.peek().tok, Tok::Op("+" | "-" | "~")) {
            return self.unary_rest();
        }
        self.power(pre)
    }

    #[inline(never)]
    fn unary_rest(&mut self) -> PResult<Expr> {
        let op = match self.peek().tok {
            Tok::Op("+") => UnaryOp::UAdd,
            Tok::Op("-") => UnaryOp::USub,
            _ => UnaryOp::Invert,
        };
        let start = self.start();
        self.advance();
        self.enter(PREFIX_COST)?;
        let operand = self.factor(None)?;
        self.leave(PREFIX_COST);
        Ok(Expr {
            kind: ExprKind::UnaryOp {
                op,
                operand: Box::new(operand),
            },
            loc: self.loc_from(start),
        })
    }

    fn power(&mut self, pre: Pre) -> PResult<Expr> {
        let (base, start_pos) = match pre {
            Some(p) => p,
            None => {
                if self.at_kw("await") {
                    let t = self.peek();
                    return Err(self.unsupported("await", t.start));
                }
                let start_pos = self.pos;
                (self.primary()?, start_pos)
            }
        };
        if self.at_op("**") {
            return self.power_rest(base, start_pos);
        }
        Ok(base)
    }

    #[inline(never)]
    fn power_rest(&mut self, base: Expr, start_pos: usize) -> PResult<Expr> {
        self.advance();
        self.enter(PREFIX_COST)?;
        let exp = self.factor(None)?;
        self.leave(PREFIX_COST);
        Ok(Expr {
            kind: ExprKind::BinOp {
                left: Box::new(base),
                op: Operator::Pow,
                right: Box::new(exp),
            },
            loc: self.loc_from(self.tok_at(start_pos).start),
        })
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start_pos = self.pos;
        let e = self.atom()?;
        if matches!(self.peek().tok, Tok::Op("." | "(" | "[")) {
            return self.primary_rest(e, start_pos);
        }
        Ok(e)
    }

    /// Trailers: `.name`, `(args)` and `[slices]`.
    #[inline(never)]
    fn primary_rest(&mut self, mut e: Expr, start_pos: usize) -> PResult<Expr> {
        let start = self.tok_at(start_pos).start;
        let mut chain = 0;
        loop {
            if self.at_op(".") {
                self.advance();
                let (attr, _) = self.expect_name()?;
                e = Expr {
                    kind: ExprKind::Attribute {
                        value: Box::new(e),
                        attr,
                        ctx: ExprContext::Load,
                    },
                    loc: self.loc_from(start),
                };
            } else if self.at_op("(") {
                let open = self.advance();
                let (args, keywords) = self.call_args_or_genexp(open)?;
                e = Expr {
                    kind: ExprKind::Call {
                        func: Box::new(e),
                        args,
                        keywords,
                    },
                    loc: self.loc_from(start),
                };
            } else if self.at_op("[") {
                self.advance();
                let stop_at_in = std::mem::replace(&mut self.stop_at_in, false);
                let slice = self.slices()?;
                self.expect_op("]")?;
                self.stop_at_in = stop_at_in;
                e = Expr {
                    kind: ExprKind::Subscript {
                        value: Box::new(e),
                        slice: Box::new(slice),
                        ctx: ExprContext::Load,
                    },
                    loc: self.loc_from(start),
                };
            } else {
                break;
            }
            self.enter(1)?;
            chain += 1;
        }
        self.leave(chain);
        Ok(e)
    }

    /// Call arguments after `(` (which is `open`), through `)`. A lone generator
    /// expression argument spans the call's parentheses, as in CPython.
    fn call_args_or_genexp(&mut self, open: &Token) -> PResult<(Vec<Expr>, Vec<Keyword>)> {
        self.call_args_inner(Some(open))
    }

    /// Arguments after `(`, through `)`, where a generator expression needs parentheses.
    fn call_args(&mut self) -> PResult<(Vec<Expr>, Vec<Keyword>)> {
        self.call_args_inner(None)
    }

    fn call_args_inner(&mut self, open: Option<&Token>) -> PResult<(Vec<Expr>, Vec<Keyword>)> {
        let stop_at_in = std::mem::replace(&mut self.stop_at_in, false);
        let mut args = Vec::new();
        let mut keywords: Vec<Keyword> = Vec::new();
        let mut seen_keyword = false;
        let mut seen_double_star = false;
        while !self.at_op(")") {
            let start = self.start();
            let t = self.peek();
            let keyword_name = match &t.tok {
                Tok::Name(n) if !is_keyword(n) && matches!(self.peek_nth(1).tok, Tok::Op("=")) => {
                    Some(n.clone())
                }
                _ => None,
            };
            if self.at_op("*") {
                if seen_double_star {
                    return Err(self.error_at_token(
                        "iterable argument unpacking follows keyword argument unpacking",
                        t,
                    ));
                }
                self.advance();
                let value = self.expression()?;
                args.push(Expr {
                    kind: ExprKind::Starred {
                        value: Box::new(value),
                        ctx: ExprContext::Load,
                    },
                    loc: self.loc_from(start),
                });
            } else if self.at_op("**") {
                self.advance();
                let value = self.expression()?;
                keywords.push(Keyword {
                    arg: None,
                    value,
                    loc: self.loc_from(start),
                });
                seen_double_star = true;
            } else if let Some(name) = keyword_name {
                self.advance();
                self.advance();
                let value = self.expression()?;
                keywords.push(Keyword {
                    arg: Some(name),
                    value,
                    loc: self.loc_from(start),
                });
                seen_keyword = true;
            } else {
                let e = self.expression()?;
                if self.at_op(":=") {
                    return Err(self.unsupported("walrus operator (:=)", start));
                }
                if self.at_kw("for") || self.at_kw("async") {
                    let generators = self.comprehension_clauses()?;
                    match open {
                        _ if !self.at_op(")")
                            && !self.at_op(",")
                            && args.is_empty()
                            && keywords.is_empty() =>
                        {
                            return Err(self.invalid_syntax());
                        }
                        Some(open) if args.is_empty() && keywords.is_empty() && self.at_op(")") => {
                            self.advance();
                            let g = Expr {
                                kind: ExprKind::GeneratorExp {
                                    elt: Box::new(e),
                                    generators,
                                },
                                loc: self.loc_from(open.start),
                            };
                            self.stop_at_in = stop_at_in;
                            return Ok((vec![g], Vec::new()));
                        }
                        _ => {
                            return Err(
                                self.error_at("Generator expression must be parenthesized", start)
                            )
                        }
                    }
                }
                if self.at_op("=") {
                    let msg = match &e.kind {
                        ExprKind::Constant(
                            c @ (Constant::True | Constant::False | Constant::None),
                        ) => {
                            format!("cannot assign to {}", constant_repr(c))
                        }
                        _ => "expression cannot contain assignment, perhaps you meant \"==\"?"
                            .to_string(),
                    };
                    return Err(self.error_at(msg, start));
                }
                if seen_double_star {
                    let t = self.tok_at(self.max_pos);
                    return Err(self.error_at_token(
                        "positional argument follows keyword argument unpacking",
                        t,
                    ));
                }
                if seen_keyword {
                    let t = self.tok_at(self.max_pos);
                    return Err(
                        self.error_at_token("positional argument follows keyword argument", t)
                    );
                }
                args.push(e);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(")")?;
        self.stop_at_in = stop_at_in;
        Ok((args, keywords))
    }

    fn slices(&mut self) -> PResult<Expr> {
        let start = self.start();
        let first = self.slice()?;
        if !self.at_op(",") {
            return Ok(first);
        }
        let mut elts = vec![first];
        while self.eat_op(",") {
            if self.at_op("]") {
                break;
            }
            elts.push(self.slice()?);
        }
        Ok(Expr {
            kind: ExprKind::Tuple {
                elts,
                ctx: ExprContext::Load,
            },
            loc: self.loc_from(start),
        })
    }

    fn slice(&mut self) -> PResult<Expr> {
        if self.at_op("*") {
            return self.star_expression();
        }
        let start = self.start();
        let lower = if self.at_op(":") {
            None
        } else {
            let e = self.named_expression()?;
            if !self.at_op(":") {
                return Ok(e);
            }
            Some(Box::new(e))
        };
        self.advance();
        let upper = if self.can_start_expression() && !self.at_op("*") {
            Some(Box::new(self.expression()?))
        } else {
            None
        };
        let mut step = None;
        if self.eat_op(":") && self.can_start_expression() && !self.at_op("*") {
            step = Some(Box::new(self.expression()?));
        }
        Ok(Expr {
            kind: ExprKind::Slice { lower, upper, step },
            loc: self.loc_from(start),
        })
    }

    fn atom(&mut self) -> PResult<Expr> {
        match &self.peek().tok {
            Tok::Op("(") => self.paren(),
            Tok::Op("[") => self.list_display(),
            Tok::Op("{") => self.brace_display(),
            Tok::Str(_) => self.strings(),
            _ => self.simple_atom(),
        }
    }

    /// A name, number, `None`/`True`/`False` or `...`.
    #[inline(never)]
    fn simple_atom(&mut self) -> PResult<Expr> {
        let t = self.peek();
        let kind = match &t.tok {
            Tok::Name(n) => match n.as_str() {
                "None" => ExprKind::Constant(Constant::None),
                "True" => ExprKind::Constant(Constant::True),
                "False" => ExprKind::Constant(Constant::False),
                n if is_keyword(n) => return Err(self.invalid_syntax()),
                _ => ExprKind::Name {
                    id: n.to_string(),
                    ctx: ExprContext::Load,
                },
            },
            Tok::Int(i) => ExprKind::Constant(Constant::Int(i.clone())),
            Tok::Float(f) => ExprKind::Constant(Constant::Float(*f)),
            Tok::Op("...") => ExprKind::Constant(Constant::Ellipsis),
            Tok::Imag => return Err(self.unsupported("complex numbers", t.start)),
            _ => return Err(self.invalid_syntax()),
        };
        self.advance();
        Ok(Expr {
            kind,
            loc: self.loc_from(t.start),
        })
    }

    /// Inside brackets `in` compares again, even within a `for` target.
    #[inline(always)]
    fn in_brackets(&mut self, inner: fn(&mut Self) -> PResult<Expr>) -> PResult<Expr> {
        let stop_at_in = std::mem::replace(&mut self.stop_at_in, false);
        let e = inner(self);
        self.stop_at_in = stop_at_in;
        e
    }

    #[inline(always)]
    fn paren(&mut self) -> PResult<Expr> {
        self.in_brackets(Self::paren_inner)
    }

    #[inline(never)]
    fn paren_inner(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        if self.eat_op(")") {
            return Ok(Expr {
                kind: ExprKind::Tuple {
                    elts: Vec::new(),
                    ctx: ExprContext::Load,
                },
                loc: self.loc_from(start),
            });
        }
        if self.at_op("**") {
            let t = self.peek();
            return Err(self.error_at_token("cannot use double starred expression here", t));
        }
        if self.at_kw("yield") {
            let y = self.yield_expr()?;
            self.expect_op(")")?;
            return Ok(y);
        }
        let first = self.star_named_expression()?;
        let starred = matches!(first.kind, ExprKind::Starred { .. });
        if starred && self.at_kw("for") {
            return Err(self.error_at(
                "iterable unpacking cannot be used in comprehension",
                pos_of(&first),
            ));
        }
        if !starred && (self.at_kw("for") || self.at_kw("async")) {
            let generators = self.comprehension_clauses()?;
            self.expect_op(")")?;
            return Ok(Expr {
                kind: ExprKind::GeneratorExp {
                    elt: Box::new(first),
                    generators,
                },
                loc: self.loc_from(start),
            });
        }
        if self.at_op(")") {
            if starred {
                return Err(self.error_at("cannot use starred expression here", pos_of(&first)));
            }
            self.advance();
            return Ok(first);
        }
        if !self.at_op(",") {
            return Err(self.invalid_syntax());
        }
        let mut elts = vec![first];
        while self.eat_op(",") {
            if self.at_op(")") {
                break;
            }
            elts.push(self.star_named_expression()?);
        }
        self.expect_op(")")?;
        Ok(Expr {
            kind: ExprKind::Tuple {
                elts,
                ctx: ExprContext::Load,
            },
            loc: self.loc_from(start),
        })
    }

    #[inline(always)]
    fn list_display(&mut self) -> PResult<Expr> {
        self.in_brackets(Self::list_display_inner)
    }

    #[inline(never)]
    fn list_display_inner(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        if self.eat_op("]") {
            return Ok(Expr {
                kind: ExprKind::List {
                    elts: Vec::new(),
                    ctx: ExprContext::Load,
                },
                loc: self.loc_from(start),
            });
        }
        let first = self.star_named_expression()?;
        if matches!(first.kind, ExprKind::Starred { .. }) && self.at_kw("for") {
            return Err(self.error_at(
                "iterable unpacking cannot be used in comprehension",
                pos_of(&first),
            ));
        }
        if !matches!(first.kind, ExprKind::Starred { .. })
            && (self.at_kw("for") || self.at_kw("async"))
        {
            let generators = self.comprehension_clauses()?;
            self.expect_op("]")?;
            return Ok(Expr {
                kind: ExprKind::ListComp {
                    elt: Box::new(first),
                    generators,
                },
                loc: self.loc_from(start),
            });
        }
        let elts = self.rest_of_elements(first, "]")?;
        Ok(Expr {
            kind: ExprKind::List {
                elts,
                ctx: ExprContext::Load,
            },
            loc: self.loc_from(start),
        })
    }

    /// The remaining `, item` elements of a display, through `close`.
    fn rest_of_elements(&mut self, first: Expr, close: &str) -> PResult<Vec<Expr>> {
        let mut elts = vec![first];
        while self.eat_op(",") {
            if self.at_op(close) {
                break;
            }
            elts.push(self.star_named_expression()?);
        }
        self.expect_op(close)?;
        Ok(elts)
    }

    #[inline(always)]
    fn brace_display(&mut self) -> PResult<Expr> {
        self.in_brackets(Self::brace_display_inner)
    }

    #[inline(never)]
    fn brace_display_inner(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        if self.eat_op("}") {
            return Ok(Expr {
                kind: ExprKind::Dict {
                    keys: Vec::new(),
                    values: Vec::new(),
                },
                loc: self.loc_from(start),
            });
        }
        let first_item = self.start();
        let first_key = if self.eat_op("**") {
            None
        } else {
            let e = self.star_named_expression()?;
            if matches!(e.kind, ExprKind::Starred { .. }) && self.at_kw("for") {
                return Err(self.error_at(
                    "iterable unpacking cannot be used in comprehension",
                    pos_of(&e),
                ));
            }
            if !self.at_op(":") || matches!(e.kind, ExprKind::Starred { .. }) {
                // A set.
                if !matches!(e.kind, ExprKind::Starred { .. })
                    && (self.at_kw("for") || self.at_kw("async"))
                {
                    let generators = self.comprehension_clauses()?;
                    self.expect_op("}")?;
                    return Ok(Expr {
                        kind: ExprKind::SetComp {
                            elt: Box::new(e),
                            generators,
                        },
                        loc: self.loc_from(start),
                    });
                }
                let elts = self.rest_of_elements(e, "}")?;
                return Ok(Expr {
                    kind: ExprKind::Set(elts),
                    loc: self.loc_from(start),
                });
            }
            self.advance();
            self.expect_dict_value()?;
            Some(e)
        };
        let first_value = if first_key.is_some() {
            self.expression()?
        } else {
            self.binary(0, None)?
        };
        if first_key.is_none() && self.at_kw("for") {
            return Err(self.error_at(
                "dict unpacking cannot be used in dict comprehension",
                first_item,
            ));
        }
        if first_key.is_some() && (self.at_kw("for") || self.at_kw("async")) {
            let generators = self.comprehension_clauses()?;
            self.expect_op("}")?;
            let key = first_key.map(Box::new).expect("a key: checked above");
            return Ok(Expr {
                kind: ExprKind::DictComp {
                    key,
                    value: Box::new(first_value),
                    generators,
                },
                loc: self.loc_from(start),
            });
        }
        let mut keys = vec![first_key];
        let mut values = vec![first_value];
        while self.eat_op(",") {
            if self.at_op("}") {
                break;
            }
            if self.eat_op("**") {
                keys.push(None);
                values.push(self.binary(0, None)?);
            } else {
                keys.push(Some(self.expression()?));
                self.expect_op(":")?;
                self.expect_dict_value()?;
                values.push(self.expression()?);
            }
        }
        self.expect_op("}")?;
        Ok(Expr {
            kind: ExprKind::Dict { keys, values },
            loc: self.loc_from(start),
        })
    }

    /// After a dict key's `:`, as CPython's `invalid_kvpair`.
    fn expect_dict_value(&mut self) -> PResult<()> {
        if self.can_start_expression() || !matches!(self.peek().tok, Tok::Op("}" | ",")) {
            return Ok(());
        }
        let colon = self.tok_at(self.pos - 1);
        Err(self.error_at_token("expression expected after dictionary key and ':'", colon))
    }

    fn comprehension_clauses(&mut self) -> PResult<Vec<Comprehension>> {
        let mut generators = Vec::new();
        loop {
            if self.at_kw("async") {
                let t = self.peek();
                return Err(self.unsupported("async comprehensions", t.start));
            }
            if !self.eat_kw("for") {
                break;
            }
            let target = self.for_target()?;
            let iter = self.disjunction(None)?;
            let mut ifs = Vec::new();
            while self.eat_kw("if") {
                ifs.push(self.disjunction(None)?);
            }
            generators.push(Comprehension {
                target,
                iter,
                ifs,
                is_async: false,
            });
        }
        Ok(generators)
    }

    fn yield_expr(&mut self) -> PResult<Expr> {
        let start = self.start();
        self.advance();
        if self.eat_kw("from") {
            let value = self.expression()?;
            return Ok(Expr {
                kind: ExprKind::YieldFrom(Box::new(value)),
                loc: self.loc_from(start),
            });
        }
        let value = if self.can_start_expression() {
            Some(Box::new(self.star_expressions()?))
        } else {
            None
        };
        Ok(Expr {
            kind: ExprKind::Yield(value),
            loc: self.loc_from(start),
        })
    }

    // ----- Strings -----

    /// Adjacent string literals, concatenated as CPython's `_PyPegen_concatenate_strings`.
    fn strings(&mut self) -> PResult<Expr> {
        let first = self.pos;
        while matches!(self.peek().tok, Tok::Str(_)) {
            self.advance();
        }
        let toks = &self.toks[first..self.pos];
        // CPython reports string errors at the token after the strings.
        let err_tok = self.peek();
        let Some(first_tok) = toks.first() else {
            return Err(self.invalid_syntax());
        };
        let start = first_tok.start;
        let group = self.loc_from(start);
        let mut st = FStr::default();
        for t in toks {
            let Tok::Str(lit) = &t.tok else { continue };
            if lit.bytes {
                return Err(self.unsupported("bytes literals", t.start));
            }
            if lit.fstring {
                let mut s = lit.body_start;
                self.concat_fstring(&mut st, t, lit, &mut s, 0, group, err_tok)?;
            } else {
                let value = if lit.raw {
                    lit.body().to_string()
                } else {
                    self.decode(lit.body(), t, err_tok)?
                };
                st.concat(value);
            }
        }
        Ok(st.finish(group, group))
    }

    fn decode(&self, text: &str, t: &Token, err_tok: &Token) -> PResult<String> {
        lexer::decode_escapes(text).map_err(|e| match e {
            EscapeError::Codec(msg) => {
                self.error_at_token(format!("(unicode error) {msg}"), err_tok)
            }
            EscapeError::NamedEscape => {
                self.unsupported("named unicode escapes (\\N{...})", t.start)
            }
            EscapeError::Surrogate => self.unsupported("lone surrogates in strings", t.start),
        })
    }

    /// Parses one f-string token's body from `*s`: CPython's `fstring_find_literal_and_expr`
    /// loop. At `recurse` 1 this is a format spec and stops at its closing `}`.
    #[allow(clippy::too_many_arguments)]
    fn concat_fstring(
        &mut self,
        st: &mut FStr,
        t: &Token,
        lit: &StrLit,
        s: &mut usize,
        recurse: u32,
        group: Loc,
        err_tok: &Token,
    ) -> PResult<()> {
        st.fmode = true;
        let text = lit.text.as_str();
        let end = lit.body_end;
        // Cut at the body's end: the `i < end` checks then bound the reads too.
        let b = &text.as_bytes()[..end];
        loop {
            let (literal, doubled) = self.fstring_literal(t, lit, s, recurse, err_tok)?;
            if let Some(l) = literal {
                st.concat(l);
            }
            if doubled {
                continue;
            }
            if *s >= end || b[*s] == b'}' {
                break;
            }
            let (expr_text, value) = self.fstring_expr(t, lit, s, recurse, group, err_tok)?;
            if let Some(x) = expr_text {
                st.concat(x);
            }
            st.flush(group);
            st.values.push(value);
        }
        if recurse != 0 && (*s >= end || b[*s] != b'}') {
            return Err(self.error_at_token("f-string: expecting '}'", err_tok));
        }
        Ok(())
    }

    /// The literal text up to the next replacement field. The bool is true after a
    /// doubled brace, whose first brace ends the literal.
    fn fstring_literal(
        &mut self,
        t: &Token,
        lit: &StrLit,
        s: &mut usize,
        recurse: u32,
        err_tok: &Token,
    ) -> PResult<(Option<String>, bool)> {
        let text = lit.text.as_str();
        let end = lit.body_end;
        // Cut at the body's end: the `i < end` checks then bound the reads too.
        let b = &text.as_bytes()[..end];
        let literal_start = *s;
        let mut i = *s;
        let mut doubled = false;
        while i < end {
            let mut ch = b[i];
            i += 1;
            if !lit.raw && ch == b'\\' && i < end {
                ch = b[i];
                i += 1;
                if ch == b'N' {
                    if i < end {
                        let open = b[i];
                        i += 1;
                        if open == b'{' {
                            while i < end {
                                let c = b[i];
                                i += 1;
                                if c == b'}' {
                                    break;
                                }
                            }
                        }
                    }
                    continue;
                }
            }
            if ch == b'{' || ch == b'}' {
                if recurse == 0 {
                    if i < end && b[i] == ch {
                        doubled = true;
                        break;
                    }
                    if ch == b'}' {
                        return Err(
                            self.error_at_token("f-string: single '}' is not allowed", err_tok)
                        );
                    }
                }
                i -= 1;
                break;
            }
        }
        let piece = text.get(literal_start..i).unwrap_or("");
        *s = if doubled { i + 1 } else { i };
        if piece.is_empty() {
            return Ok((None, doubled));
        }
        let value = if lit.raw {
            piece.to_string()
        } else {
            self.decode(piece, t, err_tok)?
        };
        Ok((Some(value), doubled))
    }

    /// A replacement field `{expr[=][!c][:spec]}` starting at `*s` (on the `{`).
    fn fstring_expr(
        &mut self,
        t: &Token,
        lit: &StrLit,
        s: &mut usize,
        recurse: u32,
        group: Loc,
        err_tok: &Token,
    ) -> PResult<(Option<String>, Expr)> {
        let fail = |p: &Self, msg: &str| Err(p.error_at_token(msg, err_tok));
        if recurse >= 2 {
            return fail(self, "f-string: expressions nested too deeply");
        }
        let text = lit.text.as_str();
        let end = lit.body_end;
        // Cut at the body's end: the `i < end` checks then bound the reads too.
        let b = &text.as_bytes()[..end];
        *s += 1;
        let expr_start = *s;
        let mut quote: u8 = 0;
        let mut triple = false;
        let mut parens: Vec<u8> = Vec::new();
        while *s < end {
            let ch = b[*s];
            if ch == b'\\' {
                return fail(self, "f-string expression part cannot include a backslash");
            }
            if quote != 0 {
                if ch == quote {
                    if triple {
                        if *s + 2 < end && b[*s + 1] == ch && b[*s + 2] == ch {
                            *s += 2;
                            quote = 0;
                        }
                    } else {
                        quote = 0;
                    }
                }
                *s += 1;
                continue;
            }
            match ch {
                b'\'' | b'"' => {
                    triple = *s + 2 < end && b[*s + 1] == ch && b[*s + 2] == ch;
                    if triple {
                        *s += 2;
                    }
                    quote = ch;
                }
                b'[' | b'{' | b'(' => {
                    if parens.len() >= lexer::MAX_BRACKET_DEPTH {
                        return fail(self, "f-string: too many nested parenthesis");
                    }
                    parens.push(ch);
                }
                b'#' => return fail(self, "f-string expression part cannot include '#'"),
                b'!' | b':' | b'}' | b'=' | b'>' | b'<' if parens.is_empty() => {
                    if *s + 1 < end && b[*s + 1] == b'=' && matches!(ch, b'!' | b'=' | b'<' | b'>')
                    {
                        *s += 2;
                        continue;
                    }
                    if ch == b'>' || ch == b'<' {
                        *s += 1;
                        continue;
                    }
                    break;
                }
                b']' | b'}' | b')' => {
                    let Some(open) = parens.pop() else {
                        return fail(self, &format!("f-string: unmatched '{}'", ch as char));
                    };
                    let expected = match open {
                        b'(' => b')',
                        b'[' => b']',
                        _ => b'}',
                    };
                    if ch != expected {
                        return fail(
                            self,
                            &format!(
                                "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                                ch as char, open as char
                            ),
                        );
                    }
                }
                _ => {}
            }
            *s += 1;
        }
        let expr_end = *s;
        if quote != 0 {
            return fail(self, "f-string: unterminated string");
        }
        if let Some(&open) = parens.last() {
            return fail(self, &format!("f-string: unmatched '{}'", open as char));
        }
        if *s >= end {
            return fail(self, "f-string: expecting '}'");
        }
        let value = self.fstring_compile_expr(t, lit, expr_start, expr_end, err_tok)?;
        let mut expr_text = None;
        if b[*s] == b'=' {
            *s += 1;
            while *s < end && matches!(b[*s], b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                *s += 1;
            }
            if *s >= end {
                return fail(self, "f-string: expecting '}'");
            }
            expr_text = Some(text.get(expr_start..*s).unwrap_or("").to_string());
        }
        let mut conversion = -1;
        if b[*s] == b'!' {
            *s += 1;
            if *s >= end {
                return fail(self, "f-string: expecting '}'");
            }
            conversion = b[*s] as i32;
            *s += 1;
            if !matches!(conversion as u8, b's' | b'r' | b'a') {
                return fail(
                    self,
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                );
            }
        }
        let mut format_spec = None;
        if *s < end && b[*s] == b':' {
            *s += 1;
            if *s >= end {
                return fail(self, "f-string: expecting '}'");
            }
            let mut spec = FStr::default();
            self.enter(EXPR_COST)?;
            self.concat_fstring(&mut spec, t, lit, s, recurse + 1, group, err_tok)?;
            self.leave(EXPR_COST);
            let tok_loc = Loc {
                line: t.start.line,
                col: t.start.col,
                end_line: t.end.line,
                end_col: t.end.col,
            };
            format_spec = Some(Box::new(spec.finish(group, tok_loc)));
        }
        if *s >= end || b[*s] != b'}' {
            return fail(self, "f-string: expecting '}'");
        }
        *s += 1;
        if expr_text.is_some() && format_spec.is_none() && conversion == -1 {
            conversion = 'r' as i32;
        }
        let fv = Expr {
            kind: ExprKind::FormattedValue {
                value: Box::new(value),
                conversion,
                format_spec,
            },
            loc: group,
        };
        Ok((expr_text, fv))
    }

    /// Parses a replacement field's expression as CPython does: wrapped in parentheses,
    /// tokenized on its own and placed where it sits in the file.
    fn fstring_compile_expr(
        &mut self,
        t: &Token,
        lit: &StrLit,
        expr_start: usize,
        expr_end: usize,
        err_tok: &Token,
    ) -> PResult<Expr> {
        let text = lit.text.as_str();
        let b = text.as_bytes();
        let expr = text.get(expr_start..expr_end).unwrap_or("");
        if expr
            .bytes()
            .all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c'))
        {
            let after = b.get(expr_end).copied().unwrap_or(b'}');
            let msg = if matches!(after, b'!' | b':' | b'=') {
                format!("f-string: expression required before '{}'", after as char)
            } else {
                "f-string: empty expression not allowed".to_string()
            };
            return Err(self.error_at_token(msg, err_tok));
        }
        let brace = expr_start - 1;
        let mut newline_after_brace = true;
        for &c in &b[expr_start..] {
            if c == b'}' || c == b'\n' {
                break;
            }
            if !matches!(c, b' ' | b'\t' | b'\x0c') {
                newline_after_brace = false;
                break;
            }
        }
        let mut cols = 0;
        if !newline_after_brace {
            let line_start = text[..brace].rfind('\n').map_or(0, |i| i + 1);
            cols = (brace - line_start) as u32;
        }
        let lines = text[..brace].matches('\n').count() as u32;
        let origin = Origin {
            first_line: t.start.line + lines,
            first_col: if lines != 0 { cols } else { t.start.col + cols },
        };
        let sub_source = format!("({expr})");
        let sub = lexer::tokenize_at(&sub_source, origin);
        let mut p = Parser::new(&sub, self.root, Some(origin), self.depth);
        let result = p.star_expressions().and_then(|e| {
            if matches!(p.peek().tok, Tok::Newline) {
                Ok(e)
            } else {
                Err(p.invalid_syntax())
            }
        });
        result.map_err(|e| p.prefer_lex_error(e))
    }
}

/// The pending state of a string concatenation (CPython's `FstringParser`).
#[derive(Default)]
struct FStr {
    last: Option<String>,
    values: Vec<Expr>,
    fmode: bool,
}

impl FStr {
    fn concat(&mut self, s: String) {
        if s.is_empty() {
            return;
        }
        match &mut self.last {
            Some(l) => l.push_str(&s),
            None => self.last = Some(s),
        }
    }

    fn flush(&mut self, loc: Loc) {
        if let Some(s) = self.last.take() {
            self.values.push(Expr {
                kind: ExprKind::Constant(Constant::Str(s)),
                loc,
            });
        }
    }

    /// `group` locates the literal parts; `loc` the result (they differ for format specs).
    fn finish(mut self, group: Loc, loc: Loc) -> Expr {
        if !self.fmode {
            let s = self.last.take().unwrap_or_default();
            return Expr {
                kind: ExprKind::Constant(Constant::Str(s)),
                loc,
            };
        }
        self.flush(group);
        Expr {
            kind: ExprKind::JoinedStr(self.values),
            loc,
        }
    }
}

fn aug_operator(op: &str) -> Option<Operator> {
    Some(match op {
        "+=" => Operator::Add,
        "-=" => Operator::Sub,
        "*=" => Operator::Mult,
        "@=" => Operator::MatMult,
        "/=" => Operator::Div,
        "%=" => Operator::Mod,
        "**=" => Operator::Pow,
        "<<=" => Operator::LShift,
        ">>=" => Operator::RShift,
        "|=" => Operator::BitOr,
        "^=" => Operator::BitXor,
        "&=" => Operator::BitAnd,
        "//=" => Operator::FloorDiv,
        _ => return None,
    })
}

fn pos_of(e: &Expr) -> lexer::Pos {
    pos_of_loc(&e.loc)
}

fn pos_of_loc(loc: &Loc) -> lexer::Pos {
    lexer::Pos {
        line: loc.line,
        col: loc.col,
    }
}

/// The first sub-expression that cannot be assigned to (or deleted), as CPython's
/// `_PyPegen_get_invalid_target`.
fn invalid_target(e: &Expr, kind: Targets) -> Option<&Expr> {
    match &e.kind {
        ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => {
            elts.iter().find_map(|x| invalid_target(x, kind))
        }
        ExprKind::Starred { value, .. } => {
            if kind == Targets::Del {
                Some(e)
            } else {
                invalid_target(value, kind)
            }
        }
        ExprKind::Compare { left, ops, .. } => {
            if kind == Targets::For {
                if ops.first() == Some(&CmpOp::In) {
                    return invalid_target(left, kind);
                }
                return None;
            }
            Some(e)
        }
        ExprKind::Name { .. } | ExprKind::Subscript { .. } | ExprKind::Attribute { .. } => None,
        _ => Some(e),
    }
}

/// How CPython's messages name an expression (`_PyPegen_get_expr_name`).
fn expr_name(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Starred { .. } => "starred",
        ExprKind::Name { .. } => "name",
        ExprKind::List { .. } => "list",
        ExprKind::Tuple { .. } => "tuple",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "function call",
        ExprKind::BoolOp { .. } | ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::Dict { .. } => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::JoinedStr(_) | ExprKind::FormattedValue { .. } => "f-string expression",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::True) => "True",
        ExprKind::Constant(Constant::False) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Slice { .. } => "slice",
    }
}

/// Marks a validated target (and its elements) as stored or deleted.
fn set_ctx(e: &mut Expr, new: ExprContext) {
    match &mut e.kind {
        ExprKind::Name { ctx, .. }
        | ExprKind::Attribute { ctx, .. }
        | ExprKind::Subscript { ctx, .. } => *ctx = new,
        ExprKind::Starred { value, ctx } => {
            *ctx = new;
            set_ctx(value, new);
        }
        ExprKind::List { elts, ctx } | ExprKind::Tuple { elts, ctx } => {
            *ctx = new;
            for x in elts {
                set_ctx(x, new);
            }
        }
        _ => {}
    }
}

// ----- Checks CPython makes after parsing (symbol table and compiler) -----

#[derive(Clone, Copy)]
enum Scope<'a> {
    Module,
    Class,
    /// A function or lambda, with its parameters.
    Function(&'a Arguments),
    /// A comprehension; names it for messages.
    Comprehension(&'static str),
}

/// Finds the errors CPython's symbol table and compiler raise on a tree the parser
/// accepted. Symbol-table errors come first, as CPython builds the table before compiling.
struct Checker<'a> {
    lexed: &'a Lexed,
    /// The enclosing scopes, innermost last, each with whether a loop encloses the
    /// current statement within it.
    scopes: Vec<(Scope<'a>, bool)>,
    symtable_error: Option<ParseError>,
    compile_error: Option<ParseError>,
}

impl<'a> Checker<'a> {
    fn new(lexed: &'a Lexed) -> Checker<'a> {
        Checker {
            lexed,
            scopes: vec![(Scope::Module, false)],
            symtable_error: None,
            compile_error: None,
        }
    }

    fn check(mut self, m: &'a Module) -> PResult<()> {
        self.stmts(&m.body);
        match self.symtable_error.or(self.compile_error) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn error(&self, msg: String, loc: &Loc) -> ParseError {
        syntax(msg, loc.line, self.lexed.char_offset(loc.line, loc.col))
    }

    fn symtable(&mut self, msg: impl Into<String>, loc: &Loc) {
        if self.symtable_error.is_none() {
            self.symtable_error = Some(self.error(msg.into(), loc));
        }
    }

    fn compile(&mut self, msg: impl Into<String>, loc: &Loc) {
        if self.compile_error.is_none() {
            self.compile_error = Some(self.error(msg.into(), loc));
        }
    }

    fn scope(&self) -> Scope<'a> {
        self.scopes.last().map_or(Scope::Module, |s| s.0)
    }

    fn in_loop(&self) -> bool {
        self.scopes.last().is_some_and(|s| s.1)
    }

    fn set_loop(&mut self, in_loop: bool) -> bool {
        match self.scopes.last_mut() {
            Some(s) => std::mem::replace(&mut s.1, in_loop),
            None => false,
        }
    }

    fn stmts(&mut self, body: &'a [Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn loop_body(&mut self, body: &'a [Stmt]) {
        let was = self.set_loop(true);
        self.stmts(body);
        self.set_loop(was);
    }

    fn arguments(&mut self, a: &'a Arguments) {
        let all = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .chain(&a.vararg)
            .chain(&a.kwonlyargs)
            .chain(&a.kwarg);
        let mut seen: Vec<&str> = Vec::new();
        for arg in all {
            if seen.contains(&arg.arg.as_str()) {
                self.symtable(
                    format!("duplicate argument '{}' in function definition", arg.arg),
                    &arg.loc,
                );
            }
            seen.push(&arg.arg);
        }
        for d in &a.defaults {
            self.expr(d);
        }
        for d in a.kw_defaults.iter().flatten() {
            self.expr(d);
        }
    }

    fn stmt(&mut self, s: &'a Stmt) {
        match &s.kind {
            StmtKind::FunctionDef { args, body, .. } => {
                self.arguments(args);
                self.scopes.push((Scope::Function(args), false));
                self.stmts(body);
                self.scopes.pop();
            }
            StmtKind::ClassDef { bases, body, .. } => {
                self.exprs(bases, true);
                self.scopes.push((Scope::Class, false));
                self.stmts(body);
                self.scopes.pop();
            }
            StmtKind::Return(value) => {
                if !matches!(self.scope(), Scope::Function(_)) {
                    self.compile("'return' outside function", &s.loc);
                }
                if let Some(v) = value {
                    self.value(v);
                }
            }
            StmtKind::Delete(targets) => self.exprs(targets, false),
            StmtKind::Assign { targets, value } => {
                self.value(value);
                for t in targets {
                    self.store_target(t);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.value(value);
                self.expr(target);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.value(iter);
                self.store_target(target);
                self.loop_body(body);
                self.stmts(orelse);
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test);
                self.loop_body(body);
                self.stmts(orelse);
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test);
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::Raise { exc, cause } => {
                for e in exc.iter().chain(cause) {
                    self.expr(e);
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body);
                for h in handlers {
                    if let Some(t) = &h.type_ {
                        self.expr(t);
                    }
                    self.stmts(&h.body);
                }
                self.stmts(orelse);
                self.stmts(finalbody);
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test);
                if let Some(m) = msg {
                    self.expr(m);
                }
            }
            StmtKind::Nonlocal(_) if matches!(self.scope(), Scope::Module) => {
                self.symtable("nonlocal declaration not allowed at module level", &s.loc);
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
                let kind = if matches!(s.kind, StmtKind::Global(_)) {
                    "global"
                } else {
                    "nonlocal"
                };
                if let Scope::Function(args) = self.scope() {
                    let params = args
                        .posonlyargs
                        .iter()
                        .chain(&args.args)
                        .chain(&args.vararg)
                        .chain(&args.kwonlyargs);
                    let mut params = params.chain(&args.kwarg);
                    if let Some(name) = names.iter().find(|n| params.any(|p| &p.arg == *n)) {
                        self.symtable(format!("name '{name}' is parameter and {kind}"), &s.loc);
                    }
                }
            }
            StmtKind::Expr(value) => self.value(value),
            StmtKind::Break if !self.in_loop() => self.compile("'break' outside loop", &s.loc),
            StmtKind::Continue if !self.in_loop() => {
                self.compile("'continue' not properly in loop", &s.loc)
            }
            StmtKind::Import(_)
            | StmtKind::ImportFrom { .. }
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
    }

    /// An expression whose value is used whole: a bare `*x` there is an error.
    fn value(&mut self, e: &'a Expr) {
        if let ExprKind::Starred { .. } = e.kind {
            self.compile("can't use starred expression here", &e.loc);
        }
        self.expr(e);
    }

    fn store_target(&mut self, t: &'a Expr) {
        match &t.kind {
            ExprKind::Starred { .. } => self.compile(
                "starred assignment target must be in a list or tuple",
                &t.loc,
            ),
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => {
                let stars = elts
                    .iter()
                    .filter(|e| matches!(e.kind, ExprKind::Starred { .. }))
                    .count();
                if stars > 1 {
                    self.compile("multiple starred expressions in assignment", &t.loc);
                }
            }
            _ => {}
        }
        self.expr(t);
    }

    /// Expressions where `*x` is allowed (display elements, call arguments).
    fn exprs(&mut self, es: &'a [Expr], star_ok: bool) {
        for e in es {
            if star_ok {
                if let ExprKind::Starred { value, .. } = &e.kind {
                    self.expr(value);
                    continue;
                }
            }
            self.expr(e);
        }
    }

    fn comprehension(
        &mut self,
        kind: &'static str,
        generators: &'a [Comprehension],
        elts: &[&'a Expr],
    ) {
        // The first iterable is evaluated in the enclosing scope.
        if let Some(g) = generators.first() {
            self.expr(&g.iter);
        }
        self.scopes.push((Scope::Comprehension(kind), false));
        for (i, g) in generators.iter().enumerate() {
            self.expr(&g.target);
            if i > 0 {
                self.expr(&g.iter);
            }
            for c in &g.ifs {
                self.expr(c);
            }
        }
        for e in elts {
            self.expr(e);
        }
        self.scopes.pop();
    }

    fn expr(&mut self, e: &'a Expr) {
        match &e.kind {
            ExprKind::BoolOp { values, .. } => self.exprs(values, false),
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left);
                self.expr(right);
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand),
            ExprKind::Lambda { args, body } => {
                self.arguments(args);
                self.scopes.push((Scope::Function(args), false));
                self.expr(body);
                self.scopes.pop();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test);
                self.expr(body);
                self.expr(orelse);
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter().flatten() {
                    self.expr(k);
                }
                self.exprs(values, false);
            }
            ExprKind::Set(elts) => self.exprs(elts, true),
            ExprKind::ListComp { elt, generators } => {
                self.comprehension("list comprehension", generators, &[elt])
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension("set comprehension", generators, &[elt])
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension("generator expression", generators, &[elt])
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension("dict comprehension", generators, &[key, value]),
            ExprKind::Yield(value) => {
                self.yield_here(e);
                if let Some(v) = value {
                    self.value(v);
                }
            }
            ExprKind::YieldFrom(value) => {
                self.yield_here(e);
                self.expr(value);
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expr(left);
                self.exprs(comparators, false);
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func);
                self.exprs(args, true);
                let mut seen: Vec<&str> = Vec::new();
                for k in keywords {
                    if let Some(name) = &k.arg {
                        if seen.contains(&name.as_str()) {
                            self.compile(format!("keyword argument repeated: {name}"), &k.loc);
                        }
                        seen.push(name);
                    }
                    self.expr(&k.value);
                }
            }
            ExprKind::FormattedValue {
                value, format_spec, ..
            } => {
                self.expr(value);
                if let Some(s) = format_spec {
                    self.expr(s);
                }
            }
            ExprKind::JoinedStr(values) => self.exprs(values, false),
            ExprKind::Constant(_) | ExprKind::Name { .. } => {}
            ExprKind::Attribute { value, .. } => self.expr(value),
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value);
                match &slice.kind {
                    ExprKind::Tuple { elts, .. } => self.exprs(elts, true),
                    _ => self.expr(slice),
                }
            }
            ExprKind::Starred { value, .. } => {
                if matches!(value.kind, ExprKind::Starred { .. }) {
                    self.compile("can't use starred expression here", &value.loc);
                }
                self.expr(value)
            }
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => self.exprs(elts, true),
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.expr(x);
                }
            }
        }
    }

    fn yield_here(&mut self, e: &Expr) {
        match self.scope() {
            Scope::Comprehension(kind) => self.symtable(format!("'yield' inside {kind}"), &e.loc),
            Scope::Module | Scope::Class => self.compile("'yield' outside function", &e.loc),
            Scope::Function(_) => {}
        }
    }
}
