//! The proposed `std::task::coop` API on stable Rust: a cooperative
//! scheduling budget carried by [`Context`](core::task::Context), so that
//! channels, locks and IO types can make their task yield on any executor,
//! without depending on one.
//!
//! It implements the Rust internals proposal "Runtime-agnostic cooperative
//! task scheduling budget" with the same names: [`Cooperation`],
//! [`CooperationVTable`], [`ContextExt::poll_cooperate`],
//! [`Cooperation::made_progress`], [`Cooperation::unconstrained`]. Code
//! written against this crate ports to std, if std adopts the proposal, by
//! changing an import. One extension goes beyond the proposal and would have
//! no std equivalent: [`BudgetExt::budget_remaining`], which tells how many
//! units the installed provider has left.
//!
//! # For authors of primitives
//!
//! Call [`poll_cooperate`](ContextExt::poll_cooperate) first in `poll`; when
//! the operation did work it will not need to do again (a message received,
//! bytes read, end of file or an error reached, a lock taken), call
//! [`made_progress`](Cooperation::made_progress):
//!
//! ```
//! use std::collections::VecDeque;
//! use std::task::{ready, Context, Poll};
//! use task_coop::ContextExt;
//!
//! fn poll_recv(queue: &mut VecDeque<u32>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
//!     let mut coop = ready!(cx.poll_cooperate());
//!     let item = queue.pop_front();
//!     if item.is_some() {
//!         coop.made_progress();
//!     }
//!     Poll::Ready(item)
//! }
//! # let mut cx = Context::from_waker(std::task::Waker::noop());
//! # assert_eq!(poll_recv(&mut VecDeque::from([1]), &mut cx), Poll::Ready(Some(1)));
//! ```
//!
//! On an executor that installs no budget the call is always `Ready`, so the
//! primitive behaves as before.
//!
//! # For authors of executors
//!
//! Poll each task through a [`Budget`] (or any [`CooperationProvider`] with
//! [`with_provider`]):
//!
//! ```
//! use std::pin::pin;
//! use std::task::{Context, Waker};
//! use task_coop::Budget;
//!
//! let mut budget = Budget::new(); // 128 units per poll, like tokio
//! let mut task = pin!(async {});
//! let mut cx = Context::from_waker(Waker::noop());
//! assert!(budget.poll(task.as_mut(), &mut cx).is_ready());
//! ```
//!
//! Beyond tokio, a `Budget` can also end a poll when a time slice has elapsed
//! (`Budget::with_time_slice`), reports what it did (`Budget::metrics`:
//! polls, units spent, forced yields), and can leave a task that ran out to
//! the executor instead of waking it (`Budget::set_defer_forced_wakes`), so
//! that the executor can queue it behind tasks woken by events.
//!
//! # How the budget travels
//!
//! On stable Rust a `Context` carries only a waker, so an installation
//! replaces the context's waker, for one poll, with a *carrier*: a waker that
//! points at the provider and wakes the executor's waker. `poll_cooperate`
//! recognises it, and which kind of provider it carries (a `Budget`,
//! tokio's, any other), by the address of its vtable, a `static`. Clones of the carrier
//! are plain clones of the executor's waker: nothing that a future keeps
//! points into the poll's stack frame. Async fns, async blocks, `join!`,
//! `select!` and every combinator that forwards its context see the carrier.
//!
//! Combinators that poll their children with wakers of their own
//! (`FuturesUnordered`, `buffer_unordered`, `join_all` over 30 futures,
//! `Shared`, `SelectAll`, tokio's `JoinSet`) hide the carrier. For them, with
//! the `std` feature, the installation is also published in one thread-local
//! for the length of the poll; `poll_cooperate` reads it when the context is
//! not the one a `Budget`'s or `TokioBudget`'s installation made, and answers
//! from the installation that made the context, if one did, else from the
//! innermost one. A child that finds the budget spent that way gets
//! `Pending`, and its own waker is woken.
//!
//! Known limit: a blocking executor nested inside a budgeted poll (say
//! `futures::executor::block_on` called from a task) polls its future on the
//! same thread, so through the thread-local that future draws from the outer
//! task's budget. Once that budget is spent the nested executor is told
//! `Pending` and woken again forever, because the outer poll cannot end and
//! refill it. Wrap the nested future in [`unconstrained`] (or avoid blocking
//! inside a task). More generally, anything that runs on the thread during a
//! budgeted poll without a context of its own (a rayon job stolen while the
//! poll blocks in `join`, say) sees the installed budget through the
//! thread-local. And installations must end in the order they began: a
//! stackful coroutine that suspends inside a poll and is resumed after it
//! returned makes the crate abort rather than publish a frame that is gone.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `alloc` | yes (via `std`) | [`Budget`] (with its metrics and time slices: [`BudgetMetrics`], [`TimeSlice`] on the executor's clock), [`Cooperate`] |
//! | `std` | yes | the thread-local fallback described above; `with_budget` and `with_budget_metered`, a budget with no heap per task; `TimeSlice::new`, a slice measured with `Instant` |
//! | `tokio` | no | [`TokioBudget`]; with no provider installed, `poll_cooperate` draws from tokio's budget |
//!
//! Without `std` (`no_std`, with or without `alloc`) everything works except
//! the fallback: futures polled by a combinator with a waker of its own see
//! no provider and are unconstrained. Without `alloc` there is no [`Budget`];
//! executors can still implement [`CooperationProvider`] with a
//! [`CooperationVTable`] over their own statically allocated state.
//!
//! # Where the unsafe code is
//!
//! In the `raw` module (the carrier waker, the budget's counter, the `Rc`
//! vtable), which imports nothing else of the crate; and, outside it, only
//! where a [`Cooperation`] is made from raw parts or ended through its vtable
//! (`cooperation.rs`, `dispatch.rs`, `cooperate.rs`) and in the pin
//! projection of [`Unconstrained`]. The `raw` module's docs list each one.
//!
// Links to items of features that are off point at the feature table
// instead, so that the docs build without broken links in every feature set.
#![cfg_attr(feature = "alloc", doc = "[`Budget`]: crate::Budget")]
#![cfg_attr(not(feature = "alloc"), doc = "[`Budget`]: crate#features")]
#![cfg_attr(feature = "alloc", doc = "[`Cooperate`]: crate::Cooperate")]
#![cfg_attr(not(feature = "alloc"), doc = "[`Cooperate`]: crate#features")]
#![cfg_attr(feature = "alloc", doc = "[`BudgetMetrics`]: crate::BudgetMetrics")]
#![cfg_attr(not(feature = "alloc"), doc = "[`BudgetMetrics`]: crate#features")]
#![cfg_attr(feature = "alloc", doc = "[`TimeSlice`]: crate::TimeSlice")]
#![cfg_attr(not(feature = "alloc"), doc = "[`TimeSlice`]: crate#features")]
#![cfg_attr(feature = "tokio", doc = "[`TokioBudget`]: crate::TokioBudget")]
#![cfg_attr(not(feature = "tokio"), doc = "[`TokioBudget`]: crate#features")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The module graph, each module importing only those listed before it (no
// circle): `raw` (a leaf: imports nothing of the crate); `cooperation`;
// `provider`; `vtables` (the crate's own cooperation vtables); `dispatch`
// (the only one that knows the concrete providers);
// then the public faces: `context_ext`, `budget_ext`, `install`,
// `unconstrained`, `cooperate`, `time_slice`, `budget_metrics`, `budget`,
// `thread_budget`, `tokio_budget`.
mod raw;

