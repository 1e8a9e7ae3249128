//! [`Cooperation`] and [`CooperationVTable`]: one attempt to spend a unit of
//! the task's budget.
//!
//! A `Cooperation` is to a budget what a [`Waker`](core::task::Waker) is to a
//! scheduler: a data word plus a static vtable, so that any executor can give
//! it its own meaning without generics. What can go wrong lives in the vtable
//! contract below: a provider whose functions do not follow it makes
//! [`Cooperation::made_progress`] or `drop` undefined behaviour. Providers that
//! do not want to think about that implement the safe [`Cooperate`] trait
//! instead.
//!
//! [`Cooperate`]: crate::Cooperate

use core::fmt;
use core::mem::ManuallyDrop;
use core::ptr;

/// The vtable of a [`Cooperation`]: what its provider does when the future
/// made progress, and when it drops the cooperation without progress.
///
/// The pointer passed to both functions is the `data` pointer given to
/// [`Cooperation::from_raw`] together with this vtable.
///
/// # Contract
///
/// These functions must all be sound to call on the thread where the
/// cooperation was created, at any time after it was created, including after
/// the executor poll that created it has returned and after the provider that
/// created it was dropped: a future may keep a `Cooperation` in its state and
/// drop it in a later poll, or never (see [`core::mem::forget`]), and the type
/// has no lifetime to stop it.
///
/// For each cooperation, exactly one of the two functions is called, at most
/// once (never, if the cooperation is forgotten):
///
/// * `made_progress`: called by [`Cooperation::made_progress`]. It takes
///   ownership of `data`: it must release whatever `drop` would have released.
///   The budget unit the cooperation stands for stays spent.
/// * `drop`: called when the cooperation is dropped without progress. It must
///   release the resources `data` holds. A budgeting provider usually gives
///   the unit back here, as tokio's `RestoreOnPending` does.
///
/// Neither function should unwind or wake the task. If one unwinds anyway,
/// the cooperation counts as consumed: neither function is called for it
/// again.
#[derive(Copy, Clone, Debug)]
pub struct CooperationVTable {
    made_progress: unsafe fn(*const ()),
    drop: unsafe fn(*const ()),
}

impl CooperationVTable {
    /// Creates a vtable from the two functions of its [contract](Self#contract).
    ///
    /// To recognise cooperations of your own later (by
    /// [`Cooperation::vtable`]), put the vtable in one non-generic `static` and
    /// compare addresses with [`core::ptr::eq`]; a `const` or a comparison by
    /// value is not reliable across crates and codegen units.
    ///
    /// # Examples
    ///
    /// ```
    /// use task_coop::{Cooperation, CooperationVTable};
    ///
    /// unsafe fn nothing(_data: *const ()) {}
    /// static VTABLE: CooperationVTable = CooperationVTable::new(nothing, nothing);
    ///
    /// // SAFETY: `nothing` ignores its argument, so any data pointer is fine.
    /// let cooperation = unsafe { Cooperation::from_raw(core::ptr::null(), &VTABLE) };
    /// assert!(core::ptr::eq(cooperation.vtable(), &VTABLE));
    /// ```
    pub const fn new(made_progress: unsafe fn(*const ()), drop: unsafe fn(*const ())) -> Self {
        Self {
            made_progress,
            drop,
        }
    }
}

/// The vtable of [`Cooperation::unconstrained`]: both functions do nothing.
///
/// A `static` (not a `const`), so that its address identifies it.
static UNCONSTRAINED_VTABLE: CooperationVTable = CooperationVTable::new(do_nothing, do_nothing);

/// Ignores the data pointer; the unconstrained cooperation holds nothing.
unsafe fn do_nothing(_data: *const ()) {}

/// Permission to do one unit of work, handed out by the task's budget through
/// [`ContextExt::poll_cooperate`].
///
/// A future that does budgeted work (receives a message, reads bytes, takes a
/// lock) first calls `ready!(cx.poll_cooperate())`. If the task has budget
/// left it gets a `Cooperation`; when the work actually happened it calls
/// [`made_progress`](Self::made_progress), and the unit stays spent. If it is
/// dropped without progress (the channel was empty after all), the unit goes
/// back to the budget, so that a task waiting for something is never charged
/// for waiting.
///
/// Not `Send`, not `Sync`: it belongs to the poll of one task on one thread.
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<task_coop::Cooperation>();
/// ```
///
/// ```compile_fail
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<task_coop::Cooperation>();
/// ```
///
/// # Examples
///
/// ```
/// use std::task::{Context, Poll};
/// use task_coop::ContextExt;
///
/// fn poll_recv(queue: &mut Vec<u32>, cx: &mut Context<'_>) -> Poll<Option<u32>> {
///     let mut coop = std::task::ready!(cx.poll_cooperate());
///     let item = queue.pop();
///     if item.is_some() {
///         coop.made_progress();
///     }
///     Poll::Ready(item)
/// }
///
/// // With no budget installed, every call is Ready.
/// let mut cx = Context::from_waker(std::task::Waker::noop());
/// let mut queue = vec![1, 2];
/// assert_eq!(poll_recv(&mut queue, &mut cx), Poll::Ready(Some(2)));
/// ```
///
/// [`ContextExt::poll_cooperate`]: crate::ContextExt::poll_cooperate
#[must_use = "dropping a Cooperation at once gives its unit back; call made_progress() when work was done"]
pub struct Cooperation {
    data: *const (),
    vtable: &'static CooperationVTable,
}

