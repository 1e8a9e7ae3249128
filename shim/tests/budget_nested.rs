//! Acceptance 5: nested installations. The innermost one answers, both
//! through the context and through the thread-local; the outer one is intact
//! when the inner one ends.
#![cfg(feature = "alloc")]

mod support;

use std::cell::Cell;
use std::task::{Context, Poll, Waker};

use support::spend;
use task_coop::{with_provider, Budget, BudgetExt, Cooperation, CooperationProvider};

/// What a child polled by a combinator with a waker of its own would see.
#[cfg(feature = "std")]
fn seen_by_a_child() -> Option<u32> {
    Context::from_waker(Waker::noop()).budget_remaining()
}

#[test]
fn the_innermost_budget_wins_and_the_outer_one_is_intact() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut outer = Budget::with_units(10);
    let mut inner = Budget::with_units(3);
    outer.install(&mut cx, |cx| {
        assert!(spend(cx) && spend(cx));
        inner.install(cx, |cx| {
            assert_eq!(cx.budget_remaining(), Some(3));
            #[cfg(feature = "std")]
            assert_eq!(seen_by_a_child(), Some(3));
            assert!(spend(cx) && spend(cx) && spend(cx));
            assert!(
                !spend(cx),
                "the inner budget is spent, whatever the outer one has"
            );
            #[cfg(feature = "std")]
            assert_eq!(seen_by_a_child(), Some(0));
        });
        assert_eq!(cx.budget_remaining(), Some(8));
        #[cfg(feature = "std")]
        assert_eq!(seen_by_a_child(), Some(8));
        assert!(spend(cx));
    });
    assert_eq!((outer.remaining(), inner.remaining()), (7, 0));
}

/// Counts the requests it answers; never runs out.
#[derive(Default)]
struct Counting(Cell<u32>);

impl CooperationProvider for Counting {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        self.0.set(self.0.get() + 1);
        Poll::Ready(Cooperation::unconstrained())
    }
}

#[test]
fn a_provider_nested_in_a_budget_and_a_budget_nested_in_a_provider() {
    let mut cx = Context::from_waker(Waker::noop());
    let provider = Counting::default();
    let mut budget = Budget::with_units(2);
    budget.install(&mut cx, |cx| {
        with_provider(cx, &provider, |cx| {
            for _ in 0..100 {
                assert!(spend(cx));
            }
            assert_eq!(cx.budget_remaining(), None, "the provider does not count");
        });
        assert_eq!(cx.budget_remaining(), Some(2));
    });
    assert_eq!(provider.0.get(), 100);
    assert_eq!(budget.remaining(), 2);

    with_provider(&mut cx, &provider, |cx| {
        budget.install(cx, |cx| {
            assert!(spend(cx) && spend(cx) && !spend(cx));
        });
        assert!(spend(cx));
    });
    assert_eq!(provider.0.get(), 101);
    assert_eq!(budget.remaining(), 0);
}
