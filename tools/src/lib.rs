//! Helpers shared by the project's measurement tools (`tail_latency`,
//! `bench_table`, `thread_scaling`): statistics, what the machine was doing,
//! how a figure is timed ([`figure`]), the thread-scaling measurement
//! ([`scaling`], with the `tokio` feature) and a one-thread executor that
//! defers forced wakes ([`deferring`], `tail_latency`'s scenarios 6 and 7).
//! Not published.

pub mod deferring;
pub mod figure;
#[cfg(feature = "tokio")]
pub mod scaling;

/// The median of `values` (NaN if empty); the mean of the middle two for an
/// even count.
pub fn median(mut values: Vec<f64>) -> f64 {
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

/// `2 cores, load average 0.41`: what else the machine had to do, for the
/// first line of a tool's output (`?` where the OS does not tell).
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into());
    format!("{cores} cores, load average {load}")
}
