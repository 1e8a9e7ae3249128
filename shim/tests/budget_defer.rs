//! `Budget::set_defer_forced_wakes`: with deferral on, running out does not
//! wake the task's own waker and `ran_out()` tells the executor, which
//! requeues the task; children's wakers are still woken. A deferred task is
//! never lost: an executor that requeues it behind fresh wakes runs it to
//! the end with no wake at all.
#![cfg(feature = "alloc")]

mod support;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use support::{spend, WakeCounter};
use task_coop::Budget;

/// Spends every unit, then asks three more times.
fn run_out(cx: &mut Context<'_>) {
    while spend(cx) {}
    for _ in 0..3 {
        assert!(!spend(cx));
    }
}

#[test]
fn with_deferral_running_out_does_not_wake_the_task() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(4);
    budget.set_defer_forced_wakes(true);
    assert!(budget.defers_forced_wakes());
    budget.install(&mut cx, run_out);
    assert_eq!(task.wakes(), 0);
    assert!(budget.ran_out());
    assert_eq!(budget.metrics().forced_yields, 1);

    // A poll that does not run out: ran_out is false again.
    budget.install(&mut cx, |cx| assert!(spend(cx)));
    assert_eq!(task.wakes(), 0);
    assert!(!budget.ran_out());
}

#[test]
fn without_deferral_running_out_wakes_the_task_exactly_once() {
    let (task, waker) = WakeCounter::new();
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(4);
    assert!(!budget.defers_forced_wakes());
    budget.install(&mut cx, run_out);
    assert_eq!(task.wakes(), 1);
    assert!(budget.ran_out());

    // Turned on, then off again.
    budget.set_defer_forced_wakes(true);
    budget.install(&mut cx, run_out);
    assert_eq!(task.wakes(), 1);
    budget.set_defer_forced_wakes(false);
    budget.install(&mut cx, run_out);
    assert_eq!(task.wakes(), 2);
}

#[cfg(feature = "std")]
#[test]
fn with_deferral_children_with_wakers_of_their_own_are_still_woken() {
    let (task, task_waker) = WakeCounter::new();
    let (child_a, waker_a) = WakeCounter::new();
    let (child_b, waker_b) = WakeCounter::new();
    let mut cx = Context::from_waker(&task_waker);
    let mut budget = Budget::with_units(2);
    budget.set_defer_forced_wakes(true);
    budget.install(&mut cx, |carried| {
        let mut a = Context::from_waker(&waker_a);
        let mut b = Context::from_waker(&waker_b);
        assert!(spend(&mut a));
        assert!(spend(&mut b));
        assert!(!spend(&mut a));
        assert!(!spend(&mut b));
        assert!(!spend(&mut b));
        // The task itself (the carried context) is left to the executor.
        assert!(!spend(carried));
    });
    assert_eq!((task.wakes(), child_a.wakes(), child_b.wakes()), (0, 1, 2));
    assert!(budget.ran_out());
}

/// A task's waker in the small executor below: pushes the task's index on
/// the queue of fresh wakes.
struct QueueWaker {
    index: usize,
    fresh: Arc<Mutex<VecDeque<usize>>>,
}

impl Wake for QueueWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.fresh.lock().unwrap().push_back(self.index);
    }
}

#[test]
fn a_deferred_task_is_never_lost_and_runs_behind_fresh_wakes() {
    let order = Rc::new(RefCell::new(Vec::new()));

    // Task 0 does 1000 units of work and never waits: 8 polls of 128.
    let busy = {
        let order = order.clone();
        let mut left = 1000;
        poll_fn(move |cx| {
            order.borrow_mut().push('B');
            while left > 0 {
                if !spend(cx) {
                    return Poll::Pending; // no wake asked: the budget's doing
                }
                left -= 1;
            }
            Poll::Ready(())
        })
    };
    // Task 1 yields by waking itself, 5 times: fresh wakes.
    let ping = {
        let order = order.clone();
        let mut yields = 5;
        poll_fn(move |cx| {
            order.borrow_mut().push('P');
            if yields == 0 {
                return Poll::Ready(());
            }
            yields -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    };
    let mut tasks: Vec<Option<Pin<Box<dyn Future<Output = ()>>>>> =
        vec![Some(Box::pin(busy)), Some(Box::pin(ping))];

    let fresh = Arc::new(Mutex::new(VecDeque::from([0, 1])));
    let mut waiting = 0; // Pending for a reason of the task's own
    let mut deferred = VecDeque::new();
    let mut budget = Budget::new();
    budget.set_defer_forced_wakes(true);
    loop {
        let next = fresh.lock().unwrap().pop_front();
        let Some(index) = next.or_else(|| deferred.pop_front()) else {
            break;
        };
        let waker = Waker::from(Arc::new(QueueWaker {
            index,
            fresh: fresh.clone(),
        }));
        let mut cx = Context::from_waker(&waker);
        let task = tasks[index].as_mut().expect("a finished task was queued");
        match budget.poll(task.as_mut(), &mut cx) {
            Poll::Ready(()) => tasks[index] = None,
            Poll::Pending if budget.ran_out() => deferred.push_back(index),
            Poll::Pending => waiting += 1,
        }
    }

    assert!(tasks.iter().all(Option::is_none), "every task finished");
    // The busy task ran out 7 times and was requeued each time behind the
    // ping task's fresh wakes.
    let order: String = order.borrow().iter().collect();
    assert_eq!(order, "BPPPPPPBBBBBBB");
    assert_eq!(budget.metrics().polls, 14);
    assert_eq!(budget.metrics().forced_yields, 7);
    assert_eq!(budget.metrics().units_spent, 1000);
    assert_eq!(waiting, 5, "the ping task's own yields");
    // Had the budget woken the busy task, its index would have been queued
    // twice: polled from the fresh queue (changing the order above) or after
    // it finished (the `expect` above).
}
