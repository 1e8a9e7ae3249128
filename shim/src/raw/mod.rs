//! The memory-level unsafe code of the crate. A leaf: nothing here imports
//! anything of the crate outside `raw` (checked by `git grep 'crate::'
//! shim/src/raw`, which finds only doc text). The layer above
//! (`crate::dispatch`) chooses what to install and what a cooperation's
//! vtable is.
//!
//! * [`carrier`]: how what is installed travels from the executor to the
//!   leaf future. The Context's waker is replaced, for the length of one
//!   poll, by a waker whose data points at a stack frame holding the
//!   executor's waker and the installed payload (a few types, chosen above,
//!   see [`carrier::Payload`]). It is recognised, with what it carries, by
//!   the address of its vtable: one per payload type, elements of one
//!   non-generic `static` array. Its clones are plain clones of the
//!   executor's waker, so nothing that escapes the poll points into that
//!   stack frame. With the `std` feature the same frame is also published in
//!   one thread-local, for futures polled by combinators with wakers of
//!   their own.
//! * [`budget_cell`]: the reference-counted state behind `Budget`; it hands
//!   out cooperations (the cell's pointer, tagged in its low bits with the
//!   restore value) and the two functions that end them.
//!   It also keeps the time slice's next check (safe code: a clock function
//!   called on the slow path) and what each installation did, read when it
//!   ends.
//! * [`rc`]: the vtable functions behind the safe `Cooperate` trait.
//!
//! What can go wrong: a carrier frame read after its poll returned (prevented
//! by the lifetime of the `Context` handed to the poll, and by a drop guard
//! that restores the thread-local even on unwind); a budget cell freed while a
//! cooperation still points at it (prevented by counting every cooperation as
//! a reference); a cooperation touching a budget installed after the one that
//! made it (prevented by detaching the cell of a finished installation when
//! cooperations outlive it).
//!
//! # Unsafe code outside `raw`
//!
//! Only where the public raw-parts API of `Cooperation` is used, and one pin
//! projection; each relies on a contract documented here or on
//! `CooperationVTable`:
//!
//! * `cooperation.rs`: `Cooperation::made_progress_by_vtable` and
//!   `drop_by_vtable` call a vtable's function, relying on the promise made
//!   to `Cooperation::from_raw` (the public API, like std's `Waker`).
//! * `vtables.rs`: the budget vtable's functions call `budget_cell`'s.
//! * `dispatch.rs`: `Cooperation::from_raw` pairs `budget_cell`'s data with
//!   the budget's vtable, and tokio's null data with two safe functions;
//!   the fast paths of `made_progress` and `drop` call `budget_cell`'s
//!   functions directly, after recognising its vtable by address; `drop`
//!   reads any
//!   other cooperation out of itself (`ptr::read`) to end it through its
//!   vtable, rather than storing a replacement into memory that is being
//!   dropped (that store kept every cooperation in memory, on the hot path).
//! * `cooperate.rs`: `Cooperation::from_raw` pairs [`rc`]'s data with its two
//!   functions.
//! * `unconstrained.rs`: `Pin::map_unchecked_mut` onto the wrapped future
//!   (structural pinning of its only field).

pub(crate) mod carrier;

#[cfg(feature = "alloc")]
pub(crate) mod budget_cell;

#[cfg(feature = "alloc")]
pub(crate) mod rc;
