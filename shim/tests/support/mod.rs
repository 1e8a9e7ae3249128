//! Small helpers shared by the task-coop tests: a waker that counts its
//! wakes, and shorthands for taking budget units.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use task_coop::{ContextExt, Cooperation};

/// The waker of a test task: counts how often it was woken.
#[derive(Default)]
pub(crate) struct WakeCounter(AtomicUsize);

impl WakeCounter {
    /// A new counter and a waker that increments it.
    pub(crate) fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub(crate) fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A context whose waker does nothing, to install a budget on.
pub(crate) fn noop_cx() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// The units the installed budget has left.
#[cfg(feature = "alloc")]
pub(crate) fn left(cx: &Context<'_>) -> u32 {
    use task_coop::BudgetExt;
    cx.budget_remaining().expect("a budget is installed")
}

/// Takes one unit, which the budget must have.
pub(crate) fn must_take(cx: &mut Context<'_>) -> Cooperation {
    take(cx).expect("the budget has a unit left")
}

/// Takes one unit; `None` if the budget said `Pending`.
pub(crate) fn take(cx: &mut Context<'_>) -> Option<Cooperation> {
    match cx.poll_cooperate() {
        Poll::Ready(coop) => Some(coop),
        Poll::Pending => None,
    }
}

/// Takes one unit and spends it (`made_progress`); false if the budget said
/// `Pending`.
pub(crate) fn spend(cx: &mut Context<'_>) -> bool {
    match take(cx) {
        Some(mut coop) => {
            coop.made_progress();
            true
        }
        None => false,
    }
}

/// Spends units until the budget says `Pending`; returns how many.
pub(crate) fn spend_all(cx: &mut Context<'_>) -> u32 {
    spend_all_with(cx, |_| {})
}

/// Spends units until the budget says `Pending`, calling `each(n)` after
/// the n-th unit; returns how many.
pub(crate) fn spend_all_with(cx: &mut Context<'_>, mut each: impl FnMut(u32)) -> u32 {
    let mut spent = 0;
    while spend(cx) {
        spent += 1;
        each(spent);
    }
    spent
}

/// The metrics a test expects, field by field.
#[cfg(feature = "alloc")]
pub(crate) fn metrics(
    polls: u64,
    units_spent: u64,
    forced_yields: u64,
    slice_yields: u64,
) -> task_coop::BudgetMetrics {
    task_coop::BudgetMetrics {
        polls,
        units_spent,
        forced_yields,
        slice_yields,
    }
}

/// The injected clock of the time-slice tests: a thread-local (each test
/// thread has its own) that the test sets, and how often a budget read it.
pub(crate) mod clock {
    use std::cell::Cell;

    std::thread_local! {
        static NOW: Cell<u64> = const { Cell::new(0) };
        static READS: Cell<u32> = const { Cell::new(0) };
    }

    /// The clock a `TimeSlice::with_clock` reads: counts the read.
    pub(crate) fn now() -> u64 {
        READS.with(|r| r.set(r.get() + 1));
        NOW.with(Cell::get)
    }

    pub(crate) fn set(ticks: u64) {
        NOW.with(|n| n.set(ticks));
    }

    pub(crate) fn advance(ticks: u64) {
        NOW.with(|n| n.set(n.get().wrapping_add(ticks)));
    }

    /// How often this thread's clock was read.
    pub(crate) fn reads() -> u32 {
        READS.with(Cell::get)
    }
}

/// A cooperation forgotten with `mem::forget`, kept as raw parts so that a
/// test can end it later (as the vtable contract allows, at any time on this
/// thread): until then it holds its provider's state like a kept one, and
/// ending it at the end lets Miri's leak checker vouch for everything else.
pub(crate) struct Forgotten {
    data: *const (),
    vtable: &'static task_coop::CooperationVTable,
}

impl Forgotten {
    pub(crate) fn new(coop: Cooperation) -> Self {
        let forgotten = Self {
            data: coop.data(),
            vtable: coop.vtable(),
        };
        std::mem::forget(coop);
        forgotten
    }

