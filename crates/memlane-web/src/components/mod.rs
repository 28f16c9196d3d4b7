//! One module per component. Each takes plain props and reports through callbacks;
//! none holds state of its own.

pub mod controls;
pub mod frames;
pub mod objects;
pub mod output;
pub mod source;
