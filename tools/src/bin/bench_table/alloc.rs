//! Heap allocations per operation, counted by a counting global allocator:
//! per-operation and per-poll paths must make none after warm-up.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use coop_benches::{self as support, Tokio};
#[cfg(feature = "tokio")]
use support::PollTask;

/// Counts every allocation (not the bytes): per-poll paths must make none.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments, so
// `System`'s guarantees are this allocator's; counting has no effect on them.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Allocations per operation of `run`: counted over a long run minus a short
/// one, after a warm-up, so one-time allocations (spawning, a runtime started
/// on first use) cancel out.
fn allocations_per_op(mut run: impl FnMut(u64) -> Duration) -> f64 {
    const SHORT: u64 = 10;
    const LONG: u64 = 10_010;
    run(SHORT);
    let count = |run: &mut dyn FnMut(u64) -> Duration, iters| {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        black_box(run(iters));
        ALLOCATIONS.load(Ordering::Relaxed) - before
    };
    let short = count(&mut run, SHORT);
    let long = count(&mut run, LONG);
    long.saturating_sub(short) as f64 / (LONG - SHORT) as f64
}

/// The allocations section: every figure that must not allocate.
#[cfg_attr(not(feature = "tokio"), allow(unused_variables))] // `tokio` is for (d) and (i)
pub(crate) fn print_allocations(tokio: &Tokio) {
    println!();
    println!("Allocations per operation (after warm-up; counting global allocator)");
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut allocs: Vec<(String, f64)> = vec![
        (
            "(b) poll_cooperate + drop, nothing installed".into(),
            allocations_per_op(|n| support::no_provider::<0>(&mut support::plain_context(), n)),
        ),
        (
            "(c) Budget: poll_cooperate + made_progress + drop".into(),
            allocations_per_op(support::budget_through_context::<0>),
        ),
        (
            "(e) Budget::install for one poll and remove".into(),
            allocations_per_op(support::budget_install::<0>),
        ),
    ];
    #[cfg(feature = "tokio")]
    {
        allocs.push((
            "(d) TokioBudget::install, in a tokio task".into(),
            allocations_per_op(|n| tokio.in_task(support::tokio_budget_installed::<0>, n)),
        ));
        allocs.push((
            "(i) LocalPool poll of a CoopCompat-wrapped task (after the first)".into(),
            allocations_per_op(|n| support::local_pool(PollTask::CoopCompat, n)),
        ));
        allocs.push((
            "(i) LocalPool poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::local_pool(PollTask::Op, n)),
        ));
        allocs.push((
            "(i) async-executor (1 thread) poll of a CoopCompat-wrapped task".into(),
            allocations_per_op(|n| {
                support::async_executor(PollTask::CoopCompat, 1, 2, n).thread_time
            }),
        ));
        allocs.push((
            "(i) async-executor (1 thread) poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::async_executor(PollTask::Op, 1, 2, n).thread_time),
        ));
        allocs.push((
            "(i) async-executor (2 threads) poll of a CoopCompat-wrapped task".into(),
            allocations_per_op(|n| {
                support::async_executor(PollTask::CoopCompat, 2, 2, n).thread_time
            }),
        ));
        allocs.push((
            "(i) async-executor (2 threads) poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::async_executor(PollTask::Op, 2, 2, n).thread_time),
        ));
        allocs.push((
            "(i) async_compat::Compat poll on LocalPool (for comparison)".into(),
            allocations_per_op(|n| support::local_pool(PollTask::AsyncCompat, n)),
        ));
    }
    for (label, per_op) in allocs {
        println!("  {label:<76} {per_op:>8.3}");
    }
}
