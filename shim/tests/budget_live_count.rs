//! Adversarial tests of the `Budget` counter's live count, kept implicitly as
//! `given - remaining - released`: a take only lowers the units left, and
//! every unit put back (a refund, a time-slice refill, the units an unwinding
//! poll puts back) must keep the count of cooperations taken as it was.
//!
//! Each test mixes cooperations that are spent, dropped (refunds),
//! forgotten (`mem::forget`, ended later from their raw parts) and kept past
//! their installation, with refunds that refill the units past forgotten
//! ones, time-slice segments (on an injected clock), panics inside an
//! installation, and budgets dropped before or after their cooperations.
//! They assert exact units (`BudgetExt::budget_remaining`,
//! `Budget::remaining`, the metrics) and, through a global allocator that
//! counts the budget counters alive on the test's thread (the only
//! 256-aligned allocations), exactly when a counter is detached and when it
//! is freed: a live count read too high leaks a counter, one read too low
//! frees it under a cooperation (or lets a late cooperation refund a later
//! installation). Run under Miri for the memory side.
#![cfg(feature = "alloc")]

mod support;

use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use support::clock::{advance, now, set as set_clock};
use support::counters::{counters, CountingCounters};
use support::{left, metrics, must_take, spend, spend_all, spend_all_with, take, Forgotten};
use task_coop::{Budget, Cooperation, TimeSlice};

// ---------------------------------------------------------------------------
// Counting the budget counters alive on this thread.

#[global_allocator]
static ALLOCATOR: CountingCounters = CountingCounters;

// ---------------------------------------------------------------------------
// Helpers.

/// How a cooperation that outlived its installation is ended.
#[derive(Clone, Copy, Debug)]
enum End {
    Drop,
    MadeProgress,
}

impl End {
    fn end(self, mut coop: Cooperation) {
        match self {
            End::Drop => drop(coop),
            End::MadeProgress => coop.made_progress(),
        }
    }
}

const ENDS: [End; 2] = [End::Drop, End::MadeProgress];

/// Runs `f` (which must panic) and swallows its panic.
fn must_panic(f: impl FnOnce()) {
    let result = catch_unwind(AssertUnwindSafe(f));
    assert!(result.is_err(), "the poll was expected to panic");
}

/// A slice on the test's injected clock.
fn slice(ticks: u64, check_every: u8) -> TimeSlice {
    TimeSlice::with_clock(ticks, now).check_every(check_every)
}

/// Cycles of the "many cycles" tests: enough to matter, few enough for Miri.
const CYCLES: usize = if cfg!(miri) { 24 } else { 600 };

// ---------------------------------------------------------------------------
// Refunds that refill the units past forgotten cooperations.

/// Three rounds of: take `a`, take `b`, forget `b`, drop `a` (its refund puts
/// back `b`'s unit too). The budget reads full again each round, yet three
/// cooperations still hold the counter: the installation must detach it, and
/// it must be freed exactly when the last of them ends, after the `Budget`
/// was dropped.
#[test]
fn refunds_past_forgotten_cooperations_then_budget_dropped_first() {
    for last_end in ENDS {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(3);
        assert_eq!(counters(), base + 1);
        let mut forgotten = Vec::new();
        budget.install(&mut cx, |cx| {
            for round in 0..3 {
                let a = must_take(cx);
                let b = must_take(cx);
                assert_eq!(left(cx), 1, "round {round}");
                forgotten.push(Forgotten::new(b));
                drop(a);
                assert_eq!(left(cx), 3, "round {round}: a's refund undoes b's unit");
            }
            assert!(spend(cx));
            assert_eq!(left(cx), 2);
        });
        assert_eq!(budget.remaining(), 2);
        assert_eq!(
            counters(),
            base + 2,
            "three forgotten cooperations keep the old counter, the budget has a fresh one"
        );

        // The next installation has its own units, whatever the old counter says.
        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 3);
            assert_eq!(spend_all(cx), 3);
        });
        assert_eq!(budget.metrics(), metrics(2, 1 + 3, 1, 0));
        assert_eq!(counters(), base + 2, "nothing was kept this time");

        drop(budget);
        assert_eq!(counters(), base + 1, "the forgotten ones still hold theirs");
        let last = forgotten.pop().unwrap();
        for coop in forgotten {
            drop(coop.revive());
            assert_eq!(
                counters(),
                base + 1,
                "freed before the last cooperation ended"
            );
        }
        last_end.end(last.revive());
        assert_eq!(
            counters(),
            base,
            "{last_end:?}: the last cooperation frees it"
        );
    }
}

