//! What each instruction does to the stack, the frame and the heap.

use crate::ast::CmpOp;
use crate::bytecode::Instr;
use crate::exec::Flow;
use crate::vm::*;
use memlane_core::event::{Event, Holder, HolderRef};
use memlane_core::object::*;
use memlane_core::ObjId;
use std::rc::Rc;

impl Vm {
    fn unit_name(&self, i: u32) -> Rc<str> {
        self.compiled.units[self.frame().unit].names[i as usize].clone()
    }

    fn stack_ids(&self, n: usize) -> Vec<ObjId> {
        let s = &self.frame().stack;
        s[s.len() - n..]
            .iter()
            .map(|v| v.expect("an object"))
            .collect()
    }

    /// Pops `n` items whose references the caller takes over.
    fn pop_n_owned(&mut self, n: usize) -> Vec<ObjId> {
        let mut v: Vec<ObjId> = (0..n).map(|_| self.pop_operand()).collect();
        v.reverse();
        v
    }

    /// Re-pushes a reference the caller already owns (no count change).
    pub fn push_owned(&mut self, o: ObjId) {
        let id = self.frame().id;
        self.frame_mut().stack.push(Some(o));
        self.heap.record_push(id, o);
    }

    pub fn exec(&mut self, instr: Instr) -> VmResult<Flow> {
        let fid = self.frame().id;
        match instr {
            Instr::Nop => {}
            Instr::PopTop => self.pop_drop(),
            Instr::Copy(n) => {
                let o = self.operand(n as usize);
                self.push(o);
            }
            Instr::Swap(n) => {
                let n = n as usize;
                let mut items: Vec<Option<ObjId>> = (0..n).map(|_| self.raw_pop()).collect();
                items.reverse();
                items.swap(0, n - 1);
                for v in items {
                    self.raw_push(v);
                }
            }
            Instr::LoadConst(i) => {
                let o = self.const_at(i as usize);
                self.push(o);
            }
            Instr::LoadFast(i) => match self.frame().locals[i as usize] {
                Some(o) => self.push(o),
                None => {
                    let name = self.varname(i);
                    return Err(self.unbound_local(&name).into());
                }
            },
            Instr::StoreFast(i) => {
                let v = self.pop_operand();
                let frame = self.frames.last_mut().expect("frame");
                let old = frame.locals[i as usize].replace(v);
                // The name is borrowed from the code unit: no String per store.
                let name = &self.compiled.units[frame.unit].varnames[i as usize];
                self.heap.record_bind(fid, name, v);
                self.heap
                    .record_moved(v, HolderRef::Name { frame: fid, name });
                if let Some(old) = old {
                    self.heap
                        .decref_by(old, HolderRef::Name { frame: fid, name });
                }
            }
            Instr::DeleteFast(i) => {
                let name = self.varname(i);
                match self.frame_mut().locals[i as usize].take() {
                    Some(old) => {
                        self.heap.record(Event::Unbind {
                            frame: fid,
                            name: name.clone(),
                        });
                        self.heap.decref(old, Holder::Name { frame: fid, name });
                    }
                    None => return Err(self.unbound_local(&name).into()),
                }
            }
            Instr::LoadDeref(i) | Instr::LoadClosure(i) => {
                let cell = self.frame().cells[i as usize];
                if let Instr::LoadClosure(_) = instr {
                    self.push(cell);
                } else {
                    match self.heap.payload(cell) {
                        Payload::Cell(Some(v)) => {
                            let v = *v;
                            self.push(v)
                        }
                        _ => {
                            let name = self.cellname(i);
                            let ncell = self.compiled.units[self.frame().unit].cellvars.len();
                            if (i as usize) < ncell {
                                return Err(self.unbound_local(&name).into());
                            }
                            let msg = format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope");
                            return Err(self.error(BuiltinType::NameError, msg).into());
                        }
                    }
                }
            }
            Instr::StoreDeref(i) => {
                let v = self.pop_operand();
                let cell = self.frame().cells[i as usize];
                let old = match self.heap.payload_mut(cell) {
                    Payload::Cell(c) => c.replace(v),
                    _ => None,
                };
                self.record_moved(
                    v,
                    Holder::Object {
                        obj: cell,
                        label: "cell_contents".into(),
                    },
                );
                self.heap.changed(cell);
                if let Some(old) = old {
                    self.heap.decref(
                        old,
                        Holder::Object {
                            obj: cell,
                            label: "cell_contents".into(),
                        },
                    );
                }
            }
            Instr::DeleteDeref(i) => {
                let cell = self.frame().cells[i as usize];
                let old = match self.heap.payload_mut(cell) {
                    Payload::Cell(c) => c.take(),
                    _ => None,
                };
                self.heap.changed(cell);
                if let Some(old) = old {
                    self.heap.decref(
                        old,
                        Holder::Object {
                            obj: cell,
                            label: "cell_contents".into(),
                        },
                    );
                }
            }
            Instr::LoadGlobal(i) => {
                let name = self.unit_name(i);
                let v = match self.dict_get_name(self.globals, &name) {
                    Some(v) => v,
                    None => self.load_global(&name)?,
                };
                self.push(v);
            }
            Instr::LoadName(i) => {
                let name = self.unit_name(i);
                let ns = self.namespace();
                let v = match self.dict_get_name(ns, &name) {
                    Some(v) => v,
                    None => match self.dict_get_name(self.globals, &name) {
                        Some(v) => v,
                        None => self.load_global(&name)?,
                    },
                };
                self.push(v);
            }
            Instr::StoreName(i) | Instr::StoreGlobal(i) => {
                let name = self.unit_name(i);
                let ns = match instr {
                    Instr::StoreName(_) => self.namespace(),
                    _ => self.globals,
                };
                // Not `pop_operand`: this way the native build of this hot path runs
                // fewer instructions (callgrind, the loop in docs/performance.md).
                let v = self.pop_owned().expect("a value");
                self.store_in_namespace(ns, &name, v)?;
            }
            Instr::DeleteName(i) | Instr::DeleteGlobal(i) => {
                let name = self.unit_name(i);
                let ns = match instr {
                    Instr::DeleteName(_) => self.namespace(),
                    _ => self.globals,
                };
                if !self.delete_from_namespace(ns, &name)? {
                    return Err(self.name_not_defined(&name).into());
                }
            }
            Instr::LoadAttr(i) => {
                let name = self.unit_name(i);
                let obj = self.operand(1);
                let v = self.getattr(obj, &name)?;
                self.replace_top(1, v);
                self.release(v);
            }
            Instr::StoreAttr(i) => {
                let name = self.unit_name(i);
                let obj = self.operand(1);
                let v = self.operand(2);
                self.setattr(obj, &name, v)?;
                self.pop_drop();
                self.pop_drop();
            }
            Instr::DeleteAttr(i) => {
                let name = self.unit_name(i);
                let obj = self.operand(1);
                self.delattr(obj, &name)?;
                self.pop_drop();
            }
            Instr::LoadMethod(i) => {
                let name = self.unit_name(i);
                let obj = self.operand(1);
                match self.lookup_method(obj, &name)? {
                    Some(func) => {
                        // [obj] -> [func, obj]
                        let o = self.pop_operand();
                        self.push(func);
                        self.push_owned(o);
                    }
                    None => {
                        let v = self.getattr(obj, &name)?;
                        let o = self.pop_operand();
                        self.raw_push(None);
                        self.push(v);
                        self.release(v);
                        self.heap.decref(o, Holder::Stack { frame: fid });
                    }
                }
            }
            Instr::PushNull => self.raw_push(None),
            Instr::BinarySubscr => {
                let [c, k] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                let v = self.getitem(c, k)?;
                self.replace_top(2, v);
                self.release(v);
            }
            Instr::StoreSubscr => {
                let [v, c, k] = self.stack_ids(3)[..] else {
                    unreachable!()
                };
                self.setitem(c, k, v)?;
                for _ in 0..3 {
                    self.pop_drop();
                }
            }
            Instr::DeleteSubscr => {
                let [c, k] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                self.delitem(c, k)?;
                self.pop_drop();
                self.pop_drop();
            }
            Instr::BuildSlice(n) => {
                let items = self.stack_ids(n as usize);
                let none = self.heap.none();
                let (start, stop, step) =
                    (items[0], items[1], items.get(2).copied().unwrap_or(none));
                let s = self.heap.alloc(Payload::Slice { start, stop, step });
                for (label, t) in [("start", start), ("stop", stop), ("step", step)] {
                    self.heap.incref(
                        t,
                        Holder::Object {
                            obj: s,
                            label: label.into(),
                        },
                    );
                }
                self.heap.changed(s);
                self.replace_top(n as usize, s);
            }
            Instr::Binary(op) | Instr::Inplace(op) => {
                let [a, b] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                let r = self.binary_op(a, b, op, matches!(instr, Instr::Inplace(_)))?;
                self.replace_top(2, r);
                self.release(r);
            }
            Instr::Unary(op) => {
                let a = self.operand(1);
                let r = self.unary_op(a, op)?;
                self.replace_top(1, r);
                self.release(r);
            }
            Instr::Compare(op) => {
                let [a, b] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                let r = match op {
                    CmpOp::Is => self.heap.bool(a == b),
                    CmpOp::IsNot => self.heap.bool(a != b),
                    CmpOp::In | CmpOp::NotIn => {
                        let found = self.contains(b, a)?;
                        self.heap.bool(found == (op == CmpOp::In))
                    }
                    _ => {
                        let r = self.rich_compare(a, b, op)?;
                        self.release(r);
                        r
                    }
                };
                self.replace_top(2, r);
            }
            Instr::BuildList(n) => {
                let items = self.pop_n_owned(n as usize);
                let l = self.new_list_owning(items);
                self.push_new(l);
            }
            Instr::BuildTuple(n) => {
                let items = self.pop_n_owned(n as usize);
                let t = self.new_tuple_owning(items);
                self.push_new(t);
            }
            Instr::BuildSet(n) => {
                let items = self.stack_ids(n as usize);
                let s = self.new_set();
                self.hold(s);
                self.set_fill(s, &items)?;
                for _ in 0..n {
                    self.pop_drop();
                }
                self.push(s);
                self.release(s);
            }
            Instr::BuildMap(n) => {
                let items = self.stack_ids(2 * n as usize);
                let d = self.new_dict_presized(n as usize);
                self.hold(d);
                for pair in items.chunks(2) {
                    self.dict_set(d, pair[0], pair[1])?;
                }
                for _ in 0..2 * n {
                    self.pop_drop();
                }
                self.push(d);
                self.release(d);
            }
            Instr::ListAppend(i) | Instr::SetAdd(i) => {
                let v = self.operand(1);
                let target = self.operand(i as usize + 1);
                match instr {
                    Instr::ListAppend(_) => self.list_push(target, v),
                    _ => self.set_add(target, v)?,
                }
                self.pop_drop();
            }
            Instr::MapAdd(i) => {
                let [k, v] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                let d = self.operand(i as usize + 2);
                self.dict_set(d, k, v)?;
                self.pop_drop();
                self.pop_drop();
            }
            Instr::ListExtend(i) | Instr::SetUpdate(i) | Instr::DictUpdate(i) => {
                let src = self.operand(1);
                let target = self.operand(i as usize + 1);
                match instr {
                    Instr::ListExtend(_) => self.list_extend(target, src)?,
                    Instr::SetUpdate(_) => self.set_update(target, src)?,
                    _ => self.dict_update(target, src)?,
                }
                self.pop_drop();
            }
            Instr::ListToTuple => {
                let l = self.operand(1);
                let items = self.list_items(l);
                let t = self.new_tuple(&items);
                self.replace_top(1, t);
            }
            Instr::BuildString(n) => {
                let items = self.stack_ids(n as usize);
                let mut s = String::new();
                for it in items {
                    if let Payload::Str(p) = self.heap.payload(it) {
                        s.push_str(p);
                    }
                }
                let o = self.heap.str(&s);
                self.replace_top(n as usize, o);
            }
            Instr::FormatValue(conv, has_spec) => {
                let n = 1 + has_spec as usize;
                let items = self.stack_ids(n);
                let spec = if has_spec {
                    match self.heap.payload(items[1]) {
                        Payload::Str(s) => s.to_string(),
                        _ => String::new(),
                    }
                } else {
                    String::new()
                };
                let text = match u8::try_from(conv).map(char::from) {
                    Ok(c @ ('r' | 's' | 'a')) => self.conversion_text(items[0], c)?,
                    _ => {
                        if spec.is_empty() {
                            self.str_of(items[0])?
                        } else {
                            self.format_with_spec(items[0], &spec)?
                        }
                    }
                };
                let text = if conv != -1 && !spec.is_empty() {
                    let s = self.heap.str(&text);
                    self.hold(s);
                    let r = self.format_with_spec(s, &spec);
                    self.release(s);
                    r?
                } else {
                    text
                };
                let o = self.heap.str(&text);
                self.replace_top(n, o);
            }
            Instr::UnpackSequence(n) => {
                let seq = self.operand(1);
                let items = self.unpack(seq, n as usize, None)?;
                self.pop_drop_held(items, seq)?;
            }
            Instr::UnpackEx(before, after) => {
                let seq = self.operand(1);
                let items = self.unpack(seq, before as usize, Some(after as usize))?;
                self.pop_drop_held(items, seq)?;
            }
            Instr::Jump(t) => self.jump(t),
            Instr::PopJumpIfFalse(t) | Instr::PopJumpIfTrue(t) => {
                let v = self.operand(1);
                let truth = self.truthy(v)?;
                self.pop_drop();
                if truth == matches!(instr, Instr::PopJumpIfTrue(_)) {
                    self.jump(t);
                }
            }
            Instr::JumpIfFalseOrPop(t) | Instr::JumpIfTrueOrPop(t) => {
                let v = self.operand(1);
                let truth = self.truthy(v)?;
                if truth == matches!(instr, Instr::JumpIfTrueOrPop(_)) {
                    self.jump(t);
                } else {
                    self.pop_drop();
                }
            }
            Instr::GetIter => {
                let v = self.operand(1);
                let it = self.get_iter(v)?;
                self.replace_top(1, it);
                self.release(it);
            }
            Instr::ForIter(t) => {
                let it = self.operand(1);
                match self.iter_next(it)? {
                    Some(v) => {
                        self.push(v);
                        self.release(v);
                    }
                    None => {
                        self.pop_drop();
                        self.jump(t);
                    }
                }
            }
            Instr::Call(n, kwnames) => return self.exec_call(n as usize, kwnames),
            Instr::CallEx(has_kwargs) => {
                let kwargs = if has_kwargs { self.top(1) } else { None };
                let args_at = 1 + has_kwargs as usize;
                let args_t = self.operand(args_at);
                let callable = self.operand(args_at + 1);
                let args = match self.heap.payload(args_t) {
                    Payload::Tuple(items) => items.clone(),
                    _ => self.iterate(args_t)?,
                };
                let kw: Vec<(Rc<str>, ObjId)> = match kwargs {
                    Some(d) => self.dict_str_items(d)?,
                    None => Vec::new(),
                };
                let r = self.call(callable, &args, &kw)?;
                self.replace_top(args_at + 2, r);
                self.release(r);
            }
            Instr::MakeFunction(c, flags) => {
                let code = self.pop_operand();
                let closure = if flags & 8 != 0 {
                    self.pop_owned()
                } else {
                    None
                };
                let kwdefaults = if flags & 2 != 0 {
                    self.pop_owned()
                } else {
                    None
                };
                let defaults = if flags & 1 != 0 {
                    self.pop_owned()
                } else {
                    None
                };
                let _ = c;
                let (name, qualname) = match self.heap.payload(code) {
                    Payload::Code(c) => (c.name.clone(), c.qualname.clone()),
                    _ => unreachable!(),
                };
                let globals = self.globals;
                let f = self.heap.alloc(Payload::Function(Function {
                    name,
                    qualname,
                    code,
                    globals,
                    defaults,
                    kwdefaults,
                    closure,
                }));
                self.heap.incref(
                    globals,
                    Holder::Object {
                        obj: f,
                        label: "__globals__".into(),
                    },
                );
                self.heap.changed(f);
                self.push_new(f);
            }
            Instr::BuildClass(n) => {
                let items = self.stack_ids(n as usize + 2);
                let (body, name) = (items[0], items[1]);
                let bases = items[2..].to_vec();
                let class = self.build_class(body, name, &bases)?;
                self.replace_top(n as usize + 3, class);
                self.release(class);
            }
            Instr::LoadLocals => {
                let ns = self.namespace();
                self.push(ns);
            }
            Instr::ReturnValue => {
                let v = self.pop_operand();
                return Ok(Flow::Return(v));
            }
            Instr::YieldValue => {
                let v = self.pop_operand();
                return Ok(Flow::Yield(v));
            }
            Instr::SetupFinally(h) => {
                let level = self.frame().stack.len();
                self.frame_mut().blocks.push(Block {
                    kind: BlockKind::Setup,
                    handler: h as usize,
                    level,
                });
            }
            Instr::PopBlock => {
                self.frame_mut().blocks.pop();
            }
            Instr::PushExcInfo => {
                let exc = self.operand(1);
                self.heap.incref_runtime(exc, "the exception being handled");
                let f = self.frame_mut();
                f.handled.push(exc);
                let level = f.stack.len() - 1;
                f.blocks.push(Block {
                    kind: BlockKind::Handler,
                    handler: 0,
                    level,
                });
            }
            Instr::PopExcept => {
                if let Some(h) = self.frame_mut().handled.pop() {
                    self.heap.decref_runtime(h, "the exception being handled");
                }
            }
            Instr::CheckExcMatch => {
                let [exc, t] = self.stack_ids(2)[..] else {
                    unreachable!()
                };
                let m = self.exception_matches(exc, t)?;
                let b = self.heap.bool(m);
                self.pop_drop();
                self.push(b);
            }
            Instr::Reraise => {
                let exc = self.pop_operand();
                if let Some(h) = self.frame_mut().handled.pop() {
                    self.heap.decref_runtime(h, "the exception being handled");
                }
                self.heap.incref_runtime(exc, "the exception being raised");
                self.heap.decref(exc, Holder::Stack { frame: fid });
                return Err(Halt::Exception(Exc(exc)));
            }
            Instr::Raise(n) => return Err(self.exec_raise(n).into()),
            Instr::LoadAssertionError => {
                let t = self.heap.type_object(BuiltinType::AssertionError);
                self.push(t);
            }
            Instr::ImportName(i) => {
                let name = self.unit_name(i);
                let m = self.module(&name);
                self.replace_top(2, m);
            }
        }
        Ok(Flow::Continue)
    }

