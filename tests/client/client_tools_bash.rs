//! The bash tool: a persistent session started in the root, a scrubbed environment, a timeout
//! that kills the whole process group, output capped at both ends, restart.

use std::time::{Duration, Instant};

use chat_anthropic::agent::client_tools::Bash;
use serde_json::json;

use crate::client_tools_support::{accepted, refused, Sandbox};

fn bash(sandbox: &Sandbox) -> Bash {
    Bash::new(&sandbox.root)
        .unwrap()
        .timeout(Duration::from_secs(20))
}

fn cmd(command: &str) -> serde_json::Value {
    json!({ "command": command })
}

#[tokio::test]
async fn state_persists_and_the_session_starts_in_the_root() {
    let sandbox = Sandbox::new();
    let bash = bash(&sandbox);
    let pwd = accepted(bash.run(cmd("pwd")).await);
    assert_eq!(pwd, format!("{}\n", sandbox.root.display()));
    accepted(bash.run(cmd("mkdir -p sub && cd sub && answer=42")).await);
    assert_eq!(
        accepted(bash.run(cmd("echo $answer $(basename $PWD)")).await),
        "42 sub\n"
    );
    assert_eq!(
        accepted(bash.run(cmd("echo $HOME")).await),
        format!("{}\n", sandbox.root.display())
    );
    // stderr is in the result, in order, and a failing status is reported.
    let out = accepted(bash.run(cmd("echo out; echo err >&2; false")).await);
    assert_eq!(out, "out\nerr\n\n(exit status 1)");
    // A command reading stdin gets /dev/null, not the session's next line.
    assert_eq!(accepted(bash.run(cmd("cat; echo after")).await), "after\n");
    // Quotes, semicolons and newlines in the command are the command's, not the protocol's.
    let out = accepted(
        bash.run(cmd("printf '%s\\n' \"a'b\" 'c;d'\necho $((6*7))"))
            .await,
    );
    assert_eq!(out, "a'b\nc;d\n42\n");
    assert_eq!(accepted(bash.run(cmd("true")).await), "(no output)");
    let text = refused(bash.run(cmd("echo a\u{0}b")).await);
    assert!(text.contains("NUL"), "{text}");
    let text = refused(bash.run(json!({})).await);
    assert_eq!(text, "Error: no command provided.");
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn the_environment_is_scrubbed() {
    let sandbox = Sandbox::new();
    let bash = bash(&sandbox)
        .env("ANTHROPIC_API_KEY", "sk-must-not-pass")
        .allow_env("ANTHROPIC_API_KEY")
        .allow_env("CARGO_PKG_NAME")
        .env("MY_SETTING", "on");
    let env = accepted(bash.run(cmd("env")).await);
    assert!(!env.contains("ANTHROPIC"), "{env}");
    assert!(!env.contains("sk-must-not-pass"), "{env}");
    assert!(env.contains("MY_SETTING=on\n"), "{env}");
    // Cargo sets these in the test process; only the allowed one passes.
    assert!(env.contains("CARGO_PKG_NAME=chat-anthropic\n"), "{env}");
    assert!(!env.contains("CARGO_MANIFEST_DIR"), "{env}");
    let names: Vec<&str> = env
        .lines()
        .filter_map(|line| line.split_once('=').map(|(n, _)| n))
        .collect();
    for name in names {
        assert!(
            [
                "PATH",
                "LANG",
                "LC_ALL",
                "LC_CTYPE",
                "TZ",
                "HOME",
                "PWD",
                "OLDPWD",
                "SHLVL",
                "_",
                "MY_SETTING",
                "CARGO_PKG_NAME"
            ]
            .contains(&name),
            "unexpected variable {name} in {env}"
        );
    }
    let bare = Bash::new(&sandbox.root).unwrap().no_inherited_env();
    let env = accepted(bare.run(cmd("env")).await);
    let ours = format!("PATH={}", std::env::var("PATH").unwrap_or_default());
    for line in env.lines() {
        let name = line.split_once('=').map_or(line, |(n, _)| n);
        assert!(
            ["HOME", "PWD", "OLDPWD", "SHLVL", "_", "PATH"].contains(&name),
            "{env}"
        );
        assert_ne!(line, ours, "the caller's PATH passed: {env}");
    }
}

/// Whether the process `pid` is gone (or a zombie waiting to be reaped), waiting at most 5 s.
#[cfg(target_os = "linux")]
async fn gone(pid: u32) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) => {
                let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
                if state == Some(Some('Z')) {
                    return true;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_timeout_kills_the_whole_group_and_restarts_the_session() {
    let sandbox = Sandbox::new();
    let bash = Bash::new(&sandbox.root)
        .unwrap()
        .timeout(Duration::from_millis(800));
    accepted(bash.run(cmd("marker=set")).await);
    let started = Instant::now();
    let text = refused(
        bash.run(cmd("sleep 60 & echo $! > bg.pid; echo started; sleep 60"))
            .await,
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(text.starts_with("started\n"), "{text}");
    assert!(text.contains("timed out after 0.8s"), "{text}");
    assert!(
        text.contains("process group was killed and the bash session restarted"),
        "{text}"
    );
    let pid: u32 = std::fs::read_to_string(sandbox.root.join("bg.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        gone(pid).await,
        "the background sleep {pid} survived the timeout"
    );
    // The new session works, without the old state.
    assert_eq!(
        accepted(bash.run(cmd("echo ${marker:-reset}")).await),
        "reset\n"
    );
}

#[tokio::test]
async fn long_output_keeps_its_head_and_tail() {
    let sandbox = Sandbox::new();
    let bash = bash(&sandbox).max_output_bytes(1000);
    let out = accepted(
        bash.run(cmd(
            "echo BEGIN; head -c 300000 /dev/zero | tr '\\0' 'a'; echo; echo END",
        ))
        .await,
    );
    assert!(out.starts_with("BEGIN\naaaa"), "{}", &out[..40]);
    assert!(out.ends_with("aaaa\nEND\n"), "{}", &out[out.len() - 40..]);
    assert!(out.contains("bytes of output omitted ...]"), "no marker");
    assert!(out.len() < 1200, "{} bytes", out.len());
    let omitted: usize = out
        .split("[... ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // BEGIN\n + 300000 a + \n + END\n, less the 1000 shown.
    assert_eq!(omitted, 6 + 300_000 + 1 + 4 - 1000);
}

#[tokio::test]
async fn restart_and_exit_give_a_fresh_session() {
    let sandbox = Sandbox::new();
    let bash = bash(&sandbox);
    accepted(bash.run(cmd("x=1; cd /")).await);
    assert_eq!(
        accepted(bash.run(json!({"restart": true})).await),
        "tool has been restarted."
    );
    assert_eq!(
        accepted(bash.run(cmd("echo ${x:-none} $PWD")).await),
        format!("none {}\n", sandbox.root.display())
    );
    let text = refused(bash.run(cmd("echo bye; exit 3")).await);
    assert!(text.starts_with("bye\n"), "{text}");
    assert!(text.contains("the bash session ended"), "{text}");
    assert_eq!(accepted(bash.run(cmd("echo again")).await), "again\n");
}
