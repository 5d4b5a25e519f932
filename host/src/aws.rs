//! The `aws` import, on the AWS SDK for Rust.
//!
//! Every call uses the keys it is given (never an ambient credential chain)
//! and honours `AWS_ENDPOINT_URL` and the per-service
//! `AWS_ENDPOINT_URL_STS` / `_ORGANIZATIONS` / `_IAM`, so tests point it at
//! a local emulator.
//!
//! The core asks for all the calls it can make at one point of a run in one
//! `call-all`. They go out at once, each as a task on one current-thread
//! tokio runtime, so over a real network the batch costs the slowest call's
//! round trips rather than their sum; the answers come back in the order of
//! the calls. The pages of ListAccounts stay sequential: each needs the
//! previous page's token.
//!
//! Every reply body is bounded in size, every attempt and every operation in
//! time, and every listing in both, so that a broken or hostile endpoint
//! cannot make a run hang or exhaust memory while it holds the run's locks.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};

use crate::engine::leverage::credentials::aws::{AccessKeyChange, AccessKeyRef, Call, Host, Reply, Request};
use crate::engine::{
    AccessKey, AccessKeyStatus, AwsCredentials, AwsError, AwsErrorKind, CallerIdentity, Organization,
    OrganizationAccount,
};
use crate::log::Logger;

mod errors;
mod iam_keys;
mod organization;
mod watch;

pub use errors::RawReply;
use errors::*;
use iam_keys::*;
use organization::*;
use watch::*;

/// Attempts per operation (the SDK's standard retry mode backs off
/// exponentially on throttling, 5xx and connection failures).
const MAX_ATTEMPTS: u32 = 3;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the endpoint may stay silent while a reply is read.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// One attempt, from sending the request to the reply's last byte: a reply
/// that trickles in a byte at a time is cut here, whatever the read timeout.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// One operation (one page of a listing) with all its attempts.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);
/// Every page of a listing together.
const LISTING_DEADLINE: Duration = Duration::from_secs(300);

/// The largest reply body read. AWS's replies to these calls are a few
/// kilobytes (a ListAccounts page holds at most 20 accounts).
const MAX_REPLY_BYTES: usize = 4 << 20;
/// The most account data (ids, names, emails) a listing gathers: far beyond
/// any organization, far below what would strain a laptop's memory.
const MAX_LISTED_BYTES: usize = 256 << 20;
/// Pages in a row that carry nothing but another next token. AWS never
/// sends them; an endpoint that does would otherwise be followed forever.
const MAX_EMPTY_PAGES: usize = 50;

/// The region the shared configuration is loaded with. Every call names its
/// own region (the project's), so this one is never used for a request; it
/// is set so that loading the configuration does not run the SDK's region
/// chain, whose last step asks the EC2 instance metadata service and, off
/// EC2, waits about a second for it to time out.
const PLACEHOLDER_REGION: &str = "us-east-1";

/// The timeouts. The tests' binary (the `test-hooks` feature) takes
/// `LEVERAGE_TEST_READ_TIMEOUT_MS` as the read timeout and scales the others
/// from it, so that tests of a slow endpoint finish in seconds; other builds
/// ignore it.
#[derive(Clone, Copy)]
struct Timeouts {
    connect: Duration,
    read: Duration,
    attempt: Duration,
    operation: Duration,
    listing: Duration,
}

impl Timeouts {
    fn get() -> Timeouts {
        if let Some(ms) = crate::test_hooks::var("LEVERAGE_TEST_READ_TIMEOUT_MS").and_then(|v| v.parse::<u64>().ok()) {
            let read = Duration::from_millis(ms);
            return Timeouts {
                connect: CONNECT_TIMEOUT.min(read),
                read,
                attempt: read * 2,
                operation: read * 5,
                listing: read * 20,
            };
        }
        Timeouts {
            connect: CONNECT_TIMEOUT,
            read: READ_TIMEOUT,
            attempt: ATTEMPT_TIMEOUT,
            operation: OPERATION_TIMEOUT,
            listing: LISTING_DEADLINE,
        }
    }
}

/// The runtime the calls run on and the shared SDK configuration.
struct Ready {
    runtime: tokio::runtime::Runtime,
    base: SdkConfig,
    timeouts: Timeouts,
}

impl Ready {
    fn prepare() -> std::io::Result<Ready> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let timeouts = Timeouts::get();
        let base = runtime.block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .no_credentials()
                .region(Region::new(PLACEHOLDER_REGION))
                .timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(timeouts.connect)
                        .read_timeout(timeouts.read)
                        .operation_attempt_timeout(timeouts.attempt)
                        .operation_timeout(timeouts.operation)
                        .build(),
                )
                .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
                .load(),
        );
        Ok(Ready {
            runtime,
            base,
            timeouts,
        })
    }
}

