//! Cooperative-budget adapters built on [`task_coop`]: the tokio bridge
//! (feature `tokio`) and futures-rs adapters (feature `futures`).
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
mod tokio_bridge;
#[cfg(feature = "tokio")]
pub use tokio_bridge::{unconstrained, CoopCompat, Unconstrained};
