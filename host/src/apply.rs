//! Applying a plan as one transaction.
//!
//! The caller holds the run locks. Each phase is done for every file before
//! the next phase begins:
//!
//! 1. resolve each target through symbolic links (a link stays a link; its
//!    final target is written; see [`resolve_targets`] for the links that are
//!    refused) and check that it still holds exactly what the plan was made
//!    from: something outside this tool may have edited it;
//! 2. remove temporaries left by runs that died (`.<name>.leverage-<pid>.tmp`
//!    whose process is gone);
//! 3. write each new content to a temporary beside its target, with the
//!    target's mode (the credentials file: 0600, tightened from a looser
//!    mode, and its directory 0700), and the content of each existing file
//!    to a backup temporary (0600);
//! 4. sync all of those to the disk together, then give each backup its name
//!    (`<file>.<UTC timestamp>.bak`, never overwritten): beside an AWS file,
//!    and for a project file under `.git/leverage-backups/` (same relative
//!    path), where `git status` does not list it;
//! 5. rename each temporary over its target, in the plan's order (the core
//!    orders the changes so that a crash between two renames leaves a state
//!    a re-run completes), and sync the directories.
//!
//! A change may also remove its file (`restore` undoing a run that created
//! it): such a file gets no temporary, its content is kept as a backup like
//! any other, and it is removed in step 5, where the others are renamed; a
//! rollback writes it back.
//!
//! No target changes until every temporary and backup exists, so a full disk
//! or a permission problem stops the run before anything is replaced. If a
//! step fails, the files already replaced are restored and every temporary
//! and backup of this run removed. A crash (where no rollback runs) leaves
//! each target wholly old or wholly new, and temporaries the next run removes.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::engine::{FileChange, FileKind, FilesError};
use crate::files::{not_a_regular_file, read_text};

mod backups;
mod hooks;
mod targets;

use backups::*;
use hooks::*;
pub use targets::resolve_targets;
use targets::*;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedFile {
    /// The path written (a symbolic link's final target).
    pub path: PathBuf,
    /// Where the previous content was kept; none for a new file.
    pub backup: Option<PathBuf>,
    /// The mode the credentials file had when it was looser than 0600 (it
    /// is 0600 now).
    pub mode_tightened_from: Option<u32>,
    /// The file's directory and the mode it had, when it was looser than
    /// 0700 for a directory of files that hold secrets (it is 0700 now).
    pub dir_mode_tightened_from: Option<(PathBuf, u32)>,
}

/// For the summary: the modes this run tightened for `file`, e.g.
/// `; mode 0644 -> 0600; ~/.aws/bb 0777 -> 0700`, or nothing.
pub fn tightened_note(file: &AppliedFile, paths: &crate::render::PathStyle) -> String {
    let mut note = String::new();
    if let Some(old) = file.mode_tightened_from {
        note.push_str(&format!("; mode {old:04o} -> 0600"));
    }
    if let Some((dir, old)) = &file.dir_mode_tightened_from {
        note.push_str(&format!("; {} {old:04o} -> 0700", paths.show(dir)));
    }
    note
}

pub(crate) fn timestamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "backup".into())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn temp_path(path: &Path) -> PathBuf {
    path.with_file_name(format!(".{}.leverage-{}.tmp", file_name(path), std::process::id()))
}

/// The process id in a temporary's name `.<name>.leverage-<pid>.tmp`.
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (target, pid) = rest.rsplit_once(".leverage-")?;
    if target.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Remove the temporaries in `dir` left by runs that died before renaming or
