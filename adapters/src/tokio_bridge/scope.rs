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
//! What can go wrong: opening the scope costs a few tens of nanoseconds per
//! poll (more when several threads share one runtime: tokio takes a mutex to
//! seed each scope's random generator); lowering the budget costs about 4 ns
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
use std::task::{Context, Poll};

use task_coop::{BudgetExt, ContextExt, TokioBudget};
use tokio::runtime::Handle;

use super::{budget_probe, runtime};

/// The budget tokio gives each scope (`Budget::initial()` in
/// `tokio/src/task/coop/mod.rs`); a test checks it.
pub(crate) const TOKIO_SCOPE_UNITS: u8 = 128;

/// Polls `future` once with one budget of at most `units` shared by tokio's
/// types and Context-based primitives. `handle` is the runtime for polls on a
/// thread that has entered none (else the global one).
pub(crate) fn poll_shared<F: Future>(
    units: u8,
    handle: Option<&Handle>,
    future: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    match where_polled() {
        Place::InOwnScope => future.poll(cx),
        // The task's budget is in force, and `poll_cooperate` falls back to
        // it when nothing else is installed.
        Place::InTokioTask if units >= TOKIO_SCOPE_UNITS => future.poll(cx),
        Place::InTokioTask => {
            // At the top of a task poll tokio's budget is full (128): take
            // away what this wrapper does not grant, and make Context-based
            // primitives draw from what is left.
            budget_probe::spend(TOKIO_SCOPE_UNITS - units);
            TokioBudget.install(cx, |cx| future.poll(cx))
        }
        Place::Outside(ambient) => {
            let handle = ambient
                .as_ref()
                .or(handle)
                .unwrap_or_else(|| runtime::global());
            poll_in_scope(units, handle, future, cx)
        }
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
    let (poll, left) = handle.block_on(std::future::poll_fn(|_block_on_cx| {
        let _mark = ScopeMark::enter();
        budget_probe::spend(TOKIO_SCOPE_UNITS - granted);
        let future = future.take().expect("the scope polls the future once");
        let poll = TokioBudget.install(cx, |cx| future.poll(cx));
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
