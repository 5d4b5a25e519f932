//! Showing plans, reports and errors to people and machines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::apply::AppliedFile;
use crate::engine::{AccountId, AccountProfile, ConfigureError, FileChange, FileKind, Plan, StaleProfile};
use crate::log::Paint;

mod failure;
mod layout;

pub use failure::*;
use layout::*;

/// Paths as people know them: `~/...` under the home directory, relative
/// under the project root.
pub struct PathStyle {
    pub home: Option<PathBuf>,
    pub root: PathBuf,
}

impl PathStyle {
    pub fn show(&self, path: &Path) -> String {
        if let Ok(rest) = path.strip_prefix(&self.root) {
            return rest.display().to_string();
        }
        if let Some(home) = &self.home {
            if let Ok(rest) = path.strip_prefix(home) {
                return format!("~/{}", rest.display());
            }
        }
        path.display().to_string()
    }
}

/// Every change as a unified diff that shows only the masked texts (no
/// secret can show).
pub fn diffs(plan: &Plan, paths: &PathStyle) -> String {
    plan.changes.iter().map(|change| diff(change, false, paths)).collect()
}

/// One change as a unified diff of its masked texts, from `/dev/null` for a
/// file it creates and to `/dev/null` for one it `removes`.
pub fn diff(change: &FileChange, removes: bool, paths: &PathStyle) -> String {
    let shown = paths.show(Path::new(&change.path));
    let null = || "/dev/null".to_string();
    let old_header = match change.masked_before {
        Some(_) => format!("a/{shown}"),
        None => null(),
    };
    let new_header = if removes { null() } else { format!("b/{shown}") };
    masked_diff(change, &old_header, &new_header)
}

/// The lines that differ are found on the real texts and printed from the
/// masked ones (masking keeps the lines, so their indices match): a secret
/// that changes, as in a key rotation, shows as a changed line with the
/// mask on both sides instead of vanishing from the diff.
fn masked_diff(change: &FileChange, old_header: &str, new_header: &str) -> String {
    let lines = |text: &str| -> Vec<String> { text.split_inclusive('\n').map(str::to_string).collect() };
    let (real_old, real_new) = (lines(change.before.as_deref().unwrap_or("")), lines(&change.after));
    let (shown_old, shown_new) = (
        lines(change.masked_before.as_deref().unwrap_or("")),
        lines(&change.masked_after),
    );
    if real_old.len() != shown_old.len() || real_new.len() != shown_new.len() {
        // Not line-aligned (a host bug upstream): diff the masked texts alone.
        let before = change.masked_before.as_deref().unwrap_or("");
        let diff = similar::TextDiff::from_lines(before, change.masked_after.as_str());
        let mut out = diff
            .unified_diff()
            .context_radius(3)
            .header(old_header, new_header)
            .to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        return out;
    }
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &real_old, &real_new);
    let mut out = String::new();
    for (i, group) in similar::group_diff_ops(ops, 3).iter().enumerate() {
        if i == 0 {
            let _ = writeln!(out, "--- {old_header}\n+++ {new_header}");
        }
        let _ = writeln!(out, "{}", similar::udiff::UnifiedHunkHeader::new(group));
        for op in group {
            for line in op.iter_changes(&shown_old[..], &shown_new[..]) {
                let _ = write!(out, "{}{}", line.tag(), line.value());
                if !line.value().ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

pub(crate) fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::AwsCredentials => "aws-credentials",
        FileKind::AwsConfig => "aws-config",
        FileKind::TerraformVars => "terraform-vars",
        FileKind::ProjectYaml => "project-yaml",
        FileKind::BuildEnv => "build-env",
    }
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    kind: &'static str,
    created: bool,
    backup: Option<String>,
}

/// The `--output json` document. Built from the report and the file list
/// only: the file contents (which hold secrets) are never serialized.
#[derive(Serialize)]
struct JsonReport<'a> {
    dry_run: bool,
    profile: &'a str,
    keys_written: bool,
    caller_account: Option<&'a str>,
    profiles: &'a [AccountProfile],
    accounts_learned: &'a [AccountId],
    terraform_attributes: &'a [String],
    warnings: &'a [String],
    stale_profiles: &'a [StaleProfile],
    pruned_profiles: &'a [StaleProfile],
    files: Vec<JsonFile>,
}

