//! `Budget::with_time_slice` on an injected clock (a thread-local the test
//! sets; no wall-clock assertion): the installation ends when the slice is
//! over even with units left, never early while the clock is stopped; the
//! clock is read once every `check_every` units from the first check (the
//! slice starts there), never more; slice yields are counted, and wake the task like running out does.
#![cfg(feature = "alloc")]

mod support;

use std::task::{Context, Waker};

use support::clock::{advance, now, reads, set as set_clock};
use support::{metrics, spend, spend_all_with as spend_all, take, WakeCounter};
use task_coop::{Budget, BudgetExt, TimeSlice};

fn slice(ticks: u64, check_every: u8) -> TimeSlice {
    TimeSlice::with_clock(ticks, now).check_every(check_every)
}

#[test]
fn the_slice_ends_the_installation_with_units_left() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_time_slice(128, slice(100, 16));
    let spent = budget.install(&mut cx, |cx| {
        let spent = spend_all(cx, |n| {
            if n == 20 {
                advance(100); // the slice is over after the 20th unit
            }
        });
        assert_eq!(cx.budget_remaining(), Some(0), "no unit left to use");
        spent
    });
    // Checks at the 17th unit (the slice starts, at 0) and the 33rd (100: over).
    assert_eq!(spent, 32);
    assert_eq!(budget.remaining(), 0);
    assert!(budget.ran_out());
    assert_eq!(budget.metrics(), metrics(1, 32, 1, 1));
    assert_eq!(task.wakes(), 1, "woken once, like running out of units");
}

#[test]
fn a_stopped_clock_never_ends_the_slice_early() {
    for check_every in [1, 4, 16, 127, 200] {
        set_clock(1_000);
        let mut cx = Context::from_waker(Waker::noop());
        // The shortest slice there is: one tick.
        let mut budget = Budget::with_time_slice(128, slice(1, check_every));
        for poll in 1..=3 {
            let spent = budget.install(&mut cx, |cx| spend_all(cx, |_| {}));
            assert_eq!(spent, 128, "check every {check_every}");
            assert_eq!(
                budget.metrics(),
                metrics(poll, 128 * poll, poll, 0),
                "check every {check_every}: units ran out, not the slice"
            );
        }
    }
}

#[test]
fn the_clock_is_read_once_every_check_interval_from_the_first_check() {
    let mut cx = Context::from_waker(Waker::noop());
    // (check_every, reads for 128 units spent to the end): at units
    // check_every + 1, 2 * check_every + 1, ... below 129.
    for (check_every, expected) in [(16, 7), (32, 3), (1, 127), (127, 1)] {
        let mut budget = Budget::with_time_slice(128, slice(1_000, check_every));
        let before = reads();
        budget.install(&mut cx, |cx| spend_all(cx, |_| {}));
        assert_eq!(reads() - before, expected, "check every {check_every}");
    }
    // A poll that takes no more units than the interval never reads it.
    let mut budget = Budget::with_time_slice(128, slice(1_000, 16));
    let before = reads();
    budget.install(&mut cx, |cx| (0..16).for_each(|_| assert!(spend(cx))));
    assert_eq!(reads(), before);
}

#[test]
fn a_budget_no_larger_than_the_interval_never_reads_the_clock() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(16, slice(0, 16));
    let before = reads();
    let spent = budget.install(&mut cx, |cx| spend_all(cx, |_| advance(1_000)));
    assert_eq!(spent, 16);
    assert_eq!(reads(), before);
    assert_eq!(budget.metrics(), metrics(1, 16, 1, 0));
}

#[test]
fn units_given_back_are_taken_again_without_reading_the_clock() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(32, slice(1_000, 16));
    let before = reads();
    budget.install(&mut cx, |cx| {
        (0..16).for_each(|_| assert!(spend(cx)));
        // The 17th unit is due a check; taken and given back 100 times.
        for _ in 0..100 {
            drop(take(cx).expect("units left"));
        }
    });
    assert_eq!(reads() - before, 1, "one check");
    assert_eq!(budget.metrics(), metrics(1, 16, 0, 0));
}

