//! Adversarial tests of how a budget cooperation carries its restore value
//! (the units left just before it was taken), and of a detached counter's
//! `released` count, which starts at minus its live cooperations, so that
//! only the release that brings it to 0 frees it.
//!
//! Written for commit 2b12e6d, where the restore value was a choice among
//! 256 vtables; since the commit after d507287 it is in the low 8 bits of
//! the data pointer (the counter is 256-aligned) and every budget
//! cooperation has one vtable. The tests read the restore value from where
//! it is ([`restore_of`]); what they assert of units, counters and memory
//! did not change.
//!
//! What they attack: a counter freed too early (use after free, double
//! free: Miri) or never (a leak: the counting allocator below, and Miri's
//! leak checker); a wrong number of units given back (tokio's
//! `RestoreOnPending` rule, as `budget_cell.rs` states it: back to what they
//! were before the cooperation was taken, unless they are already higher);
//! a late cooperation touching a budget installed after the one that made
//! it; cooperations taken apart and put together again
//! (`Cooperation::from_raw(coop.data(), coop.vtable())` after
//! `mem::forget`), or ended through copies of their vtable at other
//! addresses (what a second copy of the crate would see); cooperations kept
//! across installations, budgets dropped first, panics inside
//! installations, time slices, `with_budget`, nested installations, budgets
//! moved to another thread, cooperations ended at thread exit; and a
//! randomised model of all of these, checked after every step (units,
//! counters alive, clock reads, wakes, metrics).
//!
//! Counters alive are counted as in `budget_live_count.rs`: the budget's
//! counter is the only 256-aligned allocation these tests make.
#![cfg(feature = "alloc")]

mod support;

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::task::Context;

use support::budget_parts::{budget_vtable, copied_vtable, counter, tag, warm};
use support::clock::{advance, now, reads, set as set_clock};
use support::counters::{counters, CountingCounters};
use support::{left, metrics, must_take, noop_cx, spend, spend_all, take, Forgotten, WakeCounter};
use task_coop::{Budget, BudgetMetrics, Cooperation, CooperationVTable, TimeSlice};

// ---------------------------------------------------------------------------
// Counting the budget counters alive on this thread.

#[global_allocator]
static ALLOCATOR: CountingCounters = CountingCounters;

// ---------------------------------------------------------------------------
// Helpers.

fn must_panic(f: impl FnOnce()) {
    let result = catch_unwind(AssertUnwindSafe(f));
    assert!(result.is_err(), "expected a panic");
}

/// Takes a cooperation apart (`mem::forget`) and puts it together again from
/// its raw parts.
fn rebuild(coop: Cooperation) -> Cooperation {
    let (data, vtable) = (coop.data(), coop.vtable());
    std::mem::forget(coop);
    // SAFETY: the parts of one live cooperation, forgotten just above (so no
    // vtable function ran for them), used on this thread.
    unsafe { Cooperation::from_raw(data, vtable) }
}

/// The vtable's address, to compare.
fn vt(coop: &Cooperation) -> *const CooperationVTable {
    ptr::from_ref(coop.vtable())
}

/// How a cooperation is ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Drop,
    MadeProgress,
    /// Dropped with a copy of its vtable at another address: not
    /// recognised by address, so through the copy's own `drop`, as a second
    /// copy of the crate would.
    DropByCopy,
    /// `made_progress` with a copy of its vtable (through the copy's
    /// function).
    ProgressByCopy,
}

const ENDS: [End; 4] = [
    End::Drop,
    End::MadeProgress,
    End::DropByCopy,
    End::ProgressByCopy,
];

impl End {
    fn refunds(self) -> bool {
        matches!(self, End::Drop | End::DropByCopy)
    }

    fn end(self, coop: Cooperation) {
        let mut coop = match self {
            End::Drop | End::MadeProgress => coop,
            End::DropByCopy | End::ProgressByCopy => to_copied_vtable(coop),
        };
        match self {
            End::Drop | End::DropByCopy => drop(coop),
            End::MadeProgress | End::ProgressByCopy => coop.made_progress(),
        }
    }
}

/// The same cooperation, with a copy of its vtable (at another address).
fn to_copied_vtable(coop: Cooperation) -> Cooperation {
    if is_copy(coop.vtable()) {
        return coop;
    }
    assert!(
        ptr::eq(coop.vtable(), budget_vtable()),
        "a budget cooperation"
    );
    let data = coop.data();
    std::mem::forget(coop);
    // SAFETY: the copy holds the same two functions as the cooperation's
    // own vtable, so the contract its data was made under holds; the
    // original was forgotten.
    unsafe { Cooperation::from_raw(data, copied_vtable()) }
}

/// Whether `vtable` is [`copied_vtable`].
fn is_copy(vtable: &'static CooperationVTable) -> bool {
    ptr::eq(vtable, copied_vtable())
}

/// The restore value of a budget cooperation (with the budget's vtable or
/// a copy of it): the low 8 bits of its data pointer.
fn restore_of(coop: &Cooperation) -> Option<u8> {
    let budget = ptr::eq(coop.vtable(), budget_vtable()) || is_copy(coop.vtable());
    budget.then(|| tag(coop) as u8)
}

/// tokio's rule as `budget_cell.rs` states it: a refund puts the units back
/// to what they were before the cooperation was taken, unless they are
/// already higher.
fn refunded(now: u8, restore: u8) -> u8 {
    now.max(restore)
}

// ---------------------------------------------------------------------------
// The restore values.

