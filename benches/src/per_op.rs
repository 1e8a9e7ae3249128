//! Per-operation figures: each layer of the budget, against tokio's own
//! `poll_proceed` + `made_progress` in a tokio task, in batches of [`BATCH`]
//! under an outer guard (see the crate docs).

use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use coop_compat::{Budget, ContextExt, TimeSlice};
use tokio::task::coop;

use crate::context_floor;
use crate::placement::{self, shift};

/// A compiler barrier between operations: the optimiser must assume that all
/// memory it cannot see changed (the context, the budget, thread-locals), so
/// every operation looks its budget up again, as a primitive's `poll` does,
/// and no two operations are folded into one. Unlike passing the context
/// through `black_box`, it adds no store and reload of the context pointer.
#[inline(always)]
fn barrier() {
    black_box(());
}

/// Operations per batch under one outer guard (tokio's budget is 128).
pub const BATCH: u64 = 100;

/// A context that carries no provider (the executor installs nothing).
pub fn plain_context() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

/// A current-thread tokio runtime for the "inside a tokio task" figures.
#[derive(Debug)]
pub struct Tokio {
    rt: tokio::runtime::Runtime,
}

impl Tokio {
    /// Builds the runtime (no drivers: the figures need none).
    #[allow(clippy::new_without_default)] // building a runtime is not a default
    pub fn new() -> Self {
        Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("build a tokio runtime"),
        }
    }

    /// Runs `op(cx, iters)` in one poll of a spawned tokio task, with that
    /// task's context, and returns what it measured.
    pub fn in_task(&self, op: fn(&mut Context<'_>, u64) -> Duration, iters: u64) -> Duration {
        self.rt.block_on(async move {
            tokio::spawn(std::future::poll_fn(move |cx| Poll::Ready(op(cx, iters))))
                .await
                .expect("the measuring task panicked")
        })
    }

    /// [`in_task`](Self::in_task) for the copies of a loop
    /// ([`copies!`](crate::copies)): `iters` operations spread evenly over
    /// them, each copy in a task of its own; the time they took together.
    pub fn in_task_spread(
        &self,
        copies: &[fn(&mut Context<'_>, u64) -> Duration],
        iters: u64,
    ) -> Duration {
        placement::spread_with(copies, iters, |copy, share| self.in_task(copy, share))
    }
}

/// The [`COPIES`](crate::COPIES) copies of each per-operation loop, for
/// [`spread`](crate::spread) and [`Tokio::in_task_spread`]
/// ([`crate::placement`]).
pub mod copies {
    use std::task::Context;
    use std::time::Duration;

    use crate::placement::copies;

    copies!(
        /// (a)
        TOKIO_POLL_PROCEED = in_task tokio_poll_proceed
    );
    copies!(
        /// (b), on a plain context of its own.
        NO_PROVIDER = no_provider_plain
    );
    copies!(
        /// (c)
        BUDGET_THROUGH_CONTEXT = budget_through_context
    );
    copies!(
        /// (c0)
        COUNTER_FLOOR = counter_floor
    );
    copies!(
        /// (c0w)
        WIDE_COUNTER_FLOOR = wide_counter_floor
    );
    copies!(
        /// (c00)
        CONTEXT_COUNTER_FLOOR = context_counter_floor
    );
    copies!(
        /// (c00w)
        WIDE_CONTEXT_COUNTER_FLOOR = wide_context_counter_floor
    );
    copies!(
        /// (c1)
        BUDGET_FRESH_INSTALLATIONS = budget_fresh_installations
    );
    copies!(
        /// (c2)
        TIME_SLICE_FRESH_INSTALLATIONS = time_slice_fresh_installations
    );
    copies!(
        /// (e)
        BUDGET_INSTALL = budget_install
    );
    copies!(
        /// (d0)
        TOKIO_PROVIDER_FLOOR = in_task tokio_provider_floor
    );
    copies!(
        /// (d00)
        CONTEXT_TOKIO_FLOOR = in_task context_tokio_floor
    );
    #[cfg(feature = "tokio")]
    copies!(
        /// (d), `TokioBudget` installed.
        TOKIO_BUDGET_INSTALLED = in_task tokio_budget_installed
    );
    #[cfg(feature = "tokio")]
    copies!(
        /// (d), nothing installed.
        TOKIO_BUDGET_FALLBACK = in_task tokio_budget_fallback
    );
}

/// The batch sizes of `iters` operations.
fn batches(iters: u64) -> impl Iterator<Item = u64> {
    let full = iters / BATCH;
    let rest = iters % BATCH;
    std::iter::repeat_n(BATCH, full as usize).chain((rest > 0).then_some(rest))
}

/// (a) Baseline: `tokio::task::coop::poll_proceed(cx)` + `made_progress()`.
/// Call inside a tokio task ([`Tokio::in_task`]).
pub fn tokio_poll_proceed<const SHIFT: usize>(cx: &mut Context<'_>, iters: u64) -> Duration {
    on_tokio_budget::<SHIFT>(cx, iters, |cx| match coop::poll_proceed(cx) {
        Poll::Ready(guard) => guard.made_progress(),
        Poll::Pending => unreachable!("the outer guard keeps 27 units in hand"),
    })
}

/// Times `iters` calls of `op` inside a tokio task, in batches under an
/// outer tokio guard (see the module docs), with a [`barrier`] before each.
#[inline(always)]
fn on_tokio_budget<const SHIFT: usize>(
    cx: &mut Context<'_>,
    iters: u64,
    mut op: impl FnMut(&mut Context<'_>),
) -> Duration {
    let cx = black_box(cx); // opaque from here on, like a `poll` argument
    shift::<SHIFT>();
    let start = Instant::now();
    for n in batches(iters) {
        let Poll::Ready(outer) = coop::poll_proceed(cx) else {
            panic!("not inside a tokio task, or its budget is spent");
        };
        for _ in 0..n {
            barrier();
            op(cx);
        }
        drop(outer); // puts the budget back to what it was before the batch
    }
    start.elapsed()
}

/// (b) `poll_cooperate` with no provider installed, and dropping the
/// (unconstrained) cooperation. Call with [`plain_context`] on a thread that
/// is in no tokio context: with the `tokio` feature compiled in,
/// `poll_cooperate` also asks tokio whether this thread is in one.
pub fn no_provider<const SHIFT: usize>(cx: &mut Context<'_>, iters: u64) -> Duration {
    let cx = black_box(cx); // opaque from here on, like a `poll` argument
    shift::<SHIFT>();
    let start = Instant::now();
    for _ in 0..iters {
        barrier();
        drop(cx.poll_cooperate());
    }
    start.elapsed()
}

/// (b) on a [`plain_context`] of its own: the form [`spread`](crate::spread)
/// runs.
pub fn no_provider_plain<const SHIFT: usize>(iters: u64) -> Duration {
    no_provider::<SHIFT>(&mut plain_context(), iters)
}

/// (c) `poll_cooperate` + `made_progress` + drop under an installed
/// [`Budget`], reached through the context's waker.
pub fn budget_through_context<const SHIFT: usize>(iters: u64) -> Duration {
    on_budget::<SHIFT>(iters, |cx| match cx.poll_cooperate() {
        Poll::Ready(mut coop) => coop.made_progress(),
        Poll::Pending => unreachable!("the outer cooperation keeps 27 units in hand"),
    })
}

/// Times `iters` calls of `op` under an installed [`Budget`], in batches
/// under an outer cooperation that is refunded after each (the budget's
/// counterpart of the outer tokio guard), with a [`barrier`] before each.
#[inline(always)]
fn on_budget<const SHIFT: usize>(iters: u64, mut op: impl FnMut(&mut Context<'_>)) -> Duration {
    let mut budget = Budget::new();
    let mut cx = plain_context();
    budget.install(&mut cx, |cx| {
        let cx = black_box(cx); // opaque from here on, like a `poll` argument
                                // In the closure: the loop is compiled into the installation's code.
        shift::<SHIFT>();
        let start = Instant::now();
        for n in batches(iters) {
            let Poll::Ready(outer) = cx.poll_cooperate() else {
                panic!("a fresh budget said Pending");
            };
            for _ in 0..n {
                barrier();
                op(cx);
            }
            drop(outer); // refund: back to what it was before the batch
        }
        start.elapsed()
    })
}

/// The time slice of [`time_slice_fresh_installations`]: long enough never to
/// end in a batch, even when the thread is preempted in the middle of one
/// (1 ms did, under load), so that every clock read is a read and nothing
/// else. What a read costs does not depend on the slice's length.
pub const BENCH_SLICE: Duration = Duration::from_secs(60);

/// Clock reads per installation that takes `n` units (and no more than its
/// budget has) with the clock read every `check_every` units: from the
/// `check_every + 1`-th unit, then every `check_every` (see [`TimeSlice`]).
pub fn clock_reads(n: u64, check_every: u8) -> u64 {
    n.saturating_sub(1) / u64::from(check_every)
}

/// (c1) The operation of (c), each batch of [`BATCH`] a fresh installation
/// of a 128-unit [`Budget`] (no outer cooperation): the twin of (c2), so
/// that what the clock adds is their difference. Carries 1/100 of an
/// installation per operation.
pub fn budget_fresh_installations<const SHIFT: usize>(iters: u64) -> Duration {
    on_fresh_installations::<SHIFT>(Budget::new(), iters)
}

/// (c2) The same under `Budget::with_time_slice(128, BENCH_SLICE)` (clock:
/// `Instant`, read every [`TimeSlice::DEFAULT_CHECK_EVERY`] units): each
/// batch of 100 operations is one installation that reads the clock
/// [`clock_reads`]`(100, 16)` = 6 times, as a poll that spends 100 units
/// does. (Under (c)'s outer cooperation, refunded units are taken again
/// without a read: an installation reads the clock at most 7 times, so a
/// long single installation would not measure the reads at all.)
pub fn time_slice_fresh_installations<const SHIFT: usize>(iters: u64) -> Duration {
    let budget = Budget::with_time_slice(Budget::DEFAULT_UNITS, TimeSlice::new(BENCH_SLICE));
    on_fresh_installations::<SHIFT>(budget, iters)
}

/// Times `iters` `poll_cooperate` + `made_progress` + drop, in batches of
/// [`BATCH`], each batch one installation of `budget`, with a [`barrier`]
/// before each operation.
#[inline(always)]
fn on_fresh_installations<const SHIFT: usize>(mut budget: Budget, iters: u64) -> Duration {
    let mut cx = plain_context();
    let cx = black_box(&mut cx); // opaque from here on, like a `poll` argument
                                 // Outside the installation's closure (a jump in it, once per batch, made
                                 // the compiler build the loop differently: twice as slow). The loop is
                                 // compiled into the installation's code, a function per copy all the
                                 // same, which the linker places.
    shift::<SHIFT>();
    let start = Instant::now();
    for n in batches(iters) {
        budget.install(cx, |cx| {
            let cx = black_box(cx);
            for _ in 0..n {
                barrier();
                match cx.poll_cooperate() {
                    Poll::Ready(mut coop) => coop.made_progress(),
                    Poll::Pending => {
                        unreachable!("100 operations of 128 units, well within the slice")
                    }
                }
            }
        });
    }
    start.elapsed()
}

/// (e) Installing a [`Budget`] for one poll and removing it again.
pub fn budget_install<const SHIFT: usize>(iters: u64) -> Duration {
    let mut budget = Budget::new();
    let mut cx = plain_context();
    let cx = black_box(&mut cx); // opaque from here on, like a `poll` argument
    shift::<SHIFT>();
    let start = Instant::now();
    for _ in 0..iters {
        barrier();
        budget.install(cx, |cx| {
            black_box(cx);
        });
    }
    start.elapsed()
}

/// `poll_cooperate` + `made_progress`, under an outer tokio guard per batch:
/// the body of both tokio-provider figures. Call inside a tokio task.
///
/// Out of line, so that (d) and (d') run the same loop (and each copy of
/// it is one function, whatever is installed around it).
#[cfg(feature = "tokio")]
#[inline(never)]
fn context_progress_on_tokio_budget<const SHIFT: usize>(
    cx: &mut Context<'_>,
    iters: u64,
) -> Duration {
    on_tokio_budget::<SHIFT>(cx, iters, |cx| match cx.poll_cooperate() {
        Poll::Ready(mut coop) => coop.made_progress(),
        Poll::Pending => unreachable!("the outer guard keeps 27 units in hand"),
    })
}

/// (d) The tokio-backed provider installed with `TokioBudget::install` (what
/// `CoopCompat` installs): `poll_cooperate` + `made_progress` draw from
/// tokio's budget. Call inside a tokio task.
#[cfg(feature = "tokio")]
pub fn tokio_budget_installed<const SHIFT: usize>(cx: &mut Context<'_>, iters: u64) -> Duration {
    coop_compat::TokioBudget.install(cx, |cx| {
        context_progress_on_tokio_budget::<SHIFT>(cx, iters)
    })
}

/// (d0) The floor under (d): only the tokio calls that any provider backed
/// by tokio's public API must make per operation. tokio has no budget setter
/// and its guard cannot be kept in a `Cooperation`, so a unit is checked when
/// it is taken (`has_budget_remaining`) and spent at `made_progress`
/// (`poll_proceed` with a no-op waker + `made_progress`). No lookup, no
/// dispatch. Call inside a tokio task.
pub fn tokio_provider_floor<const SHIFT: usize>(cx: &mut Context<'_>, iters: u64) -> Duration {
    on_tokio_budget::<SHIFT>(cx, iters, |_| tokio_provider_calls())
}

/// The tokio calls of (d0) and (d00): a unit checked (`has_budget_remaining`)
/// and spent (`poll_proceed` with a no-op waker + `made_progress`).
#[inline(always)]
fn tokio_provider_calls() {
    assert!(
        coop::has_budget_remaining(),
        "the outer guard keeps 27 units in hand"
    );
    let mut noop = Context::from_waker(Waker::noop());
    if let Poll::Ready(guard) = coop::poll_proceed(&mut noop) {
        guard.made_progress();
    }
}

/// (c0) The floor under (c) as issue 11 defines it: a bare `Cell<u8>`
/// counter checked and decremented once per operation, through the same
/// barrier. Any budget that counts in memory pays this: the barrier keeps
/// the counter in memory, so each operation loads what the previous one
/// stored. No lookup, no cooperation, nothing to refund: not a usable
/// budget, only the bound.
pub fn counter_floor<const SHIFT: usize>(iters: u64) -> Duration {
    bare_counter::<SHIFT, u8>(iters)
}

/// (c0w) (c0) with a `Cell<u32>`, the width of `Budget`'s own counter: on
/// x86-64 cores such as AMD's Zen 3 a 32-bit store is forwarded to the next
/// load of the same place without the delay a byte's has, so this is the
/// lower bound for a counter of any width (`benches/README.md`).
pub fn wide_counter_floor<const SHIFT: usize>(iters: u64) -> Duration {
    bare_counter::<SHIFT, u32>(iters)
}

/// The loop of (c0) and (c0w), for a counter of type `T`.
#[inline(always)]
fn bare_counter<const SHIFT: usize, T>(iters: u64) -> Duration
where
    T: Copy + PartialEq + From<u8> + std::ops::Sub<Output = T>,
{
    let counter = std::cell::Cell::new(T::from(0));
    let counter = black_box(&counter);
    shift::<SHIFT>();
    let start = Instant::now();
    for n in batches(iters) {
        counter.set(T::from(128));
        for _ in 0..n {
            barrier();
            let units = counter.get();
            assert!(units != T::from(0), "the batch keeps 28 units in hand");
            counter.set(units - T::from(1));
        }
    }
    start.elapsed()
}

/// (c00) The floor under (c) for the method: a counter found through a
/// stable `Context`. A minimal hand-written carrier
/// (`benches/src/context_floor.rs`): per operation, the context's
/// waker's vtable compared with a static by address, the frame read behind
/// its data, the frame's recorded context address compared with `cx`, then
/// (c0)'s check and decrement of a `Cell<u8>` in that frame, through the
/// same barrier. The counter is refilled per batch through the same lookup,
/// where (c) refunds its outer cooperation. Not a usable provider (no
/// refunds, no cooperations that may outlive the poll, no thread-local
/// fallback): only the bound.
pub fn context_counter_floor<const SHIFT: usize>(iters: u64) -> Duration {
    context_counter::<SHIFT, u8>(iters, |frame| &frame.counter)
}

/// (c00w) (c00) with the frame's `Cell<u32>` counter: `Budget`'s own width
/// (see (c0w)).
pub fn wide_context_counter_floor<const SHIFT: usize>(iters: u64) -> Duration {
    context_counter::<SHIFT, u32>(iters, |frame| &frame.wide_counter)
}

/// The loop of (c00) and (c00w), on the frame's counter that `counter`
/// picks.
#[inline(always)]
fn context_counter<const SHIFT: usize, T>(
    iters: u64,
    counter: impl Fn(&context_floor::Frame) -> &std::cell::Cell<T>,
) -> Duration
where
    T: Copy + PartialEq + From<u8> + std::ops::Sub<Output = T>,
{
    context_floor::with_carrier(0, |cx| {
        let cx = black_box(cx); // opaque from here on, like a `poll` argument
        shift::<SHIFT>();
        let start = Instant::now();
        for n in batches(iters) {
            let Some(frame) = context_floor::lookup(cx) else {
                panic!("the carrier's own context found no frame");
            };
            counter(frame).set(T::from(128));
            for _ in 0..n {
                barrier();
                let Some(frame) = context_floor::lookup(cx) else {
                    unreachable!("the carrier's own context finds its frame");
                };
                let units = counter(frame).get();
                assert!(units != T::from(0), "the batch keeps 28 units in hand");
                counter(frame).set(units - T::from(1));
            }
        }
        start.elapsed()
    })
}

/// (d00) The floor under (d) for the method: a tokio-backed provider found
/// through a stable `Context`. The lookup of (c00) (the frame's counter is
/// not used), then the tokio calls of (d0). Call inside a tokio task
/// ([`Tokio::in_task`]): the operations run under the task's tokio budget,
/// with the carrier's context (whose waker the outer guard would wake only
/// if it said `Pending`, which it does not).
pub fn context_tokio_floor<const SHIFT: usize>(_task_cx: &mut Context<'_>, iters: u64) -> Duration {
    context_floor::with_carrier(0, |cx| {
        on_tokio_budget::<SHIFT>(cx, iters, |cx| {
            assert!(
                context_floor::lookup(cx).is_some(),
                "the carrier's own context finds its frame"
            );
            tokio_provider_calls();
        })
    })
}

/// (d') The same with nothing installed: `poll_cooperate`'s fallback finds
/// the tokio task and answers from tokio's budget. Call inside a tokio task.
#[cfg(feature = "tokio")]
pub fn tokio_budget_fallback<const SHIFT: usize>(cx: &mut Context<'_>, iters: u64) -> Duration {
    context_progress_on_tokio_budget::<SHIFT>(cx, iters)
}

/// Takes `iters` items from a futures-rs unbounded channel that is never
/// empty (each item is sent back), through `poll_next`, under an installed
/// [`Budget`] (batches under an outer cooperation, as above).
#[cfg(feature = "futures")]
fn drain_channel<S>(
    mut rx: S,
    tx: futures::channel::mpsc::UnboundedSender<u64>,
    iters: u64,
) -> Duration
where
    S: futures::Stream<Item = u64> + Unpin,
{
    for i in 0..=BATCH {
        tx.unbounded_send(i).expect("receiver alive");
    }
    on_budget::<0>(iters, |cx| {
        match std::pin::Pin::new(&mut rx).poll_next(cx) {
            Poll::Ready(Some(item)) => tx.unbounded_send(item).expect("receiver alive"),
            _ => unreachable!("the channel is never empty and the budget never spent"),
        }
    })
}

/// Baseline of the adapter figure: a plain `futures::channel::mpsc`
/// unbounded receiver (no budget accounting), item sent back each time.
#[cfg(feature = "futures")]
pub fn futures_channel_plain(iters: u64) -> Duration {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    drain_channel(rx, tx, iters)
}

/// The same through this project's adapter
/// (`coop_adapters::channel::unbounded`): one unit of the budget per item.
#[cfg(feature = "futures")]
pub fn futures_channel_adapter(iters: u64) -> Duration {
    let (tx, rx) = coop_compat::coop_adapters::channel::unbounded();
    drain_channel(rx, tx, iters)
}
