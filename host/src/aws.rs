//! The `aws` import, on the AWS SDK for Rust.
//!
//! Every call uses the keys it is given (never an ambient credential chain)
//! and honours `AWS_ENDPOINT_URL`, so tests point it at a local emulator.
//! Calls are blocking from the component's point of view: each one runs to
//! completion on a current-thread tokio runtime.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use crate::engine::leverage::credentials::aws::Host;
use crate::engine::{AwsCredentials, AwsError, CallerIdentity, OrganizationAccount};
use crate::log::Logger;

/// Connect and read timeouts, and attempts per call (the SDK's standard
/// retry mode backs off exponentially on throttling and 5xx).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(20);
const MAX_ATTEMPTS: u32 = 4;

/// Pages followed per listing. A reply that always carries a new next token
/// (a broken or hostile endpoint) would otherwise be followed forever; the SDK
/// only stops on a token repeated verbatim. 500 pages of 20 accounts is far
/// beyond any organization's account quota.
const MAX_PAGES: usize = 500;

fn too_many_pages(operation: &str) -> AwsError {
    AwsError::Other(format!(
        "{operation} returned more than {MAX_PAGES} pages, each with a next token; stopped following them"
    ))
}

/// The read timeout. Debug builds (the tests' binary) take
/// `LEVERAGE_TEST_READ_TIMEOUT_MS`, so that the fault-injection tests see a
/// slow AWS time out in a second rather than in minutes; release builds
/// ignore it.
fn read_timeout() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("LEVERAGE_TEST_READ_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return Duration::from_millis(ms);
    }
    READ_TIMEOUT
}

/// The region the shared configuration is loaded with. Every call sets its
/// own region (the project's), so this one is never used for a request; it
/// is set so that loading the configuration does not run the SDK's region
/// chain, whose last step asks the EC2 instance metadata service and, off
/// EC2, waits for it to time out (about a second) before the first call.
const PLACEHOLDER_REGION: &str = "us-east-1";

/// What every call needs: the runtime the calls run on and the shared SDK
/// configuration (endpoint, timeouts, retries).
struct Ready {
    runtime: tokio::runtime::Runtime,
    base: SdkConfig,
}

impl Ready {
    fn prepare() -> std::io::Result<Ready> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let base = runtime.block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .no_credentials()
                .http_client(https_client())
                .region(Region::new(PLACEHOLDER_REGION))
                .timeout_config(
                    TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .read_timeout(read_timeout())
                        .build(),
                )
                .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
                .load(),
        );
        Ok(Ready { runtime, base })
    }
}

/// One HTTPS client for every call, built as the SDK builds its default
/// (hyper 1, rustls with aws-lc, the proxy from `HTTPS_PROXY`/`NO_PROXY`),
/// minus the warm-up: see [`NoWarmUp`].
///
/// Left to itself, the SDK gives each service client an HTTPS client of its
/// own, and each of those builds its TLS connector (parsing every system
/// root certificate, about 0.2 ms) twice: once, thrown away, when the
/// service client is created, and once on its first request. Shared, the
/// connector is built once, on the first request, and reused by the next
/// calls.
pub fn https_client() -> SharedHttpClient {
    let https = aws_smithy_http_client::Builder::new().build_with_connector_fn(connector);
    SharedHttpClient::new(NoWarmUp(https))
}

/// A connector as the SDK's default client builds one: rustls with aws-lc,
/// the proxy from the environment, and the call's timeouts and sleep.
fn connector(
    settings: Option<&HttpConnectorSettings>,
    components: Option<&RuntimeComponents>,
) -> aws_smithy_http_client::Connector {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

    let mut connector =
        aws_smithy_http_client::ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
    connector.set_connector_settings(settings.cloned());
    if let Some(components) = components {
        connector.set_sleep_impl(components.sleep_impl());
    }
    connector.set_proxy_config(Some(ProxyConfig::from_env()));
    connector.build()
}

