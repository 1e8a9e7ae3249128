//! Adversarial review of the per-kind carrier vtables (9016fc3..28cb6a8,
//! 5bdadfc): nested installations of every kind and order, contexts rebuilt
//! from carriers at each level, carriers lent to another thread that has
//! installations of its own, panics inside nested installations,
//! cooperations made under one kind and ended under another, carriers'
//! `will_wake` and clones, nested executors inside a budgeted poll.
//!
//! Three of them (an outer opt-out's, an outer provider's and an outer
//! budget's own context polled while an inner installation runs) failed
//! with `std` at 28cb6a8, whose thread-local lookup answered every context
//! from the innermost installation; one (a context rebuilt from an outer
//! carrier) failed before it too. All pass since the lookup walks the
//! thread's live installations.
#![cfg(feature = "alloc")]

mod support;

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use support::{metrics, spend, spend_all, take, Forgotten, WakeCounter};
use task_coop::{
    unconstrained, with_provider, Budget, BudgetExt, ContextExt, Cooperate, Cooperation,
    CooperationProvider,
};

// ---------------------------------------------------------------------------
// Helpers.

/// Counts the requests it answers; never runs out; says it has `1000 +
/// calls` left (so that its answer is told apart from any `Budget`'s).
#[derive(Default)]
struct Counting {
    calls: Cell<u32>,
}

impl CooperationProvider for Counting {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        self.calls.set(self.calls.get() + 1);
        Poll::Ready(Cooperation::unconstrained())
    }

    fn remaining(&self) -> Option<u32> {
        Some(1000 + self.calls.get())
    }
}

/// Runs `f` with the context the opt-out installs: `unconstrained` around a
/// future polled once with `cx`.
fn in_unconstrained<R>(cx: &mut Context<'_>, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
    let mut f = Some(f);
    let mut future = pin!(unconstrained(poll_fn(|cx: &mut Context<'_>| {
        Poll::Ready((f.take().unwrap())(cx))
    })));
    match future.as_mut().poll(cx) {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!(),
    }
}

/// Runs `f` inside `TokioBudget.install` (feature `tokio`) with that
/// installation's carrier; without the feature, `f` on `cx` and no carrier.
fn in_tokio_budget<R>(
    cx: &mut Context<'_>,
    f: impl FnOnce(&mut Context<'_>, Option<&Waker>) -> R,
) -> R {
    #[cfg(feature = "tokio")]
    {
        task_coop::TokioBudget.install(cx, |cx| {
            let carrier: &Waker = cx.waker();
            f(cx, Some(carrier))
        })
    }
    #[cfg(not(feature = "tokio"))]
    {
        f(cx, None)
    }
}

/// Which provider answered a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// A `Budget`, with the units it said it had left.
    Budget(u32),
    /// The `Counting` provider.
    Provider,
    /// The opt-out (or, without the `tokio` feature, nothing installed).
    Unconstrained,
    /// tokio's budget, off a runtime (installed, or the `tokio` feature's
    /// fallback when nothing is installed).
    Tokio,
}

/// What answers when nothing is installed (or not visible).
const NOTHING: Seen = if cfg!(feature = "tokio") {
    Seen::Tokio
} else {
    Seen::Unconstrained
};

/// What a context built elsewhere (a rebuilt carrier, a child's waker) sees
/// of an installation `expect` on this thread: with `std`, the same; without
/// it, nothing.
fn via_thread_local(expect: Seen) -> Seen {
    if cfg!(feature = "std") {
        expect
    } else {
        NOTHING
    }
}

