//! Uses the items every feature set of `coop-compat` has, with their full
//! types written out, so that a feature that changed a type or removed a
//! method would break this build.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use coop_compat::{
    budgeted, cooperative, unconstrained, Budget, BudgetExt, Budgeted, ContextExt, Coop,
    Cooperation, Tracked, Unconstrained, Units,
};

/// Polls `future` to completion on this thread, counting the polls.
fn run<F: Future>(future: F) -> (F::Output, u32) {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return (out, polls);
        }
    }
}

/// An always-ready source of `n` items that asks the budget first.
async fn drain(n: u32) -> u32 {
    let mut taken = 0;
    std::future::poll_fn(|cx| {
        while taken < n {
            let mut coop = std::task::ready!(cx.poll_cooperate());
            coop.made_progress();
            taken += 1;
        }
        Poll::Ready(())
    })
    .await;
    taken
}

fn main() {
    // The one opt-out: its type and `into_inner` are the same in every
    // feature set.
    let opted_out: Unconstrained<std::future::Ready<u8>> = unconstrained(std::future::ready(7));
    let ready = opted_out.into_inner();
    assert_eq!(run(ready).0, 7);

    // Inside `unconstrained`, a budget of 1 never forces a yield.
    let mut budget = Budget::with_units(1);
    let mut cx = Context::from_waker(Waker::noop());
    let mut task = pin!(unconstrained(drain(1000)));
    assert_eq!(budget.poll(task.as_mut(), &mut cx), Poll::Ready(1000));

    // The spawn-time wrapper. The default keeps nothing but the task.
    let wrapped: Budgeted<_> = budgeted(drain(1000));
    assert_eq!(wrapped.units(), 128);
    assert_eq!(std::mem::size_of_val(&wrapped), std::mem::size_of_val(&drain(1000)));
    // 16 units a poll, so 1000 items take 63 polls.
    let sixteen: Budgeted<_, Units> = Budgeted::with_units(drain(1000), 16);
    let (taken, polls) = run(sixteen);
    assert_eq!((taken, polls), (1000, 63));
    let context_only: Budgeted<_, Units> = Budgeted::context_only(drain(1000), 16);
    assert!(!context_only.reaches_tokio());
    assert_eq!(run(context_only), (1000, 63));

    // Per-task metrics: 63 polls, 62 of them forced to yield.
    let metered: Budgeted<_, Tracked> = Budgeted::context_only(drain(1000), 16).with_metrics();
    let mut metered = pin!(metered);
    let mut cx = Context::from_waker(Waker::noop());
    while metered.as_mut().poll(&mut cx).is_pending() {}
    let metrics = metered.metrics();
    assert_eq!((metrics.polls, metrics.units_spent, metrics.forced_yields), (63, 1000, 62));

    // One unit per completed future.
    let coop: Coop<std::future::Ready<u8>> = cooperative(std::future::ready(1));
    assert_eq!(run(coop).0, 1);

    // The proposal's API and the extension beyond it.
    let mut cx = Context::from_waker(Waker::noop());
    Budget::with_units(3).install(&mut cx, |cx| {
        assert_eq!(cx.budget_remaining(), Some(3));
        let Poll::Ready(mut coop) = cx.poll_cooperate() else {
            unreachable!("a fresh budget has units")
        };
        coop.made_progress();
        assert_eq!(cx.budget_remaining(), Some(2));
    });
    assert!(Cooperation::unconstrained().is_unconstrained());

    println!(
        "downstream-app: ok (tokio bridge {})",
        if cfg!(feature = "tokio") { "on" } else { "off" }
    );
}
