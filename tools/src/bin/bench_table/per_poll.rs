//! The per-poll sections: `CoopCompat` on `LocalPool`, and on
//! `async-executor` with one and two threads (`coop_tools::scaling`, the
//! same code as `thread_scaling`), next to async-compat.

use coop_benches::{self as support, PollTask};
use coop_tools::figure::{measure, median_ratio, Figure};
use coop_tools::scaling::Kind;

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

    // The thread section is the thread-scaling measurement with 1 and 2
    // threads: one implementation with `thread_scaling`.
    println!();
    coop_tools::scaling::measure_scaling(&[1, 2], &Kind::ALL).print();
}