    fn jump(&mut self, t: u32) {
        self.frame_mut().pc = t as usize;
    }

    fn varname(&self, i: u32) -> String {
        self.compiled.units[self.frame().unit].varnames[i as usize].clone()
    }

    fn cellname(&self, i: u32) -> String {
        let u = &self.compiled.units[self.frame().unit];
        u.cellvars
            .iter()
            .chain(&u.freevars)
            .nth(i as usize)
            .cloned()
            .unwrap_or_default()
    }

    fn const_at(&self, i: usize) -> ObjId {
        let code = self.frame().code;
        let consts = match self.heap.payload(code) {
            Payload::Code(c) => c.consts,
            _ => unreachable!(),
        };
        match self.heap.payload(consts) {
            Payload::Tuple(items) => items[i],
            _ => unreachable!(),
        }
    }

    /// Pushes an object whose first reference the stack takes (a new object, refcount 0).
    fn push_new(&mut self, o: ObjId) {
        self.push(o);
    }

    fn raw_pop(&mut self) -> Option<ObjId> {
        let id = self.frame().id;
        let v = self.frame_mut().stack.pop().expect("stack item");
        if v.is_some() {
            self.heap.record_pop(id);
        }
        v
    }

    fn raw_push(&mut self, v: Option<ObjId>) {
        let id = self.frame().id;
        self.frame_mut().stack.push(v);
        if let Some(o) = v {
            self.heap.record_push(id, o);
        }
    }

