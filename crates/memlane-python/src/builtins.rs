//! Built-in functions, the `sys` and `gc` modules, and methods of built-in types.

use crate::format;
use crate::vm::*;
use memlane_core::event::Event;
use memlane_core::object::*;
use memlane_core::ObjId;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::rc::Rc;

const FUNCTIONS: &[&str] = &[
    "print",
    "len",
    "id",
    "isinstance",
    "issubclass",
    "abs",
    "min",
    "max",
    "sum",
    "sorted",
    "reversed",
    "enumerate",
    "zip",
    "map",
    "filter",
    "chr",
    "ord",
    "repr",
    "hex",
    "oct",
    "bin",
    "iter",
    "next",
    "round",
    "divmod",
    "hash",
    "callable",
    "any",
    "all",
    "format",
    "pow",
    "getattr",
    "setattr",
    "hasattr",
    "delattr",
];

const SYS: &[&str] = &[
    "getrefcount",
    "getsizeof",
    "intern",
    "getrecursionlimit",
    "setrecursionlimit",
];
const GC: &[&str] = &[
    "collect",
    "get_count",
    "get_threshold",
    "set_threshold",
    "isenabled",
    "enable",
    "disable",
    "is_tracked",
];

fn methods_of(t: BuiltinType) -> &'static [&'static str] {
    match t {
        BuiltinType::List => &[
            "append", "extend", "insert", "pop", "remove", "index", "count", "clear", "copy",
            "reverse", "sort",
        ],
        BuiltinType::Dict => &[
            "get",
            "keys",
            "values",
            "items",
            "pop",
            "setdefault",
            "update",
            "clear",
            "copy",
            "popitem",
            "fromkeys",
        ],
        BuiltinType::Str => &[
            "join",
            "split",
            "rsplit",
            "strip",
            "lstrip",
            "rstrip",
            "upper",
            "lower",
            "replace",
            "startswith",
            "endswith",
            "find",
            "rfind",
            "index",
            "count",
            "format",
            "isdigit",
            "isalpha",
            "isalnum",
            "isspace",
            "isupper",
            "islower",
            "isidentifier",
            "title",
            "capitalize",
            "center",
            "ljust",
            "rjust",
            "zfill",
            "swapcase",
            "splitlines",
            "partition",
            "rpartition",
            "rindex",
            "isascii",
            "isdecimal",
            "istitle",
            "removeprefix",
            "removesuffix",
            "expandtabs",
        ],
        BuiltinType::Set => &[
            "add",
            "remove",
            "discard",
            "pop",
            "clear",
            "union",
            "intersection",
            "difference",
            "update",
            "copy",
            "issubset",
            "issuperset",
            "isdisjoint",
            "symmetric_difference",
            "difference_update",
            "intersection_update",
            "symmetric_difference_update",
        ],
        BuiltinType::FrozenSet => &[
            "union",
            "intersection",
            "difference",
            "copy",
            "issubset",
            "issuperset",
            "isdisjoint",
            "symmetric_difference",
        ],
        BuiltinType::Tuple => &["index", "count"],
        BuiltinType::Int | BuiltinType::Bool => &["bit_length", "bit_count"],
        BuiltinType::Float => &["is_integer"],
        _ => &[],
    }
}

type Kwargs<'a> = &'a [(Rc<str>, ObjId)];

/// Argument `i` of a built-in, after its arity check: one bounds check for all the
/// built-ins instead of one where each reads its arguments.
#[inline(never)]
pub(crate) fn arg(args: &[ObjId], i: usize) -> ObjId {
    args[i]
}