/// cleaning up (`abort`, `kill -9`, power loss). A temporary whose process is
/// alive belongs to a run of another user or HOME sharing the directory and
/// is left alone; one carrying our own pid is a leftover of a dead process
/// whose pid was reused (this run has written none yet). Without `/proc`
/// nothing is known to be dead, and nothing is removed.
fn remove_stale_temps(dir: &Path) {
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = temp_owner(&name) else { continue };
        let dead = pid == std::process::id() || !proc_root.join(pid.to_string()).exists();
        if dead && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Create `path` (it must not exist) with exactly `mode` and write `content`,
/// without syncing it: the caller syncs it (see [`sync_all`]). `fault` runs
/// after the file is created and before its content is written (the test
/// fault switch). On failure the file is removed again, so only a crash can
/// leave one behind.
fn create_unsynced(
    path: &Path,
    content: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
    fault: impl FnOnce() -> io::Result<()>,
) -> io::Result<File> {
    let mut file = OpenOptions::new().write(true).create_new(true).mode(mode).open(path)?;
    let written = (|| {
        // The mode given to open() is filtered by the umask: set it exactly.
        file.set_permissions(Permissions::from_mode(mode))?;
        if let Some((uid, gid)) = owner {
            // Keeps the owner of an existing file when running as another
            // user (e.g. root); for anyone else it fails, which is harmless.
            let _ = std::os::unix::fs::fchown(&file, Some(uid), Some(gid));
        }
        fault()?;
        file.write_all(content)
    })();
    match written {
        Ok(()) => Ok(file),
        Err(e) => {
            drop(file);
            let _ = fs::remove_file(path);
            Err(e)
        }
    }
}

/// [`create_unsynced`] (with no fault switch), then sync: the rollback's
/// restores, one file at a time.
fn write_new(path: &Path, content: &[u8], mode: u32, owner: Option<(u32, u32)>) -> io::Result<()> {
    let file = create_unsynced(path, content, mode, owner, || Ok(()))?;
    file.sync_all().inspect_err(|_| {
        let _ = fs::remove_file(path);
    })
}

/// Sync every file to the disk, one after another. The first error is
/// returned, naming its file.
fn sync_all(files: &[(PathBuf, File)]) -> Result<()> {
    for (path, file) in files {
        file.sync_all()
            .with_context(|| format!("writing {} to the disk", path.display()))?;
    }
    Ok(())
}

/// Sync the directories (their new entries), as [`sync_all`] does files.
fn sync_dirs<'a>(dirs: impl IntoIterator<Item = &'a PathBuf>) {
    let handles: Vec<(PathBuf, File)> = dirs
        .into_iter()
        .filter_map(|dir| File::open(dir).ok().map(|handle| (dir.clone(), handle)))
        .collect();
    let _ = sync_all(&handles);
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

struct Step<'a> {
    change: &'a FileChange,
    target: PathBuf,
    /// Where the backup goes (see [`backup_dir`]).
    backup_dir: PathBuf,
    /// Mode and owner of the file replaced (or to be created).
    mode: u32,
    owner: Option<(u32, u32)>,
    /// The looser mode the credentials file had before (it gets 0600).
    mode_tightened_from: Option<u32>,
    temp: Option<PathBuf>,
    /// The backup's content under a temporary name, until it is synced and
    /// given its name.
    backup_temp: Option<PathBuf>,
    backup: Option<PathBuf>,
    /// The change removes the file instead of writing `after`.
    remove: bool,
    replaced: bool,
}

/// Apply every change, or none. `private_dirs` are created 0700 when missing
/// (the per-project AWS directory), and tightened to 0700 when a file in
/// them holds secrets. `root` is the project root (see [`resolve_targets`]
/// and [`backup_dir`]); `show` gives a path as errors show it.
pub fn apply_plan(
    changes: &[FileChange],
    private_dirs: &[PathBuf],
    root: &Path,
    show: &dyn Fn(&Path) -> String,
) -> Result<Vec<AppliedFile>> {
    apply_changes(changes, &[], private_dirs, root, show)
}

/// [`apply_plan`], where `remove[i]` says that the i-th change removes its
/// file (which must exist) instead of writing `after`; a missing entry
/// writes.
pub fn apply_changes(
    changes: &[FileChange],
    remove: &[bool],
    private_dirs: &[PathBuf],
    root: &Path,
    show: &dyn Fn(&Path) -> String,
) -> Result<Vec<AppliedFile>> {
    edit_before_apply_hook();
    let targets = resolve_targets(changes, root, show)?;
    let git = git_dir(root);
    let mut steps = Vec::with_capacity(changes.len());
    for (i, (change, target)) in changes.iter().zip(targets).enumerate() {
        check_unchanged(&target, change)?;
        let remove = remove.get(i).copied().unwrap_or(false);
        if remove && change.before.is_none() {
            bail!("{}: there is no file to remove", show(&target));
        }
        steps.push(Step {
            remove,
            change,
            backup_dir: backup_dir(change, &target, root, git.as_deref()),
            target,
            mode: 0o600,
            owner: None,
            mode_tightened_from: None,
            temp: None,
            backup_temp: None,
            backup: None,
            replaced: false,
        });
    }
    let dirs: BTreeSet<PathBuf> = steps.iter().map(|s| parent_of(&s.target)).collect();
    for dir in dirs.iter().chain(steps.iter().map(|s| &s.backup_dir)) {
        remove_stale_temps(dir);
    }

    let mut done = Done::default();
    if let Err(error) = apply_steps(&mut steps, private_dirs, &mut done) {
        let problems = roll_back(&mut steps, &done);
        if problems.is_empty() {
            return Err(error.context(
                "could not write the changes; nothing was changed (every file is as it was before this run)",
            ));
        }
        return Err(error.context(format!(
            "could not write the changes, and putting the files back failed too: {}",
            problems.join("; ")
        )));
    }
    sync_dirs(&dirs);
    Ok(steps
        .into_iter()
        .map(|s| AppliedFile {
            dir_mode_tightened_from: done
                .tightened_dirs
                .iter()
                .filter(|_| s.change.holds_secrets)
                .find(|(dir, _)| parent_of(Path::new(&s.change.path)) == *dir)
                .cloned(),
            path: s.target,
            backup: s.backup,
            mode_tightened_from: s.mode_tightened_from,
        })
        .collect())
}

