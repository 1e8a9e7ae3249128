//! Copies of a per-operation loop at several places in the binary, so that a
//! figure is not the luck of one placement.
//!
//! A per-operation loop is a few dozen bytes, and where the linker puts it
//! (for example, whether it straddles a 64-byte boundary) moves its time by
//! up to a third with the same instructions; any change elsewhere in the
//! binary moves it (`benches/README.md`, "When a figure moves and its code
//! did not"). So each loop of [`per_op`](crate::per_op) is generic over a
//! `SHIFT` in bytes, and each copy jumps over `SHIFT` bytes of padding just
//! before its loop: `per_op::copies` has [`COPIES`] of each (0, 16, 32 and
//! 48 bytes of padding), and [`spread`] runs a share of the operations on
//! each, so that a figure is the mean over its copies.
//!
//! The copies are distinct functions (which the compiler cannot merge into
//! one), and the linker places each where it likes, so the padding does not
//! by itself put the four loops at four offsets within a 64-byte line: it
//! makes them land at different places. For example, in `bench_table` at
//! 7e81fb0 the four (c0) loops start at 48, 0, 32 and 32 bytes into a line,
//! the four (d) loops at 58, 10, 58 and 26.
//!
//! What can go wrong: nothing that changes what is measured; the padding is
//! never executed (one jump over it, before the timed region or once per
//! call of an installation's closure). On targets other than x86-64 there is
//! no padding, and the copies are only distinct functions.

use std::task::Context;
use std::time::Duration;

/// Copies of each loop that a figure runs, with 0, 16, 32 and 48 bytes of
/// padding before their loops.
pub const COPIES: usize = 4;

/// Defines `pub static NAME: [fn(..) -> Duration; COPIES]`, the copies of
/// the per-operation loop `f` (generic over its shift): functions that call
/// `f::<0>`, `f::<16>`, `f::<32>` and `f::<48>` (`f` is looked up in the
/// parent of the module that invokes it, `per_op`), compiled in this crate
/// rather than in the one that runs them (whose inlining choices would be
/// its own: one figure instantiated in `bench_table` took twice the time of
/// the same loop instantiated here). `in_task` for loops that take the
/// task's context.
macro_rules! copies {
    (@one $f:ident, $shift:literal) => {{
        #[inline(never)]
        fn copy(iters: u64) -> Duration {
            super::$f::<$shift>(iters)
        }
        copy as fn(u64) -> Duration
    }};
    (@one in_task $f:ident, $shift:literal) => {{
        #[inline(never)]
        fn copy(cx: &mut Context<'_>, iters: u64) -> Duration {
            super::$f::<$shift>(cx, iters)
        }
        copy as fn(&mut Context<'_>, u64) -> Duration
    }};
    ($(#[$doc:meta])* $name:ident = $f:ident) => {
        $(#[$doc])*
        pub static $name: [fn(u64) -> Duration; $crate::placement::COPIES] = [
            copies!(@one $f, 0),
            copies!(@one $f, 16),
            copies!(@one $f, 32),
            copies!(@one $f, 48),
        ];
    };
    ($(#[$doc:meta])* $name:ident = in_task $f:ident) => {
        $(#[$doc])*
        pub static $name: [fn(&mut Context<'_>, u64) -> Duration; $crate::placement::COPIES] = [
            copies!(@one in_task $f, 0),
            copies!(@one in_task $f, 16),
            copies!(@one in_task $f, 32),
            copies!(@one in_task $f, 48),
        ];
    };
}
pub(crate) use copies;

/// Moves the code after it `SHIFT` bytes further: a jump over `SHIFT` bytes
/// of padding. Put just before a loop.
#[inline(always)]
pub(crate) fn shift<const SHIFT: usize>() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a jump to the label right after the padding: it reads and
    // writes no memory, no register but the instruction pointer, no flag,
    // no stack; the padding (`int3`) is never executed.
    unsafe {
        core::arch::asm!(
            "jmp 2f",
            ".skip {shift}, 0xcc",
            "2:",
            shift = const SHIFT,
            options(nomem, nostack, preserves_flags),
        );
    }
}

/// Runs `iters` operations spread evenly over `copies` and returns the time
/// they took together.
pub fn spread(copies: &[fn(u64) -> Duration], iters: u64) -> Duration {
    shares(copies.len(), iters)
        .zip(copies)
        .map(|(share, run)| run(share))
        .sum()
}

/// [`spread`] for loops that take a context (run inside a tokio task).
pub(crate) fn spread_with(
    copies: &[fn(&mut Context<'_>, u64) -> Duration],
    iters: u64,
    mut run: impl FnMut(fn(&mut Context<'_>, u64) -> Duration, u64) -> Duration,
) -> Duration {
    shares(copies.len(), iters)
        .zip(copies)
        .map(|(share, copy)| run(*copy, share))
        .sum()
}

/// `iters` split into `n` shares that differ by at most one.
fn shares(n: usize, iters: u64) -> impl Iterator<Item = u64> {
    let n = n as u64;
    (0..n).map(move |i| iters / n + u64::from(i < iters % n))
}
