//! Shared fixtures of the tokio-bridge tests: a `Send` primitive written only
//! against the Context budget API, a wrapper that logs what each task poll
//! did and how often the task's waker was woken, and every executor the
//! bridge claims to support.

#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{ready, Context, Poll, Wake, Waker};
use std::thread;

use coop_compat::ContextExt;

/// An always-ready source of `left` messages that asks the Context budget for
/// one unit per receive: a primitive that knows nothing of tokio.
#[derive(Debug)]
pub(crate) struct CoopSource {
    left: u32,
}

impl CoopSource {
    pub(crate) fn new(items: u32) -> Self {
        Self { left: items }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        coop.made_progress();
        Poll::Ready(Some(self.left))
    }

    pub(crate) async fn recv(&mut self) -> Option<u32> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }
}

/// What each poll of a logged task did: units of work counted by the task
/// body (`Log::work`), and wakes of the task's waker during and after it.
#[derive(Clone, Default, Debug)]
pub(crate) struct Log {
    inner: Arc<Mutex<LogInner>>,
}

#[derive(Default, Debug)]
struct LogInner {
    /// Work done in the poll in progress.
    current: u32,
    /// Work done in each finished poll.
    per_poll: Vec<u32>,
    /// Wakes of the task's waker, per finished poll (counted until the next
    /// poll starts, so a wake from inside the poll is counted for it).
    wakes: Vec<u32>,
}

impl Log {
    /// Records one unit of work (a message received) in the current poll.
    pub(crate) fn work(&self) {
        self.inner.lock().unwrap().current += 1;
    }

    /// Work per task poll, the last (completing) one included.
    pub(crate) fn per_poll(&self) -> Vec<u32> {
        self.inner.lock().unwrap().per_poll.clone()
    }

    /// Wakes per task poll.
    pub(crate) fn wakes(&self) -> Vec<u32> {
        self.inner.lock().unwrap().wakes.clone()
    }

    /// Wraps `future` so each of its polls is logged.
    pub(crate) fn task<F: Future>(&self, future: F) -> Logged<F> {
        Logged {
            log: self.clone(),
            future: Box::pin(future),
            wakes: None,
        }
    }
}

/// Future for [`Log::task`].
pub(crate) struct Logged<F> {
    log: Log,
    future: Pin<Box<F>>,
    /// Wake counter of the previous poll's waker.
    wakes: Option<Arc<CountingWaker>>,
}

impl<F: Future> Future for Logged<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        if let Some(previous) = self.wakes.take() {
            let woken = previous.count.load(Ordering::SeqCst) as u32;
            self.log.inner.lock().unwrap().wakes.push(woken);
        }
        let counting = Arc::new(CountingWaker {
            inner: cx.waker().clone(),
            count: AtomicUsize::new(0),
        });
        let waker = Waker::from(counting.clone());
        let mut counted_cx = Context::from_waker(&waker);
        self.log.inner.lock().unwrap().current = 0;
        let poll = self.future.as_mut().poll(&mut counted_cx);
        let mut log = self.log.inner.lock().unwrap();
        let done = log.current;
        log.per_poll.push(done);
        if poll.is_ready() {
            let woken = counting.count.load(Ordering::SeqCst) as u32;
            log.wakes.push(woken);
        } else {
            drop(log);
            self.wakes = Some(counting);
        }
        poll
    }
}

/// Counts wakes and forwards them to the executor's waker.
pub(crate) struct CountingWaker {
    inner: Waker,
    count: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// The executors other than tokio that the bridge is tested on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Exec {
    LocalPool,
    ThreadPool,
    AsyncExecutorLocal,
    AsyncExecutorMulti,
    Minimal,
}

impl Exec {
    pub(crate) const ALL: [Exec; 5] = [
        Exec::LocalPool,
        Exec::ThreadPool,
        Exec::AsyncExecutorLocal,
        Exec::AsyncExecutorMulti,
        Exec::Minimal,
    ];

    /// Runs `future` to completion on this executor, from this thread.
    pub(crate) fn run<T: Send + 'static>(
        self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> T {
        match self {
            Exec::LocalPool => {
                let mut pool = futures::executor::LocalPool::new();
                let (tx, rx) = std::sync::mpsc::channel();
                futures::task::LocalSpawnExt::spawn_local(&pool.spawner(), async move {
                    tx.send(future.await).unwrap();
                })
                .unwrap();
                pool.run();
                rx.recv().unwrap()
            }
            Exec::ThreadPool => {
                let pool = futures::executor::ThreadPool::builder()
                    .pool_size(2)
                    .create()
                    .unwrap();
                let handle = futures::task::SpawnExt::spawn_with_handle(&pool, future).unwrap();
                futures::executor::block_on(handle)
            }
            Exec::AsyncExecutorLocal => {
                let ex = async_executor::LocalExecutor::new();
                let task = ex.spawn(future);
                futures::executor::block_on(ex.run(task))
            }
            Exec::AsyncExecutorMulti => {
                let ex = Arc::new(async_executor::Executor::new());
                let (stop, stopped) = async_channel_pair();
                let workers: Vec<_> = (0..2)
                    .map(|_| {
                        let ex = ex.clone();
                        let stopped = stopped.clone();
                        thread::spawn(move || futures::executor::block_on(ex.run(stopped.wait())))
                    })
                    .collect();
                let out = futures::executor::block_on(ex.spawn(future));
                stop.fire();
                for worker in workers {
                    worker.join().unwrap();
                }
                out
            }
            Exec::Minimal => minimal_block_on(future),
        }
    }
}

/// A one-shot stop signal the multi-threaded executor's workers wait on.
fn async_channel_pair() -> (Stop, Stop) {
    let stop = Stop(Arc::new((Mutex::new(false), Mutex::new(Vec::new()))));
    (stop.clone(), stop)
}

#[derive(Clone)]
struct Stop(Arc<(Mutex<bool>, Mutex<Vec<Waker>>)>);

impl Stop {
    fn fire(&self) {
        *self.0 .0.lock().unwrap() = true;
        for waker in self.0 .1.lock().unwrap().drain(..) {
            waker.wake();
        }
    }

    async fn wait(self) {
        poll_fn(|cx| {
            if *self.0 .0.lock().unwrap() {
                return Poll::Ready(());
            }
            self.0 .1.lock().unwrap().push(cx.waker().clone());
            if *self.0 .0.lock().unwrap() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

/// The smallest honest executor: poll, and park on a condition variable
/// until woken.
pub(crate) fn minimal_block_on<F: Future>(future: F) -> F::Output {
    struct Signal {
        woken: Mutex<bool>,
        condvar: Condvar,
    }
    impl Wake for Signal {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            *self.woken.lock().unwrap() = true;
            self.condvar.notify_one();
        }
    }
    let signal = Arc::new(Signal {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let mut woken = signal.woken.lock().unwrap();
        while !*woken {
            woken = signal.condvar.wait(woken).unwrap();
        }
        *woken = false;
    }
}

/// A tokio runtime of each flavour.
pub(crate) fn tokio_runtimes() -> Vec<(&'static str, tokio::runtime::Runtime)> {
    vec![
        (
            "current_thread",
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        ),
        (
            "multi_thread",
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        ),
    ]
}
