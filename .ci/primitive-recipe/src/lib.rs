//! A queue that is always ready while it has items: the kind of primitive
//! that must draw from the task's budget, or a task draining it never yields.

use std::collections::VecDeque;
use std::task::{ready, Context, Poll};

use task_coop::ContextExt;

/// An always-ready queue.
#[derive(Debug, Default)]
pub struct Queue(VecDeque<u32>);

impl Queue {
    /// A queue holding `0..n`.
    pub fn with_items(n: u32) -> Self {
        Self((0..n).collect())
    }

    /// Takes the next item; `None` when empty. One unit of budget per item.
    pub fn poll_pop(&mut self, cx: &mut Context<'_>) -> Poll<Option<u32>> {
        let mut coop = ready!(cx.poll_cooperate());
        let item = self.0.pop_front();
        if item.is_some() {
            coop.made_progress();
        }
        Poll::Ready(item)
    }

    /// Takes every item, returning how many.
    pub async fn drain(mut self) -> u32 {
        let mut taken = 0;
        while std::future::poll_fn(|cx| self.poll_pop(cx)).await.is_some() {
            taken += 1;
        }
        taken
    }
}
