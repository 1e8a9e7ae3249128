//! What `CoopCompat` adds per poll as an `async-executor` grows from 1 to N
//! threads, next to the floor with nothing of tokio's shared (issue 11).
//!
//! ```text
//! cargo run --release -p coop-tools --bin thread_scaling                 # 1 and 2 threads
//! cargo run --release -p coop-tools --bin thread_scaling -- 1 2 4 8 16   # any thread counts
//! ```
//!
//! The measurement is `coop_tools::scaling` (the same code as
//! `bench_table`'s thread section); `benches/README.md` explains the
//! columns. Exit status 0 whatever the figures; 2 on bad arguments.

use std::time::Instant;

use coop_tools::figure::{ROUNDS, RUN_TARGET};
use coop_tools::scaling::{measure_scaling, Kind, TASKS_PER_THREAD};

const USAGE: &str = "usage: thread_scaling [THREADS...]   (default: 1 2; e.g. 1 2 4 8 16 32 64)";

fn main() {
    let mut threads = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            println!(
                "For each thread count T: an async-executor run by T threads polls {TASKS_PER_THREAD} x T \
                 self-waking tasks, unwrapped and wrapped; prints what each wrapper adds per poll, its \
                 growth from 1 thread and that growth over the floor's (nothing of tokio's shared). \
                 1 is always measured first."
            );
            return;
        }
        match arg.parse::<usize>() {
            Ok(t) if t > 0 => threads.push(t),
            _ => {
                eprintln!("thread_scaling: not a thread count: {arg:?}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    if threads.is_empty() {
        threads = vec![1, 2];
    }
    let started = Instant::now();
    println!(
        "thread_scaling: {} at start; threads {threads:?}; {ROUNDS} interleaved rounds of ~{} ms per \
         figure, medians of per-round values",
        coop_tools::machine(),
        RUN_TARGET.as_millis(),
    );
    measure_scaling(&threads, &Kind::ALL).print();
    println!();
    println!("Total time {:.1} s.", started.elapsed().as_secs_f64());
}
