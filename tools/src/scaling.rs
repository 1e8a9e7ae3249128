//! What `CoopCompat` adds per poll on an `async-executor` with 1, 2, 4, ...
//! threads, next to the floor with nothing of tokio's shared between threads
//! (issue 11). One implementation for `thread_scaling` (any thread counts)
//! and `bench_table` (1 and 2 threads).
//!
//! For each thread count T, an `async_executor::Executor` run by T threads
//! polls [`TASKS_PER_THREAD`] × T self-waking tasks, each doing one budgeted
//! operation (`poll_cooperate` + `made_progress`) per poll, as each
//! [`Kind`]: unwrapped, in `CoopCompat::wrap` (the global runtime, a shard
//! per thread), the floor (`CoopCompat::with_handle` with a runtime per
//! task: the same work, nothing of tokio's shared), and async-compat's
//! `Compat`. Every
//! (T, kind) figure runs about 20 ms per round; the rounds are interleaved
//! over all figures, and every ratio is the median of its per-round values.

use std::cell::RefCell;

use coop_benches::{self as support, PollTask};

use crate::figure::{measure, Figure, ROUNDS};
use crate::median;

/// Self-waking tasks per executor thread.
pub const TASKS_PER_THREAD: usize = 2;

/// The growth bar of issue 11: at 2 threads, what `CoopCompat::wrap` adds
/// per poll may grow at most this many times what the floor's grows.
pub const GROWTH_BAR: f64 = 1.05;
/// The bar of issue 3: what `CoopCompat::wrap` adds per poll, 2 threads over
/// 1 thread.
pub const TWO_THREAD_BAR: f64 = 1.25;

/// How the measured task is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// (a) Not wrapped: the executor's own cost and the operation.
    Unwrapped,
    /// (b) `CoopCompat::wrap`: a budget scope per poll on the global
    /// runtime, on the shard this thread was given.
    Wrap,
    /// (c) The floor: `CoopCompat::with_handle` with a tokio runtime per
    /// task, so that nothing of tokio's is shared between threads.
    Floor,
    /// (d) `async_compat::Compat`: the shared runtime entered per poll, no
    /// budget scope.
    AsyncCompat,
}

impl Kind {
    /// Every kind, in the order of the table.
    pub const ALL: [Kind; 4] = [Kind::Unwrapped, Kind::Wrap, Kind::Floor, Kind::AsyncCompat];

    /// The row label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Unwrapped => "(a) unwrapped",
            Kind::Wrap => "(b) CoopCompat::wrap, sharded global runtime",
            Kind::Floor => "(c) floor: with_handle, a runtime per task",
            Kind::AsyncCompat => "(d) async_compat::Compat, no budget",
        }
    }

    fn task(self) -> PollTask {
        match self {
            Kind::Unwrapped => PollTask::Op,
            Kind::Wrap => PollTask::CoopCompat,
            Kind::Floor => PollTask::CoopCompatOwnRuntime(0),
            Kind::AsyncCompat => PollTask::AsyncCompat,
        }
    }
}

/// Which clock a figure is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock time × threads / polls: perfect scaling keeps it flat.
    ThreadTime,
    /// CPU time of all the executor's threads / polls (Linux), which other
    /// processes on the machine do not inflate.
    Cpu,
}

/// The samples of one measurement: ns per poll, per thread count, kind and
/// round, on both clocks.
#[derive(Debug)]
pub struct Scaling {
    /// The thread counts, the first one 1.
    pub threads: Vec<usize>,
    /// The kinds, `Unwrapped` and `Floor` among them.
    pub kinds: Vec<Kind>,
    /// `[figure][round]`, figure = thread index × kinds + kind index.
    thread_time: Vec<Vec<f64>>,
    cpu: Vec<Vec<f64>>,
}

