//! `leverage credentials restore`: undo a run from the backups it left.
//!
//! Every run that writes files (`configure`, `rotate`, and `restore` itself)
//! records what it did in `~/.aws/leverage-runs/<UTC timestamp>.json` (0600,
//! in a 0700 folder): each file it wrote (a link's target), where the file's
//! previous content was kept (none: the run created the file), and the
//! sha256 of the content the run left there (none: the run removed the
//! file). Restoring a run puts every file back as it was before that run, as
//! one transaction through the same apply as `configure`: the current
//! content of each file is backed up first, a file the run created is
//! removed (its content backed up too), and the restore records itself, so a
//! restore is undone the same way. A file whose content is no longer what
//! the run left is restored only when the user says so at a terminal.
//!
//! This lives in the host, not in the core: it is bookkeeping of the host's
//! own transaction (its backups, the paths it wrote, hashes of what it
//! wrote), with nothing about the project or AWS to decide.

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::apply::AppliedFile;
use crate::cli::RestoreArgs;
use crate::engine::leverage::credentials::prompt::Host as _;
use crate::engine::{FileChange, FileKind, PromptError, Question};
use crate::files::read_text;
use crate::log::Logger;
use crate::prompt::Terminal;
use crate::render::{self, Failure, PathStyle};
use crate::run::{forget_changes, lock_run, print_failure, start, Start};
use crate::signals;

/// The folder of the run records, under `~/.aws`.
pub const RECORDS_DIR: &str = "leverage-runs";

/// What one run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's name: its UTC timestamp (`20261129T101500Z`, `-2` for a
    /// second run within the same second).
    pub run: String,
    /// `configure`, `rotate` or `restore`.
    pub command: String,
    /// The project the run was made in.
    pub project_root: PathBuf,
    /// The files in the order the run wrote them.
    pub files: Vec<RecordedFile>,
}

/// One file of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFile {
    /// The file written (a symbolic link's final target).
    pub path: PathBuf,
    /// What it is: `aws-credentials`, `aws-config`, `project-yaml`, `terraform-vars`, `build-env`.
    pub kind: String,
    /// Where its previous content was kept; none when the run created it.
    pub backup: Option<PathBuf>,
    /// The sha256 of the content the run left; none when the run removed it.
    pub sha256: Option<String>,
}

impl RecordedFile {
    /// `updated`, `created` or `removed`.
    fn what(&self) -> &'static str {
        match (&self.backup, &self.sha256) {
            (_, None) => "removed",
            (None, Some(_)) => "created",
            (Some(_), Some(_)) => "updated",
        }
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn kind_named(name: &str) -> Option<FileKind> {
    [
        FileKind::AwsCredentials,
        FileKind::AwsConfig,
        FileKind::TerraformVars,
        FileKind::ProjectYaml,
        FileKind::BuildEnv,
    ]
    .into_iter()
    .find(|kind| render::kind_name(*kind) == name)
}

/// Record a run that applied `changes` (those `removed` marks removed their
/// file) with the outcome `applied`. Returns the record's path. The caller
/// shows a failure as a warning: the files are written by then.
pub fn record_run(
    aws_root: &Path,
    command: &str,
    root: &Path,
    changes: &[FileChange],
    removed: &[bool],
    applied: &[AppliedFile],
) -> Result<PathBuf> {
    let files = changes
        .iter()
        .zip(applied)
        .enumerate()
        .map(|(i, (change, file))| RecordedFile {
            path: file.path.clone(),
            kind: render::kind_name(change.kind).to_string(),
            backup: file.backup.clone(),
            sha256: (!removed.get(i).copied().unwrap_or(false)).then(|| sha256_hex(&change.after)),
        })
        .collect();
    let dir = aws_root.join(RECORDS_DIR);
    if !dir.is_dir() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("creating {}", dir.display()))?;
        fs::set_permissions(&dir, Permissions::from_mode(0o700))
            .with_context(|| format!("setting the mode of {}", dir.display()))?;
    }
    let stamp = crate::apply::timestamp();
    for n in 1..1000 {
        let run = if n == 1 { stamp.clone() } else { format!("{stamp}-{n}") };
        let path = dir.join(format!("{run}.json"));
        let mut file = match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        };
        let record = RunRecord {
            run,
            command: command.to_string(),
            project_root: root.to_path_buf(),
            files,
        };
        let text = serde_json::to_string_pretty(&record).context("writing the run record")?;
        file.set_permissions(Permissions::from_mode(0o600))
            .and_then(|()| file.write_all(format!("{text}\n").as_bytes()))
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        return Ok(path);
    }
    bail!("{}: no free name for a run record of {stamp}", dir.display())
}

/// Every readable run record, newest first. A file that is not one is
/// skipped with a warning.
fn records(aws_root: &Path, logger: &Logger) -> Result<Vec<RunRecord>> {
    let dir = aws_root.join(RECORDS_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let parsed = read_text(&path.to_string_lossy())
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str::<RunRecord>(&text).ok());
        match parsed {
            Some(record) => found.push(record),
            None => logger.warn(&format!("{} is not a run record; it is skipped", path.display())),
        }
    }
    // Timestamps sort as text; `-2` (a second run in the same second) after the first.
    found.sort_by(|a, b| b.run.cmp(&a.run));
    Ok(found)
}