/// As above, the forgotten cooperations ended while the `Budget` lives on
/// (inside and outside later installations): they change nothing, and the
/// detached counter is freed at the last one.
#[test]
fn refunds_past_forgotten_cooperations_then_budget_dropped_last() {
    for last_end in ENDS {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(3);
        let mut forgotten = Vec::new();
        budget.install(&mut cx, |cx| {
            for _ in 0..3 {
                let a = must_take(cx);
                forgotten.push(Forgotten::new(must_take(cx)));
                drop(a);
            }
            assert_eq!(left(cx), 3);
        });
        assert_eq!(budget.remaining(), 3);
        assert_eq!(counters(), base + 2);

        let last = forgotten.pop().unwrap();
        let middle = forgotten.pop().unwrap();
        let mut last = Some(last);
        budget.install(&mut cx, |cx| {
            assert!(spend(cx));
            // `middle` remembers 2 units: spend down to 1 so that a refund
            // would show.
            assert!(spend(cx));
            drop(middle.revive());
            assert_eq!(left(cx), 1, "a late refund reached a later installation");
            for coop in forgotten.drain(..) {
                coop.revive().made_progress();
            }
            assert_eq!(left(cx), 1);
            assert_eq!(counters(), base + 2);
            last_end.end(last.take().unwrap().revive());
            assert_eq!(left(cx), 1, "{last_end:?}");
            assert_eq!(counters(), base + 1, "freed by the last cooperation");
        });
        assert_eq!(budget.remaining(), 1);
        assert_eq!(budget.metrics(), metrics(2, 2, 0, 0));
        assert_eq!(counters(), base + 1);
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// One refund that raises the units by exactly the number of cooperations
/// kept: take `a` (restore 4), take `b` (restore 3), drop `b` (back to 3),
/// keep `a`. A count that forgot the refund would read 0 live here and keep
/// the counter attached, so that `a` would refund a later installation (and
/// be freed under `a` when the budget goes).
#[test]
fn late_cooperation_never_changes_a_later_installation() {
    for end in ENDS {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(4);
        let kept = budget.install(&mut cx, |cx| {
            let a = must_take(cx);
            let b = must_take(cx);
            assert_eq!(left(cx), 2);
            drop(b);
            assert_eq!(left(cx), 3);
            a
        });
        assert_eq!(budget.remaining(), 3);
        assert_eq!(
            counters(),
            base + 2,
            "{end:?}: `a` outlives its installation"
        );

        let mut kept = Some(kept);
        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 4);
            assert!(spend(cx));
            assert_eq!(left(cx), 3);
            end.end(kept.take().unwrap());
            assert_eq!(
                left(cx),
                3,
                "{end:?}: the late cooperation changed the budget"
            );
            assert_eq!(counters(), base + 1);
            assert_eq!(spend_all(cx), 3);
        });
        assert_eq!(budget.remaining(), 0);
        assert_eq!(budget.metrics(), metrics(2, 1 + 4, 1, 0));
        budget.install(&mut cx, |cx| assert_eq!(left(cx), 4));
        assert_eq!(counters(), base + 1);
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// The same cooperation kept over several installations and then ended
/// after the budget was dropped, and the mirror case where the budget is
/// dropped with the cooperation already ended.
#[test]
fn kept_cooperation_with_the_budget_dropped_before_or_after_it() {
    for (end, budget_first) in [
        (End::Drop, true),
        (End::MadeProgress, true),
        (End::Drop, false),
        (End::MadeProgress, false),
    ] {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(2);
        let kept = budget.install(&mut cx, |cx| {
            let a = must_take(cx);
            let b = must_take(cx);
            drop(a); // its refund puts back b's unit too; b is kept
            assert_eq!(left(cx), 2);
            b
        });
        assert_eq!(budget.remaining(), 2);
        assert_eq!(counters(), base + 2);
        for _ in 0..3 {
            budget.install(&mut cx, |cx| {
                assert_eq!(left(cx), 2);
                assert!(spend(cx));
            });
            assert_eq!(budget.remaining(), 1);
            assert_eq!(counters(), base + 2);
        }
        if budget_first {
            drop(budget);
            assert_eq!(
                counters(),
                base + 1,
                "{end:?}: the kept cooperation holds it"
            );
            end.end(kept);
            assert_eq!(counters(), base);
        } else {
            end.end(kept);
            assert_eq!(counters(), base + 1, "{end:?}");
            assert_eq!(budget.remaining(), 1, "{end:?}: outside any installation");
            drop(budget);
            assert_eq!(counters(), base);
        }
    }
}

/// Refunds put the units back past cooperations forgotten in earlier
/// segments of the same installation, out of order: a forgotten one revived
/// later in the installation, an older refund raising the units above a
/// younger one's restore value. Everything ends inside the installation, so
/// the count must come back to exactly 0 (no counter detached).
#[test]
fn out_of_order_refunds_past_forgotten_ones_balance_to_zero() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(4);
    budget.install(&mut cx, |cx| {
        let a = must_take(cx); // restore 4
        let b = must_take(cx); // restore 3
        let c = must_take(cx); // restore 2
        assert_eq!(left(cx), 1);
        let b = Forgotten::new(b);
        drop(a);
        assert_eq!(left(cx), 4, "a's refund undoes b and c");
        let mut d = must_take(cx); // restore 4
        assert_eq!(left(cx), 3);
        drop(b.revive()); // restore 3: not above what is left
        assert_eq!(left(cx), 3);
        drop(c); // restore 2
        assert_eq!(left(cx), 3);
        d.made_progress();
        assert_eq!(left(cx), 3);

        // Again, with the younger one dropped first and the older forgotten.
        let e = must_take(cx); // restore 3
        let f = must_take(cx); // restore 2
        let g = must_take(cx); // restore 1
        let e = Forgotten::new(e);
        drop(g);
        drop(f);
        assert_eq!(left(cx), 2);
        drop(e.revive());
        assert_eq!(left(cx), 3);
    });
    assert_eq!(budget.remaining(), 3);
    assert_eq!(budget.metrics(), metrics(1, 1, 0, 0));
    assert_eq!(counters(), base + 1, "nothing outlived the installation");
    drop(budget);
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Many cycles in one installation.

/// `CYCLES` rounds of: take `a`, `b`, `c`; forget `b`; `c` made progress;
/// drop `a` (back to 8: tokio's rule, an outer refund undoes what was spent
/// inside it). Half the forgotten ones end inside the installation, half
/// outlive it: the counter is detached, and freed exactly at the last one.
#[test]
fn many_take_forget_refund_cycles_in_one_installation() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(8);
    let mut forgotten = Vec::new();
    budget.install(&mut cx, |cx| {
        for cycle in 0..CYCLES {
            let a = must_take(cx);
            let b = must_take(cx);
            let mut c = must_take(cx);
            assert_eq!(left(cx), 5, "cycle {cycle}");
            forgotten.push(Forgotten::new(b));
            c.made_progress();
            drop(a);
            assert_eq!(left(cx), 8, "cycle {cycle}");
        }
        // Their restore value (7) is below what is left: no refund.
        for coop in forgotten.drain(CYCLES / 2..) {
            drop(coop.revive());
        }
        assert_eq!(left(cx), 8);
        assert!(spend(cx));
        assert!(spend(cx));
        assert_eq!(left(cx), 6);
        assert_eq!(counters(), base + 1, "nothing detached during the poll");
    });
    assert_eq!(budget.remaining(), 6);
    assert_eq!(budget.metrics(), metrics(1, 2, 0, 0));
    assert_eq!(
        counters(),
        base + 2,
        "half the forgotten ones outlive the poll"
    );

    budget.install(&mut cx, |cx| {
        assert_eq!(left(cx), 8);
        let last = forgotten.pop().unwrap();
        for (i, coop) in forgotten.drain(..).enumerate() {
            if i % 2 == 0 {
                drop(coop.revive());
            } else {
                coop.revive().made_progress();
            }
            assert_eq!(counters(), base + 2, "freed before the last one ended");
        }
        assert_eq!(left(cx), 8, "late cooperations changed this installation");
        drop(last.revive());
        assert_eq!(counters(), base + 1);
        assert_eq!(left(cx), 8);
        assert_eq!(spend_all(cx), 8);
    });
    assert_eq!(budget.metrics(), metrics(2, 2 + 8, 1, 0));
    drop(budget);
    assert_eq!(counters(), base);
}