/// Every restore value from 255 to 1 in one installation: all share the
/// budget's vtable and the counter, each has its own data pointer (the
/// counter's, tagged with the value; the same value of another budget has
/// another), and cooperations taken apart and put together again, then
/// dropped in last-in-first-out order, give back exactly one unit each
/// (tokio's `RestoreOnPending`), up to 255.
#[test]
fn every_restore_value_has_its_vtable_and_survives_from_raw_round_trips() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(255);
    let mut other = Budget::with_units(255);
    let mut cx = noop_cx();
    budget.install(&mut cx, |cx| {
        let mut coops = Vec::new();
        for expected in (1..=255u8).rev() {
            assert_eq!(left(cx), u32::from(expected));
            let coop = rebuild(must_take(cx));
            assert_eq!(restore_of(&coop), Some(expected));
            coops.push(coop);
        }
        assert!(take(cx).is_none());
        let first = counter(&coops[0]);
        let vtables: BTreeSet<_> = coops.iter().map(vt).collect();
        assert_eq!(vtables.len(), 1, "one vtable for every restore value");
        let datas: BTreeSet<_> = coops.iter().map(|c| c.data().addr()).collect();
        assert_eq!(datas.len(), 255, "one data pointer per restore value");
        assert!(coops.iter().all(|c| counter(c) == first), "one counter");

        // Another budget's cooperation of the same restore value: same
        // vtable, another counter.
        other.install(cx, |cx| {
            assert!(spend(cx));
            let twin = must_take(cx); // restore 254
            assert!(ptr::eq(twin.vtable(), coops[1].vtable()));
            assert_eq!(restore_of(&twin), restore_of(&coops[1]));
            assert_ne!(counter(&twin), first);
        });
        assert_eq!(left(cx), 0, "the inner budget did not touch the outer one");

        // Apart and together again once more, then last in, first out.
        let coops: Vec<_> = coops.into_iter().map(rebuild).collect();
        for (i, coop) in coops.into_iter().enumerate().rev() {
            drop(coop);
            assert_eq!(left(cx), 255 - i as u32, "entry {}", 255 - i);
        }
        assert_eq!(left(cx), 255);
    });
    assert_eq!(budget.remaining(), 255);
    assert_eq!(budget.metrics(), metrics(1, 0, 1, 0));
    assert_eq!(counters(), base + 2, "nothing detached");
    drop((budget, other));
    assert_eq!(counters(), base);
}

/// Refunds in every order over all 255 restore values, each way of ending
/// (fast path, copies of the vtables at other addresses, `made_progress`
/// mixed in): the units after each end are exactly tokio's rule.
#[test]
fn refunds_in_scrambled_orders_follow_tokios_rule_exactly() {
    warm();
    let orders: [fn(usize) -> usize; 4] = [
        |i| i,                 // first in, first out
        |i| 254 - i,           // last in, first out
        |i| (i * 97) % 255,    // scrambled (97 is prime to 255)
        |i| (i * 2 + 1) % 255, // odd ones first
    ];
    let base = counters();
    let mut budget = Budget::with_units(255);
    for (o, order) in orders.iter().enumerate() {
        for (e, how) in ENDS.iter().enumerate() {
            budget.install(&mut noop_cx(), |cx| {
                // Spend a few first, so that the units are not the budget's.
                for _ in 0..o + e {
                    assert!(spend(cx));
                }
                let mut now = 255 - (o + e) as u8;
                let mut coops: Vec<Option<(u8, Cooperation)>> = Vec::new();
                while let Some(coop) = take(cx) {
                    coops.push(Some((now, coop)));
                    now -= 1;
                }
                assert_eq!(left(cx), 0);
                let n = coops.len();
                for i in 0..255 {
                    let k = order(i);
                    if k >= n {
                        continue;
                    }
                    let (restore, coop) = coops[k].take().unwrap();
                    // Alternate with the other way of ending, so both kinds
                    // mix in every order.
                    let how = if k % 3 == 0 { ENDS[(e + 1) % 4] } else { *how };
                    how.end(coop);
                    if how.refunds() {
                        now = refunded(now, restore);
                    }
                    assert_eq!(left(cx), u32::from(now), "order {o}, {how:?}, k {k}");
                }
                assert!(coops.iter().all(Option::is_none));
            });
            assert_eq!(counters(), base + 1, "order {o}: nothing outlived the poll");
        }
    }
    drop(budget);
    assert_eq!(counters(), base);
}

