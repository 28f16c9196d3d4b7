//! The example gallery: short programs that each show one thing about where CPython keeps
//! names and objects. Web-free. The programs are the conformance suite's `gallery_*.py`
//! files (included here), so CPython 3.11–3.13 check their printed output.

use crate::embed;
use crate::permalink::Scenario;

/// One gallery entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// A stable identifier (the conformance program is `gallery_<slug>.py`).
    pub slug: &'static str,
    pub title: &'static str,
    /// One sentence on what to watch.
    pub summary: &'static str,
    pub code: &'static str,
    /// The view words it opens with, as an embed's `data-view` spells them.
    pub view: &'static str,
}

impl Example {
    /// The example at its first step, with its view.
    pub fn scenario(&self) -> Scenario {
        let mut scenario = Scenario {
            code: self.code.to_owned(),
            ..Scenario::default()
        };
        embed::apply_view_words(&mut scenario, self.view).expect("gallery view words are valid");
        scenario
    }
}

macro_rules! program {
    ($slug:literal) => {
        include_str!(concat!(
            "../../../tests/conformance/programs/gallery_",
            $slug,
            ".py"
        ))
    };
}

/// Every example, in the order the gallery lists them.
pub const EXAMPLES: &[Example] = &[
    Example {
        slug: "name_binds_int",
        title: "A name bound to an int",
        summary: "Assignment binds a name in the frame to an object on the heap; a second \
                  name for it is a second arrow, and the refcount goes up.",
        code: program!("name_binds_int"),
        view: "",
    },
    Example {
        slug: "small_ints_shared",
        title: "Small ints are shared; 257 is built twice",
        summary: "Ints from -5 to 256 are preallocated, so both names point at one object; \
                  two 257s computed at run time are two objects.",
        code: program!("small_ints_shared"),
        view: "",
    },
    Example {
        slug: "string_interning",
        title: "String interning and sys.intern",
        summary: "Identifier-like string constants are interned; a string built at run time \
                  is a new object until sys.intern returns the interned one.",
        code: program!("string_interning"),
        view: "",
    },
    Example {
        slug: "list_aliasing",
        title: "A list, its elements, and aliasing",
        summary: "A list holds references, not values; two names for one list see the same \
                  append, and a copy is a new list holding the same elements.",
        code: program!("list_aliasing"),
        view: "",
    },
    Example {
        slug: "function_frame",
        title: "A call pushes a frame",
        summary: "Calling area pushes a frame holding its locals; returning pops it and the \
                  locals' references go with it.",
        code: program!("function_frame"),
        view: "",
    },
    Example {
        slug: "refcount_del",
        title: "Refcounts rise and fall to zero",
        summary: "Each reference adds one to the count, del removes one, and the list is \
                  freed the moment its count reaches zero.",
        code: program!("refcount_del"),
        view: "",
    },
    Example {
        slug: "cycle_gc",
        title: "A cycle only the collector frees",
        summary: "Two lists that refer to each other keep their counts above zero after del; \
                  gc.collect() finds them unreachable and frees both.",
        code: program!("cycle_gc"),
        view: "",
    },
    Example {
        slug: "address_to_ram",
        title: "From id() to a RAM frame",
        summary: "An object's address is virtual: the page tables translate its page to a \
                  physical frame; select a card to see the walk and the physical address.",
        code: program!("address_to_ram"),
        view: "ram",
    },
    Example {
        slug: "two_processes",
        title: "Two processes, one address, two frames",
        summary: "A second python3 lays out memory the same way, so the same virtual address \
                  means something in both, held in different physical frames.",
        code: program!("two_processes"),
        view: "ram twin",
    },
    Example {
        slug: "recursion",
        title: "Recursion: one frame per call",
        summary: "Each call of factorial gets a frame of its own with its own n; they pop \
                  in reverse order as the results come back.",
        code: program!("recursion"),
        view: "",
    },
    Example {
        slug: "default_mutable",
        title: "The default mutable argument",
        summary: "A default value is made once, when def runs, and kept by the function: \
                  both calls append to the same list.",
        code: program!("default_mutable"),
        view: "",
    },
    Example {
        slug: "closure_cell",
        title: "A closure's cell",
        summary: "count outlives counter's frame because it lives in a cell object that the \
                  inner function keeps.",
        code: program!("closure_cell"),
        view: "",
    },
];

/// The example with this slug.
pub fn example(slug: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_programs_are_not_empty() {
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert!(!e.code.trim().is_empty(), "{}", e.slug);
            assert!(EXAMPLES[..i].iter().all(|o| o.slug != e.slug), "{}", e.slug);
            assert_eq!(example(e.slug), Some(e));
        }
    }
}