/// The same cycles with every forgotten cooperation ended inside the
/// installation: the count comes back to 0 after thousands of units given
/// and taken, so nothing is detached, and the budget reads exactly what the
/// refunds left.
#[test]
fn many_cycles_fully_released_inside_the_installation_detach_nothing() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(5);
    budget.install(&mut cx, |cx| {
        let mut forgotten = Vec::new();
        for cycle in 0..CYCLES {
            let a = must_take(cx); // restore 5
            let b = must_take(cx); // restore 4
            forgotten.push(Forgotten::new(b));
            if cycle % 3 == 0 {
                // A younger one, spent, undone by a's refund.
                assert!(spend(cx));
            }
            drop(a);
            assert_eq!(left(cx), 5, "cycle {cycle}");
        }
        assert!(spend(cx));
        assert!(spend(cx));
        assert_eq!(left(cx), 3);
        // Restore 4, above the 3 left: the first refund gives one unit back.
        for (i, coop) in forgotten.into_iter().enumerate() {
            if i % 2 == 0 {
                drop(coop.revive());
            } else {
                coop.revive().made_progress();
            }
        }
        assert_eq!(left(cx), 4);
    });
    assert_eq!(budget.remaining(), 4);
    assert_eq!(budget.metrics(), metrics(1, 1, 0, 0));
    assert_eq!(counters(), base + 1, "the count did not come back to 0");
    budget.install(&mut cx, |cx| assert_eq!(spend_all(cx), 5));
    assert_eq!(counters(), base + 1);
    drop(budget);
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Unwinding.