/// Starts reading the system's root certificates on a thread of its own.
///
/// The SDK reads them once per process (a bundle and then every file of
/// `/etc/ssl/certs`, about 2 ms here) when the first HTTPS connector is
/// built, on the first call. Building a connector here, and throwing it
/// away, fills that once-per-process cache while the main thread loads the
/// core and reads the project; the first call then finds the certificates
/// read (or waits for the rest of the reading, never reading twice). The
/// trust decision is unchanged: the same SDK function reads the same
/// certificates.
pub fn read_root_certificates_in_background() {
    let _ = crate::threads::spawn_elsewhere("root-certificates", || drop(connector(None, None)));
}

/// An HTTPS client without its `validate_base_client_config` hook, which
/// builds and throws away a whole TLS connector each time a service client
/// is created, only to load the root certificates early.
#[derive(Debug)]
struct NoWarmUp(SharedHttpClient);

impl HttpClient for NoWarmUp {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The calls run one at a time, each to completion on a current-thread
/// runtime. (Preparing the runtime and configuration on a second thread was
/// measured and dropped: they take little, and before `threads` a new thread
/// often waited milliseconds for a CPU. Only the root certificates, the
/// costly part, are read on a second thread: see
/// [`read_root_certificates_in_background`].)
pub struct AwsClient {
    /// The runtime and configuration, made on the first call so that runs
    /// that never call AWS pay nothing for them.
    ready: Option<Ready>,
    logger: Logger,
}

impl AwsClient {
    pub fn new(logger: Logger) -> Self {
        AwsClient { ready: None, logger }
    }

    fn ready(&mut self) -> Result<&Ready, AwsError> {
        if self.ready.is_none() {
            let ready =
                Ready::prepare().map_err(|e| AwsError::Other(format!("could not start the AWS SDK's runtime: {e}")))?;
            self.ready = Some(ready);
        }
        Ok(self.ready.as_ref().expect("prepared above"))
    }

    /// The shared configuration with the call's keys and region.
    fn config(&mut self, credentials: &AwsCredentials, region: &str) -> Result<(&Ready, SdkConfig), AwsError> {
        let ready = self.ready()?;
        let keys = Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            credentials.session_token.clone(),
            None,
            "leverage",
        );
        let config = ready
            .base
            .to_builder()
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(keys))
            .region(Region::new(region.to_string()))
            .build();
        Ok((ready, config))
    }
}

/// AWS's error codes, and what each means to the core.
fn classify(code: Option<&str>, status: Option<u16>, message: String, rejected_when_forbidden: bool) -> AwsError {
    match code {
        Some(
            "InvalidClientTokenId"
            | "SignatureDoesNotMatch"
            | "UnrecognizedClientException"
            | "InvalidAccessKeyId"
            | "ExpiredToken"
            | "ExpiredTokenException",
        ) => AwsError::InvalidCredentials(message),
        Some("AccessDenied" | "AccessDeniedException") => AwsError::AccessDenied(message),
        Some("AWSOrganizationsNotInUseException") => AwsError::OrganizationNotInUse(message),
        Some("Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded") => {
            AwsError::Throttled(message)
        }
        // Some emulators answer in a shape the SDK cannot parse: fall back on
        // the HTTP status.
        _ => match status {
            Some(403) if rejected_when_forbidden => AwsError::InvalidCredentials(message),
            Some(401) => AwsError::InvalidCredentials(message),
            Some(403) => AwsError::AccessDenied(message),
            Some(429) => AwsError::Throttled(message),
            _ => AwsError::Other(message),
        },
    }
}

fn to_aws_error<E, R>(error: SdkError<E, R>, rejected_when_forbidden: bool) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HasStatus,
{
    match &error {
        SdkError::TimeoutError(_) => AwsError::Network("the request timed out".into()),
        SdkError::DispatchFailure(failure) => AwsError::Network(if failure.is_timeout() {
            "the request timed out".into()
        } else if failure.is_io() {
            format!("could not connect: {}", describe_source(&error))
        } else {
            describe_source(&error)
        }),
        SdkError::ServiceError(service) => {
            let err = service.err();
            let message = match (err.code(), err.message()) {
                (Some(code), Some(msg)) => format!("{code}: {msg}"),
                (Some(code), None) => code.to_string(),
                _ => format!("HTTP {}", service.raw().status_code().unwrap_or(0)),
            };
            classify(
                err.code(),
                service.raw().status_code(),
                message,
                rejected_when_forbidden,
            )
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status_code();
            classify(
                None,
                status,
                format!("unexpected response (HTTP {})", status.unwrap_or(0)),
                rejected_when_forbidden,
            )
        }
        _ => AwsError::Other(describe_source(&error)),
    }
}

