//! memlane's own limits, so that no program can hang the page or exhaust the machine's
//! memory: what CPython would try to allocate for real is refused with its own error
//! (MemoryError, OverflowError), and work with no line to count stops with a limit.
//!
//! The figures come from timing the simulation (release build, natively; the browser is
//! slower): every slot of a container and every object is modelled with its events, so
//! `[0] * 10**7` took 45 s and 5 GB and `list(range(10**6))` 17 s and 2 GB before these
//! caps (see docs/robustness.md).

use crate::vm::{Halt, Vm, VmResult};
use memlane_core::object::BuiltinType;

/// The longest program `run` accepts, in bytes of UTF-8 (the same as a permalink's).
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// Items one list, tuple, set or dict may hold.
pub const MAX_ITEMS: usize = 1_000_000;
/// Characters one string may hold (a string is one object, so it may be longer).
pub const MAX_STR_CHARS: usize = 10 * MAX_ITEMS;
/// Bits one int may hold (about 5 million decimal digits).
pub const MAX_INT_BITS: u64 = 1 << 24;
/// Live objects the simulated heap may hold.
pub const MAX_OBJECTS: usize = 1_000_000;
/// Bytes the simulated allocator may have handed out (objects as `sys.getsizeof` sizes
/// them, with their separately allocated storage, rounded to pymalloc's size classes and
/// malloc's chunks). Each modelled byte of a str or int is held for real in the page
/// (measured: 200 strings of 9 million characters, each under [`MAX_STR_CHARS`], held
/// 1.8 GB and tripped the page's 1 GiB guard); 256 MiB keeps a run's own objects to a
/// quarter of that guard, while the largest conformance program uses under 2 MiB
/// (see docs/robustness.md).
pub const MAX_HEAP_BYTES: u64 = 256 << 20;
/// The most a str's header takes (`sys.getsizeof("")` is 49 to 73 by kind and version).
const STR_HEADER_BYTES: u64 = 80;
/// Bytes a run may print: the page keeps every print in the history and shows the output
/// as text, so a loop printing a 5-million-character string would otherwise build
/// gigabytes (CPython writes them out and keeps nothing).
pub const MAX_OUTPUT_BYTES: usize = 8 << 20;
/// Items builtins may iterate within one step.
pub const MAX_ITERATIONS_PER_STEP: usize = 200_000;

/// Bytes of Rust stack nested native-to-Python calls (`__repr__` calling `repr`, a key
/// function calling `sorted`) may use before they raise RecursionError. The browser gives
/// wasm 1 MiB of stack and a test thread has 2 MiB; a debug build's frames are large, so
/// counting calls alone (`max_native_depth`) does not keep within either.
#[cfg(target_arch = "wasm32")]
pub const STACK_BUDGET: usize = 512 * 1024;
#[cfg(not(target_arch = "wasm32"))]
pub const STACK_BUDGET: usize = 1024 * 1024;

/// The address of a local: where the stack is now.
#[inline(never)]
pub fn stack_position() -> usize {
    let here = 0u8;
    std::hint::black_box(&here) as *const u8 as usize
}

/// The message of `Outcome::Limit` for a program longer than [`MAX_SOURCE_BYTES`].
pub fn source_too_large(len: usize) -> String {
    format!(
        "the program is {len} bytes long; memlane runs programs of up to {} KiB",
        MAX_SOURCE_BYTES / 1024
    )
}

impl Vm {
    /// MemoryError, as CPython raises it when an allocation fails (no message).
    pub fn memory_error(&mut self) -> Halt {
        self.error(BuiltinType::MemoryError, "").into()
    }

    /// MemoryError unless a container of `items` items fits.
    pub fn check_items(&mut self, items: usize) -> VmResult<()> {
        if items > MAX_ITEMS {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// Whether nested native calls have used up [`STACK_BUDGET`].
    pub fn stack_exhausted(&self) -> bool {
        self.stack_base != 0 && self.stack_base.abs_diff(stack_position()) > STACK_BUDGET
    }

    /// MemoryError unless a container of `n` new objects fits, with the objects.
    pub fn check_new_objects(&mut self, n: usize) -> VmResult<()> {
        self.check_items(n)?;
        if self.heap.live_count().saturating_add(n) >= self.limits.max_objects {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// MemoryError once the heap holds as many objects as it may, or as many bytes.
    pub fn check_objects(&mut self) -> VmResult<()> {
        if self.heap.live_count() >= self.limits.max_objects {
            return Err(self.memory_error());
        }
        self.check_bytes(0)
    }

    /// MemoryError unless an allocation of `bytes` more fits under the heap's byte cap:
    /// called, before allocating, where a program makes an object whose size it chooses
    /// (a str, an int, a repeated or joined sequence), as CPython's allocation would fail.
    pub fn check_bytes(&mut self, bytes: u64) -> VmResult<()> {
        if !self.bytes_fit(bytes) {
            return Err(self.memory_error());
        }
        Ok(())
    }

    /// Whether `bytes` more fit under the heap's byte cap.
    pub fn bytes_fit(&self, bytes: u64) -> bool {
        let in_use = self.heap.allocator.bytes_in_use();
        in_use.saturating_add(bytes) <= self.limits.max_heap_bytes
    }

    /// [`Vm::check_bytes`] for a str of `text_bytes` bytes of UTF-8 (an upper bound of
    /// its characters' storage) and its header.
    pub fn check_str_bytes(&mut self, text_bytes: usize) -> VmResult<()> {
        self.check_bytes((text_bytes as u64).saturating_add(STR_HEADER_BYTES))
    }

    /// MemoryError unless a new str of `chars` characters and `text_bytes` bytes of UTF-8
    /// fits: checked before the text is built, so a program cannot make the page build
    /// text it would then refuse (`"x".center(10**9)`, a replace that multiplies a string).
    pub fn check_new_str(&mut self, chars: usize, text_bytes: usize) -> VmResult<()> {
        if chars > MAX_STR_CHARS {
            return Err(self.memory_error());
        }
        self.check_str_bytes(text_bytes)
    }

    /// Counts `bytes` more printed; stops the run, keeping what was printed before, once
    /// they would pass [`MAX_OUTPUT_BYTES`].
    pub fn count_output(&mut self, bytes: usize) -> VmResult<()> {
        self.output_bytes = self.output_bytes.saturating_add(bytes);
        if self.output_bytes > MAX_OUTPUT_BYTES {
            return Err(Halt::Limit(format!(
                "stopped: the program printed more than {} MiB (the output limit); \
                 the steps and output so far are kept",
                MAX_OUTPUT_BYTES >> 20
            )));
        }
        Ok(())
    }

    /// Counts one item taken from an iterator; stops the run once a single step has taken
    /// more than the per-step limit, and raises MemoryError once the heap is full.
    pub fn count_iteration(&mut self) -> VmResult<()> {
        let step = self.heap.recorder.step_count();
        let (at, count) = &mut self.step_iterations;
        if *at != step {
            *at = step;
            *count = 0;
        }
        *count += 1;
        if *count > self.limits.max_iterations_per_step {
            return Err(Halt::Limit(format!(
                "stopped: one step iterated more than {} items (the per-step limit); \
                 the steps so far are kept",
                self.limits.max_iterations_per_step
            )));
        }
        if *count % 64 == 1 {
            self.check_objects()?;
        }
        Ok(())
    }
}
