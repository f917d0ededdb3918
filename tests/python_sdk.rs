//! The official Anthropic Python SDK against the mock server: every script in
//! `tests/python_sdk/*.py` runs with `ANTHROPIC_BASE_URL` pointing at a fresh mock server on
//! 127.0.0.1 and `ANTHROPIC_API_KEY` set; a script passes when it exits 0.
//!
//! Add a script to that folder to cover a new endpoint; nothing here needs to change.
//! Without `python3` or the `anthropic` package the run is skipped with a notice, unless `CI`
//! is set, where it fails (`.ci/run` installs the package). `PYTHON` picks another
//! interpreter. Arguments that are not flags filter the scripts by name.
//!
//! A plain `main` (no libtest harness), so the notices and the per-script lines always show.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use chat_anthropic_mock::MockServer;

/// The longest one script may take.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&str> = args
        .iter()
        .filter(|arg| !arg.starts_with('-'))
        .map(String::as_str)
        .collect();
    let scripts: Vec<PathBuf> = scripts()
        .into_iter()
        .filter(|script| filters.is_empty() || filters.iter().any(|f| name(script).contains(f)))
        .collect();
    if args.iter().any(|arg| arg == "--list") {
        for script in &scripts {
            println!("python_sdk::{}: test", name(script));
        }
        return ExitCode::SUCCESS;
    }
    if scripts.is_empty() {
        return ExitCode::SUCCESS;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if let Err(why) = sdk_available(&python) {
        let in_ci = std::env::var("CI").is_ok_and(|ci| !ci.is_empty());
        let banner = "=".repeat(78);
        eprintln!("{banner}\npython_sdk: {why}");
        if in_ci {
            eprintln!("python_sdk: FAILED: CI is set, so the Python SDK tests must run.\n{banner}");
            return ExitCode::FAILURE;
        }
        eprintln!(
            "python_sdk: SKIPPED {} script(s). Install with `python3 -m pip install anthropic`.\n{banner}",
            scripts.len()
        );
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let mut failed = Vec::new();
    for script in &scripts {
        match runtime.block_on(run(&python, script)) {
            Ok(()) => println!("python_sdk::{} ... ok", name(script)),
            Err(why) => {
                println!("python_sdk::{} ... FAILED", name(script));
                failed.push(format!("---- {} ----\n{why}", name(script)));
            }
        }
    }
    if failed.is_empty() {
        println!("python_sdk: {} script(s) passed", scripts.len());
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "\n{}\npython_sdk: {} of {} script(s) failed",
            failed.join("\n"),
            failed.len(),
            scripts.len()
        );
        ExitCode::FAILURE
    }
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
