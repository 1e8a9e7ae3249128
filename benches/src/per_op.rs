//! The measurements behind the criterion benches (`benches/*.rs`) and
//! `examples/bench_table.rs`, shared so that both report the same thing.
//!
//! Every function runs `iters` operations and returns the time they took
//! (criterion's `iter_custom` contract): divide by `iters` for a per-operation
//! figure.
//!
//! # What is compared with what
//!
//! The baseline of the per-operation layers is tokio's own
//! `poll_proceed(cx)` + `made_progress()` inside a tokio task. tokio gives a
//! task 128 units per poll, so a hot loop cannot simply repeat it. Each batch
//! of [`BATCH`] operations is therefore run under an *outer* guard: one more
//! `poll_proceed` whose guard is dropped without progress after the batch,
//! which puts the budget back to what it was before the batch (tokio restores
//! an absolute value). Every budgeted figure is measured the same way (the
//! outer guard is a tokio guard for the tokio-backed provider, a
//! `Cooperation` for `Budget`, whose refund works the same), so each
//! per-operation figure carries the same 1/100 share of one outer
//! take-and-refund. No task yields during a measurement, and nothing but the
//! operations (and that share) is inside the timed region.
//!
//! A compiler barrier ([`barrier`], `black_box(())`) separates the
//! operations, so the compiler cannot fold the 100 operations of a batch into
//! one or hoist the budget lookup out of the loop: every call looks up its
//! budget as a primitive's `poll` would.
//!
//! The per-poll layers (`CoopCompat` on `LocalPool` and `async-executor`)
//! time whole executor cycles: a task that does one Context-based operation
//! (`poll_cooperate` + `made_progress`) and wakes itself, polled `iters`
//! times.
#![allow(dead_code)] // Each target uses a subset.

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use task_coop::{Budget, ContextExt};
use tokio::task::coop;

/// A compiler barrier between operations: the optimiser must assume that all
/// memory it cannot see changed (the context, the budget, thread-locals), so
/// every operation looks its budget up again, as a primitive's `poll` does,
/// and no two operations are folded into one. Unlike passing the context
/// through `black_box`, it adds no store and reload of the context pointer.
#[inline(always)]
fn barrier() {
    black_box(());
}

/// Operations per batch under one outer guard (tokio's budget is 128).
pub(crate) const BATCH: u64 = 100;

/// A context that carries no provider (the executor installs nothing).
pub(crate) fn plain_context() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// A current-thread tokio runtime for the "inside a tokio task" figures.
pub(crate) struct Tokio {
    rt: tokio::runtime::Runtime,
}

impl Tokio {
    pub(crate) fn new() -> Self {
        Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("build a tokio runtime"),
        }
    }

    /// Runs `op(cx, iters)` in one poll of a spawned tokio task, with that
    /// task's context, and returns what it measured.
    pub(crate) fn in_task(
        &self,
        op: fn(&mut Context<'_>, u64) -> Duration,
        iters: u64,
    ) -> Duration {
        self.rt.block_on(async move {
            tokio::spawn(std::future::poll_fn(move |cx| Poll::Ready(op(cx, iters))))
                .await
                .expect("the measuring task panicked")
        })
    }
}

/// The batch sizes of `iters` operations.
fn batches(iters: u64) -> impl Iterator<Item = u64> {
    let full = iters / BATCH;
    let rest = iters % BATCH;
    std::iter::repeat_n(BATCH, full as usize).chain((rest > 0).then_some(rest))
}

/// (a) Baseline: `tokio::task::coop::poll_proceed(cx)` + `made_progress()`.
/// Call inside a tokio task ([`Tokio::in_task`]).
pub(crate) fn tokio_poll_proceed(cx: &mut Context<'_>, iters: u64) -> Duration {
    on_tokio_budget(cx, iters, |cx| match coop::poll_proceed(cx) {
        Poll::Ready(guard) => guard.made_progress(),
        Poll::Pending => unreachable!("the outer guard keeps 27 units in hand"),
    })
}

