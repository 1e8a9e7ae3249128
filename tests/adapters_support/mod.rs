//! Shared fixtures of the adapter tests: a task wrapper that installs a fresh
//! `Budget` per poll and logs the units each poll spent, a tracker of the
//! operations each poll completed (for tokio's own budget, which cannot be
//! read), an IO wrapper that counts the calls that made progress, and the
//! executors every scenario runs on.

#![allow(dead_code, unreachable_pub)]

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use coop_compat::{Budget, ContextExt};

/// The units the task's budget has left right now (`None`: not counted, as
/// under tokio's own budget).
pub async fn remaining() -> Option<u32> {
    poll_fn(|cx| Poll::Ready(cx.budget_remaining())).await
}

/// Polls `future` once, with the task's context.
pub async fn poll_once<F: Future>(future: F) -> Poll<F::Output> {
    let mut future = std::pin::pin!(future);
    poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// Wakes the task and returns `Pending` once: the task goes to the back of
/// its executor's queue.
pub async fn yield_now() {
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

/// Shared, thread-safe log of numbers, one per task poll.
#[derive(Clone, Default, Debug)]
pub struct PollLog(Arc<Mutex<Vec<u32>>>);

impl PollLog {
    fn push(&self, value: u32) {
        self.0.lock().unwrap().push(value);
    }

    /// One entry per poll of the task.
    pub fn per_poll(&self) -> Vec<u32> {
        self.0.lock().unwrap().clone()
    }

    /// The entries without the polls that recorded 0.
    pub fn nonzero(&self) -> Vec<u32> {
        self.per_poll().into_iter().filter(|&n| n != 0).collect()
    }

    pub fn total(&self) -> u32 {
        self.per_poll().iter().sum()
    }
}

/// A task polled under a fresh `Budget` of `units` each poll (like
/// `coop_compat::Budgeted`), logging the units each poll spent.
pub struct Metered<F> {
    budget: Budget,
    log: PollLog,
    future: Pin<Box<F>>,
}

/// `future` under a budget of 128 units per poll, and its log.
pub fn metered<F: Future>(future: F) -> (Metered<F>, PollLog) {
    metered_with(128, future)
}

/// `future` under a budget of `units` per poll, and its log.
pub fn metered_with<F: Future>(units: u8, future: F) -> (Metered<F>, PollLog) {
    let log = PollLog::default();
    let task = Metered {
        budget: Budget::with_units(units),
        log: log.clone(),
        future: Box::pin(future),
    };
    (task, log)
}

impl<F: Future> Future for Metered<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let out = this.budget.poll(this.future.as_mut(), cx);
        this.log
            .push(u32::from(this.budget.units() - this.budget.remaining()));
        out
    }
}

/// Counts operations, and logs how many each poll of a tracked task did.
#[derive(Clone, Default, Debug)]
pub struct Progress {
    count: Arc<AtomicU32>,
    log: PollLog,
}

impl Progress {
    /// One more operation done.
    pub fn tick(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u32 {
        self.count.load(Ordering::Relaxed)
    }

    /// Wraps the task whose polls are logged.
    pub fn track<F: Future>(&self, future: F) -> Tracked<F> {
        Tracked {
            progress: self.clone(),
            last: self.get(),
            future: Box::pin(future),
        }
    }

    /// Operations done by each poll of the tracked task.
    pub fn per_poll(&self) -> Vec<u32> {
        self.log.per_poll()
    }
}

/// A task whose polls are logged by a [`Progress`].
pub struct Tracked<F> {
    progress: Progress,
    last: u32,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Tracked<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let out = this.future.as_mut().poll(cx);
        let now = this.progress.get();
        this.progress.log.push(now - this.last);
        this.last = now;
        out
    }
}

/// A waker that counts its wakes.
#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl CountingWaker {
    pub fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub fn wakes(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `future` as a task on a current_thread tokio runtime.
pub fn on_tokio<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { tokio::spawn(future).await.unwrap() })
}

