//! One per-poll meter: what each poll of a task did.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use coop_compat::Budget;

use super::WakeCounter;

/// A shared count of operations (messages received, calls that made
/// progress, child polls).
#[derive(Clone, Default, Debug)]
pub(crate) struct Counter(Arc<AtomicU32>);

impl Counter {
    /// One more.
    pub(crate) fn tick(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn get(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What one poll of a metered task did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PollRecord {
    /// Work ticked on the log's counter during the poll.
    pub(crate) work: u32,
    /// Units spent from the meter's own budget (`None` without one).
    pub(crate) spent: Option<u32>,
    /// Wakes of the poll's waker, during the poll and until the next poll
    /// started (so a wake from inside the poll counts for it).
    pub(crate) wakes: u32,
    /// Whether the task completed in this poll.
    pub(crate) ready: bool,
}

/// The log of a metered task: its work counter and a record per poll.
/// Clones share both.
#[derive(Clone, Default, Debug)]
pub(crate) struct PollLog {
    work: Counter,
    polls: Arc<Mutex<Vec<PollRecord>>>,
}

impl PollLog {
    /// One unit of work done in the current poll.
    pub(crate) fn work(&self) {
        self.work.tick();
    }

    /// The work counter, for sources and IO objects that tick it.
    pub(crate) fn counter(&self) -> &Counter {
        &self.work
    }

    /// Wraps the task whose polls this log records. The meter is the
    /// outermost wrapper, as an executor would poll the task: it polls the
    /// task with a waker of its own, to count wakes.
    pub(crate) fn meter<F: Future>(&self, future: F) -> Metered<F> {
        Metered {
            log: self.clone(),
            budget: None,
            future: Box::pin(future),
            previous: None,
        }
    }

    /// [`meter`](Self::meter), and each poll runs under a fresh `Budget` of
    /// `units`, as a budget-aware executor polls its tasks.
    pub(crate) fn meter_with_budget<F: Future>(&self, units: u8, future: F) -> Metered<F> {
        Metered {
            budget: Some(Budget::with_units(units)),
            ..self.meter(future)
        }
    }

    pub(crate) fn records(&self) -> Vec<PollRecord> {
        self.polls.lock().unwrap().clone()
    }

    /// Work per poll.
    pub(crate) fn per_poll(&self) -> Vec<u32> {
        self.records().iter().map(|poll| poll.work).collect()
    }

    /// Units of the meter's budget spent per poll.
    pub(crate) fn spent(&self) -> Vec<u32> {
        self.records()
            .iter()
            .map(|poll| poll.spent.expect("a meter with a budget"))
            .collect()
    }

    /// Units of the meter's budget spent in all.
    pub(crate) fn total_spent(&self) -> u32 {
        self.spent().iter().sum()
    }

    /// Wakes per poll.
    pub(crate) fn wakes(&self) -> Vec<u32> {
        self.records().iter().map(|poll| poll.wakes).collect()
    }
}

/// A task metered by a [`PollLog`].
#[derive(Debug)]
pub(crate) struct Metered<F> {
    log: PollLog,
    budget: Option<Budget>,
    future: Pin<Box<F>>,
    /// The wake counter of the previous poll, while it may still be woken.
    previous: Option<Arc<WakeCounter>>,
}

impl<F: Future> Future for Metered<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        if let Some(previous) = this.previous.take() {
            if let Some(last) = this.log.polls.lock().unwrap().last_mut() {
                last.wakes = previous.wakes();
            }
        }
        let (wakes, waker) = WakeCounter::wrapping(cx.waker());
        let mut counted = Context::from_waker(&waker);
        let before = this.log.work.get();
        let out = match &mut this.budget {
            Some(budget) => budget.poll(this.future.as_mut(), &mut counted),
            None => this.future.as_mut().poll(&mut counted),
        };
        this.log.polls.lock().unwrap().push(PollRecord {
            work: this.log.work.get() - before,
            spent: (this.budget.as_ref()).map(|b| u32::from(b.units() - b.remaining())),
            wakes: wakes.wakes(),
            ready: out.is_ready(),
        });
        if out.is_pending() {
            this.previous = Some(wakes);
        }
        out
    }
}

/// `future` under a fresh `Budget` of 128 units per poll, and its log.
pub(crate) fn metered<F: Future>(future: F) -> (Metered<F>, PollLog) {
    let log = PollLog::default();
    (log.meter_with_budget(128, future), log)
}

/// Ticks `calls` for each call of a tokio IO object that made progress by
/// the rule of `CoopIo` (a `Ready` read or write with room, or an error).
#[derive(Debug)]
pub(crate) struct CountingIo<T> {
    inner: T,
    calls: Counter,
}

impl<T> CountingIo<T> {
    pub(crate) fn new(inner: T, calls: &Counter) -> Self {
        Self {
            inner,
            calls: calls.clone(),
        }
    }
}

impl<T: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for CountingIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let had_room = buf.remaining() > 0;
        let out = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(&out, Poll::Ready(r) if had_room || r.is_err()) {
            self.calls.tick();
        }
        out
    }
}

impl<T: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for CountingIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let out = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(&out, Poll::Ready(r) if !buf.is_empty() || r.is_err()) {
            self.calls.tick();
        }
        out
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
