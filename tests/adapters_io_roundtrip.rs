//! Acceptance: `CoopIo` carries an echo round trip through a tokio
//! `TcpStream` pair on 127.0.0.1 and through `tokio::io::duplex`, driven by
//! futures-io code on async-executor, and every task is charged exactly one
//! unit per read or write that moved bytes or hit the end of file.
#![cfg(all(feature = "tokio", feature = "futures"))]

mod support;

use coop_compat::CoopIo;
use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use support::{metered, Counter, CountingIo};

/// 256 KiB that no misordering could reproduce.
fn payload() -> Vec<u8> {
    (0..256 * 1024).map(|i: u32| (i % 251) as u8).collect()
}

/// Echoes what it reads, in chunks of up to 1000 bytes, until end of file;
/// then closes its side.
async fn echo(mut stream: impl AsyncRead + AsyncWrite + Unpin) {
    let mut buf = [0; 1000];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        stream.write_all(&buf[..n]).await.unwrap();
    }
    stream.close().await.unwrap();
}

/// Runs an echo round trip of `payload()` on one async-executor thread: the
/// server echoes on `server`; the client writes from one task and reads back
/// from another (the halves of `client`). Each task runs under a `Budget`
/// whose spent units are logged, and each side's inner object counts the
/// calls that made progress. Returns the bytes read back.
fn round_trip<C, S>(client: C, server: S) -> Vec<u8>
where
    C: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (client_calls, server_calls) = (Counter::default(), Counter::default());
    let client = CoopIo::from_tokio(CountingIo::new(client, &client_calls));
    let server = CoopIo::from_tokio(CountingIo::new(server, &server_calls));
    let (mut from_server, mut to_server) = client.split();

    let (server_task, server_log) = metered(echo(server));
    let (writer_task, writer_log) = metered(async move {
        to_server.write_all(&payload()).await.unwrap();
        to_server.close().await.unwrap();
    });
    let (reader_task, reader_log) = metered(async move {
        let mut back = Vec::new();
        from_server.read_to_end(&mut back).await.unwrap();
        back
    });

    let executor = async_executor::Executor::new();
    let server_task = executor.spawn(server_task);
    let writer_task = executor.spawn(writer_task);
    let reader_task = executor.spawn(reader_task);
    let back = futures::executor::block_on(executor.run(async {
        server_task.await;
        writer_task.await;
        reader_task.await
    }));

    assert_eq!(
        server_log.total_spent(),
        server_calls.get(),
        "server: one unit per call that made progress"
    );
    assert_eq!(
        writer_log.total_spent() + reader_log.total_spent(),
        client_calls.get(),
        "client: one unit per call that made progress"
    );
    // At least 263 reads with data (up to 1000 bytes each), one at the end
    // of file, and one write per read with data.
    assert!(
        server_calls.get() >= 263 + 1 + 263,
        "server calls: {}",
        server_calls.get()
    );
    back
}

#[test]
fn round_trip_through_tokio_tcp_on_async_executor() {
    // The sockets need tokio's reactor: a runtime whose worker drives it.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .build()
        .unwrap();
    let (client, server) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) =
            tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    });
    assert_eq!(round_trip(client, server), payload());
    drop(rt);
}

#[test]
fn round_trip_through_tokio_duplex_on_async_executor() {
    // No reactor needed. A small pipe, so that both sides wait for each other.
    let (client, server) = tokio::io::duplex(4096);
    assert_eq!(round_trip(client, server), payload());
}
