//! Adversarial tests of the budget cooperation whose restore value (the
//! units left just before it was taken, 1..=255) is in the low 8 bits of its
//! data pointer (the counter is `align(256)`), with one vtable for every
//! budget cooperation, recognised by address in `dispatch.rs`.
//!
//! What they attack: the tag (exactly the units before the take, never 0,
//! never beyond 255, untagged to the one counter), parts put together again
//! with `Cooperation::from_raw` (crossed between budgets, with copies of the
//! vtable, with foreign vtables carrying a budget's data or data that looks
//! like it), the `u32` `remaining` at 255, time-slice segments, panics and
//! re-entrant wakes on the slow path, the thread-local fallback, budgets
//! moved between threads. Counters alive are counted with the allocator of
//! `support::counters` (the counter is the only 256-aligned allocation);
//! Miri checks the memory (use after free, double free, provenance, leaks).
#![cfg(feature = "alloc")]

mod support;

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};

use support::budget_parts::{budget_vtable, copied_vtable, counter, tag, warm};
use support::clock::{now, reads, set as set_clock};
use support::counters::{counters, CountingCounters, COUNTER_ALIGN};
use support::{left, metrics, must_take, noop_cx, spend, spend_all, take};
use task_coop::{
    with_provider, Budget, Cooperation, CooperationProvider, CooperationVTable, TimeSlice,
};

#[global_allocator]
static ALLOCATOR: CountingCounters = CountingCounters;

/// Takes `coop` apart and puts its data together with `vtable`.
fn with_vtable(coop: Cooperation, vtable: &'static CooperationVTable) -> Cooperation {
    let data = coop.data();
    std::mem::forget(coop);
    // SAFETY: `vtable` is the budget's or a copy of it (the same two
    // functions) and `data` is a budget cooperation's, forgotten just above.
    unsafe { Cooperation::from_raw(data, vtable) }
}

/// tokio's `RestoreOnPending` rule as the budget states it.
fn refund(left: u32, restore: usize) -> u32 {
    left.max(restore as u32)
}

fn must_panic(f: impl FnOnce()) {
    assert!(
        catch_unwind(AssertUnwindSafe(f)).is_err(),
        "expected a panic"
    );
}

/// Every value 255..=1 in one installation: the tag is the units before the
/// take, the counter part is one 256-aligned address, the vtable is the one
/// static. Ended in a scrambled order, a third through a copy of the vtable
/// and a third with progress, each end gives back exactly tokio's rule.
#[test]
fn tag_is_the_units_before_the_take_for_every_value() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(255);
    let model = budget.install(&mut noop_cx(), |cx| {
        let mut coops: Vec<Option<Cooperation>> = Vec::new();
        for before in (1..=255u32).rev() {
            assert_eq!(left(cx), before);
            let coop = must_take(cx);
            assert_eq!(tag(&coop), before as usize, "never 0, never above 255");
            assert!(ptr::eq(coop.vtable(), budget_vtable()));
            coops.push(Some(coop));
        }
        let first = counter(coops[0].as_ref().unwrap());
        assert_eq!(first % COUNTER_ALIGN, 0);
        assert!(coops.iter().all(|c| counter(c.as_ref().unwrap()) == first));
        assert!(take(cx).is_none());
        let mut model = 0;
        for i in 0..255 {
            let k = 254 - (i * 97) % 255; // 97 is prime to 255
            let coop = coops[k].take().unwrap();
            let restore = tag(&coop);
            match i % 3 {
                0 => drop(coop),
                1 => drop(with_vtable(coop, copied_vtable())),
                _ => with_vtable(coop, copied_vtable()).made_progress(),
            }
            if i % 3 != 2 {
                model = refund(model, restore);
            }
            assert_eq!(left(cx), model, "end {i} (restore {restore})");
        }
        model
    });
    assert_eq!(u32::from(budget.remaining()), model);
    assert_eq!(counters(), base + 1, "nothing detached");
    drop(budget);
    assert_eq!(counters(), base);
}

