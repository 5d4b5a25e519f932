//! Whether new keys belong to the account their credentials type is for:
//! BOOTSTRAP and MANAGEMENT keys to the management account, SECURITY keys to
//! the `security` account. Handing one type's CSV to another is an easy
//! mistake, and the profiles written from it would all fail later.
//!
//! The expected account comes from the project (its declared id), else from
//! the organization when this run could list it. When neither knows it,
//! nothing is said.

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

/// The account `credentials_type` keys belong to: a declared id of the
/// project first, else the organization's account of that name (its name
/// without the `<project name>-` prefix). `None` when neither knows it.
pub fn expected_account(
    credentials_type: CredentialsType,
    declared: &[DeclaredAccount],
    organization: Option<&[OrganizationAccount]>,
    project_name: Option<&str>,
) -> Option<Expected> {
    let name = match credentials_type {
        CredentialsType::Bootstrap | CredentialsType::Management => "management",
        CredentialsType::Security => "security",
    };
    let from_project = declared
        .iter()
        .find(|a| a.name == name)
        .and_then(|a| a.id.clone())
        .filter(|id| validate::is_account_id(id));
    if let Some(id) = from_project {
        return Some(Expected {
            name,
            id,
            source: "the project",
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
