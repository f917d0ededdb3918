//! A sandbox for the client-tool tests: a root directory the tool is given, and beside it an
//! `outside` directory holding a sentinel file that no test may read or change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the sentinel holds; a result containing it leaked a file from outside the root.
pub const SECRET: &str = "SENTINEL-SECRET-5f3a";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// `base/root` (the tool's root) and `base/outside/sentinel.txt`; removed on drop.
pub struct Sandbox {
    pub base: PathBuf,
    pub root: PathBuf,
    pub outside: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        let base = std::env::temp_dir().join(format!(
            "chat-anthropic-client-tools-{}-{}-{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            fastrand::u32(..)
        ));
        let root = base.join("root");
        let outside = base.join("outside");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("sentinel.txt"), SECRET).unwrap();
        // Canonical paths: the tools report and compare those.
        let root = root.canonicalize().unwrap();
        let outside = outside.canonicalize().unwrap();
        Self {
            base,
            root,
            outside,
        }
    }

    pub fn sentinel(&self) -> PathBuf {
        self.outside.join("sentinel.txt")
    }

    /// Every file under `outside` with its content.
    pub fn outside_snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        snapshot(&self.outside, &mut out);
        out
    }

    /// Panics unless `outside` holds exactly the sentinel, unchanged.
    pub fn assert_outside_untouched(&self) {
        let snapshot = self.outside_snapshot();
        let expected: BTreeMap<PathBuf, Vec<u8>> =
            [(self.sentinel(), SECRET.as_bytes().to_vec())].into();
        assert_eq!(snapshot, expected, "something outside the root changed");
    }
}

fn snapshot(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            snapshot(&entry.path(), out);
        } else {
            let content = std::fs::read(entry.path()).unwrap_or_default();
            out.insert(entry.path(), content);
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// The error text of a refused call, checked not to leak the sentinel.
pub fn refused(result: Result<String, String>) -> String {
    match result {
        Ok(text) => panic!("expected a refusal, got: {text}"),
        Err(text) => {
            assert!(
                !text.contains(SECRET),
                "the refusal leaked the sentinel: {text}"
            );
            text
        }
    }
}

/// The result text of an accepted call, checked not to leak the sentinel.
pub fn accepted(result: Result<String, String>) -> String {
    match result {
        Ok(text) => {
            assert!(
                !text.contains(SECRET),
                "the result leaked the sentinel: {text}"
            );
            text
        }
        Err(text) => panic!("expected success, got: {text}"),
    }
}
