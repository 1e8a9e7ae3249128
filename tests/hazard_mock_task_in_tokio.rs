//! Hazard (MIGRATION.md, "tokio-test's mock task inside a tokio runtime"):
//! `tokio_test::task::spawn` spawns nothing, so under `#[tokio::test]` its
//! mock task is polled by the test body, a tokio task, and draws on the
//! body's budget. Once that is spent the mock task's polls return `Pending`
//! and it is not woken: tokio defers the wake until the body yields. A
//! Context-based primitive (through task-coop's fallback to tokio's budget)
//! and tokio's own mpsc behave the same. The fix: a budget of the mock
//! task's own, `Budgeted::context_only(future, 128)`, which wakes it at once
//! when spent.
#![cfg(feature = "tokio")]

mod support;

use coop_compat::Budgeted;
use support::{drain, Counter, ReadySource};
use tokio_test::assert_pending;

const ITEMS: u32 = 1000;

#[tokio::test]
async fn a_context_based_source_stops_at_the_bodys_128_units_and_is_not_woken() {
    let received = Counter::default();
    let mut task = tokio_test::task::spawn(drain(ReadySource::counted(ITEMS, &received)));
    assert_pending!(task.poll());
    assert_eq!(received.get(), 128, "the test body's budget");
    assert!(!task.is_woken(), "tokio defers the wake to its scheduler");
    // The body's budget stays spent for the rest of this poll of the body.
    assert_pending!(task.poll());
    assert_eq!(received.get(), 128);
    assert!(!task.is_woken());
}

#[tokio::test]
async fn tokios_mpsc_does_the_same() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u32>();
    for i in 0..ITEMS {
        tx.send(i).unwrap();
    }
    let received = Counter::default();
    let counter = received.clone();
    let mut task = tokio_test::task::spawn(async move {
        while rx.recv().await.is_some() {
            counter.tick();
        }
    });
    assert_pending!(task.poll());
    assert_eq!(received.get(), 128, "the test body's budget");
    assert!(!task.is_woken(), "tokio defers the wake to its scheduler");
}

#[tokio::test]
async fn a_budget_of_its_own_wakes_the_mock_task_at_once() {
    let received = Counter::default();
    let drain = drain(ReadySource::counted(ITEMS, &received));
    let mut task = tokio_test::task::spawn(Budgeted::context_only(drain, 128));
    assert_pending!(task.poll());
    assert_eq!(received.get(), 128);
    assert!(task.is_woken(), "the forced yield woke the mock task");
    // Each poll gets 128 fresh units, whatever the body has left.
    assert_pending!(task.poll());
    assert_eq!(received.get(), 256);
    assert!(task.is_woken());
}