pub fn json(plan: &Plan, applied: Option<&[AppliedFile]>, dry_run: bool) -> String {
    let files = plan
        .changes
        .iter()
        .enumerate()
        .map(|(i, change): (usize, &FileChange)| JsonFile {
            path: applied
                .and_then(|a| a.get(i))
                .map(|a| a.path.display().to_string())
                .unwrap_or_else(|| change.path.clone()),
            kind: kind_name(change.kind),
            created: change.before.is_none(),
            backup: applied
                .and_then(|a| a.get(i))
                .and_then(|a| a.backup.as_ref())
                .map(|b| b.display().to_string()),
        })
        .collect();
    let report = &plan.report;
    let doc = JsonReport {
        dry_run,
        profile: &report.profile,
        keys_written: report.keys_written,
        caller_account: report.caller_account.as_deref(),
        profiles: &report.profiles,
        accounts_learned: &report.accounts_learned,
        terraform_attributes: &report.terraform_attributes,
        warnings: &report.warnings,
        stale_profiles: &report.stale_profiles,
        pruned_profiles: &report.pruned_profiles,
        files,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The `~/.aws/<short>` directory of the run: where the plan writes the
/// AWS files, else derived from the keys profile `<short>-<type>`.
fn aws_dir(plan: &Plan, paths: &PathStyle) -> Option<PathBuf> {
    let written = plan
        .changes
        .iter()
        .find(|c| matches!(c.kind, FileKind::AwsCredentials | FileKind::AwsConfig))
        .and_then(|c| Path::new(&c.path).parent().map(Path::to_path_buf));
    written.or_else(|| {
        let short = plan.report.profile.split_once('-')?.0;
        Some(paths.home.as_ref()?.join(".aws").join(short))
    })
}

/// The width the summary is laid out for: `COLUMNS` when set, else the
/// terminal's width (standard error's, else the controlling terminal's, so
/// that `2>&1 | tee log` still fits the screen), else 80.
pub fn summary_width() -> usize {
    use std::os::fd::AsFd;
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        if columns > 0 {
            return columns;
        }
    }
    terminal_columns()
        .or_else(|| {
            let tty = std::fs::File::open("/dev/tty").ok()?;
            columns_of(tty.as_fd())
        })
        .unwrap_or(80)
}

/// The width of the terminal standard error is, if it is one.
pub fn terminal_columns() -> Option<usize> {
    use std::os::fd::AsFd;
    columns_of(std::io::stderr().as_fd())
}

fn columns_of(fd: std::os::fd::BorrowedFd<'_>) -> Option<usize> {
    rustix::termios::tcgetwinsize(fd)
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&columns| columns > 0)
}

