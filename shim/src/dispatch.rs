//! How `poll_cooperate` reaches the installed provider, and how a
//! [`Cooperation`] gets back to the provider that made it: the one module
//! that knows the crate's concrete providers (a `Budget`'s cell, tokio's
//! budget, the opt-out, any `dyn CooperationProvider`).
//!
//! * [`BudgetSlot`], [`TokioSlot`] and [`OtherSlot`] are what an
//!   installation carries (the carrier's payload kinds); the `install_*`
//!   functions are the only way to make one.
//! * [`poll_cooperate`] and [`remaining`] answer for a context.
//! * `Cooperation::made_progress` and `Drop for Cooperation` are implemented
//!   here: for the crate's own vtables (`vtables.rs`) they call the
//!   provider's function directly and it inlines (the budget's check is a few
//!   nanoseconds, on every message a channel receives). Any other vtable goes
//!   through its function pointers in `cooperation.rs`.
//!
//! What can go wrong here: pairing a data pointer with the wrong vtable. Each
//! `Cooperation::from_raw` below pairs the data a `raw` function made with a
//! vtable of that same module's functions, and the fast paths call those
//! functions only after recognising the vtable by its address.

#[cfg(feature = "alloc")]
use core::task::Waker;
use core::task::{Context, Poll};

use crate::cooperation::Cooperation;
use crate::provider::CooperationProvider;
#[cfg(feature = "alloc")]
use crate::raw::budget_cell::{self, CellRef};
#[cfg(feature = "alloc")]
use crate::raw::carrier::TaskWaker;
use crate::raw::carrier::{self, Found, Payload};
#[cfg(feature = "alloc")]
use crate::vtables;

/// What a `Budget`'s installation carries: its cell. A payload kind of its
/// own, so that `poll_cooperate` finds it with one compare of the waker's
/// vtable and inlines its fast path: it is the hot case (the budget's
/// check is a few nanoseconds, on every message a channel receives).
#[cfg(feature = "alloc")]
#[derive(Clone, Copy)]
struct BudgetSlot<'a>(CellRef<'a>);

/// What a `TokioBudget`'s installation carries: nothing, its kind says it
/// all. Special-cased like `Budget` so that its check inlines.
#[cfg(feature = "tokio")]
#[derive(Clone, Copy)]
struct TokioSlot;

/// The installations that are neither a `Budget` nor tokio's.
#[derive(Clone, Copy)]
enum OtherSlot<'a> {
    /// The opt-out: `poll_cooperate` is always `Ready(unconstrained)`.
    Unconstrained,
    /// Any other provider.
    Provider(&'a dyn CooperationProvider),
}

// SAFETY: the crate's three payload types, each with its own kind (0, 1 and
// 2), less than the carrier's three.
#[cfg(feature = "alloc")]
unsafe impl Payload for BudgetSlot<'_> {
    const KIND: usize = 0;
}
// SAFETY: as above.
#[cfg(feature = "tokio")]
unsafe impl Payload for TokioSlot {
    const KIND: usize = 1;
}
// SAFETY: as above.
unsafe impl Payload for OtherSlot<'_> {
    const KIND: usize = 2;
}

