//! The instruction set the compiler emits and the VM runs: CPython's, simplified.
//! Temporaries live on the frame's value stack exactly where CPython keeps them, so
//! every reference a running expression holds is visible to the model.

use crate::ast::{CmpOp, Operator, UnaryOp};
use num_bigint::BigInt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    Nop,
    PopTop,
    /// Push another reference to the item `n` deep (1 = top).
    Copy(u32),
    /// Swap the top with the item `n` deep.
    Swap(u32),
    LoadConst(u32),
    LoadFast(u32),
    StoreFast(u32),
    DeleteFast(u32),
    /// Cells: `cellvars` then `freevars`.
    LoadDeref(u32),
    StoreDeref(u32),
    DeleteDeref(u32),
    LoadClosure(u32),
    LoadGlobal(u32),
    StoreGlobal(u32),
    DeleteGlobal(u32),
    LoadName(u32),
    StoreName(u32),
    DeleteName(u32),
    LoadAttr(u32),
    StoreAttr(u32),
    DeleteAttr(u32),
    /// Pushes `[function, self]` for a method, or `[NULL, callable]` otherwise.
    LoadMethod(u32),
    /// Pushes the NULL that precedes a plain call's callable.
    PushNull,
    BinarySubscr,
    StoreSubscr,
    DeleteSubscr,
    BuildSlice(u32),
    Binary(Operator),
    Inplace(Operator),
    Unary(UnaryOp),
    Compare(CmpOp),
    BuildList(u32),
    BuildTuple(u32),
    BuildSet(u32),
    BuildMap(u32),
    ListAppend(u32),
    SetAdd(u32),
    MapAdd(u32),
    ListExtend(u32),
    SetUpdate(u32),
    DictUpdate(u32),
    ListToTuple,
    BuildString(u32),
    /// f-string field: conversion (-1, 's', 'r', 'a') and whether a spec is on the stack.
    FormatValue(i32, bool),
    UnpackSequence(u32),
    UnpackEx(u32, u32),
    Jump(u32),
    PopJumpIfFalse(u32),
    PopJumpIfTrue(u32),
    JumpIfFalseOrPop(u32),
    JumpIfTrueOrPop(u32),
    GetIter,
    ForIter(u32),
    /// `[NULL|self, callable, args...]`; the kwnames tuple constant index, if any.
    Call(u32, Option<u32>),
    /// `[NULL, callable, args tuple, kwargs dict?]`
    CallEx(bool),
    /// Code constant index; flags: 1 defaults, 2 kwdefaults, 8 closure.
    MakeFunction(u32, u8),
    /// Builds a class from `[NULL, body function, name, bases...]`.
    BuildClass(u32),
    /// Ends a class body: pushes the namespace.
    LoadLocals,
    ReturnValue,
    YieldValue,
    SetupFinally(u32),
    PopBlock,
    /// Enters an except/finally handler: the exception on top becomes the one being handled.
    PushExcInfo,
    PopExcept,
    CheckExcMatch,
    Reraise,
    Raise(u32),
    LoadAssertionError,
    ImportName(u32),
}

/// Values the compiler puts in constant tables.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    None,
    True,
    False,
    Ellipsis,
    Int(BigInt),
    Float(f64),
    Str(String),
    Tuple(Vec<ConstValue>),
    FrozenSet(Vec<ConstValue>),
    /// A nested code object, by unit index.
    Code(usize),
}

impl ConstValue {
    /// CPython's `_PyCode_ConstantKey`: equal keys merge into one constant object.
    pub fn key(&self) -> String {
        match self {
            ConstValue::None => "N".into(),
            ConstValue::True => "T".into(),
            ConstValue::False => "F".into(),
            ConstValue::Ellipsis => "E".into(),
            ConstValue::Int(v) => format!("i{v}"),
            ConstValue::Float(v) => format!("f{:x}", v.to_bits()),
            ConstValue::Str(s) => format!("s{}:{s}", s.len()),
            ConstValue::Tuple(items) => format!(
                "t({})",
                items
                    .iter()
                    .map(ConstValue::key)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            ConstValue::FrozenSet(items) => format!(
                "z({})",
                items
                    .iter()
                    .map(ConstValue::key)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            ConstValue::Code(i) => format!("c{i}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    Module,
    Function,
    Lambda,
    Class,
    Comprehension,
    GeneratorExpression,
}

/// One compiled code object.
#[derive(Clone, Debug)]
pub struct CodeUnit {
    pub kind: UnitKind,
    pub name: String,
    pub qualname: String,
    pub first_line: u32,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub varargs: bool,
    pub varkeywords: bool,
    /// Fast locals; parameters first.
    pub varnames: Vec<String>,
    pub cellvars: Vec<String>,
    pub freevars: Vec<String>,
    /// Global, attribute and namespace names (shared: a lookup clones no text).
    pub names: Vec<std::rc::Rc<str>>,
    pub consts: Vec<ConstValue>,
    pub code: Vec<Instr>,
    /// Each instruction's source line; [`NO_LINE`] for one that never starts a step.
    pub lines: Vec<u32>,
    pub is_generator: bool,
    /// Deepest the value stack gets, for the frame's size.
    pub stacksize: u32,
}

impl CodeUnit {
    pub fn cell_index(&self, name: &str) -> Option<usize> {
        self.cellvars.iter().position(|n| n == name).or_else(|| {
            self.freevars
                .iter()
                .position(|n| n == name)
                .map(|i| i + self.cellvars.len())
        })
    }
}

/// The line of an instruction that has none of its own (a loop's jump back): reaching it
/// never starts a step, as CPython reports no line event for it.
pub const NO_LINE: u32 = 0;