/// Asks `cx` once and drops the cooperation (a budget's unit comes back).
fn seen(cx: &mut Context<'_>) -> Seen {
    let remaining = cx.budget_remaining();
    let Poll::Ready(coop) = cx.poll_cooperate() else {
        panic!("the probe was told Pending (remaining {remaining:?})");
    };
    match (remaining, coop.is_unconstrained()) {
        (Some(n), false) if n < 1000 => Seen::Budget(n),
        (Some(n), true) if n >= 1000 => Seen::Provider,
        (None, true) => Seen::Unconstrained,
        (None, false) => Seen::Tokio,
        other => panic!("remaining and cooperation disagree: {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 1. Every nesting order of every kind: the innermost wins, on its own
//    context, on a context rebuilt from its carrier and on a child's; each
//    level is back when the inner one returns; units and calls are exact.

#[derive(Clone, Copy, Debug)]
enum Layer {
    Budget,
    Provider,
    Unconstrained,
    #[cfg(feature = "tokio")]
    Tokio,
}

fn kinds() -> Vec<Layer> {
    #[allow(unused_mut)]
    let mut kinds = vec![Layer::Budget, Layer::Provider, Layer::Unconstrained];
    #[cfg(feature = "tokio")]
    kinds.push(Layer::Tokio);
    kinds
}

/// Units a level's check spends: one on its own context, one on a context
/// rebuilt from its carrier (which, without `std`, spends nothing of it).
const SPENT_PER_CHECK: u8 = if cfg!(feature = "std") { 2 } else { 1 };
/// The `Counting` provider's calls per check of a provider level.
const CALLS_PER_CHECK: u32 = if cfg!(feature = "std") { 5 } else { 2 };

fn check_level(cx: &mut Context<'_>, expect: Seen, child: &Waker) {
    assert_eq!(seen(cx), expect, "the installation's own context");
    let carrier: &Waker = cx.waker();
    let mut rebuilt = Context::from_waker(carrier);
    assert_eq!(
        seen(&mut rebuilt),
        via_thread_local(expect),
        "a context rebuilt from the carrier"
    );
    assert_eq!(
        seen(&mut Context::from_waker(child)),
        via_thread_local(expect),
        "a child's context"
    );
    assert!(spend(&mut rebuilt));
    assert!(spend(cx));
}

fn nest(
    cx: &mut Context<'_>,
    layers: &[Layer],
    budgets: &mut [Budget],
    provider: &Counting,
    child: &Waker,
) {
    let Some((&layer, rest)) = layers.split_first() else {
        return;
    };
    let (mine, deeper) = budgets.split_first_mut().unwrap();
    let units = u32::from(mine.units());
    let body = |cx: &mut Context<'_>| {
        let spent = u32::from(SPENT_PER_CHECK);
        let expect = |checks: u32| match layer {
            Layer::Budget => Seen::Budget(units - spent * checks),
            Layer::Provider => Seen::Provider,
            Layer::Unconstrained => Seen::Unconstrained,
            #[cfg(feature = "tokio")]
            Layer::Tokio => Seen::Tokio,
        };
        check_level(cx, expect(0), child);
        nest(cx, rest, deeper, provider, child);
        check_level(cx, expect(1), child);
    };
    match layer {
        Layer::Budget => mine.install(cx, body),
        Layer::Provider => with_provider(cx, provider, body),
        Layer::Unconstrained => in_unconstrained(cx, body),
        #[cfg(feature = "tokio")]
        Layer::Tokio => task_coop::TokioBudget.install(cx, body),
    }
}

fn run_nesting(layers: &[Layer]) {
    let (task, waker) = WakeCounter::new();
    let (child, child_waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let provider = Counting::default();
    let mut budgets: Vec<Budget> = (0..layers.len())
        .map(|level| Budget::with_units(30 + level as u8))
        .collect();
    nest(&mut cx, layers, &mut budgets, &provider, &child_waker);
    assert_eq!(seen(&mut cx), NOTHING, "{layers:?}: nothing left installed");
    for (level, (layer, budget)) in layers.iter().zip(&budgets).enumerate() {
        let expected = match layer {
            Layer::Budget => (30 + level as u8 - 2 * SPENT_PER_CHECK, 1),
            _ => (30 + level as u8, 0),
        };
        assert_eq!(
            (budget.remaining(), budget.metrics().polls),
            expected,
            "{layers:?}: level {level}"
        );
    }
    let provider_levels = layers
        .iter()
        .filter(|l| matches!(l, Layer::Provider))
        .count() as u32;
    assert_eq!(
        provider.calls.get(),
        provider_levels * 2 * CALLS_PER_CHECK,
        "{layers:?}"
    );
    assert_eq!((task.wakes(), child.wakes()), (0, 0), "{layers:?}");
}

fn permutations(items: &[Layer]) -> Vec<Vec<Layer>> {
    if items.is_empty() {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

#[test]
fn every_nesting_order_of_every_kind_the_innermost_wins() {
    let kinds = kinds();
    let mut runs = 0;
    // Every sequence of one to three levels, kinds repeated.
    let mut sequences: Vec<Vec<Layer>> = vec![Vec::new()];
    for _ in 0..3 {
        sequences = sequences
            .iter()
            .flat_map(|s| {
                kinds.iter().map(move |&k| {
                    let mut s = s.clone();
                    s.push(k);
                    s
                })
            })
            .collect();
        for s in &sequences {
            run_nesting(s);
            runs += 1;
        }
    }
    // Every order of all kinds, with a second budget in the middle.
    let mut all = kinds.clone();
    all.push(Layer::Budget);
    for order in permutations(&all) {
        run_nesting(&order);
        runs += 1;
    }
    let k = kinds.len();
    let n = k + 1;
    let factorial: usize = (1..=n).product();
    assert_eq!(runs, k + k * k + k * k * k + factorial);
}

// ---------------------------------------------------------------------------
// 2. A leaf polled with an outer installation's own context while an inner
//    installation, made on another context, runs. Safe code gets there: an
//    inner installation made on a context of its own does not borrow the
//    outer context (`Context::waker` returns the context's lifetime, not a
//    borrow of it), so the closure can capture the outer context.

#[test]
fn an_outer_opt_outs_own_context_stays_unconstrained_under_an_inner_budget() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut outer = Budget::with_units(50);
    let mut inner = Budget::with_units(3);
    let mut constrained = 0;
    let mut pendings = 0;
    outer.install(&mut cx, |cx| {
        in_unconstrained(cx, |opt_out_cx| {
            // The inner installation's context is made from the opt-out's
            // carrier; `opt_out_cx` itself stays free for the closure.
            let mut fresh = Context::from_waker(opt_out_cx.waker());
            inner.install(&mut fresh, |_inner_cx| {
                for _ in 0..10 {
                    match opt_out_cx.poll_cooperate() {
                        Poll::Ready(mut coop) => {
                            constrained += u32::from(!coop.is_unconstrained());
                            coop.made_progress();
                        }
                        Poll::Pending => pendings += 1,
                    }
                }
            });
        });
    });
    assert_eq!(
        (constrained, pendings, inner.remaining(), task.wakes()),
        (0, 0, 3, 0),
        "inside `unconstrained`, poll_cooperate is always Ready(unconstrained)"
    );
    assert_eq!(outer.remaining(), 50);
}

#[test]
fn an_outer_providers_own_context_is_answered_by_that_provider_under_an_inner_budget() {
    let mut cx = Context::from_waker(Waker::noop());
    let provider = Counting::default();
    let mut inner = Budget::with_units(3);
    let mut remaining_seen = None;
    with_provider(&mut cx, &provider, |provider_cx| {
        let mut fresh = Context::from_waker(provider_cx.waker());
        inner.install(&mut fresh, |_inner_cx| {
            for _ in 0..3 {
                assert!(spend(provider_cx));
            }
            remaining_seen = provider_cx.budget_remaining();
        });
    });
    assert_eq!(
        (provider.calls.get(), inner.remaining(), remaining_seen),
        (3, 3, Some(1003)),
        "with_provider: the provider answers its own context"
    );
}

#[test]
fn budget_remaining_and_poll_cooperate_agree_on_an_outer_budgets_own_context() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut outer = Budget::with_units(10);
    let mut inner = Budget::with_units(3);
    let mut seen_remaining = Vec::new();
    outer.install(&mut cx, |outer_cx| {
        assert!(spend(outer_cx));
        let mut fresh = Context::from_waker(outer_cx.waker());
        inner.install(&mut fresh, |inner_cx| {
            assert!(spend(inner_cx));
            // poll_cooperate on the outer Budget's own context: the fast
            // path finds the outer Budget (correct).
            assert!(spend(outer_cx));
            seen_remaining.push(inner_cx.budget_remaining());
            seen_remaining.push(outer_cx.budget_remaining());
        });
    });
    assert_eq!((outer.remaining(), inner.remaining()), (8, 2));
    // A TokioBudget's own context under an inner Budget made on another
    // context: poll_cooperate answers from tokio, budget_remaining should
    // say None (tokio keeps its units to itself).
    #[cfg(feature = "tokio")]
    {
        let mut inner2 = Budget::with_units(7);
        task_coop::TokioBudget.install(&mut cx, |tokio_cx| {
            let mut fresh = Context::from_waker(tokio_cx.waker());
            inner2.install(&mut fresh, |_| {
                // tokio's cooperation (off a runtime: never Pending).
                let Poll::Ready(coop) = tokio_cx.poll_cooperate() else {
                    panic!("tokio's budget off a runtime is never spent");
                };
                assert!(!coop.is_unconstrained());
                drop(coop);
                seen_remaining.push(tokio_cx.budget_remaining());
            });
        });
        assert_eq!(inner2.remaining(), 7);
    }
    #[cfg(not(feature = "tokio"))]
    seen_remaining.push(None);
    assert_eq!(
        seen_remaining,
        [Some(2), Some(8), None],
        "the outer Budget's context reports the outer Budget's units"
    );
}

// ---------------------------------------------------------------------------
// 3. A context rebuilt from an *outer* carrier while an inner installation
//    (made on the outer context) runs: the carrier wakes the task's own
//    waker, so running out should wake it once per installation, and not at
//    all with deferred forced wakes.

#[cfg(feature = "std")]
#[test]
fn a_context_rebuilt_from_an_outer_carrier_wakes_the_task_once_per_installation() {
    let mut wakes = Vec::new();
    for defer in [false, true] {
        let (task, waker) = WakeCounter::new();
        let mut cx = Context::from_waker(&waker);
        let provider = Counting::default();
        let mut inner = Budget::with_units(2);
        inner.set_defer_forced_wakes(defer);
        with_provider(&mut cx, &provider, |outer_cx| {
            let outer_carrier: &Waker = outer_cx.waker();
            inner.install(outer_cx, |inner_cx| {
                let mut rebuilt = Context::from_waker(outer_carrier);
                assert_eq!(spend_all(&mut rebuilt), 2, "the inner budget's units");
                assert!(!spend(&mut rebuilt));
                assert!(!spend(&mut rebuilt));
                assert!(!spend(inner_cx));
            });
        });
        assert!(inner.ran_out());
        assert_eq!(provider.calls.get(), 0);
        wakes.push(task.wakes());
    }
    assert_eq!(
        wakes,
        [1, 0],
        "the task's own waker: once per installation, none when deferred"
    );
}

// ---------------------------------------------------------------------------
// 4. Carriers of every kind lent to a scoped thread that has installations
//    of its own, while this thread keeps polling inside its installations.

/// Runs on the other thread with the installing thread's carriers `lent`;
/// returns how many there were.
fn on_the_other_thread(lent: &[&Waker]) -> usize {
    let k = lent.len() as u32;
    // Nothing installed here: a lent carrier carries nothing across.
    for &w in lent {
        assert_eq!(seen(&mut Context::from_waker(w)), NOTHING);
    }
    let (own, own_waker) = WakeCounter::new();
    // A budget of this thread's own: what a lent carrier's context sees is
    // this thread's innermost installation (with `std`), never the lender's.
    let mut here = Budget::with_units(4);
    here.install(&mut Context::from_waker(&own_waker), |cx| {
        for &w in lent {
            let mut lent_cx = Context::from_waker(w);
            assert_eq!(seen(&mut lent_cx), via_thread_local(Seen::Budget(4)));
        }
        for &w in lent {
            assert!(spend(&mut Context::from_waker(w)));
        }
        let left = if cfg!(feature = "std") { 4 - k } else { 4 };
        assert_eq!(spend_all(cx), left);
        if cfg!(feature = "std") {
            // Pending through each lent carrier wakes the lender's task.
            for &w in lent {
                assert!(!spend(&mut Context::from_waker(w)));
            }
        }
    });
    assert_eq!(own.wakes(), 1);
    // A budget installed on a context made from a lent carrier: the
    // lender's executor waker is unwrapped here, on this thread, and is
    // the task's waker of this installation (woken once).
    let mut on_lent = Budget::with_units(2);
    on_lent.install(&mut Context::from_waker(lent[0]), |cx| {
        assert_eq!(spend_all(cx), 2);
        assert!(!spend(cx));
        assert!(!spend(cx));
    });
    // A provider installed here on a lent carrier's context answers here.
    let provider = Counting::default();
    with_provider(&mut Context::from_waker(lent[1]), &provider, |cx| {
        assert_eq!(seen(cx), Seen::Provider);
        if cfg!(feature = "std") {
            assert_eq!(seen(&mut Context::from_waker(lent[2])), Seen::Provider);
        }
    });
    lent.len()
}

#[test]
fn carriers_of_every_kind_lent_to_a_thread_with_installations_of_its_own() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let provider = Counting::default();
    let mut outer = Budget::with_units(5);
    let mut lent_count = 0;
    outer.install(&mut cx, |c1| {
        let w1: &Waker = c1.waker();
        assert!(spend(c1));
        with_provider(c1, &provider, |c2| {
            let w2: &Waker = c2.waker();
            in_unconstrained(c2, |c3| {
                let w3: &Waker = c3.waker();
                in_tokio_budget(c3, |c4, w4| {
                    let mut lent = vec![w1, w2, w3];
                    lent.extend(w4);
                    let innermost = if cfg!(feature = "tokio") {
                        Seen::Tokio
                    } else {
                        Seen::Unconstrained
                    };
                    std::thread::scope(|scope| {
                        let there = scope.spawn(|| on_the_other_thread(&lent));
                        // Meanwhile, this thread polls inside its own
                        // installations.
                        for _ in 0..3 {
                            assert_eq!(seen(c4), innermost);
                            assert_eq!(
                                seen(&mut Context::from_waker(c4.waker())),
                                via_thread_local(innermost)
                            );
                        }
                        lent_count = there.join().unwrap();
                    });
                });
            });
            assert_eq!(seen(c2), Seen::Provider);
        });
        assert_eq!(c1.budget_remaining(), Some(4));
    });
    assert_eq!(outer.remaining(), 4, "no unit of the lender was spent");
    assert_eq!(provider.calls.get(), 1);
    let through_lent = if cfg!(feature = "std") { lent_count } else { 0 };
    assert_eq!(
        task.wakes(),
        through_lent + 1,
        "each Pending through a lent carrier, and once for the budget installed on one"
    );
}

// ---------------------------------------------------------------------------
// 5. Panics inside nested installations, caught at an outer level; the
//    thread-local and every budget are as before, and polling goes on.

#[test]
fn a_panic_in_a_nested_installation_leaves_every_level_as_it_was() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let provider = Counting::default();
    let mut outer = Budget::with_units(6);
    let mut inner = Budget::with_units(3);
    outer.install(&mut cx, |c1| {
        assert!(spend(c1));
        with_provider(c1, &provider, |c2| {
            let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
                inner.install(c2, |c3| {
                    assert!(spend(c3) && spend(c3));
                    in_tokio_budget(c3, |c4, _| {
                        in_unconstrained(c4, |c5| {
                            let _kept = take(c5);
                            std::panic::resume_unwind(Box::new("a nested poll panicked"));
                        })
                    })
                })
            }));
            assert!(caught.is_err());
            assert_eq!(inner.remaining(), 3, "the inner budget is put back");
            assert_eq!(seen(c2), Seen::Provider);
            assert_eq!(
                seen(&mut Context::from_waker(c2.waker())),
                via_thread_local(Seen::Provider),
                "the thread-local is the provider's frame again"
            );
            assert_eq!(
                seen(&mut Context::from_waker(Waker::noop())),
                via_thread_local(Seen::Provider)
            );
            // The inner budget installs again and runs out once.
            inner.install(c2, |c3| {
                assert_eq!(spend_all(c3), 3);
                assert!(!spend(c3));
            });
            // A panic inside a provider's own answer, on a rebuilt context.
            let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
                with_provider(c2, &Panicking, |c3| {
                    let carrier: &Waker = c3.waker();
                    let _ = Context::from_waker(carrier).poll_cooperate();
                    if cfg!(not(feature = "std")) {
                        std::panic::resume_unwind(Box::new("no thread-local"));
                    }
                })
            }));
            assert!(caught.is_err());
            assert_eq!(seen(c2), Seen::Provider);
        });
        assert_eq!(c1.budget_remaining(), Some(5));
        assert_eq!(
            seen(&mut Context::from_waker(Waker::noop())),
            via_thread_local(Seen::Budget(5))
        );
    });
    assert_eq!(seen(&mut cx), NOTHING);
    assert_eq!(outer.remaining(), 5);
    assert_eq!(outer.metrics(), metrics(1, 1, 0, 0));
    assert_eq!(inner.metrics(), metrics(1, 3, 1, 0));
    assert_eq!(task.wakes(), 1, "the inner budget ran out once");
}

