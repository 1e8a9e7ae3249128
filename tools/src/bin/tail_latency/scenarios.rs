//! The scenarios: which executor, which channel the busy tasks drain, and
//! what every task is wrapped in.

/// The executor a scenario runs on (always one thread).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Runner {
    TokioCurrentThread,
    AsyncExecutor,
    LocalPool,
    /// `coop_tools::deferring`: one `Budget` for the thread, forced wakes
    /// taken over by the executor and queued behind woken tasks.
    Deferring(BudgetKind),
}

/// The budget the deferring executor installs for each task poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BudgetKind {
    /// `Budget::new()`: 128 units.
    Units,
    /// `Budget::with_time_slice(128, TimeSlice::new(--slice))`: 128 units
    /// or the slice, whichever comes first.
    TimeSlice,
}

/// What an item costs a hog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Items {
    /// `--work` xorshift rounds each.
    Even,
    /// About 1 µs of work each, and 1 item in 100 (chosen by a hash of the
    /// item) about 100 µs: calibrated at start (`tasks::Cost`).
    Uneven,
}

/// What each task (busy tasks and heartbeat alike) is wrapped in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wrap {
    Nothing,
    /// `coop_compat::CoopCompat::wrap`: tokio's budget on any executor.
    CoopCompat,
    /// `coop_adapters::budgeted`: a `task_coop::Budget` of 128 per poll.
    Budgeted,
}

/// What the busy tasks drain.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source {
    /// `tokio::sync::mpsc::unbounded_channel` (budgeted by tokio's budget).
    Tokio,
    /// `futures::channel::mpsc::unbounded`, knows nothing about budgets.
    Futures,
    /// The same channel through this project's adapter
    /// (`coop_adapters::channel::unbounded`): one unit per item.
    CoopFutures,
}

/// One way of running the same workload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scenario {
    /// What `--only` selects it by.
    pub(crate) key: &'static str,
    pub(crate) name: &'static str,
    pub(crate) runner: Runner,
    pub(crate) wrap: Wrap,
    pub(crate) source: Source,
    pub(crate) items: Items,
}

const fn scenario(
    key: &'static str,
    name: &'static str,
    runner: Runner,
    wrap: Wrap,
    source: Source,
) -> Scenario {
    Scenario {
        key,
        name,
        runner,
        wrap,
        source,
        items: Items::Even,
    }
}

/// A scenario whose hogs' items have uneven costs ([`Items::Uneven`]).
const fn uneven(mut scenario: Scenario) -> Scenario {
    scenario.items = Items::Uneven;
    scenario
}

/// Every scenario, in the order they run in each round.
pub(crate) const SCENARIOS: [Scenario; 12] = [
    scenario(
        "1",
        "tokio current_thread (tokio's budget)",
        Runner::TokioCurrentThread,
        Wrap::Nothing,
        Source::Tokio,
    ),
    scenario(
        "2",
        "async-executor, no budget",
        Runner::AsyncExecutor,
        Wrap::Nothing,
        Source::Tokio,
    ),
    scenario(
        "3",
        "async-executor + CoopCompat::wrap",
        Runner::AsyncExecutor,
        Wrap::CoopCompat,
        Source::Tokio,
    ),
    scenario(
        "4a",
        "LocalPool, no budget",
        Runner::LocalPool,
        Wrap::Nothing,
        Source::Tokio,
    ),
    scenario(
        "4b",
        "LocalPool + CoopCompat::wrap",
        Runner::LocalPool,
        Wrap::CoopCompat,
        Source::Tokio,
    ),
    scenario(
        "5a",
        "async-executor, futures channel",
        Runner::AsyncExecutor,
        Wrap::Nothing,
        Source::Futures,
    ),
    scenario(
        "5b",
        "async-executor, coop channel + budgeted",
        Runner::AsyncExecutor,
        Wrap::Budgeted,
        Source::CoopFutures,
    ),
    // Issue 12: an executor that takes over forced wakes, beside tokio. Both
    // drain the same Context-based channel: on tokio its `poll_cooperate`
    // draws from tokio's budget (128 units, forced wakes on tokio's defer
    // list), on the deferring executor from its `Budget` (128 units).
    scenario(
        "6a",
        "tokio current_thread, coop channel",
        Runner::TokioCurrentThread,
        Wrap::Nothing,
        Source::CoopFutures,
    ),
    scenario(
        "6b",
        "deferring executor, coop channel",
        Runner::Deferring(BudgetKind::Units),
        Wrap::Nothing,
        Source::CoopFutures,
    ),
    // The same with items of uneven cost: units only, units or a time
    // slice, and tokio.
    uneven(scenario(
        "7a",
        "uneven items: deferring, 128 units",
        Runner::Deferring(BudgetKind::Units),
        Wrap::Nothing,
        Source::CoopFutures,
    )),
    uneven(scenario(
        "7b",
        "uneven items: deferring, units or slice",
        Runner::Deferring(BudgetKind::TimeSlice),
        Wrap::Nothing,
        Source::CoopFutures,
    )),
    uneven(scenario(
        "7c",
        "uneven items: tokio current_thread",
        Runner::TokioCurrentThread,
        Wrap::Nothing,
        Source::CoopFutures,
    )),
];

/// A scenario with a budget, the same one without, and how to say it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Comparison {
    pub(crate) with: &'static str,
    pub(crate) without: &'static str,
    /// "On {runtime}, with {budget}, ...".
    pub(crate) runtime: &'static str,
    pub(crate) budget: &'static str,
}

/// The comparisons the verdict (and the exit status) is made of.
pub(crate) const COMPARISONS: [Comparison; 3] = [
    Comparison {
        with: "3",
        without: "2",
        runtime: "async-executor (tokio channels)",
        budget: "CoopCompat::wrap",
    },
    Comparison {
        with: "4b",
        without: "4a",
        runtime: "futures' LocalPool (tokio channels)",
        budget: "CoopCompat::wrap",
    },
    Comparison {
        with: "5b",
        without: "5a",
        runtime: "async-executor (futures channels)",
        budget: "the cooperative channel adapter + budgeted",
    },
];