/// A poll panics after refunds past a forgotten cooperation, holding one more
/// in a local; every cooperation is gone when the installation's guard runs
/// (one revived before, one dropped by the unwinding), and the guard lowers
/// the units back to what the previous installation left. Nothing is live:
/// no counter detached, and the units are as before the panic.
#[test]
fn unwinding_with_every_cooperation_released_detaches_nothing() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(5);
    budget.install(&mut cx, |cx| {
        for _ in 0..4 {
            assert!(spend(cx));
        }
    });
    assert_eq!(budget.remaining(), 1);

    must_panic(|| {
        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 5);
            let a = must_take(cx); // restore 5
            let b = Forgotten::new(must_take(cx)); // restore 4
            drop(a);
            assert_eq!(left(cx), 5);
            drop(b.revive());
            let _held = must_take(cx); // restore 5, refunded by the unwinding
            assert!(spend(cx));
            assert_eq!(left(cx), 3);
            panic!("a future panicked while holding a cooperation (expected by the test)");
        });
    });
    assert_eq!(
        budget.remaining(),
        1,
        "units as the previous installation left them"
    );
    assert!(!budget.ran_out());
    assert_eq!(
        budget.metrics(),
        metrics(1, 4, 0, 0),
        "the panicked poll is not counted"
    );
    assert_eq!(counters(), base + 1, "nothing outlived the panicked poll");

    budget.install(&mut cx, |cx| {
        assert_eq!(left(cx), 5);
        assert_eq!(spend_all(cx), 5);
    });
    assert_eq!(counters(), base + 1);
    drop(budget);
    assert_eq!(counters(), base);
}

