//! `leverage credentials rotate`: replace a profile's access key by a new one
//! without ever leaving the user locked out or with a key nobody knows of.
//!
//! Two halves, so that the file write stays with the host:
//! - [`rotate`] checks the profile's keys (STS) and lists the user's keys
//!   (IAM) in one batch, creates the new key, waits until STS accepts it and
//!   returns the plan that writes it. Whenever the new key cannot be used it
//!   is deleted again before the error is returned: the old key stays the
//!   one in use and nothing is left behind.
//! - [`finish_rotation`] runs once the host applied (or failed to apply) the
//!   plan. Written: the old key is deactivated or deleted, with the new keys
//!   read back from the file. Not written: the new key is deleted, with the
//!   keys still in the file (the old ones).
//!
//! Every outcome ends in one of two states: the old key in use and no new
//! key, or the new key in use (the old one inactive, deleted, or, when IAM
//! refused, still active with the command that finishes the job).

use crate::host::*;
use crate::ini::IniDocument;
use crate::mask;
use crate::model::{AccessKeys, InputError, Secret};
use crate::project::{self, join};
use crate::run::{aws_failure, input_error, printable, Ctx};
use crate::{aws_calls, profiles, validate};

/// Keys older than this many days earn `configure` a hint to rotate them.
pub const ROTATE_AFTER_DAYS: u32 = 90;

/// The pauses between checks of a new key, in milliseconds: new keys usually
/// reach STS within a few seconds; after these (15 s in all) the new key is
/// given up and deleted again.
const PROPAGATION_WAITS_MS: [u32; 6] = [1000, 2000, 2000, 3000, 3000, 4000];

/// `rotate` as a `configure` request, for the project loader and the context.
fn as_configure_request(request: &RotateRequest) -> ConfigureRequest {
    ConfigureRequest {
        credentials_type: request.credentials_type,
        credentials_file: None,
        fetch_mfa_device: false,
        overwrite_existing_credentials: false,
        skip_access_keys_setup: false,
        skip_assumable_roles_setup: true,
        non_interactive: request.non_interactive,
        role_name: None,
        all_accounts: false,
        mfa_serial: None,
        prune: false,
        skip_account_check: false,
        environment_keys: None,
        project_root: request.project_root.clone(),
        current_dir: request.current_dir.clone(),
        aws_root: request.aws_root.clone(),
        home_dir: request.home_dir.clone(),
    }
}

/// The keys of `profile` in a credentials file, when it has both halves.
fn keys_in(doc: &IniDocument, profile: &str) -> Option<AccessKeys> {
    let id = doc.get(profile, "aws_access_key_id")?.trim();
    let secret = doc.get(profile, "aws_secret_access_key")?.trim();
    (!id.is_empty() && !secret.is_empty()).then(|| AccessKeys {
        access_key_id: id.to_string(),
        secret_access_key: Secret::new(secret),
    })
}

/// Make one AWS call.
fn call_one(host: &mut dyn Host, keys: &AccessKeys, region: &str, request: Request) -> Result<Reply, AwsError> {
    let call = Call {
        credentials: aws_calls::credentials_of(keys),
        region: region.to_string(),
        request,
    };
    let mut calls = vec![call];
    let mut replies = host.call_all(&calls);
    zeroize::Zeroize::zeroize(&mut calls[0].credentials.secret_access_key);
    match (replies.pop(), replies.is_empty()) {
        (Some(reply), true) => reply,
        _ => Err(AwsError::new(
            AwsErrorKind::Other,
            "the host did not answer the call exactly once",
        )),
    }
}

fn unexpected_reply(operation: &str) -> ConfigureError {
    aws_failure(
        operation,
        AwsError::new(AwsErrorKind::Other, "unexpected reply"),
        format!("the host answered {operation} with the reply of another call"),
    )
}

/// The shell command that does what the run could not, with the project's
/// AWS files named as the AWS CLI needs them.
fn aws_command(credentials_path: &str, profile: &str, args: &str) -> String {
    let config_path = credentials_path
        .strip_suffix("credentials")
        .map(|dir| format!("{dir}config"))
        .unwrap_or_else(|| "config".into());
    format!(
        "AWS_SHARED_CREDENTIALS_FILE={credentials_path} AWS_CONFIG_FILE={config_path} aws iam {args} --profile {profile}"
    )
}