/// A provider whose answer panics.
struct Panicking;

impl CooperationProvider for Panicking {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        std::panic::resume_unwind(Box::new("the provider panicked"))
    }
}

// ---------------------------------------------------------------------------
// 6. Cooperations made under one kind and ended under another; forgotten
//    ones; kept across polls with different providers.

#[test]
fn cooperations_ended_under_other_kinds_go_back_to_the_budget_that_made_them() {
    let mut cx = Context::from_waker(Waker::noop());
    let provider = Counting::default();
    let mut outer = Budget::with_units(10);
    let mut inner = Budget::with_units(4);
    let mut forgotten_inner = None;
    let mut forgotten_outer = None;
    outer.install(&mut cx, |c1| {
        let mut a = take(c1).unwrap(); // restore 10, left 9
        let b = Forgotten::new(take(c1).unwrap()); // restore 9, left 8
        let c = take(c1).unwrap(); // restore 8, left 7
        with_provider(c1, &provider, |c2| {
            in_unconstrained(c2, |c3| {
                let kept = in_tokio_budget(c3, |c4, _| {
                    inner.install(c4, |c5| {
                        let i1 = take(c5).unwrap(); // inner 3
                        let i2 = Forgotten::new(take(c5).unwrap()); // inner 2
                        drop(c); // refunds the outer budget: 7 -> 8
                        assert_eq!(c5.budget_remaining(), Some(2));
                        a.made_progress(); // the outer unit stays spent
                        assert_eq!(c5.budget_remaining(), Some(2));
                        (i1, i2)
                    })
                });
                // The inner installation ended with `kept` and a forgotten
                // one alive: its cell went with them.
                assert_eq!(inner.remaining(), 2);
                drop(kept.0);
                assert_eq!(inner.remaining(), 2, "a detached refund changes nothing");
                forgotten_inner = Some(kept.1);
                assert_eq!(seen(c3), Seen::Unconstrained);
            });
        });
        assert_eq!(c1.budget_remaining(), Some(8));
        assert!(spend(c1));
        forgotten_outer = Some(b);
    });
    assert_eq!(outer.remaining(), 7);
    assert_eq!(outer.metrics(), metrics(1, 3, 0, 0));
    assert_eq!(inner.metrics(), metrics(1, 2, 0, 0));
    // The next installations start afresh: the forgotten ones touch nothing.
    outer.install(&mut cx, |c1| assert_eq!(spend_all(c1), 10));
    inner.install(&mut cx, |c1| assert_eq!(spend_all(c1), 4));
    assert_eq!(provider.calls.get(), 0);
    // Ended at last (one after its budget is gone): nothing changes, and
    // the detached cells are freed.
    forgotten_inner.unwrap().revive().made_progress();
    drop(outer);
    drop(forgotten_outer.unwrap().revive());
    assert_eq!(inner.remaining(), 0);
}

