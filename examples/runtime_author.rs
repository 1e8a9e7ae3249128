//! A minimal executor that gives every task poll a budget: the whole
//! integration is one `Budget` and one call to `Budget::poll`.
//!
//! Run with `cargo run --example runtime_author`. A hog task drains 1000
//! always-ready items from a primitive that knows only `task_coop`; because
//! the executor installs a budget of 128 per poll, the hog yields every 128
//! items and a second task gets to run in between.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll, Wake, Waker};

use coop_compat::{Budget, ContextExt};

// ---- The executor: about 50 lines. ----------------------------------------

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A spawned task: its future, and the queue to put itself back on.
struct Task {
    future: Mutex<Option<BoxFuture>>,
    queue: Sender<Arc<Task>>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        let queue = self.queue.clone();
        let _ = queue.send(self);
    }
}

struct Executor {
    queue: Sender<Arc<Task>>,
    ready: Receiver<Arc<Task>>,
    /// One budget for the worker thread; each task poll resets it to 128.
    budget: Budget,
}

impl Executor {
    fn new() -> Self {
        let (queue, ready) = channel();
        Self {
            queue,
            ready,
            budget: Budget::new(),
        }
    }

    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let task = Task {
            future: Mutex::new(Some(Box::pin(future))),
            queue: self.queue.clone(),
        };
        self.queue.send(Arc::new(task)).unwrap();
    }

    /// Runs until no task is ready (this demo's tasks never wait on the outside).
    fn run(&mut self) {
        while let Ok(task) = self.ready.try_recv() {
            let mut slot = task.future.lock().unwrap();
            let Some(mut future) = slot.take() else {
                continue;
            };
            let waker = Waker::from(task.clone());
            let mut cx = Context::from_waker(&waker);
            // The one line that gives the task a budget:
            if self.budget.poll(future.as_mut(), &mut cx).is_pending() {
                *slot = Some(future);
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

fn main() {
    let mut executor = Executor::new();
    let events = Arc::new(Mutex::new(Vec::<String>::new()));

    let hog_events = events.clone();
    executor.spawn(async move {
        let mut source = Source(1000);
        let mut since_last_yield = 0;
        while poll_fn(|cx| {
            let item = source.poll_next(cx);
            if item.is_pending() {
                hog_events
                    .lock()
                    .unwrap()
                    .push(format!("hog: yielded after {since_last_yield} items"));
                since_last_yield = 0;
            }
            item
        })
        .await
        .is_some()
        {
            since_last_yield += 1;
        }
        hog_events.lock().unwrap().push(format!(
            "hog: done ({since_last_yield} items in its last poll)"
        ));
    });
    let other_events = events.clone();
    executor.spawn(async move {
        for round in 1..=3 {
            other_events
                .lock()
                .unwrap()
                .push(format!("other task: ran (round {round})"));
            // Yield once, so the hog gets its turn.
            let mut yielded = false;
            poll_fn(|cx| {
                if std::mem::replace(&mut yielded, true) {
                    Poll::Ready(())
                } else {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
        }
    });
    executor.run();
    for line in events.lock().unwrap().iter() {
        println!("{line}");
    }
}
