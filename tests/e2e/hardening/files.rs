//! The files a run touches: targets that are not regular files, loose
//! modes, links that lead out of the project, and the traces a run leaves
//! (none after a failed or dry run; backups of project files out of
//! `git status`).

use super::*;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use crate::support::mode;

/// The unprivileged user runs go as when the tests run as root (root
/// ignores file modes).
const NOBODY: u32 = 65534;

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Run `cmd` as the unprivileged user when the tests run as root, after
/// giving it the temporary HOME (and the folder above it).
fn as_unprivileged(project: &Project, cmd: &mut Command) {
    if !running_as_root() {
        return;
    }
    fn give(path: &Path) {
        std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        if std::fs::symlink_metadata(path).unwrap().is_dir() {
            for entry in std::fs::read_dir(path).unwrap().flatten() {
                give(&entry.path());
            }
        }
    }
    give(project.home.parent().unwrap());
    cmd.uid(NOBODY).gid(NOBODY);
}

// ---------------------------------------------------------------------------
// Targets that are not regular files.

/// A FIFO in place of any file the run reads (and may write) is refused
/// with an error naming it, at once: it used to block forever on the open,
/// holding the lock that every other run then waits for.
#[test]
fn a_fifo_in_place_of_any_file_is_refused_without_hanging() {
    for (place, shown) in [
        ("project/project.yaml", "project.yaml"),
        ("project/config/common.tfvars", "config/common.tfvars"),
        ("project/build.env", "build.env"),
        ("home/.aws/bb/credentials", "~/.aws/bb/credentials"),
        ("home/.aws/bb/config", "~/.aws/bb/config"),
    ] {
        let project = project();
        let path = match place.split_once('/').unwrap() {
            ("project", rest) => project.root.join(rest),
            (_, rest) => project.home.join(rest),
        };
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let ran = run_bounded(project.command(None), SKIP_KEYS);
        assert_eq!(ran.code, Some(1), "{place}: {}", ran.stderr);
        let error = error_line(&ran.stderr);
        assert!(
            error.contains(shown) && error.contains("a named pipe (FIFO), not a regular file"),
            "{place}: {error}"
        );
        assert!(is_fifo(&path), "{place}: the FIFO was replaced");
    }
}

// ---------------------------------------------------------------------------
// Modes.

