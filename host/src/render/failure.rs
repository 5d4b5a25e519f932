//! Errors for people: `Error:`, `Caused by:` lines, a `Hint:`, and the
//! exit code.

use std::fmt::Write as _;

use super::*;

/// The exit code of a cancelled run: 128 + SIGINT, as shells report Ctrl-C.
pub const CANCELLED: u8 = 130;

/// An error in one style: `Error:`, `Caused by:` lines, and a `Hint:`.
pub struct Failure {
    pub message: String,
    pub causes: Vec<String>,
    /// The command's usage line, for usage errors.
    pub usage: Option<String>,
    pub hint: Option<String>,
    pub exit_code: u8,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            causes: Vec::new(),
            usage: None,
            hint: None,
            exit_code: 1,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// Plain text.
    pub fn render(&self) -> String {
        self.render_with(Paint(false))
    }

    pub fn render_with(&self, paint: Paint) -> String {
        let mut out = format!("{} {}\n", paint.red("Error:"), self.message);
        for cause in &self.causes {
            let _ = writeln!(out, "{} {cause}", paint.bold("Caused by:"));
        }
        if let Some(usage) = &self.usage {
            let _ = writeln!(out, "{} {usage}", paint.bold("Usage:"));
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "{} {hint}", paint.cyan("Hint:"));
        }
        out
    }

    /// Print to standard error (coloured on a terminal without `NO_COLOR`)
    /// and return the exit code.
    pub fn print(&self) -> std::process::ExitCode {
        eprint!("{}", self.render_with(Paint(crate::log::stderr_color())));
        std::process::ExitCode::from(self.exit_code)
    }
}

/// What to tell the user about an AWS failure, by operation, kind and code.
fn aws_hint(operation: &str, error: &crate::engine::AwsError) -> Option<String> {
    use crate::engine::AwsErrorKind as Kind;
    let service = operation.split(':').next().unwrap_or(operation);
    let hint = match (service, error.kind, error.code.as_deref()) {
        (_, Kind::Network, _) => "check the network connection and any proxy (HTTPS_PROXY), or the \
             AWS_ENDPOINT_URL variables if one is set, then run again"
            .to_string(),
        (_, Kind::Throttled, _) => "AWS is throttling this account's API calls: wait a minute and run again".to_string(),
        (_, _, Some("SignatureDoesNotMatch")) => "the secret access key does not belong to this access key id: \
             copy both from the same access key (the CSV the IAM console downloaded when you created it)"
            .to_string(),
        (_, _, Some("InvalidClientTokenId")) => "this access key id does not exist or was deleted: create a new \
             access key in the IAM console (your user, Security credentials) and pass the CSV it downloads with \
             --credentials-file"
            .to_string(),
        (_, Kind::InvalidCredentials, _) => "the access key may be mistyped, deactivated or deleted: create a new one \
             in the IAM console (your user, Security credentials) and pass the CSV it downloads with --credentials-file"
            .to_string(),
        ("organizations", Kind::AccessDenied, _) => "SECURITY keys cannot read the organization: configure MANAGEMENT \
             keys first (`leverage credentials configure --type MANAGEMENT`), then run this again; MANAGEMENT keys need \
             organizations:ListAccounts in the management account"
            .to_string(),
        ("organizations", Kind::OrganizationNotInUse, _) => "the account is not in an organization yet: create it \
             first, or declare the account ids in config/common.tfvars or project.yaml"
            .to_string(),
        ("iam", Kind::AccessDenied, _) => "the user may not list its own MFA devices (iam:ListMFADevices): name the \
             device with --mfa-serial ARN instead of --fetch-mfa-device"
            .to_string(),
        (_, Kind::AccessDenied, _) => format!("the keys are valid but not allowed to call {operation}"),
        _ => return None,
    };
    Some(hint)
}

pub fn failure(error: &ConfigureError, paths: &PathStyle) -> Failure {
    match error {
        ConfigureError::Usage(message) => Failure {
            exit_code: 2,
            ..Failure::new(message.clone()).hint("see `leverage credentials configure --help`")
        },
        ConfigureError::InvalidInput(input) => {
            let is_root = input.file.as_deref().is_some_and(|f| Path::new(f) == paths.root);
            let place = match (&input.file, input.line) {
                // The project root itself: name it as people know it.
                (Some(_), _) if is_root => {
                    let under_home = paths.home.as_ref().and_then(|h| paths.root.strip_prefix(h).ok());
                    match under_home {
                        Some(rest) if rest.as_os_str().is_empty() => "~: ".to_string(),
                        Some(rest) => format!("~/{}: ", rest.display()),
                        None => format!("{}: ", paths.root.display()),
                    }
                }
                (Some(file), Some(line)) => format!("{}:{line}: ", paths.show(Path::new(file))),
                (Some(file), None) => format!("{}: ", paths.show(Path::new(file))),
                _ => String::new(),
            };
            let failure = Failure::new(format!("{place}{}; nothing was written", input.message));
            if is_root {
                failure.hint(
                    "run leverage inside the project (the git repository holding project.yaml, build.env or \
                     config/common.tfvars), or create build.env there with PROJECT=<short name>",
                )
            } else {
                failure
            }
        }
        ConfigureError::AnswerNeeded(message) => Failure::new(format!("{message}; nothing was written")).hint(
            "every answer can come from a flag, a variable or the project's files: see \
             `leverage credentials configure --help`",
        ),
        ConfigureError::Aws(failure) => {
            let detail = failure.error.message.clone();
            // The core's message often ends with AWS's detail: say it once,
            // as the cause.
            let message = failure
                .message
                .strip_suffix(&format!(": {detail}"))
                .unwrap_or(&failure.message);
            Failure {
                causes: vec![format!("{}: {detail}", failure.operation)],
                hint: aws_hint(&failure.operation, &failure.error),
                ..Failure::new(format!("{message}; nothing was written"))
            }
        }
        ConfigureError::Cancelled => Failure {
            exit_code: CANCELLED,
            ..Failure::new("cancelled; nothing was written")
        },
        ConfigureError::Host(message) => Failure::new(format!("{message}; nothing was written")),
    }
}