/// Parts of two budgets' cooperations put together crosswise: the data of
/// a budget of 3 units with the vtable of a cooperation of restore value
/// 200 (taken from a budget of 200). Memory must stay safe. With the
/// restore value in the vtable (2b12e6d to d507287) this gave back 200
/// units to a budget of 3; before the fix committed with this test,
/// `OwnedCell::install` then failed a
/// `debug_assert!(left <= config.units)` *after* the unwind guard was
/// disarmed, so `detach_if_shared` never ran: a cooperation kept past that
/// poll stayed on the attached counter, the next installation reset the
/// counts and forgot it, and dropping the budget freed the counter under it
/// (a use after free when it was dropped; Miri reported it). The
/// installation's end now saturates and cannot panic; and since the data
/// carries the restore value again and every budget cooperation has the
/// same vtable, the pairing is harmless. The test asserts the memory
/// invariant (no counter freed under a live cooperation), and forgets the
/// cooperation rather than use it after the free when that fails.
#[test]
fn mixed_parts_of_two_budgets_never_free_a_counter_under_a_cooperation() {
    let base = counters();
    let mut small = Budget::with_units(3);
    let mut big = Budget::with_units(200);
    let mut kept = None;
    big.install(&mut noop_cx(), |cx| {
        let big_coop = must_take(cx); // restore 200
        let _ = catch_unwind(AssertUnwindSafe(|| {
            small.install(cx, |cx| {
                kept = Some(must_take(cx)); // restore 3, kept past the poll
                let small_coop = must_take(cx); // restore 2
                let (small_data, small_vtable) = (small_coop.data(), small_coop.vtable());
                let (big_data, big_vtable) = (big_coop.data(), big_coop.vtable());
                std::mem::forget(small_coop);
                std::mem::forget(big_coop);
                // SAFETY: as far as the crate's own comments go (any restore
                // value is sound), each counter gets exactly one release for
                // the one hold it counted; only the restore values are
                // swapped. This is the claim the test puts to the proof.
                let (crossed_small, crossed_big) = unsafe {
                    (
                        Cooperation::from_raw(small_data, big_vtable),
                        Cooperation::from_raw(big_data, small_vtable),
                    )
                };
                drop(crossed_small);
                drop(crossed_big);
            });
        }));
    });
    // Whatever the units read, the kept cooperation's counter must live.
    small.install(&mut noop_cx(), |_| {});
    drop(small);
    let alive = counters();
    if alive != base + 2 {
        std::mem::forget(kept.take());
        panic!(
            "{} counters alive, expected {}: the kept cooperation's counter was freed under it",
            alive - base,
            2
        );
    }
    drop(kept);
    drop(big);
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// The released counter of a detached counter.

/// Hundreds of cooperations (more than the 255 units: refunds past kept
/// ones) outlive their installation, kept, forgotten or taken apart; the
/// budget is dropped; they end in a scrambled order, each way, refunds
/// included. The counter must stay alive until exactly the last one.
#[test]
fn detached_counter_with_hundreds_of_live_cooperations_freed_at_the_last() {
    warm();
    const N: usize = if cfg!(miri) { 300 } else { 1_000 };
    for last in ENDS {
        let base = counters();
        let mut budget = Budget::with_units(3);
        let mut held: Vec<Option<Forgotten>> = Vec::new();
        budget.install(&mut noop_cx(), |cx| {
            for i in 0..N {
                let a = must_take(cx); // restore 3
                let b = must_take(cx); // restore 2
                held.push(Some(Forgotten::new(if i % 2 == 0 {
                    b
                } else {
                    rebuild(b)
                })));
                drop(a);
                assert_eq!(left(cx), 3);
            }
            let c = must_take(cx); // restore 3, kept too
            held.push(Some(Forgotten::new(c)));
            assert_eq!(left(cx), 2);
        });
        assert_eq!(budget.remaining(), 2);
        assert_eq!(counters(), base + 2, "{last:?}: detached");
        // A later installation sees none of them.
        budget.install(&mut noop_cx(), |cx| assert_eq!(spend_all(cx), 3));
        drop(budget);
        assert_eq!(counters(), base + 1);
        let total = held.len();
        let mut ended = 0;
        for i in 0..total {
            let k = (i * 7919) % total; // 7919 is prime: every index once
            let Some(coop) = held[k].take() else { continue };
            ended += 1;
            if ended == total {
                last.end(coop.revive());
                break;
            }
            ENDS[i % 4].end(coop.revive());
            assert_eq!(counters(), base + 1, "freed after {ended} of {total}");
        }
        // Whatever the scramble missed.
        let rest: Vec<_> = held.iter_mut().filter_map(Option::take).collect();
        let rest_len = rest.len();
        for (j, coop) in rest.into_iter().enumerate() {
            assert_eq!(counters(), base + 1, "freed early");
            if j + 1 == rest_len {
                last.end(coop.revive());
            } else {
                drop(coop.revive());
            }
        }
        assert_eq!(counters(), base, "{last:?}: the last one frees it");
    }
}

/// A detached counter with exactly one live cooperation, ended every way,
/// inside the next installation (which must not change) or after the
/// budget is gone.
#[test]
fn detached_counter_with_one_live_cooperation() {
    warm();
    for how in ENDS {
        for budget_first in [false, true] {
            let base = counters();
            let mut budget = Budget::with_units(5);
            let kept = budget.install(&mut noop_cx(), |cx| {
                assert!(spend(cx));
                let k = must_take(cx); // restore 4
                assert!(spend(cx));
                k
            });
            assert_eq!(budget.remaining(), 2);
            assert_eq!(counters(), base + 2);
            if budget_first {
                drop(budget);
                assert_eq!(counters(), base + 1);
                how.end(kept);
                assert_eq!(counters(), base, "{how:?}");
            } else {
                let mut kept = Some(kept);
                budget.install(&mut noop_cx(), |cx| {
                    for _ in 0..4 {
                        assert!(spend(cx));
                    }
                    assert_eq!(left(cx), 1);
                    how.end(kept.take().unwrap());
                    assert_eq!(
                        left(cx),
                        1,
                        "{how:?}: a late refund reached this installation"
                    );
                    assert_eq!(counters(), base + 1);
                });
                assert_eq!(budget.metrics(), metrics(2, 3 + 4, 0, 0));
                drop(budget);
                assert_eq!(counters(), base);
            }
        }
    }
}

/// Three installations in a row each leave cooperations behind (so three
/// counters are detached, one after the other), and they are ended
/// interleaved across the counters, some inside a fourth installation, the
/// budget dropped halfway. Each counter is freed exactly at its own last.
#[test]
fn several_detached_counters_released_interleaved() {
    warm();
    let base = counters();
    let mut budget = Budget::with_units(4);
    let mut groups: Vec<Vec<Cooperation>> = Vec::new();
    for n in [3usize, 1, 2] {
        let kept = budget.install(&mut noop_cx(), |cx| {
            let kept: Vec<_> = (0..n).map(|_| rebuild(must_take(cx))).collect();
            assert!(spend(cx));
            kept
        });
        groups.push(kept);
    }
    assert_eq!(counters(), base + 4, "three detached and the budget's own");
    // g0: 3 live, g1: 1, g2: 2. End g0[0], g2[0], g0[1] inside an installation.
    let mut g0 = std::mem::take(&mut groups[0]);
    let mut g1 = std::mem::take(&mut groups[1]);
    let mut g2 = std::mem::take(&mut groups[2]);
    budget.install(&mut noop_cx(), |cx| {
        assert!(spend(cx));
        End::Drop.end(g0.pop().unwrap());
        End::DropByCopy.end(g2.pop().unwrap());
        End::MadeProgress.end(g0.pop().unwrap());
        assert_eq!(left(cx), 3, "late refunds reached a later installation");
        assert_eq!(counters(), base + 4);
        End::ProgressByCopy.end(g1.pop().unwrap());
        assert_eq!(counters(), base + 3, "g1's counter freed at its one");
    });
    drop(budget);
    assert_eq!(counters(), base + 2);
    drop(g2.pop());
    assert_eq!(counters(), base + 1);
    drop(g0.pop());
    assert_eq!(counters(), base);
}

/// A refund after the detach must change nothing on the detached counter
/// either: had it raised `remaining` there, the live count the owner took
/// (`released = -live`) would no longer match, and the counter would be
/// freed early or never. Refund-heavy: every cooperation left behind has a
/// restore value above what was left, and they are dropped (not spent),
/// some between installations of other budgets.
#[test]
fn refunds_after_the_detach_change_nothing_anywhere() {
    let base = counters();
    let mut budget = Budget::with_units(9);
    let mut kept = budget.install(&mut noop_cx(), |cx| {
        let kept: Vec<_> = (0..5).map(|_| must_take(cx)).collect(); // 9..5
        assert_eq!(spend_all(cx), 4);
        kept
    });
    assert_eq!(budget.remaining(), 0);
    assert!(budget.ran_out());
    assert_eq!(counters(), base + 2);
    // Dropped outside any installation: no installation to refund.
    drop(kept.pop()); // restore 5
    assert_eq!(
        budget.remaining(),
        0,
        "outside: the budget's fresh counter untouched"
    );
    assert_eq!(counters(), base + 2);
    // Inside another budget's installation.
    let mut other = Budget::with_units(2);
    other.install(&mut noop_cx(), |cx| {
        assert!(spend(cx));
        drop(kept.pop()); // restore 6
        assert_eq!(left(cx), 1);
    });
    // Inside the budget's own next installation, at 0 units left.
    budget.install(&mut noop_cx(), |cx| {
        assert_eq!(spend_all(cx), 9);
        drop(kept.pop()); // restore 7
        assert_eq!(left(cx), 0);
        assert!(take(cx).is_none());
        assert_eq!(counters(), base + 3);
    });
    drop(kept.remove(1)); // restore 8
    assert_eq!(counters(), base + 3);
    drop(kept.pop()); // restore 9, the last
    assert_eq!(counters(), base + 2);
    assert_eq!(budget.metrics(), metrics(2, 9 + 9, 2, 0));
    drop((budget, other));
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Panics.

/// A poll panics with cooperations in three places: dropped by the
/// unwinding before the installation's guard runs (locals of the poll),
/// kept in a slot outside the installation but inside the panicking frame
/// (dropped by the unwinding after the guard detached the counter), and kept
/// by the test. The guard must count the last two as live, and the counter
/// must be freed exactly when the test ends its last one.
#[test]
fn unwinding_drops_cooperations_before_and_after_the_guard() {
    warm();
    for how in ENDS {
        let base = counters();
        let mut budget = Budget::with_units(6);
        budget.install(&mut noop_cx(), |cx| assert!(spend(cx) && spend(cx)));
        assert_eq!(budget.remaining(), 4);
        let mut outlives: Option<Cooperation> = None;
        must_panic(|| {
            let mut after_guard: Option<Cooperation> = None;
            let _witness = Witness(base, 2);
            budget.install(&mut noop_cx(), |cx| {
                let _before_guard = must_take(cx); // restore 6
                after_guard = Some(rebuild(must_take(cx))); // restore 5
                outlives = Some(to_copied_vtable(must_take(cx))); // restore 4
                let _also = Forgotten::new(must_take(cx)).revive(); // restore 3
                assert_eq!(left(cx), 2);
                panic!("a poll panicked (expected by the test)");
            });
        });
        assert_eq!(budget.remaining(), 4, "as before the panicked poll");
        assert!(!budget.ran_out());
        assert_eq!(budget.metrics(), metrics(1, 2, 0, 0));
        assert_eq!(
            counters(),
            base + 2,
            "{how:?}: `outlives` holds the old counter"
        );
        budget.install(&mut noop_cx(), |cx| {
            assert_eq!(left(cx), 6);
            assert!(spend(cx));
            how.end(outlives.take().unwrap());
            assert_eq!(left(cx), 5, "{how:?}");
            assert_eq!(counters(), base + 1);
        });
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// Asserts, when dropped during an unwinding (after the installation's
/// guard, before the slot declared before it), that exactly `.1` counters
/// more than `.0` are alive: the budget's fresh one and the detached one.
struct Witness(isize, isize);

impl Drop for Witness {
    fn drop(&mut self) {
        assert_eq!(
            counters(),
            self.0 + self.1,
            "counters alive after the guard"
        );
    }
}

/// An inner budget panics inside an outer installation; the outer
/// budget's cooperations (one taken before, refunded inside the inner
/// installation; one kept in the inner poll's unwinding locals) give back
/// to the outer budget exactly, and the inner one kept past the panic
/// touches neither.
#[test]
fn panic_in_a_nested_installation_with_cooperations_of_both() {
    let base = counters();
    let mut outer = Budget::with_units(7);
    let mut inner = Budget::with_units(3);
    let mut kept_inner = None;
    outer.install(&mut noop_cx(), |cx| {
        assert!(spend(cx));
        let o1 = must_take(cx); // restore 6
        let o2 = must_take(cx); // restore 5
        let o3 = must_take(cx); // restore 4
        assert_eq!(left(cx), 3);
        must_panic(|| {
            inner.install(cx, |cx| {
                let _o3 = o3; // dropped by the unwinding: refunds the outer budget
                kept_inner = Some(must_take(cx)); // inner restore 3
                assert!(spend(cx));
                drop(o2); // the outer budget, while the inner one is installed
                assert_eq!(left(cx), 1, "the inner budget");
                panic!("an inner poll panicked (expected by the test)");
            });
        });
        assert_eq!(left(cx), 5, "o2 then o3 refunded the outer budget");
        assert_eq!(inner.remaining(), 3);
        assert_eq!(counters(), base + 3);
        drop(kept_inner.take());
        assert_eq!(left(cx), 5);
        assert_eq!(counters(), base + 2);
        drop(o1);
        assert_eq!(left(cx), 6);
    });
    assert_eq!(outer.remaining(), 6);
    assert_eq!(outer.metrics(), metrics(1, 1, 0, 0));
    assert_eq!(inner.metrics(), metrics(0, 0, 0, 0));
    drop((outer, inner));
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Time slices.

fn slice(ticks: u64, check_every: u8) -> TimeSlice {
    TimeSlice::with_clock(ticks, now).check_every(check_every)
}

/// With a time slice the restore value is the segment's: cooperations of
/// three segments, taken apart and put together, dropped out of order, each
/// give back exactly what the rule says of the segment's units; after the
/// slice ends nothing is given back, through any vtable; the ones kept past
/// the installation change nothing in the next one.
#[test]
fn time_slice_segments_restore_through_the_vtables() {
    warm();
    for how in [End::Drop, End::DropByCopy] {
        set_clock(0);
        let base = counters();
        let reads0 = reads();
        let mut budget = Budget::with_time_slice(10, slice(5, 3));
        let mut kept = budget.install(&mut noop_cx(), |cx| {
            let a = rebuild(must_take(cx)); // segment 1 (3): restore 3
            let b = must_take(cx); // restore 2
            let c = must_take(cx); // restore 1
            assert_eq!(left(cx), 7);
            let d = rebuild(must_take(cx)); // read 1, segment 2 (3): restore 3
            assert_eq!(reads() - reads0, 1);
            assert_eq!(restore_of(&d), Some(3));
            assert_eq!(left(cx), 6);
            how.end(c); // restore 1 < 2
            assert_eq!(left(cx), 6);
            how.end(b); // restore 2 = 2
            assert_eq!(left(cx), 6);
            how.end(a); // restore 3 > 2
            assert_eq!(left(cx), 7);
            let e = must_take(cx); // restore 3
            let f = must_take(cx); // restore 2
            let g = must_take(cx); // restore 1
            assert_eq!(left(cx), 4);
            let h = must_take(cx); // read 2, segment 3 (3): restore 3
            assert_eq!(reads() - reads0, 2);
            how.end(g);
            assert_eq!(left(cx), 3, "restore 1 < 2");
            advance(5);
            let i = must_take(cx); // restore 2
            let j = must_take(cx); // restore 1
            assert_eq!(left(cx), 1);
            assert!(take(cx).is_none(), "read 3 ends the slice");
            assert_eq!(reads() - reads0, 3);
            assert_eq!(left(cx), 0);
            how.end(j);
            how.end(e);
            how.end(h);
            assert_eq!(left(cx), 0, "no refund once the slice ended");
            assert!(take(cx).is_none());
            assert_eq!(reads() - reads0, 3, "no read once ended");
            vec![d, f, i]
        });
        assert_eq!(budget.remaining(), 0);
        assert!(budget.ran_out());
        // reserve 1 left; 10 - 1 spent.
        assert_eq!(budget.metrics(), metrics(1, 9, 1, 1));
        assert_eq!(counters(), base + 2, "{how:?}");
        budget.install(&mut noop_cx(), |cx| {
            assert_eq!(left(cx), 10);
            assert!(spend(cx));
            for coop in kept.drain(..) {
                how.end(coop);
                assert_eq!(left(cx), 9, "{how:?}");
            }
            assert_eq!(counters(), base + 1);
        });
        assert_eq!(budget.remaining(), 9);
        drop(budget);
        assert_eq!(counters(), base);
    }
}

/// A clock that ends cooperations when it is read (it runs on the take's
/// slow path, between reading the reserve and moving the next segment out
/// of it): a refund of the installation's own cooperation, the release of
/// a detached counter's last one, and a `made_progress`. Whatever the
/// units, the live counts must stay exact: nothing detached at the end,
/// the detached counter freed inside the clock.
#[test]
fn cooperations_ended_inside_the_clock_keep_the_counts_exact() {
    std::thread_local! {
        static ON_READ: std::cell::RefCell<Vec<Cooperation>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }
    fn clock() -> u64 {
        let ended = ON_READ.with(|v| std::mem::take(&mut *v.borrow_mut()));
        for (i, mut coop) in ended.into_iter().enumerate() {
            if i % 2 == 0 {
                drop(coop);
            } else {
                coop.made_progress();
            }
        }
        0
    }
    let base = counters();
    let mut budget = Budget::with_time_slice(12, TimeSlice::with_clock(100, clock).check_every(4));
    let late = budget.install(&mut noop_cx(), must_take);
    assert_eq!(counters(), base + 2);
    budget.install(&mut noop_cx(), |cx| {
        let a = must_take(cx); // restore 4
        let b = must_take(cx); // restore 3
        assert!(spend(cx) && spend(cx));
        assert_eq!(left(cx), 8);
        ON_READ.with(|v| v.borrow_mut().extend([a, late, b]));
        // The read: a is refunded (to 4) inside it, which undoes every
        // take after it (tokio's rule), and the detached counter is freed
        // there. Since 972976b the take goes on from the segment the
        // refund left (4, the reserve untouched: 8), where it used to move
        // the next segment over it and lose the refund.
        let c = must_take(cx);
        assert_eq!(
            counters(),
            base + 1,
            "the detached counter freed inside the clock"
        );
        assert_eq!(left(cx), 11, "the refund kept, c taken from it");
        drop(c);
        assert_eq!(left(cx), 12);
    });
    assert_eq!(counters(), base + 1, "nothing left live: nothing detached");
    assert_eq!(budget.remaining(), 12);
    budget.install(&mut noop_cx(), |cx| assert_eq!(spend_all(cx), 12));
    drop(budget);
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// Threads, thread-locals, `with_budget`.

/// The owner is `Send`: after an installation left a cooperation behind,
/// the budget goes to another thread, is installed and dropped there, while
/// the detached counter stays with its cooperation on this thread. (Miri:
/// no data race on the non-atomic counters.)
#[test]
fn budget_moved_to_another_thread_with_a_detached_counter_left_here() {
    for drop_there in [false, true] {
        let base = counters();
        let mut budget = Budget::with_units(4);
        let kept = budget.install(&mut noop_cx(), |cx| {
            let k = must_take(cx); // restore 4
            assert!(spend(cx));
            k
        });
        assert_eq!(counters(), base + 2);
        let back = std::thread::spawn(move || {
            let there = counters();
            budget.install(&mut noop_cx(), |cx| {
                assert_eq!(left(cx), 4);
                assert!(spend(cx) && spend(cx));
            });
            assert_eq!(budget.remaining(), 2);
            assert_eq!(counters(), there, "nothing allocated there");
            if drop_there {
                drop(budget);
                assert_eq!(counters(), there - 1, "freed there");
                None
            } else {
                Some(budget)
            }
        })
        .join()
        .unwrap();
        drop(kept);
        // The budget's counter was allocated here (at the detach).
        assert_eq!(counters(), base + 1);
        if let Some(budget) = back {
            assert_eq!(budget.remaining(), 2, "the late one changed nothing");
            assert_eq!(budget.metrics(), metrics(2, 2 + 2, 0, 0));
            drop(budget);
            assert_eq!(counters(), base);
        }
    }
}

/// Cooperations kept in a thread-local outlive their budget and are ended
/// by the thread-local's destructor at thread exit, on a detached counter
/// (Miri's leak checker vouches that it is freed then, and that nothing is
/// freed twice).
#[test]
fn cooperations_ended_at_thread_exit() {
    std::thread_local! {
        static KEPT: std::cell::RefCell<Vec<Cooperation>> = const {
            std::cell::RefCell::new(Vec::new())
        };
    }
    std::thread::spawn(|| {
        let base = counters();
        let mut budget = Budget::with_units(3);
        budget.install(&mut noop_cx(), |cx| {
            let a = must_take(cx);
            let b = rebuild(must_take(cx));
            KEPT.with(|k| k.borrow_mut().extend([a, b]));
        });
        #[cfg(feature = "std")]
        task_coop::with_budget(&mut noop_cx(), 2, |cx| {
            let c = must_take(cx);
            KEPT.with(|k| k.borrow_mut().push(c));
        });
        drop(budget);
        // One detached counter per installation that kept one, and with
        // `std` the thread's fresh `with_budget` counter.
        let extra = if cfg!(feature = "std") { 3 } else { 1 };
        assert_eq!(counters(), base + extra);
    })
    .join()
    .unwrap();
}

/// `with_budget` on the thread's shared counter: nested installations (the
/// inner one takes a counter of its own), cooperations of the outer one
/// refunded inside the inner one, cooperations kept past each, every
/// counter alive accounted for, exactly.
#[cfg(feature = "std")]
#[test]
fn with_budget_nested_and_kept_cooperations() {
    use task_coop::with_budget;

    let mut cx = noop_cx();
    with_budget(&mut cx, 1, |_| {}); // the thread's counter exists from here
    let base = counters();
    let (outer_kept, inner_kept) = with_budget(&mut cx, 5, |cx| {
        let o1 = must_take(cx); // restore 5
        let o2 = rebuild(must_take(cx)); // restore 4
        assert_eq!(counters(), base, "the thread's counter, taken out");
        let inner_kept = with_budget(cx, 200, |cx| {
            assert_eq!(counters(), base + 1, "the inner one has its own");
            assert_eq!(left(cx), 200);
            let i1 = must_take(cx); // restore 200
            drop(o2); // the outer budget's
            assert_eq!(left(cx), 199, "the inner budget untouched");
            i1
        });
        // The inner counter was detached (i1 lives), its fresh one went
        // into the thread's slot, to be dropped when the outer one is put
        // back.
        assert_eq!(counters(), base + 2);
        assert_eq!(left(cx), 4, "o2 refunded the outer budget");
        assert!(spend(cx));
        (o1, inner_kept)
    });
    // The outer counter detached (o1 lives): a fresh one in the slot; the
    // inner budget's fresh one dropped.
    assert_eq!(counters(), base + 2);
    let mut kept = Some((outer_kept, inner_kept));
    with_budget(&mut cx, 3, |cx| {
        assert!(spend(cx));
        let (o1, i1) = kept.take().unwrap();
        drop(i1);
        assert_eq!(counters(), base + 1);
        drop(o1);
        assert_eq!(counters(), base);
        assert_eq!(left(cx), 2, "late refunds reached a later installation");
    });
    assert_eq!(counters(), base);
}

/// A child polled with a waker of its own (a combinator's) reaches the
/// innermost installation through the thread-local: its cooperations are
/// that budget's, with the same counter and vtables, woken each time it is
/// told `Pending`; one kept past the inner installation never touches the
/// outer budget.
#[cfg(feature = "std")]
#[test]
fn cooperations_through_the_thread_local_fallback() {
    let (child_wakes, child_waker) = WakeCounter::new();
    let (task_wakes, task_waker) = WakeCounter::new();
    let base = counters();
    let mut outer = Budget::with_units(5);
    let mut inner = Budget::with_units(2);
    let mut cx = Context::from_waker(&task_waker);
    outer.install(&mut cx, |cx| {
        let o = must_take(cx); // restore 5
        let kept = inner.install(cx, |cx| {
            let mut child = Context::from_waker(&child_waker);
            let a = rebuild(must_take(&mut child)); // inner, restore 2
            assert_eq!(left(cx), 1);
            let b = must_take(cx); // inner, restore 1, through the carrier
            assert_eq!(counter(&a), counter(&b));
            assert!(take(&mut child).is_none());
            assert!(take(&mut child).is_none());
            assert_eq!(child_wakes.wakes(), 2, "a child's waker, each time");
            assert!(take(cx).is_none());
            assert!(take(cx).is_none());
            assert_eq!(task_wakes.wakes(), 1, "the task's, once");
            drop(o); // the outer budget's, inside the inner installation
            drop(b);
            assert_eq!(left(&child), 1);
            a
        });
        assert_eq!(left(cx), 5);
        assert_eq!(counters(), base + 3);
        drop(kept);
        assert_eq!(left(cx), 5);
        assert_eq!(counters(), base + 2);
    });
    assert_eq!(outer.remaining(), 5);
    assert_eq!(inner.remaining(), 1);
    assert_eq!(inner.metrics(), metrics(1, 1, 1, 0));
    drop((outer, inner));
    assert_eq!(counters(), base);
}

// ---------------------------------------------------------------------------
// A randomised model.

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

enum Held {
    Kept(Cooperation),
    Forgotten(Forgotten),
}

struct Live {
    /// The model's name of the counter it holds.
    cell: u32,
    restore: u8,
    held: Held,
}

#[derive(Clone, Copy, Debug)]
struct SliceCfg {
    ticks: u64,
    check_every: u8,
}

/// What the budget should read, updated by the same rules the docs state.
struct Model {
    rng: Rng,
    units: u8,
    slice: Option<SliceCfg>,
    base: isize,
    reads0: u32,
    /// The budget's counter (`u32::MAX`: no budget).
    owned: u32,
    next_cell: u32,
    remaining: u8,
    reserve: u8,
    ended: bool,
    no_refunds: bool,
    slice_start: Option<u64>,
    clock: u64,
    reads: u32,
    installed: bool,
    ran_out: bool,
    woke: bool,
    wakes: usize,
    metrics: BudgetMetrics,
    live: Vec<Live>,
}

impl Model {
    fn effective(&self) -> u8 {
        if self.ended {
            0
        } else {
            self.remaining.saturating_add(self.reserve)
        }
    }

    fn expected_counters(&self) -> isize {
        let detached: BTreeSet<u32> = self
            .live
            .iter()
            .map(|l| l.cell)
            .filter(|&c| c != self.owned)
            .collect();
        self.base + isize::from(self.owned != u32::MAX) + detached.len() as isize
    }

    fn new_budget(&mut self) -> Budget {
        const UNITS: [u8; 9] = [1, 2, 3, 4, 5, 16, 128, 254, 255];
        self.units = UNITS[self.rng.below(UNITS.len())];
        self.slice = match self.rng.below(3) {
            0 => None,
            _ => Some(SliceCfg {
                ticks: self.rng.below(12) as u64,
                check_every: 1 + self.rng.below(6) as u8,
            }),
        };
        self.owned = self.next_cell;
        self.next_cell += 1;
        self.remaining = self.units;
        self.reserve = 0;
        self.ended = false;
        self.metrics = BudgetMetrics::default();
        match self.slice {
            None => Budget::with_units(self.units),
            Some(s) => Budget::with_time_slice(self.units, slice(s.ticks, s.check_every)),
        }
    }

    fn run_out(&mut self) {
        self.ran_out = true;
        if !self.woke {
            self.woke = true;
            self.wakes += 1;
        }
    }

    /// The model's take: the restore value, or `None` for `Pending`.
    fn model_take(&mut self) -> Option<u8> {
        if self.remaining == 0 {
            if self.reserve == 0 || self.ended {
                self.run_out();
                return None;
            }
            let s = self.slice.expect("a reserve only with a slice");
            self.reads += 1;
            let start = *self.slice_start.get_or_insert(self.clock);
            if self.clock.wrapping_sub(start) >= s.ticks {
                self.ended = true;
                self.no_refunds = true;
                self.run_out();
                return None;
            }
            let segment = self.reserve.min(s.check_every);
            self.reserve -= segment;
            self.remaining = segment;
        }
        let restore = self.remaining;
        self.remaining -= 1;
        Some(restore)
    }

    fn take(&mut self, cx: &mut Context<'_>) {
        let expected = self.model_take();
        match (expected, take(cx)) {
            (None, None) => {}
            (Some(restore), Some(coop)) => {
                assert_eq!(restore_of(&coop), Some(restore), "restore value");
                if let Some(same) = self.live.iter().find(|l| l.cell == self.owned) {
                    let held = match &same.held {
                        Held::Kept(c) => counter(c),
                        Held::Forgotten(_) => counter(&coop),
                    };
                    assert_eq!(counter(&coop), held, "one counter");
                }
                let held = if self.rng.below(4) == 0 {
                    Held::Kept(rebuild(coop))
                } else {
                    Held::Kept(coop)
                };
                self.live.push(Live {
                    cell: self.owned,
                    restore,
                    held,
                });
            }
            (expected, got) => panic!("model said {expected:?}, budget said {:?}", got.is_some()),
        }
    }

    fn end_random(&mut self) {
        if self.live.is_empty() {
            return;
        }
        let i = self.rng.below(self.live.len());
        let how = ENDS[self.rng.below(4)];
        let l = self.live.swap_remove(i);
        let coop = match l.held {
            Held::Kept(c) => c,
            Held::Forgotten(f) => f.revive(),
        };
        how.end(coop);
        if how.refunds() && self.installed && l.cell == self.owned && !self.no_refunds {
            self.remaining = refunded(self.remaining, l.restore);
        }
    }

    fn forget_or_revive_random(&mut self) {
        if self.live.is_empty() {
            return;
        }
        let i = self.rng.below(self.live.len());
        let held = match std::mem::replace(
            &mut self.live[i].held,
            Held::Kept(Cooperation::unconstrained()),
        ) {
            Held::Kept(c) => Held::Forgotten(Forgotten::new(c)),
            Held::Forgotten(f) => Held::Kept(rebuild(f.revive())),
        };
        // The placeholder is unconstrained: replacing it ends nothing.
        self.live[i].held = held;
    }

    fn check_in(&self, cx: &Context<'_>) {
        assert_eq!(left(cx), u32::from(self.effective()), "units left");
        self.check_common();
    }

    fn check_common(&self) {
        assert_eq!(counters(), self.expected_counters(), "counters alive");
        assert_eq!(reads() - self.reads0, self.reads, "clock reads");
    }

    fn step_in(&mut self, cx: &mut Context<'_>) {
        match self.rng.below(100) {
            0..=44 => self.take(cx),
            45..=74 => self.end_random(),
            75..=84 => self.forget_or_revive_random(),
            85..=92 => {
                if let Some(s) = self.slice {
                    let by = self.rng.below(s.ticks as usize / 2 + 2) as u64;
                    self.clock += by;
                    set_clock(self.clock);
                }
            }
            _ => {
                // Take and spend at once.
                self.take(cx);
                if let Some(l) = self.live.last() {
                    if l.cell == self.owned
                        && matches!(l.held, Held::Kept(_))
                        && self.rng.below(2) == 0
                    {
                        let l = self.live.pop().unwrap();
                        let Held::Kept(mut c) = l.held else {
                            unreachable!()
                        };
                        c.made_progress();
                    }
                }
            }
        }
        self.check_in(cx);
    }

    /// One installation of `steps` steps; panics at the end if `panic`,
    /// dropping some live cooperations in the unwinding.
    fn install(&mut self, budget: &mut Budget, cx: &mut Context<'_>, steps: usize, panic: bool) {
        let before = (self.remaining, self.reserve, self.ended);
        self.installed = true;
        self.ran_out = false;
        self.woke = false;
        self.no_refunds = false;
        self.ended = false;
        self.slice_start = None;
        match self.slice {
            None => {
                self.remaining = self.units;
                self.reserve = 0;
            }
            Some(s) => {
                self.remaining = self.units.min(s.check_every);
                self.reserve = self.units - self.remaining;
            }
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            budget.install(cx, |cx| {
                self.check_in(cx);
                for _ in 0..steps {
                    self.step_in(cx);
                }
                if panic {
                    // Some live ones become locals of the poll, dropped by
                    // the unwinding before the guard.
                    let mut doomed: Vec<Cooperation> = Vec::new();
                    let mut i = 0;
                    while i < self.live.len() {
                        if self.rng.below(2) == 0 {
                            doomed.push(match self.live.swap_remove(i).held {
                                Held::Kept(c) => c,
                                Held::Forgotten(f) => f.revive(),
                            });
                        } else {
                            i += 1;
                        }
                    }
                    std::panic::resume_unwind(Box::new(doomed.len()));
                }
            })
        }));
        self.installed = false;
        if panic {
            assert!(result.is_err());
            (self.remaining, self.reserve, self.ended) = before;
            self.ran_out = false;
        } else {
            assert!(result.is_ok());
            self.metrics.polls += 1;
            self.metrics.units_spent += u64::from(self.units - (self.remaining + self.reserve));
            if self.ran_out {
                self.metrics.forced_yields += 1;
                self.metrics.slice_yields += u64::from(self.ended);
            }
        }
        if self.live.iter().any(|l| l.cell == self.owned) {
            // Detached: a fresh counter with the units as they read.
            self.remaining = self.effective();
            self.reserve = 0;
            self.owned = self.next_cell;
            self.next_cell += 1;
        }
        self.check_out(budget);
    }

    fn check_out(&self, budget: &Budget) {
        assert_eq!(budget.remaining(), self.effective(), "remaining after");
        assert_eq!(budget.ran_out(), self.ran_out, "ran_out");
        assert_eq!(budget.metrics(), self.metrics, "metrics");
        self.check_common();
    }
}

/// A randomised model of everything above at once: budgets of many sizes,
/// with and without slices (on the injected clock), installations that
/// panic, cooperations taken, spent, dropped, forgotten, revived, taken
/// apart, ended through vtable copies, kept across installations and past
/// their budget, budgets dropped and made again. After every step: the units
/// left, the restore value each vtable stands for, the counters alive, the
/// clock reads, the wakes, and after each installation the metrics.
#[test]
fn randomised_model_of_budgets_and_their_cooperations() {
    warm();
    let (seeds, rounds, steps) = if cfg!(miri) {
        (2, 12, 25)
    } else {
        (40, 60, 80)
    };
    for seed in 0..seeds {
        set_clock(0);
        let (wake_count, waker) = WakeCounter::new();
        let mut cx = Context::from_waker(&waker);
        let mut model = Model {
            rng: Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1)),
            units: 0,
            slice: None,
            base: counters(),
            reads0: reads(),
            owned: u32::MAX,
            next_cell: 0,
            remaining: 0,
            reserve: 0,
            ended: false,
            no_refunds: false,
            slice_start: None,
            clock: 0,
            reads: 0,
            installed: false,
            ran_out: false,
            woke: false,
            wakes: 0,
            metrics: BudgetMetrics::default(),
            live: Vec::new(),
        };
        let mut budget = Some(model.new_budget());
        for round in 0..rounds {
            match model.rng.below(10) {
                0 => {
                    // Drop the budget (perhaps before its cooperations),
                    // and make another.
                    drop(budget.take());
                    model.owned = u32::MAX;
                    model.check_common();
                    budget = Some(model.new_budget());
                }
                1 => {
                    // End some cooperations between installations.
                    for _ in 0..model.rng.below(4) {
                        model.end_random();
                        model.check_common();
                    }
                }
                _ => {}
            }
            let panic = model.rng.below(6) == 0;
            let steps = model.rng.below(steps);
            model.install(budget.as_mut().unwrap(), &mut cx, steps, panic);
            assert_eq!(
                wake_count.wakes(),
                model.wakes,
                "seed {seed} round {round}: wakes"
            );
        }
        drop(budget);
        model.owned = u32::MAX;
        while !model.live.is_empty() {
            model.end_random();
            model.check_common();
        }
        assert_eq!(counters(), model.base, "seed {seed}: everything freed");
    }
}