/// Every order of ending four cooperations (24), each ended with or without
/// progress (16 ways), half of them through a copy of the vtable: the units
/// after each end follow the rule, nothing is detached, and the metrics
/// read what is left.
#[test]
fn every_end_order_of_four_cooperations_matches_the_rule() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(4);
    let perms: Vec<[usize; 4]> = (0..256usize)
        .map(|n| [n % 4, n / 4 % 4, n / 16 % 4, n / 64])
        .filter(|p| (0..4).all(|i| p.contains(&i)))
        .collect();
    assert_eq!(perms.len(), 24);
    let mut polls = 0;
    let mut spent = 0;
    for perm in &perms {
        for progress in 0..16u32 {
            polls += 1;
            let end_left = budget.install(&mut noop_cx(), |cx| {
                let mut coops: Vec<_> = (0..4).map(|_| Some(must_take(cx))).collect();
                let mut model = 0;
                for (n, &i) in perm.iter().enumerate() {
                    let coop = coops[i].take().unwrap();
                    let restore = tag(&coop);
                    assert_eq!(restore, 4 - i);
                    let coop = if n % 2 == 0 {
                        coop
                    } else {
                        with_vtable(coop, copied_vtable())
                    };
                    if progress & (1 << i) != 0 {
                        let mut coop = coop;
                        coop.made_progress();
                        coop.made_progress(); // the second does nothing
                    } else {
                        drop(coop);
                        model = refund(model, restore);
                    }
                    assert_eq!(left(cx), model, "{perm:?} {progress:#06b} end {n}");
                }
                model
            });
            spent += 4 - u64::from(end_left);
            assert_eq!(u32::from(budget.remaining()), end_left);
            assert_eq!(counters(), base + 1, "nothing detached");
        }
    }
    assert_eq!(budget.metrics(), metrics(polls, spent, 0, 0));
    drop(budget);
    assert_eq!(counters(), base);
}

/// Parts of two budgets' cooperations crossed (the data of one with the
/// vtable of the other, or a copy of it): since the restore value is in the
/// data, each is still exactly its own cooperation, refunding its own
/// budget with its own value.
#[test]
fn crossed_parts_of_two_budgets_are_each_their_own_cooperation() {
    warm();
    let base = counters();
    let mut outer = Budget::with_units(9);
    let mut inner = Budget::with_units(4);
    outer.install(&mut noop_cx(), |cx| {
        let a1 = must_take(cx); // 9
        let a2 = must_take(cx); // 8
        assert!(spend(cx) && spend(cx));
        assert_eq!(left(cx), 5);
        inner.install(cx, |cx| {
            let b1 = must_take(cx); // 4
            let b2 = must_take(cx); // 3
            assert!(spend(cx));
            assert_eq!(left(cx), 1);
            assert_ne!(counter(&a1), counter(&b1));
            let (a2_data, b1_vt) = (a2.data(), b1.vtable());
            let (b1_data, a1_vt) = (b1.data(), a1.vtable());
            std::mem::forget((a2, b1));
            // SAFETY: both vtables are the budget's one static; each data is
            // a live budget cooperation's, forgotten above, ended once below.
            let x = unsafe { Cooperation::from_raw(a2_data, b1_vt) };
            // SAFETY: as above.
            let y = unsafe { Cooperation::from_raw(b1_data, a1_vt) };
            let z = with_vtable(b2, copied_vtable());
            drop(z); // inner, restore 3
            assert_eq!(left(cx), 3);
            drop(x); // outer, restore 8: the inner budget untouched
            assert_eq!(left(cx), 3);
            drop(y); // inner, restore 4
            assert_eq!(left(cx), 4);
        });
        assert_eq!(left(cx), 8, "x refunded the outer budget to 8");
        drop(with_vtable(a1, copied_vtable()));
        assert_eq!(left(cx), 9);
    });
    assert_eq!((outer.remaining(), inner.remaining()), (9, 4));
    assert_eq!(counters(), base + 2, "nothing detached");
    drop((outer, inner));
    assert_eq!(counters(), base);
}

