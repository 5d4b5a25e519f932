//! Shared pieces of the benchmarks (`src/bin/bench.rs`) and of the
//! test that guards their budgets (`tests/budgets.rs`).
//!
//! - [`aws_cli`]: the same files written the original's way, one `aws`
//!   process per key;
//! - [`moto`]: an AWS emulator of our own on a free loopback port, patched to
//!   cost what AWS costs per call (see `moto_aws_like.py`), and its state;
//! - [`project`]: a fresh HOME with a project for one run of a binary;
//! - [`measure`]: running a child and reading its wall time and peak RSS,
//!   medians;
//! - [`world`]: the large planning input (thousands of accounts, a 1 MiB
//!   config file) for the native core and for the component.

pub mod aws_cli;
pub mod latency_proxy;
pub mod measure;
pub mod moto;
pub mod project;
pub mod world;

use std::path::{Path, PathBuf};

/// The workspace root (this crate lives in `tests/bench`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
