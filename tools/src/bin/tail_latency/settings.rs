//! The command line: options, `--help` and what the exit status means.

use std::path::PathBuf;
use std::time::Duration;

use crate::scenarios::SCENARIOS;
use crate::tasks::Cost;

/// `--help`: what the tool does, its options, and what its exit status means.
const HELP: &str = "\
usage: tail_latency [--quick] [--bars] [--plot FILE.svg] [--secs S] [--rounds N]
                    [--hogs N] [--work ROUNDS] [--queued N] [--only 1,3,...]
                    [--slice US] [--check-every N]

Measures how late a task that is woken every millisecond gets to run when it
shares one thread with busy tasks that always have work, on tokio,
async-executor and futures' LocalPool, with and without a cooperative budget;
then an executor that queues tasks forced to yield behind freshly woken ones
(as tokio does) beside tokio, and busy tasks whose items cost unevenly under a
budget of units only, of units or a time slice, and tokio's.
Prints what it measured and, in words, what the budget changed.

options:
  --quick         a smoke run: 0.4 s per scenario in 2 rounds, 200 000 queued
                  items per busy task (the default: 3 s in 6 rounds, 1 000 000)
  --bars          also print the project's acceptance bars, each marked pass
                  or FAIL (for the team; they do not change the exit status)
  --plot FILE     write a latency CDF of every scenario to FILE (SVG)
  --secs S        run time of each scenario, all rounds together
  --rounds N      rounds; every scenario runs once per round, in turn
  --hogs N        busy tasks per scenario (default 3)
  --work ROUNDS   xorshift rounds of work per item (default 20)
  --queued N      items queued in each busy task's channel
  --only KEYS     run only these scenarios, e.g. 1,3 (keys: 1 2 3 4a 4b 5a 5b
                  6a 6b 7a 7b 7c; 6a,6b: the deferring executor beside tokio;
                  7a,7b,7c: items of uneven cost)
  --slice US      the time slice of scenario 7b, in microseconds (default 50)
  --check-every N units between clock reads in 7b's slice (default 4)

exit status:
  0  the run completed, and wherever a scenario with a budget was measured
     next to the same one without, the budget made the heartbeat's 99th
     percentile delay at least 10 times shorter. Without a budget that delay
     is about the length of a round (hundreds of milliseconds); with one it
     is tens of microseconds, so a factor of 10 holds on a noisy shared
     machine. With --quick: 0 whenever the run completed (a smoke run judges
     nothing about time).
  1  the budget did not make that delay 10 times shorter somewhere, or no
     heartbeat was recorded (not with --quick)
  2  bad arguments, or the --plot file could not be written
";

/// What one run does.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// A smoke run: shorter, and the exit status judges nothing.
    pub(crate) quick: bool,
    /// Print the team's acceptance bars too.
    pub(crate) bars: bool,
    /// Run time of each scenario, in all rounds together.
    pub(crate) run_for: Duration,
    /// The scenarios run round after round, each for `run_for / rounds`.
    pub(crate) rounds: u32,
    pub(crate) hogs: usize,
    pub(crate) queued: usize,
    pub(crate) work_rounds: u32,
    pub(crate) plot: Option<PathBuf>,
    /// Scenario keys to run (all if empty).
    pub(crate) only: Vec<String>,
    /// Scenario 7b's time slice, and units between its clock reads.
    pub(crate) slice: Duration,
    pub(crate) check_every: u8,
    /// What items cost in the uneven scenarios (calibrated in `main`, when
    /// one of them runs).
    pub(crate) uneven: Option<Cost>,
}

impl Settings {
    /// The settings the command line asks for; exits with `--help`'s text
    /// (status 0) or a usage error (status 2).
    pub(crate) fn from_args() -> Self {
        let mut settings = Settings {
            quick: false,
            bars: false,
            run_for: Duration::from_secs(3),
            rounds: 6,
            hogs: 3,
            queued: 1_000_000,
            work_rounds: 20,
            plot: None,
            only: Vec::new(),
            slice: Duration::from_micros(50),
            check_every: 4,
            uneven: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .unwrap_or_else(|| usage(&format!("{name} needs a value")))
            };
            match arg.as_str() {
                "--quick" => {
                    settings.quick = true;
                    settings.run_for = Duration::from_millis(400);
                    settings.rounds = 2;
                    settings.queued = 200_000;
                }
                "--bars" => settings.bars = true,
                "--plot" => settings.plot = Some(PathBuf::from(value("--plot"))),
                "--secs" => {
                    let secs: f64 = parse(&value("--secs"), "--secs");
                    settings.run_for = Duration::try_from_secs_f64(secs)
                        .unwrap_or_else(|_| usage(&format!("--secs: {secs} is not a duration")));
                }
                "--hogs" => settings.hogs = parse(&value("--hogs"), "--hogs"),
                "--rounds" => settings.rounds = parse(&value("--rounds"), "--rounds"),
                "--work" => settings.work_rounds = parse(&value("--work"), "--work"),
                "--queued" => settings.queued = parse(&value("--queued"), "--queued"),
                "--only" => {
                    settings.only = value("--only").split(',').map(str::to_owned).collect();
                }
                "--slice" => {
                    settings.slice = Duration::from_micros(parse(&value("--slice"), "--slice"));
                }
                "--check-every" => {
                    settings.check_every = parse(&value("--check-every"), "--check-every");
                }
                "--help" | "-h" => {
                    print!("{HELP}");
                    std::process::exit(0);
                }
                other => usage(&format!("unknown argument {other:?}")),
            }
        }
        if settings.hogs == 0
            || settings.queued == 0
            || settings.rounds == 0
            || settings.check_every == 0
        {
            usage("--hogs, --queued, --rounds and --check-every must be at least 1");
        }
        if settings.run_for.is_zero() {
            usage("--secs must be more than 0");
        }
        let keys: Vec<&str> = SCENARIOS.iter().map(|s| s.key).collect();
        if let Some(key) = settings.only.iter().find(|k| !keys.contains(&k.as_str())) {
            usage(&format!(
                "--only: no scenario {key:?} (keys: {})",
                keys.join(" ")
            ));
        }
        settings
    }
}

fn parse<T: std::str::FromStr>(text: &str, name: &str) -> T {
    text.parse()
        .unwrap_or_else(|_| usage(&format!("{name}: cannot parse {text:?}")))
}

/// A usage error: says what, shows the usage, exits with status 2.
fn usage(problem: &str) -> ! {
    eprintln!("tail_latency: {problem}");
    let usage = HELP.split("\n\n").next().unwrap_or_default();
    eprintln!("{usage}\n(--help says more)");
    std::process::exit(2)
}
