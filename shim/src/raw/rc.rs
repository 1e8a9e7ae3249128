//! The vtable functions behind the safe `Cooperate` trait: a cooperation
//! whose data is an `Rc<C>` turned into a raw pointer.
//!
//! The layer above pairs [`into_data`]'s pointer with a vtable made of
//! [`made_progress`] and [`no_progress`] for the same `C`.

use alloc::rc::Rc;

/// What an `Rc`-backed cooperation does when it ends: the crate implements it
/// for every `Cooperate` type.
pub(crate) trait RcCooperate {
    /// The future made progress.
    fn end_with_progress(self: Rc<Self>);
    /// The cooperation was dropped without progress.
    fn end_without_progress(self: Rc<Self>);
}

/// The data pointer of a cooperation that owns `cooperate`'s strong count.
#[inline]
pub(crate) fn into_data<C>(cooperate: Rc<C>) -> *const () {
    Rc::into_raw(cooperate).cast::<()>()
}

/// The `made_progress` of an `Rc<C>` cooperation.
///
/// # Safety
///
/// `data` came from [`into_data::<C>`](into_data), on this thread (an `Rc` is
/// not thread-safe), and neither this function nor [`no_progress`] was called
/// with it before: each takes back the strong count it owns.
pub(crate) unsafe fn made_progress<C: RcCooperate>(data: *const ()) {
    // SAFETY: the caller's promise: `data` came from `Rc::into_raw` of an
    // `Rc<C>` on this thread and still owns its strong count.
    let cooperate = unsafe { Rc::from_raw(data.cast::<C>()) };
    cooperate.end_with_progress();
}

/// The `drop` of an `Rc<C>` cooperation.
///
/// # Safety
///
/// As for [`made_progress`].
pub(crate) unsafe fn no_progress<C: RcCooperate>(data: *const ()) {
    // SAFETY: the caller's promise: `data` came from `Rc::into_raw` of an
    // `Rc<C>` on this thread and still owns its strong count.
    let cooperate = unsafe { Rc::from_raw(data.cast::<C>()) };
    cooperate.end_without_progress();
}
