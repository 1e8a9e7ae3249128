//! The cooperative futures-rs channels (`coop_compat::channel`): one unit per
//! message received or sent and per oneshot completion, nothing for a
//! `Pending` (on every executor), and a forced yield after 128 that wakes the
//! task at once (on tokio-test's mock task).
#![cfg(feature = "futures")]

mod support;

use std::future::Future;

use coop_compat::{budgeted, channel, Budgeted};
use futures::channel::oneshot::Canceled;
use futures::{SinkExt, StreamExt};
use support::{
    assert_yields, one_turn_per_128, poll_once, turns_seen_by, units_left, yield_now, Counter,
    Executor, PollLog,
};

support::tests_on!(
    [every executor]
    units_per_operation,
    no_progress_takes_nothing,
);

/// Exactly one unit per message received or sent, per oneshot result, and
/// for the end of a closed channel; unbounded and oneshot sends are free.
fn units_per_operation() -> impl Future<Output = ()> + Send {
    Budgeted::context_only(
        async {
            assert_eq!(units_left().await, Some(128));

            let (mut tx, mut rx) = channel::channel::<u32>(8);
            tx.send(1).await.unwrap();
            assert_eq!(units_left().await, Some(127), "bounded send");
            assert_eq!(rx.next().await, Some(1));
            assert_eq!(units_left().await, Some(126), "receive");
            drop(tx);
            assert_eq!(rx.next().await, None);
            assert_eq!(units_left().await, Some(125), "end of a closed channel");

            let (tx, mut rx) = channel::unbounded::<u32>();
            tx.unbounded_send(2).unwrap();
            assert_eq!(units_left().await, Some(125), "unbounded send is free");
            assert_eq!(rx.next().await, Some(2));
            assert_eq!(units_left().await, Some(124), "unbounded receive");

            let (tx, rx) = channel::oneshot::<u32>();
            tx.send(3).unwrap();
            assert_eq!(units_left().await, Some(124), "oneshot send is free");
            assert_eq!(rx.await, Ok(3));
            assert_eq!(units_left().await, Some(123), "oneshot value");

            let (tx, rx) = channel::oneshot::<u32>();
            drop(tx);
            assert_eq!(rx.await, Err(Canceled));
            assert_eq!(units_left().await, Some(122), "oneshot canceled");
        },
        128,
    )
}

/// An empty receiver, a full sender and an unsent oneshot return `Pending`
/// and take nothing.
fn no_progress_takes_nothing() -> impl Future<Output = ()> + Send {
    Budgeted::context_only(
        async {
            // Room for 0 + 1 message per sender: the second send waits.
            let (mut tx, mut rx) = channel::channel::<u32>(0);
            assert!(poll_once(rx.next()).await.is_pending());
            assert_eq!(units_left().await, Some(128), "empty receive");

            // `feed`, not `send`: a full futures-rs channel's flush waits for
            // the receiver.
            tx.feed(1).await.unwrap();
            assert_eq!(units_left().await, Some(127));
            assert!(poll_once(tx.feed(2)).await.is_pending());
            assert_eq!(units_left().await, Some(127), "send into a full channel");

            let (_tx, mut rx) = channel::unbounded::<u32>();
            assert!(poll_once(rx.next()).await.is_pending());
            assert_eq!(units_left().await, Some(127), "empty unbounded receive");

            let (_tx, mut rx) = channel::oneshot::<u32>();
            assert!(poll_once(&mut rx).await.is_pending());
            assert_eq!(units_left().await, Some(127), "unsent oneshot");
        },
        128,
    )
}

// The forced yields, on tokio-test's mock task (see `support::assert_yields`).

/// 300 ready messages: 128 per poll, then the rest and the final `None`.
#[test]
fn receiver_yields_at_budget() {
    let (mut tx, mut rx) = channel::channel::<u32>(300);
    for n in 0..300 {
        tx.get_mut().try_send(n).unwrap();
    }
    drop(tx);
    let received = Counter::default();
    let counter = received.clone();
    let task = async move {
        let mut next = 0;
        while let Some(n) = rx.next().await {
            assert_eq!(n, next, "nothing lost or reordered by the yields");
            next += 1;
            counter.tick();
        }
        next
    };
    assert_eq!(assert_yields(task, 128, &received, &[128, 128, 44]), 300);
}

