//! Where a file's backup goes and how it gets its name.

use super::*;

/// The git directory of the project at `root`: `<root>/.git`, or where a
/// `.git` file points (`gitdir: <path>`, as in linked worktrees and
/// submodules). `None` outside a git repository.
pub(super) fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    let meta = fs::metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    // A `.git` file is one short line; anything else is not read.
    if !meta.is_file() || meta.len() > 4096 {
        return None;
    }
    let text = fs::read_to_string(&dot_git).ok()?;
    let pointed = root.join(text.lines().next()?.strip_prefix("gitdir:")?.trim());
    pointed.is_dir().then_some(pointed)
}

/// Where the backup of `change` (really written at `target`) is kept: a
/// project file's under `<git dir>/leverage-backups/`, at the file's path
/// relative to the project root, so that `git status` never lists it (an
/// untracked `project.yaml.<stamp>.bak` in the repository is easy to commit
/// by mistake); an AWS file's, or any file outside a git repository, beside
/// the file.
pub(super) fn backup_dir(change: &FileChange, target: &Path, root: &Path, git: Option<&Path>) -> PathBuf {
    let beside = parent_of(target);
    let Some(git) = git.filter(|_| is_project_file(change.kind)) else {
        return beside;
    };
    let relative = Path::new(&change.path)
        .parent()
        .and_then(|p| p.strip_prefix(root).ok())
        .unwrap_or(Path::new(""));
    git.join("leverage-backups").join(relative)
}

/// Where a backup's content is written before it is synced and named, in
/// the backup's folder `dir`. That is the temporary of `<file>.bak`,
/// `.<file>.bak.leverage-<pid>.tmp`, so the stale-temporary cleanup knows
/// it too.
pub(super) fn backup_temp_path(dir: &Path, target: &Path) -> PathBuf {
    temp_path(&dir.join(format!("{}.bak", file_name(target))))
}

/// Give a synced backup `temp` its name in `dir`: `<file>.<stamp>.bak`, or
/// `<file>.<stamp>-2.bak` (-3, ...) when a backup of the same second exists:
/// a backup is never overwritten. The content was written and synced under
/// the temporary name first and is then linked to the backup's name (a link
/// fails rather than replace an existing file), so a crash never leaves a
/// partial backup that looks like a real one.
pub(super) fn name_backup(dir: &Path, target: &Path, temp: &Path, stamp: &str) -> Result<PathBuf> {
    let name = file_name(target);
    let named = (1..1000).find_map(|n| {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let backup = dir.join(format!("{name}.{stamp}{suffix}.bak"));
        match fs::hard_link(temp, &backup) {
            Ok(()) => Some(Ok(backup)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
            // A file system without hard links: rename instead. The run
            // lock keeps other runs from taking the name meanwhile.
            Err(_) if fs::symlink_metadata(&backup).is_err() => Some(fs::rename(temp, &backup).map(|()| backup)),
            Err(_) => None,
        }
    });
    let _ = fs::remove_file(temp);
    match named {
        Some(Ok(backup)) => Ok(backup),
        Some(Err(e)) => Err(e).with_context(|| format!("keeping a backup of {}", target.display())),
        None => bail!("{}: no free backup name for the second {stamp}", target.display()),
    }
}
