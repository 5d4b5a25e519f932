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
}

impl ScriptedHost {
    pub fn new(scenario: Scenario) -> Self {
        let answers = scenario.answers.iter().cloned().collect();
        ScriptedHost {
            scenario,
            answers,
            transcript: Vec::new(),
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

fn mismatch(expected: &str, got: &Answer) -> PromptError {
    PromptError::Unavailable(format!("the script answers {got:?} where a {expected} was asked"))
}

impl Host for ScriptedHost {
    fn get_caller_identity(&mut self, credentials: &AwsCredentials, region: &str) -> Result<CallerIdentity, AwsError> {
        self.transcript.push(format!(
            "aws.get-caller-identity {} {region}",
            credentials.access_key_id
        ));
        self.scenario
            .identities
            .get(&credentials.access_key_id)
            .cloned()
            .unwrap_or_else(|| Err(AwsError::InvalidCredentials("InvalidClientTokenId".into())))
    }

    fn list_accounts(
        &mut self,
        credentials: &AwsCredentials,
        region: &str,
    ) -> Result<Vec<OrganizationAccount>, AwsError> {
        self.transcript
            .push(format!("aws.list-accounts {} {region}", credentials.access_key_id));
        self.scenario
            .organizations
            .get(&credentials.access_key_id)
            .cloned()
            .unwrap_or_else(|| Err(AwsError::AccessDenied("AccessDeniedException".into())))
    }

    fn list_mfa_devices(
        &mut self,
        credentials: &AwsCredentials,
        region: &str,
        user_name: &str,
    ) -> Result<Vec<String>, AwsError> {
        self.transcript.push(format!(
            "aws.list-mfa-devices {} {region} {user_name}",
            credentials.access_key_id
        ));
        Ok(self.scenario.mfa_devices.get(user_name).cloned().unwrap_or_default())
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

    fn prompt_text(&mut self, question: &str, default: Option<&str>) -> Result<String, PromptError> {
        self.transcript
            .push(format!("prompt.text {question} [{}]", default.unwrap_or("")));
        match self.next_answer(question)? {
            Answer::Text(text) if text.is_empty() => Ok(default.unwrap_or("").to_string()),
            Answer::Text(text) => Ok(text),
            other => Err(mismatch("text", &other)),
        }
    }

    fn prompt_secret(&mut self, question: &str) -> Result<String, PromptError> {
        self.transcript.push(format!("prompt.secret {question}"));
        match self.next_answer(question)? {
            Answer::Secret(secret) => Ok(secret),
            other => Err(mismatch(
                "secret",
                &Answer::Text(format!("{:?}", std::mem::discriminant(&other))),
            )),
        }
    }

    fn prompt_select(&mut self, question: &str, choices: &[String], default: u32) -> Result<u32, PromptError> {
        self.transcript
            .push(format!("prompt.select {question} {choices:?} default={default}"));
        match self.next_answer(question)? {
            Answer::Select(index) => Ok(index),
            other => Err(mismatch("select", &other)),
        }
    }

    fn log(&mut self, level: Level, message: &str) {
        self.transcript.push(format!("log.{level:?} {message}").to_lowercase());
    }
}
