//! Steps 2 and 3: obtaining the new keys (a CSV file, standard input, the
//! environment or prompts) and reading AWS's verdict on them.

use crate::access_keys;
use crate::host::*;
use crate::model::{AccessKeys, InputError, Secret};
use crate::project::join;
use crate::run::{answer_error, aws_failure, file_error, input_error, prompt_error, Ctx};
use crate::validate;

pub fn rejected_keys(error: AwsError) -> ConfigureError {
    let why = &error.message;
    let message = match (error.kind, error.code.as_deref()) {
        (_, Some("SignatureDoesNotMatch")) => {
            "the keys were rejected by AWS (SignatureDoesNotMatch): the secret access key does not belong to this access key id; check that you copied both from the same key".to_string()
        }
        (_, Some("InvalidClientTokenId")) => {
            "the keys were rejected by AWS (InvalidClientTokenId): this access key id does not exist or was deleted; create a new access key in IAM".to_string()
        }
        (AwsErrorKind::InvalidCredentials, Some(code)) => {
            format!("the keys were rejected by AWS ({code}): check that you copied the current access key id and secret access key")
        }
        (AwsErrorKind::InvalidCredentials, None) => {
            "the keys were rejected by AWS: check that you copied the current access key id and secret access key"
                .to_string()
        }
        (AwsErrorKind::Network, _) => format!("could not reach AWS to check the keys: {why}"),
        (AwsErrorKind::Throttled, _) => format!("AWS kept throttling the check of the keys: {why}"),
        _ => format!("AWS could not check the keys: {why}"),
    };
    aws_failure("sts:GetCallerIdentity", error, message)
}

/// What gives the keys without a prompt.
const KEYS_ANSWERED_BY: &str = "--credentials-file PATH (`-` reads the CSV from standard input), or the variables \
     LEVERAGE_AWS_ACCESS_KEY_ID and LEVERAGE_AWS_SECRET_ACCESS_KEY";

/// Step 3's sources: a CSV file (or standard input), the environment, or prompts.
pub fn obtain_keys(ctx: &mut Ctx<'_>) -> Result<AccessKeys, ConfigureError> {
    if let Some(path) = ctx.request.credentials_file.clone() {
        return keys_from_csv_path(ctx, &path);
    }
    if let Some(env) = &ctx.request.environment_keys {
        let keys = AccessKeys {
            access_key_id: env.access_key_id.trim().to_string(),
            secret_access_key: Secret::new(env.secret_access_key.trim()),
        };
        if !validate::is_access_key_id(&keys.access_key_id) {
            return Err(answer_error(
                "LEVERAGE_AWS_ACCESS_KEY_ID is not an access key id (20 upper-case letters or digits)",
            ));
        }
        if !validate::is_secret_access_key(keys.secret_access_key.expose()) {
            return Err(answer_error(
                "LEVERAGE_AWS_SECRET_ACCESS_KEY is not a secret access key (40 letters, digits, / or +)",
            ));
        }
        return Ok(keys);
    }
    let how = ctx.select(
        &Question::new(
            "Select the means by which you'll provide the programmatic keys",
            KEYS_ANSWERED_BY,
        ),
        &["Path to an access keys file obtained from AWS", "Manually"],
        "access keys are needed: pass --credentials-file PATH (or - for standard input), or set LEVERAGE_AWS_ACCESS_KEY_ID and LEVERAGE_AWS_SECRET_ACCESS_KEY",
    )?;
    if how == 0 {
        loop {
            let home = ctx.request.home_dir.clone();
            let cwd = ctx.request.current_dir.clone();
            let typed = ctx.ask_validated(
                &Question::new("Path to the access keys file", KEYS_ANSWERED_BY),
                None,
                "--credentials-file",
                |p| typed_path(p, home.as_deref(), &cwd).map(|_| ()),
            )?;
            let path = typed_path(&typed, home.as_deref(), &cwd).map_err(answer_error)?;
            match keys_from_csv_path(ctx, &path) {
                Ok(keys) => return Ok(keys),
                Err(ConfigureError::InvalidInput(e)) => ctx.log(Level::Warn, &e.message_with_file()),
                Err(other) => return Err(other),
            }
        }
    }
    let access_key_id = ctx.ask_validated(
        &Question::new("Access key ID", KEYS_ANSWERED_BY),
        None,
        "--credentials-file",
        |v| {
            validate::is_access_key_id(v)
                .then_some(())
                .ok_or("an access key id is 20 upper-case letters or digits".to_string())
        },
    )?;
    loop {
        let secret = Secret::new(
            ctx.host
                .prompt_secret(&Question::new("Secret access key", KEYS_ANSWERED_BY))
                .map_err(prompt_error)?
                .trim(),
        );
        if validate::is_secret_access_key(secret.expose()) {
            return Ok(AccessKeys {
                access_key_id,
                secret_access_key: secret,
            });
        }
        ctx.log(Level::Warn, "a secret access key is 40 letters, digits, / or +");
    }
}

/// A path typed at a prompt, as a shell would read it: a leading `~`,
/// `$HOME` or `${HOME}` is the home directory, and a relative path is
/// relative to the current directory. (`~user` is not expanded.)
fn typed_path(typed: &str, home: Option<&str>, cwd: &str) -> Result<String, String> {
    if typed.is_empty() {
        return Err("a path is needed".to_string());
    }
    let after_home = ["~", "${HOME}", "$HOME"].iter().find_map(|prefix| {
        typed
            .strip_prefix(prefix)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if let Some(rest) = after_home {
        let Some(home) = home.filter(|h| !h.is_empty()) else {
            return Err(format!(
                "`{typed}` starts with the home directory, which is not known (HOME is not set)"
            ));
        };
        let rest = rest.trim_start_matches('/');
        return Ok(if rest.is_empty() {
            home.to_string()
        } else {
            join(home, rest)
        });
    }
    if typed.starts_with('/') {
        Ok(typed.to_string())
    } else {
        Ok(join(cwd, typed))
    }
}

fn keys_from_csv_path(ctx: &mut Ctx<'_>, path: &str) -> Result<AccessKeys, ConfigureError> {
    let (name, text) = if path == "-" {
        (
            "standard input".to_string(),
            ctx.host.read_stdin().map_err(|e| file_error("standard input", e))?,
        )
    } else {
        match ctx.read(path)? {
            Some(text) => (path.to_string(), text),
            None => {
                return Err(input_error(
                    path,
                    InputError::new("the access keys file does not exist"),
                ))
            }
        }
    };
    access_keys::parse_csv(&text).map_err(|e| input_error(&name, e))
}