/// The HTTP status of a raw response.
pub trait HasStatus {
    fn status_code(&self) -> Option<u16>;
}

impl HasStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> Option<u16> {
        Some(self.status().as_u16())
    }
}

fn describe_source(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Host for AwsClient {
    fn get_caller_identity(&mut self, credentials: AwsCredentials, region: String) -> Result<CallerIdentity, AwsError> {
        self.logger.debug(&format!(
            "AWS sts:GetCallerIdentity with key {} in {region}",
            credentials.access_key_id
        ));
        // A spinner on a terminal until the call returns.
        let _waiting = self.logger.waiting("sts:GetCallerIdentity");
        let (ready, config) = self.config(&credentials, &region)?;
        let client = aws_sdk_sts::Client::new(&config);
        let reply = ready
            .runtime
            .block_on(client.get_caller_identity().send())
            .map_err(|e| to_aws_error(e, true))?;
        Ok(CallerIdentity {
            account: reply.account().unwrap_or_default().to_string(),
            arn: reply.arn().unwrap_or_default().to_string(),
            user_id: reply.user_id().unwrap_or_default().to_string(),
        })
    }

    fn list_accounts(
        &mut self,
        credentials: AwsCredentials,
        region: String,
    ) -> Result<Vec<OrganizationAccount>, AwsError> {
        self.logger.debug(&format!(
            "AWS organizations:ListAccounts with key {} in {region}",
            credentials.access_key_id
        ));
        // A spinner on a terminal until the call returns.
        let _waiting = self.logger.waiting("organizations:ListAccounts");
        let (ready, config) = self.config(&credentials, &region)?;
        let client = aws_sdk_organizations::Client::new(&config);
        let mut pages = client.list_accounts().into_paginator().page_size(20).send();
        let mut accounts = Vec::new();
        let mut count = 0usize;
        ready.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| to_aws_error(e, false))?;
                count += 1;
                if count > MAX_PAGES {
                    return Err(too_many_pages("ListAccounts"));
                }
                for account in page.accounts() {
                    accounts.push(OrganizationAccount {
                        id: account.id().unwrap_or_default().to_string(),
                        name: account.name().unwrap_or_default().to_string(),
                        email: account.email().unwrap_or_default().to_string(),
                    });
                }
            }
            Ok::<(), AwsError>(())
        })?;
        self.logger.debug(&format!(
            "ListAccounts: {} account(s) in {count} page(s)",
            accounts.len()
        ));
        Ok(accounts)
    }

    fn list_mfa_devices(
        &mut self,
        credentials: AwsCredentials,
        region: String,
        user_name: String,
    ) -> Result<Vec<String>, AwsError> {
        self.logger.debug(&format!(
            "AWS iam:ListMFADevices for {user_name} with key {}",
            credentials.access_key_id
        ));
        // A spinner on a terminal until the call returns.
        let _waiting = self.logger.waiting("iam:ListMFADevices");
        let (ready, config) = self.config(&credentials, &region)?;
        let client = aws_sdk_iam::Client::new(&config);
        let devices = ready.runtime.block_on(async {
            let mut devices = Vec::new();
            let mut pages = client.list_mfa_devices().user_name(&user_name).into_paginator().send();
            let mut count = 0usize;
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| to_aws_error(e, false))?;
                count += 1;
                if count > MAX_PAGES {
                    return Err(too_many_pages("ListMFADevices"));
                }
                devices.extend(page.mfa_devices().iter().map(|d| d.serial_number().to_string()));
            }
            Ok::<_, AwsError>(devices)
        })?;
        Ok(devices)
    }
}
