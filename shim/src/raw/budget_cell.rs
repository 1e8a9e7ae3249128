//! The state behind `Budget`: a counter that cooperations can reach after the
//! poll that made them, without dangling.
//!
//! This module hands out and takes back cooperations as a *data* pointer;
//! pairing it with a vtable (whose functions call [`made_progress`] and
//! [`drop_cooperation`]) is left to the layer above, which uses one vtable
//! for every budget cooperation (`crate::vtables`).
//!
//! Each cooperation holds the [`BudgetCell`] alive. Its data pointer is the
//! cell's (256-aligned) with the restore value in its low 8 bits: the units
//! that were left just before it was taken (tokio's `RestoreOnPending`
//! value), what dropping it without progress puts back.
//!
//! Why in the data pointer, and why `remaining` is 32 bits wide: the address
//! a release increments is then computed from the units just taken, so each
//! operation's release waits for its take's load. With a byte-wide
//! `remaining` that load waited for the previous take's store (a byte's
//! store is not forwarded early), one slow chain through the whole loop:
//! from 2b12e6d to d507287 the restore value was a choice among 256 vtables
//! instead, to break it. With 32 bits the store is forwarded without delay
//! (x86-64 cores such as AMD's Zen 3), the chain is short, and one vtable
//! lets the compiler recognise a budget cooperation by a compare it decides
//! at compile time, where telling 256 vtables apart cost a load and a
//! compare per operation (`benches/README.md` has the figures).
//!
//! Invariants:
//!
//! * A take lowers `remaining` by one and changes nothing else, so the
//!   cooperations taken since the installation began are `given - remaining`
//!   (wrapping), where `given` counts every unit put into `remaining`: the
//!   first segment, each refill from `reserve`, each refund's increase.
//!   `released` counts the cooperations given back, so the live ones are
//!   `given - remaining - released` ([`BudgetCell::live`]), with no count
//!   kept on the take itself (one store fewer per operation than counting
//!   takes). `attached` says whether an [`OwnedCell`] still owns the cell. The
//!   cell is freed when neither a live cooperation nor the owner is left.
//! * Outside [`OwnedCell::install`], the owned cell has no live cooperation:
//!   when cooperations outlive an installation, the cell is handed over to
//!   them (`attached = false`) and the owner takes a fresh one. So a late
//!   cooperation never touches a budget installed after it was made, and the
//!   owner can be moved to another thread. Each installation starts its
//!   counts again (`given` = the first segment, `released` = 0).
//! * A detached cell's `remaining` and `given` never change again
//!   (`NO_REFUNDS` is set once the owner let go, and only an installation
//!   takes or refills), so its live count only falls, by releases. When the
//!   owner lets go, `released` is set to minus the live count, so that it
//!   counts up to 0 with the last cooperation's release: a release tests the
//!   counter it has just incremented, and only its reaching 0 can mean the
//!   cell is to be freed. On an attached cell it does not (it counts from 0
//!   and would have to wrap round), and the cold path says no.
//! * `reserve` is 0 unless the installation has a time slice: a take enters
//!   the slow path when `remaining == 0`, so for a budget of units alone the
//!   slow path is exactly "no unit left", and the fast path is the same test
//!   as without slices. With a slice, `remaining` is the current segment (at
//!   most `check_every` units) and the slow path reads the clock before
//!   moving the next segment out of `reserve`; once the slice has ended the
//!   segment is 0, `SLICE_ENDED` and `NO_REFUNDS` are set, so every
//!   later take says `Pending`.
//!   `slice` is only read on the slow path, when `reserve > 0`.
//! * `remaining + reserve` never exceeds the installation's units: a take
//!   lowers it, the slow path moves units from one to the other, and a refund
//!   puts back a value `remaining` had while `reserve` was at least what it
//!   is now. So the units an installation spent are its units minus that sum.
//!   A cooperation's restore value travels in its data pointer, so parts of
//!   two cooperations put together (`Cooperation::from_raw`) cannot mix one
//!   budget's cell with another's restore value (all budget cooperations
//!   share one vtable). The end of an installation saturates all the same,
//!   so that nothing between its guard and its detach can panic.
//!
//! Nothing is counted on the fast paths: what an installation did (units
//! spent, whether it ran out, whether the slice ended) is read from this
//! state once, when the installation ends ([`Outcome`]).

