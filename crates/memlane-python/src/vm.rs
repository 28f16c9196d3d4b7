//! The virtual machine: runs compiled code against memlane-core's heap.
//!
//! Every value lives in the heap. Every reference the running program holds is one the
//! model counts: frame locals, cells, evaluation-stack temporaries, and the few the
//! interpreter itself holds (`Holder::Runtime`). Python-to-Python calls push frames in one
//! loop, so deep recursion does not deepen the Rust stack.

use crate::bytecode::ConstValue;
use crate::compile::Compiled;
use memlane_core::event::{Event, Holder, HolderRef};
use memlane_core::hash::FxBuild;
use memlane_core::heap::Heap;
use memlane_core::object::*;
use memlane_core::{FrameId, ObjId};
use std::collections::HashMap;
use std::rc::Rc;

/// A raised exception: an exception instance the runtime holds one reference to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exc(pub ObjId);

pub type PyResult<T = ObjId> = Result<T, Exc>;

/// Why the run stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    Exception(Exc),
    /// A memlane limit (steps); the message says which.
    Limit(String),
    /// The run paused before a step, at the top-level loop, to be resumed
    /// (`Session::advance`); never seen inside a nested call.
    Pause,
}

impl From<Exc> for Halt {
    fn from(e: Exc) -> Halt {
        Halt::Exception(e)
    }
}

pub type VmResult<T = ObjId> = Result<T, Halt>;

#[derive(Debug, Clone, Copy)]
pub enum BlockKind {
    /// Jump to `handler` with the exception pushed.
    Setup,
    /// Inside an except/finally handler: unwinding restores the handled exception.
    Handler,
}

#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub kind: BlockKind,
    pub handler: usize,
    pub level: usize,
}

#[derive(Debug)]
pub struct Frame {
    pub id: FrameId,
    pub unit: usize,
    pub code: ObjId,
    /// The running function (the frame holds a reference, as `f_func` does).
    pub function: Option<ObjId>,
    pub locals: Vec<Option<ObjId>>,
    pub cells: Vec<ObjId>,
    /// Module and class bodies: their namespace dict.
    pub namespace: Option<ObjId>,
    pub globals: ObjId,
    pub stack: Vec<Option<ObjId>>,
    pub blocks: Vec<Block>,
    /// Exceptions being handled (the `sys.exc_info()` stack).
    pub handled: Vec<ObjId>,
    pub pc: usize,
    /// The last instruction run in this frame: going back to or before it starts a step.
    pub last_pc: Option<usize>,
    pub line: u32,
    pub name: String,
    /// The generator this frame belongs to.
    pub generator: Option<ObjId>,
    pub address: u64,
    pub size: u64,
}

pub struct Limits {
    pub max_steps: usize,
    pub recursion_limit: usize,
    /// Nested native-to-Python calls (sorted's key, __repr__, __del__) deepen the Rust stack.
    pub max_native_depth: usize,
    /// Live objects the simulated heap may hold; one more raises MemoryError.
    pub max_objects: usize,
    /// Bytes the simulated allocator may hand out (`limits::MAX_HEAP_BYTES`).
    pub max_heap_bytes: u64,
    /// Items a builtin may iterate within one step (`sum(range(10**12))` has no lines
    /// to count, so the step limit alone cannot stop it).
    pub max_iterations_per_step: usize,
}