/// What a failed apply must undo besides the files: the directories it
/// created (in order) and the modes of directories it tightened.
#[derive(Default)]
struct Done {
    created_dirs: Vec<PathBuf>,
    tightened_dirs: Vec<(PathBuf, u32)>,
}

/// The plan was made from the content the core read: if the file now holds
/// anything else, applying would silently undo someone else's edit.
fn check_unchanged(target: &Path, change: &FileChange) -> Result<()> {
    let current = read_text(&target.to_string_lossy()).map_err(|e| {
        let why = match e {
            FilesError::IsDirectory => "it is now a directory".to_string(),
            FilesError::PermissionDenied => "permission denied".to_string(),
            FilesError::NotText => "it is no longer UTF-8 text".to_string(),
            FilesError::Other(message) => message,
        };
        anyhow!(
            "{} cannot be read again before writing ({why}); nothing was written",
            target.display()
        )
    })?;
    if current == change.before {
        return Ok(());
    }
    let what = match (&change.before, &current) {
        (Some(_), None) => "was removed",
        (None, Some(_)) => "was created",
        _ => "was changed",
    };
    bail!(
        "{} {what} by another program while this run was planning; nothing was written. Run the command again to plan from its new content",
        target.display()
    )
}

fn apply_steps(steps: &mut [Step<'_>], private_dirs: &[PathBuf], done: &mut Done) -> Result<()> {
    let mut faults = Faults::default();
    // Everything written below, synced together before any is named.
    let mut unsynced: Vec<(PathBuf, File)> = Vec::new();
    // Temporaries, for every file.
    for step in steps.iter_mut() {
        let private =
            |dir: &Path| private_dirs.iter().any(|p| p == dir) || dir.file_name().is_some_and(|n| n == ".aws");
        let existing = fs::metadata(&step.target).ok();
        if step.remove {
            // Kept for a rollback that writes the file back.
            step.mode = existing.as_ref().map_or(0o600, |m| m.permissions().mode() & 0o7777);
            step.owner = existing.as_ref().map(|m| (m.uid(), m.gid()));
            continue;
        }
        create_dirs(&parent_of(&step.target), &private, &mut done.created_dirs)?;
        step.mode = match &existing {
            // The credentials file (where keys are written) readable by
            // others is tightened, as the AWS CLI wants it.
            Some(meta) if step.change.kind == FileKind::AwsCredentials && meta.permissions().mode() & 0o077 != 0 => {
                step.mode_tightened_from = Some(meta.permissions().mode() & 0o7777);
                0o600
            }
            Some(meta) => meta.permissions().mode() & 0o7777,
            None if step.change.holds_secrets => 0o600,
            None => 0o644,
        };
        step.owner = existing.as_ref().map(|m| (m.uid(), m.gid()));
        let temp = temp_path(&step.target);
        let file = create_unsynced(&temp, step.change.after.as_bytes(), step.mode, step.owner, || {
            faults.reach(FaultPoint::Temp)
        })
        .with_context(|| format!("writing {}", temp.display()))?;
        step.temp = Some(temp.clone());
        unsynced.push((temp, file));
    }
    // The directories of files holding secrets: 0700.
    for step in steps.iter().filter(|s| s.change.holds_secrets && !s.remove) {
        let dir = parent_of(Path::new(&step.change.path));
        if done.tightened_dirs.iter().any(|(d, _)| *d == dir) || !private_dirs.contains(&dir) {
            continue;
        }
        let mode = fs::metadata(&dir)
            .with_context(|| format!("reading the mode of {}", dir.display()))?
            .permissions()
            .mode()
            & 0o7777;
        if mode & 0o077 != 0 {
            fs::set_permissions(&dir, Permissions::from_mode(0o700))
                .with_context(|| format!("setting the mode of {}", dir.display()))?;
            done.tightened_dirs.push((dir, mode));
        }
    }
    // Backups' content, for every file that exists.
    for step in steps.iter_mut() {
        if let Some(before) = &step.change.before {
            // Every folder made for backups is private: a backup's content
            // is the file's, and the folder may gather many of them.
            create_dirs(&step.backup_dir, &|_| true, &mut done.created_dirs)?;
            let temp = backup_temp_path(&step.backup_dir, &step.target);
            let file = create_unsynced(&temp, before.as_bytes(), 0o600, step.owner, || {
                faults.reach(FaultPoint::Backup)
            })
            .with_context(|| format!("keeping a backup of {} ({})", step.target.display(), temp.display()))?;
            step.backup_temp = Some(temp.clone());
            unsynced.push((temp, file));
        }
    }
    sync_all(&unsynced)?;
    drop(unsynced);
    // Backups' names.
    let stamp = timestamp();
    for step in steps.iter_mut() {
        if let Some(temp) = step.backup_temp.take() {
            step.backup = Some(name_backup(&step.backup_dir, &step.target, &temp, &stamp)?);
        }
    }
    // Renames (and removals), in the plan's order: the only step that
    // changes a target.
    for step in steps.iter_mut() {
        if step.remove {
            faults
                .reach(FaultPoint::Rename)
                .and_then(|()| fs::remove_file(&step.target))
                .with_context(|| format!("removing {}", step.target.display()))?;
            step.replaced = true;
            pause_after_rename_hook(faults.renames);
            continue;
        }
        let Some(temp) = step.temp.clone() else { continue };
        faults
            .reach(FaultPoint::Rename)
            .and_then(|()| fs::rename(&temp, &step.target))
            .with_context(|| format!("replacing {}", step.target.display()))?;
        step.replaced = true;
        step.temp = None;
        pause_after_rename_hook(faults.renames);
    }
    Ok(())
}

/// Create `dir` and its missing parents, noting each in `created`; those
/// that `private` names get mode 0700.
fn create_dirs(dir: &Path, private: &dyn Fn(&Path) -> bool, created: &mut Vec<PathBuf>) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, private, created)?;
    }
    fs::create_dir(dir).with_context(|| format!("creating the directory {}", dir.display()))?;
    created.push(dir.to_path_buf());
    if private(dir) {
        fs::set_permissions(dir, Permissions::from_mode(0o700))
            .with_context(|| format!("setting the mode of {}", dir.display()))?;
    }
    Ok(())
}

