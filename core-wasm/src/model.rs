//! Plain data shared by the parsers, the editors and the flow.

use std::fmt;
use zeroize::Zeroizing;

/// A secret string (a secret access key, a session token). Its `Debug` and
/// `Display` print a redaction, so that no log line, error or panic message
/// built with `{:?}` or `{}` can carry the value; the memory is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The value itself. Call sites are the few places that must put the
    /// secret into the credentials file or an AWS call.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A pair of access keys as read from a CSV file, a prompt or the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeys {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// An account as a configuration file declares it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DeclaredAccount {
    pub name: String,
    pub email: Option<String>,
    /// Always a string of digits: ids may start with 0.
    pub id: Option<String>,
}

/// Something wrong with a file's content: what, and on which line when the
/// parser knows. The file name is added by the caller, which knows the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line number.
    pub line: Option<u32>,
    pub message: String,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            line: None,
            message: message.into(),
        }
    }

    pub fn at(line: u32, message: impl Into<String>) -> Self {
        InputError {
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
