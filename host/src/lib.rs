//! The native `leverage` CLI: it runs the credentials core (a WASI component
//! embedded in this binary) in wasmtime, serves its imports with the real AWS
//! SDK, file system and terminal, and applies the plan it returns as one
//! transaction.
//!
//! One module per imported interface (`aws`, `files`, `prompt`, `log`), as in
//! wasmtime's own WASI host; `engine` loads and calls the component; `apply`
//! is the transaction; `render` shows plans and reports.

pub mod apply;
pub mod aws;
pub mod cli;
pub mod component;
pub mod engine;
pub mod files;
pub mod log;
pub mod prompt;
pub mod render;
pub mod restore;
pub mod rotate;
pub mod run;
pub mod signals;
pub mod test_hooks;
