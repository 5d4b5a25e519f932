//! The credentials core component as this binary embeds it, for programs that
//! embed the core themselves: `leverage component` prints the WIT package it
//! implements, `leverage component --write FILE` writes the component.
//!
//! The binary runs a precompiled copy (engine.rs); this is the portable
//! WebAssembly component the precompiled copy was made from, byte for byte.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// The component (`wasm32-wasip2`), as built with this binary.
pub static WASM: &[u8] = include_bytes!(env!("LEVERAGE_CORE_WASM_PATH"));

const WORLD_WIT: &str = include_str!("../../wit/world.wit");

/// The WIT package the component implements, e.g. `leverage:credentials@0.4.0`:
/// the `package` declaration of `wit/world.wit`.
pub fn wit_package() -> &'static str {
    WORLD_WIT
        .lines()
        .find_map(|line| line.trim().strip_prefix("package "))
        .and_then(|rest| rest.split(';').next())
        .map(str::trim)
        .expect("wit/world.wit declares its package")
}

/// Writes the component to `path` (`-`: standard output). A file is written
/// whole or not at all: a temporary file beside it, renamed over it.
pub fn write(path: &Path) -> Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(WASM)
            .and_then(|()| out.flush())
            .context("writing the component to standard output")?;
        return Ok(());
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temporary =
        tempfile_in(dir).with_context(|| format!("cannot write the component to {}", path.display()))?;
    temporary
        .1
        .write_all(WASM)
        .and_then(|()| temporary.1.sync_all())
        .with_context(|| format!("cannot write the component to {}", path.display()))?;
    std::fs::rename(&temporary.0, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary.0);
        anyhow::Error::new(e).context(format!("cannot write the component to {}", path.display()))
    })?;
    Ok(())
}

/// A new file in `dir` with a name no one else uses.
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let mut attempt = 0u32;
    loop {
        let candidate = dir.join(format!(".leverage-component-{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_component_is_a_component_of_the_declared_package() {
        assert_eq!(&WASM[..8], b"\0asm\x0d\x00\x01\x00", "not a component header");
        let package = wit_package();
        assert!(package.starts_with("leverage:credentials@"), "{package}");
    }
}
