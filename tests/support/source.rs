//! One always-ready source, written only against the Context budget API.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use coop_compat::ContextExt;
use futures::stream::{FusedStream, Stream};

use super::Counter;
#[cfg(feature = "tokio")]
use super::PollLog;

/// An always-ready queue of messages: the kind of source that would let a
/// task run forever without a budget, and a primitive that knows nothing of
/// tokio. `poll_recv` asks the budget for a unit per receive and spends it
/// (`made_progress`) for each message; the final `None` is not progress, so
/// its unit goes back.
#[derive(Debug)]
pub(crate) struct ReadySource {
    left: u32,
    received: Option<Counter>,
    terminated: bool,
}

impl ReadySource {
    /// A source of `items` messages.
    pub(crate) fn new(items: u32) -> Self {
        Self {
            left: items,
            received: None,
            terminated: false,
        }
    }

    /// A source of `items` messages that ticks `received` for each one.
    pub(crate) fn counted(items: u32, received: &Counter) -> Self {
        Self {
            received: Some(received.clone()),
            ..Self::new(items)
        }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        if self.left == 0 {
            self.terminated = true;
            return Poll::Ready(None);
        }
        self.left -= 1;
        if let Some(received) = &self.received {
            received.tick();
        }
        coop.made_progress();
        Poll::Ready(Some(self.left))
    }

    pub(crate) fn recv(&mut self) -> impl Future<Output = Option<u32>> + Send + '_ {
        poll_fn(move |cx| self.poll_recv(cx))
    }
}

impl Stream for ReadySource {
    type Item = u32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        self.get_mut().poll_recv(cx)
    }
}

impl FusedStream for ReadySource {
    fn is_terminated(&self) -> bool {
        self.terminated
    }
}

/// Receives everything from `source` through two async fn layers and
/// returns how many messages came.
pub(crate) async fn drain(mut source: ReadySource) -> u32 {
    async fn receive_one(source: &mut ReadySource) -> Option<u32> {
        source.recv().await
    }
    let mut received = 0;
    while receive_one(&mut source).await.is_some() {
        received += 1;
    }
    received
}

/// `total` messages split over `parts` sources as evenly as possible, all
/// ticking `received`.
pub(crate) fn split(total: u32, parts: u32, received: &Counter) -> Vec<ReadySource> {
    (0..parts)
        .map(|i| ReadySource::counted(total / parts + u32::from(i < total % parts), received))
        .collect()
}

/// Receives `total` messages, `k` from a tokio mpsc channel then `m` from a
/// Context-based [`ReadySource`], round after round (`k + m` must not be 0),
/// ticking `log`'s work for each; returns how many came. Both are always
/// ready: only a budget makes the task yield.
#[cfg(feature = "tokio")]
pub(crate) async fn interleave(total: u32, k: u32, m: u32, log: PollLog) -> u32 {
    assert!(k + m > 0, "interleave needs k + m > 0 to make progress");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..total {
        tx.send(i).unwrap();
    }
    let mut source = ReadySource::new(total);
    let mut done = 0;
    while done < total {
        for _ in 0..k.min(total - done) {
            rx.recv().await.expect("a message from tokio's channel");
            log.work();
            done += 1;
        }
        for _ in 0..m.min(total - done) {
            source
                .recv()
                .await
                .expect("a message from the Context-based source");
            log.work();
            done += 1;
        }
    }
    done
}

/// Work per poll of `total` messages when every poll but the last is cut at
/// `units`.
pub(crate) fn cut_every(total: u32, units: u32) -> Vec<u32> {
    let mut polls = vec![units; (total / units) as usize];
    if total % units != 0 {
        polls.push(total % units);
    }
    polls
}
