//! What the scan asked of AWS: calls per service, operation and region, the
//! attempts the SDK's retry strategy made for them, how many attempts were
//! throttled, and the depth of the longest chain of dependent calls. The
//! same interceptor tells each endpoint's adaptive limit how its attempts
//! were answered.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use aws_runtime::retries::classifiers::THROTTLING_ERRORS;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::Service;
use super::endpoint_limit::{self, Answer};
use crate::model::{CallStats, OperationStats};

#[derive(Debug, Default)]
pub struct CallLedger {
    counts: Mutex<BTreeMap<(Service, String, String), Counts>>,
    deepest_chain: AtomicU32,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    calls: u64,
    attempts: u64,
    throttles: u64,
}

impl CallLedger {
    /// One call as the collectors see it, however many attempts it took;
    /// `depth`: its place on its chain of dependent calls.
    pub fn record_call(&self, service: Service, region: &str, operation: &str, depth: u32) {
        self.update(service, region, operation, |counts| counts.calls += 1);
        self.deepest_chain.fetch_max(depth, Ordering::Relaxed);
    }

    /// One plain HTTP request outside the SDK (the GET of a presigned URL):
    /// one call, one attempt, never retried.
    pub fn record_plain_request(&self, service: Service, region: &str, operation: &str, depth: u32) {
        self.update(service, region, operation, |counts| {
            counts.calls += 1;
            counts.attempts += 1;
        });
        self.deepest_chain.fetch_max(depth, Ordering::Relaxed);
    }

    /// One HTTP attempt, as the SDK made it.
    fn record_attempt(&self, service: Service, region: &str, operation: &str, throttled: bool) {
        self.update(service, region, operation, |counts| {
            counts.attempts += 1;
            counts.throttles += u64::from(throttled);
        });
    }

    fn update(&self, service: Service, region: &str, operation: &str, change: impl FnOnce(&mut Counts)) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        change(counts.entry((service, region.to_owned(), operation.to_owned())).or_default());
    }

    /// The report's call stats, operations sorted by service, region, operation.
    pub fn stats(&self) -> CallStats {
        let counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let operations: Vec<OperationStats> = counts
            .iter()
            .map(|((service, region, operation), counts)| OperationStats {
                service: service.as_str().to_owned(),
                operation: operation.clone(),
                region: region.clone(),
                calls: counts.calls,
                attempts: counts.attempts,
                retries: counts.attempts.saturating_sub(counts.calls),
                throttles: counts.throttles,
            })
            .collect();
        let total = |field: fn(&OperationStats) -> u64| operations.iter().map(field).sum();
        CallStats {
            calls: total(|op| op.calls),
            attempts: total(|op| op.attempts),
            retries: total(|op| op.retries),
            throttles: total(|op| op.throttles),
            critical_path_depth: self.deepest_chain.load(Ordering::Relaxed),
            operations,
        }
    }
}

/// Feeds every attempt a client makes into the ledger. One per client, so
/// it knows the service and region; the operation comes from the SDK.
#[derive(Debug)]
pub struct AttemptCounter {
    ledger: Arc<CallLedger>,
    service: Service,
    region: String,
}

impl AttemptCounter {
    pub fn new(ledger: Arc<CallLedger>, service: Service, region: &str) -> Self {
        AttemptCounter { ledger, service, region: region.to_owned() }
    }
}

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "bulkhead::AttemptCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        endpoint_limit::attempt_sent();
        Ok(())
    }

    /// Counts the attempt, and tells the endpoint's adaptive limit how it
    /// was answered.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map(Metadata::name).unwrap_or("unknown");
        let throttled = context.response().is_some_and(is_throttling);
        self.ledger.record_attempt(self.service, &self.region, operation, throttled);
        endpoint_limit::attempt_answered(match context.response() {
            _ if throttled => Answer::Throttled,
            Some(response) if !response.status().is_server_error() => Answer::Answered,
            _ => Answer::Unknown,
        });
        Ok(())
    }
}

/// Whether the service said "slow down", by the same error codes the SDK's
/// retry classifier uses. The body is in memory by now: the SDK reads error
/// bodies whole before it deserializes them.
fn is_throttling(response: &HttpResponse) -> bool {
    if response.status().as_u16() == 429 {
        return true;
    }
    if response.status().is_success() {
        return false;
    }
    error_code(response).is_some_and(|code| THROTTLING_ERRORS.contains(&code.as_str()))
}

/// The AWS error code of an error response, in any of the protocols these
/// services speak: the `x-amzn-ErrorType` header or `__type` of the JSON
/// protocols, or `<Code>` of the query protocols.
fn error_code(response: &HttpResponse) -> Option<String> {
    let strip_namespace =
        |code: &str| code.rsplit('#').next().unwrap_or(code).split(':').next().unwrap_or("").trim().to_owned();
    if let Some(header) = response.headers().get("x-amzn-ErrorType") {
        return Some(strip_namespace(header));
    }
    let body = std::str::from_utf8(response.body().bytes()?).ok()?;
    if let Some(start) = body.find("<Code>") {
        let rest = &body[start + "<Code>".len()..];
        return rest.find("</Code>").map(|end| rest[..end].trim().to_owned());
    }
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    let code = json.get("__type").or_else(|| json.get("code"))?.as_str()?;
    Some(strip_namespace(code))
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    fn response(status: u16, header: Option<&str>, body: &str) -> HttpResponse {
        let mut response = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body.to_owned()));
        if let Some(header) = header {
            response.headers_mut().insert("x-amzn-ErrorType", header.to_owned());
        }
        response
    }

    #[test]
    fn throttling_is_recognised_in_every_protocol() {
        let ec2 = "<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>";
        let iam = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code></Error></ErrorResponse>";
        let ecr = r#"{"__type":"com.amazonaws.ecr#ThrottlingException","message":"slow down"}"#;
        assert!(is_throttling(&response(503, None, ec2)));
        assert!(is_throttling(&response(400, None, iam)));
        assert!(is_throttling(&response(400, None, ecr)));
        assert!(is_throttling(&response(400, Some("ThrottlingException:http://internal.amazon.com/"), "")));
        assert!(is_throttling(&response(429, None, "")));
    }

    #[test]
    fn other_errors_and_successes_are_not_throttling() {
        let denied = r#"{"__type":"AccessDeniedException","message":"no"}"#;
        let not_found = "<ErrorResponse><Error><Code>NoSuchEntity</Code></Error></ErrorResponse>";
        assert!(!is_throttling(&response(400, None, denied)));
        assert!(!is_throttling(&response(404, None, not_found)));
        assert!(!is_throttling(&response(500, None, "")));
        assert!(!is_throttling(&response(200, None, "<Code>Throttling</Code>")));
    }

    #[test]
    fn retries_are_attempts_beyond_the_calls() {
        let ledger = CallLedger::default();
        ledger.record_call(Service::Ecr, "eu-west-1", "DescribeImages", 3);
        ledger.record_attempt(Service::Ecr, "eu-west-1", "DescribeImages", true);
        ledger.record_attempt(Service::Ecr, "eu-west-1", "DescribeImages", false);
        ledger.record_call(Service::Ec2, "eu-west-1", "DescribeRegions", 1);
        ledger.record_attempt(Service::Ec2, "eu-west-1", "DescribeRegions", false);
        let stats = ledger.stats();
        assert_eq!((stats.calls, stats.attempts, stats.retries, stats.throttles), (2, 3, 1, 1));
        assert_eq!(stats.critical_path_depth, 3);
        assert_eq!(stats.operations[0].operation, "DescribeRegions");
        assert_eq!(stats.operations[1].retries, 1);
    }
}