/// A credentials file readable by others, in a folder open to everyone,
/// holds the new secret at 0600 in a 0700 folder after the run, and the
/// summary says what was tightened.
#[test]
fn secret_files_and_their_folder_are_tightened() {
    let moto = Moto::start();
    let state = moto.setup(json!({"users": [{"name": "jane"}], "enforce_auth": true}));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = project();
    let csv = project.keys_csv(key_id, secret);
    let dir = project.home.join(".aws/bb");
    std::fs::create_dir_all(&dir).unwrap();
    let credentials = project.aws_file("bb", "credentials");
    std::fs::write(&credentials, "[other]\nregion = us-east-1\n").unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = project.run(
        Some(&moto),
        &configure_args("MANAGEMENT", csv.to_str().unwrap(), &["--skip-assumable-roles-setup"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&credentials), 0o600);
    assert_eq!(mode(&dir), 0o700);
    assert!(
        out.stderr.contains("mode 0644 -> 0600") && out.stderr.contains("~/.aws/bb 0777 -> 0700"),
        "the summary does not say what was tightened:\n{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// Links.

/// A committed `build.env -> ../../outside/.bash_profile` must not make the
/// run create (or change) a file outside the project: the run stops before
/// writing anything, naming the link.
#[test]
fn project_files_are_never_written_through_links_that_leave_the_project() {
    let project = project();
    let outside = project.home.parent().unwrap().join("outside");
    std::os::unix::fs::symlink("../../outside/.bash_profile", project.root.join("build.env")).unwrap();
    let before = project.snapshot();
    for dry_run in [true, false] {
        let mut args = SKIP_KEYS.to_vec();
        if dry_run {
            args.push("--dry-run");
        }
        let ran = run_bounded(project.command(None), &args);
        assert_eq!(ran.code, Some(1), "dry run {dry_run}: {}", ran.stderr);
        let error = error_line(&ran.stderr);
        assert!(
            error.contains("build.env") && error.contains("outside the project"),
            "{error}"
        );
        assert!(!outside.exists(), "the run created {}", outside.display());
        assert_eq!(project.snapshot(), before, "dry run {dry_run}");
    }

    // A link whose target is inside the project is written through (here
    // a dangling one: the run creates build.env where it points).
    std::fs::remove_file(project.root.join("build.env")).unwrap();
    std::fs::create_dir(project.root.join("shared")).unwrap();
    std::os::unix::fs::symlink("shared/build.env", project.root.join("build.env")).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(project.root.join("build.env"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(project.root.join("shared/build.env"))
        .unwrap()
        .contains("PROJECT=bb"));
}

/// Under `~/.aws` a link is written through (dotfile managers use them),
/// but the folders of a dangling link's target are never created.
#[test]
fn links_under_aws_are_written_through_but_never_create_folders() {
    let project = project();
    let dotfiles = project.home.join("dotfiles");
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    let config = project.aws_file("bb", "config");
    std::os::unix::fs::symlink("../../dotfiles/aws/config", &config).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let error = error_line(&ran.stderr);
    assert!(
        error.contains("~/.aws/bb/config") && error.contains("does not exist"),
        "{error}"
    );
    assert!(!dotfiles.exists(), "the run created the link's folders");

    std::fs::create_dir_all(dotfiles.join("aws")).unwrap();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(std::fs::symlink_metadata(&config).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(dotfiles.join("aws/config"))
        .unwrap()
        .contains("[profile bb-shared-oaar]"));
}

// ---------------------------------------------------------------------------
// Traces.

/// A run that fails leaves nothing behind: in a HOME without `~/.aws` it
/// creates neither `~/.aws` nor a lock file.
#[test]
fn a_failed_run_creates_nothing() {
    let project = Project::new();
    project.write("project.yaml", "short_name: BB\n");
    let before = project.snapshot();
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(!project.home.join(".aws").exists(), "a failed run created ~/.aws");
    assert_eq!(project.snapshot(), before);
}

/// A dry run needs no write access anywhere: with HOME, `~/.aws` and the
/// project all read-only it plans and prints the diff.
#[test]
fn a_dry_run_needs_no_write_access() {
    let project = project();
    let aws = project.home.join(".aws");
    std::fs::create_dir_all(aws.join("bb")).unwrap();
    std::fs::write(aws.join("bb/config"), "[default]\nregion = us-east-1\n").unwrap();
    let mut cmd = project.command(None);
    as_unprivileged(&project, &mut cmd);
    for dir in [
        aws.join("bb"),
        aws.clone(),
        project.root.join("config"),
        project.root.clone(),
        project.home.clone(),
    ] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let before = project.snapshot();
    let mut args = SKIP_KEYS.to_vec();
    args.push("--dry-run");
    let ran = run_bounded(cmd, &args);
    for dir in [
        project.home.clone(),
        project.root.clone(),
        project.root.join("config"),
        aws.clone(),
        aws.join("bb"),
    ] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stdout.contains("+[profile bb-shared-oaar]"), "{}", ran.stdout);
    assert_eq!(project.snapshot(), before);
}

/// Backups of project files are kept where `git status` does not show them
/// (under the git directory), and the summary says where; the AWS files'
/// backups stay beside them.
#[test]
fn backups_of_project_files_stay_out_of_git_status() {
    let project = project();
    std::fs::create_dir_all(project.home.join(".aws/bb")).unwrap();
    std::fs::write(project.aws_file("bb", "config"), "[default]\nregion = us-east-1\n").unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&project.root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["add", "-A"]);
    git(&["commit", "-qm", "project"]);
    let ran = run_bounded(project.command(None), SKIP_KEYS);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);

    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains(".bak"), "backups show in git status:\n{status}");
    assert!(status.contains(" M config/common.tfvars"), "{status}");
    let backups: Vec<PathBuf> = std::fs::read_dir(project.root.join(".git/leverage-backups/config"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let [backup] = &backups[..] else { panic!("{backups:?}") };
    assert_eq!(std::fs::read_to_string(backup).unwrap(), TFVARS);
    assert_eq!(std::fs::metadata(backup).unwrap().mode() & 0o777, 0o600);
    let name = backup.file_name().unwrap().to_str().unwrap();
    assert!(
        ran.stderr
            .contains(&format!("backup: .git/leverage-backups/config/{name}")),
        "the summary does not say where:\n{}",
        ran.stderr
    );
    let beside: Vec<_> = std::fs::read_dir(project.home.join(".aws/bb"))
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with("config.") && e.file_name().to_string_lossy().ends_with(".bak")
        })
        .collect();
    assert_eq!(beside.len(), 1, "the config file's backup is not beside it");
}