/// Times `iters` calls of `op` inside a tokio task, in batches under an
/// outer tokio guard (see the module docs), with a [`barrier`] before each.
#[inline(always)]
fn on_tokio_budget(
    cx: &mut Context<'_>,
    iters: u64,
    mut op: impl FnMut(&mut Context<'_>),
) -> Duration {
    let cx = black_box(cx); // opaque from here on, like a `poll` argument
    let start = Instant::now();
    for n in batches(iters) {
        let Poll::Ready(outer) = coop::poll_proceed(cx) else {
            panic!("not inside a tokio task, or its budget is spent");
        };
        for _ in 0..n {
            barrier();
            op(cx);
        }
        drop(outer); // puts the budget back to what it was before the batch
    }
    start.elapsed()
}

/// (b) `poll_cooperate` with no provider installed, and dropping the
/// (unconstrained) cooperation. Call with [`plain_context`] on a thread that
/// is in no tokio context: with the `tokio` feature compiled in,
/// `poll_cooperate` also asks tokio whether this thread is in one.
pub(crate) fn no_provider(cx: &mut Context<'_>, iters: u64) -> Duration {
    let cx = black_box(cx); // opaque from here on, like a `poll` argument
    let start = Instant::now();
    for _ in 0..iters {
        barrier();
        drop(cx.poll_cooperate());
    }
    start.elapsed()
}

/// (c) `poll_cooperate` + `made_progress` + drop under an installed
/// [`Budget`], reached through the context's waker.
pub(crate) fn budget_through_context(iters: u64) -> Duration {
    on_budget(iters, |cx| match cx.poll_cooperate() {
        Poll::Ready(mut coop) => coop.made_progress(),
        Poll::Pending => unreachable!("the outer cooperation keeps 27 units in hand"),
    })
}

/// Times `iters` calls of `op` under an installed [`Budget`], in batches
/// under an outer cooperation that is refunded after each (the budget's
/// counterpart of the outer tokio guard), with a [`barrier`] before each.
#[inline(always)]
fn on_budget(iters: u64, mut op: impl FnMut(&mut Context<'_>)) -> Duration {
    let mut budget = Budget::new();
    let mut cx = plain_context();
    budget.install(&mut cx, |cx| {
        let cx = black_box(cx); // opaque from here on, like a `poll` argument
        let start = Instant::now();
        for n in batches(iters) {
            let Poll::Ready(outer) = cx.poll_cooperate() else {
                panic!("a fresh budget said Pending");
            };
            for _ in 0..n {
                barrier();
                op(cx);
            }
            drop(outer); // refund: back to what it was before the batch
        }
        start.elapsed()
    })
}

/// (e) Installing a [`Budget`] for one poll and removing it again.
pub(crate) fn budget_install(iters: u64) -> Duration {
    let mut budget = Budget::new();
    let mut cx = plain_context();
    let cx = black_box(&mut cx); // opaque from here on, like a `poll` argument
    let start = Instant::now();
    for _ in 0..iters {
        barrier();
        budget.install(cx, |cx| {
            black_box(cx);
        });
    }
    start.elapsed()
}

/// `poll_cooperate` + `made_progress`, under an outer tokio guard per batch:
/// the body of both tokio-provider figures. Call inside a tokio task.
#[cfg(feature = "tokio")]
fn context_progress_on_tokio_budget(cx: &mut Context<'_>, iters: u64) -> Duration {
    on_tokio_budget(cx, iters, |cx| match cx.poll_cooperate() {
        Poll::Ready(mut coop) => coop.made_progress(),
        Poll::Pending => unreachable!("the outer guard keeps 27 units in hand"),
    })
}

/// (d) The tokio-backed provider installed with `TokioBudget::install` (what
/// `CoopCompat` installs): `poll_cooperate` + `made_progress` draw from
/// tokio's budget. Call inside a tokio task.
#[cfg(feature = "tokio")]
pub(crate) fn tokio_budget_installed(cx: &mut Context<'_>, iters: u64) -> Duration {
    task_coop::TokioBudget.install(cx, |cx| context_progress_on_tokio_budget(cx, iters))
}

/// (d0) The floor under (d): only the tokio calls that any provider backed
/// by tokio's public API must make per operation. tokio has no budget setter
/// and its guard cannot be kept in a `Cooperation`, so a unit is checked when
/// it is taken (`has_budget_remaining`) and spent at `made_progress`
/// (`poll_proceed` with a no-op waker + `made_progress`). No lookup, no
/// dispatch. Call inside a tokio task.
pub(crate) fn tokio_provider_floor(cx: &mut Context<'_>, iters: u64) -> Duration {
    on_tokio_budget(cx, iters, |_| {
        assert!(
            coop::has_budget_remaining(),
            "the outer guard keeps 27 units in hand"
        );
        let mut noop = Context::from_waker(Waker::noop());
        if let Poll::Ready(guard) = coop::poll_proceed(&mut noop) {
            guard.made_progress();
        }
    })
}

/// (c0) The floor under (c): a bare `Cell<u8>` counter checked and
/// decremented once per operation, through the same barrier. Any budget that
/// counts in memory pays this: the barrier keeps the counter in memory, so
/// each operation loads what the previous one stored. No lookup, no
/// cooperation, nothing to refund: not a usable budget, only the bound.
pub(crate) fn counter_floor(iters: u64) -> Duration {
    let counter = std::cell::Cell::new(0u8);
    let counter = black_box(&counter);
    let start = Instant::now();
    for n in batches(iters) {
        counter.set(128);
        for _ in 0..n {
            barrier();
            let units = counter.get();
            assert!(units != 0, "the batch keeps 28 units in hand");
            counter.set(units - 1);
        }
    }
    start.elapsed()
}

/// (d') The same with nothing installed: `poll_cooperate`'s fallback finds
/// the tokio task and answers from tokio's budget. Call inside a tokio task.
#[cfg(feature = "tokio")]
pub(crate) fn tokio_budget_fallback(cx: &mut Context<'_>, iters: u64) -> Duration {
    context_progress_on_tokio_budget(cx, iters)
}

/// What the self-waking task of the per-poll figures is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PollTask {
    /// Only wakes itself: the executor's bare re-poll cycle.
    Bare,
    /// One Context-based operation (`poll_cooperate` + `made_progress`), then
    /// wakes itself.
    Op,
    /// `Op` inside `CoopCompat::wrap`.
    #[cfg(feature = "tokio")]
    CoopCompat,
    /// `Op` inside `async_compat::Compat` (a tokio runtime context entered
    /// around each poll, no budget scope).
    #[cfg(feature = "tokio")]
    AsyncCompat,
    /// `Op` inside `CoopCompat::with_handle`, with a tokio runtime of its own
    /// for the task numbered here: the same work as `CoopCompat` with nothing
    /// of tokio's shared between the tasks (no runtime handle, no lock), for
    /// the floor of the 2-thread figure. The runtimes are not driven: fine
    /// for a task that spawns nothing and sets no timer.
    #[cfg(feature = "tokio")]
    CoopCompatOwnRuntime(usize),
}

/// A task that is polled `polls` times: each poll does `op` (if asked) and
/// wakes itself, the last one returns `Ready`.
fn self_waking(polls: u64, op: bool) -> impl Future<Output = ()> + Send + 'static {
    let mut left = polls.max(1);
    std::future::poll_fn(move |cx| {
        if op {
            if let Poll::Ready(mut coop) = cx.poll_cooperate() {
                coop.made_progress();
            }
        }
        left -= 1;
        if left == 0 {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

/// The task of kind `kind`, polled `polls` times.
pub(crate) fn poll_task(
    kind: PollTask,
    polls: u64,
) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    match kind {
        PollTask::Bare => Box::pin(self_waking(polls, false)),
        PollTask::Op => Box::pin(self_waking(polls, true)),
        #[cfg(feature = "tokio")]
        PollTask::CoopCompat => Box::pin(coop_compat::CoopCompat::wrap(self_waking(polls, true))),
        #[cfg(feature = "tokio")]
        PollTask::AsyncCompat => Box::pin(async_compat::Compat::new(self_waking(polls, true))),
        #[cfg(feature = "tokio")]
        PollTask::CoopCompatOwnRuntime(task) => {
            /// One runtime per task of `async_executor` (which runs two).
            static RUNTIMES: std::sync::OnceLock<[tokio::runtime::Runtime; 2]> =
                std::sync::OnceLock::new();
            let runtimes = RUNTIMES.get_or_init(|| {
                std::array::from_fn(|_| {
                    // Built like the global runtime `CoopCompat::wrap` uses.
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("build a tokio runtime")
                })
            });
            let handle = runtimes[task % 2].handle().clone();
            Box::pin(coop_compat::CoopCompat::with_handle(
                self_waking(polls, true),
                handle,
            ))
        }
    }
}

/// (f), (h) `iters` polls of one task of kind `kind` on
/// `futures::executor::LocalPool`.
pub(crate) fn local_pool(kind: PollTask, iters: u64) -> Duration {
    use futures::task::LocalSpawnExt;

    let mut pool = futures::executor::LocalPool::new();
    pool.spawner()
        .spawn_local(poll_task(kind, iters))
        .expect("spawn on LocalPool");
    let start = Instant::now();
    pool.run();
    start.elapsed()
}

/// The CPU time the calling thread has used, where the OS tells (Linux).
pub(crate) fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let on_cpu = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(on_cpu))
}

/// What an `async-executor` run measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExecutorRun {
    /// Wall-clock time of the run times the number of threads: the
    /// thread-time the polls took, if every thread had a core of its own.
    pub(crate) thread_time: Duration,
    /// CPU time all the executor's threads used, where the OS tells.
    pub(crate) cpu_time: Option<Duration>,
}

