//! The apply's test-only hooks: injected faults, an edit made between the
//! plan and the apply, a pause between renames. Each reads its switch with
//! [`crate::test_hooks::var`], so only the tests' build has them.

use super::*;

/// The steps of the apply at which the test fault switch can fire.
#[derive(Clone, Copy)]
pub(super) enum FaultPoint {
    Temp,
    Backup,
    Rename,
}

/// A test-only fault switch (read only with the `test-hooks` feature):
/// `LEVERAGE_TEST_FAULT=<step>:<n>[:<how>]` fires the n-th time `step`
/// (`temp`, `backup`, `rename`) is reached. `how` is `abort` (the process
/// dies on the spot, as in a crash: no rollback runs), `enospc` (a full
/// disk), `eacces` (permission denied), or absent (a generic I/O error).
/// Injected failures are I/O errors at the very call that would fail, so they
/// travel through the same error handling and messages as real ones.
#[derive(Default)]
pub(super) struct Faults {
    temps: usize,
    backups: usize,
    pub(super) renames: usize,
}

impl Faults {
    pub(super) fn reach(&mut self, point: FaultPoint) -> io::Result<()> {
        let (name, count) = match point {
            FaultPoint::Temp => ("temp", &mut self.temps),
            FaultPoint::Backup => ("backup", &mut self.backups),
            FaultPoint::Rename => ("rename", &mut self.renames),
        };
        *count += 1;
        let Some(spec) = crate::test_hooks::var("LEVERAGE_TEST_FAULT") else {
            return Ok(());
        };
        let mut parts = spec.splitn(3, ':');
        if parts.next() != Some(name) || parts.next().and_then(|n| n.parse::<usize>().ok()) != Some(*count) {
            return Ok(());
        }
        match parts.next() {
            Some("abort") => std::process::abort(),
            Some("enospc") => Err(io::Error::from_raw_os_error(28)),
            Some("eacces") => Err(io::Error::from_raw_os_error(13)),
            _ => Err(io::Error::other("injected fault (LEVERAGE_TEST_FAULT)")),
        }
    }
}

/// A test-only hook (read only with the `test-hooks` feature): change a file after the
/// core has planned and before the apply checks its targets, which is the
/// window in which another program could edit one.
/// `LEVERAGE_TEST_EDIT_BEFORE_APPLY=append:<path>` appends a comment line,
/// `remove:<path>` deletes the file.
pub(super) fn edit_before_apply_hook() {
    let Some(spec) = crate::test_hooks::var("LEVERAGE_TEST_EDIT_BEFORE_APPLY") else {
        return;
    };
    match spec.split_once(':') {
        Some(("append", path)) => {
            if let Ok(mut file) = OpenOptions::new().append(true).open(path) {
                let _ = file.write_all(b"# edited by another program\n");
            }
        }
        Some(("remove", path)) => {
            let _ = fs::remove_file(path);
        }
        _ => {}
    }
}

/// A test-only hook (read only with the `test-hooks` feature): stop in the middle of the
/// renames, the window in which a signal must not end the run.
/// `LEVERAGE_TEST_PAUSE_AFTER_RENAME=<n>:<path>` prints
/// `test hook: paused after rename <n>` on standard error after the n-th
/// rename, then waits (at most 30 s) until `<path>` exists.
pub(super) fn pause_after_rename_hook(renames: usize) {
    let Some(spec) = crate::test_hooks::var("LEVERAGE_TEST_PAUSE_AFTER_RENAME") else {
        return;
    };
    let Some((n, path)) = spec.split_once(':') else { return };
    if n.parse::<usize>().ok() != Some(renames) {
        return;
    }
    eprintln!("test hook: paused after rename {renames}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !Path::new(path).exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
