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

    /// MemoryError once the heap holds as many objects as it may.
    pub fn check_objects(&mut self) -> VmResult<()> {
        if self.heap.live_count() >= self.limits.max_objects {
            return Err(self.memory_error());
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
