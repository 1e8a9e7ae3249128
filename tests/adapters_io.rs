//! `CoopIo`: one unit per read, write or `fill_buf` that made progress (bytes
//! moved, end of file, an error), nothing for a zero-length buffer, a
//! `Pending`, `consume`, flush or close; both IO trait families over both
//! kinds of inner object, on every executor; a forced yield after 128 that
//! wakes the task at once (on tokio-test's mock task).
#![cfg(all(feature = "tokio", feature = "futures"))]

mod support;

use std::future::Future;
use std::io::IoSlice;

use coop_compat::{Budgeted, CoopIo};
use support::{assert_yields, poll_once, units_left, yield_now, Counter, Executor, PollLog};
use tokio_util::compat::TokioAsyncReadCompatExt;

support::tests_on!(
    [every executor]
    futures_traits_over_tokio_object,
    futures_traits_over_futures_object,
    tokio_traits_over_tokio_object,
    tokio_traits_over_futures_object,
);

/// Asserts the units left, naming the operation that got there.
async fn expect(units: u32, after: &str) {
    assert_eq!(units_left().await, Some(units), "after {after}");
}

/// Every operation of the futures-io traits, with the units it takes.
async fn through_futures_traits<W, R, B>(mut writer: W, mut reader: R, mut lines: B)
where
    W: futures::AsyncWrite + Unpin,
    R: futures::AsyncRead + Unpin,
    B: futures::AsyncBufRead + Unpin,
{
    use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

    expect(128, "nothing").await;
    assert_eq!(writer.write(b"ping").await.unwrap(), 4);
    expect(127, "a write").await;
    assert_eq!(writer.write(b"").await.unwrap(), 0);
    expect(127, "a zero-length write").await;
    let two = [IoSlice::new(b""), IoSlice::new(b"!!")];
    assert_eq!(writer.write_vectored(&two).await.unwrap(), 2);
    expect(126, "a vectored write").await;
    assert_eq!(
        writer.write_vectored(&[IoSlice::new(b"")]).await.unwrap(),
        0
    );
    expect(126, "a zero-length vectored write").await;
    writer.flush().await.unwrap();
    expect(126, "a flush").await;

    // (With nothing in the pipe, a zero-length read would wait.)
    assert_eq!(reader.read(&mut []).await.unwrap(), 0);
    expect(126, "a zero-length read").await;
    let mut buf = [0; 16];
    assert_eq!(reader.read(&mut buf).await.unwrap(), 6);
    assert_eq!(&buf[..6], b"ping!!");
    expect(125, "a read").await;
    assert!(poll_once(reader.read(&mut buf)).await.is_pending());
    expect(125, "a read with nothing to read").await;
    writer.close().await.unwrap();
    expect(125, "a close").await;
    assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    expect(124, "end of file").await;
    assert!(writer.write(b"x").await.is_err());
    expect(123, "a write that failed").await;

    assert_eq!(lines.fill_buf().await.unwrap(), b"ab\ncd");
    expect(122, "fill_buf").await;
    lines.consume_unpin(3);
    expect(122, "consume").await;
    let mut line = String::new();
    assert_eq!(lines.read_line(&mut line).await.unwrap(), 2);
    expect(
        120,
        "read_line: fill_buf with data, then fill_buf at end of file",
    )
    .await;
    assert_eq!(lines.fill_buf().await.unwrap(), b"");
    expect(119, "fill_buf at end of file").await;
}

