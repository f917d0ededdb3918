//! The examples as the programs a user runs: their built binaries, next to the test binaries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The features this test binary was built with (every example's are among them): `full`,
/// which the test targets require, and the two that `--all-features` adds to it. The same
/// set, so that building an example reuses the test build's library.
fn features() -> String {
    let mut features = vec!["full"];
    features.extend(cfg!(feature = "native-tls").then_some("native-tls"));
    features.extend(cfg!(feature = "rustls-aws-lc").then_some("rustls-aws-lc"));
    features.join(",")
}

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
            .args(["build", "--example", name, "--features", &features()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "examples/{name}.rs builds");
    }
    built.insert(name.to_owned(), program.clone());
    program
}
