//! Acceptance 7: no heap allocation on any per-poll path. Once a `Budget`
//! exists, installing it, `poll_cooperate` (Ready and Pending), dropping a
//! cooperation, `made_progress`, nested installations, the opt-out and the
//! thread-local fallback (a leaf polled with a waker of its own) allocate
//! nothing. Counted by a global allocator, only on the test's own thread and
//! only inside a window, so that the test harness does not count.
#![cfg(feature = "alloc")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use task_coop::{unconstrained, Budget, BudgetExt, ContextExt};

/// The system allocator, counting the allocations made on a thread while
/// that thread has its window open.
struct Counting;

std::thread_local! {
    static WINDOW_OPEN: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the allocator may run while thread-locals are torn down.
    let _ = WINDOW_OPEN.try_with(|open| {
        if open.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: every method forwards to `System` unchanged; counting only touches
// const-initialized thread-locals, which do not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: forwarded from our caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    WINDOW_OPEN.with(|open| open.set(true));
    f();
    WINDOW_OPEN.with(|open| open.set(false));
    ALLOCATIONS.with(|n| n.get())
}

#[test]
fn the_counter_sees_allocations() {
    assert_eq!(allocations_in(|| drop(Box::new(1_u64))), 1);
    assert_eq!(
        allocations_in(|| drop(Budget::new())),
        1,
        "Budget::new allocates its counter once"
    );
}

#[test]
fn installing_and_spending_a_budget_allocates_nothing() {
    let mut budget = Budget::with_units(4);
    let mut cx = Context::from_waker(Waker::noop());
    let allocations = allocations_in(|| {
        for _ in 0..3 {
            budget.install(&mut cx, |cx| {
                // Ready, then dropped without progress: refunded.
                let Poll::Ready(refunded) = cx.poll_cooperate() else {
                    panic!()
                };
                drop(refunded);
                // Ready and spent.
                for _ in 0..4 {
                    let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                        panic!()
                    };
                    coop.made_progress();
                }
                // Pending (and the wake), twice.
                assert!(cx.poll_cooperate().is_pending());
                assert!(cx.poll_cooperate().is_pending());
                assert_eq!(cx.budget_remaining(), Some(0));
            });
        }
        let mut task = pin!(poll_fn(|cx: &mut Context<'_>| cx
            .poll_cooperate()
            .map(|mut coop| coop.made_progress())));
        assert!(budget.poll(task.as_mut(), &mut cx).is_ready());
    });
    assert_eq!(allocations, 0);
}

#[test]
fn a_time_slice_deferral_and_metrics_allocate_nothing() {
    fn clock() -> u64 {
        0
    }
    // A slice of 0 ticks: over at the first check, the 3rd unit.
    let slice = task_coop::TimeSlice::with_clock(0, clock).check_every(2);
    let mut budget = Budget::with_time_slice(8, slice);
    budget.set_defer_forced_wakes(true);
    let mut cx = Context::from_waker(Waker::noop());
    let allocations = allocations_in(|| {
        for _ in 0..3 {
            budget.install(&mut cx, |cx| {
                for _ in 0..2 {
                    let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                        panic!()
                    };
                    coop.made_progress();
                }
                assert!(cx.poll_cooperate().is_pending());
            });
            assert!(budget.ran_out());
        }
        assert_eq!(budget.metrics().slice_yields, 3);
    });
    assert_eq!(allocations, 0);
}

#[test]
fn nested_installations_and_the_opt_out_allocate_nothing() {
    let mut outer = Budget::with_units(8);
    let mut inner = Budget::with_units(2);
    let mut cx = Context::from_waker(Waker::noop());
    let allocations = allocations_in(|| {
        outer.install(&mut cx, |cx| {
            inner.install(cx, |cx| {
                let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                    panic!()
                };
                coop.made_progress();
            });
            let mut progress = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| cx
                .poll_cooperate()
                .map(|mut coop| coop.made_progress()))));
            assert!(progress.as_mut().poll(cx).is_ready());
            let mut free = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| cx
                .poll_cooperate()
                .map(drop))));
            assert!(free.as_mut().poll(cx).is_ready());
        });
    });
    assert_eq!(allocations, 0);
}

#[cfg(feature = "std")]
#[test]
fn the_thread_local_fallback_allocates_nothing() {
    let mut budget = Budget::with_units(2);
    let mut cx = Context::from_waker(Waker::noop());
    let allocations = allocations_in(|| {
        budget.install(&mut cx, |_carried| {
            // A leaf polled by a combinator with a waker of its own.
            let mut leaf = Context::from_waker(Waker::noop());
            assert_eq!(leaf.budget_remaining(), Some(2));
            let Poll::Ready(refunded) = leaf.poll_cooperate() else {
                panic!()
            };
            drop(refunded);
            for _ in 0..2 {
                let Poll::Ready(mut coop) = leaf.poll_cooperate() else {
                    panic!()
                };
                coop.made_progress();
            }
            assert!(leaf.poll_cooperate().is_pending());
        });
    });
    assert_eq!(allocations, 0);
}

#[test]
fn a_cooperation_kept_past_its_installation_costs_one_fresh_counter() {
    // The one allocation after `Budget::new`: when a cooperation outlives
    // the installation that made it, the budget hands its counter over to
    // that cooperation and takes a fresh one, so that the late cooperation
    // can never touch a later installation.
    let mut budget = Budget::with_units(2);
    let mut cx = Context::from_waker(Waker::noop());
    let mut kept = None;
    let allocations = allocations_in(|| {
        budget.install(&mut cx, |cx| kept = Some(cx.poll_cooperate()));
    });
    assert_eq!(allocations, 1);
    drop(kept);
    assert_eq!(allocations_in(|| budget.install(&mut cx, |_| ())), 0);
}

/// `with_budget` allocates this thread's counter on first use only.
#[cfg(feature = "std")]
#[test]
fn a_per_thread_budget_allocates_once_per_thread() {
    std::thread::spawn(|| {
        let mut cx = Context::from_waker(Waker::noop());
        let spend_three = |cx: &mut Context<'_>| {
            for _ in 0..3 {
                let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                    unreachable!("3 units of 8")
                };
                coop.made_progress();
            }
        };
        let first = allocations_in(|| task_coop::with_budget(&mut cx, 8, spend_three));
        assert_eq!(first, 1, "the thread's counter");
        let later = allocations_in(|| {
            for _ in 0..1000 {
                task_coop::with_budget(&mut cx, 8, spend_three);
            }
        });
        assert_eq!(later, 0);
    })
    .join()
    .unwrap();
}
