//! Is the queue budgeted in a plain tokio application? This crate's
//! dev-dependencies are tokio and tokio-test only, as an application's would
//! be, so the test sees the features the application will see.

use primitive_recipe::Queue;
use tokio_test::{assert_pending, assert_ready_eq};

#[tokio::test]
async fn a_drain_yields_after_tokios_128_units() {
    // The mock task is polled inside the test body, a tokio task: the queue
    // draws from that task's budget of 128 units.
    let mut drain = tokio_test::task::spawn(Queue::with_items(1000).drain());
    assert_pending!(
        drain.poll(),
        "the queue never yielded inside a tokio task: turn on task-coop's `tokio` feature"
    );
    // The budget is spent for the rest of this poll of the test body; the
    // next poll of the mock task outside any tokio budget finishes the drain.
    let rest = tokio::task::spawn_blocking(move || drain.poll());
    assert_ready_eq!(rest.await.unwrap(), 1000);
}
