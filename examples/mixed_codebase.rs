//! A tokio runtime and an async-executor in one process, fed by a tokio mpsc
//! channel and a futures channel: every consumer yields every 128 messages,
//! whichever runtime it runs on and whichever channel it drains.
//!
//! Run with `cargo run --example mixed_codebase`. Each consumer finds all its
//! messages already queued, so each time it returns `Pending` is a forced
//! yield: 5000 messages = 39 x 128 + 8, so 39 forced yields.
//!
//! * tokio mpsc on tokio: tokio's own budget.
//! * futures channel on tokio: the cooperative receiver (`coop_compat::channel`)
//!   asks `poll_cooperate`, which draws from the tokio task's budget.
//! * tokio mpsc on async-executor: `CoopCompat::wrap` opens one tokio budget
//!   per poll (without it: 0 yields, tokio's budget does not exist there).
//! * futures channel on async-executor: `CoopCompat` too (or `budgeted`).

use std::future::{poll_fn, Future};
use std::sync::Arc;
use std::thread;

use coop_compat::CoopCompat;
use futures::StreamExt;

const MESSAGES: u32 = 5000;

/// Runs `consumer` to the end and returns how often it yielded.
async fn forced_yields(consumer: impl Future<Output = u32>) -> (u32, u32) {
    let mut consumer = Box::pin(consumer);
    let mut polls = 0;
    let received = poll_fn(|cx| {
        polls += 1;
        consumer.as_mut().poll(cx)
    })
    .await;
    (received, polls - 1)
}

fn tokio_feed() -> tokio::sync::mpsc::UnboundedReceiver<u32> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..MESSAGES {
        tx.send(i).unwrap();
    }
    rx
}

fn futures_feed() -> coop_compat::channel::CoopUnboundedReceiver<u32> {
    let (tx, rx) = coop_compat::channel::unbounded();
    for i in 0..MESSAGES {
        tx.unbounded_send(i).unwrap();
    }
    rx
}

async fn drain_tokio(mut rx: tokio::sync::mpsc::UnboundedReceiver<u32>) -> u32 {
    let mut n = 0;
    while rx.recv().await.is_some() {
        n += 1;
    }
    n
}

async fn drain_futures(mut rx: coop_compat::channel::CoopUnboundedReceiver<u32>) -> u32 {
    let mut n = 0;
    while rx.next().await.is_some() {
        n += 1;
    }
    n
}

fn main() {
    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let executor = Arc::new(async_executor::Executor::new());
    let (stop, stopped) = async_channel_pair();
    let worker = {
        let executor = executor.clone();
        thread::spawn(move || futures::executor::block_on(executor.run(stopped)))
    };

    let on_tokio_mpsc = tokio_rt.spawn(forced_yields(drain_tokio(tokio_feed())));
    let on_tokio_futures = tokio_rt.spawn(forced_yields(drain_futures(futures_feed())));
    let on_ex_mpsc = executor.spawn(forced_yields(CoopCompat::wrap(drain_tokio(tokio_feed()))));
    let on_ex_futures = executor.spawn(forced_yields(CoopCompat::wrap(drain_futures(
        futures_feed(),
    ))));
    let on_ex_unwrapped = executor.spawn(forced_yields(drain_tokio(tokio_feed())));

    let rows = [
        (
            "tokio mpsc",
            "tokio",
            tokio_rt.block_on(on_tokio_mpsc).unwrap(),
        ),
        (
            "futures channel (cooperative)",
            "tokio",
            tokio_rt.block_on(on_tokio_futures).unwrap(),
        ),
        (
            "tokio mpsc in CoopCompat",
            "async-executor",
            futures::executor::block_on(on_ex_mpsc),
        ),
        (
            "futures channel in CoopCompat",
            "async-executor",
            futures::executor::block_on(on_ex_futures),
        ),
        (
            "tokio mpsc, no wrapper",
            "async-executor",
            futures::executor::block_on(on_ex_unwrapped),
        ),
    ];
    println!(
        "{:<32} {:<16} {:>8} {:>14}",
        "consumer", "runtime", "messages", "forced yields"
    );
    for (consumer, runtime, (received, yields)) in rows {
        println!("{consumer:<32} {runtime:<16} {received:>8} {yields:>14}");
    }
    stop.send(()).unwrap();
    worker.join().unwrap();
}

/// A one-shot signal that ends the async-executor's worker thread.
fn async_channel_pair() -> (
    futures::channel::oneshot::Sender<()>,
    impl Future<Output = ()> + Send,
) {
    let (tx, rx) = futures::channel::oneshot::channel();
    (tx, async move {
        let _ = rx.await;
    })
}
