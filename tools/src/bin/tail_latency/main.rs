//! How late a task that must run every millisecond gets to run when it
//! shares one thread with tasks that always find work: tokio,
//! `async-executor` and `futures`' `LocalPool`, with and without this
//! project's budget. The README's main job.
//!
//! ```text
//! cargo run --release -p coop-tools --bin tail_latency
//! cargo run --release -p coop-tools --bin tail_latency -- --quick
//! cargo run --release -p coop-tools --bin tail_latency -- --help
//! ```
//!
//! Each scenario runs on one thread. Three busy tasks (*hogs*) each drain a
//! source that is never empty (a tokio mpsc channel, or a futures-rs channel,
//! holding a million items: each item taken is sent back, so the queue never
//! runs dry), doing a little work per item. A *heartbeat* task (the probe)
//! awaits a futures-rs channel on which a plain std thread sends the current
//! time every millisecond; it records how late it ran (from the send to the
//! moment the task had the message in hand). That channel does no budget
//! accounting in any scenario, so the heartbeat's own receives cost nothing
//! and never make it yield.
//!
//! | # | executor | busy tasks' source | budget |
//! |---|---|---|---|
//! | 1 | tokio `current_thread` | tokio mpsc | tokio's own |
//! | 2 | `async-executor` `LocalExecutor` | tokio mpsc | none (today's behaviour) |
//! | 3 | `async-executor` `LocalExecutor` | tokio mpsc | `CoopCompat::wrap` on each task |
//! | 4a, 4b | `futures::executor::LocalPool` | tokio mpsc | none, then `CoopCompat::wrap` on each task |
//! | 5a, 5b | `async-executor` `LocalExecutor` | futures-rs unbounded mpsc | none, then this project's channel adapter with `budgeted` on each task |
//! | 6a, 6b | tokio `current_thread`, then the deferring executor | the channel adapter | tokio's own, then a `Budget` of 128 |
//! | 7a, 7b, 7c | the deferring executor twice, then tokio `current_thread` | the channel adapter, items of uneven cost | a `Budget` of 128, then 128 or a time slice, then tokio's own |
//!
//! Without a budget a busy task never returns `Pending`, so the thread is
//! never given back: the heartbeat runs only when the busy tasks stop. Every
//! scenario is therefore bounded in time: the pinger thread raises a stop
//! flag after the run time, the busy tasks check it after each item, and the
//! heartbeat drains the pings that piled up. The delays reported for those
//! scenarios are what a heartbeat would see in a round of that length (they
//! grow with it).
//!
//! The scenarios run round after round (6 rounds of 0.5 s each by default),
//! each round on a fresh executor, the channels filled once and kept, so that
//! load from other processes, which comes and goes, falls on every scenario
//! alike. Delays are pooled over the rounds.
//!
//! The output says what is measured, gives the figures with a legend, and
//! ends with a verdict in words; the exit status is the verdict (`--help`).
//! `--bars` adds the team's acceptance bars (throughput: the median over the
//! rounds of the per-round ratio of items per CPU-second).
//!
//! Scenarios 6a and 6b run an executor that takes over forced wakes
//! (`coop_tools::deferring`: one `Budget`, `set_defer_forced_wakes(true)`,
//! tasks that ran out queued behind freshly woken ones) beside tokio
//! `current_thread`; both hogs drain `coop_adapters::channel::unbounded`,
//! whose `poll_cooperate` draws from tokio's budget on tokio and from the
//! executor's `Budget` elsewhere: 128 units per poll on both. Scenarios 7a,
//! 7b and 7c give the hogs items of uneven cost (about 1 µs of work each, 1
//! in 100 about 100 µs, calibrated at start) under the units-only budget,
//! the time-aware budget (128 units or `--slice`, default 50 µs, the clock
//! read every `--check-every` units, default 4) and tokio. Their verdict is
//! printed after the main one and does not change the exit status.
//!
//! One concept per module: `scenarios` (what runs), `tasks` (the busy
//! tasks, the heartbeat, the pinger thread), `run` (executors and rounds),
//! `outcome` (what a scenario measured), `report` (tables and verdict),
//! `deferral` (scenarios 6 and 7 in words), `bars`, `plot`, `settings` (the
//! command line).

mod bars;
mod deferral;
mod outcome;
mod plot;
mod report;
mod run;
mod scenarios;
mod settings;
mod tasks;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use scenarios::{Items, Scenario, SCENARIOS};
use settings::Settings;
use tasks::Cost;

fn main() -> ExitCode {
    let mut settings = Settings::from_args();
    let started = Instant::now();
    let scenarios: Vec<Scenario> = SCENARIOS
        .into_iter()
        .filter(|s| settings.only.is_empty() || settings.only.iter().any(|k| k == s.key))
        .collect();
    if scenarios.iter().any(|s| s.items == Items::Uneven) {
        settings.uneven = Some(Cost::uneven(
            Duration::from_micros(1),
            Duration::from_micros(100),
        ));
    }
    report::print_intro(&settings, scenarios.len());
    let outcomes = run::run_all(&scenarios, &settings);
    report::print_tables(&outcomes);
    let budget_did_its_job = report::print_verdict(&outcomes, &settings);
    deferral::print_verdicts(&outcomes, &settings);
    if settings.bars {
        bars::print_bars(&outcomes);
    }
    let mut status = if budget_did_its_job || settings.quick {
        0
    } else {
        1
    };
    if let Some(path) = &settings.plot {
        match plot::plot(&outcomes, path) {
            Ok(()) => println!("Latency CDF written to {}.", path.display()),
            Err(e) => {
                eprintln!("tail_latency: could not write {}: {e}", path.display());
                status = 2;
            }
        }
    }
    println!("Total time {:.1} s.", started.elapsed().as_secs_f64());
    ExitCode::from(status)
}
