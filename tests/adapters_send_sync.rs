//! Auto traits of the adapters: each is `Send`/`Sync`/`Unpin` exactly when
//! what it wraps is.
#![cfg(all(feature = "tokio", feature = "futures"))]

use std::future::Future;
use std::pin::Pin;

use coop_compat::io::{FromFutures, FromTokio};
use coop_compat::{channel, Budgeted, Coop, CoopIo, CoopUnordered};

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}

type SendFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

#[test]
fn channels_are_send_sync_unpin() {
    send::<channel::CoopReceiver<u32>>();
    sync::<channel::CoopReceiver<u32>>();
    unpin::<channel::CoopReceiver<u32>>();
    send::<channel::CoopUnboundedReceiver<u32>>();
    sync::<channel::CoopUnboundedReceiver<u32>>();
    send::<channel::CoopOneshotReceiver<u32>>();
    sync::<channel::CoopOneshotReceiver<u32>>();
    unpin::<channel::CoopOneshotReceiver<u32>>();
    send::<channel::CoopSender<u32>>();
    sync::<channel::CoopSender<u32>>();
    unpin::<channel::CoopSender<u32>>();
}

#[test]
fn wrappers_follow_what_they_wrap() {
    send::<Coop<SendFuture>>();
    unpin::<Coop<SendFuture>>();
    send::<CoopIo<tokio::io::DuplexStream, FromTokio>>();
    sync::<CoopIo<tokio::io::DuplexStream, FromTokio>>();
    unpin::<CoopIo<tokio::io::DuplexStream, FromTokio>>();
    send::<CoopIo<futures::io::Cursor<Vec<u8>>, FromFutures>>();
    sync::<CoopIo<futures::io::Cursor<Vec<u8>>, FromFutures>>();
    send::<CoopUnordered<SendFuture>>();
    unpin::<CoopUnordered<SendFuture>>();
}

#[test]
fn budgeted_tasks_can_be_spawned_on_work_stealing_executors() {
    send::<Budgeted<SendFuture>>();
    unpin::<Budgeted<SendFuture>>();
    sync::<Budgeted<std::future::Ready<()>>>();
}
