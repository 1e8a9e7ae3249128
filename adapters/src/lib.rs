//! Cooperative-budget adapters built on [`task_coop`]: the tokio bridge
//! (feature `tokio`) and futures-rs adapters (feature `futures`).
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
