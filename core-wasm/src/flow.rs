//! The run, step by step: decide everything, write nothing, return a plan.

use crate::account_check::{check_account, expected_account, management_account_id, wants_management_account};
use crate::account_profiles::{account_profiles, learn, organization_reader, AwsAnswers, ProfilesRun};
use crate::host::*;
use crate::keys::{obtain_keys, rejected_keys};
use crate::project::{self, join};
use crate::run::{aws_failure, warn, Ctx, IniFile};
use crate::write_back::{new_change, placeholder_warnings, put_in_write_order, write_back};
use crate::{aws_calls, profiles, rotate, validate};

/// Plan `leverage credentials configure`.
pub fn configure(host: &mut dyn Host, request: &ConfigureRequest) -> Result<Plan, ConfigureError> {
    check_flags(request)?;
    let mut ctx = Ctx { host, request };
    if request.skip_access_keys_setup && request.skip_assumable_roles_setup {
        ctx.log(
            Level::Info,
            "Nothing to do: both the access keys and the assumable roles setup are skipped.",
        );
        return Ok(Plan {
            changes: Vec::new(),
            report: empty_report(String::new()),
        });
    }

    let project = project::load(&mut ctx)?;
    project::describe(&mut ctx, &project);
    let aws_dir = join(&request.aws_root, &project.short_name);
    let profile = profiles::keys_profile(&project.short_name, request.credentials_type);
    let mut report = empty_report(profile.clone());

    let mut credentials = IniFile::load(&mut ctx, join(&aws_dir, "credentials"))?;
    let mut config = IniFile::load(&mut ctx, join(&aws_dir, "config"))?;
    let configured_before = credentials.keys(&profile).is_some();

    // Steps 2 and 3: the keys.
    let write_keys = if request.skip_access_keys_setup {
        false
    } else if configured_before && !request.overwrite_existing_credentials {
        let choice = ctx.select(
            &Question::new(
                &format!("Credentials already configured for {profile}"),
                "--overwrite-existing-credentials (replace the keys) or --skip-access-keys-setup (keep them)",
            ),
            &[
                "Skip credentials configuration. Continue on with assumable roles setup.",
                "Overwrite current credentials. Backups will be made.",
            ],
            &format!(
                "{profile} already has keys: pass --overwrite-existing-credentials to replace them or --skip-access-keys-setup to keep them"
            ),
        )?;
        if choice == 0 && request.skip_assumable_roles_setup {
            ctx.log(
                Level::Info,
                "Nothing to do: the keys are kept and the assumable roles setup is skipped.",
            );
            return Ok(Plan {
                changes: Vec::new(),
                report,
            });
        }
        choice == 1
    } else {
        true
    };

    let new_keys = if write_keys { Some(obtain_keys(&mut ctx)?) } else { None };
    let own_keys = new_keys.clone().or_else(|| credentials.keys(&profile));
    // Step 4: the first bootstrap writes no account profiles.
    let first_bootstrap =
        request.credentials_type == CredentialsType::Bootstrap && !configured_before && new_keys.is_some();
    let wants_profiles = !request.skip_assumable_roles_setup && !first_bootstrap;
    let org_reader = if wants_profiles {
        organization_reader(request, &project.short_name, &profile, &credentials, own_keys.as_ref())
    } else {
        None
    };
    let mfa_keys = own_keys
        .as_ref()
        .filter(|_| wants_profiles && (request.fetch_mfa_device || request.mfa_serial.is_some()));

    // Every AWS call of the run, at once.
    if new_keys.is_some() {
        ctx.log(Level::Info, "Checking the keys with AWS...");
    }
    if let Some((reader, _)) = &org_reader {
        ctx.log(
            Level::Info,
            &format!("Reading the organization's accounts with {reader}..."),
        );
    }
    if mfa_keys.is_some() {
        ctx.log(Level::Info, &format!("Looking up the MFA devices of {profile}..."));
    }
    // The age of the keys rides along when the run calls AWS anyway: old
    // keys earn a hint to rotate them, at no extra round trip.
    let calls_aws = new_keys.is_some() || org_reader.is_some() || mfa_keys.is_some();
    // Which account is the management account, asked of the organization by
    // the new keys themselves (any member account may) in the same batch.
    let describe_organization = new_keys
        .as_ref()
        .filter(|_| wants_management_account(request, &project.accounts));
    let answers = aws_calls::call(
        &mut ctx,
        &project.primary_region,
        aws_calls::Wanted {
            identity: new_keys.as_ref().or(mfa_keys),
            accounts: org_reader.as_ref().map(|(_, keys)| keys),
            organization: describe_organization,
            mfa_devices: mfa_keys,
            access_keys: own_keys.as_ref().filter(|_| calls_aws),
        },
    )?;
    let key_ages = answers.access_keys;

    // An identity that fails stops the run when it checks new keys or names
    // the user whose MFA device is fetched; when it only serves to check
    // `--mfa-serial`, that check is skipped with a warning instead.
    let identity_is_needed = new_keys.is_some() || request.fetch_mfa_device;
    let mut mfa_answer = answers.mfa_devices;
    let own_identity = match answers.identity {
        None => None,
        Some(Ok(identity)) if validate::is_account_id(&identity.account) => Some(identity),
        Some(Ok(_)) => {
            return Err(aws_failure(
                "sts:GetCallerIdentity",
                AwsError::new(AwsErrorKind::Other, "unexpected reply"),
                "AWS answered GetCallerIdentity without a valid account id".into(),
            ))
        }
        Some(Err(e)) if identity_is_needed => return Err(rejected_keys(e)),
        Some(Err(e)) => {
            mfa_answer = Some(Err(e));
            None
        }
    };
    if let Some(identity) = &own_identity {
        report.caller_account = Some(identity.account.clone());
    }
    // Keys that may not list themselves (or any failure) just get no hint.
    if let (Some(Ok(listed)), Some(keys)) = (&key_ages, &own_keys) {
        let age = listed
            .iter()
            .find(|k| k.access_key_id == keys.access_key_id)
            .and_then(|k| k.age_days)
            .filter(|days| *days > rotate::ROTATE_AFTER_DAYS);
        if let Some(days) = age {
            let type_name = profiles::type_name(request.credentials_type).to_uppercase();
            warn(
                &mut ctx,
                &mut report,
                format!(
                    "the keys of {profile} ({}) are {days} days old; replace them with `leverage credentials rotate --type {type_name}`",
                    keys.access_key_id
                ),
            );
        }
    }
    if let (Some(keys), Some(identity)) = (&new_keys, &own_identity) {
        ctx.log(
            Level::Info,
            &format!("The keys belong to {} in account {}.", identity.arn, identity.account),
        );
        let organization = match &answers.accounts {
            Some(Ok(list)) => Some(list.as_slice()),
            _ => None,
        };
        let management_account = management_account_id(&mut ctx, answers.organization.as_ref());
        let expected = expected_account(
            request.credentials_type,
            &project.accounts,
            management_account.as_deref(),
            organization,
            project.project_name.as_deref(),
        );
        check_account(&mut ctx, identity, expected.as_ref())?;
        credentials.set(&profile, "aws_access_key_id", &keys.access_key_id)?;
        credentials.set(&profile, "aws_secret_access_key", keys.secret_access_key.expose())?;
        let section = profiles::config_section(&profile);
        config.set(&section, "output", "json")?;
        config.set(&section, "region", &project.primary_region)?;
        report.keys_written = true;
    }

    let mut accounts = project.accounts.clone();
    let mut learned: Vec<AccountId> = Vec::new();

    if let (true, Some(identity)) = (first_bootstrap, &own_identity) {
        learn(&mut accounts, &mut learned, "management", &identity.account);
        ctx.log(
            Level::Info,
            "First bootstrap: account profiles are set up with MANAGEMENT keys later.",
        );
    } else if wants_profiles {
        let aws = AwsAnswers {
            org_reader: org_reader.map(|(name, _)| name),
            organization: answers.accounts,
            own_keys: own_keys.is_some(),
            identity: own_identity,
            mfa_devices: mfa_answer,
        };
        let mut run = ProfilesRun {
            project: &project,
            profile: &profile,
            config: &mut config,
            accounts: &mut accounts,
            learned: &mut learned,
            report: &mut report,
        };
        account_profiles(&mut ctx, &mut run, aws)?;
    }

    report.accounts_learned = learned.clone();
    let mut changes = Vec::new();
    if let Some((path, content)) = &project.new_build_env {
        changes.push(new_change(path, FileKind::BuildEnv, None, content.clone(), false, &[]));
    }
    let secret = new_keys
        .as_ref()
        .map(|k| k.secret_access_key.expose().to_string())
        .unwrap_or_default();
    for (file, kind) in [(&credentials, FileKind::AwsCredentials), (&config, FileKind::AwsConfig)] {
        let after = file.doc.render();
        if file.before.as_deref() != Some(after.as_str()) && !(file.before.is_none() && after.is_empty()) {
            changes.push(new_change(
                &file.path,
                kind,
                file.before.clone(),
                after,
                true,
                &[&secret],
            ));
        }
    }
    // Keys-only runs (roles skipped) leave the project files alone unless
    // they learned something.
    if !request.skip_assumable_roles_setup || !learned.is_empty() {
        let written = write_back(&project, &accounts, &mut changes, &mut report)?;
        for warning in placeholder_warnings(request, &project, &accounts, &written) {
            warn(&mut ctx, &mut report, warning);
        }
    }
    if changes.is_empty() {
        ctx.log(
            Level::Info,
            "Nothing to change: every file already holds what this run would write.",
        );
    }
    put_in_write_order(&mut changes);
    Ok(Plan { changes, report })
}

fn empty_report(profile: String) -> Report {
    Report {
        profile,
        keys_written: false,
        caller_account: None,
        profiles: Vec::new(),
        accounts_learned: Vec::new(),
        terraform_attributes: Vec::new(),
        warnings: Vec::new(),
        stale_profiles: Vec::new(),
        pruned_profiles: Vec::new(),
    }
}

fn check_flags(request: &ConfigureRequest) -> Result<(), ConfigureError> {
    if request.overwrite_existing_credentials && request.skip_access_keys_setup {
        return Err(ConfigureError::Usage(
            "--overwrite-existing-credentials and --skip-access-keys-setup cannot be used together".into(),
        ));
    }
    if let Some(role) = &request.role_name {
        if !validate::is_iam_user_name(role) {
            return Err(ConfigureError::Usage(format!(
                "--role-name `{role}` is not a valid IAM role name (1 to 64 of letters, digits and +=,.@_-)"
            )));
        }
    }
    if let Some(serial) = &request.mfa_serial {
        if !validate::is_mfa_serial(serial) {
            return Err(ConfigureError::Usage(format!(
                "--mfa-serial `{serial}` is not an MFA device ARN like arn:aws:iam::123456789012:mfa/name"
            )));
        }
    }
    Ok(())
}
