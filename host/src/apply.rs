//! Applying a plan as one transaction.
//!
//! For every file: check it still holds what the plan was made from, write
//! the new content to a temporary file beside it (flushed and synced), keep a
//! timestamped backup of the old content, and rename the temporary over the
//! target. If any step fails, every file already replaced is put back and
//! every temporary and backup of this run removed, so each file ends wholly
//! old or wholly new. The caller holds the run lock.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::engine::FileChange;
use crate::files::read_text;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedFile {
    /// The path written (a symbolic link's final target).
    pub path: PathBuf,
    /// Where the previous content was kept; none for a new file.
    pub backup: Option<PathBuf>,
}

/// A test-only fault switch: `LEVERAGE_TEST_FAULT=<step>:<n>[:abort]` fails
/// (or aborts the process) the n-th time `step` (`temp`, `backup`, `rename`)
/// is reached. Compiled out of release builds.
fn fault(step: &str, count: &mut usize) -> Result<()> {
    *count += 1;
    if cfg!(debug_assertions) {
        if let Ok(spec) = std::env::var("LEVERAGE_TEST_FAULT") {
            let mut parts = spec.split(':');
            if parts.next() == Some(step) && parts.next().and_then(|n| n.parse().ok()) == Some(*count) {
                if parts.next() == Some("abort") {
                    std::process::abort();
                }
                bail!("injected fault at {step} #{count}");
            }
        }
    }
    Ok(())
}

/// Follow symbolic links to the file that is really written.
fn final_target(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current).with_context(|| format!("reading the link {}", current.display()))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

fn timestamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_else(|_| "backup".into())
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{name}{suffix}"))
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.leverage-{}.tmp", std::process::id()))
}

/// Write `content` to a new file at `path` with `mode`, flushed to disk.
fn write_new(path: &Path, content: &[u8], mode: u32, owner: Option<(u32, u32)>) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    // The mode given to open() is filtered by the umask: set it exactly.
    file.set_permissions(Permissions::from_mode(mode)).with_context(|| format!("setting the mode of {}", path.display()))?;
    if let Some((uid, gid)) = owner {
        // Only possible (and only needed) when running as another user, e.g. root.
        let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
    }
    file.write_all(content).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("flushing {}", path.display()))?;
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

struct Step {
    target: PathBuf,
    before: Option<String>,
    temp: Option<PathBuf>,
    backup: Option<PathBuf>,
    replaced: bool,
}

/// Apply every change, or none. `private_dirs` are created 0700 when missing
/// (the per-project AWS directory).
pub fn apply_plan(changes: &[FileChange], private_dirs: &[PathBuf]) -> Result<Vec<AppliedFile>> {
    let mut steps = Vec::with_capacity(changes.len());
    for change in changes {
        let target = final_target(Path::new(&change.path))?;
        let current = read_text(&target.to_string_lossy())
            .map_err(|e| anyhow!("{}: cannot be read again before writing ({e:?})", target.display()))?;
        if current != change.before {
            bail!(
                "{} was changed by something else while this run was planning; nothing was written, run the command again",
                target.display()
            );
        }
        steps.push(Step { target, before: change.before.clone(), temp: None, backup: None, replaced: false });
    }
    let mut created_dirs = Vec::new();
    let outcome = apply_steps(changes, &mut steps, private_dirs, &mut created_dirs);
    if let Err(error) = outcome {
        let rollback = roll_back(&mut steps, &created_dirs);
        return Err(match rollback {
            Ok(()) => error.context("nothing was changed: every file written by this run was restored"),
            Err(rollback_error) => error.context(format!("and restoring the files failed too: {rollback_error:#}")),
        });
    }
    Ok(steps.into_iter().map(|s| AppliedFile { path: s.target, backup: s.backup }).collect())
}

fn apply_steps(
    changes: &[FileChange],
    steps: &mut [Step],
    private_dirs: &[PathBuf],
    created_dirs: &mut Vec<PathBuf>,
) -> Result<()> {
    let (mut temps, mut backups, mut renames) = (0, 0, 0);
    for (change, step) in changes.iter().zip(steps.iter_mut()) {
        let dir = step.target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        create_dirs(&dir, private_dirs, created_dirs)?;
        let existing = fs::metadata(&step.target).ok();
        let mode = match &existing {
            Some(meta) => meta.permissions().mode() & 0o7777,
            None if change.holds_secrets => 0o600,
            None => 0o644,
        };
        let owner = existing.as_ref().map(|m| (m.uid(), m.gid()));
        fault("temp", &mut temps)?;
        let temp = temp_path(&step.target);
        step.temp = Some(temp.clone());
        write_new(&temp, change.after.as_bytes(), mode, owner)?;
        if let Some(before) = &step.before {
            fault("backup", &mut backups)?;
            let stamp = timestamp();
            let mut backup = sibling(&step.target, &format!(".{stamp}.bak"));
            let mut n = 1;
            while fs::symlink_metadata(&backup).is_ok() {
                backup = sibling(&step.target, &format!(".{stamp}-{n}.bak"));
                n += 1;
            }
            write_new(&backup, before.as_bytes(), 0o600, owner)?;
            step.backup = Some(backup);
        }
    }
    for step in steps.iter_mut() {
        fault("rename", &mut renames)?;
        if let Some(temp) = &step.temp {
            fs::rename(temp, &step.target).with_context(|| format!("replacing {}", step.target.display()))?;
            step.replaced = true;
            step.temp = None;
            if let Some(dir) = step.target.parent() {
                sync_dir(dir);
            }
        }
    }
    Ok(())
}

fn create_dirs(dir: &Path, private_dirs: &[PathBuf], created: &mut Vec<PathBuf>) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, private_dirs, created)?;
    }
    fs::create_dir(dir).with_context(|| format!("creating the directory {}", dir.display()))?;
    let private = private_dirs.iter().any(|p| p == dir) || dir.file_name().is_some_and(|n| n == ".aws");
    if private {
        fs::set_permissions(dir, Permissions::from_mode(0o700))
            .with_context(|| format!("setting the mode of {}", dir.display()))?;
    }
    created.push(dir.to_path_buf());
    Ok(())
}

fn roll_back(steps: &mut [Step], created_dirs: &[PathBuf]) -> Result<()> {
    let mut first_error: Option<anyhow::Error> = None;
    for step in steps.iter_mut().rev() {
        if step.replaced {
            let restored = match &step.before {
                Some(before) => {
                    let temp = temp_path(&step.target);
                    let mode = fs::metadata(&step.target).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0o600);
                    write_new(&temp, before.as_bytes(), mode, None).and_then(|_| {
                        fs::rename(&temp, &step.target).with_context(|| format!("restoring {}", step.target.display()))
                    })
                }
                None => fs::remove_file(&step.target).with_context(|| format!("removing {}", step.target.display())),
            };
            if let Err(e) = restored {
                first_error.get_or_insert(e);
                continue;
            }
        }
        if let Some(temp) = step.temp.take() {
            let _ = fs::remove_file(temp);
        }
        if let Some(backup) = step.backup.take() {
            let _ = fs::remove_file(backup);
        }
    }
    for dir in created_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
    match first_error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}
