//! Scope analysis: which names are fast locals, cells, free variables or globals.

use crate::ast::*;
use crate::bytecode::UnitKind;
use indexmap::IndexSet;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug)]
pub struct Scope {
    pub kind: UnitKind,
    pub parent: Option<usize>,
    pub params: Vec<String>,
    pub bound: IndexSet<String>,
    pub used: IndexSet<String>,
    pub globals: HashSet<String>,
    pub nonlocals: HashSet<String>,
    pub cells: IndexSet<String>,
    pub frees: IndexSet<String>,
    pub is_generator: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// Module and class bodies: LOAD_NAME / STORE_NAME.
    Name,
    Fast,
    Cell,
    Free,
    Global,
}

/// Identifies a scope by the node that opens it.
pub type ScopeKey = (u32, u32, u32, u32);

pub fn key(loc: &Loc) -> ScopeKey {
    (loc.line, loc.col, loc.end_line, loc.end_col)
}

#[derive(Debug, Default)]
pub struct SymbolTable {
    pub scopes: Vec<Scope>,
    pub by_node: HashMap<ScopeKey, usize>,
}

#[derive(Debug)]
pub struct ScopeError {
    pub message: String,
    pub line: u32,
}

impl SymbolTable {
    pub fn build(module: &Module) -> Result<SymbolTable, ScopeError> {
        let mut t = SymbolTable::default();
        let root = t.new_scope(UnitKind::Module, None);
        for s in &module.body {
            t.stmt(root, s)?;
        }
        t.resolve()?;
        Ok(t)
    }

    fn new_scope(&mut self, kind: UnitKind, parent: Option<usize>) -> usize {
        self.scopes.push(Scope {
            kind,
            parent,
            params: Vec::new(),
            bound: IndexSet::new(),
            used: IndexSet::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
            cells: IndexSet::new(),
            frees: IndexSet::new(),
            is_generator: false,
        });
        self.scopes.len() - 1
    }

    pub fn scope_of(&self, loc: &Loc) -> usize {
        self.by_node[&key(loc)]
    }

    pub fn kind_of(&self, scope: usize, name: &str) -> NameKind {
        let s = &self.scopes[scope];
        match s.kind {
            UnitKind::Module => NameKind::Name,
            UnitKind::Class => {
                if s.frees.contains(name) && !s.bound.contains(name) {
                    NameKind::Free
                } else {
                    NameKind::Name
                }
            }
            _ => {
                if s.globals.contains(name) {
                    NameKind::Global
                } else if s.cells.contains(name) {
                    NameKind::Cell
                } else if s.frees.contains(name) {
                    NameKind::Free
                } else if s.bound.contains(name) {
                    NameKind::Fast
                } else {
                    NameKind::Global
                }
            }
        }
    }

    fn bind(&mut self, scope: usize, name: &str) {
        self.scopes[scope].bound.insert(name.to_string());
    }

    fn use_name(&mut self, scope: usize, name: &str) {
        self.scopes[scope].used.insert(name.to_string());
    }

    fn stmts(&mut self, scope: usize, body: &[Stmt]) -> Result<(), ScopeError> {
        body.iter().try_for_each(|s| self.stmt(scope, s))
    }