/// Counts how the `Rc` cooperations it hands out end.
#[derive(Default)]
struct Ends {
    progress: Cell<u32>,
    no_progress: Cell<u32>,
}

impl Cooperate for Ends {
    fn made_progress(self: Rc<Self>) {
        self.progress.set(self.progress.get() + 1);
    }

    fn no_progress(self: Rc<Self>) {
        self.no_progress.set(self.no_progress.get() + 1);
    }
}

struct RcProvider(Rc<Ends>);

impl CooperationProvider for RcProvider {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        Poll::Ready(self.0.clone().into())
    }
}

#[test]
fn a_future_keeps_cooperations_across_polls_under_different_providers() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let ends = Rc::new(Ends::default());
    let rc_provider = RcProvider(ends.clone());
    let mut budget = Budget::with_units(3);
    let mut poll_no = 0;
    let mut kept: Vec<Cooperation> = Vec::new();
    let mut future = pin!(poll_fn(|cx: &mut Context<'_>| {
        poll_no += 1;
        match poll_no {
            1 => {
                // Under the budget: keep one, leave 2.
                kept.push(take(cx).unwrap());
                assert_eq!(cx.budget_remaining(), Some(2));
            }
            2 => {
                // Under the Rc provider: keep one of its own; end the
                // budget's (detached) with progress.
                kept.remove(0).made_progress();
                kept.push(take(cx).unwrap());
            }
            3 => {
                // Under the budget again: end the provider's without
                // progress, and spend the budget out.
                drop(kept.remove(0));
                assert_eq!(cx.budget_remaining(), Some(3));
                assert_eq!(spend_all(cx), 3);
                return Poll::Ready(());
            }
            _ => unreachable!(),
        }
        Poll::Pending
    }));
    assert!(budget.poll(future.as_mut(), &mut cx).is_pending());
    assert_eq!(budget.remaining(), 2);
    assert!(with_provider(&mut cx, &rc_provider, |cx| future.as_mut().poll(cx)).is_pending());
    assert_eq!(budget.remaining(), 2);
    assert!(budget.poll(future.as_mut(), &mut cx).is_ready());
    assert_eq!(budget.remaining(), 0);
    assert_eq!((ends.progress.get(), ends.no_progress.get()), (0, 1));
    assert_eq!(budget.metrics(), metrics(2, 4, 1, 0));
    assert_eq!(task.wakes(), 1);
    assert_eq!(Rc::strong_count(&ends), 2);
}

