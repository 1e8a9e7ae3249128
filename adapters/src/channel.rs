//! Cooperative futures-rs channels (feature `futures`): the
//! [`futures_channel`] receivers and the bounded sender, taking one unit of
//! the task's budget per item received or sent, as tokio's channels do.
//!
//! futures-rs channels know nothing about budgets, so a task that drains a
//! channel which is never empty (a fast producer on another thread, a backlog
//! after a stall) never yields to the other tasks of its executor. These are
//! the same channels wrapped in [`Coop`]; make them with [`channel`],
//! [`unbounded`] and [`oneshot`] instead of the futures-rs functions, or wrap
//! existing ends with [`Coop::new`] or `.cooperative()`.
//!
//! | end | one unit per | not progress (refunded) |
//! |---|---|---|
//! | [`CoopReceiver`], [`CoopUnboundedReceiver`] (`Stream`) | message received, and the `None` of a closed channel | `Pending` (empty channel) |
//! | [`CoopOneshotReceiver`] (`Future`) | the value, or `Canceled` | `Pending` |
//! | [`CoopSender`] (`Sink`) | `poll_ready` that returns `Ready`: a slot for one message, or the error of a closed channel | `Pending` (full channel) |
//!
//! Sending on an unbounded channel or on a oneshot never waits and is not
//! budgeted (as in tokio, where only the bounded send is); those senders are
//! the plain futures-rs ones.
//!
//! What can go wrong: the methods that bypass the `Stream`/`Sink`/`Future`
//! implementations, reached through [`Coop::get_mut`] (`try_next`,
//! `try_send`, `try_recv`, `close`), are not charged, like tokio's `try_*`
//! methods. A [`CoopSender`] that calls `poll_ready` by hand several times
//! before `start_send` pays for each `Ready` (see [`crate::coop`]).

use futures_channel::{mpsc, oneshot as futures_oneshot};

use crate::Coop;

/// A bounded [`mpsc::Receiver`] that takes one unit of the task's budget per
/// message received (and for the `None` of a closed channel).
///
/// # Examples
///
/// ```
/// use futures::{SinkExt, StreamExt};
///
/// # futures::executor::block_on(async {
/// let (mut tx, mut rx) = coop_adapters::channel::channel::<u32>(8);
/// tx.send(7).await.unwrap();
/// drop(tx);
/// assert_eq!(rx.next().await, Some(7));
/// assert_eq!(rx.next().await, None);
/// # });
/// ```
pub type CoopReceiver<T> = Coop<mpsc::Receiver<T>>;

/// An [`mpsc::UnboundedReceiver`] that takes one unit of the task's budget per
/// message received (and for the `None` of a closed channel).
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = coop_adapters::channel::unbounded::<u32>();
/// tx.unbounded_send(1).unwrap();
/// assert_eq!(rx.next().await, Some(1));
/// # });
/// ```
pub type CoopUnboundedReceiver<T> = Coop<mpsc::UnboundedReceiver<T>>;

/// A [`futures_oneshot::Receiver`] that takes one unit of the task's budget
/// when it completes, with the value or with `Canceled`.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, rx) = coop_adapters::channel::oneshot::<u32>();
/// tx.send(3).unwrap();
/// assert_eq!(rx.await, Ok(3));
/// # });
/// ```
pub type CoopOneshotReceiver<T> = Coop<futures_oneshot::Receiver<T>>;

/// A bounded [`mpsc::Sender`] whose `Sink` implementation takes one unit of
/// the task's budget per message it accepts (in `poll_ready`, which
/// `SinkExt::send` calls once per message). Cloning it clones the sender.
///
/// # Examples
///
/// ```
/// use futures::{SinkExt, StreamExt};
///
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = coop_adapters::channel::channel::<&str>(1);
/// let mut tx2 = tx.clone();
/// tx2.send("hello").await.unwrap();
/// assert_eq!(rx.next().await, Some("hello"));
/// # drop(tx);
/// # });
/// ```
pub type CoopSender<T> = Coop<mpsc::Sender<T>>;

/// Like [`futures_channel::mpsc::channel`], with cooperative ends: a bounded
/// channel with room for `buffer` messages plus one per sender.
///
/// # Examples
///
/// ```
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use futures::{Sink, Stream};
/// use task_coop::{Budget, BudgetExt};
///
/// let (tx, rx) = coop_adapters::channel::channel::<u32>(16);
/// let (mut tx, mut rx) = (pin!(tx), pin!(rx));
/// let mut budget = Budget::with_units(4);
/// let mut cx = Context::from_waker(Waker::noop());
/// budget.install(&mut cx, |cx| {
///     assert!(tx.as_mut().poll_ready(cx).is_ready()); // one unit
///     tx.as_mut().start_send(1).unwrap();
///     assert_eq!(rx.as_mut().poll_next(cx), Poll::Ready(Some(1))); // one unit
///     assert!(rx.as_mut().poll_next(cx).is_pending()); // empty: refunded
///     assert_eq!(cx.budget_remaining(), Some(2));
/// });
/// ```
pub fn channel<T>(buffer: usize) -> (CoopSender<T>, CoopReceiver<T>) {
    let (tx, rx) = mpsc::channel(buffer);
    (Coop::new(tx), Coop::new(rx))
}

/// Like [`futures_channel::mpsc::unbounded`], with a cooperative receiver.
/// Unbounded sends never wait and are not budgeted.
///
/// # Examples
///
/// ```
/// use futures::StreamExt;
///
/// # futures::executor::block_on(async {
/// let (tx, rx) = coop_adapters::channel::unbounded::<u32>();
/// for n in 0..3 {
///     tx.unbounded_send(n).unwrap();
/// }
/// drop(tx);
/// assert_eq!(rx.collect::<Vec<_>>().await, [0, 1, 2]);
/// # });
/// ```
pub fn unbounded<T>() -> (mpsc::UnboundedSender<T>, CoopUnboundedReceiver<T>) {
    let (tx, rx) = mpsc::unbounded();
    (tx, Coop::new(rx))
}

/// Like [`futures_channel::oneshot::channel`], with a cooperative receiver.
///
/// # Examples
///
/// ```
/// use futures::channel::oneshot::Canceled;
///
/// # futures::executor::block_on(async {
/// let (tx, rx) = coop_adapters::channel::oneshot::<u32>();
/// drop(tx);
/// assert_eq!(rx.await, Err(Canceled));
/// # });
/// ```
pub fn oneshot<T>() -> (futures_oneshot::Sender<T>, CoopOneshotReceiver<T>) {
    let (tx, rx) = futures_oneshot::channel();
    (tx, Coop::new(rx))
}
