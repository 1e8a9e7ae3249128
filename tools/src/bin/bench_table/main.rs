//! The whole ratio table of the benchmark suite in one command, without
//! criterion: every per-operation and per-poll figure the project's bars are
//! set on, next to its baseline measured in the same run, and the
//! allocations per wrapped poll. A team tool: it marks each bar pass or FAIL.
//!
//! ```text
//! cargo run --release -p coop-tools --bin bench_table
//! cargo run --release -p coop-tools --bin bench_table --no-default-features   # no tokio fallback compiled in
//! ```
//!
//! Method: the operations are those of the `coop-benches` library
//! (`benches/src/`, the same code the criterion benches time). Each figure is
//! timed with `std::time::Instant` over runs of about 20 ms, after a
//! calibration that doubles as warm-up. The runs of one table section are
//! interleaved, round after round (baseline, then each figure), and each
//! ratio is the median of its per-round ratios: load from other processes
//! that comes and goes hits a figure and its baseline alike. The ns figures
//! are the medians of the rounds. Allocations are counted by a counting
//! global allocator.
//!
//! Modules: `per_op` and `per_poll` (the sections), `alloc` (the allocation
//! counts), `print` (rows and bars); how a figure is timed is
//! `coop_tools::figure`, the async-executor thread section is
//! `coop_tools::scaling` (the same code as the `thread_scaling` tool, with 1
//! and 2 threads).

mod alloc;
mod per_op;
#[cfg(feature = "tokio")]
mod per_poll;
mod print;

use std::time::Instant;

use coop_benches::Tokio;
use coop_tools::figure::{ROUNDS, RUN_TARGET};

fn main() {
    let started = Instant::now();
    let tokio = Tokio::new();
    let features: Vec<&str> = [
        ("std", true),
        ("tokio", cfg!(feature = "tokio")),
        ("futures", cfg!(feature = "futures")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    println!(
        "bench_table: {} at start; features: {}; \
         {ROUNDS} interleaved rounds of ~{} ms per figure, medians",
        coop_tools::machine(),
        features.join(","),
        RUN_TARGET.as_millis(),
    );
    if cfg!(task_coop_no_metrics) {
        // The A/B of benches/README.md ("What the metrics cost"): the cfg
        // reaches task-coop through RUSTFLAGS, as it reaches this binary.
        println!(
            "this build: Budget WITHOUT metrics (--cfg task_coop_no_metrics), for the A/B only"
        );
    }

    per_op::print_per_operation(&tokio);
    #[cfg(feature = "futures")]
    per_op::print_per_item();
    #[cfg(feature = "tokio")]
    per_poll::print_per_poll();
    #[cfg(not(feature = "tokio"))]
    {
        println!();
        println!(
            "Per-poll figures (CoopCompat on LocalPool and async-executor, async-compat) and \
             the tokio-backed provider need the `tokio` feature (on by default)."
        );
    }
    alloc::print_allocations(&tokio);

    println!();
    println!("Total time {:.1} s.", started.elapsed().as_secs_f64());
}
