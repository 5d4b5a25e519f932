//! Builds the credentials core as a WASI component and precompiles it for
//! this host's wasmtime, so that the binary only deserializes it at start.
//!
//! The component is built by a nested cargo into `<target>/wasm-core` (a
//! separate target directory: sharing the outer one deadlocks on its lock),
//! which is also the stable place embedders find it:
//! `<target>/wasm-core/wasm32-wasip2/release/leverage_core.wasm`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .expect("host/ lives in the workspace")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for watched in ["core-wasm/src", "core-wasm/Cargo.toml", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }

    // OUT_DIR is <target>/<profile>/build/<pkg>-<hash>/out.
    let target_dir = out_dir
        .ancestors()
        .nth(4)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out_dir.clone());
    let core_target = target_dir.join("wasm-core");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
            "-p",
            "leverage-core",
            "--manifest-path",
        ])
        .arg(workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&core_target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("could not run cargo to build the core component");
    assert!(
        status.success(),
        "building the core component failed; is the target installed? (rustup target add wasm32-wasip2)"
    );
    let wasm_path = core_target.join("wasm32-wasip2/release/leverage_core.wasm");
    let wasm = std::fs::read(&wasm_path).unwrap_or_else(|e| panic!("reading {}: {e}", wasm_path.display()));

    // wasmtime's default configuration: the loader (src/engine.rs) uses the same.
    let engine = wasmtime::Engine::default();
    let compiled = engine
        .precompile_component(&wasm)
        .expect("precompiling the core component");
    std::fs::write(out_dir.join("leverage_core.cwasm"), compiled).expect("writing the precompiled component");
    // The copy in OUT_DIR is the one embedded above: the nested build's own
    // output is shared by every profile and feature set of this package, and
    // is overwritten by whichever of them built last.
    let wasm_copy = out_dir.join("leverage_core.wasm");
    std::fs::write(&wasm_copy, &wasm).expect("copying the component");
    println!("cargo:rustc-env=LEVERAGE_CORE_WASM_PATH={}", wasm_copy.display());
}
