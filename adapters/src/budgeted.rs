//! [`Budgeted`]: give every poll of a task a budget, on any executor.
//!
//! It is for executors that have no budget of their own (async-executor and
//! smol, `futures::executor`, embassy, most custom executors) and for their
//! users. Wrap each task once, where it is spawned:
//!
//! ```
//! use coop_adapters::budgeted;
//!
//! let executor = async_executor::Executor::new();
//! let task = executor.spawn(budgeted(async { 1 + 1 }));
//! assert_eq!(futures::executor::block_on(executor.run(task)), 2);
//! ```
//!
//! Each poll of the wrapped task starts with a fresh budget (128 units by
//! default, tokio's figure), so the cooperative primitives the task uses
//! (`poll_cooperate`, [`Coop`](crate::Coop), `CoopIo`) make it yield after
//! 128 units of work in one poll: the budget wakes the task and says
//! `Pending`, the executor runs its other tasks, and the next poll starts with
//! 128 units again.
//!
//! # tokio's types
//!
//! With the `tokio` feature, the same units budget tokio's own sync and IO
//! types too (its channels, locks, sockets, `JoinHandle`, ...), which read
//! tokio's thread-local budget and never look at the `Context`: on a foreign
//! executor each poll runs inside a tokio budget scope shared with
//! Context-based primitives, exactly like `CoopCompat`,
//! and inside a tokio task tokio's budget is lowered to the units asked for.
//! That costs a tokio `block_on` per poll on a foreign executor (about a
//! hundred nanoseconds, measured in the benches) and starts the global tokio
//! runtime that `CoopCompat` uses if the thread has entered none.
//! [`Budgeted::context_only`] leaves tokio's types out, for tasks that use
//! none and do not want that cost. Without the `tokio` feature every
//! `Budgeted` is context-only.
//!
//! What can go wrong:
//!
//! * Wrap the task, not a future inside it: a `Budgeted` nested in a budgeted
//!   task gives its future a budget of its own on top of the task's, which is
//!   what a budget is meant to prevent. Use [`task_coop::unconstrained`] to
//!   lift the budget for part of a task.
//! * A budget that runs out wakes the task at once; on an executor that runs
//!   woken tasks before others (a LIFO slot), the yield may give nothing to
//!   the other tasks. async-executor and `futures::executor` put the task at
//!   the back of their queue.
//! * tokio's budget holds at most 128 units: with the `tokio` feature a
//!   `Budgeted` of more units gives tokio's types and Context-based
//!   primitives 128 per poll together. On tokio, inside a tokio task, don't
//!   wrap at all unless you want fewer units: the task already has tokio's
//!   budget, which `poll_cooperate` uses by itself (feature `tokio`).
//! * A `Budgeted` costs no heap, and the default one ([`budgeted`],
//!   [`Budgeted::new`]) no memory either: it is exactly the size of the
//!   task, its units being
//!   [`Budget::DEFAULT_UNITS`](task_coop::Budget::DEFAULT_UNITS). One made
//!   with [`Budgeted::with_units`] or [`Budgeted::context_only`] keeps its
//!   units: a [`Budgeted<F, Units>`](Units), two bytes larger than the task
//!   before alignment, which can move a boxed task into the allocator's next
//!   size class. Each poll borrows this thread's counter
//!   ([`task_coop::with_budget`]), allocated once per thread. See
//!   [`tracking`](crate::tracking) for what each kind keeps.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use task_coop::{with_budget, with_budget_metered, BudgetMetrics, TimeSlice};

use crate::tracking::{Reach, Settings, Tracked, Units, Untracked};

/// Wraps a task so that each of its polls runs under a fresh budget of
/// [`Budget::DEFAULT_UNITS`](task_coop::Budget::DEFAULT_UNITS) (128) units:
/// see [`Budgeted`].
///
/// The same as [`Budgeted::new`] and
/// `.budgeted()` (`CooperativeExt`).
///
/// # Examples
///
/// On `futures::executor`:
///
/// ```
/// use coop_adapters::budgeted;
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
///
/// let mut pool = LocalPool::new();
/// pool.spawner().spawn_local(budgeted(async { /* the task */ })).unwrap();
/// pool.run();
/// ```
pub fn budgeted<F: Future>(future: F) -> Budgeted<F> {
    Budgeted::new(future)
}

