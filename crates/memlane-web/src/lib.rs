//! memlane's browser front end: a Yew app that runs a Python program through
//! `memlane_python::run` and shows, step by step, the frames with their names and the
//! live objects with their reference counts, addresses and sizes.
//!
//! Laid out like Yew's `function_todomvc` example: one [`state::State`] with one
//! [`state::Action`] enum and one `reduce`, owned by the root [`app::App`] through
//! `use_reducer`; each component in its own module under [`components`], fed by props
//! and callbacks. Everything here also builds natively, so `cargo test` and clippy see it;
//! only `main` is browser-only.

pub mod app;
pub mod components;
pub mod embed;
pub mod gallery;
pub mod highlight;
pub mod layout;
pub mod memory_use;
pub mod mount;
pub mod permalink;
pub mod state;

/// `0x7f3a5c2d10` for an address.
pub fn hex(address: u64) -> String {
    format!("{address:#x}")
}
