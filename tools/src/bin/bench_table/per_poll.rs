//! The per-poll sections: `CoopCompat` on `LocalPool` and on
//! `async-executor` with one and two threads, next to async-compat.

use coop_benches::{self as support, PollTask};
use coop_tools::median;

use crate::figure::{cpu_ratio, measure, median_ratio, Figure, ROUNDS};
use crate::print::{header, row, verdict};

/// The per-poll sections: `CoopCompat` on `LocalPool` and on
/// `async-executor` with one and two threads, and async-compat.
pub(crate) fn print_per_poll() {
    let mut pool = vec![
        Figure::new(
            "(f) LocalPool bare re-poll (wake_by_ref, no operation)",
            |n| support::local_pool(PollTask::Bare, n),
        ),
        Figure::new("(f) LocalPool, task with one operation, unwrapped", |n| {
            support::local_pool(PollTask::Op, n)
        }),
        Figure::new("(f) LocalPool, the same task in CoopCompat::wrap", |n| {
            support::local_pool(PollTask::CoopCompat, n)
        }),
        Figure::new(
            "(h) LocalPool, the same task in async_compat::Compat",
            |n| support::local_pool(PollTask::AsyncCompat, n),
        ),
    ];
    measure(&mut pool);
    header(
        "Per poll on futures::executor::LocalPool; ratio: cost added to the unwrapped task / bare re-poll",
        "ns/poll",
    );
    for (i, figure) in pool.iter().enumerate() {
        let (ratio, note) = match i {
            0 => (None, "baseline".to_owned()),
            1 => (None, "(op cost: this - bare)".to_owned()),
            2 => {
                let r = median_ratio(&pool, |s| (s[2] - s[1]) / s[0]);
                (Some(r), verdict(r, Some((2.0, "issue 3"))))
            }
            _ => {
                let r = median_ratio(&pool, |s| (s[3] - s[1]) / s[0]);
                (
                    Some(r),
                    "comparison: no budget, runtime context only".to_owned(),
                )
            }
        };
        row(&figure.label, figure.median(), ratio, &note);
    }

    // Thread-time per poll (wall-clock x threads) and CPU time per poll.
    let kinds = [
        (
            "async-executor 1 thread, task with one operation, unwrapped",
            PollTask::Op,
            1,
        ),
        (
            "async-executor 1 thread, CoopCompat::wrap",
            PollTask::CoopCompat,
            1,
        ),
        ("async-executor 2 threads, unwrapped", PollTask::Op, 2),
        (
            "async-executor 2 threads, CoopCompat::wrap",
            PollTask::CoopCompat,
            2,
        ),
        (
            "async-executor 1 thread, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            1,
        ),
        (
            "async-executor 2 threads, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            2,
        ),
        (
            "async-executor 1 thread, async_compat::Compat",
            PollTask::AsyncCompat,
            1,
        ),
        (
            "async-executor 2 threads, async_compat::Compat",
            PollTask::AsyncCompat,
            2,
        ),
    ];
    let cpu: Vec<std::cell::RefCell<Vec<f64>>> = kinds.iter().map(|_| Default::default()).collect();
    let mut ex: Vec<Figure<'_>> = kinds
        .iter()
        .zip(&cpu)
        .map(|(&(label, kind, threads), cpu)| {
            Figure::new(label, move |n| {
                let run = support::async_executor(kind, threads, n);
                if let Some(t) = run.cpu_time {
                    cpu.borrow_mut().push(t.as_secs_f64() * 1e9 / n as f64);
                }
                run.thread_time
            })
        })
        .collect();
    measure(&mut ex);
    header(
        "Per poll on async_executor::Executor, two self-waking tasks; thread-time = wall x threads \
         (ratio: what the wrapper adds per poll, 2 threads / 1 thread)",
        "ns/poll",
    );
    for (i, figure) in ex.iter().enumerate() {
        let cpu_ns = {
            let samples = cpu[i].borrow();
            // The last ROUNDS samples are the measured rounds.
            median(samples[samples.len().saturating_sub(ROUNDS)..].to_vec())
        };
        // What a wrapper adds per poll (wrapped minus unwrapped), 2 threads
        // over 1, on thread-time and on CPU time, and the whole ratio; the
        // wrapped figures are rows `one` (1 thread) and `two` (2 threads),
        // the unwrapped ones rows 0 and 2. The bar is on the added cost:
        // async-executor's own cost per poll on 2 threads is not the wrapper's.
        let scaling = |one: usize, two: usize| {
            let added = median_ratio(&ex, |s| (s[two] - s[2]) / (s[one] - s[0]));
            let added_cpu = cpu_ratio(&cpu, |s| (s[two] - s[2]) / (s[one] - s[0]));
            let whole = median_ratio(&ex, |s| s[two] / s[one]);
            (
                added,
                format!(
                    "on CPU time {added_cpu:.2}; whole 2t/1t {whole:.2}; CPU {cpu_ns:.1} ns/poll"
                ),
            )
        };
        let (ratio, note) = match i {
            0 | 1 => (
                None,
                format!("baseline for 2 threads; CPU {cpu_ns:.1} ns/poll"),
            ),
            2 => {
                let whole = median_ratio(&ex, |s| s[2] / s[0]);
                (
                    None,
                    format!(
                        "CPU {cpu_ns:.1} ns/poll; whole 2t/1t {whole:.2} (async-executor's own)"
                    ),
                )
            }
            3 => {
                let (added, rest) = scaling(1, 3);
                let verdict = verdict(added, Some((1.25, "issue 3")));
                (Some(added), format!("{verdict}; {rest}"))
            }
            5 => {
                // The same work as CoopCompat with nothing of tokio's shared
                // between the tasks: what 2 threads cost this work on this
                // machine without any lock or shared counter.
                let (added, rest) = scaling(4, 5);
                (
                    Some(added),
                    format!("floor: nothing of tokio shared between the two tasks; {rest}"),
                )
            }
            7 => {
                // async-compat only enters the shared runtime's handle around
                // each poll (an Arc clone and drop, no budget).
                let (added, rest) = scaling(6, 7);
                (
                    Some(added),
                    format!("comparison: a shared handle entered per poll, no budget; {rest}"),
                )
            }
            _ => (None, format!("CPU {cpu_ns:.1} ns/poll")),
        };
        row(&figure.label, figure.median(), ratio, &note);
    }
}
