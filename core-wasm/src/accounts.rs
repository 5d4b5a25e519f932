//! Account ids: which declared values are ids at all, and how the declared
//! accounts meet the organization's.
//!
//! Projects rendered from Leverage's templates before the accounts exist hold
//! placeholders where ids go (`"XXXXXXXXXXXX"`, `""`, `000000000000`, a number
//! that is no id). Filling those in is what the run is for, so they are set
//! aside as [`Placeholder`]s (the account counts as having no id) rather than
//! refused; the write-back then replaces them and says so.
//!
//! Meeting the organization ([`resolve`]) never guesses: an organization may
//! hold two accounts with the same name (AWS allows it), a project may
//! declare an id the organization does not have, or give two accounts one id.
//! Each of these is a warning; a declared id is never replaced by one of
//! several matches, and is kept when it is one of them.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::DeclaredAccount;
use crate::validate;

/// A value in an id's place that is not an account id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// The file holding it (as the run was given it).
    pub file: String,
    /// Where in the file, as people write it: `security_account_id`,
    /// `accounts.security.id`, `organization.accounts[security].id`.
    pub attribute: String,
    /// The account it belongs to.
    pub account: String,
    /// The value as written, cut to 40 characters.
    pub value: String,
}

/// Whether `id` is one the project may declare (see
/// [`validate::is_usable_account_id`]).
pub fn is_declared_id(id: &str) -> bool {
    validate::is_usable_account_id(id)
}

/// Clears every id of `accounts` that is not an account id, returning each
/// as a [`Placeholder`] of `file`, named by `attribute(account name)`.
pub fn set_aside_placeholders(
    file: &str,
    accounts: &mut [DeclaredAccount],
    attribute: impl Fn(&str) -> String,
) -> Vec<Placeholder> {
    let mut found = Vec::new();
    for account in accounts.iter_mut() {
        let Some(id) = account.id.as_deref() else { continue };
        if is_declared_id(id) {
            continue;
        }
        found.push(Placeholder {
            file: file.to_string(),
            attribute: attribute(&account.name),
            account: account.name.clone(),
            value: id.chars().take(40).collect(),
        });
        account.id = None;
    }
    found
}

/// [`set_aside_placeholders`] for `(name, id)` pairs (`<name>_account_id`
/// attributes): the pairs that hold placeholders are removed.
pub fn set_aside_placeholder_pairs(
    file: &str,
    pairs: &mut Vec<(String, String)>,
    attribute: impl Fn(&str) -> String,
) -> Vec<Placeholder> {
    let mut found = Vec::new();
    pairs.retain(|(name, id)| {
        if is_declared_id(id) {
            return true;
        }
        found.push(Placeholder {
            file: file.to_string(),
            attribute: attribute(name),
            account: name.clone(),
            value: id.chars().take(40).collect(),
        });
        false
    });
    found
}

/// An account of the organization, its name with the project prefix stripped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccount {
    pub name: String,
    pub id: String,
}

/// What the organization says about the declared accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// `(position in the declared accounts, id)`: ids to copy onto declared
    /// accounts, in declaration order.
    pub learned: Vec<(usize, String)>,
    /// Names that several organization accounts have: no id is taken from
    /// the organization for them, and no undeclared profile is made.
    pub ambiguous: BTreeSet<String>,
    /// One line each, for the user.
    pub warnings: Vec<String>,
}