/// A poll that follows one that ran out panics while a cooperation is kept
/// outside it and another is forgotten, after a refund: the guard puts the
/// units back down to 0 (below what the poll left) and must still see two
/// live cooperations, detach the counter, and leave a budget that later
/// installations use in full while the two end inside one of them.
#[test]
fn unwinding_with_kept_and_forgotten_cooperations_detaches() {
    for end in ENDS {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(5);
        budget.install(&mut cx, |cx| assert_eq!(spend_all(cx), 5));
        assert!(budget.ran_out());
        assert_eq!(budget.remaining(), 0);

        let mut kept = Vec::new();
        let mut forgotten = Vec::new();
        must_panic(|| {
            budget.install(&mut cx, |cx| {
                kept.push(must_take(cx)); // restore 5
                forgotten.push(Forgotten::new(must_take(cx))); // restore 4
                let c = must_take(cx); // restore 3
                assert!(spend(cx));
                assert_eq!(left(cx), 1);
                drop(c);
                assert_eq!(left(cx), 3);
                panic!("a future panicked (expected by the test)");
            });
        });
        assert_eq!(budget.remaining(), 0, "units as before the panicked poll");
        assert!(!budget.ran_out(), "false after a poll that panicked");
        assert_eq!(
            counters(),
            base + 2,
            "{end:?}: two cooperations outlive the poll"
        );

        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 5);
            assert!(spend(cx));
            assert!(spend(cx));
            end.end(kept.pop().unwrap());
            assert_eq!(
                left(cx),
                3,
                "{end:?}: a late cooperation refunded this poll"
            );
            assert_eq!(counters(), base + 2);
            end.end(forgotten.pop().unwrap().revive());
            assert_eq!(left(cx), 3, "{end:?}");
            assert_eq!(counters(), base + 1, "freed by the last of the two");
        });
        assert_eq!(budget.remaining(), 3);
        assert_eq!(budget.metrics(), metrics(2, 5 + 2, 1, 0));
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// The guard raises the units (the previous installation left more than
/// the panicked poll) while a cooperation is kept: it stays live, the
/// counter is detached, and the budget dropped first leaves the kept
/// cooperation the only holder.
#[test]
fn unwinding_raises_the_units_with_a_kept_cooperation() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(6);
    budget.install(&mut cx, |_| {});
    assert_eq!(budget.remaining(), 6);

    let mut kept = None;
    must_panic(|| {
        budget.install(&mut cx, |cx| {
            for _ in 0..3 {
                assert!(spend(cx));
            }
            kept = Some(must_take(cx)); // restore 3
            assert_eq!(left(cx), 2);
            panic!("a future panicked (expected by the test)");
        });
    });
    assert_eq!(budget.remaining(), 6);
    assert_eq!(counters(), base + 2);
    drop(budget);
    assert_eq!(
        counters(),
        base + 1,
        "the kept cooperation holds the old counter"
    );
    drop(kept);
    assert_eq!(counters(), base);
}

/// A future keeps a cooperation in its state and panics; it is dropped after
/// the installation's guard ran (by the executor, later), and a second
/// budget polls nothing of it. Then the same with the budget dropped after
/// the future.
#[test]
fn unwinding_future_state_dropped_after_the_guard() {
    for budget_first in [true, false] {
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(4);
        let mut state: Vec<Cooperation> = Vec::new();
        let mut future: Pin<Box<dyn Future<Output = ()>>> = Box::pin(poll_fn(move |cx| {
            state.push(must_take(cx)); // restore 4
            let refunded = must_take(cx); // restore 3
            state.push(must_take(cx)); // restore 2
            drop(refunded);
            assert_eq!(left(cx), 1);
            panic!("the task panicked (expected by the test)");
        }));
        must_panic(|| {
            let _ = budget.poll(future.as_mut(), &mut cx);
        });
        assert_eq!(budget.remaining(), 4);
        assert_eq!(
            counters(),
            base + 2,
            "the future's state holds two cooperations"
        );
        budget.install(&mut cx, |cx| {
            assert!(spend(cx));
            assert_eq!(left(cx), 3);
        });
        if budget_first {
            drop(budget);
            assert_eq!(counters(), base + 1);
            drop(future);
            assert_eq!(counters(), base);
        } else {
            drop(future);
            assert_eq!(counters(), base + 1);
            assert_eq!(
                budget.remaining(),
                3,
                "the dropped state refunded the budget"
            );
            drop(budget);
            assert_eq!(counters(), base);
        }
    }
}

