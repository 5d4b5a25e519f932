//! The one seam between the core's logic and the outside world.

pub use crate::bindings::leverage::credentials::aws::{
    AccessKeyChange, AccessKeyRef, Call, CallerIdentity, Organization, OrganizationAccount, Reply, Request,
};
pub use crate::bindings::leverage::credentials::files::FilesError;
pub use crate::bindings::leverage::credentials::log::Level;
pub use crate::bindings::leverage::credentials::prompt::{PromptError, Question};
pub use crate::bindings::leverage::credentials::types::{
    AccessKey, AccessKeyStatus, AccountId, AccountProfile, AwsCredentials, AwsError, AwsErrorKind, AwsFailure,
    ConfigureError, ConfigureRequest, CredentialsType, FileChange, FileKind, InputError as WitInputError,
    NewKeyOutcome, OldKeyAction, OldKeyOutcome, Plan, Report, RotateReport, RotateRequest, Rotation, RotationState,
    StaleProfile,
};

/// Everything the core may ask of its host: one method per WIT import.
///
/// The wasm build implements it with the component's imports; tests implement
/// it with a script. Each method has the contract of the WIT function of the
/// same name (see `wit/*.wit`).
pub trait Host {
    /// `aws.call-all`: one answer per call, in the order of `calls`.
    fn call_all(&mut self, calls: &[Call]) -> Vec<Result<Reply, AwsError>>;
    /// `aws.wait`: pause for `milliseconds`.
    fn wait(&mut self, milliseconds: u32);
    /// `files.read`: none when nothing exists at `path`.
    fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError>;
    /// `files.read-stdin`
    fn read_stdin(&mut self) -> Result<String, FilesError>;
    /// `prompt.text`
    fn prompt_text(&mut self, question: &Question, default: Option<&str>) -> Result<String, PromptError>;
    /// `prompt.secret`
    fn prompt_secret(&mut self, question: &Question) -> Result<String, PromptError>;
    /// `prompt.select`
    fn prompt_select(&mut self, question: &Question, choices: &[String], default: u32) -> Result<u32, PromptError>;
    /// `log.line`
    fn log(&mut self, level: Level, message: &str);
}

impl Question {
    /// `text`, answered without a prompt by `answered_by`.
    pub fn new(text: &str, answered_by: &str) -> Question {
        Question {
            text: text.to_string(),
            answered_by: answered_by.to_string(),
        }
    }
}

impl AwsError {
    /// An error without an AWS error code.
    pub fn new(kind: AwsErrorKind, message: impl Into<String>) -> AwsError {
        AwsError {
            kind,
            code: None,
            message: message.into(),
        }
    }
}