use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::task::{Poll, RawWakerVTable, Waker};

use alloc::boxed::Box;

use super::carrier::{self, TaskWaker};

/// A time slice as the cell uses it: elapsed `ticks` of `now`, read once
/// every `check_every` units taken.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slice {
    /// The clock: monotonic ticks (wrapping differences are used).
    pub(crate) now: fn() -> u64,
    /// The slice's length in ticks of `now`.
    pub(crate) ticks: u64,
    /// Units taken between two clock reads; at least 1.
    pub(crate) check_every: u8,
}

/// What one installation is given.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// Units the installation starts with; at least 1.
    pub(crate) units: u8,
    /// The time slice, if any.
    pub(crate) slice: Option<Slice>,
    /// Whether running out leaves the task's own waker unwoken (the executor
    /// requeues the task itself, told by [`Outcome::ran_out`]).
    pub(crate) defer_task_wake: bool,
}

/// What one installation did, read when it ended: two bytes of the cell's
/// state, copied out, so that an executor that ignores part of it pays for
/// nothing more.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    /// Units spent: the units it started with minus those left (refunds
    /// given back).
    spent: u8,
    /// The installation's flags (`RAN_OUT`, `SLICE_ENDED`).
    flags: u8,
}

impl Outcome {
    /// Units spent: the units the installation started with minus those it
    /// left.
    #[inline]
    pub(crate) fn spent(self) -> u8 {
        self.spent
    }

    /// `poll_cooperate` said `Pending` at least once because the budget was
    /// spent (units or slice).
    #[inline]
    pub(crate) fn ran_out(self) -> bool {
        self.flags & RAN_OUT != 0
    }

    /// The time slice ended (then [`ran_out`](Self::ran_out) is true too).
    #[inline]
    pub(crate) fn slice_ended(self) -> bool {
        self.flags & SLICE_ENDED != 0
    }
}

/// The shared counter. Only reached through [`CellRef`] and cooperation data.
///
/// `repr(C)`, with the fields that takes and releases touch first, so that
/// they share a cache line (the first 24 bytes); aligned to 256 so that a
/// cooperation's data pointer has 8 low bits for its restore value.
#[repr(C, align(256))]
pub(crate) struct BudgetCell {
    /// Units that can be taken before the slow path: all of them for a
    /// budget of units alone; with a time slice, those until the next clock
    /// read (a segment of at most `check_every`).
    ///
    /// A `u8`'s values (at most 255, [`BudgetCell::units_left`]) in 32
    /// bits, because every take loads it and stores it back: x86-64 cores
    /// such as AMD's Zen 3 forward a 32-bit store to the next load of the
    /// same place without waiting, but not a byte's (measured here: a
    /// byte counter that each operation loads and stores took 2.5 ns per
    /// operation, a 32-bit one 1.0 to 1.8 ns; the module docs say what
    /// that bought).
    remaining: Cell<u32>,
    /// With a time slice, the units after the current segment; 0 without
    /// one (module invariant). A take finding `remaining == 0` goes to the
    /// slow path, which reads the clock and moves the next segment out of
    /// here, or says `Pending` when nothing is left.
    reserve: Cell<u8>,
    /// False once the owner let go of the cell.
    attached: Cell<bool>,
    /// The installation's flags (`WOKE_TASK`, `RAN_OUT`, `SLICE_ENDED`,
    /// `DEFER_TASK_WAKE`, `NO_REFUNDS`), one byte so that an installation
    /// resets them with one store.
    flags: Cell<u8>,
    /// Units put into `remaining` this installation (wrapping): the
    /// cooperations taken are `given - remaining` (module invariant).
    given: Cell<usize>,
    /// Cooperations made from the cell that are gone, this installation
    /// (wrapping). Once the owner has let go: minus the cooperations still
    /// live, so that the last release brings it to 0.
    released: Cell<usize>,
    /// Identity (data, vtable) of the executor waker of the current
    /// installation. That waker is borrowed for the whole installation, so
    /// the pair cannot be reused by another waker meanwhile.
    task_waker: Cell<(*const (), *const RawWakerVTable)>,
    /// The installation's time slice, read only on the slow path.
    slice: Cell<Option<Slice>>,
    /// The clock at the installation's first check (only with a slice);
    /// `None` before it.
    slice_start: Cell<Option<u64>>,
}

