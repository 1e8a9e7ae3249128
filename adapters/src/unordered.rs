//! [`CoopUnordered`]: a set of futures run concurrently inside one task,
//! whose children draw from the task's budget and which stops polling them
//! once it is spent (feature `futures`).
//!
//! A `FuturesUnordered` is a small executor inside a task: it polls its
//! children with wakers of its own. With the `std` feature of `task-coop`
//! (always on here), the task's budget still reaches the children through a
//! thread-local, so they share it with their parent. What a plain
//! `FuturesUnordered` does not know is that the budget is gone: after one
//! child has spent it, it goes on polling other children, each of which is
//! told `Pending` by its first `poll_cooperate`. On a task-coop `Budget` it
//! polls one more child for nothing (it yields once two children woke
//! themselves). On tokio's budget, whose wake-ups are deferred until the task
//! yields, it polls every remaining ready child once more for nothing, and
//! the task poll after each yield finds no child ready. Those polls do no
//! work, and whatever a child does before its first `poll_cooperate` is done
//! for nothing. This is the shape of tokio issues #2390 and #3493.
//!
//! `CoopUnordered` checks the budget before each child poll. Once it is
//! spent, it polls no further child, and it requeues at once the child that
//! ran out (instead of waiting for a deferred wake-up): the task yields with
//! its children still queued, and the next poll of the task, with a fresh
//! budget, goes on where this one stopped. The set takes no unit itself; its
//! children pay for what they do, so 64 always-ready children under a budget
//! of 128 take exactly 128 units between them before the task yields,
//! however many children there are.
//!
//! Measured in `tests/adapters_unordered.rs`, 64 children of 10 units each:
//!
//! | set, budget | units per task poll | child polls |
//! |---|---|---|
//! | `CoopUnordered`, `Budget` or tokio's | 128, 128, 128, 128, 128 | 68 |
//! | `FuturesUnordered`, `Budget` | 128, 128, 128, 128, 128 | 72 |
//! | `FuturesUnordered`, tokio's | 128, 0, 128, 0, 128, 0, 128, 0, 128 | 197 |
//!
//! What can go wrong:
//!
//! * Children that never call `poll_cooperate` (pure computations, or types
//!   that know nothing about budgets) never run out: wrap them with
//!   [`.cooperative()`](crate::CooperativeExt::cooperative) so that each
//!   completion takes a unit.
//! * The check takes and gives back one unit before each child poll (and
//!   after one that returned `Pending`); it costs a few nanoseconds and
//!   changes nothing in the count. A child that spent the last unit and then
//!   found nothing to do gets one spurious wake-up.
//! * Outside any budget (no provider, no tokio task), nothing is checked and
//!   the set behaves as a `FuturesUnordered`.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_core::{FusedStream, Stream};
use futures_util::stream::FuturesUnordered;
use task_coop::ContextExt;

/// Whether the task that is being polled on this thread has budget left.
/// Asks for a unit and gives it back at once; on `Pending` the provider has
/// already arranged for `cx`'s waker to be woken.
#[inline]
fn budget_left(cx: &mut Context<'_>) -> bool {
    match cx.poll_cooperate() {
        Poll::Ready(refunded_on_drop) => {
            drop(refunded_on_drop);
            true
        }
        Poll::Pending => false,
    }
}

pin_project_lite::pin_project! {
    /// A child of a [`CoopUnordered`]: not polled while the budget is spent.
    struct Gated<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Gated<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        if !budget_left(cx) {
            // Requeue this child now, whatever the provider does with its
            // waker (tokio defers it until the task yields): the set counts
            // children that woke themselves and yields after two of them,
            // instead of visiting every queued child.
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let out = self.project().future.poll(cx);
        if out.is_pending() && !budget_left(cx) {
            // The child probably stopped because the budget ran out: requeue
            // it now too, for the same reason. At worst (it spent the last
            // unit and then found nothing to do) this is one spurious wake.
            cx.waker().wake_by_ref();
        }
        out
    }
}

/// A set of futures polled concurrently, in the order they wake, yielding
/// their outputs as a `Stream`, like `FuturesUnordered`; its children draw
/// from the budget of the task that polls the set, and it stops polling them
/// once that budget is spent. See [the module docs](crate::unordered).
///
/// # Examples
///
/// ```
/// use coop_adapters::{budgeted, CoopUnordered, CooperativeExt};
/// use futures::StreamExt;
///
/// # futures::executor::block_on(budgeted(async {
/// let mut set = CoopUnordered::new();
/// for n in 0..3u32 {
///     set.push(async move { n * 10 }.cooperative());
/// }
/// assert_eq!(set.len(), 3);
/// let mut outputs: Vec<u32> = set.collect().await;
/// outputs.sort();
/// assert_eq!(outputs, [0, 10, 20]);
/// # }));
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct CoopUnordered<F> {
    set: FuturesUnordered<Gated<F>>,
}

impl<F> CoopUnordered<F> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = coop_adapters::CoopUnordered::<std::future::Ready<()>>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> Self {
        Self {
            set: FuturesUnordered::new(),
        }
    }

    /// Adds a future to the set. It is polled the next time the set is
    /// polled, budget permitting.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = coop_adapters::CoopUnordered::new();
    /// set.push(std::future::ready(1));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn push(&mut self, future: F) {
        self.set.push(Gated { future });
    }

    /// The number of futures in the set that have not completed.
    ///
    /// # Examples
    ///
    /// ```
    /// let set: coop_adapters::CoopUnordered<_> = [std::future::ready(1)].into_iter().collect();
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether the set holds no future.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = coop_adapters::CoopUnordered::new();
    /// assert!(set.is_empty());
    /// set.push(async {});
    /// assert!(!set.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Drops every future in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut set = coop_adapters::CoopUnordered::new();
    /// set.push(async {});
    /// set.clear();
    /// assert!(set.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.set.clear();
    }
}

impl<F> Default for CoopUnordered<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F> fmt::Debug for CoopUnordered<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoopUnordered")
            .field("len", &self.len())
            .finish()
    }
}

impl<F: Future> Stream for CoopUnordered<F> {
    type Item = F::Output;

    /// `Ready(None)` when the set is empty (more futures can be pushed after
    /// that). Otherwise, if the budget is spent, `Pending` at once (the task
    /// was woken to run again); else the children are polled as by
    /// `FuturesUnordered`, each only while budget is left.
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        if !self.set.is_empty() && !budget_left(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.set).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.len();
        (len, Some(len))
    }
}

impl<F: Future> FusedStream for CoopUnordered<F> {
    /// Like `FuturesUnordered`: true once the set returned `None` and no
    /// future was pushed since.
    fn is_terminated(&self) -> bool {
        self.set.is_terminated()
    }
}

impl<F> FromIterator<F> for CoopUnordered<F> {
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<F> Extend<F> for CoopUnordered<F> {
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for future in iter {
            self.push(future);
        }
    }
}