/// `poll_cooperate` for `cx`: the installed provider, found on its waker or,
/// with `std`, in the thread-local; with nothing installed, tokio's budget if
/// the feature is on, else no budget.
///
/// Always inlined: it is the hot path of every budgeted operation, and it
/// only pays when the caller sees which provider's cooperation it got (so
/// that `made_progress` and the drop call the budget's functions directly).
/// Left to the compiler's choice, it was not inlined once it had these
/// three paths (measured: a budget operation took 44 instructions instead
/// of 23).
#[inline(always)]
pub(crate) fn poll_cooperate(cx: &Context<'_>) -> Poll<Cooperation> {
    // The hot cases first, each one compare of the waker's vtable: tokio's
    // or a budget, on the context their installation made. tokio's first:
    // measured in `bench_table` (7 interleaved runs of each order), its
    // operation then stays within 1.15 times tokio's own calls in all 7
    // (1.16 to 1.21 with the budget first), and the budget's within 1.25
    // times a bare counter in 4 of 7 either way.
    #[cfg(feature = "tokio")]
    if carrier::lookup_on_context::<TokioSlot>(cx).is_some() {
        return poll_tokio_for(cx);
    }
    #[cfg(feature = "alloc")]
    if let Some((BudgetSlot(cell), waker)) = carrier::lookup_on_context(cx) {
        return poll_budget(cell, waker);
    }
    // Nothing on this context: the thread's installations, else tokio's
    // budget (unconstrained off tokio).
    #[cfg(feature = "tokio")]
    {
        if let Some(found) = carrier::lookup(cx) {
            return poll_found(found);
        }
        poll_tokio_for(cx)
    }
    #[cfg(not(feature = "tokio"))]
    match carrier::lookup(cx) {
        Some(found) => poll_found(found),
        None => Poll::Ready(Cooperation::unconstrained()),
    }
}

/// `poll_cooperate` from whatever `found` holds: the less frequent cases (a
/// frame found through the thread-local, a context built elsewhere from a
/// carrier waker, other providers).
#[inline]
fn poll_found(found: Found<'_>) -> Poll<Cooperation> {
    #[cfg(feature = "alloc")]
    if let Some(BudgetSlot(cell)) = found.payload() {
        return poll_found_budget(cell, found.waker());
    }
    #[cfg(feature = "tokio")]
    if let Some(TokioSlot) = found.payload() {
        return poll_tokio(found.waker());
    }
    match found.payload() {
        Some(OtherSlot::Unconstrained) => Poll::Ready(Cooperation::unconstrained()),
        Some(OtherSlot::Provider(provider)) => provider.poll_cooperate(found.waker()),
        None => unreachable!("a carrier frame holds one of the crate's payload types"),
    }
}

/// The units the provider installed for `cx` has left, if it counts them.
pub(crate) fn remaining(cx: &Context<'_>) -> Option<u32> {
    let found = carrier::lookup(cx)?;
    #[cfg(feature = "alloc")]
    if let Some(BudgetSlot(cell)) = found.payload() {
        return Some(u32::from(cell.remaining()));
    }
    match found.payload() {
        Some(OtherSlot::Provider(provider)) => provider.remaining(),
        // The opt-out and tokio's budget (whose units tokio keeps to itself).
        _ => None,
    }
}

/// Polls `f` with a context whose `poll_cooperate` is answered by `provider`.
pub(crate) fn install_provider<R>(
    cx: &mut Context<'_>,
    provider: &dyn CooperationProvider,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    carrier::install(cx, OtherSlot::Provider(provider), f)
}

/// Polls `f` with a context whose `poll_cooperate` is always
/// `Ready(Cooperation::unconstrained())`.
pub(crate) fn install_unconstrained<R>(
    cx: &mut Context<'_>,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    carrier::install(cx, OtherSlot::Unconstrained, f)
}

/// Polls `f` with a context that draws from a `Budget`'s cell.
#[cfg(feature = "alloc")]
pub(crate) fn install_budget<R>(
    task_waker: TaskWaker<'_>,
    cell: CellRef<'_>,
    f: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    carrier::install_for(task_waker, BudgetSlot(cell), f)
}

/// Polls `f` with a context that draws from tokio's budget.
#[cfg(feature = "tokio")]
pub(crate) fn install_tokio<R>(cx: &mut Context<'_>, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
    carrier::install(cx, TokioSlot, f)
}

/// `poll_cooperate` against a `Budget`'s cell.
#[cfg(feature = "alloc")]
#[inline]
fn poll_budget(cell: CellRef<'_>, waker: &Waker) -> Poll<Cooperation> {
    cell.poll_take(waker).map(|data| {
        // SAFETY: `data` came from `poll_take`, and the budget's vtable holds
        // functions that call `budget_cell`'s `made_progress` and
        // `drop_cooperation`, whose contract is to be called with such data
        // once between them, on this thread: what the `CooperationVTable`
        // contract promises them (a `Cooperation` is not `Send`).
        unsafe { Cooperation::from_raw(data, &vtables::BUDGET) }
    })
}