/// Running out of units already woke the task this installation.
const WOKE_TASK: u8 = 1;
/// `poll_cooperate` said `Pending` this installation.
const RAN_OUT: u8 = 1 << 1;
/// The time slice ended this installation (sticky until the next one;
/// `remaining` then reads as 0).
const SLICE_ENDED: u8 = 1 << 2;
/// Running out leaves the task's own waker unwoken.
const DEFER_TASK_WAKE: u8 = 1 << 3;
/// Dropping a cooperation without progress gives nothing back: set once the
/// time slice has ended, and once the owner has let go of the cell (a
/// detached cell's counter never changes again). Cleared by each
/// installation.
const NO_REFUNDS: u8 = 1 << 4;

/// A borrow of a live cell that keeps the pointer's full provenance (a
/// reference would not do: the last cooperation may free the cell through it).
#[derive(Clone, Copy)]
pub(crate) struct CellRef<'a> {
    ptr: NonNull<BudgetCell>,
    _borrow: PhantomData<&'a BudgetCell>,
}

impl CellRef<'_> {
    #[inline]
    fn cell(&self) -> &BudgetCell {
        // SAFETY: a `CellRef` is only made from a live `OwnedCell` and cannot
        // outlive its borrow of it; the owner keeps the cell alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Units left (0 once the time slice has ended).
    #[inline]
    pub(crate) fn remaining(self) -> u8 {
        self.cell().effective_remaining()
    }

    /// `poll_cooperate` against this cell, on behalf of a leaf whose waker is
    /// `waker`: `Ready` with the data of a new cooperation, which holds the
    /// cell until [`made_progress`] or [`drop_cooperation`] is called with
    /// it, once, on this thread; or `Pending`, after waking `waker` if due.
    #[inline]
    pub(crate) fn poll_take(self, waker: &Waker) -> Poll<*const ()> {
        let cell = self.cell();
        let mut remaining = cell.remaining.get();
        // One test covers "no unit left" and "a clock read is due": the
        // segment is empty either way.
        if remaining == 0 {
            match cell.slow_take(waker) {
                Some(segment) => remaining = u32::from(segment),
                None => return Poll::Pending,
            }
        }
        // Were the live count to wrap round (usize::MAX cooperations
        // forgotten or kept at once; refunds can refill `remaining` past
        // forgotten ones), the cell would look unheld and could be freed
        // under a live one. On 64-bit targets that takes centuries;
        // elsewhere, refuse, before anything is recorded, so that an unwind
        // still sees every live cooperation and detaches the cell.
        #[cfg(not(target_pointer_width = "64"))]
        assert!(
            cell.live() != usize::MAX,
            "too many live budget cooperations (usize::MAX)"
        );
        // The take is counted by this store alone: the live cooperations
        // are `given - remaining - released` (module invariant).
        cell.remaining.set(remaining - 1);
        // The cell pointer (256-aligned, so its low 8 bits are zero) tagged
        // with the restore value (at most 255: `remaining` holds a `u8`'s
        // values); the hold just counted keeps the cell alive until
        // `made_progress` or `drop_cooperation` gives it back.
        let restore = usize::from(remaining as u8);
        Poll::Ready(
            self.ptr
                .as_ptr()
                .cast_const()
                .cast::<()>()
                .map_addr(|addr| addr | restore),
        )
    }
}

