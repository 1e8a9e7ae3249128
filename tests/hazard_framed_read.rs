//! Hazard (MIGRATION.md, "Framed streams and codecs over always-ready IO"):
//! IO charges one unit per read, and `tokio_util::codec::FramedRead` decodes
//! every frame already in its buffer without reading, so a task decoding
//! short lines from an always-ready reader runs thousands of frames between
//! two turns of its siblings. The documented fix, `.cooperative()` on the
//! framed stream inside `budgeted`, charges a unit per frame: a sibling task
//! gets a turn at least every 128 frames. On async-executor (one thread).
#![cfg(feature = "tokio")]

mod support;

use std::pin::Pin;
use std::sync::atomic::Ordering;

use coop_compat::{budgeted, CooperativeExt};
use futures::stream::{Stream, StreamExt};
use support::{turns_seen_by, Counter, CountingIo, Executor};
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};

/// The lines of "line\n" that fill a 64 KiB pipe.
const LINES: usize = 64 * 1024 / 5;

/// A 64 KiB pipe full of short lines, its writer closed: a reader that is
/// ready until the end.
fn full_pipe() -> tokio::io::DuplexStream {
    let (mut writer, reader) = tokio::io::duplex(64 * 1024);
    futures::executor::block_on(writer.write_all(&b"line\n".repeat(LINES))).unwrap();
    reader
}

type Framed = FramedRead<CountingIo<tokio::io::DuplexStream>, LinesCodec>;
type Frames = Pin<Box<dyn Stream<Item = Result<String, LinesCodecError>> + Send>>;

/// Decodes the lines of a full pipe in a `budgeted` task, framed by `frame`,
/// beside a sibling task that counts its turns. Returns the frames decoded
/// between two turns of the sibling (one entry per poll of the task), and
/// the reads that returned data or the end of file.
fn frames_between_turns(frame: fn(Framed) -> Frames) -> (Vec<usize>, u32) {
    let reads = Counter::default();
    let reader = CountingIo::new(full_pipe(), &reads);
    let seen = turns_seen_by(Executor::AsyncExecutorOneThread, move |turns| {
        budgeted(async move {
            let mut frames = frame(FramedRead::new(reader, LinesCodec::new()));
            let mut seen = Vec::new();
            while let Some(line) = frames.next().await {
                assert_eq!(line.unwrap(), "line");
                seen.push(turns.load(Ordering::Relaxed));
            }
            seen
        })
    });
    assert_eq!(seen.len(), LINES);
    let runs = seen.chunk_by(|a, b| a == b).map(<[u32]>::len).collect();
    (runs, reads.get())
}

#[test]
fn without_the_fix_every_frame_runs_before_the_sibling() {
    let (runs, reads) = frames_between_turns(|frames| Box::pin(frames));
    // Reads of up to 8 KiB, one unit each: far fewer than 128, so the task
    // never yields, and 13,107 frames run before the sibling's first turn.
    assert!(reads < 128, "{reads} reads");
    assert_eq!(runs, [LINES]);
}

#[test]
fn cooperative_framed_stream_lets_a_sibling_run_every_128_frames() {
    let (runs, reads) = frames_between_turns(|frames| Box::pin(frames.cooperative()));
    assert!(
        runs.iter().all(|&frames| frames <= 128),
        "frames between turns: {runs:?}"
    );
    // One unit per frame, per read and for the end of the stream, 128 per
    // poll: the polls are as few as that allows.
    let units = LINES + reads as usize + 1;
    assert_eq!(runs.len(), units.div_ceil(128), "{reads} reads, {runs:?}");
}
