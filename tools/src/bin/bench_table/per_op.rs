//! The per-operation section (every layer against tokio's own budget) and
//! the per-item section (the futures-channel adapter against a plain
//! receiver).

use coop_benches::{self as support, Tokio};
use coop_compat::TimeSlice;

use crate::print::{header, row, verdict};
use coop_tools::figure::{measure, median_ratio, Figure};

/// Per operation, against tokio's own `poll_proceed` + `made_progress`.
pub(crate) fn print_per_operation(tokio: &Tokio) {
    let fallback = if cfg!(feature = "tokio") {
        "tokio fallback compiled in"
    } else {
        "no tokio fallback"
    };
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut ops = vec![
        Figure::new(
            "(a) tokio poll_proceed + made_progress, in a tokio task",
            |n| tokio.in_task_spread(&support::copies::TOKIO_POLL_PROCEED, n),
        ),
        Figure::new(
            format!("(b) poll_cooperate + drop, nothing installed ({fallback})"),
            |n| support::spread(&support::copies::NO_PROVIDER, n),
        ),
        Figure::new("(c) Budget: poll_cooperate + made_progress + drop", |n| {
            support::spread(&support::copies::BUDGET_THROUGH_CONTEXT, n)
        }),
        Figure::new(
            "(c0) floor under (c): a bare Cell<u8> counter, check + decrement",
            |n| support::spread(&support::copies::COUNTER_FLOOR, n),
        ),
        Figure::new(
            "(c0w) (c0) with a Cell<u32>, the width of Budget's counter",
            |n| support::spread(&support::copies::WIDE_COUNTER_FLOOR, n),
        ),
        Figure::new(
            "(c00) floor for a Context-carried counter: lookup + check + decrement",
            |n| support::spread(&support::copies::CONTEXT_COUNTER_FLOOR, n),
        ),
        Figure::new(
            "(c00w) (c00) with a Cell<u32>, the width of Budget's counter",
            |n| support::spread(&support::copies::WIDE_CONTEXT_COUNTER_FLOOR, n),
        ),
        Figure::new(
            "(c1) (c), a fresh Budget::install per 100 ops instead of a refund",
            |n| support::spread(&support::copies::BUDGET_FRESH_INSTALLATIONS, n),
        ),
        Figure::new(
            format!(
                "(c2) (c1) under Budget::with_time_slice(128, {} s): time-aware",
                support::BENCH_SLICE.as_secs()
            ),
            |n| support::spread(&support::copies::TIME_SLICE_FRESH_INSTALLATIONS, n),
        ),
        Figure::new("(e) Budget::install for one poll and remove", |n| {
            support::spread(&support::copies::BUDGET_INSTALL, n)
        }),
    ];
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut limits: Vec<Option<(f64, &str)>> = vec![
        None,
        Some((0.25, "issue 2")),
        Some((0.5, "issue 2")),
        None,
        None,
        None,
        None,
        None,
        None,
        Some((2.0, "issue 2")),
    ];
    #[cfg(feature = "tokio")]
    {
        ops.push(Figure::new(
            "(d) TokioBudget::install: poll_cooperate + made_progress, in task",
            |n| tokio.in_task_spread(&support::copies::TOKIO_BUDGET_INSTALLED, n),
        ));
        ops.push(Figure::new(
            "(d) nothing installed, fallback to tokio's budget: the same, in task",
            |n| tokio.in_task_spread(&support::copies::TOKIO_BUDGET_FALLBACK, n),
        ));
        limits.push(Some((1.25, "issue 3")));
        limits.push(Some((1.25, "issue 3")));
        ops.push(Figure::new(
            "(d0) floor under (d): has_budget_remaining + poll_proceed + made_progress",
            |n| tokio.in_task_spread(&support::copies::TOKIO_PROVIDER_FLOOR, n),
        ));
        limits.push(None);
        ops.push(Figure::new(
            "(d00) floor for a Context-carried tokio provider: lookup + the calls of (d0)",
            |n| tokio.in_task_spread(&support::copies::CONTEXT_TOKIO_FLOOR, n),
        ));
        limits.push(None);
    }
    measure(&mut ops);
    header(
        "Per operation, against (a) tokio's own budget (batches of 100 under an outer guard, see benches/README.md)",
        "ns/op",
    );
    // (c) and (d) over their floors: the method's (a provider found through
    // a stable Context) and the bare ones, medians of per-round ratios, each
    // with the bar it is held to, if any.
    let position = |prefix: &str| ops.iter().position(|f| f.label.starts_with(prefix));
    let over_floors = |i: usize, name: &str, floors: &[(&str, Option<(f64, &str)>)]| -> String {
        floors
            .iter()
            .filter_map(|&(floor, bar)| {
                let f = position(&format!("{floor} "))?;
                let r = median_ratio(&ops, |s| s[i] / s[f]);
                let verdict = match bar {
                    Some(bar) => format!(" {}", verdict(r, Some(bar))),
                    None => String::new(),
                };
                Some(format!("; {name}/{floor} = {r:.2}{verdict}"))
            })
            .collect()
    };
    for (i, figure) in ops.iter().enumerate() {
        let ratio = median_ratio(&ops, |s| s[i] / s[0]);
        let note = if i == 0 {
            "baseline".to_owned()
        } else if figure.label.starts_with("(c) ") {
            // Issue 11's bar is on (c0), a byte counter; the same bar on the
            // counter of Budget's own width (c0w), the stricter floor here.
            let floors = over_floors(
                i,
                "(c)",
                &[
                    ("(c00)", None),
                    ("(c00w)", None),
                    ("(c0)", Some((1.25, "issue 11"))),
                    ("(c0w)", Some((1.25, "issue 11's bar, on c0w"))),
                ],
            );
            format!("{}{floors}", verdict(ratio, limits[i]))
        } else if figure.label.starts_with("(d) ") {
            // Issue 11's bar is for `TokioBudget` installed, not the fallback.
            let bare = figure
                .label
                .contains("TokioBudget")
                .then_some((1.15, "issue 11"));
            let floors = over_floors(i, "(d)", &[("(d00)", None), ("(d0)", bare)]);
            format!("{}{floors}", verdict(ratio, limits[i]))
        } else if figure.label.starts_with("(c1)") {
            "comparison for (c2): the same installations, no time slice".to_owned()
        } else if figure.label.starts_with("(c2)") {
            let c1 = i - 1;
            let added = median_ratio(&ops, |s| s[i] - s[c1]);
            let every = TimeSlice::DEFAULT_CHECK_EVERY;
            format!(
                "adds {added:.2} ns/op over (c1): the clock (Instant) read every {every} units \
                 from the {}th, {} reads per 100 ops",
                every + 1,
                support::clock_reads(support::BATCH, every),
            )
        } else if figure.label.starts_with("(c00)")
            || figure.label.starts_with("(c00w)")
            || figure.label.starts_with("(d00)")
        {
            "comparison: the floor of the method, a provider found through a stable Context"
                .to_owned()
        } else if figure.label.starts_with("(c0) ") {
            "comparison: issue 11's floor, a byte counter (benches/README.md)".to_owned()
        } else if figure.label.starts_with("(c0w)") {
            "comparison: the floor for a counter of any width: no design beats it".to_owned()
        } else if figure.label.contains("floor") {
            "comparison: a lower bound no design can beat (benches/README.md)".to_owned()
        } else if i == 1 && cfg!(feature = "tokio") {
            // Issue 2's bar is for task-coop as primitives get it (no
            // dependencies); with `tokio` compiled in, "nothing installed"
            // asks tokio's thread-local too.
            "issue 2's bar (<= 0.25) is for task-coop without `tokio`: \
             see the run with --no-default-features"
                .to_owned()
        } else {
            verdict(ratio, limits[i])
        };
        row(&figure.label, figure.median(), Some(ratio), &note);
    }
}

/// Per item through the futures-channel adapter, under a `Budget`.
#[cfg(feature = "futures")]
pub(crate) fn print_per_item() {
    let mut items = vec![
        Figure::new(
            "(5) futures mpsc unbounded: poll_next + send back, plain receiver",
            support::futures_channel_plain,
        ),
        Figure::new(
            "(5) the same through coop_adapters::channel (one unit per item)",
            support::futures_channel_adapter,
        ),
    ];
    measure(&mut items);
    header(
        "Per item through the futures-channel adapter, under a Budget (tail_latency scenario 5)",
        "ns/item",
    );
    for (i, figure) in items.iter().enumerate() {
        let (ratio, note) = if i == 0 {
            (None, "baseline".to_owned())
        } else {
            let r = median_ratio(&items, |s| s[1] / s[0]);
            let added = median_ratio(&items, |s| s[1] - s[0]);
            (Some(r), format!("adds {added:.2} ns per item"))
        };
        row(&figure.label, figure.median(), ratio, &note);
    }
}
