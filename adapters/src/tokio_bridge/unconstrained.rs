//! [`unconstrained`]: one opt-out for both budgets.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// Turns off both tokio's budget and the Context budget for `future`: tokio's
/// sync types and Context-based primitives inside it never force a yield.
/// Code around it stays budgeted.
///
/// It is `tokio::task::coop::unconstrained` around
/// [`task_coop::unconstrained`]. (tokio's own `unconstrained` alone already
/// turns off the Context budget for primitives that fall back to tokio's
/// budget, but not a [`task_coop::Budget`] installed by another executor.)
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap();
/// }
/// // All 1000 receives in one poll: no forced yield.
/// let sum = coop_adapters::unconstrained(async move {
///     let mut sum = 0;
///     for _ in 0..1000 {
///         sum += rx.recv().await.unwrap();
///     }
///     sum
/// })
/// .await;
/// assert_eq!(sum, 499_500);
/// # }
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained {
        inner: tokio::task::coop::unconstrained(task_coop::unconstrained(future)),
    }
}

pin_project! {
    /// Future for [`unconstrained`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Unconstrained<F> {
        #[pin]
        inner: tokio::task::coop::Unconstrained<task_coop::Unconstrained<F>>,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F> fmt::Debug for Unconstrained<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unconstrained").finish_non_exhaustive()
    }
}
