//! `TokioBudget` installed explicitly (`TokioBudget::install`, what
//! `CoopCompat` installs, and `with_provider(cx, &TokioBudget, ..)`) inside a
//! tokio task: Context-based operations and tokio's own channel draw from the
//! one tokio budget, even where a `task_coop::Budget` is installed further
//! out, and that outer budget is left untouched.
#![cfg(feature = "tokio")]

mod support;

use std::future::poll_fn;
use std::task::{Context, Poll};

use coop_compat::{Budget, ContextExt, TokioBudget};
use support::Executor;

/// How the test installs tokio's budget around each poll.
#[derive(Clone, Copy, Debug)]
enum Install {
    Method,
    WithProvider,
}

fn install<R>(how: Install, cx: &mut Context<'_>, f: impl FnOnce(&mut Context<'_>) -> R) -> R {
    match how {
        Install::Method => TokioBudget.install(cx, f),
        Install::WithProvider => coop_compat::with_provider(cx, &TokioBudget, f),
    }
}

/// One poll of a task: under an outer `Budget` of 5 units, installs tokio's
/// budget, then alternates a Context-based unit and a tokio mpsc receive
/// until one of them says `Pending`. Returns the units taken in that poll
/// and what the outer budget had left.
fn one_poll(
    how: Install,
    cx: &mut Context<'_>,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<u32>,
) -> (u32, u32) {
    let mut outer = Budget::with_units(5);
    let taken = outer.install(cx, |cx| {
        install(how, cx, |cx| {
            let mut taken = 0;
            loop {
                let Poll::Ready(mut coop) = cx.poll_cooperate() else {
                    break taken;
                };
                coop.made_progress();
                taken += 1;
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(_)) => taken += 1,
                    Poll::Ready(None) => panic!("the channel closed"),
                    Poll::Pending => break taken,
                }
            }
        })
    });
    (taken, u32::from(outer.remaining()))
}

fn check(exec: Executor, how: Install) {
    exec.run(async move {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for i in 0..1000 {
            tx.send(i).unwrap();
        }
        let mut polls = Vec::new();
        for _ in 0..3 {
            polls.push(poll_fn(|cx| Poll::Ready(one_poll(how, cx, &mut rx))).await);
            tokio::task::yield_now().await;
        }
        // Each poll of the task starts with tokio's 128 units; the
        // `poll_fn` after a `yield_now` is a fresh task poll.
        assert_eq!(
            polls,
            vec![(128, 5); 3],
            "{exec:?}, {how:?}: units per poll, outer units left"
        );
    });
}

#[test]
fn tokio_budget_installed_shares_tokio_budget_on_both_flavours() {
    for exec in Executor::TOKIO {
        check(exec, Install::Method);
        check(exec, Install::WithProvider);
    }
}

#[test]
fn tokio_budget_installed_off_tokio_is_unconstrained_and_outer_budget_untouched() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..1000 {
        tx.send(i).unwrap();
    }
    drop(tx);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut outer = Budget::with_units(5);
    let taken = outer.install(&mut cx, |cx| {
        TokioBudget.install(cx, |cx| {
            let mut taken = 0;
            while let Poll::Ready(mut coop) = cx.poll_cooperate() {
                coop.made_progress();
                match rx.poll_recv(cx) {
                    Poll::Ready(Some(_)) => taken += 1,
                    _ => break,
                }
            }
            taken
        })
    });
    assert_eq!(taken, 1000, "off tokio, tokio's budget never runs out");
    assert_eq!(outer.remaining(), 5);
}
