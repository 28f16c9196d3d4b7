//! AST to bytecode, as CPython's compiler does it for this subset: the same constant
//! folding (with its size limits), the same constant merging per compilation, the same
//! order of constants, and the same shape of code for displays and calls, because all of
//! these decide which objects exist and who holds them.

use crate::ast::*;
use crate::bytecode::*;
use crate::symtable::{NameKind, SymbolTable};
use memlane_core::Version;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::collections::HashMap;
use std::rc::Rc;

/// `ast_opt.c`'s limits on folded constants.
const MAX_INT_SIZE: u64 = 128;
const MAX_COLLECTION_SIZE: usize = 256;
const MAX_STR_SIZE: usize = 4096;
/// Displays longer than this are built item by item (`STACK_USE_GUIDELINE`).
const STACK_USE_GUIDELINE: usize = 30;

#[derive(Clone, Debug)]
pub struct Compiled {
    /// Code units in completion order: nested units before the units that contain them.
    pub units: Vec<CodeUnit>,
    pub module_unit: usize,
    /// The objects the parser created for literals (kept alive by its AST arena while the
    /// module runs), in source order, followed by the optimizer's folded constants.
    pub literals: Vec<ConstValue>,
    /// For each constant key, the literal whose object became the shared constant.
    pub canonical: HashMap<String, usize>,
    /// The SyntaxWarnings compiling raised, as (line, message), in source order.
    pub warnings: Vec<(u32, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub message: String,
    pub line: u32,
    pub col: u32,
    /// The construct is valid Python but outside memlane's subset.
    pub unsupported: bool,
}

type CResult<T = ()> = Result<T, CompileError>;

fn syntax(message: impl Into<String>, loc: &Loc) -> CompileError {
    CompileError {
        message: message.into(),
        line: loc.line,
        col: loc.col + 1,
        unsupported: false,
    }
}

/// CPython's built-in names that memlane's interpreter does not provide.
const UNMODELLED_BUILTINS: &[&str] = &[
    "aiter",
    "anext",
    "ascii",
    "breakpoint",
    "bytearray",
    "bytes",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "dir",
    "eval",
    "exec",
    "exit",
    "globals",
    "help",
    "input",
    "license",
    "locals",
    "memoryview",
    "open",
    "property",
    "quit",
    "staticmethod",
    "super",
    "vars",
];

fn unsupported(message: impl Into<String>, loc: &Loc) -> CompileError {
    CompileError {
        message: message.into(),
        line: loc.line,
        col: loc.col + 1,
        unsupported: true,
    }
}

enum FBlock {
    Loop {
        start: usize,
        breaks: Vec<usize>,
        for_loop: bool,
    },
    TryExcept,
    Finally(Rc<[Stmt]>),
    Handler {
        name: Option<String>,
    },
    /// The exception path of a finally body: the exception sits on the stack.
    FinallyEnd,
}

struct Unit {
    code: CodeUnit,
    scope: usize,
    const_index: HashMap<String, u32>,
    fblocks: Vec<FBlock>,
    line: u32,
    depth: i32,
}

pub fn compile(module: &Module, version: Version) -> CResult<Compiled> {
    let symbols = SymbolTable::build(module).map_err(|e| CompileError {
        message: e.message,
        line: e.line,
        col: 1,
        unsupported: false,
    })?;
    let mut literals = Vec::new();
    let mut literal_at = HashMap::new();
    collect_literals(module, &mut literals, &mut literal_at);
    let mut c = Compiler {
        symbols,
        literals,
        literal_at,
        canonical: HashMap::new(),
        units: Vec::new(),
        stack: Vec::new(),
        version,
        warnings: Vec::new(),
    };
    c.enter(UnitKind::Module, "<module>", "<module>", 0, 1);
    c.body(&module.body)?;
    let none = c.add_const(ConstValue::None, None);
    c.emit(Instr::LoadConst(none));
    c.emit(Instr::ReturnValue);
    let module_unit = c.leave();
    Ok(Compiled {
        units: c.units,
        module_unit,
        literals: c.literals,
        canonical: c.canonical,
        warnings: c.warnings,
    })
}

/// Literals are found again by where they are and what they are: the parts of an
/// f-string all carry the f-string's own location.
type LiteralKey = (u32, u32, u32, u32, String);

fn loc_key(loc: &Loc, value: &ConstValue) -> LiteralKey {
    (loc.line, loc.col, loc.end_line, loc.end_col, value.key())
}

fn constant_value(c: &Constant) -> ConstValue {
    match c {
        Constant::None => ConstValue::None,
        Constant::True => ConstValue::True,
        Constant::False => ConstValue::False,
        Constant::Ellipsis => ConstValue::Ellipsis,
        Constant::Int(v) => ConstValue::Int(v.clone()),
        Constant::Float(v) => ConstValue::Float(*v),
        Constant::Str(s) => ConstValue::Str(s.clone()),
    }
}

/// Every literal the parser turned into an object, in source order.
fn collect_literals(
    module: &Module,
    out: &mut Vec<ConstValue>,
    at: &mut HashMap<LiteralKey, usize>,
) {
    fn expr(e: &Expr, out: &mut Vec<ConstValue>, at: &mut HashMap<LiteralKey, usize>) {
        if let ExprKind::Constant(c) = &e.kind {
            // None, True, False and Ellipsis are singletons the arena does not hold.
            if matches!(c, Constant::Int(_) | Constant::Float(_) | Constant::Str(_)) {
                let v = constant_value(c);
                at.insert(loc_key(&e.loc, &v), out.len());
                out.push(v);
            }
            return;
        }
        match &e.kind {
            ExprKind::Lambda { args, body } => {
                args_exprs(args, out, at);
                expr(body, out, at);
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                expr(elt, out, at);
                comps(generators, out, at);
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                expr(key, out, at);
                expr(value, out, at);
                comps(generators, out, at);
            }
            _ => crate::symtable::for_each_child(e, &mut |c| expr(c, out, at)),
        }
    }
    fn comps(
        gens: &[Comprehension],
        out: &mut Vec<ConstValue>,
        at: &mut HashMap<LiteralKey, usize>,
    ) {
        for g in gens {
            expr(&g.target, out, at);
            expr(&g.iter, out, at);
            g.ifs.iter().for_each(|i| expr(i, out, at));
        }
    }
    fn args_exprs(a: &Arguments, out: &mut Vec<ConstValue>, at: &mut HashMap<LiteralKey, usize>) {
        a.defaults.iter().for_each(|d| expr(d, out, at));
        a.kw_defaults
            .iter()
            .flatten()
            .for_each(|d| expr(d, out, at));
    }
    fn stmts(body: &[Stmt], out: &mut Vec<ConstValue>, at: &mut HashMap<LiteralKey, usize>) {
        for s in body {
            match &s.kind {
                StmtKind::FunctionDef { args, body, .. } => {
                    args_exprs(args, out, at);
                    stmts(body, out, at);
                }
                StmtKind::ClassDef { bases, body, .. } => {
                    bases.iter().for_each(|b| expr(b, out, at));
                    stmts(body, out, at);
                }
                StmtKind::Return(v) => v.iter().for_each(|v| expr(v, out, at)),
                StmtKind::Delete(t) => t.iter().for_each(|v| expr(v, out, at)),
                StmtKind::Assign { targets, value } => {
                    targets.iter().for_each(|t| expr(t, out, at));
                    expr(value, out, at);
                }
                StmtKind::AugAssign { target, value, .. } => {
                    expr(target, out, at);
                    expr(value, out, at);
                }
                StmtKind::For {
                    target,
                    iter,
                    body,
                    orelse,
                } => {
                    expr(target, out, at);
                    expr(iter, out, at);
                    stmts(body, out, at);
                    stmts(orelse, out, at);
                }
                StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                    expr(test, out, at);
                    stmts(body, out, at);
                    stmts(orelse, out, at);
                }
                StmtKind::Raise { exc, cause } => [exc, cause]
                    .into_iter()
                    .flatten()
                    .for_each(|v| expr(v, out, at)),
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finalbody,
                } => {
                    stmts(body, out, at);
                    for h in handlers {
                        h.type_.iter().for_each(|t| expr(t, out, at));
                        stmts(&h.body, out, at);
                    }
                    stmts(orelse, out, at);
                    stmts(finalbody, out, at);
                }
                StmtKind::Assert { test, msg } => {
                    expr(test, out, at);
                    msg.iter().for_each(|m| expr(m, out, at));
                }
                StmtKind::Expr(e) => expr(e, out, at),
                _ => {}
            }
        }
    }
    stmts(&module.body, out, at);
}

