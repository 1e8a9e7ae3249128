//! The same primitive before and after the port from tokio's thread-local
//! budget to the Context budget.
//!
//! Run with `cargo run --example port_from_tokio_coop`. The primitive is an
//! unbounded channel. `before::Receiver` uses `tokio::task::coop::poll_proceed`,
//! so it is budgeted on tokio only; `after::Receiver` uses `poll_cooperate`,
//! so it is budgeted wherever a budget is installed, and still on tokio. The
//! other executor here installs only a Context budget, as most executors
//! would (`Budgeted::context_only`). The port is the three lines marked
//! `PORT` (see MIGRATION.md, step (a)).

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::{Arc, Mutex};
use std::task::Waker;

/// State shared by both versions: a queue and the receiver's waker.
#[derive(Default)]
struct Shared<T> {
    queue: VecDeque<T>,
    receiver: Option<Waker>,
    senders_gone: bool,
}

/// The sending half, the same in both versions.
struct Sender<T>(Arc<Mutex<Shared<T>>>);

impl<T> Sender<T> {
    fn send(&self, value: T) {
        let mut shared = self.0.lock().unwrap();
        shared.queue.push_back(value);
        if let Some(waker) = shared.receiver.take() {
            waker.wake();
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut shared = self.0.lock().unwrap();
        shared.senders_gone = true;
        if let Some(waker) = shared.receiver.take() {
            waker.wake();
        }
    }
}

mod before {
    use super::*;
    use std::task::{ready, Context, Poll};

    pub(crate) struct Receiver<T>(pub(crate) Arc<Mutex<Shared<T>>>);

    impl<T> Receiver<T> {
        pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
            let coop = ready!(tokio::task::coop::poll_proceed(cx)); // PORT
            let mut shared = self.0.lock().unwrap();
            if let Some(value) = shared.queue.pop_front() {
                coop.made_progress();
                return Poll::Ready(Some(value));
            }
            if shared.senders_gone {
                coop.made_progress(); // the end of the stream is progress too
                return Poll::Ready(None);
            }
            shared.receiver = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

mod after {
    use super::*;
    use coop_compat::ContextExt; // PORT: std's Context, if it adopts the proposal
    use std::task::{ready, Context, Poll};

    pub(crate) struct Receiver<T>(pub(crate) Arc<Mutex<Shared<T>>>);

    impl<T> Receiver<T> {
        pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
            let mut coop = ready!(cx.poll_cooperate()); // PORT
            let mut shared = self.0.lock().unwrap();
            if let Some(value) = shared.queue.pop_front() {
                coop.made_progress();
                return Poll::Ready(Some(value));
            }
            if shared.senders_gone {
                coop.made_progress();
                return Poll::Ready(None);
            }
            shared.receiver = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

fn filled(items: u32) -> Arc<Mutex<Shared<u32>>> {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let sender = Sender(shared.clone());
    for i in 0..items {
        sender.send(i);
    }
    shared
}

/// Drains the channel with `recv` and returns the number of task polls.
async fn polls_to_drain(
    mut recv: impl FnMut(&mut std::task::Context<'_>) -> std::task::Poll<Option<u32>>,
) -> u32 {
    let mut polls = 0;
    poll_fn(|cx| {
        polls += 1;
        while std::task::ready!(recv(cx)).is_some() {}
        std::task::Poll::Ready(())
    })
    .await;
    polls
}

fn on_tokio<F: Future<Output = u32> + Send + 'static>(future: F) -> u32 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(rt.spawn(future)).unwrap()
}

/// async-executor, with a Context budget of 128 per poll and nothing of tokio's.
fn on_async_executor<F: Future<Output = u32> + Send + 'static>(future: F) -> u32 {
    let ex = async_executor::Executor::new();
    let task = coop_compat::Budgeted::context_only(future, 128);
    futures::executor::block_on(ex.run(ex.spawn(task)))
}

fn main() {
    let report = |label: &str, polls: u32| {
        let s = if polls == 1 { "" } else { "s" };
        println!("  {label:<43} {polls} poll{s}");
    };
    println!("Draining 1000 ready messages (8 polls = a yield every 128):");
    let mut rx = before::Receiver(filled(1000));
    let polls = on_tokio(async move { polls_to_drain(|cx| rx.poll_recv(cx)).await });
    report("before, on tokio:", polls);
    let mut rx = before::Receiver(filled(1000));
    let polls = on_async_executor(async move { polls_to_drain(|cx| rx.poll_recv(cx)).await });
    report("before, on async-executor (Context budget):", polls);
    println!("  (tokio's budget is not there: the receiver never yields)");
    let mut rx = after::Receiver(filled(1000));
    let polls = on_tokio(async move { polls_to_drain(|cx| rx.poll_recv(cx)).await });
    report("after,  on tokio:", polls);
    let mut rx = after::Receiver(filled(1000));
    let polls = on_async_executor(async move { polls_to_drain(|cx| rx.poll_recv(cx)).await });
    report("after,  on async-executor (Context budget):", polls);
}