/// The low bits of a cooperation's data pointer that hold its restore value
/// (the cell is aligned to 256).
const TAG_MASK: usize = 0xFF;

/// Splits a cooperation's data pointer into the cell and its restore value.
#[inline]
fn untag(data: *const ()) -> (*mut BudgetCell, u8) {
    // At most 255: masked to 8 bits.
    let restore = (data.addr() & TAG_MASK) as u8;
    let cell = data
        .map_addr(|addr| addr & !TAG_MASK)
        .cast::<BudgetCell>()
        .cast_mut();
    (cell, restore)
}

impl BudgetCell {
    /// The live cooperations made from the cell: taken (`given -
    /// remaining`) and not released, wrapping. Only while the owner holds
    /// the cell (`released` has another meaning after).
    #[inline]
    fn live(&self) -> usize {
        self.given
            .get()
            .wrapping_sub(usize::from(self.units_left()))
            .wrapping_sub(self.released.get())
    }

    /// Sets `remaining` to `units` as a refill or a refund, keeping
    /// `given - remaining` (the cooperations taken) as it was.
    #[inline]
    fn raise_remaining(&self, units: u8) {
        let added = usize::from(units).wrapping_sub(usize::from(self.units_left()));
        self.given.set(self.given.get().wrapping_add(added));
        self.remaining.set(u32::from(units));
    }

    /// `remaining`, which holds a `u8`'s values: every store into it is of
    /// a `u8` (`raise_remaining`, an installation, `fresh`) or one less than
    /// a non-zero value it held (a take).
    #[inline]
    fn units_left(&self) -> u8 {
        self.remaining.get() as u8
    }

    /// Units left as `poll_cooperate` sees them: 0 once the slice has ended.
    #[inline]
    fn effective_remaining(&self) -> u8 {
        if self.has(SLICE_ENDED) {
            0
        } else {
            self.units_left().saturating_add(self.reserve.get())
        }
    }

    /// The slow path of a take, reached when the segment is empty: out of
    /// units, the slice already ended, or a clock read is due. `Some` is the
    /// next segment's units (the take goes on); `None` means `Pending`.
    #[cold]
    #[inline(never)]
    fn slow_take(&self, waker: &Waker) -> Option<u8> {
        if self.exhausted() {
            self.run_out(waker);
            return None;
        }
        let Some(slice) = self.slice.get() else {
            // Not reached (`reserve > 0` only with a slice); be a budget of
            // units alone.
            let reserve = self.reserve.replace(0);
            self.raise_remaining(reserve);
            return Some(reserve);
        };
        // The slice starts at the first read, so that a poll that takes
        // `check_every` units or fewer never reads the clock.
        let now = (slice.now)();
        // The clock is the caller's code: it may itself have taken units
        // through the thread-local, its own slow path reading the clock
        // (ending the slice, or moving the next segment out) or finding
        // nothing left. So nothing is read before it that is used after
        // it: the take goes on from the state it left, so that no unit is
        // handed out twice and an ended slice stays ended.
        if !self.has(SLICE_ENDED) {
            let left = self.units_left();
            if left != 0 {
                return Some(left);
            }
        }
        if self.exhausted() {
            self.run_out(waker);
            return None;
        }
        let start = self.slice_start.get().unwrap_or(now);
        self.slice_start.set(Some(start));
        if now.wrapping_sub(start) >= slice.ticks {
            // Sticky: every later take finds the segment empty and
            // `SLICE_ENDED`, and units given back from now on stay spent.
            // `reserve` keeps what was never taken, for the metrics.
            self.set(SLICE_ENDED | NO_REFUNDS);
            self.run_out(waker);
            return None;
        }
        let reserve = self.reserve.get();
        let segment = reserve.min(slice.check_every);
        self.reserve.set(reserve - segment);
        self.raise_remaining(segment);
        Some(segment)
    }

    /// With the segment empty, nothing more can be taken: no reserve left,
    /// or the slice has ended.
    #[inline]
    fn exhausted(&self) -> bool {
        self.reserve.get() == 0 || self.has(SLICE_ENDED)
    }

