//! Every tokio sync type that draws from tokio's budget forces a yield after
//! 128 operations inside `CoopCompat` on a foreign executor; `Notify` and the
//! `try_*` methods draw nothing, so 200 of them run in one poll.
#![cfg(feature = "tokio")]

mod support;

use std::future::Future;
use std::sync::Arc;

use coop_compat::CoopCompat;
use support::{Executor, PollLog};
use tokio::sync::{broadcast, mpsc, oneshot, watch, Mutex, Notify, OnceCell, RwLock, Semaphore};

const OPS: u32 = 200;

/// Runs `body` inside `CoopCompat` on `exec` and returns the work per poll.
fn work_per_poll<F>(exec: Executor, body: impl FnOnce(PollLog) -> F) -> Vec<u32>
where
    F: Future<Output = ()> + Send + 'static,
{
    let log = PollLog::default();
    exec.run(log.meter(CoopCompat::wrap(body(log.clone()))));
    log.per_poll()
}

fn assert_budgeted(name: &str, per_poll: Vec<u32>) {
    assert_eq!(
        per_poll,
        vec![128, OPS - 128],
        "{name} should draw one unit per operation"
    );
}

fn assert_free(name: &str, per_poll: Vec<u32>) {
    assert_eq!(per_poll, vec![OPS], "{name} should draw no budget");
}

#[test]
fn budgeted_tokio_types_yield_inside_coop_compat() {
    for exec in [Executor::LocalPool, Executor::AsyncExecutorTwoThreads] {
        assert_budgeted(
            "mpsc recv",
            work_per_poll(exec, |log| async move {
                let (tx, mut rx) = mpsc::unbounded_channel();
                for i in 0..OPS {
                    tx.send(i).unwrap();
                }
                for _ in 0..OPS {
                    rx.recv().await.unwrap();
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "mpsc recv_many",
            work_per_poll(exec, |log| async move {
                let (tx, mut rx) = mpsc::unbounded_channel();
                for i in 0..OPS {
                    tx.send(i).unwrap();
                }
                let mut buf = Vec::new();
                for _ in 0..OPS {
                    assert_eq!(rx.recv_many(&mut buf, 1).await, 1);
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "bounded mpsc send",
            work_per_poll(exec, |log| async move {
                let (tx, _rx) = mpsc::channel(OPS as usize);
                for i in 0..OPS {
                    tx.send(i).await.unwrap();
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "bounded mpsc reserve",
            work_per_poll(exec, |log| async move {
                let (tx, _rx) = mpsc::channel(OPS as usize);
                for i in 0..OPS {
                    tx.reserve().await.unwrap().send(i);
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "oneshot recv",
            work_per_poll(exec, |log| async move {
                for i in 0..OPS {
                    let (tx, rx) = oneshot::channel();
                    tx.send(i).unwrap();
                    rx.await.unwrap();
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "broadcast recv",
            work_per_poll(exec, |log| async move {
                let (tx, mut rx) = broadcast::channel(OPS as usize);
                for i in 0..OPS {
                    tx.send(i).unwrap();
                }
                for _ in 0..OPS {
                    rx.recv().await.unwrap();
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "watch changed",
            work_per_poll(exec, |log| async move {
                let (tx, mut rx) = watch::channel(0);
                for i in 0..OPS {
                    tx.send(i).unwrap();
                    rx.changed().await.unwrap();
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "Semaphore acquire",
            work_per_poll(exec, |log| async move {
                let semaphore = Semaphore::new(1);
                for _ in 0..OPS {
                    drop(semaphore.acquire().await.unwrap());
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "Mutex lock",
            work_per_poll(exec, |log| async move {
                let mutex = Mutex::new(0);
                for _ in 0..OPS {
                    *mutex.lock().await += 1;
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "RwLock read",
            work_per_poll(exec, |log| async move {
                let lock = RwLock::new(0);
                for _ in 0..OPS {
                    drop(lock.read().await);
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "RwLock write",
            work_per_poll(exec, |log| async move {
                let lock = RwLock::new(0);
                for _ in 0..OPS {
                    *lock.write().await += 1;
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "OnceCell get_or_init",
            work_per_poll(exec, |log| async move {
                for i in 0..OPS {
                    let cell = OnceCell::new();
                    assert_eq!(*cell.get_or_init(|| async move { i }).await, i);
                    log.work();
                }
            }),
        );
        assert_budgeted(
            "JoinHandle",
            work_per_poll(exec, |log| async move {
                let handles: Vec<_> = (0..OPS).map(|i| tokio::spawn(async move { i })).collect();
                while !handles.iter().all(|h| h.is_finished()) {
                    std::thread::yield_now();
                }
                for handle in handles {
                    handle.await.unwrap();
                    log.work();
                }
            }),
        );
    }
}

#[test]
fn notify_and_try_methods_draw_nothing() {
    for exec in [Executor::LocalPool, Executor::AsyncExecutorTwoThreads] {
        assert_free(
            "Notify",
            work_per_poll(exec, |log| async move {
                let notify = Arc::new(Notify::new());
                for _ in 0..OPS {
                    notify.notify_one();
                    notify.notified().await;
                    log.work();
                }
            }),
        );
        assert_free(
            "mpsc try_recv",
            work_per_poll(exec, |log| async move {
                let (tx, mut rx) = mpsc::unbounded_channel();
                for i in 0..OPS {
                    tx.send(i).unwrap();
                }
                for _ in 0..OPS {
                    rx.try_recv().unwrap();
                    // An await point that draws nothing, so a yield could happen.
                    std::future::ready(()).await;
                    log.work();
                }
            }),
        );
        assert_free(
            "Semaphore try_acquire",
            work_per_poll(exec, |log| async move {
                let semaphore = Semaphore::new(1);
                for _ in 0..OPS {
                    drop(semaphore.try_acquire().unwrap());
                    log.work();
                }
            }),
        );
        assert_free(
            "Mutex try_lock",
            work_per_poll(exec, |log| async move {
                let mutex = Mutex::new(0);
                for _ in 0..OPS {
                    *mutex.try_lock().unwrap() += 1;
                    log.work();
                }
            }),
        );
    }
}
