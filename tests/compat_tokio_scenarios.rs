//! tokio's own coop scenarios, inside `CoopCompat` on `async-executor` and on
//! `futures::executor::LocalPool`.
#![cfg(feature = "tokio")]

mod support;

use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

use coop_compat::CoopCompat;
use support::Executor;
use tokio::sync::{broadcast, mpsc, watch, Semaphore};

const EXECUTORS: [Executor; 3] = [
    Executor::LocalPool,
    Executor::AsyncExecutorOneThread,
    Executor::AsyncExecutorTwoThreads,
];

#[test]
fn a_thousand_ready_messages_meet_pending() {
    for exec in EXECUTORS {
        let pendings = exec.run(CoopCompat::wrap(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            for i in 0..1000 {
                tx.send(i).unwrap();
            }
            let (mut received, mut pendings) = (0, 0);
            // Poll by hand, as tokio's test does. A Pending from `poll_recv`
            // means the budget is spent and the task was woken: yield.
            poll_fn(|cx| loop {
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(_)) => {
                        received += 1;
                        if received == 1000 {
                            return Poll::Ready(());
                        }
                    }
                    Poll::Ready(None) => unreachable!("the sender is alive"),
                    Poll::Pending => {
                        pendings += 1;
                        return Poll::Pending;
                    }
                }
            })
            .await;
            pendings
        }));
        // 1000 = 7 * 128 + 104: seven forced yields.
        assert_eq!(pendings, 7, "{exec:?}");
    }
}

#[test]
fn biased_select_over_ready_watch_with_yield_now_terminates() {
    for exec in EXECUTORS {
        exec.run(CoopCompat::wrap(async {
            let (tx, mut rx) = watch::channel(());
            tokio::select! {
                biased;
                _ = async {
                    loop {
                        tx.send(()).unwrap();
                        rx.changed().await.unwrap();
                    }
                } => {},
                _ = tokio::task::yield_now() => {},
            }
        }));
    }
}

#[test]
fn biased_select_over_ready_broadcast_with_yield_now_terminates() {
    for exec in EXECUTORS {
        exec.run(CoopCompat::wrap(async {
            let (tx, mut rx) = broadcast::channel(8);
            tokio::select! {
                biased;
                _ = async {
                    loop {
                        tx.send(()).unwrap();
                        rx.recv().await.unwrap();
                    }
                } => {},
                _ = tokio::task::yield_now() => {},
            }
        }));
    }
}

#[test]
fn join_does_not_let_a_semaphore_hog_starve_a_small_task() {
    for exec in EXECUTORS {
        let (hog, little) = exec.run(CoopCompat::wrap(async {
            let permits = Arc::new(Semaphore::new(1));
            let order = Arc::new(std::sync::Mutex::new(Vec::new()));
            let hog = {
                let permits = permits.clone();
                let order = order.clone();
                async move {
                    for round in 0..5 {
                        for _ in 0..128 {
                            let _permit = permits.clone().acquire_owned().await.unwrap();
                        }
                        order.lock().unwrap().push(("hog", round));
                    }
                    5
                }
            };
            let little = {
                let order = order.clone();
                async move {
                    for round in 0..5 {
                        let _permit = permits.clone().acquire_owned().await.unwrap();
                        order.lock().unwrap().push(("little", round));
                    }
                    5
                }
            };
            let out = tokio::join!(hog, little);
            let order = order.lock().unwrap().clone();
            // The little task finishes before the hog's last round.
            let little_done = order.iter().position(|e| *e == ("little", 4)).unwrap();
            let hog_done = order.iter().position(|e| *e == ("hog", 4)).unwrap();
            assert!(little_done < hog_done, "{order:?}");
            out
        }));
        assert_eq!((hog, little), (5, 5), "{exec:?}");
    }
}
