//! Methods of built-in types (`list.append`, `str.split`, ...) and the constructors of
//! built-in types (`int("5")`, `list(it)`, `ValueError("x")`).

use crate::builtins::arg;
use crate::case;
use crate::containers::list_growth;
use crate::format;
use crate::vm::*;
use memlane_core::event::Holder;
use memlane_core::object::*;
use memlane_core::ObjId;
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::rc::Rc;

type Kwargs<'a> = &'a [(Rc<str>, ObjId)];

impl Vm {
    fn arity(
        &mut self,
        owner: &str,
        name: &str,
        args: &[ObjId],
        min: usize,
        max: usize,
    ) -> PyResult<()> {
        if (min..=max).contains(&args.len()) {
            return Ok(());
        }
        match crate::builtins::arity_message(&format!("{owner}.{name}"), name, args.len(), min, max)
        {
            Some(msg) => Err(self.error(BuiltinType::TypeError, msg)),
            None => Ok(()),
        }
    }

    fn text(&mut self, v: ObjId, what: &str) -> PyResult<Rc<str>> {
        match self.heap.payload(v) {
            Payload::Str(s) => Ok(s.clone()),
            _ => Err(self.type_error(v, |t| format!("{what}, not {t}"))),
        }
    }

    /// A list of new str objects, returned unheld.
    fn str_list(&mut self, parts: Vec<String>) -> ObjId {
        let l = self.new_list(0);
        self.hold(l);
        // The capacity CPython's appends leave, set once: one event per slot instead of a
        // whole-list change per append (quadratic for a long split).
        let capacity = (0..parts.len()).fold(0, |cap, n| list_growth(cap, n, n + 1));
        let items: Vec<ObjId> = parts.iter().map(|p| self.heap.str(p)).collect();
        self.list_replace_all(l, items, capacity);
        self.heap.decref_runtime_soft(l);
        l
    }

    /// Calls `receiver.name(*args)` for a built-in type; the result is returned unheld.
    /// `list.pop([i])` of a list of `n` items.
    fn list_pop(&mut self, receiver: ObjId, n: i64, args: &[ObjId]) -> VmResult {
        self.arity("list", "pop", args, 0, 1)?;
        if n == 0 {
            return Err(self
                .error(BuiltinType::IndexError, "pop from empty list")
                .into());
        }
        let i = match args.first() {
            Some(&a) => self.index_value(a)?,
            None => -1,
        };
        let at = if i < 0 { i + n } else { i };
        if at < 0 || at >= n {
            return Err(self
                .error(BuiltinType::IndexError, "pop index out of range")
                .into());
        }
        let v = self.list_remove_at(receiver, at as usize);
        self.heap.decref_runtime_soft(v);
        Ok(v)
    }

