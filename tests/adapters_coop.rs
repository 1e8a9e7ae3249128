//! The generic wrapper `Coop` behind `.cooperative()`: one unit per future
//! completion, stream item (and end) and sink `poll_ready`, nothing for a
//! `Pending`, a forced yield after 128, on every executor.
#![cfg(feature = "futures")]

mod support;

use std::future::{pending, poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;

use coop_compat::{Budgeted, CooperativeExt};
use futures::stream::{self, StreamExt};
use futures::{sink, Sink, SinkExt};
use support::{metered, poll_once, units_left, Executor, PollLog};

support::tests_on!(
    [every executor]
    units_per_operation,
    no_progress_takes_nothing,
    future_yields_at_budget,
    stream_yields_at_budget,
    sink_yields_at_budget,
);

fn units_per_operation() -> impl Future<Output = ()> + Send {
    Budgeted::context_only(
        async {
            assert_eq!(async { 1 }.cooperative().await, 1);
            assert_eq!(units_left().await, Some(127), "future completion");

            let mut numbers = stream::iter([1, 2]).cooperative();
            assert_eq!(numbers.next().await, Some(1));
            assert_eq!(units_left().await, Some(126), "stream item");
            assert_eq!(numbers.next().await, Some(2));
            assert_eq!(numbers.next().await, None);
            assert_eq!(units_left().await, Some(124), "stream item and end");

            let mut drain = sink::drain::<u32>().cooperative();
            drain.send(1).await.unwrap();
            assert_eq!(units_left().await, Some(123), "sink item (poll_ready)");
            drain.flush().await.unwrap();
            drain.close().await.unwrap();
            assert_eq!(units_left().await, Some(123), "flush and close are free");

            // A sink whose poll_ready fails pays for the error: it is final.
            let (tx, rx) = futures::channel::mpsc::channel::<u32>(1);
            drop(rx);
            let mut closed = tx.cooperative();
            assert!(closed.send(1).await.unwrap_err().is_disconnected());
            assert_eq!(units_left().await, Some(122), "poll_ready that failed");
        },
        128,
    )
}

fn no_progress_takes_nothing() -> impl Future<Output = ()> + Send {
    Budgeted::context_only(
        async {
            let mut never = pin!(pending::<()>().cooperative());
            assert!(poll_once(never.as_mut()).await.is_pending());
            assert_eq!(units_left().await, Some(128), "pending future");

            let mut empty = stream::pending::<u32>().cooperative();
            assert!(poll_once(empty.next()).await.is_pending());
            assert_eq!(units_left().await, Some(128), "pending stream");

            // A bounded channel with no room, as a plain sink.
            let (tx, _rx) = futures::channel::mpsc::channel::<u32>(0);
            let mut full = tx.cooperative();
            full.feed(1).await.unwrap(); // `send` would wait in flush for the receiver
            assert_eq!(units_left().await, Some(127));
            for _ in 0..2 {
                let ready = poll_fn(|cx| Poll::Ready(Pin::new(&mut full).poll_ready(cx))).await;
                assert!(ready.is_pending());
            }
            assert_eq!(units_left().await, Some(127), "pending poll_ready");
        },
        128,
    )
}

/// 200 ready futures awaited in turn.
async fn future_yields_at_budget() {
    let (task, log) = metered(async {
        for n in 0..200 {
            assert_eq!(async move { n }.cooperative().await, n);
        }
    });
    task.await;
    assert_eq!(log.spent(), [128, 72]);
}

/// An always-ready stream of 300 items: its end takes a unit too.
async fn stream_yields_at_budget() {
    let (task, log) = metered(async {
        let items: Vec<u32> = stream::iter(0..300).cooperative().collect().await;
        assert_eq!(items, (0..300).collect::<Vec<_>>());
    });
    task.await;
    assert_eq!(log.spent(), [128, 128, 45]);
}

/// A sink that never pushes back: 128 items per poll.
async fn sink_yields_at_budget() {
    let (task, log) = metered(async {
        let mut drain = sink::drain::<u32>().cooperative();
        for n in 0..300 {
            drain.feed(n).await.unwrap();
        }
    });
    task.await;
    assert_eq!(log.spent(), [128, 128, 44]);
}

/// Without a `Budget`, tokio's own budget answers: 128 stream items per poll.
#[test]
fn tokio_budget_without_wrapper() {
    Executor::TokioCurrentThread.run(async {
        let progress = PollLog::default();
        let counter = progress.clone();
        progress
            .meter(async move {
                let mut ones = stream::repeat(1).take(300).cooperative();
                while ones.next().await.is_some() {
                    counter.work();
                }
            })
            .await;
        assert_eq!(progress.per_poll(), [128, 128, 44]);
    });
}

/// `task_coop::unconstrained` is the opt-out: nothing is charged inside.
#[test]
fn unconstrained_turns_it_off() {
    Executor::TokioCurrentThread.run(async {
        let (task, log) = metered(coop_compat::unconstrained(async {
            let items = stream::iter(0..1000).cooperative().count().await;
            assert_eq!(items, 1000);
        }));
        task.await;
        assert_eq!(log.spent(), [0]);
    });
}
