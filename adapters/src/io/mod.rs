//! [`CoopIo`]: cooperative IO objects, and a bridge between tokio's and
//! futures-io's IO traits (features `tokio` and `futures`).
//!
//! It is for IO that is always ready: a socket with a backlog, an in-memory
//! pipe, a file. A read loop over such an object never returns `Pending`, so
//! without a budget the task never lets the others of its executor run.
//! Wrapped, each read, write or `fill_buf` that made progress takes one unit
//! of the task's budget, and when the budget is spent the call returns
//! `Pending` (the task was woken to run again) without touching the object.
//!
//! | call | one unit when it returns `Ready` with | not progress (refunded) |
//! |---|---|---|
//! | `poll_read`, `poll_read_vectored` | bytes read, end of file (0 bytes into a non-empty buffer), or an error | `Pending`; `Ok` on a zero-length buffer |
//! | `poll_write`, `poll_write_vectored` | bytes written, 0 bytes from a non-empty buffer (the writer is closed), or an error | `Pending`; `Ok` from a zero-length buffer |
//! | `poll_fill_buf` | data, end of file (an empty slice), or an error | `Pending` |
//! | `consume`, `poll_flush`, `poll_close`/`poll_shutdown` | never charged | |
//!
//! One wrapper works with both families of IO traits, as the `async-compat`
//! crate's `Compat` does: a `CoopIo::from_tokio` over a tokio IO type
//! implements tokio's `AsyncRead`/`AsyncWrite`/`AsyncBufRead` *and* the
//! futures-io ones, and a `CoopIo::from_futures` over a futures-io type
//! implements both as well. So a tokio `TcpStream` handed to a library written
//! against futures-io needs one wrapper, and gets a budget on any executor.
//! The second type parameter ([`FromTokio`] or [`FromFutures`]) records which
//! family the inner type implements; the constructors set it.
//!
//! Each charged call polls the inner object with tokio's own budget turned
//! off (feature `tokio`), so that a tokio IO type, which spends a unit of
//! tokio's budget per operation by itself, costs one unit in all, not two,
//! when the task's budget is tokio's.
//!
//! What can go wrong:
//!
//! * Wrapping an object whose own calls already use `poll_cooperate` charges
//!   twice per call.
//! * An inner object that loops over tokio-budgeted operations inside one
//!   call (rare for IO: a decoder that reads until it has output) is not
//!   limited by tokio's budget inside that call; it still pays one unit per
//!   call here.
//! * tokio's `ReadBuf` is zero-initialised where it was not yet initialised
//!   when a futures-io reader fills it (futures-io reads into `&mut [u8]`),
//!   as async-compat and tokio-util's compat do; no unsafe code is involved.
//! * Methods reached through [`CoopIo::get_mut`] are not charged.

use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{ready, Context, Poll};
use std::fmt;
use std::io;

use task_coop::ContextExt;

// The trait impls, one file per family of IO traits; each family's impls
// cover both kinds of inner object.
#[cfg(feature = "futures")]
mod futures_traits;
#[cfg(feature = "tokio")]
mod tokio_traits;

/// Marks a [`CoopIo`] whose inner object implements tokio's IO traits (made
/// by `CoopIo::from_tokio`).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "tokio")] {
/// use coop_adapters::io::{CoopIo, FromTokio};
///
/// let (a, _b) = tokio::io::duplex(64);
/// let _io: CoopIo<tokio::io::DuplexStream, FromTokio> = CoopIo::from_tokio(a);
/// # }
/// ```
#[derive(Debug)]
pub enum FromTokio {}

/// Marks a [`CoopIo`] whose inner object implements the futures-io traits
/// (made by `CoopIo::from_futures`).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "futures")] {
/// use coop_adapters::io::{CoopIo, FromFutures};
///
/// let _io: CoopIo<futures::io::Cursor<Vec<u8>>, FromFutures> =
///     CoopIo::from_futures(futures::io::Cursor::new(vec![]));
/// # }
/// ```
#[derive(Debug)]
pub enum FromFutures {}