thread_local! {
    static FOREIGN_CALLS: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// A foreign vtable whose functions forward to the budget's: dispatch must
/// reach them through the pointers, with the tagged data unchanged.
static FORWARD: CooperationVTable = CooperationVTable::new(forward_progress, forward_drop);

unsafe fn forward_progress(data: *const ()) {
    FOREIGN_CALLS.with(|c| c.set((c.get().0 + 1, c.get().1)));
    // SAFETY: FORWARD is only paired with a forgotten budget cooperation's data.
    unsafe { Cooperation::from_raw(data, budget_vtable()) }.made_progress();
}

unsafe fn forward_drop(data: *const ()) {
    FOREIGN_CALLS.with(|c| c.set((c.get().0, c.get().1 + 1)));
    // SAFETY: as above.
    drop(unsafe { Cooperation::from_raw(data, budget_vtable()) });
}

/// Looks like a counter (256-aligned), read-only: were a cooperation with
/// data tagged into it taken for a budget's, the refund would write into an
/// immutable static (Miri), or change these bytes.
#[repr(C, align(256))]
struct Decoy([u8; 256]);
static DECOY: Decoy = Decoy([0; 256]);

fn count_only(_data: *const ()) {
    FOREIGN_CALLS.with(|c| c.set((c.get().0 + 10, c.get().1 + 10)));
}
static COUNT_ONLY: CooperationVTable = CooperationVTable::new(count_only, count_only);

/// Hands out the outer budget's cooperations re-dressed with [`FORWARD`],
/// then decoys.
struct Redress(RefCell<Vec<Cooperation>>);

impl CooperationProvider for Redress {
    fn poll_cooperate(&self, _waker: &Waker) -> Poll<Cooperation> {
        Poll::Ready(match self.0.borrow_mut().pop() {
            Some(coop) => {
                let data = coop.data();
                std::mem::forget(coop);
                // SAFETY: FORWARD's functions rebuild the budget cooperation.
                unsafe { Cooperation::from_raw(data, &FORWARD) }
            }
            // SAFETY: COUNT_ONLY's functions ignore their argument.
            None => unsafe {
                Cooperation::from_raw(
                    ptr::from_ref(&DECOY).cast::<()>().map_addr(|a| a | 0x7F),
                    &COUNT_ONLY,
                )
            },
        })
    }
}

/// Budget data under a foreign vtable, and foreign data that looks like a
/// budget's: `made_progress` and `drop` go by the vtable, never by the data.
#[test]
fn foreign_vtables_are_told_apart_by_address_not_by_data() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(6);
    budget.install(&mut noop_cx(), |cx| {
        let taken: Vec<_> = (0..3).map(|_| must_take(cx)).collect(); // 6, 5, 4
        assert_eq!(left(cx), 3);
        let provider = Redress(RefCell::new(taken));
        with_provider(cx, &provider, |cx| {
            let c4 = must_take(cx); // restore 4, through FORWARD
            let mut c5 = must_take(cx); // restore 5
            let c6 = must_take(cx); // restore 6
            assert!(ptr::eq(c4.vtable(), &FORWARD));
            assert_eq!(tag(&c4), 4);
            drop(c4);
            c5.made_progress();
            let decoy = must_take(cx);
            assert!(!decoy.is_unconstrained());
            drop(decoy);
            must_take(cx).made_progress();
            assert_eq!(FOREIGN_CALLS.get(), (1 + 20, 1 + 20), "each decoy once");
            drop(c6);
            assert_eq!(FOREIGN_CALLS.get(), (21, 22));
        });
        assert_eq!(left(cx), 6, "c4 to 4, then c6 to 6");
    });
    assert!(DECOY.0.iter().all(|&b| b == 0));
    assert_eq!(budget.remaining(), 6);
    assert_eq!(counters(), base + 1, "nothing detached");
    drop(budget);
    assert_eq!(counters(), base);
}

