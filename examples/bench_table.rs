//! The whole ratio table of the benchmark suite in one command, without
//! criterion: every per-operation and per-poll figure that issues 2, 3 and 5
//! ask for, next to its baseline measured in the same run, and the
//! allocations per wrapped poll.
//!
//! ```text
//! cargo run --release --example bench_table
//! cargo run --release --example bench_table --no-default-features --features std   # no tokio fallback compiled in
//! ```
//!
//! Method: the operations are those of `benches/support/mod.rs` (the same
//! code the criterion benches time). Each figure is timed with
//! `std::time::Instant` over runs of about 20 ms, after a calibration that
//! doubles as warm-up. The runs of one table section are interleaved, round
//! after round (baseline, then each figure), and each ratio is the median of
//! its per-round ratios: load from other processes that comes and goes hits
//! a figure and its baseline alike. The ns figures are the medians of the
//! rounds. Allocations are counted by a counting global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[path = "../benches/support/mod.rs"]
mod support;

#[cfg(feature = "tokio")]
use support::PollTask;
use support::Tokio;

/// Counts every allocation (not the bytes): per-poll paths must make none.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments, so
// `System`'s guarantees are this allocator's; counting has no effect on them.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded; the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Wall-clock time per run of each figure.
const RUN_TARGET: Duration = Duration::from_millis(20);
/// Interleaved rounds per section.
const ROUNDS: usize = 21;

/// One figure: what to run for `iters` operations.
struct Figure<'a> {
    label: String,
    run: Box<dyn FnMut(u64) -> Duration + 'a>,
    iters: u64,
    /// ns per operation, one per round.
    samples: Vec<f64>,
}

impl<'a> Figure<'a> {
    fn new(label: impl Into<String>, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Figure {
            label: label.into(),
            run: Box::new(run),
            iters: 0,
            samples: Vec::new(),
        }
    }

    /// Finds `iters` for about `RUN_TARGET` per run (this is the warm-up).
    fn calibrate(&mut self) {
        let mut iters = 1_000u64;
        loop {
            let took = (self.run)(iters);
            if took >= RUN_TARGET / 4 || iters >= 1 << 34 {
                let per_op = took.as_secs_f64() / iters as f64;
                self.iters = ((RUN_TARGET.as_secs_f64() / per_op) as u64).max(1_000);
                return;
            }
            iters *= 4;
        }
    }

    fn sample(&mut self) {
        let took = (self.run)(self.iters);
        self.samples
            .push(took.as_secs_f64() * 1e9 / self.iters as f64);
    }

