//! The default output: what is measured and why, the figures with a legend,
//! and a verdict in words.

use std::time::Duration;

use coop_tools::median;

use crate::outcome::Outcome;
use crate::scenarios::COMPARISONS;
use crate::settings::Settings;
use crate::tasks::PING_PERIOD;

/// How many times shorter the heartbeat's p99 delay must be with a budget
/// than without for the verdict (and the exit status) to say it did its job.
const ENOUGH: f64 = 10.0;

/// `12.3µs`, `4.56ms`, `2.99s`.
pub(crate) fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.1}µs")
    } else if us < 1_000_000.0 {
        format!("{:.2}ms", us / 1e3)
    } else {
        format!("{:.2}s", us / 1e6)
    }
}

fn fmt_rate(per_sec: f64) -> String {
    format!("{:.2} M", per_sec / 1e6)
}

/// The paragraph printed before the run: what it measures, and why.
pub(crate) fn print_intro(settings: &Settings, scenarios: usize) {
    let round = settings.run_for / settings.rounds;
    println!(
        "tail_latency{}: does a task that must run every {} ms get to run on time when it \
         shares a thread with tasks that always have work?\n",
        if settings.quick { " --quick" } else { "" },
        PING_PERIOD.as_millis(),
    );
    println!(
        "A cooperative budget gives a task 128 units each time it is polled; every channel \
         receive spends one, and when none\nare left the channel answers \"not ready\", so the \
         task yields and the other tasks on the thread get their turn.\ntokio has such a budget \
         built in; other executors have none, unless coop-compat gives them one. On each \
         executor below,\n{} busy tasks drain channels that never run dry while a heartbeat task \
         is woken every {} ms from another thread;\nwe measure how late the heartbeat runs, and \
         how much work the busy tasks get done, with a budget and without.",
        settings.hogs,
        PING_PERIOD.as_millis(),
    );
    println!(
        "\n{scenarios} scenarios, {} s each in {} rounds of {} taken in turn ({} items queued \
         per busy task, {} work rounds per item);\n{}. This takes about {:.0} s.\n",
        settings.run_for.as_secs_f64(),
        settings.rounds,
        fmt_duration(round),
        settings.queued,
        settings.work_rounds,
        coop_tools::machine(),
        settings.run_for.as_secs_f64() * scenarios as f64,
    );
}

/// The two tables (the heartbeat's delays, the busy tasks' work) and their
/// legend.
pub(crate) fn print_tables(outcomes: &[Outcome]) {
    println!("How late the heartbeat ran, from its wake-up to the task holding it:");
    println!(
        "{:<3} {:<40} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "#", "scenario", "median", "99%", "99% rnd", "99.9%", "worst", "heartbeats"
    );
    for o in outcomes {
        println!(
            "{:<3} {:<40} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
            o.scenario.key,
            o.scenario.name,
            fmt_duration(o.percentile(0.50)),
            fmt_duration(o.p99()),
            fmt_duration(o.round_median_p99()),
            fmt_duration(o.percentile(0.999)),
            fmt_duration(o.latencies.last().copied().unwrap_or_default()),
            o.latencies.len(),
        );
    }
    println!("\nWhat the busy tasks got done:");
    println!(
        "{:<3} {:<40} {:>10} {:>14} {:>13} {:>9}",
        "#", "scenario", "items/s", "items/CPU-s", "forced yields", "CPU lost"
    );
    for o in outcomes {
        println!(
            "{:<3} {:<40} {:>10} {:>14} {:>13} {:>9}",
            o.scenario.key,
            o.scenario.name,
            fmt_rate(o.throughput()),
            fmt_rate(o.cpu_throughput()),
            o.forced_yields,
            o.thread
                .map_or_else(|| "?".into(), |t| fmt_duration(t.waiting)),
        );
    }
    println!(
        "\n99%: 99 heartbeats in 100 ran at most this late (all rounds pooled); 99% rnd: the \
         median of each round's own 99%,\n  which sets aside a round hit by a burst of load \
         from other processes; worst: the latest heartbeat.\nitems/s: items all busy tasks \
         took per second of the run; items/CPU-s: per second the executor thread was on a CPU.\n\
         forced yields: times a busy task gave the thread back (its channel is never empty: \
         only a budget makes it yield).\nCPU lost: time the executor thread was ready to run \
         but another process had the CPU (noise in every figure)."
    );
}