    /// After unpacking: drop the sequence, push the held items (last first).
    fn pop_drop_held(&mut self, items: Vec<ObjId>, _seq: ObjId) -> VmResult<()> {
        self.pop_drop();
        for &it in items.iter().rev() {
            self.push(it);
            self.release(it);
        }
        Ok(())
    }

    fn exec_call(&mut self, n: usize, kwnames: Option<u32>) -> VmResult<Flow> {
        let kw_names: Vec<Rc<str>> = match kwnames {
            Some(c) => {
                let t = self.const_at(c as usize);
                match self.heap.payload(t) {
                    Payload::Tuple(items) => items
                        .iter()
                        .map(|&k| match self.heap.payload(k) {
                            Payload::Str(s) => s.clone(),
                            _ => Rc::from(""),
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let stack = &self.frame().stack;
        let len = stack.len();
        let first = stack[len - n - 2];
        let second = stack[len - n - 1].expect("a callable or receiver");
        // Room for a receiver put in front (a method's, a bound method's) without a move.
        let mut args: Vec<ObjId> = Vec::with_capacity(n + 2);
        let callable = match first {
            Some(f) => {
                args.push(second);
                f
            }
            None => second,
        };
        args.extend(stack[len - n..].iter().map(|v| v.expect("an argument")));
        let nkw = kw_names.len();
        let kwargs: Vec<(Rc<str>, ObjId)> = kw_names
            .into_iter()
            .zip(args[args.len() - nkw..].iter().copied())
            .collect();
        args.truncate(args.len() - nkw);
        // Python functions run in this loop: a frame is pushed, no Rust recursion.
        let target = match self.heap.payload(callable) {
            Payload::BoundMethod { function, receiver }
                if matches!(self.heap.payload(*function), Payload::Function(_)) =>
            {
                args.insert(0, *receiver);
                Some(*function)
            }
            Payload::Function(_) => Some(callable),
            _ => None,
        };
        if let Some(func) = target {
            let depth = self.frames.len();
            self.enter_function(func, &args, &kwargs)?;
            let generator = if self.frames.len() == depth {
                self.pending_generator.take()
            } else {
                None
            };
            // The caller's stack entries for the call go once the callee holds its arguments.
            let callee = if generator.is_none() {
                self.frames.pop()
            } else {
                None
            };
            for _ in 0..n + 2 {
                self.pop_drop();
            }
            if let Some(f) = callee {
                self.frames.push(f);
            }
            if let Some(g) = generator {
                self.push(g);
                self.release(g);
            }
            return Ok(Flow::Continue);
        }
        let r = self.call(callable, &args, &kwargs)?;
        self.replace_top(n + 2, r);
        self.release(r);
        Ok(Flow::Continue)
    }

    fn exec_raise(&mut self, n: u32) -> Exc {
        match n {
            0 => {
                let current = self
                    .frames
                    .iter()
                    .rev()
                    .find_map(|f| f.handled.last().copied());
                match current {
                    Some(e) => {
                        self.heap.incref_runtime(e, "the exception being raised");
                        Exc(e)
                    }
                    None => self.error(BuiltinType::RuntimeError, "No active exception to reraise"),
                }
            }
            _ => {
                if n == 2 {
                    self.pop_drop();
                }
                let v = self.operand(1);
                let e = match self.make_exception(v) {
                    Ok(e) => e,
                    Err(e) => {
                        self.pop_drop();
                        return e;
                    }
                };
                self.pop_drop();
                e
            }
        }
    }

    /// `raise X`: an exception instance, or a class to instantiate.
    fn make_exception(&mut self, v: ObjId) -> Result<Exc, Exc> {
        if self.is_exception_class(v) {
            let r = self.call(v, &[], &[]);
            return match r {
                Ok(inst) => {
                    self.heap.incref_runtime(inst, "the exception being raised");
                    self.release(inst);
                    Ok(Exc(inst))
                }
                Err(Halt::Exception(e)) => Err(e),
                Err(Halt::Limit(_)) => Err(self.error(BuiltinType::RuntimeError, "limit reached")),
                Err(Halt::Pause) => unreachable!("only the top-level loop pauses"),
            };
        }
        if self.is_exception_instance(v) {
            self.heap.incref_runtime(v, "the exception being raised");
            return Ok(Exc(v));
        }
        Err(self.error(
            BuiltinType::TypeError,
            "exceptions must derive from BaseException",
        ))
    }

    /// Runs a class body and makes the class from its namespace.
    fn build_class(&mut self, body: ObjId, name: ObjId, bases: &[ObjId]) -> VmResult {
        let name_text: Rc<str> = match self.heap.payload(name) {
            Payload::Str(s) => s.clone(),
            _ => Rc::from("?"),
        };
        for &b in bases {
            if !matches!(self.heap.payload(b), Payload::Class(_)) {
                return Err(self
                    .error(BuiltinType::TypeError, "bases must be types")
                    .into());
            }
        }
        let ns = self.new_dict();
        self.hold(ns);
        let f = match self.heap.payload(body) {
            Payload::Function(f) => f.clone(),
            _ => unreachable!(),
        };
        let unit = match self.heap.payload(f.code) {
            Payload::Code(c) => c.unit as usize,
            _ => unreachable!(),
        };
        self.push_frame(unit, Some(body), Some(ns), None)?;
        self.init_cells(f.closure);
        let base = self.frames.len() - 1;
        self.native_depth += 1;
        let r = self.run(base);
        self.native_depth -= 1;
        match r {
            Ok(crate::exec::Exit::Returned(v)) => {
                self.heap.decref_runtime(v, "a return value in flight")
            }
            Ok(_) => {}
            Err(e) => {
                self.release(ns);
                return Err(e);
            }
        }
        let object = self.heap.type_object(BuiltinType::Object);
        let bases: Vec<ObjId> = if bases.is_empty() {
            vec![object]
        } else {
            bases.to_vec()
        };
        let class = self.heap.alloc(Payload::Class(Class {
            name: name_text,
            bases: bases.clone(),
            attrs: Default::default(),
            builtin: None,
            shared_keys: Default::default(),
        }));
        for (i, &b) in bases.iter().enumerate() {
            self.heap.incref(
                b,
                Holder::Object {
                    obj: class,
                    label: format!("__bases__[{i}]"),
                },
            );
        }
        // The class takes the namespace's entries.
        let items: Vec<(ObjId, ObjId)> = match self.heap.payload(ns) {
            Payload::Dict(d) => d.items().collect(),
            _ => Vec::new(),
        };
        for (k, v) in items {
            let key: Rc<str> = match self.heap.payload(k) {
                Payload::Str(s) => s.clone(),
                _ => continue,
            };
            self.heap.incref(
                v,
                Holder::Object {
                    obj: class,
                    label: format!(".{key}"),
                },
            );
            if let Payload::Class(c) = self.heap.payload_mut(class) {
                c.attrs.insert(key, v);
            }
        }
        self.heap.changed(class);
        self.hold(class);
        self.release(ns);
        Ok(class)
    }
}