    /// The forgotten cooperation, alive again.
    pub(crate) fn revive(self) -> Cooperation {
        // SAFETY: the parts came from a live cooperation that was forgotten
        // (so neither of its vtable's functions ran for this data), each
        // `Forgotten` is revived at most once (it is consumed), and the
        // revived cooperation is used on the thread that made it (neither
        // type is `Send`).
        unsafe { Cooperation::from_raw(self.data, self.vtable) }
    }
}

/// A global allocator that counts the budget counters alive on each thread,
/// for tests that check exactly when a counter is freed. The budget's
/// counter is the only 256-aligned allocation those tests make (its cell is
/// `align(256)`). A test binary that uses it declares it:
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: support::counters::CountingCounters = support::counters::CountingCounters;
/// ```
pub(crate) mod counters {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// The alignment of the budget's counter.
    pub(crate) const COUNTER_ALIGN: usize = 256;

    /// The system allocator, counting the counters alive on each thread.
    pub(crate) struct CountingCounters;

    std::thread_local! {
        static COUNTERS: Cell<isize> = const { Cell::new(0) };
    }

    fn note(layout: Layout, delta: isize) {
        if layout.align() == COUNTER_ALIGN {
            // `try_with`: the allocator may run while thread-locals are torn
            // down.
            let _ = COUNTERS.try_with(|n| n.set(n.get() + delta));
        }
    }

    // SAFETY: every method forwards to `System` unchanged; counting only
    // touches a const-initialized thread-local without a destructor, which
    // allocates nothing.
    unsafe impl GlobalAlloc for CountingCounters {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded from our caller.
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                note(layout, 1);
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded from our caller.
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                note(layout, 1);
            }
            ptr
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: forwarded from our caller (the alignment is kept, so
            // the count does not change).
            unsafe { System.realloc(ptr, layout, new_size) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            note(layout, -1);
            // SAFETY: forwarded from our caller.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// Budget counters allocated and not freed on this thread.
    pub(crate) fn counters() -> isize {
        COUNTERS.with(Cell::get)
    }
}

/// The parts of a budget cooperation, as the adversarial tests take them
/// apart: its vtable (one for every budget cooperation), a copy of it at
/// another address (what a second copy of the crate would hand out), and
/// its data pointer: the counter's address with the restore value in the
/// low 8 bits.
#[cfg(feature = "alloc")]
pub(crate) mod budget_parts {
    use std::sync::OnceLock;

    use task_coop::{Budget, Cooperation, CooperationVTable};

    use super::counters::COUNTER_ALIGN;
    use super::{must_take, noop_cx};

    /// The budget's one vtable, learnt from a cooperation.
    pub(crate) fn budget_vtable() -> &'static CooperationVTable {
        static VTABLE: OnceLock<&'static CooperationVTable> = OnceLock::new();
        VTABLE.get_or_init(|| {
            let mut budget = Budget::with_units(1);
            budget.install(&mut noop_cx(), |cx| must_take(cx).vtable())
        })
    }

    /// A copy of the budget's vtable at another address: not recognised by
    /// address, so a cooperation with it is ended through its functions.
    pub(crate) fn copied_vtable() -> &'static CooperationVTable {
        static COPY: OnceLock<CooperationVTable> = OnceLock::new();
        COPY.get_or_init(|| *budget_vtable())
    }

    /// Fills the two statics above (which allocates and frees a counter
    /// once), before a test counts counters.
    pub(crate) fn warm() {
        copied_vtable();
    }

    /// The restore value in a budget cooperation's data pointer.
    pub(crate) fn tag(coop: &Cooperation) -> usize {
        coop.data().addr() % COUNTER_ALIGN
    }

    /// The counter's address in a budget cooperation's data pointer.
    pub(crate) fn counter(coop: &Cooperation) -> usize {
        coop.data().addr() - tag(coop)
    }
}
