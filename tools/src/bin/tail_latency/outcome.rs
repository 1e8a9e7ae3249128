//! What a scenario measured, round by round and pooled.

use std::time::Duration;

use coop_tools::median;

use crate::scenarios::Scenario;

/// What one scenario measured.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) scenario: Scenario,
    /// Sorted.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) items: u64,
    pub(crate) hog_time: Duration,
    pub(crate) forced_yields: u64,
    /// Forced yields ended by the time slice (the deferring executor's
    /// `Budget` metrics; 0 elsewhere).
    pub(crate) slice_yields: u64,
    /// The executor thread's time on a CPU and waiting for one (runnable but
    /// preempted) during the run, where the OS tells (Linux).
    pub(crate) thread: Option<ThreadTimes>,
    /// Hog items per CPU-second (wall-clock second if the OS does not tell)
    /// in each round.
    pub(crate) round_rates: Vec<f64>,
    /// The probe's p99 in each round on its own.
    pub(crate) round_p99s: Vec<Duration>,
}

impl Outcome {
    pub(crate) fn percentile(&self, q: f64) -> Duration {
        percentile(&self.latencies, q)
    }

    pub(crate) fn p99(&self) -> Duration {
        self.percentile(0.99)
    }

    /// The median of the rounds' own p99s. A burst of noise from another
    /// process (tens of milliseconds on a shared machine) makes tens of pings
    /// late in one round; pooled, those alone can set the p99 of 3,000
    /// pings. This figure shows the scenario with such a round set aside.
    pub(crate) fn round_median_p99(&self) -> Duration {
        let secs = median(self.round_p99s.iter().map(Duration::as_secs_f64).collect());
        Duration::from_secs_f64(if secs.is_nan() { 0.0 } else { secs })
    }

    /// Items per second of wall-clock time.
    pub(crate) fn throughput(&self) -> f64 {
        self.items as f64 / self.hog_time.as_secs_f64()
    }

    /// Items per second the executor thread spent on a CPU: the work the
    /// budget costs, without the time other processes took the CPU away.
    /// Falls back to wall-clock time where the OS does not tell.
    pub(crate) fn cpu_throughput(&self) -> f64 {
        match self.thread {
            Some(t) if !t.on_cpu.is_zero() => self.items as f64 / t.on_cpu.as_secs_f64(),
            _ => self.throughput(),
        }
    }
}

/// Time a thread spent running and waiting to run, from
/// `/proc/thread-self/schedstat` (nanoseconds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ThreadTimes {
    pub(crate) on_cpu: Duration,
    pub(crate) waiting: Duration,
}

impl ThreadTimes {
    pub(crate) fn now() -> Option<Self> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        let on_cpu = fields.next()?.ok()?;
        let waiting = fields.next()?.ok()?;
        Some(ThreadTimes {
            on_cpu: Duration::from_nanos(on_cpu),
            waiting: Duration::from_nanos(waiting),
        })
    }

    pub(crate) fn since(self, earlier: Self) -> Self {
        ThreadTimes {
            on_cpu: self.on_cpu.saturating_sub(earlier.on_cpu),
            waiting: self.waiting.saturating_sub(earlier.waiting),
        }
    }

    pub(crate) fn plus(self, other: Self) -> Self {
        ThreadTimes {
            on_cpu: self.on_cpu + other.on_cpu,
            waiting: self.waiting + other.waiting,
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub(crate) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What one round of a scenario measured.
pub(crate) struct Segment {
    pub(crate) latencies: Vec<Duration>,
    pub(crate) items: u64,
    pub(crate) hog_time: Duration,
    pub(crate) forced_yields: u64,
    pub(crate) slice_yields: u64,
    pub(crate) thread: Option<ThreadTimes>,
}

impl Outcome {
    pub(crate) fn new(scenario: Scenario) -> Self {
        Outcome {
            scenario,
            latencies: Vec::new(),
            items: 0,
            hog_time: Duration::ZERO,
            forced_yields: 0,
            slice_yields: 0,
            thread: Some(ThreadTimes {
                on_cpu: Duration::ZERO,
                waiting: Duration::ZERO,
            }),
            round_rates: Vec::new(),
            round_p99s: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, segment: Segment) {
        let secs = match segment.thread {
            Some(t) if !t.on_cpu.is_zero() => t.on_cpu,
            _ => segment.hog_time,
        };
        self.round_rates
            .push(segment.items as f64 / secs.as_secs_f64().max(1e-9));
        let mut round = segment.latencies;
        round.sort_unstable();
        self.round_p99s.push(percentile(&round, 0.99));
        self.latencies.extend(round);
        self.latencies.sort_unstable();
        self.items += segment.items;
        self.hog_time += segment.hog_time;
        self.forced_yields += segment.forced_yields;
        self.slice_yields += segment.slice_yields;
        self.thread = self.thread.zip(segment.thread).map(|(a, b)| a.plus(b));
    }
}
