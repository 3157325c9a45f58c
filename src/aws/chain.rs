//! How deep the chain of dependent calls runs: the critical path. A call that
//! needs another's answer (the next page, the repositories before their
//! images) is one step further down the chain; calls made side by side are not.
//!
//! Each branch of a fan-out carries its own depth as a task-local, so sibling
//! branches polled by one task never add to each other's count. Whatever
//! follows a fan-out waited for all of it, so it continues from the deepest
//! branch.

use std::cell::Cell;
use std::future::Future;

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use futures::stream::Stream;

tokio::task_local! {
    static DEPTH: Cell<u32>;
}

/// `future` as its own branch of the chain, starting after every call the
/// current branch has made so far. Build the branches where the fan-out
/// happens: the starting depth is taken when this is called, not when polled.
pub fn branch<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let start = depth();
    // Boxed: branches nest, and an async block that awaits a captured
    // future holds it twice, so unboxed they would double in size at every
    // level (enough to overflow the main thread's stack).
    let scoped = Box::pin(DEPTH.scope(Cell::new(start), async move {
        let output = future.await;
        (output, depth())
    }));
    async move {
        let (output, end) = scoped.await;
        // Back in the parent's scope.
        let _outside_any_branch = DEPTH.try_with(|depth| depth.set(depth.get().max(end)));
        output
    }
}

/// Runs every future side by side, each as its own branch (built here, at
/// the fan-out), and gives their outputs in order.
///
/// Through `FuturesOrdered`, which polls only the futures that were woken:
/// the whole collection runs in one task, and `futures::future::join_all`
/// polls every pending future on every wake below 31 of them, which with
/// hundreds of calls queued at the call gate cost more CPU than the calls.
pub fn join_all<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>>
where
    I: IntoIterator,
    I::Item: Future,
{
    let branches: FuturesOrdered<_> = futures.into_iter().map(branch).collect();
    branches.collect::<Vec<_>>()
}

/// Runs the futures side by side, each as its own branch, at most `limit`
/// at a time, and gives their outputs as they finish. The branches are
/// built here, so each starts from the depth of the fan-out.
pub fn bounded<I>(futures: I, limit: usize) -> impl Stream<Item = <I::Item as Future>::Output> + Unpin
where
    I: IntoIterator,
    I::Item: Future,
{
    let branches: Vec<_> = futures.into_iter().map(branch).collect();
    futures::stream::iter(branches).buffer_unordered(limit.max(1))
}

/// Calls made so far along the current branch.
pub fn depth() -> u32 {
    DEPTH.try_with(Cell::get).unwrap_or(0)
}

/// Counts one more completed call on the current branch; returns its depth.
pub(crate) fn advance() -> u32 {
    DEPTH
        .try_with(|depth| {
            depth.set(depth.get() + 1);
            depth.get()
        })
        // Outside any branch a call depends on nothing we can see.
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn calls(count: u32) -> u32 {
        let mut last = depth();
        for _ in 0..count {
            tokio::task::yield_now().await;
            last = advance();
        }
        last
    }

    #[tokio::test]
    async fn siblings_do_not_add_up_and_what_follows_waits_for_the_deepest() {
        let deepest = branch(async {
            calls(2).await;
            let (a, b) = futures::join!(branch(calls(3)), branch(calls(1)));
            let fanned = join_all((0..4).map(|_| calls(2))).await;
            (a, b, fanned, depth())
        })
        .await;
        assert_eq!(deepest, (5, 3, vec![7, 7, 7, 7], 7));
    }

    #[tokio::test]
    async fn without_branches_concurrent_calls_would_be_counted_as_one_chain() {
        // The reason every fan-out goes through `branch`: the shared count overcounts.
        let shared = branch(async {
            futures::join!(calls(3), calls(3));
            depth()
        })
        .await;
        assert_eq!(shared, 6);
    }
}
