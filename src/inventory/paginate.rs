//! Where every AWS call is made: behind the call gate, counted in its ledger
//! and on its chain of dependent calls, with the one pagination loop every
//! list call goes through.

use std::collections::HashSet;
use std::error::Error as StdError;
use std::future::Future;

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::aws::error::fails_for_good;
use crate::aws::{CallGate, CollectError, ErrorKind, Service, chain};

/// Where a paginated call is made; names the call in any error.
#[derive(Debug, Clone, Copy)]
pub struct CallSite<'a> {
    pub gate: &'a CallGate,
    pub service: Service,
    pub region: &'a str,
    pub operation: &'static str,
}

impl CallSite<'_> {
    /// Makes a single call behind the gate, translating its error.
    pub async fn once<O, E, Fut>(&self, call: impl FnMut() -> Fut) -> Result<O, CollectError>
    where
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        self.call(call).await.map_err(|err| self.error(&err))
    }

    /// Makes a single call behind the gate and counts it, leaving the SDK's
    /// error to the caller (for errors that mean "none", such as a missing policy).
    /// `call` makes the SDK's future once the gate lets it through.
    ///
    /// When the SDK's attempts all end in errors that pass (throttling, 5xx,
    /// a dropped connection), the call gets one more round of them, with the
    /// SDK's backoff, before it is recorded as failed: on a loaded machine a
    /// few calls in thousands meet eight such errors in a row. A call that
    /// timed out is not repeated, so a stalled endpoint costs no more time.
    pub async fn call<O, E, Fut>(&self, mut call: impl FnMut() -> Fut) -> Result<O, SdkError<E, HttpResponse>>
    where
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let mut result = self.gate.call(self.service, self.region, self.operation, &mut call).await;
        if result.as_ref().err().is_some_and(failed_in_passing) {
            tracing::debug!(service = %self.service, region = self.region, operation = self.operation, "retries ran out on transient errors; one more round");
            result = self.gate.call(self.service, self.region, self.operation, &mut call).await;
        }
        self.gate.ledger().record_call(self.service, self.region, self.operation, chain::advance());
        result
    }

    /// Makes a single call whose service error `is_absent` recognises as
    /// "there is none" (no policy, no scan): `Ok(None)` then.
    pub async fn unless_absent<O, E, Fut>(
        &self,
        call: impl FnMut() -> Fut,
        is_absent: impl Fn(&E) -> bool,
    ) -> Result<Option<O>, CollectError>
    where
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        match self.call(call).await {
            Ok(output) => Ok(Some(output)),
            Err(err) if err.as_service_error().is_some_and(&is_absent) => Ok(None),
            Err(err) => Err(self.error(&err)),
        }
    }

    pub fn error<E>(&self, err: &SdkError<E, HttpResponse>) -> CollectError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let mut error = CollectError::from_sdk(self.service, self.operation, self.region, err);
        if failed_in_passing(err) {
            error.note("after two rounds of the SDK's retries with backoff");
        }
        error
    }

    /// Fetches every page. `fetch` makes the call for a page token; `split`
    /// takes a page apart into items and the next token.
    pub async fn all_pages<T, O, E, Fut>(
        &self,
        mut fetch: impl FnMut(Option<String>) -> Fut,
        mut split: impl FnMut(O) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, CollectError>
    where
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let mut items = Vec::new();
        let mut seen_tokens = HashSet::new();
        let mut token: Option<String> = None;
        loop {
            let page_token = token.take();
            let page = self.once(|| fetch(page_token.clone())).await?;
            let (page_items, next) = split(page);
            items.extend(page_items);
            match next.filter(|next| !next.is_empty()) {
                None => return Ok(items),
                Some(next) if !seen_tokens.insert(next.clone()) => {
                    // A token seen before would loop forever.
                    return Err(CollectError::new(
                        self.service,
                        self.operation,
                        self.region,
                        ErrorKind::MalformedResponse,
                        "the service returned a pagination token it had already returned",
                    ));
                }
                Some(next) => token = Some(next),
            }
        }
    }
}

/// An error that a later attempt may not meet: throttling, a 5xx, a
/// response cut short, a connection that failed other than by timing out
/// or being refused.
fn failed_in_passing<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            status >= 500
                || status == 429
                || err.code().is_some_and(|code| aws_runtime::retries::classifiers::THROTTLING_ERRORS.contains(&code))
        }
        SdkError::ResponseError(_) => true,
        // Credentials missing or refused now, or an endpoint that refuses
        // connections, are so on the next round too.
        SdkError::DispatchFailure(failure) => {
            let for_good = failure.as_connector_error().is_some_and(|err| fails_for_good(err));
            !failure.is_timeout() && !for_good
        }
        _ => false,
    }
}

/// An SDK timestamp as ours; `None` for one outside jiff's range (years
/// -9999 to 9999), which no AWS API returns.
pub fn timestamp(at: &aws_smithy_types::DateTime) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(at.secs(), at.subsec_nanos() as i32).ok()
}
