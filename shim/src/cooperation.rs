//! [`Cooperation`] and [`CooperationVTable`]: one attempt to spend a unit of
//! the task's budget.
//!
//! A `Cooperation` is to a budget what a [`Waker`](core::task::Waker) is to a
//! scheduler: a data word plus a static vtable, so that any executor can give
//! it its own meaning without generics. What can go wrong lives in the vtable
//! contract below: a provider whose functions do not follow it makes
//! [`Cooperation::made_progress`] or `drop` undefined behaviour. Providers that
//! do not want to think about that implement the safe `Cooperate` trait
//! instead (feature `alloc`).
//!
//! This module knows no provider. What [`Cooperation::made_progress`] and
//! `drop` do is in `dispatch.rs`, next to the crate's own vtables, so that
//! their fast paths inline; for any other vtable they end here, in
//! [`Cooperation::made_progress_by_vtable`] and
//! [`Cooperation::drop_by_vtable`].

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
    /// Called by [`Cooperation::made_progress`] with the cooperation's data:
    /// the work was done, the unit stays spent. Takes ownership of `data`
    /// (releases what `drop` would have released); at most once per
    /// cooperation, and never together with `drop`.
    made_progress: unsafe fn(*const ()),
    /// Called when the cooperation is dropped without progress, with its
    /// data: releases what `data` holds, and usually gives the unit back. At
    /// most once per cooperation, and never together with `made_progress`.
    drop: unsafe fn(*const ()),
}

impl CooperationVTable {
    /// Creates a vtable from the two functions of its [contract](Self#contract).
    ///
    /// Both functions get the `data` pointer that was given to
    /// [`Cooperation::from_raw`] with this vtable. For each cooperation,
    /// exactly one of them is called, at most once (never, if the cooperation
    /// is forgotten), on the thread that made the cooperation, at any time
    /// after it was made: also after the poll that made it returned and after
    /// its provider was dropped. Neither should unwind or wake the task.
    ///
    /// To recognise cooperations of your own later (by
    /// [`Cooperation::vtable`]), put the vtable in one non-generic `static` and
    /// compare addresses with [`core::ptr::eq`]; a `const` or a comparison by
    /// value is not reliable across crates and codegen units.
    ///
    /// # `made_progress`
    ///
    /// This function is called when [`Cooperation::made_progress`] is called
    /// on the cooperation: the future did the work the unit stands for. The
    /// unit stays spent. It takes ownership of `data`: it must release
    /// whatever resources `drop` would have released.
    ///
    /// # `drop`
    ///
    /// This function is called when the cooperation is dropped without
    /// `made_progress` having been called. It must release the resources
    /// `data` holds; a budgeting provider usually gives the unit back here,
    /// as tokio's `RestoreOnPending` does.
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

/// A vtable function for cooperations whose data holds nothing: ignores it.
/// A safe `fn`, which coerces to the `unsafe fn` a vtable takes.
pub(crate) fn do_nothing(_data: *const ()) {}

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
    /// Prefer the safe [`Cooperate`] trait (feature `alloc`) unless you need
    /// a representation without reference counting.
    ///
    /// # Safety
    ///
    /// `vtable`'s functions must follow the [`CooperationVTable` contract]
    /// for this `data`: calling either of them once with `data`, on this
    /// thread, at any later time, must be sound.
    ///
    /// The parts of a cooperation that was taken apart ([`data`](Self::data)
    /// and [`vtable`](Self::vtable), then [`core::mem::forget`]) meet this
    /// for each other, once: put back together, they are that cooperation
    /// again. Parts of two different cooperations are not promised to: a
    /// provider's vtable may stand for more than its functions. (Crossing
    /// two of this crate's `Budget` cooperations happens to be harmless:
    /// they share one vtable, and each data pointer carries its own units
    /// to give back.)
    ///
    /// [`CooperationVTable` contract]: CooperationVTable#contract
    ///
    /// # Examples
    ///
    /// See [`CooperationVTable::new`].
    ///
    // Without `alloc` there is no `Cooperate`: the link goes to the feature table.
    #[cfg_attr(feature = "alloc", doc = "[`Cooperate`]: crate::Cooperate")]
    #[cfg_attr(not(feature = "alloc"), doc = "[`Cooperate`]: crate#features")]
    #[inline]
    pub const unsafe fn from_raw(data: *const (), vtable: &'static CooperationVTable) -> Self {
        Self { data, vtable }
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

    /// Ends the cooperation through its vtable's `made_progress`: what
    /// [`made_progress`](Self::made_progress) does for a vtable that is not
    /// one of the crate's own.
    #[inline]
    pub(crate) fn made_progress_by_vtable(self) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `from_raw`'s caller promised that `made_progress` may be
        // called once with `data`, on this thread (a `Cooperation` is not
        // `Send`), at any time; `this` is consumed and never dropped, so no
        // vtable function is called for `data` again.
        unsafe { (this.vtable.made_progress)(this.data) }
    }

    /// Ends the cooperation through its vtable's `drop`: what dropping it
    /// does for a vtable that is not one of the crate's own.
    #[inline]
    pub(crate) fn drop_by_vtable(self) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `from_raw`'s caller promised that `drop` may be called once
        // with `data`, on this thread (a `Cooperation` is not `Send`), at any
        // time; `this` is consumed and never dropped, so no vtable function
        // is called for `data` again.
        unsafe { (this.vtable.drop)(this.data) }
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
