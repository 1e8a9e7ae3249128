//! Forced-yield metrics of the spawn-time wrapper and of `CoopCompat`, with
//! exact counts: polls, units spent, forced yields, and yields ended by a
//! time slice, on every executor.
#![cfg(feature = "tokio")]

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};

use coop_compat::{BudgetMetrics, Budgeted, CoopCompat, TimeSlice, Tracked};
use support::{interleave, Executor, PollLog};

const TOTAL: u32 = 300;

/// Runs `wrapped` to the end as the task's body and returns its metrics.
fn metrics_after<F: Future + Send + 'static>(
    on: Executor,
    wrapped: Budgeted<F, Tracked>,
) -> BudgetMetrics {
    on.run(async move {
        let mut wrapped = pin!(wrapped);
        wrapped.as_mut().await;
        wrapped.metrics()
    })
}

fn expected(units: u32) -> BudgetMetrics {
    let polls = u64::from(TOTAL.div_ceil(units));
    BudgetMetrics {
        polls,
        units_spent: u64::from(TOTAL),
        forced_yields: polls - 1,
        slice_yields: 0,
    }
}

#[test]
fn context_only_counts_polls_units_and_forced_yields_on_every_executor() {
    for on in Executor::FOREIGN.into_iter().chain(Executor::TOKIO) {
        for units in [16u8, 128] {
            let work = interleave(TOTAL, 0, 1, PollLog::default());
            let metrics = metrics_after(on, Budgeted::context_only(work, units).with_metrics());
            assert_eq!(metrics, expected(units.into()), "{on:?}, {units} units");
        }
    }
}

#[test]
fn with_the_tokio_bridge_tokio_and_context_units_are_counted_together() {
    for on in Executor::FOREIGN.into_iter().chain(Executor::TOKIO) {
        for units in [16u8, 64, 128] {
            for (k, m) in [(1, 0), (1, 1)] {
                let work = interleave(TOTAL, k, m, PollLog::default());
                let metrics = metrics_after(on, Budgeted::with_units(work, units).with_metrics());
                assert_eq!(
                    metrics,
                    expected(units.into()),
                    "{on:?}, {units} units, {k}:{m}"
                );
            }
        }
    }
}

#[test]
fn coop_compat_reports_forced_yields_caused_by_tokios_budget() {
    for on in Executor::FOREIGN {
        let work = interleave(TOTAL, 1, 0, PollLog::default());
        let metrics = on.run(async move {
            let mut wrapped = pin!(CoopCompat::wrap(work).with_metrics());
            wrapped.as_mut().await;
            wrapped.metrics()
        });
        assert_eq!(metrics, expected(128), "{on:?}");
    }
}

/// The controllable clock of the time-slice test: one tick per item.
static CLOCK: AtomicU64 = AtomicU64::new(0);

fn now() -> u64 {
    CLOCK.load(Ordering::SeqCst)
}

/// Drains `TOTAL` items from the Context-based source and, between them,
/// tokio's channel, ticking the clock once per item.
async fn ticking(log: PollLog) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..TOTAL {
        tx.send(i).unwrap();
    }
    let mut source = support::ReadySource::new(TOTAL);
    for i in 0..TOTAL {
        if i % 2 == 0 {
            source.recv().await.unwrap();
        } else {
            rx.recv().await.unwrap();
        }
        CLOCK.fetch_add(1, Ordering::SeqCst);
        log.work();
    }
}

#[test]
fn a_time_slice_ends_the_shared_budget_with_units_left() {
    // 128 units, or 40 ticks checked every 8 Context-based operations, one
    // tick per item, every other item from tokio's channel.
    let slice = TimeSlice::with_clock(40, now).check_every(8);

    // With the tokio bridge the clock is read by `Budget`'s rule, counting
    // Context-based operations: first at the 9th (16 items in, where the
    // slice starts), then every 8th; at the 33rd, 64 items in, 48 ticks
    // have passed, the slice is over, the rest of tokio's budget is spent,
    // and the poll yields. Units are tokio's: every item counts.
    let log = PollLog::default();
    let work = Budgeted::with_units(ticking(log.clone()), 128).with_time_slice(slice);
    let metrics = run_metered(&log, work);
    assert_eq!(log.per_poll(), [64, 64, 64, 64, 44]);
    assert_eq!(
        metrics,
        BudgetMetrics {
            polls: 5,
            units_spent: 300,
            forced_yields: 4,
            slice_yields: 4
        }
    );

    // Context-only: `Budget`'s slice starts at its first clock read (the 9th
    // Context-based unit, 16 items in) and ends at the 33rd (64 items in);
    // tokio's receives are not budgeted and not counted.
    let log = PollLog::default();
    let work = Budgeted::context_only(ticking(log.clone()), 128).with_time_slice(slice);
    let metrics = run_metered(&log, work);
    assert_eq!(log.per_poll(), [64, 64, 64, 64, 44]);
    assert_eq!(
        metrics,
        BudgetMetrics {
            polls: 5,
            units_spent: 150,
            forced_yields: 4,
            slice_yields: 4
        }
    );
}

/// Runs `wrapped` on `LocalPool` with each task poll logged in `log`.
fn run_metered<F: Future + Send + 'static>(
    log: &PollLog,
    wrapped: Budgeted<F, Tracked>,
) -> BudgetMetrics {
    Executor::LocalPool.run(log.meter(async move {
        let mut wrapped = pin!(wrapped);
        wrapped.as_mut().await;
        wrapped.metrics()
    }))
}

#[test]
fn a_stopped_clock_never_ends_the_slice() {
    fn stopped() -> u64 {
        7
    }
    let slice = TimeSlice::with_clock(1, stopped).check_every(1);
    for on in [Executor::LocalPool, Executor::AsyncExecutorOneThread] {
        let work = interleave(TOTAL, 1, 1, PollLog::default());
        let metrics = metrics_after(on, Budgeted::with_units(work, 128).with_time_slice(slice));
        assert_eq!(metrics, expected(128), "{on:?}");
    }
}
