//! [`Coop`]: make any future, stream or sink draw from the task's budget.
//!
//! It is for the things you already use that know nothing about budgets: a
//! stream or a sink that is always ready (a futures-rs channel full of
//! messages, an iterator turned into a stream, a sink that never pushes back)
//! lets a `while let Some(x) = stream.next().await` loop run forever without
//! giving other tasks a turn. Wrapped, it takes one unit of the task's budget
//! per item, and makes the task yield when the budget is spent:
//!
//! | inner | one unit per | refunded (not progress) |
//! |---|---|---|
//! | [`Future`] | completion (`Ready`) | `Pending` |
//! | `Stream` | item, and the final `None` (the end is progress, as tokio's channels count it) | `Pending` |
//! | `Sink` | `poll_ready` that returns `Ready` (`Ok`: a slot for one item; `Err`: the sink failed) | `Pending` |
//!
//! Each poll asks the budget first; when it is spent, the wrapper returns
//! `Pending` without polling the inner value, and the task has been woken to
//! run again, so nothing is lost and nothing waits for an outside event.
//!
//! What can go wrong:
//!
//! * Wrapping something that already cooperates (a type that calls
//!   `poll_cooperate` itself, or, on tokio, one of tokio's channels or
//!   `tokio-stream` wrappers, which use tokio's budget) charges each item
//!   twice, so the task yields twice as often.
//! * A sink is charged in `poll_ready`, the only sink method with a `Context`:
//!   `SinkExt::send`, `feed` and `send_all` call it once per item, but code
//!   that calls `poll_ready` several times before one `start_send` pays for
//!   each call that returned `Ready`. `poll_flush` and `poll_close` are not
//!   charged.
//! * A stream that is polled again after its end pays a unit for each further
//!   `None`, like tokio's closed channels.
//! * Coop itself adds no budget: on an executor that installs none (and
//!   outside a tokio task), every poll goes ahead.

use core::future::Future;
use core::pin::Pin;
use core::task::{ready, Context, Poll};

use task_coop::ContextExt;

/// Wraps `inner` in a [`Coop`]: one unit of the task's budget per
/// completion (future), item (stream) or accepted item (sink). The same as
/// [`Coop::new`] and `.cooperative()` (`CooperativeExt`, feature `std`),
/// and as tokio's `tokio::task::coop::cooperative` for futures.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
/// use coop_adapters::cooperative;
/// use task_coop::Budget;
///
/// let mut budget = Budget::with_units(1);
/// let mut cx = Context::from_waker(Waker::noop());
/// budget.install(&mut cx, |cx| {
///     assert_eq!(pin!(cooperative(async { 1 })).poll(cx), Poll::Ready(1));
///     // The one unit is spent: the next one has to wait for the next poll.
///     assert_eq!(pin!(cooperative(async { 2 })).poll(cx), Poll::Pending);
/// });
/// ```
pub const fn cooperative<T>(inner: T) -> Coop<T> {
    Coop::new(inner)
}

pin_project_lite::pin_project! {
    /// A future, stream or sink that takes one unit of the task's budget per
    /// completion, item or accepted item: see [the module docs](crate::coop)
    /// for what counts.
    ///
    /// `Coop<T>` is a [`Future`] when `T` is one, a `Stream` and a `Sink`
    /// (feature `futures`) when `T` is, so one wrapper also covers types that
    /// are both. Make one with [`Coop::new`] or
    /// [`cooperative()`](crate::cooperative()) or
    /// `.cooperative()` (`CooperativeExt`, feature `std`); the opt-out is
    /// [`task_coop::unconstrained`].
    ///
    /// As a future it behaves exactly as tokio's `tokio::task::coop::Coop`.
    ///
    /// # Examples
    ///
    /// An always-ready stream yields after the budget's units:
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use coop_adapters::Coop;
    /// use futures::stream::{self, Stream};
    /// use task_coop::Budget;
    ///
    /// let mut numbers = pin!(Coop::new(stream::iter(0..10)));
    /// let mut budget = Budget::with_units(3);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let taken = budget.install(&mut cx, |cx| {
    ///     let mut taken = Vec::new();
    ///     while let Poll::Ready(Some(n)) = numbers.as_mut().poll_next(cx) {
    ///         taken.push(n);
    ///     }
    ///     taken
    /// });
    /// assert_eq!(taken, [0, 1, 2]); // then Pending: the task must yield
    /// # }
    /// ```
    #[derive(Debug, Clone, Default)]
    #[must_use = "futures, streams and sinks do nothing unless polled"]
    pub struct Coop<T> {
        #[pin]
        inner: T,
    }
}

impl<T> Coop<T> {
    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::Coop;
    ///
    /// let answer = futures::executor::block_on(Coop::new(async { 42 }));
    /// assert_eq!(answer, 42);
    /// ```
    pub const fn new(inner: T) -> Self {
        Self { inner }
    }

    /// The wrapped value.
    ///
    /// # Examples
    ///
    /// ```
    /// let coop = coop_adapters::Coop::new(vec![1]);
    /// assert_eq!(coop.get_ref(), &[1]);
    /// ```
    pub const fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably: calls through it are not charged.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut coop = coop_adapters::Coop::new(vec![1]);
    /// coop.get_mut().push(2);
    /// assert_eq!(coop.get_ref(), &[1, 2]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped value, pinned: calls through it are not charged.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    ///
    /// let coop = pin!(coop_adapters::Coop::new(async { 1 }));
    /// let _inner = coop.get_pin_mut();
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// Unwraps the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let coop = coop_adapters::Coop::new(5);
    /// assert_eq!(coop.into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<F: Future> Future for Coop<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut coop = ready!(cx.poll_cooperate());
        let out = ready!(self.project().inner.poll(cx));
        coop.made_progress();
        Poll::Ready(out)
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<S: futures_core::Stream> futures_core::Stream for Coop<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut coop = ready!(cx.poll_cooperate());
        let item = ready!(self.project().inner.poll_next(cx));
        // An item, or the end: both are work the stream will not do again.
        coop.made_progress();
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<S: futures_core::FusedStream> futures_core::FusedStream for Coop<S> {
    fn is_terminated(&self) -> bool {
        self.inner.is_terminated()
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<S: futures_core::FusedFuture> futures_core::FusedFuture for Coop<S> {
    fn is_terminated(&self) -> bool {
        self.inner.is_terminated()
    }
}

/// One unit per `poll_ready` that returns `Ready`: a slot for one item was
/// secured (or the sink failed, which is also final). `start_send`, which has
/// no `Context`, `poll_flush` and `poll_close` are not charged.
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<S: futures_sink::Sink<Item>, Item> futures_sink::Sink<Item> for Coop<S> {
    type Error = S::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        let mut coop = ready!(cx.poll_cooperate());
        let ready = ready!(self.project().inner.poll_ready(cx));
        coop.made_progress();
        Poll::Ready(ready)
    }

    fn start_send(self: Pin<&mut Self>, item: Item) -> Result<(), S::Error> {
        self.project().inner.start_send(item)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.project().inner.poll_close(cx)
    }
}
