//! A minimal hand-written carrier: the floor of the *method*, a provider
//! found through a stable `Context` (bench_table rows (c00) and (d00)).
//!
//! On stable Rust a `Context` holds nothing but its waker, so a provider
//! carried in it must ride on the waker: a waker whose vtable is a `static`
//! known to the provider, whose data points at a frame on the installing
//! stack. Every lookup then pays at least what [`lookup`] does:
//!
//! 1. compare `cx.waker().vtable()` with the static's address;
//! 2. read the frame behind `cx.waker().data()`;
//! 3. compare the frame's recorded context address with `cx`, so that the
//!    frame is known to be on this thread (a waker is `Send` and `Sync` and
//!    can be lent elsewhere; a `Context` is neither).
//!
//! The shim's carrier (`task_coop`'s `raw::carrier`) does the same three
//! steps, then reads which provider is installed and reaches its state.
//! Here the state (a `Cell<u8>` counter) sits in the frame itself, so a
//! lookup is followed by nothing but the counter's check and decrement.
//!
//! **A lower bound, not a usable provider.** Nothing here gives units back
//! (no refunds: the figures refill the counter per batch), a cooperation
//! cannot outlive the frame (no lifetime safety for late cooperations: there
//! are no cooperations), and a context that is not the one made here (a
//! combinator's own, or a lookup on another thread) finds nothing (no
//! thread-local fallback). Its wakers wake nothing: clones are
//! [`Waker::noop`]. It exists only for the benchmarks of this package.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::ptr;
use std::task::{Context, RawWaker, RawWakerVTable, Waker};

/// The frame a floor waker's data points at, on [`with_carrier`]'s stack.
#[repr(C)]
pub(crate) struct Frame {
    /// The units left: checked and decremented per operation.
    pub(crate) counter: Cell<u8>,
    /// The same in 32 bits, for (c00w): `Budget`'s own width.
    pub(crate) wide_counter: Cell<u32>,
    /// The address of the one `Context` made for this frame. Set once,
    /// before that context is lent to the caller's closure.
    context: Cell<*const ()>,
}

/// The one vtable that identifies a floor waker, compared by address.
static FLOOR_VTABLE: RawWakerVTable =
    RawWakerVTable::new(floor_clone, floor_wake, floor_wake_by_ref, floor_drop);

/// Clones are the no-op waker: no owned waker ever points at the frame.
unsafe fn floor_clone(_data: *const ()) -> RawWaker {
    let noop = Waker::noop();
    RawWaker::new(noop.data(), noop.vtable())
}

/// Wakes nothing (the benchmarks never wake).
unsafe fn floor_wake(_data: *const ()) {}

/// Wakes nothing (the benchmarks never wake).
unsafe fn floor_wake_by_ref(_data: *const ()) {}

/// A floor waker owns nothing.
unsafe fn floor_drop(_data: *const ()) {}

/// Runs `f` with a context whose waker carries a [`Frame`] holding a counter
/// of `units`.
#[inline(always)]
pub(crate) fn with_carrier<R>(units: u8, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
    let frame = Frame {
        counter: Cell::new(units),
        wide_counter: Cell::new(u32::from(units)),
        context: Cell::new(ptr::null()),
    };
    let data: *const () = ptr::from_ref(&frame).cast();
    // SAFETY: `RawWaker`/`RawWakerVTable` contract: each vtable function must
    // be sound for `data` as long as a waker with it exists. `floor_clone`
    // returns the no-op waker's own raw parts (a valid `RawWaker` by
    // `Waker::noop`'s contract) and ignores `data`; the other three do
    // nothing. The waker itself is never dropped (ManuallyDrop; its drop is a
    // no-op anyway) and is only lent to `f` through a `Context` that cannot
    // outlive this frame, so [`lookup`]'s reads of `data` see a live `Frame`.
    let waker = ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(data, &FLOOR_VTABLE)) });
    let mut cx = Context::from_waker(&waker);
    frame.context.set(ptr::from_ref(&cx).cast());
    f(&mut cx)
}

/// The frame carried by `cx`, if `cx` is the context [`with_carrier`] made
/// for it: the three steps every lookup through a stable `Context` pays.
#[inline(always)]
pub(crate) fn lookup<'a>(cx: &'a Context<'_>) -> Option<&'a Frame> {
    let waker = cx.waker();
    if !ptr::eq(waker.vtable(), &FLOOR_VTABLE) {
        return None;
    }
    // SAFETY: only `with_carrier` makes wakers with `FLOOR_VTABLE` (the
    // static is private and its clones are no-op wakers), with data pointing
    // at its `Frame`, and lends them only inside a `Context` that does not
    // outlive that frame; `cx` borrows such a waker, so the frame is live for
    // `'a`. The frame's fields are `Cell`s, so a shared borrow is all it
    // takes. It is read on the thread that made it: the only wakers this
    // package makes are lent to the closure on that thread.
    let frame = unsafe { &*waker.data().cast::<Frame>() };
    if ptr::eq(frame.context.get(), ptr::from_ref(cx).cast()) {
        Some(frame)
    } else {
        // The same layout hint as the shim's lookup (`task_coop`'s carrier):
        // a floor compiled worse than the code it bounds would not be one.
        rare();
        None
    }
}

/// Marks the path that calls it as rare (stable Rust has no `likely`).
#[cold]
#[inline(always)]
fn rare() {}
