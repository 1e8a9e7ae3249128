//! One poll under one budget shared by tokio's types and Context-based
//! primitives: the mechanism behind [`CoopCompat`](super::CoopCompat) and,
//! with the `tokio` feature, [`Budgeted`](crate::Budgeted).
//!
//! tokio's public API opens a budget scope in one way only: `block_on`. So on
//! a foreign executor each poll runs inside `Handle::block_on` of a tokio
//! runtime, around a future that polls the wrapped future once, with the
//! foreign executor's context, and returns. Inside it:
//!
//! * tokio's budget is fresh (128 units), lowered to the units asked for by
//!   spending the difference, and to what the foreign executor's own counting
//!   provider has left, if it installed one;
//! * [`TokioBudget`] is installed, so Context-based primitives draw from the
//!   same tokio budget;
//! * the runtime context is that runtime's, so `tokio::spawn`, timers and IO
//!   work;
//! * when the budget runs out, tokio wakes the foreign waker at once (there is
//!   no tokio scheduler on this thread to defer it to).
//!
//! Inside a tokio task the task's budget is already in force: the poll runs
//! directly, with the budget lowered to the units asked for.
//!
//! What can go wrong: opening the scope costs about a hundred nanoseconds per
//! poll, more when several threads open scopes on one runtime: tokio's
//! `block_on` clones the runtime's handle (a reference count) and takes a
//! mutex to seed each scope's random generator, and tokio's public API has
//! no other way to open a scope. The global runtime gives each thread a shard
//! of its own (`runtime`), so that this is shared only with the threads of
//! the same shard; a handle given with `with_handle` is shared by every
//! thread that polls with it. Lowering the budget costs about 4 ns
//! per unit taken away; with a counting provider installed by the foreign
//! executor, reading back tokio's remaining units costs about 3 ns a unit.
//! tokio's budget holds at most 128 units per scope, so a poll asked to run
//! more shares 128. Inside the root future of `Runtime::block_on` wrapped in
//! tokio's own `unconstrained`, no runtime can be seen to be running and
//! `block_on` panics with tokio's "Cannot start a runtime from within a
//! runtime" (wrap inside `unconstrained`, not around it). On a
//! `spawn_blocking` thread, tokio reports a task id as it does in async tasks
//! (where opening a scope would panic), so the poll runs directly and tokio
//! has no budget there.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use task_coop::{
    with_provider, BudgetExt, BudgetMetrics, ContextExt, Cooperation, CooperationProvider,
    TimeSlice, TokioBudget,
};
use tokio::runtime::Handle;

use super::{budget_probe, runtime};

/// The budget tokio gives each scope (`Budget::initial()` in
/// `tokio/src/task/coop/mod.rs`); a test checks it.
pub(crate) const TOKIO_SCOPE_UNITS: u8 = 128;

/// What a tracked wrapper keeps across polls: its metrics, and the time
/// slice that ends its budget early, if any.
pub(crate) struct Track<'a> {
    pub(crate) metrics: &'a mut BudgetMetrics,
    pub(crate) slice: Option<TimeSlice>,
}

/// Polls `future` once with one budget of at most `units` shared by tokio's
/// types and Context-based primitives. `handle` is the runtime for polls on a
/// thread that has entered none (else the global one). With `track`, the
/// poll's counts are added to its metrics (reading tokio's remaining units
/// costs about 3 ns a unit), and its slice ends the budget early.
pub(crate) fn poll_shared<F: Future>(
    units: u8,
    handle: Option<&Handle>,
    track: Option<Track<'_>>,
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    match where_polled() {
        Place::InOwnScope => {
            // Nested in another wrapper's scope: its budget is in force and
            // it counts the units; this wrapper counts the poll.
            if let Some(track) = track {
                track.metrics.polls += 1;
            }
            future.poll(cx)
        }
        // The task's budget is in force, and `poll_cooperate` falls back to
        // it when nothing else is installed.
        Place::InTokioTask if units >= TOKIO_SCOPE_UNITS && track.is_none() => future.poll(cx),
        Place::InTokioTask => {
            // At the top of a task poll tokio's budget is full (128): take
            // away what this wrapper does not grant, and make Context-based
            // primitives draw from what is left.
            let granted = units.min(TOKIO_SCOPE_UNITS);
            budget_probe::spend(TOKIO_SCOPE_UNITS - granted);
            poll_counted(granted, track, future, cx)
        }
        Place::Outside(ambient) => {
            let handle = ambient
                .as_ref()
                .or(handle)
                .unwrap_or_else(|| runtime::global());
            poll_in_scope(units, handle, track, future, cx)
        }
    }
}

/// Polls `future` with tokio's budget (of `granted` units now) installed for
/// Context-based primitives, and with `track` counts what the poll did: a
/// forced yield is a poll that returned `Pending` with tokio's budget spent.
fn poll_counted<F: Future>(
    granted: u8,
    track: Option<Track<'_>>,
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    let Some(track) = track else {
        return TokioBudget.install(cx, |cx| future.poll(cx));
    };
    let (poll, ended_by_slice, burnt) = match track.slice {
        None => (TokioBudget.install(cx, |cx| future.poll(cx)), false, 0),
        Some(slice) => {
            let sliced = SlicedTokio::start(slice);
            let poll = with_provider(cx, &sliced, |cx| future.poll(cx));
            (poll, sliced.ended.get(), sliced.burnt.get())
        }
    };
    let left = budget_probe::remaining().unwrap_or(0);
    let metrics = track.metrics;
    metrics.polls += 1;
    metrics.units_spent += u64::from(granted.saturating_sub(left).saturating_sub(burnt));
    if poll.is_pending() && left == 0 {
        metrics.forced_yields += 1;
        if ended_by_slice {
            metrics.slice_yields += 1;
        }
    }
    poll
}

