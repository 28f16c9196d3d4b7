//! The object protocols: attributes, items, arithmetic, comparison, truth, iteration,
//! repr and str, exceptions. Messages are CPython's.

use crate::ast::{CmpOp, Operator, UnaryOp};
use crate::format;
use crate::vm::*;
use memlane_core::event::{Holder, HolderRef};
use memlane_core::object::*;
use memlane_core::{ObjId, Version};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use std::rc::Rc;

use crate::limits::{MAX_INT_BITS, MAX_ITEMS, MAX_STR_CHARS};

fn ascii_of(repr: &str) -> String {
    let mut out = String::new();
    for c in repr.chars() {
        let n = c as u32;
        if n < 128 {
            out.push(c);
        } else if n < 256 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 65536 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

fn op_symbol(op: Operator) -> &'static str {
    match op {
        Operator::Add => "+",
        Operator::Sub => "-",
        Operator::Mult => "*",
        Operator::MatMult => "@",
        Operator::Div => "/",
        Operator::Mod => "%",
        Operator::Pow => "**",
        Operator::LShift => "<<",
        Operator::RShift => ">>",
        Operator::BitOr => "|",
        Operator::BitXor => "^",
        Operator::BitAnd => "&",
        Operator::FloorDiv => "//",
    }
}

fn dunder(op: Operator) -> &'static str {
    match op {
        Operator::Add => "__add__",
        Operator::Sub => "__sub__",
        Operator::Mult => "__mul__",
        Operator::MatMult => "__matmul__",
        Operator::Div => "__truediv__",
        Operator::Mod => "__mod__",
        Operator::Pow => "__pow__",
        Operator::LShift => "__lshift__",
        Operator::RShift => "__rshift__",
        Operator::BitOr => "__or__",
        Operator::BitXor => "__xor__",
        Operator::BitAnd => "__and__",
        Operator::FloorDiv => "__floordiv__",
    }
}

fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        CmpOp::Eq => "==",
        CmpOp::NotEq => "!=",
        _ => "?",
    }
}

enum Num {
    Int(BigInt),
    Float(f64),
}

impl Vm {
    // ----- exceptions -----

    /// Makes an exception of a built-in type with one message argument, held as raised.
    pub fn error(&mut self, t: BuiltinType, message: impl Into<String>) -> Exc {
        let class = self.heap.type_object(t);
        let msg = self.heap.str(&message.into());
        self.hold(msg);
        let e = self.exception_instance(class, &[msg]);
        self.release(msg);
        self.heap.incref_runtime(e, "the exception being raised");
        self.release(e);
        Exc(e)
    }

    /// `error` with a message still to format: the formatting is code once, here.
    #[inline(never)]
    pub fn error_fmt(&mut self, t: BuiltinType, message: std::fmt::Arguments) -> Exc {
        self.error(t, std::fmt::format(message))
    }

    /// A TypeError whose message names the type of `obj`.
    pub fn type_error(&mut self, obj: ObjId, message: impl FnOnce(&str) -> String) -> Exc {
        let t = self.heap.type_name(obj);
        self.error(BuiltinType::TypeError, message(&t))
    }

    // One builder per message that several places raise: each `format!` is code once.