/// [`poll_budget`] for a budget found through the thread-local (the rare
/// path). Without the `tokio` feature, out of line: inlined, its take was
/// one block with the hot path's (the budget's carrier on the context),
/// which the compiler then laid out behind a taken jump, and a budget
/// operation in `task-coop` alone took 0.46 to 0.50 of tokio's instead of
/// 0.34 to 0.36 (`bench_table --no-default-features`, 4 and 3 runs). With
/// `tokio`, inlined: there the shared block happens to be laid out straight,
/// and out of line the operation took 0.40 to 0.47 instead of 0.38 to 0.39
/// (3 interleaved runs). Only the layout differs; see `benches/README.md`.
#[cfg(feature = "alloc")]
#[cfg_attr(not(feature = "tokio"), inline(never))]
#[cfg_attr(feature = "tokio", inline)]
fn poll_found_budget(cell: CellRef<'_>, waker: &Waker) -> Poll<Cooperation> {
    poll_budget(cell, waker)
}

/// `poll_cooperate` from tokio's budget, whatever it is on this thread: for
/// `TokioBudget`, and when nothing is installed.
///
/// tokio keeps the budget in its thread-local and exposes only
/// `has_budget_remaining` and `poll_proceed`. A cooperation here checks for a
/// unit when it is taken (`has_budget_remaining`, about half a nanosecond)
/// and spends it in `made_progress` (`poll_proceed` plus `made_progress` on
/// tokio's guard). So a Context-based primitive and tokio's own types draw
/// from one budget, and a cooperation dropped without progress costs nothing.
///
/// Off tokio (no task, no `block_on`) tokio's budget is unconstrained, so the
/// cooperation never runs out; it is still a tokio-backed one
/// (`is_unconstrained()` is false), because telling "off tokio" apart costs
/// two lookups in tokio's thread-local (about 4 ns) on every call, where
/// asking tokio's budget costs half a nanosecond.
#[cfg(feature = "tokio")]
#[inline]
pub(crate) fn poll_tokio(waker: &Waker) -> Poll<Cooperation> {
    if tokio::task::coop::has_budget_remaining() {
        tokio_cooperation()
    } else {
        tokio_ran_out(waker)
    }
}

/// [`poll_tokio`] for `cx`, whether it carries a `TokioBudget` or nothing:
/// the waker to register, the executor's behind `cx`, is only looked for
/// when tokio's budget is spent.
#[cfg(feature = "tokio")]
#[inline]
fn poll_tokio_for(cx: &Context<'_>) -> Poll<Cooperation> {
    if tokio::task::coop::has_budget_remaining() {
        tokio_cooperation()
    } else {
        tokio_ran_out_for(cx)
    }
}

/// [`tokio_ran_out`] for the executor's waker behind `cx`; out of line with
/// it, so that finding that waker costs nothing until it is needed.
#[cfg(feature = "tokio")]
#[inline(never)]
fn tokio_ran_out_for(cx: &Context<'_>) -> Poll<Cooperation> {
    tokio_ran_out(carrier::task_waker(cx.waker()).get())
}

/// A tokio-backed cooperation, for a unit `has_budget_remaining` found.
#[cfg(feature = "tokio")]
#[inline]
fn tokio_cooperation() -> Poll<Cooperation> {
    // SAFETY: the data pointer is unused; both functions of `vtables::TOKIO`
    // are safe functions that ignore it (they only call tokio's public API),
    // so any call at any time is sound.
    Poll::Ready(unsafe { Cooperation::from_raw(core::ptr::null(), &vtables::TOKIO) })
}

