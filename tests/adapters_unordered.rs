//! `CoopUnordered`, the sub-executor that shares its task's budget: 64
//! always-ready children under a budget of 128 take exactly 128 units in all
//! and the task yields, with no child polled once the budget is spent. The
//! companion tests measure what a plain `FuturesUnordered` does in the same
//! places (tokio issues #2390 and #3493).
#![cfg(feature = "futures")]

mod support;

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};

use coop_compat::{Budgeted, ContextExt, CoopUnordered};
use futures::stream::{FuturesUnordered, Stream, StreamExt};
use support::{metered, Counter, Executor, PollLog, WakeCounter};

/// A child of the sets under test.
type Child = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A child that takes one unit per step, `steps` times (forever for `None`),
/// counting its units and its polls.
fn child(steps: Option<u32>, units: &Counter, polls: &Counter) -> Child {
    let (units, polls) = (units.clone(), polls.clone());
    let mut left = steps;
    Box::pin(poll_fn(move |cx: &mut Context<'_>| -> Poll<()> {
        polls.tick();
        while left != Some(0) {
            ready!(cx.poll_cooperate()).made_progress();
            units.tick();
            left = left.map(|n| n - 1);
        }
        Poll::Ready(())
    }))
}

/// The two sets under test.
trait Set: Stream<Item = ()> + Unpin + Send + 'static {
    fn push(&mut self, child: Child);
}

impl Set for CoopUnordered<Child> {
    fn push(&mut self, child: Child) {
        CoopUnordered::push(self, child);
    }
}

impl Set for FuturesUnordered<Child> {
    fn push(&mut self, child: Child) {
        FuturesUnordered::push(self, child);
    }
}

/// Polls, by hand, a task holding `set` with 64 always-ready children under
/// a `Budget` of 128, twice: returns (units, child polls, wakes of the task)
/// so far after each task poll. The task is woken twice per poll: through
/// the waker of the child that ran out, and by the set's own yield.
fn always_ready_children(mut set: impl Set) -> [(u32, u32, u32); 2] {
    let (units, polls) = (Counter::default(), Counter::default());
    for _ in 0..64 {
        set.push(child(None, &units, &polls));
    }
    let mut task = pin!(Budgeted::with_units(
        async move {
            set.next().await;
            unreachable!("the children never finish");
        },
        128,
    ));
    let (wakes, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut after = [(0, 0, 0); 2];
    for record in &mut after {
        assert!(task.as_mut().poll(&mut cx).is_pending());
        *record = (units.get(), polls.get(), wakes.wakes());
    }
    after
}

/// Acceptance: 64 always-ready children inside `CoopUnordered` under a
/// budget of 128 yield after exactly 128 units in total, having polled one
/// child; the next task poll takes 128 more, from the next child.
#[test]
fn coop_unordered_64_always_ready_children_yield_after_128_units() {
    let after = always_ready_children(CoopUnordered::new());
    assert_eq!(after, [(128, 1, 2), (256, 2, 4)]);
}

/// Companion: a plain `FuturesUnordered` in the same place also stops at 128
/// units (its children find the task's budget through task-coop's
/// thread-local fallback), but polls a second child for nothing after the
/// budget is spent, before its own rule (yield after two children woke
/// themselves) makes it yield.
#[test]
fn futures_unordered_64_always_ready_children_poll_one_child_for_nothing() {
    let after = always_ready_children(FuturesUnordered::new());
    assert_eq!(after, [(128, 2, 2), (256, 4, 4)]);
}

/// 64 children of 10 units each in `set`, collected by a task; returns the
/// units of each task poll and the child polls in all.
async fn collect_children(mut set: impl Set) -> (Vec<u32>, u32) {
    let (units, polls) = (Counter::default(), Counter::default());
    for _ in 0..64 {
        set.push(child(Some(10), &units, &polls));
    }
    let (task, log) = metered(async move { set.count().await });
    assert_eq!(task.await, 64);
    assert_eq!(log.total_spent(), units.get());
    (log.spent(), polls.get())
}

support::tests_on!(
    [every executor]
    coop_unordered_yields_at_budget,
    futures_unordered_yields_at_budget
);

/// 640 units in 5 polls of exactly 128; one child per poll is split across
/// two polls (64 + 4 child polls), and no other child is polled.
async fn coop_unordered_yields_at_budget() {
    let (per_poll, child_polls) = collect_children(CoopUnordered::<Child>::new()).await;
    assert_eq!(per_poll, [128; 5]);
    assert_eq!(child_polls, 64 + 4);
}

/// Companion: the same units per poll, and one more child poll for nothing
/// in each poll that ran out.
async fn futures_unordered_yields_at_budget() {
    let (per_poll, child_polls) = collect_children(FuturesUnordered::<Child>::new()).await;
    assert_eq!(per_poll, [128; 5]);
    assert_eq!(child_polls, 64 + 4 + 4);
}

/// On tokio's own budget (no `Budget` installed): 128 units per task poll,
/// and no child polled once the budget is spent.
#[test]
fn coop_unordered_on_tokio_budget() {
    let (per_poll, child_polls) =
        Executor::TokioCurrentThread.run(tokio_budget_run(CoopUnordered::<Child>::new()));
    assert_eq!(per_poll, [128; 5]);
    assert_eq!(child_polls, 64 + 4);
}

/// Companion: on tokio's budget, the wake-ups of children that ran out are
/// deferred until the task yields, so `FuturesUnordered` does not see them
/// as yields: it polls every remaining ready child once more for nothing
/// (129 child polls wasted in all), and each yield is followed by a task poll
/// that finds no child ready yet (the zeros).
#[test]
fn futures_unordered_on_tokio_budget_polls_every_ready_child_for_nothing() {
    let (per_poll, child_polls) =
        Executor::TokioCurrentThread.run(tokio_budget_run(FuturesUnordered::<Child>::new()));
    assert_eq!(per_poll, [128, 0, 128, 0, 128, 0, 128, 0, 128]);
    assert_eq!(child_polls, 64 + 4 + 129);
}

/// 64 children of 10 units each in `set`, collected by a task with no
/// `Budget` installed; returns the units each task poll took (counted by the
/// children) and the child polls in all.
async fn tokio_budget_run(mut set: impl Set) -> (Vec<u32>, u32) {
    let (log, polls) = (PollLog::default(), Counter::default());
    for _ in 0..64 {
        set.push(child(Some(10), log.counter(), &polls));
    }
    assert_eq!(log.meter(set.count()).await, 64);
    (log.per_poll(), polls.get())
}
