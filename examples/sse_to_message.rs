//! Assemble recorded SSE streams into messages.
//!
//! ```text
//! cargo run --release --example sse_to_message -- FILE...     # or: ... < stream.sse
//! ```
//!
//! Prints one JSON line per input, in order: the message in the Messages API's non-streaming
//! response shape, or `{"error": {...}}` with the cause and the partial message for a stream
//! that fails.

use std::io::{Read, Write};

use chat_anthropic::{Error, EventStream, MessageAggregator};
use futures_util::StreamExt;
use serde_json::{json, Value};

/// Folds one stream; on failure, the error and the message assembled before it.
async fn assemble(body: Vec<u8>) -> Value {
    let mut events = EventStream::from_bytes(body);
    let mut aggregator = MessageAggregator::new();
    let mut failure: Option<Error> = None;
    while let Some(event) = events.next().await {
        if let Err(err) = event.and_then(|event| aggregator.apply(&event).map(drop)) {
            failure = Some(err);
            break;
        }
    }
    if failure.is_none() && !aggregator.is_complete() {
        failure = Some(chat_anthropic::ProtocolError::Incomplete.into());
    }
    match failure {
        None => serde_json::to_value(aggregator.api_message()).unwrap_or(Value::Null),
        Some(err) => json!({"error": {
            "type": error_type(&err),
            "message": err.to_string(),
            "partial": aggregator.api_message(),
        }}),
    }
}

fn error_type(err: &Error) -> String {
    match err {
        Error::Api(api) => api.kind().to_string(),
        Error::Protocol(_) => "protocol_error".into(),
        Error::Decode(_) => "decode_error".into(),
        Error::Sse(_) => "sse_error".into(),
        Error::Io(_) => "io_error".into(),
        _ => "error".into(),
    }
}

fn main() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let files: Vec<String> = std::env::args().skip(1).collect();
    let mut out = std::io::stdout().lock();
    if files.is_empty() {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body)?;
        writeln!(out, "{}", runtime.block_on(assemble(body)))?;
    }
    for file in files {
        let line = match std::fs::read(&file) {
            Ok(body) => runtime.block_on(assemble(body)),
            Err(err) => json!({"error": {"type": "io_error", "message": format!("{file}: {err}")}}),
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}
