//! Workloads shared by the benches: the synthetic streams `../shared/tools/gen_streams.py` writes.
//!
//! The files are generated on first use into `target/bench-data/` (set `BENCH_DATA_DIR` to use
//! another folder), so a fresh checkout needs nothing but `python3` to run the benches.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use bytes::Bytes;

/// The folder holding `text.sse`, `tool_{10k,100k,1m}.sse`, `records_{100k,1m}.sse` and
/// `deep_{10k,100k,1m}.sse`, generated if missing.
pub fn data_dir() -> PathBuf {
    // The checkout: this crate is benches/ inside it.
    let manifest = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let dir = std::env::var_os("BENCH_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target").join("bench-data"));
    // The newest files the script writes: older folders are regenerated.
    if !dir.join("deep_1m.sse").exists() || !dir.join("records_1m.sse").exists() {
        let script = [
            manifest.join("../shared/tools/gen_streams.py"),
            manifest.join("shared/tools/gen_streams.py"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .expect("gen_streams.py not found beside the checkout (../shared/tools/)");
        let status = Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .status()
            .expect("python3 is needed to generate the bench streams");
        assert!(status.success(), "gen_streams.py failed");
    }
    dir
}

/// The bytes of one generated stream, e.g. `load("text.sse")`.
pub fn load(name: &str) -> Bytes {
    let path = data_dir().join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Splits `data` into HTTP-like chunks of `size` bytes (the last one shorter).
pub fn chunks(data: &Bytes, size: usize) -> Vec<Bytes> {
    (0..data.len())
        .step_by(size)
        .map(|at| data.slice(at..(at + size).min(data.len())))
        .collect()
}

/// The limit every path is compared with: find the `data:` lines with memchr and parse each
/// payload into borrowed fields (no event assembly, no typed events, no fold). Returns the
/// number of text bytes seen, so the work cannot be optimised away.
pub fn limit(body: &[u8]) -> usize {
    #[derive(serde::Deserialize)]
    struct Payload<'a> {
        #[serde(borrow, rename = "type")]
        _kind: &'a str,
        #[serde(default, borrow)]
        delta: Option<BorrowedDelta<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct BorrowedDelta<'a> {
        #[serde(default, borrow)]
        text: Option<std::borrow::Cow<'a, str>>,
    }
    let mut count = 0;
    let mut at = 0;
    while let Some(end) = memchr::memchr(b'\n', &body[at..]) {
        let line = &body[at..at + end];
        if let Some(data) = line.strip_prefix(b"data: ") {
            let payload: Payload = serde_json::from_slice(data).unwrap();
            count += payload.delta.and_then(|d| d.text).map_or(0, |t| t.len());
        }
        at += end + 1;
    }
    count
}
