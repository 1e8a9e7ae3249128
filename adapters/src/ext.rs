//! [`CooperativeExt`]: `.cooperative()` and `.budgeted()` as methods.
//!
//! One trait for futures, streams and sinks alike: it is implemented for every
//! type, and what the returned [`Coop`] can do follows from what it wraps (a
//! `Coop<T>` is a future, a stream or a sink exactly when `T` is). So a type
//! that is both a stream and a sink gets one wrapper, budgeted both ways, and
//! there is no ambiguity between several `.cooperative()` methods in scope.
//!
//! What can go wrong: since every type has the method, `.cooperative()` on a
//! value that is neither a future, a stream nor a sink compiles, and the error
//! appears where the result is used ("`Coop<X>` is not a future"). IO objects
//! are wrapped by `CoopIo` instead (features `futures`,
//! `tokio`), which has to know which family of IO traits the inner type
//! implements.

use core::future::Future;

use crate::{Budgeted, Coop};

/// Adds [`.cooperative()`](Self::cooperative) to futures, streams and sinks,
/// and [`.budgeted()`](Self::budgeted) to futures.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "futures")] {
/// use coop_adapters::CooperativeExt;
/// use futures::{SinkExt, StreamExt};
///
/// # futures::executor::block_on(async {
/// let (tx, rx) = futures::channel::mpsc::channel::<u32>(4);
/// let mut tx = tx.cooperative(); // one unit per item sent
/// let mut rx = rx.cooperative(); // one unit per item received
/// tx.send(1).await.unwrap();
/// assert_eq!(rx.next().await, Some(1));
/// assert_eq!(async { 2 }.cooperative().await, 2); // one unit on completion
/// # });
/// # }
/// ```
pub trait CooperativeExt: Sized {
    /// Wraps `self` in a [`Coop`]: one unit of the task's budget per
    /// completion (future), item (stream) or accepted item (sink).
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use coop_adapters::CooperativeExt;
    /// use futures::stream::{self, Stream};
    /// use task_coop::Budget;
    ///
    /// let mut ones = pin!(stream::repeat(1).cooperative());
    /// let mut budget = Budget::with_units(2);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// budget.install(&mut cx, |cx| {
    ///     assert_eq!(ones.as_mut().poll_next(cx), Poll::Ready(Some(1)));
    ///     assert_eq!(ones.as_mut().poll_next(cx), Poll::Ready(Some(1)));
    ///     assert_eq!(ones.as_mut().poll_next(cx), Poll::Pending);
    /// });
    /// # }
    /// ```
    fn cooperative(self) -> Coop<Self> {
        Coop::new(self)
    }

    /// Wraps a task in a [`Budgeted`]: each poll of it runs under a fresh
    /// budget, the same as [`budgeted`](crate::budgeted()). For executors and
    /// their users: `executor.spawn(task.budgeted())`.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::CooperativeExt;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use task_coop::ContextExt;
    ///
    /// // Takes units until the budget says Pending, then finishes next poll.
    /// let taken = AtomicU32::new(0);
    /// let mut yielded = false;
    /// futures::executor::block_on(
    ///     std::future::poll_fn(|cx| loop {
    ///         if yielded {
    ///             return std::task::Poll::Ready(());
    ///         }
    ///         match cx.poll_cooperate() {
    ///             std::task::Poll::Ready(mut coop) => {
    ///                 coop.made_progress();
    ///                 taken.fetch_add(1, Ordering::Relaxed);
    ///             }
    ///             std::task::Poll::Pending => {
    ///                 yielded = true;
    ///                 return std::task::Poll::Pending;
    ///             }
    ///         }
    ///     })
    ///     .budgeted(),
    /// );
    /// assert_eq!(taken.into_inner(), 128);
    /// ```
    fn budgeted(self) -> Budgeted<Self>
    where
        Self: Future,
    {
        Budgeted::new(self)
    }
}

impl<T> CooperativeExt for T {}