/// An inner budget panics inside an outer installation while one of its
/// cooperations is kept by the outer poll; the outer budget's own
/// cooperations, taken before and refunded after the panic, count as usual,
/// and the inner one, ended in the outer poll, touches neither budget.
#[test]
fn unwinding_of_a_nested_installation_with_cooperations_of_both() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut outer = Budget::with_units(6);
    let mut inner = Budget::with_units(3);
    outer.install(&mut cx, |cx| {
        let o1 = must_take(cx); // restore 6
        let o2 = Forgotten::new(must_take(cx)); // restore 5
        assert_eq!(left(cx), 4);
        let mut kept_inner = None;
        must_panic(|| {
            inner.install(cx, |cx| {
                assert_eq!(left(cx), 3);
                kept_inner = Some(must_take(cx));
                let i2 = must_take(cx);
                drop(i2);
                assert_eq!(left(cx), 2);
                panic!("an inner poll panicked (expected by the test)");
            });
        });
        assert_eq!(inner.remaining(), 3);
        assert_eq!(counters(), base + 3, "the inner counter was detached");
        assert_eq!(left(cx), 4, "the outer installation is intact");
        drop(kept_inner.take());
        assert_eq!(counters(), base + 2);
        assert_eq!(
            left(cx),
            4,
            "the inner cooperation touched the outer budget"
        );
        drop(o1);
        assert_eq!(left(cx), 6, "o1's refund undoes the forgotten o2");
        o2.revive().made_progress();
        assert_eq!(left(cx), 6);
        assert!(spend(cx));
    });
    assert_eq!(outer.remaining(), 5);
    assert_eq!(inner.remaining(), 3);
    assert_eq!(outer.metrics(), metrics(1, 1, 0, 0));
    assert_eq!(inner.metrics(), metrics(0, 0, 0, 0));
    assert_eq!(
        counters(),
        base + 2,
        "nothing of the outer poll was detached"
    );
    drop((outer, inner));
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Time slices (injected clock): refills from the reserve.

/// 12 units read in segments of 4. Cooperations taken in the first segment
/// are kept while the second is refilled from the reserve, and one of them is
/// refunded in the second (raising the segment above its own restore value);
/// two outlive the installation and end in the next one, changing nothing.
#[test]
fn slice_refills_with_cooperations_kept_across_segments_and_installations() {
    for end in ENDS {
        set_clock(0);
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_time_slice(12, slice(100, 4));
        let mut kept = budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 12);
            let c1 = must_take(cx); // segment 1: restore 4
            let c2 = must_take(cx); // restore 3
            let mut c3 = must_take(cx); // restore 2
            let c4 = must_take(cx); // restore 1
            assert_eq!(left(cx), 8);
            let c5 = must_take(cx); // refill: segment 2, restore 4
            assert_eq!(left(cx), 7);
            drop(c2); // restore 3: not above the 3 of the segment
            assert_eq!(left(cx), 7);
            drop(c1); // restore 4: the segment back to 4
            assert_eq!(left(cx), 8);
            c3.made_progress();
            assert_eq!(left(cx), 8);
            vec![c4, c5]
        });
        assert_eq!(budget.remaining(), 8);
        assert_eq!(counters(), base + 2, "{end:?}: c4 and c5 outlive the poll");

        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 12);
            for _ in 0..6 {
                assert!(spend(cx));
            }
            assert_eq!(left(cx), 6);
            // c5 remembers a segment of 4; this segment has 2 left.
            end.end(kept.pop().unwrap());
            assert_eq!(left(cx), 6, "{end:?}: a late cooperation refunded a unit");
            assert_eq!(counters(), base + 2);
            end.end(kept.pop().unwrap());
            assert_eq!(left(cx), 6, "{end:?}");
            assert_eq!(counters(), base + 1, "freed by the last of the two");
            assert_eq!(spend_all(cx), 6);
        });
        assert_eq!(budget.metrics(), metrics(2, 4 + 12, 1, 0));
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// The slice ends while cooperations of both segments are kept: refunds stay
/// spent from then on, two cooperations outlive the installation, and the
/// next installation (a fresh slice) has its full units whatever they do.
#[test]
fn slice_end_with_cooperations_kept_across_the_installation() {
    for end in ENDS {
        set_clock(0);
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_time_slice(12, slice(10, 4));
        let mut kept = budget.install(&mut cx, |cx| {
            let c1 = must_take(cx); // restore 4
            let c2 = must_take(cx); // restore 3
            assert!(spend(cx));
            assert!(spend(cx));
            assert_eq!(left(cx), 8);
            let c5 = must_take(cx); // the first clock read: segment 2, restore 4
            assert_eq!(left(cx), 7);
            advance(10);
            for _ in 0..3 {
                assert!(spend(cx));
            }
            assert_eq!(left(cx), 4);
            assert!(take(cx).is_none(), "the second read ends the slice");
            assert_eq!(left(cx), 0);
            drop(c1); // restore 4, but the slice has ended
            assert_eq!(left(cx), 0);
            assert!(take(cx).is_none());
            vec![c2, c5]
        });
        assert_eq!(budget.remaining(), 0);
        assert!(budget.ran_out());
        assert_eq!(budget.metrics(), metrics(1, 8, 1, 1));
        assert_eq!(counters(), base + 2, "{end:?}");

        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 12);
            end.end(kept.pop().unwrap());
            assert_eq!(left(cx), 12, "{end:?}");
            assert_eq!(counters(), base + 2);
            end.end(kept.pop().unwrap());
            assert_eq!(left(cx), 12, "{end:?}");
            assert_eq!(counters(), base + 1);
            assert_eq!(spend_all(cx), 12, "the clock stands still: all the units");
        });
        assert_eq!(budget.metrics(), metrics(2, 8 + 12, 2, 1));
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// Refills and refunds across three segments, with a forgotten cooperation
/// revived two segments later; every cooperation ends inside the
/// installation, so the units put in by the refills must be counted exactly
/// for the count to come back to 0 (no counter detached).
#[test]
fn slice_refills_balanced_inside_the_installation_detach_nothing() {
    set_clock(0);
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(10, slice(1_000, 3));
    budget.install(&mut cx, |cx| {
        let a = must_take(cx); // segment 1: restore 3
        let b = Forgotten::new(must_take(cx)); // restore 2
        let c = must_take(cx); // restore 1
        assert_eq!(left(cx), 7);
        let mut d = must_take(cx); // segment 2: restore 3
        assert_eq!(left(cx), 6);
        drop(a); // restore 3: the segment back to 3
        assert_eq!(left(cx), 7);
        drop(c);
        d.made_progress();
        drop(b.revive()); // restore 2: not above the 3 of the segment
        assert_eq!(left(cx), 7);
        for _ in 0..3 {
            assert!(spend(cx));
        }
        assert_eq!(left(cx), 4);
        let e = Forgotten::new(must_take(cx)); // segment 3: restore 3
        let f = must_take(cx); // restore 2
        assert_eq!(left(cx), 2);
        drop(f);
        assert_eq!(left(cx), 3);
        drop(e.revive());
        assert_eq!(left(cx), 4);
    });
    assert_eq!(budget.remaining(), 4);
    assert_eq!(budget.metrics(), metrics(1, 6, 0, 0));
    assert_eq!(counters(), base + 1, "the count did not come back to 0");
    drop(budget);
    assert_eq!(counters(), base);
}