/// Measures `kinds` (`Unwrapped` and `Floor` are added if missing) at every
/// thread count of `threads` (1 is added first if missing; 0 and repeats are
/// dropped).
pub fn measure_scaling(threads: &[usize], kinds: &[Kind]) -> Scaling {
    let mut counts = vec![1];
    for &t in threads {
        if t > 0 && !counts.contains(&t) {
            counts.push(t);
        }
    }
    let mut all = vec![Kind::Unwrapped, Kind::Floor];
    for &k in kinds {
        if !all.contains(&k) {
            all.push(k);
        }
    }
    all.sort_by_key(|k| Kind::ALL.iter().position(|a| a == k));

    let cpu: Vec<RefCell<Vec<f64>>> = (0..counts.len() * all.len())
        .map(|_| RefCell::default())
        .collect();
    let mut figures: Vec<Figure<'_>> = Vec::new();
    for &t in &counts {
        for &kind in &all {
            let cpu = &cpu[figures.len()];
            figures.push(Figure::new(
                format!("{t} threads, {}", kind.label()),
                move |n| {
                    let run = support::async_executor(kind.task(), t, TASKS_PER_THREAD * t, n);
                    if let Some(c) = run.cpu_time {
                        cpu.borrow_mut().push(c.as_secs_f64() * 1e9 / n as f64);
                    }
                    run.thread_time
                },
            ));
        }
    }
    measure(&mut figures);
    let thread_time = figures.iter().map(|f| f.samples.clone()).collect();
    drop(figures);
    let cpu = cpu
        .into_iter()
        .map(|c| {
            let c = c.into_inner();
            // The last ROUNDS samples are the measured rounds (before them:
            // calibration); none where the OS does not tell CPU time.
            c[c.len().saturating_sub(ROUNDS)..].to_vec()
        })
        .collect();
    Scaling {
        threads: counts,
        kinds: all,
        thread_time,
        cpu,
    }
}

impl Scaling {
    fn samples(&self, clock: Clock) -> &[Vec<f64>] {
        match clock {
            Clock::ThreadTime => &self.thread_time,
            Clock::Cpu => &self.cpu,
        }
    }

    fn index(&self, threads: usize, kind: Kind) -> Option<usize> {
        let t = self.threads.iter().position(|&x| x == threads)?;
        let k = self.kinds.iter().position(|&x| x == kind)?;
        Some(t * self.kinds.len() + k)
    }

    /// Median over rounds of `f(one round's samples, index of a figure)`;
    /// NaN if a figure is missing or has no samples on `clock`.
    fn per_round(&self, clock: Clock, f: impl Fn(&dyn Fn(usize, Kind) -> f64) -> f64) -> f64 {
        let samples = self.samples(clock);
        let rounds = samples.iter().map(Vec::len).min().unwrap_or(0);
        median(
            (0..rounds)
                .map(|r| {
                    let at = |t: usize, k: Kind| {
                        self.index(t, k)
                            .map_or(f64::NAN, |i| samples[i][samples[i].len() - rounds + r])
                    };
                    f(&at)
                })
                .collect(),
        )
    }

    /// ns per poll of `kind` at `threads` threads.
    pub fn per_poll(&self, clock: Clock, threads: usize, kind: Kind) -> f64 {
        self.per_round(clock, |at| at(threads, kind))
    }

    /// What `kind` adds per poll to the unwrapped task, at `threads` threads
    /// (ns per poll, the same round's unwrapped figure subtracted).
    pub fn added(&self, clock: Clock, threads: usize, kind: Kind) -> f64 {
        self.per_round(clock, |at| at(threads, kind) - at(threads, Kind::Unwrapped))
    }

    /// What `kind` adds per poll at `threads` threads over what it adds at
    /// 1 thread.
    pub fn growth(&self, clock: Clock, threads: usize, kind: Kind) -> f64 {
        self.per_round(clock, |at| {
            (at(threads, kind) - at(threads, Kind::Unwrapped))
                / (at(1, kind) - at(1, Kind::Unwrapped))
        })
    }

