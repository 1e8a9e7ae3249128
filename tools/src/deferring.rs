//! A minimal one-thread executor that takes over forced wake-ups
//! ([`Budget::set_defer_forced_wakes`]): tasks woken by events run first; a
//! task whose poll ended because its budget ran out waits on a second queue,
//! run when no woken task is left (tokio's defer list; tokio issue #3493).
//! `tail_latency` runs it beside tokio `current_thread`.
//!
//! One [`Budget`] for the thread, installed for every task poll. After a
//! poll that returned `Pending`, [`Budget::ran_out`] says whether the budget
//! made the task yield: then nothing will wake it, and the executor queues
//! it on the deferred queue itself (the budget's contract; a task is never
//! lost).
//!
//! A task is in at most one queue at a time: a flag set by whoever queues
//! it (a wake, or the executor deferring it) and cleared just before its
//! poll. A task woken during the poll in which it ran out is already on the
//! ready queue and is not deferred as well.
//!
//! Deferred tasks are not starved by tasks that keep waking each other: after
//! [`READY_BURST`] polls of woken tasks in a row, one deferred task runs.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Wake, Waker};

use coop_compat::{Budget, BudgetMetrics};

/// Polls of woken tasks in a row after which one deferred task runs, if any
/// waits (tokio's `event_interval` is 61).
pub const READY_BURST: u32 = 61;

/// The queue of woken tasks, shared with the wakers (which may be on other
/// threads).
#[derive(Default)]
struct Ready {
    queue: Mutex<VecDeque<usize>>,
    /// Signalled when a task is queued, for a thread with nothing to run.
    queued: Condvar,
}

/// A task's waker: its slot, and whether it is queued.
struct TaskWaker {
    id: usize,
    /// Set by whoever queues the task, cleared just before its poll.
    scheduled: AtomicBool,
    ready: Arc<Ready>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.ready
                .queue
                .lock()
                .expect("ready queue")
                .push_back(self.id);
            self.ready.queued.notify_one();
        }
    }
}

struct Slot {
    future: Pin<Box<dyn Future<Output = ()>>>,
    waker: Arc<TaskWaker>,
}

/// What the executor did, besides the budget's own [`BudgetMetrics`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Task polls.
    pub polls: u64,
    /// Polls that ended with the budget spent and the task queued on the
    /// deferred queue.
    pub deferred: u64,
}

/// A one-thread executor with a ready queue and a deferred queue.
pub struct DeferringExecutor {
    ready: Arc<Ready>,
    deferred: VecDeque<usize>,
    tasks: Vec<Option<Slot>>,
    live: usize,
    budget: Budget,
    counts: Counts,
}

impl std::fmt::Debug for DeferringExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferringExecutor")
            .field("live", &self.live)
            .field("deferred", &self.deferred.len())
            .field("budget", &self.budget)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

/// A spawned task's output, there once [`DeferringExecutor::run`] returned.
#[derive(Debug)]
pub struct Output<T>(Rc<RefCell<Option<T>>>);

impl<T> Output<T> {
    /// The task's output (`None` if it has not completed).
    pub fn take(&self) -> Option<T> {
        self.0.borrow_mut().take()
    }
}

impl DeferringExecutor {
    /// An executor that polls every task through `budget`, forced wakes
    /// deferred to it (it turns [`Budget::set_defer_forced_wakes`] on).
    pub fn new(mut budget: Budget) -> Self {
        budget.set_defer_forced_wakes(true);
        Self {
            ready: Arc::default(),
            deferred: VecDeque::new(),
            tasks: Vec::new(),
            live: 0,
            budget,
            counts: Counts::default(),
        }
    }

    /// Queues `future` as a woken task; its output is in the returned
    /// [`Output`] once [`run`](Self::run) returns.
    pub fn spawn<T: 'static>(&mut self, future: impl Future<Output = T> + 'static) -> Output<T> {
        let out = Rc::new(RefCell::new(None));
        let slot = out.clone();
        let id = self.tasks.len();
        let waker = Arc::new(TaskWaker {
            id,
            scheduled: AtomicBool::new(false),
            ready: self.ready.clone(),
        });
        self.tasks.push(Some(Slot {
            future: Box::pin(async move {
                *slot.borrow_mut() = Some(future.await);
            }),
            waker: waker.clone(),
        }));
        self.live += 1;
        waker.wake_by_ref();
        Output(out)
    }

    /// Runs until every spawned task has completed, sleeping while no task is
    /// queued.
    pub fn run(&mut self) {
        let mut burst = 0;
        while self.live > 0 {
            let woken = if burst >= READY_BURST && !self.deferred.is_empty() {
                None
            } else {
                self.ready.queue.lock().expect("ready queue").pop_front()
            };
            let id = match woken {
                Some(id) => {
                    burst += 1;
                    id
                }
                None => {
                    burst = 0;
                    match self.deferred.pop_front() {
                        Some(id) => id,
                        None => {
                            self.sleep();
                            continue;
                        }
                    }
                }
            };
            self.poll(id);
        }
    }

    /// Waits until a task is woken (only when both queues are empty).
    fn sleep(&self) {
        let mut queue = self.ready.queue.lock().expect("ready queue");
        while queue.is_empty() {
            queue = self.ready.queued.wait(queue).expect("ready queue");
        }
    }

    fn poll(&mut self, id: usize) {
        let Some(slot) = self.tasks[id].as_mut() else {
            return; // completed
        };
        slot.waker.scheduled.store(false, Ordering::Release);
        let waker = Waker::from(slot.waker.clone());
        let mut cx = Context::from_waker(&waker);
        self.counts.polls += 1;
        if self.budget.poll(slot.future.as_mut(), &mut cx).is_ready() {
            self.tasks[id] = None;
            self.live -= 1;
        } else if self.budget.ran_out() {
            // Nothing will wake it: the executor requeues it, behind the
            // woken tasks. Unless a wake during the poll already queued it.
            if !slot.waker.scheduled.swap(true, Ordering::AcqRel) {
                self.deferred.push_back(id);
                self.counts.deferred += 1;
            }
        }
    }

    /// What the budget did over every task poll so far.
    pub fn metrics(&self) -> BudgetMetrics {
        self.budget.metrics()
    }

    /// Task polls and deferrals so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }
}