/// 255 units, where a wrong store would first show: refunds to 255 on top
/// of refunds, an unwinding, detaches at 254, a late cooperation ended
/// twice (`made_progress`, then a drop: one release), a time slice of 255
/// units. `remaining` never reads above 255 and the metrics are exact.
#[test]
fn restore_255_at_every_edge() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(255);
    let mut kept = None;
    budget.install(&mut noop_cx(), |cx| {
        let first = must_take(cx);
        assert_eq!(tag(&first), 255);
        let second = must_take(cx); // 254
        assert_eq!(spend_all(cx), 253);
        drop(with_vtable(second, copied_vtable()));
        assert_eq!(left(cx), 254);
        let third = must_take(cx); // 254 again
        drop(first);
        assert_eq!(left(cx), 255);
        drop(third); // 254 < 255: nothing
        assert_eq!(left(cx), 255);
        kept = Some(must_take(cx)); // 255, kept past the installation
    });
    assert_eq!(budget.remaining(), 254);
    assert_eq!(counters(), base + 2, "detached at 255");
    must_panic(|| {
        budget.install(&mut noop_cx(), |cx| {
            let _local = must_take(cx); // 255, dropped by the unwinding
            assert!(spend(cx));
            kept = Some(must_take(cx)); // a second detached counter's
            panic!("a poll panicked (expected by the test)");
        })
    });
    assert_eq!(budget.remaining(), 254, "as before the panicked poll");
    assert_eq!(counters(), base + 2, "the first detached counter freed");
    budget.install(&mut noop_cx(), |cx| {
        assert_eq!(left(cx), 255);
        let mut late = kept.take().unwrap(); // restore 253, detached
        assert_eq!(tag(&late), 253);
        late.made_progress();
        assert_eq!(counters(), base + 1, "freed at its one release");
        late.made_progress(); // nothing: released once (Miri: no double free)
        drop(late);
        assert_eq!(left(cx), 255);
    });
    assert_eq!(budget.metrics(), metrics(2, 1, 1, 0));

    set_clock(0);
    let reads0 = reads();
    let mut sliced =
        Budget::with_time_slice(255, TimeSlice::with_clock(1_000, now).check_every(200));
    sliced.install(&mut noop_cx(), |cx| {
        let a = must_take(cx); // segment 1 (200): restore 200
        assert_eq!(tag(&a), 200);
        assert_eq!(left(cx), 254);
        assert!((0..199).all(|_| spend(cx)));
        let b = must_take(cx); // read 1, segment 2 (55): restore 55
        assert_eq!((tag(&b), reads() - reads0), (55, 1));
        assert_eq!(left(cx), 54);
        drop(a);
        assert_eq!(left(cx), 200, "back to segment 1's value, reserve spent");
        drop(b);
        assert_eq!(left(cx), 200);
    });
    assert_eq!(sliced.metrics(), metrics(1, 55, 0, 0));
    drop((budget, sliced));
    assert_eq!(counters(), base);
}