    pub fn call_method(
        &mut self,
        name: &str,
        receiver: ObjId,
        args: &[ObjId],
        kwargs: Kwargs,
    ) -> VmResult {
        let none = self.heap.none();
        // A list's methods that need not read all its items, before the payload is
        // copied for the others (a copy of the items, which those walk anyway).
        if let Payload::List(l) = self.heap.payload(receiver) {
            let n = l.items.len() as i64;
            match name {
                "append" => {
                    self.arity("list", name, args, 1, 1)?;
                    self.list_push(receiver, arg(args, 0));
                    return Ok(none);
                }
                "pop" => return self.list_pop(receiver, n, args),
                "extend" => {
                    self.arity("list", name, args, 1, 1)?;
                    self.list_extend(receiver, arg(args, 0))?;
                    return Ok(none);
                }
                "insert" => {
                    self.arity("list", name, args, 2, 2)?;
                    let i = self.index_value(arg(args, 0))?;
                    let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
                    self.list_insert(receiver, at as usize, arg(args, 1));
                    return Ok(none);
                }
                _ => {}
            }
        }
        // Sets and dicts are matched by kind, their contents read where an arm needs
        // them: a copy of a big table at each call made a loop of `add`s quadratic.
        let payload = match self.heap.payload(receiver) {
            Payload::Set(s) => Payload::Set(Set::empty(s.frozen)),
            Payload::Dict(_) => Payload::Dict(Dict::default()),
            p => p.clone(),
        };
        // The numbers' methods take no arguments (a bool's are int's).
        match (&payload, name) {
            (Payload::Int(_) | Payload::Bool(_), "bit_length" | "bit_count") => {
                self.arity("int", name, args, 0, 0)?
            }
            (Payload::Float(_), "is_integer") => self.arity("float", name, args, 0, 0)?,
            _ => {}
        }
        Ok(match (&payload, name) {
            (Payload::List(l), "remove") => {
                self.arity("list", name, args, 1, 1)?;
                for (i, &it) in l.items.iter().enumerate() {
                    if self.eq_bool(it, arg(args, 0))? {
                        let v = self.list_remove_at(receiver, i);
                        self.release(v);
                        return Ok(none);
                    }
                }
                return Err(self
                    .error(BuiltinType::ValueError, "list.remove(x): x not in list")
                    .into());
            }
            (Payload::List(List { items, .. }) | Payload::Tuple(items), "index") => {
                self.arity(
                    if matches!(payload, Payload::List(_)) {
                        "list"
                    } else {
                        "tuple"
                    },
                    name,
                    args,
                    1,
                    3,
                )?;
                for (i, &it) in items.iter().enumerate() {
                    if self.eq_bool(it, arg(args, 0))? {
                        return Ok(self.heap.int_i64(i as i64));
                    }
                }
                if matches!(payload, Payload::Tuple(_)) {
                    return Err(self
                        .error(BuiltinType::ValueError, "tuple.index(x): x not in tuple")
                        .into());
                }
                let r = self.repr(arg(args, 0))?;
                return Err(self
                    .error_fmt(BuiltinType::ValueError, format_args!("{r} is not in list"))
                    .into());
            }
            (Payload::List(List { items, .. }) | Payload::Tuple(items), "count") => {
                let mut n = 0;
                for &it in items {
                    if self.eq_bool(it, arg(args, 0))? {
                        n += 1;
                    }
                }
                self.heap.int_i64(n as i64)
            }
            (Payload::List(_), "clear") => {
                self.list_replace_all(receiver, Vec::new(), 0);
                none
            }
            (Payload::List(l), "copy") => self.new_list_from(&l.items.clone()),
            (Payload::List(l), "reverse") => {
                let items: Vec<ObjId> = l.items.iter().rev().copied().collect();
                self.list_replace_all(receiver, items, l.capacity);
                none
            }
            (Payload::List(_), "sort") => {
                self.sort_list_in_place(receiver, kwargs)?;
                none
            }
            (Payload::Dict(_), "get") => {
                self.arity("dict", name, args, 1, 2)?;
                match self.dict_get(receiver, arg(args, 0))? {
                    Some(v) => v,
                    None => args.get(1).copied().unwrap_or(none),
                }
            }
            (Payload::Dict(_), "keys" | "values" | "items") => {
                let kind = match name {
                    "keys" => IterKind::KeysView,
                    "values" => IterKind::ValuesView,
                    _ => IterKind::ItemsView,
                };
                let v = self.new_iterator(kind, vec![receiver], 0);
                self.heap.decref_runtime_soft(v);
                v
            }
            (Payload::Dict(_), "pop") => {
                self.arity("dict", name, args, 1, 2)?;
                // One hash and one lookup, as `_PyDict_Pop_KnownHash`.
                let key = arg(args, 0);
                let (h, k) = self.key_of(key)?;
                let found = self.dict_lookup(receiver, key, h, &k)?;
                let entry = match (found, self.heap.payload(receiver)) {
                    (Some(i), Payload::Dict(d)) => d.entries[i].map(|(_, v)| (i, v)),
                    _ => None,
                };
                match entry {
                    Some((i, v)) => {
                        self.hold(v);
                        self.dict_del_at(receiver, i);
                        self.heap.decref_runtime_soft(v);
                        v
                    }
                    None => match args.get(1) {
                        Some(&d) => d,
                        None => {
                            return Err(self.error_with(BuiltinType::KeyError, arg(args, 0)).into())
                        }
                    },
                }
            }
            (Payload::Dict(_), "setdefault") => {
                self.arity("dict", name, args, 1, 2)?;
                // One hash and one lookup, as `PyDict_SetDefault`.
                let key = arg(args, 0);
                let (h, k) = self.key_of(key)?;
                self.dict_general_for(receiver, key);
                let found = self.dict_lookup(receiver, key, h, &k)?;
                match (found, self.heap.payload(receiver)) {
                    (Some(i), Payload::Dict(d)) => d.entries[i].map_or(none, |(_, v)| v),
                    _ => {
                        let d = args.get(1).copied().unwrap_or(none);
                        self.dict_store(receiver, (key, h, k), d, None);
                        d
                    }
                }
            }
            (Payload::Dict(_), "update") => {
                if let Some(&src) = args.first() {
                    self.dict_update(receiver, src)?;
                }
                for (k, v) in kwargs {
                    let key = self.heap.str(k);
                    self.hold(key);
                    self.dict_set(receiver, key, *v)?;
                    self.release(key);
                }
                none
            }
            (Payload::Dict(_), "clear") => {
                self.dict_clear(receiver);
                none
            }
            (Payload::Dict(_), "copy") => self.dict_copy(receiver)?,
            (Payload::Dict(_), "popitem") => {
                let last = match self.heap.payload(receiver) {
                    Payload::Dict(d) => d
                        .entries
                        .iter()
                        .rposition(Option::is_some)
                        .map(|i| (i, d.entries[i])),
                    _ => None,
                };
                let Some((i, Some((k, v)))) = last else {
                    return Err(self
                        .error(BuiltinType::KeyError, "popitem(): dictionary is empty")
                        .into());
                };
                let t = self.new_tuple(&[k, v]);
                self.hold(t);
                self.dict_del_at(receiver, i);
                self.heap.decref_runtime_soft(t);
                t
            }
            (Payload::Set(_), "add") => {
                self.set_add(receiver, arg(args, 0))?;
                none
            }
            (Payload::Set(_), "remove" | "discard") => {
                self.arity("set", name, args, 1, 1)?;
                if !self.set_discard(receiver, arg(args, 0))? && name == "remove" {
                    return Err(self.error_with(BuiltinType::KeyError, arg(args, 0)).into());
                }
                none
            }
            (Payload::Set(_), "pop") => {
                let Some(item) = self.set_pop(receiver) else {
                    return Err(self
                        .error(BuiltinType::KeyError, "pop from an empty set")
                        .into());
                };
                self.heap.decref_runtime_soft(item);
                item
            }
            (Payload::Set(_), "clear") => {
                self.set_clear(receiver);
                none
            }
            (Payload::Set(_), "update") => {
                for &a in args {
                    self.set_update(receiver, a)?;
                }
                none
            }
            // A frozenset cannot change: its copy is itself (CPython's `frozenset_copy`).
            (Payload::Set(s), "copy") if s.frozen => receiver,
            (Payload::Set(_), "intersection") => self.set_intersection_multi(receiver, args)?,
            (Payload::Set(_), "union" | "difference") if !args.is_empty() => {
                // CPython's `set_union` and `set_difference_multi`: the set with the
                // first other, then the result with each further one. The result has
                // the receiver's type.
                let union = name == "union";
                let (r, rest) = if union {
                    (self.set_copy(receiver)?, args)
                } else {
                    (self.set_difference(receiver, args[0])?, &args[1..])
                };
                self.hold(r);
                let mut done = Ok(());
                for &other in rest.iter().filter(|&&o| !union || o != receiver) {
                    done = if union {
                        self.set_update(r, other)
                    } else {
                        self.set_difference_update(r, other)
                    };
                    if done.is_err() {
                        break;
                    }
                }
                self.hand_back(r, done)?
            }
            (Payload::Set(_), "copy" | "union" | "difference") => self.set_copy(receiver)?,
            (Payload::Set(_), "difference_update") => {
                for &other in args {
                    self.set_difference_update(receiver, other)?;
                }
                none
            }
            (Payload::Set(_), "intersection_update") => {
                // The intersection made apart, then the tables exchanged.
                let r = self.set_intersection_multi(receiver, args)?;
                self.hold(r);
                self.heap.swap_set_bodies(receiver, r);
                self.release(r);
                none
            }
            (Payload::Set(_), "symmetric_difference") => {
                self.arity("set", name, args, 1, 1)?;
                self.set_symmetric_difference(receiver, arg(args, 0))?
            }
            (Payload::Set(_), "symmetric_difference_update") => {
                self.arity("set", name, args, 1, 1)?;
                self.set_symmetric_difference_update(receiver, arg(args, 0))?;
                none
            }
            (Payload::Set(_), "isdisjoint") => {
                self.arity("set", name, args, 1, 1)?;
                let common = self.set_intersection(receiver, arg(args, 0))?;
                self.hold(common);
                let disjoint = matches!(self.heap.payload(common), Payload::Set(c) if c.is_empty());
                self.release(common);
                self.heap.bool(disjoint)
            }
            (Payload::Set(_), "issubset" | "issuperset") => {
                let other = self.new_set();
                self.hold(other);
                self.set_update(other, arg(args, 0))?;
                let op = if name == "issubset" {
                    crate::ast::CmpOp::LtE
                } else {
                    crate::ast::CmpOp::GtE
                };
                let r = self.rich_compare(receiver, other, op)?;
                self.release(other);
                self.heap.decref_runtime_soft(r);
                r
            }
            (Payload::Int(i), "bit_length") => self.heap.int_i64(i.bits() as i64),
            (Payload::Bool(b), "bit_length" | "bit_count") => self.heap.int_i64(*b as i64),
            (Payload::Int(i), "bit_count") => self.heap.int_i64(i.magnitude().count_ones() as i64),
            (Payload::Float(f), "is_integer") => self.heap.bool(f.fract() == 0.0 && f.is_finite()),
            (Payload::Str(s), _) => {
                return self.str_method(name, s.clone(), receiver, args, kwargs)
            }
            _ => {
                let t = self.heap.type_name(receiver);
                return Err(self.no_attribute(&t, name).into());
            }
        })
    }

