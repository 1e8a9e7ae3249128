//! How a figure is timed (`bench_table`, `thread_scaling`): calibrated runs
//! of about 20 ms, interleaved round after round with the other figures of
//! its section, and ratios taken per round, then their median.

use std::time::Duration;

use crate::median;

/// Wall-clock time per run of each figure.
pub const RUN_TARGET: Duration = Duration::from_millis(20);
/// Interleaved rounds per section.
pub const ROUNDS: usize = 21;

/// One figure: what to run for `iters` operations.
pub struct Figure<'a> {
    /// The row label.
    pub label: String,
    /// Runs `iters` operations and returns the time they took.
    pub run: Box<dyn FnMut(u64) -> Duration + 'a>,
    /// Operations per run, from the calibration.
    pub iters: u64,
    /// ns per operation, one per round.
    pub samples: Vec<f64>,
}

impl std::fmt::Debug for Figure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Figure")
            .field("label", &self.label)
            .field("iters", &self.iters)
            .field("samples", &self.samples)
            .finish_non_exhaustive()
    }
}

impl<'a> Figure<'a> {
    /// A figure that runs `run` (not yet calibrated).
    pub fn new(label: impl Into<String>, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Figure {
            label: label.into(),
            run: Box::new(run),
            iters: 0,
            samples: Vec::new(),
        }
    }

    /// Finds `iters` for about `RUN_TARGET` per run (this is the warm-up).
    pub fn calibrate(&mut self) {
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

    /// One round: one run of `iters` operations, its ns per operation kept.
    pub fn sample(&mut self) {
        let took = (self.run)(self.iters);
        self.samples
            .push(took.as_secs_f64() * 1e9 / self.iters as f64);
    }

    /// The median of the rounds' ns per operation.
    pub fn median(&self) -> f64 {
        median(self.samples.clone())
    }
}

/// Calibrates, then runs `ROUNDS` interleaved rounds of every figure.
pub fn measure(figures: &mut [Figure<'_>]) {
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
pub fn median_ratio(figures: &[Figure<'_>], f: impl Fn(&[f64]) -> f64) -> f64 {
    let rounds = figures[0].samples.len();
    median(
        (0..rounds)
            .map(|r| f(&figures.iter().map(|fig| fig.samples[r]).collect::<Vec<_>>()))
            .collect(),
    )
}
