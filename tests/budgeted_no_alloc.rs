//! Wrapping a task at spawn allocates nothing per task: `Budgeted` adds no
//! allocation at creation, and none per poll; the only one is this thread's
//! budget counter, made at the first budgeted poll on a thread and reused by
//! every task and poll after it. And the default wrapper adds no bytes to
//! the task: `Budgeted<F>` is the size of `F`.
//!
//! Counted with a global allocator that counts per thread, on `LocalPool`
//! and on async-executor's `LocalExecutor` (both run by the test's thread),
//! against the same tasks unwrapped on the same executor: the executors'
//! own allocations (a task's box, queues) are the same in both runs, so the
//! difference is the wrapper's. Each run is on a fresh thread, so that its
//! counter is made in the run.

#![cfg(feature = "std")] // `Budgeted` and the per-thread counter need `std`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::hint::black_box;
use std::mem::{size_of, size_of_val};
use std::task::Poll;
use std::thread;

use coop_compat::{budgeted, Budgeted, ContextExt, Units};
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;

/// Counts the allocations of the thread that makes them.
struct PerThreadCounter;

std::thread_local! {
    /// Allocations made by this thread (const, no destructor: safe to
    /// touch from inside the allocator).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // During thread teardown the local may be gone: not counted then.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every function forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are ours; counting touches only a
// const-initialised thread-local `Cell`, which neither allocates nor panics.
unsafe impl GlobalAlloc for PerThreadCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's `layout` obligations are `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: `ptr` came from this allocator, that is from `System`,
        // with `layout`; the caller's obligations are `System.realloc`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: PerThreadCounter = PerThreadCounter;

/// Allocations `f` makes, run on a fresh thread (other threads' allocations
/// are not counted).
fn allocations_in_fresh_thread(f: impl FnOnce() + Send + 'static) -> usize {
    thread::spawn(move || {
        let before = ALLOCATIONS.with(Cell::get);
        f();
        ALLOCATIONS.with(Cell::get) - before
    })
    .join()
    .unwrap()
}

/// A task of `polls` polls, each taking and spending 4 units of whatever
/// budget is installed, then waking itself.
fn work(polls: u32) -> impl Future<Output = ()> {
    let mut left = polls;
    poll_fn(move |cx| {
        for _ in 0..4 {
            if let Poll::Ready(mut coop) = cx.poll_cooperate() {
                coop.made_progress();
            }
        }
        left -= 1;
        if left == 0 {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

#[derive(Clone, Copy, Debug)]
enum Wrap {
    None,
    ContextOnly,
    /// `budgeted`: with the `tokio` feature it also opens tokio's budget
    /// scope per poll, on the global runtime's shard of this thread.
    Budgeted,
}

fn task(wrap: Wrap, polls: u32) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    match wrap {
        Wrap::None => Box::pin(work(polls)),
        Wrap::ContextOnly => Box::pin(Budgeted::context_only(work(polls), 128)),
        Wrap::Budgeted => Box::pin(budgeted(work(polls))),
    }
}

#[derive(Clone, Copy, Debug)]
enum On {
    LocalPool,
    AsyncExecutor,
}

/// Allocations of running `tasks` tasks of `polls` polls each, wrapped as
/// `wrap`, on a fresh thread.
fn run(on: On, wrap: Wrap, tasks: u32, polls: u32) -> usize {
    allocations_in_fresh_thread(move || match on {
        On::LocalPool => {
            let mut pool = LocalPool::new();
            let spawner = pool.spawner();
            for _ in 0..tasks {
                spawner.spawn_local(task(wrap, polls)).unwrap();
            }
            pool.run();
        }
        On::AsyncExecutor => {
            let executor = async_executor::LocalExecutor::new();
            let handles: Vec<_> = (0..tasks)
                .map(|_| executor.spawn(task(wrap, polls)))
                .collect();
            futures::executor::block_on(executor.run(async {
                for handle in handles {
                    handle.await;
                }
            }));
        }
    })
}

/// Starts what a wrapper shares between threads (with `tokio`, the global
/// runtime's shards) on a thread of its own, so that no run counts it.
fn warm_up() {
    thread::spawn(|| futures::executor::block_on(budgeted(work(2))))
        .join()
        .unwrap();
}

#[test]
fn wrapping_a_task_allocates_nothing() {
    let made = allocations_in_fresh_thread(|| {
        for polls in 1..1000 {
            // Made and dropped unpolled: what creating a wrapper costs.
            drop(black_box(Budgeted::context_only(work(polls), 128)));
            drop(black_box(Budgeted::with_units(work(polls), 16)));
            drop(black_box(budgeted(work(polls))));
        }
    });
    assert_eq!(made, 0);
}

/// `Budgeted<F>` is the size of `F`; `Budgeted<F, Units>` keeps two bytes
/// of units and reach, rounded up to `F`'s alignment (so at most 8 bytes for
/// a task aligned to 8 or less).
fn assert_sizes<F: Future>(task: F) {
    let size = size_of_val(&task);
    let align = std::mem::align_of::<F>();
    assert_eq!(
        size_of_val(&budgeted(task)),
        size,
        "budgeted(task) adds nothing"
    );
    assert_eq!(size_of::<Budgeted<F>>(), size);
    assert_eq!(
        size_of::<Budgeted<F, Units>>(),
        (size + 2).next_multiple_of(align),
        "a wrapper with units of its own keeps two bytes, aligned"
    );
    if align <= 8 {
        assert!(size_of::<Budgeted<F, Units>>() <= size + 8);
    }
}

#[test]
fn the_default_wrapper_is_the_size_of_the_task() {
    use std::future::ready;
    assert_sizes(ready(())); // 1 byte
    assert_sizes(ready([0u8; 7])); // 8 bytes, aligned to 1: 10 with units
    assert_sizes(ready(0u64)); // 16 bytes, aligned to 8: 24 with units
    assert_sizes(work(3)); // an `async fn`'s state
    let connection = [7u64; 25]; // 200 bytes, like an idle connection's state
    assert_sizes(async move {
        poll_fn(|_| Poll::<()>::Pending).await;
        black_box(connection);
    });
    assert_eq!(Budgeted::new(ready(5u8)).units(), 128);
    assert_eq!(Budgeted::with_units(ready(5u8), 16).units(), 16);
}

#[test]
fn wrapped_tasks_allocate_one_counter_per_thread_and_nothing_per_task_or_poll() {
    warm_up();
    for on in [On::LocalPool, On::AsyncExecutor] {
        for wrap in [Wrap::ContextOnly, Wrap::Budgeted] {
            for (tasks, polls) in [(1, 1), (1, 1000), (10, 100)] {
                let unwrapped = run(on, Wrap::None, tasks, polls);
                assert!(
                    unwrapped > 0,
                    "the counter sees the executor's own allocations"
                );
                let wrapped = run(on, wrap, tasks, polls);
                assert_eq!(
                    wrapped,
                    unwrapped + 1,
                    "{on:?}, {wrap:?}, {tasks} tasks of {polls} polls: \
                     {wrapped} allocations wrapped, {unwrapped} unwrapped \
                     (expected one more: this thread's counter)"
                );
            }
        }
    }
}
