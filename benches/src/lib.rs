//! The measurements behind the criterion benches (`coop_layers.rs`,
//! `coop_compat_poll.rs`) and `tools/`'s `bench_table`, shared so that both
//! report the same thing. Not published.
//!
//! Every function runs `iters` operations and returns the time they took
//! (criterion's `iter_custom` contract): divide by `iters` for a per-operation
//! figure.
//!
//! # What is compared with what
//!
//! The baseline of the per-operation layers ([`per_op`]) is tokio's own
//! `poll_proceed(cx)` + `made_progress()` inside a tokio task. tokio gives a
//! task 128 units per poll, so a hot loop cannot simply repeat it. Each batch
//! of [`BATCH`] operations is therefore run under an *outer* guard: one more
//! `poll_proceed` whose guard is dropped without progress after the batch,
//! which puts the budget back to what it was before the batch (tokio restores
//! an absolute value). Every budgeted figure is measured the same way (the
//! outer guard is a tokio guard for the tokio-backed provider, a
//! `Cooperation` for `Budget`, whose refund works the same), so each
//! per-operation figure carries the same 1/100 share of one outer
//! take-and-refund. No task yields during a measurement, and nothing but the
//! operations (and that share) is inside the timed region.
//!
//! A compiler barrier (`black_box(())`) separates the operations, so the
//! compiler cannot fold the 100 operations of a batch into one or hoist the
//! budget lookup out of the loop: every call looks up its budget as a
//! primitive's `poll` would.
//!
//! The per-poll layers ([`per_poll`]: `CoopCompat` on `LocalPool` and
//! `async-executor`) time whole executor cycles: a task that does one
//! Context-based operation (`poll_cooperate` + `made_progress`) and wakes
//! itself, polled `iters` times.
//!
//! Each per-operation loop comes in [`COPIES`] copies at different places in
//! the binary ([`placement`]): a figure runs a share of its operations on
//! each, so that it is not the luck of where the linker put one loop.
//!
//! Two figures find a floor through a stable `Context` with a minimal
//! hand-written carrier (`context_floor.rs`, private to this package): what
//! any provider carried in a `Context` must pay per lookup, without being a
//! usable provider ([`context_counter_floor`], [`context_tokio_floor`]).
//!
//! The package's features (`tokio`, `futures`, both on by default) are the
//! facade's: the figures depend on the build.

mod context_floor;
pub mod per_op;
pub mod per_poll;
pub mod placement;

pub use per_op::*;
pub use per_poll::*;
pub use placement::{spread, COPIES};