pin_project_lite::pin_project! {
    /// A task whose every poll runs under a fresh budget: see [`budgeted`]
    /// and [the module docs](crate::budgeted).
    ///
    /// `Send` and `Sync` when the task is: it holds nothing but the task and
    /// what `T` keeps (nothing for the default; see [`Settings`]).
    ///
    /// # Examples
    ///
    /// An always-ready loop yields after the budget's units:
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{ready, Context, Poll, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::ContextExt;
    ///
    /// let taken = Cell::new(0);
    /// let spin = std::future::poll_fn(|cx| -> Poll<()> {
    ///     loop {
    ///         ready!(cx.poll_cooperate()).made_progress();
    ///         taken.set(taken.get() + 1);
    ///     }
    /// });
    /// let mut task = pin!(Budgeted::with_units(spin, 10));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(task.as_mut().poll(&mut cx).is_pending());
    /// assert_eq!(taken.get(), 10);
    /// assert!(task.as_mut().poll(&mut cx).is_pending());
    /// assert_eq!(taken.get(), 20); // 10 per poll
    /// ```
    ///
    /// # Metrics and time slices
    ///
    /// [`with_metrics`](Self::with_metrics) and
    /// [`with_time_slice`](Self::with_time_slice) turn a `Budgeted<F>` (or a
    /// `Budgeted<F, Units>`) into a `Budgeted<F, Tracked>`, which counts its
    /// polls, units spent and forced yields, and may end each poll's budget
    /// early when a time slice is over: "`units` or the slice, whichever
    /// comes first". The plain `Budgeted<F>` keeps none of that and is the
    /// size of the task; `Budgeted<F, Units>` keeps its units.
    ///
    /// Where the slice is checked: at Context-based operations
    /// (`poll_cooperate`), by [`TimeSlice`]'s rule (first at the
    /// `check_interval + 1`-th, where the slice starts, then every
    /// [`TimeSlice::check_interval`]), with or without the bridge. With the
    /// `tokio` bridge, tokio's own types draw from tokio's budget without
    /// asking this library, so they never read the clock: a task that uses
    /// only tokio's types gets its units and no slice. When the slice ends at
    /// a Context-based operation, the rest of tokio's budget is spent too, so
    /// tokio's types yield at their next operation.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Budgeted<F, T = Untracked> {
        settings: T,
        #[pin]
        future: F,
    }
}

impl<F> Budgeted<F> {
    /// Wraps `future` with a budget of
    /// [`Budget::DEFAULT_UNITS`](task_coop::Budget::DEFAULT_UNITS) per poll,
    /// for Context-based primitives and, with the `tokio` feature, tokio's
    /// types. The wrapper is the size of `future`: it keeps nothing else.
    ///
    /// # Examples
    ///
    /// ```
    /// let future = async {};
    /// let size = std::mem::size_of_val(&future);
    /// let task = coop_adapters::Budgeted::new(future);
    /// assert_eq!(task.units(), 128);
    /// assert_eq!(std::mem::size_of_val(&task), size);
    /// ```
    pub fn new(future: F) -> Self {
        Self {
            settings: Untracked,
            future,
        }
    }

    /// Wraps `future` with a budget of `units` per poll, for Context-based
    /// primitives and, with the `tokio` feature, tokio's types (at most 128
    /// for those: see [the module docs](mod@crate::budgeted)).
    ///
    /// The wrapper keeps its units: it is a `Budgeted<F, Units>`, two bytes
    /// larger than `future` before alignment (see [`Units`]).
    ///
    /// # Panics
    ///
    /// If `units` is 0 (see
    /// [`Budget::with_units`](task_coop::Budget::with_units)).
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::{Budgeted, Units};
    ///
    /// let task: Budgeted<_, Units> = Budgeted::with_units(async {}, 32);
    /// assert_eq!(task.units(), 32);
    /// ```
    pub fn with_units(future: F, units: u8) -> Budgeted<F, Units> {
        Self::make(future, units, Reach::Everything)
    }

    /// Wraps `future` with a budget of `units` per poll for Context-based
    /// primitives only: tokio's own types inside are not budgeted on foreign
    /// executors, even with the `tokio` feature, and each poll costs no tokio
    /// scope. For tasks that use no tokio types. Like
    /// [`with_units`](Self::with_units), it is a `Budgeted<F, Units>`.
    ///
    /// # Panics
    ///
    /// If `units` is 0 (see
    /// [`Budget::with_units`](task_coop::Budget::with_units)).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::BudgetExt;
    ///
    /// let mut task = pin!(Budgeted::context_only(
    ///     std::future::poll_fn(|cx| Poll::Ready(cx.budget_remaining())),
    ///     16,
    /// ));
    /// let out = task.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    /// assert_eq!(out, Poll::Ready(Some(16)));
    /// ```
    pub fn context_only(future: F, units: u8) -> Budgeted<F, Units> {
        Self::make(future, units, Reach::ContextOnly)
    }

    fn make(future: F, units: u8, reach: Reach) -> Budgeted<F, Units> {
        assert!(
            units > 0,
            "a budget of 0 units would never let a task make progress; use at least 1"
        );
        Budgeted {
            settings: Units { units, reach },
            future,
        }
    }
}