pub struct Vm {
    pub heap: Heap,
    pub compiled: Compiled,
    pub code_objects: Vec<Option<ObjId>>,
    pub frames: Vec<Frame>,
    pub suspended: HashMap<u32, Frame>,
    pub next_generator: u32,
    pub next_frame: u32,
    pub builtins: HashMap<&'static str, ObjId>,
    pub modules: HashMap<&'static str, ObjId>,
    pub globals: ObjId,
    pub limits: Limits,
    pub native_depth: usize,
    /// The top-level loop pauses before starting a step once this many are recorded.
    pub pause_at: usize,
    /// The address of a local of `run`'s caller: how deep the Rust stack is, measured.
    pub stack_base: usize,
    /// The step the iteration count belongs to, and the iterations made in it.
    pub step_iterations: (usize, usize),
    /// Bytes the program has printed (`limits::MAX_OUTPUT_BYTES`).
    pub output_bytes: usize,
    pub filename: String,
    pub source_lines: Vec<String>,
    /// Traceback entries (file line, function) of exceptions in flight, innermost last.
    pub tracebacks: HashMap<ObjId, Vec<(u32, String)>>,
    pub arena: ObjId,
    pub last_step: Option<(FrameId, u32)>,
    /// The last instruction run in each frame, to see backward jumps.
    /// Objects whose `repr` is in progress (CPython's Py_ReprEnter).
    pub repr_active: Vec<ObjId>,
    /// A generator object a call just made, for the caller to take.
    pub pending_generator: Option<ObjId>,
    /// Builtin function objects by (owner, name): `sys.getrefcount` is (Some("sys"), ...).
    pub builtin_cache: HashMap<(Option<&'static str>, &'static str), ObjId, FxBuild>,
    /// Constants the compiler's cache holds until code objects own them.
    compiler_holds: Vec<ObjId>,
}

/// Words of an interpreter frame before its locals (`_PyInterpreterFrame`'s fields).
pub const FRAME_SPECIALS: u64 = 8;

impl Vm {
    pub fn new(
        heap: Heap,
        compiled: Compiled,
        limits: Limits,
        filename: String,
        source: &str,
    ) -> Vm {
        let units = compiled.units.len();
        let mut heap = heap;
        let arena = heap.alloc_internal(Payload::List(List::default()));
        heap.incref_runtime(arena, "the parser's AST arena");
        let globals = heap.alloc_internal(Payload::Dict(Dict::default()));
        heap.incref_runtime(globals, "module __main__");
        Vm {
            heap,
            compiled,
            code_objects: vec![None; units],
            frames: Vec::new(),
            suspended: HashMap::new(),
            next_generator: 0,
            next_frame: 0,
            builtins: HashMap::new(),
            modules: HashMap::new(),
            globals,
            limits,
            native_depth: 0,
            pause_at: usize::MAX,
            step_iterations: (0, 0),
            output_bytes: 0,
            stack_base: 0,
            filename,
            source_lines: source.lines().map(str::to_owned).collect(),
            tracebacks: HashMap::new(),
            arena,
            last_step: None,
            repr_active: Vec::new(),
            pending_generator: None,
            builtin_cache: HashMap::default(),
            compiler_holds: Vec::new(),
        }
    }

    // ----- constants -----

    /// Creates the objects the parser and compiler made before the program runs: the AST
    /// arena's literals, merged constants, interned names, code objects.
    pub fn materialize(&mut self) {
        let literals = self.compiled.literals.clone();
        let mut literal_objs = Vec::with_capacity(literals.len());
        for v in &literals {
            let o = self.literal_object(v);
            self.list_push(self.arena, o);
            literal_objs.push(o);
        }
        let mut cache: HashMap<String, ObjId> = HashMap::new();
        for (key, &lit) in &self.compiled.canonical.clone() {
            cache.insert(key.clone(), literal_objs[lit]);
        }
        let mut tuple_cache: HashMap<String, ObjId> = HashMap::new();
        for u in 0..self.compiled.units.len() {
            let consts = self.compiled.units[u].consts.clone();
            let mut items = Vec::with_capacity(consts.len());
            for c in &consts {
                let o = self.const_object(c, &mut cache);
                items.push(self.intern_constant(o));
            }
            let key = consts
                .iter()
                .map(ConstValue::key)
                .collect::<Vec<_>>()
                .join("|");
            let consts_tuple = match tuple_cache.get(&key) {
                Some(&t) => t,
                None => {
                    let t = self.new_tuple_internal(&items);
                    tuple_cache.insert(key, t);
                    t
                }
            };
            let names: Vec<ObjId> = self.compiled.units[u]
                .names
                .clone()
                .iter()
                .map(|n| self.heap.interned_str(n))
                .collect();
            let names_tuple = self.new_tuple_internal(&names);
            let unit = &self.compiled.units[u];
            let code = self.heap.alloc_internal(Payload::Code(Code {
                name: Rc::from(unit.name.as_str()),
                qualname: Rc::from(unit.qualname.as_str()),
                consts: consts_tuple,
                names: names_tuple,
                unit: u as u32,
                first_line: unit.first_line,
            }));
            self.heap.incref(
                consts_tuple,
                Holder::Object {
                    obj: code,
                    label: "co_consts".into(),
                },
            );
            self.heap.incref(
                names_tuple,
                Holder::Object {
                    obj: code,
                    label: "co_names".into(),
                },
            );
            self.heap.changed(code);
            self.code_objects[u] = Some(code);
        }
        let module_code = self.code_objects[self.compiled.module_unit].expect("module code");
        self.heap
            .incref_runtime(module_code, "the module being run");
        for o in std::mem::take(&mut self.compiler_holds) {
            self.release(o);
        }
    }