/// For several intervals, all the units of a slice that never ends: each
/// tag is the units left in its segment, the clock is read once a segment
/// after the first, and refunds oldest first never give back more than a
/// segment (`remaining + reserve` stays within the units).
#[test]
fn time_slice_tags_follow_the_segments() {
    warm();
    set_clock(0);
    for (units, every) in [(255u8, 1u8), (255, 7), (10, 3), (255, 254), (5, 255)] {
        let base = counters();
        let reads0 = reads();
        let mut budget = Budget::with_time_slice(
            units,
            TimeSlice::with_clock(u64::MAX, now).check_every(every),
        );
        let mut model_left = 0;
        budget.install(&mut noop_cx(), |cx| {
            let mut coops = Vec::new();
            let (mut segment_left, mut reserve) = (every.min(units), units - every.min(units));
            for _ in 0..units {
                if segment_left == 0 {
                    segment_left = every.min(reserve);
                    reserve -= segment_left;
                }
                let coop = must_take(cx);
                assert_eq!(tag(&coop), usize::from(segment_left), "{units}/{every}");
                segment_left -= 1;
                coops.push(coop);
            }
            assert!(take(cx).is_none());
            let segments = u32::from(units).div_ceil(u32::from(every));
            assert_eq!(reads() - reads0, segments - 1, "{units}/{every}");
            let mut model = 0;
            for coop in coops {
                let restore = tag(&coop);
                drop(coop);
                model = refund(model, restore);
                assert_eq!(left(cx), model, "{units}/{every}");
                assert!(model <= u32::from(every.min(units)));
            }
            model_left = model;
        });
        assert_eq!(u32::from(budget.remaining()), model_left);
        let spent = u64::from(units) - u64::from(model_left);
        assert_eq!(budget.metrics(), metrics(1, spent, 1, 0), "{units}/{every}");
        assert_eq!(counters(), base + 1);
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// A clock that takes a unit itself (through the thread-local fallback)
/// while the take that read it is between reading the reserve and moving
/// the next segment out: the budget of 2 must still hand out 2 units.
///
/// Failed before the fix committed with it: the outer take wrote back its
/// stale reserve, so 3 units were spent and the metrics said 2 (and, with a
/// clock that ends the slice on the inner read, takes went on after
/// `SLICE_ENDED`: [`clock_that_ends_the_slice_ends_it_for_the_outer_take`]).
#[cfg(feature = "std")]
#[test]
fn clock_that_takes_a_unit_does_not_overspend() {
    thread_local! {
        static IN_CLOCK: Cell<bool> = const { Cell::new(false) };
        static INNER: Cell<u32> = const { Cell::new(0) };
    }
    fn clock() -> u64 {
        if !IN_CLOCK.replace(true) {
            if spend(&mut noop_cx()) {
                INNER.set(INNER.get() + 1);
            }
            IN_CLOCK.set(false);
        }
        0
    }
    let mut budget = Budget::with_time_slice(2, TimeSlice::with_clock(100, clock).check_every(1));
    let outer = budget.install(&mut noop_cx(), spend_all);
    assert_eq!(outer + INNER.get(), 2, "units spent in all");
}

/// A clock that re-enters `poll_cooperate` on its second read, where the
/// inner take's own read ends the slice: the outer take, whose read said
/// the slice goes on, must not hand out a unit after the slice ended, and
/// every later take says `Pending`.
#[cfg(feature = "std")]
#[test]
fn clock_that_ends_the_slice_ends_it_for_the_outer_take() {
    thread_local! {
        static READS: Cell<u32> = const { Cell::new(0) };
        static INNER_TOOK: Cell<Option<bool>> = const { Cell::new(None) };
    }
    fn clock() -> u64 {
        let read = READS.get();
        READS.set(read + 1);
        match read {
            // The first read starts the slice.
            0 => 0,
            // The outer take's read: the inner one (read 2) ends the slice.
            1 => {
                INNER_TOOK.set(Some(spend(&mut noop_cx())));
                1
            }
            _ => 100,
        }
    }
    let mut budget = Budget::with_time_slice(10, TimeSlice::with_clock(5, clock).check_every(1));
    let (outer, later) = budget.install(&mut noop_cx(), |cx| {
        let outer = spend_all(cx);
        (outer, take(cx).is_some())
    });
    // Unit 1 (no read), unit 2 (read 0), then read 1 re-enters: read 2 ends
    // the slice, and both takes say `Pending`.
    assert_eq!(
        INNER_TOOK.get(),
        Some(false),
        "the inner take after the slice ended"
    );
    assert_eq!(outer, 2, "units handed out by the outer takes");
    assert!(!later, "a take after the slice ended");
    assert_eq!(READS.get(), 3, "clock reads");
    assert_eq!(budget.remaining(), 0);
    assert_eq!(budget.metrics(), metrics(1, 2, 1, 1));
}

#[derive(Default)]
struct TestWaker {
    wakes: AtomicUsize,
    panic: AtomicBool,
}

impl Wake for TestWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if self.panic.load(Ordering::SeqCst) {
            panic!("a wake panicked (expected by the test)");
        }
        // Re-entrant: on this thread, take through the thread-local fallback
        // and end a kept cooperation of the installation being run out.
        #[cfg(feature = "std")]
        {
            let inner = take(&mut noop_cx());
            REENTRANT.with(|r| r.borrow_mut().0 = Some(inner.is_some()));
            let kept = REENTRANT.with(|r| r.borrow_mut().1.take());
            drop((inner, kept));
        }
    }
}

thread_local! {
    static REENTRANT: RefCell<(Option<bool>, Option<Cooperation>)> = const { RefCell::new((None, None)) };
}