mod cooperation;
mod provider;
#[cfg(feature = "alloc")]
mod vtables;

mod dispatch;

mod budget_ext;
mod context_ext;
mod install;
mod unconstrained;

#[cfg(feature = "alloc")]
mod budget;
#[cfg(feature = "alloc")]
mod budget_metrics;
#[cfg(feature = "alloc")]
mod cooperate;
#[cfg(feature = "std")]
mod thread_budget;
#[cfg(feature = "alloc")]
mod time_slice;
#[cfg(feature = "tokio")]
mod tokio_budget;

pub use budget_ext::BudgetExt;
pub use context_ext::ContextExt;
pub use cooperation::{Cooperation, CooperationVTable};
pub use install::with_provider;
pub use provider::CooperationProvider;
pub use unconstrained::{unconstrained, Unconstrained};

#[cfg(feature = "alloc")]
pub use budget::Budget;
#[cfg(feature = "alloc")]
pub use budget_metrics::BudgetMetrics;
#[cfg(feature = "alloc")]
pub use cooperate::Cooperate;
#[cfg(feature = "std")]
pub use thread_budget::{with_budget, with_budget_metered};
#[cfg(feature = "alloc")]
pub use time_slice::TimeSlice;
#[cfg(feature = "tokio")]
pub use tokio_budget::TokioBudget;
