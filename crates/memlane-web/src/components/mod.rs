//! One module per component. Each takes plain props and reports through callbacks;
//! none holds state of its own (share keeps only a node ref, to select its link).

pub mod controls;
pub mod details;
pub mod diagram;
pub mod gallery;
pub mod listing;
pub mod narration;
pub mod options;
pub mod output;
pub mod progress;
pub mod ram;
pub mod share;
pub mod source;
pub mod stepper;
pub mod widget;
