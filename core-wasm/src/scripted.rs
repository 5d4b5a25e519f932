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
    /// DescribeOrganization, by access key id; a key not listed gets AccessDenied.
    pub described_organizations: BTreeMap<String, Result<Organization, AwsError>>,
    /// ListMFADevices, by user name; a user not listed has none.
    pub mfa_devices: BTreeMap<String, Vec<String>>,
    /// Prompt answers, in order. When they run out the prompt is unavailable.
    pub answers: Vec<Answer>,
    /// IAM access keys, by user name. Changed by the calls that change keys.
    pub access_keys: BTreeMap<String, Vec<AccessKey>>,
    /// The keys CreateAccessKey hands out, in order.
    pub new_keys: Vec<AwsCredentials>,
    /// How many times GetCallerIdentity rejects a created key before it
    /// accepts it (AWS takes a while to make new keys visible).
    pub new_key_rejections: u32,
    /// Operations that fail, by name (e.g. `iam:UpdateAccessKey`), with their error.
    pub failing: BTreeMap<String, AwsError>,
    /// GetAccessKeyLastUsed, by access key id; a key not listed was never used.
    pub last_used: BTreeMap<String, String>,
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
    /// Created keys, by id, with how many more checks reject them.
    created: BTreeMap<String, (CallerIdentity, u32)>,
}

