//! Steps 5 and 6: who reads the organization, and one profile per account.

use std::collections::BTreeSet;

use crate::host::*;
use crate::mfa::{self, MfaAnswers};
use crate::model::{AccessKeys, DeclaredAccount};
use crate::project::Project;
use crate::run::{aws_failure, warn, Ctx, IniFile};
use crate::{accounts, profiles, stale_profiles, validate};

/// Record that `name` has id `id`, when that is news.
pub fn learn(accounts: &mut Vec<DeclaredAccount>, learned: &mut Vec<AccountId>, name: &str, id: &str) {
    let position = accounts.iter().position(|a| a.name == name);
    learn_at(accounts, learned, position, name, id);
}

/// [`learn`], the account's position in `accounts` (if declared) being known.
fn learn_at(
    accounts: &mut Vec<DeclaredAccount>,
    learned: &mut Vec<AccountId>,
    position: Option<usize>,
    name: &str,
    id: &str,
) {
    match position.and_then(|i| accounts.get_mut(i)) {
        Some(account) if account.id.as_deref() == Some(id) => return,
        Some(account) => account.id = Some(id.to_string()),
        None => accounts.push(DeclaredAccount {
            name: name.to_string(),
            email: None,
            id: Some(id.to_string()),
        }),
    }
    learned.push(AccountId {
        name: name.to_string(),
        id: id.to_string(),
    });
}

/// Step 5: the keys that read the organization, and the profile holding
/// them. Security users cannot read it: SECURITY uses the management keys,
/// else the bootstrap keys, when the credentials file has them.
pub fn organization_reader(
    request: &ConfigureRequest,
    short_name: &str,
    profile: &str,
    credentials: &IniFile,
    own_keys: Option<&AccessKeys>,
) -> Option<(String, AccessKeys)> {
    if request.credentials_type == CredentialsType::Security {
        ["management", "bootstrap"].iter().find_map(|t| {
            let name = format!("{short_name}-{t}");
            credentials.keys(&name).map(|k| (name, k))
        })
    } else {
        own_keys.map(|k| (profile.to_string(), k.clone()))
    }
}

/// What AWS answered that the account profiles step uses.
pub struct AwsAnswers {
    /// The profile whose keys read the organization; none when no keys could.
    pub org_reader: Option<String>,
    pub organization: Option<Result<Vec<OrganizationAccount>, AwsError>>,
    /// Whether the profile being configured has keys (new or configured).
    pub own_keys: bool,
    pub identity: Option<CallerIdentity>,
    pub mfa_devices: Option<Result<Vec<String>, AwsError>>,
}

/// What the account profiles step reads and changes.
pub struct ProfilesRun<'a> {
    pub project: &'a Project,
    /// The profile holding the keys, the account profiles' `source_profile`.
    pub profile: &'a str,
    pub config: &'a mut IniFile,
    pub accounts: &'a mut Vec<DeclaredAccount>,
    pub learned: &'a mut Vec<AccountId>,
    pub report: &'a mut Report,
}

