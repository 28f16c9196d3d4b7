//! Python's hashing of ints, floats and tuples, and the keys dicts and sets index by.
//! Int and float hashes follow CPython exactly (they decide set order, which `print`
//! shows). str hashes are randomised per process in CPython, so any stable hash will do.

use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

/// The hasher of the model's own maps (dict indexes, the log's string table, pools by
/// address). rustc-hash 2 hashes a string with a folded multiply: the FxHash mixing that
/// was here before kept texts such as `key 123456` apart poorly (about 4,700 of 200,000
/// shared a whole 64-bit hash), and a run building a 200,000-entry dict spent 40% of its
/// time probing the string table (`docs/performance.md`, "The string table's hash").
pub type FxBuild = rustc_hash::FxBuildHasher;

/// The modulus of CPython's numeric hash (2**61 - 1 on 64-bit builds).
const MODULUS: u64 = (1 << 61) - 1;
const INF_HASH: i64 = 314_159;

fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

pub fn hash_int(v: &BigInt) -> i64 {
    let m = BigInt::from(MODULUS);
    let r = (v.magnitude() % m.magnitude()).to_u64().unwrap_or(0) as i64;
    fix_minus_one(if v.sign() == Sign::Minus { -r } else { r })
}

/// CPython's `_Py_HashDouble` for finite values; NaN hashes by identity in CPython, the
/// caller passes the object's id for that.
pub fn hash_float(v: f64, identity: u64) -> i64 {
    if v.is_nan() {
        return fix_minus_one((identity >> 4) as i64);
    }
    if v.is_infinite() {
        return if v > 0.0 { INF_HASH } else { -INF_HASH };
    }
    let (mut m, mut e) = frexp(v.abs());
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (61 - 28));
        m *= 268_435_456.0; // 2**28
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 {
        e % 61
    } else {
        61 - 1 - ((-1 - e) % 61)
    };
    x = ((x << e) & MODULUS) | (x >> (61 - e));
    let h = x as i64;
    fix_minus_one(if v < 0.0 { -h } else { h })
}

fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (0.0, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// CPython's tuple hash (xxHash-based, 3.8+).
pub fn hash_tuple(items: &[i64]) -> i64 {
    const P1: u64 = 11_400_714_785_074_694_791;
    const P2: u64 = 14_029_467_366_897_019_727;
    const P5: u64 = 2_870_177_450_012_600_261;
    let mut acc: u64 = P5;
    for &h in items {
        acc = acc.wrapping_add((h as u64).wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3_527_539));
    if acc == u64::MAX {
        return 1_546_275_796;
    }
    acc as i64
}

/// `slot_tp_hash`: what `hash()` makes of the int a class's `__hash__` returned. A value
/// that fits in a `Py_hash_t` is kept as it is (so `hash(x)` returned from `__hash__` keeps
/// it), a bigger one is hashed as an int; -1 becomes -2.
pub fn hash_from_python(v: &BigInt) -> i64 {
    match v.to_i64() {
        Some(h) => fix_minus_one(h),
        None => hash_int(v),
    }
}

/// FNV-1a: stands in for CPython's randomised SipHash of str.
pub fn hash_str(s: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    fix_minus_one(h as i64)
}

/// What a dict or set compares keys by: equal Python values give equal keys
/// (`1`, `1.0` and `True` are one key, as in Python).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    None,
    Int(BigInt),
    /// A float with a fractional part, by its bits (`-0.0` is folded into `Int(0)`).
    Float(u64),
    Str(std::rc::Rc<str>),
    Tuple(Vec<Key>),
    /// Objects hashed by identity: functions, classes, instances, NaN.
    Identity(u32),
    /// An object whose hash came from Python code (its class's `__hash__`, or a tuple
    /// holding such an object), by that hash and its id: equal here only to itself; the
    /// interpreter matches it with any other key of its hash by calling `==`.
    Hashed {
        hash: i64,
        id: u32,
    },
}

/// Why `Heap::key_of` gives no key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoKey {
    /// `unhashable type`: lists, dicts, sets, instances whose class set `__hash__` to
    /// None (as defining `__eq__` alone does).
    Unhashable,
    /// Its hash comes from Python code (a class's `__hash__`, or a tuple holding such an
    /// object): the interpreter computes it.
    ByPython,
}

impl Key {
    /// Whether matching this key against another of its hash takes Python's `==`.
    pub fn is_hashed(&self) -> bool {
        matches!(self, Key::Hashed { .. })
    }

    pub fn from_float(v: f64, identity: u32) -> Key {
        if v.is_nan() {
            Key::Identity(identity)
        } else if v.fract() == 0.0 && v.is_finite() {
            Key::Int(num_traits::FromPrimitive::from_f64(v).unwrap_or_default())
        } else {
            Key::Float(v.to_bits())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_hashes_match_cpython() {
        assert_eq!(hash_int(&BigInt::from(-1)), -2);
        assert_eq!(hash_int(&BigInt::from(12345)), 12345);
        assert_eq!(hash_int(&(BigInt::from(1u64) << 61)), 1);
        assert_eq!(hash_int(&BigInt::from(-(1i64 << 61))), -2);
    }

    #[test]
    fn float_hashes_match_cpython() {
        // hash(0.5) == 1152921504606846976, hash(1.5) == 1152921504606846977 in CPython.
        assert_eq!(hash_float(0.5, 0), 1_152_921_504_606_846_976);
        assert_eq!(hash_float(1.5, 0), 1_152_921_504_606_846_977);
        assert_eq!(hash_float(2.0, 0), 2);
        assert_eq!(hash_float(-2.5, 0), -1_152_921_504_606_846_978);
        assert_eq!(hash_float(f64::INFINITY, 0), 314_159);
    }

    #[test]
    fn tuple_hash_matches_cpython() {
        // hash((1, 2)) == -3550055125485641917 and hash(()) == 5740354900026072187.
        assert_eq!(hash_tuple(&[1, 2]), -3_550_055_125_485_641_917);
        assert_eq!(hash_tuple(&[]), 5_740_354_900_026_072_187);
    }

    #[test]
    fn hashes_from_python_match_cpython() {
        // A class whose __hash__ returns 2**62, -1 or 2**64 + 5 hashes to these.
        assert_eq!(
            hash_from_python(&(BigInt::from(1u64) << 62)),
            4_611_686_018_427_387_904
        );
        assert_eq!(hash_from_python(&BigInt::from(-1)), -2);
        assert_eq!(
            hash_from_python(&((BigInt::from(1u64) << 64) + 5)),
            hash_int(&((BigInt::from(1u64) << 64) + 5))
        );
    }
}
