//! [`with_provider`]: installing a provider for one poll.
//!
//! This is the stable stand-in for the proposal's
//! `ContextBuilder::set_poll_cooperate`. An executor (or a combinator that
//! wants to change the budget of what it polls) calls [`with_provider`] with
//! the `Context` it was going to poll with; the closure gets a `Context` whose
//! [`poll_cooperate`](crate::ContextExt::poll_cooperate) is answered by the
//! provider. Most executors want the ready-made `Budget` (feature `alloc`),
//! which installs itself.

use core::task::Context;

use crate::dispatch;
use crate::CooperationProvider;

/// Runs `poll` with a context whose
/// [`poll_cooperate`](crate::ContextExt::poll_cooperate) is answered by
/// `provider`, and whose waker wakes the same task as `cx`'s.
///
/// The innermost installation wins; the outer one is back when this returns.
///
/// # Examples
///
/// See [`CooperationProvider`]; for a counting budget, [`Budget::install`].
///
// Without `alloc` there is no `Budget`: the link goes to the feature table.
#[cfg_attr(feature = "alloc", doc = "[`Budget::install`]: crate::Budget::install")]
#[cfg_attr(not(feature = "alloc"), doc = "[`Budget::install`]: crate#features")]
pub fn with_provider<R>(
    cx: &mut Context<'_>,
    provider: &dyn CooperationProvider,
    poll: impl FnOnce(&mut Context<'_>) -> R,
) -> R {
    dispatch::install_provider(cx, provider, poll)
}
