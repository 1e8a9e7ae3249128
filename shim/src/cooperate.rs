//! [`Cooperate`]: the safe way to define what a [`Cooperation`] does, and the
//! conversion from `Rc<C>` that builds one (feature `alloc`).

use alloc::rc::Rc;
use core::marker::PhantomData;

use crate::raw::rc::{self, RcCooperate};
use crate::{Cooperation, CooperationVTable};

/// The safe way to define what a [`Cooperation`] does, as [`std::task::Wake`]
/// is for wakers. `Rc<C>` converts into a `Cooperation` with `.into()`.
///
/// [`std::task::Wake`]: https://doc.rust-lang.org/std/task/trait.Wake.html
///
/// # Examples
///
/// A provider that counts the units spent, in safe code:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::task::{Context, Poll, Waker};
/// use task_coop::{with_provider, ContextExt, Cooperate, Cooperation, CooperationProvider};
///
/// #[derive(Default)]
/// struct Meter {
///     spent: Cell<u32>,
/// }
///
/// impl Cooperate for Meter {
///     fn made_progress(self: Rc<Self>) {
///         self.spent.set(self.spent.get() + 1);
///     }
/// }
///
/// struct Metered(Rc<Meter>);
///
/// impl CooperationProvider for Metered {
///     fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
///         Poll::Ready(self.0.clone().into())
///     }
/// }
///
/// let provider = Metered(Rc::default());
/// let mut cx = Context::from_waker(Waker::noop());
/// with_provider(&mut cx, &provider, |cx| {
///     let Poll::Ready(mut coop) = cx.poll_cooperate() else { unreachable!() };
///     coop.made_progress();
///     let Poll::Ready(_unused) = cx.poll_cooperate() else { unreachable!() };
/// });
/// assert_eq!(provider.0.spent.get(), 1);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub trait Cooperate {
    /// The future made progress with this cooperation. Should neither panic
    /// nor wake the task (see [`CooperationVTable`](crate::CooperationVTable)).
    fn made_progress(self: Rc<Self>);

    /// The cooperation was dropped without progress. Does nothing by default.
    fn no_progress(self: Rc<Self>) {}
}

/// How the `Rc` vtable functions of `raw` reach a `Cooperate` type.
impl<C: Cooperate> RcCooperate for C {
    fn end_with_progress(self: Rc<Self>) {
        self.made_progress();
    }

    fn end_without_progress(self: Rc<Self>) {
        self.no_progress();
    }
}

impl<C: Cooperate + 'static> From<Rc<C>> for Cooperation {
    /// Makes a cooperation that calls `C`'s methods.
    ///
    /// Cloning an `Rc` does not allocate, so a provider can hand out a clone
    /// of one `Rc` per call and keep `poll_cooperate` allocation-free.
    fn from(cooperate: Rc<C>) -> Self {
        let data = rc::into_data(cooperate);
        // SAFETY: `data` came from `rc::into_data::<C>`, and the vtable holds
        // `rc::made_progress::<C>` and `rc::no_progress::<C>`, whose contract
        // is to be called with such data once between them, on this thread:
        // what the `CooperationVTable` contract promises them (a
        // `Cooperation` is not `Send`).
        unsafe { Cooperation::from_raw(data, &RcVTable::<C>::VTABLE) }
    }
}

/// The vtable of `Rc<C>` cooperations, one per `C`. Generic, so not
/// recognisable by address; nothing needs to recognise it.
struct RcVTable<C>(PhantomData<C>);

impl<C: Cooperate + 'static> RcVTable<C> {
    const VTABLE: CooperationVTable =
        CooperationVTable::new(rc::made_progress::<C>, rc::no_progress::<C>);
}
