//! The examples as the programs a user runs: their built binaries, next to the test binaries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The built binary of `examples/{name}.rs`. `cargo test` builds the examples; when only one
/// test target was asked for, or the example's source is newer than its binary, it is built
/// here (once per test binary).
pub fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let built = built.get_or_insert_with(HashMap::new);
    if let Some(program) = built.get(name) {
        return program.clone();
    }
    let test = std::env::current_exe().expect("the test's path");
    let profile_dir = test
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let program = profile_dir.join("examples").join(name);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.rs"));
    let modified = |path: &Path| path.metadata().and_then(|meta| meta.modified()).ok();
    if modified(&program) < modified(&source) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args(["build", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "examples/{name}.rs builds");
    }
    built.insert(name.to_owned(), program.clone());
    program
}
