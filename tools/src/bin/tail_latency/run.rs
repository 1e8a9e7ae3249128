//! Runs a scenario's round on its executor, and every scenario round after
//! round.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::task::LocalSpawnExt;
use futures::FutureExt;

use coop_compat::{Budget, TimeSlice};
use coop_tools::deferring::DeferringExecutor;

use crate::outcome::{Outcome, Segment, ThreadTimes};
use crate::scenarios::{BudgetKind, Items, Runner, Scenario};
use crate::settings::Settings;
use crate::tasks::{make_hog, probe, wrap, Cost, CountPending, Ends, HogDone, Pinger};

pub(crate) type HogTask = BoxFuture<'static, (HogDone, u64)>;

/// Runs one round of a scenario on the current thread, for `run_for`; gives
/// the hogs' channels back for the next round.
pub(crate) fn run_segment(
    scenario: Scenario,
    ends: Vec<Ends>,
    run_for: Duration,
    settings: &Settings,
) -> (Segment, Vec<Ends>) {
    let (pinger, pings) = Pinger::new();
    let probe_task = wrap(scenario.wrap, probe(pings).boxed());
    let cost = match scenario.items {
        Items::Even => Cost::even(settings.work_rounds),
        Items::Uneven => settings.uneven.expect("calibrated in main"),
    };
    let mut slice_yields = 0;
    let hogs: Vec<HogTask> = ends
        .into_iter()
        .map(|ends| {
            let hog = make_hog(ends, pinger.stop.clone(), cost);
            CountPending {
                inner: wrap(scenario.wrap, hog),
                pending: 0,
            }
            .boxed()
        })
        .collect();

    let start;
    let times;
    let pinger_thread;
    let (latencies, hogs_done): (Vec<Duration>, Vec<(HogDone, u64)>) = match scenario.runner {
        Runner::TokioCurrentThread => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("build a tokio runtime");
            // The probe first, so that it has registered before the hogs run.
            let probe = rt.spawn(probe_task);
            let hogs: Vec<_> = hogs.into_iter().map(|hog| rt.spawn(hog)).collect();
            (start, times) = (Instant::now(), ThreadTimes::now());
            pinger_thread = pinger.start(run_for);
            rt.block_on(async {
                let mut done = Vec::new();
                for hog in hogs {
                    done.push(hog.await.expect("hog task"));
                }
                (probe.await.expect("probe task"), done)
            })
        }
        Runner::AsyncExecutor => {
            let ex = async_executor::LocalExecutor::new();
            let probe = ex.spawn(probe_task);
            let hogs: Vec<_> = hogs.into_iter().map(|hog| ex.spawn(hog)).collect();
            (start, times) = (Instant::now(), ThreadTimes::now());
            pinger_thread = pinger.start(run_for);
            futures::executor::block_on(ex.run(async {
                let mut done = Vec::new();
                for hog in hogs {
                    done.push(hog.await);
                }
                (probe.await, done)
            }))
        }
        Runner::LocalPool => {
            let mut pool = futures::executor::LocalPool::new();
            let spawner = pool.spawner();
            let probe = spawner
                .spawn_local_with_handle(probe_task)
                .expect("spawn on LocalPool");
            let hogs: Vec<_> = hogs
                .into_iter()
                .map(|hog| {
                    spawner
                        .spawn_local_with_handle(hog)
                        .expect("spawn on LocalPool")
                })
                .collect();
            (start, times) = (Instant::now(), ThreadTimes::now());
            pinger_thread = pinger.start(run_for);
            pool.run_until(async {
                let mut done = Vec::new();
                for hog in hogs {
                    done.push(hog.await);
                }
                (probe.await, done)
            })
        }
        Runner::Deferring(kind) => {
            let budget = match kind {
                BudgetKind::Units => Budget::new(),
                BudgetKind::TimeSlice => Budget::with_time_slice(
                    Budget::DEFAULT_UNITS,
                    TimeSlice::new(settings.slice).check_every(settings.check_every),
                ),
            };
            let mut ex = DeferringExecutor::new(budget);
            let probe = ex.spawn(probe_task);
            let hogs: Vec<_> = hogs.into_iter().map(|hog| ex.spawn(hog)).collect();
            (start, times) = (Instant::now(), ThreadTimes::now());
            pinger_thread = pinger.start(run_for);
            ex.run();
            slice_yields = ex.metrics().slice_yields;
            const DONE: &str = "run returns when every task completed";
            (
                probe.take().expect(DONE),
                hogs.iter().map(|hog| hog.take().expect(DONE)).collect(),
            )
        }
    };
    let thread = times
        .zip(ThreadTimes::now())
        .map(|(before, after)| after.since(before));
    pinger_thread.join().expect("pinger thread");

    let last = hogs_done
        .iter()
        .map(|(done, _)| done.finished)
        .max()
        .unwrap_or(start);
    let segment = Segment {
        latencies,
        items: hogs_done.iter().map(|(done, _)| done.items).sum(),
        hog_time: last.saturating_duration_since(start),
        forced_yields: hogs_done.iter().map(|(_, pending)| pending).sum(),
        slice_yields,
        thread,
    };
    let ends = hogs_done.into_iter().map(|(done, _)| done.ends).collect();
    (segment, ends)
}

/// Runs every scenario of `scenarios`, round after round, each round on a
/// fresh executor, so that load from other processes, which comes and goes,
/// falls on every scenario alike. Every channel is filled once, up front.
pub(crate) fn run_all(scenarios: &[Scenario], settings: &Settings) -> Vec<Outcome> {
    let mut channels: Vec<Vec<Ends>> = scenarios
        .iter()
        .map(|s| {
            (0..settings.hogs)
                .map(|_| Ends::filled(s.source, settings.queued))
                .collect()
        })
        .collect();
    let mut outcomes: Vec<Outcome> = scenarios.iter().map(|&s| Outcome::new(s)).collect();
    let segment = settings.run_for / settings.rounds;
    for _ in 0..settings.rounds {
        for (i, &scenario) in scenarios.iter().enumerate() {
            let ends = std::mem::take(&mut channels[i]);
            let (measured, ends) = run_segment(scenario, ends, segment, settings);
            channels[i] = ends;
            outcomes[i].add(measured);
        }
    }
    outcomes
}