#[test]
fn the_slice_stays_ended_when_units_are_given_back() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(128, slice(10, 4));
    budget.install(&mut cx, |cx| {
        // The slice starts at the 5th unit.
        (0..7).for_each(|_| assert!(spend(cx)));
        let held = take(cx).expect("units left");
        advance(10);
        assert!(
            take(cx).is_none(),
            "the check at the 9th unit ends the slice"
        );
        drop(held); // no refund once the slice has ended
        assert_eq!(cx.budget_remaining(), Some(0));
        assert!(take(cx).is_none(), "still over");
    });
    assert_eq!(budget.remaining(), 0);
    // The held unit stays spent: after the end, units given back are not
    // refunded, so that nothing can be taken again.
    assert_eq!(budget.metrics(), metrics(1, 8, 1, 1));
}

#[test]
fn the_next_installation_starts_a_new_slice() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(128, slice(10, 4));
    budget.install(&mut cx, |cx| spend_all(cx, |_| advance(1)));
    // The slice started at the 5th unit (4 ticks in), was over after the
    // 14th (14 ticks), and the check at the 17th saw it.
    assert_eq!(budget.metrics(), metrics(1, 16, 1, 1));
    // Stopped from here on: the next installation runs its units out.
    let spent = budget.install(&mut cx, |cx| spend_all(cx, |_| {}));
    assert_eq!(spent, 128);
    assert_eq!(budget.metrics(), metrics(2, 144, 2, 1));
    assert!(budget.ran_out());
}

#[test]
fn a_zero_slice_still_gives_check_every_units() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(128, slice(0, 16));
    let spent = budget.install(&mut cx, |cx| spend_all(cx, |_| {}));
    assert_eq!(spent, 16);
    assert_eq!(budget.metrics(), metrics(1, 16, 1, 1));
}

#[test]
fn the_clock_may_wrap_round() {
    set_clock(u64::MAX - 5);
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(128, slice(10, 1));
    let spent = budget.install(&mut cx, |cx| {
        spend_all(cx, |n| match n {
            2 => advance(8), // wraps round to 2: 8 ticks elapsed
            3 => advance(2), // 10 ticks: over
            _ => {}
        })
    });
    // Checks at every unit from the 2nd (the slice starts there, at
    // u64::MAX - 5): at the 3rd 8 ticks, at the 4th 10.
    assert_eq!(spent, 3);
    assert_eq!(budget.metrics().slice_yields, 1);
}

#[test]
fn with_deferral_the_end_of_the_slice_leaves_the_task_to_the_executor() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_time_slice(128, slice(5, 2));
    budget.set_defer_forced_wakes(true);
    budget.install(&mut cx, |cx| spend_all(cx, |_| advance(5)));
    // Started at the 3rd unit, over at the 5th.
    assert!(budget.ran_out());
    assert_eq!(task.wakes(), 0);
    assert_eq!(budget.metrics(), metrics(1, 4, 1, 1));
}

#[test]
fn a_time_slice_reports_its_settings() {
    let slice = slice(250, 8);
    assert_eq!((slice.ticks(), slice.check_interval()), (250, 8));
    let budget = Budget::with_time_slice(64, slice);
    let kept = budget.time_slice().expect("a time slice");
    assert_eq!((kept.ticks(), kept.check_interval()), (250, 8));
    assert_eq!(
        TimeSlice::with_clock(1, now).check_interval(),
        TimeSlice::DEFAULT_CHECK_EVERY
    );
}

#[test]
#[should_panic(expected = "use at least 1")]
fn checking_every_zero_units_is_refused() {
    let _ = TimeSlice::with_clock(1, now).check_every(0);
}

#[cfg(feature = "std")]
#[test]
fn an_instant_slice_of_zero_ends_at_the_first_check() {
    // Whatever the wall clock does, a zero slice has elapsed at any check:
    // exactly the first 16 units.
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_time_slice(128, std::time::Duration::ZERO);
    let spent = budget.install(&mut cx, |cx| spend_all(cx, |_| {}));
    assert_eq!(spent, 16);
    assert_eq!(budget.metrics(), metrics(1, 16, 1, 1));
}