fn describe_key(key: &AccessKey) -> String {
    let status = match key.status {
        AccessKeyStatus::Active => "active",
        AccessKeyStatus::Inactive => "inactive",
    };
    let mut text = format!("{} ({status}", key.access_key_id);
    if let Some(days) = key.age_days {
        text.push_str(&format!(", created {days} day(s) ago"));
    }
    match &key.last_used {
        Some(when) => text.push_str(&format!(", last used {when}")),
        None => text.push_str(", never used or unknown"),
    }
    text.push(')');
    printable(&text)
}

/// Start a rotation: see the module documentation.
pub fn rotate(host: &mut dyn Host, request: &RotateRequest) -> Result<Rotation, ConfigureError> {
    let configure_request = as_configure_request(request);
    let mut ctx = Ctx {
        host,
        request: &configure_request,
    };
    let project = project::load(&mut ctx)?;
    let region = project.primary_region.clone();
    let profile = profiles::keys_profile(&project.short_name, request.credentials_type);
    let type_name = profiles::type_name(request.credentials_type).to_uppercase();
    let path = join(&join(&request.aws_root, &project.short_name), "credentials");
    let before = ctx.read(&path)?;
    let mut doc = IniDocument::parse(before.as_deref().unwrap_or("")).map_err(|e| input_error(&path, e))?;
    let Some(old_keys) = keys_in(&doc, &profile) else {
        return Err(input_error(
            &path,
            InputError::new(format!(
                "the profile {profile} has no keys to rotate; set them up first with `leverage credentials configure --type {type_name}`"
            )),
        ));
    };
    if doc
        .get(&profile, "aws_session_token")
        .is_some_and(|t| !t.trim().is_empty())
    {
        return Err(input_error(
            &path,
            InputError::new(format!(
                "the profile {profile} holds temporary keys (a session token): only an IAM user's access keys can be rotated"
            )),
        ));
    }

    // Who the keys belong to and which keys that user has: one round trip.
    ctx.log(Level::Info, &format!("Checking the keys of {profile} with AWS..."));
    let answers = aws_calls::call(
        &mut ctx,
        &region,
        aws_calls::Wanted {
            identity: Some(&old_keys),
            access_keys: Some(&old_keys),
            ..Default::default()
        },
    )?;
    let identity = match answers.identity {
        Some(Ok(identity)) => identity,
        Some(Err(e)) => return Err(crate::keys::rejected_keys(e)),
        None => return Err(unexpected_reply("sts:GetCallerIdentity")),
    };
    let Some(user_name) = profiles::user_name_from_arn(&identity.arn).map(str::to_string) else {
        return Err(input_error(
            &path,
            InputError::new(format!(
                "the keys of {profile} belong to {}, which is not an IAM user: only an IAM user's access keys can be rotated",
                identity.arn
            )),
        ));
    };
    let keys = match answers.access_keys {
        Some(Ok(keys)) => keys,
        Some(Err(e)) => {
            let message = format!("the user {user_name} may not list its access keys: {}", e.message);
            return Err(aws_failure("iam:ListAccessKeys", e, message));
        }
        None => return Err(unexpected_reply("iam:ListAccessKeys")),
    };
    let Some(old_key) = keys.iter().find(|k| k.access_key_id == old_keys.access_key_id).cloned() else {
        return Err(aws_failure(
            "iam:ListAccessKeys",
            AwsError::new(AwsErrorKind::Other, "key not listed"),
            format!(
                "IAM does not list the key {} of {profile} among the keys of {user_name}",
                old_keys.access_key_id
            ),
        ));
    };
    ctx.log(
        Level::Info,
        &format!("The keys belong to {} in account {}.", identity.arn, identity.account),
    );
    if let Some(other) = keys.iter().find(|k| k.access_key_id != old_key.access_key_id) {
        return Err(two_keys(
            &mut ctx,
            &old_keys,
            &region,
            &user_name,
            other.clone(),
            &old_key,
        ));
    }

    let action = if request.delete_old {
        OldKeyAction::Delete
    } else {
        OldKeyAction::Deactivate
    };
    let mut report = RotateReport {
        profile: profile.clone(),
        user_arn: identity.arn.clone(),
        old_key: old_key.clone(),
        new_key_id: None,
        new_key: NewKeyOutcome::WouldCreate,
        old_key_outcome: match action {
            OldKeyAction::Deactivate => OldKeyOutcome::WouldDeactivate,
            OldKeyAction::Delete => OldKeyOutcome::WouldDelete,
        },
        to_do: Vec::new(),
        warnings: Vec::new(),
    };
    let mut plan = Plan {
        changes: Vec::new(),
        report: Report {
            profile: profile.clone(),
            keys_written: false,
            caller_account: Some(identity.account.clone()),
            profiles: Vec::new(),
            accounts_learned: Vec::new(),
            terraform_attributes: Vec::new(),
            warnings: Vec::new(),
            stale_profiles: Vec::new(),
            pruned_profiles: Vec::new(),
        },
    };
    if request.dry_run {
        return Ok(Rotation {
            plan,
            state: None,
            report,
        });
    }

    ctx.log(Level::Info, &format!("Creating a new access key for {user_name}..."));
    let new_keys = match call_one(
        ctx.host,
        &old_keys,
        &region,
        Request::CreateAccessKey(Some(user_name.clone())),
    ) {
        Ok(Reply::CreatedKey(created)) => AccessKeys {
            access_key_id: created.access_key_id,
            secret_access_key: Secret::new(created.secret_access_key),
        },
        Ok(_) => return Err(unexpected_reply("iam:CreateAccessKey")),
        Err(e) => {
            let message = format!("IAM did not create a new key for {user_name}: {}", e.message);
            return Err(aws_failure("iam:CreateAccessKey", e, message));
        }
    };
    let new_id = new_keys.access_key_id.clone();
    ctx.log(Level::Info, &format!("Created the access key {new_id}."));

    let shape_ok =
        validate::is_access_key_id(&new_id) && validate::is_secret_access_key(new_keys.secret_access_key.expose());
    let checked = if shape_ok {
        check_new_key(&mut ctx, &new_keys, &region, &identity.arn)
    } else {
        Err((
            "iam:CreateAccessKey",
            AwsError::new(AwsErrorKind::Other, "malformed key"),
            "IAM answered with a key that is not an access key id and secret".to_string(),
        ))
    };
    if let Err((operation, error, why)) = checked {
        // The new key is of no use: take it back, with the keys that still work.
        let undone = match call_one(
            ctx.host,
            &old_keys,
            &region,
            Request::DeleteAccessKey(AccessKeyRef {
                user_name: Some(user_name.clone()),
                access_key_id: new_id.clone(),
            }),
        ) {
            Ok(_) => format!(
                "the new key {new_id} was deleted again; {profile} keeps its key {}",
                old_key.access_key_id
            ),
            Err(e) => format!(
                "the new key {new_id} could not be deleted again ({}): delete it with `{}`",
                e.message,
                aws_command(
                    &path,
                    &profile,
                    &format!("delete-access-key --user-name {user_name} --access-key-id {new_id}")
                )
            ),
        };
        return Err(aws_failure(operation, error, format!("{why}; {undone}")));
    }

    doc.set(&profile, "aws_access_key_id", &new_id)
        .map_err(|e| input_error(&path, e))?;
    doc.set(&profile, "aws_secret_access_key", new_keys.secret_access_key.expose())
        .map_err(|e| input_error(&path, e))?;
    let after = doc.render();
    let secret = new_keys.secret_access_key.expose();
    plan.changes.push(FileChange {
        path: path.clone(),
        kind: FileKind::AwsCredentials,
        masked_before: before.as_deref().map(|b| mask::mask_ini(b, &[secret])),
        masked_after: mask::mask_ini(&after, &[secret]),
        before,
        after,
        holds_secrets: true,
    });
    plan.report.keys_written = true;
    report.new_key_id = Some(new_id.clone());
    report.new_key = NewKeyOutcome::Written;
    report.old_key_outcome = match action {
        OldKeyAction::Deactivate => OldKeyOutcome::Deactivated,
        OldKeyAction::Delete => OldKeyOutcome::Deleted,
    };
    Ok(Rotation {
        plan,
        state: Some(RotationState {
            profile,
            credentials_path: path,
            region,
            user_name,
            user_arn: identity.arn,
            old_key,
            new_key_id: new_id,
            action,
        }),
        report,
    })
}