#[test]
fn unbounded_receiver_yields_at_budget() {
    let (tx, mut rx) = channel::unbounded::<u32>();
    for n in 0..300 {
        tx.unbounded_send(n).unwrap();
    }
    let received = Counter::default();
    let counter = received.clone();
    let task = async move {
        while counter.get() < 300 {
            rx.next().await.unwrap();
            counter.tick();
        }
        assert!(poll_once(rx.next()).await.is_pending(), "sender still open");
    };
    assert_yields(task, 128, &received, &[128, 128, 44]);
    drop(tx);
}

/// 300 sends into a channel with room: 128 per poll.
#[test]
fn sender_yields_at_budget() {
    let (mut tx, mut rx) = channel::channel::<u32>(300);
    let sent = Counter::default();
    let counter = sent.clone();
    let task = async move {
        for n in 0..300 {
            tx.send(n).await.unwrap();
            counter.tick();
        }
    };
    assert_yields(task, 128, &sent, &[128, 128, 44]);
    let mut received = 0;
    while rx.get_mut().try_recv().is_ok() {
        received += 1;
    }
    assert_eq!(received, 300);
}

/// 200 completed oneshots awaited in turn: 128 per poll.
#[test]
fn oneshot_yields_at_budget() {
    let receivers: Vec<_> = (0..200)
        .map(|n| {
            let (tx, rx) = channel::oneshot::<u32>();
            tx.send(n).unwrap();
            rx
        })
        .collect();
    let received = Counter::default();
    let counter = received.clone();
    let task = async move {
        for (n, rx) in (0..).zip(receivers) {
            assert_eq!(rx.await, Ok(n));
            counter.tick();
        }
    };
    assert_yields(task, 128, &received, &[128, 72]);
}

/// With no `Budget` installed, a tokio task's own budget of 128 answers
/// (through task-coop's tokio fallback): receives and sends per poll.
#[test]
fn tokio_budget_without_wrapper() {
    Executor::TokioCurrentThread.run(async {
        let (mut tx, mut rx) = channel::channel::<u32>(300);
        for n in 0..300 {
            tx.get_mut().try_send(n).unwrap();
        }
        drop(tx);
        let received = PollLog::default();
        let counter = received.clone();
        received
            .meter(async move {
                assert_eq!(
                    units_left().await,
                    None,
                    "tokio's budget is not counted here"
                );
                while rx.next().await.is_some() {
                    counter.work();
                }
            })
            .await;
        assert_eq!(received.per_poll(), [128, 128, 44]);

        // The budget is per task poll: start the next part with a fresh one.
        yield_now().await;
        let (mut tx, mut rx) = channel::channel::<u32>(300);
        let sent = PollLog::default();
        let counter = sent.clone();
        sent.meter(async move {
            for n in 0..300 {
                tx.send(n).await.unwrap();
                counter.work();
            }
        })
        .await;
        assert_eq!(sent.per_poll(), [128, 128, 44]);
        assert_eq!(rx.get_mut().try_recv().ok(), Some(0));
    });
}

/// While a budgeted task drains a full channel on async-executor, another
/// task gets a turn after each 128 messages.
#[test]
fn yield_lets_another_task_run_on_async_executor() {
    use std::sync::atomic::Ordering;

    let (tx, mut rx) = channel::unbounded::<u32>();
    for n in 0..300 {
        tx.unbounded_send(n).unwrap();
    }
    drop(tx);
    let seen = turns_seen_by(Executor::AsyncExecutorOneThread, |turns| {
        budgeted(async move {
            // For each message, how many turns the other task had had.
            let mut seen = Vec::new();
            while rx.next().await.is_some() {
                seen.push(turns.load(Ordering::Relaxed));
            }
            seen
        })
    });
    assert_eq!(seen, one_turn_per_128(300));
}