/// The closing summary for people: what was written where, the backups,
/// the Terraform attributes, the warnings again, and a command to try.
pub fn summary(plan: &Plan, applied: &[AppliedFile], paths: &PathStyle, paint: Paint, width: usize) -> String {
    // Below 40 columns nothing fits anyway: lay out for 40 and let the
    // terminal wrap.
    let width = width.max(40);
    let report = &plan.report;
    let mut out = String::new();
    let aws = aws_dir(plan, paths);
    let show_aws = |name: &str| {
        aws.as_ref()
            .map(|d| paths.show(&d.join(name)))
            .unwrap_or_else(|| name.to_string())
    };

    // An empty plan: the core has said why there is nothing to write.
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "\n{}", paint.green("Done."));
    }
    if report.keys_written {
        let account = report
            .caller_account
            .as_deref()
            .map(|a| format!(" (account {a})"))
            .unwrap_or_default();
        let place = format!("in {}", show_aws("credentials"));
        let line = format!("Keys: {}{account} {place}", report.profile);
        let head = format!("{} {}{account}", paint.bold("Keys:"), report.profile);
        if line.chars().count() <= width {
            let _ = writeln!(out, "{head} {place}");
        } else {
            let _ = writeln!(out, "{head}\n  {place}");
        }
    }
    if !report.profiles.is_empty() {
        // The account is in the profile's name and the role is usually the
        // same for all: said once under the table, which then fits narrow
        // terminals.
        let role_of = |arn: &str| arn.rsplit_once(":role/").map_or(arn, |(_, r)| r).to_string();
        let first_role = role_of(&report.profiles[0].role_arn);
        let one_role = report.profiles.iter().all(|p| role_of(&p.role_arn) == first_role);
        let _ = writeln!(
            out,
            "{} ({}) in {}:",
            paint.bold("Profiles"),
            report.profiles.len(),
            show_aws("config")
        );
        let with_mfa = report.profiles.iter().any(|p| p.mfa_serial.is_some());
        let mut header = vec!["PROFILE".to_string(), "ACCOUNT ID".into()];
        if !one_role {
            header.push("ROLE".into());
        }
        if with_mfa {
            header.push("MFA DEVICE".into());
        }
        let mut rows = vec![header];
        for profile in &report.profiles {
            let mut row = vec![profile.name.clone(), profile.account_id.clone()];
            if !one_role {
                row.push(role_of(&profile.role_arn));
            }
            if with_mfa {
                let device = profile
                    .mfa_serial
                    .as_deref()
                    .map(|s| s.rsplit_once(":mfa/").map_or(s, |(_, d)| d));
                row.push(device.unwrap_or("-").to_string());
            }
            rows.push(row);
        }
        out.push_str(&fit_table(&rows, "  ", width));
        if one_role {
            let all = if report.profiles.len() > 1 {
                "all assume"
            } else {
                "assumes"
            };
            out.push_str(&wrap_words(&format!("  ({all} {first_role})"), width, "   "));
        }
    }
    if !report.pruned_profiles.is_empty() {
        let _ = writeln!(
            out,
            "{} ({}) from {}:",
            paint.bold("Stale profiles removed"),
            report.pruned_profiles.len(),
            show_aws("config")
        );
        let removed: Vec<String> = report
            .pruned_profiles
            .iter()
            .map(|p| format!("{} ({})", p.name, p.account_id))
            .collect();
        let _ = writeln!(out, "  {}", wrap_list(&removed, width - 2, "  "));
    }
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "{}", paint.bold("Files:"));
        let mut rows = Vec::new();
        for (change, file) in plan.changes.iter().zip(applied) {
            let (what, mut note) = match &file.backup {
                Some(backup) => ("updated", format!("backup: {}", paths.show(backup))),
                None if change.holds_secrets => ("created", "mode 0600".to_string()),
                None => ("created", String::new()),
            };
            note.push_str(&crate::apply::tightened_note(file, paths));
            rows.push(vec![what.to_string(), paths.show(&file.path), note]);
        }
        out.push_str(&fit_table(&rows, "  ", width));
        if applied.iter().any(|f| f.backup.is_some()) {
            let _ = writeln!(
                out,
                "  {}",
                paint.dim("(to undo this run: leverage credentials restore)")
            );
        }
    }
    if !report.terraform_attributes.is_empty() {
        let file = plan
            .changes
            .iter()
            .find(|c| c.kind == FileKind::TerraformVars)
            .map(|c| paths.show(Path::new(&c.path)))
            .unwrap_or_else(|| "config/common.tfvars".to_string());
        let head = format!("Terraform attributes set in {file}:");
        let _ = writeln!(out, "{}", paint.bold(&head));
        let _ = writeln!(out, "  {}", wrap_list(&report.terraform_attributes, width - 2, "  "));
    }
    if !report.accounts_learned.is_empty() {
        let learned: Vec<String> = report
            .accounts_learned
            .iter()
            .map(|a| format!("{} = {}", a.name, a.id))
            .collect();
        let _ = writeln!(out, "{}", paint.bold("Account ids learned:"));
        let _ = writeln!(out, "  {}", wrap_list(&learned, width - 2, "  "));
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "{} ({}):", paint.yellow("Warnings"), report.warnings.len());
        for warning in &report.warnings {
            out.push_str(&wrap_words(&format!("  - {warning}"), width, "    "));
        }
        if report.warnings.iter().any(|w| w.contains("read the organization")) {
            let hint = wrap_words(
                "Hint: only keys allowed organizations:ListAccounts (MANAGEMENT keys; SECURITY keys never are) \
                 find every account; until then, profiles are written for the ids the project declares.",
                width,
                "  ",
            );
            out.push_str(&hint.replacen("Hint:", &paint.cyan("Hint:"), 1));
        }
    }
    let try_profile = report.profiles.first().map(|p| p.name.as_str()).or_else(|| {
        let keys_configured = report.keys_written || !plan.changes.is_empty();
        (keys_configured && !report.profile.is_empty()).then_some(report.profile.as_str())
    });
    if let Some(profile) = try_profile {
        let words: Vec<String> = [
            format!("AWS_CONFIG_FILE={}", show_aws("config")),
            format!("AWS_SHARED_CREDENTIALS_FILE={}", show_aws("credentials")),
            "aws".into(),
            "sts".into(),
            "get-caller-identity".into(),
            "--profile".into(),
            profile.to_string(),
        ]
        .into();
        let _ = writeln!(out, "{}", paint.bold("Try it:"));
        out.push_str(&shell_lines(&words, "  ", width));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_command_is_cut_between_words_with_continuations_that_paste_as_one() {
        let command = "AWS_CONFIG_FILE=~/.aws/bb/config AWS_SHARED_CREDENTIALS_FILE=~/.aws/bb/credentials \
                       aws sts get-caller-identity --profile bb-security-oaar";
        let cut = shell_lines(&words(command), "  ", 60);
        for line in cut.lines() {
            assert!(line.chars().count() <= 60, "{line:?}");
        }
        let joined: Vec<&str> = cut.lines().map(|l| l.trim().trim_end_matches('\\').trim()).collect();
        assert_eq!(joined.join(" "), command);
        assert!(cut.lines().rev().skip(1).all(|l| l.ends_with(" \\")), "{cut}");
        // Wide enough: one line, no continuation.
        assert_eq!(shell_lines(&words(command), "  ", 200), format!("  {command}\n"));
        // A word wider than the line is never cut.
        let long = "x".repeat(80);
        assert!(shell_lines(&words(&format!("a {long} b")), "  ", 60).contains(&long));
    }

    #[test]
    fn a_wide_table_puts_its_last_column_under_each_row() {
        let rows = vec![
            vec![
                "updated".to_string(),
                "config/common.tfvars".into(),
                "backup: config/common.tfvars.20260101T000000Z.bak".into(),
            ],
            vec!["created".to_string(), "build.env".into(), String::new()],
        ];
        let fitted = fit_table(&rows, "  ", 60);
        assert_eq!(
            fitted,
            "  updated  config/common.tfvars\n           backup: config/common.tfvars.20260101T000000Z.bak\n  created  build.env\n"
        );
        assert_eq!(fit_table(&rows, "  ", 120), table(&rows, "  "));
        // A backup path wider than the line stays under its row: folding the
        // table would not make it fit.
        assert_eq!(
            fit_table(&rows, "  ", 40),
            "  updated  config/common.tfvars\n           backup: config/common.tfvars.20260101T000000Z.bak\n  created  build.env\n"
        );
        // Narrower than the first columns: every cell on a line of its own.
        let fitted = fit_table(&rows, "  ", 25);
        assert!(
            fitted.starts_with("  updated\n      config/common.tfvars\n"),
            "{fitted}"
        );
    }

    #[test]
    fn prose_wraps_between_words() {
        let text = "  - account `management` has no id in the organization or the project; no profile written for it";
        let wrapped = wrap_words(text, 40, "    ");
        for line in wrapped.lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        let words_back: Vec<&str> = wrapped.split_whitespace().collect();
        assert_eq!(words_back, text.split_whitespace().collect::<Vec<_>>());
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("    ")), "{wrapped}");
    }
}
