//! The stand-in for `ContextBuilder::set_poll_cooperate`: a waker that carries
//! the installed provider for the length of one poll.
//!
//! Stable Rust gives a `Context` nothing but its waker, so the provider rides
//! on the waker. [`install`] builds a [`Carrier`] on its own stack frame (the
//! executor's waker plus the payload), a waker whose data points at it and
//! whose vtable is one of [`CARRIER_VTABLES`], the one of the payload's kind,
//! and polls with a `Context` made from that waker. The lookups recognise
//! the carrier, and what it carries, by the vtable's address:
//! [`lookup_on_context`] asks for one kind with one compare (the hot path),
//! [`lookup`] finds any.
//!
//! Invariants that make this sound:
//!
//! * The carrier waker is only ever lent (`&Waker` inside a `Context` whose
//!   lifetime ends before `install` returns). Its `clone` returns a clone of
//!   the executor's waker, so no owned waker, and nothing stored by a future,
//!   ever points at the carrier frame.
//! * The thread-local [`CURRENT`] (feature `std`) points at the innermost live
//!   carrier frame of this thread or is null. A drop guard puts back the
//!   previous value when `install` returns or unwinds. Each frame records
//!   the one it replaced (`Header::parent`), so the thread's live frames
//!   form a chain, innermost first, every one further up the stack than the
//!   one before.
//! * A carrier never wraps another carrier: `install` unwraps one first, so
//!   `Header::waker` is always the executor's own waker.
//! * A frame marked with the vtable of kind `K` holds the payload type whose
//!   [`Payload::KIND`] is `K`: the waker and the frame's `Header::vtable`
//!   both say so, and each kind has one payload type.
//! * The payload (a provider, not thread-safe) is used only through the
//!   `Context` that `install` made, recognised by its address, or through
//!   the thread-local. A `Context` is neither `Send` nor `Sync`, so that is
//!   the installing thread, even when the carrier waker (which is `Sync`)
//!   was lent to another thread.

use core::cell::Cell;
use core::mem::ManuallyDrop;
use core::ptr;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};

/// What an installation carries to the leaf futures: for the crate, the
/// payload types of `crate::dispatch`. The carrier only copies them in and
/// out, and tells them apart by the carrier vtable their frame is marked
/// with (`CARRIER_VTABLES[KIND]`), so that the most frequent one is found
/// with one compare of the waker's vtable and no tag to test after it.
///
/// # Safety
///
/// Each implementation has its own `KIND` (lifetimes aside), less than
/// `KINDS`: [`lookup`] and [`Found::payload`] read a frame marked with
/// `KIND`, including a frame found through the thread-local that another
/// installation made, as a `Carrier<'_, P>` of the `P` of that kind.
pub(crate) unsafe trait Payload: Copy {
    /// Which carrier vtable marks a frame holding this payload.
    const KIND: usize;
}

/// How many payload types the carrier can tell apart.
const KINDS: usize = 3;

/// The part of a carrier frame that does not depend on the payload type.
#[repr(C)]
struct Header<'a> {
    /// The executor's waker (never itself a carrier).
    waker: &'a Waker,
    /// The address of the one `Context` made for this installation. The
    /// carrier waker is `Sync` and can be lent to another thread, where the
    /// payload must not be used; a `Context` cannot (it is neither `Send` nor
    /// `Sync`), so a context at this address is on the installing thread.
    /// Set once, before the context is lent to the poll.
    context: Cell<*const ()>,
    /// The carrier vtable of the payload's kind, which the frame's waker also
    /// has: how a frame found through the thread-local says what it holds.
    vtable: &'static RawWakerVTable,
    /// The installation this one is nested in (the frame `CURRENT` held
    /// before it), or null: the thread's live frames form a chain, innermost
    /// first. Set once, when the frame is published.
    #[cfg(feature = "std")]
    parent: Cell<*const ()>,
}

/// The stack frame a carrier waker points at.
///
/// `repr(C)` with the header first: the waker's vtable functions and the
/// lookups read the header without knowing the payload type.
#[repr(C)]
struct Carrier<'a, P> {
    header: Header<'a>,
    /// What was installed.
    payload: P,
}

/// The waker vtable of carrier frames, one copy per payload kind.
const CARRIER_VTABLE: RawWakerVTable = RawWakerVTable::new(
    carrier_clone,
    carrier_wake,
    carrier_wake_by_ref,
    carrier_drop,
);

/// The vtables that identify a carrier waker, and which payload kind its
/// frame holds (the index). A non-generic `static`, compared by address: see
/// the crate docs for why nothing else is reliable. Its elements are
/// distinct objects, so distinct addresses, though their contents are equal.
static CARRIER_VTABLES: [RawWakerVTable; KINDS] = [CARRIER_VTABLE; KINDS];

/// The carrier vtable that marks a frame holding a `P`.
#[inline]
fn vtable_of<P: Payload>() -> &'static RawWakerVTable {
    const { assert!(P::KIND < KINDS, "a payload kind without a carrier vtable") };
    &CARRIER_VTABLES[P::KIND]
}