    /// `poll_cooperate` says `Pending` because the budget is spent: note it,
    /// and wake `waker`. The task's own waker is woken at most once per
    /// installation, and not at all when the executor asked to requeue the
    /// task itself. Other wakers (children of a combinator that polls with
    /// wakers of its own) are each woken, so that none of them is left
    /// unscheduled.
    fn run_out(&self, waker: &Waker) {
        self.set(RAN_OUT);
        let id = (waker.data(), ptr::from_ref(waker.vtable()));
        if id == self.task_waker.get() {
            if self.has(DEFER_TASK_WAKE) || self.has(WOKE_TASK) {
                return;
            }
            self.set(WOKE_TASK);
        }
        waker.wake_by_ref();
    }

    #[inline]
    fn has(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    fn set(&self, flag: u8) {
        self.flags.set(self.flags.get() | flag);
    }
}

/// Gives back one cooperation's hold on the cell, freeing it if that was the
/// last hold and the owner has let go.
///
/// # Safety
///
/// `cell` must come from `Box::leak` in `OwnedCell::fresh` and the caller
/// must own one of its live cooperations' holds.
#[inline]
unsafe fn release(cell: *mut BudgetCell) {
    // SAFETY: the caller owns one of the cell's counted holds (`# Safety`
    // above), and a held cell is not freed.
    let cell_ref = unsafe { &*cell };
    let released = cell_ref.released.get().wrapping_add(1);
    cell_ref.released.set(released);
    // Only 0 can mean "the last release of a detached cell" (module
    // invariant): one test of the counter just written, which the
    // increment's own flags give, and no read of `attached` in a poll.
    if released == 0 {
        // SAFETY: the caller's promise, with this hold counted as released.
        unsafe { released_to_zero(cell) }
    }
}

/// The end of [`release`] when `released` reached 0: on a detached cell that
/// was the last cooperation, and the cell is freed; on an attached one the
/// counter wrapped round, which means nothing. Out of line, so that a release
/// in a poll is an increment in place and a test of its result.
///
/// # Safety
///
/// As for [`release`], called once the hold was counted as released: the
/// cell is alive (nothing frees a cell but the last release or the owner,
/// and this is that release if any is).
#[cold]
#[inline(never)]
unsafe fn released_to_zero(cell: *mut BudgetCell) {
    // SAFETY: the caller's promise: the cell is alive until freed below.
    if !unsafe { &*cell }.attached.get() {
        // SAFETY: detached, `released` counted up to 0 from minus the live
        // cooperations (module invariant), so no cooperation and no owner is
        // left; the caller's promise says where the pointer came from.
        unsafe { free(cell) }
    }
}

/// Frees a cell nothing holds any more: rare (a Budget dropped while a
/// detached cooperation lives on), so kept out of the inlined fast path.
///
/// # Safety
///
/// No owner and no cooperation holds the cell; it came from `Box::leak`.
#[cold]
#[inline(never)]
unsafe fn free(cell: *mut BudgetCell) {
    // SAFETY: the pointer came from `Box::leak` and carries its
    // provenance (it never went through a shared reference); nothing refers
    // to the cell any more.
    drop(unsafe { Box::from_raw(cell) });
}

/// The budget cooperation's `made_progress`: the unit stays spent.
///
/// # Safety
///
/// `data` came from [`CellRef::poll_take`], on this thread, and neither
/// this function nor [`drop_cooperation`] was called with it before (each
/// gives back the hold that `poll_take` counted).
#[inline]
pub(crate) unsafe fn made_progress(data: *const ()) {
    let (cell, _restore) = untag(data);
    // SAFETY: the caller's promise: `data` holds one counted hold on a cell
    // from `OwnedCell::fresh`, given back here.
    unsafe { release(cell) }
}

/// The budget cooperation's `drop`: no progress, so the units go back to
/// what they were before this cooperation was taken, unless they are already
/// higher (a refund never takes units away). Dropped in last-in-first-out
/// order this is exactly tokio's `RestoreOnPending`.
///
/// # Safety
///
/// As for [`made_progress`].
#[inline]
pub(crate) unsafe fn drop_cooperation(data: *const ()) {
    let (cell, restore) = untag(data);
    {
        // SAFETY: the caller's promise: `data` holds one counted hold, so the
        // cell is alive until `release` below gives it back.
        let cell = unsafe { &*cell };
        if !cell.has(NO_REFUNDS) && cell.units_left() < restore {
            cell.raise_remaining(restore);
        }
    }
    // SAFETY: the caller's promise: `data` holds one counted hold on a cell
    // from `OwnedCell::fresh`, given back here, once.
    unsafe { release(cell) }
}

/// The owner's handle on a cell that no cooperation shares
/// between installations.
pub(crate) struct OwnedCell {
    ptr: NonNull<BudgetCell>,
}

// SAFETY: outside `install` no cooperation refers to the owned cell (module
// invariant), so the handle is the only way to reach it and the non-atomic
// cells inside are never touched from two threads.
unsafe impl Send for OwnedCell {}

impl OwnedCell {
    /// A new, unshared cell holding `remaining` units.
    pub(crate) fn fresh(remaining: u8) -> Self {
        let cell = Box::new(BudgetCell {
            remaining: Cell::new(u32::from(remaining)),
            reserve: Cell::new(0),
            given: Cell::new(usize::from(remaining)),
            released: Cell::new(0),
            attached: Cell::new(true),
            task_waker: Cell::new((ptr::null(), ptr::null())),
            flags: Cell::new(0),
            slice: Cell::new(None),
            slice_start: Cell::new(None),
        });
        Self {
            ptr: NonNull::from(Box::leak(cell)),
        }
    }

