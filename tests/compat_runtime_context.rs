//! Inside `CoopCompat` on a foreign executor, with no tokio runtime built by
//! the user: `tokio::time::sleep`, a TCP exchange on 127.0.0.1 and
//! `tokio::spawn(..).await` work (the global runtime drives them).
#![cfg(feature = "tokio")]

mod support;

use std::time::Duration;

use coop_compat::CoopCompat;
use support::Executor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn sleep_tcp_and_spawn() -> (u32, Vec<u8>) {
    tokio::time::sleep(Duration::from_millis(2)).await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4];
        socket.read_exact(&mut request).await.unwrap();
        socket.write_all(b"pong").await.unwrap();
        request
    });
    let mut client = TcpStream::connect(address).await.unwrap();
    client.write_all(b"ping").await.unwrap();
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).await.unwrap();
    assert_eq!(&server.await.unwrap(), b"ping");

    let spawned = tokio::spawn(async { 40 + 2 }).await.unwrap();
    (spawned, reply)
}

#[test]
fn under_futures_block_on() {
    let (spawned, reply) = futures::executor::block_on(CoopCompat::wrap(sleep_tcp_and_spawn()));
    assert_eq!(spawned, 42);
    assert_eq!(reply, b"pong");
}

#[test]
fn on_async_executor() {
    for exec in [
        Executor::AsyncExecutorOneThread,
        Executor::AsyncExecutorTwoThreads,
    ] {
        let (spawned, reply) = exec.run(CoopCompat::wrap(sleep_tcp_and_spawn()));
        assert_eq!(spawned, 42, "{exec:?}");
        assert_eq!(reply, b"pong", "{exec:?}");
    }
}

#[test]
fn with_a_supplied_handle() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    let ran_on = futures::executor::block_on(CoopCompat::with_handle(
        async {
            tokio::spawn(async { tokio::runtime::Handle::current().id() })
                .await
                .unwrap()
        },
        handle.clone(),
    ));
    assert_eq!(ran_on, handle.id(), "spawned on the supplied runtime");
}

#[test]
fn the_ambient_runtime_wins_over_the_global_one() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _entered = rt.enter();
    let ran_on = futures::executor::block_on(CoopCompat::wrap(async {
        tokio::spawn(async { tokio::runtime::Handle::current().id() })
            .await
            .unwrap()
    }));
    assert_eq!(ran_on, rt.handle().id());
}
