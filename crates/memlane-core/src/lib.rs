//! memlane's model of CPython's memory: every Python value as a heap object with a
//! reference count, an address from a model of pymalloc, GC tracking and generations.
//! The interpreter (memlane-python) drives it; the front end draws its snapshots.
//! Nothing here knows of the web, wasm or SVG.

pub mod alloc;
pub mod event;
pub mod gc;
pub mod hash;
pub mod heap;
mod live_references;
mod log;
pub mod memory_view;
pub mod narrate;
pub mod object;
pub mod paging;
pub mod physical;
pub mod profile;
pub mod tlb;
pub mod trace;
pub mod view;
pub mod vmem;
#[cfg(test)]
mod vmem_tests;

pub use event::{Event, GcPhase, Holder, HolderRef};
pub use heap::Heap;
pub use log::{Splice, Stored};
pub use memory_view::{Mapping, MemoryView};
pub use object::{BuiltinType, Payload};
pub use paging::{PageIndices, Walk, WalkEnd};
pub use physical::FrameUse;
pub use profile::{Profile, Version, IMMORTAL_REFCOUNT};
pub use trace::{Outcome, Recorder, Step, StepKind, Trace};
pub use view::{
    Binding, FrameId, FrameView, GcView, Label, ObjId, ObjectView, Placement, Reference, Snapshot,
};
pub use vmem::{
    Access, Machine, MemoryConfig, Region, RegionKind, Replacement, TRACED_PID, TWIN_PID,
};