    fn stmt(&mut self, scope: usize, s: &Stmt) -> Result<(), ScopeError> {
        match &s.kind {
            StmtKind::FunctionDef { name, args, body } => {
                self.bind(scope, name);
                self.arguments_defaults(scope, args)?;
                let inner = self.new_scope(UnitKind::Function, Some(scope));
                self.by_node.insert(key(&s.loc), inner);
                self.params(inner, args);
                self.stmts(inner, body)?;
            }
            StmtKind::ClassDef { name, bases, body } => {
                for b in bases {
                    self.expr(scope, b)?;
                }
                self.bind(scope, name);
                let inner = self.new_scope(UnitKind::Class, Some(scope));
                self.by_node.insert(key(&s.loc), inner);
                self.stmts(inner, body)?;
            }
            StmtKind::Return(v) => {
                if let Some(v) = v {
                    self.expr(scope, v)?;
                }
            }
            StmtKind::Delete(targets) => targets.iter().try_for_each(|t| self.target(scope, t))?,
            StmtKind::Assign { targets, value } => {
                self.expr(scope, value)?;
                targets.iter().try_for_each(|t| self.target(scope, t))?;
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(scope, value)?;
                if let ExprKind::Name { id, .. } = &target.kind {
                    self.use_name(scope, id);
                }
                self.target(scope, target)?;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(scope, iter)?;
                self.target(scope, target)?;
                self.stmts(scope, body)?;
                self.stmts(scope, orelse)?;
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.expr(scope, test)?;
                self.stmts(scope, body)?;
                self.stmts(scope, orelse)?;
            }
            StmtKind::Raise { exc, cause } => {
                for e in [exc, cause].into_iter().flatten() {
                    self.expr(scope, e)?;
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(scope, body)?;
                for h in handlers {
                    if let Some(t) = &h.type_ {
                        self.expr(scope, t)?;
                    }
                    if let Some(n) = &h.name {
                        self.bind(scope, n);
                    }
                    self.stmts(scope, &h.body)?;
                }
                self.stmts(scope, orelse)?;
                self.stmts(scope, finalbody)?;
            }
            StmtKind::Assert { test, msg } => {
                self.expr(scope, test)?;
                if let Some(m) = msg {
                    self.expr(scope, m)?;
                }
            }
            StmtKind::Import(names) => {
                for a in names {
                    let bound = a
                        .asname
                        .clone()
                        .unwrap_or_else(|| a.name.split('.').next().unwrap_or("").to_string());
                    self.bind(scope, &bound);
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    self.bind(scope, a.asname.as_deref().unwrap_or(&a.name));
                }
            }
            StmtKind::Global(names) => {
                for n in names {
                    if self.scopes[scope].bound.contains(n) || self.scopes[scope].used.contains(n) {
                        let what = if self.scopes[scope].bound.contains(n) {
                            "assigned to"
                        } else {
                            "used"
                        };
                        return Err(ScopeError {
                            message: format!("name '{n}' is {what} before global declaration"),
                            line: s.loc.line,
                        });
                    }
                    self.scopes[scope].globals.insert(n.clone());
                }
            }
            StmtKind::Nonlocal(names) => {
                if self.scopes[scope].kind == UnitKind::Module {
                    return Err(ScopeError {
                        message: "nonlocal declaration not allowed at module level".into(),
                        line: s.loc.line,
                    });
                }
                for n in names {
                    self.scopes[scope].nonlocals.insert(n.clone());
                }
            }
            StmtKind::Expr(e) => self.expr(scope, e)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
        }
        Ok(())
    }

    fn arguments_defaults(&mut self, scope: usize, args: &Arguments) -> Result<(), ScopeError> {
        for d in &args.defaults {
            self.expr(scope, d)?;
        }
        for d in args.kw_defaults.iter().flatten() {
            self.expr(scope, d)?;
        }
        Ok(())
    }

    fn params(&mut self, scope: usize, args: &Arguments) {
        let mut names: Vec<&Arg> = args.posonlyargs.iter().chain(&args.args).collect();
        names.extend(&args.kwonlyargs);
        names.extend(&args.vararg);
        names.extend(&args.kwarg);
        for a in names {
            self.scopes[scope].params.push(a.arg.clone());
            self.bind(scope, &a.arg);
        }
    }

    fn target(&mut self, scope: usize, t: &Expr) -> Result<(), ScopeError> {
        match &t.kind {
            ExprKind::Name { id, .. } => {
                self.bind(scope, id);
                Ok(())
            }
            ExprKind::Tuple { elts, .. } | ExprKind::List { elts, .. } => {
                elts.iter().try_for_each(|e| self.target(scope, e))
            }
            ExprKind::Starred { value, .. } => self.target(scope, value),
            _ => self.expr(scope, t),
        }
    }

    fn expr(&mut self, scope: usize, e: &Expr) -> Result<(), ScopeError> {
        match &e.kind {
            ExprKind::Name { id, ctx } => match ctx {
                ExprContext::Load => self.use_name(scope, id),
                _ => self.bind(scope, id),
            },
            ExprKind::Lambda { args, body } => {
                self.arguments_defaults(scope, args)?;
                let inner = self.new_scope(UnitKind::Lambda, Some(scope));
                self.by_node.insert(key(&e.loc), inner);
                self.params(inner, args);
                self.expr(inner, body)?;
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                let kind = if matches!(e.kind, ExprKind::GeneratorExp { .. }) {
                    UnitKind::GeneratorExpression
                } else {
                    UnitKind::Comprehension
                };
                let inner = self.comprehension(scope, e, kind, generators)?;
                self.expr(inner, elt)?;
            }
            ExprKind::DictComp {
                key: k,
                value,
                generators,
            } => {
                let inner = self.comprehension(scope, e, UnitKind::Comprehension, generators)?;
                self.expr(inner, k)?;
                self.expr(inner, value)?;
            }
            ExprKind::Yield(v) => {
                self.scopes[scope].is_generator = true;
                if let Some(v) = v {
                    self.expr(scope, v)?;
                }
            }
            ExprKind::YieldFrom(v) => {
                self.scopes[scope].is_generator = true;
                self.expr(scope, v)?;
            }
            _ => {
                let mut err = Ok(());
                for_each_child(e, &mut |c| {
                    if err.is_ok() {
                        err = self.expr(scope, c);
                    }
                });
                err?;
            }
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        scope: usize,
        e: &Expr,
        kind: UnitKind,
        generators: &[Comprehension],
    ) -> Result<usize, ScopeError> {
        // The first iterable is evaluated in the enclosing scope and passed in as `.0`.
        self.expr(scope, &generators[0].iter)?;
        let inner = self.new_scope(kind, Some(scope));
        self.by_node.insert(key(&e.loc), inner);
        self.scopes[inner].params.push(".0".into());
        self.bind(inner, ".0");
        if kind == UnitKind::GeneratorExpression {
            self.scopes[inner].is_generator = true;
        }
        for (i, g) in generators.iter().enumerate() {
            if i > 0 {
                self.expr(inner, &g.iter)?;
            }
            self.target(inner, &g.target)?;
            for cond in &g.ifs {
                self.expr(inner, cond)?;
            }
        }
        Ok(inner)
    }

    /// Decides cells and free variables, as CPython's symtable `analyze` pass does.
    fn resolve(&mut self) -> Result<(), ScopeError> {
        for s in 0..self.scopes.len() {
            let kind = self.scopes[s].kind;
            if kind == UnitKind::Module {
                continue;
            }
            let mut wanted: Vec<(String, bool)> = self.scopes[s]
                .nonlocals
                .iter()
                .map(|n| (n.clone(), true))
                .collect();
            if kind != UnitKind::Class {
                for n in &self.scopes[s].used {
                    let sc = &self.scopes[s];
                    if !sc.bound.contains(n) && !sc.globals.contains(n) && !sc.nonlocals.contains(n)
                    {
                        wanted.push((n.clone(), false));
                    }
                }
            }
            for (name, required) in wanted {
                // Walk outwards through function scopes (class scopes are skipped).
                let mut path = vec![s];
                let mut cur = self.scopes[s].parent;
                let mut found = None;
                while let Some(p) = cur {
                    let ps = &self.scopes[p];
                    match ps.kind {
                        UnitKind::Module => break,
                        UnitKind::Class => {}
                        _ => {
                            if ps.globals.contains(&name) {
                                break;
                            }
                            if ps.bound.contains(&name) && !ps.nonlocals.contains(&name) {
                                found = Some(p);
                                break;
                            }
                        }
                    }
                    path.push(p);
                    cur = ps.parent;
                }
                match found {
                    Some(owner) => {
                        self.scopes[owner].cells.insert(name.clone());
                        for &p in &path {
                            if self.scopes[p].kind != UnitKind::Class || p == s {
                                self.scopes[p].frees.insert(name.clone());
                            }
                        }
                    }
                    None if required => {
                        return Err(ScopeError {
                            message: format!("no binding for nonlocal '{name}' found"),
                            line: 0,
                        });
                    }
                    None => {}
                }
            }
        }
        // A nonlocal name is bound in this scope syntactically but lives in the owner's cell.
        for s in &mut self.scopes {
            for n in s.nonlocals.clone() {
                s.frees.insert(n);
            }
        }
        Ok(())
    }
}

/// Calls `f` on each direct sub-expression (not entering new scopes' bodies specially).
pub fn for_each_child<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::BoolOp { values, .. } => values.iter().for_each(f),
        ExprKind::BinOp { left, right, .. } => {
            f(left);
            f(right);
        }
        ExprKind::UnaryOp { operand, .. } => f(operand),
        ExprKind::IfExp { test, body, orelse } => {
            f(test);
            f(body);
            f(orelse);
        }
        ExprKind::Dict { keys, values } => {
            for (k, v) in keys.iter().zip(values) {
                if let Some(k) = k {
                    f(k);
                }
                f(v);
            }
        }
        ExprKind::Set(elts)
        | ExprKind::List { elts, .. }
        | ExprKind::Tuple { elts, .. }
        | ExprKind::JoinedStr(elts) => elts.iter().for_each(f),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            f(left);
            comparators.iter().for_each(f);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            f(func);
            args.iter().for_each(&mut *f);
            keywords.iter().for_each(|k| f(&k.value));
        }
        ExprKind::FormattedValue {
            value, format_spec, ..
        } => {
            f(value);
            if let Some(s) = format_spec {
                f(s);
            }
        }
        ExprKind::Attribute { value, .. } | ExprKind::Starred { value, .. } => f(value),
        ExprKind::Subscript { value, slice, .. } => {
            f(value);
            f(slice);
        }
        ExprKind::Slice { lower, upper, step } => {
            for x in [lower, upper, step].into_iter().flatten() {
                f(x);
            }
        }
        ExprKind::Yield(Some(v)) | ExprKind::YieldFrom(v) => f(v),
        ExprKind::Yield(None) | ExprKind::Constant(_) | ExprKind::Name { .. } => {}
        ExprKind::Lambda { .. }
        | ExprKind::ListComp { .. }
        | ExprKind::SetComp { .. }
        | ExprKind::DictComp { .. }
        | ExprKind::GeneratorExp { .. } => {}
    }
}
