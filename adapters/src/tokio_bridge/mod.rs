//! The bridge between tokio's thread-local budget and the Context budget of
//! [`task_coop`], in both directions (feature `tokio`).
//!
//! * tokio to Context: [`task_coop::TokioBudget`] answers `poll_cooperate`
//!   from tokio's budget, and is what `poll_cooperate` falls back to when no
//!   provider is installed. So a Context-based primitive polled inside a tokio
//!   task shares that task's budget with no wrapper at all.
//! * Context to tokio: [`scope`] polls a future, on any executor, inside a
//!   tokio budget scope, with tokio's runtime context entered; tokio's sync
//!   types and Context-based primitives inside draw from that one budget.
//!   [`CoopCompat`] and, with this feature, [`Budgeted`](crate::Budgeted) poll
//!   through it.
//!
//! What can go wrong is written on [`scope`]: the costs of opening a tokio
//! budget scope per poll, and which runtime spawned tasks go to.

mod budget_probe;
mod compat;
mod runtime;
pub(crate) mod scope;

pub use compat::CoopCompat;