/// Step 6: one profile per account, from the organization's answer.
pub fn account_profiles(ctx: &mut Ctx<'_>, run: &mut ProfilesRun<'_>, aws: AwsAnswers) -> Result<(), ConfigureError> {
    let request = ctx.request;
    let project = run.project;
    let profile = run.profile;
    let report = &mut *run.report;
    let mut org_accounts: Vec<(String, OrganizationAccount)> = Vec::new();
    let mut org_read = false;
    let mut org_ids = BTreeSet::new();
    match (aws.org_reader, aws.organization) {
        (Some(reader), Some(answer)) => match answer {
            Ok(list) => {
                org_read = true;
                org_ids.extend(list.iter().map(|a| a.id.clone()));
                for account in list {
                    if account.name.is_empty() || !validate::is_account_id(&account.id) {
                        warn(
                            ctx,
                            report,
                            format!(
                                "the organization listed an account without a usable name or id (`{}`); it is skipped",
                                account.id.chars().take(20).collect::<String>()
                            ),
                        );
                        continue;
                    }
                    let name =
                        profiles::strip_project_prefix(&account.name, project.project_name.as_deref()).to_string();
                    org_accounts.push((name, account));
                }
            }
            Err(e) => match e.kind {
                AwsErrorKind::AccessDenied | AwsErrorKind::OrganizationNotInUse | AwsErrorKind::InvalidCredentials => {
                    warn(
                        ctx,
                        report,
                        format!(
                            "could not read the organization with {reader} ({}); the ids declared in the project are used",
                            e.message
                        ),
                    )
                }
                _ => {
                    let message = format!("could not read the organization's accounts: {}", e.message);
                    return Err(aws_failure("organizations:ListAccounts", e, message));
                }
            },
        },
        _ => warn(
            ctx,
            report,
            format!(
                "no keys can read the organization ({}); the ids declared in the project are used",
                if request.credentials_type == CredentialsType::Security {
                    "configure MANAGEMENT or BOOTSTRAP keys first"
                } else {
                    "no keys are configured for this profile"
                }
            ),
        ),
    }
    let accounts = &mut *run.accounts;
    let learned = &mut *run.learned;
    let config = &mut *run.config;

    let org_list: Vec<accounts::OrgAccount> = org_accounts
        .iter()
        .map(|(name, account)| accounts::OrgAccount {
            name: name.clone(),
            id: account.id.clone(),
        })
        .collect();
    let resolution = accounts::resolve(accounts, &org_list, org_read);
    for warning in &resolution.warnings {
        warn(ctx, report, warning.clone());
    }
    for (position, id) in &resolution.learned {
        if let Some(name) = accounts.get(*position).map(|a| a.name.clone()) {
            learn_at(accounts, learned, Some(*position), &name, id);
        }
    }

    // Which accounts get a profile: the declared ones, and with
    // --all-accounts every organization account too.
    let mut targets: Vec<(String, Option<String>)> = accounts.iter().map(|a| (a.name.clone(), a.id.clone())).collect();
    if request.all_accounts {
        let mut known: std::collections::BTreeSet<String> = targets.iter().map(|(n, _)| n.clone()).collect();
        for (name, account) in &org_accounts {
            if !resolution.ambiguous.contains(name) && known.insert(name.clone()) {
                targets.push((name.clone(), Some(account.id.clone())));
            }
        }
    }
    let rule = profiles::role_rule(request.credentials_type, request.role_name.as_deref());
    if targets.is_empty() {
        ctx.log(
            Level::Info,
            "Neither the organization nor the project declares any account: no account profiles to write.",
        );
        if org_read {
            stale(ctx, run, &rule, &org_ids);
        }
        return Ok(());
    }

    // The device the account profiles use now, if any: the picker starts on it.
    let configured_serial = targets.iter().find_map(|(name, _)| {
        let section = profiles::config_section(&format!("{}-{name}-{}", project.short_name, rule.suffix));
        config
            .doc
            .get(&section, "mfa_serial")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    });
    let mfa_serial = mfa::mfa_serial(
        ctx,
        report,
        MfaAnswers {
            own_keys: aws.own_keys,
            identity: aws.identity.as_ref(),
            devices: aws.mfa_devices,
            configured: configured_serial.as_deref(),
        },
    )?;
    ctx.log(Level::Info, "Writing the account profiles...");
    for (name, id) in targets {
        if request.credentials_type == CredentialsType::Security && name == "management" {
            continue;
        }
        let Some(id) = id else {
            warn(
                ctx,
                report,
                format!("account `{name}` has no id in the organization or the project; no profile written for it"),
            );
            continue;
        };
        // A name from the organization (or a declaration) that the AWS CLI
        // would not read back as written is skipped: it could take over
        // another profile, or be silently ignored.
        let profile_name = format!("{}-{name}-{}", project.short_name, rule.suffix);
        if let Some(why) = profiles::unreadable_profile_name(&profile_name) {
            warn(
                ctx,
                report,
                format!("account `{name}` ({id}) cannot be part of a profile name ({why}); no profile written for it"),
            );
            continue;
        }
        let role_arn = format!("arn:aws:iam::{id}:role/{}", rule.role);
        let section = profiles::config_section(&profile_name);
        config.set(&section, "output", "json")?;
        config.set(&section, "region", &project.primary_region)?;
        config.set(&section, "role_arn", &role_arn)?;
        config.set(&section, "source_profile", profile)?;
        if let Some(serial) = &mfa_serial {
            config.set(&section, "mfa_serial", serial)?;
        }
        // The report describes the file: a serial an earlier run wrote stays
        // in the profile, and so in the report, when this run fetched none.
        let serial_in_file = mfa_serial.clone().or_else(|| {
            config
                .doc
                .get(&section, "mfa_serial")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        });
        report.profiles.push(AccountProfile {
            name: profile_name,
            account: name,
            account_id: id,
            role_arn,
            mfa_serial: serial_in_file,
        });
    }
    if org_read {
        stale(ctx, run, &rule, &org_ids);
    }
    Ok(())
}

/// The account profiles of this run's type that this tool wrote earlier and
/// whose account is now in neither the organization nor the project: listed
/// as warnings, or with `--prune` removed from the config file.
fn stale(ctx: &mut Ctx<'_>, run: &mut ProfilesRun<'_>, rule: &profiles::RoleRule, org_ids: &BTreeSet<String>) {
    let declared_names: BTreeSet<String> = run.accounts.iter().map(|a| a.name.clone()).collect();
    let declared_ids: BTreeSet<String> = run.accounts.iter().filter_map(|a| a.id.clone()).collect();
    let written: BTreeSet<String> = run.report.profiles.iter().map(|p| p.name.clone()).collect();
    let known = stale_profiles::Known {
        organization_ids: org_ids,
        declared_names: &declared_names,
        declared_ids: &declared_ids,
        written: &written,
    };
    let found = stale_profiles::stale_profiles(&run.config.doc, &run.project.short_name, run.profile, rule, &known);
    for profile in found {
        let section = profiles::config_section(&profile.name);
        if ctx.request.prune && run.config.doc.remove_section(&section) {
            ctx.log(
                Level::Info,
                &format!(
                    "Removing the profile {} (account {}, in neither the organization nor the project).",
                    profile.name, profile.account_id
                ),
            );
            run.report.pruned_profiles.push(profile);
        } else {
            warn(
                ctx,
                run.report,
                format!(
                    "the profile {} names account {}, which is in neither the organization nor the project; \
                     `--prune` removes it",
                    profile.name, profile.account_id
                ),
            );
            run.report.stale_profiles.push(profile);
        }
    }
}