impl Cooperation {
    /// The cooperation of an executor with no budget: `made_progress` and
    /// `drop` do nothing.
    ///
    /// This is what [`poll_cooperate`](crate::ContextExt::poll_cooperate)
    /// returns when no provider is installed, and inside
    /// [`unconstrained`](crate::unconstrained).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut coop = task_coop::Cooperation::unconstrained();
    /// assert!(coop.is_unconstrained());
    /// coop.made_progress();
    /// ```
    #[inline]
    pub const fn unconstrained() -> Self {
        Self {
            data: ptr::null(),
            vtable: &UNCONSTRAINED_VTABLE,
        }
    }

    /// Creates a cooperation from a data pointer and a vtable.
    ///
    /// Prefer the safe [`Cooperate`](crate::Cooperate) trait unless you need
    /// a representation without reference counting.
    ///
    /// # Safety
    ///
    /// `vtable`'s functions must follow the [`CooperationVTable` contract]
    /// for this `data`: calling either of them once with `data`, on this
    /// thread, at any later time, must be sound.
    ///
    /// [`CooperationVTable` contract]: CooperationVTable#contract
    ///
    /// # Examples
    ///
    /// See [`CooperationVTable::new`].
    #[inline]
    pub const unsafe fn from_raw(data: *const (), vtable: &'static CooperationVTable) -> Self {
        Self { data, vtable }
    }

    /// Records that the future did work it will not need to do again: a
    /// message was received, bytes were read (or end of file or an error was
    /// reached), a lock was acquired. The unit this cooperation stands for
    /// stays spent.
    ///
    /// Polling a sub-future is not progress; a read that returned `Pending`
    /// or zero bytes into a non-empty buffer is not progress. Calling this
    /// when no progress was made can make a task that waits for something
    /// spin until its budget runs out on every poll.
    ///
    /// After this call the cooperation is [unconstrained](Self::unconstrained):
    /// calling it again does nothing.
    #[inline]
    pub fn made_progress(&mut self) {
        // The budget's cooperation first: the hot case, one compare.
        #[cfg(feature = "alloc")]
        if crate::raw::budget_cell::is_budget_vtable(self.vtable) {
            let this = ManuallyDrop::new(core::mem::take(self));
            // SAFETY: as below; this is the function `BUDGET_VTABLE` holds,
            // called directly so that the budget's fast path inlines.
            unsafe { crate::raw::budget_cell::made_progress(this.data) };
            return;
        }
        if self.is_unconstrained() {
            return;
        }
        let this = ManuallyDrop::new(core::mem::take(self));
        #[cfg(feature = "tokio")]
        if crate::tokio_budget::is_tokio_vtable(this.vtable) {
            // SAFETY: as below; this is the function `TOKIO_VTABLE` holds.
            unsafe { crate::tokio_budget::spend_unit(this.data) };
            return;
        }
        // SAFETY: `from_raw`'s caller promised that `made_progress` may be
        // called once with `data` at any time; `this` is never dropped, so
        // neither vtable function is called for `data` again.
        unsafe { (this.vtable.made_progress)(this.data) }
    }

    /// Whether this is the [unconstrained](Self::unconstrained) cooperation.
    #[inline]
    pub fn is_unconstrained(&self) -> bool {
        ptr::eq(self.vtable, &UNCONSTRAINED_VTABLE)
    }

    /// The data pointer given to [`from_raw`](Self::from_raw).
    #[inline]
    pub fn data(&self) -> *const () {
        self.data
    }

    /// The vtable given to [`from_raw`](Self::from_raw).
    #[inline]
    pub fn vtable(&self) -> &'static CooperationVTable {
        self.vtable
    }
}

impl Drop for Cooperation {
    #[inline]
    fn drop(&mut self) {
        if self.is_unconstrained() {
            return;
        }
        // Dropping a tokio-backed cooperation does nothing (the unit is only
        // spent at `made_progress`).
        #[cfg(feature = "tokio")]
        if crate::tokio_budget::is_tokio_vtable(self.vtable) {
            return;
        }
        #[cfg(feature = "alloc")]
        if crate::raw::budget_cell::is_budget_vtable(self.vtable) {
            // SAFETY: as below; this is the function `BUDGET_VTABLE` holds,
            // called directly so that the budget's fast path inlines.
            unsafe { crate::raw::budget_cell::drop_cooperation(self.data) };
            return;
        }
        // SAFETY: `from_raw`'s caller promised that `drop` may be called once
        // with `data` at any time; `made_progress` replaces `self` before
        // calling its own function, so this is the only call.
        unsafe { (self.vtable.drop)(self.data) }
    }
}

impl Default for Cooperation {
    /// [`Cooperation::unconstrained`].
    fn default() -> Self {
        Self::unconstrained()
    }
}

impl fmt::Debug for Cooperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cooperation")
            .field("data", &self.data)
            .field("vtable", &ptr::from_ref(self.vtable))
            .field("unconstrained", &self.is_unconstrained())
            .finish()
    }
}