/// Match the declared accounts (first declaration of each name) with the
/// organization's accounts, by name.
///
/// - a name the organization has once: its id is taken (a different declared
///   id is named in a warning, as the organization's id replaces it);
/// - a name it has several times: the declared id is kept when it is one of
///   them, otherwise nothing is taken; a warning names the ids;
/// - a declared id the organization does not have at all: a warning;
/// - two declared accounts with one id: a warning.
///
/// `org_read` says whether the organization was read at all: without it,
/// nothing is compared with it.
pub fn resolve(declared: &[DeclaredAccount], org: &[OrgAccount], org_read: bool) -> Resolution {
    let mut resolution = Resolution::default();

    // Two declared accounts with the same id.
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut seen_names: BTreeSet<&str> = BTreeSet::new();
    for account in declared {
        if !seen_names.insert(account.name.as_str()) {
            continue;
        }
        if let Some(id) = account.id.as_deref() {
            by_id.entry(id).or_default().push(account.name.as_str());
        }
    }
    for (id, names) in &by_id {
        if names.len() > 1 {
            resolution.warnings.push(format!(
                "accounts {} are declared with the same id {id}; at most one of them can be right",
                quoted_list(names)
            ));
        }
    }

    if !org_read {
        return resolution;
    }

    // Name → the organization's ids for it, in the organization's order.
    let mut org_by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut org_ids: BTreeSet<&str> = BTreeSet::new();
    for account in org {
        // The same account listed twice is one account.
        let ids = org_by_name.entry(&account.name).or_default();
        if !ids.contains(&account.id.as_str()) {
            ids.push(&account.id);
        }
        org_ids.insert(&account.id);
    }
    for (name, ids) in &org_by_name {
        if ids.len() > 1 {
            resolution.ambiguous.insert(name.to_string());
        }
    }

    let mut first_declared: BTreeSet<&str> = BTreeSet::new();
    for (position, account) in declared.iter().enumerate() {
        if !first_declared.insert(account.name.as_str()) {
            continue;
        }
        let declared_id = account.id.as_deref();
        let name = account.name.as_str();
        match (org_by_name.get(name).map(Vec::as_slice), declared_id) {
            (Some([only]), Some(id)) if *only == id => {}
            (Some([only]), Some(id)) => {
                resolution.warnings.push(format!(
                    "account `{name}` is declared with id {id}, but the organization's `{name}` is {only}; {only} is written",
                ));
                resolution.learned.push((position, only.to_string()));
            }
            (Some([only]), None) => resolution.learned.push((position, only.to_string())),
            (Some(several), Some(id)) if several.contains(&id) => {
                resolution.warnings.push(format!(
                    "the organization has {} accounts named `{name}` ({}); the declared id {id} is one of them and is kept",
                    several.len(),
                    several.join(", ")
                ));
            }
            (Some(several), declared_id) => {
                let kept = match declared_id {
                    Some(id) => format!("the declared id {id} is none of them and is kept"),
                    None => "no id is taken from the organization".to_string(),
                };
                resolution.warnings.push(format!(
                    "the organization has {} accounts named `{name}` ({}); {kept}: declare the right id for `{name}` in the project",
                    several.len(),
                    several.join(", ")
                ));
            }
            (None, Some(id)) if !org_ids.contains(id) => {
                resolution.warnings.push(format!(
                    "account `{name}` is declared with id {id}, which is not an account of the organization",
                ));
            }
            (None, _) => {}
        }
    }

    // Ambiguous names nobody declared: say so once each.
    for name in &resolution.ambiguous {
        if !first_declared.contains(name.as_str()) {
            let ids = org_by_name.get(name.as_str()).map(|v| v.join(", ")).unwrap_or_default();
            resolution.warnings.push(format!(
                "the organization has several accounts named `{name}` ({ids}); no profile is written for that name"
            ));
        }
    }
    resolution
}