/// Whether `waker` is a carrier waker (of any kind).
#[inline]
fn is_carrier(waker: &Waker) -> bool {
    let offset = ptr::from_ref(waker.vtable())
        .addr()
        .wrapping_sub(CARRIER_VTABLES.as_ptr().addr());
    offset < core::mem::size_of_val(&CARRIER_VTABLES)
}

/// The executor's waker of the carrier frame behind a carrier waker's data.
///
/// # Safety
///
/// `data` is the data of a waker whose vtable is one of [`CARRIER_VTABLES`],
/// used while that waker is lent (so inside the `install` that made it).
unsafe fn frame_waker<'w>(data: *const ()) -> &'w Waker {
    // SAFETY: only `install_for` makes wakers with these vtables; their data
    // points at its `Carrier` frame, which outlives every lend of the waker
    // (the caller's promise). `Carrier` is `repr(C)` with the header first
    // and `Header` with the waker first, so the frame starts with it
    // whatever the payload type.
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
    if is_carrier(waker) {
        // SAFETY: `waker` has a carrier vtable and is borrowed, so it is
        // lent inside the `install` that made it; the result is tied to
        // that borrow.
        TaskWaker(unsafe { frame_waker(waker.data()) })
    } else {
        TaskWaker(waker)
    }
}

/// A carrier frame found for a context: [`payload`](Self::payload) reads
/// what it holds. Only for the call that looked it up (see [`lookup`]).
#[derive(Clone, Copy)]
pub(crate) struct Found<'a> {
    /// The frame, with the provenance of the whole `Carrier` (a reference
    /// to its header would not reach the payload).
    frame: *const (),
    /// The carrier vtable of the frame's payload kind.
    vtable: &'static RawWakerVTable,
    /// The waker to wake if the payload says `Pending`.
    waker: &'a Waker,
}