/// After an installation whose slice ended, the next one panics with a
/// cooperation kept and one forgotten: the guard puts back "the slice had
/// ended" (0 units) and must detach the counter with both live; a later
/// installation gets a fresh slice and its full units.
#[test]
fn unwinding_after_a_slice_ended_with_kept_cooperations() {
    for end in ENDS {
        set_clock(0);
        let base = counters();
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_time_slice(12, slice(5, 4));
        let spent = budget.install(&mut cx, |cx| {
            spend_all_with(cx, |n| {
                if n == 5 {
                    advance(5); // the slice started at the 5th unit
                }
            })
        });
        assert_eq!(spent, 8);
        assert_eq!(budget.remaining(), 0);
        assert_eq!(budget.metrics(), metrics(1, 8, 1, 1));

        let mut kept = None;
        let mut forgotten = None;
        must_panic(|| {
            budget.install(&mut cx, |cx| {
                assert_eq!(left(cx), 12);
                kept = Some(must_take(cx)); // restore 4
                forgotten = Some(Forgotten::new(must_take(cx))); // restore 3
                let g = must_take(cx); // restore 2
                drop(g);
                assert_eq!(left(cx), 10);
                panic!("a future panicked (expected by the test)");
            });
        });
        assert_eq!(budget.remaining(), 0, "as before: the slice had ended");
        assert!(!budget.ran_out());
        assert_eq!(budget.metrics(), metrics(1, 8, 1, 1));
        assert_eq!(counters(), base + 2, "{end:?}");

        budget.install(&mut cx, |cx| {
            assert_eq!(left(cx), 12);
            end.end(kept.take().unwrap());
            assert_eq!(left(cx), 12, "{end:?}");
            end.end(forgotten.take().unwrap().revive());
            assert_eq!(left(cx), 12, "{end:?}");
            assert_eq!(counters(), base + 1);
            assert_eq!(spend_all(cx), 12);
        });
        assert_eq!(budget.metrics(), metrics(2, 8 + 12, 2, 1));
        drop(budget);
        assert_eq!(counters(), base);
    }
}

