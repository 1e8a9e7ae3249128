//! The tasks of every scenario: busy tasks ("hogs") draining channels that
//! never run dry, the heartbeat ("probe") and the thread that wakes it.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use coop_compat::coop_adapters::{budgeted, channel as coop_channel};
use coop_compat::CoopCompat;
use futures::channel::mpsc as futures_mpsc;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};

use crate::scenarios::{Source, Wrap};

/// How often the probe is woken from outside.
pub(crate) const PING_PERIOD: Duration = Duration::from_millis(1);

/// A hog's channel, both ends, kept from one round to the next (the items
/// are queued once).
pub(crate) enum Ends {
    Tokio(
        tokio::sync::mpsc::UnboundedReceiver<u64>,
        tokio::sync::mpsc::UnboundedSender<u64>,
    ),
    Futures(
        futures_mpsc::UnboundedReceiver<u64>,
        futures_mpsc::UnboundedSender<u64>,
    ),
    Coop(
        coop_channel::CoopUnboundedReceiver<u64>,
        futures_mpsc::UnboundedSender<u64>,
    ),
}

impl Ends {
    /// A channel of `source`'s kind holding `queued` items.
    pub(crate) fn filled(source: Source, queued: usize) -> Self {
        match source {
            Source::Tokio => {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                for i in 0..queued as u64 {
                    tx.send(i).expect("receiver alive");
                }
                Ends::Tokio(rx, tx)
            }
            Source::Futures => {
                let (tx, rx) = futures_mpsc::unbounded();
                for i in 0..queued as u64 {
                    tx.unbounded_send(i).expect("receiver alive");
                }
                Ends::Futures(rx, tx)
            }
            Source::CoopFutures => {
                let (tx, rx) = coop_channel::unbounded();
                for i in 0..queued as u64 {
                    tx.unbounded_send(i).expect("receiver alive");
                }
                Ends::Coop(rx, tx)
            }
        }
    }
}

/// What a hog reports when it stops.
pub(crate) struct HogDone {
    pub(crate) items: u64,
    pub(crate) finished: Instant,
    pub(crate) ends: Ends,
}

/// A little work per item: xorshift rounds, a chain of dependent operations
/// the compiler cannot skip or vectorise.
#[inline]
pub(crate) fn work(mut x: u64, rounds: u32) -> u64 {
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// What an item costs: `cheap` xorshift rounds, or `dear` for one item in
/// `one_in` (picked by a hash of the item, so dear items come in irregular
/// clusters; never if `one_in` is 0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost {
    pub(crate) cheap: u32,
    pub(crate) dear: u32,
    pub(crate) one_in: u64,
}

impl Cost {
    /// Every item `rounds`.
    pub(crate) fn even(rounds: u32) -> Self {
        Cost {
            cheap: rounds,
            dear: rounds,
            one_in: 0,
        }
    }

    /// About `cheap` of CPU per item, and `dear` for one item in 100, from a
    /// calibration of [`work`] on this machine (the median of 9 timings).
    pub(crate) fn uneven(cheap: Duration, dear: Duration) -> Self {
        const PROBE: u32 = 200_000;
        let mut ns_per_round: Vec<f64> = (0..9)
            .map(|i| {
                let start = Instant::now();
                black_box(work(black_box(i + 1), black_box(PROBE)));
                start.elapsed().as_secs_f64() * 1e9 / f64::from(PROBE)
            })
            .collect();
        ns_per_round.sort_by(f64::total_cmp);
        let per_round = ns_per_round[4].max(0.01);
        let rounds = |d: Duration| ((d.as_secs_f64() * 1e9 / per_round) as u32).max(1);
        Cost {
            cheap: rounds(cheap),
            dear: rounds(dear),
            one_in: 100,
        }
    }

