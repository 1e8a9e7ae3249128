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
//! * The payload (`Carrier::payload`: a provider, not thread-safe) is used only through the
//!   `Context` that `install` made, recognised by its address. A `Context` is
//!   neither `Send` nor `Sync`, so that is the installing thread, even when
//!   the carrier waker (which is `Sync`) was lent to another thread.

use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ptr;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};

/// What an installation carries to the leaf futures: for the crate, the
/// `Slot` of `crate::dispatch`. The carrier only copies it in and out.
///
/// # Safety
///
/// At most one type in the crate implements this trait (lifetimes aside):
/// [`lookup`] reads every carrier frame, including frames found through the
/// thread-local that another installation made, as a `Carrier<'_, P>` of the
/// `P` it is asked for, so a second payload type would be read as the first.
pub(crate) unsafe trait Payload: Copy {}

/// The stack frame a carrier waker points at.
///
/// `repr(C)` with `waker` first: the waker's vtable functions read the
/// executor's waker without knowing the payload type.
#[repr(C)]
struct Carrier<'a, P> {
    /// The executor's waker (never itself a carrier).
    waker: &'a Waker,
    /// What was installed.
    payload: P,
    /// The address of the one `Context` made for this installation. The
    /// carrier waker is `Sync` and can be lent to another thread, where `payload`
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

/// The executor's waker of the carrier frame behind a carrier waker's data.
///
/// # Safety
///
/// `data` is the data of a waker whose vtable is [`CARRIER_VTABLE`], used
/// while that waker is lent (so inside the `install` that made it).
unsafe fn frame_waker<'w>(data: *const ()) -> &'w Waker {
    // SAFETY: only `install` makes wakers with `CARRIER_VTABLE`; their data
    // points at its `Carrier` frame, which outlives every lend of the waker
    // (the caller's promise). `Carrier` is `repr(C)` with the waker first, so
    // the frame starts with it whatever the payload type.
    unsafe { *data.cast::<&'w Waker>() }
}

/// Clones the executor's waker: clones never point at the carrier frame.
unsafe fn carrier_clone(data: *const ()) -> RawWaker {
    // SAFETY: the waker vtable contract passes the data of a live waker with
    // this vtable, which is only ever lent inside `install`.
    let waker = unsafe { frame_waker(data) };
    let clone = ManuallyDrop::new(waker.clone());
    RawWaker::new(clone.data(), clone.vtable())
}

/// Only reachable through unsafe code that made an owned carrier waker out of
/// its raw parts; nothing is owned, so waking by value is waking by reference.
unsafe fn carrier_wake(data: *const ()) {
    // SAFETY: the waker vtable contract gives `carrier_wake` the same `data`
    // that `carrier_wake_by_ref` requires.
    unsafe { carrier_wake_by_ref(data) }
}

unsafe fn carrier_wake_by_ref(data: *const ()) {
    // SAFETY: the waker vtable contract passes the data of a live waker with
    // this vtable, which is only ever lent inside `install`.
    unsafe { frame_waker(data) }.wake_by_ref();
}

/// The carrier waker owns nothing.
unsafe fn carrier_drop(_data: *const ()) {}

/// The carrier behind `waker`, if it is one.
#[inline]
fn as_carrier<'w, P: Payload>(waker: &'w Waker) -> Option<&'w Carrier<'w, P>> {
    if ptr::eq(waker.vtable(), &CARRIER_VTABLE) {
        // SAFETY: only `install` makes wakers with `CARRIER_VTABLE`, with data
        // pointing at its `Carrier`, and lends them for less than the frame's
        // life; the returned borrow is tied to the borrow of the waker. The
        // frame holds a `P` because `Payload` has one implementation.
        Some(unsafe { &*waker.data().cast::<Carrier<'w, P>>() })
    } else {
        None
    }
}

/// The executor's own waker behind a context: never a carrier. Only
/// [`task_waker`] makes one, so [`install_for`] cannot wrap a carrier.
#[derive(Clone, Copy)]
pub(crate) struct TaskWaker<'a>(&'a Waker);

impl<'a> TaskWaker<'a> {
    /// The waker.
    #[inline]
    pub(crate) fn get(self) -> &'a Waker {
        self.0
    }
}

/// The executor's own waker behind `waker`: `waker` itself unless it is a
/// carrier.
#[inline]
pub(crate) fn task_waker(waker: &Waker) -> TaskWaker<'_> {
    if ptr::eq(waker.vtable(), &CARRIER_VTABLE) {
        // SAFETY: `waker` has the carrier vtable and is borrowed, so it is
        // lent inside the `install` that made it; the result is tied to
        // that borrow.
        TaskWaker(unsafe { frame_waker(waker.data()) })
    } else {
        TaskWaker(waker)
    }
}

/// Finds what is installed for `cx`: first on its waker (no thread-local
/// access), then, with `std`, in the thread-local.
///
/// Returns the payload and the waker to wake if it says `Pending`: the
/// executor's waker when the context carries the payload; the leaf's own
/// waker when it was found through the thread-local. `None` if nothing is
/// installed on this context or, with `std`, on this thread.
#[inline]
pub(crate) fn lookup<'a, P: Payload + 'a>(cx: &'a Context<'_>) -> Option<(P, &'a Waker)> {
    let waker = cx.waker();
    if let Some(carrier) = as_carrier::<P>(waker) {
        // The context this installation made (or one forwarded by reference,
        // which is the same object): on the installing thread for sure. A
        // context built elsewhere from the same waker (another thread, or a
        // combinator that makes its own) goes on to the thread-local.
        if ptr::eq(carrier.context.get(), ptr::from_ref(cx).cast()) {
            return Some((carrier.payload, carrier.waker));
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
            // poll running inside that frame. It holds a `P` because `Payload`
            // has one implementation.
            let carrier = unsafe { &*current.cast::<Carrier<'a, P>>() };
            return Some((carrier.payload, waker));
        }
    }
    None
}

/// Polls `f` with a context that carries `payload`.
///
/// The context given to `f` has the same executor waker as `cx` (unwrapped if
/// `cx` already carries a provider: the innermost installation wins).
#[inline]
pub(crate) fn install<P: Payload, R>(
    cx: &mut Context<'_>,
    payload: P,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    install_for(task_waker(cx.waker()), payload, f)
}

/// [`install`], for a caller that has already unwrapped the executor's
/// waker (and so does not pay for it twice).
pub(crate) fn install_for<P: Payload, R>(
    waker: TaskWaker<'_>,
    payload: P,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    let carrier = Carrier {
        waker: waker.get(),
        payload,
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
