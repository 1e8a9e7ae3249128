//! The stand-in for `ContextBuilder::set_poll_cooperate`: a waker that carries
//! the installed provider for the length of one poll.
//!
//! Stable Rust gives a `Context` nothing but its waker, so the provider rides
//! on the waker. [`install`] builds a [`Carrier`] on its own stack frame (the
//! executor's waker plus the provider), a waker whose data points at it and
//! whose vtable is [`CARRIER_VTABLE`], and polls with a `Context` made from
//! that waker. [`lookup`] recognises the carrier by the vtable's address.
//!
//! Invariants that make this sound:
//!
//! * The carrier waker is only ever lent (`&Waker` inside a `Context` whose
//!   lifetime ends before `install` returns). Its `clone` returns a clone of
//!   the executor's waker, so no owned waker, and nothing stored by a future,
//!   ever points at the carrier frame.
//! * The thread-local [`CURRENT`] (feature `std`) points at the innermost live
//!   carrier frame of this thread or is null. A drop guard puts back the
//!   previous value when `install` returns or unwinds.
//! * A carrier never wraps another carrier: `install` unwraps one first, so
//!   `Carrier::waker` is always the executor's own waker.
//! * The provider (`Carrier::slot`, not thread-safe) is used only through the
//!   `Context` that `install` made, recognised by its address. A `Context` is
//!   neither `Send` nor `Sync`, so that is the installing thread, even when
//!   the carrier waker (which is `Sync`) was lent to another thread.

use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ptr;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::{Cooperation, CooperationProvider};

/// What is installed for a poll.
#[derive(Clone, Copy)]
pub(crate) enum Slot<'a> {
    /// The opt-out: `poll_cooperate` is always `Ready(unconstrained)`.
    Unconstrained,
    /// A [`Budget`](crate::Budget), special-cased so its fast path inlines.
    #[cfg(feature = "alloc")]
    Budget(crate::raw::budget_cell::CellRef<'a>),
    /// tokio's budget ([`TokioBudget`](crate::TokioBudget)), special-cased
    /// like `Budget` so that its check inlines.
    #[cfg(feature = "tokio")]
    Tokio,
    /// Any other provider.
    Provider(&'a dyn CooperationProvider),
}

impl Slot<'_> {
    /// Answers `poll_cooperate` for a leaf whose context waker is `waker`.
    #[inline]
    pub(crate) fn poll_cooperate(self, waker: &Waker) -> Poll<Cooperation> {
        // The budget first, on its own branch rather than through a jump
        // table: it is the hot case.
        #[cfg(feature = "alloc")]
        if let Slot::Budget(cell) = self {
            return cell.poll_take(waker);
        }
        match self {
            Slot::Unconstrained => Poll::Ready(Cooperation::unconstrained()),
            #[cfg(feature = "alloc")]
            Slot::Budget(cell) => cell.poll_take(waker),
            #[cfg(feature = "tokio")]
            Slot::Tokio => crate::tokio_budget::poll_cooperate(waker),
            Slot::Provider(provider) => provider.poll_cooperate(waker),
        }
    }

    /// The units the installed provider says it has left, if it counts them.
    pub(crate) fn remaining(self) -> Option<u32> {
        match self {
            Slot::Unconstrained => None,
            #[cfg(feature = "alloc")]
            Slot::Budget(cell) => Some(u32::from(cell.remaining())),
            #[cfg(feature = "tokio")]
            Slot::Tokio => None,
            Slot::Provider(provider) => provider.remaining(),
        }
    }
}

/// The stack frame a carrier waker points at.
struct Carrier<'a> {
    /// The executor's waker (never itself a carrier).
    waker: &'a Waker,
    slot: Slot<'a>,
    /// The address of the one `Context` made for this installation. The
    /// carrier waker is `Sync` and can be lent to another thread, where `slot`
    /// must not be used; a `Context` cannot (it is neither `Send` nor `Sync`),
    /// so a context at this address is on the installing thread. Set once,
    /// before the context is lent to the poll.
    context: Cell<*const ()>,
}

/// The one vtable that identifies a carrier waker. A non-generic `static`,
/// compared by address: see the crate docs for why nothing else is reliable.
static CARRIER_VTABLE: RawWakerVTable = RawWakerVTable::new(
    carrier_clone,
    carrier_wake,
    carrier_wake_by_ref,
    carrier_drop,
);

