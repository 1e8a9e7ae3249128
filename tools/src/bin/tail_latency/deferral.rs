//! What scenarios 6 and 7 showed, in words: an executor that takes over
//! forced wakes beside tokio, and the time slice with items of uneven cost.
//! Printed after the main verdict; it does not change the exit status.

use coop_tools::median;

use crate::outcome::Outcome;
use crate::report::fmt_duration;
use crate::settings::Settings;

/// The median over the rounds of `with`'s items per CPU-second over
/// `without`'s, in the same round.
pub(crate) fn kept(with: &Outcome, without: &Outcome) -> f64 {
    median(
        with.round_rates
            .iter()
            .zip(&without.round_rates)
            .map(|(w, wo)| w / wo)
            .collect(),
    )
}

/// `p99 rnd` of `a` over `b`.
pub(crate) fn p99_ratio(a: &Outcome, b: &Outcome) -> f64 {
    a.round_median_p99().as_secs_f64() / b.round_median_p99().as_secs_f64()
}

/// One paragraph per pair of scenarios 6 and 7 that ran.
pub(crate) fn print_verdicts(outcomes: &[Outcome], settings: &Settings) {
    let get = |key: &str| outcomes.iter().find(|o| o.scenario.key == key);
    let pct = |r: f64| format!("{:.0}%", 100.0 * r);
    if let (Some(tokio), Some(deferring)) = (get("6a"), get("6b")) {
        let ratio = p99_ratio(deferring, tokio);
        println!(
            "\nAn executor that queues tasks forced to yield behind freshly woken ones (6b, one \
             Budget with forced wakes deferred),\nbeside tokio current_thread (6a), the busy tasks \
             draining the same Context-based channel (128 units per poll on both):\n* the \
             heartbeat's 99% (median of the rounds') was {} against tokio's {} ({} times tokio's), \
             its median {} against {};\n* the busy tasks did {} of tokio's work rate (items per \
             CPU-second). {}",
            fmt_duration(deferring.round_median_p99()),
            fmt_duration(tokio.round_median_p99()),
            format_args!("{ratio:.2}"),
            fmt_duration(deferring.percentile(0.5)),
            fmt_duration(tokio.percentile(0.5)),
            pct(kept(deferring, tokio)),
            if ratio <= 1.0 {
                "The deferring executor ran the heartbeat at least as soon as tokio."
            } else {
                "tokio ran the heartbeat sooner in this run."
            },
        );
    }
    let (Some(units), Some(sliced)) = (get("7a"), get("7b")) else {
        return;
    };
    let ratio = p99_ratio(sliced, units);
    println!(
        "\nItems of uneven cost (about 1 µs each, 1 in 100 about 100 µs), on the deferring \
         executor:\n* with 128 units per poll (7a) the heartbeat's 99% (median of the rounds') \
         was {}, worst {};\n* with 128 units or a {} slice, the clock read every {} units (7b): \
         {}, worst {}: {} times the units-only figure;\n  {} of its {} forced yields were ended \
         by the slice; the busy tasks did {} of 7a's work rate.",
        fmt_duration(units.round_median_p99()),
        fmt_duration(units.latencies.last().copied().unwrap_or_default()),
        fmt_duration(settings.slice),
        settings.check_every,
        fmt_duration(sliced.round_median_p99()),
        fmt_duration(sliced.latencies.last().copied().unwrap_or_default()),
        format_args!("{ratio:.2}"),
        sliced.slice_yields,
        sliced.forced_yields,
        pct(kept(sliced, units)),
    );
    if let Some(tokio) = get("7c") {
        println!(
            "* tokio current_thread with the same items (7c): {}, worst {}. tokio counts \
             operations only, and runs the tasks\n  in its local queue (the busy tasks) before \
             one woken from another thread, but for every 31st poll.",
            fmt_duration(tokio.round_median_p99()),
            fmt_duration(tokio.latencies.last().copied().unwrap_or_default()),
        );
    }
    println!(
        "A budget of units lets a poll run as long as its 128 operations take; the slice bounds \
         that in time too{}.",
        if ratio <= 0.5 {
            ", and here it halved the heartbeat's 99% delay at least"
        } else {
            ", though here it did not halve the heartbeat's 99% delay"
        }
    );
}
