//! `coop-compat`: one cooperative scheduling budget for async tasks on every
//! runtime.
//!
//! This facade re-exports, at its root, the `task-coop` crate (the proposed
//! `std::task::coop` API on stable Rust: [`Cooperation`], [`ContextExt`],
//! [`Budget`], ...) and the adapters of the `coop-adapters` crate
//! ([`budgeted()`], [`CoopCompat`], [`Coop`], [`CoopIo`], [`CoopUnordered`],
//! [`channel`]). `coop_compat::X` is the same item as `task_coop::X` or
//! `coop_adapters::X`: use whichever crate you depend on. A primitive's crate
//! should depend on `task-coop` alone; applications depend on this one.
//!
//! # Features
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `std` | yes | the thread-local fallback, [`budgeted()`], [`CooperativeExt`] |
//! | `tokio` | yes | [`CoopCompat`]; [`budgeted()`] and [`unconstrained()`] reach tokio's own types too; tokio IO in [`CoopIo`]; `poll_cooperate` falling back to tokio's budget |
//! | `futures` | yes | [`channel`], [`CoopUnordered`], futures-io in [`CoopIo`] |
//!
//! Every feature only adds: no item changes its type or loses a method when
//! one is turned on. README.md has the two commands that get you started;
//! MIGRATION.md covers moving from `tokio::task::coop`.
// Links to items of features left out point at the feature table instead,
// so that the docs build without broken links in every feature set.
#![doc = ""]
#![cfg_attr(feature = "std", doc = "[`Budget`]: crate::Budget")]
#![cfg_attr(not(feature = "std"), doc = "[`Budget`]: crate#features")]
#![cfg_attr(feature = "std", doc = "[`budgeted()`]: crate::budgeted()")]
#![cfg_attr(not(feature = "std"), doc = "[`budgeted()`]: crate#features")]
#![cfg_attr(feature = "std", doc = "[`CooperativeExt`]: crate::CooperativeExt")]
#![cfg_attr(not(feature = "std"), doc = "[`CooperativeExt`]: crate#features")]
#![cfg_attr(feature = "tokio", doc = "[`CoopCompat`]: crate::CoopCompat")]
#![cfg_attr(not(feature = "tokio"), doc = "[`CoopCompat`]: crate#features")]
#![cfg_attr(
    any(feature = "futures", feature = "tokio"),
    doc = "[`CoopIo`]: crate::CoopIo"
)]
#![cfg_attr(
    not(any(feature = "futures", feature = "tokio")),
    doc = "[`CoopIo`]: crate#features"
)]
#![cfg_attr(feature = "futures", doc = "[`CoopUnordered`]: crate::CoopUnordered")]
#![cfg_attr(not(feature = "futures"), doc = "[`CoopUnordered`]: crate#features")]
#![cfg_attr(feature = "futures", doc = "[`channel`]: crate::channel")]
#![cfg_attr(not(feature = "futures"), doc = "[`channel`]: crate#features")]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use task_coop::*;

/// The adapters crate, whole.
pub use coop_adapters;

// The tokio bridge.
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use coop_adapters::CoopCompat;

// Executor integration and the generic cooperative wrappers.
#[cfg(feature = "std")]
pub use coop_adapters::{budgeted, Budgeted, CooperativeExt, Settings, Tracked, Units, Untracked};
pub use coop_adapters::{cooperative, Coop};

// futures-rs adapters.
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
pub use coop_adapters::{channel, CoopUnordered};

// Cooperative IO, converting between the tokio and futures-io traits.
#[cfg(any(feature = "futures", feature = "tokio"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "futures", feature = "tokio"))))]
pub use coop_adapters::{io, CoopIo};

/// The code blocks of README.md, compiled and run as doctests.
#[doc = include_str!("../README.md")]
// Their code uses every feature (the facade's defaults).
#[cfg(all(doctest, feature = "tokio", feature = "futures"))]
pub struct ReadmeDoctests;

/// The code blocks of MIGRATION.md, compiled and run as doctests.
#[doc = include_str!("../MIGRATION.md")]
// Their code uses every feature (the facade's defaults).
#[cfg(all(doctest, feature = "tokio", feature = "futures"))]
pub struct MigrationDoctests;
