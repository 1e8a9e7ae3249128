//! One per-operation loop of `bench_table`, run alone, so that an
//! instruction counter can measure it: a count does not move when the linker
//! places the loop elsewhere, which a time can (`benches/README.md`,
//! "When a figure moves and its code did not").
//!
//! ```sh
//! cargo build --release -p coop-tools --bin op_loop
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!   target/release/op_loop c 1000000     # then the same with 1, and subtract
//! ```
//!
//! `op_loop LOOP N` runs `N` operations of `LOOP` (the row letters of
//! `bench_table`), on the first of the copies that `bench_table` spreads a
//! figure over (`coop_benches::placement`; the others differ only in where
//! their loop is placed) and prints the time per operation, which under valgrind
//! means nothing; the instruction count is what to read. Subtract a run with
//! `N = 1` to take the start-up (a tokio runtime, for the rows that need a
//! task) out.

use std::process::ExitCode;

use coop_benches::per_op;

/// The loops, with what each measures (as `bench_table` labels them).
const LOOPS: &[(&str, &str)] = &[
    ("a", "tokio poll_proceed + made_progress, in a tokio task"),
    ("b", "poll_cooperate + drop, nothing installed"),
    ("c", "Budget: poll_cooperate + made_progress + drop"),
    ("c0", "floor: a bare Cell<u8> counter"),
    ("c0w", "floor: a bare Cell<u32> counter"),
    ("c00", "floor: a counter found through the Context"),
    ("c00w", "floor: c00 with a Cell<u32> counter"),
    (
        "c1",
        "Budget: the operation of c, a fresh installation per 100",
    ),
    (
        "c2",
        "c1 under a time slice (the clock read 6 times per 100)",
    ),
    ("e", "Budget::install for one poll and remove"),
    (
        "d",
        "TokioBudget installed, in a tokio task (feature tokio)",
    ),
    (
        "df",
        "nothing installed, tokio's budget, in a tokio task (feature tokio)",
    ),
    ("d0", "floor: tokio's calls alone, in a tokio task"),
    (
        "d00",
        "floor: the Context lookup + tokio's calls, in a tokio task",
    ),
];

fn run(which: &str, n: u64) -> Option<std::time::Duration> {
    let tokio = || per_op::Tokio::new();
    Some(match which {
        "a" => tokio().in_task(per_op::copies::TOKIO_POLL_PROCEED[0], n),
        "b" => per_op::copies::NO_PROVIDER[0](n),
        "c" => per_op::copies::BUDGET_THROUGH_CONTEXT[0](n),
        "c0" => per_op::copies::COUNTER_FLOOR[0](n),
        "c0w" => per_op::copies::WIDE_COUNTER_FLOOR[0](n),
        "c00" => per_op::copies::CONTEXT_COUNTER_FLOOR[0](n),
        "c00w" => per_op::copies::WIDE_CONTEXT_COUNTER_FLOOR[0](n),
        "c1" => per_op::copies::BUDGET_FRESH_INSTALLATIONS[0](n),
        "c2" => per_op::copies::TIME_SLICE_FRESH_INSTALLATIONS[0](n),
        "e" => per_op::copies::BUDGET_INSTALL[0](n),
        #[cfg(feature = "tokio")]
        "d" => tokio().in_task(per_op::copies::TOKIO_BUDGET_INSTALLED[0], n),
        #[cfg(feature = "tokio")]
        "df" => tokio().in_task(per_op::copies::TOKIO_BUDGET_FALLBACK[0], n),
        "d0" => tokio().in_task(per_op::copies::TOKIO_PROVIDER_FLOOR[0], n),
        "d00" => tokio().in_task(per_op::copies::CONTEXT_TOKIO_FLOOR[0], n),
        _ => return None,
    })
}

fn usage() -> ExitCode {
    eprintln!("usage: op_loop LOOP N\n\nLOOP is one of:");
    for (name, what) in LOOPS {
        eprintln!("  {name:<4} {what}");
    }
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [which, n] = args.as_slice() else {
        return usage();
    };
    let Ok(n) = n.parse::<u64>() else {
        return usage();
    };
    match run(which, n) {
        Some(took) => {
            println!(
                "{which}: {n} operations, {:.2} ns each",
                took.as_nanos() as f64 / n.max(1) as f64
            );
            ExitCode::SUCCESS
        }
        None => usage(),
    }
}