impl<'a> Found<'a> {
    /// The payload, if the frame holds a `P`.
    #[inline]
    pub(crate) fn payload<P: Payload + 'a>(self) -> Option<P> {
        if ptr::eq(self.vtable, vtable_of::<P>()) {
            // SAFETY: `frame` points at a live carrier frame for `'a` (see
            // `lookup`), marked with `P`'s vtable, so it holds a `P`
            // (`Payload`'s contract).
            Some(unsafe { (*self.frame.cast::<Carrier<'a, P>>()).payload })
        } else {
            None
        }
    }

    /// The waker to wake if the payload says `Pending`: the executor's
    /// waker when the context carries the payload; the leaf's own waker when
    /// it was found through the thread-local.
    #[inline]
    pub(crate) fn waker(self) -> &'a Waker {
        self.waker
    }
}

/// The fast path of a lookup, for a frequent payload type: a `P` if `cx` is
/// the context an installation of a `P` made (one compare of the waker's
/// vtable, no thread-local access), with the executor's waker to wake if it
/// says `Pending`. `None` tells nothing: [`lookup`] then finds whatever is
/// installed.
#[cfg(feature = "alloc")]
#[inline]
pub(crate) fn lookup_on_context<'a, P: Payload + 'a>(
    cx: &'a Context<'_>,
) -> Option<(P, &'a Waker)> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), vtable_of::<P>()) {
        return None;
    }
    // SAFETY: only `install_for` makes wakers with a carrier vtable, with
    // data pointing at its `Carrier` frame, and lends them for less than
    // the frame's life; the borrow is tied to the borrow of the waker. The
    // frame holds a `P` because its vtable is `P`'s (`Payload`'s contract).
    let carrier = unsafe { &*waker.data().cast::<Carrier<'a, P>>() };
    // The context this installation made (or one forwarded by reference,
    // which is the same object): on the installing thread for sure. A
    // context built elsewhere from the same waker (another thread, or a
    // combinator that makes its own) is left to `lookup`.
    if ptr::eq(carrier.header.context.get(), ptr::from_ref(cx).cast()) {
        Some((carrier.payload, carrier.header.waker))
    } else {
        rare();
        None
    }
}

/// Marks the path that calls it as rare, so that the compiler lays out the
/// other one as the straight line (stable Rust has no `likely`). Used where
/// the compiler's own guess is wrong: it takes two pointers to be unequal.
/// Measured on the carrier's context check: 1 instruction and 1 taken jump
/// fewer per budget operation, 2 instructions per tokio one.
#[cfg(feature = "alloc")]
#[cold]
#[inline(always)]
fn rare() {}

/// Finds what is installed for `cx`: the installation that made `cx`; else,
/// with `std`, the innermost installation of this thread (for a leaf polled
/// by a combinator with a waker of its own, or with a context built from
/// another context's waker). `None` if nothing is installed on this context
/// or, with `std`, on this thread.
///
/// A context an installation made is answered by that installation even
/// while an inner one runs: safe code can poll a leaf with it then, since
/// `Context::waker` does not borrow the context (an inner installation can
/// be made on `Context::from_waker(outer.waker())`, leaving `outer` free).
/// With `std`, that installation is found among the thread's live frames
/// (innermost first, a short chain), by the context address each recorded;
/// without `std`, through `cx`'s waker.
///
/// The [`Found`] is for the caller's own use, not to be kept: a frame found
/// through the thread-local lives only while the call runs, and `cx` may
/// outlive it (a context made before the installation, captured by its
/// closure).
#[inline]
pub(crate) fn lookup<'a>(cx: &'a Context<'_>) -> Option<Found<'a>> {
    #[cfg(feature = "std")]
    {
        // Every installation publishes its frame in `CURRENT`: when it is
        // null, nothing is installed on this thread. Read first: it is the
        // whole of the common path with nothing installed.
        let current = tls::CURRENT.with(|c| c.get());
        if current.is_null() {
            return None;
        }
        // SAFETY: `current` is non-null, just read from `CURRENT`.
        Some(unsafe { lookup_in_chain(cx, current) })
    }
    #[cfg(not(feature = "std"))]
    {
        let waker = cx.waker();
        if !is_carrier(waker) {
            return None;
        }
        let frame = waker.data();
        // SAFETY: only `install_for` makes wakers with a carrier vtable,
        // with data pointing at its frame, which starts with a `Header`, and
        // lends them for less than the frame's life; the borrow is tied to
        // the borrow of the waker.
        let header = unsafe { &*frame.cast::<Header<'a>>() };
        // As in `lookup_on_context`: only the context the installation made
        // (a context built elsewhere from the same waker may be on another
        // thread).
        if !ptr::eq(header.context.get(), ptr::from_ref(cx).cast()) {
            return None;
        }
        Some(Found {
            frame,
            vtable: waker.vtable(),
            waker: header.waker,
        })
    }
}

/// [`lookup`] with `std`, once `CURRENT` is known to hold `current`: the
/// thread's live frames walked innermost first. Out of line, so that the
/// walk does not weigh on the inlined hot paths around it (measured: with
/// it inlined, the budget operation's loop took 2 instructions more).
///
/// # Safety
///
/// `current` is the non-null value of `CURRENT` on this thread, read during
/// this call's caller.
#[cfg(feature = "std")]
#[inline(never)]
unsafe fn lookup_in_chain<'a>(cx: &'a Context<'_>, current: *const ()) -> Found<'a> {
    let own = cx.waker();
    let mut task_waker = own;
    let mut frame = current;
    loop {
        // SAFETY: `CURRENT` is non-null only while the `install` frame
        // it points at is running further up this thread's stack (its
        // guard resets it on return and on unwind; the caller's promise
        // is that `current` was read from it), and each frame's
        // `parent` was `CURRENT` when it was published, so it is a
        // frame further up still: every frame of the chain outlives this
        // call, and the caller uses what it finds only during the call.
        let header = unsafe { &*frame.cast::<Header<'a>>() };
        // Two live objects have two addresses: a context at the address
        // an installation recorded is the one it made.
        if ptr::eq(header.context.get(), ptr::from_ref(cx).cast()) {
            return Found {
                frame,
                vtable: header.vtable,
                waker: header.waker,
            };
        }
        // `cx` was built from this installation's carrier waker (only
        // `install_for` makes a waker with a carrier vtable, and its data
        // is its frame): wake the executor's waker behind it, so that the
        // task's own waker is recognised as such.
        if ptr::eq(own.data(), frame) && ptr::eq(own.vtable(), header.vtable) {
            task_waker = header.waker;
        }
        frame = header.parent.get();
        if frame.is_null() {
            break;
        }
    }
    // SAFETY: as above, for the innermost frame.
    let header = unsafe { &*current.cast::<Header<'a>>() };
    Found {
        frame: current,
        vtable: header.vtable,
        waker: task_waker,
    }
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
    let vtable = vtable_of::<P>();
    let carrier = Carrier {
        header: Header {
            waker: waker.get(),
            context: Cell::new(ptr::null()),
            vtable,
            #[cfg(feature = "std")]
            parent: Cell::new(ptr::null()),
        },
        payload,
    };
    let data: *const () = ptr::from_ref(&carrier).cast();
    // SAFETY: the carrier vtable's functions are sound for `data` while
    // `carrier` lives. The waker is never dropped (ManuallyDrop, and its drop
    // does nothing anyway) and is only lent to `f` through a `Context` that
    // cannot outlive this frame; its clones are clones of the executor's
    // waker. The vtable is `P`'s, as `Payload`'s contract requires.
    let waker = ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(data, vtable)) });
    let mut carried = Context::from_waker(&waker);
    carrier.header.context.set(ptr::from_ref(&carried).cast());
    #[cfg(feature = "std")]
    let _scope = tls::Scope::enter(data);
    #[cfg(feature = "std")]
    carrier.header.parent.set(_scope.previous());
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
        /// The frame published before this one (null if none).
        #[inline]
        pub(super) fn previous(&self) -> *const () {
            self.previous
        }

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
