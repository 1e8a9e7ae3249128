//! `coop-compat`: one cooperative scheduling budget for async tasks on every
//! runtime.
//!
//! This facade re-exports [`task_coop`] (the proposed `std::task::coop` API on
//! stable Rust) at its root, and the adapters of [`coop_adapters`]. See the
//! README for the two commands that get you started and MIGRATION.md for
//! moving from `tokio::task::coop`.
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use task_coop::*;

pub use coop_adapters;

/// The tokio bridge (feature `tokio`): [`CoopCompat`] runs a future with one
/// budget shared by tokio's types and Context-based primitives on any
/// executor; [`unconstrained`] turns off both budgets. (Without the feature,
/// `unconstrained` is [`task_coop::unconstrained`], which turns off the
/// Context budget only.)
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use coop_adapters::{unconstrained, CoopCompat, Unconstrained};

/// The code blocks of README.md, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The code blocks of MIGRATION.md, compiled and run as doctests.
#[doc = include_str!("../MIGRATION.md")]
#[cfg(doctest)]
pub struct MigrationDoctests;

pub use coop_adapters::Coop;
#[cfg(feature = "std")]
pub use coop_adapters::{budgeted, Budgeted, CooperativeExt};
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
pub use coop_adapters::{channel, CoopUnordered};
#[cfg(any(feature = "futures", feature = "tokio"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "futures", feature = "tokio"))))]
pub use coop_adapters::{io, CoopIo};
