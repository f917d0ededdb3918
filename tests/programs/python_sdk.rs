//! The official Anthropic Python SDK against the mock server: every script in
//! `tests/python_sdk/*.py` runs with `ANTHROPIC_BASE_URL` pointing at a fresh mock server on
//! 127.0.0.1 and `ANTHROPIC_API_KEY` set; a script passes when it exits 0.
//!
//! Add a script to that folder to cover a new endpoint; nothing here needs to change.
//! Needs `python3` with the `anthropic` package (`python3 -m pip install anthropic`); `PYTHON`
//! picks another interpreter, `PYTHON_SDK_ONLY=name` runs the scripts whose name contains
//! `name`. Ignored by default, so that a machine without Python counts it as not run rather
//! than passed: `cargo test --test programs -- --include-ignored python_sdk` runs it (CI
//! does), and then a missing interpreter or package fails it with how to install them.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chat_anthropic_mock::MockServer;

/// The longest one script may take.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs python3 with the `anthropic` package (python3 -m pip install anthropic; \
            PYTHON= picks the interpreter): run with --include-ignored"]
async fn the_official_python_sdk_scripts_pass_against_the_mock() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if let Err(why) = sdk_available(&python) {
        panic!("{why}\nInstall it with `{python} -m pip install anthropic`, or set PYTHON.");
    }
    let only = std::env::var("PYTHON_SDK_ONLY").unwrap_or_default();
    let scripts: Vec<PathBuf> = scripts()
        .into_iter()
        .filter(|script| name(script).contains(&only))
        .collect();
    assert!(
        !scripts.is_empty(),
        "no script in tests/python_sdk matches {only:?}"
    );
    let mut failed = Vec::new();
    for script in &scripts {
        match run(&python, script).await {
            Ok(()) => println!("python_sdk::{} ... ok", name(script)),
            Err(why) => failed.push(format!("---- {} ----\n{why}", name(script))),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} script(s) failed:\n{}",
        failed.len(),
        scripts.len(),
        failed.join("\n")
    );
}

/// `tests/python_sdk/*.py`, sorted.
fn scripts() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python_sdk");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|err| panic!("{}: {err}", folder.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
        .collect();
    scripts.sort();
    scripts
}

fn name(script: &Path) -> String {
    script
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The interpreter runs and imports the SDK; else why not.
fn sdk_available(python: &str) -> Result<(), String> {
    let output = std::process::Command::new(python)
        .args(["-c", "import anthropic; print(anthropic.__version__)"])
        .output()
        .map_err(|err| format!("cannot run {python:?}: {err}"))?;
    if output.status.success() {
        let version = String::from_utf8_lossy(&output.stdout);
        println!("python_sdk: anthropic {} via {python}", version.trim());
        Ok(())
    } else {
        Err(format!(
            "{python} cannot import the `anthropic` package: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Runs one script against a fresh mock server.
async fn run(python: &str, script: &Path) -> Result<(), String> {
    let server = MockServer::try_start()
        .await
        .map_err(|err| format!("cannot start the mock server: {err}"))?;
    let child = tokio::process::Command::new(python)
        .arg(script)
        .env("ANTHROPIC_BASE_URL", server.base_url())
        .env("ANTHROPIC_API_KEY", "mock-key")
        // Scripts check with `assert`, which -O would strip.
        .env_remove("PYTHONOPTIMIZE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot run {python}: {err}"))?;
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| format!("no result after {SCRIPT_TIMEOUT:?}"))?
        .map_err(|err| format!("waiting for the script: {err}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}
