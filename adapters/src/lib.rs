//! Cooperative-budget adapters built on [`task_coop`]: the tokio bridge
//! (feature `tokio`) and futures-rs adapters (feature `futures`).
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
mod tokio_bridge;
#[cfg(feature = "tokio")]
pub use tokio_bridge::{unconstrained, CoopCompat, Unconstrained};

#[cfg(feature = "std")]
pub mod budgeted;
pub mod coop;
#[cfg(feature = "std")]
pub mod ext;
#[cfg(feature = "std")]
pub use budgeted::{budgeted, Budgeted};
pub use coop::Coop;
#[cfg(feature = "std")]
pub use ext::CooperativeExt;
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