/// Undo a failed apply: put back every file already replaced (the last
/// replaced first), remove every temporary, every backup of a file that is
/// as it was, and the directories this run created, and give tightened
/// directories their modes back. Returns what could not
/// be undone; the backup of a file that could not be restored is kept and
/// named.
fn roll_back(steps: &mut [Step<'_>], done: &Done) -> Vec<String> {
    let mut problems = Vec::new();
    for step in steps.iter_mut().rev() {
        for temp in [step.temp.take(), step.backup_temp.take()].into_iter().flatten() {
            let _ = fs::remove_file(temp);
        }
        if step.replaced {
            let restored = match &step.change.before {
                Some(before) => {
                    let temp = temp_path(&step.target);
                    write_new(&temp, before.as_bytes(), step.mode, step.owner)
                        .and_then(|()| fs::rename(&temp, &step.target))
                        .inspect_err(|_| {
                            let _ = fs::remove_file(&temp);
                        })
                }
                None => fs::remove_file(&step.target),
            };
            if let Err(e) = restored {
                let kept = match &step.backup {
                    Some(backup) => format!(" (its previous content is in {})", backup.display()),
                    None => String::new(),
                };
                problems.push(format!("restoring {}: {e}{kept}", step.target.display()));
                continue;
            }
            step.replaced = false;
            sync_dirs([&parent_of(&step.target)]);
        }
        if let Some(backup) = step.backup.take() {
            let _ = fs::remove_file(backup);
        }
    }
    for (dir, mode) in &done.tightened_dirs {
        let _ = fs::set_permissions(dir, Permissions::from_mode(*mode));
    }
    for dir in done.created_dirs.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
    problems
}

#[cfg(test)]
mod tests;
