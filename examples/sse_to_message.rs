//! Assemble recorded SSE streams (Messages API responses) into messages.
//!
//! ```text
//! cargo run --example sse_to_message -- FILE...     # or: ... < stream.sse; --help
//! ```
//!
//! Prints one JSON line per input, in order: the message in the Messages API's non-streaming
//! response shape, or `{"error": {"type", "message", "partial"?}}`. The error types tell the
//! usual mistakes apart: `empty` (nothing in the input), `not_an_event_stream` (no Messages
//! API event in it: another kind of file), `cut_before_message_stop` (a stream that ended
//! early; `partial` holds what arrived), `io_error`, or the API's own error type for an
//! `error` event (`overloaded_error`, …) and `invalid_stream` for anything else. Each failure
//! is also said in one line on stderr, and the exit status is 1 when any input failed.

use std::io::{Read, Write};
use std::process::ExitCode;

use chat_anthropic::{aggregate::MessageAggregator, event::EventStream, StreamEvent};
use futures_util::StreamExt;
use serde_json::{json, Value};

/// Why an input did not assemble into a message.
struct Failure {
    kind: String,
    message: String,
    /// The message assembled before the failure, once the stream had started one.
    partial: Option<Value>,
}

impl Failure {
    fn new(kind: &str, message: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            message: message.into(),
            partial: None,
        }
    }

    fn to_json(&self) -> Value {
        let mut error = json!({"type": self.kind, "message": self.message});
        if let Some(partial) = &self.partial {
            error["partial"] = partial.clone();
        }
        json!({ "error": error })
    }
}

/// Folds one stream into the message, or says why it could not.
async fn assemble(body: Vec<u8>) -> Result<Value, Failure> {
    if body.trim_ascii().is_empty() {
        return Err(Failure::new("empty", "the input is empty"));
    }
    let mut events = EventStream::from_bytes(body);
    let mut aggregator = MessageAggregator::new();
    // Events of the Messages API seen (unknown and undecodable ones are not counted).
    let mut known_events = 0;
    let mut failure = None;
    while let Some(event) = events.next().await {
        let applied = event.and_then(|event| {
            if !matches!(event, StreamEvent::Unknown(_)) {
                known_events += 1;
            }
            aggregator.apply(&event).map(drop)
        });
        if let Err(err) = applied {
            failure = Some(err);
            break;
        }
    }
    if known_events == 0 {
        let found = failure.map_or_else(|| "no SSE events".to_owned(), |err| err.to_string());
        return Err(Failure::new(
            "not_an_event_stream",
            format!("not an event stream: no Messages API events in the input ({found})"),
        ));
    }
    let partial = serde_json::to_value(aggregator.api_message()).unwrap_or(Value::Null);
    let mut failure = match failure {
        Some(err) => {
            let kind = err
                .api_kind()
                .map_or("invalid_stream", |kind| kind.as_str());
            Failure::new(kind, err.to_string())
        }
        None if !aggregator.is_complete() => Failure::new(
            "cut_before_message_stop",
            "the stream was cut before message_stop: the message is incomplete",
        ),
        None => return Ok(partial),
    };
    failure.partial = Some(partial);
    Err(failure)
}

const USAGE: &str = "\
usage: sse_to_message [FILE...]
Assembles recorded SSE streams of the Messages API into messages: one JSON line per input
(the message, or {\"error\": {\"type\", \"message\", \"partial\"?}}); reads stdin without FILE.
Exit status 1 when any input failed.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--` ends the options, so that a file named like one can still be read.
    let (options, files) = match args.iter().position(|arg| arg == "--") {
        Some(end) => (&args[..end], args[end + 1..].to_vec()),
        None => (&args[..], Vec::new()),
    };
    if options.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if let Some(unknown) = options.iter().find(|arg| arg.starts_with('-')) {
        eprintln!("sse_to_message: unknown option {unknown}\n{USAGE}");
        return ExitCode::from(2);
    }
    let files = [options.to_vec(), files].concat();
    match run(files) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("sse_to_message: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Assembles every input; `Ok(false)` when any of them failed.
fn run(files: Vec<String>) -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let inputs: Vec<(String, std::io::Result<Vec<u8>>)> = if files.is_empty() {
        let mut body = Vec::new();
        let read = std::io::stdin().read_to_end(&mut body).map(|_| body);
        vec![("<stdin>".to_owned(), read)]
    } else {
        files
            .into_iter()
            .map(|file| {
                let body = std::fs::read(&file);
                (file, body)
            })
            .collect()
    };
    let mut out = std::io::stdout().lock();
    let mut all_ok = true;
    for (name, body) in inputs {
        let assembled = match body {
            Ok(body) => runtime.block_on(assemble(body)),
            Err(err) => Err(Failure::new("io_error", err.to_string())),
        };
        let line = match assembled {
            Ok(message) => message,
            Err(failure) => {
                all_ok = false;
                eprintln!("{name}: {}", failure.message);
                failure.to_json()
            }
        };
        writeln!(out, "{line}")?;
    }
    Ok(all_ok)
}