/// Runs `future` as a task on an `async_executor::Executor` driven by this
/// thread.
pub fn on_async_executor<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    let executor = async_executor::Executor::new();
    let task = executor.spawn(future);
    futures::executor::block_on(executor.run(task))
}

/// Runs `future` as a task on a `futures::executor::LocalPool`.
pub fn on_futures_executor<T: 'static>(future: impl Future<Output = T> + 'static) -> T {
    use futures::task::LocalSpawnExt;
    let mut pool = futures::executor::LocalPool::new();
    let handle = pool.spawner().spawn_local_with_handle(future).unwrap();
    pool.run_until(handle)
}

/// Generates one `#[test]` per scenario and executor: each scenario is a
/// function returning the task to run (`Send + 'static`).
#[allow(unused_macros)]
macro_rules! on_every_executor {
    ($($scenario:ident),* $(,)?) => {
        mod on_tokio {
            $(#[test]
            fn $scenario() {
                crate::adapters_support::on_tokio(super::$scenario());
            })*
        }
        mod on_async_executor {
            $(#[test]
            fn $scenario() {
                crate::adapters_support::on_async_executor(super::$scenario());
            })*
        }
        mod on_futures_executor {
            $(#[test]
            fn $scenario() {
                crate::adapters_support::on_futures_executor(super::$scenario());
            })*
        }
    };
}

/// Counts the calls of a tokio IO object that made progress by the rule of
/// `CoopIo` (a `Ready` read or write with room, or an error; any `Ready`
/// `fill_buf`).
#[derive(Debug)]
pub struct CountingIo<T> {
    inner: T,
    progress: Progress,
}

impl<T> CountingIo<T> {
    pub fn new(inner: T, progress: &Progress) -> Self {
        Self {
            inner,
            progress: progress.clone(),
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for CountingIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let had_room = buf.remaining() > 0;
        let out = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(&out, Poll::Ready(r) if had_room || r.is_err()) {
            self.progress.tick();
        }
        out
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for CountingIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let out = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(&out, Poll::Ready(r) if !buf.is_empty() || r.is_err()) {
            self.progress.tick();
        }
        out
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A single-threaded executor for [`turns_seen_by`].
#[derive(Debug, Clone, Copy)]
pub enum Turns {
    AsyncExecutor,
    LocalPool,
}

/// Runs `busy` (budgeted by the caller) beside a task that counts its turns
/// and yields after each, on a single-threaded executor. `busy` gets the
/// counter and returns, for each unit of work it did, how many turns the
/// other task had had by then.
pub fn turns_seen_by<F>(on: Turns, busy: impl FnOnce(Arc<AtomicU32>) -> F) -> Vec<u32>
where
    F: Future<Output = Vec<u32>> + 'static,
{
    let other_turns = Arc::new(AtomicU32::new(0));
    let busy = busy(other_turns.clone());
    let other = async move {
        loop {
            other_turns.fetch_add(1, Ordering::Relaxed);
            yield_now().await;
        }
    };
    match on {
        Turns::AsyncExecutor => {
            let executor = async_executor::LocalExecutor::new();
            let busy = executor.spawn(busy);
            let other = executor.spawn(other);
            while !busy.is_finished() {
                assert!(executor.try_tick());
            }
            drop(other);
            futures::executor::block_on(busy)
        }
        Turns::LocalPool => {
            use futures::task::LocalSpawnExt;

            let mut pool = futures::executor::LocalPool::new();
            let busy = pool.spawner().spawn_local_with_handle(busy).unwrap();
            pool.spawner().spawn_local(other).unwrap();
            pool.run_until(busy)
        }
    }
}

/// What [`turns_seen_by`] returns for `items` units of work under a budget
/// of 128 per poll: the other task gets one turn after each 128.
pub fn one_turn_per_128(items: u32) -> Vec<u32> {
    (0..items).map(|item| item / 128).collect()
}
