//! Showing plans, reports and errors to people and machines.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::apply::AppliedFile;
use crate::engine::{AccountId, AccountProfile, ConfigureError, FileChange, FileKind, Plan};

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

/// Every change as a unified diff of the masked texts (no secret can show).
pub fn diffs(plan: &Plan, paths: &PathStyle) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        let shown = paths.show(Path::new(&change.path));
        let before = change.masked_before.as_deref().unwrap_or("");
        let old_header = if change.masked_before.is_some() { format!("a/{shown}") } else { "/dev/null".to_string() };
        let diff = similar::TextDiff::from_lines(before, change.masked_after.as_str());
        let _ = write!(out, "{}", diff.unified_diff().context_radius(3).header(&old_header, &format!("b/{shown}")));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn kind_name(kind: FileKind) -> &'static str {
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
            backup: applied.and_then(|a| a.get(i)).and_then(|a| a.backup.as_ref()).map(|b| b.display().to_string()),
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
        files,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The closing summary for people.
pub fn summary(plan: &Plan, applied: &[AppliedFile], paths: &PathStyle) -> String {
    let report = &plan.report;
    let mut out = String::new();
    if plan.changes.is_empty() {
        out.push_str("Nothing changed: every file already holds what this run would write.\n");
    }
    if report.keys_written {
        let _ = writeln!(out, "Keys written for profile {}.", report.profile);
    }
    if !report.profiles.is_empty() {
        let _ = writeln!(out, "Account profiles ({}):", report.profiles.len());
        let width = report.profiles.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for profile in &report.profiles {
            let mfa = if profile.mfa_serial.is_some() { "  (MFA)" } else { "" };
            let _ = writeln!(out, "  {:width$}  {}{mfa}", profile.name, profile.role_arn);
        }
    }
    for (change, file) in plan.changes.iter().zip(applied) {
        let shown = paths.show(&file.path);
        match &file.backup {
            Some(backup) => {
                let _ = writeln!(out, "Updated {shown} (backup: {})", paths.show(backup));
            }
            None => {
                let _ = writeln!(out, "Created {shown}{}", if change.holds_secrets { " (mode 0600)" } else { "" });
            }
        }
    }
    if !report.terraform_attributes.is_empty() {
        let _ = writeln!(out, "Terraform attributes set: {}", report.terraform_attributes.join(", "));
    }
    for account in &report.accounts_learned {
        let _ = writeln!(out, "Learned account id: {} = {}", account.name, account.id);
    }
    if let Some(first) = report.profiles.first() {
        let _ = writeln!(out, "Try it: aws sts get-caller-identity --profile {}", first.name);
    }
    out
}

/// An error in one style: `Error:`, `Caused by:` lines, and a `Hint:`.
pub struct Failure {
    pub message: String,
    pub causes: Vec<String>,
    pub hint: Option<String>,
    pub exit_code: u8,
}

impl Failure {
    pub fn render(&self) -> String {
        let mut out = format!("Error: {}\n", self.message);
        for cause in &self.causes {
            let _ = writeln!(out, "Caused by: {cause}");
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "Hint: {hint}");
        }
        out
    }
}

pub fn failure(error: &ConfigureError, paths: &PathStyle) -> Failure {
    use crate::engine::AwsError;
    let plain = |message: String, hint: Option<&str>, exit_code| Failure {
        message,
        causes: Vec::new(),
        hint: hint.map(str::to_string),
        exit_code,
    };
    match error {
        ConfigureError::Usage(message) => plain(message.clone(), Some("see `leverage credentials configure --help`"), 2),
        ConfigureError::InvalidInput(input) => {
            let place = match (&input.file, input.line) {
                (Some(file), Some(line)) => format!("{}:{line}: ", paths.show(Path::new(file))),
                (Some(file), None) => format!("{}: ", paths.show(Path::new(file))),
                _ => String::new(),
            };
            plain(format!("{place}{}", input.message), None, 1)
        }
        ConfigureError::AnswerNeeded(message) => plain(
            message.clone(),
            Some("supply the answer with a flag or variable (see --help), or run in a terminal without --non-interactive"),
            1,
        ),
        ConfigureError::Aws(failure) => {
            let detail = match &failure.error {
                AwsError::InvalidCredentials(m)
                | AwsError::AccessDenied(m)
                | AwsError::OrganizationNotInUse(m)
                | AwsError::Throttled(m)
                | AwsError::Network(m)
                | AwsError::Other(m) => m.clone(),
            };
            let hint = match &failure.error {
                AwsError::InvalidCredentials(_) => Some("create a new access key in the IAM console and pass its CSV with --credentials-file"),
                AwsError::Network(_) => Some("check the network, or AWS_ENDPOINT_URL if you set it"),
                AwsError::AccessDenied(_) => Some("SECURITY keys cannot read the organization: configure MANAGEMENT keys first"),
                _ => None,
            };
            Failure {
                message: format!("{}; nothing was written", failure.message),
                causes: vec![format!("{}: {detail}", failure.operation)],
                hint: hint.map(str::to_string),
                exit_code: 1,
            }
        }
        ConfigureError::Cancelled => plain("cancelled; nothing was written".into(), None, 1),
        ConfigureError::Host(message) => plain(message.clone(), None, 1),
    }
}
