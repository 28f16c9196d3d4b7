//! CPython version profiles: the behaviour that differs between 3.11, 3.12 and 3.13.
//! Each figure here was read off the real interpreters (3.11.7, 3.12.1, 3.13.0).

use serde::{Deserialize, Serialize};

/// A CPython minor version whose memory behaviour memlane models.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Version {
    #[serde(rename = "3.11")]
    Py311,
    #[serde(rename = "3.12")]
    Py312,
    #[default]
    #[serde(rename = "3.13")]
    Py313,
}

impl Version {
    pub const ALL: [Version; 3] = [Version::Py311, Version::Py312, Version::Py313];
    /// Each version's name, in the order of [`Version::ALL`].
    pub const NAMES: [&'static str; 3] = ["3.11", "3.12", "3.13"];

    pub fn parse(s: &str) -> Option<Version> {
        let i = Self::NAMES.iter().position(|n| *n == s.trim())?;
        Some(Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The patch release whose behaviour the profile reproduces.
    pub fn modelled_release(self) -> &'static str {
        match self {
            Version::Py311 => "3.11.7",
            Version::Py312 => "3.12.1",
            Version::Py313 => "3.13.0",
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `sys.getrefcount` reports for an immortal object (PEP 683, 3.12 and 3.13 on 64-bit).
pub const IMMORTAL_REFCOUNT: u64 = 4_294_967_295;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub version: Version,
}

impl Profile {
    pub fn new(version: Version) -> Profile {
        Profile { version }
    }

    /// PEP 683: None, True, False, small ints and other static objects are immortal from 3.12.
    pub fn has_immortal_objects(self) -> bool {
        self.version >= Version::Py312
    }

    /// Interned strings were immortal in 3.12.0 to 3.12.6 and are mortal again in 3.13.
    pub fn interned_strings_immortal(self) -> bool {
        self.version == Version::Py312
    }

    pub fn gc_thresholds(self) -> [u32; 3] {
        match self.version {
            Version::Py311 | Version::Py312 => [700, 10, 10],
            Version::Py313 => [2000, 10, 10],
        }
    }

    pub fn recursion_limit(self) -> u32 {
        1000
    }

    /// Size of the compact str header: `sys.getsizeof("")` minus the terminating NUL.
    /// 3.12 dropped the `wstr` fields (PEP 623).
    pub fn str_ascii_header(self) -> u64 {
        match self.version {
            Version::Py311 => 48,
            _ => 40,
        }
    }

    /// Header of a compact non-ASCII str (PyCompactUnicodeObject).
    pub fn str_compact_header(self) -> u64 {
        match self.version {
            Version::Py311 => 72,
            _ => 56,
        }
    }

    /// Whether the shared one-character strings U+0080..U+00FF carry their UTF-8 form
    /// (2 bytes and a NUL, counted by `sys.getsizeof`): from 3.12 they are static objects
    /// built with it (`_Py_LATIN1_CHR`).
    pub fn latin1_chars_have_utf8(self) -> bool {
        self.version >= Version::Py312
    }

    /// `sys.getsizeof` of an instance of a plain class with no `__slots__`.
    pub fn instance_size(self) -> u64 {
        match self.version {
            Version::Py311 => 56,
            _ => 48,
        }
    }

    pub fn function_size(self) -> u64 {
        match self.version {
            Version::Py311 => 152,
            _ => 160,
        }
    }

    pub fn class_size(self) -> u64 {
        match self.version {
            Version::Py311 => 1688,
            Version::Py312 => 1704,
            Version::Py313 => 1712,
        }
    }

    /// Bytes placed before the object header of instances of Python classes:
    /// the managed dict and weakref pointers (3.11 keeps dict and values pointers there).
    pub fn instance_preheader(self) -> u64 {
        16
    }
}