/// Every operation of tokio's IO traits, with the units it takes.
async fn through_tokio_traits<W, R, B>(mut writer: W, mut reader: R, mut lines: B)
where
    W: tokio::io::AsyncWrite + Unpin,
    R: tokio::io::AsyncRead + Unpin,
    B: tokio::io::AsyncBufRead + Unpin,
{
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

    expect(128, "nothing").await;
    assert_eq!(writer.write(b"ping").await.unwrap(), 4);
    expect(127, "a write").await;
    assert_eq!(writer.write(b"").await.unwrap(), 0);
    expect(127, "a zero-length write").await;
    let two = [IoSlice::new(b""), IoSlice::new(b"!!")];
    assert_eq!(writer.write_vectored(&two).await.unwrap(), 2);
    expect(126, "a vectored write").await;
    assert_eq!(
        writer.write_vectored(&[IoSlice::new(b"")]).await.unwrap(),
        0
    );
    expect(126, "a zero-length vectored write").await;
    writer.flush().await.unwrap();
    expect(126, "a flush").await;

    // (With nothing in the pipe, a zero-length read would wait.)
    assert_eq!(reader.read(&mut []).await.unwrap(), 0);
    expect(126, "a zero-length read").await;
    let mut buf = [0; 16];
    assert_eq!(reader.read(&mut buf).await.unwrap(), 6);
    assert_eq!(&buf[..6], b"ping!!");
    expect(125, "a read").await;
    assert!(poll_once(reader.read(&mut buf)).await.is_pending());
    expect(125, "a read with nothing to read").await;
    writer.shutdown().await.unwrap();
    expect(125, "a shutdown").await;
    assert_eq!(reader.read(&mut buf).await.unwrap(), 0);
    expect(124, "end of file").await;
    assert!(writer.write(b"x").await.is_err());
    expect(123, "a write that failed").await;

    assert_eq!(lines.fill_buf().await.unwrap(), b"ab\ncd");
    expect(122, "fill_buf").await;
    std::pin::Pin::new(&mut lines).consume(3);
    expect(122, "consume").await;
    let mut line = String::new();
    assert_eq!(lines.read_line(&mut line).await.unwrap(), 2);
    expect(
        120,
        "read_line: fill_buf with data, then fill_buf at end of file",
    )
    .await;
    assert_eq!(lines.fill_buf().await.unwrap(), b"");
    expect(119, "fill_buf at end of file").await;
}

/// What the buffered readers hold.
const LINES: &[u8] = b"ab\ncd";

/// A tokio pipe and a tokio buffered reader, used through futures-io.
fn futures_traits_over_tokio_object() -> impl Future<Output = ()> + Send {
    let (a, b) = tokio::io::duplex(64);
    let task = through_futures_traits(
        CoopIo::from_tokio(a),
        CoopIo::from_tokio(b),
        CoopIo::from_tokio(LINES),
    );
    Budgeted::context_only(task, 128)
}

/// futures-io objects (tokio-util's compat of a tokio pipe, a slice), used
/// through futures-io.
fn futures_traits_over_futures_object() -> impl Future<Output = ()> + Send {
    let (a, b) = tokio::io::duplex(64);
    let task = through_futures_traits(
        CoopIo::from_futures(a.compat()),
        CoopIo::from_futures(b.compat()),
        CoopIo::from_futures(LINES),
    );
    Budgeted::context_only(task, 128)
}

/// tokio objects used through tokio's traits.
fn tokio_traits_over_tokio_object() -> impl Future<Output = ()> + Send {
    let (a, b) = tokio::io::duplex(64);
    let task = through_tokio_traits(
        CoopIo::from_tokio(a),
        CoopIo::from_tokio(b),
        CoopIo::from_tokio(LINES),
    );
    Budgeted::context_only(task, 128)
}

/// futures-io objects used through tokio's traits.
fn tokio_traits_over_futures_object() -> impl Future<Output = ()> + Send {
    let (a, b) = tokio::io::duplex(64);
    let task = through_tokio_traits(
        CoopIo::from_futures(a.compat()),
        CoopIo::from_futures(b.compat()),
        CoopIo::from_futures(LINES),
    );
    Budgeted::context_only(task, 128)
}

// The forced yields, on tokio-test's mock task (see `support::assert_yields`).