// ---------------------------------------------------------------------------
// 7. `will_wake` and `clone` of the carriers of each kind.

#[test]
fn carriers_of_each_kind_will_wake_only_themselves_and_clone_to_the_task_waker() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(3);
    let provider = Counting::default();
    let mut clones = Vec::new();
    let mut carriers = 0;
    budget.install(&mut cx, |c1| {
        let w1: &Waker = c1.waker();
        with_provider(c1, &provider, |c2| {
            let w2: &Waker = c2.waker();
            in_unconstrained(c2, |c3| {
                let w3: &Waker = c3.waker();
                in_tokio_budget(c3, |c4, w4| {
                    let mut ws = vec![w1, w2, w3];
                    ws.extend(w4);
                    // A context made from a clone of the innermost carrier
                    // sees the innermost installation (it is the task's
                    // waker, a context the installation did not make).
                    let clone4 = c4.waker().clone();
                    assert_eq!(
                        seen(&mut Context::from_waker(&clone4)),
                        via_thread_local(if cfg!(feature = "tokio") {
                            Seen::Tokio
                        } else {
                            Seen::Unconstrained
                        })
                    );
                    for (i, a) in ws.iter().enumerate() {
                        for (j, b) in ws.iter().enumerate() {
                            assert_eq!(a.will_wake(b), i == j, "carriers {i} and {j}");
                        }
                        assert!(!a.will_wake(&waker) && !waker.will_wake(a));
                        assert!(!a.will_wake(&clone4));
                        let clone = (*a).clone();
                        assert_eq!(clone.data(), waker.data());
                        clones.push(clone);
                        a.wake_by_ref();
                    }
                    carriers = ws.len();
                });
            });
        });
    });
    assert_eq!(task.wakes(), carriers);
    for clone in clones {
        let again = clone.clone();
        clone.wake();
        again.wake_by_ref();
    }
    assert_eq!(task.wakes(), 3 * carriers);
    assert_eq!(provider.calls.get(), 0);
    assert_eq!(budget.remaining(), 3);
}

