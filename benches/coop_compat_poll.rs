//! Per-poll cost of `CoopCompat::wrap` on foreign executors, each next to its
//! baseline in the same criterion group, and the async-compat way (a tokio
//! runtime context entered around each poll, no budget) for comparison.
//!
//! ```text
//! cargo bench -p coop-benches --bench coop_compat_poll
//! ```
//!
//! Each figure is the time of one poll of a task that does one Context-based
//! operation (`poll_cooperate` + `made_progress`) and wakes itself. See
//! `benches/README.md` for how to read the ratios, and `benches/src/per_poll.rs`
//! for exactly what is timed.

use std::time::Duration;

use criterion::Criterion;

use coop_benches::{self as support, PollTask};

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut group = c.benchmark_group("local_pool_per_poll");
    for (name, kind) in [
        (
            "baseline: bare re-poll (wake_by_ref, no operation)",
            PollTask::Bare,
        ),
        ("task with one operation, unwrapped", PollTask::Op),
        (
            "task with one operation, CoopCompat::wrap",
            PollTask::CoopCompat,
        ),
        (
            "task with one operation, async_compat::Compat",
            PollTask::AsyncCompat,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| support::local_pool(kind, iters))
        });
    }
    group.finish();

    // Thread-time per poll: wall-clock time times the number of threads, so
    // that perfect scaling gives the single-thread figure.
    let mut group = c.benchmark_group("async_executor_per_poll");
    for (name, kind, threads) in [
        ("baseline: 1 thread, unwrapped", PollTask::Op, 1),
        ("1 thread, CoopCompat::wrap", PollTask::CoopCompat, 1),
        ("2 threads, unwrapped", PollTask::Op, 2),
        ("2 threads, CoopCompat::wrap", PollTask::CoopCompat, 2),
        (
            "1 thread, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            1,
        ),
        (
            "2 threads, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            2,
        ),
        ("1 thread, async_compat::Compat", PollTask::AsyncCompat, 1),
        ("2 threads, async_compat::Compat", PollTask::AsyncCompat, 2),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| support::async_executor(kind, threads, 2, iters).thread_time);
        });
    }
    group.finish();

    c.final_summary();
}
