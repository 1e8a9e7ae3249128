//! The futures-io `AsyncRead`, `AsyncWrite` and `AsyncBufRead` for
//! [`CoopIo`]: over a futures-io object (feature `futures`), and over a tokio
//! object (features `futures` and `tokio`).

use core::pin::Pin;
use core::task::{Context, Poll};
use std::io::{self, IoSlice, IoSliceMut};

use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};

#[cfg(feature = "tokio")]
use super::FromTokio;
use super::{charge, fill_buf_progress, read_write_progress, CoopIo, FromFutures};

impl<T: AsyncRead> AsyncRead for CoopIo<T, FromFutures> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let inner = self.project().inner;
        charge(cx, read_write_progress(!buf.is_empty()), |cx| {
            inner.poll_read(cx, buf)
        })
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let inner = self.project().inner;
        let had_room = bufs.iter().any(|buf| !buf.is_empty());
        charge(cx, read_write_progress(had_room), |cx| {
            inner.poll_read_vectored(cx, bufs)
        })
    }
}

impl<T: AsyncWrite> AsyncWrite for CoopIo<T, FromFutures> {
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

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

impl<T: AsyncBufRead> AsyncBufRead for CoopIo<T, FromFutures> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let inner = self.project().inner;
        charge(cx, fill_buf_progress, |cx| inner.poll_fill_buf(cx))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt);
    }
}

/// tokio reads into a `ReadBuf`: wrap the caller's (initialised)
/// slice in one and report how much of it was filled.
#[cfg(feature = "tokio")]
impl<T: tokio::io::AsyncRead> AsyncRead for CoopIo<T, FromTokio> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let inner = self.project().inner;
        charge(cx, read_write_progress(!buf.is_empty()), |cx| {
            let mut read_buf = tokio::io::ReadBuf::new(buf);
            tokio::io::AsyncRead::poll_read(inner, cx, &mut read_buf)
                .map_ok(|()| read_buf.filled().len())
        })
    }
}

// The tokio impl (in `tokio_traits`), under futures-io's names.
#[cfg(feature = "tokio")]
impl<T: tokio::io::AsyncWrite> AsyncWrite for CoopIo<T, FromTokio> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        tokio::io::AsyncWrite::poll_write(self, cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        tokio::io::AsyncWrite::poll_write_vectored(self, cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        tokio::io::AsyncWrite::poll_flush(self, cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        tokio::io::AsyncWrite::poll_shutdown(self, cx)
    }
}

#[cfg(feature = "tokio")]
impl<T: tokio::io::AsyncBufRead> AsyncBufRead for CoopIo<T, FromTokio> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        tokio::io::AsyncBufRead::poll_fill_buf(self, cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        tokio::io::AsyncBufRead::consume(self, amt);
    }
}