/// The task's waker panics when the units run out: the budget reads as
/// before the poll, the cooperation kept past it holds a detached counter,
/// a local one is refunded during the unwinding, and the next installation
/// wakes once again.
#[test]
fn panicking_wake_on_the_slow_path() {
    warm();
    let base = counters();
    let waker_state = Arc::new(TestWaker::default());
    let waker = Waker::from(waker_state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(3);
    budget.install(&mut cx, |cx| assert!(spend(cx)));
    let mut kept = None;
    waker_state.panic.store(true, Ordering::SeqCst);
    must_panic(|| {
        budget.install(&mut cx, |cx| {
            kept = Some(must_take(cx)); // 3
            let _local = must_take(cx); // 2
            assert!(spend(cx));
            let _ = take(cx); // runs out: the wake panics
            unreachable!();
        })
    });
    waker_state.panic.store(false, Ordering::SeqCst);
    assert_eq!(waker_state.wakes.load(Ordering::SeqCst), 1);
    assert_eq!(budget.remaining(), 2, "as before the panicked poll");
    assert!(!budget.ran_out());
    assert_eq!(counters(), base + 2, "detached for `kept`");
    drop(kept.take());
    assert_eq!(counters(), base + 1);
    REENTRANT.with(|r| r.borrow_mut().0 = None);
    budget.install(&mut cx, |cx| {
        assert_eq!(spend_all(cx), 3);
        assert!(take(cx).is_none());
    });
    assert_eq!(
        waker_state.wakes.load(Ordering::SeqCst),
        2,
        "once per installation"
    );
    assert_eq!(budget.metrics(), metrics(2, 1 + 3, 1, 0));
    drop(budget);
    assert_eq!(counters(), base);
}

/// The task's wake, on the slow path, takes through the thread-local (the
/// budget is spent: `Pending`, no second wake of the task) and drops a kept
/// cooperation, which refunds the cell being run out: the take still says
/// `Pending`, and the units it gave back are then exactly there.
#[cfg(feature = "std")]
#[test]
fn reentrant_wake_takes_and_refunds_on_the_slow_path() {
    warm();
    let base = counters();
    let waker_state = Arc::new(TestWaker::default());
    let waker = Waker::from(waker_state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut budget = Budget::with_units(3);
    budget.install(&mut cx, |cx| {
        let k = must_take(cx); // 3
        REENTRANT.with(|r| r.borrow_mut().1 = Some(k));
        assert!(spend(cx) && spend(cx));
        assert!(take(cx).is_none(), "Pending, though the wake refunded");
        assert_eq!(
            REENTRANT.with(|r| r.borrow().0),
            Some(false),
            "the inner take was Pending"
        );
        assert_eq!(waker_state.wakes.load(Ordering::SeqCst), 1);
        assert_eq!(left(cx), 3, "k gave back to 3");
        assert_eq!(spend_all(cx), 3);
        assert_eq!(
            waker_state.wakes.load(Ordering::SeqCst),
            1,
            "the task is woken once"
        );
    });
    assert!(budget.ran_out());
    assert_eq!(budget.metrics(), metrics(1, 3, 1, 0));
    assert_eq!(counters(), base + 1, "nothing detached");
    drop(budget);
    assert_eq!(counters(), base);
}

/// A budget goes to another thread and back while each thread keeps a
/// cooperation of its own installation; each is ended on its thread while
/// the budget is installed elsewhere or again, and changes nothing there.
/// Counters are counted per thread: exact on each.
#[test]
fn budget_ping_pong_between_threads_with_cooperations_left_on_each() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(5);
    let here = budget.install(&mut noop_cx(), must_take); // 5, detached
    assert_eq!(counters(), base + 2);
    let (to_main, from_thread) = mpsc::channel::<Budget>();
    let (to_thread, from_main) = mpsc::channel::<Budget>();
    let thread = std::thread::spawn(move || {
        let there0 = counters();
        let mut budget = budget;
        let there = budget.install(&mut noop_cx(), |cx| {
            assert_eq!(left(cx), 5);
            let k = must_take(cx); // 5, detached: a fresh counter here
            assert!(spend(cx));
            k
        });
        assert_eq!(counters(), there0 + 1);
        to_main.send(budget).unwrap();
        let mut budget = from_main.recv().unwrap();
        // The budget was installed on the main thread meanwhile.
        budget.install(&mut noop_cx(), |cx| {
            assert_eq!(left(cx), 5);
            assert!(spend(cx));
            drop(there); // the old counter (allocated on main) freed here
            assert_eq!(left(cx), 4);
        });
        assert_eq!(counters(), there0 + 1 - 1);
        budget
    });
    let mut budget = from_thread.recv().unwrap();
    assert_eq!(budget.remaining(), 3, "the detach kept what was left");
    budget.install(&mut noop_cx(), |cx| {
        assert_eq!(left(cx), 5);
        drop(here); // the first counter, detached
        assert_eq!(left(cx), 5);
        assert!(spend(cx) && spend(cx));
    });
    // The first counter freed here; the one the first detach made here is
    // held by `there` (counted here, freed there).
    assert_eq!(counters(), base + 1);
    to_thread.send(budget).unwrap();
    let budget = thread.join().unwrap();
    assert_eq!(budget.remaining(), 4);
    assert_eq!(budget.metrics(), metrics(4, 1 + 2 + 2 + 1, 0, 0));
    drop(budget); // the counter the thread's detach made, freed here
    assert_eq!(counters(), base + 1 - 1);
}
