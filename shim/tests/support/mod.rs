//! Small helpers shared by the task-coop tests: a waker that counts its
//! wakes, and shorthands for taking budget units.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use task_coop::{ContextExt, Cooperation};

/// The waker of a test task: counts how often it was woken.
#[derive(Default)]
pub(crate) struct WakeCounter(AtomicUsize);

impl WakeCounter {
    /// A new counter and a waker that increments it.
    pub(crate) fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub(crate) fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Takes one unit; `None` if the budget said `Pending`.
pub(crate) fn take(cx: &mut Context<'_>) -> Option<Cooperation> {
    match cx.poll_cooperate() {
        Poll::Ready(coop) => Some(coop),
        Poll::Pending => None,
    }
}

/// Takes one unit and spends it (`made_progress`); false if the budget said
/// `Pending`.
pub(crate) fn spend(cx: &mut Context<'_>) -> bool {
    match take(cx) {
        Some(mut coop) => {
            coop.made_progress();
            true
        }
        None => false,
    }
}