    fn cell(&self) -> &BudgetCell {
        // SAFETY: a cell is freed only once its owner let go (`attached` is
        // false, set in `Drop`), so it is alive while `self` is.
        unsafe { self.ptr.as_ref() }
    }

    /// Units left (0 if the last installation's time slice ended).
    pub(crate) fn remaining(&self) -> u8 {
        self.cell().effective_remaining()
    }

    /// Whether the last installation ran out (false before the first, and
    /// after one that unwound).
    pub(crate) fn ran_out(&self) -> bool {
        self.cell().has(RAN_OUT)
    }

    /// Resets the cell to `config`, runs `f` with a borrow of it and the
    /// executor's waker behind `waker` (to install for the poll), and
    /// restores the module invariant before returning or unwinding. Returns what `f` returned and what the
    /// installation did. If `f` unwinds, the units are put back to what they
    /// were before.
    ///
    /// With a time slice, the clock is not read here: it is read first when
    /// the `check_every + 1`-th unit is taken (the slice starts then), and
    /// then once every `check_every` units taken.
    #[inline]
    pub(crate) fn install<R>(
        &mut self,
        config: &Config,
        waker: &Waker,
        f: impl FnOnce(CellRef<'_>, TaskWaker<'_>) -> R,
    ) -> (R, Outcome) {
        let cell = self.cell();
        let before = Snapshot::of(cell);
        let task_waker = carrier::task_waker(waker);
        let id = task_waker.get();
        cell.task_waker.set((id.data(), ptr::from_ref(id.vtable())));
        cell.flags.set(if config.defer_task_wake {
            DEFER_TASK_WAKE
        } else {
            0
        });
        // The slice fields are read only on the slow path with `reserve >
        // 0`, which only an installation with a slice sets: a budget of units
        // alone leaves them as they are.
        let first = match config.slice {
            None => {
                cell.reserve.set(0);
                config.units
            }
            Some(slice) => {
                cell.slice.set(Some(slice));
                cell.slice_start.set(None);
                // The first segment needs no clock (if the units run out
                // before a read is due, the clock is never read).
                let first = config.units.min(slice.check_every);
                cell.reserve.set(config.units - first);
                first
            }
        };
        // The counts start again: no cooperation of the cell is live
        // outside an installation (module invariant), so none is taken yet.
        cell.remaining.set(u32::from(first));
        cell.given.set(usize::from(first));
        cell.released.set(0);

        let guard = UnwindGuard {
            owner: self,
            before,
        };
        let cell = CellRef {
            ptr: guard.owner.ptr,
            _borrow: PhantomData,
        };
        let out = f(cell, task_waker);
        guard.returned();
        // Read before a detach, which hands this cell to the cooperations
        // that outlive the installation; they never change it again. The
        // sum is at most `units` (module invariant); saturating all the same,
        // so that nothing can panic between the guard's disarming and the
        // detach (a panic there would leave a kept cooperation on an
        // attached cell).
        let cell = self.cell();
        let left = cell.units_left().saturating_add(cell.reserve.get());
        let outcome = Outcome {
            spent: config.units.saturating_sub(left),
            flags: cell.flags.get(),
        };
        self.detach_if_shared();
        (out, outcome)
    }

