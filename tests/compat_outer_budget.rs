//! A foreign executor that installs its own `task_coop::Budget` of B units:
//! inside `CoopCompat`, tokio's types and Context-based primitives together
//! yield after exactly B units, and afterwards the executor's budget shows
//! exactly the units the wrapped poll spent.
#![cfg(feature = "tokio")]

mod compat_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use compat_support::{CoopSource, Exec, Log};
use coop_compat::{Budget, CoopCompat};

/// An executor-side wrapper: a fresh installation of `budget` per task poll,
/// recording what it has left after each poll.
struct Budgeted<F> {
    budget: Budget,
    future: Pin<Box<F>>,
    left_after_poll: Arc<Mutex<Vec<u32>>>,
}

impl<F: Future> Future for Budgeted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let poll = this.budget.poll(this.future.as_mut(), cx);
        this.left_after_poll
            .lock()
            .unwrap()
            .push(u32::from(this.budget.remaining()));
        poll
    }
}

const TOTAL: u32 = 300;

async fn interleave(k: u32, m: u32, log: Log) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..TOTAL {
        tx.send(i).unwrap();
    }
    let mut source = CoopSource::new(TOTAL);
    let mut done = 0;
    while done < TOTAL {
        for _ in 0..k.min(TOTAL - done) {
            rx.recv().await.unwrap();
            log.work();
            done += 1;
        }
        for _ in 0..m.min(TOTAL - done) {
            source.recv().await.unwrap();
            log.work();
            done += 1;
        }
    }
}

#[test]
fn wrapped_poll_gets_the_executors_remaining_units_and_is_charged_for_them() {
    for exec in [Exec::LocalPool, Exec::AsyncExecutorLocal, Exec::ThreadPool] {
        for units in [16u8, 100, 128] {
            for (k, m) in [(1, 1), (3, 1), (1, 3)] {
                let log = Log::default();
                let left = Arc::new(Mutex::new(Vec::new()));
                let task = Budgeted {
                    budget: Budget::with_units(units),
                    future: Box::pin(CoopCompat::wrap(interleave(k, m, log.clone()))),
                    left_after_poll: left.clone(),
                };
                exec.run(log.task(task));

                let b = u32::from(units);
                let mut expected = vec![b; (TOTAL / b) as usize];
                if TOTAL % b != 0 {
                    expected.push(TOTAL % b);
                }
                let what = format!("{exec:?}, budget {units}, {k}:{m}");
                assert_eq!(log.per_poll(), expected, "work per poll, {what}");
                let expected_left: Vec<u32> = expected.iter().map(|spent| b - spent).collect();
                assert_eq!(
                    *left.lock().unwrap(),
                    expected_left,
                    "budget left after each poll, {what}"
                );
            }
        }
    }
}

#[test]
fn work_outside_the_wrapper_in_the_same_poll_counts_too() {
    let log = Log::default();
    let left = Arc::new(Mutex::new(Vec::new()));
    let inner_log = log.clone();
    let body = async move {
        // 10 Context-based receives outside the wrapper, then tokio receives inside.
        let mut source = CoopSource::new(10);
        for _ in 0..10 {
            source.recv().await.unwrap();
            inner_log.work();
        }
        CoopCompat::wrap(async move {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            for i in 0..100 {
                tx.send(i).unwrap();
            }
            for _ in 0..100 {
                rx.recv().await.unwrap();
                inner_log.work();
            }
        })
        .await;
    };
    let task = Budgeted {
        budget: Budget::with_units(50),
        future: Box::pin(body),
        left_after_poll: left.clone(),
    };
    Exec::LocalPool.run(log.task(task));
    assert_eq!(log.per_poll(), vec![50, 50, 10]);
    assert_eq!(*left.lock().unwrap(), vec![0, 0, 40]);
}
