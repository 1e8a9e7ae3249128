//! The team's acceptance bars (`--bars`), from this run's figures.

use coop_tools::median;

use crate::outcome::Outcome;

/// The acceptance bars of issues 5 and 12, from this run's figures.
pub(crate) fn print_bars(outcomes: &[Outcome]) {
    let get = |key: &str| outcomes.iter().find(|o| o.scenario.key == key);
    println!();
    println!(
        "Acceptance bars (issues 5 and 12), from the figures above (throughput: median over the rounds \
         of the ratio of items per CPU-second):"
    );
    let mut checked = 0;
    let mut failed = 0;
    let mut bar = |label: String, ratio: f64, ok: bool, need: &str| {
        checked += 1;
        if !ok {
            failed += 1;
        }
        println!(
            "  [{}] {label:<50} {ratio:>9.2}  (need {need})",
            if ok { "pass" } else { "FAIL" }
        );
    };
    for (with, without, what) in [
        ("3", "2", "CoopCompat"),
        ("4b", "4a", "CoopCompat"),
        ("5b", "5a", "adapter"),
    ] {
        let (Some(with_o), Some(without_o)) = (get(with), get(without)) else {
            continue;
        };
        let p99 = |o: &Outcome| o.p99().as_secs_f64();
        if let Some(tokio) = get("1") {
            let r = p99(with_o) / p99(tokio);
            bar(
                format!("p99 {with} / p99 1 ({what} vs tokio)"),
                r,
                r <= 1.5,
                "<= 1.5",
            );
            let rounds = |o: &Outcome| o.round_median_p99().as_secs_f64();
            let r = rounds(with_o) / rounds(tokio);
            bar(
                "  the same, p99 rnd (a noisy round set aside)".to_owned(),
                r,
                r <= 1.5,
                "<= 1.5",
            );
        }
        let r = p99(without_o) / p99(with_o);
        bar(
            format!("p99 {without} / p99 {with} (without vs with)"),
            r,
            r >= 10.0,
            ">= 10",
        );
        let r = median(
            with_o
                .round_rates
                .iter()
                .zip(&without_o.round_rates)
                .map(|(w, wo)| w / wo)
                .collect(),
        );
        bar(
            format!("hog throughput {with} / {without}"),
            r,
            r >= 0.8,
            ">= 0.8",
        );
    }
    // Issue 12: the deferring executor beside tokio, and the time slice.
    let issue12 = [
        ("6b", "6a", "deferring vs tokio", 1.0, 0.95),
        ("7b", "7a", "time slice vs units only", 0.5, 0.9),
    ];
    for (with, against, what, p99_at_most, kept_at_least) in issue12 {
        let (Some(with_o), Some(against_o)) = (get(with), get(against)) else {
            continue;
        };
        let r = crate::deferral::p99_ratio(with_o, against_o);
        bar(
            format!("p99 rnd {with} / p99 rnd {against} ({what}, issue 12)"),
            r,
            r <= p99_at_most,
            &format!("<= {p99_at_most}"),
        );
        let r = crate::deferral::kept(with_o, against_o);
        bar(
            format!("hog throughput {with} / {against}"),
            r,
            r >= kept_at_least,
            &format!(">= {kept_at_least}"),
        );
    }
    if checked > 0 {
        println!(
            "  {} of {checked} bars pass. Latencies without a budget grow with the length of a round.",
            checked - failed,
        );
    }
}
