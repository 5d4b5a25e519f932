//! One `credentials rotate` run: the core's `rotate` creates and checks the
//! new key and plans the credentials file change; this applies it with the
//! same transaction as `configure` and hands the outcome to the core's
//! `finish-rotation`, which deactivates (or deletes) the old key, or deletes
//! the new one when the write failed. This module only performs and shows.
//!
//! Signals: from the moment the core may create the new key until the end,
//! a signal is deferred. One that arrived before the file was written makes
//! the run undo (the write is skipped and the core deletes the new key
//! again); one that arrives later lets the run finish. Either way the end
//! state is one of the two the command promises, and the exit code is 130.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::apply::AppliedFile;
use crate::cli::{OutputFormat, RotateArgs};
use crate::engine::*;
use crate::render::{self, PathStyle};
use crate::run::{cli_imports, forget_changes, lock_run, print_failure, start, Start};
use crate::signals;

fn outcome_name(outcome: NewKeyOutcome) -> &'static str {
    match outcome {
        NewKeyOutcome::WouldCreate => "would-create",
        NewKeyOutcome::Written => "written",
        NewKeyOutcome::DeletedAgain => "deleted-again",
        NewKeyOutcome::LeftInIam => "left-in-iam",
    }
}

fn old_outcome_name(outcome: OldKeyOutcome) -> &'static str {
    match outcome {
        OldKeyOutcome::WouldDeactivate => "would-deactivate",
        OldKeyOutcome::WouldDelete => "would-delete",
        OldKeyOutcome::Deactivated => "deactivated",
        OldKeyOutcome::Deleted => "deleted",
        OldKeyOutcome::StillActive => "still-active",
    }
}

#[derive(Serialize)]
struct JsonOldKey<'a> {
    id: &'a str,
    status_before: &'static str,
    created: Option<&'a str>,
    age_days: Option<u32>,
    action: &'static str,
}

#[derive(Serialize)]
struct JsonRotation<'a> {
    dry_run: bool,
    profile: &'a str,
    user_arn: &'a str,
    new_key_id: Option<&'a str>,
    new_key: &'static str,
    old_key: JsonOldKey<'a>,
    credentials_file: Option<String>,
    backup: Option<String>,
    to_do: &'a [String],
    warnings: &'a [String],
}

