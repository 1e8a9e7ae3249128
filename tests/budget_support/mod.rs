//! Shared fixtures of the budget tests: a test channel written only against
//! the Context budget API, a task wrapper that installs a fresh `Budget` per
//! task poll and records what each poll received, and two executors.

#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{ready, Context, Poll};

use coop_compat::{Budget, ContextExt};
use futures::stream::{FusedStream, Stream};

/// Counts the items received by one task, shared by all its channels.
#[derive(Clone, Default)]
pub(crate) struct Meter(Rc<Cell<u32>>);

impl Meter {
    pub(crate) fn get(&self) -> u32 {
        self.0.get()
    }

    fn reset(&self) {
        self.0.set(0);
    }

    fn add_one(&self) {
        self.0.set(self.0.get() + 1);
    }
}

/// An always-ready queue of `items` messages: the kind of source that would
/// let a task run forever without a budget. `poll_recv` asks the budget for a
/// unit per receive and spends it (`made_progress`) for each item; the final
/// `None` is not progress, so its unit goes back.
pub(crate) struct TestChannel {
    left: u32,
    meter: Meter,
    terminated: bool,
}

impl TestChannel {
    pub(crate) fn new(items: u32, meter: &Meter) -> Self {
        Self {
            left: items,
            meter: meter.clone(),
            terminated: false,
        }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        if self.left == 0 {
            self.terminated = true;
            return Poll::Ready(None);
        }
        self.left -= 1;
        self.meter.add_one();
        coop.made_progress();
        Poll::Ready(Some(self.left))
    }

    pub(crate) fn recv(&mut self) -> impl Future<Output = Option<u32>> + '_ {
        poll_fn(move |cx| self.poll_recv(cx))
    }
}

impl Stream for TestChannel {
    type Item = u32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        self.get_mut().poll_recv(cx)
    }
}

impl FusedStream for TestChannel {
    fn is_terminated(&self) -> bool {
        self.terminated
    }
}

/// Receives everything from `channel` through two async fn layers and
/// returns how many items came.
pub(crate) async fn drain(mut channel: TestChannel) -> u32 {
    async fn receive_one(channel: &mut TestChannel) -> Option<u32> {
        channel.recv().await
    }
    let mut received = 0;
    while receive_one(&mut channel).await.is_some() {
        received += 1;
    }
    received
}

/// Splits `total` items over `parts` channels as evenly as possible.
pub(crate) fn channels(total: u32, parts: u32, meter: &Meter) -> Vec<TestChannel> {
    (0..parts)
        .map(|i| TestChannel::new(total / parts + u32::from(i < total % parts), meter))
        .collect()
}

/// What one task poll did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PollRecord {
    /// Items received during the poll, over all the task's channels.
    pub(crate) received: u32,
    /// Whether the task completed in this poll.
    pub(crate) ready: bool,
}

/// The per-poll record of a task that receives `total` items under a budget
/// of `units` per poll: it yields after exactly `units` receives each time,
/// and the last poll takes the rest (possibly none: the final `None` needs a
/// unit too, even though it gives it back).
pub(crate) fn expected_polls(total: u32, units: u8) -> Vec<PollRecord> {
    let units = u32::from(units);
    let mut polls = vec![
        PollRecord {
            received: units,
            ready: false
        };
        (total / units) as usize
    ];
    polls.push(PollRecord {
        received: total % units,
        ready: true,
    });
    polls
}

/// Shared log of a task's polls.
pub(crate) type PollLog = Rc<RefCell<Vec<PollRecord>>>;

/// A spawned task as a budget-aware executor would poll it: every poll of
/// the task runs under a fresh installation of its `Budget` (or of nothing,
/// for `budget: None`), and is recorded.
pub(crate) struct Budgeted<F> {
    budget: Option<Budget>,
    meter: Meter,
    log: PollLog,
    inner: Pin<Box<F>>,
}

impl<F: Future> Budgeted<F> {
    pub(crate) fn new(budget: Option<Budget>, meter: &Meter, log: &PollLog, inner: F) -> Self {
        Self {
            budget,
            meter: meter.clone(),
            log: log.clone(),
            inner: Box::pin(inner),
        }
    }
}

impl<F: Future> Future for Budgeted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        this.meter.reset();
        let out = match &mut this.budget {
            Some(budget) => budget.poll(this.inner.as_mut(), cx),
            None => this.inner.as_mut().poll(cx),
        };
        this.log.borrow_mut().push(PollRecord {
            received: this.meter.get(),
            ready: out.is_ready(),
        });
        out
    }
}

/// The executors the tests run on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Executor {
    /// `futures::executor::LocalPool`.
    LocalPool,
    /// `async_executor::LocalExecutor`.
    AsyncExecutor,
}

pub(crate) const EXECUTORS: [Executor; 2] = [Executor::LocalPool, Executor::AsyncExecutor];

impl Executor {
    /// Spawns `task` and runs the executor until nothing is left to do
    /// (never blocks: a task that is not woken again is reported as not
    /// finished). Returns whether the task finished.
    pub(crate) fn run(self, task: impl Future<Output = ()> + 'static) -> bool {
        let done = Rc::new(Cell::new(false));
        let flag = done.clone();
        let task = async move {
            task.await;
            flag.set(true);
        };
        match self {
            Executor::LocalPool => {
                use futures::task::LocalSpawnExt;
                let mut pool = futures::executor::LocalPool::new();
                pool.spawner()
                    .spawn_local(task)
                    .expect("spawn on LocalPool");
                pool.run_until_stalled();
            }
            Executor::AsyncExecutor => {
                let executor = async_executor::LocalExecutor::new();
                let handle = executor.spawn(task);
                while executor.try_tick() {}
                handle.detach();
            }
        }
        done.get()
    }
}