impl ScriptedHost {
    pub fn new(scenario: Scenario) -> Self {
        let answers = scenario.answers.iter().cloned().collect();
        ScriptedHost {
            scenario,
            answers,
            transcript: Vec::new(),
            questions: Vec::new(),
            created: BTreeMap::new(),
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
        if let Some((identity, 0)) = self.created.get(key) {
            return Ok(identity.clone());
        }
        self.scenario.identities.get(key).cloned().unwrap_or_else(|| {
            Err(AwsError {
                kind: AwsErrorKind::InvalidCredentials,
                code: Some("InvalidClientTokenId".into()),
                message: "InvalidClientTokenId: The security token included in the request is invalid".into(),
            })
        })
    }

    /// The user a request names, or else the caller's own.
    fn user_of(&self, key: &str, user: &Option<String>) -> Result<String, AwsError> {
        match user {
            Some(user) => Ok(user.clone()),
            None => {
                let arn = self.identity_of(key)?.arn;
                Ok(arn.rsplit('/').next().unwrap_or_default().to_string())
            }
        }
    }

    /// The error the scenario makes `operation` fail with, if any.
    fn failure_of(&self, operation: &str) -> Result<(), AwsError> {
        match self.scenario.failing.get(operation) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// The IAM key calls, answered from and applied to the scenario's keys.
    fn answer_key_call(&mut self, key: &str, region: &str, request: &Request) -> Result<Reply, AwsError> {
        match request {
            Request::ListAccessKeys(user) => {
                self.transcript.push(format!(
                    "aws.list-access-keys {key} {region} {}",
                    user.as_deref().unwrap_or("-")
                ));
                self.failure_of("iam:ListAccessKeys")?;
                let user = self.user_of(key, user)?;
                Ok(Reply::AccessKeys(
                    self.scenario.access_keys.get(&user).cloned().unwrap_or_default(),
                ))
            }
            Request::AccessKeyLastUsed(id) => {
                self.transcript
                    .push(format!("aws.access-key-last-used {key} {region} {id}"));
                self.failure_of("iam:GetAccessKeyLastUsed")?;
                Ok(Reply::LastUsed(self.scenario.last_used.get(id).cloned()))
            }
            Request::CreateAccessKey(user) => {
                self.transcript.push(format!(
                    "aws.create-access-key {key} {region} {}",
                    user.as_deref().unwrap_or("-")
                ));
                self.failure_of("iam:CreateAccessKey")?;
                let identity = self.identity_of(key)?;
                let user = self.user_of(key, user)?;
                let keys = self.scenario.access_keys.entry(user).or_default();
                if keys.len() >= 2 {
                    return Err(AwsError {
                        kind: AwsErrorKind::Other,
                        code: Some("LimitExceeded".into()),
                        message: "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2".into(),
                    });
                }
                if self.scenario.new_keys.is_empty() {
                    return Err(AwsError::new(
                        AwsErrorKind::Other,
                        "the script has no new key to hand out",
                    ));
                }
                let created = self.scenario.new_keys.remove(0);
                keys.push(AccessKey {
                    access_key_id: created.access_key_id.clone(),
                    status: AccessKeyStatus::Active,
                    created: Some("2026-12-02T00:00:00Z".into()),
                    age_days: Some(0),
                    last_used: None,
                });
                self.created.insert(
                    created.access_key_id.clone(),
                    (identity, self.scenario.new_key_rejections),
                );
                Ok(Reply::CreatedKey(created))
            }
            Request::UpdateAccessKey(change) => {
                let status = match change.status {
                    AccessKeyStatus::Active => "Active",
                    AccessKeyStatus::Inactive => "Inactive",
                };
                self.transcript.push(format!(
                    "aws.update-access-key {key} {region} {} {} {status}",
                    change.key.user_name.as_deref().unwrap_or("-"),
                    change.key.access_key_id
                ));
                self.failure_of("iam:UpdateAccessKey")?;
                let user = self.user_of(key, &change.key.user_name)?;
                let found = self
                    .scenario
                    .access_keys
                    .get_mut(&user)
                    .and_then(|keys| keys.iter_mut().find(|k| k.access_key_id == change.key.access_key_id));
                match found {
                    Some(found) => {
                        found.status = change.status;
                        Ok(Reply::Done)
                    }
                    None => Err(AwsError::new(AwsErrorKind::Other, "NoSuchEntity: no such key")),
                }
            }
            Request::DeleteAccessKey(target) => {
                self.transcript.push(format!(
                    "aws.delete-access-key {key} {region} {} {}",
                    target.user_name.as_deref().unwrap_or("-"),
                    target.access_key_id
                ));
                self.failure_of("iam:DeleteAccessKey")?;
                let user = self.user_of(key, &target.user_name)?;
                let keys = self.scenario.access_keys.entry(user).or_default();
                let before = keys.len();
                keys.retain(|k| k.access_key_id != target.access_key_id);
                self.created.remove(&target.access_key_id);
                if keys.len() < before {
                    Ok(Reply::Done)
                } else {
                    Err(AwsError::new(AwsErrorKind::Other, "NoSuchEntity: no such key"))
                }
            }
            _ => Err(AwsError::new(AwsErrorKind::Other, "not a key call")),
        }
    }

    /// One call of a batch, answered from the scenario and written to the transcript.
    fn answer(&mut self, call: &Call) -> Result<Reply, AwsError> {
        let key = &call.credentials.access_key_id;
        let region = &call.region;
        match &call.request {
            Request::GetCallerIdentity => {
                self.transcript.push(format!("aws.get-caller-identity {key} {region}"));
                if let Some((_, rejections)) = self.created.get_mut(key.as_str()) {
                    if *rejections > 0 {
                        *rejections -= 1;
                        return Err(AwsError {
                            kind: AwsErrorKind::InvalidCredentials,
                            code: Some("InvalidClientTokenId".into()),
                            message: "InvalidClientTokenId: The security token included in the request is invalid"
                                .into(),
                        });
                    }
                }
                self.identity_of(key).map(Reply::CallerIdentity)
            }
            Request::ListAccessKeys(_)
            | Request::AccessKeyLastUsed(_)
            | Request::CreateAccessKey(_)
            | Request::UpdateAccessKey(_)
            | Request::DeleteAccessKey(_) => self.answer_key_call(key, region, &call.request),
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
            Request::DescribeOrganization => {
                self.transcript
                    .push(format!("aws.describe-organization {key} {region}"));
                self.scenario
                    .described_organizations
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| {
                        Err(AwsError {
                            kind: AwsErrorKind::AccessDenied,
                            code: Some("AccessDeniedException".into()),
                            message: "AccessDeniedException: not allowed".into(),
                        })
                    })
                    .map(Reply::Organization)
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

    fn wait(&mut self, milliseconds: u32) {
        self.transcript.push(format!("aws.wait {milliseconds}"));
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
