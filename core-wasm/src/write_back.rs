//! Step 7: the plan's file changes, and the account ids written back into
//! common.tfvars and project.yaml.

use crate::host::*;
use crate::mask;
use crate::model::DeclaredAccount;
use crate::project::Project;
use crate::run::input_error;
use crate::{project_yaml, tfvars};

/// Put `changes` in the order the host writes them. A crash between two
/// writes leaves some files new and the others old, and running the command
/// again must still finish the job, so the files whose content decides what a
/// run does come last: common.tfvars (its ids decide which accounts are news,
/// and only news is written to project.yaml), and last of all the
/// credentials file (its keys decide whether the profile is already
/// configured, and whether this is a first bootstrap).
pub fn put_in_write_order(changes: &mut [FileChange]) {
    changes.sort_by_key(|change| match change.kind {
        FileKind::BuildEnv => 0,
        FileKind::AwsConfig => 1,
        FileKind::ProjectYaml => 2,
        FileKind::TerraformVars => 3,
        FileKind::AwsCredentials => 4,
    });
}

pub fn new_change(
    path: &str,
    kind: FileKind,
    before: Option<String>,
    after: String,
    secrets: bool,
    known: &[&str],
) -> FileChange {
    let (masked_before, masked_after) = if secrets {
        (
            before.as_deref().map(|b| mask::mask_ini(b, known)),
            mask::mask_ini(&after, known),
        )
    } else {
        (before.clone(), after.clone())
    };
    FileChange {
        path: path.to_string(),
        kind,
        before,
        after,
        holds_secrets: secrets,
        masked_before,
        masked_after,
    }
}

/// What the write-back changed: the Terraform attributes set, and the
/// accounts whose id changed in project.yaml.
#[derive(Default)]
pub struct Written {
    terraform_attributes: Vec<String>,
    yaml_accounts: Vec<String>,
}

/// `path` as people name it: relative to the project root when inside it.
fn shown_path<'a>(request: &ConfigureRequest, path: &'a str) -> &'a str {
    let root = request.project_root.trim_end_matches('/');
    path.strip_prefix(root)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(path)
}

/// One line per placeholder id of the project's files: replaced (with what),
/// or left because no id is known for its account.
pub fn placeholder_warnings(
    request: &ConfigureRequest,
    project: &Project,
    accounts: &[DeclaredAccount],
    written: &Written,
) -> Vec<String> {
    let tfvars_path = project.tfvars.as_ref().map(|f| f.path.as_str());
    project
        .placeholders
        .iter()
        .map(|placeholder| {
            let file = shown_path(request, &placeholder.file);
            let replaced = if Some(placeholder.file.as_str()) == tfvars_path {
                written.terraform_attributes.contains(&placeholder.attribute)
            } else {
                written.yaml_accounts.contains(&placeholder.account)
            };
            let id = accounts
                .iter()
                .find(|a| a.name == placeholder.account)
                .and_then(|a| a.id.as_deref());
            match id.filter(|_| replaced) {
                Some(id) => format!(
                    "{file}: `{}` was `{}`, which is not an account id; it is now {id}",
                    placeholder.attribute, placeholder.value
                ),
                None => format!(
                    "{file}: `{}` is `{}`, which is not an account id; it is left as it is (no id is known for account `{}`)",
                    placeholder.attribute, placeholder.value, placeholder.account
                ),
            }
        })
        .collect()
}

/// Step 7 and the bootstrap write-back: ids into common.tfvars and project.yaml.
pub fn write_back(
    project: &Project,
    accounts: &[DeclaredAccount],
    changes: &mut Vec<FileChange>,
    report: &mut Report,
) -> Result<Written, ConfigureError> {
    let mut written = Written::default();
    if let Some(file) = &project.tfvars {
        let result = tfvars::write_back(&file.text, accounts).map_err(|e| input_error(&file.path, e))?;
        if result.text != file.text {
            written.terraform_attributes = result.attributes.clone();
            report.terraform_attributes = result.attributes;
            changes.push(new_change(
                &file.path,
                FileKind::TerraformVars,
                Some(file.text.clone()),
                result.text,
                false,
                &[],
            ));
        }
    }
    if let Some(file) = &project.yaml {
        // Every known id, not only this run's news: project.yaml then catches
        // up with ids that reached common.tfvars some other way. Entries that
        // already hold the id are left untouched by the editor.
        if file.parsed.accounts.is_some() {
            let ids: Vec<(String, String)> = accounts
                .iter()
                .filter_map(|a| a.id.as_ref().map(|id| (a.name.clone(), id.clone())))
                .collect();
            let result = project_yaml::set_account_ids(&file.text, &ids).map_err(|e| input_error(&file.path, e))?;
            written.yaml_accounts = result.updated.clone();
            if result.text != file.text {
                changes.push(new_change(
                    &file.path,
                    FileKind::ProjectYaml,
                    Some(file.text.clone()),
                    result.text,
                    false,
                    &[],
                ));
            }
        }
    }
    Ok(written)
}
