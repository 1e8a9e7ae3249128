//! Cooperative-budget adapters built on [`task_coop`], so that code you
//! already have takes part in the task's budget without calling
//! `poll_cooperate` by hand.
//!
//! | item | feature | what it does |
//! |---|---|---|
//! | `budgeted`, `Budgeted` | `std` | the spawn-time wrapper: a budget for each poll of a task, on executors without one; with `tokio`, for tokio's types too |
//! | `CoopCompat` | `tokio` | runs a future with one budget shared by tokio's types and Context-based primitives, on any executor, in a tokio runtime of your choice; tokio's timers, IO and spawn work inside |
//! | [`Coop`], [`cooperative()`], `.cooperative()` | | one unit per completed future, stream item, or sink send |
//! | `channel` | `futures` | futures-rs channels whose receivers and bounded senders are cooperative |
//! | `CoopIo` | `futures` or `tokio` | cooperative `AsyncRead`/`AsyncWrite`/`AsyncBufRead`, converting between the tokio and futures-io traits |
//! | `CoopUnordered` | `futures` | a `FuturesUnordered` whose children share the task's budget and which stops when it is spent |
//!
//! Most applications use these through the facade crate `coop-compat`.
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
mod tokio_bridge;
#[cfg(feature = "tokio")]
pub use tokio_bridge::CoopCompat;

#[cfg(feature = "std")]
pub mod budgeted;
pub mod coop;
#[cfg(feature = "std")]
pub mod ext;
#[cfg(feature = "std")]
pub mod tracking;
#[cfg(feature = "std")]
pub use budgeted::{budgeted, Budgeted};
pub use coop::{cooperative, Coop};
#[cfg(feature = "std")]
pub use ext::CooperativeExt;
#[cfg(feature = "std")]
pub use tracking::{Settings, Tracked, Units, Untracked};
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
pub mod channel;
#[cfg(any(feature = "futures", feature = "tokio"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "futures", feature = "tokio"))))]
pub mod io;
#[cfg(any(feature = "futures", feature = "tokio"))]
pub use io::CoopIo;
#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
pub mod unordered;
#[cfg(feature = "futures")]
pub use unordered::CoopUnordered;
