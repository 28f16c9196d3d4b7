//! The run loop: steps, frames, calls, returns, exceptions, generators, finalizers and
//! automatic collections.

use crate::bytecode::{UnitKind, NO_LINE};
use crate::vm::*;
use memlane_core::event::{Event, Holder, HolderRef};
use memlane_core::object::*;
use memlane_core::{Binding, FrameId, FrameView, ObjId};
use std::rc::Rc;

pub enum Flow {
    Continue,
    Return(ObjId),
    Yield(ObjId),
}

/// How a nested run ended.
pub enum Exit {
    Returned(ObjId),
    Yielded(ObjId),
}

impl Vm {
    // ----- frames -----

    /// Makes a frame for `unit` and pushes it; arguments are bound by the caller.
    pub fn push_frame(
        &mut self,
        unit: usize,
        function: Option<ObjId>,
        namespace: Option<ObjId>,
        generator: Option<ObjId>,
    ) -> PyResult<()> {
        let python_frames = self.frames.len() + 1;
        if python_frames > self.limits.recursion_limit {
            return Err(self.error(
                BuiltinType::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        let u = &self.compiled.units[unit];
        let (nlocals, ncells, stacksize) = (
            u.varnames.len(),
            u.cellvars.len() + u.freevars.len(),
            u.stacksize,
        );
        let name = if u.kind == UnitKind::Module {
            "<module>".to_string()
        } else {
            u.qualname.clone()
        };
        let size = (FRAME_SPECIALS + (nlocals + ncells) as u64 + stacksize as u64) * 8;
        // Generator frames live inside the generator object; the rest in the data stack.
        let address = match generator {
            Some(g) => self.heap.get(g).address + 64,
            None => self.heap.allocator.push_frame(size),
        };
        let code = self.code_objects[unit].expect("code object");
        let id = FrameId(self.next_frame);
        self.next_frame += 1;
        let frame = Frame {
            id,
            unit,
            code,
            function,
            locals: vec![None; nlocals],
            cells: Vec::new(),
            namespace,
            globals: self.globals,
            stack: Vec::with_capacity(stacksize as usize),
            blocks: Vec::new(),
            handled: Vec::new(),
            pc: 0,
            last_pc: None,
            line: 0,
            name: name.clone(),
            generator,
            address,
            size,
        };
        let locals = match namespace {
            Some(ns) => self.namespace_bindings(ns),
            None => Vec::with_capacity(nlocals + ncells),
        };
        self.heap.record(Event::FramePush {
            frame: Box::new(FrameView {
                id,
                function: name,
                line: 0,
                locals,
                // The recorder's live view grows these as the frame runs.
                stack: Vec::with_capacity(stacksize as usize),
                address,
                size,
                namespace,
                suspended: false,
            }),
        });
        self.heap.incref_runtime(code, "a running frame (f_code)");
        if let Some(f) = function {
            self.heap.incref_runtime(f, "a running frame (f_func)");
        }
        self.frames.push(frame);
        Ok(())
    }

    fn namespace_bindings(&self, ns: ObjId) -> Vec<Binding> {
        match self.heap.payload(ns) {
            Payload::Dict(d) => d
                .items()
                .filter_map(|(k, v)| match self.heap.payload(k) {
                    Payload::Str(s) => Some(Binding {
                        name: s.to_string(),
                        target: v,
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Sets up cells: new cells for cell variables (taking a parameter's value when the
    /// parameter is captured), and the closure's cells for free variables.
    pub fn init_cells(&mut self, closure: Option<ObjId>) {
        let unit = self.frame().unit;
        if closure.is_none() && self.compiled.units[unit].cellvars.is_empty() {
            return;
        }
        let (cellvars, varnames) = (
            self.compiled.units[unit].cellvars.clone(),
            self.compiled.units[unit].varnames.clone(),
        );
        let fid = self.frame().id;
        for name in &cellvars {
            let cell = self.heap.alloc(Payload::Cell(None));
            self.heap.incref(
                cell,
                Holder::Name {
                    frame: fid,
                    name: name.clone(),
                },
            );
            if let Some(i) = varnames.iter().position(|v| v == name) {
                if let Some(v) = self.frame_mut().locals[i].take() {
                    // The argument moves into the cell (MAKE_CELL).
                    self.heap.record(Event::Unbind {
                        frame: fid,
                        name: name.clone(),
                    });
                    *self.heap.payload_mut(cell) = Payload::Cell(Some(v));
                    self.record_moved(
                        v,
                        Holder::Object {
                            obj: cell,
                            label: "cell_contents".into(),
                        },
                    );
                    self.heap.changed(cell);
                }
            }
            self.heap.record(Event::Bind {
                frame: fid,
                name: name.clone(),
                target: cell,
            });
            self.frame_mut().cells.push(cell);
        }
        if let Some(closure) = closure {
            let cells = match self.heap.payload(closure) {
                Payload::Tuple(items) => items.clone(),
                _ => Vec::new(),
            };
            let freevars = self.compiled.units[unit].freevars.clone();
            for (name, cell) in freevars.iter().zip(cells) {
                self.heap.incref(
                    cell,
                    Holder::Name {
                        frame: fid,
                        name: name.clone(),
                    },
                );
                self.heap.record(Event::Bind {
                    frame: fid,
                    name: name.clone(),
                    target: cell,
                });
                self.frame_mut().cells.push(cell);
            }
        }
    }

    /// Clears and removes the innermost frame (its locals, cells, temporaries, holds).
    pub fn pop_frame(&mut self) {
        let mut f = self.frames.pop().expect("a frame");
        self.teardown(&mut f);
    }

    pub fn teardown(&mut self, f: &mut Frame) {
        let u = &self.compiled.units[f.unit];
        for (name, v) in u.varnames.iter().zip(f.locals.iter_mut()) {
            if let Some(o) = v.take() {
                self.heap.record_unbind(f.id, name);
                self.heap
                    .decref_by(o, HolderRef::Name { frame: f.id, name });
            }
        }
        let cell_names = u.cellvars.iter().chain(&u.freevars);
        for (name, c) in cell_names.zip(std::mem::take(&mut f.cells)) {
            self.heap.record_unbind(f.id, name);
            self.heap
                .decref_by(c, HolderRef::Name { frame: f.id, name });
        }
        while let Some(v) = f.stack.pop() {
            if let Some(o) = v {
                self.heap.record_pop(f.id);
                self.heap.decref(o, Holder::Stack { frame: f.id });
            }
        }
        for h in std::mem::take(&mut f.handled) {
            self.heap.decref_runtime(h, "the exception being handled");
        }
        self.heap.record_frame_pop(f.id);
        if f.generator.is_none() {
            self.heap.allocator.pop_frame();
        }
        if let Some(func) = f.function.take() {
            self.heap.decref_runtime(func, "a running frame (f_func)");
        }
        self.heap.decref_runtime(f.code, "a running frame (f_code)");
    }

    // ----- steps -----

    fn maybe_step(&mut self) -> VmResult<()> {
        let f = self.frames.last_mut().expect("a frame");
        let line = self.compiled.units[f.unit].lines[f.pc];
        let (fid, pc) = (f.id, f.pc);
        let jumped_back = f.last_pc.is_some_and(|p| pc <= p);
        f.last_pc = Some(pc);
        if line == NO_LINE {
            return Ok(());
        }
        let new = match self.last_step {
            Some((last, l)) => last != fid || l != line || jumped_back,
            None => true,
        };
        if !new {
            return Ok(());
        }
        // Only the top-level loop pauses: a nested loop (a finalizer, a sort key, a class
        // body, a generator driven by a builtin or a `for`) sits on the Rust stack, which a
        // pause would unwind. Nothing has changed yet, so resuming retakes this check.
        let steps = self.heap.recorder.step_count();
        if self.native_depth == 0 && steps >= self.pause_at && steps < self.limits.max_steps {
            return Err(Halt::Pause);
        }
        if steps >= self.limits.max_steps {
            return Err(Halt::Limit(format!(
                "stopped after {} steps (the step limit); the steps so far are kept",
                self.limits.max_steps
            )));
        }
        self.last_step = Some((fid, line));
        self.frame_mut().line = line;
        self.heap.begin_step(fid, line);
        self.heap.record_line(fid, line);
        Ok(())
    }

    // ----- the loop -----

    /// Runs until the frame at depth `base` returns or yields.
    pub fn run(&mut self, base: usize) -> VmResult<Exit> {
        loop {
            self.maybe_step()?;
            let (unit, pc) = {
                let f = self.frame();
                (f.unit, f.pc)
            };
            let instr = self.compiled.units[unit].code[pc];
            self.frame_mut().pc = pc + 1;
            let result = self.exec(instr);
            let result = match result {
                Ok(flow) => self.after_instruction().map(|_| flow),
                Err(e) => Err(e),
            };
            match result {
                Ok(Flow::Continue) => {}
                Ok(Flow::Return(v)) => {
                    if self.frames.len() == 1 && self.frame().unit == self.compiled.module_unit {
                        // The module frame stays until interpreter shutdown (the exit step).
                        let fid = self.frame().id;
                        self.heap.incref_runtime(v, "a return value in flight");
                        self.heap.decref(v, Holder::Stack { frame: fid });
                        return Ok(Exit::Returned(v));
                    }
                    let mut f = self.frames.pop().expect("a frame");
                    let fid = f.id;
                    if let Some(g) = f.generator {
                        if let Payload::Generator(gen) = self.heap.payload_mut(g) {
                            gen.finished = true;
                            gen.running = false;
                        }
                    }
                    // The return value's reference moves out of the frame before it is cleared.
                    self.heap.incref_runtime(v, "a return value in flight");
                    self.heap.decref(v, Holder::Stack { frame: fid });
                    self.teardown(&mut f);
                    if self.frames.len() == base {
                        return Ok(Exit::Returned(v));
                    }
                    self.push(v);
                    self.release_runtime(v);
                }
                Ok(Flow::Yield(v)) => {
                    let f = self.frames.pop().expect("a generator frame");
                    let fid = f.id;
                    self.heap.incref_runtime(v, "a yielded value in flight");
                    self.heap.decref(v, Holder::Stack { frame: fid });
                    self.heap.record(Event::FrameSuspend { frame: fid });
                    let g = f.generator.expect("yield in a generator frame");
                    let handle = match self.heap.payload_mut(g) {
                        Payload::Generator(gen) => {
                            gen.running = false;
                            gen.frame
                        }
                        _ => unreachable!(),
                    };
                    self.suspended.insert(handle, f);
                    debug_assert_eq!(self.frames.len(), base);
                    return Ok(Exit::Yielded(v));
                }
                Err(Halt::Exception(e)) => self.handle_exception(e, base)?,
                Err(limit) => return Err(limit),
            }
        }
    }

    fn release_runtime(&mut self, o: ObjId) {
        let what = "a return value in flight";
        self.heap.decref_runtime(o, what);
    }

    /// Unwinds to the nearest handler at or above `base`, or returns the exception.
    fn handle_exception(&mut self, exc: Exc, base: usize) -> VmResult<()> {
        loop {
            // Tracebacks name a frame by its code's co_name, not its qualified name.
            let (line, name, fid) = {
                let f = self.frame();
                (f.line, self.compiled.units[f.unit].name.clone(), f.id)
            };
            let tb = self.tracebacks.entry(exc.0).or_default();
            if tb.last() != Some(&(line, name.clone())) || tb.is_empty() {
                tb.push((line, name));
            }
            if let Some(block) = self.frame_mut().blocks.pop() {
                while self.frame().stack.len() > block.level {
                    let v = self.frame_mut().stack.pop().expect("checked");
                    if let Some(o) = v {
                        self.heap.record_pop(fid);
                        self.heap.decref(o, Holder::Stack { frame: fid });
                    }
                }
                match block.kind {
                    BlockKind::Handler => {
                        if let Some(h) = self.frame_mut().handled.pop() {
                            self.heap.decref_runtime(h, "the exception being handled");
                        }
                        continue;
                    }
                    BlockKind::Setup => {
                        self.push(exc.0);
                        self.heap
                            .decref_runtime(exc.0, "the exception being raised");
                        self.frame_mut().pc = block.handler;
                        return Ok(());
                    }
                }
            }
            let mut f = self.frames.pop().expect("a frame");
            if let Some(g) = f.generator {
                if let Payload::Generator(gen) = self.heap.payload_mut(g) {
                    gen.finished = true;
                    gen.running = false;
                }
            }
            self.teardown(&mut f);
            if self.frames.len() <= base {
                return Err(Halt::Exception(exc));
            }
        }
    }

    /// Runs `__del__` of objects whose refcount reached zero, and automatic collections.
    pub fn after_instruction(&mut self) -> VmResult<()> {
        if self.heap.has_pending_finalizers() {
            self.run_finalizers()?;
        }
        if let Some(g) = self.heap.gc_due() {
            self.collect(g)?;
        }
        Ok(())
    }

    pub fn run_finalizers(&mut self) -> VmResult<()> {
        while self.heap.has_pending_finalizers() {
            for o in self.heap.take_pending_finalizers() {
                self.finalize(o)?;
            }
        }
        Ok(())
    }

    /// Calls `__del__` (PEP 442: once), then lets the object go unless it was resurrected.
    fn finalize(&mut self, o: ObjId) -> VmResult<()> {
        self.heap.mark_finalized(o);
        self.heap.incref_runtime(o, "running __del__");
        if let Payload::Generator(_) = self.heap.payload(o) {
            self.close_generator(o);
        } else {
            self.call_del(o)?;
        }
        self.heap.decref_runtime(o, "running __del__");
        Ok(())
    }

    fn call_del(&mut self, o: ObjId) -> VmResult<()> {
        let class = match self.heap.payload(o) {
            Payload::Instance(i) => i.class,
            _ => return Ok(()),
        };
        let Some(del) = self.heap.class_lookup(class, "__del__") else {
            return Ok(());
        };
        match self.call(del, &[o], &[]) {
            Ok(r) => self.release(r),
            Err(Halt::Exception(e)) => {
                // CPython reports and ignores exceptions raised by __del__.
                let line = self.exception_line(e.0);
                let qual = self.heap.short_value(del);
                let address = self.heap.get(del).address;
                self.stderr_write(&format!("Exception ignored in: <function {qual} at {address:#x}>\nTraceback (most recent call last):\n{line}\n"));
                self.heap.decref_runtime(e.0, "the exception being raised");
            }
            Err(limit) => return Err(limit),
        }
        Ok(())
    }

    /// A full or partial collection with the finalizers of unreachable objects run between
    /// analysis and clearing. Returns what `gc.collect()` returns.
    pub fn collect(&mut self, generation: u8) -> VmResult<u32> {
        let c = self.heap.gc_begin(generation);
        self.heap.gc_finalize_phase(&c);
        for &o in &c.to_finalize {
            if self.heap.is_live(o) {
                self.heap.incref_runtime(o, "running __del__");
                self.call_del(o)?;
                self.heap.decref_runtime(o, "running __del__");
            }
        }
        let n = self.heap.gc_finish(c);
        self.run_finalizers()?;
        Ok(n)
    }

    // ----- generators -----

    /// Resumes a generator: its next value, or None when it is exhausted.
    pub fn generator_next(&mut self, g: ObjId) -> VmResult<Option<ObjId>> {
        let (handle, finished, running) = match self.heap.payload(g) {
            Payload::Generator(gen) => (gen.frame, gen.finished, gen.running),
            _ => return Ok(None),
        };
        if running {
            return Err(self
                .error(BuiltinType::ValueError, "generator already executing")
                .into());
        }
        if finished {
            return Ok(None);
        }
        let Some(mut frame) = self.suspended.remove(&handle) else {
            return Ok(None);
        };
        if self.native_depth >= self.limits.max_native_depth || self.stack_exhausted() {
            self.suspended.insert(handle, frame);
            return Err(self
                .error(
                    BuiltinType::RecursionError,
                    "maximum recursion depth exceeded",
                )
                .into());
        }
        if let Payload::Generator(gen) = self.heap.payload_mut(g) {
            gen.running = true;
        }
        let started = frame.pc > 0;
        frame.handled.shrink_to_fit();
        let fid = frame.id;
        self.frames.push(frame);
        self.heap.record(Event::FrameResume { frame: fid });
        if started {
            // The value of the `yield` expression.
            let none = self.heap.none();
            self.push(none);
        }
        let base = self.frames.len() - 1;
        self.native_depth += 1;
        let r = self.run(base);
        self.native_depth -= 1;
        match r? {
            Exit::Yielded(v) => Ok(Some(v)),
            Exit::Returned(v) => {
                self.release_runtime(v);
                Ok(None)
            }
        }
    }

    /// Drops a suspended generator's frame (its locals and temporaries).
    pub fn close_generator(&mut self, g: ObjId) {
        let handle = match self.heap.payload_mut(g) {
            Payload::Generator(gen) => {
                gen.finished = true;
                gen.frame
            }
            _ => return,
        };
        if let Some(mut f) = self.suspended.remove(&handle) {
            self.heap.record(Event::FrameResume { frame: f.id });
            self.teardown(&mut f);
        }
    }

    // ----- calls -----

    /// Calls any callable from Rust, running Python code in a nested loop.
    /// Returns a reference the caller holds (release it with `release`).
    pub fn call(
        &mut self,
        callable: ObjId,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
    ) -> VmResult {
        // Only a builtin's payload is copied: a class's (its attribute map) would be
        // cloned at every instantiation.
        match self.heap.payload(callable) {
            Payload::Function(_) => {
                if self.native_depth >= self.limits.max_native_depth || self.stack_exhausted() {
                    return Err(self
                        .error(
                            BuiltinType::RecursionError,
                            "maximum recursion depth exceeded while calling a Python object",
                        )
                        .into());
                }
                let base = self.frames.len();
                self.enter_function(callable, args, kwargs)?;
                if self.frames.len() == base {
                    // A generator function: the generator object is held for us.
                    return Ok(self.take_generator_result());
                }
                self.native_depth += 1;
                let r = self.run(base);
                self.native_depth -= 1;
                match r? {
                    Exit::Returned(v) => {
                        // Hand over as a plain hold.
                        self.hold(v);
                        self.release_runtime(v);
                        Ok(v)
                    }
                    Exit::Yielded(_) => unreachable!("functions do not yield to their caller"),
                }
            }
            &Payload::BoundMethod { function, receiver } => {
                if matches!(self.heap.payload(function), Payload::Builtin(b) if b.is_class_method())
                {
                    return self.call(function, args, kwargs);
                }
                let mut all = vec![receiver];
                all.extend_from_slice(args);
                self.call(function, &all, kwargs)
            }
            Payload::Class(_) => {
                let inst = self.instantiate(callable, args, kwargs)?;
                Ok(inst)
            }
            Payload::Builtin(b) => {
                let b = b.clone();
                let r = self.call_builtin(&b, args, kwargs)?;
                self.hold(r);
                Ok(r)
            }
            _ => Err(self
                .type_error(callable, |t| format!("'{t}' object is not callable"))
                .into()),
        }
    }

    fn take_generator_result(&mut self) -> ObjId {
        self.pending_generator.take().expect("a generator was made")
    }

    /// Makes an instance of a user class and runs `__init__` in a nested loop.
    pub fn instantiate(
        &mut self,
        class: ObjId,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
    ) -> VmResult {
        if let Payload::Class(c) = self.heap.payload(class) {
            if let Some(t) = c.builtin {
                let r = self.construct_builtin(t, class, args, kwargs)?;
                self.hold(r);
                return Ok(r);
            }
        }
        // BaseException.__new__ keeps the positional arguments as `args`.
        let inst = if self.is_exception_class(class) {
            self.exception_instance(class, args)
        } else {
            let inst = self.new_instance(class);
            self.hold(inst);
            inst
        };
        if let Some(init) = self.heap.class_lookup(class, "__init__") {
            let mut all = vec![inst];
            all.extend_from_slice(args);
            match self.call(init, &all, kwargs) {
                Ok(r) => {
                    let is_none = matches!(self.heap.payload(r), Payload::None);
                    let t = if is_none {
                        String::new()
                    } else {
                        self.heap.type_name(r)
                    };
                    self.release(r);
                    if !is_none {
                        self.release(inst);
                        return Err(self
                            .error_fmt(
                                BuiltinType::TypeError,
                                format_args!("__init__() should return None, not '{t}'"),
                            )
                            .into());
                    }
                }
                Err(e) => {
                    self.release(inst);
                    return Err(e);
                }
            }
        } else if (!args.is_empty() || !kwargs.is_empty()) && !self.is_exception_class(class) {
            self.release(inst);
            let name = match self.heap.payload(class) {
                Payload::Class(c) => c.name.to_string(),
                _ => "object".into(),
            };
            return Err(self
                .error_fmt(
                    BuiltinType::TypeError,
                    format_args!("{name}() takes no arguments"),
                )
                .into());
        }
        Ok(inst)
    }

    pub fn new_instance(&mut self, class: ObjId) -> ObjId {
        let inst = self.heap.alloc(Payload::Instance(Instance {
            class,
            attrs: Default::default(),
        }));
        self.heap.incref(
            class,
            Holder::Object {
                obj: inst,
                label: "__class__".into(),
            },
        );
        self.heap.changed(inst);
        inst
    }

    /// Pushes a Python function's frame with its arguments bound. Arguments are borrowed:
    /// each binding takes a new reference. For a generator function, instead of running,
    /// a generator object is made and left in `pending_generator`.
    pub fn enter_function(
        &mut self,
        func: ObjId,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
    ) -> VmResult<()> {
        let f = match self.heap.payload(func) {
            Payload::Function(f) => f.clone(),
            _ => unreachable!(),
        };
        let unit = match self.heap.payload(f.code) {
            Payload::Code(c) => c.unit as usize,
            _ => unreachable!(),
        };
        let bound = self.bind_arguments(unit, &f, args, kwargs)?;
        let is_generator = self.compiled.units[unit].is_generator;
        let generator = if is_generator {
            let handle = self.next_generator;
            self.next_generator += 1;
            let g = self.heap.alloc(Payload::Generator(Generator {
                name: f.name.clone(),
                qualname: f.qualname.clone(),
                frame: handle,
                finished: false,
                running: false,
                code: f.code,
            }));
            self.heap.incref(
                f.code,
                Holder::Object {
                    obj: g,
                    label: "gi_code".into(),
                },
            );
            self.heap.changed(g);
            Some(g)
        } else {
            None
        };
        if let Err(e) = self.push_frame(unit, Some(func), None, generator) {
            for b in bound.into_iter().flatten() {
                self.release(b);
            }
            if let Some(g) = generator {
                self.heap.decref(
                    g,
                    Holder::Runtime {
                        what: "unused".into(),
                    },
                );
            }
            return Err(e.into());
        }
        let fid = self.frame().id;
        for (i, v) in bound.into_iter().enumerate() {
            if let Some(v) = v {
                // The argument's hold becomes the local's.
                let name = &self.compiled.units[unit].varnames[i];
                self.heap.incref_by(v, HolderRef::Name { frame: fid, name });
                self.heap.record_bind(fid, name, v);
                self.frame_mut().locals[i] = Some(v);
                self.release(v);
            }
        }
        self.init_cells(f.closure);
        if let Some(g) = generator {
            let mut frame = self.frames.pop().expect("the generator frame");
            frame.generator = Some(g);
            self.heap.record(Event::FrameSuspend { frame: frame.id });
            self.suspended.insert(self.next_generator - 1, frame);
            self.hold(g);
            self.pending_generator = Some(g);
        }
        Ok(())
    }

    /// Matches arguments to parameters as CPython does, with its error messages.
    /// Returns one held reference (or None) per fast local.
    fn bind_arguments(
        &mut self,
        unit: usize,
        f: &Function,
        args: &[ObjId],
        kwargs: &[(Rc<str>, ObjId)],
    ) -> PyResult<Vec<Option<ObjId>>> {
        let u = &self.compiled.units[unit];
        let (argcount, kwonly, posonly) = (
            u.argcount as usize,
            u.kwonlyargcount as usize,
            u.posonlyargcount as usize,
        );
        let (varargs, varkw) = (u.varargs, u.varkeywords);
        // Shared, not copied: only error messages and keyword arguments read them.
        let varnames = &self.compiled.units[unit].varnames;
        let qual = &*f.qualname;
        let mut slots: Vec<Option<ObjId>> = vec![None; varnames.len()];
        let npos = args.len().min(argcount);
        for (i, &a) in args.iter().take(npos).enumerate() {
            slots[i] = Some(a);
        }
        let mut extra_pos = Vec::new();
        if args.len() > argcount {
            if !varargs {
                let given = args.len();
                let defaults = self.defaults_len(f);
                let takes = if defaults > 0 {
                    format!("from {} to {}", argcount - defaults, argcount)
                } else {
                    argcount.to_string()
                };
                let plural = if argcount == 1 && defaults == 0 {
                    ""
                } else {
                    "s"
                };
                let was = if given == 1 { "was" } else { "were" };
                return Err(self.error_fmt(BuiltinType::TypeError, format_args!("{qual}() takes {takes} positional argument{plural} but {given} {was} given")));
            }
            extra_pos = args[argcount..].to_vec();
        }
        let mut extra_kw = Vec::new();
        for (name, v) in kwargs {
            match varnames
                .iter()
                .take(argcount + kwonly)
                .position(|n| **n == **name)
            {
                Some(i) if i >= posonly => {
                    if slots[i].is_some() {
                        return Err(self.error_fmt(
                            BuiltinType::TypeError,
                            format_args!("{qual}() got multiple values for argument '{name}'"),
                        ));
                    }
                    slots[i] = Some(*v);
                }
                _ if varkw => extra_kw.push((name.clone(), *v)),
                _ => {
                    return Err(self.error_fmt(
                        BuiltinType::TypeError,
                        format_args!("{qual}() got an unexpected keyword argument '{name}'"),
                    ))
                }
            }
        }
        // Defaults fill the last positional parameters, then keyword-only defaults.
        let defaults: Vec<ObjId> = match f.defaults.map(|d| self.heap.payload(d).clone()) {
            Some(Payload::Tuple(items)) => items,
            _ => Vec::new(),
        };
        let first_default = argcount - defaults.len();
        let mut missing = Vec::new();
        for i in 0..argcount {
            if slots[i].is_none() {
                if i >= first_default {
                    slots[i] = Some(defaults[i - first_default]);
                } else {
                    missing.push(varnames[i].clone());
                }
            }
        }
        if !missing.is_empty() {
            return Err(self.missing_error(qual, &missing, "positional"));
        }
        let mut missing_kw = Vec::new();
        for i in argcount..argcount + kwonly {
            if slots[i].is_none() {
                let d = f
                    .kwdefaults
                    .and_then(|kd| self.dict_get_str(kd, &varnames[i]));
                match d {
                    Some(d) => slots[i] = Some(d),
                    None => missing_kw.push(varnames[i].clone()),
                }
            }
        }
        if !missing_kw.is_empty() {
            return Err(self.missing_error(qual, &missing_kw, "keyword-only"));
        }
        for s in slots.iter().flatten() {
            self.hold(*s);
        }
        let mut next = argcount + kwonly;
        if varargs {
            let t = self.new_tuple(&extra_pos);
            self.hold(t);
            slots[next] = Some(t);
            next += 1;
        }
        if varkw {
            let d = self.new_dict();
            self.hold(d);
            for (k, v) in extra_kw {
                let key = self.heap.interned_str(&k);
                // A str key runs no Python code: an exception is all that can stop it.
                if let Err(Halt::Exception(e)) = self.dict_set(d, key, v) {
                    return Err(e);
                }
            }
            slots[next] = Some(d);
        }
        Ok(slots)
    }

    fn defaults_len(&self, f: &Function) -> usize {
        match f.defaults.map(|d| self.heap.payload(d)) {
            Some(Payload::Tuple(items)) => items.len(),
            _ => 0,
        }
    }

    fn missing_error(&mut self, qual: &str, missing: &[String], kind: &str) -> Exc {
        let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        let list = match quoted.len() {
            1 => quoted[0].clone(),
            2 => format!("{} and {}", quoted[0], quoted[1]),
            n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        };
        let plural = if missing.len() == 1 { "" } else { "s" };
        self.error_fmt(
            BuiltinType::TypeError,
            format_args!(
                "{qual}() missing {} required {kind} argument{plural}: {list}",
                missing.len()
            ),
        )
    }

    // ----- module run and shutdown -----

    /// The outcome of an exception nobody caught: CPython's traceback text.
    pub fn uncaught(&mut self, e: Exc) -> memlane_core::Outcome {
        let last = self.exception_line(e.0);
        let type_name = self.heap.type_name(e.0);
        let entries = self.tracebacks.remove(&e.0).unwrap_or_default();
        let mut text = String::from("Traceback (most recent call last):\n");
        for (line, name) in entries.iter().rev() {
            text.push_str(&format!(
                "  File \"{}\", line {line}, in {name}\n",
                self.filename
            ));
            if let Some(src) = self.source_lines.get(line.saturating_sub(1) as usize) {
                text.push_str(&format!("    {}\n", src.trim()));
            }
        }
        text.push_str(&last);
        text.push('\n');
        let message = last
            .split_once(": ")
            .map(|(_, m)| m.to_string())
            .unwrap_or_default();
        let line = entries.first().map(|(l, _)| *l);
        self.heap.decref_runtime(e.0, "the exception being raised");
        memlane_core::Outcome::Exception {
            type_name,
            message,
            line,
            traceback: text,
        }
    }

    /// Interpreter shutdown as CPython does it: the parser's arena goes, `__main__`'s names
    /// are set to None (names with one leading underscore first), and a last collection
    /// runs, so `__del__` methods print what they print at exit.
    pub fn shutdown(&mut self) {
        self.heap.begin_exit_step();
        while !self.frames.is_empty() {
            self.pop_frame();
        }
        self.heap
            .decref_runtime(self.arena, "the parser's AST arena");
        let _ = self.run_finalizers();
        let items = self.dict_items(self.globals);
        let none = self.heap.none();
        for underscored in [true, false] {
            for &(k, _) in &items {
                let name = match self.heap.payload(k) {
                    Payload::Str(s) => s.to_string(),
                    _ => continue,
                };
                let single = name.starts_with('_') && !name.starts_with("__");
                if single != underscored || name == "__builtins__" {
                    continue;
                }
                if self.dict_set(self.globals, k, none).is_err() {
                    continue;
                }
                if self.run_finalizers().is_err() {
                    return;
                }
            }
        }
        let _ = self.collect(2);
    }

    pub fn run_module(&mut self) -> VmResult<()> {
        self.start_module()?;
        self.resume_module()
    }

    /// Pushes the module's frame and names it `__main__`; `resume_module` runs it.
    pub fn start_module(&mut self) -> VmResult<()> {
        let unit = self.compiled.module_unit;
        self.push_frame(unit, None, Some(self.globals), None)?;
        let name_key = self.heap.interned_str("__name__");
        let main = self.heap.str("__main__");
        self.dict_set(self.globals, name_key, main)?;
        Ok(())
    }

    /// Runs the module from where it stopped, to its end or to the next pause
    /// (`Err(Halt::Pause)`, after which it can be resumed again).
    pub fn resume_module(&mut self) -> VmResult<()> {
        match self.run(0)? {
            Exit::Returned(v) => {
                self.release_runtime(v);
                Ok(())
            }
            Exit::Yielded(_) => unreachable!(),
        }
    }
}
