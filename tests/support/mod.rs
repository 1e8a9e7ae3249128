//! The fixtures every test file shares (`mod support;`):
//!
//! * [`source`]: one always-ready source written only against the Context
//!   budget API, and (feature `tokio`) `interleave`, a task that receives
//!   from it and from a tokio channel in turns;
//! * [`waker`]: one waker that counts its wakes;
//! * [`meter`]: one per-poll meter of a task (work, budget units spent and
//!   wakes of each poll), and a shared counter of work;
//! * [`executors`]: one way to run a task on each executor, and the
//!   `tests_on!` table of scenarios and executors;
//! * [`mock`]: a primitive's forced yields, counted on tokio-test's mock
//!   task.
//!
//! No helper here is named like an item of the library.

// Each test file uses a part of the fixtures.
#![allow(dead_code)]

pub(crate) mod executors;
pub(crate) mod meter;
pub(crate) mod mock;
pub(crate) mod source;
pub(crate) mod waker;

use std::future::{poll_fn, Future};
use std::task::Poll;

use coop_compat::BudgetExt;

// Re-exported for the test files, each of which uses a part.
#[allow(unused_imports)]
pub(crate) use executors::{one_turn_per_128, turns_seen_by, Executor};
#[allow(unused_imports)]
pub(crate) use meter::{metered, Counter, CountingIo, Metered, PollLog, PollRecord};
#[allow(unused_imports)]
pub(crate) use mock::assert_yields;
#[cfg(feature = "tokio")]
#[allow(unused_imports)]
pub(crate) use source::interleave;
#[allow(unused_imports)]
pub(crate) use source::{cut_every, drain, split, ReadySource};
#[allow(unused_imports)]
pub(crate) use waker::WakeCounter;

/// The units the task's budget has left right now (`None`: none counted, as
/// under tokio's own budget or with no budget).
pub(crate) async fn units_left() -> Option<u32> {
    poll_fn(|cx| Poll::Ready(cx.budget_remaining())).await
}

/// Polls `future` once, with the task's Context.
pub(crate) async fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let mut future = std::pin::pin!(future);
    poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// Wakes the task and returns `Pending` once: the task goes to the back of
/// its executor's queue (on tokio too, unlike `tokio::task::yield_now`,
/// whose wake tokio defers to its scheduler).
pub(crate) async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await;
}

/// One `#[test]` per scenario and executor, in a module per executor:
///
/// ```ignore
/// support::tests_on!(
///     [on_tokio => TokioCurrentThread, on_async_executor => AsyncExecutorOneThread]
///     scenario_a, scenario_b,
/// );
/// ```
///
/// or, for scenarios that hold on every executor, `[every executor]`: one
/// module per variant of [`Executor`] (`on_tokio_current_thread`,
/// `on_tokio_multi_thread`, `on_block_on`, `on_local_pool`,
/// `on_thread_pool`, `on_async_executor_one_thread`,
/// `on_async_executor_two_threads`).
///
/// Each scenario is a function of the test file returning the task to run
/// (`Send + 'static`), which [`Executor::run`] runs to completion.
#[allow(unused_macros)]
macro_rules! tests_on {
    ([every executor] $($scenario:ident),+ $(,)?) => {
        $crate::support::tests_on!(
            [
                on_tokio_current_thread => TokioCurrentThread,
                on_tokio_multi_thread => TokioMultiThread,
                on_block_on => BlockOn,
                on_local_pool => LocalPool,
                on_thread_pool => ThreadPool,
                on_async_executor_one_thread => AsyncExecutorOneThread,
                on_async_executor_two_threads => AsyncExecutorTwoThreads,
            ]
            $($scenario),+
        );
    };
    ([$($module:ident => $executor:ident),+ $(,)?] $($scenario:ident),+ $(,)?) => {
        $crate::support::tests_on!(@each [$($module => $executor),+] [$($scenario),+]);
    };
    (@each [$($module:ident => $executor:ident),+] $scenarios:tt) => {
        $($crate::support::tests_on!(@one $module $executor $scenarios);)+
    };
    (@one $module:ident $executor:ident [$($scenario:ident),+]) => {
        mod $module {
            $(#[test]
            fn $scenario() {
                $crate::support::Executor::$executor.run(super::$scenario());
            })+
        }
    };
}
#[allow(unused_imports)]
pub(crate) use tests_on;
