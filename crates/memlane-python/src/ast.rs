//! The syntax tree of memlane's Python subset. Node names and fields mirror CPython's
//! `ast` module (3.11) so that the interpreter reads like CPython's compiler, and so that
//! [`dump`] can be compared byte for byte with `ast.dump(..., include_attributes=True)`.

use num_bigint::BigInt;

/// A source span: `line`/`end_line` are 1-based, `col`/`end_col` are 0-based UTF-8 byte
/// offsets within their line, exactly like CPython's `col_offset`/`end_col_offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

#[derive(Debug, PartialEq)]
pub struct Module {
    pub body: Vec<Stmt>,
}

#[derive(Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub loc: Loc,
}

#[derive(Debug, PartialEq)]
pub enum StmtKind {
    FunctionDef {
        name: String,
        args: Box<Arguments>,
        body: Vec<Stmt>,
    },
    ClassDef {
        name: String,
        bases: Vec<Expr>,
        body: Vec<Stmt>,
    },
    Return(Option<Expr>),
    Delete(Vec<Expr>),
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    AugAssign {
        target: Expr,
        op: Operator,
        value: Expr,
    },
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    Raise {
        exc: Option<Expr>,
        cause: Option<Expr>,
    },
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        /// Shared: the compiler keeps it for the exits that run it.
        finalbody: std::rc::Rc<[Stmt]>,
    },
    Assert {
        test: Expr,
        msg: Option<Expr>,
    },
    Import(Vec<Alias>),
    ImportFrom {
        /// `None` for `from . import x`.
        module: Option<String>,
        names: Vec<Alias>,
        /// The number of leading dots.
        level: u32,
    },
    Global(Vec<String>),
    Nonlocal(Vec<String>),
    Expr(Expr),
    Pass,
    Break,
    Continue,
}

#[derive(Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub loc: Loc,
}

