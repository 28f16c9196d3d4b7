//! A tokenizer, parser and step-wise interpreter for the Python subset memlane teaches.
//! The interpreter keeps every value in memlane-core's heap; it knows nothing of drawing.

pub mod ast;
pub mod builtins;
pub mod bytecode;
mod case;
#[rustfmt::skip] // generated: scripts/gen-unicode-case.py
mod case_data;
pub mod compile;
pub mod containers;
pub mod exec;
pub mod format;
pub mod instr;
mod keys;
pub mod lexer;
pub mod limits;
pub mod methods;
pub mod ops;
pub mod parser;
mod printf;
mod str_format;
pub mod symtable;
pub mod vm;

use memlane_core::{Heap, MemoryConfig, Outcome, Profile, Recorder, Trace};
use vm::{Halt, Limits, Vm};

/// How to run a program.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub profile: Profile,
    /// The run stops with `Outcome::Limit` after this many line steps.
    pub max_steps: usize,
    /// The file name shown in tracebacks.
    pub filename: String,
    /// The simulated machine's memory (RAM frames, TLB, replacement policy, ...).
    pub memory: MemoryConfig,
    /// Live objects the heap may hold before an allocation raises MemoryError.
    pub max_objects: usize,
    /// Bytes the simulated allocator may hand out before an allocation raises MemoryError.
    pub max_heap_bytes: u64,
    /// Items builtins (`sum`, `list`, `sorted`, ...) may iterate within one step before
    /// the run stops with `Outcome::Limit`.
    pub max_iterations_per_step: usize,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            profile: Profile::default(),
            max_steps: 1_000_000,
            filename: "main.py".into(),
            memory: MemoryConfig::default(),
            max_objects: limits::MAX_OBJECTS,
            max_heap_bytes: limits::MAX_HEAP_BYTES,
            max_iterations_per_step: limits::MAX_ITERATIONS_PER_STEP,
        }
    }
}

/// Runs `source` to its end (or to a limit) and returns its full history.
/// Every failure is an `Outcome`, never a panic.
pub fn run(source: &str, options: &RunOptions) -> Trace {
    Session::start(source, options).finish()
}

/// A program run a slice at a time, so a caller (the web page) can stay responsive and
/// stop it: `run` is `start`, then `advance` to the end, then `finish`. Slicing changes
/// nothing in the history: the pause is taken between two steps, before anything of the
/// next one happens.
pub struct Session {
    state: SessionState,
}

enum SessionState {
    Running(Box<Vm>),
    Done(Box<Trace>),
}

/// The reason a stopped run gives (`Outcome::Limit`'s message).
pub const STOPPED_MESSAGE: &str = "stopped by the reader; the steps so far are kept";

impl Session {
    /// Parses and compiles `source` and readies the module; no line runs yet. A program
    /// that does not parse or compile is done at once, with its error as the outcome.
    pub fn start(source: &str, options: &RunOptions) -> Session {
        let done = |trace| Session {
            state: SessionState::Done(Box::new(trace)),
        };
        if source.len() > limits::MAX_SOURCE_BYTES {
            let message = limits::source_too_large(source.len());
            return done(Recorder::new().finish(options.profile, Outcome::Limit { message }));
        }
        let module = match parser::parse(source) {
            Ok(m) => m,
            Err(e) => {
                let outcome = match &e.kind {
                    parser::ParseErrorKind::Unsupported(what) => Outcome::Unsupported {
                        message: format!("`{what}` is not supported (line {})", e.line),
                        line: e.line,
                    },
                    // CPython's parser runs out of stack on such input and says so.
                    parser::ParseErrorKind::Syntax(msg) if msg == parser::NESTED_TOO_DEEPLY => {
                        parser_stack_overflow(options.profile.version)
                    }
                    parser::ParseErrorKind::Syntax(msg) => {
                        syntax_error(source, &options.filename, msg, e.line, e.col)
                    }
                };
                return done(Recorder::new().finish(options.profile, outcome));
            }
        };
        let compiled = match compile::compile(&module, options.profile.version) {
            Ok(c) => c,
            Err(e) => {
                let outcome = if e.unsupported {
                    Outcome::Unsupported {
                        message: format!("{} not supported (line {})", e.message, e.line),
                        line: e.line,
                    }
                } else {
                    syntax_error(source, &options.filename, &e.message, e.line, e.col)
                };
                return done(Recorder::new().finish(options.profile, outcome));
            }
        };
        let limits = Limits {
            max_steps: options.max_steps,
            recursion_limit: options.profile.recursion_limit() as usize,
            max_native_depth: 150,
            max_objects: options.max_objects,
            max_heap_bytes: options.max_heap_bytes,
            max_iterations_per_step: options.max_iterations_per_step,
        };
        let mut vm = Box::new(Vm::new(
            Heap::with_memory(options.profile, options.memory),
            compiled,
            limits,
            options.filename.clone(),
            source,
        ));
        vm.materialize();
        // Compiling comes before running: its warnings are on stderr before any step.
        for (line, message) in std::mem::take(&mut vm.compiled.warnings) {
            let text = source.lines().nth(line as usize - 1).unwrap_or("").trim();
            vm.stderr_write(&format!(
                "{}:{line}: SyntaxWarning: {message}\n  {text}\n",
                options.filename
            ));
        }
        let mut session = Session {
            state: SessionState::Running(vm),
        };
        if let SessionState::Running(vm) = &mut session.state {
            vm.stack_base = limits::stack_position();
            let started = vm.start_module();
            if let Err(halt) = started {
                session.end(halt);
            }
        }
        session
    }

