//! Acceptance 5: a `Cooperation` kept in a future's state and dropped (or
//! spent) in a later poll is sound, also after the `Budget` that made it was
//! dropped, and it does not touch the budget installed by then: neither
//! another `Budget` nor a later installation of the same one. Run under Miri
//! to check the memory side.
#![cfg(feature = "alloc")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use support::{spend, take};
use task_coop::{Budget, BudgetExt, Cooperation};

/// What the future does in its second poll with the cooperation it kept.
#[derive(Clone, Copy, Debug)]
enum Late {
    Drop,
    MadeProgress,
}

/// A future that takes a unit in its first poll and keeps it; in its second
/// poll it optionally spends a unit of the budget installed then, and then
/// ends the kept cooperation as `late` says. Returns the units left in the
/// second installation just before and just after the late end.
fn keeper(spend_first: bool, late: Late) -> impl Future<Output = (Option<u32>, Option<u32>)> {
    let mut kept: Option<Cooperation> = None;
    poll_fn(move |cx: &mut Context<'_>| match kept.take() {
        None => {
            kept = Some(take(cx).expect("a fresh budget has units"));
            Poll::Pending
        }
        Some(mut coop) => {
            if spend_first {
                assert!(spend(cx));
            }
            let before = cx.budget_remaining();
            match late {
                Late::Drop => drop(coop),
                Late::MadeProgress => coop.made_progress(),
            }
            Poll::Ready((before, cx.budget_remaining()))
        }
    })
}

/// The units the second installation had just before the late end, just
/// after it, and at the end of the poll (`remaining`) are the same: the
/// installation's own units (3 if the keeper spent one first, else 4), which
/// the late cooperation did not touch.
fn assert_untouched(
    spend_first: bool,
    late: Late,
    (before, after): (Option<u32>, Option<u32>),
    remaining: u8,
) {
    let expected = if spend_first { 3 } else { 4 };
    assert_eq!(before, Some(expected), "{spend_first} {late:?}");
    assert_eq!(
        after,
        Some(expected),
        "{spend_first} {late:?}: the late cooperation changed the budget"
    );
    assert_eq!(u32::from(remaining), expected);
}

const CASES: [(bool, Late); 4] = [
    (false, Late::Drop),
    (true, Late::Drop),
    (false, Late::MadeProgress),
    (true, Late::MadeProgress),
];

#[test]
fn late_cooperation_after_its_budget_was_dropped_touches_nothing() {
    for (spend_first, late) in CASES {
        let mut future = pin!(keeper(spend_first, late));
        let mut cx = Context::from_waker(Waker::noop());

        let mut first = Budget::with_units(4);
        assert!(first.poll(future.as_mut(), &mut cx).is_pending());
        assert_eq!(first.remaining(), 3);
        drop(first);

        let mut second = Budget::with_units(4);
        let Poll::Ready((before, after)) = second.poll(future.as_mut(), &mut cx) else {
            panic!("the keeper completes in its second poll");
        };
        assert_untouched(spend_first, late, (before, after), second.remaining());
    }
}

#[test]
fn late_cooperation_in_a_later_installation_of_the_same_budget_touches_nothing() {
    for (spend_first, late) in CASES {
        let mut future = pin!(keeper(spend_first, late));
        let mut cx = Context::from_waker(Waker::noop());
        let mut budget = Budget::with_units(4);
        assert!(budget.poll(future.as_mut(), &mut cx).is_pending());
        assert_eq!(budget.remaining(), 3);

        let Poll::Ready((before, after)) = budget.poll(future.as_mut(), &mut cx) else {
            panic!("the keeper completes in its second poll");
        };
        // The kept cooperation remembers 4 units; refunding it now would
        // give the second installation a unit it never had to give.
        assert_untouched(spend_first, late, (before, after), budget.remaining());

        // And the budget goes on as usual.
        budget.install(&mut cx, |cx| {
            assert_eq!(cx.budget_remaining(), Some(4));
            drop(take(cx));
            assert_eq!(cx.budget_remaining(), Some(4));
        });
    }
}

#[test]
fn late_cooperation_dropped_outside_any_installation_is_sound() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(2);
    let kept = budget.install(&mut cx, |cx| [take(cx), take(cx)]);
    assert_eq!(budget.remaining(), 0);
    drop(budget);
    let [a, b] = kept;
    drop(b);
    let mut a = a.unwrap();
    a.made_progress();
}

#[cfg(feature = "std")]
#[test]
fn late_cooperation_taken_through_the_thread_local_touches_nothing() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut budget = Budget::with_units(4);
    // A child polled with a waker of its own keeps its cooperation.
    let kept = budget.install(&mut cx, |_carried| {
        let mut child = Context::from_waker(Waker::noop());
        take(&mut child)
    });
    assert_eq!(budget.remaining(), 3);
    budget.install(&mut cx, |cx| {
        assert!(spend(cx));
        drop(kept);
        assert_eq!(cx.budget_remaining(), Some(3));
    });
}