/// The user already has two keys: AWS allows no third. Names the other one
/// (with when it was last used, where the keys may ask) and what to do.
fn two_keys(
    ctx: &mut Ctx<'_>,
    keys: &AccessKeys,
    region: &str,
    user_name: &str,
    mut other: AccessKey,
    old_key: &AccessKey,
) -> ConfigureError {
    if let Ok(Reply::LastUsed(when)) = call_one(
        ctx.host,
        keys,
        region,
        Request::AccessKeyLastUsed(other.access_key_id.clone()),
    ) {
        other.last_used = when;
    }
    let message = format!(
        "the user {user_name} already has two access keys, the most AWS allows: {} in use here, and {}. Nothing was created. Delete the other key if nothing uses it any more (`aws iam delete-access-key --user-name {user_name} --access-key-id {}`), then run this again",
        old_key.access_key_id,
        describe_key(&other),
        other.access_key_id
    );
    aws_failure(
        "iam:CreateAccessKey",
        AwsError {
            kind: AwsErrorKind::Other,
            code: Some("LimitExceeded".into()),
            message: format!("{user_name} has two access keys"),
        },
        message,
    )
}

/// Ask STS about the new key until it answers for the same user, pausing
/// between tries; gives up after [`PROPAGATION_WAITS_MS`].
fn check_new_key(
    ctx: &mut Ctx<'_>,
    keys: &AccessKeys,
    region: &str,
    arn: &str,
) -> Result<(), (&'static str, AwsError, String)> {
    let total: u32 = PROPAGATION_WAITS_MS.iter().sum();
    let mut waited = 0;
    let mut pauses = PROPAGATION_WAITS_MS.iter();
    loop {
        match call_one(ctx.host, keys, region, Request::GetCallerIdentity) {
            Ok(Reply::CallerIdentity(identity)) if identity.arn == arn => return Ok(()),
            Ok(Reply::CallerIdentity(identity)) => {
                return Err((
                    "sts:GetCallerIdentity",
                    AwsError::new(AwsErrorKind::Other, "another identity"),
                    format!("the new key belongs to {}, not to {arn}", identity.arn),
                ))
            }
            Ok(_) => {
                return Err((
                    "sts:GetCallerIdentity",
                    AwsError::new(AwsErrorKind::Other, "unexpected reply"),
                    "the host answered sts:GetCallerIdentity with the reply of another call".into(),
                ))
            }
            Err(e) if e.kind == AwsErrorKind::InvalidCredentials => match pauses.next() {
                Some(&pause) => {
                    ctx.log(
                        Level::Info,
                        &format!(
                            "AWS does not accept the new key yet; checking again in {} s (waited {} of {} s)...",
                            pause / 1000,
                            waited / 1000,
                            total / 1000
                        ),
                    );
                    ctx.host.wait(pause);
                    waited += pause;
                }
                None => {
                    let message = format!("AWS still rejected the new key after {} s", total / 1000);
                    return Err(("sts:GetCallerIdentity", e, message));
                }
            },
            Err(e) => {
                let message = format!("the new key could not be checked: {}", e.message);
                return Err(("sts:GetCallerIdentity", e, message));
            }
        }
    }
}

