//! Compares memlane's parser with CPython 3.11's on every program in `parser_corpus/`:
//! `ast::dump` must equal `ast.dump(ast.parse(src), include_attributes=True)` exactly,
//! positions included. Needs `python3` (CPython 3.11) and fails if it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use memlane_python::ast;
use memlane_python::parser::{parse, ParseError, ParseErrorKind, MAX_NESTING};
use proptest::prelude::*;

const DUMP_SCRIPT: &str =
    "import ast,sys; print(ast.dump(ast.parse(open(sys.argv[1], encoding='utf-8').read()), include_attributes=True))";

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parser_corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

fn require_cpython_311() {
    let out = Command::new("python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .expect("python3 (CPython 3.11) must be installed to compare the parser with CPython");
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // ast.dump's format and some node positions differ in other versions.
    assert_eq!(
        version, "3.11",
        "this test compares with CPython 3.11's ast.dump; python3 is {version}"
    );
}

fn cpython_dump(path: &Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(DUMP_SCRIPT)
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python3 could not parse {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 dump")
        .trim_end()
        .to_string()
}

/// Where two dumps first differ, with some context.
fn first_difference(ours: &str, theirs: &str) -> String {
    let at = ours
        .bytes()
        .zip(theirs.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let mut from = at.saturating_sub(150);
    while !ours.is_char_boundary(from) {
        from -= 1;
    }
    let window = |s: &str| {
        let mut end = (at + 150).min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.get(from..end).unwrap_or("").to_string()
    };
    format!(
        "at byte {at}:\n  ours:    ...{}...\n  cpython: ...{}...",
        window(ours),
        window(theirs)
    )
}

#[test]
fn corpus_matches_cpython_ast_dump() {
    require_cpython_311();
    let files = corpus_files();
    let mut failures = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("read corpus file");
        let expected = cpython_dump(path);
        match parse(&source) {
            Ok(module) => {
                let ours = ast::dump(&module);
                if ours != expected {
                    failures.push(format!(
                        "{}: dump differs {}",
                        path.display(),
                        first_difference(&ours, &expected)
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: parse error {e:?}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    assert!(
        files.len() >= 30,
        "the corpus should have 30+ programs, found {}",
        files.len()
    );
}

/// (source, `SyntaxError.msg`, `lineno`, `offset`) as CPython 3.11 reports them for
/// `compile(source, "f.py", "exec")`; generated with python3 and hard-coded.
const SYNTAX_ERRORS: &[(&str, &str, u32, u32)] = &[
    ("x = = 1", "invalid syntax", 1, 5),
    ("if x\n  pass", "expected ':'", 1, 5),
    ("if x:\npass", "expected an indented block after 'if' statement on line 1", 2, 1),
    ("for x in y:\npass", "expected an indented block after 'for' statement on line 1", 2, 1),
    ("while 1:\nx", "expected an indented block after 'while' statement on line 1", 2, 1),
    ("def f():\nx", "expected an indented block after function definition on line 1", 2, 1),
    ("class A:\nx", "expected an indented block after class definition on line 1", 2, 1),
    ("try:\nx", "expected an indented block after 'try' statement on line 1", 2, 1),
    ("try:\n  x\nexcept:\nx", "expected an indented block after 'except' statement on line 3", 4, 1),
    ("try:\n  x\nfinally:\nx", "expected an indented block after 'finally' statement on line 3", 4, 1),
    ("if x:\n  y\nelse:\nz", "expected an indented block after 'else' statement on line 3", 4, 1),
    ("if x:\n  y\nelif z:\nz", "expected an indented block after 'elif' statement on line 3", 4, 1),
    ("for x in y:\n  a\nelse:\nb", "expected an indented block after 'else' statement on line 3", 4, 1),
    ("while x:\n  a\nelse:\nb", "expected an indented block after 'else' statement on line 3", 4, 1),
    ("try:\n  a\nexcept E:\n  b\nelse:\nc", "expected an indented block after 'else' statement on line 5", 6, 1),
    ("  x = 1", "unexpected indent", 1, 2),
    ("if x:\n    a\n  b", "unindent does not match any outer indentation level", 3, 4),
    ("if x:\n    a\n  bcd", "unindent does not match any outer indentation level", 3, 6),
    ("s = \"abc", "unterminated string literal (detected at line 1)", 1, 5),
    ("s = 'abc\nx=1", "unterminated string literal (detected at line 1)", 1, 5),
    ("s = \"\"\"abc\nx\ny", "unterminated triple-quoted string literal (detected at line 3)", 1, 5),
    ("x = (1,\n2", "'(' was never closed", 1, 5),
    ("x = 1)", "unmatched ')'", 1, 6),
    ("x = [1, 2)", "closing parenthesis ')' does not match opening parenthesis '['", 1, 10),
    ("[1 2]", "invalid syntax. Perhaps you forgot a comma?", 1, 2),
    ("f(a b)", "invalid syntax. Perhaps you forgot a comma?", 1, 3),
    ("1 = x", "cannot assign to literal here. Maybe you meant '==' instead of '='?", 1, 1),
    ("f() = 1", "cannot assign to function call here. Maybe you meant '==' instead of '='?", 1, 1),
    ("return 1", "'return' outside function", 1, 1),
    ("break", "'break' outside loop", 1, 1),
    ("continue", "'continue' not properly in loop", 1, 1),
    ("def f():\n  break", "'break' outside loop", 2, 3),
    ("x = 1abc", "invalid decimal literal", 1, 5),
    ("x = 0x", "invalid hexadecimal literal", 1, 6),
    ("x = 0o8", "invalid digit '8' in octal literal", 1, 7),
    ("x = 0b2", "invalid digit '2' in binary literal", 1, 7),
    ("x = 01", "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 1, 5),
    ("x = 1__0", "invalid decimal literal", 1, 6),
    ("x = 1_", "invalid decimal literal", 1, 6),
    ("x = 1e", "invalid decimal literal", 1, 5),
    ("x = 1.e", "invalid decimal literal", 1, 6),
    ("x = 1e+", "invalid decimal literal", 1, 7),
    ("x = €", "invalid character '€' (U+20AC)", 1, 5),
    ("x = a\u{a0}", "invalid non-printable character U+00A0", 1, 6),
    ("x = 1 +\\", "unexpected EOF while parsing", 1, 9),
    ("x = 1 \\ y", "unexpected character after line continuation character", 1, 8),
    ("yield 1", "'yield' outside function", 1, 1),
    ("class A:\n  yield 1", "'yield' outside function", 2, 3),
    ("def f():\n  x = [(yield) for a in b]", "'yield' inside list comprehension", 2, 9),
    ("print \"hi\"", "Missing parentheses in call to 'print'. Did you mean print(...)?", 1, 1),
    ("x = 1 2", "invalid syntax", 1, 7),
    ("f(**a, *b)", "iterable argument unpacking follows keyword argument unpacking", 1, 8),
    ("f(a=1, b)", "positional argument follows keyword argument", 1, 9),
    ("def f(a=1, b): pass", "non-default argument follows default argument", 1, 12),
    ("def f(a, a): pass", "duplicate argument 'a' in function definition", 1, 10),
    ("x = 'a' 'b' c", "invalid syntax", 1, 13),
    ("if x = 1: pass", "invalid syntax. Maybe you meant '==' or ':=' instead of '='?", 1, 4),
    ("x = (yield)", "'yield' outside function", 1, 6),
    ("del f()", "cannot delete function call", 1, 5),
    ("del 1", "cannot delete literal", 1, 5),
    ("(a, b) += 1", "'tuple' is an illegal expression for augmented assignment", 1, 1),
    ("a + 1 = 2", "cannot assign to expression here. Maybe you meant '==' instead of '='?", 1, 1),
    ("x += = 1", "invalid syntax", 1, 6),
    ("x = (((", "'(' was never closed", 1, 7),
    ("x = )))", "unmatched ')'", 1, 5),
    ("x = f\"{\"", "f-string: expecting '}'", 1, 9),
    ("x = f\"{}\"", "f-string: empty expression not allowed", 1, 10),
    ("x = f\"{x!z}\"", "f-string: invalid conversion character: expected 's', 'r', or 'a'", 1, 13),
    ("x = f\"{x\"", "f-string: expecting '}'", 1, 10),
    ("x = f\"}\"", "f-string: single '}' is not allowed", 1, 9),
    ("x = f\"{a b}\"", "f-string: invalid syntax. Perhaps you forgot a comma?", 1, 2),
    ("x = f\"{\\n}\"", "f-string expression part cannot include a backslash", 1, 12),
    ("x = f\"{#}\"", "f-string expression part cannot include '#'", 1, 11),
    ("x = 'abc\\", "unterminated string literal (detected at line 1)", 1, 5),
    ("\tif x:\n        pass", "unexpected indent", 1, 1),
    ("if x:\n\tpass\n        pass", "inconsistent use of tabs and spaces in indentation", 3, 1),
    ("x = 1 = y", "cannot assign to literal", 1, 5),
    ("for 1 in x: pass", "cannot assign to literal", 1, 5),
    ("(a, 1) = x", "cannot assign to literal", 1, 5),
    ("f() += 1", "'function call' is an illegal expression for augmented assignment", 1, 1),
    ("[x for x in y] = 1", "cannot assign to list comprehension here. Maybe you meant '==' instead of '='?", 1, 1),
    ("a, b += 1", "'tuple' is an illegal expression for augmented assignment", 1, 1),
    ("True = 1", "cannot assign to True", 1, 1),
    ("None = 1", "cannot assign to None", 1, 1),
    ("x.y, f() = 1", "cannot assign to function call here. Maybe you meant '==' instead of '='?", 1, 6),
    ("del (a, 1)", "cannot delete literal", 1, 9),
    ("*a = 1", "starred assignment target must be in a list or tuple", 1, 1),
    ("x = f(a for a in b, c)", "Generator expression must be parenthesized", 1, 7),
    ("x = $", "invalid syntax", 1, 5),
    ("x = a ? b", "invalid syntax", 1, 7),
    ("x = !a", "invalid syntax", 1, 5),
    ("if x:\n    abc\n        b\n  c", "unexpected indent", 3, 8),
    ("if x:", "expected an indented block after 'if' statement on line 1", 1, 6),
    ("if x:\n", "expected an indented block after 'if' statement on line 1", 1, 6),
    ("def f(:\n  pass", "invalid syntax", 1, 7),
    ("def f():\n  return\nreturn", "'return' outside function", 3, 1),
    ("x = \"\\x4\"", "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: truncated \\xXX escape", 1, 10),
    ("x = \"ab\\u12\"", "(unicode error) 'unicodeescape' codec can't decode bytes in position 2-5: truncated \\uXXXX escape", 1, 13),
    ("x = \"\\U00110000\"", "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character", 1, 17),
    ("x = [", "'[' was never closed", 1, 5),
    ("x = [\n1,\n", "'[' was never closed", 1, 5),
    ("x = (1,\n2]", "closing parenthesis ']' does not match opening parenthesis '(' on line 1", 2, 2),
    ("x = (1,\n2)]", "unmatched ']'", 2, 3),
    ("x = 1 if 2", "expected 'else' after 'if' expression", 1, 5),
    ("x = [1, 2", "'[' was never closed", 1, 5),
    ("def f(*): pass", "named arguments must follow bare *", 1, 7),
    ("def f(*, **k): pass", "named arguments must follow bare *", 1, 7),
    ("def f(**k, a): pass", "arguments cannot follow var-keyword argument", 1, 12),
    ("x = 0_1", "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 1, 5),
    ("x = 0b", "invalid binary literal", 1, 6),
    ("x = 0b1_", "invalid binary literal", 1, 8),
    ("x = 1.5e-", "invalid decimal literal", 1, 9),
    ("x = 0xfor", "invalid syntax", 1, 10),
    ("f\"{x:{y:{z}}}\"", "f-string: expressions nested too deeply", 1, 15),
    ("x = 1 +", "invalid syntax", 1, 8),
    ("(x for x in y) = 1", "cannot assign to generator expression", 1, 1),
    ("x = yield = 1", "assignment to yield expression not possible", 1, 5),
    ("a if b else c = 1", "cannot assign to conditional expression", 1, 1),
    ("not x = 1", "cannot assign to expression", 1, 1),
    ("x = not", "invalid syntax", 1, 8),
    ("f(**a, b)", "positional argument follows keyword argument unpacking", 1, 9),
    ("x = a.1", "invalid syntax", 1, 6),
    ("if x:\n    a\n  bcd", "unindent does not match any outer indentation level", 3, 6),
    ("def f():\n  if x:\n", "expected an indented block after 'if' statement on line 2", 2, 8),
    ("def f():\n  if x:\n# c\n", "expected an indented block after 'if' statement on line 2", 3, 4),
    ("if x:\n\n", "expected an indented block after 'if' statement on line 1", 2, 1),
    ("x = 1\ny = 2 \\ y", "unexpected character after line continuation character", 2, 8),
    ("x = \u{1}", "invalid non-printable character U+0001", 1, 5),
    ("x = (1 +\n\\", "'(' was never closed", 1, 5),
    ("s = 'ab\\\ncd", "unterminated string literal (detected at line 2)", 1, 5),
    ("s = 'ab\\\ncd\\\nef", "unterminated string literal (detected at line 3)", 1, 5),
    ("x = é€", "invalid character '€' (U+20AC)", 1, 6),
    ("x = (1 2", "'(' was never closed", 1, 5),
    ("f(a=1, a=2)", "keyword argument repeated: a", 1, 8),
    ("f(), x = 1", "invalid syntax. Maybe you meant '==' or ':=' instead of '='?", 1, 6),
    ("x, f() = 1", "cannot assign to function call here. Maybe you meant '==' instead of '='?", 1, 4),
    ("if x:\n  if y:\nz", "expected an indented block after 'if' statement on line 2", 3, 0),
    ("try:\n  x\ny = 1", "expected 'except' or 'finally' block", 3, 1),
    ("try:\n  x\nexcept A, B:\n  pass", "multiple exception types must be parenthesized", 3, 8),
    ("x = *a", "can't use starred expression here", 1, 5),
    ("*a", "can't use starred expression here", 1, 1),
    ("a, *b, *c = x", "multiple starred expressions in assignment", 1, 1),
    ("f(a.b=1)", "expression cannot contain assignment, perhaps you meant \"==\"?", 1, 3),
    ("f(True=1)", "cannot assign to True", 1, 3),
    ("def f(a, /, /): pass", "/ may appear only once", 1, 13),
    ("def f(/): pass", "invalid syntax", 1, 7),
    ("def f(*a, *b): pass", "* argument may appear only once", 1, 11),
    ("def f(*, a, /): pass", "/ must be ahead of *", 1, 13),
    ("x = [1, 2,, 3]", "invalid syntax", 1, 11),
    ("x = 1 if 2 else", "invalid syntax", 1, 16),
    ("f(x for x in y, )", "Generator expression must be parenthesized", 1, 3),
    ("x = f\"{x!r\"", "f-string: expecting '}'", 1, 12),
    ("x = f\"{x:{y:{z}}}\"", "f-string: expressions nested too deeply", 1, 19),
    ("f\"{ }\"", "f-string: empty expression not allowed", 1, 7),
    ("f\"{x!}\"", "f-string: invalid conversion character: expected 's', 'r', or 'a'", 1, 8),
    ("del *a", "cannot delete starred", 1, 5),
    ("del a + 1", "cannot delete expression", 1, 5),
    ("for x in y:\n  pass\nelse:\n  break", "'break' outside loop", 4, 3),
    ("nonlocal x", "nonlocal declaration not allowed at module level", 1, 1),
    ("lambda a, a: 1", "duplicate argument 'a' in function definition", 1, 11),
    ("x = [i for i in range(3) if (yield)]", "'yield' inside list comprehension", 1, 30),
    ("x = [i for i in (yield)]", "'yield' outside function", 1, 18),
    ("x = 1\n  y = 2", "unexpected indent", 2, 2),
    ("def f():\n    x = 1\n   y = 2", "unindent does not match any outer indentation level", 3, 9),
    ("x = [1,\n  2,\n  3", "'[' was never closed", 1, 5),
    ("x = {'a': 1\ny = 2", "'{' was never closed", 1, 5),
    ("for x in range(3)\n  pass", "expected ':'", 1, 18),
    ("while x\n  pass", "expected ':'", 1, 8),
    ("def f()\n  pass", "expected ':'", 1, 8),
    ("class A\n  pass", "expected ':'", 1, 8),
    ("try\n  pass", "expected ':'", 1, 4),
    ("x = 1\nx = 2 +", "invalid syntax", 2, 8),
    ("f(1, 2", "'(' was never closed", 1, 2),
    ("f(1, 2\nx = 3", "'(' was never closed", 1, 2),
    ("a = [1, 2 3]", "invalid syntax. Perhaps you forgot a comma?", 1, 9),
    ("a = {1: 2 3: 4}", "invalid syntax. Perhaps you forgot a comma?", 1, 9),
    ("a = (1 2)", "invalid syntax. Perhaps you forgot a comma?", 1, 6),
    ("return", "'return' outside function", 1, 1),
    ("x = 3 +* 4", "invalid syntax", 1, 8),
    ("import", "invalid syntax", 1, 7),
    ("from x import", "invalid syntax", 1, 14),
    ("import a.", "invalid syntax", 1, 10),
    ("def f(x):\n  global x", "name 'x' is parameter and global", 2, 3),
    ("x = \"abc\" \"def", "unterminated string literal (detected at line 1)", 1, 11),
    ("x = 'a' + 'b", "unterminated string literal (detected at line 1)", 1, 11),
    ("x = \"\"\"abc", "unterminated triple-quoted string literal (detected at line 1)", 1, 5),
    ("a b c", "invalid syntax", 1, 3),
    ("if True:\npass", "expected an indented block after 'if' statement on line 1", 2, 1),
    ("x = lambda: yield", "invalid syntax", 1, 13),
    ("x = [*a for a in b]", "iterable unpacking cannot be used in comprehension", 1, 6),
    ("x = {**a for a in b}", "dict unpacking cannot be used in dict comprehension", 1, 6),
    ("f(x=1, x=2)", "keyword argument repeated: x", 1, 8),
    ("def f(a, b, a): pass", "duplicate argument 'a' in function definition", 1, 13),
    ("while True:\n  def g():\n    break", "'break' outside loop", 3, 5),
    ("class A:\n  return 1", "'return' outside function", 2, 3),
    ("for x in y:\n  class A:\n    continue", "'continue' not properly in loop", 3, 5),
    ("x = 0777", "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 1, 5),
    ("x = 1.2.3", "invalid syntax", 1, 8),
    ("x = 1e1e1", "invalid decimal literal", 1, 7),
    ("x = 0x1g", "invalid hexadecimal literal", 1, 7),
    ("x = (1 + 2", "'(' was never closed", 1, 5),
    ("print(f\"{x!r:>{w}} {y=}\"", "'(' was never closed", 1, 6),
    ("def f x:\n  pass", "expected '('", 1, 7),
    ("def g \"s\" ():\n  pass", "expected '('", 1, 7),
    ("class No+isy:\n  pass", "invalid syntax", 1, 9),
    ("class A in :\n  pass", "invalid syntax", 1, 9),
    ("f(x):\n  pass", "invalid syntax", 1, 5),
    ("x:\n", "invalid syntax", 1, 3),
    ("d = {\"b\": , \"a\": 1}", "expression expected after dictionary key and ':'", 1, 9),
    ("f,(**kwargs)", "cannot use double starred expression here", 1, 4),
    ("l = list(x for x in yf x)", "invalid syntax", 1, 24),
    ("+a, b = 1, 2", "invalid syntax. Maybe you meant '==' or ':=' instead of '='?", 1, 5),
    ("class A:\n    def f(self):\n 1   x = 1", "unindent does not match any outer indentation level", 3, 11),
    ("for t in x:\n  pass\n  ry:\n y", "invalid syntax", 3, 6),
    ("x = [Ticket() f + or _ in range(4)]", "invalid syntax. Perhaps you forgot a comma?", 1, 6),
    ("s import= \"abc\" \\\n", "invalid syntax", 1, 3),
    ("if a and \\\n   b", "expected ':'", 2, 5),
    ("x = {'a': 1\ny = 2", "'{' was never closed", 1, 5),
    ("f(1, 2\nx = 3", "'(' was never closed", 1, 2),
    ("x = [*a for a in b]", "iterable unpacking cannot be used in comprehension", 1, 6),
    ("x = {**a for a in b}", "dict unpacking cannot be used in dict comprehension", 1, 6),
    ("def f(x):\n  global x", "name 'x' is parameter and global", 2, 3),
    ("x = f\"{x!r:>{w}}\" \"a\" f\"{\"", "f-string: expecting '}'", 1, 27),
    ("x = f\"{a}{b!x}\"", "f-string: invalid conversion character: expected 's', 'r', or 'a'", 1, 16),
    ("x = f\"{a:{b:{c}}}\"", "f-string: expressions nested too deeply", 1, 19),
    ("x = f'{\"a\" \"b\"'", "f-string: expecting '}'", 1, 16),
    ("x = 1 if True else", "invalid syntax", 1, 19),
    ("lambda x=1, y: 0", "non-default argument follows default argument", 1, 13),
    ("f(**a, *b, c)", "iterable argument unpacking follows keyword argument unpacking", 1, 8),
    ("print 'x'", "Missing parentheses in call to 'print'. Did you mean print(...)?", 1, 1),
    ("exec 'code'", "Missing parentheses in call to 'exec'. Did you mean exec(...)?", 1, 1),
    ("x = (1, 2\ny = 3)", "invalid syntax. Perhaps you forgot a comma?", 1, 9),
    ("if True:\n    pass\n  else:\n    pass", "unindent does not match any outer indentation level", 3, 8),
    ("def f():\n\treturn 1\n        return 2", "inconsistent use of tabs and spaces in indentation", 3, 1),
];

fn syntax_error(source: &str) -> Result<(String, u32, u32), String> {
    match parse(source) {
        Ok(_) => Err("parsed without error".into()),
        Err(ParseError {
            kind: ParseErrorKind::Syntax(msg),
            line,
            col,
        }) => Ok((msg, line, col)),
        Err(e) => Err(format!("{e:?}")),
    }
}

#[test]
fn syntax_errors_match_cpython() {
    let mut failures = Vec::new();
    for &(source, msg, line, offset) in SYNTAX_ERRORS {
        let expected = (msg.to_string(), line, offset);
        match syntax_error(source) {
            Ok(got) if got == expected => {}
            got => failures.push(format!(
                "{source:?}\n  expected {expected:?}\n  got      {got:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        SYNTAX_ERRORS.len(),
        failures.join("\n")
    );
}

/// Valid Python outside the subset: (source, construct, line, 1-based column).
const UNSUPPORTED: &[(&str, &str, u32, u32)] = &[
    ("async def f(): pass", "async def", 1, 1),
    ("async for x in y: pass", "async for", 1, 1),
    ("async with a: pass", "async with", 1, 1),
    ("def f():\n  await x", "await", 2, 3),
    ("x = [a async for a in b]", "async comprehensions", 1, 8),
    ("with open(f) as g:\n  pass", "with statement", 1, 1),
    (
        "x = 1\nmatch x:\n  case 1:\n    pass",
        "match statement",
        2,
        1,
    ),
    ("@dec\ndef f(): pass", "decorators", 1, 1),
    ("if (n := 10) > 5: pass", "walrus operator (:=)", 1, 5),
    ("f(y := 1)", "walrus operator (:=)", 1, 3),
    ("x: int = 1", "type annotations", 1, 1),
    ("self.x: int", "type annotations", 1, 1),
    ("def f(a: int): pass", "type annotations", 1, 7),
    ("def f() -> int: pass", "type annotations", 1, 9),
    ("x = b'abc'", "bytes literals", 1, 5),
    ("x = 'a' rb'c'", "bytes literals", 1, 9),
    ("x = 5j", "complex numbers", 1, 5),
    ("x = 1.5e3J", "complex numbers", 1, 5),
    (
        "class A(metaclass=M): pass",
        "class keyword arguments",
        1,
        9,
    ),
    ("class A(B, **kw): pass", "class keyword arguments", 1, 12),
    ("from m import *", "star imports", 1, 15),
    (
        "try:\n  pass\nexcept* E:\n  pass",
        "except* (exception groups)",
        3,
        1,
    ),
    (
        "x = \"\\N{BULLET}\"",
        "named unicode escapes (\\N{...})",
        1,
        5,
    ),
    ("x = '\\ud800'", "lone surrogates in strings", 1, 5),
];

#[test]
fn unsupported_constructs_are_named() {
    for &(source, what, line, col) in UNSUPPORTED {
        let err = parse(source).expect_err(source);
        assert_eq!(
            err,
            ParseError {
                kind: ParseErrorKind::Unsupported(what.into()),
                line,
                col
            },
            "{source:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("`{what}` is not supported (line {line})")
        );
        assert_eq!(err.python_exception(), None);
    }
}

#[test]
fn legal_python_that_looks_unsupported_parses() {
    for source in [
        "global g\ng = 1",
        "match = 1\nmatch(x)\nmatch[0]\ncase = _ = 2",
        "type = int",
        "x = a @ b\nx @= c",
        "def f(*a, **k): return f(*a, **k)",
        "print(*[1], sep='')",
    ] {
        parse(source).unwrap_or_else(|e| panic!("{source:?}: {e:?}"));
    }
}

#[test]
fn error_kinds_and_display() {
    let err = parse("if x:\npass").unwrap_err();
    assert_eq!(err.python_exception(), Some("IndentationError"));
    assert_eq!(
        err.to_string(),
        "IndentationError: expected an indented block after 'if' statement on line 1 (line 2)"
    );
    assert_eq!(
        parse("if x:\n\tpass\n        pass")
            .unwrap_err()
            .python_exception(),
        Some("TabError")
    );
    assert_eq!(
        parse("x = = 1").unwrap_err().python_exception(),
        Some("SyntaxError")
    );
    // CPython gives no position for this one; we point at the NUL.
    assert_eq!(
        syntax_error("x = 1\x00").unwrap(),
        ("source code string cannot contain null bytes".into(), 1, 6)
    );
}

/// Runs `f` on a thread with `stack` bytes of stack; an overflow aborts the test binary.
fn with_stack(stack: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic");
}

/// The worst case needs ~550 KiB of stack in a release build; debug builds need about
/// four times that.
const TEST_STACK: usize = 8 << 20;

#[test]
fn bracket_nesting_is_cpythons_limit() {
    with_stack(TEST_STACK, || {
        for (open, close) in [
            ("(", ")"),
            ("[", "]"),
            ("f(", ")"),
            ("a[", "]"),
            ("{1:", "}"),
            ("[x for x in ", "]"),
        ] {
            let ok = format!("x = {}1{}", open.repeat(200), close.repeat(200));
            parse(&ok).unwrap_or_else(|e| panic!("200 x {open}: {e}"));
            let (msg, line, _) =
                syntax_error(&format!("x = {}1{}", open.repeat(201), close.repeat(201))).unwrap();
            assert_eq!(
                (msg.as_str(), line),
                ("too many nested parentheses", 1),
                "201 x {open}"
            );
            let (msg, _, _) = syntax_error(&format!(
                "x = {}1{}",
                open.repeat(10_000),
                close.repeat(10_000)
            ))
            .unwrap();
            assert_eq!(msg, "too many nested parentheses");
        }
    });
}

#[test]
fn deep_expressions_are_bounded() {
    with_stack(TEST_STACK, || {
        let deep = [
            "-".repeat(10_000) + "1",
            "not ".repeat(10_000) + "x",
            "2 ** ".repeat(10_000) + "1",
            "lambda: ".repeat(10_000) + "1",
            "a if b else ".repeat(10_000) + "c",
            "x".to_string() + &".a".repeat(10_000),
            "x".to_string() + &"()".repeat(10_000),
            "1".to_string() + &" + 1".repeat(10_000),
            format!("x = {}1{}", "-{not ".repeat(199), "}".repeat(199)),
        ];
        for source in deep {
            let (msg, line, _) =
                syntax_error(&source).unwrap_or_else(|e| panic!("{}...: {e}", &source[..20]));
            assert_eq!(
                (msg.as_str(), line),
                ("expression is nested too deeply", 1),
                "{}...",
                &source[..20]
            );
        }
        // Well within the budget.
        parse(&("-".repeat(200) + "1")).unwrap();
        parse(&("x".to_string() + &".a".repeat(MAX_NESTING as usize / 2))).unwrap();
    });
}

#[test]
fn deep_statement_nesting_is_cpythons_limit() {
    with_stack(TEST_STACK, || {
        let nested = |n: usize| {
            (0..n)
                .map(|i| format!("{}if x:\n", " ".repeat(i)))
                .collect::<String>()
                + &" ".repeat(n)
                + "pass\n"
        };
        parse(&nested(98)).unwrap();
        let (msg, _, _) = syntax_error(&nested(100)).unwrap();
        assert_eq!(msg, "too many levels of indentation");
    });
}

#[test]
fn huge_input_parses() {
    let source = "x = [1, 2, 3]\nif x:\n    y = f(x)\n".repeat(20_000);
    assert_eq!(parse(&source).unwrap().body.len(), 40_000);
}

/// Tokens of the subset and of Python beyond it, for random token soups.
const SOUP: &[&str] = &[
    "x",
    "y",
    "f",
    "1",
    "2.5",
    "0x1f",
    "1_0",
    "'s'",
    "\"t\"",
    "f'{x}'",
    "f\"{y!r:>{w}}\"",
    "'''a\nb'''",
    "b'x'",
    "r'\\d'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "...",
    "=",
    "==",
    "+",
    "-",
    "*",
    "**",
    "/",
    "//",
    "%",
    "@",
    "<",
    ">=",
    "!=",
    "+=",
    "->",
    ":=",
    "~",
    "&",
    "|",
    "^",
    "<<",
    "if",
    "elif",
    "else",
    "for",
    "in",
    "while",
    "def",
    "class",
    "return",
    "yield",
    "from",
    "import",
    "as",
    "try",
    "except",
    "finally",
    "raise",
    "with",
    "lambda",
    "not",
    "and",
    "or",
    "is",
    "None",
    "True",
    "del",
    "global",
    "nonlocal",
    "pass",
    "break",
    "continue",
    "assert",
    "async",
    "await",
    "match",
    "case",
    "\n",
    "\n    ",
    "\n\t",
    "\\\n",
    "#c",
    "$",
    "\u{e9}",
    "\u{20ac}",
    "\"",
    "'",
    "{{",
    "}}",
    " ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(source in "\\PC*") {
        let _ = parse(&source);
    }

    #[test]
    fn random_ascii_never_panics(source in "[ -~\n\t\r\x0c]{0,200}") {
        let _ = parse(&source);
    }

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(SOUP), 0..120)) {
        let _ = parse(&tokens.join(" "));
        let _ = parse(&tokens.concat());
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}