/// The `aws` import. The SDK's runtime and configuration are made on the
/// first call, so runs that never call AWS pay nothing for them.
pub struct AwsClient {
    ready: Option<Ready>,
    logger: Logger,
}

impl AwsClient {
    pub fn new(logger: Logger) -> Self {
        AwsClient { ready: None, logger }
    }

    fn ready(&mut self) -> Result<&Ready, AwsError> {
        if self.ready.is_none() {
            let ready = Ready::prepare().map_err(|e| {
                AwsError::new(
                    AwsErrorKind::Other,
                    format!("could not start the AWS SDK's runtime: {e}"),
                )
            })?;
            self.ready = Some(ready);
        }
        Ok(self.ready.as_ref().expect("prepared above"))
    }
}

impl AwsError {
    fn new(kind: AwsErrorKind, message: impl Into<String>) -> AwsError {
        AwsError {
            kind,
            code: None,
            message: message.into(),
        }
    }
}

/// The operation's name as the log and errors show it.
fn operation_name(request: &Request) -> &'static str {
    match request {
        Request::GetCallerIdentity => "sts:GetCallerIdentity",
        Request::ListAccounts => "organizations:ListAccounts",
        Request::DescribeOrganization => "organizations:DescribeOrganization",
        Request::ListMfaDevices(_) => "iam:ListMFADevices",
        Request::ListAccessKeys(_) => "iam:ListAccessKeys",
        Request::AccessKeyLastUsed(_) => "iam:GetAccessKeyLastUsed",
        Request::CreateAccessKey(_) => "iam:CreateAccessKey",
        Request::UpdateAccessKey(_) => "iam:UpdateAccessKey",
        Request::DeleteAccessKey(_) => "iam:DeleteAccessKey",
    }
}

/// What the debug log says about a call besides its name: the user and key
/// it is about. Never a secret (a CreateAccessKey reply is not logged at all).
fn call_subject(request: &Request) -> String {
    match request {
        Request::ListMfaDevices(Some(user))
        | Request::ListAccessKeys(Some(user))
        | Request::CreateAccessKey(Some(user)) => {
            format!(" for {user}")
        }
        Request::AccessKeyLastUsed(id) => format!(" of {id}"),
        Request::UpdateAccessKey(change) => format!(" of {} to {:?}", change.key.access_key_id, change.status),
        Request::DeleteAccessKey(key) => format!(" of {}", key.access_key_id),
        _ => String::new(),
    }
}

impl Host for AwsClient {
    fn call_all(&mut self, calls: Vec<Call>) -> Vec<Result<Reply, AwsError>> {
        let logger = self.logger.clone();
        let ready = match self.ready() {
            Ok(ready) => ready,
            Err(e) => return calls.iter().map(|_| Err(e.clone())).collect(),
        };
        let names: Vec<&str> = calls.iter().map(|c| operation_name(&c.request)).collect();
        for call in &calls {
            logger.debug(&format!(
                "AWS {}{} with key {} in {}",
                operation_name(&call.request),
                call_subject(&call.request),
                call.credentials.access_key_id,
                call.region
            ));
        }
        // A spinner on a terminal until every call has returned.
        let _waiting = logger.waiting(&names.join(", "));
        let tasks: Vec<_> = calls
            .into_iter()
            .map(|call| {
                let watch = Arc::new(Watch::new(operation_name(&call.request), logger.clone()));
                let config = config_for(&ready.base, &call);
                ready
                    .runtime
                    .spawn(one_call(config, call.request, watch, ready.timeouts))
            })
            .collect();
        ready.runtime.block_on(async {
            let mut answers = Vec::with_capacity(tasks.len());
            for task in tasks {
                answers.push(task.await.unwrap_or_else(|e| {
                    Err(AwsError::new(
                        AwsErrorKind::Other,
                        format!("the AWS call failed inside the host: {e}"),
                    ))
                }));
            }
            answers
        })
    }

    fn wait(&mut self, milliseconds: u32) {
        std::thread::sleep(Duration::from_millis(u64::from(milliseconds)));
    }
}

/// The shared configuration with the call's keys and region.
fn config_for(base: &SdkConfig, call: &Call) -> SdkConfig {
    let keys = Credentials::new(
        call.credentials.access_key_id.clone(),
        call.credentials.secret_access_key.clone(),
        call.credentials.session_token.clone(),
        None,
        "leverage",
    );
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(keys))
        .region(Region::new(call.region.clone()))
        .build()
}