    /// Runs until `max_steps` more line steps are recorded or the program ends. The pause
    /// waits for the top-level loop, so a step taken inside a nested call (a sort key, a
    /// `__del__`, a generator driven by `for`) may carry a slice past `max_steps`.
    /// Returns whether the program is still running.
    pub fn advance(&mut self, max_steps: usize) -> bool {
        let SessionState::Running(vm) = &mut self.state else {
            return false;
        };
        vm.pause_at = vm.heap.recorder.step_count().saturating_add(max_steps);
        // Each slice may start at another depth of the caller's stack.
        vm.stack_base = limits::stack_position();
        match vm.resume_module() {
            Err(Halt::Pause) => true,
            Ok(()) => {
                self.end_with(Outcome::Finished);
                false
            }
            Err(halt) => {
                self.end(halt);
                false
            }
        }
    }

    /// The line steps recorded so far.
    pub fn steps(&self) -> usize {
        match &self.state {
            SessionState::Running(vm) => vm.heap.recorder.step_count(),
            SessionState::Done(trace) => trace.len(),
        }
    }

    /// Whether the program has ended (and `finish` returns at once).
    pub fn is_done(&self) -> bool {
        matches!(self.state, SessionState::Done(_))
    }

    /// The history so far: a run still going ends here, as a limit does
    /// (`Outcome::Limit` with [`STOPPED_MESSAGE`]); an ended run's trace is unchanged.
    pub fn stop(mut self) -> Trace {
        if !self.is_done() {
            self.end_with(Outcome::Limit {
                message: STOPPED_MESSAGE.into(),
            });
        }
        self.finish()
    }

    /// Runs to the end (or a limit) and returns the whole history.
    pub fn finish(mut self) -> Trace {
        while self.advance(usize::MAX) {}
        match self.state {
            SessionState::Done(trace) => *trace,
            SessionState::Running(_) => unreachable!("advance runs to the end"),
        }
    }

    fn end(&mut self, halt: Halt) {
        let outcome = match (halt, &mut self.state) {
            (Halt::Exception(e), SessionState::Running(vm)) => vm.uncaught(e),
            (Halt::Limit(message), _) => Outcome::Limit { message },
            _ => unreachable!("a pause does not end the run"),
        };
        self.end_with(outcome);
    }

    /// The interpreter shuts down (unless a limit stopped it) and the history is closed.
    fn end_with(&mut self, outcome: Outcome) {
        let placeholder = SessionState::Done(Box::new(
            Recorder::new().finish(Profile::default(), Outcome::Finished),
        ));
        if let SessionState::Running(mut vm) = std::mem::replace(&mut self.state, placeholder) {
            if !matches!(outcome, Outcome::Limit { .. }) {
                vm.shutdown();
            }
            self.state = SessionState::Done(Box::new(vm.heap.finish(outcome)));
        }
    }
}

/// What CPython reports when its parser's stack overflows (`MAXSTACK`): a bare MemoryError
/// in 3.11, with a message from 3.12 on; no traceback, as nothing ran.
fn parser_stack_overflow(version: memlane_core::Version) -> Outcome {
    let message = if version >= memlane_core::Version::Py312 {
        "Parser stack overflowed - Python source too complex to parse"
    } else {
        ""
    };
    let last = if message.is_empty() {
        "MemoryError".to_owned()
    } else {
        format!("MemoryError: {message}")
    };
    Outcome::Exception {
        type_name: "MemoryError".into(),
        message: message.into(),
        line: None,
        traceback: format!("{last}\n"),
    }
}

/// CPython's report of a SyntaxError: file, line, the source line and a caret.
fn syntax_error(source: &str, filename: &str, message: &str, line: u32, col: u32) -> Outcome {
    let text = source
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("");
    let trimmed = text.trim_start();
    let indent = text.len() - trimmed.len();
    let caret = (col as usize).saturating_sub(1).saturating_sub(indent);
    // Indentation problems are IndentationError, a subclass of SyntaxError.
    let type_name = if message.starts_with("unexpected indent")
        || message.starts_with("expected an indented block")
        || message.starts_with("unindent does not match")
        || message.starts_with("unexpected unindent")
        || message.starts_with("too many levels of indentation")
    {
        "IndentationError"
    } else {
        "SyntaxError"
    };
    let traceback = format!(
        "  File \"{filename}\", line {line}\n    {}\n    {}^\n{type_name}: {message}\n",
        trimmed.trim_end(),
        " ".repeat(caret)
    );
    Outcome::Exception {
        type_name: type_name.into(),
        message: message.into(),
        line: Some(line),
        traceback,
    }
}