    /// `kind`'s growth over the floor's growth at `threads` threads: 1.00
    /// when the added cost grows no more than that of the same work with
    /// nothing of tokio's shared.
    pub fn growth_over_floor(&self, clock: Clock, threads: usize, kind: Kind) -> f64 {
        self.per_round(clock, |at| {
            let growth = |k| {
                (at(threads, k) - at(threads, Kind::Unwrapped))
                    / (at(1, k) - at(1, Kind::Unwrapped))
            };
            growth(kind) / growth(Kind::Floor)
        })
    }

    /// The table: per thread count and kind, on both clocks, ns per poll,
    /// what the kind adds, its growth from 1 thread and that over the
    /// floor's; then the bars at 2 threads, if 2 was measured.
    pub fn print(&self) {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let has_cpu = !self.cpu.iter().any(Vec::is_empty);
        println!(
            "Per poll on async_executor::Executor with T threads, {TASKS_PER_THREAD} self-waking tasks per \
             thread, one budgeted operation per poll."
        );
        println!(
            "  thread-time = wall-clock x T / polls; CPU = CPU time of the T threads / polls; \
             added = kind - (a) in the same round;"
        );
        println!(
            "  xT/1 = added at T threads / added at 1 thread; /floor = xT/1 / (c)'s xT/1 \
             (1.00: grows no more than with nothing of tokio's shared)."
        );
        println!(
            "  {:>3} {:<44} {:>34}   {:>34}",
            "", "", "------------ thread-time ---------", "------------ CPU time ------------"
        );
        println!(
            "  {:>3} {:<44} {:>8} {:>8} {:>7} {:>7}   {:>8} {:>8} {:>7} {:>7}",
            "T", "kind", "ns/poll", "added", "xT/1", "/floor", "ns/poll", "added", "xT/1", "/floor"
        );
        for &t in &self.threads {
            if t > cores && cores > 0 {
                println!(
                    "  {t} threads on {cores} cores: the threads take turns on the cores, so these rows \
                     measure the OS scheduler more than shared cache lines."
                );
            }
            for &kind in &self.kinds {
                let cols = |clock| {
                    if clock == Clock::Cpu && !has_cpu {
                        return format!("{:>34}", "(no CPU time from this OS)");
                    }
                    let ns = self.per_poll(clock, t, kind);
                    if kind == Kind::Unwrapped {
                        return format!("{ns:>8.1} {:>8} {:>7} {:>7}", "-", "-", "-");
                    }
                    let floor = if kind == Kind::Floor {
                        "-".to_owned()
                    } else {
                        format!("{:.2}", self.growth_over_floor(clock, t, kind))
                    };
                    format!(
                        "{ns:>8.1} {:>8.1} {:>7.2} {floor:>7}",
                        self.added(clock, t, kind),
                        self.growth(clock, t, kind),
                    )
                };
                println!(
                    "  {t:>3} {:<44} {}   {}",
                    kind.label(),
                    cols(Clock::ThreadTime),
                    cols(Clock::Cpu)
                );
            }
        }
        if self.threads.contains(&2) {
            // A ratio of differences that is not positive (or NaN) means the load
            // on the machine swamped the added cost: no verdict.
            let pass = |r: f64, bar: f64| {
                if r.is_nan() || r <= 0.0 {
                    "no verdict (noise: an added cost not above 0)"
                } else if r <= bar {
                    "pass"
                } else {
                    "FAIL"
                }
            };
            let growth = self.growth(Clock::ThreadTime, 2, Kind::Wrap);
            let over = self.growth_over_floor(Clock::ThreadTime, 2, Kind::Wrap);
            println!(
                "  Bars at 2 threads, on thread-time (CPU time beside it): (b) xT/1 {growth:.2} {} \
                 (<= {TWO_THREAD_BAR}, issue 3; CPU {:.2}); (b) /floor {over:.2} {} (<= {GROWTH_BAR}, \
                 issue 11; CPU {:.2}).",
                pass(growth, TWO_THREAD_BAR),
                self.growth(Clock::Cpu, 2, Kind::Wrap),
                pass(over, GROWTH_BAR),
                self.growth_over_floor(Clock::Cpu, 2, Kind::Wrap),
            );
        }
    }
}
