//! The interceptor every call runs with: the endpoint a network error
//! names, the retries shown, and each reply body bounded.

use super::*;

use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

/// Watches one call: remembers the endpoint it was sent to (network errors
/// name it), says when an attempt is retried, and bounds each reply body.
pub(super) struct Watch {
    pub(super) operation: &'static str,
    pub(super) logger: Logger,
    pub(super) state: Mutex<WatchState>,
}

#[derive(Default)]
pub(super) struct WatchState {
    endpoint: Option<String>,
    last_failure: Option<String>,
}

impl Watch {
    pub(super) fn new(operation: &'static str, logger: Logger) -> Self {
        Watch {
            operation,
            logger,
            state: Mutex::new(WatchState::default()),
        }
    }

    pub(super) fn state(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A network failure says which endpoint could not be reached.
    pub(super) fn name_endpoint(&self, mut error: AwsError) -> AwsError {
        if error.kind == AwsErrorKind::Network {
            if let Some(endpoint) = self.state().endpoint.clone() {
                error.message = format!("{} ({endpoint})", error.message);
            }
        }
        error
    }
}

/// The SDK wants an interceptor it can share; the watch is shared with the call.
#[derive(Clone)]
pub(super) struct SharedWatch(pub(super) Arc<Watch>);

impl std::fmt::Debug for SharedWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").field("operation", &self.0.operation).finish()
    }
}

impl Intercept for SharedWatch {
    fn name(&self) -> &'static str {
        "leverage-watch"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let attempt = cfg
            .load::<RequestAttempts>()
            .map(RequestAttempts::attempts)
            .unwrap_or(1);
        if attempt > 1 {
            let operation = self.0.operation;
            let why = self
                .0
                .state()
                .last_failure
                .clone()
                .unwrap_or_else(|| "it failed".into());
            self.0.logger.warn(&format!(
                "{operation}: {why}; retrying (attempt {attempt} of {MAX_ATTEMPTS})"
            ));
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let uri = context.request().uri();
        // The endpoint without path or query: scheme and host (and port).
        let endpoint = match uri.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}", rest.split(['/', '?']).next().unwrap_or(rest)),
            None => uri.to_string(),
        };
        self.0.state().endpoint = Some(endpoint);
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let body = std::mem::replace(context.response_mut().body_mut(), SdkBody::taken());
        *context.response_mut().body_mut() =
            SdkBody::from_body_1_x(http_body_util::Limited::new(body, MAX_REPLY_BYTES));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let failure = match (context.response(), context.output_or_error()) {
            (_, Some(Err(error))) if describe_source(error).contains("length limit exceeded") => {
                Some(too_large().message)
            }
            (Some(response), Some(Err(_))) => {
                let status = response.status().as_u16();
                Some(match response.body().bytes().and_then(code_in_body) {
                    Some(code) => format!("{code} (HTTP {status})"),
                    None => format!("HTTP {status}"),
                })
            }
            (None, Some(Err(error))) => Some(first_line(&describe_source(error))),
            _ => None,
        };
        if failure.is_some() {
            self.0.state().last_failure = failure;
        }
        Ok(())
    }
}