/// `--list`: the runs, newest first, each with its files.
fn list(records: &[RunRecord], paths: &PathStyle) -> String {
    let mut out = String::new();
    for record in records {
        // The project by its full name (`~/...`): shown relative to the
        // current project, its own root would be empty.
        let project = match paths
            .home
            .as_ref()
            .and_then(|h| record.project_root.strip_prefix(h).ok())
        {
            Some(rest) => format!("~/{}", rest.display()),
            None => record.project_root.display().to_string(),
        };
        out.push_str(&format!("{}  {}  {project}\n", record.run, record.command));
        for file in &record.files {
            let backup = file
                .backup
                .as_ref()
                .map(|b| format!("  (backup: {})", paths.show(b)))
                .unwrap_or_default();
            out.push_str(&format!("  {:<8} {}{backup}\n", file.what(), paths.show(&file.path)));
        }
    }
    out
}

/// What restoring one file does.
struct Planned {
    change: FileChange,
    remove: bool,
}

/// The change that puts `file` back as it was before the run; none when it
/// already is. A file changed since the run is asked about (or refused).
fn plan_file(
    file: &RecordedFile,
    record: &RunRecord,
    args: &RestoreArgs,
    terminal: &mut Terminal,
    paths: &PathStyle,
) -> Result<Option<Planned>, Failure> {
    let shown = paths.show(&file.path);
    let kind = kind_named(&file.kind).ok_or_else(|| {
        Failure::new(format!(
            "run {}: `{}` is not a kind of file this tool writes",
            record.run, file.kind
        ))
    })?;
    let read = |path: &Path| {
        read_text(&path.to_string_lossy()).map_err(|e| {
            Failure::new(format!(
                "{} cannot be read ({e:?}); nothing was restored",
                paths.show(path)
            ))
        })
    };
    let current = read(&file.path)?;
    let previous = match &file.backup {
        Some(backup) => Some(read(backup)?.ok_or_else(|| {
            Failure::new(format!(
                "the backup {} of {shown} is gone; nothing was restored",
                paths.show(backup)
            ))
        })?),
        None => None,
    };
    let changed_since = match &file.sha256 {
        Some(sha) => current.as_deref().map(sha256_hex).as_ref() != Some(sha),
        None => current.is_some(),
    };
    if changed_since {
        if args.non_interactive {
            return Err(Failure::new(format!(
                "{shown} was changed since run {} (it no longer holds what that run left); nothing was restored",
                record.run
            ))
            .hint("run without --non-interactive to be asked about it, or copy its backup over it by hand"));
        }
        let question = Question {
            text: format!("{shown} was changed since that run. Restore it anyway (its content now is backed up)?"),
            answered_by: "nothing: a file changed since the run is restored only when asked at a terminal".into(),
        };
        let choices = vec!["No, stop: restore nothing".to_string(), "Yes, restore it".to_string()];
        match terminal.select(question, choices, 0) {
            Ok(1) => {}
            Ok(_) => {
                return Err(Failure::new(format!(
                    "{shown} was changed since run {}; nothing was restored",
                    record.run
                )))
            }
            Err(PromptError::Cancelled) => {
                return Err(Failure {
                    exit_code: render::CANCELLED,
                    ..Failure::new("cancelled; nothing was written")
                })
            }
            Err(PromptError::Unavailable(why)) => return Err(Failure::new(format!("{why}; nothing was restored"))),
        }
    }
    if current == previous {
        return Ok(None);
    }
    let holds_secrets = matches!(kind, FileKind::AwsCredentials | FileKind::AwsConfig);
    let mask = |text: &str| {
        if holds_secrets {
            leverage_core::mask::mask_ini(text, &[])
        } else {
            text.to_string()
        }
    };
    let after = previous.clone().unwrap_or_default();
    Ok(Some(Planned {
        change: FileChange {
            path: file.path.display().to_string(),
            kind,
            masked_before: current.as_deref().map(mask),
            masked_after: mask(&after),
            before: current,
            after,
            holds_secrets,
        },
        remove: previous.is_none(),
    }))
}

