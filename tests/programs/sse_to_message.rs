//! `examples/sse_to_message`, run as the built program: a recorded stream becomes the
//! message; an empty input, a file that is not an event stream and a stream cut before
//! `message_stop` are told apart, and any failure exits non-zero.

use crate::common;
use crate::example_bin;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn program() -> PathBuf {
    example_bin::example("sse_to_message")
}

fn run(args: &[&Path], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(program())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("the example ends")
}

/// The JSON lines the program printed.
fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON value a line"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch file holding `bytes`.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sse_to_message");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("scratch file");
    path
}

fn recorded(name: &str) -> PathBuf {
    common::fixtures_dir().join(format!("{name}.sse"))
}

const TOOL_STREAM: &str = "rig__streaming_grammar__parallel_tool_use__0";

#[test]
fn a_recorded_stream_becomes_the_message_and_exits_zero() {
    let output = run(&[&recorded(TOOL_STREAM)], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    let [message] = lines(&output).try_into().expect("one line");
    assert_eq!(message["type"], "message");
    assert_eq!(message["stop_reason"], "tool_use");
    assert_eq!(message["content"].as_array().map(Vec::len), Some(3));
    assert!(stderr(&output).is_empty());
}

#[test]
fn stdin_is_read_when_no_file_is_given() {
    let bytes = std::fs::read(recorded(TOOL_STREAM)).expect("fixture");
    let output = run(&[], &bytes);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(lines(&output)[0]["type"], "message");
}

#[test]
fn an_empty_input_is_called_empty() {
    for output in [
        run(&[&file("empty.sse", b"")], b""),
        run(&[&file("blank.sse", b"\n\n  \n")], b""),
        run(&[], b""),
    ] {
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(lines(&output)[0]["error"]["type"], "empty");
        assert!(stderr(&output).contains("empty"), "{}", stderr(&output));
    }
}

#[test]
fn a_file_that_is_not_an_event_stream_is_called_so() {
    // A compiled program (not this test's own binary: it holds SSE text in its strings).
    let program_bytes = std::fs::read(program()).expect("read the example's binary");
    for (name, bytes) in [
        ("binary", program_bytes.as_slice()),
        ("json", br#"{"type": "message", "content": []}"#.as_slice()),
        ("text", b"hello\nworld\n".as_slice()),
    ] {
        let output = run(&[&file(name, bytes)], b"");
        assert_eq!(output.status.code(), Some(1), "{name}");
        let error = &lines(&output)[0]["error"];
        assert_eq!(error["type"], "not_an_event_stream", "{name}: {error}");
        assert!(error.get("partial").is_none(), "{name}");
        assert!(
            stderr(&output).contains("not an event stream"),
            "{name}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_stream_cut_before_message_stop_says_so_and_keeps_what_arrived() {
    let whole = std::fs::read(recorded(TOOL_STREAM)).expect("fixture");
    let text = String::from_utf8(whole).expect("UTF-8");
    let stop = text.find("event: message_stop").expect("a message_stop");
    // At an event boundary, and in the middle of an event's data line.
    let mid_line = text.find("simultaneously").expect("text");
    for cut in [&text[..stop], &text[..mid_line]] {
        let output = run(&[&file("cut.sse", cut.as_bytes())], b"");
        assert_eq!(output.status.code(), Some(1));
        let error = &lines(&output)[0]["error"];
        assert_eq!(error["type"], "cut_before_message_stop", "{error}");
        assert_eq!(error["partial"]["id"], "msg_REDACTED_1");
        assert!(stderr(&output).contains("cut before message_stop"));
    }
}

#[test]
fn an_error_event_is_reported_with_the_api_error_type() {
    let stream = "event: message_start\n\
        data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n\
        event: error\n\
        data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    let output = run(&[&file("overloaded.sse", stream.as_bytes())], b"");
    assert_eq!(output.status.code(), Some(1));
    let error = &lines(&output)[0]["error"];
    assert_eq!(error["type"], "overloaded_error");
    assert_eq!(error["partial"]["id"], "msg_1");
}

#[test]
fn every_input_gets_its_line_in_order_and_one_failure_fails_the_run() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no/such/file.sse");
    let output = run(
        &[&recorded(TOOL_STREAM), &missing, &file("e.sse", b"")],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    let kinds: Vec<Value> = lines(&output)
        .iter()
        .map(|line| line["error"]["type"].clone())
        .collect();
    assert_eq!(kinds, [Value::Null, "io_error".into(), "empty".into()]);
}

#[test]
fn help_prints_the_usage_and_an_unknown_option_is_refused_not_read_as_a_file() {
    let help = run(&[Path::new("--help")], b"");
    assert!(help.status.success(), "{}", stderr(&help));
    let usage = String::from_utf8_lossy(&help.stdout);
    assert!(
        usage.starts_with("usage: sse_to_message [FILE...]"),
        "{usage}"
    );

    let unknown = run(&[Path::new("--bogus")], b"");
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(
        stderr(&unknown).contains("unknown option --bogus"),
        "{}",
        stderr(&unknown)
    );
    assert!(unknown.stdout.is_empty());

    // After `--`, a name that looks like an option is a file.
    let dashed = file("--help", b"");
    let output = Command::new(program())
        .current_dir(dashed.parent().unwrap())
        .args(["--", "--help"])
        .output()
        .expect("the example runs");
    assert_eq!(
        lines(&output)[0]["error"]["type"],
        "empty",
        "{}",
        stderr(&output)
    );
}