impl<F, T: Settings> Budgeted<F, T> {
    /// Keeps this task's [`BudgetMetrics`], read with
    /// [`metrics`](Budgeted::metrics).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::{BudgetMetrics, ContextExt};
    ///
    /// // Takes 20 units, then finishes.
    /// let mut left = 20;
    /// let work = std::future::poll_fn(move |cx| {
    ///     while left > 0 {
    ///         std::task::ready!(cx.poll_cooperate()).made_progress();
    ///         left -= 1;
    ///     }
    ///     Poll::Ready(())
    /// });
    /// let mut task = pin!(Budgeted::context_only(work, 8).with_metrics());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// while task.as_mut().poll(&mut cx).is_pending() {}
    /// assert_eq!(
    ///     task.metrics(),
    ///     BudgetMetrics { polls: 3, units_spent: 20, forced_yields: 2, slice_yields: 0 }
    /// );
    /// ```
    pub fn with_metrics(self) -> Budgeted<F, Tracked> {
        Budgeted {
            settings: self.settings.into_tracked(),
            future: self.future,
        }
    }

    /// Ends each poll's budget when `units` are spent or `slice` is over,
    /// whichever comes first (replacing any slice set before), and keeps
    /// metrics (see the type's docs for where the slice is checked).
    ///
    /// # Examples
    ///
    /// A task whose every unit takes one tick of a clock that the test
    /// controls yields when its slice of 40 ticks is over, long before its
    /// 128 units:
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::task::{Context, Waker};
    /// use coop_adapters::Budgeted;
    /// use task_coop::{ContextExt, TimeSlice};
    ///
    /// static CLOCK: AtomicU64 = AtomicU64::new(0);
    /// fn now() -> u64 {
    ///     CLOCK.load(Ordering::Relaxed)
    /// }
    /// let hog = std::future::poll_fn(|cx| -> std::task::Poll<()> { loop {
    ///     std::task::ready!(cx.poll_cooperate()).made_progress();
    ///     CLOCK.fetch_add(1, Ordering::Relaxed); // one tick per unit
    /// }});
    /// let slice = TimeSlice::with_clock(40, now).check_every(8);
    /// let mut task = pin!(Budgeted::context_only(hog, 128).with_time_slice(slice));
    /// assert!(task.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    /// let metrics = task.metrics();
    /// assert_eq!((metrics.forced_yields, metrics.slice_yields), (1, 1));
    /// assert!(metrics.units_spent < 128);
    /// ```
    pub fn with_time_slice(self, slice: impl Into<TimeSlice>) -> Budgeted<F, Tracked> {
        let mut tracked = self.with_metrics();
        tracked.settings.slice = Some(slice.into());
        tracked
    }

    /// Units each poll starts with.
    pub fn units(&self) -> u8 {
        self.settings.units()
    }

    /// Whether tokio's types are budgeted too: true unless made with
    /// [`context_only`](Budgeted::context_only) or built without the `tokio`
    /// feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::Budgeted;
    ///
    /// assert!(!Budgeted::context_only(async {}, 128).reaches_tokio());
    /// assert_eq!(Budgeted::new(async {}).reaches_tokio(), cfg!(feature = "tokio"));
    /// ```
    pub fn reaches_tokio(&self) -> bool {
        cfg!(feature = "tokio") && self.settings.reaches_tokio_types()
    }
}

impl<F> Budgeted<F, Tracked> {
    /// What the task's polls did so far: polls, units spent, forced yields
    /// and those ended by the time slice. With the `tokio` bridge, units are
    /// tokio's (read after each poll), and a forced yield is a poll that
    /// returned `Pending` with the budget spent.
    pub fn metrics(&self) -> BudgetMetrics {
        self.settings.metrics()
    }

    /// The time slice, if any.
    pub fn time_slice(&self) -> Option<TimeSlice> {
        self.settings.time_slice()
    }
}

impl<F, T> Budgeted<F, T> {
    /// The wrapped future, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut F> {
        self.project().future
    }

    /// Unwraps the task.
    ///
    /// # Examples
    ///
    /// ```
    /// let task = coop_adapters::Budgeted::new(std::future::ready(3));
    /// assert_eq!(futures::executor::block_on(task.into_inner()), 3);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future, T: Settings> Future for Budgeted<F, T> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let settings = this.settings;
        let units = settings.units();
        // Read before the metrics are borrowed; `Untracked` has none.
        let slice = settings.slice();
        let reaches_tokio = settings.reaches_tokio_types();
        let metrics = settings.metrics_mut();
        #[cfg(feature = "tokio")]
        if reaches_tokio {
            let track = metrics.map(|metrics| crate::tokio_bridge::scope::Track { metrics, slice });
            return crate::tokio_bridge::scope::poll_shared(units, None, track, this.future, cx);
        }
        #[cfg(not(feature = "tokio"))]
        let _ = reaches_tokio;
        let future = this.future;
        match metrics {
            None => with_budget(cx, units, |cx| future.poll(cx)),
            Some(metrics) => with_budget_metered(cx, units, slice, metrics, |cx| future.poll(cx)),
        }
    }
}
