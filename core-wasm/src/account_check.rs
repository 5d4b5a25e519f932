//! Whether new keys belong to the account their credentials type is for:
//! BOOTSTRAP and MANAGEMENT keys to the management account, SECURITY keys to
//! the `security` account. Handing one type's CSV to another is an easy
//! mistake, and the profiles written from it would all fail later.
//!
//! The expected account comes from the project (its declared id), else from
//! the organization: for the management account, the one DescribeOrganization
//! names, else the account of that name when this run could list them. When
//! none of them knows it, nothing is said.

use crate::host::*;
use crate::model::DeclaredAccount;
use crate::run::{answer_error, Ctx};
use crate::{profiles, validate};

/// The account a credentials type's keys belong to, and where its id was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The account's name in the project: `management` or `security`.
    pub name: &'static str,
    pub id: String,
    /// `the project` or `the organization`.
    pub source: &'static str,
}

/// What answers the question without a prompt.
pub const ANSWERED_BY: &str = "--skip-account-check (use keys of another account anyway)";

/// Whether a run checking new keys should ask DescribeOrganization which
/// account is the management account: only when its answer can decide the
/// check, i.e. for BOOTSTRAP or MANAGEMENT keys, the check not skipped, and
/// no management id declared by the project.
pub fn wants_management_account(request: &ConfigureRequest, declared: &[DeclaredAccount]) -> bool {
    !request.skip_account_check
        && matches!(
            request.credentials_type,
            CredentialsType::Bootstrap | CredentialsType::Management
        )
        && declared_id(declared, "management").is_none()
}

/// The management account's id from DescribeOrganization's answer; `None`
/// when it was not asked or could not be answered. A refusal (no
/// permission, no organization) is no error of the run: the check falls back
/// to the account named `management`.
pub fn management_account_id(ctx: &mut Ctx<'_>, answer: Option<&Result<Organization, AwsError>>) -> Option<String> {
    match answer? {
        Ok(organization) if validate::is_account_id(&organization.management_account_id) => {
            Some(organization.management_account_id.clone())
        }
        Ok(_) => {
            ctx.log(
                Level::Debug,
                "DescribeOrganization answered without a valid management account id; ignored",
            );
            None
        }
        Err(e) => {
            ctx.log(
                Level::Debug,
                &format!(
                    "DescribeOrganization failed ({}); the management account is looked up by name",
                    e.message
                ),
            );
            None
        }
    }
}

fn declared_id(declared: &[DeclaredAccount], name: &str) -> Option<String> {
    declared
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.id.clone())
        .filter(|id| validate::is_account_id(id))
}

/// The account `credentials_type` keys belong to: a declared id of the
/// project first, else for the management account the one the organization
/// names as such (`management_account`, as [`management_account_id`]
/// checked it), else the organization's account of that name (its name
/// without the `<project name>-` prefix). `None` when none of them knows it.
pub fn expected_account(
    credentials_type: CredentialsType,
    declared: &[DeclaredAccount],
    management_account: Option<&str>,
    organization: Option<&[OrganizationAccount]>,
    project_name: Option<&str>,
) -> Option<Expected> {
    let name = match credentials_type {
        CredentialsType::Bootstrap | CredentialsType::Management => "management",
        CredentialsType::Security => "security",
    };
    if let Some(id) = declared_id(declared, name) {
        return Some(Expected {
            name,
            id,
            source: "the project",
        });
    }
    if let Some(id) = management_account.filter(|_| name == "management") {
        return Some(Expected {
            name,
            id: id.to_string(),
            source: "the organization",
        });
    }
    let mut named = organization
        .unwrap_or_default()
        .iter()
        .filter(|a| profiles::strip_project_prefix(&a.name, project_name) == name)
        .filter(|a| validate::is_account_id(&a.id));
    // Two accounts of that name: the organization does not say which one.
    match (named.next(), named.next()) {
        (Some(account), None) => Some(Expected {
            name,
            id: account.id.clone(),
            source: "the organization",
        }),
        _ => None,
    }
}

/// Compare the keys' account with the expected one. On a mismatch the user
/// is asked (default: stop); a non-interactive run stops with an error
/// naming both accounts and `--skip-account-check`.
pub fn check_account(
    ctx: &mut Ctx<'_>,
    caller: &CallerIdentity,
    expected: Option<&Expected>,
) -> Result<(), ConfigureError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    if caller.account == expected.id || ctx.request.skip_account_check {
        return Ok(());
    }
    let type_name = profiles::type_name(ctx.request.credentials_type).to_uppercase();
    let mismatch = format!(
        "the keys belong to account {} ({}), but {type_name} keys belong to the {} account, {} (from {})",
        caller.account, caller.arn, expected.name, expected.id, expected.source
    );
    let question = Question::new(
        &format!(
            "These keys are of account {}, not the {} account {}: use them anyway?",
            caller.account, expected.name, expected.id
        ),
        ANSWERED_BY,
    );
    let choice = ctx.select_from(
        &question,
        &["No, stop: write nothing", "Yes, use these keys"],
        0,
        &format!("{mismatch}; pass --skip-account-check to use them anyway"),
    )?;
    if choice == 1 {
        ctx.log(
            Level::Info,
            &format!("Using keys of account {} for {type_name} as asked.", caller.account),
        );
        return Ok(());
    }
    Err(answer_error(format!(
        "{mismatch}; check that you picked the CSV of the right user, or pass --skip-account-check"
    )))
}