struct Compiler {
    symbols: SymbolTable,
    literals: Vec<ConstValue>,
    literal_at: HashMap<LiteralKey, usize>,
    canonical: HashMap<String, usize>,
    units: Vec<CodeUnit>,
    stack: Vec<Unit>,
    version: Version,
    warnings: Vec<(u32, String)>,
}

impl Compiler {
    /// CPython's `check_compare`: `is` or `is not` with a literal operand (not None,
    /// True, False or `...`, after constant folding) raises a SyntaxWarning, once a
    /// comparison chain.
    fn check_is_literal(&mut self, left: &Expr, ops: &[CmpOp], comparators: &[Expr], line: u32) {
        let literal = |c: &Self, e: &Expr| match c.fold(e)? {
            ConstValue::None | ConstValue::True | ConstValue::False | ConstValue::Ellipsis => None,
            ConstValue::Int(_) => Some("int"),
            ConstValue::Float(_) => Some("float"),
            ConstValue::Str(_) => Some("str"),
            ConstValue::Tuple(_) => Some("tuple"),
            ConstValue::FrozenSet(_) => Some("frozenset"),
            ConstValue::Code(_) => None,
        };
        let mut left = literal(self, left);
        for (op, e) in ops.iter().zip(comparators) {
            let right = literal(self, e);
            if let (CmpOp::Is | CmpOp::IsNot, Some(t)) = (op, left.or(right)) {
                let (word, instead) = if *op == CmpOp::Is {
                    ("is", "==")
                } else {
                    ("is not", "!=")
                };
                let what = if self.version >= Version::Py312 {
                    format!("'{t}' literal")
                } else {
                    "a literal".to_string()
                };
                self.warnings.push((
                    line,
                    format!("\"{word}\" with {what}. Did you mean \"{instead}\"?"),
                ));
                return;
            }
            left = right;
        }
    }

    fn enter(&mut self, kind: UnitKind, name: &str, qualname: &str, scope: usize, line: u32) {
        let s = &self.symbols.scopes[scope];
        let code = CodeUnit {
            kind,
            name: name.into(),
            qualname: qualname.into(),
            first_line: line,
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            varargs: false,
            varkeywords: false,
            varnames: Vec::new(),
            cellvars: s.cells.iter().cloned().collect(),
            freevars: s
                .frees
                .iter()
                .filter(|n| !s.cells.contains(*n))
                .cloned()
                .collect(),
            names: Vec::new(),
            consts: Vec::new(),
            code: Vec::new(),
            lines: Vec::new(),
            is_generator: s.is_generator,
            stacksize: 0,
        };
        let mut unit = Unit {
            code,
            scope,
            const_index: HashMap::new(),
            fblocks: Vec::new(),
            line,
            depth: 0,
        };
        if !matches!(kind, UnitKind::Module | UnitKind::Class) {
            for p in &s.params {
                unit.code.varnames.push(p.clone());
            }
            for b in &s.bound {
                let k = self.symbols.kind_of(scope, b);
                if matches!(k, NameKind::Fast | NameKind::Cell)
                    && !unit.code.varnames.contains(b)
                    && k == NameKind::Fast
                {
                    unit.code.varnames.push(b.clone());
                }
            }
        }
        self.stack.push(unit);
    }

    fn leave(&mut self) -> usize {
        let unit = self.stack.pop().expect("a unit");
        self.units.push(unit.code);
        self.units.len() - 1
    }

    fn unit(&mut self) -> &mut Unit {
        self.stack.last_mut().expect("a unit")
    }

    fn here(&mut self) -> usize {
        self.unit().code.code.len()
    }

    fn emit(&mut self, i: Instr) -> usize {
        let u = self.unit();
        u.depth += stack_effect(i);
        u.code.stacksize = u.code.stacksize.max(u.depth.max(0) as u32);
        let line = u.line;
        u.code.code.push(i);
        u.code.lines.push(line);
        u.code.code.len() - 1
    }

    fn patch(&mut self, at: usize, target: usize) {
        let t = target as u32;
        let code = &mut self.unit().code.code;
        code[at] = match code[at] {
            Instr::Jump(_) => Instr::Jump(t),
            Instr::PopJumpIfFalse(_) => Instr::PopJumpIfFalse(t),
            Instr::PopJumpIfTrue(_) => Instr::PopJumpIfTrue(t),
            Instr::JumpIfFalseOrPop(_) => Instr::JumpIfFalseOrPop(t),
            Instr::JumpIfTrueOrPop(_) => Instr::JumpIfTrueOrPop(t),
            Instr::ForIter(_) => Instr::ForIter(t),
            Instr::SetupFinally(_) => Instr::SetupFinally(t),
            other => other,
        };
    }

    fn add_const(&mut self, value: ConstValue, literal: Option<usize>) -> u32 {
        let key = value.key();
        if let Some(l) = literal {
            self.canonical.entry(key.clone()).or_insert(l);
        }
        let u = self.unit();
        if let Some(&i) = u.const_index.get(&key) {
            return i;
        }
        let i = u.code.consts.len() as u32;
        u.code.consts.push(value);
        u.const_index.insert(key, i);
        i
    }

    fn add_name(&mut self, name: &str) -> u32 {
        let names = &mut self.unit().code.names;
        match names.iter().position(|n| &**n == name) {
            Some(i) => i as u32,
            None => {
                names.push(name.into());
                (names.len() - 1) as u32
            }
        }
    }

    fn load_const(&mut self, value: ConstValue, literal: Option<usize>) {
        let i = self.add_const(value, literal);
        self.emit(Instr::LoadConst(i));
    }

    // ----- names -----

