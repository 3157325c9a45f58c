//! Bounded concurrency for every AWS call: one global limit, and one limit per
//! (account, service, region) endpoint so a single slow endpoint cannot take
//! every slot. AWS rate-limits each account's endpoints on their own, so each
//! account has its own endpoint limits ([`CallGate::for_account`]) under the
//! one global limit. An endpoint's limit adapts to its answers
//! ([`EndpointLimit`]): it grows while calls are answered quickly and is cut
//! when the endpoint throttles, never above the per-endpoint ceiling.
//! Every call passes through here, so the gate also keeps the call ledger.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use super::Service;
use super::endpoint_limit::{self, EndpointLimit};
use super::ledger::CallLedger;

#[derive(Debug, Clone, Copy)]
pub struct ConcurrencyLimits {
    pub global: NonZeroUsize,
    /// The most calls an endpoint's adaptive limit may reach (and the
    /// global limit, if lower).
    pub per_endpoint: NonZeroUsize,
}

#[derive(Debug)]
pub struct CallGate {
    global: Arc<Semaphore>,
    per_endpoint_limit: usize,
    per_endpoint: Mutex<HashMap<(Service, String), Arc<EndpointLimit>>>,
    ledger: Arc<CallLedger>,
}

impl CallGate {
    pub fn new(limits: ConcurrencyLimits) -> Self {
        CallGate {
            global: Arc::new(Semaphore::new(limits.global.get())),
            per_endpoint_limit: limits.per_endpoint.min(limits.global).get(),
            per_endpoint: Mutex::new(HashMap::new()),
            ledger: Arc::default(),
        }
    }

    /// A gate for one account's calls: endpoint limits of its own, the same
    /// global limit and ledger.
    pub fn for_account(&self) -> CallGate {
        CallGate {
            global: self.global.clone(),
            per_endpoint_limit: self.per_endpoint_limit,
            per_endpoint: Mutex::new(HashMap::new()),
            ledger: self.ledger.clone(),
        }
    }

    pub fn ledger(&self) -> &Arc<CallLedger> {
        &self.ledger
    }

    /// Makes and runs one AWS call once both a global and an endpoint slot
    /// are free. The endpoint slot is taken first, so calls queued behind a
    /// stalled endpoint do not sit on global slots.
    ///
    /// The call's future is made only then, and on the heap: an SDK
    /// operation's future is tens of kilobytes, and a scan queues thousands
    /// of calls here, so queued calls must not hold one each. Its attempts
    /// are fed to the endpoint's limit as they are answered.
    pub async fn call<Fut: Future>(
        &self,
        service: Service,
        region: &str,
        operation: &'static str,
        call: impl FnOnce() -> Fut,
    ) -> Fut::Output {
        let endpoint = self.endpoint_limit(service, region);
        let _endpoint_permit = endpoint.acquire(operation).await;
        let _global_permit = self.global.acquire().await.expect("call gate semaphores are never closed");
        endpoint_limit::observed(endpoint, operation, Box::pin(call())).await
    }

    fn endpoint_limit(&self, service: Service, region: &str) -> Arc<EndpointLimit> {
        let mut endpoints = self.per_endpoint.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        endpoints
            .entry((service, region.to_owned()))
            .or_insert_with(|| EndpointLimit::new(self.per_endpoint_limit))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_exceeds_the_endpoint_limit() {
        let gate = Arc::new(CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(8).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        }));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let calls = (0..20).map(|_| {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            tokio::spawn(async move {
                gate.call(Service::Ecr, "eu-west-1", "DescribeImages", || async {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 2, "peak {}", peak.load(Ordering::SeqCst));
    }

    /// Calls to many endpoints at once never exceed the global limit, and
    /// reach it (so the limit, not the test, is what holds them back).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_exceeds_the_global_limit() {
        let gate = Arc::new(CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(3).unwrap(),
            per_endpoint: NonZeroUsize::new(8).unwrap(),
        }));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let regions = ["eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1"];
        let calls = (0..24).map(|index| {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            let (service, region) = (if index % 2 == 0 { Service::Ecr } else { Service::Ec2 }, regions[index % 4]);
            tokio::spawn(async move {
                gate.call(service, region, "DescribeImages", || async {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    /// Each account's gate limits its own endpoints; all of them share the
    /// global limit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn accounts_have_endpoint_limits_of_their_own_under_one_global_limit() {
        let gate = CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(5).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        });
        let accounts: Vec<Arc<CallGate>> = (0..4).map(|_| Arc::new(gate.for_account())).collect();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let calls = (0..40).map(|index| {
            let (gate, running, peak) = (accounts[index % 4].clone(), running.clone(), peak.clone());
            tokio::spawn(async move {
                gate.call(Service::Ecr, "eu-west-1", "DescribeImages", || async {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap();
        }
        // One shared endpoint limit would hold this at 2; four accounts reach the global 5.
        assert_eq!(peak.load(Ordering::SeqCst), 5);
    }
}