    fn literal_object(&mut self, v: &ConstValue) -> ObjId {
        match v {
            ConstValue::Int(i) => self.heap.int(i.clone()),
            ConstValue::Float(f) => self.heap.float(*f),
            // A one-character Latin-1 literal is the shared character (the parser's UTF-8
            // decoder returns it) unless it is a name character: those are new objects here
            // and compile-time interning decides which object they become.
            ConstValue::Str(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None)
                        if (c as u32) < 256 && !(c.is_ascii_alphanumeric() || c == '_') =>
                    {
                        self.heap.str(s)
                    }
                    _ => self.heap.new_str(s),
                }
            }
            ConstValue::None => self.heap.none(),
            ConstValue::True => self.heap.bool(true),
            ConstValue::False => self.heap.bool(false),
            ConstValue::Ellipsis => self.heap.none(),
            ConstValue::Tuple(items) | ConstValue::FrozenSet(items) => {
                let objs: Vec<ObjId> = items.iter().map(|i| self.literal_object(i)).collect();
                for &o in &objs {
                    self.hold(o);
                }
                let t = if matches!(v, ConstValue::Tuple(_)) {
                    self.new_tuple(&objs)
                } else {
                    self.new_frozenset(&objs)
                };
                for &o in &objs {
                    self.release(o);
                }
                t
            }
            ConstValue::Code(_) => unreachable!("code objects are not literals"),
        }
    }

    /// The shared object for a constant: the first literal with that key, else a new one.
    fn const_object(&mut self, c: &ConstValue, cache: &mut HashMap<String, ObjId>) -> ObjId {
        if let ConstValue::Code(u) = c {
            return self.code_objects[*u].expect("nested code objects are made first");
        }
        let key = c.key();
        if let Some(&o) = cache.get(&key) {
            // A literal tuple's items become the shared constants (merge_consts_recursive).
            if let (ConstValue::Tuple(items), Payload::Tuple(cur)) =
                (c, self.heap.payload(o).clone())
            {
                for (i, item) in items.iter().enumerate() {
                    let canonical = self.const_object(item, cache);
                    if canonical != cur[i] {
                        self.tuple_replace(o, i, canonical);
                    }
                }
            }
            return o;
        }
        let o = match c {
            ConstValue::Tuple(items) | ConstValue::FrozenSet(items) => {
                let objs: Vec<ObjId> = items.iter().map(|i| self.const_object(i, cache)).collect();
                if matches!(c, ConstValue::Tuple(_)) {
                    self.new_tuple(&objs)
                } else {
                    self.new_frozenset(&objs)
                }
            }
            other => self.literal_object(other),
        };
        // Held by the compiler's constant cache until the code objects take it.
        self.hold(o);
        self.compiler_holds.push(o);
        cache.insert(key, o);
        o
    }

    /// Identifier-like string constants are interned when their code object is made.
    fn intern_constant(&mut self, o: ObjId) -> ObjId {
        match self.heap.payload(o).clone() {
            Payload::Str(s)
                if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                self.heap.intern(o)
            }
            Payload::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    let interned = self.intern_constant(*item);
                    if interned != *item {
                        self.tuple_replace(o, i, interned);
                    }
                }
                o
            }
            _ => o,
        }
    }

    fn tuple_replace(&mut self, t: ObjId, i: usize, new: ObjId) {
        let old = match self.heap.payload_mut(t) {
            Payload::Tuple(items) => std::mem::replace(&mut items[i], new),
            _ => return,
        };
        self.heap
            .incref_by(new, HolderRef::Slot { obj: t, index: i });
        self.heap.changed(t);
        self.heap
            .decref_by(old, HolderRef::Slot { obj: t, index: i });
    }

    /// A reference moved to a new holder without changing the count (CPython's "steal").
    pub fn record_moved(&mut self, obj: ObjId, holder: Holder) {
        let count = self.heap.get(obj).refcount;
        self.heap.record(Event::Refcount {
            obj,
            count,
            delta: 0,
            holder,
        });
    }

    /// The running module or class body's namespace dict.
    pub fn namespace(&self) -> ObjId {
        self.frame().namespace.expect("a module or class body")
    }

    // ----- holding references from Rust -----

    /// Keeps an object alive while Rust code uses it (a C function's local reference).
    pub fn hold(&mut self, o: ObjId) {
        self.heap
            .incref_runtime(o, "a reference the interpreter holds");
    }

    pub fn release(&mut self, o: ObjId) {
        self.heap
            .decref_runtime(o, "a reference the interpreter holds");
    }

    // ----- value stack -----

    pub fn frame(&self) -> &Frame {
        self.frames.last().expect("a running frame")
    }

    pub fn frame_mut(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a running frame")
    }

    /// Pushes a new reference onto the current frame's evaluation stack.
    pub fn push(&mut self, o: ObjId) {
        let id = self.frame().id;
        self.heap.incref_by(o, HolderRef::Stack { frame: id });
        self.frame_mut().stack.push(Some(o));
        self.heap.record_push(id, o);
    }

    /// Pops without dropping the reference: the caller takes it over (must bind or drop it).
    pub fn pop_owned(&mut self) -> Option<ObjId> {
        let id = self.frame().id;
        let v = self.frame_mut().stack.pop().flatten();
        if v.is_some() {
            self.heap.record_pop(id);
        }
        v
    }

    /// Pops and drops the reference.
    pub fn pop_drop(&mut self) {
        let id = self.frame().id;
        if let Some(o) = self.pop_owned() {
            self.heap.decref_by(o, HolderRef::Stack { frame: id });
        }
    }

    /// The object `depth` items down the value stack (1 is the top), which must be there.
    pub fn operand(&self, depth: usize) -> ObjId {
        self.top(depth).expect("an object on the value stack")
    }

    /// Pops an object that must be there; the caller takes its reference over.
    pub fn pop_operand(&mut self) -> ObjId {
        self.pop_owned().expect("an object on the value stack")
    }

    pub fn top(&self, depth: usize) -> Option<ObjId> {
        let s = &self.frame().stack;
        s[s.len() - depth]
    }

    /// Replaces the top `n` stack items by `result`. The stack's reference to the result is
    /// taken first, as CPython's `res = f(...)` is, so dropping the operands cannot free it.
    pub fn replace_top(&mut self, n: usize, result: ObjId) {
        let id = self.frame().id;
        self.heap.incref_by(result, HolderRef::Stack { frame: id });
        for _ in 0..n {
            self.pop_drop();
        }
        self.frame_mut().stack.push(Some(result));
        self.heap.record_push(id, result);
    }
}
