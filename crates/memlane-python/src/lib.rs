//! A tokenizer, parser and step-wise interpreter for the Python subset memlane teaches.
//! The interpreter keeps every value in memlane-core's heap; it knows nothing of drawing.

pub mod ast;
pub mod format;
pub mod lexer;
pub mod parser;

use memlane_core::{Outcome, Profile, Recorder, Trace};

/// How to run a program.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub profile: Profile,
    /// The run stops with `Outcome::Limit` after this many line steps.
    pub max_steps: usize,
    /// The file name shown in tracebacks.
    pub filename: String,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { profile: Profile::default(), max_steps: 1_000_000, filename: "main.py".into() }
    }
}

/// Runs `source` to its end (or to a limit) and returns its full history.
/// Never panics on any input: every failure is an `Outcome`.
pub fn run(source: &str, options: &RunOptions) -> Trace {
    // Placeholder until the interpreter lands (same session); see interp.rs.
    let _ = source;
    Recorder::new().finish(options.profile, Outcome::Limit { message: "the interpreter is not built yet".into() })
}
