//! One module per component. Each takes plain props and reports through callbacks;
//! none holds state of its own.

pub mod controls;
pub mod details;
pub mod diagram;
pub mod narration;
pub mod options;
pub mod output;
pub mod ram;
pub mod source;