/// (g) `iters` polls in all, of two tasks of kind `kind`, on an
/// `async_executor::Executor` run by `threads` threads (1 or more).
pub(crate) fn async_executor(kind: PollTask, threads: usize, iters: u64) -> ExecutorRun {
    let ex = async_executor::Executor::new();
    let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
    let stop_rx = futures::future::FutureExt::shared(stop_rx);
    // Every thread starts its clocks at the same moment, once all exist.
    let ready = std::sync::Barrier::new(threads);
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                let (ex, ready) = (&ex, &ready);
                let stop = stop_rx.clone();
                scope.spawn(move || {
                    ready.wait();
                    let before = thread_cpu_time();
                    let _ = futures::executor::block_on(ex.run(stop));
                    Some(thread_cpu_time()? - before?)
                })
            })
            .collect();
        ready.wait();
        let before = thread_cpu_time();
        let start = Instant::now();
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                let kind = match kind {
                    #[cfg(feature = "tokio")]
                    PollTask::CoopCompatOwnRuntime(_) => PollTask::CoopCompatOwnRuntime(i),
                    other => other,
                };
                ex.spawn(poll_task(kind, iters / 2 + (iters % 2) * (i == 0) as u64))
            })
            .collect();
        futures::executor::block_on(ex.run(futures::future::join_all(tasks)));
        let wall = start.elapsed();
        let mine = thread_cpu_time()
            .zip(before)
            .map(|(after, before)| after - before);
        let _ = stop_tx.send(());
        let helpers: Option<Duration> = helpers
            .into_iter()
            .map(|h| h.join().expect("executor thread panicked"))
            .sum();
        ExecutorRun {
            thread_time: wall * threads as u32,
            cpu_time: mine.zip(helpers).map(|(a, b)| a + b),
        }
    })
}

