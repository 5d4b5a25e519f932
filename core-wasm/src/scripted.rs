//! A scripted host for tests: answers come from a [`Scenario`], and every
//! call is written to a transcript. The scenario is plain serde data, so the
//! same scenario can drive the native core, the component in wasmtime and the
//! component in Node, and their plans can be compared.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::host::*;

/// One scripted answer to a prompt, in the order the prompts come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Text(String),
    Secret(String),
    Select(u32),
    /// The user pressed Ctrl-C.
    Cancel,
}

/// Everything the outside world would answer during one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    /// Files that exist, by absolute path.
    pub files: BTreeMap<String, String>,
    /// Paths that are directories (reading them fails).
    pub directories: Vec<String>,
    /// Standard input, for `--credentials-file -`.
    pub stdin: Option<String>,
    /// GetCallerIdentity, by access key id; a key not listed is rejected.
    pub identities: BTreeMap<String, Result<CallerIdentity, AwsError>>,
    /// ListAccounts, by access key id; a key not listed gets AccessDenied.
    pub organizations: BTreeMap<String, Result<Vec<OrganizationAccount>, AwsError>>,
    /// ListMFADevices, by user name; a user not listed has none.
    pub mfa_devices: BTreeMap<String, Vec<String>>,
    /// Prompt answers, in order. When they run out the prompt is unavailable.
    pub answers: Vec<Answer>,
}

/// A [`Host`] that plays a [`Scenario`] and records a transcript.
#[derive(Debug)]
pub struct ScriptedHost {
    pub scenario: Scenario,
    answers: VecDeque<Answer>,
    /// One line per call, in order. Secrets never appear in it.
    pub transcript: Vec<String>,
    /// Every question asked, in order, with what answers it without a prompt.
    pub questions: Vec<Question>,
}

impl ScriptedHost {
    pub fn new(scenario: Scenario) -> Self {
        let answers = scenario.answers.iter().cloned().collect();
        ScriptedHost {
            scenario,
            answers,
            transcript: Vec::new(),
            questions: Vec::new(),
        }
    }

    fn next_answer(&mut self, what: &str) -> Result<Answer, PromptError> {
        match self.answers.pop_front() {
            Some(Answer::Cancel) => Err(PromptError::Cancelled),
            Some(answer) => Ok(answer),
            None => Err(PromptError::Unavailable(format!("no scripted answer for {what}"))),
        }
    }
}

impl ScriptedHost {
    /// GetCallerIdentity for `key`; a key the scenario does not list is rejected.
    fn identity_of(&self, key: &str) -> Result<CallerIdentity, AwsError> {
        self.scenario.identities.get(key).cloned().unwrap_or_else(|| {
            Err(AwsError {
                kind: AwsErrorKind::InvalidCredentials,
                code: Some("InvalidClientTokenId".into()),
                message: "InvalidClientTokenId: The security token included in the request is invalid".into(),
            })
        })
    }

    /// One call of a batch, answered from the scenario and written to the transcript.
    fn answer(&mut self, call: &Call) -> Result<Reply, AwsError> {
        let key = &call.credentials.access_key_id;
        let region = &call.region;
        match &call.request {
            Request::GetCallerIdentity => {
                self.transcript.push(format!("aws.get-caller-identity {key} {region}"));
                self.identity_of(key).map(Reply::CallerIdentity)
            }
            Request::ListAccounts => {
                self.transcript.push(format!("aws.list-accounts {key} {region}"));
                self.scenario
                    .organizations
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| {
                        Err(AwsError {
                            kind: AwsErrorKind::AccessDenied,
                            code: Some("AccessDeniedException".into()),
                            message: "AccessDeniedException: not allowed".into(),
                        })
                    })
                    .map(Reply::Accounts)
            }
            Request::ListMfaDevices(user) => {
                self.transcript.push(format!(
                    "aws.list-mfa-devices {key} {region} {}",
                    user.as_deref().unwrap_or("-")
                ));
                // Without a user name AWS lists the caller's own devices.
                let user = match user {
                    Some(user) => user.clone(),
                    None => {
                        let arn = self.identity_of(key)?.arn;
                        arn.rsplit('/').next().unwrap_or_default().to_string()
                    }
                };
                Ok(Reply::MfaDevices(
                    self.scenario.mfa_devices.get(&user).cloned().unwrap_or_default(),
                ))
            }
        }
    }
}

fn mismatch(expected: &str, got: &Answer) -> PromptError {
    PromptError::Unavailable(format!("the script answers {got:?} where a {expected} was asked"))
}

impl Host for ScriptedHost {
    fn call_all(&mut self, calls: &[Call]) -> Vec<Result<Reply, AwsError>> {
        self.transcript.push(format!("aws.call-all {} call(s)", calls.len()));
        calls.iter().map(|call| self.answer(call)).collect()
    }

    fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError> {
        self.transcript.push(format!("files.read {path}"));
        if self.scenario.directories.iter().any(|d| d == path) {
            return Err(FilesError::IsDirectory);
        }
        Ok(self.scenario.files.get(path).cloned())
    }

    fn read_stdin(&mut self) -> Result<String, FilesError> {
        self.transcript.push("files.read-stdin".into());
        Ok(self.scenario.stdin.clone().unwrap_or_default())
    }

    fn prompt_text(&mut self, question: &Question, default: Option<&str>) -> Result<String, PromptError> {
        self.transcript
            .push(format!("prompt.text {} [{}]", question.text, default.unwrap_or("")));
        self.questions.push(question.clone());
        match self.next_answer(&question.text)? {
            Answer::Text(text) if text.is_empty() => Ok(default.unwrap_or("").to_string()),
            Answer::Text(text) => Ok(text),
            other => Err(mismatch("text", &other)),
        }
    }

    fn prompt_secret(&mut self, question: &Question) -> Result<String, PromptError> {
        self.transcript.push(format!("prompt.secret {}", question.text));
        self.questions.push(question.clone());
        match self.next_answer(&question.text)? {
            Answer::Secret(secret) => Ok(secret),
            other => Err(mismatch(
                "secret",
                &Answer::Text(format!("{:?}", std::mem::discriminant(&other))),
            )),
        }
    }

    fn prompt_select(&mut self, question: &Question, choices: &[String], default: u32) -> Result<u32, PromptError> {
        self.transcript
            .push(format!("prompt.select {} {choices:?} default={default}", question.text));
        self.questions.push(question.clone());
        match self.next_answer(&question.text)? {
            Answer::Select(index) => Ok(index),
            other => Err(mismatch("select", &other)),
        }
    }

    fn log(&mut self, level: Level, message: &str) {
        self.transcript.push(format!("log.{level:?} {message}").to_lowercase());
    }
}
