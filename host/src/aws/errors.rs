//! What a failed call means: AWS's error codes and HTTP statuses mapped to
//! the WIT's error kinds, with one line for the user.

use super::*;

pub(super) fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().chars().take(200).collect()
}

/// AWS's error codes, and what each means to the core.
pub(super) fn classify(
    code: Option<&str>,
    status: Option<u16>,
    message: String,
    rejected_when_forbidden: bool,
) -> AwsError {
    let kind = match code {
        Some(
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "InvalidAccessKeyId"
            | "ExpiredToken"
            | "ExpiredTokenException",
        ) => AwsErrorKind::InvalidCredentials,
        Some("AccessDenied" | "AccessDeniedException") => AwsErrorKind::AccessDenied,
        Some("AWSOrganizationsNotInUseException") => AwsErrorKind::OrganizationNotInUse,
        Some("Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded") => {
            AwsErrorKind::Throttled
        }
        _ => match status {
            Some(403) if rejected_when_forbidden => AwsErrorKind::InvalidCredentials,
            Some(401) => AwsErrorKind::InvalidCredentials,
            Some(403) => AwsErrorKind::AccessDenied,
            Some(429) => AwsErrorKind::Throttled,
            _ => AwsErrorKind::Other,
        },
    };
    AwsError {
        kind,
        code: code.map(str::to_string),
        message,
    }
}

/// The error code of an error body: an XML `<Code>` (the query protocols,
/// and some emulators for every service) or a JSON `__type` (the JSON
/// protocols, e.g. `com.amazonaws...#ThrottlingException`).
pub(super) fn code_in_body(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let code = if let Some(start) = text.find("<Code>") {
        let start = start + "<Code>".len();
        &text[start..start + text[start..].find("</Code>")?]
    } else {
        let after = &text[text.find("\"__type\"")? + "\"__type\"".len()..];
        let value = after.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
        let value = &value[..value.find('"')?];
        value.rsplit('#').next()?
    };
    let code = code.trim();
    (!code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .then(|| code.to_string())
}

pub(super) fn to_aws_error<E, R>(error: SdkError<E, R>, rejected_when_forbidden: bool) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + RawReply,
{
    // A reply over the size bound surfaces as a failure to read or parse
    // its body, in whichever shape the SDK reports it.
    if describe_source(&error).contains("length limit exceeded") {
        return too_large();
    }
    match &error {
        SdkError::TimeoutError(_) => AwsError::new(AwsErrorKind::Network, "the request timed out"),
        SdkError::DispatchFailure(failure) => AwsError::new(
            AwsErrorKind::Network,
            if failure.is_timeout() {
                "the request timed out".into()
            } else if failure.is_io() {
                format!("could not connect: {}", describe_source(&error))
            } else {
                describe_source(&error)
            },
        ),
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err
                .code()
                .map(str::to_string)
                .or_else(|| service.raw().body_bytes().and_then(code_in_body));
            let status = service.raw().status_code();
            let message = match (&code, err.message()) {
                (Some(code), Some(msg)) => format!("{code}: {msg}"),
                (Some(code), None) => code.clone(),
                (None, _) => format!("HTTP {}", status.unwrap_or(0)),
            };
            classify(code.as_deref(), status, message, rejected_when_forbidden)
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status_code();
            let code = response.raw().body_bytes().and_then(code_in_body);
            let message = match &code {
                Some(code) => format!("{code} (HTTP {})", status.unwrap_or(0)),
                None => format!("unexpected response (HTTP {})", status.unwrap_or(0)),
            };
            classify(code.as_deref(), status, message, rejected_when_forbidden)
        }
        _ => AwsError::new(AwsErrorKind::Other, describe_source(&error)),
    }
}

pub(super) fn too_large() -> AwsError {
    AwsError::new(
        AwsErrorKind::Other,
        format!(
            "the reply was larger than {} MiB; stopped reading it",
            MAX_REPLY_BYTES >> 20
        ),
    )
}

/// The status and body of a raw response.
pub trait RawReply {
    fn status_code(&self) -> Option<u16>;
    fn body_bytes(&self) -> Option<&[u8]>;
}

impl RawReply for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
    fn body_bytes(&self) -> Option<&[u8]> {
        self.body().bytes()
    }
}

pub(super) fn describe_source(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
