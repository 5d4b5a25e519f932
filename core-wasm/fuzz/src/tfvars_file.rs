//! common.tfvars: the `tfvars_read` and `tfvars_write_back` targets'
//! properties.

use super::*;

use leverage_core::model::DeclaredAccount;
use leverage_core::tfvars;

/// `tfvars::read`: no panic; errors name a line of the file.
pub fn tfvars_read(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(error) = tfvars::read(&text) {
        check_error_line("common.tfvars", &text, &error);
    }
}

const EMAILS: &[&str] = &[
    "aws+x@example.com",
    "",
    "a\"b@example.com",
    "${x}@example.com",
    "ops@example.com",
];
const NEW_NAMES: &[&str] = &["shared", "Log Archive", "network", "apps-devstg", "true", "a\"b"];

fn is_hcl_ident(name: &str) -> bool {
    hcl_edit::Ident::try_new(name).is_ok()
}

/// `tfvars::write_back`: every account written reads back with its id and
/// email, `<name>_account_id` holds the id (in a file that has that style;
/// in another, no such attribute appears), other attributes read the same,
/// a second write-back changes nothing, and the lines removed are bounded by
/// the number of values set.
pub fn tfvars_write_back(data: &[u8]) {
    let (params, text) = Params::split(data);
    let Ok(before) = tfvars::read(&text) else { return };
    // Accounts to write: those the file declares (some with a new id or
    // email), then one new name.
    let mut accounts: Vec<DeclaredAccount> = before.accounts.clone();
    for (name, id) in &before.account_id_attributes {
        if !accounts.iter().any(|a| &a.name == name) {
            accounts.push(DeclaredAccount {
                name: name.clone(),
                email: None,
                id: Some(id.clone()),
            });
        }
    }
    let mask = params.byte(0);
    for (i, account) in accounts.iter_mut().enumerate().take(8) {
        if mask & (1 << i) != 0 {
            account.id = Some(params.pick(1, IDS).to_string());
            let email = params.pick(2, EMAILS);
            if !email.is_empty() {
                account.email = Some(email.to_string());
            }
        }
    }
    accounts.push(DeclaredAccount {
        name: params.pick(3, NEW_NAMES).to_string(),
        email: Some(params.pick(2, EMAILS).to_string()).filter(|e| !e.is_empty()),
        id: Some(params.pick(1, IDS).to_string()),
    });

    let written = match tfvars::write_back(&text, &accounts) {
        Ok(written) => written,
        Err(error) => {
            assert!(
                !(strict() && error.message.contains("internal error")),
                "the HCL editor failed its own check: {error}"
            );
            check_error_line("common.tfvars edit", &text, &error);
            return;
        }
    };
    let after = match tfvars::read(&written.text) {
        Ok(after) => after,
        Err(e) => panic!("the edited common.tfvars does not read: {e}\n{}", written.text),
    };
    // The first account of a name wins, as in the editor.
    let mut seen: Vec<&str> = Vec::new();
    for account in &accounts {
        if account.name.is_empty() || seen.contains(&account.name.as_str()) {
            continue;
        }
        seen.push(&account.name);
        let id = account.id.as_deref().filter(|i| !i.is_empty());
        let email = account.email.as_deref().filter(|e| !e.is_empty());
        if id.is_none() && email.is_none() {
            continue;
        }
        let entry = after.accounts.iter().find(|a| a.name == account.name);
        let entry = entry.unwrap_or_else(|| {
            panic!(
                "`{}` is not in accounts after the write-back:\n{}",
                account.name, written.text
            )
        });
        if let Some(id) = id {
            // A number already equal is left as written.
            assert!(
                entry.id.as_deref() == Some(id),
                "accounts.{}.id reads {:?}, not {id}:\n{}",
                account.name,
                entry.id,
                written.text
            );
            // `<name>_account_id` only in a file that already has one.
            let attribute = after
                .account_id_attributes
                .iter()
                .rev()
                .find(|(n, _)| n == &account.name);
            if before.account_id_attributes.is_empty() {
                assert_eq!(
                    attribute, None,
                    "{}_account_id added to a file without that style:\n{}",
                    account.name, written.text
                );
            } else if is_hcl_ident(&account.name) {
                assert_eq!(
                    attribute.map(|(_, v)| v.as_str()),
                    Some(id),
                    "{}_account_id:\n{}",
                    account.name,
                    written.text
                );
            }
        }
        if let Some(email) = email {
            assert_eq!(
                entry.email.as_deref(),
                Some(email),
                "accounts.{}.email:\n{}",
                account.name,
                written.text
            );
        }
    }
    let plain = |c: &tfvars::TfvarsConfig| {
        (
            c.project.clone(),
            c.project_long.clone(),
            c.region.clone(),
            c.region_primary.clone(),
            c.region_secondary.clone(),
        )
    };
    assert_eq!(
        plain(&after),
        plain(&before),
        "the write-back changed another attribute"
    );
    // Accounts the write-back was not asked about keep what they had.
    for old in &before.accounts {
        if !seen.contains(&old.name.as_str()) {
            assert_eq!(
                after.accounts.iter().find(|a| a.name == old.name),
                Some(old),
                "an untouched account changed"
            );
        }
    }
    let again = tfvars::write_back(&written.text, &accounts);
    assert_eq!(
        again.map(|w| w.text).ok().as_deref(),
        Some(written.text.as_str()),
        "a second write-back changed the text"
    );

    // Each value set replaces at most one line; the rest are insertions.
    let values = seen.len() * 3;
    let (removed, _) = line_diff(&text, &written.text);
    assert!(
        removed <= values,
        "the write-back of {} account(s) removed {removed} lines:\n--- before\n{text}\n--- after\n{}",
        seen.len(),
        written.text
    );
}
