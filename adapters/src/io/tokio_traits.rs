//! tokio's `AsyncRead`, `AsyncWrite` and `AsyncBufRead` for [`CoopIo`]: over
//! a tokio object (feature `tokio`), and over a futures-io object (features
//! `tokio` and `futures`).

use core::pin::Pin;
use core::task::{Context, Poll};
use std::io::{self, IoSlice};

use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

#[cfg(feature = "futures")]
use super::FromFutures;
use super::{charge, fill_buf_progress, read_write_progress, CoopIo, FromTokio};

impl<T: AsyncRead> AsyncRead for CoopIo<T, FromTokio> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let inner = self.project().inner;
        charge(cx, read_write_progress(buf.remaining() > 0), |cx| {
            inner.poll_read(cx, buf)
        })
    }
}

impl<T: AsyncWrite> AsyncWrite for CoopIo<T, FromTokio> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let inner = self.project().inner;
        charge(cx, read_write_progress(!buf.is_empty()), |cx| {
            inner.poll_write(cx, buf)
        })
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let inner = self.project().inner;
        let had_room = bufs.iter().any(|buf| !buf.is_empty());
        charge(cx, read_write_progress(had_room), |cx| {
            inner.poll_write_vectored(cx, bufs)
        })
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

impl<T: AsyncBufRead> AsyncBufRead for CoopIo<T, FromTokio> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let inner = self.project().inner;
        charge(cx, fill_buf_progress, |cx| inner.poll_fill_buf(cx))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt);
    }
}

/// futures-io reads into `&mut [u8]`: lend it the unfilled part of the
/// `ReadBuf`, zero-initialised where it was not yet.
#[cfg(feature = "futures")]
impl<T: futures_io::AsyncRead> AsyncRead for CoopIo<T, FromFutures> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let inner = self.project().inner;
        charge(cx, read_write_progress(buf.remaining() > 0), |cx| {
            let unfilled = buf.initialize_unfilled();
            futures_io::AsyncRead::poll_read(inner, cx, unfilled).map_ok(|n| buf.advance(n))
        })
    }
}

// The futures-io impl (in `futures_traits`), under tokio's names.
#[cfg(feature = "futures")]
impl<T: futures_io::AsyncWrite> AsyncWrite for CoopIo<T, FromFutures> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write(self, cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write_vectored(self, cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_flush(self, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_close(self, cx)
    }
}

#[cfg(feature = "futures")]
impl<T: futures_io::AsyncBufRead> AsyncBufRead for CoopIo<T, FromFutures> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        futures_io::AsyncBufRead::poll_fill_buf(self, cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        futures_io::AsyncBufRead::consume(self, amt);
    }
}
