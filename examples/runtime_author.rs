//! A minimal executor that gives every task poll a budget and takes over the
//! wake-up of tasks the budget forced to yield, queueing them behind tasks
//! woken by events, as tokio's defer list does (tokio issue #3493).
//!
//! Run with `cargo run --example runtime_author`. Two hogs drain 300
//! always-ready items each from a primitive that knows only `task_coop`, and
//! tell a logger task every 100 items. Each hog yields every 128 items and
//! waits on the deferred queue; the logger, woken by a hog, runs first.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll, Wake, Waker};

use coop_compat::{Budget, ContextExt};

// ---- The executor: about 50 lines. ----------------------------------------

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
type Queue = Arc<Mutex<VecDeque<Arc<Task>>>>;

struct Task {
    future: Mutex<Option<BoxFuture>>,
    /// In a queue: set by whoever queues the task, cleared before its poll,
    /// so that a task is never in both queues.
    queued: AtomicBool,
    ready: Queue,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, SeqCst) {
            self.ready.clone().lock().unwrap().push_back(self);
        }
    }
}

#[derive(Default)]
struct Executor {
    /// Tasks woken by events (and new tasks): they run first.
    ready: Queue,
    /// Tasks the budget made yield: they run when no woken task is left.
    deferred: VecDeque<Arc<Task>>,
    /// One budget for the worker thread; each task poll resets it to 128.
    budget: Budget,
}

impl Executor {
    fn new() -> Self {
        let mut executor = Self::default();
        // A task that runs out is not woken: we requeue it ourselves.
        executor.budget.set_defer_forced_wakes(true);
        executor
    }

    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let task = Task {
            future: Mutex::new(Some(Box::pin(future))),
            queued: AtomicBool::new(false),
            ready: self.ready.clone(),
        };
        Arc::new(task).wake();
    }

    /// Runs until no task is queued. A real executor parks instead, and runs
    /// a deferred task after some woken ones in a row (tokio: 61), so that
    /// tasks waking each other cannot starve the deferred ones.
    fn run(&mut self) {
        loop {
            let woken = self.ready.lock().unwrap().pop_front();
            let Some(task) = woken.or_else(|| self.deferred.pop_front()) else {
                return;
            };
            task.queued.store(false, SeqCst);
            let mut slot = task.future.lock().unwrap();
            let Some(future) = slot.as_mut() else {
                continue; // completed
            };
            let waker = Waker::from(task.clone());
            let mut cx = Context::from_waker(&waker);
            if self.budget.poll(future.as_mut(), &mut cx).is_ready() {
                *slot = None;
            } else if self.budget.ran_out() && !task.queued.swap(true, SeqCst) {
                // Forced to yield, and not woken meanwhile: nothing else will
                // wake it, so it must be queued here or it is lost.
                drop(slot);
                self.deferred.push_back(task);
            }
        }
    }
}

// ---- The demo. --------------------------------------------------------------

/// An always-ready source that asks the Context budget for a unit per item.
struct Source(u32);

impl Source {
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        if self.0 == 0 {
            return Poll::Ready(None);
        }
        self.0 -= 1;
        coop.made_progress();
        Poll::Ready(Some(self.0))
    }
}

/// The logger's mailbox: notes, and the waker to wake when one arrives.
type Mailbox = Arc<Mutex<(VecDeque<String>, Option<Waker>)>>;

async fn hog(name: &'static str, mailbox: Mailbox) {
    let (mut source, mut taken) = (Source(300), 0);
    poll_fn(|cx| loop {
        match source.poll_next(cx) {
            Poll::Pending => {
                println!("{name}: yielded after item {taken}, deferred");
                return Poll::Pending;
            }
            Poll::Ready(None) => break Poll::Ready(()),
            Poll::Ready(Some(_)) => {}
        }
        taken += 1;
        if taken % 100 == 0 {
            let mut mailbox = mailbox.lock().unwrap();
            mailbox.0.push_back(format!("{name} passed {taken} items"));
            if let Some(logger) = mailbox.1.take() {
                logger.wake(); // a wake by an event: the logger runs first
            }
        }
    })
    .await;
    println!("{name}: done");
}

fn main() {
    let mut executor = Executor::new();
    let mailbox = Mailbox::default();
    let logger_mailbox = mailbox.clone();
    executor.spawn(poll_fn(move |cx| {
        let mut mailbox = logger_mailbox.lock().unwrap();
        while let Some(note) = mailbox.0.pop_front() {
            println!("  logger (woken): {note}");
        }
        mailbox.1 = Some(cx.waker().clone());
        Poll::<()>::Pending // waits for notes as long as the executor runs
    }));
    executor.spawn(hog("hog A", mailbox.clone()));
    executor.spawn(hog("hog B", mailbox));
    executor.run();
    let m = executor.budget.metrics();
    println!(
        "budget: {} polls, {} units spent, {} forced yields (each requeued by the executor)",
        m.polls, m.units_spent, m.forced_yields
    );
}