/// CPython's message for a wrong number of arguments to a built-in, or None if `given`
/// fits. `exact_name` is how exact-count errors name it (`len`, `list.append`).
pub fn arity_message(
    exact_name: &str,
    name: &str,
    given: usize,
    min: usize,
    max: usize,
) -> Option<String> {
    if (min..=max).contains(&given) {
        return None;
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    Some(if min == max && min == 0 {
        format!("{exact_name}() takes no arguments ({given} given)")
    } else if min == max && min == 1 {
        format!("{exact_name}() takes exactly one argument ({given} given)")
    } else if min == max {
        format!("{name} expected {min} arguments, got {given}")
    } else if given < min {
        format!(
            "{name} expected at least {min} argument{}, got {given}",
            plural(min)
        )
    } else {
        format!(
            "{name} expected at most {max} argument{}, got {given}",
            plural(max)
        )
    })
}

impl Vm {
    /// A built-in name: a type object or a built-in function (made on first use).
    pub fn builtin(&mut self, name: &str) -> Option<ObjId> {
        if let Some(t) = BuiltinType::from_name(name) {
            if !matches!(
                t,
                BuiltinType::NoneType
                    | BuiltinType::Function
                    | BuiltinType::BuiltinFunction
                    | BuiltinType::Method
                    | BuiltinType::Cell
                    | BuiltinType::Module
                    | BuiltinType::Code
                    | BuiltinType::Generator
                    | BuiltinType::Iterator
            ) {
                return Some(self.heap.type_object(t));
            }
        }
        let &fixed = FUNCTIONS.iter().find(|&&f| f == name)?;
        Some(self.builtin_function(fixed, None))
    }

    fn builtin_function(&mut self, name: &'static str, owner: Option<&'static str>) -> ObjId {
        let cache_key = (owner, name);
        if let Some(&f) = self.builtin_cache.get(&cache_key) {
            return f;
        }
        let f = self
            .heap
            .alloc_preexisting(Payload::Builtin(Builtin { name, owner }));
        self.heap.incref_runtime(
            f,
            if owner.is_some() {
                "its module or type"
            } else {
                "the builtins module"
            },
        );
        self.builtin_cache.insert(cache_key, f);
        f
    }

    pub fn module(&mut self, name: &str) -> ObjId {
        let key: &'static str = if name == "sys" { "sys" } else { "gc" };
        if let Some(&m) = self.modules.get(key) {
            return m;
        }
        let m = self.heap.alloc_preexisting(Payload::Module(Module {
            name: Rc::from(key),
            dict: None,
        }));
        self.heap.incref_runtime(m, "sys.modules");
        self.modules.insert(key, m);
        m
    }

    pub fn module_attr(&mut self, module: &str, name: &str) -> Option<ObjId> {
        let (table, owner): (&[&'static str], &'static str) = if module == "sys" {
            (SYS, "sys")
        } else {
            (GC, "gc")
        };
        if let Some(&n) = table.iter().find(|&&n| n == name) {
            return Some(self.builtin_function(n, Some(owner)));
        }
        if module == "sys" && name == "maxsize" {
            return Some(self.heap.int_i64(i64::MAX));
        }
        None
    }

    /// The method descriptor for `obj.name` when obj is of a built-in type.
    pub fn builtin_method(&mut self, obj: ObjId, name: &str) -> Option<ObjId> {
        let t = match self.heap.payload(obj) {
            Payload::Iterator(it)
                if matches!(
                    it.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ) =>
            {
                return None
            }
            p => p.builtin_type(),
        };
        let &m = methods_of(t).iter().find(|&&m| m == name)?;
        Some(self.builtin_function(m, Some(t.name())))
    }

    /// `pow(b, e, m)`: `b ** e % m` without the power, and with `e < 0` the power of
    /// `b`'s inverse modulo `m`, as CPython's `long_pow`.
    fn int_pow_mod(&mut self, args: &[ObjId]) -> VmResult {
        let ints: Vec<BigInt> = args.iter().filter_map(|&a| self.int_value(a)).collect();
        let [b, e, m] = &ints[..] else {
            let numbers = args.iter().all(|&a| {
                matches!(
                    self.heap.payload(a),
                    Payload::Int(_) | Payload::Bool(_) | Payload::Float(_)
                )
            });
            if numbers {
                return Err(self
                    .error(
                        BuiltinType::TypeError,
                        "pow() 3rd argument not allowed unless all arguments are integers",
                    )
                    .into());
            }
            let [a, b, c] = [0, 1, 2].map(|i| self.heap.type_name(args[i]).to_string());
            return Err(self
                .error_fmt(
                    BuiltinType::TypeError,
                    format_args!(
                        "unsupported operand type(s) for ** or pow(): '{a}', '{b}', '{c}'"
                    ),
                )
                .into());
        };
        if m.is_zero() {
            return Err(self
                .error(BuiltinType::ValueError, "pow() 3rd argument cannot be 0")
                .into());
        }
        let base = if e.is_negative() {
            match b.modinv(m) {
                Some(inverse) => inverse,
                None => {
                    return Err(self
                        .error(
                            BuiltinType::ValueError,
                            "base is not invertible for the given modulus",
                        )
                        .into())
                }
            }
        } else {
            b.clone()
        };
        let r = base.modpow(&e.abs(), m);
        Ok(self.new_int(r)?)
    }

    /// `str.lower`, `list.append`, ...: a built-in type's method, unbound (its first
    /// argument is the receiver).
    pub fn unbound_builtin_method(&mut self, t: BuiltinType, name: &str) -> Option<ObjId> {
        let &m = methods_of(t).iter().find(|&&m| m == name)?;
        Some(self.builtin_function(m, Some(t.name())))
    }

    fn expect_args(&mut self, name: &str, args: &[ObjId], min: usize, max: usize) -> PyResult<()> {
        match arity_message(name, name, args.len(), min, max) {
            Some(msg) => Err(self.error(BuiltinType::TypeError, msg)),
            None => Ok(()),
        }
    }

    fn kwarg(kwargs: Kwargs, name: &str) -> Option<ObjId> {
        kwargs.iter().find(|(k, _)| &**k == name).map(|(_, v)| *v)
    }

    fn str_arg(&mut self, v: ObjId, func: &str) -> PyResult<Rc<str>> {
        match self.heap.payload(v) {
            Payload::Str(s) => Ok(s.clone()),
            _ => Err(self.type_error(v, |t| format!("{func} argument must be str, not {t}"))),
        }
    }

    /// Calls a built-in; the result is returned unheld (the caller pushes or holds it).
    pub fn call_builtin(&mut self, b: &Builtin, args: &[ObjId], kwargs: Kwargs) -> VmResult {
        match b.owner {
            None => self.call_function(b.name, args, kwargs),
            Some("sys") => self.call_sys(b.name, args),
            Some("gc") => self.call_gc(b.name, args),
            // A class method: no object to check.
            Some(_) if b.is_class_method() => self.dict_fromkeys(args),
            Some(_) => {
                if args.is_empty() {
                    return Err(self
                        .error_fmt(
                            BuiltinType::TypeError,
                            format_args!(
                                "unbound method {}.{}() needs an argument",
                                b.owner.unwrap_or_default(),
                                b.name
                            ),
                        )
                        .into());
                }
                let receiver = arg(args, 0);
                let owner = b.owner.unwrap_or_default();
                // A bool's methods are bound with `bool` as their owner, and `int.bit_length`
                // applies to a bool as well.
                let applies = match self.heap.payload(receiver) {
                    Payload::Bool(_) => matches!(owner, "int" | "bool"),
                    p => p.builtin_type().name() == owner,
                };
                if !applies {
                    let t = self.heap.type_name(receiver).to_string();
                    return Err(self
                        .error_fmt(
                            BuiltinType::TypeError,
                            format_args!(
                                "descriptor '{}' for '{owner}' objects doesn't apply to a '{t}' object",
                                b.name
                            ),
                        )
                        .into());
                }
                self.call_method(b.name, receiver, &args[1..], kwargs)
            }
        }
    }

    fn call_function(&mut self, name: &str, args: &[ObjId], kwargs: Kwargs) -> VmResult {
        let none = self.heap.none();
        Ok(match name {
            "print" => {
                let sep = match Vm::kwarg(kwargs, "sep") {
                    Some(s) if !matches!(self.heap.payload(s), Payload::None) => {
                        self.str_arg(s, "sep")?.to_string()
                    }
                    _ => " ".into(),
                };
                let end = match Vm::kwarg(kwargs, "end") {
                    Some(e) if !matches!(self.heap.payload(e), Payload::None) => {
                        self.str_arg(e, "end")?.to_string()
                    }
                    _ => "\n".into(),
                };
                let mut parts = Vec::with_capacity(args.len());
                for &a in args {
                    parts.push(self.str_of(a)?);
                }
                let text = parts.join(&sep) + &end;
                self.count_output(text.len())?;
                self.heap.record(Event::Output { text });
                none
            }
            "len" => {
                self.expect_args("len", args, 1, 1)?;
                let n = self.len_of(arg(args, 0))?;
                self.heap.int_i64(n as i64)
            }
            "id" => {
                self.expect_args("id", args, 1, 1)?;
                let a = self.heap.get(arg(args, 0)).address;
                self.heap.int(BigInt::from(a))
            }
            "isinstance" => {
                self.expect_args("isinstance", args, 2, 2)?;
                let r = self.isinstance(arg(args, 0), arg(args, 1))?;
                self.heap.bool(r)
            }
            "issubclass" => {
                self.expect_args("issubclass", args, 2, 2)?;
                let r = self.subclass_of(arg(args, 0), arg(args, 1));
                self.heap.bool(r)
            }
            "abs" => {
                self.expect_args("abs", args, 1, 1)?;
                let x = arg(args, 0);
                // An instance's own `__abs__` (call_dunder answers None for the others).
                if let Some(r) = self.call_dunder(x, "__abs__", &[])? {
                    self.heap.decref_runtime_soft(r);
                    return Ok(r);
                }
                match self.heap.payload(x) {
                    // A non-negative int is its own absolute value (long_abs).
                    Payload::Int(i) if !i.is_negative() => x,
                    Payload::Int(i) => {
                        let v = -i.clone();
                        self.heap.int(v)
                    }
                    &Payload::Bool(b) => self.heap.int_i64(b as i64),
                    &Payload::Float(f) => self.heap.float(f.abs()),
                    _ => {
                        return Err(self
                            .type_error(x, |t| format!("bad operand type for abs(): '{t}'"))
                            .into());
                    }
                }
            }
            "min" | "max" => self.min_max(name, args, kwargs)?,
            "sum" => {
                self.expect_args("sum", args, 1, 2)?;
                let items = self.iterate(arg(args, 0))?;
                let mut acc = match args.get(1).copied().or(Vm::kwarg(kwargs, "start")) {
                    Some(s) => s,
                    None => self.heap.int(BigInt::zero()),
                };
                self.hold(acc);
                let mut result = Ok(());
                // 3.12+ adds floats with Neumaier's compensated summation (gh-100425).
                let compensated = self.heap.profile.version >= memlane_core::Version::Py312;
                let mut float_sum: Option<(f64, f64)> = None;
                for &it in &items {
                    let item_float = match self.heap.payload(it) {
                        Payload::Float(f) => Some(*f),
                        Payload::Int(i) if float_sum.is_some() => i.to_f64(),
                        _ => None,
                    };
                    if let (true, Some((sum, c)), Some(x)) = (compensated, float_sum, item_float) {
                        let t = sum + x;
                        let c = if sum.abs() >= x.abs() {
                            c + ((sum - t) + x)
                        } else {
                            c + ((x - t) + sum)
                        };
                        float_sum = Some((t, c));
                        continue;
                    }
                    if let Some((sum, c)) = float_sum.take() {
                        let total = if c != 0.0 && c.is_finite() {
                            sum + c
                        } else {
                            sum
                        };
                        let f = self.heap.float(total);
                        self.hold(f);
                        self.release(acc);
                        acc = f;
                    }
                    match self.binary_op(acc, it, crate::ast::Operator::Add, false) {
                        Ok(r) => {
                            self.release(acc);
                            acc = r;
                            if let Payload::Float(f) = self.heap.payload(acc) {
                                float_sum = Some((*f, 0.0));
                            }
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if let Some((sum, c)) = float_sum {
                    let total = if c != 0.0 && c.is_finite() {
                        sum + c
                    } else {
                        sum
                    };
                    if total.to_bits() != self.float_bits(acc) {
                        let f = self.heap.float(total);
                        self.hold(f);
                        self.release(acc);
                        acc = f;
                    }
                }
                for it in items {
                    self.release(it);
                }
                self.heap.decref_runtime_soft(acc);
                result?;
                acc
            }
            "sorted" => {
                self.expect_args("sorted", args, 1, 1)?;
                let l = self.new_list(0);
                self.hold(l);
                let r = self
                    .list_extend(l, arg(args, 0))
                    .and_then(|_| self.sort_list_in_place(l, kwargs));
                self.heap.decref_runtime_soft(l);
                r?;
                l
            }
            "reversed" => {
                self.expect_args("reversed", args, 1, 1)?;
                match self.heap.payload(arg(args, 0)) {
                    Payload::List(_) => {
                        let it = self.new_iterator(IterKind::ListReverse, vec![arg(args, 0)], 0);
                        self.heap.decref_runtime_soft(it);
                        it
                    }
                    _ => {
                        let items = self.iterate(arg(args, 0))?;
                        let rev: Vec<ObjId> = items.iter().rev().copied().collect();
                        let t = self.new_tuple(&rev);
                        for it in items {
                            self.release(it);
                        }
                        self.hold(t);
                        let it = self.new_iterator(IterKind::Tuple, vec![t], 0);
                        self.release(t);
                        self.heap.decref_runtime_soft(it);
                        it
                    }
                }
            }
            "enumerate" => {
                self.expect_args("enumerate", args, 1, 2)?;
                let inner = self.get_iter(arg(args, 0))?;
                let start = match args.get(1).copied().or(Vm::kwarg(kwargs, "start")) {
                    Some(s) => self.index_value(s)?,
                    None => 0,
                };
                let it = self.new_iterator(IterKind::Enumerate, vec![inner], start);
                self.release(inner);
                self.heap.decref_runtime_soft(it);
                it
            }
            "zip" => {
                let mut inners = Vec::new();
                for &a in args {
                    inners.push(self.get_iter(a)?);
                }
                let it = self.new_iterator(IterKind::Zip, inners.clone(), 0);
                for i in inners {
                    self.release(i);
                }
                self.heap.decref_runtime_soft(it);
                it
            }
            "map" | "filter" => {
                if name == "map" && args.len() < 2 {
                    return Err(self
                        .error(
                            BuiltinType::TypeError,
                            "map() must have at least two arguments.",
                        )
                        .into());
                }
                if name == "filter" && args.len() != 2 {
                    return Err(self
                        .error_fmt(
                            BuiltinType::TypeError,
                            format_args!("filter expected 2 arguments, got {}", args.len()),
                        )
                        .into());
                }
                let mut sources = vec![arg(args, 0)];
                self.hold(sources[0]);
                for &a in &args[1..] {
                    match self.get_iter(a) {
                        Ok(it) => sources.push(it),
                        Err(e) => {
                            for s in sources {
                                self.release(s);
                            }
                            return Err(e);
                        }
                    }
                }
                let kind = if name == "map" {
                    IterKind::Map
                } else {
                    IterKind::Filter
                };
                let it = self.new_iterator(kind, sources.clone(), 0);
                for s in sources {
                    self.release(s);
                }
                self.heap.decref_runtime_soft(it);
                it
            }
            "iter" => {
                self.expect_args("iter", args, 1, 1)?;
                let it = self.get_iter(arg(args, 0))?;
                self.heap.decref_runtime_soft(it);
                it
            }
            "next" => {
                self.expect_args("next", args, 1, 2)?;
                match self.iter_next(arg(args, 0))? {
                    Some(v) => {
                        self.heap.decref_runtime_soft(v);
                        v
                    }
                    None => match args.get(1) {
                        Some(&d) => d,
                        None => {
                            let class = self.heap.type_object(BuiltinType::StopIteration);
                            let e = self.exception_instance(class, &[]);
                            self.heap.incref_runtime(e, "the exception being raised");
                            self.release(e);
                            return Err(Exc(e).into());
                        }
                    },
                }
            }
            "chr" => {
                self.expect_args("chr", args, 1, 1)?;
                let n = self.index_value(arg(args, 0))?;
                match u32::try_from(n).ok().and_then(char::from_u32) {
                    Some(c) => self.heap.str(&c.to_string()),
                    None => {
                        return Err(self
                            .error(BuiltinType::ValueError, "chr() arg not in range(0x110000)")
                            .into())
                    }
                }
            }
            "ord" => {
                self.expect_args("ord", args, 1, 1)?;
                let s = self.str_arg(arg(args, 0), "ord()")?;
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => self.heap.int_i64(c as i64),
                    _ => {
                        return Err(self
                            .error_fmt(
                                BuiltinType::TypeError,
                                format_args!(
                                    "ord() expected a character, but string of length {} found",
                                    s.chars().count()
                                ),
                            )
                            .into())
                    }
                }
            }
            "repr" | "ascii" => {
                self.expect_args(name, args, 1, 1)?;
                let r = self.repr(arg(args, 0))?;
                self.heap.str(&r)
            }
            "hex" | "oct" | "bin" => {
                self.expect_args(name, args, 1, 1)?;
                let Some(i) = self.int_value(arg(args, 0)) else {
                    return Err(self.not_an_integer(arg(args, 0)).into());
                };
                let s = match name {
                    "hex" => format::int_hex(&i),
                    "oct" => format::int_oct(&i),
                    _ => format::int_bin(&i),
                };
                self.heap.str(&s)
            }
            "round" => {
                self.expect_args("round", args, 1, 2)?;
                let digits = match args.get(1) {
                    Some(&d) if !matches!(self.heap.payload(d), Payload::None) => {
                        Some(self.index_value(d)?)
                    }
                    _ => None,
                };
                match (self.heap.payload(arg(args, 0)).clone(), digits) {
                    (Payload::Int(i), _) => self.heap.int(i),
                    (Payload::Bool(b), _) => self.heap.int_i64(b as i64),
                    (Payload::Float(f), None) => {
                        let r = f.round_ties_even();
                        match num_traits::FromPrimitive::from_f64(r) {
                            Some(i) => self.heap.int(i),
                            None => {
                                return Err(self
                                    .error(
                                        BuiltinType::OverflowError,
                                        "cannot convert float infinity to integer",
                                    )
                                    .into())
                            }
                        }
                    }
                    (Payload::Float(f), Some(d)) => {
                        let text = format!("{:.*}", d.clamp(0, 300) as usize, f);
                        let v: f64 = if !f.is_finite() {
                            f
                        } else if d >= 0 {
                            crate::format::decimal_to_f64(&text)
                        } else {
                            (f / 10f64.powi(-d as i32)).round_ties_even() * 10f64.powi(-d as i32)
                        };
                        self.heap.float(v)
                    }
                    _ => {
                        return Err(self
                            .type_error(arg(args, 0), |t| {
                                format!("type {t} doesn't define __round__ method")
                            })
                            .into());
                    }
                }
            }
            "divmod" => {
                self.expect_args("divmod", args, 2, 2)?;
                let q = self.binary_op(
                    arg(args, 0),
                    arg(args, 1),
                    crate::ast::Operator::FloorDiv,
                    false,
                )?;
                let m =
                    self.binary_op(arg(args, 0), arg(args, 1), crate::ast::Operator::Mod, false)?;
                let t = self.new_tuple(&[q, m]);
                self.release(q);
                self.release(m);
                t
            }
            "pow" if args.len() == 3 && !matches!(self.heap.payload(args[2]), Payload::None) => {
                self.int_pow_mod(args)?
            }
            "pow" => {
                self.expect_args("pow", args, 2, 3)?;
                let r =
                    self.binary_op(arg(args, 0), arg(args, 1), crate::ast::Operator::Pow, false)?;
                self.heap.decref_runtime_soft(r);
                r
            }
            "hash" => {
                self.expect_args("hash", args, 1, 1)?;
                let (h, _) = self.key_of(arg(args, 0))?;
                self.heap.int_i64(h)
            }
            "callable" => {
                self.expect_args("callable", args, 1, 1)?;
                let c = matches!(
                    self.heap.payload(arg(args, 0)),
                    Payload::Function(_)
                        | Payload::Class(_)
                        | Payload::Builtin(_)
                        | Payload::BoundMethod { .. }
                );
                self.heap.bool(c)
            }
            "any" | "all" => {
                self.expect_args(name, args, 1, 1)?;
                let items = self.iterate(arg(args, 0))?;
                let want = name == "any";
                let mut result = !want;
                let mut err = None;
                for &it in &items {
                    match self.truthy(it) {
                        Ok(t) if t == want => {
                            result = want;
                            break;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            err = Some(e);
                            break;
                        }
                    }
                }
                for it in items {
                    self.release(it);
                }
                if let Some(e) = err {
                    return Err(e);
                }
                self.heap.bool(result)
            }
            "format" => {
                self.expect_args("format", args, 1, 2)?;
                let spec = match args.get(1) {
                    Some(&s) => self.str_arg(s, "format()")?.to_string(),
                    None => String::new(),
                };
                let s = self.format_with_spec(arg(args, 0), &spec)?;
                self.heap.str(&s)
            }
            "getattr" | "hasattr" => {
                self.expect_args(name, args, 2, 3)?;
                let attr = self.str_arg(arg(args, 1), "attribute name")?;
                match self.getattr(arg(args, 0), &attr) {
                    Ok(v) => {
                        self.heap.decref_runtime_soft(v);
                        if name == "hasattr" {
                            self.heap.bool(true)
                        } else {
                            v
                        }
                    }
                    Err(e) => {
                        if name == "hasattr" || args.len() == 3 {
                            self.heap.decref_runtime(e.0, "the exception being raised");
                            if name == "hasattr" {
                                self.heap.bool(false)
                            } else {
                                arg(args, 2)
                            }
                        } else {
                            return Err(e.into());
                        }
                    }
                }
            }
            "setattr" => {
                self.expect_args("setattr", args, 3, 3)?;
                let attr = self.str_arg(arg(args, 1), "attribute name")?;
                self.setattr(arg(args, 0), &attr, arg(args, 2))?;
                none
            }
            "delattr" => {
                self.expect_args("delattr", args, 2, 2)?;
                let attr = self.str_arg(arg(args, 1), "attribute name")?;
                self.delattr(arg(args, 0), &attr)?;
                none
            }
            _ => {
                return Err(self
                    .error_fmt(
                        BuiltinType::NotImplementedError,
                        format_args!("{name}() is not available in memlane"),
                    )
                    .into())
            }
        })
    }

    fn float_bits(&self, o: ObjId) -> u64 {
        match self.heap.payload(o) {
            Payload::Float(f) => f.to_bits(),
            _ => u64::MAX,
        }
    }

    fn isinstance(&mut self, obj: ObjId, t: ObjId) -> PyResult<bool> {
        if let Payload::Tuple(items) = self.heap.payload(t).clone() {
            for it in items {
                if self.isinstance(obj, it)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        if !matches!(self.heap.payload(t), Payload::Class(_)) {
            return Err(self.error(
                BuiltinType::TypeError,
                "isinstance() arg 2 must be a type, a tuple of types, or a union",
            ));
        }
        let class = self.class_of(obj);
        Ok(self.subclass_of(class, t))
    }

    pub fn len_of(&mut self, v: ObjId) -> VmResult<usize> {
        Ok(match self.heap.payload(v) {
            Payload::Str(s) => s.chars().count(),
            Payload::List(l) => l.items.len(),
            Payload::Tuple(t) => t.len(),
            Payload::Dict(d) => d.len(),
            Payload::Set(s) => s.len(),
            Payload::Range { start, stop, step } => {
                crate::ops::range_len(*start, *stop, *step) as usize
            }
            Payload::Iterator(it)
                if matches!(
                    it.kind,
                    IterKind::KeysView | IterKind::ValuesView | IterKind::ItemsView
                ) =>
            {
                let d = it.sources[0];
                self.dict_items(d).len()
            }
            Payload::Instance(_) => match self.call_dunder(v, "__len__", &[])? {
                Some(r) => {
                    let n = self.int_value(r).and_then(|i| i.to_usize()).unwrap_or(0);
                    self.release(r);
                    n
                }
                None => {
                    return Err(self.no_len(v).into());
                }
            },
            _ => {
                return Err(self.no_len(v).into());
            }
        })
    }

    fn min_max(&mut self, name: &str, args: &[ObjId], kwargs: Kwargs) -> VmResult {
        if args.is_empty() {
            return Err(self
                .error_fmt(
                    BuiltinType::TypeError,
                    format_args!("{name} expected at least 1 argument, got 0"),
                )
                .into());
        }
        let items = if args.len() == 1 {
            self.iterate(arg(args, 0))?
        } else {
            for &a in args {
                self.hold(a);
            }
            args.to_vec()
        };
        let key = Vm::kwarg(kwargs, "key");
        let default = Vm::kwarg(kwargs, "default");
        let result = self.min_max_items(name, &items, key);
        // The winner may have no other holder (an item a generator made): it is held
        // across the release of the items, and returned unheld.
        if let Ok(Some(v)) = result {
            self.hold(v);
        }
        for it in items.iter().copied() {
            self.release(it);
        }
        match result? {
            Some(v) => {
                self.heap.decref_runtime_soft(v);
                Ok(v)
            }
            None => match default {
                Some(d) => Ok(d),
                None => {
                    let msg = if self.heap.profile.version >= memlane_core::Version::Py312 {
                        format!("{name}() iterable argument is empty")
                    } else {
                        format!("{name}() arg is an empty sequence")
                    };
                    Err(self.error(BuiltinType::ValueError, msg).into())
                }
            },
        }
    }

    fn min_max_items(
        &mut self,
        name: &str,
        items: &[ObjId],
        key: Option<ObjId>,
    ) -> VmResult<Option<ObjId>> {
        let op = if name == "min" {
            crate::ast::CmpOp::Lt
        } else {
            crate::ast::CmpOp::Gt
        };
        let mut best: Option<(ObjId, ObjId)> = None;
        for &it in items {
            let k = match key {
                Some(f) if !matches!(self.heap.payload(f), Payload::None) => {
                    self.call(f, &[it], &[])?
                }
                _ => {
                    self.hold(it);
                    it
                }
            };
            match best {
                None => best = Some((it, k)),
                Some((_, bk)) => {
                    let r = self.rich_compare(k, bk, op)?;
                    let better = self.truthy(r)?;
                    self.release(r);
                    if better {
                        self.release(bk);
                        best = Some((it, k));
                    } else {
                        self.release(k);
                    }
                }
            }
        }
        Ok(best.map(|(v, k)| {
            self.release(k);
            v
        }))
    }

    /// `list.sort` (stable), with `key` and `reverse`.
    pub fn sort_list_in_place(&mut self, l: ObjId, kwargs: Kwargs) -> VmResult<()> {
        let items = self.list_items(l);
        let key =
            Vm::kwarg(kwargs, "key").filter(|&k| !matches!(self.heap.payload(k), Payload::None));
        let reverse = match Vm::kwarg(kwargs, "reverse") {
            Some(r) => self.truthy(r)?,
            None => false,
        };
        let mut keys = Vec::with_capacity(items.len());
        for &it in &items {
            match key {
                Some(f) => match self.call(f, &[it], &[]) {
                    Ok(k) => keys.push(k),
                    Err(e) => {
                        for k in keys {
                            self.release(k);
                        }
                        return Err(e);
                    }
                },
                None => {
                    self.hold(it);
                    keys.push(it);
                }
            }
        }
        let mut order: Vec<usize> = (0..items.len()).collect();
        if reverse {
            // list.sort(reverse=True) reverses, sorts stably, and reverses back.
            order.reverse();
        }
        let sorted = self.merge_sort(order, &keys);
        for k in keys {
            self.release(k);
        }
        let mut order = sorted?;
        if reverse {
            order.reverse();
        }
        let sorted: Vec<ObjId> = order.into_iter().map(|i| items[i]).collect();
        let cap = match self.heap.payload(l) {
            Payload::List(list) => list.capacity,
            _ => 0,
        };
        self.list_replace_all(l, sorted, cap);
        Ok(())
    }

    /// A stable merge sort that, like CPython's, asks only `b < a`.
    fn merge_sort(&mut self, order: Vec<usize>, keys: &[ObjId]) -> VmResult<Vec<usize>> {
        if order.len() <= 1 {
            return Ok(order);
        }
        let mut right = order;
        let left = right.drain(..right.len() / 2).collect();
        let left = self.merge_sort(left, keys)?;
        let right = self.merge_sort(right, keys)?;
        let mut out = Vec::with_capacity(left.len() + right.len());
        let (mut i, mut j) = (0, 0);
        while i < left.len() && j < right.len() {
            let r = self.rich_compare(keys[right[j]], keys[left[i]], crate::ast::CmpOp::Lt)?;
            let right_first = self.truthy(r);
            self.release(r);
            if right_first? {
                out.push(right[j]);
                j += 1;
            } else {
                out.push(left[i]);
                i += 1;
            }
        }
        out.extend_from_slice(&left[i..]);
        out.extend_from_slice(&right[j..]);
        Ok(out)
    }

    fn call_sys(&mut self, name: &str, args: &[ObjId]) -> VmResult {
        Ok(match name {
            "getrefcount" => {
                self.expect_args("getrefcount", args, 1, 1)?;
                let n = self.heap.reported_refcount(arg(args, 0));
                self.heap.int_i64(n as i64)
            }
            "getsizeof" => {
                self.expect_args("getsizeof", args, 1, 2)?;
                let n = self.heap.sizeof(arg(args, 0));
                self.heap.int_i64(n as i64)
            }
            "intern" => {
                self.expect_args("intern", args, 1, 1)?;
                if !matches!(self.heap.payload(arg(args, 0)), Payload::Str(_)) {
                    return Err(self
                        .type_error(arg(args, 0), |t| {
                            format!("intern() argument must be str, not {t}")
                        })
                        .into());
                }
                self.heap.intern(arg(args, 0))
            }
            "getrecursionlimit" => self.heap.int_i64(self.limits.recursion_limit as i64),
            "setrecursionlimit" => {
                self.expect_args("setrecursionlimit", args, 1, 1)?;
                let n = self.index_value(arg(args, 0))?;
                if n < 1 {
                    return Err(self
                        .error(
                            BuiltinType::ValueError,
                            "recursion limit must be greater or equal than 1",
                        )
                        .into());
                }
                self.limits.recursion_limit = (n as usize).min(10_000);
                self.heap.none()
            }
            _ => unreachable!(),
        })
    }

    fn call_gc(&mut self, name: &str, args: &[ObjId]) -> VmResult {
        Ok(match name {
            "collect" => {
                let g = match args.first() {
                    Some(&g) => self.index_value(g)?,
                    None => 2,
                };
                if !(0..=2).contains(&g) {
                    return Err(self
                        .error(BuiltinType::ValueError, "invalid generation")
                        .into());
                }
                let n = self.collect(g as u8)?;
                self.heap.int_i64(n as i64)
            }
            "get_count" => {
                let c = self.heap.gc.counts;
                self.int_tuple(&c)
            }
            "get_threshold" => {
                let t = self.heap.gc.thresholds;
                self.int_tuple(&t)
            }
            "set_threshold" => {
                for (i, &a) in args.iter().take(3).enumerate() {
                    let v = self.index_value(a)?;
                    self.heap.gc.thresholds[i] = v.max(0) as u32;
                }
                self.heap.none()
            }
            "isenabled" => self.heap.bool(self.heap.gc.enabled),
            "enable" | "disable" => {
                self.heap.gc.enabled = name == "enable";
                self.heap.none()
            }
            "is_tracked" => {
                self.expect_args("is_tracked", args, 1, 1)?;
                let t = self.heap.get(arg(args, 0)).gc_tracked;
                self.heap.bool(t)
            }
            _ => unreachable!(),
        })
    }

    fn int_tuple(&mut self, values: &[u32]) -> ObjId {
        let ints: Vec<ObjId> = values
            .iter()
            .map(|&v| self.heap.int_i64(v as i64))
            .collect();
        for &i in &ints {
            self.hold(i);
        }
        let t = self.new_tuple(&ints);
        for i in ints {
            self.release(i);
        }
        t
    }
}
