//! One way to run a task on each executor the tests use.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread;

use futures::FutureExt;

use super::yield_now;

/// An executor to run a task on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Executor {
    /// A tokio current_thread runtime: the task is `tokio::spawn`ed.
    TokioCurrentThread,
    /// A tokio multi_thread runtime of 2 workers: the task is spawned.
    TokioMultiThread,
    /// `futures::executor::block_on`: the task is its root future.
    BlockOn,
    /// `futures::executor::LocalPool`, driven by this thread.
    LocalPool,
    /// `futures::executor::ThreadPool` of 2 threads.
    ThreadPool,
    /// `async_executor::Executor`, driven by this thread.
    AsyncExecutorOneThread,
    /// `async_executor::Executor`, driven by two threads of its own.
    AsyncExecutorTwoThreads,
}

impl Executor {
    /// Both tokio runtimes: tokio's budget applies to their tasks.
    pub(crate) const TOKIO: [Executor; 2] =
        [Executor::TokioCurrentThread, Executor::TokioMultiThread];

    /// Every executor with no budget of its own.
    pub(crate) const FOREIGN: [Executor; 5] = [
        Executor::BlockOn,
        Executor::LocalPool,
        Executor::ThreadPool,
        Executor::AsyncExecutorOneThread,
        Executor::AsyncExecutorTwoThreads,
    ];

    /// Runs `task` to completion on this executor, from this thread, and
    /// returns its output (a panic in the task is resumed here).
    pub(crate) fn run<T: Send + 'static>(
        self,
        task: impl Future<Output = T> + Send + 'static,
    ) -> T {
        match self {
            Executor::TokioCurrentThread | Executor::TokioMultiThread => {
                let rt = self.tokio_runtime();
                match rt.block_on(rt.spawn(task)) {
                    Ok(out) => out,
                    Err(error) => std::panic::resume_unwind(error.into_panic()),
                }
            }
            Executor::BlockOn => futures::executor::block_on(task),
            Executor::LocalPool => {
                use futures::task::LocalSpawnExt;
                let mut pool = futures::executor::LocalPool::new();
                let handle = pool.spawner().spawn_local_with_handle(task).unwrap();
                pool.run_until(handle)
            }
            Executor::ThreadPool => {
                use futures::task::SpawnExt;
                let pool = futures::executor::ThreadPool::builder()
                    .pool_size(2)
                    .create()
                    .unwrap();
                futures::executor::block_on(pool.spawn_with_handle(task).unwrap())
            }
            Executor::AsyncExecutorOneThread => {
                let executor = async_executor::Executor::new();
                let task = executor.spawn(task);
                futures::executor::block_on(executor.run(task))
            }
            Executor::AsyncExecutorTwoThreads => {
                let executor = Arc::new(async_executor::Executor::new());
                let (stop, stopped) = futures::channel::oneshot::channel::<()>();
                let stopped = stopped.shared();
                let workers: Vec<_> = (0..2)
                    .map(|_| {
                        let executor = executor.clone();
                        let stopped = stopped.clone();
                        thread::spawn(move || {
                            futures::executor::block_on(executor.run(stopped)).ok();
                        })
                    })
                    .collect();
                let out = futures::executor::block_on(executor.spawn(task));
                drop(stop);
                for worker in workers {
                    worker.join().unwrap();
                }
                out
            }
        }
    }

    /// A runtime of this tokio flavour, with IO and time enabled.
    ///
    /// # Panics
    ///
    /// For the executors that are not tokio's.
    pub(crate) fn tokio_runtime(self) -> tokio::runtime::Runtime {
        let mut builder = match self {
            Executor::TokioCurrentThread => tokio::runtime::Builder::new_current_thread(),
            Executor::TokioMultiThread => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
            other => panic!("{other:?} is not a tokio runtime"),
        };
        builder.enable_all().build().unwrap()
    }
}

/// Runs `busy` (budgeted by the caller) beside a task that counts its turns
/// and yields after each, on a single-threaded executor (`AsyncExecutorOneThread` or
/// `LocalPool`). `busy` gets the counter and returns, for each unit of work
/// it did, how many turns the other task had had by then.
pub(crate) fn turns_seen_by<F>(on: Executor, busy: impl FnOnce(Arc<AtomicU32>) -> F) -> Vec<u32>
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
        Executor::AsyncExecutorOneThread => {
            let executor = async_executor::LocalExecutor::new();
            let busy = executor.spawn(busy);
            let other = executor.spawn(other);
            while !busy.is_finished() {
                assert!(executor.try_tick());
            }
            drop(other);
            futures::executor::block_on(busy)
        }
        Executor::LocalPool => {
            use futures::task::LocalSpawnExt;
            let mut pool = futures::executor::LocalPool::new();
            let busy = pool.spawner().spawn_local_with_handle(busy).unwrap();
            pool.spawner().spawn_local(other).unwrap();
            pool.run_until(busy)
        }
        other => panic!("turns_seen_by runs on a single-threaded executor, not {other:?}"),
    }
}

/// What [`turns_seen_by`] returns for `items` units of work under a budget
/// of 128 per poll: the other task gets one turn after each 128.
pub(crate) fn one_turn_per_128(items: u32) -> Vec<u32> {
    (0..items).map(|item| item / 128).collect()
}