#[derive(Debug, PartialEq)]
pub enum ExprKind {
    BoolOp {
        op: BoolOp,
        values: Vec<Expr>,
    },
    BinOp {
        left: Box<Expr>,
        op: Operator,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Lambda {
        args: Box<Arguments>,
        body: Box<Expr>,
    },
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    Dict {
        /// `None` marks a `**mapping` entry; its mapping is the matching `values` item.
        keys: Vec<Option<Expr>>,
        values: Vec<Expr>,
    },
    Set(Vec<Expr>),
    ListComp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    SetComp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    DictComp {
        key: Box<Expr>,
        value: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    GeneratorExp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
    },
    Yield(Option<Box<Expr>>),
    YieldFrom(Box<Expr>),
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    FormattedValue {
        value: Box<Expr>,
        /// -1 for none, else `'s' as i32`, `'r' as i32` or `'a' as i32`.
        conversion: i32,
        format_spec: Option<Box<Expr>>,
    },
    JoinedStr(Vec<Expr>),
    Constant(Constant),
    Attribute {
        value: Box<Expr>,
        attr: String,
        ctx: ExprContext,
    },
    Subscript {
        value: Box<Expr>,
        slice: Box<Expr>,
        ctx: ExprContext,
    },
    Starred {
        value: Box<Expr>,
        ctx: ExprContext,
    },
    Name {
        id: String,
        ctx: ExprContext,
    },
    List {
        elts: Vec<Expr>,
        ctx: ExprContext,
    },
    Tuple {
        elts: Vec<Expr>,
        ctx: ExprContext,
    },
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
}

/// A literal value. Each literal occurrence in the source is its own node.
#[derive(Debug, PartialEq)]
pub enum Constant {
    None,
    True,
    False,
    Ellipsis,
    Int(BigInt),
    Float(f64),
    Str(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExprContext {
    Load,
    Store,
    Del,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
    FloorDiv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Invert,
    Not,
    UAdd,
    USub,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

#[derive(Debug, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
    /// Always false: async comprehensions are rejected as unsupported.
    pub is_async: bool,
}

#[derive(Debug, PartialEq)]
pub struct ExceptHandler {
    pub type_: Option<Expr>,
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub loc: Loc,
}

#[derive(Debug, Default, PartialEq)]
pub struct Arguments {
    pub posonlyargs: Vec<Arg>,
    pub args: Vec<Arg>,
    pub vararg: Option<Arg>,
    pub kwonlyargs: Vec<Arg>,
    /// One per `kwonlyargs` item; `None` where that argument has no default.
    pub kw_defaults: Vec<Option<Expr>>,
    pub kwarg: Option<Arg>,
    /// Defaults of the last `defaults.len()` items of `posonlyargs` + `args`.
    pub defaults: Vec<Expr>,
}

#[derive(Debug, PartialEq)]
pub struct Arg {
    pub arg: String,
    pub loc: Loc,
}

#[derive(Debug, PartialEq)]
pub struct Keyword {
    /// `None` for `**mapping`.
    pub arg: Option<String>,
    pub value: Expr,
    pub loc: Loc,
}

#[derive(Debug, PartialEq)]
pub struct Alias {
    /// Dotted for `import a.b`.
    pub name: String,
    pub asname: Option<String>,
    pub loc: Loc,
}

/// Formats `module` exactly as CPython 3.11's
/// `ast.dump(ast.parse(src), include_attributes=True)` does. Used to test the parser
/// against CPython. Strings are shown with Python's `repr`; which non-ASCII characters
/// count as printable is approximated (unassigned code points are shown as printable).
pub fn dump(module: &Module) -> String {
    let mut d = Dumper { out: String::new() };
    d.out.push_str("Module(body=");
    d.stmts(&module.body);
    d.out.push_str(", type_ignores=[])");
    d.out
}

struct Dumper {
    out: String,
}

impl Dumper {
    fn loc(&mut self, loc: &Loc) {
        self.out.push_str(&format!(
            "lineno={}, col_offset={}, end_lineno={}, end_col_offset={}",
            loc.line, loc.col, loc.end_line, loc.end_col
        ));
    }

    fn list<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T)) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            f(self, item);
        }
        self.out.push(']');
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        self.list(stmts, |d, s| d.stmt(s));
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        self.list(exprs, |d, e| d.expr(e));
    }

    fn names(&mut self, names: &[String]) {
        self.list(names, |d, n| d.out.push_str(&py_repr_str(n)));
    }

    /// Writes `, field=value` when present; CPython's dump omits optional fields that are None.
    fn opt_expr(&mut self, field: &str, e: &Option<Expr>) {
        if let Some(e) = e {
            self.out.push_str(&format!("{field}="));
            self.expr(e);
            self.out.push_str(", ");
        }
    }

    fn opt_box(&mut self, field: &str, e: &Option<Box<Expr>>) {
        if let Some(e) = e {
            self.out.push_str(&format!("{field}="));
            self.expr(e);
            self.out.push_str(", ");
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        let o = |d: &mut Self, text: &str| d.out.push_str(text);
        match &s.kind {
            StmtKind::FunctionDef { name, args, body } => {
                o(
                    self,
                    &format!("FunctionDef(name={}, args=", py_repr_str(name)),
                );
                self.arguments(args);
                o(self, ", body=");
                self.stmts(body);
                o(self, ", decorator_list=[], ");
            }
            StmtKind::ClassDef { name, bases, body } => {
                o(
                    self,
                    &format!("ClassDef(name={}, bases=", py_repr_str(name)),
                );
                self.exprs(bases);
                o(self, ", keywords=[], body=");
                self.stmts(body);
                o(self, ", decorator_list=[], ");
            }
            StmtKind::Return(value) => {
                o(self, "Return(");
                self.opt_expr("value", value);
            }
            StmtKind::Delete(targets) => {
                o(self, "Delete(targets=");
                self.exprs(targets);
                o(self, ", ");
            }
            StmtKind::Assign { targets, value } => {
                o(self, "Assign(targets=");
                self.exprs(targets);
                o(self, ", value=");
                self.expr(value);
                o(self, ", ");
            }
            StmtKind::AugAssign { target, op, value } => {
                o(self, "AugAssign(target=");
                self.expr(target);
                o(self, &format!(", op={}(), value=", operator_name(*op)));
                self.expr(value);
                o(self, ", ");
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                o(self, "For(target=");
                self.expr(target);
                o(self, ", iter=");
                self.expr(iter);
                o(self, ", body=");
                self.stmts(body);
                o(self, ", orelse=");
                self.stmts(orelse);
                o(self, ", ");
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                let name = if matches!(s.kind, StmtKind::While { .. }) {
                    "While"
                } else {
                    "If"
                };
                o(self, &format!("{name}(test="));
                self.expr(test);
                o(self, ", body=");
                self.stmts(body);
                o(self, ", orelse=");
                self.stmts(orelse);
                o(self, ", ");
            }
            StmtKind::Raise { exc, cause } => {
                o(self, "Raise(");
                self.opt_expr("exc", exc);
                self.opt_expr("cause", cause);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                o(self, "Try(body=");
                self.stmts(body);
                o(self, ", handlers=");
                self.list(handlers, |d, h| d.handler(h));
                o(self, ", orelse=");
                self.stmts(orelse);
                o(self, ", finalbody=");
                self.stmts(finalbody);
                o(self, ", ");
            }
            StmtKind::Assert { test, msg } => {
                o(self, "Assert(test=");
                self.expr(test);
                o(self, ", ");
                self.opt_expr("msg", msg);
            }
            StmtKind::Import(names) => {
                o(self, "Import(names=");
                self.list(names, |d, a| d.alias(a));
                o(self, ", ");
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                o(self, "ImportFrom(");
                if let Some(m) = module {
                    o(self, &format!("module={}, ", py_repr_str(m)));
                }
                o(self, "names=");
                self.list(names, |d, a| d.alias(a));
                o(self, &format!(", level={level}, "));
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
                let name = if matches!(s.kind, StmtKind::Global(_)) {
                    "Global"
                } else {
                    "Nonlocal"
                };
                o(self, &format!("{name}(names="));
                self.names(names);
                o(self, ", ");
            }
            StmtKind::Expr(value) => {
                o(self, "Expr(value=");
                self.expr(value);
                o(self, ", ");
            }
            StmtKind::Pass => o(self, "Pass("),
            StmtKind::Break => o(self, "Break("),
            StmtKind::Continue => o(self, "Continue("),
        }
        self.loc(&s.loc);
        self.out.push(')');
    }

    fn handler(&mut self, h: &ExceptHandler) {
        self.out.push_str("ExceptHandler(");
        self.opt_expr("type", &h.type_);
        if let Some(n) = &h.name {
            self.out.push_str(&format!("name={}, ", py_repr_str(n)));
        }
        self.out.push_str("body=");
        self.stmts(&h.body);
        self.out.push_str(", ");
        self.loc(&h.loc);
        self.out.push(')');
    }

    fn alias(&mut self, a: &Alias) {
        self.out
            .push_str(&format!("alias(name={}, ", py_repr_str(&a.name)));
        if let Some(n) = &a.asname {
            self.out.push_str(&format!("asname={}, ", py_repr_str(n)));
        }
        self.loc(&a.loc);
        self.out.push(')');
    }

    fn arg(&mut self, a: &Arg) {
        self.out
            .push_str(&format!("arg(arg={}, ", py_repr_str(&a.arg)));
        self.loc(&a.loc);
        self.out.push(')');
    }

    fn arguments(&mut self, a: &Arguments) {
        self.out.push_str("arguments(posonlyargs=");
        self.list(&a.posonlyargs, |d, a| d.arg(a));
        self.out.push_str(", args=");
        self.list(&a.args, |d, a| d.arg(a));
        if let Some(v) = &a.vararg {
            self.out.push_str(", vararg=");
            self.arg(v);
        }
        self.out.push_str(", kwonlyargs=");
        self.list(&a.kwonlyargs, |d, a| d.arg(a));
        self.out.push_str(", kw_defaults=");
        self.list(&a.kw_defaults, |d, e| match e {
            Some(e) => d.expr(e),
            None => d.out.push_str("None"),
        });
        if let Some(k) = &a.kwarg {
            self.out.push_str(", kwarg=");
            self.arg(k);
        }
        self.out.push_str(", defaults=");
        self.exprs(&a.defaults);
        self.out.push(')');
    }

    fn generators(&mut self, gens: &[Comprehension]) {
        self.list(gens, |d, g| {
            d.out.push_str("comprehension(target=");
            d.expr(&g.target);
            d.out.push_str(", iter=");
            d.expr(&g.iter);
            d.out.push_str(", ifs=");
            d.exprs(&g.ifs);
            d.out
                .push_str(&format!(", is_async={})", g.is_async as i32));
        });
    }

    fn ctx(&mut self, ctx: ExprContext) {
        self.out.push_str(match ctx {
            ExprContext::Load => "ctx=Load(), ",
            ExprContext::Store => "ctx=Store(), ",
            ExprContext::Del => "ctx=Del(), ",
        });
    }

    fn expr(&mut self, e: &Expr) {
        let o = |d: &mut Self, text: &str| d.out.push_str(text);
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                let op = match op {
                    BoolOp::And => "And",
                    BoolOp::Or => "Or",
                };
                o(self, &format!("BoolOp(op={op}(), values="));
                self.exprs(values);
                o(self, ", ");
            }
            ExprKind::BinOp { left, op, right } => {
                o(self, "BinOp(left=");
                self.expr(left);
                o(self, &format!(", op={}(), right=", operator_name(*op)));
                self.expr(right);
                o(self, ", ");
            }
            ExprKind::UnaryOp { op, operand } => {
                let op = match op {
                    UnaryOp::Invert => "Invert",
                    UnaryOp::Not => "Not",
                    UnaryOp::UAdd => "UAdd",
                    UnaryOp::USub => "USub",
                };
                o(self, &format!("UnaryOp(op={op}(), operand="));
                self.expr(operand);
                o(self, ", ");
            }
            ExprKind::Lambda { args, body } => {
                o(self, "Lambda(args=");
                self.arguments(args);
                o(self, ", body=");
                self.expr(body);
                o(self, ", ");
            }
            ExprKind::IfExp { test, body, orelse } => {
                o(self, "IfExp(test=");
                self.expr(test);
                o(self, ", body=");
                self.expr(body);
                o(self, ", orelse=");
                self.expr(orelse);
                o(self, ", ");
            }
            ExprKind::Dict { keys, values } => {
                o(self, "Dict(keys=");
                self.list(keys, |d, k| match k {
                    Some(k) => d.expr(k),
                    None => d.out.push_str("None"),
                });
                o(self, ", values=");
                self.exprs(values);
                o(self, ", ");
            }
            ExprKind::Set(elts) => {
                o(self, "Set(elts=");
                self.exprs(elts);
                o(self, ", ");
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                let name = match e.kind {
                    ExprKind::ListComp { .. } => "ListComp",
                    ExprKind::SetComp { .. } => "SetComp",
                    _ => "GeneratorExp",
                };
                o(self, &format!("{name}(elt="));
                self.expr(elt);
                o(self, ", generators=");
                self.generators(generators);
                o(self, ", ");
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                o(self, "DictComp(key=");
                self.expr(key);
                o(self, ", value=");
                self.expr(value);
                o(self, ", generators=");
                self.generators(generators);
                o(self, ", ");
            }
            ExprKind::Yield(value) => {
                o(self, "Yield(");
                self.opt_box("value", value);
            }
            ExprKind::YieldFrom(value) => {
                o(self, "YieldFrom(value=");
                self.expr(value);
                o(self, ", ");
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                o(self, "Compare(left=");
                self.expr(left);
                o(self, ", ops=");
                self.list(ops, |d, op| {
                    d.out.push_str(match op {
                        CmpOp::Eq => "Eq()",
                        CmpOp::NotEq => "NotEq()",
                        CmpOp::Lt => "Lt()",
                        CmpOp::LtE => "LtE()",
                        CmpOp::Gt => "Gt()",
                        CmpOp::GtE => "GtE()",
                        CmpOp::Is => "Is()",
                        CmpOp::IsNot => "IsNot()",
                        CmpOp::In => "In()",
                        CmpOp::NotIn => "NotIn()",
                    })
                });
                o(self, ", comparators=");
                self.exprs(comparators);
                o(self, ", ");
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                o(self, "Call(func=");
                self.expr(func);
                o(self, ", args=");
                self.exprs(args);
                o(self, ", keywords=");
                self.list(keywords, |d, k| {
                    d.out.push_str("keyword(");
                    if let Some(a) = &k.arg {
                        d.out.push_str(&format!("arg={}, ", py_repr_str(a)));
                    }
                    d.out.push_str("value=");
                    d.expr(&k.value);
                    d.out.push_str(", ");
                    d.loc(&k.loc);
                    d.out.push(')');
                });
                o(self, ", ");
            }
            ExprKind::FormattedValue {
                value,
                conversion,
                format_spec,
            } => {
                o(self, "FormattedValue(value=");
                self.expr(value);
                o(self, &format!(", conversion={conversion}, "));
                self.opt_box("format_spec", format_spec);
            }
            ExprKind::JoinedStr(values) => {
                o(self, "JoinedStr(values=");
                self.exprs(values);
                o(self, ", ");
            }
            ExprKind::Constant(c) => {
                o(self, &format!("Constant(value={}, ", constant_repr(c)));
            }
            ExprKind::Attribute { value, attr, ctx } => {
                o(self, "Attribute(value=");
                self.expr(value);
                o(self, &format!(", attr={}, ", py_repr_str(attr)));
                self.ctx(*ctx);
            }
            ExprKind::Subscript { value, slice, ctx } => {
                o(self, "Subscript(value=");
                self.expr(value);
                o(self, ", slice=");
                self.expr(slice);
                o(self, ", ");
                self.ctx(*ctx);
            }
            ExprKind::Starred { value, ctx } => {
                o(self, "Starred(value=");
                self.expr(value);
                o(self, ", ");
                self.ctx(*ctx);
            }
            ExprKind::Name { id, ctx } => {
                o(self, &format!("Name(id={}, ", py_repr_str(id)));
                self.ctx(*ctx);
            }
            ExprKind::List { elts, ctx } | ExprKind::Tuple { elts, ctx } => {
                let name = if matches!(e.kind, ExprKind::List { .. }) {
                    "List"
                } else {
                    "Tuple"
                };
                o(self, &format!("{name}(elts="));
                self.exprs(elts);
                o(self, ", ");
                self.ctx(*ctx);
            }
            ExprKind::Slice { lower, upper, step } => {
                o(self, "Slice(");
                self.opt_box("lower", lower);
                self.opt_box("upper", upper);
                self.opt_box("step", step);
            }
        }
        self.loc(&e.loc);
        self.out.push(')');
    }
}