pin_project_lite::pin_project! {
    /// An IO object that takes one unit of the task's budget per read, write
    /// or `fill_buf` that made progress, and that implements the tokio and
    /// the futures-io IO traits whichever family it wraps. See [the module
    /// docs](crate::io).
    ///
    /// `K` is [`FromTokio`] or [`FromFutures`]: the family of traits that `T`
    /// implements, set by `from_tokio` (feature `tokio`) or
    /// `from_futures` (feature `futures`).
    ///
    /// # Examples
    ///
    /// A tokio pipe, read and written through futures-io:
    ///
    /// ```
    /// # #[cfg(all(feature = "tokio", feature = "futures"))] {
    /// use coop_adapters::CoopIo;
    /// use futures::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// # futures::executor::block_on(async {
    /// let (a, b) = tokio::io::duplex(64);
    /// let (mut a, mut b) = (CoopIo::from_tokio(a), CoopIo::from_tokio(b));
    /// a.write_all(b"ping").await?;
    /// let mut buf = [0; 4];
    /// b.read_exact(&mut buf).await?;
    /// assert_eq!(&buf, b"ping");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// # }
    /// ```
    #[must_use = "IO objects do nothing unless used"]
    pub struct CoopIo<T, K> {
        #[pin]
        inner: T,
        family: PhantomData<fn() -> K>,
    }
}

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<T> CoopIo<T, FromTokio> {
    /// Wraps an object that implements tokio's IO traits. The result
    /// implements them too, and, with feature `futures`, the futures-io ones.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::CoopIo;
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// # futures::executor::block_on(async {
    /// let (a, b) = tokio::io::duplex(64);
    /// let (mut a, mut b) = (CoopIo::from_tokio(a), CoopIo::from_tokio(b));
    /// a.write_all(b"hi").await?;
    /// let mut buf = [0; 2];
    /// b.read_exact(&mut buf).await?;
    /// assert_eq!(&buf, b"hi");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_tokio(io: T) -> Self {
        Self {
            inner: io,
            family: PhantomData,
        }
    }
}

#[cfg(feature = "futures")]
#[cfg_attr(docsrs, doc(cfg(feature = "futures")))]
impl<T> CoopIo<T, FromFutures> {
    /// Wraps an object that implements the futures-io traits. The result
    /// implements them too, and, with feature `tokio`, tokio's.
    ///
    /// # Examples
    ///
    /// ```
    /// use coop_adapters::CoopIo;
    /// use futures::io::{AsyncReadExt, Cursor};
    ///
    /// # futures::executor::block_on(async {
    /// let mut io = CoopIo::from_futures(Cursor::new(b"abc".to_vec()));
    /// let mut out = String::new();
    /// io.read_to_string(&mut out).await?;
    /// assert_eq!(out, "abc");
    /// # std::io::Result::Ok(()) }).unwrap();
    /// ```
    pub fn from_futures(io: T) -> Self {
        Self {
            inner: io,
            family: PhantomData,
        }
    }
}

impl<T, K> CoopIo<T, K> {
    /// The wrapped object.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// let io = coop_adapters::CoopIo::from_futures(futures::io::Cursor::new([1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// # }
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped object, mutably: calls through it are not charged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// let mut io = coop_adapters::CoopIo::from_futures(futures::io::Cursor::new([1u8]));
    /// io.get_mut().set_position(1);
    /// # }
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped object, pinned: calls through it are not charged.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// use std::pin::pin;
    ///
    /// let io = pin!(coop_adapters::CoopIo::from_futures(futures::io::Cursor::new([1u8])));
    /// assert_eq!(io.get_pin_mut().position(), 0);
    /// # }
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut T> {
        self.project().inner
    }

    /// Unwraps the object.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[cfg(feature = "futures")] {
    /// let io = coop_adapters::CoopIo::from_futures(futures::io::Cursor::new([1u8]));
    /// assert_eq!(io.into_inner().into_inner(), [1]);
    /// # }
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: fmt::Debug, K> fmt::Debug for CoopIo<T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoopIo")
            .field("inner", &self.inner)
            .finish()
    }
}

/// Asks for a unit, polls `poll` with tokio's budget off, and spends the unit
/// if `progress` says the result was progress; otherwise it goes back.
#[inline]
fn charge<R>(
    cx: &mut Context<'_>,
    progress: impl FnOnce(&R) -> bool,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> Poll<R> {
    let mut coop = ready!(cx.poll_cooperate());
    let out = ready!(without_tokio_budget(cx, poll));
    if progress(&out) {
        coop.made_progress();
    }
    Poll::Ready(out)
}

/// A read or write that returned `Ready` made progress unless it was given no
/// room and succeeded (a zero-length buffer); with room, `Ok(0)` is end of
/// file (or a closed writer), which is final.
#[inline]
fn read_write_progress<T>(had_room: bool) -> impl FnOnce(&io::Result<T>) -> bool {
    move |result| had_room || result.is_err()
}

/// `fill_buf` that returned `Ready` always made progress: data, end of file
/// (an empty slice) or an error.
#[inline]
fn fill_buf_progress<T>(_result: &io::Result<T>) -> bool {
    true
}

/// Polls once with tokio's budget turned off, so that a tokio IO type does
/// not charge a unit of its own on top of ours.
#[cfg(feature = "tokio")]
#[inline]
fn without_tokio_budget<R>(
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> Poll<R> {
    use core::future::Future;

    let mut unpolled = Some(poll);
    let once = core::future::poll_fn(move |cx| match unpolled.take() {
        Some(poll) => poll(cx),
        None => unreachable!("polled once"),
    });
    core::pin::pin!(tokio::task::coop::unconstrained(once)).poll(cx)
}

#[cfg(not(feature = "tokio"))]
#[inline]
fn without_tokio_budget<R>(
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> Poll<R> {
    poll(cx)
}