/// Finish a rotation: see the module documentation.
pub fn finish_rotation(host: &mut dyn Host, state: &RotationState, applied: Result<(), String>) -> RotateReport {
    let mut report = RotateReport {
        profile: state.profile.clone(),
        user_arn: state.user_arn.clone(),
        old_key: state.old_key.clone(),
        new_key_id: Some(state.new_key_id.clone()),
        new_key: NewKeyOutcome::Written,
        old_key_outcome: OldKeyOutcome::StillActive,
        to_do: Vec::new(),
        warnings: Vec::new(),
    };
    let path = &state.credentials_path;
    let user = &state.user_name;
    let old_id = &state.old_key.access_key_id;
    let new_id = &state.new_key_id;
    // The keys the file holds now: the new ones after a write, else the old.
    let in_file = match host.read_file(path) {
        Ok(Some(text)) => IniDocument::parse(&text)
            .ok()
            .and_then(|doc| keys_in(&doc, &state.profile)),
        _ => None,
    };
    let log = |host: &mut dyn Host, level: Level, message: &str| host.log(level, &printable(message));
    match applied {
        Ok(()) => {
            let command = match state.action {
                OldKeyAction::Deactivate => {
                    format!("update-access-key --user-name {user} --access-key-id {old_id} --status Inactive")
                }
                OldKeyAction::Delete => format!("delete-access-key --user-name {user} --access-key-id {old_id}"),
            };
            let Some(keys) = in_file.filter(|k| &k.access_key_id == new_id) else {
                report.warnings.push(format!(
                    "{path} no longer holds the new key {new_id} for {}; the old key {old_id} was left active",
                    state.profile
                ));
                report.to_do.push(aws_command(path, &state.profile, &command));
                return report;
            };
            let (request, doing) = match state.action {
                OldKeyAction::Deactivate => (
                    Request::UpdateAccessKey(AccessKeyChange {
                        key: AccessKeyRef {
                            user_name: Some(user.clone()),
                            access_key_id: old_id.clone(),
                        },
                        status: AccessKeyStatus::Inactive,
                    }),
                    "Deactivating",
                ),
                OldKeyAction::Delete => (
                    Request::DeleteAccessKey(AccessKeyRef {
                        user_name: Some(user.clone()),
                        access_key_id: old_id.clone(),
                    }),
                    "Deleting",
                ),
            };
            log(host, Level::Info, &format!("{doing} the old key {old_id}..."));
            match call_one(host, &keys, &state.region, request) {
                Ok(Reply::Done) => {
                    report.old_key_outcome = match state.action {
                        OldKeyAction::Deactivate => OldKeyOutcome::Deactivated,
                        OldKeyAction::Delete => OldKeyOutcome::Deleted,
                    };
                }
                Ok(_) => {
                    report
                        .warnings
                        .push(format!("the host answered the change of the old key {old_id} with the reply of another call; it may still be active"));
                    report.to_do.push(aws_command(path, &state.profile, &command));
                }
                Err(e) => {
                    report.warnings.push(printable(&format!(
                        "the new key is written and works, but the old key {old_id} is still active: {}",
                        e.message
                    )));
                    report.to_do.push(aws_command(path, &state.profile, &command));
                }
            }
        }
        Err(why) => {
            report.warnings.push(printable(&format!(
                "the new key could not be written ({why}); {} keeps its key {old_id}",
                state.profile
            )));
            let command = format!("delete-access-key --user-name {user} --access-key-id {new_id}");
            let deleted = match in_file.filter(|k| &k.access_key_id != new_id) {
                Some(keys) => {
                    log(host, Level::Info, &format!("Deleting the new key {new_id} again..."));
                    call_one(
                        host,
                        &keys,
                        &state.region,
                        Request::DeleteAccessKey(AccessKeyRef {
                            user_name: Some(user.clone()),
                            access_key_id: new_id.clone(),
                        }),
                    )
                    .map_err(|e| e.message)
                }
                None => Err(format!(
                    "{path} holds no other keys of {} to delete it with",
                    state.profile
                )),
            };
            match deleted {
                Ok(_) => report.new_key = NewKeyOutcome::DeletedAgain,
                Err(e) => {
                    report.new_key = NewKeyOutcome::LeftInIam;
                    report.warnings.push(printable(&format!(
                        "the new key {new_id} could not be deleted again: {e}"
                    )));
                    report.to_do.push(aws_command(path, &state.profile, &command));
                }
            }
        }
    }
    report
}