/// tokio's budget is spent: let tokio register `waker` the way its own types
/// do (deferred until the task yields when inside its scheduler).
///
/// Out of line, and not `#[cold]`: the check before it then compiles to
/// tokio's two compares (measured, per operation inside a tokio task: 47.6
/// instructions; 48.6 with `#[cold]`; 51.6 inlined).
#[cfg(feature = "tokio")]
#[inline(never)]
fn tokio_ran_out(waker: &Waker) -> Poll<Cooperation> {
    let mut cx = Context::from_waker(waker);
    match tokio::task::coop::poll_proceed(&mut cx) {
        Poll::Pending => Poll::Pending,
        // Not reached: has_budget_remaining said no. Spend nothing.
        Poll::Ready(_restore) => Poll::Ready(Cooperation::unconstrained()),
    }
}

impl Cooperation {
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
    // Always inlined, as `poll_cooperate` is: the budget's fast path (one
    // compare, then an increment) only exists where the caller sees the
    // cooperation `poll_cooperate` made. Left to the compiler, it was called
    // out of line in some callers (measured: 41 instructions per budget
    // operation instead of 22).
    #[inline(always)]
    pub fn made_progress(&mut self) {
        // Taken out first: `self` is unconstrained from here on, whatever
        // the provider's function does (a panic included), so no function is
        // called twice for the data; and the compiler sees the value `Drop`
        // will find (nothing to do), with no store to read back.
        let this = core::mem::take(self);
        // Split on the data pointer first: the opt-out's and tokio's
        // cooperations hold none, a budget's always does. On the paths
        // where the cooperation is known that test, and the compare of the
        // vtable after it, are decided at compile time. (Comparing the
        // budget's vtable first, with no split, ran one instruction fewer
        // per budget operation and a third slower, from how the compiler
        // laid the loop out: `benches/README.md`.)
        if this.data().is_null() {
            if this.is_unconstrained() {
                return;
            }
            #[cfg(feature = "tokio")]
            if core::ptr::eq(this.vtable(), &vtables::TOKIO) {
                core::mem::forget(this);
                vtables::tokio_made_progress(core::ptr::null());
                return;
            }
        } else {
            #[cfg(feature = "alloc")]
            if core::ptr::eq(this.vtable(), &vtables::BUDGET) {
                let data = this.data();
                core::mem::forget(this);
                // SAFETY: the vtable is the budget's, whose `made_progress`
                // calls `budget_cell::made_progress(data)`: `from_raw`'s
                // contract makes calling it once with `data` sound, and this
                // is that call (made directly so that it inlines): the
                // cooperation was moved out of `self` and is forgotten.
                unsafe { budget_cell::made_progress(data) };
                return;
            }
        }
        this.made_progress_by_vtable();
    }
}

impl Drop for Cooperation {
    // Always inlined, for the reason given on `made_progress`.
    #[inline(always)]
    fn drop(&mut self) {
        // Split on the data pointer first, as `made_progress` does.
        if self.data().is_null() {
            if self.is_unconstrained() {
                return;
            }
            // Dropping a tokio-backed cooperation does nothing (the unit is
            // only spent at `made_progress`).
            #[cfg(feature = "tokio")]
            if core::ptr::eq(self.vtable(), &vtables::TOKIO) {
                return;
            }
        } else {
            #[cfg(feature = "alloc")]
            if core::ptr::eq(self.vtable(), &vtables::BUDGET) {
                // SAFETY: the vtable is the budget's, whose `drop` calls
                // `budget_cell::drop_cooperation(data)`: `from_raw`'s
                // contract makes calling it once with `data` sound, and this
                // is that call (made directly so that it inlines):
                // `made_progress` replaces `self` before its own call, and
                // `self` is being dropped.
                unsafe { budget_cell::drop_cooperation(self.data()) };
                return;
            }
        }
        // SAFETY: `self` is being dropped and is not used again (its fields
        // have no drop glue), so the bitwise copy read out is its one owner
        // from here on, consumed by `drop_by_vtable`. Not `mem::take`: a
        // store into `self` here makes the compiler keep every cooperation
        // in memory and read it back before each drop (measured: 3
        // instructions more per budget operation, a store and a reload).
        unsafe { core::ptr::read(self) }.drop_by_vtable();
    }
}
