//! One waker that counts its wakes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Wake, Waker};

/// Counts the wakes of the waker it makes, and passes them on to the waker
/// it wraps, if any.
#[derive(Debug)]
pub(crate) struct WakeCounter {
    wakes: AtomicU32,
    inner: Option<Waker>,
}

impl WakeCounter {
    /// A counter and a waker that only counts: for polling by hand.
    pub(crate) fn new() -> (Arc<Self>, Waker) {
        Self::make(None)
    }

    /// A counter and a waker that counts, then wakes `inner`: for counting
    /// the wakes of a task an executor polls.
    pub(crate) fn wrapping(inner: &Waker) -> (Arc<Self>, Waker) {
        Self::make(Some(inner.clone()))
    }

    fn make(inner: Option<Waker>) -> (Arc<Self>, Waker) {
        let counter = Arc::new(Self {
            wakes: AtomicU32::new(0),
            inner,
        });
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    /// Wakes so far.
    pub(crate) fn wakes(&self) -> u32 {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if let Some(inner) = &self.inner {
            inner.wake_by_ref();
        }
    }
}