    fn name_op(&mut self, name: &str, ctx: ExprContext) {
        let scope = self.unit().scope;
        let kind = self.symbols.kind_of(scope, name);
        let instr = match kind {
            NameKind::Name => {
                let i = self.add_name(name);
                match ctx {
                    ExprContext::Load => Instr::LoadName(i),
                    ExprContext::Store => Instr::StoreName(i),
                    ExprContext::Del => Instr::DeleteName(i),
                }
            }
            NameKind::Global => {
                let i = self.add_name(name);
                match ctx {
                    ExprContext::Load => Instr::LoadGlobal(i),
                    ExprContext::Store => Instr::StoreGlobal(i),
                    ExprContext::Del => Instr::DeleteGlobal(i),
                }
            }
            NameKind::Fast => {
                let vars = &mut self.unit().code.varnames;
                let i = match vars.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        vars.push(name.into());
                        vars.len() - 1
                    }
                } as u32;
                match ctx {
                    ExprContext::Load => Instr::LoadFast(i),
                    ExprContext::Store => Instr::StoreFast(i),
                    ExprContext::Del => Instr::DeleteFast(i),
                }
            }
            NameKind::Cell | NameKind::Free => {
                let i = self
                    .unit()
                    .code
                    .cell_index(name)
                    .expect("cell or free variable") as u32;
                match ctx {
                    ExprContext::Load => Instr::LoadDeref(i),
                    ExprContext::Store => Instr::StoreDeref(i),
                    ExprContext::Del => Instr::DeleteDeref(i),
                }
            }
        };
        self.emit(instr);
    }

    // ----- statements -----

    fn body(&mut self, body: &[Stmt]) -> CResult {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> CResult {
        self.unit().line = s.loc.line;
        match &s.kind {
            StmtKind::FunctionDef { name, args, body } => {
                self.function(name, args, FunctionBody::Block(body), &s.loc)?;
                self.name_op(name, ExprContext::Store);
            }
            StmtKind::ClassDef { name, bases, body } => self.class(name, bases, body, &s.loc)?,
            StmtKind::Return(value) => {
                if !matches!(self.unit().code.kind, UnitKind::Function | UnitKind::Lambda) {
                    return Err(syntax("'return' outside function", &s.loc));
                }
                match value {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(ConstValue::None, None),
                }
                self.unwind(true, &s.loc)?;
                self.emit(Instr::ReturnValue);
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.target(t, ExprContext::Del)?;
                }
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Instr::Copy(1));
                    }
                    self.target(t, ExprContext::Store)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value)?,
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.iterable(iter)?;
                self.emit(Instr::GetIter);
                let start = self.here();
                let for_iter = self.emit(Instr::ForIter(0));
                self.target(target, ExprContext::Store)?;
                self.loop_rest(start, for_iter, true, body, orelse, s.loc.line)?;
            }
            StmtKind::While { test, body, orelse } => {
                let start = self.here();
                self.expr(test)?;
                let exit = self.emit(Instr::PopJumpIfFalse(0));
                self.loop_rest(start, exit, false, body, orelse, s.loc.line)?;
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                let jump = self.emit(Instr::PopJumpIfFalse(0));
                self.body(body)?;
                if orelse.is_empty() {
                    let end = self.here();
                    self.patch(jump, end);
                } else {
                    let skip = self.emit(Instr::Jump(0));
                    let else_at = self.here();
                    self.patch(jump, else_at);
                    self.body(orelse)?;
                    let end = self.here();
                    self.patch(skip, end);
                }
            }
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.expr(e)?;
                    n = 1;
                    if let Some(c) = cause {
                        self.expr(c)?;
                        n = 2;
                    }
                }
                self.emit(Instr::Raise(n));
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                if finalbody.is_empty() {
                    self.try_except(body, handlers, orelse)?;
                } else {
                    self.try_finally(body, handlers, orelse, finalbody)?;
                }
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                let ok = self.emit(Instr::PopJumpIfTrue(0));
                match msg {
                    Some(m) => {
                        self.emit(Instr::PushNull);
                        self.emit(Instr::LoadAssertionError);
                        self.expr(m)?;
                        self.emit(Instr::Call(1, None));
                    }
                    None => {
                        self.emit(Instr::LoadAssertionError);
                    }
                }
                self.emit(Instr::Raise(1));
                let end = self.here();
                self.patch(ok, end);
            }
            StmtKind::Import(names) => {
                for a in names {
                    self.check_module(&a.name, &a.loc)?;
                    self.load_const(ConstValue::Int(BigInt::zero()), None);
                    self.load_const(ConstValue::None, None);
                    let i = self.add_name(&a.name);
                    self.emit(Instr::ImportName(i));
                    let bound = a.asname.as_deref().unwrap_or(&a.name);
                    self.name_op(bound, ExprContext::Store);
                }
            }
            StmtKind::ImportFrom {
                module,
                names,
                level,
            } => {
                let module = module.clone().unwrap_or_default();
                if *level > 0 {
                    return Err(unsupported("relative imports are", &s.loc));
                }
                self.check_module(&module, &s.loc)?;
                self.load_const(ConstValue::Int(BigInt::zero()), None);
                let from: Vec<ConstValue> = names
                    .iter()
                    .map(|a| ConstValue::Str(a.name.clone()))
                    .collect();
                self.load_const(ConstValue::Tuple(from), None);
                let i = self.add_name(&module);
                self.emit(Instr::ImportName(i));
                for a in names {
                    if a.name == "*" {
                        return Err(unsupported("star imports are", &a.loc));
                    }
                    self.emit(Instr::Copy(1));
                    let n = self.add_name(&a.name);
                    self.emit(Instr::LoadAttr(n));
                    self.name_op(a.asname.as_deref().unwrap_or(&a.name), ExprContext::Store);
                }
                self.emit(Instr::PopTop);
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) | StmtKind::Pass => {
                self.emit(Instr::Nop);
            }
            StmtKind::Expr(e) => {
                if let ExprKind::Constant(_) = e.kind {
                    // A bare constant statement compiles to nothing.
                    self.emit(Instr::Nop);
                } else {
                    self.expr(e)?;
                    self.emit(Instr::PopTop);
                }
            }
            StmtKind::Break => self.break_continue(true, &s.loc)?,
            StmtKind::Continue => self.break_continue(false, &s.loc)?,
        }
        Ok(())
    }

    /// The body of a loop, the jump back, the exit (`exit` is the ForIter or the test's
    /// jump), the `else` block and the breaks.
    fn loop_rest(
        &mut self,
        start: usize,
        exit: usize,
        for_loop: bool,
        body: &[Stmt],
        orelse: &[Stmt],
        line: u32,
    ) -> CResult {
        self.unit().fblocks.push(FBlock::Loop {
            start,
            breaks: Vec::new(),
            for_loop,
        });
        self.body(body)?;
        // The jump back has no line of its own, as in CPython: the loop's line is stepped
        // once, at its test or `FOR_ITER`, and an `if` ending the body does not step again.
        self.unit().line = NO_LINE;
        self.emit(Instr::Jump(start as u32));
        self.unit().line = line;
        let Some(FBlock::Loop { breaks, .. }) = self.unit().fblocks.pop() else {
            unreachable!("the loop's own block")
        };
        let else_at = self.here();
        self.patch(exit, else_at);
        if for_loop {
            // ForIter popped the iterator on its way out.
            self.unit().depth -= 1;
        }
        self.body(orelse)?;
        let end = self.here();
        for b in breaks {
            self.patch(b, end);
        }
        Ok(())
    }

    /// Refuses a CPython built-in that memlane does not model, unless the program binds
    /// the name itself: a run would otherwise raise a NameError CPython never raises.
    fn check_builtin(&mut self, name: &str, loc: &Loc) -> CResult {
        if !UNMODELLED_BUILTINS.contains(&name) {
            return Ok(());
        }
        let mut scope = Some(self.unit().scope);
        while let Some(s) = scope {
            let s = &self.symbols.scopes[s];
            if s.bound.contains(name) || s.params.iter().any(|p| p == name) {
                return Ok(());
            }
            scope = s.parent;
        }
        Err(unsupported(format!("the built-in `{name}` is"), loc))
    }

    fn check_module(&self, name: &str, loc: &Loc) -> CResult {
        if name == "sys" || name == "gc" {
            Ok(())
        } else {
            Err(unsupported(
                format!("`import {name}` (memlane models the modules `sys` and `gc` only) is"),
                loc,
            ))
        }
    }

    /// Emits what leaving the enclosing blocks requires (finally bodies, handler exits)
    /// before a return; for break/continue, up to the innermost loop.
    fn unwind(&mut self, to_function: bool, loc: &Loc) -> CResult<Option<usize>> {
        let mut i = self.unit().fblocks.len();
        while i > 0 {
            i -= 1;
            let action = match &self.unit().fblocks[i] {
                FBlock::Loop { for_loop, .. } => {
                    if !to_function {
                        return Ok(Some(i));
                    }
                    if *for_loop {
                        // The iterator stays below the return value: drop it.
                        Some(Unwind::PopIterator)
                    } else {
                        None
                    }
                }
                FBlock::TryExcept => Some(Unwind::PopBlock),
                FBlock::Finally(body) => Some(Unwind::Finally(Rc::clone(body))),
                FBlock::Handler { name } => Some(Unwind::Handler(name.clone())),
                FBlock::FinallyEnd => Some(Unwind::FinallyEnd),
            };
            match action {
                Some(Unwind::PopIterator) => {
                    self.emit(Instr::Swap(2));
                    self.emit(Instr::PopTop);
                }
                Some(Unwind::PopBlock) => {
                    self.emit(Instr::PopBlock);
                }
                Some(Unwind::Finally(body)) => {
                    self.emit(Instr::PopBlock);
                    // The finally body runs outside its own block.
                    let saved: Vec<FBlock> = self.unit().fblocks.drain(i..).collect();
                    self.body(&body)?;
                    self.unit().fblocks.extend(saved);
                }
                Some(Unwind::Handler(name)) => {
                    self.emit(Instr::PopBlock);
                    self.emit(Instr::PopExcept);
                    if let Some(n) = name {
                        self.load_const(ConstValue::None, None);
                        self.name_op(&n, ExprContext::Store);
                        self.name_op(&n, ExprContext::Del);
                    }
                }
                Some(Unwind::FinallyEnd) => {
                    self.emit(Instr::PopBlock);
                    self.emit(Instr::PopExcept);
                    if to_function {
                        self.emit(Instr::Swap(2));
                    }
                    self.emit(Instr::PopTop);
                }
                None => {}
            }
        }
        if to_function {
            Ok(None)
        } else {
            Err(syntax(
                if loc.line > 0 {
                    "'break' outside loop"
                } else {
                    ""
                },
                loc,
            ))
        }
    }

    fn break_continue(&mut self, is_break: bool, loc: &Loc) -> CResult {
        let Some(at) = self.unwind(false, loc).map_err(|mut e| {
            e.message = if is_break {
                "'break' outside loop".into()
            } else {
                "'continue' not properly in loop".into()
            };
            e
        })?
        else {
            unreachable!("unwind(false) returns the loop or fails")
        };
        let (start, for_loop) = match &self.unit().fblocks[at] {
            FBlock::Loop {
                start, for_loop, ..
            } => (*start, *for_loop),
            _ => unreachable!(),
        };
        if is_break {
            if for_loop {
                self.emit(Instr::PopTop);
                self.unit().depth += 1;
            }
            let j = self.emit(Instr::Jump(0));
            if let FBlock::Loop { breaks, .. } = &mut self.unit().fblocks[at] {
                breaks.push(j);
            }
        } else {
            self.emit(Instr::Jump(start as u32));
        }
        Ok(())
    }

    fn try_except(
        &mut self,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
    ) -> CResult {
        let setup = self.emit(Instr::SetupFinally(0));
        self.unit().fblocks.push(FBlock::TryExcept);
        self.body(body)?;
        self.unit().fblocks.pop();
        self.emit(Instr::PopBlock);
        self.body(orelse)?;
        let mut to_end = vec![self.emit(Instr::Jump(0))];
        let handler_at = self.here();
        self.patch(setup, handler_at);
        self.unit().depth += 1; // the exception
        self.emit(Instr::PushExcInfo);
        for h in handlers {
            self.unit().line = h.loc.line;
            let next = match &h.type_ {
                Some(t) => {
                    self.expr(t)?;
                    self.emit(Instr::CheckExcMatch);
                    Some(self.emit(Instr::PopJumpIfFalse(0)))
                }
                None => None,
            };
            match &h.name {
                Some(n) => self.name_op(n, ExprContext::Store),
                None => {
                    self.emit(Instr::PopTop);
                }
            }
            self.unit().fblocks.push(FBlock::Handler {
                name: h.name.clone(),
            });
            self.body(&h.body)?;
            self.unit().fblocks.pop();
            self.emit(Instr::PopBlock);
            self.emit(Instr::PopExcept);
            if let Some(n) = &h.name {
                self.load_const(ConstValue::None, None);
                self.name_op(n, ExprContext::Store);
                self.name_op(n, ExprContext::Del);
            }
            to_end.push(self.emit(Instr::Jump(0)));
            match next {
                Some(j) => {
                    let here = self.here();
                    self.patch(j, here);
                    self.unit().depth += 1;
                }
                None => break,
            }
        }
        if handlers.last().is_some_and(|h| h.type_.is_some()) {
            self.emit(Instr::PopBlock);
            self.emit(Instr::Reraise);
        }
        let end = self.here();
        for j in to_end {
            self.patch(j, end);
        }
        Ok(())
    }

    fn try_finally(
        &mut self,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
        finalbody: &Rc<[Stmt]>,
    ) -> CResult {
        let setup = self.emit(Instr::SetupFinally(0));
        self.unit()
            .fblocks
            .push(FBlock::Finally(Rc::clone(finalbody)));
        if handlers.is_empty() {
            self.body(body)?;
        } else {
            self.try_except(body, handlers, orelse)?;
        }
        self.unit().fblocks.pop();
        self.emit(Instr::PopBlock);
        self.body(finalbody)?;
        let skip = self.emit(Instr::Jump(0));
        let handler_at = self.here();
        self.patch(setup, handler_at);
        self.unit().depth += 1;
        self.emit(Instr::PushExcInfo);
        self.unit().fblocks.push(FBlock::FinallyEnd);
        self.body(finalbody)?;
        self.unit().fblocks.pop();
        self.emit(Instr::PopBlock);
        self.emit(Instr::Reraise);
        let end = self.here();
        self.patch(skip, end);
        Ok(())
    }

    fn aug_assign(&mut self, target: &Expr, op: Operator, value: &Expr) -> CResult {
        match &target.kind {
            ExprKind::Name { id, .. } => {
                self.name_op(id, ExprContext::Load);
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                self.name_op(id, ExprContext::Store);
            }
            ExprKind::Attribute {
                value: obj, attr, ..
            } => {
                self.expr(obj)?;
                self.emit(Instr::Copy(1));
                let n = self.add_name(attr);
                self.emit(Instr::LoadAttr(n));
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreAttr(n));
            }
            ExprKind::Subscript {
                value: obj, slice, ..
            } => {
                self.expr(obj)?;
                self.expr(slice)?;
                self.emit(Instr::Copy(2));
                self.emit(Instr::Copy(2));
                self.emit(Instr::BinarySubscr);
                self.expr(value)?;
                self.emit(Instr::Inplace(op));
                self.emit(Instr::Swap(3));
                self.emit(Instr::Swap(2));
                self.emit(Instr::StoreSubscr);
            }
            _ => {
                return Err(syntax(
                    "'expression' is an illegal expression for augmented assignment",
                    &target.loc,
                ))
            }
        }
        Ok(())
    }

    fn target(&mut self, t: &Expr, ctx: ExprContext) -> CResult {
        match &t.kind {
            ExprKind::Name { id, .. } => self.name_op(id, ctx),
            ExprKind::Attribute { value, attr, .. } => {
                self.expr(value)?;
                let n = self.add_name(attr);
                self.emit(if ctx == ExprContext::Del {
                    Instr::DeleteAttr(n)
                } else {
                    Instr::StoreAttr(n)
                });
            }
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.emit(if ctx == ExprContext::Del {
                    Instr::DeleteSubscr
                } else {
                    Instr::StoreSubscr
                });
            }
            ExprKind::Tuple { elts, .. } | ExprKind::List { elts, .. } => {
                if ctx == ExprContext::Del {
                    for e in elts {
                        self.target(e, ctx)?;
                    }
                    return Ok(());
                }
                match elts
                    .iter()
                    .position(|e| matches!(e.kind, ExprKind::Starred { .. }))
                {
                    Some(star) => {
                        if elts
                            .iter()
                            .filter(|e| matches!(e.kind, ExprKind::Starred { .. }))
                            .count()
                            > 1
                        {
                            return Err(syntax(
                                "multiple starred expressions in assignment",
                                &t.loc,
                            ));
                        }
                        self.emit(Instr::UnpackEx(star as u32, (elts.len() - star - 1) as u32));
                    }
                    None => {
                        self.emit(Instr::UnpackSequence(elts.len() as u32));
                    }
                }
                for e in elts {
                    match &e.kind {
                        ExprKind::Starred { value, .. } => self.target(value, ctx)?,
                        _ => self.target(e, ctx)?,
                    }
                }
            }
            ExprKind::Starred { .. } => {
                return Err(syntax(
                    "starred assignment target must be in a list or tuple",
                    &t.loc,
                ))
            }
            ExprKind::Constant(_) => return Err(syntax("cannot assign to literal", &t.loc)),
            ExprKind::Call { .. } => return Err(syntax("cannot assign to function call", &t.loc)),
            _ => return Err(syntax("cannot assign to expression", &t.loc)),
        }
        Ok(())
    }

    // ----- functions and classes -----

    fn function(&mut self, name: &str, args: &Arguments, body: FunctionBody, loc: &Loc) -> CResult {
        // Defaults are evaluated in the enclosing scope, as a tuple and a dict.
        let mut flags = 0u8;
        if !args.defaults.is_empty() {
            for d in &args.defaults {
                self.expr(d)?;
            }
            self.emit(Instr::BuildTuple(args.defaults.len() as u32));
            flags |= 1;
        }
        let kw: Vec<(&Arg, &Expr)> = args
            .kwonlyargs
            .iter()
            .zip(&args.kw_defaults)
            .filter_map(|(a, d)| d.as_ref().map(|d| (a, d)))
            .collect();
        if !kw.is_empty() {
            for (a, d) in &kw {
                self.load_const(ConstValue::Str(a.arg.clone()), None);
                self.expr(d)?;
            }
            self.emit(Instr::BuildMap(kw.len() as u32));
            flags |= 2;
        }
        let scope = self.symbols.scope_of(loc);
        let kind = if matches!(body, FunctionBody::Lambda(_)) {
            UnitKind::Lambda
        } else {
            UnitKind::Function
        };
        let qualname = self.qualname(name);
        self.enter(kind, name, &qualname, scope, loc.line);
        {
            let u = self.unit();
            u.code.argcount = (args.posonlyargs.len() + args.args.len()) as u32;
            u.code.posonlyargcount = args.posonlyargs.len() as u32;
            u.code.kwonlyargcount = args.kwonlyargs.len() as u32;
            u.code.varargs = args.vararg.is_some();
            u.code.varkeywords = args.kwarg.is_some();
        }
        match body {
            FunctionBody::Block(body) => {
                // co_consts[0] is the docstring, or None.
                let (doc, rest) = match body.first().map(|s| &s.kind) {
                    Some(StmtKind::Expr(Expr {
                        kind: ExprKind::Constant(Constant::Str(d)),
                        loc,
                    })) => {
                        let lit = self
                            .literal_at
                            .get(&loc_key(loc, &ConstValue::Str(d.clone())))
                            .copied();
                        (Some((d.clone(), lit)), &body[1..])
                    }
                    _ => (None, body),
                };
                match doc {
                    Some((d, lit)) => {
                        self.add_const(ConstValue::Str(d), lit);
                    }
                    None => {
                        self.add_const(ConstValue::None, None);
                    }
                }
                self.body(rest)?;
                if !matches!(self.unit().code.code.last(), Some(Instr::ReturnValue))
                    || self.unit().code.code.is_empty()
                {
                    self.load_const(ConstValue::None, None);
                    self.emit(Instr::ReturnValue);
                } else {
                    // A jump may still land after the last return.
                    self.load_const(ConstValue::None, None);
                    self.emit(Instr::ReturnValue);
                }
            }
            FunctionBody::Lambda(e) => {
                // "Make None the first constant, so the lambda can't have a docstring."
                self.add_const(ConstValue::None, None);
                self.unit().line = e.loc.line;
                self.expr(e)?;
                self.emit(Instr::ReturnValue);
            }
        }
        let unit = self.leave();
        self.make_function(unit, flags)
    }

    fn make_function(&mut self, unit: usize, mut flags: u8) -> CResult {
        let frees = self.units[unit].freevars.clone();
        if !frees.is_empty() {
            for f in &frees {
                let i = self.unit().code.cell_index(f).expect("enclosing cell") as u32;
                self.emit(Instr::LoadClosure(i));
            }
            self.emit(Instr::BuildTuple(frees.len() as u32));
            flags |= 8;
        }
        let c = self.add_const(ConstValue::Code(unit), None);
        self.emit(Instr::LoadConst(c));
        self.emit(Instr::MakeFunction(c, flags));
        Ok(())
    }

    /// `__qualname__`: the enclosing unit's qualname, then `<locals>` inside functions.
    fn qualname(&self, name: &str) -> String {
        match self.stack.last().map(|u| (u.code.kind, &u.code.qualname)) {
            Some((
                UnitKind::Function
                | UnitKind::Lambda
                | UnitKind::Comprehension
                | UnitKind::GeneratorExpression,
                q,
            )) => format!("{q}.<locals>.{name}"),
            Some((UnitKind::Class, q)) => format!("{q}.{name}"),
            _ => name.to_string(),
        }
    }

    fn class(&mut self, name: &str, bases: &[Expr], body: &[Stmt], loc: &Loc) -> CResult {
        if bases.len() > 1 {
            return Err(unsupported("multiple inheritance is", loc));
        }
        self.emit(Instr::PushNull);
        let scope = self.symbols.scope_of(loc);
        let qualname = self.qualname(name);
        self.enter(UnitKind::Class, name, &qualname, scope, loc.line);
        let module = self.add_name("__name__");
        self.emit(Instr::LoadName(module));
        let m = self.add_name("__module__");
        self.emit(Instr::StoreName(m));
        self.load_const(ConstValue::Str(qualname.clone()), None);
        let q = self.add_name("__qualname__");
        self.emit(Instr::StoreName(q));
        self.body(body)?;
        self.load_const(ConstValue::None, None);
        self.emit(Instr::ReturnValue);
        let unit = self.leave();
        self.make_function(unit, 0)?;
        self.load_const(ConstValue::Str(name.into()), None);
        for b in bases {
            self.expr(b)?;
        }
        self.emit(Instr::BuildClass(bases.len() as u32));
        self.unit().line = loc.line;
        self.name_op(name, ExprContext::Store);
        Ok(())
    }

    // ----- expressions -----

    /// `for x in [1, 2, 3]` iterates a constant tuple instead (ast_opt's fold_iter).
    fn iterable(&mut self, e: &Expr) -> CResult {
        if let ExprKind::List { elts, .. } = &e.kind {
            if let Some(items) = self.fold_all(elts) {
                let lit = self.new_literal(ConstValue::Tuple(items.clone()));
                self.load_const(ConstValue::Tuple(items), Some(lit));
                return Ok(());
            }
        }
        self.expr(e)
    }

    fn new_literal(&mut self, v: ConstValue) -> usize {
        self.literals.push(v);
        self.literals.len() - 1
    }

    fn fold_all(&self, elts: &[Expr]) -> Option<Vec<ConstValue>> {
        elts.iter().map(|e| self.fold(e)).collect()
    }

    /// The constant an expression folds to at compile time, if it does.
    fn fold(&self, e: &Expr) -> Option<ConstValue> {
        match &e.kind {
            ExprKind::Constant(c) => Some(constant_value(c)),
            ExprKind::Tuple {
                elts,
                ctx: ExprContext::Load,
            } => {
                if elts
                    .iter()
                    .any(|e| matches!(e.kind, ExprKind::Starred { .. }))
                {
                    return None;
                }
                Some(ConstValue::Tuple(self.fold_all(elts)?))
            }
            ExprKind::UnaryOp { op, operand } => fold_unary(*op, &self.fold(operand)?),
            ExprKind::BinOp { left, op, right } => {
                fold_binary(&self.fold(left)?, *op, &self.fold(right)?)
            }
            ExprKind::Subscript {
                value,
                slice,
                ctx: ExprContext::Load,
            } => fold_subscript(&self.fold(value)?, &self.fold(slice)?),
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr) -> CResult {
        let saved_line = self.unit().line;
        self.unit().line = e.loc.line;
        let r = self.expr_inner(e);
        self.unit().line = saved_line;
        r
    }

    fn expr_inner(&mut self, e: &Expr) -> CResult {
        match &e.kind {
            ExprKind::Constant(c) => {
                let v = constant_value(c);
                let lit = self.literal_at.get(&loc_key(&e.loc, &v)).copied();
                self.load_const(v, lit);
            }
            ExprKind::Tuple { .. }
            | ExprKind::UnaryOp { .. }
            | ExprKind::BinOp { .. }
            | ExprKind::Subscript { .. }
                if self.fold(e).is_some() =>
            {
                let v = self.fold(e).expect("checked");
                let lit = match &v {
                    // Folding made a new object unless the result is a cached singleton.
                    ConstValue::Int(i) if (-5..=256).contains(&i.to_i64().unwrap_or(1000)) => None,
                    ConstValue::Tuple(t) if t.is_empty() => None,
                    ConstValue::Str(s)
                        if s.chars().count() <= 1 && s.chars().all(|c| (c as u32) < 256) =>
                    {
                        None
                    }
                    _ => Some(self.new_literal(v.clone())),
                };
                self.load_const(v, lit);
            }
            ExprKind::Name { id, ctx } => {
                if *ctx == ExprContext::Load {
                    self.check_builtin(id, &e.loc)?;
                }
                self.name_op(id, *ctx)
            }
            ExprKind::BoolOp { op, values } => {
                let mut jumps = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < values.len() {
                        jumps.push(self.emit(match op {
                            BoolOp::And => Instr::JumpIfFalseOrPop(0),
                            BoolOp::Or => Instr::JumpIfTrueOrPop(0),
                        }));
                    }
                }
                let end = self.here();
                for j in jumps {
                    self.patch(j, end);
                }
            }
            ExprKind::BinOp { left, op, right } => {
                if *op == Operator::MatMult {
                    return Err(unsupported("the @ operator is", &e.loc));
                }
                self.expr(left)?;
                self.expr(right)?;
                self.emit(Instr::Binary(*op));
            }
            ExprKind::UnaryOp { op, operand } => {
                self.expr(operand)?;
                self.emit(Instr::Unary(*op));
            }
            ExprKind::Lambda { args, body } => {
                self.function("<lambda>", args, FunctionBody::Lambda(body), &e.loc)?
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                let j = self.emit(Instr::PopJumpIfFalse(0));
                self.expr(body)?;
                let skip = self.emit(Instr::Jump(0));
                self.unit().depth -= 1;
                let else_at = self.here();
                self.patch(j, else_at);
                self.expr(orelse)?;
                let end = self.here();
                self.patch(skip, end);
            }
            ExprKind::Dict { keys, values } => {
                let mut pending = 0;
                let mut built = false;
                for (k, v) in keys.iter().zip(values) {
                    match k {
                        Some(k) => {
                            self.expr(k)?;
                            self.expr(v)?;
                            pending += 1;
                        }
                        None => {
                            if !built || pending > 0 {
                                self.emit(Instr::BuildMap(pending));
                                if built {
                                    self.emit(Instr::DictUpdate(1));
                                }
                                built = true;
                                pending = 0;
                            }
                            self.expr(v)?;
                            self.emit(Instr::DictUpdate(1));
                        }
                    }
                }
                if !built {
                    self.emit(Instr::BuildMap(pending));
                } else if pending > 0 {
                    self.emit(Instr::BuildMap(pending));
                    self.emit(Instr::DictUpdate(1));
                }
            }
            ExprKind::Set(elts) => self.display(elts, Display::Set)?,
            ExprKind::List { elts, .. } => self.display(elts, Display::List)?,
            ExprKind::Tuple { elts, .. } => self.display(elts, Display::Tuple)?,
            ExprKind::ListComp { .. }
            | ExprKind::SetComp { .. }
            | ExprKind::DictComp { .. }
            | ExprKind::GeneratorExp { .. } => self.comprehension(e)?,
            ExprKind::Yield(v) => {
                if !matches!(self.unit().code.kind, UnitKind::Function | UnitKind::Lambda) {
                    return Err(syntax("'yield' outside function", &e.loc));
                }
                match v {
                    Some(v) => self.expr(v)?,
                    None => self.load_const(ConstValue::None, None),
                }
                self.emit(Instr::YieldValue);
            }
            ExprKind::YieldFrom(_) => return Err(unsupported("`yield from` is", &e.loc)),
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                self.check_is_literal(left, ops, comparators, e.loc.line);
                self.expr(left)?;
                if ops.len() == 1 {
                    self.compare_operand(ops[0], &comparators[0])?;
                    self.emit(Instr::Compare(ops[0]));
                } else {
                    let mut cleanups = Vec::new();
                    for (i, (op, right)) in ops.iter().zip(comparators).enumerate() {
                        self.compare_operand(*op, right)?;
                        if i + 1 < ops.len() {
                            self.emit(Instr::Swap(2));
                            self.emit(Instr::Copy(2));
                            self.emit(Instr::Compare(*op));
                            cleanups.push(self.emit(Instr::JumpIfFalseOrPop(0)));
                        } else {
                            self.emit(Instr::Compare(*op));
                        }
                    }
                    let skip = self.emit(Instr::Jump(0));
                    let cleanup = self.here();
                    for c in cleanups {
                        self.patch(c, cleanup);
                    }
                    self.emit(Instr::Swap(2));
                    self.emit(Instr::PopTop);
                    let end = self.here();
                    self.patch(skip, end);
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(func, args, keywords)?,
            ExprKind::FormattedValue {
                value,
                conversion,
                format_spec,
            } => {
                self.expr(value)?;
                if let Some(spec) = format_spec {
                    self.expr(spec)?;
                }
                self.emit(Instr::FormatValue(*conversion, format_spec.is_some()));
            }
            ExprKind::JoinedStr(parts) => {
                for p in parts {
                    self.expr(p)?;
                }
                let single_field =
                    parts.len() == 1 && matches!(parts[0].kind, ExprKind::FormattedValue { .. });
                if parts.is_empty() {
                    self.load_const(ConstValue::Str(String::new()), None);
                } else if !single_field {
                    self.emit(Instr::BuildString(parts.len() as u32));
                }
            }
            ExprKind::Attribute { value, attr, ctx } => {
                self.expr(value)?;
                let n = self.add_name(attr);
                self.emit(match ctx {
                    ExprContext::Load => Instr::LoadAttr(n),
                    ExprContext::Store => Instr::StoreAttr(n),
                    ExprContext::Del => Instr::DeleteAttr(n),
                });
            }
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value)?;
                self.expr(slice)?;
                self.emit(Instr::BinarySubscr);
            }
            ExprKind::Starred { .. } => {
                return Err(syntax("can't use starred expression here", &e.loc))
            }
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper] {
                    match part {
                        Some(p) => self.expr(p)?,
                        None => self.load_const(ConstValue::None, None),
                    }
                }
                match step {
                    Some(s) => {
                        self.expr(s)?;
                        self.emit(Instr::BuildSlice(3));
                    }
                    None => {
                        self.emit(Instr::BuildSlice(2));
                    }
                }
            }
        }
        Ok(())
    }

    /// `x in [1, 2, 3]` tests a constant tuple, `x in {1, 2, 3}` a constant frozenset.
    fn compare_operand(&mut self, op: CmpOp, right: &Expr) -> CResult {
        if matches!(op, CmpOp::In | CmpOp::NotIn) {
            match &right.kind {
                ExprKind::List { elts, .. } => {
                    if let Some(items) = self.fold_all(elts) {
                        let lit = self.new_literal(ConstValue::Tuple(items.clone()));
                        self.load_const(ConstValue::Tuple(items), Some(lit));
                        return Ok(());
                    }
                }
                ExprKind::Set(elts) => {
                    if let Some(items) = self.fold_all(elts) {
                        let lit = self.new_literal(ConstValue::FrozenSet(items.clone()));
                        self.load_const(ConstValue::FrozenSet(items), Some(lit));
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        self.expr(right)
    }

    fn display(&mut self, elts: &[Expr], kind: Display) -> CResult {
        let starred = elts
            .iter()
            .any(|e| matches!(e.kind, ExprKind::Starred { .. }));
        // Three or more constants: build from one constant tuple (or frozenset).
        if !starred && elts.len() > 2 && kind != Display::Tuple {
            if let Some(items) = self.fold_all(elts) {
                let (value, build, extend) = match kind {
                    Display::List => (
                        ConstValue::Tuple(items),
                        Instr::BuildList(0),
                        Instr::ListExtend(1),
                    ),
                    _ => (
                        ConstValue::FrozenSet(items),
                        Instr::BuildSet(0),
                        Instr::SetUpdate(1),
                    ),
                };
                self.emit(build);
                self.load_const(value, None);
                self.emit(extend);
                return Ok(());
            }
        }
        if !starred && elts.len() <= STACK_USE_GUIDELINE {
            for e in elts {
                self.expr(e)?;
            }
            let n = elts.len() as u32;
            self.emit(match kind {
                Display::List => Instr::BuildList(n),
                Display::Set => Instr::BuildSet(n),
                Display::Tuple => Instr::BuildTuple(n),
            });
            return Ok(());
        }
        // Item by item into a list (or set); a tuple is converted at the end.
        self.emit(if kind == Display::Set {
            Instr::BuildSet(0)
        } else {
            Instr::BuildList(0)
        });
        for e in elts {
            match &e.kind {
                ExprKind::Starred { value, .. } => {
                    self.expr(value)?;
                    self.emit(if kind == Display::Set {
                        Instr::SetUpdate(1)
                    } else {
                        Instr::ListExtend(1)
                    });
                }
                _ => {
                    self.expr(e)?;
                    self.emit(if kind == Display::Set {
                        Instr::SetAdd(1)
                    } else {
                        Instr::ListAppend(1)
                    });
                }
            }
        }
        if kind == Display::Tuple {
            self.emit(Instr::ListToTuple);
        }
        Ok(())
    }

    fn call(&mut self, func: &Expr, args: &[Expr], keywords: &[Keyword]) -> CResult {
        let simple = !args
            .iter()
            .any(|a| matches!(a.kind, ExprKind::Starred { .. }))
            && keywords.iter().all(|k| k.arg.is_some());
        match &func.kind {
            ExprKind::Attribute { value, attr, .. } if simple => {
                self.expr(value)?;
                let n = self.add_name(attr);
                self.unit().line = func.loc.end_line;
                self.emit(Instr::LoadMethod(n));
            }
            _ => {
                self.emit(Instr::PushNull);
                self.expr(func)?;
            }
        }
        if simple {
            for a in args {
                self.expr(a)?;
            }
            for k in keywords {
                self.expr(&k.value)?;
            }
            let kwnames = if keywords.is_empty() {
                None
            } else {
                let names = keywords
                    .iter()
                    .map(|k| ConstValue::Str(k.arg.clone().unwrap_or_default()))
                    .collect();
                Some(self.add_const(ConstValue::Tuple(names), None))
            };
            self.emit(Instr::Call((args.len() + keywords.len()) as u32, kwnames));
            return Ok(());
        }
        // Star-args: one tuple of positionals, one dict of keywords.
        self.display(args, Display::Tuple)?;
        let has_kwargs = !keywords.is_empty();
        if has_kwargs {
            self.emit(Instr::BuildMap(0));
            for k in keywords {
                match &k.arg {
                    Some(name) => {
                        self.emit(Instr::BuildMap(0));
                        self.load_const(ConstValue::Str(name.clone()), None);
                        self.expr(&k.value)?;
                        self.emit(Instr::MapAdd(1));
                        self.emit(Instr::DictUpdate(1));
                    }
                    None => {
                        self.expr(&k.value)?;
                        self.emit(Instr::DictUpdate(1));
                    }
                }
            }
        }
        self.emit(Instr::CallEx(has_kwargs));
        Ok(())
    }

    fn comprehension(&mut self, e: &Expr) -> CResult {
        let (generators, name, kind) = match &e.kind {
            ExprKind::ListComp { generators, .. } => {
                (generators, "<listcomp>", UnitKind::Comprehension)
            }
            ExprKind::SetComp { generators, .. } => {
                (generators, "<setcomp>", UnitKind::Comprehension)
            }
            ExprKind::DictComp { generators, .. } => {
                (generators, "<dictcomp>", UnitKind::Comprehension)
            }
            ExprKind::GeneratorExp { generators, .. } => {
                (generators, "<genexpr>", UnitKind::GeneratorExpression)
            }
            _ => unreachable!(),
        };
        let _ = self.version;
        self.emit(Instr::PushNull);
        let scope = self.symbols.scope_of(&e.loc);
        let qualname = self.qualname(name);
        self.enter(kind, name, &qualname, scope, e.loc.line);
        self.unit().code.argcount = 1;
        match &e.kind {
            ExprKind::ListComp { .. } => {
                self.emit(Instr::BuildList(0));
            }
            ExprKind::SetComp { .. } => {
                self.emit(Instr::BuildSet(0));
            }
            ExprKind::DictComp { .. } => {
                self.emit(Instr::BuildMap(0));
            }
            _ => {}
        }
        self.comprehension_level(e, generators, 0)?;
        if kind == UnitKind::GeneratorExpression {
            self.load_const(ConstValue::None, None);
        }
        self.emit(Instr::ReturnValue);
        let unit = self.leave();
        self.make_function(unit, 0)?;
        self.expr(&generators[0].iter)?;
        self.emit(Instr::GetIter);
        self.emit(Instr::Call(1, None));
        Ok(())
    }

    fn comprehension_level(
        &mut self,
        e: &Expr,
        generators: &[Comprehension],
        level: usize,
    ) -> CResult {
        let g = &generators[level];
        if level == 0 {
            self.emit(Instr::LoadFast(0));
        } else {
            self.expr(&g.iter)?;
            self.emit(Instr::GetIter);
        }
        let start = self.here();
        let for_iter = self.emit(Instr::ForIter(0));
        self.target(&g.target, ExprContext::Store)?;
        for cond in &g.ifs {
            self.expr(cond)?;
            self.emit(Instr::PopJumpIfFalse(start as u32));
        }
        if level + 1 < generators.len() {
            self.comprehension_level(e, generators, level + 1)?;
        } else {
            let depth = generators.len() as u32 + 1;
            match &e.kind {
                ExprKind::ListComp { elt, .. } => {
                    self.expr(elt)?;
                    self.emit(Instr::ListAppend(depth));
                }
                ExprKind::SetComp { elt, .. } => {
                    self.expr(elt)?;
                    self.emit(Instr::SetAdd(depth));
                }
                ExprKind::DictComp { key, value, .. } => {
                    self.expr(key)?;
                    self.expr(value)?;
                    self.emit(Instr::MapAdd(depth));
                }
                ExprKind::GeneratorExp { elt, .. } => {
                    self.expr(elt)?;
                    self.emit(Instr::YieldValue);
                    self.emit(Instr::PopTop);
                }
                _ => unreachable!(),
            }
        }
        self.emit(Instr::Jump(start as u32));
        let end = self.here();
        self.patch(for_iter, end);
        self.unit().depth -= 1;
        Ok(())
    }
}

enum Unwind {
    PopIterator,
    PopBlock,
    Finally(Rc<[Stmt]>),
    Handler(Option<String>),
    FinallyEnd,
}

enum FunctionBody<'a> {
    Block(&'a [Stmt]),
    Lambda(&'a Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Display {
    List,
    Set,
    Tuple,
}

/// Net change of the value stack's depth (for the frame size estimate).
fn stack_effect(i: Instr) -> i32 {
    use Instr::*;
    match i {
        Nop | Jump(_) | PopBlock | Swap(_) | Unary(_) | GetIter | LoadAttr(_) | ListToTuple
        | SetupFinally(_) | PushExcInfo | PopExcept => 0,
        PopTop | StoreFast(_) | StoreDeref(_) | StoreGlobal(_) | StoreName(_) | Binary(_)
        | Inplace(_) | Compare(_) | BinarySubscr | PopJumpIfFalse(_) | PopJumpIfTrue(_)
        | JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) | ListAppend(_) | SetAdd(_) | ListExtend(_)
        | SetUpdate(_) | DictUpdate(_) | ReturnValue | Reraise | CheckExcMatch => -1,
        Copy(_) | LoadConst(_) | LoadFast(_) | LoadDeref(_) | LoadClosure(_) | LoadGlobal(_)
        | LoadName(_) | PushNull | LoadAssertionError | LoadLocals | ForIter(_) => 1,
        LoadMethod(_) => 1,
        DeleteFast(_) | DeleteDeref(_) | DeleteGlobal(_) | DeleteName(_) | YieldValue => 0,
        StoreAttr(_) => -2,
        DeleteAttr(_) => -1,
        StoreSubscr => -3,
        DeleteSubscr => -2,
        BuildSlice(n) => 1 - n as i32,
        BuildList(n) | BuildTuple(n) | BuildSet(n) | BuildString(n) => 1 - n as i32,
        BuildMap(n) => 1 - 2 * n as i32,
        MapAdd(_) => -2,
        FormatValue(_, spec) => -(spec as i32),
        UnpackSequence(n) => n as i32 - 1,
        UnpackEx(a, b) => (a + b) as i32,
        Call(n, _) => -(n as i32) - 1,
        CallEx(kw) => -2 - kw as i32,
        MakeFunction(_, flags) => {
            -((flags & 1 != 0) as i32) - ((flags & 2 != 0) as i32) - ((flags & 8 != 0) as i32)
        }
        BuildClass(n) => -(n as i32) - 2,
        Raise(n) => -(n as i32),
        ImportName(_) => -1,
    }
}

/// ast_opt's fold_subscr: a constant indexed by a constant int.
fn fold_subscript(value: &ConstValue, index: &ConstValue) -> Option<ConstValue> {
    let i = as_int(index)?.to_i64()?;
    let pick = |len: usize| -> Option<usize> {
        let i = if i < 0 { i + len as i64 } else { i };
        (0..len as i64).contains(&i).then_some(i as usize)
    };
    match value {
        ConstValue::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            Some(ConstValue::Str(chars[pick(chars.len())?].to_string()))
        }
        ConstValue::Tuple(items) => Some(items[pick(items.len())?].clone()),
        _ => None,
    }
}

fn int_bits(v: &BigInt) -> u64 {
    v.magnitude().bits()
}

fn as_int(v: &ConstValue) -> Option<BigInt> {
    match v {
        ConstValue::Int(i) => Some(i.clone()),
        ConstValue::True => Some(BigInt::from(1)),
        ConstValue::False => Some(BigInt::zero()),
        _ => None,
    }
}

fn as_float(v: &ConstValue) -> Option<f64> {
    match v {
        ConstValue::Float(f) => Some(*f),
        v => as_int(v).and_then(|i| i.to_f64()),
    }
}

fn fold_unary(op: UnaryOp, v: &ConstValue) -> Option<ConstValue> {
    match (op, v) {
        (UnaryOp::USub, ConstValue::Float(f)) => Some(ConstValue::Float(-f)),
        (UnaryOp::UAdd, ConstValue::Float(f)) => Some(ConstValue::Float(*f)),
        (UnaryOp::USub, v) => Some(ConstValue::Int(-as_int(v)?)),
        (UnaryOp::UAdd, v) => Some(ConstValue::Int(as_int(v)?)),
        (UnaryOp::Invert, v) => Some(ConstValue::Int(-as_int(v)? - 1)),
        (UnaryOp::Not, _) => None,
    }
}

/// ast_opt's fold_binop, with its safe_multiply / safe_power / safe_lshift limits.
fn fold_binary(l: &ConstValue, op: Operator, r: &ConstValue) -> Option<ConstValue> {
    use ConstValue as C;
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        return Some(C::Int(match op {
            Operator::Add => a + b,
            Operator::Sub => a - b,
            Operator::Mult => {
                if !a.is_zero() && !b.is_zero() && int_bits(&a) + int_bits(&b) > MAX_INT_SIZE {
                    return None;
                }
                a * b
            }
            Operator::FloorDiv | Operator::Mod => {
                if b.is_zero() {
                    return None;
                }
                let (q, m) = num_integer::Integer::div_mod_floor(&a, &b);
                if op == Operator::FloorDiv {
                    q
                } else {
                    m
                }
            }
            Operator::Pow => {
                if b.is_negative() {
                    return Some(C::Float(a.to_f64()?.powf(b.to_f64()?)));
                }
                let e = b.to_u64()?;
                if int_bits(&a) > 0 && e > MAX_INT_SIZE / int_bits(&a) {
                    return None;
                }
                num_traits::pow(a, e as usize)
            }
            Operator::LShift => {
                let s = b.to_u64()?;
                if s > MAX_INT_SIZE || int_bits(&a) > MAX_INT_SIZE - s {
                    return None;
                }
                a << s
            }
            Operator::RShift => a >> b.to_u64()?,
            Operator::BitAnd => a & b,
            Operator::BitOr => a | b,
            Operator::BitXor => a ^ b,
            Operator::Div => {
                if b.is_zero() {
                    return None;
                }
                return Some(C::Float(a.to_f64()? / b.to_f64()?));
            }
            Operator::MatMult => return None,
        }));
    }
    match (l, r) {
        (C::Str(a), C::Str(b))
            if op == Operator::Add && a.chars().count() + b.chars().count() <= MAX_STR_SIZE =>
        {
            Some(C::Str(format!("{a}{b}")))
        }
        (C::Str(s), n) | (n, C::Str(s)) if op == Operator::Mult && as_int(n).is_some() => {
            let n = as_int(n)?.to_i64()?;
            let len = s.chars().count();
            if n < 0 || (len > 0 && n as usize > MAX_STR_SIZE / len) {
                return None;
            }
            Some(C::Str(s.repeat(n as usize)))
        }
        (C::Tuple(a), C::Tuple(b)) if op == Operator::Add => {
            Some(C::Tuple(a.iter().chain(b).cloned().collect()))
        }
        (C::Tuple(t), n) | (n, C::Tuple(t)) if op == Operator::Mult && as_int(n).is_some() => {
            let n = as_int(n)?.to_i64()?;
            if n < 0 || (!t.is_empty() && n as usize > MAX_COLLECTION_SIZE / t.len()) {
                return None;
            }
            Some(C::Tuple(
                t.iter()
                    .cloned()
                    .cycle()
                    .take(t.len() * n as usize)
                    .collect(),
            ))
        }
        _ => {
            let (a, b) = (as_float(l)?, as_float(r)?);
            if !matches!(l, C::Float(_) | C::Int(_) | C::True | C::False)
                || !matches!(r, C::Float(_) | C::Int(_) | C::True | C::False)
            {
                return None;
            }
            Some(C::Float(match op {
                Operator::Add => a + b,
                Operator::Sub => a - b,
                Operator::Mult => a * b,
                Operator::Div if b != 0.0 => a / b,
                // 0 ** -x raises and a negative base with a fractional power is complex: not folded.
                Operator::Pow if (a != 0.0 || b >= 0.0) && (a >= 0.0 || b.fract() == 0.0) => {
                    a.powf(b)
                }
                _ => return None,
            }))
        }
    }
}
