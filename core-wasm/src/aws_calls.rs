//! The run's AWS calls, asked for together.
//!
//! Nothing the core asks of AWS depends on another call's answer: the keys
//! are known before any call, IAM lists the caller's own MFA devices without
//! a user name, and SECURITY reads the organization with keys already in the
//! credentials file. So the run asks for all of them in one `call-all`, and
//! a host on a real network pays one round trip for the lot. The answers
//! are then read in a fixed order (the order of the calls), which keeps the
//! outcome the same whichever call a host finished first.

use crate::host::*;
use crate::model::AccessKeys;
use crate::run::{aws_failure, Ctx};

/// Which calls the run needs, and with which keys.
#[derive(Default)]
pub struct Wanted<'a> {
    /// GetCallerIdentity: checks keys before they are written, and names the
    /// user whose MFA devices are listed.
    pub identity: Option<&'a AccessKeys>,
    /// ListAccounts, with the keys that may read the organization.
    pub accounts: Option<&'a AccessKeys>,
    /// DescribeOrganization, with the keys whose organization it names:
    /// its management account is the one BOOTSTRAP and MANAGEMENT keys
    /// belong to.
    pub organization: Option<&'a AccessKeys>,
    /// ListMFADevices of the keys' own user.
    pub mfa_devices: Option<&'a AccessKeys>,
    /// ListAccessKeys of the keys' own user (their ids, status and age).
    pub access_keys: Option<&'a AccessKeys>,
}

/// The answer to each call that was made; `None` where none was asked.
#[derive(Default)]
pub struct Answers {
    pub identity: Option<Result<CallerIdentity, AwsError>>,
    pub accounts: Option<Result<Vec<OrganizationAccount>, AwsError>>,
    pub organization: Option<Result<Organization, AwsError>>,
    pub mfa_devices: Option<Result<Vec<String>, AwsError>>,
    pub access_keys: Option<Result<Vec<AccessKey>, AwsError>>,
}

pub fn credentials_of(keys: &AccessKeys) -> AwsCredentials {
    AwsCredentials {
        access_key_id: keys.access_key_id.clone(),
        secret_access_key: keys.secret_access_key.expose().to_string(),
        session_token: None,
    }
}

/// Makes every wanted call in one `call-all`.
pub fn call(ctx: &mut Ctx<'_>, region: &str, wanted: Wanted<'_>) -> Result<Answers, ConfigureError> {
    let mut calls = Vec::new();
    let mut push = |keys: Option<&AccessKeys>, request: Request| {
        keys.map(|keys| {
            calls.push(Call {
                credentials: credentials_of(keys),
                region: region.to_string(),
                request,
            });
            calls.len() - 1
        })
    };
    let identity = push(wanted.identity, Request::GetCallerIdentity);
    let accounts = push(wanted.accounts, Request::ListAccounts);
    let organization = push(wanted.organization, Request::DescribeOrganization);
    let mfa_devices = push(wanted.mfa_devices, Request::ListMfaDevices(None));
    let access_keys = push(wanted.access_keys, Request::ListAccessKeys(None));
    if calls.is_empty() {
        return Ok(Answers::default());
    }
    let mut replies: Vec<Option<Result<Reply, AwsError>>> = ctx.host.call_all(&calls).into_iter().map(Some).collect();
    // The secrets in `calls` are no longer needed.
    for call in &mut calls {
        zeroize::Zeroize::zeroize(&mut call.credentials.secret_access_key);
    }
    if replies.len() != calls.len() {
        return Err(ConfigureError::Host(format!(
            "aws.call-all answered {} of {} calls",
            replies.len(),
            calls.len()
        )));
    }
    let mut take = |index: Option<usize>| index.and_then(|i| replies.get_mut(i).and_then(Option::take));
    let unexpected = |operation: &str| {
        aws_failure(
            operation,
            AwsError::new(AwsErrorKind::Other, "unexpected reply"),
            format!("the host answered {operation} with the reply of another call"),
        )
    };
    let identity = match take(identity) {
        None => None,
        Some(Ok(Reply::CallerIdentity(id))) => Some(Ok(id)),
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(_)) => return Err(unexpected("sts:GetCallerIdentity")),
    };
    let accounts = match take(accounts) {
        None => None,
        Some(Ok(Reply::Accounts(list))) => Some(Ok(list)),
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(_)) => return Err(unexpected("organizations:ListAccounts")),
    };
    let organization = match take(organization) {
        None => None,
        Some(Ok(Reply::Organization(organization))) => Some(Ok(organization)),
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(_)) => return Err(unexpected("organizations:DescribeOrganization")),
    };
    let mfa_devices = match take(mfa_devices) {
        None => None,
        Some(Ok(Reply::MfaDevices(list))) => Some(Ok(list)),
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(_)) => return Err(unexpected("iam:ListMFADevices")),
    };
    let access_keys = match take(access_keys) {
        None => None,
        Some(Ok(Reply::AccessKeys(list))) => Some(Ok(list)),
        Some(Err(e)) => Some(Err(e)),
        Some(Ok(_)) => return Err(unexpected("iam:ListAccessKeys")),
    };
    Ok(Answers {
        identity,
        accounts,
        organization,
        mfa_devices,
        access_keys,
    })
}