    /// Hands the cell over to the cooperations that outlive an installation
    /// (rare: a future kept one) and takes a fresh one with the same units.
    #[inline]
    fn detach_if_shared(&mut self) {
        if self.cell().live() != 0 {
            self.detach();
        }
    }

    #[cold]
    #[inline(never)]
    fn detach(&mut self) {
        let cell = self.cell();
        let fresh = Self::fresh(cell.effective_remaining());
        // What the installation did stays readable on the new cell.
        fresh
            .cell()
            .flags
            .set(cell.flags.get() & (RAN_OUT | SLICE_ENDED));
        let old = core::mem::replace(self, fresh);
        // `old`'s Drop detaches it; its cooperations free it when they go.
        drop(old);
    }
}

impl Drop for OwnedCell {
    fn drop(&mut self) {
        let cell = self.cell();
        cell.attached.set(false);
        cell.set(NO_REFUNDS);
        let live = cell.live();
        if live == 0 {
            // SAFETY: no cooperation holds the cell and the owner lets go
            // now; the pointer came from `Box::leak` in `fresh`.
            unsafe { free(self.ptr.as_ptr()) }
        } else {
            // The last of the `live` cooperations frees it, when its release
            // brings the counter to 0 (module invariant).
            cell.released.set(live.wrapping_neg());
        }
    }
}

/// The units of a cell as an installation found them, to put back if it
/// unwinds: the raw bytes, so that taking the snapshot is three loads.
#[derive(Clone, Copy)]
struct Snapshot {
    remaining: u8,
    reserve: u8,
    flags: u8,
}

impl Snapshot {
    #[inline]
    fn of(cell: &BudgetCell) -> Self {
        Self {
            remaining: cell.units_left(),
            reserve: cell.reserve.get(),
            flags: cell.flags.get(),
        }
    }
}

/// Restores the invariant if an installation unwinds: the units go back to
/// what they were before (as [`OwnedCell::remaining`] reads them), the
/// installation is not reported as having run out, and the cell is detached
/// if cooperations outlive the poll. On return, [`UnwindGuard::returned`]
/// disarms it.
struct UnwindGuard<'a> {
    owner: &'a mut OwnedCell,
    /// The cell before the installation.
    before: Snapshot,
}

impl UnwindGuard<'_> {
    /// The installation returned normally: disarm the guard, which ends its
    /// borrow of the owner.
    #[inline]
    fn returned(self) {
        core::mem::forget(self);
    }
}

impl Drop for UnwindGuard<'_> {
    #[cold]
    fn drop(&mut self) {
        // Unwinding: the provider reads as it did before the poll (units
        // left, a slice that had ended), without `RAN_OUT`. A later
        // installation resets every field before its first take.
        let cell = self.owner.cell();
        // Through `raise_remaining`, which keeps the count of cooperations
        // taken (it may lower `remaining` too: the arithmetic wraps).
        cell.raise_remaining(self.before.remaining);
        cell.reserve.set(self.before.reserve);
        cell.flags.set(self.before.flags & !RAN_OUT);
        self.owner.detach_if_shared();
    }
}
