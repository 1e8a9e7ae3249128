//! The unsafe parts of the crate, and nothing else.
//!
//! * [`carrier`]: how a provider travels from the executor to the leaf future.
//!   The Context's waker is replaced, for the length of one poll, by a waker
//!   whose data points at a stack frame holding the executor's waker and the
//!   provider. It is recognised by the address of one non-generic `static`
//!   vtable. Its clones are plain clones of the executor's waker, so nothing
//!   that escapes the poll points into that stack frame. With the `std`
//!   feature the same frame is also published in one thread-local, for
//!   futures polled by combinators with wakers of their own.
//! * [`budget_cell`]: the reference-counted state behind
//!   [`Budget`](crate::Budget), with the restore value of each cooperation
//!   packed into the low bits of its data pointer.
//! * [`rc`]: the vtable behind the safe [`Cooperate`](crate::Cooperate) trait.
//!
//! What can go wrong: a carrier frame read after its poll returned (prevented
//! by the lifetime of the `Context` handed to the poll, and by a drop guard
//! that restores the thread-local even on unwind); a budget cell freed while a
//! cooperation still points at it (prevented by counting every cooperation as
//! a reference); a cooperation touching a budget installed after the one that
//! made it (prevented by detaching the cell of a finished installation when
//! cooperations outlive it).

pub(crate) mod carrier;

#[cfg(feature = "alloc")]
pub(crate) mod budget_cell;

#[cfg(feature = "alloc")]
pub(crate) mod rc;
