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

/// The handle of the tokio runtime of task number `task`, one runtime per
/// task, built on first use and kept: current-thread, IO and timers enabled,
/// never driven (fine for a task that spawns nothing and sets no timer).
#[cfg(feature = "tokio")]
fn runtime_of_task(task: usize) -> tokio::runtime::Handle {
    static RUNTIMES: std::sync::Mutex<Vec<&'static tokio::runtime::Runtime>> =
        std::sync::Mutex::new(Vec::new());
    let mut runtimes = RUNTIMES.lock().unwrap_or_else(|e| e.into_inner());
    while runtimes.len() <= task {
        runtimes.push(Box::leak(Box::new(
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("build a tokio runtime"),
        )));
    }
    runtimes[task].handle().clone()
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
        PollTask::CoopCompatOwnRuntime(task) => Box::pin(coop_compat::CoopCompat::with_handle(
            self_waking(polls, true),
            runtime_of_task(task),
        )),
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

/// The CPU time the calling thread has used, where the OS tells (Linux):
/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`, exact to the nanosecond.
/// (`/proc/thread-self/schedstat`, read before, is only brought up to date
/// at scheduler ticks, which left runs of 20 ms with several milliseconds
/// unaccounted.)
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub fn thread_cpu_time() -> Option<Duration> {
    /// `struct timespec` on 64-bit Linux.
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, now: *mut Timespec) -> i32;
    }
    /// `CLOCK_THREAD_CPUTIME_ID` in Linux's `<time.h>`.
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` (in the C library std links) writes one
    // `timespec`, which `now` is, and reads nothing else.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (status == 0).then(|| {
        Duration::from_secs(now.tv_sec.try_into().unwrap_or(0))
            + Duration::from_nanos(now.tv_nsec.try_into().unwrap_or(0))
    })
}

/// The CPU time the calling thread has used: not told on this OS.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
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

/// (g) `iters` polls in all, of `tasks` tasks of kind `kind` (1 or more), on
/// an `async_executor::Executor` run by `threads` threads (1 or more). For
/// `CoopCompatOwnRuntime`, task `i` gets runtime `i`.
pub fn async_executor(kind: PollTask, threads: usize, tasks: usize, iters: u64) -> ExecutorRun {
    let count = tasks.max(1);
    let threads = threads.max(1);
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
        let tasks: Vec<_> = (0..count)
            .map(|i| {
                let kind = match kind {
                    #[cfg(feature = "tokio")]
                    PollTask::CoopCompatOwnRuntime(_) => PollTask::CoopCompatOwnRuntime(i),
                    other => other,
                };
                let polls = iters / count as u64 + (iters % count as u64) * (i == 0) as u64;
                ex.spawn(poll_task(kind, polls))
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
