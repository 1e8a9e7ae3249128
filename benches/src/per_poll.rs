//! Per-poll figures: whole executor cycles of a self-waking task, unwrapped
//! and wrapped, on `futures::executor::LocalPool` and `async-executor`.

use std::future::Future;
use std::task::Poll;
use std::time::{Duration, Instant};

use coop_compat::ContextExt;

/// What the self-waking task of the per-poll figures is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollTask {
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
pub fn poll_task(kind: PollTask, polls: u64) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
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
pub fn local_pool(kind: PollTask, iters: u64) -> Duration {
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
pub fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let on_cpu = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(on_cpu))
}

/// What an `async-executor` run measured.
#[derive(Debug, Clone, Copy)]
pub struct ExecutorRun {
    /// Wall-clock time of the run times the number of threads: the
    /// thread-time the polls took, if every thread had a core of its own.
    pub thread_time: Duration,
    /// CPU time all the executor's threads used, where the OS tells.
    pub cpu_time: Option<Duration>,
}

/// (g) `iters` polls in all, of two tasks of kind `kind`, on an
/// `async_executor::Executor` run by `threads` threads (1 or more).
pub fn async_executor(kind: PollTask, threads: usize, iters: u64) -> ExecutorRun {
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