/// Takes `iters` items from a futures-rs unbounded channel that is never
/// empty (each item is sent back), through `poll_next`, under an installed
/// [`Budget`] (batches under an outer cooperation, as above).
#[cfg(feature = "futures")]
fn drain_channel<S>(
    mut rx: S,
    tx: futures::channel::mpsc::UnboundedSender<u64>,
    iters: u64,
) -> Duration
where
    S: futures::Stream<Item = u64> + Unpin,
{
    for i in 0..=BATCH {
        tx.unbounded_send(i).expect("receiver alive");
    }
    on_budget(iters, |cx| {
        match std::pin::Pin::new(&mut rx).poll_next(cx) {
            Poll::Ready(Some(item)) => tx.unbounded_send(item).expect("receiver alive"),
            _ => unreachable!("the channel is never empty and the budget never spent"),
        }
    })
}

/// Baseline of the adapter figure: a plain `futures::channel::mpsc`
/// unbounded receiver (no budget accounting), item sent back each time.
#[cfg(feature = "futures")]
pub(crate) fn futures_channel_plain(iters: u64) -> Duration {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    drain_channel(rx, tx, iters)
}

/// The same through this project's adapter
/// (`coop_adapters::channel::unbounded`): one unit of the budget per item.
#[cfg(feature = "futures")]
pub(crate) fn futures_channel_adapter(iters: u64) -> Duration {
    let (tx, rx) = coop_compat::coop_adapters::channel::unbounded();
    drain_channel(rx, tx, iters)
}
