//! How much memory a budget costs per task: the peak resident memory of a
//! process holding 1,000,000 idle tasks (boxed, pinned, polled once, waiting
//! on nothing) with and without the spawn-time wrapper.
//!
//! The default wrapper (`budgeted(task)`, a `Budgeted<F>`) keeps nothing but
//! the task, so it costs nothing; one with units chosen at run time
//! (`Budgeted::context_only(task, 128)`, a `Budgeted<F, Units>`) keeps two
//! bytes, rounded up to the task's alignment, which can move the box into
//! the allocator's next size class.
//!
//! `cargo run --release -p coop-tools --bin task_memory` runs each variant
//! in a child process of its own (so that each peak is its own) and prints
//! the peaks and their ratios. `-- N` changes the number of tasks.
//! Linux only: it reads the peak (`VmHWM`) from `/proc/self/status`.

use std::future::{pending, Future};
use std::pin::Pin;
use std::process::Command;
use std::task::{Context, Waker};

use coop_compat::{budgeted, Budgeted};

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// A task that waits forever holding `id`: a state of a few bytes.
async fn idle(id: u64) {
    pending::<()>().await;
    std::hint::black_box(id);
}

/// A task that waits forever holding `id`, in 16 bytes (the size of the
/// future in the first measurement): an `async` block keeps its
/// captured `id` once, where an `async fn` also copies its argument into its
/// body's state.
#[allow(clippy::manual_async_fn)] // as an `async fn` it would take 24 bytes
fn idle_small(id: u64) -> impl Future<Output = ()> {
    async move {
        pending::<()>().await;
        std::hint::black_box(id);
    }
}

/// A task that waits forever holding a 200-byte buffer, like an idle
/// connection's state.
async fn idle_connection(id: u64) {
    let buffer = [id as u8; 200];
    pending::<()>().await;
    std::hint::black_box(buffer);
}

/// Makes `n` tasks of `variant`, polls each once, and returns the peak RSS.
fn hold(variant: &str, n: u64) -> u64 {
    let make: fn(u64) -> Task = match variant {
        "unwrapped-16" => |id| Box::pin(idle_small(id)),
        "context_only-16" => |id| Box::pin(Budgeted::context_only(idle_small(id), 128)),
        "budgeted-16" => |id| Box::pin(budgeted(idle_small(id))),
        "unwrapped" => |id| Box::pin(idle(id)),
        "context_only" => |id| Box::pin(Budgeted::context_only(idle(id), 128)),
        "budgeted" => |id| Box::pin(budgeted(idle(id))),
        "unwrapped-200" => |id| Box::pin(idle_connection(id)),
        "context_only-200" => |id| Box::pin(Budgeted::context_only(idle_connection(id), 128)),
        "budgeted-200" => |id| Box::pin(budgeted(idle_connection(id))),
        other => panic!(
            "unknown variant {other:?}: use unwrapped, context_only or budgeted, \
             optionally with -16 or -200"
        ),
    };
    let mut cx = Context::from_waker(Waker::noop());
    let mut tasks: Vec<Task> = Vec::with_capacity(n as usize);
    for id in 0..n {
        let mut task = make(id);
        assert!(task.as_mut().poll(&mut cx).is_pending());
        tasks.push(task);
    }
    let peak = peak_rss_kib();
    drop(tasks);
    peak
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM line in /proc/self/status")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, variant, n] = args.as_slice() {
        if flag == "--child" {
            println!("{}", hold(variant, n.parse().expect("a number of tasks")));
            return;
        }
    }
    let n: u64 = match args.first() {
        Some(n) => n.parse().unwrap_or_else(|_| {
            eprintln!("usage: task_memory [NUMBER_OF_TASKS]");
            std::process::exit(2)
        }),
        None => 1_000_000,
    };
    let exe = std::env::current_exe().expect("this program's path");
    let peak = |variant: &str| -> u64 {
        let out = Command::new(&exe)
            .args(["--child", variant, &n.to_string()])
            .output()
            .expect("a child process");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a peak in KiB")
    };
    println!(
        "Peak resident memory of a process holding {n} idle tasks, each boxed and polled once:"
    );
    use std::mem::size_of_val;
    for (suffix, size, wrapped, with_units) in [
        (
            "-16",
            size_of_val(&idle_small(0)),
            size_of_val(&budgeted(idle_small(0))),
            size_of_val(&Budgeted::context_only(idle_small(0), 128)),
        ),
        (
            "",
            size_of_val(&idle(0)),
            size_of_val(&budgeted(idle(0))),
            size_of_val(&Budgeted::context_only(idle(0), 128)),
        ),
        (
            "-200",
            size_of_val(&idle_connection(0)),
            size_of_val(&budgeted(idle_connection(0))),
            size_of_val(&Budgeted::context_only(idle_connection(0), 128)),
        ),
    ] {
        println!(
            "tasks of {size} bytes (in budgeted: {wrapped} bytes; with units of their own: \
             {with_units} bytes):"
        );
        let unwrapped = peak(&format!("unwrapped{suffix}"));
        println!(
            "  {:<42} {:>8.1} MiB",
            "unwrapped",
            unwrapped as f64 / 1024.0
        );
        for (variant, label) in [
            ("budgeted", "budgeted(task) (with the tokio bridge)"),
            ("context_only", "Budgeted::context_only(task, 128)"),
        ] {
            let kib = peak(&format!("{variant}{suffix}"));
            println!(
                "  {label:<42} {:>8.1} MiB  {:.3}x unwrapped",
                kib as f64 / 1024.0,
                kib as f64 / unwrapped as f64
            );
        }
    }
}