/// tokio's budget, ended early by a time slice where this library gets
/// control: at Context-based `poll_cooperate`s, the clock is read by the rule
/// of `Budget`'s slices (first at the `check_interval + 1`-th, where the
/// slice starts, then every `check_interval`), so a poll of `check_interval`
/// operations or fewer never reads it. Once the slice is over, the rest of
/// tokio's budget is spent, so tokio's own types yield at their next
/// operation too.
struct SlicedTokio {
    slice: TimeSlice,
    /// The clock at the first read.
    started: Cell<Option<u64>>,
    /// Context-based `poll_cooperate` calls so far.
    taken: Cell<u32>,
    ended: Cell<bool>,
    /// Units of tokio's budget spent to end it.
    burnt: Cell<u8>,
}

impl SlicedTokio {
    fn start(slice: TimeSlice) -> Self {
        Self {
            slice,
            started: Cell::new(None),
            taken: Cell::new(0),
            ended: Cell::new(false),
            burnt: Cell::new(0),
        }
    }
}

impl CooperationProvider for SlicedTokio {
    fn poll_cooperate(&self, waker: &Waker) -> Poll<Cooperation> {
        if !self.ended.get() {
            let taken = self.taken.get().saturating_add(1);
            self.taken.set(taken);
            let every = u32::from(self.slice.check_interval());
            if taken > every && (taken - 1) % every == 0 {
                let now = self.slice.now();
                let started = self.started.get().unwrap_or(now);
                self.started.set(Some(started));
                if now.wrapping_sub(started) >= self.slice.ticks() {
                    self.ended.set(true);
                    self.burnt.set(budget_probe::spend_all());
                }
            }
        }
        TokioBudget.poll_cooperate(waker)
    }
}

/// Where a poll happens, as far as tokio's budget is concerned.
enum Place {
    /// Inside a scope this module opened (a nested wrapper): the budget in
    /// force is already shared; opening another would panic.
    InOwnScope,
    /// Inside a tokio task or the root future of tokio's `block_on`.
    InTokioTask,
    /// No tokio budget scope; the runtime this thread has entered, if any.
    Outside(Option<Handle>),
}

fn where_polled() -> Place {
    if IN_SCOPE.with(Cell::get) {
        return Place::InOwnScope;
    }
    if tokio::task::try_id().is_some() {
        return Place::InTokioTask;
    }
    match Handle::try_current() {
        Err(_) => Place::Outside(None),
        // A runtime is entered but this is not a task: either the root
        // future of a `block_on` (a budget scope) or a thread that merely
        // entered a handle (a `spawn_blocking` thread, `Handle::enter`). Only
        // a budget scope's budget runs out when counted.
        Ok(handle) => match budget_probe::remaining() {
            Some(_) => Place::InTokioTask,
            None => Place::Outside(Some(handle)),
        },
    }
}

std::thread_local! {
    /// Set while a scope of this module is open on this thread, so that a
    /// nested wrapper polls directly instead of asking tokio for a second one.
    static IN_SCOPE: Cell<bool> = const { Cell::new(false) };
}

/// Marks a scope as open; clears the mark on drop, on unwind too.
struct ScopeMark;

impl ScopeMark {
    fn enter() -> Self {
        IN_SCOPE.with(|s| s.set(true));
        ScopeMark
    }
}

impl Drop for ScopeMark {
    fn drop(&mut self) {
        IN_SCOPE.with(|s| s.set(false));
    }
}

/// Polls `future` once inside a tokio budget scope of `handle`'s runtime.
fn poll_in_scope<F: Future>(
    units: u8,
    handle: &Handle,
    track: Option<Track<'_>>,
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    // A counting provider installed by the foreign executor: its remaining
    // units bound this poll's budget, and it is charged for what was spent.
    let outer = cx.budget_remaining();
    if outer == Some(0) {
        // Spent already: yield the way any budgeted operation would.
        if let Poll::Ready(_unused) = cx.poll_cooperate() {
            // The provider found a unit after all; go ahead.
        } else {
            return Poll::Pending;
        }
    }
    let granted = match outer {
        Some(left) => units.min(u8::try_from(left).unwrap_or(u8::MAX)),
        None => units,
    }
    .min(TOKIO_SCOPE_UNITS);

    let mut future = Some(future);
    let mut track = track;
    let (poll, left) = handle.block_on(std::future::poll_fn(|_block_on_cx| {
        let _mark = ScopeMark::enter();
        budget_probe::spend(TOKIO_SCOPE_UNITS - granted);
        let future = future.take().expect("the scope polls the future once");
        let poll = poll_counted(granted, track.take(), future, cx);
        let left = outer.map(|_| budget_probe::remaining().unwrap_or(0));
        Poll::Ready((poll, left))
    }));

    if let Some(left) = left {
        charge_outer(cx, granted.saturating_sub(left));
    }
    poll
}

/// Charges the foreign executor's provider for `units` spent in the scope.
fn charge_outer(cx: &mut Context<'_>, units: u8) {
    for _ in 0..units {
        match cx.poll_cooperate() {
            Poll::Ready(mut coop) => coop.made_progress(),
            Poll::Pending => return,
        }
    }
}
