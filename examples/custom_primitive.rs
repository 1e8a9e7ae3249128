//! A semaphore written only against `task_coop`, cooperating unchanged on
//! tokio, on smol's executor (`async-executor`) and on `futures`' executor.
//!
//! Run with `cargo run --example custom_primitive`. A task takes and returns
//! a permit 1000 times; the permit is always free, so without a budget the
//! task would never yield. It prints how many polls the task needed on each
//! executor: 8 where a budget of 128 is in force (1000 = 7 x 128 + 104), 1
//! where none is.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll, Waker};

use coop_compat::{budgeted, ContextExt};

/// The primitive: an async semaphore. Its only tie to a budget is
/// `poll_cooperate` + `made_progress` in `poll_acquire`.
#[derive(Clone)]
struct Semaphore {
    state: Arc<Mutex<State>>,
}

struct State {
    permits: usize,
    waiters: VecDeque<Waker>,
}

impl Semaphore {
    fn new(permits: usize) -> Self {
        let state = State {
            permits,
            waiters: VecDeque::new(),
        };
        Self {
            state: Arc::new(Mutex::new(state)),
        }
    }

    fn poll_acquire(&self, cx: &mut Context<'_>) -> Poll<Permit> {
        // Out of budget: the task was rescheduled; yield without waiting.
        let mut coop = ready!(cx.poll_cooperate());
        let mut state = self.state.lock().unwrap();
        if state.permits > 0 {
            state.permits -= 1;
            coop.made_progress(); // acquiring is progress
            Poll::Ready(Permit(self.clone()))
        } else {
            state.waiters.push_back(cx.waker().clone());
            Poll::Pending // waiting is not progress: the unit goes back
        }
    }

    async fn acquire(&self) -> Permit {
        poll_fn(|cx| self.poll_acquire(cx)).await
    }
}

/// Gives its permit back when dropped.
struct Permit(Semaphore);

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap();
        state.permits += 1;
        if let Some(waiter) = state.waiters.pop_front() {
            waiter.wake();
        }
    }
}

/// Takes and returns a permit 1000 times; returns how many polls it took.
async fn thousand_acquires(semaphore: Semaphore) -> u32 {
    let polls = Arc::new(Mutex::new(0u32));
    let counter = polls.clone();
    let mut body = Box::pin(async move {
        for _ in 0..1000 {
            drop(semaphore.acquire().await);
        }
    });
    poll_fn(move |cx| {
        *counter.lock().unwrap() += 1;
        body.as_mut().poll(cx)
    })
    .await;
    let polls = *polls.lock().unwrap();
    polls
}

fn main() {
    let semaphore = Semaphore::new(1);
    let polls = |n: u32| format!("{n} poll{}", if n == 1 { "" } else { "s" });

    // tokio: no wrapper, no change. With the `tokio` feature (on by default
    // in the facade), poll_cooperate draws from the tokio task's budget.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let n = rt
        .block_on(rt.spawn(thousand_acquires(semaphore.clone())))
        .unwrap();
    println!("tokio current_thread:            {}", polls(n));

    // smol's executor has no budget: `budgeted` gives each poll one.
    let ex = async_executor::Executor::new();
    let task = ex.spawn(budgeted(thousand_acquires(semaphore.clone())));
    let n = futures::executor::block_on(ex.run(task));
    println!("async-executor with budgeted:    {}", polls(n));
    let task = ex.spawn(thousand_acquires(semaphore.clone()));
    let n = futures::executor::block_on(ex.run(task));
    println!(
        "async-executor without:          {} (no budget, never yields)",
        polls(n)
    );

    // futures' executor, the same way.
    let n = futures::executor::block_on(budgeted(thousand_acquires(semaphore.clone())));
    println!("futures::executor with budgeted: {}", polls(n));
    let n = futures::executor::block_on(thousand_acquires(semaphore));
    println!(
        "futures::executor without:       {} (no budget, never yields)",
        polls(n)
    );
}