/// The verdict in words, one sentence per comparison and one overall.
/// Returns whether the budget did its job: with it, the heartbeat's p99
/// delay was at least [`ENOUGH`] times shorter than without, wherever both
/// were measured (true if nothing was compared).
pub(crate) fn print_verdict(outcomes: &[Outcome], settings: &Settings) -> bool {
    let get = |key: &str| outcomes.iter().find(|o| o.scenario.key == key);
    println!("\nWhat the budget changed:");
    let mut factors = Vec::new();
    let mut kept_range = (f64::INFINITY, f64::NEG_INFINITY);
    let mut short = Vec::new();
    for c in COMPARISONS {
        let (Some(with), Some(without)) = (get(c.with), get(c.without)) else {
            continue;
        };
        let factor = without.p99().as_secs_f64() / with.p99().as_secs_f64();
        let recorded = !with.latencies.is_empty() && !without.latencies.is_empty();
        let factor = if recorded { factor } else { f64::NAN };
        let kept = 100.0
            * median(
                with.round_rates
                    .iter()
                    .zip(&without.round_rates)
                    .map(|(w, wo)| w / wo)
                    .collect(),
            );
        println!(
            "* On {}, with {}, 99% of heartbeats ran within {},\n  instead of {} \
             without a budget: {} times sooner. The busy tasks kept {kept:.0}% of their work \
             rate (items per CPU-second).",
            c.runtime,
            c.budget,
            fmt_duration(with.p99()),
            fmt_duration(without.p99()),
            fmt_factor(factor),
        );
        kept_range = (kept_range.0.min(kept), kept_range.1.max(kept));
        // NaN (nothing recorded) falls short too.
        if factor.is_nan() || factor < ENOUGH {
            short.push(format!("{} ({} times)", c.runtime, fmt_factor(factor)));
        }
        factors.push(factor);
    }
    if let Some(tokio) = get("1") {
        println!(
            "* For reference, tokio with its own budget: 99% within {}.",
            fmt_duration(tokio.p99())
        );
    }
    let round = fmt_duration(settings.run_for / settings.rounds);
    let ok = short.is_empty();
    if factors.is_empty() {
        println!(
            "\nNothing to compare: run a scenario with a budget together with the same one \
             without (e.g. --only 2,3)."
        );
    } else if ok {
        let least = factors.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "\nVerdict: the budget did its job. Wherever it was measured with and without, it \
             made the heartbeat's 99% delay\nat least {ENOUGH} times shorter (here {} times at \
             the least), and the busy tasks kept {} of their work rate.\n\
             Without a budget the busy tasks never give the thread back: the heartbeat waits \
             for the end of a round ({round} here).",
            fmt_factor(least),
            if kept_range.1 - kept_range.0 < 0.5 {
                format!("{:.0}%", kept_range.0)
            } else {
                format!("{:.0} to {:.0}%", kept_range.0, kept_range.1)
            },
        );
    } else {
        println!(
            "\nVerdict: the budget did NOT make the heartbeat's 99% delay {ENOUGH} times \
             shorter on {}.\nA machine too loaded to run the heartbeat on time even with a \
             budget can do this (see \"CPU lost\"): run again.",
            short.join(", "),
        );
    }
    if settings.quick {
        println!("(--quick: a smoke run; its exit status only says that it completed.)");
    }
    ok
}

/// `17 700`, `12`, `3.4`, `?` (no heartbeat recorded).
fn fmt_factor(factor: f64) -> String {
    if factor.is_nan() {
        return "? (no heartbeat recorded)".into();
    }
    if factor < 10.0 {
        return format!("{factor:.1}");
    }
    let digits = format!("{:.0}", factor.min(1e15));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