// ---------------------------------------------------------------------------
// Through a task's polls, and through the thread's shared counter.

/// A task keeps cooperations in its state across three polls of one budget:
/// one forgotten in the first poll and ended in the third, one kept from the
/// first and dropped in the second, one kept from the second and dropped in
/// the third. Each poll that left one live detaches the counter, each
/// detached counter is freed by its last cooperation, and no late one
/// changes the poll running then.
#[test]
fn task_keeps_cooperations_across_polls_of_one_budget() {
    let base = counters();
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(4);
    let mut polls = 0;
    let mut forgotten: Option<Forgotten> = None;
    let mut kept: Option<Cooperation> = None;
    let mut task = pin!(poll_fn(move |cx: &mut Context<'_>| {
        polls += 1;
        match polls {
            1 => {
                let a = must_take(cx); // restore 4
                forgotten = Some(Forgotten::new(must_take(cx))); // restore 3
                kept = Some(must_take(cx)); // restore 2
                drop(a);
                assert_eq!(left(cx), 4);
                Poll::Pending
            }
            2 => {
                assert!(spend(cx));
                assert_eq!(left(cx), 3);
                drop(kept.take()); // restore 2 of the first poll's counter
                assert_eq!(left(cx), 3);
                assert!(spend(cx));
                kept = Some(must_take(cx)); // restore 2
                assert_eq!(left(cx), 1);
                Poll::Pending
            }
            _ => {
                assert_eq!(left(cx), 4);
                forgotten.take().unwrap().revive().made_progress();
                drop(kept.take()); // restore 2 of the second poll's counter
                assert!(spend(cx));
                Poll::Ready(left(cx))
            }
        }
    }));
    assert!(budget.poll(task.as_mut(), &mut cx).is_pending());
    assert_eq!(budget.remaining(), 4);
    assert_eq!(counters(), base + 2);
    assert!(budget.poll(task.as_mut(), &mut cx).is_pending());
    assert_eq!(budget.remaining(), 1);
    assert_eq!(
        counters(),
        base + 3,
        "one counter per poll that left a live one"
    );
    assert_eq!(budget.poll(task.as_mut(), &mut cx), Poll::Ready(3));
    assert_eq!(counters(), base + 1, "both detached counters freed");
    assert_eq!(budget.remaining(), 3);
    assert_eq!(budget.metrics(), metrics(3, 3 + 1, 0, 0));
    drop(budget);
    assert_eq!(counters(), base);
}

/// `with_budget` on the thread's shared counter: refunds past a forgotten
/// cooperation and one cooperation returned out of the poll; the counter is
/// handed over to them, the thread gets a fresh one, and the two ending in a
/// later poll change nothing and free it.
#[cfg(feature = "std")]
#[test]
fn thread_counter_with_refunds_past_forgotten_and_kept_cooperations() {
    use task_coop::with_budget;

    for end in ENDS {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(&mut cx, 4, |_| {}); // the thread's counter exists from here
        let base = counters();
        let (kept, forgotten) = with_budget(&mut cx, 4, |cx| {
            let a = must_take(cx); // restore 4
            let b = Forgotten::new(must_take(cx)); // restore 3
            drop(a);
            assert_eq!(left(cx), 4);
            let k = must_take(cx); // restore 4
            assert_eq!(left(cx), 3);
            (k, b)
        });
        assert_eq!(counters(), base + 1, "{end:?}: detached, and a fresh one");
        let mut kept = Some(kept);
        let mut forgotten = Some(forgotten);
        let spent = with_budget(&mut cx, 4, |cx| {
            assert_eq!(left(cx), 4);
            assert!(spend(cx));
            end.end(kept.take().unwrap());
            assert_eq!(left(cx), 3, "{end:?}");
            assert_eq!(counters(), base + 1);
            end.end(forgotten.take().unwrap().revive());
            assert_eq!(left(cx), 3, "{end:?}");
            assert_eq!(counters(), base);
            1 + spend_all(cx)
        });
        assert_eq!(spent, 4);
        assert_eq!(counters(), base);
    }
}
