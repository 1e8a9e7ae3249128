//! What a budget's metrics tell an executor: a hog and a well-behaved task
//! side by side.
//!
//! Run with `cargo run --example budget_metrics`. Two tasks share one thread,
//! each polled through a budget of its own of 128 units or a 200 µs time
//! slice, whichever ends first: the hog through a `Budget` the executor keeps
//! for it, the other through `with_budget_metered` (the thread's counter, the
//! metrics kept with the task). The hog drains 2000 always-ready items, the
//! first 1000 costing 1 µs each, the others 10 µs; every 500 items it posts a
//! note to the other task, which waits for notes. Time is a clock this demo advances by
//! each item's cost, so every number printed is the same on every run.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll, Wake, Waker};

use coop_compat::{with_budget_metered, Budget, BudgetMetrics, ContextExt, TimeSlice};

thread_local!(static NOW_US: Cell<u64> = const { Cell::new(0) });

/// The demo's clock, in microseconds: advanced by the hog's work.
fn now_us() -> u64 {
    NOW_US.with(Cell::get)
}

/// A task's waker: a flag the executor loop checks.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Notes from the hog, and the waker of the task waiting for one. Taking a
/// note spends a unit of the reader's budget.
#[derive(Default)]
struct Mailbox {
    notes: VecDeque<u32>,
    closed: bool,
    waiter: Option<Waker>,
}

impl Mailbox {
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        if let Some(note) = self.notes.pop_front() {
            coop.made_progress();
            return Poll::Ready(Some(note));
        }
        if self.closed {
            return Poll::Ready(None);
        }
        self.waiter = Some(cx.waker().clone());
        Poll::Pending
    }

    fn post(&mut self, note: Option<u32>) {
        match note {
            Some(note) => self.notes.push_back(note),
            None => self.closed = true,
        }
        if let Some(waiter) = self.waiter.take() {
            waiter.wake();
        }
    }
}

fn main() {
    let mailbox = Rc::new(RefCell::new(Mailbox::default()));
    let hog_mailbox = mailbox.clone();
    let mut hog = pin!(async move {
        for item in 1..=2000u32 {
            // An always-ready source: a unit per item, never waits.
            poll_fn(|cx| cx.poll_cooperate().map(|mut coop| coop.made_progress())).await;
            let cost = if item <= 1000 { 1 } else { 10 };
            NOW_US.with(|now| now.set(now.get() + cost)); // the item's work
            if item % 500 == 0 {
                hog_mailbox.borrow_mut().post(Some(item));
            }
        }
        hog_mailbox.borrow_mut().post(None);
    });
    let mut reader = pin!(async move {
        let mut seen = Vec::new();
        while let Some(note) = poll_fn(|cx| mailbox.borrow_mut().poll_recv(cx)).await {
            seen.push(note);
        }
        seen
    });

    // 128 units or 200 µs of the demo's clock, whichever comes first.
    let (units, slice) = (128, TimeSlice::with_clock(200, now_us));
    let mut hog_budget = Budget::with_time_slice(units, slice);
    let mut reader_metrics = BudgetMetrics::default();
    let (hog_woken, reader_woken) = (Arc::new(Woken::default()), Arc::new(Woken::default()));
    let (hog_waker, reader_waker) = (
        Waker::from(hog_woken.clone()),
        Waker::from(reader_woken.clone()),
    );
    let (mut hog_done, mut notes) = (false, None);
    // Poll each task once, then whenever it was woken.
    hog_woken.0.store(true, Ordering::Relaxed);
    reader_woken.0.store(true, Ordering::Relaxed);
    while !hog_done || notes.is_none() {
        if hog_woken.0.swap(false, Ordering::Relaxed) {
            let mut cx = Context::from_waker(&hog_waker);
            hog_done = hog_budget.poll(hog.as_mut(), &mut cx).is_ready();
        }
        if reader_woken.0.swap(false, Ordering::Relaxed) {
            let mut cx = Context::from_waker(&reader_waker);
            let slice = Some(slice);
            with_budget_metered(&mut cx, units, slice, &mut reader_metrics, |cx| {
                if let Poll::Ready(seen) = reader.as_mut().poll(cx) {
                    notes = Some(seen);
                }
            });
        }
    }

    println!(
        "budget: {units} units or a 200 µs slice per poll; the demo's clock ran {} µs",
        now_us()
    );
    println!("reader got notes {:?}\n", notes.unwrap_or_default());
    println!(
        "{:<32} {:>6} {:>12} {:>14} {:>13}",
        "task", "polls", "units spent", "forced yields", "slice yields"
    );
    for (name, m) in [
        ("hog (Budget::metrics)", hog_budget.metrics()),
        ("reader (with_budget_metered)", reader_metrics),
    ] {
        println!(
            "{name:<32} {:>6} {:>12} {:>14} {:>13}",
            m.polls, m.units_spent, m.forced_yields, m.slice_yields
        );
    }
    println!(
        "\nThe hog is forced to yield in every poll but its last: by its 128 units while its \
         items cost 1 µs, by the\n200 µs slice (slice yields) once they cost 10 µs, after 48 \
         units: the clock is read every 16 units from\nthe 17th, and the slice starts there. \
         The reader spends a unit per note and is never forced to yield."
    );
}