    fn median(&self) -> f64 {
        median(self.samples.clone())
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Calibrates, then runs `ROUNDS` interleaved rounds of every figure.
fn measure(figures: &mut [Figure<'_>]) {
    for figure in figures.iter_mut() {
        figure.calibrate();
    }
    for _ in 0..ROUNDS {
        for figure in figures.iter_mut() {
            figure.sample();
        }
    }
}

/// Median over rounds of `f(round's samples)`.
fn median_ratio(figures: &[Figure<'_>], f: impl Fn(&[f64]) -> f64) -> f64 {
    let rounds = figures[0].samples.len();
    median(
        (0..rounds)
            .map(|r| f(&figures.iter().map(|fig| fig.samples[r]).collect::<Vec<_>>()))
            .collect(),
    )
}

/// Median over the measured rounds of `f(round's CPU ns per poll)`, from
/// the per-figure CPU samples of the executor section (NaN where the OS does
/// not tell CPU time).
#[cfg(feature = "tokio")]
fn cpu_ratio(cpu: &[std::cell::RefCell<Vec<f64>>], f: impl Fn(&[f64]) -> f64) -> f64 {
    let samples: Vec<Vec<f64>> = cpu.iter().map(|c| c.borrow().clone()).collect();
    let rounds = samples.iter().map(Vec::len).min().unwrap_or(0).min(ROUNDS);
    if rounds == 0 {
        return f64::NAN;
    }
    median(
        (0..rounds)
            .map(|r| {
                // The last ROUNDS samples of each figure are the measured rounds.
                let round: Vec<f64> = samples.iter().map(|s| s[s.len() - rounds + r]).collect();
                f(&round)
            })
            .collect(),
    )
}

/// A bar: `ratio <= limit` passes.
fn verdict(ratio: f64, limit: Option<(f64, &str)>) -> String {
    match limit {
        None => String::new(),
        Some((limit, issue)) => format!(
            "{} (bar <= {limit}, {issue})",
            if ratio <= limit { "pass" } else { "FAIL" }
        ),
    }
}

fn row(label: &str, ns: f64, ratio: Option<f64>, note: &str) {
    let ratio = ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
    println!("  {label:<76} {ns:>8.2} {ratio:>7}  {note}");
}

fn header(title: &str, unit: &str) {
    println!();
    println!("{title}");
    println!("  {:<76} {unit:>8} {:>7}", "", "ratio");
}

/// Allocations per operation of `run`: counted over a long run minus a short
/// one, after a warm-up, so one-time allocations (spawning, a runtime started
/// on first use) cancel out.
fn allocations_per_op(mut run: impl FnMut(u64) -> Duration) -> f64 {
    const SHORT: u64 = 10;
    const LONG: u64 = 10_010;
    run(SHORT);
    let count = |run: &mut dyn FnMut(u64) -> Duration, iters| {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        black_box(run(iters));
        ALLOCATIONS.load(Ordering::Relaxed) - before
    };
    let short = count(&mut run, SHORT);
    let long = count(&mut run, LONG);
    long.saturating_sub(short) as f64 / (LONG - SHORT) as f64
}

fn main() {
    let started = Instant::now();
    let tokio = Tokio::new();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    let features: Vec<&str> = [
        ("std", cfg!(feature = "std")),
        ("tokio", cfg!(feature = "tokio")),
        ("futures", cfg!(feature = "futures")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    println!(
        "bench_table: {cores} cores, load average {load} at start; features: {}; \
         {ROUNDS} interleaved rounds of ~{} ms per figure, medians",
        features.join(","),
        RUN_TARGET.as_millis(),
    );

    // Per operation, against tokio's own poll_proceed + made_progress.
    let fallback = if cfg!(feature = "tokio") {
        "tokio fallback compiled in"
    } else {
        "no tokio fallback"
    };
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut ops = vec![
        Figure::new(
            "(a) tokio poll_proceed + made_progress, in a tokio task",
            |n| tokio.in_task(support::tokio_poll_proceed, n),
        ),
        Figure::new(
            format!("(b) poll_cooperate + drop, nothing installed ({fallback})"),
            |n| support::no_provider(&mut support::plain_context(), n),
        ),
        Figure::new(
            "(c) Budget: poll_cooperate + made_progress + drop",
            support::budget_through_context,
        ),
        Figure::new(
            "(c0) floor under (c): a bare Cell<u8> counter, check + decrement",
            support::counter_floor,
        ),
        Figure::new(
            "(e) Budget::install for one poll and remove",
            support::budget_install,
        ),
    ];
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut limits: Vec<Option<(f64, &str)>> = vec![
        None,
        Some((0.25, "issue 2")),
        Some((0.5, "issue 2")),
        None,
        Some((2.0, "issue 2")),
    ];
    #[cfg(feature = "tokio")]
    {
        ops.push(Figure::new(
            "(d) TokioBudget::install: poll_cooperate + made_progress, in task",
            |n| tokio.in_task(support::tokio_budget_installed, n),
        ));
        ops.push(Figure::new(
            "(d) nothing installed, fallback to tokio's budget: the same, in task",
            |n| tokio.in_task(support::tokio_budget_fallback, n),
        ));
        limits.push(Some((1.25, "issue 3")));
        limits.push(Some((1.25, "issue 3")));
        ops.push(Figure::new(
            "(d0) floor under (d): has_budget_remaining + poll_proceed + made_progress",
            |n| tokio.in_task(support::tokio_provider_floor, n),
        ));
        limits.push(None);
    }
    measure(&mut ops);
    header(
        "Per operation, against (a) tokio's own budget (batches of 100 under an outer guard, see benches/README.md)",
        "ns/op",
    );
    for (i, figure) in ops.iter().enumerate() {
        let ratio = median_ratio(&ops, |s| s[i] / s[0]);
        let note = if i == 0 {
            "baseline".to_owned()
        } else if figure.label.contains("floor") {
            "comparison: a lower bound no design can beat (benches/README.md)".to_owned()
        } else if i == 1 && cfg!(feature = "tokio") {
            // Issue 2's bar is for task-coop as primitives get it (no
            // dependencies); with `tokio` compiled in, "nothing installed"
            // asks tokio's thread-local too.
            "issue 2's bar (<= 0.25) is for task-coop without `tokio`: \
             see the run with --no-default-features --features std"
                .to_owned()
        } else {
            verdict(ratio, limits[i])
        };
        row(&figure.label, figure.median(), Some(ratio), &note);
    }

    #[cfg(feature = "futures")]
    {
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

    #[cfg(feature = "tokio")]
    per_poll_sections();
    #[cfg(not(feature = "tokio"))]
    {
        println!();
        println!(
            "Per-poll figures (CoopCompat on LocalPool and async-executor, async-compat) and \
             the tokio-backed provider need the `tokio` feature (on by default)."
        );
    }

    println!();
    println!("Allocations per operation (after warm-up; counting global allocator)");
    #[cfg_attr(not(feature = "tokio"), allow(unused_mut))] // grows with `tokio`
    let mut allocs: Vec<(String, f64)> = vec![
        (
            "(b) poll_cooperate + drop, nothing installed".into(),
            allocations_per_op(|n| support::no_provider(&mut support::plain_context(), n)),
        ),
        (
            "(c) Budget: poll_cooperate + made_progress + drop".into(),
            allocations_per_op(support::budget_through_context),
        ),
        (
            "(e) Budget::install for one poll and remove".into(),
            allocations_per_op(support::budget_install),
        ),
    ];
    #[cfg(feature = "tokio")]
    {
        allocs.push((
            "(d) TokioBudget::install, in a tokio task".into(),
            allocations_per_op(|n| tokio.in_task(support::tokio_budget_installed, n)),
        ));
        allocs.push((
            "(i) LocalPool poll of a CoopCompat-wrapped task (after the first)".into(),
            allocations_per_op(|n| support::local_pool(PollTask::CoopCompat, n)),
        ));
        allocs.push((
            "(i) LocalPool poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::local_pool(PollTask::Op, n)),
        ));
        allocs.push((
            "(i) async-executor (1 thread) poll of a CoopCompat-wrapped task".into(),
            allocations_per_op(|n| support::async_executor(PollTask::CoopCompat, 1, n).thread_time),
        ));
        allocs.push((
            "(i) async-executor (1 thread) poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::async_executor(PollTask::Op, 1, n).thread_time),
        ));
        allocs.push((
            "(i) async-executor (2 threads) poll of a CoopCompat-wrapped task".into(),
            allocations_per_op(|n| support::async_executor(PollTask::CoopCompat, 2, n).thread_time),
        ));
        allocs.push((
            "(i) async-executor (2 threads) poll of the same task unwrapped".into(),
            allocations_per_op(|n| support::async_executor(PollTask::Op, 2, n).thread_time),
        ));
        allocs.push((
            "(i) async_compat::Compat poll on LocalPool (for comparison)".into(),
            allocations_per_op(|n| support::local_pool(PollTask::AsyncCompat, n)),
        ));
    }
    for (label, per_op) in allocs {
        println!("  {label:<76} {per_op:>8.3}");
    }

    println!();
    println!("Total time {:.1} s.", started.elapsed().as_secs_f64());
}

/// The per-poll sections: `CoopCompat` on `LocalPool` and on
/// `async-executor` with one and two threads, and async-compat.
#[cfg(feature = "tokio")]
fn per_poll_sections() {
    let mut pool = vec![
        Figure::new(
            "(f) LocalPool bare re-poll (wake_by_ref, no operation)",
            |n| support::local_pool(PollTask::Bare, n),
        ),
        Figure::new("(f) LocalPool, task with one operation, unwrapped", |n| {
            support::local_pool(PollTask::Op, n)
        }),
        Figure::new("(f) LocalPool, the same task in CoopCompat::wrap", |n| {
            support::local_pool(PollTask::CoopCompat, n)
        }),
        Figure::new(
            "(h) LocalPool, the same task in async_compat::Compat",
            |n| support::local_pool(PollTask::AsyncCompat, n),
        ),
    ];
    measure(&mut pool);
    header(
        "Per poll on futures::executor::LocalPool; ratio: cost added to the unwrapped task / bare re-poll",
        "ns/poll",
    );
    for (i, figure) in pool.iter().enumerate() {
        let (ratio, note) = match i {
            0 => (None, "baseline".to_owned()),
            1 => (None, "(op cost: this - bare)".to_owned()),
            2 => {
                let r = median_ratio(&pool, |s| (s[2] - s[1]) / s[0]);
                (Some(r), verdict(r, Some((2.0, "issue 3"))))
            }
            _ => {
                let r = median_ratio(&pool, |s| (s[3] - s[1]) / s[0]);
                (
                    Some(r),
                    "comparison: no budget, runtime context only".to_owned(),
                )
            }
        };
        row(&figure.label, figure.median(), ratio, &note);
    }

    // Thread-time per poll (wall-clock x threads) and CPU time per poll.
    let kinds = [
        (
            "async-executor 1 thread, task with one operation, unwrapped",
            PollTask::Op,
            1,
        ),
        (
            "async-executor 1 thread, CoopCompat::wrap",
            PollTask::CoopCompat,
            1,
        ),
        ("async-executor 2 threads, unwrapped", PollTask::Op, 2),
        (
            "async-executor 2 threads, CoopCompat::wrap",
            PollTask::CoopCompat,
            2,
        ),
        (
            "async-executor 1 thread, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            1,
        ),
        (
            "async-executor 2 threads, CoopCompat, a runtime per task",
            PollTask::CoopCompatOwnRuntime(0),
            2,
        ),
        (
            "async-executor 1 thread, async_compat::Compat",
            PollTask::AsyncCompat,
            1,
        ),
        (
            "async-executor 2 threads, async_compat::Compat",
            PollTask::AsyncCompat,
            2,
        ),
    ];
    let cpu: Vec<std::cell::RefCell<Vec<f64>>> = kinds.iter().map(|_| Default::default()).collect();
    let mut ex: Vec<Figure<'_>> = kinds
        .iter()
        .zip(&cpu)
        .map(|(&(label, kind, threads), cpu)| {
            Figure::new(label, move |n| {
                let run = support::async_executor(kind, threads, n);
                if let Some(t) = run.cpu_time {
                    cpu.borrow_mut().push(t.as_secs_f64() * 1e9 / n as f64);
                }
                run.thread_time
            })
        })
        .collect();
    measure(&mut ex);
    header(
        "Per poll on async_executor::Executor, two self-waking tasks; thread-time = wall x threads \
         (ratio: what the wrapper adds per poll, 2 threads / 1 thread)",
        "ns/poll",
    );
    for (i, figure) in ex.iter().enumerate() {
        let cpu_ns = {
            let samples = cpu[i].borrow();
            // The last ROUNDS samples are the measured rounds.
            median(samples[samples.len().saturating_sub(ROUNDS)..].to_vec())
        };
        // What a wrapper adds per poll (wrapped minus unwrapped), 2 threads
        // over 1, on thread-time and on CPU time, and the whole ratio; the
        // wrapped figures are rows `one` (1 thread) and `two` (2 threads),
        // the unwrapped ones rows 0 and 2. The bar is on the added cost:
        // async-executor's own cost per poll on 2 threads is not the wrapper's.
        let scaling = |one: usize, two: usize| {
            let added = median_ratio(&ex, |s| (s[two] - s[2]) / (s[one] - s[0]));
            let added_cpu = cpu_ratio(&cpu, |s| (s[two] - s[2]) / (s[one] - s[0]));
            let whole = median_ratio(&ex, |s| s[two] / s[one]);
            (
                added,
                format!(
                    "on CPU time {added_cpu:.2}; whole 2t/1t {whole:.2}; CPU {cpu_ns:.1} ns/poll"
                ),
            )
        };
        let (ratio, note) = match i {
            0 | 1 => (
                None,
                format!("baseline for 2 threads; CPU {cpu_ns:.1} ns/poll"),
            ),
            2 => {
                let whole = median_ratio(&ex, |s| s[2] / s[0]);
                (
                    None,
                    format!(
                        "CPU {cpu_ns:.1} ns/poll; whole 2t/1t {whole:.2} (async-executor's own)"
                    ),
                )
            }
            3 => {
                let (added, rest) = scaling(1, 3);
                let verdict = verdict(added, Some((1.25, "issue 3")));
                (Some(added), format!("{verdict}; {rest}"))
            }
            5 => {
                // The same work as CoopCompat with nothing of tokio's shared
                // between the tasks: what 2 threads cost this work on this
                // machine without any lock or shared counter.
                let (added, rest) = scaling(4, 5);
                (
                    Some(added),
                    format!("floor: nothing of tokio shared between the two tasks; {rest}"),
                )
            }
            7 => {
                // async-compat only enters the shared runtime's handle around
                // each poll (an Arc clone and drop, no budget).
                let (added, rest) = scaling(6, 7);
                (
                    Some(added),
                    format!("comparison: a shared handle entered per poll, no budget; {rest}"),
                )
            }
            _ => (None, format!("CPU {cpu_ns:.1} ns/poll")),
        };
        row(&figure.label, figure.median(), ratio, &note);
    }
}
