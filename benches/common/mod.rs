//! Workloads shared by the benches: the synthetic streams `../shared/tools/gen_streams.py` writes.
//!
//! The files are generated on first use into `target/bench-data/` (set `BENCH_DATA_DIR` to use
//! another folder), so a fresh checkout needs nothing but `python3` to run the benches.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use bytes::Bytes;

/// The folder holding `text.sse` and `tool_{10k,100k,1m}.sse`, generated if missing.
pub fn data_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("BENCH_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("target").join("bench-data"));
    if !dir.join("tool_1m.sse").exists() {
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
