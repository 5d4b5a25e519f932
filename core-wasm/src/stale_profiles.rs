//! Account profiles left behind: accounts get closed or leave the
//! organization, and the profiles this tool wrote for them stay in
//! `~/.aws/<short>/config`. A run that read the organization lists them, and
//! with `--prune` removes them.
//!
//! The original tool leaves no marker in the profiles it writes, so a
//! profile counts as one of ours only when it is exactly what this run would
//! write for some account: `[profile <short>-<name>-<suffix>]` with
//! `source_profile = <short>-<type>` (this run's keys profile), a `role_arn`
//! naming this run's role (`arn:aws:iam::<id>:role/<role>`), no keys besides
//! `output`, `region`, `role_arn`, `source_profile` and `mfa_serial`, and
//! laid out as the AWS CLI's writer lays it out (no comments among its
//! keys). Anything else, a profile a person wrote or reshaped or another
//! project's, is never touched.

use std::collections::BTreeSet;

use crate::host::*;
use crate::ini::IniDocument;
use crate::profiles::RoleRule;
use crate::validate;

/// The keys this tool writes in an account profile.
const WRITTEN_KEYS: [&str; 5] = ["output", "region", "role_arn", "source_profile", "mfa_serial"];

/// The account name and id of `section` when it is an account profile this
/// tool wrote for the keys profile `keys_profile` with `rule`'s role.
pub fn generated_profile(
    doc: &IniDocument,
    section: &str,
    short_name: &str,
    keys_profile: &str,
    rule: &RoleRule,
) -> Option<(String, String)> {
    let profile = section.strip_prefix("profile ")?;
    let account = profile
        .strip_prefix(short_name)?
        .strip_prefix('-')?
        .strip_suffix(rule.suffix.as_str())?
        .strip_suffix('-')?;
    if account.is_empty() || !doc.is_plain_section(section) {
        return None;
    }
    if !doc.keys(section).all(|key| WRITTEN_KEYS.contains(&key)) {
        return None;
    }
    if doc.get(section, "source_profile")?.trim() != keys_profile {
        return None;
    }
    let id = doc
        .get(section, "role_arn")?
        .trim()
        .strip_prefix("arn:aws:iam::")?
        .strip_suffix(rule.role.as_str())?
        .strip_suffix(":role/")?;
    validate::is_account_id(id).then(|| (account.to_string(), id.to_string()))
}

/// What a profile's account is compared with.
pub struct Known<'a> {
    /// Every account id the organization listed.
    pub organization_ids: &'a BTreeSet<String>,
    /// The accounts the project declares (names and ids).
    pub declared_names: &'a BTreeSet<String>,
    pub declared_ids: &'a BTreeSet<String>,
    /// The profiles this run writes.
    pub written: &'a BTreeSet<String>,
}

/// The generated profiles of `doc` whose account is in neither the
/// organization nor the project, in file order.
pub fn stale_profiles(
    doc: &IniDocument,
    short_name: &str,
    keys_profile: &str,
    rule: &RoleRule,
    known: &Known<'_>,
) -> Vec<StaleProfile> {
    doc.section_names()
        .filter_map(|section| {
            let (account, id) = generated_profile(doc, section, short_name, keys_profile, rule)?;
            let name = section.strip_prefix("profile ")?.to_string();
            let kept = known.organization_ids.contains(&id)
                || known.declared_ids.contains(&id)
                || known.declared_names.contains(&account)
                || known.written.contains(&name);
            (!kept).then_some(StaleProfile { name, account_id: id })
        })
        .collect()
}