// ---------------------------------------------------------------------------
// 8. Nested executors inside a budgeted poll.

#[cfg(feature = "std")]
#[test]
fn block_on_and_local_pool_inside_a_budgeted_poll() {
    use futures::executor::{block_on, LocalPool};
    use futures::task::LocalSpawnExt;

    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut outer = Budget::with_units(8);
    let mut nested = Budget::with_units(2);
    let provider = Counting::default();
    outer.install(&mut cx, |c1| {
        // block_on's own context draws from the outer budget (the known
        // limit): two units.
        let got = block_on(poll_fn(|cx| {
            Poll::Ready((spend(cx), spend(cx), cx.budget_remaining()))
        }));
        assert_eq!(got, (true, true, Some(6)));
        // Inside `unconstrained`, nothing.
        let all = block_on(unconstrained(poll_fn(|cx| {
            Poll::Ready((0..20).all(|_| spend(cx)))
        })));
        assert!(all);
        // A Budget and a provider installed by the nested future win, and
        // the outer budget is back after.
        let got = block_on(poll_fn(|cx| {
            let n = nested.install(cx, spend_all);
            let p = with_provider(cx, &provider, |cx| {
                in_unconstrained(cx, |cx| seen(&mut Context::from_waker(cx.waker())))
            });
            Poll::Ready((n, p, cx.budget_remaining()))
        }));
        assert_eq!(got, (2, Seen::Unconstrained, Some(6)));
        assert_eq!(c1.budget_remaining(), Some(6));

        // A LocalPool's tasks: each polled with the pool's waker, so they
        // draw from the outer budget through the thread-local and are woken
        // through their own wakers.
        let mut pool = LocalPool::new();
        let spawner = pool.spawner();
        let spent = Rc::new(Cell::new(0));
        for _ in 0..2 {
            let spent = spent.clone();
            spawner
                .spawn_local(poll_fn(move |cx| {
                    assert!(spend(cx) && spend(cx));
                    spent.set(spent.get() + 2);
                    Poll::Ready(())
                }))
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!((spent.get(), c1.budget_remaining()), (4, Some(2)));
        let pendings = Rc::new(Cell::new(0));
        {
            let (spent, pendings) = (spent.clone(), pendings.clone());
            spawner
                .spawn_local(poll_fn(move |cx| {
                    while spend(cx) {
                        spent.set(spent.get() + 1);
                    }
                    pendings.set(pendings.get() + 1);
                    if pendings.get() == 2 {
                        Poll::Ready(())
                    } else {
                        Poll::Pending // woken by the budget: polled again
                    }
                }))
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!((spent.get(), pendings.get()), (6, 2));
        assert_eq!(c1.budget_remaining(), Some(0));
        assert!(!spend(c1));
    });
    assert_eq!(outer.remaining(), 0);
    assert!(outer.ran_out());
    assert_eq!(outer.metrics(), metrics(1, 8, 1, 0));
    assert_eq!(nested.metrics(), metrics(1, 2, 1, 0));
    assert_eq!(
        task.wakes(),
        1,
        "the pool's tasks were woken through their own wakers"
    );
    assert_eq!(provider.calls.get(), 0);
}

// ---------------------------------------------------------------------------
// 9. On a tokio runtime: TokioBudget and Budget nested both ways.

#[cfg(feature = "tokio")]
#[test]
#[cfg_attr(miri, ignore)]
fn tokio_budget_and_budget_nested_both_ways_on_a_runtime() {
    use task_coop::TokioBudget;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut budget = Budget::with_units(5);
    let mut inner = Budget::with_units(3);
    let results = runtime.block_on(poll_fn(|cx| {
        // Budget ⊃ TokioBudget: tokio's 128 (block_on's budget), then the
        // budget is back, intact.
        let (tokio_units, back) = budget.install(cx, |c1| {
            let n = TokioBudget.install(c1, |c2| {
                let n = spend_all(c2);
                // The rebuilt carrier of TokioBudget: also tokio's.
                let rebuilt = spend(&mut Context::from_waker(c2.waker()));
                (n, rebuilt)
            });
            (n, c1.budget_remaining())
        });
        // TokioBudget ⊃ Budget: the budget wins; TokioBudget ⊃ unconstrained:
        // nothing, although tokio's budget is spent.
        let (inner_units, opt_out) = TokioBudget.install(cx, |c1| {
            let n = inner.install(c1, spend_all);
            let all = in_unconstrained(c1, |c2| (0..50).all(|_| spend(c2)));
            (n, all)
        });
        Poll::Ready((tokio_units, back, inner_units, opt_out))
    }));
    assert_eq!(results, ((128, false), Some(5), 3, true));
    assert_eq!((budget.remaining(), inner.remaining()), (5, 0));
}

// ---------------------------------------------------------------------------
// 10. A context swapped into the installation's own `Context` (safe: the
//     closure's `&mut Context<'_>` can be `mem::swap`ped with any context of
//     the same lifetime): the recorded address now holds another waker, and
//     the carrier lives on in a context at another address.

#[test]
fn a_context_swapped_out_of_the_installation_keeps_the_semantics() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(3);
    let provider = Counting::default();
    budget.install(&mut cx, |c1| {
        assert!(spend(c1));
        with_provider(c1, &provider, |c2| {
            // The recorded context now holds a noop waker; the carrier
            // lives on in `moved`, at another address.
            let mut moved = Context::from_waker(Waker::noop());
            std::mem::swap(c2, &mut moved);
            assert!(moved.waker().will_wake(moved.waker()));
            assert_eq!(seen(c2), via_thread_local(Seen::Provider));
            assert_eq!(seen(&mut moved), via_thread_local(Seen::Provider));
            std::mem::swap(c2, &mut moved);
            assert_eq!(seen(c2), Seen::Provider);
        });
        // The budget's own context, swapped the same way, then polled to
        // the end: Pending through either wakes the task's waker, once.
        let mut moved = Context::from_waker(Waker::noop());
        std::mem::swap(c1, &mut moved);
        if cfg!(feature = "std") {
            assert_eq!(spend_all(c1), 2);
            assert!(!spend(c1));
            assert!(!spend(&mut moved));
            assert!(!spend(c1));
        } else {
            assert_eq!(seen(c1), NOTHING);
            assert_eq!(seen(&mut moved), NOTHING);
        }
        std::mem::swap(c1, &mut moved);
        if cfg!(not(feature = "std")) {
            assert_eq!(spend_all(c1), 2);
        }
        assert!(!spend(c1));
    });
    assert_eq!(budget.remaining(), 0);
    assert_eq!(task.wakes(), 1);
    assert_eq!(
        provider.calls.get(),
        if cfg!(feature = "std") { 3 } else { 1 }
    );
}
