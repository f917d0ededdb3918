//! The examples as a user runs them: no terminal escapes into a pipe, and `web_chat` with
//! its port taken says which address and how to pick another. They run offline: without
//! `ANTHROPIC_API_KEY` the examples use the built-in mock server.

use crate::example_bin;

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `command` with `stdin` as its input, killing it if it outlives `limit`.
fn run_bounded(mut command: Command, stdin: &[u8], limit: Duration) -> Output {
    let mut child = command
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin); // dropped after: end of input
    });
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{command:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().expect("stdin writer");
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const LIMIT: Duration = Duration::from_secs(60);

/// What the example `name` prints into a pipe, given `stdin`; it must succeed and write
/// no terminal escapes.
fn piped_output_of(name: &str, stdin: &[u8]) -> String {
    let output = run_bounded(Command::new(example_bin::example(name)), stdin, LIMIT);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{name}: {}", text(&output.stderr));
    assert!(
        !stdout.contains('\x1b'),
        "{name}: escapes in a pipe: {stdout:?}"
    );
    stdout
}

#[test]
fn thinking_writes_plain_text_into_a_pipe() {
    let stdout = piped_output_of("thinking", b"");
    assert!(stdout.contains("thinking: "), "{stdout}");
    assert!(stdout.contains("12 × 17 = 204."), "{stdout}");
}

#[test]
fn chat_tui_writes_plain_text_into_a_pipe() {
    let stdout = piped_output_of("chat_tui", b"Hello\n");
    assert!(
        !stdout.contains("waiting for the model"),
        "a spinner in a pipe: {stdout}"
    );
    assert!(stdout.contains("[tool call] write_file"), "{stdout}");
    assert!(stdout.contains("usage: "), "{stdout}");
}

#[test]
fn web_chat_with_its_port_taken_names_the_address_and_how_to_choose_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = taken.local_addr().expect("its address").to_string();
    let mut by_flag = Command::new(example_bin::example("web_chat"));
    by_flag.env_remove("WEB_CHAT_ADDR").args(["--addr", &addr]);
    let mut by_env = Command::new(example_bin::example("web_chat"));
    by_env.env("WEB_CHAT_ADDR", &addr);
    for command in [by_flag, by_env] {
        let output = run_bounded(command, b"", LIMIT);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("cannot listen on {addr}")),
            "{stderr}"
        );
        assert!(
            stderr.contains("another program is using that port"),
            "{stderr}"
        );
        assert!(
            stderr.contains("--addr") && stderr.contains("WEB_CHAT_ADDR"),
            "{stderr}"
        );
        assert!(!stderr.contains("Os {"), "a Debug dump: {stderr}");
    }
    drop(taken);
}

#[test]
fn web_chat_rejects_an_argument_it_does_not_know() {
    let mut command = Command::new(example_bin::example("web_chat"));
    command.arg("--port=8080");
    let output = run_bounded(command, b"", LIMIT);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--port=8080") && stderr.contains("--addr"),
        "{stderr}"
    );
}

#[test]
fn fallbacks_shows_the_fallback_answering_for_the_overloaded_primary() {
    let stdout = piped_output_of("fallbacks", b"");
    assert!(
        stdout.contains("(answered by claude-haiku-4-5)"),
        "{stdout}"
    );
    assert!(stdout.contains("one |two |three |four |five|"), "{stdout}");
    // 2 calls × 2 policy attempts × (1 send + 1 built-in retry) reached the overloaded mock.
    assert!(stdout.contains("overloaded mock 8"), "{stdout}");
}

#[test]
fn chat_history_sends_each_turn_with_the_ones_before_and_stores_the_tool_round_trip() {
    let stdout = piped_output_of("chat_history", b"");
    assert!(
        stdout.contains("bot> calls get_weather({\"city\":\"Paris\"})"),
        "{stdout}"
    );
    assert!(
        stdout.contains("tool  15°C, sunny (for toolu_01)"),
        "{stdout}"
    );
    for (request, messages) in [(1, 1), (2, 3), (3, 5)] {
        assert!(
            stdout.contains(&format!("request {request}: {messages} messages")),
            "{stdout}"
        );
    }
}

#[test]
fn trim_messages_keeps_tool_pairs_and_trims_before_the_call() {
    let stdout = piped_output_of("trim_messages", b"");
    assert!(
        stdout.contains("== last ~120 tokens (approximate count): 7 messages"),
        "{stdout}"
    );
    assert!(
        stdout.contains("with_trimming(120) answered: Noted."),
        "{stdout}"
    );
    assert!(
        stdout.contains("(its request carried 7 messages)"),
        "{stdout}"
    );
}

#[test]
fn cached_chat_serves_the_second_run_from_the_cache() {
    let dir = std::env::temp_dir().join(format!("cached-chat-example-{}", std::process::id()));
    let file = dir.join("cache.sqlite");
    let mut command = Command::new(example_bin::example("cached_chat"));
    command.arg(&file);
    let output = run_bounded(command, b"", LIMIT);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("run 1: Sunlight scatters"), "{stdout}");
    assert!(stdout.contains("(from the model,"), "{stdout}");
    assert!(stdout.contains("(served from the cache,"), "{stdout}");
    assert!(
        stdout.contains("requests to the mock server: 1"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