fn quoted_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(name: &str, id: Option<&str>) -> DeclaredAccount {
        DeclaredAccount {
            name: name.into(),
            email: None,
            id: id.map(Into::into),
        }
    }

    fn org(name: &str, id: &str) -> OrgAccount {
        OrgAccount {
            name: name.into(),
            id: id.into(),
        }
    }

    #[test]
    fn placeholders_are_set_aside_with_their_attribute_and_value() {
        let mut accounts = vec![
            declared("security", Some("XXXXXXXXXXXX")),
            declared("shared", Some("333333333333")),
            declared("network", Some("")),
            declared("apps", Some("000000000000")),
            declared("data", Some("0")),
            declared("none", None),
        ];
        let found = set_aside_placeholders("common.tfvars", &mut accounts, |n| format!("accounts.{n}.id"));
        let names: Vec<(&str, &str)> = found.iter().map(|p| (p.attribute.as_str(), p.value.as_str())).collect();
        assert_eq!(
            names,
            [
                ("accounts.security.id", "XXXXXXXXXXXX"),
                ("accounts.network.id", ""),
                ("accounts.apps.id", "000000000000"),
                ("accounts.data.id", "0"),
            ]
        );
        let ids: Vec<Option<&str>> = accounts.iter().map(|a| a.id.as_deref()).collect();
        assert_eq!(ids, [None, Some("333333333333"), None, None, None, None]);

        let mut pairs = vec![
            ("security".to_string(), "XXXXXXXXXXXX".to_string()),
            ("shared".to_string(), "333333333333".to_string()),
        ];
        let found = set_aside_placeholder_pairs("f", &mut pairs, |n| format!("{n}_account_id"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].attribute, "security_account_id");
        assert_eq!(pairs, [("shared".to_string(), "333333333333".to_string())]);
    }

    #[test]
    fn a_unique_name_gives_its_id_and_a_different_declared_id_is_named() {
        let r = resolve(
            &[declared("shared", None), declared("security", Some("999999999999"))],
            &[org("shared", "333333333333"), org("security", "222222222222")],
            true,
        );
        assert_eq!(
            r.learned,
            [(0, "333333333333".to_string()), (1, "222222222222".to_string())]
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("999999999999") && r.warnings[0].contains("222222222222"));
    }

    #[test]
    fn an_ambiguous_name_never_replaces_a_declared_id_and_keeps_a_matching_one() {
        let org_accounts = [
            org("shared", "333333333333"),
            org("shared", "444444444444"),
            org("network", "555555555555"),
        ];
        // The declared id is one of the matches: kept, with a warning.
        let r = resolve(&[declared("shared", Some("444444444444"))], &org_accounts, true);
        assert!(r.learned.is_empty());
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("is kept"), "{}", r.warnings[0]);
        // Not one of them: kept too, never replaced by a guess.
        let r = resolve(&[declared("shared", Some("777777777777"))], &org_accounts, true);
        assert!(r.learned.is_empty());
        assert!(r.warnings[0].contains("none of them"), "{}", r.warnings[0]);
        // No declared id: none taken.
        let r = resolve(&[declared("shared", None)], &org_accounts, true);
        assert!(r.learned.is_empty());
        assert!(r.warnings[0].contains("no id is taken"), "{}", r.warnings[0]);
        assert!(r.ambiguous.contains("shared"));
        // One account listed twice is not ambiguous.
        let r = resolve(
            &[declared("shared", None)],
            &[org("shared", "333333333333"), org("shared", "333333333333")],
            true,
        );
        assert_eq!(r.learned, [(0, "333333333333".to_string())]);
        assert!(r.warnings.is_empty() && r.ambiguous.is_empty());
        // Undeclared: one warning, and the name is ambiguous for --all-accounts.
        let r = resolve(&[], &org_accounts, true);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.ambiguous.contains("shared"));
    }

    #[test]
    fn a_declared_id_the_organization_lacks_and_shared_ids_are_named() {
        let r = resolve(
            &[
                declared("apps-prd", Some("666666666666")),
                declared("data-science", Some("666666666666")),
                declared("shared", Some("333333333333")),
                declared("network", Some("444444444444")),
            ],
            &[org("apps-prd", "666666666666"), org("other", "333333333333")],
            true,
        );
        assert!(r.learned.is_empty());
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(
            r.warnings[0].contains("`apps-prd` and `data-science`"),
            "{}",
            r.warnings[0]
        );
        // `shared`'s id is in the organization under another name: not named.
        assert!(
            r.warnings[1].contains("`network` is declared with id 444444444444, which is not an account"),
            "{}",
            r.warnings[1]
        );
    }

    #[test]
    fn without_the_organization_only_the_declarations_are_compared() {
        let r = resolve(
            &[declared("a", Some("111111111111")), declared("b", Some("111111111111"))],
            &[],
            false,
        );
        assert!(r.learned.is_empty());
        assert_eq!(r.warnings.len(), 1);
    }
}