/// 300 one-byte reads, then the end of file: 128 per poll, through both
/// families of traits.
#[test]
fn reads_yield_at_budget() {
    let reads = Counter::default();
    let counter = reads.clone();
    let task = async move {
        use futures::io::AsyncReadExt;
        let mut io = CoopIo::from_futures(futures::io::Cursor::new(vec![7u8; 300]));
        let mut byte = [0];
        while io.read(&mut byte).await.unwrap() == 1 {
            counter.tick();
        }
    };
    assert_yields(task, 128, &reads, &[128, 128, 44]);

    let reads = Counter::default();
    let counter = reads.clone();
    let task = async move {
        use tokio::io::AsyncReadExt;
        let data = vec![7u8; 300];
        let mut io = CoopIo::from_tokio(&data[..]);
        let mut byte = [0];
        while io.read(&mut byte).await.unwrap() == 1 {
            counter.tick();
        }
    };
    assert_yields(task, 128, &reads, &[128, 128, 44]);
}

/// 300 one-byte writes: 128 per poll, through both families of traits.
#[test]
fn writes_yield_at_budget() {
    let writes = Counter::default();
    let counter = writes.clone();
    let task = async move {
        use futures::io::AsyncWriteExt;
        let mut io = CoopIo::from_futures(futures::io::Cursor::new(Vec::new()));
        for _ in 0..300 {
            assert_eq!(io.write(b"x").await.unwrap(), 1);
            counter.tick();
        }
        io.into_inner().into_inner()
    };
    assert_eq!(
        assert_yields(task, 128, &writes, &[128, 128, 44]).len(),
        300
    );

    let writes = Counter::default();
    let counter = writes.clone();
    let task = async move {
        use tokio::io::AsyncWriteExt;
        let mut io = CoopIo::from_tokio(Vec::new());
        for _ in 0..300 {
            assert_eq!(io.write(b"x").await.unwrap(), 1);
            counter.tick();
        }
        io.into_inner()
    };
    assert_eq!(
        assert_yields(task, 128, &writes, &[128, 128, 44]).len(),
        300
    );
}

/// 300 `fill_buf` + `consume(1)`, then the end of file: 128 per poll.
#[test]
fn fill_buf_yields_at_budget() {
    let fills = Counter::default();
    let counter = fills.clone();
    let task = async move {
        use futures::io::AsyncBufReadExt;
        let data = vec![7u8; 300];
        let mut io = CoopIo::from_futures(&data[..]);
        while !io.fill_buf().await.unwrap().is_empty() {
            io.consume_unpin(1);
            counter.tick();
        }
    };
    assert_yields(task, 128, &fills, &[128, 128, 44]);
}

/// On tokio's own budget (no `Budget` installed), a tokio pipe wrapped in
/// `CoopIo` costs one unit per read, not two (the pipe's own charge is turned
/// off inside the wrapper): 128 one-byte reads per task poll, as the bare
/// pipe does.
#[test]
fn tokio_budget_one_unit_per_read() {
    Executor::TokioCurrentThread.run(async {
        for wrapped in [true, false] {
            let (mut a, b) = tokio::io::duplex(512);
            tokio::io::AsyncWriteExt::write_all(&mut a, &[1; 300])
                .await
                .unwrap();
            drop(a);
            yield_now().await; // a fresh budget for the measured part
            let reads = PollLog::default();
            let counter = reads.clone();
            reads
                .meter(async move {
                    use tokio::io::{AsyncRead, AsyncReadExt};
                    let mut reader: Box<dyn AsyncRead + Unpin + Send> = if wrapped {
                        Box::new(CoopIo::from_tokio(b))
                    } else {
                        Box::new(b)
                    };
                    let mut byte = [0];
                    while reader.read(&mut byte).await.unwrap() == 1 {
                        counter.work();
                    }
                })
                .await;
            assert_eq!(reads.per_poll(), [128, 128, 44], "wrapped: {wrapped}");
        }
    });
}
