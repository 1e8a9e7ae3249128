//! How a figure is timed: calibrated runs of about 20 ms, interleaved round
//! after round with the other figures of its section, and ratios taken per
//! round, then their median.

use std::time::Duration;

use coop_tools::median;

/// Wall-clock time per run of each figure.
pub(crate) const RUN_TARGET: Duration = Duration::from_millis(20);
/// Interleaved rounds per section.
pub(crate) const ROUNDS: usize = 21;

/// One figure: what to run for `iters` operations.
pub(crate) struct Figure<'a> {
    pub(crate) label: String,
    pub(crate) run: Box<dyn FnMut(u64) -> Duration + 'a>,
    pub(crate) iters: u64,
    /// ns per operation, one per round.
    pub(crate) samples: Vec<f64>,
}

impl<'a> Figure<'a> {
    pub(crate) fn new(label: impl Into<String>, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Figure {
            label: label.into(),
            run: Box::new(run),
            iters: 0,
            samples: Vec::new(),
        }
    }

    /// Finds `iters` for about `RUN_TARGET` per run (this is the warm-up).
    pub(crate) fn calibrate(&mut self) {
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

    pub(crate) fn sample(&mut self) {
        let took = (self.run)(self.iters);
        self.samples
            .push(took.as_secs_f64() * 1e9 / self.iters as f64);
    }

    pub(crate) fn median(&self) -> f64 {
        median(self.samples.clone())
    }
}

/// Calibrates, then runs `ROUNDS` interleaved rounds of every figure.
pub(crate) fn measure(figures: &mut [Figure<'_>]) {
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
pub(crate) fn median_ratio(figures: &[Figure<'_>], f: impl Fn(&[f64]) -> f64) -> f64 {
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
pub(crate) fn cpu_ratio(cpu: &[std::cell::RefCell<Vec<f64>>], f: impl Fn(&[f64]) -> f64) -> f64 {
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