    #[cold]
    #[inline(never)]
    pub fn unhashable(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| format!("unhashable type: '{t}'"))
    }

    #[cold]
    #[inline(never)]
    pub fn not_an_integer(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| {
            format!("'{t}' object cannot be interpreted as an integer")
        })
    }

    #[cold]
    #[inline(never)]
    pub fn no_len(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| format!("object of type '{t}' has no len()"))
    }

    #[cold]
    #[inline(never)]
    fn not_subscriptable(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| format!("'{t}' object is not subscriptable"))
    }

    #[cold]
    #[inline(never)]
    fn no_item_assignment(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| {
            format!("'{t}' object does not support item assignment")
        })
    }

    #[cold]
    #[inline(never)]
    fn not_iterable(&mut self, obj: ObjId) -> Exc {
        self.type_error(obj, |t| format!("'{t}' object is not iterable"))
    }

    /// AttributeError for an attribute that type `type_name`'s objects lack.
    #[cold]
    #[inline(never)]
    pub fn no_attribute(&mut self, type_name: &str, name: &str) -> Exc {
        let msg = format!("'{type_name}' object has no attribute '{name}'");
        self.error(BuiltinType::AttributeError, msg)
    }

    #[cold]
    #[inline(never)]
    pub fn name_not_defined(&mut self, name: &str) -> Exc {
        self.error_fmt(
            BuiltinType::NameError,
            format_args!("name '{name}' is not defined"),
        )
    }

    #[cold]
    #[inline(never)]
    pub fn unbound_local(&mut self, name: &str) -> Exc {
        let msg = format!(
            "cannot access local variable '{name}' where it is not associated with a value"
        );
        self.error(BuiltinType::UnboundLocalError, msg)
    }

    /// KeyError and friends carry the object itself as their argument.
    pub fn error_with(&mut self, t: BuiltinType, arg: ObjId) -> Exc {
        let class = self.heap.type_object(t);
        let e = self.exception_instance(class, &[arg]);
        self.heap.incref_runtime(e, "the exception being raised");
        self.release(e);
        Exc(e)
    }

    /// An instance of an exception class with `args`; returned held.
    pub fn exception_instance(&mut self, class: ObjId, args: &[ObjId]) -> ObjId {
        let inst = self.new_instance(class);
        self.hold(inst);
        let t = self.new_tuple(args);
        self.hold(t);
        self.set_attr_raw(inst, &Rc::from("args"), t);
        self.release(t);
        inst
    }

    pub fn is_exception_class(&self, v: ObjId) -> bool {
        self.class_is_subclass(v, BuiltinType::BaseException)
    }

    pub fn is_exception_instance(&self, v: ObjId) -> bool {
        match self.heap.payload(v) {
            Payload::Instance(i) => self.is_exception_class(i.class),
            _ => false,
        }
    }

    /// Does class `c` derive from the built-in type `t`?
    pub fn class_is_subclass(&self, c: ObjId, t: BuiltinType) -> bool {
        let mut cur = Some(c);
        while let Some(x) = cur {
            match self.heap.payload(x) {
                Payload::Class(cls) => {
                    if cls.builtin == Some(t) {
                        return true;
                    }
                    cur = cls.bases.first().copied();
                }
                _ => return false,
            }
        }
        false
    }

    /// `issubclass(a, b)` for class objects.
    pub fn subclass_of(&self, a: ObjId, b: ObjId) -> bool {
        let mut cur = Some(a);
        while let Some(x) = cur {
            if x == b {
                return true;
            }
            cur = match self.heap.payload(x) {
                Payload::Class(cls) => cls.bases.first().copied(),
                _ => None,
            };
        }
        false
    }

    pub fn class_of(&mut self, v: ObjId) -> ObjId {
        match self.heap.payload(v) {
            Payload::Instance(i) => i.class,
            &Payload::Iterator(Iter { kind, .. }) => self.heap.iterator_type(kind),
            p => {
                let t = self.heap.builtin_type_of(p);
                self.heap.type_object(t)
            }
        }
    }

    pub fn exception_matches(&mut self, exc: ObjId, t: ObjId) -> PyResult<bool> {
        let class = self.class_of(exc);
        match self.heap.payload(t).clone() {
            Payload::Tuple(items) => {
                for it in items {
                    if self.exception_matches(exc, it)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Payload::Class(_) if self.is_exception_class(t) => Ok(self.subclass_of(class, t)),
            _ => Err(self.error(
                BuiltinType::TypeError,
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    /// `TypeName: message`, the traceback's last line.
    pub fn exception_line(&mut self, exc: ObjId) -> String {
        let name = self.heap.type_name(exc);
        match self.exception_str(exc) {
            Ok(s) if s.is_empty() => name,
            Ok(s) => format!("{name}: {s}"),
            Err(e) => {
                self.heap.decref_runtime(e.0, "the exception being raised");
                name
            }
        }
    }

    fn exception_str(&mut self, exc: ObjId) -> PyResult<String> {
        let args = self
            .instance_attr(exc, "args")
            .map(|a| self.tuple_items(a))
            .unwrap_or_default();
        let is_key_error = {
            let c = self.class_of(exc);
            self.class_is_subclass(c, BuiltinType::KeyError)
        };
        match args.len() {
            0 => Ok(String::new()),
            1 if is_key_error => self.repr(args[0]),
            1 => self.str_of(args[0]),
            _ => {
                let t = self.instance_attr(exc, "args").expect("args");
                self.repr(t)
            }
        }
    }

    pub fn stderr_write(&mut self, text: &str) {
        self.heap.record(memlane_core::Event::Stderr {
            text: text.to_string(),
        });
    }

    // ----- names -----

    pub fn load_global(&mut self, name: &str) -> PyResult {
        if let Some(v) = self.dict_get_str(self.globals, name) {
            return Ok(v);
        }
        match self.builtin(name) {
            Some(v) => Ok(v),
            None => Err(self.name_not_defined(name)),
        }
    }

    /// Binds `name` in a namespace dict, taking over the caller's (stack) reference to `v`.
    pub fn store_in_namespace(&mut self, ns: ObjId, name: &str, v: ObjId) -> VmResult<()> {
        let key = self.heap.interned_str(name);
        let fid = self.frame().id;
        let r = self.dict_set(ns, key, v);
        self.heap.decref(v, Holder::Stack { frame: fid });
        r
    }

    pub fn delete_from_namespace(&mut self, ns: ObjId, name: &str) -> VmResult<bool> {
        let key = self.heap.interned_str(name);
        self.hold(key);
        let r = self.dict_del(ns, key);
        self.release(key);
        r
    }

    // ----- attributes -----

    pub fn instance_attr(&self, obj: ObjId, name: &str) -> Option<ObjId> {
        match self.heap.payload(obj) {
            Payload::Instance(i) => i.attrs.get(name).copied(),
            _ => None,
        }
    }

    /// Sets an instance or class attribute, taking a new reference.
    /// Sets attribute `name` (shared: a new attribute's key is the name itself).
    pub fn set_attr_raw(&mut self, obj: ObjId, name: &Rc<str>, v: ObjId) {
        // `.name`, made once for the new value's holder and the old one's.
        let label = attribute_label(name);
        self.heap
            .incref_by(v, HolderRef::Object { obj, label: &label });
        let attrs = match self.heap.payload_mut(obj) {
            Payload::Instance(i) => Some(&mut i.attrs),
            Payload::Class(c) => Some(&mut c.attrs),
            _ => None,
        };
        // A rebound attribute keeps its key (and its place); only a new one makes a key.
        let old = attrs.and_then(|attrs| match attrs.get_mut(&**name) {
            Some(slot) => Some(std::mem::replace(slot, v)),
            None => attrs.insert(name.clone(), v),
        });
        self.heap.changed(obj);
        if let Some(old) = old {
            self.heap
                .decref_by(old, HolderRef::Object { obj, label: &label });
        }
    }

    /// `obj.name`, returned held.
    pub fn getattr(&mut self, obj: ObjId, name: &str) -> PyResult {
        // An instance's own attribute, the common case, without copying its payload.
        if let Payload::Instance(inst) = self.heap.payload(obj) {
            if let Some(&v) = inst.attrs.get(name) {
                self.hold(v);
                return Ok(v);
            }
        }
        // A bound method's own references; a built-in's has no `__func__`.
        if let &Payload::BoundMethod { function, receiver } = self.heap.payload(obj) {
            let python = matches!(self.heap.payload(function), Payload::Function(_));
            let v = match name {
                "__self__" => Some(receiver),
                "__func__" if python => Some(function),
                _ => None,
            };
            if let Some(v) = v {
                self.hold(v);
                return Ok(v);
            }
            // `method_getattro`: what the method type lacks is the function's.
            if python && name != "__class__" {
                return self.getattr(function, name);
            }
        }
        // Only these kinds are read below: a list's, dict's or set's contents are not
        // copied to look a method up.
        let payload = match self.heap.payload(obj) {
            p @ (Payload::Instance(_)
            | Payload::Class(_)
            | Payload::Function(_)
            | Payload::Cell(_)
            | Payload::Module(_)) => p.clone(),
            _ => Payload::None,
        };
        match &payload {
            Payload::Instance(inst) => {
                if let Some(&v) = inst.attrs.get(name) {
                    self.hold(v);
                    return Ok(v);
                }
                if name == "__class__" {
                    self.hold(inst.class);
                    return Ok(inst.class);
                }
                if let Some(v) = self.heap.class_lookup(inst.class, name) {
                    if matches!(self.heap.payload(v), Payload::Function(_)) {
                        return Ok(self.bound_method(v, obj));
                    }
                    self.hold(v);
                    return Ok(v);
                }
            }
            Payload::Class(c) => {
                if let Some(v) = self.heap.class_lookup(obj, name) {
                    self.hold(v);
                    return Ok(v);
                }
                if let Some(v) = c.builtin.and_then(|t| self.unbound_builtin_method(t, name)) {
                    self.hold(v);
                    return Ok(v);
                }
                if name == "__name__" || name == "__qualname__" {
                    let s = self.heap.str(&c.name.clone());
                    self.hold(s);
                    return Ok(s);
                }
                if name == "__base__" {
                    let b = c.bases.first().copied().unwrap_or_else(|| self.heap.none());
                    self.hold(b);
                    return Ok(b);
                }
            }
            Payload::Function(f) => {
                let v = match name {
                    "__name__" => Some(self.heap.str(&f.name.clone())),
                    "__qualname__" => Some(self.heap.str(&f.qualname.clone())),
                    "__code__" => Some(f.code),
                    "__defaults__" => Some(f.defaults.unwrap_or_else(|| self.heap.none())),
                    "__closure__" => Some(f.closure.unwrap_or_else(|| self.heap.none())),
                    "__globals__" => Some(f.globals),
                    _ => None,
                };
                if let Some(v) = v {
                    self.hold(v);
                    return Ok(v);
                }
            }
            Payload::Cell(c) if name == "cell_contents" => {
                if let Some(v) = *c {
                    self.hold(v);
                    return Ok(v);
                }
                return Err(self.error(BuiltinType::ValueError, "Cell is empty"));
            }
            Payload::Module(m) => {
                let module = m.name.to_string();
                if let Some(v) = self.module_attr(&module, name) {
                    self.hold(v);
                    return Ok(v);
                }
                return Err(self.error_fmt(
                    BuiltinType::AttributeError,
                    format_args!("module '{module}' has no attribute '{name}'"),
                ));
            }
            _ => {}
        }
        if name == "__class__" {
            let c = self.class_of(obj);
            self.hold(c);
            return Ok(c);
        }
        if let Some(v) = self.number_attribute(obj, name) {
            self.hold(v);
            return Ok(v);
        }
        if let Some(m) = self.builtin_method(obj, name) {
            let obj = match self.heap.payload(m) {
                Payload::Builtin(b) if b.is_class_method() => self.class_of(obj),
                _ => obj,
            };
            let b = self.heap.alloc(Payload::BoundMethod {
                function: m,
                receiver: obj,
            });
            self.heap.incref(
                m,
                Holder::Object {
                    obj: b,
                    label: "__func__".into(),
                },
            );
            self.heap.incref(
                obj,
                Holder::Object {
                    obj: b,
                    label: "__self__".into(),
                },
            );
            self.heap.changed(b);
            self.hold(b);
            return Ok(b);
        }
        let t = self.heap.type_name(obj);
        let msg = match payload {
            Payload::Class(c) => format!("type object '{}' has no attribute '{name}'", c.name),
            _ => return Err(self.no_attribute(&t, name)),
        };
        Err(self.error(BuiltinType::AttributeError, msg))
    }

    /// `x.real`, `x.imag`, and an int's `numerator` and `denominator`: an exact int or
    /// float is its own real part (the same object), a bool's is the int.
    fn number_attribute(&mut self, obj: ObjId, name: &str) -> Option<ObjId> {
        let v = match (self.heap.payload(obj), name) {
            (Payload::Int(_), "real" | "numerator") => obj,
            (Payload::Int(_), "imag") | (Payload::Bool(_), "imag") => self.heap.int_i64(0),
            (Payload::Int(_) | Payload::Bool(_), "denominator") => self.heap.int_i64(1),
            (&Payload::Bool(b), "real" | "numerator") => self.heap.int_i64(b as i64),
            (Payload::Float(_), "real") => obj,
            (Payload::Float(_), "imag") => self.heap.float(0.0),
            _ => return None,
        };
        Some(v)
    }

    fn bound_method(&mut self, function: ObjId, receiver: ObjId) -> ObjId {
        let b = self.heap.alloc(Payload::BoundMethod { function, receiver });
        self.heap.incref(
            function,
            Holder::Object {
                obj: b,
                label: "__func__".into(),
            },
        );
        self.heap.incref(
            receiver,
            Holder::Object {
                obj: b,
                label: "__self__".into(),
            },
        );
        self.heap.changed(b);
        self.hold(b);
        b
    }

    pub fn setattr(&mut self, obj: ObjId, name: &Rc<str>, v: ObjId) -> PyResult<()> {
        match self.heap.payload(obj) {
            Payload::Instance(_) | Payload::Class(_) => {
                if let Payload::Class(c) = self.heap.payload(obj) {
                    if c.builtin.is_some() {
                        let n = c.name.clone();
                        return Err(self.error_fmt(
                            BuiltinType::TypeError,
                            format_args!("cannot set '{name}' attribute of immutable type '{n}'"),
                        ));
                    }
                }
                self.set_attr_raw(obj, name, v);
                Ok(())
            }
            _ => {
                let t = self.heap.type_name(obj);
                Err(self.no_attribute(&t, name))
            }
        }
    }

    pub fn delattr(&mut self, obj: ObjId, name: &str) -> PyResult<()> {
        let old = match self.heap.payload_mut(obj) {
            Payload::Instance(i) => i.attrs.shift_remove(name),
            Payload::Class(c) => c.attrs.shift_remove(name),
            _ => None,
        };
        match old {
            Some(old) => {
                self.heap.changed(obj);
                self.heap.decref(
                    old,
                    Holder::Object {
                        obj,
                        label: format!(".{name}"),
                    },
                );
                Ok(())
            }
            None => {
                let t = self.heap.type_name(obj);
                Err(self.no_attribute(&t, name))
            }
        }
    }

    /// LOAD_METHOD: the plain function to call with `obj` as first argument, if there is one.
    pub fn lookup_method(&mut self, obj: ObjId, name: &str) -> PyResult<Option<ObjId>> {
        match self.heap.payload(obj) {
            Payload::Instance(inst) => {
                if inst.attrs.contains_key(name) {
                    return Ok(None);
                }
                let class = inst.class;
                Ok(self
                    .heap
                    .class_lookup(class, name)
                    .filter(|&f| matches!(self.heap.payload(f), Payload::Function(_))))
            }
            Payload::Module(_) | Payload::Class(_) => Ok(None),
            // A class method is no method descriptor: `LOAD_METHOD` gets it bound.
            _ => Ok(self.builtin_method(obj, name).filter(
                |&m| !matches!(self.heap.payload(m), Payload::Builtin(b) if b.is_class_method()),
            )),
        }
    }

    /// Calls a method by name on an object, if its class defines it in Python.
    pub fn call_dunder(
        &mut self,
        obj: ObjId,
        name: &str,
        args: &[ObjId],
    ) -> VmResult<Option<ObjId>> {
        let class = match self.heap.payload(obj) {
            Payload::Instance(i) => i.class,
            _ => return Ok(None),
        };
        match self.heap.class_lookup(class, name) {
            Some(f) if matches!(self.heap.payload(f), Payload::Function(_)) => {
                let mut all = vec![obj];
                all.extend_from_slice(args);
                Ok(Some(self.call(f, &all, &[])?))
            }
            _ => Ok(None),
        }
    }

    // ----- numbers -----

    fn num(&self, v: ObjId) -> Option<Num> {
        match self.heap.payload(v) {
            Payload::Int(i) => Some(Num::Int(i.clone())),
            Payload::Bool(b) => Some(Num::Int(BigInt::from(*b as u8))),
            Payload::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    pub fn int_value(&self, v: ObjId) -> Option<BigInt> {
        match self.heap.payload(v) {
            Payload::Int(i) => Some(i.clone()),
            Payload::Bool(b) => Some(BigInt::from(*b as u8)),
            _ => None,
        }
    }

    pub fn index_value(&mut self, v: ObjId) -> PyResult<i64> {
        match self.int_value(v) {
            Some(i) => i.to_i64().ok_or_else(|| {
                self.error(
                    BuiltinType::IndexError,
                    "cannot fit 'int' into an index-sized integer",
                )
            }),
            None => Err(self.not_an_integer(v)),
        }
    }

    pub fn new_int(&mut self, v: BigInt) -> PyResult {
        if v.bits() > MAX_INT_BITS {
            return Err(self.error(BuiltinType::MemoryError, ""));
        }
        // 30-bit digits of 4 bytes, and the header.
        if !self.bytes_fit(v.bits().div_ceil(30) * 4 + 32) {
            return Err(self.error(BuiltinType::MemoryError, ""));
        }
        Ok(self.heap.int(v))
    }

    /// `a op b`; the result is returned held.
    pub fn binary_op(&mut self, a: ObjId, b: ObjId, op: Operator, inplace: bool) -> VmResult {
        if let (Some(x), Some(y)) = (self.num(a), self.num(b)) {
            let r = self.numeric(x, y, op)?;
            self.hold(r);
            return Ok(r);
        }
        if let Some(r) = self.container_op(a, b, op, inplace)? {
            self.hold(r);
            return Ok(r);
        }
        let pa = self.heap.payload(a).clone();
        let pb = self.heap.payload(b).clone();
        let r = match (&pa, &pb, op) {
            // Concatenating an empty string returns the other operand itself.
            (Payload::Str(x), Payload::Str(y), Operator::Add) if y.is_empty() => {
                Some(if x.is_empty() { b } else { a })
            }
            (Payload::Str(x), Payload::Str(_), Operator::Add) if x.is_empty() => Some(b),
            (Payload::Str(x), Payload::Str(y), Operator::Add) => {
                self.check_str_bytes(x.len() + y.len())?;
                Some(self.heap.str(&format!("{x}{y}")))
            }
            (Payload::Str(fmt), _, Operator::Mod) => {
                let text = self.printf(fmt, b)?;
                Some(self.heap.str(&text))
            }
            (Payload::Str(s), _, Operator::Mult) | (_, Payload::Str(s), Operator::Mult)
                if self
                    .int_value(if matches!(pa, Payload::Str(_)) { b } else { a })
                    .is_some() =>
            {
                let n = self.repeat_count(if matches!(pa, Payload::Str(_)) { b } else { a })?;
                self.check_new_str(
                    s.chars().count().saturating_mul(n),
                    s.len().saturating_mul(n),
                )?;
                Some(self.heap.str(&s.repeat(n)))
            }
            (Payload::List(x), Payload::List(y), Operator::Add) => {
                let items: Vec<ObjId> = x.items.iter().chain(&y.items).copied().collect();
                Some(self.new_list_from(&items))
            }
            (Payload::Tuple(x), Payload::Tuple(y), Operator::Add) => {
                let items: Vec<ObjId> = x.iter().chain(y).copied().collect();
                Some(self.new_tuple(&items))
            }
            (Payload::List(_) | Payload::Tuple(_), _, Operator::Mult)
            | (_, Payload::List(_) | Payload::Tuple(_), Operator::Mult)
                if self
                    .int_value(if matches!(pa, Payload::List(_) | Payload::Tuple(_)) {
                        b
                    } else {
                        a
                    })
                    .is_some() =>
            {
                let (seq, count) = if matches!(pa, Payload::List(_) | Payload::Tuple(_)) {
                    (a, b)
                } else {
                    (b, a)
                };
                let n = self.repeat_count(count)?;
                let items = match self.heap.payload(seq) {
                    Payload::List(l) => l.items.clone(),
                    Payload::Tuple(t) => t.clone(),
                    _ => Vec::new(),
                };
                if items.len().saturating_mul(n) > MAX_ITEMS {
                    return Err(self.error(BuiltinType::MemoryError, "").into());
                }
                // The item array: a pointer an item.
                self.check_bytes((items.len() * n) as u64 * 8)?;
                let repeated: Vec<ObjId> = items
                    .iter()
                    .copied()
                    .cycle()
                    .take(items.len() * n)
                    .collect();
                if matches!(self.heap.payload(seq), Payload::List(_)) {
                    if inplace && seq == a {
                        // `list_inplace_repeat`: `list_resize` to the new length, with its
                        // overallocation; repeating by 0 clears the list.
                        let cap = match self.heap.payload(a) {
                            Payload::List(l) if !repeated.is_empty() => {
                                containers_growth(l.capacity, l.items.len(), repeated.len())
                            }
                            _ => 0,
                        };
                        self.list_replace_all(a, repeated, cap);
                        Some(a)
                    } else {
                        Some(self.new_list_from(&repeated))
                    }
                } else if n == 1 {
                    Some(seq)
                } else {
                    Some(self.new_tuple(&repeated))
                }
            }
            _ => None,
        };
        if let Some(r) = r {
            self.hold(r);
            return Ok(r);
        }
        let name = if inplace {
            format!("__i{}", &dunder(op)[2..])
        } else {
            dunder(op).to_string()
        };
        if let Some(r) = self.call_dunder(a, &name, &[b])? {
            return Ok(r);
        }
        if inplace {
            if let Some(r) = self.call_dunder(a, dunder(op), &[b])? {
                return Ok(r);
            }
        }
        // The reflected method of the right operand: `3 * v` calls `v.__rmul__(3)`.
        let reflected = format!("__r{}", &dunder(op)[2..]);
        if let Some(r) = self.call_dunder(b, &reflected, &[a])? {
            return Ok(r);
        }
        let (ta, tb) = (self.heap.type_name(a), self.heap.type_name(b));
        let sym = if inplace {
            format!("{}=", op_symbol(op))
        } else {
            op_symbol(op).to_string()
        };
        let msg = match (&pa, op) {
            (Payload::Str(_), Operator::Add) => {
                format!("can only concatenate str (not \"{tb}\") to str")
            }
            (Payload::List(_), Operator::Add) => {
                format!("can only concatenate list (not \"{tb}\") to list")
            }
            (Payload::Tuple(_), Operator::Add) => {
                format!("can only concatenate tuple (not \"{tb}\") to tuple")
            }
            (Payload::Str(_) | Payload::List(_) | Payload::Tuple(_), Operator::Mult) => {
                format!("can't multiply sequence by non-int of type '{tb}'")
            }
            _ if matches!(pb, Payload::Str(_) | Payload::List(_) | Payload::Tuple(_))
                && op == Operator::Mult =>
            {
                format!("can't multiply sequence by non-int of type '{ta}'")
            }
            _ => format!("unsupported operand type(s) for {sym}: '{ta}' and '{tb}'"),
        };
        Err(self.error(BuiltinType::TypeError, msg).into())
    }

    /// A sequence's repeat count; CPython's OverflowError for one past an index (`Py_ssize_t`).
    fn repeat_count(&mut self, v: ObjId) -> VmResult<usize> {
        match self.int_value(v).map(|i| i.to_i64()) {
            Some(Some(n)) => Ok(n.max(0) as usize),
            Some(None) => Err(self
                .error(
                    BuiltinType::OverflowError,
                    "cannot fit 'int' into an index-sized integer",
                )
                .into()),
            None => Ok(0),
        }
    }

    /// The operators of sets, dicts and a list's `+=`, worked on the operands where
    /// they are (a copy of each table at every operation made a loop of them
    /// quadratic). In place on a set (not a frozenset), a dict or a list, as CPython's
    /// `__ior__`, `__iand__`, ...: the same object comes back, changed.
    fn container_op(
        &mut self,
        a: ObjId,
        b: ObjId,
        op: Operator,
        inplace: bool,
    ) -> VmResult<Option<ObjId>> {
        Ok(Some(
            match (self.heap.payload(a), self.heap.payload(b), op) {
                (Payload::Set(x), Payload::Set(_), _) if inplace && !x.frozen => {
                    match op {
                        Operator::BitOr => self.set_update(a, b)?,
                        Operator::BitAnd => self.set_intersection_update(a, b)?,
                        Operator::Sub => self.set_difference_update(a, b)?,
                        Operator::BitXor => self.set_symmetric_difference_update(a, b)?,
                        _ => return Ok(None),
                    }
                    a
                }
                (Payload::Set(_), Payload::Set(_), Operator::BitOr) => self.set_union(a, b)?,
                (Payload::Set(_), Payload::Set(_), Operator::BitAnd) => {
                    self.set_intersection(a, b)?
                }
                (Payload::Set(_), Payload::Set(_), Operator::Sub) => self.set_difference(a, b)?,
                (Payload::Set(_), Payload::Set(_), Operator::BitXor) => {
                    self.set_symmetric_difference(a, b)?
                }
                // `d |= x` takes what `d.update(x)` takes: a mapping or pairs.
                (Payload::Dict(_), _, Operator::BitOr) if inplace => {
                    self.dict_update(a, b)?;
                    a
                }
                (Payload::Dict(_), Payload::Dict(_), Operator::BitOr) => {
                    let d = self.new_dict();
                    self.hold(d);
                    self.dict_update(d, a)?;
                    self.dict_update(d, b)?;
                    self.heap.decref_runtime_soft(d);
                    d
                }
                (Payload::List(_), _, Operator::Add) if inplace => {
                    self.list_extend(a, b)?;
                    a
                }
                (
                    Payload::Iterator(Iter {
                        kind: IterKind::KeysView | IterKind::ItemsView,
                        ..
                    }),
                    _,
                    _,
                )
                | (
                    _,
                    Payload::Iterator(Iter {
                        kind: IterKind::KeysView | IterKind::ItemsView,
                        ..
                    }),
                    _,
                ) if matches!(
                    op,
                    Operator::BitAnd | Operator::BitOr | Operator::Sub | Operator::BitXor
                ) =>
                {
                    self.dict_view_op(a, b, op)?
                }
                _ => return Ok(None),
            },
        ))
    }

    fn numeric(&mut self, x: Num, y: Num, op: Operator) -> PyResult {
        let v3_12 = self.heap.profile.version >= Version::Py312;
        match (x, y) {
            (Num::Int(a), Num::Int(b)) => {
                let r = match op {
                    Operator::Add => a + b,
                    Operator::Sub => a - b,
                    Operator::Mult => {
                        if a.bits() + b.bits() > MAX_INT_BITS {
                            return Err(self.error(BuiltinType::MemoryError, ""));
                        }
                        a * b
                    }
                    Operator::Div => {
                        if b.is_zero() {
                            return Err(
                                self.error(BuiltinType::ZeroDivisionError, "division by zero")
                            );
                        }
                        return self.true_divide(&a, &b);
                    }
                    Operator::FloorDiv => {
                        if b.is_zero() {
                            return Err(self.error(
                                BuiltinType::ZeroDivisionError,
                                "integer division or modulo by zero",
                            ));
                        }
                        a.div_floor(&b)
                    }
                    Operator::Mod => {
                        if b.is_zero() {
                            return Err(self
                                .error(BuiltinType::ZeroDivisionError, "integer modulo by zero"));
                        }
                        a.mod_floor(&b)
                    }
                    Operator::Pow => {
                        if b.is_negative() {
                            if a.is_zero() {
                                return Err(self.error(
                                    BuiltinType::ZeroDivisionError,
                                    "0.0 cannot be raised to a negative power",
                                ));
                            }
                            let r = a
                                .to_f64()
                                .unwrap_or(f64::INFINITY)
                                .powf(b.to_f64().unwrap_or(f64::NEG_INFINITY));
                            return Ok(self.heap.float(r));
                        }
                        let e = b.to_u64().unwrap_or(u64::MAX);
                        if a.bits() > 1 && a.bits().saturating_mul(e) > MAX_INT_BITS {
                            return Err(self.error(BuiltinType::MemoryError, ""));
                        }
                        num_traits::pow(a, e as usize)
                    }
                    Operator::LShift => {
                        if b.is_negative() {
                            return Err(self.error(BuiltinType::ValueError, "negative shift count"));
                        }
                        // CPython's result needs the count's 30-bit digits more than `a`
                        // has; past MAX_LONG_DIGITS ((PY_SSIZE_T_MAX - 24) / 4) _PyLong_New
                        // says OverflowError, below it the allocation fails: MemoryError.
                        let digits = BigInt::from(a.bits().div_ceil(30)) + &b / 30 + 1;
                        if !a.is_zero() && digits > BigInt::from((i64::MAX - 24) / 4) {
                            return Err(self
                                .error(BuiltinType::OverflowError, "too many digits in integer"));
                        }
                        let s = b.to_u64().unwrap_or(u64::MAX);
                        if !a.is_zero() && a.bits().saturating_add(s) > MAX_INT_BITS {
                            return Err(self.error(BuiltinType::MemoryError, ""));
                        }
                        a << s
                    }
                    Operator::RShift => {
                        if b.is_negative() {
                            return Err(self.error(BuiltinType::ValueError, "negative shift count"));
                        }
                        let s = b.to_u64().unwrap_or(u64::MAX);
                        if s >= a.bits() {
                            if a.is_negative() {
                                BigInt::from(-1)
                            } else {
                                BigInt::zero()
                            }
                        } else {
                            a >> s
                        }
                    }
                    Operator::BitAnd => a & b,
                    Operator::BitOr => a | b,
                    Operator::BitXor => a ^ b,
                    Operator::MatMult => {
                        return Err(self.error(
                            BuiltinType::TypeError,
                            "unsupported operand type(s) for @: 'int' and 'int'",
                        ))
                    }
                };
                self.new_int(r)
            }
            (x, y) => {
                let a = match x {
                    Num::Int(i) => self.int_to_float(&i)?,
                    Num::Float(f) => f,
                };
                let b = match y {
                    Num::Int(i) => self.int_to_float(&i)?,
                    Num::Float(f) => f,
                };
                let r = match op {
                    Operator::Add => a + b,
                    Operator::Sub => a - b,
                    Operator::Mult => a * b,
                    Operator::Div => {
                        if b == 0.0 {
                            return Err(self
                                .error(BuiltinType::ZeroDivisionError, "float division by zero"));
                        }
                        a / b
                    }
                    Operator::FloorDiv => {
                        if b == 0.0 {
                            return Err(self.error(
                                BuiltinType::ZeroDivisionError,
                                "float floor division by zero",
                            ));
                        }
                        float_divmod(a, b).0
                    }
                    Operator::Mod => {
                        if b == 0.0 {
                            let msg = if v3_12 {
                                "float modulo by zero"
                            } else {
                                "float modulo"
                            };
                            return Err(self.error(BuiltinType::ZeroDivisionError, msg));
                        }
                        float_divmod(a, b).1
                    }
                    Operator::Pow => {
                        if a == 0.0 && b < 0.0 {
                            return Err(self.error(
                                BuiltinType::ZeroDivisionError,
                                "0.0 cannot be raised to a negative power",
                            ));
                        }
                        if a < 0.0 && b.fract() != 0.0 {
                            return Err(self.error(
                                BuiltinType::ValueError,
                                "complex results are not supported by memlane",
                            ));
                        }
                        let r = a.powf(b);
                        if r.is_infinite() && a.is_finite() && b.is_finite() {
                            return Err(self.error(
                                BuiltinType::OverflowError,
                                "(34, 'Numerical result out of range')",
                            ));
                        }
                        r
                    }
                    _ => {
                        let (ta, tb) = ("float", "float");
                        return Err(self.error_fmt(
                            BuiltinType::TypeError,
                            format_args!(
                                "unsupported operand type(s) for {}: '{ta}' and '{tb}'",
                                op_symbol(op)
                            ),
                        ));
                    }
                };
                Ok(self.heap.float(r))
            }
        }
    }

    pub(crate) fn int_to_float(&mut self, i: &BigInt) -> PyResult<f64> {
        match i.to_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(self.error(
                BuiltinType::OverflowError,
                "int too large to convert to float",
            )),
        }
    }

    /// int / int, correctly rounded like CPython's long_true_divide for the common cases.
    fn true_divide(&mut self, a: &BigInt, b: &BigInt) -> PyResult {
        let r = match (a.to_i64(), b.to_i64()) {
            (Some(x), Some(y)) if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) => {
                x as f64 / y as f64
            }
            _ => {
                // Scale so the quotient keeps 64 significant bits, then round once.
                let shift = 64i64 - (a.bits() as i64 - b.bits() as i64);
                let q = if shift >= 0 {
                    (a << shift as u64) / b
                } else {
                    a / (b << (-shift) as u64)
                };
                let f = q.to_f64().unwrap_or(f64::INFINITY) * 2f64.powi(-shift as i32);
                if f.is_infinite() {
                    return Err(self.error(
                        BuiltinType::OverflowError,
                        "integer division result too large for a float",
                    ));
                }
                f
            }
        };
        Ok(self.heap.float(r))
    }

    pub fn unary_op(&mut self, a: ObjId, op: UnaryOp) -> VmResult {
        let r = match (op, self.num(a)) {
            (UnaryOp::Not, _) => {
                let t = self.truthy(a)?;
                self.heap.bool(!t)
            }
            (UnaryOp::USub, Some(Num::Int(i))) => self.heap.int(-i),
            (UnaryOp::USub, Some(Num::Float(f))) => self.heap.float(-f),
            (UnaryOp::UAdd, Some(Num::Int(i))) => {
                if matches!(self.heap.payload(a), Payload::Bool(_)) {
                    self.heap.int(i)
                } else {
                    a
                }
            }
            (UnaryOp::UAdd, Some(Num::Float(_))) => a,
            (UnaryOp::Invert, Some(Num::Int(i))) => self.heap.int(-i - 1),
            _ => {
                let name = match op {
                    UnaryOp::USub => "__neg__",
                    UnaryOp::UAdd => "__pos__",
                    _ => "__invert__",
                };
                if let Some(r) = self.call_dunder(a, name, &[])? {
                    return Ok(r);
                }
                let sym = match op {
                    UnaryOp::USub => "unary -",
                    UnaryOp::UAdd => "unary +",
                    _ => "unary ~",
                };
                return Err(self
                    .type_error(a, |t| format!("bad operand type for {sym}: '{t}'"))
                    .into());
            }
        };
        self.hold(r);
        Ok(r)
    }

    // ----- comparison -----

    /// `PyObject_RichCompareBool`: identity first, as containers compare their items.
    pub fn eq_bool(&mut self, a: ObjId, b: ObjId) -> VmResult<bool> {
        if a == b {
            return Ok(true);
        }
        self.eq(a, b)
    }

    /// `a == b` as the operator computes it (NaN differs from itself).
    pub fn eq(&mut self, a: ObjId, b: ObjId) -> VmResult<bool> {
        if a == b
            && !matches!(
                self.heap.payload(a),
                Payload::Float(_) | Payload::Instance(_)
            )
        {
            return Ok(true);
        }
        if let (Some(x), Some(y)) = (self.num(a), self.num(b)) {
            return Ok(match (x, y) {
                (Num::Int(p), Num::Int(q)) => p == q,
                (Num::Float(p), Num::Float(q)) => p == q,
                (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                    f.fract() == 0.0
                        && f.is_finite()
                        && num_traits::FromPrimitive::from_f64(f) == Some(i)
                }
            });
        }
        let (pa, pb) = (self.heap.payload(a).clone(), self.heap.payload(b).clone());
        Ok(match (&pa, &pb) {
            (Payload::Str(x), Payload::Str(y)) => x == y,
            (Payload::None, Payload::None) => true,
            (Payload::List(x), Payload::List(y)) => self.seq_eq(&x.items, &y.items)?,
            (Payload::Tuple(x), Payload::Tuple(y)) => self.seq_eq(x, y)?,
            (Payload::Dict(x), Payload::Dict(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                // `dict_equal`: each key of `a`, with its stored hash, looked up in `b`.
                for (k, v) in x.items() {
                    let (h, key) = self.dict_stored_key(a, k);
                    let hold = self.lookup_may_run_python(b, &key);
                    if hold {
                        self.hold(k);
                    }
                    let found = self.dict_lookup(b, k, h, &key);
                    if hold {
                        self.release(k);
                    }
                    let w = match (found?, self.heap.payload(b)) {
                        (Some(i), Payload::Dict(y)) => y.entries[i].map(|(_, w)| w),
                        _ => None,
                    };
                    match w {
                        Some(w) => {
                            if !self.eq_bool(v, w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                true
            }
            (Payload::Set(x), Payload::Set(y)) => x.len() == y.len() && self.set_is_subset(a, b)?,
            (
                Payload::Range {
                    start: s1,
                    stop: e1,
                    step: t1,
                },
                Payload::Range {
                    start: s2,
                    stop: e2,
                    step: t2,
                },
            ) => {
                let l1 = range_len(*s1, *e1, *t1);
                let l2 = range_len(*s2, *e2, *t2);
                l1 == l2 && (l1 == 0 || (s1 == s2 && (l1 == 1 || t1 == t2)))
            }
            (Payload::Instance(_), _) | (_, Payload::Instance(_)) => {
                let (first, second) = if matches!(pa, Payload::Instance(_)) {
                    (a, b)
                } else {
                    (b, a)
                };
                // Without NotImplemented, a class with no `__eq__` of its own stands for
                // `object.__eq__` returning it: the other operand's is tried, reflected.
                let mut r = self.call_dunder(first, "__eq__", &[second])?;
                if r.is_none() && matches!(self.heap.payload(second), Payload::Instance(_)) {
                    r = self.call_dunder(second, "__eq__", &[first])?;
                }
                match r {
                    Some(r) => {
                        let t = self.truthy(r)?;
                        self.release(r);
                        t
                    }
                    None => false,
                }
            }
            _ => false,
        })
    }

    fn seq_eq(&mut self, x: &[ObjId], y: &[ObjId]) -> VmResult<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (&p, &q) in x.iter().zip(y) {
            if !self.eq_bool(p, q)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `a < b` and friends: Ok(Some(ordering)) when the types order, None otherwise.
    fn order(&mut self, a: ObjId, b: ObjId) -> VmResult<Option<std::cmp::Ordering>> {
        use std::cmp::Ordering;
        if let (Some(x), Some(y)) = (self.num(a), self.num(b)) {
            return Ok(match (x, y) {
                (Num::Int(p), Num::Int(q)) => Some(p.cmp(&q)),
                (Num::Float(p), Num::Float(q)) => p.partial_cmp(&q),
                (Num::Int(i), Num::Float(f)) => i.to_f64().and_then(|v| v.partial_cmp(&f)),
                (Num::Float(f), Num::Int(i)) => i.to_f64().and_then(|v| f.partial_cmp(&v)),
            }
            .or(Some(Ordering::Equal))
            .filter(|_| true));
        }
        let (pa, pb) = (self.heap.payload(a).clone(), self.heap.payload(b).clone());
        match (&pa, &pb) {
            (Payload::Str(x), Payload::Str(y)) => Ok(Some(x.cmp(y))),
            (Payload::List(_), Payload::List(_)) | (Payload::Tuple(_), Payload::Tuple(_)) => {
                let (x, y) = match (&pa, &pb) {
                    (Payload::List(x), Payload::List(y)) => (x.items.clone(), y.items.clone()),
                    (Payload::Tuple(x), Payload::Tuple(y)) => (x.clone(), y.clone()),
                    _ => unreachable!(),
                };
                for (&p, &q) in x.iter().zip(&y) {
                    if !self.eq_bool(p, q)? {
                        return match self.order(p, q)? {
                            Some(o) => Ok(Some(o)),
                            None => Err(self.order_error(p, q, "<").into()),
                        };
                    }
                }
                Ok(Some(x.len().cmp(&y.len())))
            }
            _ => Ok(None),
        }
    }

    fn order_error(&mut self, a: ObjId, b: ObjId, sym: &str) -> Exc {
        let (ta, tb) = (self.heap.type_name(a), self.heap.type_name(b));
        self.error_fmt(
            BuiltinType::TypeError,
            format_args!("'{sym}' not supported between instances of '{ta}' and '{tb}'"),
        )
    }

    /// Returns a held bool (or whatever a user method returns).
    pub fn rich_compare(&mut self, a: ObjId, b: ObjId, op: CmpOp) -> VmResult {
        let r = match op {
            CmpOp::Eq => {
                let e = self.eq(a, b)?;
                self.heap.bool(e)
            }
            CmpOp::NotEq => {
                let e = self.eq(a, b)?;
                self.heap.bool(!e)
            }
            _ => {
                let nan = |vm: &Vm, o: ObjId| matches!(vm.heap.payload(o), Payload::Float(f) if f.is_nan());
                if nan(self, a) || nan(self, b) {
                    self.heap.bool(false)
                } else {
                    match self.order(a, b)? {
                        Some(o) => {
                            let v = match op {
                                CmpOp::Lt => o.is_lt(),
                                CmpOp::LtE => o.is_le(),
                                CmpOp::Gt => o.is_gt(),
                                _ => o.is_ge(),
                            };
                            self.heap.bool(v)
                        }
                        None => {
                            let name = match op {
                                CmpOp::Lt => "__lt__",
                                CmpOp::LtE => "__le__",
                                CmpOp::Gt => "__gt__",
                                _ => "__ge__",
                            };
                            if let Some(r) = self.call_dunder(a, name, &[b])? {
                                return Ok(r);
                            }
                            if let (Payload::Set(_), Payload::Set(_)) =
                                (self.heap.payload(a), self.heap.payload(b))
                            {
                                let (la, lb) = (self.set_items(a).len(), self.set_items(b).len());
                                let v = match op {
                                    CmpOp::Lt => la < lb && self.set_is_subset(a, b)?,
                                    CmpOp::LtE => self.set_is_subset(a, b)?,
                                    CmpOp::Gt => la > lb && self.set_is_subset(b, a)?,
                                    _ => self.set_is_subset(b, a)?,
                                };
                                self.heap.bool(v)
                            } else {
                                return Err(self.order_error(a, b, cmp_symbol(op)).into());
                            }
                        }
                    }
                }
            }
        };
        self.hold(r);
        Ok(r)
    }

    pub fn contains(&mut self, container: ObjId, item: ObjId) -> VmResult<bool> {
        // A dict or set is looked up where it is: a copy of its table at each `in` made
        // a loop of lookups quadratic.
        match self.heap.payload(container) {
            Payload::Dict(_) => {
                let (h, k) = self.key_of(item)?;
                return Ok(self.dict_lookup(container, item, h, &k)?.is_some());
            }
            Payload::Set(_) => return self.set_has(container, item),
            _ => {}
        }
        match self.heap.payload(container).clone() {
            Payload::List(List { items, .. }) | Payload::Tuple(items) => {
                for it in items {
                    if self.eq_bool(it, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Payload::Str(s) => match self.heap.payload(item) {
                Payload::Str(sub) => Ok(s.contains(&**sub)),
                _ => Err(self
                    .type_error(item, |t| {
                        format!("'in <string>' requires string as left operand, not {t}")
                    })
                    .into()),
            },
            Payload::Range { start, stop, step } => {
                Ok(match self.int_value(item).and_then(|i| i.to_i64()) {
                    Some(v) => {
                        let inside = if step > 0 {
                            v >= start && v < stop
                        } else {
                            v <= start && v > stop
                        };
                        inside && (v - start) % step == 0
                    }
                    None => false,
                })
            }
            _ => {
                let items = self.iterate(container)?;
                let mut found = false;
                for &it in &items {
                    if !found && self.eq_bool(it, item)? {
                        found = true;
                    }
                }
                for it in items {
                    self.release(it);
                }
                Ok(found)
            }
        }
    }

    pub fn truthy(&mut self, v: ObjId) -> VmResult<bool> {
        Ok(match self.heap.payload(v) {
            Payload::None => false,
            Payload::Bool(b) => *b,
            Payload::Int(i) => !i.is_zero(),
            Payload::Float(f) => *f != 0.0,
            Payload::Str(s) => !s.is_empty(),
            Payload::List(l) => !l.items.is_empty(),
            Payload::Tuple(t) => !t.is_empty(),
            Payload::Dict(d) => !d.is_empty(),
            Payload::Set(s) => !s.is_empty(),
            Payload::Range { start, stop, step } => range_len(*start, *stop, *step) > 0,
            Payload::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__bool__", &[])? {
                    let t = matches!(self.heap.payload(r), Payload::Bool(true));
                    self.release(r);
                    return Ok(t);
                }
                if let Some(r) = self.call_dunder(v, "__len__", &[])? {
                    let t = self.int_value(r).is_some_and(|i| !i.is_zero());
                    self.release(r);
                    return Ok(t);
                }
                true
            }
            _ => true,
        })
    }

    // ----- items -----

    fn normalize_index(&mut self, i: ObjId, len: usize, what: &str) -> PyResult<usize> {
        let Some(v) = self.int_value(i) else {
            return Err(self.type_error(i, |t| {
                format!("{what} indices must be integers or slices, not {t}")
            }));
        };
        let len_i = BigInt::from(len);
        let idx = if v.is_negative() { v + &len_i } else { v };
        if idx.is_negative() || idx >= len_i {
            let name = if what == "string" { "string" } else { what };
            return Err(self.error_fmt(
                BuiltinType::IndexError,
                format_args!("{name} index out of range"),
            ));
        }
        Ok(idx.to_usize().unwrap_or(0))
    }

    /// The indices a slice selects from a sequence of `len`.
    pub fn slice_indices(&mut self, s: ObjId, len: usize) -> PyResult<Vec<usize>> {
        let Payload::Slice { start, stop, step } = self.heap.payload(s).clone() else {
            return Ok(Vec::new());
        };
        let get = |vm: &mut Vm, o: ObjId| -> PyResult<Option<i64>> {
            match vm.heap.payload(o) {
                Payload::None => Ok(None),
                _ => match vm.int_value(o) {
                    Some(i) => Ok(Some(i.to_i64().unwrap_or(if i.is_negative() {
                        i64::MIN / 2
                    } else {
                        i64::MAX / 2
                    }))),
                    None => Err(vm.error(
                        BuiltinType::TypeError,
                        "slice indices must be integers or None or have an __index__ method",
                    )),
                },
            }
        };
        let step = get(self, step)?.unwrap_or(1);
        if step == 0 {
            return Err(self.error(BuiltinType::ValueError, "slice step cannot be zero"));
        }
        let len = len as i64;
        let clamp = |v: Option<i64>, default: i64, lo: i64, hi: i64| -> i64 {
            match v {
                None => default,
                Some(v) => {
                    let v = if v < 0 { v + len } else { v };
                    v.clamp(lo, hi)
                }
            }
        };
        let (start, stop) = if step > 0 {
            (
                clamp(get(self, start)?, 0, 0, len),
                clamp(get(self, stop)?, len, 0, len),
            )
        } else {
            (
                clamp(get(self, start)?, len - 1, -1, len - 1),
                clamp(get(self, stop)?, -1, -1, len - 1),
            )
        };
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(i as usize);
            i += step;
        }
        Ok(out)
    }

    /// `c[k]`, returned held.
    pub fn getitem(&mut self, c: ObjId, k: ObjId) -> VmResult {
        let is_slice = matches!(self.heap.payload(k), Payload::Slice { .. });
        // An item by index or key is read where it is: a copy of the list or dict at
        // each subscript made a loop over a big one quadratic.
        if !is_slice {
            let sequence = match self.heap.payload(c) {
                Payload::List(l) => Some((l.items.len(), "list")),
                Payload::Tuple(t) => Some((t.len(), "tuple")),
                _ => None,
            };
            let r = match sequence {
                Some((n, what)) => {
                    let i = self.normalize_index(k, n, what)?;
                    match self.heap.payload(c) {
                        Payload::List(List { items, .. }) | Payload::Tuple(items) => items[i],
                        _ => unreachable!("a list or tuple"),
                    }
                }
                None if matches!(self.heap.payload(c), Payload::Dict(_)) => {
                    match self.dict_get(c, k)? {
                        Some(v) => v,
                        None => return Err(self.error_with(BuiltinType::KeyError, k).into()),
                    }
                }
                None => return self.getitem_copied(c, k, is_slice),
            };
            self.hold(r);
            return Ok(r);
        }
        self.getitem_copied(c, k, is_slice)
    }

    /// `getitem` for slices and the other kinds, over a copy of the container.
    fn getitem_copied(&mut self, c: ObjId, k: ObjId, is_slice: bool) -> VmResult {
        let r = match self.heap.payload(c).clone() {
            Payload::List(List { items, .. }) | Payload::Tuple(items) => {
                let is_list = matches!(self.heap.payload(c), Payload::List(_));
                if is_slice {
                    let idx = self.slice_indices(k, items.len())?;
                    let picked: Vec<ObjId> = idx.iter().map(|&i| items[i]).collect();
                    if is_list {
                        self.new_list_from(&picked)
                    } else if picked.len() == items.len() && picked == items {
                        c
                    } else {
                        self.new_tuple(&picked)
                    }
                } else {
                    let i = self.normalize_index(
                        k,
                        items.len(),
                        if is_list { "list" } else { "tuple" },
                    )?;
                    items[i]
                }
            }
            Payload::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                if is_slice {
                    let idx = self.slice_indices(k, chars.len())?;
                    let text: String = idx.iter().map(|&i| chars[i]).collect();
                    if text.len() == s.len() && *text == *s {
                        c
                    } else {
                        self.heap.str(&text)
                    }
                } else {
                    let i = self.normalize_index(k, chars.len(), "string")?;
                    self.heap.str(&chars[i].to_string())
                }
            }
            Payload::Dict(_) => match self.dict_get(c, k)? {
                Some(v) => v,
                None => return Err(self.error_with(BuiltinType::KeyError, k).into()),
            },
            Payload::Range { start, stop, step } => {
                let n = range_len(start, stop, step);
                if is_slice {
                    let idx = self.slice_indices(k, n as usize)?;
                    let vals: Vec<i64> = idx.iter().map(|&i| start + step * i as i64).collect();
                    let (s2, st2) = (
                        vals.first().copied().unwrap_or(start),
                        if vals.len() > 1 {
                            vals[1] - vals[0]
                        } else {
                            step
                        },
                    );
                    let e2 = s2 + st2 * vals.len() as i64;
                    self.heap.alloc(Payload::Range {
                        start: s2,
                        stop: e2,
                        step: st2,
                    })
                } else {
                    let i = self.normalize_index(k, n as usize, "range object")?;
                    self.heap.int_i64(start + step * i as i64)
                }
            }
            Payload::Instance(_) => match self.call_dunder(c, "__getitem__", &[k])? {
                Some(r) => return Ok(r),
                None => {
                    return Err(self.not_subscriptable(c).into());
                }
            },
            _ => {
                return Err(self.not_subscriptable(c).into());
            }
        };
        self.hold(r);
        Ok(r)
    }

    pub fn setitem(&mut self, c: ObjId, k: ObjId, v: ObjId) -> VmResult<()> {
        // A dict, or a list at an index, is stored into without copying its payload
        // (the match below clones it).
        match self.heap.payload(c) {
            Payload::Dict(_) => return self.dict_set(c, k, v),
            Payload::List(l) if !matches!(self.heap.payload(k), Payload::Slice { .. }) => {
                let i = self
                    .normalize_index(k, l.items.len(), "list")
                    .map_err(|e| self.reword_assignment(e))?;
                self.list_set(c, i, v);
                return Ok(());
            }
            _ => {}
        }
        match self.heap.payload(c).clone() {
            Payload::List(l) => {
                if matches!(self.heap.payload(k), Payload::Slice { .. }) {
                    let idx = self.slice_indices(k, l.items.len())?;
                    let new = self.iterate(v)?;
                    let Payload::Slice { step, .. } = self.heap.payload(k).clone() else {
                        unreachable!()
                    };
                    let unit_step = matches!(self.heap.payload(step), Payload::None)
                        || self.int_value(step).is_some_and(|s| s == BigInt::from(1));
                    let result: Vec<ObjId> = if unit_step {
                        let (lo, hi) = match (idx.first(), idx.last()) {
                            (Some(&a), Some(&b)) => (a, b + 1),
                            _ => {
                                let start = self.slice_start(k, l.items.len());
                                (start, start)
                            }
                        };
                        l.items[..lo]
                            .iter()
                            .chain(&new)
                            .chain(&l.items[hi..])
                            .copied()
                            .collect()
                    } else {
                        if idx.len() != new.len() {
                            for o in new {
                                self.release(o);
                            }
                            return Err(self.error_fmt(BuiltinType::ValueError, format_args!("attempt to assign sequence of size {} to extended slice of size {}", 0, idx.len())).into());
                        }
                        let mut items = l.items.clone();
                        for (i, &o) in idx.iter().zip(&new) {
                            items[*i] = o;
                        }
                        items
                    };
                    let cap = containers_growth(l.capacity, l.items.len(), result.len());
                    self.list_replace_all(c, result, cap);
                    for o in new {
                        self.release(o);
                    }
                    return Ok(());
                }
                unreachable!("an index into a list is stored above")
            }
            Payload::Instance(_) => match self.call_dunder(c, "__setitem__", &[k, v])? {
                Some(r) => {
                    self.release(r);
                    Ok(())
                }
                None => Err(self.no_item_assignment(c).into()),
            },
            _ => Err(self.no_item_assignment(c).into()),
        }
    }

    fn slice_start(&mut self, k: ObjId, len: usize) -> usize {
        let Payload::Slice { start, .. } = self.heap.payload(k).clone() else {
            return 0;
        };
        match self.int_value(start).and_then(|i| i.to_i64()) {
            Some(s) if s < 0 => (s + len as i64).max(0) as usize,
            Some(s) => (s as usize).min(len),
            None => 0,
        }
    }

    fn reword_assignment(&mut self, e: Exc) -> Exc {
        // "list index out of range" reads "list assignment index out of range" here.
        let line = self.exception_line(e.0);
        if line.ends_with("list index out of range") {
            self.heap.decref_runtime(e.0, "the exception being raised");
            return self.error(
                BuiltinType::IndexError,
                "list assignment index out of range",
            );
        }
        e
    }

    pub fn delitem(&mut self, c: ObjId, k: ObjId) -> VmResult<()> {
        // Read where they are: `del d[k]` or `del xs[i]` copied the whole container.
        let length = match self.heap.payload(c) {
            Payload::List(l) => Some(l.items.len()),
            Payload::Dict(_) => None,
            _ => return Err(self.no_item_deletion(c).into()),
        };
        match length {
            Some(n) => {
                if matches!(self.heap.payload(k), Payload::Slice { .. }) {
                    let idx = self.slice_indices(k, n)?;
                    let mut deleted = vec![false; n];
                    for i in idx {
                        deleted[i] = true;
                    }
                    let Payload::List(l) = self.heap.payload(c) else {
                        unreachable!("a list")
                    };
                    let keep: Vec<ObjId> = l
                        .items
                        .iter()
                        .zip(&deleted)
                        .filter(|(_, &gone)| !gone)
                        .map(|(&o, _)| o)
                        .collect();
                    let cap = containers_growth(l.capacity, l.items.len(), keep.len());
                    self.list_replace_all(c, keep, cap);
                    return Ok(());
                }
                let i = match self.normalize_index(k, n, "list") {
                    Ok(i) => i,
                    Err(e) => {
                        self.heap.decref_runtime(e.0, "the exception being raised");
                        return Err(self
                            .error(
                                BuiltinType::IndexError,
                                "list assignment index out of range",
                            )
                            .into());
                    }
                };
                let v = self.list_remove_at(c, i);
                self.release(v);
                Ok(())
            }
            None => {
                if !self.dict_del(c, k)? {
                    return Err(self.error_with(BuiltinType::KeyError, k).into());
                }
                Ok(())
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn no_item_deletion(&mut self, c: ObjId) -> Exc {
        self.type_error(c, |t| format!("'{t}' object doesn't support item deletion"))
    }

    // ----- iteration -----

    /// `iter(v)`, returned held.
    /// The next item of each iterator, held; `None`, with nothing held, once one of them
    /// is exhausted (zip's and map's step).
    fn next_of_each(&mut self, iterators: &[ObjId]) -> VmResult<Option<Vec<ObjId>>> {
        let mut items = Vec::with_capacity(iterators.len());
        for &it in iterators {
            match self.iter_next(it) {
                Ok(Some(v)) => items.push(v),
                r => {
                    for v in items {
                        self.release(v);
                    }
                    return r.map(|_| None);
                }
            }
        }
        Ok(Some(items))
    }

    /// Whether `get_iter(v)` makes an iterator rather than raising "not iterable".
    pub fn is_iterable(&self, v: ObjId) -> bool {
        match self.heap.payload(v) {
            Payload::List(_)
            | Payload::Tuple(_)
            | Payload::Str(_)
            | Payload::Dict(_)
            | Payload::Set(_)
            | Payload::Range { .. }
            | Payload::Iterator(_)
            | Payload::Generator(_) => true,
            Payload::Instance(i) => self.heap.class_lookup(i.class, "__iter__").is_some(),
            _ => false,
        }
    }

    pub fn get_iter(&mut self, v: ObjId) -> VmResult {
        let kind = match self.heap.payload(v) {
            Payload::List(_) => IterKind::List,
            Payload::Tuple(_) => IterKind::Tuple,
            Payload::Str(_) => IterKind::Str,
            Payload::Dict(_) => IterKind::DictKeys,
            Payload::Set(_) => IterKind::Set,
            Payload::Range { start, stop, step } => {
                let (start, stop, step) = (*start, *stop, *step);
                let it = self.heap.alloc(Payload::Iterator(Iter {
                    kind: IterKind::Range,
                    sources: Vec::new(),
                    index: start,
                    stop,
                    step,
                    pos: 0,
                }));
                self.hold(it);
                return Ok(it);
            }
            Payload::Iterator(view)
                if matches!(
                    view.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ) =>
            {
                let kind = match view.kind {
                    IterKind::KeysView => IterKind::DictKeys,
                    IterKind::ValuesView => IterKind::DictValues,
                    _ => IterKind::DictItems,
                };
                let dict = view.sources[0];
                return Ok(self.new_iterator(kind, vec![dict], 0));
            }
            Payload::Iterator(_) | Payload::Generator(_) => {
                self.hold(v);
                return Ok(v);
            }
            Payload::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__iter__", &[])? {
                    return Ok(r);
                }
                return Err(self.not_iterable(v).into());
            }
            _ => {
                return Err(self.not_iterable(v).into());
            }
        };
        Ok(self.new_iterator(kind, vec![v], 0))
    }

    pub fn new_iterator(&mut self, kind: IterKind, sources: Vec<ObjId>, index: i64) -> ObjId {
        let it = self.heap.alloc(Payload::Iterator(Iter {
            kind,
            sources: sources.clone(),
            index,
            stop: 0,
            step: 1,
            pos: 0,
        }));
        for s in sources {
            self.heap.incref(
                s,
                Holder::Object {
                    obj: it,
                    label: "source".into(),
                },
            );
        }
        self.heap.changed(it);
        self.hold(it);
        it
    }

    /// The next item, held; None when exhausted (the iterator then lets go of its source).
    pub fn iter_next(&mut self, it: ObjId) -> VmResult<Option<ObjId>> {
        self.count_iteration()?;
        let state = match self.heap.payload(it) {
            Payload::Iterator(i) => i.clone(),
            Payload::Generator(_) => return self.generator_next(it),
            Payload::Instance(_) => {
                return match self.call_dunder(it, "__next__", &[]) {
                    Ok(r) => Ok(r),
                    Err(Halt::Exception(e))
                        if self.is_instance_of(e.0, BuiltinType::StopIteration) =>
                    {
                        self.heap.decref_runtime(e.0, "the exception being raised");
                        Ok(None)
                    }
                    Err(e) => Err(e),
                };
            }
            _ => {
                return Err(self
                    .type_error(it, |t| format!("'{t}' object is not an iterator"))
                    .into());
            }
        };
        let i = state.index;
        // Where the next item after this one is looked for (`Iter::pos`).
        let mut next_pos = state.pos;
        let item = match state.kind {
            IterKind::Range => {
                if (state.step > 0 && i < state.stop) || (state.step < 0 && i > state.stop) {
                    Some(self.heap.int_i64(i))
                } else {
                    None
                }
            }
            IterKind::List | IterKind::Tuple | IterKind::ListReverse => match state.sources.first()
            {
                Some(&src) => {
                    let items: &[ObjId] = match self.heap.payload(src) {
                        Payload::List(l) => &l.items,
                        Payload::Tuple(t) => t,
                        _ => &[],
                    };
                    let at = if state.kind == IterKind::ListReverse {
                        items.len() as i64 - 1 - i
                    } else {
                        i
                    };
                    usize::try_from(at)
                        .ok()
                        .and_then(|at| items.get(at).copied())
                }
                None => None,
            },
            IterKind::Str => match state.sources.first() {
                Some(&src) => match self.heap.payload(src) {
                    Payload::Str(s) => s.get(state.pos..).and_then(|rest| {
                        let c = rest.chars().next()?;
                        next_pos = state.pos + c.len_utf8();
                        Some(c)
                    }),
                    _ => None,
                }
                .map(|c| self.heap.str(c.encode_utf8(&mut [0; 4]))),
                None => None,
            },
            IterKind::DictKeys | IterKind::DictValues | IterKind::DictItems => {
                match state.sources.first() {
                    Some(&src) => {
                        let (len, entry) = match self.heap.payload(src) {
                            Payload::Dict(d) => {
                                let from = state.pos.min(d.entries.len());
                                let found = d.entries[from..]
                                    .iter()
                                    .enumerate()
                                    .find_map(|(k, e)| e.map(|(key, v)| (from + k, key, v)));
                                (d.len(), found)
                            }
                            _ => (0, None),
                        };
                        if state.stop != 0 && state.stop != len as i64 + 1 {
                            return Err(self
                                .error(
                                    BuiltinType::RuntimeError,
                                    "dictionary changed size during iteration",
                                )
                                .into());
                        }
                        if let Payload::Iterator(st) = self.heap.payload_mut(it) {
                            st.stop = len as i64 + 1;
                        }
                        match entry {
                            Some((at, k, v)) => Some({
                                next_pos = at + 1;
                                match state.kind {
                                    IterKind::DictKeys => k,
                                    IterKind::DictValues => v,
                                    _ => self.new_tuple(&[k, v]),
                                }
                            }),
                            None => None,
                        }
                    }
                    None => None,
                }
            }
            IterKind::Set => match state.sources.first() {
                Some(&src) => match self.heap.payload(src) {
                    Payload::Set(set) => {
                        let from = state.pos.min(set.table.len());
                        set.table[from..]
                            .iter()
                            .enumerate()
                            .find_map(|(k, slot)| match slot {
                                SetSlot::Full { item, .. } => {
                                    next_pos = from + k + 1;
                                    Some(*item)
                                }
                                _ => None,
                            })
                    }
                    _ => None,
                },
                None => None,
            },
            IterKind::Enumerate => {
                let inner = state.sources[0];
                match self.iter_next(inner)? {
                    Some(v) => {
                        let n = self.heap.int_i64(i);
                        self.hold(n);
                        let t = self.new_tuple(&[n, v]);
                        self.release(n);
                        self.release(v);
                        Some(t)
                    }
                    None => None,
                }
            }
            IterKind::Zip => match self.next_of_each(&state.sources)? {
                Some(items) => {
                    let t = self.new_tuple(&items);
                    for v in items {
                        self.release(v);
                    }
                    Some(t)
                }
                None => None,
            },
            IterKind::Map => match self.next_of_each(&state.sources[1..])? {
                Some(items) => {
                    let r = self.call(state.sources[0], &items, &[]);
                    for v in items {
                        self.release(v);
                    }
                    // Returned unheld, as the other kinds' items are (held again below).
                    let v = r?;
                    self.heap.decref_runtime_soft(v);
                    Some(v)
                }
                None => None,
            },
            IterKind::Filter => {
                let (f, inner) = (state.sources[0], state.sources[1]);
                let by_truth = matches!(self.heap.payload(f), Payload::None);
                loop {
                    let Some(v) = self.iter_next(inner)? else {
                        break None;
                    };
                    let keep = if by_truth {
                        self.truthy(v)
                    } else {
                        self.call(f, &[v], &[]).and_then(|r| {
                            let t = self.truthy(r);
                            self.release(r);
                            t
                        })
                    };
                    match keep {
                        Ok(true) => {
                            self.heap.decref_runtime_soft(v);
                            break Some(v);
                        }
                        Ok(false) => self.release(v),
                        Err(e) => {
                            self.release(v);
                            return Err(e);
                        }
                    }
                }
            }
            IterKind::Call | IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView => {
                None
            }
        };
        match item {
            Some(v) => {
                if let Payload::Iterator(st) = self.heap.payload_mut(it) {
                    st.index = if state.kind == IterKind::Range {
                        i + state.step
                    } else {
                        i + 1
                    };
                    st.pos = next_pos;
                }
                self.hold(v);
                Ok(Some(v))
            }
            None => {
                // An exhausted iterator drops its sequence (it_seq = NULL).
                if matches!(
                    state.kind,
                    IterKind::List
                        | IterKind::Tuple
                        | IterKind::Str
                        | IterKind::ListReverse
                        | IterKind::Set
                        | IterKind::DictKeys
                        | IterKind::DictValues
                        | IterKind::DictItems
                ) && !state.sources.is_empty()
                {
                    if let Payload::Iterator(st) = self.heap.payload_mut(it) {
                        st.sources.clear();
                    }
                    self.heap.changed(it);
                    for s in state.sources {
                        self.heap.decref(
                            s,
                            Holder::Object {
                                obj: it,
                                label: "source".into(),
                            },
                        );
                    }
                }
                Ok(None)
            }
        }
    }

    fn is_instance_of(&mut self, o: ObjId, t: BuiltinType) -> bool {
        let c = self.class_of(o);
        self.class_is_subclass(c, t)
    }

    /// All items of an iterable, each held.
    pub fn iterate(&mut self, v: ObjId) -> VmResult<Vec<ObjId>> {
        if let Payload::List(List { items, .. }) | Payload::Tuple(items) = self.heap.payload(v) {
            let items = items.clone();
            for &i in &items {
                self.hold(i);
            }
            return Ok(items);
        }
        // What CPython would preallocate from the length hint, refused up front.
        if let Some(n) = self.length_hint(v) {
            self.check_items(n)?;
        }
        let it = self.get_iter(v)?;
        let mut out = Vec::new();
        loop {
            match self.iter_next(it) {
                Ok(Some(x)) => {
                    out.push(x);
                    if out.len() > MAX_ITEMS {
                        for o in out {
                            self.release(o);
                        }
                        self.release(it);
                        return Err(self.error(BuiltinType::MemoryError, "").into());
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    for o in out {
                        self.release(o);
                    }
                    self.release(it);
                    return Err(e);
                }
            }
        }
        self.release(it);
        Ok(out)
    }

    pub fn length_hint(&self, v: ObjId) -> Option<usize> {
        match self.heap.payload(v) {
            Payload::List(l) => Some(l.items.len()),
            Payload::Tuple(t) => Some(t.len()),
            Payload::Str(s) => Some(s.chars().count()),
            Payload::Dict(d) => Some(d.len()),
            Payload::Set(s) => Some(s.len()),
            Payload::Range { start, stop, step } => Some(range_len(*start, *stop, *step) as usize),
            Payload::Iterator(it) if it.kind == IterKind::Range => {
                Some(range_len(it.index, it.stop, it.step) as usize)
            }
            Payload::Iterator(it)
                if matches!(
                    it.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ) =>
            {
                it.sources.first().and_then(|&d| self.length_hint(d))
            }
            Payload::Iterator(it) if matches!(it.kind, IterKind::List | IterKind::Tuple) => it
                .sources
                .first()
                .and_then(|&s| self.length_hint(s))
                .map(|n| n.saturating_sub(it.index as usize)),
            _ => None,
        }
    }

    /// Unpacking for assignment targets: `n` items, or `n` before and `after` after a star.
    pub fn unpack(&mut self, seq: ObjId, n: usize, after: Option<usize>) -> VmResult<Vec<ObjId>> {
        if !self.is_iterable(seq) {
            return Err(self
                .type_error(seq, |t| format!("cannot unpack non-iterable {t} object"))
                .into());
        }
        let items = self.iterate(seq)?;
        match after {
            None => {
                if items.len() != n {
                    let got = items.len();
                    for o in items {
                        self.release(o);
                    }
                    let msg = if got > n {
                        format!("too many values to unpack (expected {n})")
                    } else {
                        format!("not enough values to unpack (expected {n}, got {got})")
                    };
                    return Err(self.error(BuiltinType::ValueError, msg).into());
                }
                Ok(items)
            }
            Some(after) => {
                if items.len() < n + after {
                    let got = items.len();
                    for o in items {
                        self.release(o);
                    }
                    return Err(self
                        .error_fmt(
                            BuiltinType::ValueError,
                            format_args!(
                                "not enough values to unpack (expected at least {}, got {got})",
                                n + after
                            ),
                        )
                        .into());
                }
                let middle: Vec<ObjId> = items[n..items.len() - after].to_vec();
                let star = self.new_list_from(&middle);
                self.hold(star);
                for &o in &middle {
                    self.release(o);
                }
                let mut out: Vec<ObjId> = items[..n].to_vec();
                out.push(star);
                out.extend_from_slice(&items[items.len() - after..]);
                Ok(out)
            }
        }
    }

    // ----- repr and str -----

    pub fn repr(&mut self, v: ObjId) -> PyResult<String> {
        match self.repr_inner(v) {
            Ok(s) => Ok(s),
            Err(Halt::Exception(e)) => Err(e),
            Err(Halt::Limit(m)) => Err(self.error(BuiltinType::RuntimeError, m)),
            Err(Halt::Pause) => unreachable!("only the top-level loop pauses"),
        }
    }

    fn repr_inner(&mut self, v: ObjId) -> VmResult<String> {
        if self.repr_active.len() > 200 {
            return Err(self
                .error(
                    BuiltinType::RecursionError,
                    "maximum recursion depth exceeded while getting the repr of an object",
                )
                .into());
        }
        let payload = self.heap.payload(v).clone();
        // Py_ReprEnter guards containers only; a self-recursive __repr__ recurses.
        let container = matches!(
            payload,
            Payload::List(_) | Payload::Dict(_) | Payload::Set(_)
        );
        if container && self.repr_active.contains(&v) {
            return Ok(match payload {
                Payload::List(_) => "[...]".into(),
                Payload::Dict(_) => "{...}".into(),
                Payload::Set(_) => "set(...)".into(),
                _ => "...".into(),
            });
        }
        self.repr_active.push(v);
        let r = self.repr_payload(v, &payload);
        self.repr_active.pop();
        r
    }

    fn join_reprs(&mut self, items: &[ObjId]) -> VmResult<Vec<String>> {
        let mut parts = Vec::with_capacity(items.len());
        let mut chars = 0;
        for &i in items {
            let part = self.repr_inner(i)?;
            chars = self.count_repr_part(chars, &part)?;
            parts.push(part);
        }
        Ok(parts)
    }

    /// Adds one part's length to the text a repr is building: MemoryError once the text
    /// would pass [`MAX_STR_CHARS`], before a repr of a list holding the same big list
    /// a thousand times builds gigabytes.
    fn count_repr_part(&mut self, chars: usize, part: &str) -> VmResult<usize> {
        let chars = chars + part.len() + 2;
        if chars > MAX_STR_CHARS {
            return Err(self.memory_error());
        }
        Ok(chars)
    }

    fn repr_payload(&mut self, v: ObjId, payload: &Payload) -> VmResult<String> {
        Ok(match payload {
            Payload::None => "None".into(),
            Payload::Bool(b) => if *b { "True" } else { "False" }.into(),
            Payload::Int(i) => match format::int_to_decimal(i) {
                Ok(s) => s,
                Err(m) => return Err(self.error(BuiltinType::ValueError, m).into()),
            },
            Payload::Float(f) => format::float_repr(*f),
            Payload::Str(s) => format::str_repr(s),
            Payload::List(l) => format!("[{}]", self.join_reprs(&l.items)?.join(", ")),
            Payload::Tuple(t) => {
                let parts = self.join_reprs(t)?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Payload::Dict(d) => {
                let mut parts = Vec::new();
                let mut chars = 0;
                for (k, val) in d.items() {
                    let ks = self.repr_inner(k)?;
                    let vs = self.repr_inner(val)?;
                    let part = format!("{ks}: {vs}");
                    chars = self.count_repr_part(chars, &part)?;
                    parts.push(part);
                }
                format!("{{{}}}", parts.join(", "))
            }
            Payload::Set(s) => {
                let items: Vec<ObjId> = s.items().collect();
                let parts = self.join_reprs(&items)?;
                match (s.frozen, parts.is_empty()) {
                    (false, true) => "set()".into(),
                    (true, true) => "frozenset()".into(),
                    (false, false) => format!("{{{}}}", parts.join(", ")),
                    (true, false) => format!("frozenset({{{}}})", parts.join(", ")),
                }
            }
            Payload::Range { start, stop, step } => {
                if *step == 1 {
                    format!("range({start}, {stop})")
                } else {
                    format!("range({start}, {stop}, {step})")
                }
            }
            Payload::Slice { start, stop, step } => {
                let parts = self.join_reprs(&[*start, *stop, *step])?;
                format!("slice({})", parts.join(", "))
            }
            Payload::Function(f) => format!(
                "<function {} at {:#x}>",
                f.qualname,
                self.heap.get(v).address
            ),
            Payload::Class(c) => match c.builtin {
                Some(_) => format!("<class '{}'>", c.name),
                None => format!("<class '__main__.{}'>", c.name),
            },
            Payload::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__repr__", &[])? {
                    let s = match self.heap.payload(r) {
                        Payload::Str(s) => Some(s.to_string()),
                        _ => None,
                    };
                    self.release(r);
                    return match s {
                        Some(s) => Ok(s),
                        None => Err(self
                            .error(BuiltinType::TypeError, "__repr__ returned non-string")
                            .into()),
                    };
                }
                if self.is_exception_instance(v) {
                    let name = self.heap.type_name(v);
                    let args = self
                        .instance_attr(v, "args")
                        .map(|a| self.tuple_items(a))
                        .unwrap_or_default();
                    let parts = self.join_reprs(&args)?;
                    return Ok(format!("{name}({})", parts.join(", ")));
                }
                let name = self.heap.type_name(v);
                format!(
                    "<__main__.{name} object at {:#x}>",
                    self.heap.get(v).address
                )
            }
            Payload::BoundMethod { function, receiver } => match self.heap.payload(*function) {
                Payload::Builtin(b) => {
                    let t = self.heap.type_name(*receiver);
                    let at = self.heap.get(*receiver).address;
                    format!("<built-in method {} of {t} object at {at:#x}>", b.name)
                }
                _ => {
                    let f = self.heap.short_value(*function);
                    let r = self.repr_inner(*receiver)?;
                    format!("<bound method {f} of {r}>")
                }
            },
            Payload::Cell(_) => format!("<cell at {:#x}>", self.heap.get(v).address),
            Payload::Module(m) => format!("<module '{}' (built-in)>", m.name),
            Payload::Code(c) => format!(
                "<code object {} at {:#x}, file \"{}\", line {}>",
                c.name,
                self.heap.get(v).address,
                self.filename,
                c.first_line
            ),
            Payload::Builtin(b) => match b.owner {
                Some(o) if o != "sys" && o != "gc" => {
                    format!("<method '{}' of '{o}' objects>", b.name)
                }
                _ => format!("<built-in function {}>", b.name),
            },
            Payload::Iterator(it)
                if matches!(
                    it.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ) =>
            {
                let items = self.iterate(v)?;
                let parts = self.join_reprs(&items);
                for it in items {
                    self.release(it);
                }
                format!("{}([{}])", it.kind.type_name(), parts?.join(", "))
            }
            Payload::Iterator(it) => format!(
                "<{} object at {:#x}>",
                it.kind.type_name(),
                self.heap.get(v).address
            ),
            Payload::Generator(g) => format!(
                "<generator object {} at {:#x}>",
                g.qualname,
                self.heap.get(v).address
            ),
        })
    }

    /// `v` as the conversion `!r`, `!s` or `!a` (and `%r`, `%s`, `%a`) gives it.
    pub fn conversion_text(&mut self, v: ObjId, conversion: char) -> PyResult<String> {
        match conversion {
            'r' => self.repr(v),
            'a' => Ok(ascii_of(&self.repr(v)?)),
            _ => self.str_of(v),
        }
    }

    pub fn str_of(&mut self, v: ObjId) -> PyResult<String> {
        match self.heap.payload(v) {
            Payload::Str(s) => Ok(s.to_string()),
            Payload::Float(f) => Ok(format::float_str(*f)),
            Payload::Instance(_) => {
                match self.call_dunder(v, "__str__", &[]) {
                    Ok(Some(r)) => {
                        let s = match self.heap.payload(r) {
                            Payload::Str(s) => Some(s.to_string()),
                            _ => None,
                        };
                        self.release(r);
                        return s.ok_or_else(|| {
                            self.error(BuiltinType::TypeError, "__str__ returned non-string")
                        });
                    }
                    Ok(None) => {}
                    Err(Halt::Exception(e)) => return Err(e),
                    Err(Halt::Limit(m)) => return Err(self.error(BuiltinType::RuntimeError, m)),
                    Err(Halt::Pause) => unreachable!("only the top-level loop pauses"),
                }
                if self.is_exception_instance(v) {
                    return self.exception_str(v);
                }
                self.repr(v)
            }
            _ => self.repr(v),
        }
    }

    pub fn format_with_spec(&mut self, v: ObjId, spec: &str) -> PyResult<String> {
        let r = match self.heap.payload(v).clone() {
            Payload::Int(i) => format::format_int(&i, spec),
            Payload::Bool(b) => {
                if spec.is_empty() {
                    Ok(if b { "True" } else { "False" }.to_string())
                } else {
                    format::format_int(&BigInt::from(b as u8), spec)
                }
            }
            Payload::Float(f) => format::format_float(f, spec),
            Payload::Str(s) => format::format_str(&s, spec),
            _ => {
                if spec.is_empty() {
                    return self.str_of(v);
                }
                let t = self.heap.type_name(v);
                Err(format!(
                    "unsupported format string passed to {t}.__format__"
                ))
            }
        };
        r.map_err(|m| {
            let kind = if m.starts_with("unsupported format string") {
                BuiltinType::TypeError
            } else {
                match format::format_error_kind(&m) {
                    "MemoryError" => BuiltinType::MemoryError,
                    "OverflowError" => BuiltinType::OverflowError,
                    _ => BuiltinType::ValueError,
                }
            };
            self.error(kind, m)
        })
    }
}

pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    if step > 0 && start < stop {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        0
    }
}

fn containers_growth(allocated: usize, size: usize, newsize: usize) -> usize {
    crate::containers::list_growth(allocated, size, newsize)
}

/// Python's float divmod: the remainder takes the divisor's sign.
pub fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}