/// The report as one JSON document: ids, ages and outcomes; never a secret.
fn json(report: &RotateReport, dry_run: bool, applied: Option<&AppliedFile>) -> String {
    let doc = JsonRotation {
        dry_run,
        profile: &report.profile,
        user_arn: &report.user_arn,
        new_key_id: report.new_key_id.as_deref(),
        new_key: outcome_name(report.new_key),
        old_key: JsonOldKey {
            id: &report.old_key.access_key_id,
            status_before: match report.old_key.status {
                AccessKeyStatus::Active => "active",
                AccessKeyStatus::Inactive => "inactive",
            },
            created: report.old_key.created.as_deref(),
            age_days: report.old_key.age_days,
            action: old_outcome_name(report.old_key_outcome),
        },
        credentials_file: applied.map(|a| a.path.display().to_string()),
        backup: applied.and_then(|a| a.backup.as_ref()).map(|b| b.display().to_string()),
        to_do: &report.to_do,
        warnings: &report.warnings,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The report for people.
fn summary(
    report: &RotateReport,
    applied: Option<&AppliedFile>,
    paths: &PathStyle,
    paint: crate::log::Paint,
) -> String {
    let old = &report.old_key;
    let age = old
        .age_days
        .map(|days| format!(", {days} day(s) old"))
        .unwrap_or_default();
    let new_id = report.new_key_id.as_deref().unwrap_or("(new key)");
    let new_line = match report.new_key {
        NewKeyOutcome::WouldCreate => "would be created and written".to_string(),
        NewKeyOutcome::Written => match applied {
            Some(file) => {
                let backup = file
                    .backup
                    .as_ref()
                    .map(|b| format!(" (backup: {})", paths.show(b)))
                    .unwrap_or_default();
                format!("written to {}{backup}", paths.show(&file.path))
            }
            None => "written".to_string(),
        },
        NewKeyOutcome::DeletedAgain => "not written; deleted again".to_string(),
        NewKeyOutcome::LeftInIam => "not written; still exists in IAM".to_string(),
    };
    let old_line = match report.old_key_outcome {
        OldKeyOutcome::WouldDeactivate => "would be deactivated",
        OldKeyOutcome::WouldDelete => "would be deleted",
        OldKeyOutcome::Deactivated => "deactivated",
        OldKeyOutcome::Deleted => "deleted",
        OldKeyOutcome::StillActive => "still active",
    };
    let title = match (report.new_key, report.old_key_outcome) {
        (NewKeyOutcome::WouldCreate, _) => format!("Dry run: would rotate the key of {}", report.profile),
        (NewKeyOutcome::Written, OldKeyOutcome::Deactivated | OldKeyOutcome::Deleted) => {
            format!("Rotated the key of {}", report.profile)
        }
        (NewKeyOutcome::Written, _) => format!("Rotated the key of {}, with something left to do", report.profile),
        _ => format!("The key of {} was not rotated", report.profile),
    };
    let mut out = format!("{} ({})\n", paint.bold(&title), report.user_arn);
    out.push_str(&format!("  new key  {new_id}  {new_line}\n"));
    out.push_str(&format!(
        "  old key  {}  ({}{age}) {old_line}\n",
        old.access_key_id,
        match old.status {
            AccessKeyStatus::Active => "active",
            AccessKeyStatus::Inactive => "inactive",
        }
    ));
    for warning in &report.warnings {
        out.push_str(&format!("{} {warning}\n", paint.yellow("Warning:")));
    }
    if !report.to_do.is_empty() {
        out.push_str(&format!("{}\n", paint.bold("Left to do:")));
        for command in &report.to_do {
            out.push_str(&format!("  {command}\n"));
        }
    }
    out
}

/// A hint for the IAM calls of a rotation (the generic one speaks of MFA devices).
fn rotation_failure(error: &ConfigureError, paths: &PathStyle) -> render::Failure {
    let mut failure = render::failure(error, paths);
    if let ConfigureError::Aws(aws) = error {
        if aws.operation == "sts:GetCallerIdentity" {
            failure.hint = Some(
                "check the profile's keys with `aws sts get-caller-identity`; when they work, run this again \
                 (AWS sometimes takes longer than usual to accept a new key)"
                    .to_string(),
            );
        } else if aws.operation.starts_with("iam:") && aws.error.kind == AwsErrorKind::AccessDenied {
            failure.hint = Some(format!(
                "the user needs {} on its own user (e.g. a policy on arn:aws:iam::*:user/${{aws:username}})",
                aws.operation
            ));
        }
    }
    failure
}

pub fn rotate(args: RotateArgs) -> Result<ExitCode> {
    let Start {
        logger,
        home_dir,
        aws_root,
        cwd,
        root,
        paths,
    } = start(args.verbosity)?;
    let request = RotateRequest {
        credentials_type: args.credentials_type.into(),
        delete_old: args.delete_old,
        dry_run: args.dry_run,
        non_interactive: args.non_interactive,
        project_root: root.display().to_string(),
        current_dir: cwd.display().to_string(),
        aws_root: aws_root.display().to_string(),
        home_dir: Some(home_dir.display().to_string()),
    };

    let _locks = lock_run(&home_dir, &aws_root, &root, &logger, args.dry_run)?;
    let core = Core::load()?;
    let backend = cli_imports(args.non_interactive, &logger);

    if args.dry_run {
        let (outcome, _) = core.rotate(&request, backend)?;
        let rotation = match outcome {
            Ok(rotation) => rotation,
            Err(error) => return Ok(print_failure(&rotation_failure(&error, &paths))),
        };
        match args.output {
            OutputFormat::Json => println!("{}", json(&rotation.report, true, None)),
            OutputFormat::Text => {
                if !args.verbosity.quiet {
                    eprint!("{}", summary(&rotation.report, None, &paths, logger.paint()));
                }
                logger.info("Dry run: no key was created and nothing was written.");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    // From here a key may exist that only this run knows of: signals wait.
    let finished = signals::defer_during(|| -> Result<_> {
        let (outcome, backend) = core.rotate(&request, backend)?;
        let mut rotation = match outcome {
            Ok(rotation) => rotation,
            Err(error) => return Ok(Err(error)),
        };
        let Some(state) = rotation.state.take() else {
            anyhow::bail!("the credentials core planned a rotation without a state to finish it");
        };
        let private_dirs: Vec<PathBuf> = rotation
            .plan
            .changes
            .iter()
            .filter_map(|c| Path::new(&c.path).parent().map(Path::to_path_buf))
            .collect();
        let applied = if signals::received() {
            Err(anyhow::anyhow!("interrupted before the new key was written"))
        } else {
            crate::apply::apply_plan(&rotation.plan.changes, &private_dirs, &root, &|p| paths.show(p))
        };
        if let Some(files) = applied.as_ref().ok().filter(|files| !files.is_empty()) {
            let recorded = crate::restore::record_run(&aws_root, "rotate", &root, &rotation.plan.changes, &[], files);
            if let Err(error) = recorded {
                logger.warn(&format!(
                    "could not record this run, so `leverage credentials restore` cannot undo it: {error:#}"
                ));
            }
        }
        forget_changes(&mut rotation.plan.changes);
        let applied_for_core = applied.as_ref().map(|_| ()).map_err(|e| format!("{e:#}"));
        let (report, _) = core.finish_rotation(&state, applied_for_core, backend)?;
        Ok(Ok((report, applied)))
    })?;
    let (report, applied) = match finished {
        Ok(done) => done,
        Err(error) => {
            let mut failure = rotation_failure(&error, &paths);
            if signals::received() {
                failure.exit_code = signals::CANCELLED_EXIT_CODE;
            }
            return Ok(print_failure(&failure));
        }
    };
    let applied_file = applied.as_ref().ok().and_then(|files| files.first());
    match args.output {
        OutputFormat::Json => println!("{}", json(&report, false, applied_file)),
        OutputFormat::Text => {
            if !args.verbosity.quiet || !report.to_do.is_empty() {
                eprint!("{}", summary(&report, applied_file, &paths, logger.paint()));
            }
        }
    }
    if let Err(error) = &applied {
        let mut failure = render::Failure::new(format!(
            "the new key was not written to the credentials file; {}",
            match report.new_key {
                NewKeyOutcome::DeletedAgain => "it was deleted again and the old key stays in use",
                _ => "it could not be deleted again (see above)",
            }
        ));
        failure.causes = error.chain().map(|cause| cause.to_string()).collect();
        if signals::received() {
            failure.exit_code = signals::CANCELLED_EXIT_CODE;
        }
        return Ok(print_failure(&failure));
    }
    if signals::received() {
        logger.warn("interrupted while the key was being rotated; the rotation was finished first");
        return Ok(ExitCode::from(signals::CANCELLED_EXIT_CODE));
    }
    if report.old_key_outcome == OldKeyOutcome::StillActive {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