    fn str_method(
        &mut self,
        name: &str,
        s: Rc<str>,
        receiver: ObjId,
        args: &[ObjId],
        kwargs: Kwargs,
    ) -> VmResult {
        let arg_text = |vm: &mut Vm, i: usize, what: &str| -> PyResult<Rc<str>> {
            match args.get(i) {
                Some(&a) => vm.text(a, what),
                None => Err(vm.error_fmt(
                    BuiltinType::TypeError,
                    format_args!("{name}() takes at least 1 argument (0 given)"),
                )),
            }
        };
        let strip_chars = |vm: &mut Vm| -> PyResult<Option<Rc<str>>> {
            match args.first() {
                Some(&a) if !matches!(vm.heap.payload(a), Payload::None) => {
                    Ok(Some(vm.text(a, "strip arg must be None or str")?))
                }
                _ => Ok(None),
            }
        };
        let r = match name {
            "join" => {
                self.arity("str", name, args, 1, 1)?;
                let items = self.iterate(arg(args, 0))?;
                let mut parts = Vec::with_capacity(items.len());
                let mut err = None;
                for (i, &it) in items.iter().enumerate() {
                    match self.heap.payload(it) {
                        // Shared, not copied: the joined size is checked before any copy.
                        Payload::Str(p) => parts.push(p.clone()),
                        _ => {
                            let t = self.heap.type_name(it);
                            err = Some(format!(
                                "sequence item {i}: expected str instance, {t} found"
                            ));
                            break;
                        }
                    }
                }
                // One str item: CPython returns that very object (the items were read
                // once: a generator cannot be read again).
                if err.is_none() && parts.len() == 1 {
                    self.heap.decref_runtime_soft(items[0]);
                    return Ok(items[0]);
                }
                for it in items {
                    self.release(it);
                }
                if let Some(m) = err {
                    return Err(self.error(BuiltinType::TypeError, m).into());
                }
                let len = parts.iter().map(|p| p.len()).sum::<usize>()
                    + s.len() * parts.len().saturating_sub(1);
                self.check_str_bytes(len)?;
                let parts: Vec<&str> = parts.iter().map(|p| &**p).collect();
                return Ok(self.heap.str(&parts.join(&s)));
            }
            "split" | "rsplit" => {
                let sep = match args.first() {
                    Some(&a) if !matches!(self.heap.payload(a), Payload::None) => {
                        Some(self.text(a, "must be str or None")?)
                    }
                    _ => None,
                };
                let maxsplit = match args.get(1) {
                    Some(&m) => self.index_value(m)?,
                    None => -1,
                };
                let parts: Vec<String> = match sep {
                    None => {
                        let words: Vec<&str> = s.split_whitespace().collect();
                        if maxsplit < 0 || (maxsplit as usize) >= words.len() {
                            words.into_iter().map(str::to_owned).collect()
                        } else {
                            let mut out: Vec<String> = Vec::new();
                            let mut rest = s.trim_start();
                            for _ in 0..maxsplit {
                                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                                out.push(rest[..end].to_string());
                                rest = rest[end..].trim_start();
                            }
                            if !rest.is_empty() {
                                out.push(rest.to_string());
                            }
                            out
                        }
                    }
                    Some(sep) => {
                        if sep.is_empty() {
                            return Err(self
                                .error(BuiltinType::ValueError, "empty separator")
                                .into());
                        }
                        if maxsplit < 0 {
                            s.split(&*sep).map(str::to_owned).collect()
                        } else if name == "split" {
                            s.splitn(maxsplit as usize + 1, &*sep)
                                .map(str::to_owned)
                                .collect()
                        } else {
                            let mut v: Vec<String> = s
                                .rsplitn(maxsplit as usize + 1, &*sep)
                                .map(str::to_owned)
                                .collect();
                            v.reverse();
                            v
                        }
                    }
                };
                self.check_new_objects(parts.len())?;
                return Ok(self.str_list(parts));
            }
            "splitlines" => {
                let lines: Vec<String> = s.lines().map(str::to_owned).collect();
                self.check_new_objects(lines.len())?;
                return Ok(self.str_list(lines));
            }
            "strip" => match strip_chars(self)? {
                Some(c) => s.trim_matches(|x| c.contains(x)).to_string(),
                None => s.trim().to_string(),
            },
            "lstrip" => match strip_chars(self)? {
                Some(c) => s.trim_start_matches(|x| c.contains(x)).to_string(),
                None => s.trim_start().to_string(),
            },
            "rstrip" => match strip_chars(self)? {
                Some(c) => s.trim_end_matches(|x| c.contains(x)).to_string(),
                None => s.trim_end().to_string(),
            },
            "upper" => case::upper(&s),
            "lower" => case::lower(&s),
            "swapcase" => case::swapcase(&s),
            "title" => case::title(&s),
            "capitalize" => case::capitalize(&s),
            "replace" => {
                self.arity("str", name, args, 2, 3)?;
                let old = arg_text(self, 0, "replace() argument 1 must be str")?;
                let new = arg_text(self, 1, "replace() argument 2 must be str")?;
                let count = match args.get(2) {
                    Some(&n) => usize::try_from(self.index_value(n)?).ok(),
                    None => None,
                };
                // The result's size is known before it is built: an empty `old` matches
                // between every character and at both ends.
                let found = if old.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(&*old).count()
                };
                let found = count.map_or(found, |c| found.min(c));
                let chars = s.chars().count() - found * old.chars().count()
                    + found.saturating_mul(new.chars().count());
                let bytes = s.len() - found * old.len() + found.saturating_mul(new.len());
                self.check_new_str(chars, bytes)?;
                match count {
                    Some(n) => s.replacen(&*old, &new, n),
                    None => s.replace(&*old, &new),
                }
            }
            "startswith" | "endswith" => {
                let mut options = Vec::new();
                match self.heap.payload(arg(args, 0)).clone() {
                    Payload::Tuple(items) => {
                        for it in items {
                            options
                                .push(self.text(it, "tuple for startswith must only contain str")?);
                        }
                    }
                    _ => options.push(arg_text(
                        self,
                        0,
                        &format!("{name} first arg must be str or a tuple of str"),
                    )?),
                }
                let hit = options.iter().any(|o| {
                    if name == "startswith" {
                        s.starts_with(&**o)
                    } else {
                        s.ends_with(&**o)
                    }
                });
                return Ok(self.heap.bool(hit));
            }
            "find" | "rfind" | "index" | "rindex" | "count" => {
                if self.heap.profile.version >= memlane_core::Version::Py313 {
                    self.arity("str", name, args, 1, 3)?;
                } else if args.is_empty() || args.len() > 3 {
                    let (bound, n) = if args.is_empty() {
                        ("least 1 argument", 0)
                    } else {
                        ("most 3 arguments", args.len())
                    };
                    return Err(self
                        .error_fmt(
                            BuiltinType::TypeError,
                            format_args!("{name}() takes at {bound} ({n} given)"),
                        )
                        .into());
                }
                let sub = arg_text(self, 0, "must be str")?;
                // `start` and `end` as a slice's, in characters (None for either: an end).
                let n = s.chars().count() as i64;
                // CPython's ADJUST_INDICES: negatives count from the end; only `end` is
                // clamped to the length.
                let bound = |vm: &mut Vm, i: usize, default: i64| -> PyResult<i64> {
                    match args.get(i) {
                        Some(&a) if !matches!(vm.heap.payload(a), Payload::None) => {
                            let v = vm.index_value(a)?;
                            Ok(if v < 0 { (v + n).max(0) } else { v })
                        }
                        _ => Ok(default),
                    }
                };
                let start = bound(self, 1, 0)?;
                let end = bound(self, 2, n)?.min(n);
                let byte = |c: i64| s.char_indices().nth(c as usize).map_or(s.len(), |(b, _)| b);
                let window = if start <= end {
                    &s[byte(start)..byte(end)]
                } else {
                    ""
                };
                let char_index = |b: usize| start + window[..b].chars().count() as i64;
                let r = if start > end {
                    if name == "count" {
                        0
                    } else {
                        -1
                    }
                } else {
                    match name {
                        "find" | "index" => window.find(&*sub).map(char_index).unwrap_or(-1),
                        "rfind" | "rindex" => window.rfind(&*sub).map(char_index).unwrap_or(-1),
                        _ if sub.is_empty() => (end - start).max(0) + 1,
                        _ => window.matches(&*sub).count() as i64,
                    }
                };
                if name.ends_with("index") && r < 0 {
                    return Err(self
                        .error(BuiltinType::ValueError, "substring not found")
                        .into());
                }
                return Ok(self.heap.int_i64(r));
            }
            "isascii" => return Ok(self.heap.bool(s.is_ascii())),
            "istitle" => {
                // Upper- and titlecase only after uncased characters, lowercase only after
                // cased ones, and at least one cased character.
                let (mut cased, mut previous_cased) = (false, false);
                for c in s.chars() {
                    if c.is_uppercase() || format::is_titlecase(c) {
                        if previous_cased {
                            return Ok(self.heap.bool(false));
                        }
                        previous_cased = true;
                        cased = true;
                    } else if c.is_lowercase() {
                        if !previous_cased {
                            return Ok(self.heap.bool(false));
                        }
                        previous_cased = true;
                        cased = true;
                    } else {
                        previous_cased = false;
                    }
                }
                return Ok(self.heap.bool(cased));
            }
            "removeprefix" | "removesuffix" => {
                self.arity("str", name, args, 1, 1)?;
                let affix = arg_text(self, 0, &format!("{name}() argument must be str"))?;
                let rest = if name == "removeprefix" {
                    s.strip_prefix(&*affix)
                } else {
                    s.strip_suffix(&*affix)
                };
                match rest {
                    Some(r) if !affix.is_empty() => r.to_string(),
                    _ => return Ok(receiver),
                }
            }
            "expandtabs" => {
                self.arity("str", name, args, 0, 1)?;
                let size = match args.first() {
                    Some(&a) => self.index_value(a)?,
                    None => 8,
                };
                let mut out = String::new();
                let mut column = 0i64;
                for c in s.chars() {
                    match c {
                        '\t' if size > 0 => {
                            let pad = size - column % size;
                            self.check_new_str(out.len() + pad as usize, out.len() + pad as usize)?;
                            out.extend(std::iter::repeat_n(' ', pad as usize));
                            column += pad;
                        }
                        '\t' => {}
                        '\n' | '\r' => {
                            out.push(c);
                            column = 0;
                        }
                        c => {
                            out.push(c);
                            column += 1;
                        }
                    }
                }
                out
            }
            "isdigit" | "isalpha" | "isalnum" | "isspace" | "isupper" | "islower"
            | "isidentifier" | "isdecimal" => {
                let v = !s.is_empty()
                    && match name {
                        "isdecimal" => s.chars().all(|c| format::unicode_decimal(c).is_some()),
                        "isdigit" => s
                            .chars()
                            .all(|c| c.is_ascii_digit() || format::unicode_decimal(c).is_some()),
                        "isalpha" => s.chars().all(char::is_alphabetic),
                        "isalnum" => s.chars().all(char::is_alphanumeric),
                        "isspace" => s.chars().all(format::is_unicode_space),
                        // Titlecase letters count against both, as in CPython.
                        "isupper" => {
                            s.chars().any(char::is_uppercase)
                                && !s
                                    .chars()
                                    .any(|c| c.is_lowercase() || format::is_titlecase(c))
                        }
                        "islower" => {
                            s.chars().any(char::is_lowercase)
                                && !s
                                    .chars()
                                    .any(|c| c.is_uppercase() || format::is_titlecase(c))
                        }
                        _ => {
                            s.chars()
                                .next()
                                .is_some_and(|c| c.is_alphabetic() || c == '_')
                                && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                        }
                    };
                return Ok(self.heap.bool(v));
            }
            "center" | "ljust" | "rjust" => {
                let width = self.index_value(arg(args, 0))?.max(0) as usize;
                let fill = match args.get(1) {
                    Some(_) => arg_text(self, 1, "fill character must be str")?
                        .chars()
                        .next()
                        .unwrap_or(' '),
                    None => ' ',
                };
                let n = s.chars().count();
                if width <= n {
                    return Ok(receiver);
                }
                let pad = width - n;
                self.check_new_str(
                    width,
                    s.len().saturating_add(pad.saturating_mul(fill.len_utf8())),
                )?;
                let (left, right) = match name {
                    "ljust" => (0, pad),
                    "rjust" => (pad, 0),
                    _ => {
                        let left = pad / 2 + (pad & width & 1);
                        (left, pad - left)
                    }
                };
                format!(
                    "{}{}{}",
                    fill.to_string().repeat(left),
                    s,
                    fill.to_string().repeat(right)
                )
            }
            "zfill" => {
                let width = self.index_value(arg(args, 0))?.max(0) as usize;
                let n = s.chars().count();
                if width <= n {
                    return Ok(receiver);
                }
                self.check_new_str(width, s.len() + (width - n))?;
                let (sign, rest) = match s.chars().next() {
                    Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
                    _ => (String::new(), &s[..]),
                };
                format!("{sign}{}{rest}", "0".repeat(width - n))
            }
            "partition" | "rpartition" => {
                let sep = arg_text(self, 0, "must be str")?;
                if sep.is_empty() {
                    return Err(self
                        .error(BuiltinType::ValueError, "empty separator")
                        .into());
                }
                let found = if name == "partition" {
                    s.find(&*sep)
                } else {
                    s.rfind(&*sep)
                };
                let (a, b, c) = match found {
                    Some(i) => (
                        s[..i].to_string(),
                        sep.to_string(),
                        s[i + sep.len()..].to_string(),
                    ),
                    None if name == "partition" => (s.to_string(), String::new(), String::new()),
                    None => (String::new(), String::new(), s.to_string()),
                };
                // A part that is the whole string is the string itself, as in CPython.
                let parts: Vec<ObjId> = [a, b, c]
                    .iter()
                    .map(|p| {
                        if **p == *s {
                            receiver
                        } else {
                            self.heap.str(p)
                        }
                    })
                    .collect();
                for &p in &parts {
                    self.hold(p);
                }
                let t = self.new_tuple(&parts);
                for p in parts {
                    self.release(p);
                }
                return Ok(t);
            }
            "format" => self.str_format(&s, args, kwargs)?,
            _ => return Err(self.no_attribute("str", name).into()),
        };
        if r == *s {
            return Ok(receiver);
        }
        Ok(self.heap.str(&r))
    }

    /// Calling a built-in type: `int("5")`, `list(it)`, `ValueError("msg")`, `object()`.
    /// Returns the new object unheld.
    pub fn construct_builtin(
        &mut self,
        t: BuiltinType,
        class: ObjId,
        args: &[ObjId],
        kwargs: Kwargs,
    ) -> VmResult {
        let name = t.name();
        if t.is_exception() {
            let e = self.exception_instance(class, args);
            self.heap.decref_runtime_soft(e);
            return Ok(e);
        }
        if !kwargs.is_empty() && !matches!(t, BuiltinType::Dict | BuiltinType::Int) {
            return Err(self
                .error_fmt(
                    BuiltinType::TypeError,
                    format_args!("{name}() takes no keyword arguments"),
                )
                .into());
        }
        let arg = args.first().copied();
        Ok(match t {
            BuiltinType::Int => {
                let base = match args
                    .get(1)
                    .copied()
                    .or(kwargs.iter().find(|(k, _)| &**k == "base").map(|(_, v)| *v))
                {
                    Some(b) => Some(self.index_value(b)?),
                    None => None,
                };
                match (arg, base) {
                    (None, _) => self.heap.int(BigInt::zero()),
                    (Some(a), base) => match (self.heap.payload(a).clone(), base) {
                        (Payload::Str(s), b) => match format::int_parse(&s, b.unwrap_or(10)) {
                            Ok(v) => self.new_int(v)?,
                            Err(m) => return Err(self.error(BuiltinType::ValueError, m).into()),
                        },
                        (_, Some(_)) => {
                            return Err(self
                                .error(
                                    BuiltinType::TypeError,
                                    "int() can't convert non-string with explicit base",
                                )
                                .into())
                        }
                        (Payload::Int(i), _) => self.heap.int(i),
                        (Payload::Bool(b), _) => self.heap.int_i64(b as i64),
                        (Payload::Float(f), _) => {
                            if f.is_nan() {
                                return Err(self
                                    .error(
                                        BuiltinType::ValueError,
                                        "cannot convert float NaN to integer",
                                    )
                                    .into());
                            }
                            match num_traits::FromPrimitive::from_f64(f.trunc()) {
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
                        _ => {
                            let tn = self.heap.type_name(a);
                            return Err(self.error_fmt(BuiltinType::TypeError, format_args!("int() argument must be a string, a bytes-like object or a real number, not '{tn}'")).into());
                        }
                    },
                }
            }
            BuiltinType::Float => match arg {
                None => self.heap.float(0.0),
                Some(a) => match self.heap.payload(a).clone() {
                    Payload::Float(f) => self.heap.float(f),
                    Payload::Int(i) => match i.to_f64().filter(|f| f.is_finite()) {
                        Some(f) => self.heap.float(f),
                        None => {
                            return Err(self
                                .error(
                                    BuiltinType::OverflowError,
                                    "int too large to convert to float",
                                )
                                .into())
                        }
                    },
                    Payload::Bool(b) => self.heap.float(b as u8 as f64),
                    Payload::Str(s) => match format::str_float_parse(&s) {
                        Some(f) => self.heap.float(f),
                        None => {
                            let m = format::float_parse_error(&s);
                            return Err(self.error(BuiltinType::ValueError, m).into());
                        }
                    },
                    _ => {
                        let tn = self.heap.type_name(a);
                        return Err(self.error_fmt(BuiltinType::TypeError, format_args!("float() argument must be a string or a real number, not '{tn}'")).into());
                    }
                },
            },
            BuiltinType::Str => match arg {
                None => self.heap.str(""),
                Some(a) => {
                    match self.heap.payload(a) {
                        Payload::Str(_) => a,
                        // Number formatting builds a new string, even of one character.
                        Payload::Int(_) | Payload::Float(_) => {
                            let s = self.str_of(a)?;
                            self.heap.new_str(&s)
                        }
                        _ => {
                            let s = self.str_of(a)?;
                            self.heap.str(&s)
                        }
                    }
                }
            },
            BuiltinType::Bool => match arg {
                None => self.heap.bool(false),
                Some(a) => {
                    let v = self.truthy(a)?;
                    self.heap.bool(v)
                }
            },
            BuiltinType::List => {
                // list() allocates through tp_alloc, not the free list.
                let l = self.heap.alloc_generic(Payload::List(List::default()));
                if let Some(a) = arg {
                    self.hold(l);
                    let r = self.list_extend(l, a);
                    self.heap.decref_runtime_soft(l);
                    r?;
                }
                l
            }
            BuiltinType::Tuple => match arg {
                None => self.heap.empty_tuple(),
                Some(a) if matches!(self.heap.payload(a), Payload::Tuple(_)) => a,
                Some(a) => {
                    let items = self.iterate(a)?;
                    let t = self.new_tuple(&items);
                    for it in items {
                        self.release(it);
                    }
                    t
                }
            },
            BuiltinType::Dict => {
                let d = self.heap.alloc_generic(Payload::Dict(Dict::empty(true)));
                self.hold(d);
                if let Some(a) = arg {
                    self.dict_update(d, a)?;
                }
                for (k, v) in kwargs {
                    let key = self.heap.str(k);
                    self.hold(key);
                    self.dict_set(d, key, *v)?;
                    self.release(key);
                }
                self.heap.decref_runtime_soft(d);
                d
            }
            BuiltinType::Set | BuiltinType::FrozenSet => {
                // `frozenset(f)` of a frozenset is `f` (CPython's `frozenset_new`).
                if let Some(a) = arg.filter(|&a| {
                    t == BuiltinType::FrozenSet
                        && matches!(self.heap.payload(a), Payload::Set(set) if set.frozen)
                }) {
                    return Ok(a);
                }
                let s = self.new_set_of(t == BuiltinType::FrozenSet);
                if let Some(a) = arg {
                    self.hold(s);
                    let r = self.set_update(s, a);
                    self.heap.decref_runtime_soft(s);
                    r?;
                }
                s
            }
            BuiltinType::Range => {
                let mut v = Vec::new();
                for &a in args {
                    match self.int_value(a) {
                        Some(i) => v.push(i.to_i64().unwrap_or(i64::MAX)),
                        None => return Err(self.not_an_integer(a).into()),
                    }
                }
                let (start, stop, step) = match v.len() {
                    1 => (0, v[0], 1),
                    2 => (v[0], v[1], 1),
                    3 => (v[0], v[1], v[2]),
                    0 => {
                        return Err(self
                            .error(
                                BuiltinType::TypeError,
                                "range expected at least 1 argument, got 0",
                            )
                            .into())
                    }
                    n => {
                        return Err(self
                            .error_fmt(
                                BuiltinType::TypeError,
                                format_args!("range expected at most 3 arguments, got {n}"),
                            )
                            .into())
                    }
                };
                if step == 0 {
                    return Err(self
                        .error(BuiltinType::ValueError, "range() arg 3 must not be zero")
                        .into());
                }
                self.heap.alloc(Payload::Range { start, stop, step })
            }
            BuiltinType::Object => {
                // A bare object(): 16 bytes, no GC header, never tracked.
                let inst = self.heap.alloc(Payload::Instance(Instance {
                    class,
                    attrs: Default::default(),
                }));
                self.heap.untrack(inst);
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
            BuiltinType::Type => match arg {
                Some(a) if args.len() == 1 => self.class_of(a),
                _ => {
                    return Err(self
                        .error(BuiltinType::TypeError, "type() takes 1 argument in memlane")
                        .into())
                }
            },
            _ => {
                return Err(self
                    .error_fmt(
                        BuiltinType::TypeError,
                        format_args!("cannot create '{name}' instances"),
                    )
                    .into())
            }
        })
    }
}