async fn one_call(
    config: SdkConfig,
    request: Request,
    watch: Arc<Watch>,
    timeouts: Timeouts,
) -> Result<Reply, AwsError> {
    let listing = timeouts.listing;
    let answer = match request {
        Request::GetCallerIdentity => get_caller_identity(&config, &watch).await,
        Request::ListAccounts => {
            with_deadline(
                "listing the organization's accounts",
                listing,
                list_accounts(&config, &watch),
            )
            .await
        }
        Request::DescribeOrganization => describe_organization(&config, &watch).await,
        Request::ListMfaDevices(user) => {
            with_deadline(
                "listing the MFA devices",
                listing,
                list_mfa_devices(&config, user, &watch),
            )
            .await
        }
        Request::ListAccessKeys(user) => list_access_keys(&config, user, &watch).await,
        Request::AccessKeyLastUsed(id) => access_key_last_used(&config, id, &watch).await,
        Request::CreateAccessKey(user) => create_access_key(&config, user, &watch).await,
        Request::UpdateAccessKey(change) => update_access_key(&config, change, &watch).await,
        Request::DeleteAccessKey(key) => delete_access_key(&config, key, &watch).await,
    };
    answer.map_err(|e| watch.name_endpoint(e))
}

/// `call`, stopped as a network failure when it takes longer than `limit`
/// as a whole (each attempt within it has its own, shorter, timeout).
async fn with_deadline(
    what: &str,
    limit: Duration,
    call: impl std::future::Future<Output = Result<Reply, AwsError>>,
) -> Result<Reply, AwsError> {
    tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
        Err(AwsError::new(
            AwsErrorKind::Network,
            format!("{what} took longer than {} s; stopped", limit.as_secs()),
        ))
    })
}

async fn get_caller_identity(config: &SdkConfig, watch: &Arc<Watch>) -> Result<Reply, AwsError> {
    let client = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(SharedWatch(watch.clone()))
            .build(),
    );
    let reply = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| to_aws_error(e, true))?;
    Ok(Reply::CallerIdentity(CallerIdentity {
        account: reply.account().unwrap_or_default().to_string(),
        arn: reply.arn().unwrap_or_default().to_string(),
        user_id: reply.user_id().unwrap_or_default().to_string(),
    }))
}

async fn list_accounts(config: &SdkConfig, watch: &Arc<Watch>) -> Result<Reply, AwsError> {
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::config::Builder::from(config)
            .interceptor(SharedWatch(watch.clone()))
            .build(),
    );
    let mut pages = client.list_accounts().into_paginator().page_size(20).send();
    let mut accounts = Vec::new();
    let mut bound = ListingBound::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| to_aws_error(e, false))?;
        for account in page.accounts() {
            let account = OrganizationAccount {
                id: account.id().unwrap_or_default().to_string(),
                name: account.name().unwrap_or_default().to_string(),
                email: account.email().unwrap_or_default().to_string(),
            };
            bound.add(account.id.len() + account.name.len() + account.email.len())?;
            accounts.push(account);
        }
        bound.page(page.accounts().is_empty())?;
    }
    watch.logger.debug(&format!(
        "ListAccounts: {} account(s) in {} page(s)",
        accounts.len(),
        bound.pages
    ));
    Ok(Reply::Accounts(accounts))
}

async fn list_mfa_devices(config: &SdkConfig, user: Option<String>, watch: &Arc<Watch>) -> Result<Reply, AwsError> {
    let client = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(config)
            .interceptor(SharedWatch(watch.clone()))
            .build(),
    );
    // Without a user name, IAM lists the devices of the caller itself.
    let mut pages = client.list_mfa_devices().set_user_name(user).into_paginator().send();
    let mut devices = Vec::new();
    let mut bound = ListingBound::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| to_aws_error(e, false))?;
        for device in page.mfa_devices() {
            bound.add(device.serial_number().len())?;
            devices.push(device.serial_number().to_string());
        }
        bound.page(page.mfa_devices().is_empty())?;
    }
    Ok(Reply::MfaDevices(devices))
}

/// What a listing has gathered, against its bounds.
#[derive(Default)]
struct ListingBound {
    bytes: usize,
    pages: usize,
    empty_in_a_row: usize,
}

impl ListingBound {
    fn add(&mut self, bytes: usize) -> Result<(), AwsError> {
        self.bytes += bytes;
        if self.bytes > MAX_LISTED_BYTES {
            return Err(AwsError::new(
                AwsErrorKind::Other,
                format!(
                    "the listing passed {} MiB of data; stopped (no real reply is this large)",
                    MAX_LISTED_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    fn page(&mut self, empty: bool) -> Result<(), AwsError> {
        self.pages += 1;
        self.empty_in_a_row = if empty { self.empty_in_a_row + 1 } else { 0 };
        if self.empty_in_a_row > MAX_EMPTY_PAGES {
            return Err(AwsError::new(
                AwsErrorKind::Other,
                format!("the endpoint sent {MAX_EMPTY_PAGES} empty pages in a row, each with a next token; stopped"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