/// Clones the executor's waker: clones never point at the carrier frame.
unsafe fn carrier_clone(data: *const ()) -> RawWaker {
    // SAFETY: a carrier waker's data always points at a live `Carrier`: the
    // waker is only lent inside `install`, while the frame exists.
    let carrier = unsafe { &*data.cast::<Carrier<'_>>() };
    let clone = ManuallyDrop::new(carrier.waker.clone());
    RawWaker::new(clone.data(), clone.vtable())
}

/// Only reachable through unsafe code that made an owned carrier waker out of
/// its raw parts; nothing is owned, so waking by value is waking by reference.
unsafe fn carrier_wake(data: *const ()) {
    // SAFETY: forwarded contract of `carrier_wake_by_ref`.
    unsafe { carrier_wake_by_ref(data) }
}

unsafe fn carrier_wake_by_ref(data: *const ()) {
    // SAFETY: as in `carrier_clone`.
    let carrier = unsafe { &*data.cast::<Carrier<'_>>() };
    carrier.waker.wake_by_ref();
}

/// The carrier waker owns nothing.
unsafe fn carrier_drop(_data: *const ()) {}

/// The carrier behind `waker`, if it is one.
#[inline]
fn as_carrier<'w>(waker: &'w Waker) -> Option<&'w Carrier<'w>> {
    if ptr::eq(waker.vtable(), &CARRIER_VTABLE) {
        // SAFETY: only `install` makes wakers with `CARRIER_VTABLE`, with data
        // pointing at its `Carrier`, and lends them for less than the frame's
        // life; the returned borrow is tied to the borrow of the waker.
        Some(unsafe { &*waker.data().cast::<Carrier<'w>>() })
    } else {
        None
    }
}

/// The executor's own waker behind `waker`: `waker` itself unless it is a
/// carrier.
#[inline]
pub(crate) fn task_waker(waker: &Waker) -> &Waker {
    match as_carrier(waker) {
        Some(carrier) => carrier.waker,
        None => waker,
    }
}

/// What `poll_cooperate` finds for a context.
pub(crate) enum Found<'a> {
    /// Something is installed: ask it, passing it this waker (the executor's
    /// waker when the context carries the provider; the leaf's own waker when
    /// it was found through the thread-local).
    Installed(Slot<'a>, &'a Waker),
    /// Nothing is installed on this context or, with `std`, on this thread.
    Nothing,
}

/// Finds the provider for `cx`: first on its waker (no thread-local access),
/// then, with `std`, in the thread-local.
#[inline]
pub(crate) fn lookup<'a>(cx: &'a Context<'_>) -> Found<'a> {
    let waker = cx.waker();
    if let Some(carrier) = as_carrier(waker) {
        // The context this installation made (or one forwarded by reference,
        // which is the same object): on the installing thread for sure. A
        // context built elsewhere from the same waker (another thread, or a
        // combinator that makes its own) goes on to the thread-local.
        if ptr::eq(carrier.context.get(), ptr::from_ref(cx).cast()) {
            return Found::Installed(carrier.slot, carrier.waker);
        }
    }
    #[cfg(feature = "std")]
    {
        let current = tls::CURRENT.with(|c| c.get());
        if !current.is_null() {
            // SAFETY: `CURRENT` is non-null only while the `install` frame it
            // points at is running further up this thread's stack (its guard
            // resets it on return and on unwind), so the carrier outlives this
            // call. The borrow is tied to `cx`, which does not outlive the
            // poll running inside that frame.
            let carrier = unsafe { &*current.cast::<Carrier<'a>>() };
            return Found::Installed(carrier.slot, waker);
        }
    }
    Found::Nothing
}

/// Polls `f` with a context whose `poll_cooperate` is answered by `slot`.
///
/// The context given to `f` has the same executor waker as `cx` (unwrapped if
/// `cx` already carries a provider: the innermost installation wins).
pub(crate) fn install<R>(
    cx: &mut Context<'_>,
    slot: Slot<'_>,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    let carrier = Carrier {
        waker: task_waker(cx.waker()),
        slot,
        context: Cell::new(ptr::null()),
    };
    let data: *const () = ptr::from_ref(&carrier).cast();
    // SAFETY: `CARRIER_VTABLE`'s functions are sound for `data` while
    // `carrier` lives. The waker is never dropped (ManuallyDrop, and its drop
    // does nothing anyway) and is only lent to `f` through a `Context` that
    // cannot outlive this frame; its clones are clones of `carrier.waker`.
    let waker = ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(data, &CARRIER_VTABLE)) });
    let mut carried = Context::from_waker(&waker);
    carrier.context.set(ptr::from_ref(&carried).cast());
    #[cfg(feature = "std")]
    let _scope = tls::Scope::enter(data);
    f(&mut carried)
}

#[cfg(feature = "std")]
mod tls {
    use core::cell::Cell;
    use core::ptr;

    std::thread_local! {
        /// The innermost carrier frame being polled on this thread, or null.
        /// The only thread-local of the crate. Read by `lookup` only when the
        /// context is not the one an installation made (its waker is not a
        /// carrier, or it is a context built elsewhere from a carrier);
        /// written by `install` twice.
        pub(super) static CURRENT: Cell<*const ()> = const { Cell::new(ptr::null()) };
    }

    /// Publishes a carrier frame in `CURRENT` and puts back the previous one
    /// on drop, on return and on unwind alike.
    pub(super) struct Scope {
        mine: *const (),
        previous: *const (),
    }

    impl Scope {
        #[inline]
        pub(super) fn enter(carrier: *const ()) -> Self {
            Self {
                mine: carrier,
                previous: CURRENT.with(|c| c.replace(carrier)),
            }
        }
    }

    impl Drop for Scope {
        #[inline]
        fn drop(&mut self) {
            let found = CURRENT.with(|c| c.replace(self.previous));
            if found != self.mine {
                // Installations ended out of order: only stackful coroutines
                // switched inside a poll can do that. Putting `previous` back
                // could publish a frame that is gone; stop instead.
                std::process::abort();
            }
        }
    }
}