fn operator_name(op: Operator) -> &'static str {
    match op {
        Operator::Add => "Add",
        Operator::Sub => "Sub",
        Operator::Mult => "Mult",
        Operator::MatMult => "MatMult",
        Operator::Div => "Div",
        Operator::Mod => "Mod",
        Operator::Pow => "Pow",
        Operator::LShift => "LShift",
        Operator::RShift => "RShift",
        Operator::BitOr => "BitOr",
        Operator::BitXor => "BitXor",
        Operator::BitAnd => "BitAnd",
        Operator::FloorDiv => "FloorDiv",
    }
}

/// Python's `repr` of a constant.
pub fn constant_repr(c: &Constant) -> String {
    match c {
        Constant::None => "None".into(),
        Constant::True => "True".into(),
        Constant::False => "False".into(),
        Constant::Ellipsis => "Ellipsis".into(),
        Constant::Int(i) => i.to_string(),
        Constant::Float(f) => py_repr_float(*f),
        Constant::Str(s) => py_repr_str(s),
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, in exponent form when the
/// decimal exponent is below -4 or at least 16.
pub fn py_repr_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "-1.2345e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Position of the decimal point relative to the first digit.
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        let mut out = String::from(sign);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
        out
    } else if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt as usize >= digits.len() {
        format!(
            "{sign}{digits}{}.0",
            "0".repeat(decpt as usize - digits.len())
        )
    } else {
        let (a, b) = digits.split_at(decpt as usize);
        format!("{sign}{a}.{b}")
    }
}

/// Python's `repr(str)`.
pub fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_printable_char(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Approximates `str.isprintable` for one character: false for controls, separators
/// other than space, format characters and private-use code points.
pub(crate) fn is_printable_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    !(matches!(u,
        0x80..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x2066..=0x206f | 0x3000 | 0xe000..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xfffe..=0xffff | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
        || (u & 0xfffe) == 0xfffe)
}