    /// Rounds of work for item `x`.
    #[inline]
    fn rounds(&self, x: u64) -> u32 {
        if self.one_in != 0 && (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % self.one_in == 0 {
            self.dear
        } else {
            self.cheap
        }
    }
}

/// What a hog does, whatever its channel: takes an item (`recv`), works on
/// it, puts it back (`send`), until `stop`; returns the items it took.
pub(crate) async fn drain(
    mut recv: impl FnMut(&mut Context<'_>) -> Poll<Option<u64>>,
    send: impl Fn(u64),
    stop: &AtomicBool,
    cost: Cost,
) -> u64 {
    let mut items = 0;
    let mut acc = 0u64;
    while let Some(x) = std::future::poll_fn(&mut recv).await {
        acc = acc.wrapping_add(work(x, cost.rounds(x)));
        send(x.wrapping_add(1));
        items += 1;
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    black_box(acc);
    items
}

/// A hog task draining `ends`: a tokio channel, or a futures-rs one (plain or
/// through the adapter).
pub(crate) fn make_hog(
    ends: Ends,
    stop: Arc<AtomicBool>,
    cost: Cost,
) -> BoxFuture<'static, HogDone> {
    const HELD: &str = "the hog holds its receiver";
    async move {
        let (items, ends) = match ends {
            Ends::Tokio(mut rx, tx) => {
                let send = |x| tx.send(x).expect(HELD);
                let items = drain(|cx| rx.poll_recv(cx), send, &stop, cost).await;
                (items, Ends::Tokio(rx, tx))
            }
            Ends::Futures(mut rx, tx) => {
                let send = |x| tx.unbounded_send(x).expect(HELD);
                let items = drain(|cx| rx.poll_next_unpin(cx), send, &stop, cost).await;
                (items, Ends::Futures(rx, tx))
            }
            Ends::Coop(mut rx, tx) => {
                let send = |x| tx.unbounded_send(x).expect(HELD);
                let items = drain(|cx| rx.poll_next_unpin(cx), send, &stop, cost).await;
                (items, Ends::Coop(rx, tx))
            }
        };
        HogDone {
            items,
            finished: Instant::now(),
            ends,
        }
    }
    .boxed()
}

/// The probe: records, for each ping, how long after its send the probe task
/// had it. Ends when the pinger hangs up.
pub(crate) async fn probe(mut pings: futures_mpsc::UnboundedReceiver<Instant>) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(4096);
    while let Some(sent) = pings.next().await {
        latencies.push(sent.elapsed());
    }
    latencies
}

/// Wraps a task as the scenario says.
pub(crate) fn wrap<T: Send + 'static>(
    wrap: Wrap,
    task: BoxFuture<'static, T>,
) -> BoxFuture<'static, T> {
    match wrap {
        Wrap::Nothing => task,
        Wrap::CoopCompat => CoopCompat::wrap(task).boxed(),
        Wrap::Budgeted => budgeted(task).boxed(),
    }
}

/// A task wrapper that counts the polls that returned `Pending`.
pub(crate) struct CountPending<F> {
    pub(crate) inner: F,
    pub(crate) pending: u64,
}

impl<F: Future + Unpin> Future for CountPending<F> {
    type Output = (F::Output, u64);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll(cx) {
            Poll::Ready(out) => Poll::Ready((out, this.pending)),
            Poll::Pending => {
                this.pending += 1;
                Poll::Pending
            }
        }
    }
}

/// The thread that wakes the probe every millisecond, then raises the stop
/// flag and hangs up.
pub(crate) struct Pinger {
    pub(crate) tx: futures_mpsc::UnboundedSender<Instant>,
    pub(crate) stop: Arc<AtomicBool>,
}

impl Pinger {
    pub(crate) fn new() -> (Self, futures_mpsc::UnboundedReceiver<Instant>) {
        let (tx, rx) = futures_mpsc::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        (Pinger { tx, stop }, rx)
    }

    pub(crate) fn start(self, run_for: Duration) -> thread::JoinHandle<()> {
        thread::Builder::new()
            .name("pinger".into())
            .spawn(move || {
                let start = Instant::now();
                let mut next = start + PING_PERIOD;
                loop {
                    let now = Instant::now();
                    if now >= start + run_for {
                        break;
                    }
                    if next > now {
                        thread::sleep(next - now);
                    }
                    let _ = self.tx.unbounded_send(Instant::now());
                    // Never burst to catch up after this thread was descheduled.
                    let now = Instant::now();
                    next += PING_PERIOD;
                    while next <= now {
                        next += PING_PERIOD;
                    }
                }
                self.stop.store(true, Ordering::Relaxed);
            })
            .expect("spawn the pinger thread")
    }
}