pub fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let Start {
        logger,
        home_dir,
        aws_root,
        paths: here,
        ..
    } = start(args.verbosity)?;
    let all = records(&aws_root, &logger)?;
    if args.list {
        if all.is_empty() {
            logger.info("No run is recorded yet: each configure, rotate or restore that writes files records one.");
        }
        print!("{}", list(&all, &here));
        return Ok(ExitCode::SUCCESS);
    }
    let record = match &args.run {
        Some(run) => all.iter().find(|r| &r.run == run),
        None => all.first(),
    };
    let Some(record) = record.cloned() else {
        let message = match &args.run {
            Some(run) => format!("no run `{run}` is recorded in ~/.aws/{RECORDS_DIR}"),
            None => format!("no run is recorded in ~/.aws/{RECORDS_DIR}: there is nothing to restore"),
        };
        return Ok(print_failure(
            &Failure::new(message).hint("`leverage credentials restore --list` lists the recorded runs"),
        ));
    };
    let root = if record.project_root.is_dir() {
        record.project_root.clone()
    } else {
        home_dir.clone()
    };
    let paths = PathStyle {
        home: here.home,
        root: root.clone(),
    };

    let _locks = lock_run(&home_dir, &aws_root, &root, &logger, args.dry_run)?;
    logger.info(&format!(
        "Restoring the files as they were before run {} ({})...",
        record.run, record.command
    ));
    if record.command == "rotate" {
        logger.warn(
            "that run rotated a key: the key it replaced, which goes back into the credentials file, was \
             deactivated (or deleted) in IAM by that run; reactivate it with `aws iam update-access-key \
             --status Active` before using it",
        );
    }
    let mut terminal = Terminal::new(args.non_interactive, logger.clone());
    let mut changes = Vec::new();
    let mut removed = Vec::new();
    for file in &record.files {
        match plan_file(file, &record, &args, &mut terminal, &paths) {
            Ok(Some(planned)) => {
                changes.push(planned.change);
                removed.push(planned.remove);
            }
            Ok(None) => logger.debug(&format!("{} already is as it was", paths.show(&file.path))),
            Err(failure) => {
                forget_changes(&mut changes);
                return Ok(print_failure(&failure));
            }
        }
    }
    if changes.is_empty() {
        logger.info(&format!(
            "Nothing to restore: every file of run {} already is as it was before it.",
            record.run
        ));
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        if let Err(error) = crate::apply::resolve_targets(&changes, &root, &|p| paths.show(p)) {
            forget_changes(&mut changes);
            return Err(error);
        }
        for (change, remove) in changes.iter().zip(&removed) {
            print!("{}", render::diff(change, *remove, &paths));
        }
        logger.info(&format!(
            "Dry run: {} file(s) would change; nothing was written.",
            changes.len()
        ));
        forget_changes(&mut changes);
        return Ok(ExitCode::SUCCESS);
    }

    let private_dirs: Vec<PathBuf> = changes
        .iter()
        .filter(|c| c.holds_secrets)
        .filter_map(|c| Path::new(&c.path).parent().map(Path::to_path_buf))
        .collect();
    let applied = signals::defer_during(|| {
        let applied = crate::apply::apply_changes(&changes, &removed, &private_dirs, &root, &|p| paths.show(p))?;
        let recorded = record_run(&aws_root, "restore", &root, &changes, &removed, &applied);
        Ok::<_, anyhow::Error>((applied, recorded))
    });
    forget_changes(&mut changes);
    let (applied, recorded) = match applied {
        Ok(done) => done,
        Err(error) if signals::received() => {
            let mut failure = Failure::new(error.to_string());
            failure.causes = error.chain().skip(1).map(|cause| cause.to_string()).collect();
            failure.exit_code = signals::CANCELLED_EXIT_CODE;
            return Ok(print_failure(&failure));
        }
        Err(error) => return Err(error),
    };
    let undo = match &recorded {
        Ok(path) => path.file_stem().map(|s| s.to_string_lossy().into_owned()),
        Err(error) => {
            logger.warn(&format!(
                "could not record this restore, so it cannot be undone with restore: {error:#}"
            ));
            None
        }
    };
    if !args.verbosity.quiet {
        let paint = logger.paint();
        let mut out = format!(
            "\n{} as they were before run {} ({}):\n",
            paint.green("Restored the files"),
            record.run,
            record.command
        );
        for ((change, remove), file) in changes.iter().zip(&removed).zip(&applied) {
            let what = match (remove, &change.before) {
                (true, _) => "removed",
                (false, None) => "created",
                (false, Some(_)) => "restored",
            };
            let backup = file
                .backup
                .as_ref()
                .map(|b| format!("  (its content before: {})", paths.show(b)))
                .unwrap_or_default();
            out.push_str(&format!("  {what:<8} {}{backup}\n", paths.show(&file.path)));
        }
        if let Some(run) = undo {
            out.push_str(&format!(
                "  {}\n",
                paint.dim(&format!(
                    "(to undo this restore: leverage credentials restore --run {run})"
                ))
            ));
        }
        eprint!("{out}");
    }
    if signals::received() {
        logger.warn("interrupted while the files were being written; the writing was finished first");
        return Ok(ExitCode::from(signals::CANCELLED_EXIT_CODE));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_says_what_became_of_each_file() {
        let file = |backup: bool, sha: bool| RecordedFile {
            path: "/x".into(),
            kind: "aws-config".into(),
            backup: backup.then(|| PathBuf::from("/x.bak")),
            sha256: sha.then(|| sha256_hex("")),
        };
        assert_eq!(file(true, true).what(), "updated");
        assert_eq!(file(false, true).what(), "created");
        assert_eq!(file(true, false).what(), "removed");
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        for kind in [
            "aws-credentials",
            "aws-config",
            "terraform-vars",
            "project-yaml",
            "build-env",
        ] {
            assert_eq!(kind_named(kind).map(render::kind_name), Some(kind));
        }
    }
}
