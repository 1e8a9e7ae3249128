//! Per-operation cost of each layer of the budget, each next to its baseline
//! in the same criterion group: tokio's own `poll_proceed` + `made_progress`
//! inside a tokio task.
//!
//! ```text
//! cargo bench -p coop-benches --bench coop_layers    # with the tokio-backed provider (default features)
//! cargo bench -p coop-benches --bench coop_layers --no-default-features   # no tokio fallback compiled in
//! ```
//!
//! See `benches/README.md` for how to read the ratios, and
//! `benches/src/per_op.rs` for exactly what is timed.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use std::time::Duration;

use coop_benches::{self as support, Tokio};

/// Adds the baseline to a group: tokio's `poll_proceed` + `made_progress`,
/// inside a tokio task.
fn baseline(group: &mut BenchmarkGroup<'_, WallTime>, tokio: &Tokio) {
    group.bench_function(
        "baseline: tokio poll_proceed + made_progress (in a tokio task)",
        |b| {
            b.iter_custom(|iters| {
                tokio.in_task_spread(&support::copies::TOKIO_POLL_PROCEED, iters)
            });
        },
    );
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let tokio = Tokio::new();
    let fallback = if cfg!(feature = "tokio") {
        "tokio fallback compiled in"
    } else {
        "no tokio fallback"
    };

    let mut group = c.benchmark_group("no_provider");
    baseline(&mut group, &tokio);
    group.bench_function(
        format!("poll_cooperate + drop, nothing installed ({fallback})"),
        |b| {
            b.iter_custom(|iters| support::spread(&support::copies::NO_PROVIDER, iters));
        },
    );
    group.finish();

    let mut group = c.benchmark_group("budget_through_context");
    baseline(&mut group, &tokio);
    group.bench_function("Budget: poll_cooperate + made_progress + drop", |b| {
        b.iter_custom(|iters| support::spread(&support::copies::BUDGET_THROUGH_CONTEXT, iters));
    });
    group.bench_function("floor: a bare Cell<u8> counter, check + decrement", |b| {
        b.iter_custom(|iters| support::spread(&support::copies::COUNTER_FLOOR, iters));
    });
    group.bench_function("floor: a bare Cell<u32> counter (Budget's width)", |b| {
        b.iter_custom(|iters| support::spread(&support::copies::WIDE_COUNTER_FLOOR, iters));
    });
    group.bench_function(
        "floor for a Context-carried counter: lookup + check + decrement",
        |b| {
            b.iter_custom(|iters| support::spread(&support::copies::CONTEXT_COUNTER_FLOOR, iters));
        },
    );
    group.bench_function(
        "floor for a Context-carried counter in 32 bits (Budget's width)",
        |b| {
            b.iter_custom(|iters| {
                support::spread(&support::copies::WIDE_CONTEXT_COUNTER_FLOOR, iters)
            });
        },
    );
    // The time-aware budget reads its clock every 16 units of an installation
    // (refunded units are taken again without a read), so both figures
    // below install afresh per 100 operations: the first is the twin of the
    // second without a slice, their difference what the clock reads add.
    group.bench_function(
        "Budget, a fresh installation per 100 operations (no outer refund)",
        |b| {
            b.iter_custom(|iters| {
                support::spread(&support::copies::BUDGET_FRESH_INSTALLATIONS, iters)
            });
        },
    );
    group.bench_function(
        format!(
            "time-aware: Budget::with_time_slice(128, {} s), the same (6 clock reads per 100)",
            support::BENCH_SLICE.as_secs()
        ),
        |b| {
            b.iter_custom(|iters| {
                support::spread(&support::copies::TIME_SLICE_FRESH_INSTALLATIONS, iters)
            });
        },
    );
    group.finish();

    #[cfg(feature = "tokio")]
    {
        let mut group = c.benchmark_group("tokio_provider");
        baseline(&mut group, &tokio);
        group.bench_function(
            "TokioBudget::install: poll_cooperate + made_progress",
            |b| {
                b.iter_custom(|iters| {
                    tokio.in_task_spread(&support::copies::TOKIO_BUDGET_INSTALLED, iters)
                });
            },
        );
        group.bench_function(
            "fallback (nothing installed): poll_cooperate + made_progress",
            |b| {
                b.iter_custom(|iters| {
                    tokio.in_task_spread(&support::copies::TOKIO_BUDGET_FALLBACK, iters)
                });
            },
        );
        group.bench_function(
            "floor: has_budget_remaining + poll_proceed + made_progress",
            |b| {
                b.iter_custom(|iters| {
                    tokio.in_task_spread(&support::copies::TOKIO_PROVIDER_FLOOR, iters)
                });
            },
        );
        group.bench_function(
            "floor for a Context-carried tokio provider: lookup + the same tokio calls",
            |b| {
                b.iter_custom(|iters| {
                    tokio.in_task_spread(&support::copies::CONTEXT_TOKIO_FLOOR, iters)
                });
            },
        );
        group.finish();
    }

    let mut group = c.benchmark_group("install");
    baseline(&mut group, &tokio);
    group.bench_function("Budget::install for one poll and remove", |b| {
        b.iter_custom(|iters| support::spread(&support::copies::BUDGET_INSTALL, iters));
    });
    group.finish();

    #[cfg(feature = "futures")]
    {
        let mut group = c.benchmark_group("futures_channel_adapter");
        group.bench_function("baseline: plain futures mpsc poll_next + send back", |b| {
            b.iter_custom(support::futures_channel_plain);
        });
        group.bench_function("coop_adapters::channel: the same, one unit per item", |b| {
            b.iter_custom(support::futures_channel_adapter);
        });
        group.finish();
    }

    c.final_summary();
}
