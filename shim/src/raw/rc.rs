//! The vtable behind the safe [`Cooperate`] trait: a cooperation whose data
//! is an `Rc<C>` turned into a raw pointer.

use alloc::rc::Rc;
use core::marker::PhantomData;

use crate::{Cooperate, Cooperation, CooperationVTable};

impl<C: Cooperate + 'static> From<Rc<C>> for Cooperation {
    /// Makes a cooperation that calls `C`'s methods.
    ///
    /// Cloning an `Rc` does not allocate, so a provider can hand out a clone
    /// of one `Rc` per call and keep `poll_cooperate` allocation-free.
    fn from(cooperate: Rc<C>) -> Self {
        let data = Rc::into_raw(cooperate).cast::<()>();
        // SAFETY: `data` owns one strong count of an `Rc<C>`; each function
        // of `RcVTable::<C>::VTABLE` takes that count back exactly once, and
        // `Cooperation` is not `Send`, so that happens on this thread, where
        // the non-atomic `Rc` was made.
        unsafe { Cooperation::from_raw(data, &RcVTable::<C>::VTABLE) }
    }
}

struct RcVTable<C>(PhantomData<C>);

impl<C: Cooperate + 'static> RcVTable<C> {
    const VTABLE: CooperationVTable = CooperationVTable::new(made_progress::<C>, no_progress::<C>);
}

unsafe fn made_progress<C: Cooperate>(data: *const ()) {
    // SAFETY: `data` came from `Rc::into_raw` in `From<Rc<C>>` and owns the
    // strong count it took; the vtable contract calls this at most once.
    let cooperate = unsafe { Rc::from_raw(data.cast::<C>()) };
    cooperate.made_progress();
}

unsafe fn no_progress<C: Cooperate>(data: *const ()) {
    // SAFETY: as in `made_progress`.
    let cooperate = unsafe { Rc::from_raw(data.cast::<C>()) };
    cooperate.no_progress();
}
