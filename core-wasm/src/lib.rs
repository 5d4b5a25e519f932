//! The credentials core of `leverage credentials configure`.
//!
//! Deterministic by construction: it has no clock, no randomness, no
//! environment and no I/O of its own. Everything it learns comes through the
//! [`Host`] trait (files read-only, prompts, AWS calls, log lines) and
//! everything it decides leaves as a [`Plan`]: the whole content of every file
//! to write, plus a report. The same answers from the host always give the
//! same plan, which is what lets the native tests, the component in wasmtime
//! and the component in Node be compared byte for byte.
//!
//! In the `wasm32` build, [`wasm`] adapts the component's imports to [`Host`]
//! and exports `configure`. Natively, tests drive [`configure`] with
//! [`scripted::ScriptedHost`].

pub mod access_keys;
mod account_check;
mod account_profiles;
mod accounts;
mod aws_calls;
pub mod dotenv;
mod flow;
mod host;
pub mod ini;
mod keys;
pub mod mask;
mod mfa;
pub mod model;
mod profiles;
mod project;
pub mod project_yaml;
mod rotate;
mod run;
// Test support (a scripted host and the shared scenario table): native
// builds only, so the shipped component carries neither.
#[cfg(not(target_arch = "wasm32"))]
pub mod scenarios;
#[cfg(not(target_arch = "wasm32"))]
pub mod scripted;
mod stale_profiles;
pub mod tfvars;
pub mod validate;
#[cfg(target_arch = "wasm32")]
mod wasm;
mod write_back;

pub use flow::configure;
pub use host::*;
pub use rotate::{finish_rotation, rotate};

/// Types generated from the WIT package in `../wit`. On native targets only
/// the types are used: the generated import functions would panic there, so
/// nothing outside [`wasm`] may call them.
#[allow(clippy::all, dead_code)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "credentials-core",
        path: "../wit",
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
    });
}
