//! `--fetch-mfa-device` and `--mfa-serial`: which MFA device the account
//! profiles name.

use crate::host::*;
use crate::run::{answer_error, aws_failure, warn, Ctx};
use crate::{profiles, validate};

/// What the MFA step knows when it starts.
pub struct MfaAnswers<'a> {
    /// Whether the profile being configured has keys (new or configured).
    pub own_keys: bool,
    /// Who the keys belong to, when GetCallerIdentity answered.
    pub identity: Option<&'a CallerIdentity>,
    /// ListMFADevices' answer; none when it was not asked.
    pub devices: Option<Result<Vec<String>, AwsError>>,
    /// The serial the account profiles hold now, if any.
    pub configured: Option<&'a str>,
}

/// `--fetch-mfa-device` and `--mfa-serial`, from the answer of
/// ListMFADevices (asked for with the run's other AWS calls). Without
/// `--fetch-mfa-device`, a `--mfa-serial` is checked against the user's
/// devices when the keys could list them, and used unchecked, with a
/// warning, when they could not.
pub fn mfa_serial(
    ctx: &mut Ctx<'_>,
    report: &mut Report,
    answers: MfaAnswers<'_>,
) -> Result<Option<String>, ConfigureError> {
    let MfaAnswers {
        own_keys,
        identity,
        devices,
        configured,
    } = answers;
    let request = ctx.request;
    let user = identity.and_then(|i| profiles::user_name_from_arn(&i.arn).filter(|u| validate::is_iam_user_name(u)));
    if !request.fetch_mfa_device {
        let Some(wanted) = &request.mfa_serial else {
            return Ok(None);
        };
        let not_checked = |why: String| {
            format!("--mfa-serial {wanted} was not checked against the user's MFA devices ({why}); it is used as given")
        };
        match devices {
            None => {
                warn(
                    ctx,
                    report,
                    not_checked("no keys of this profile to list them with".into()),
                );
                return Ok(Some(wanted.clone()));
            }
            Some(Err(e)) => {
                warn(ctx, report, not_checked(e.message));
                return Ok(Some(wanted.clone()));
            }
            Some(Ok(list)) if list.contains(wanted) => return Ok(Some(wanted.clone())),
            Some(Ok(list)) => {
                let user = user.unwrap_or("the keys' user");
                let usable: Vec<&String> = list.iter().filter(|s| validate::is_mfa_serial(s)).collect();
                return Err(answer_error(if usable.is_empty() {
                    format!("--mfa-serial {wanted} is not an MFA device of {user}, who has none")
                } else {
                    format!(
                        "--mfa-serial {wanted} is not one of the MFA devices of {user}: {}",
                        usable.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )
                }));
            }
        }
    }
    if !own_keys {
        return Err(answer_error(
            "--fetch-mfa-device needs the profile's own keys, and none are configured",
        ));
    }
    let Some(identity) = identity else {
        return Err(ConfigureError::Host(
            "the caller identity was not asked for with the MFA devices".into(),
        ));
    };
    let Some(user) = user else {
        return Err(answer_error(format!(
            "--fetch-mfa-device needs the keys of an IAM user, but they belong to `{}`",
            identity.arn
        )));
    };
    let devices = match devices {
        Some(Ok(devices)) => devices,
        Some(Err(e)) => {
            let message = format!("could not list the MFA devices of {user}: {}", e.message);
            return Err(aws_failure("iam:ListMFADevices", e, message));
        }
        None => return Err(ConfigureError::Host("the MFA devices were not asked for".into())),
    };
    // A serial of another shape (a hardware token's serial number, or
    // something no AWS sends) is named and skipped, never written.
    let (mut usable, unusable): (Vec<String>, Vec<String>) =
        devices.into_iter().partition(|s| validate::is_mfa_serial(s));
    // The same device listed twice is one device.
    let mut seen = std::collections::BTreeSet::new();
    usable.retain(|s| seen.insert(s.clone()));
    let unusable: Vec<String> = unusable
        .iter()
        .map(|s| format!("`{}`", s.chars().take(80).collect::<String>()))
        .collect();
    if !unusable.is_empty() {
        ctx.log(
            Level::Warn,
            &format!(
                "skipped MFA device(s) of {user} whose serial is not an MFA device ARN: {}",
                unusable.join(", ")
            ),
        );
    }
    match (usable.as_slice(), &request.mfa_serial) {
        ([], _) if !unusable.is_empty() => Err(answer_error(format!(
            "no MFA device found for user {user} (only {}, which is not an MFA device ARN like arn:aws:iam::123456789012:mfa/name)",
            unusable.join(", ")
        ))),
        ([], _) => Err(answer_error(format!("no MFA device found for user {user}"))),
        (_, Some(wanted)) if usable.contains(wanted) => Ok(Some(wanted.clone())),
        (_, Some(wanted)) => Err(answer_error(format!(
            "--mfa-serial {wanted} is not one of the MFA devices of {user}: {}",
            usable.join(", ")
        ))),
        ([only], None) => Ok(Some(only.clone())),
        (several, None) => pick_device(ctx, user, several, configured).map(Some),
    }
}

/// The MFA device picker: the device the profiles use now is marked and
/// the cursor starts on it, so Enter keeps it.
fn pick_device(
    ctx: &mut Ctx<'_>,
    user: &str,
    devices: &[String],
    configured: Option<&str>,
) -> Result<String, ConfigureError> {
    let current = configured.and_then(|c| devices.iter().position(|d| d == c));
    let labels: Vec<String> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if Some(i) == current {
                format!("{d} (configured now)")
            } else {
                d.clone()
            }
        })
        .collect();
    let choices: Vec<&str> = labels.iter().map(String::as_str).collect();
    let needed = format!(
        "{user} has several MFA devices; pick one with --mfa-serial: {}",
        devices.join(", ")
    );
    let default = current.and_then(|i| u32::try_from(i).ok()).unwrap_or(0);
    let chosen = ctx.select_from(
        &Question::new("Which MFA device should the profiles use?", "--mfa-serial ARN"),
        &choices,
        default,
        &needed,
    )?;
    devices
        .get(chosen as usize)
        .cloned()
        .ok_or_else(|| ConfigureError::Host(format!("the prompt answered choice {chosen} of {}", devices.len())))
}
