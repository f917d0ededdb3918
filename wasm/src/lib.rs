//! chat-anthropic's pipeline in the browser: the SSE decoder, the typed events, the
//! partial-JSON parser and the fold, built for `wasm32-unknown-unknown` without the client
//! (`chat-anthropic` with `default-features = false`: no runtime, timers or sockets).
//!
//! Two exports, through `wasm-bindgen`: [`assemble`] folds a whole recorded event stream
//! into the message it carries, and [`parse_partial_json`] reads tool input cut into
//! fragments. The same functions run natively, and `tests/browser.rs` runs them in headless
//! Chromium (`wasm-bindgen-test`) against the official SDK's goldens.

use chat_anthropic::partial_json::PartialJsonParser;
use serde_json::Value;
use wasm_bindgen::prelude::wasm_bindgen;

/// Folds the bytes of a whole event stream (`text/event-stream`, as recorded) into the
/// message it carries, in the API's own shape (`id`, `content`, `stop_reason`, `usage`, …).
///
/// The stream is already in memory, so every poll is ready and no executor is needed: the
/// fold completes in one `now_or_never`.
#[cfg(feature = "fold")]
pub fn assemble_message(sse: &[u8]) -> Result<Value, chat_anthropic::Error> {
    use chat_anthropic::aggregate::MessageAggregator;
    use chat_anthropic::event::EventStream;
    use futures_util::{FutureExt, StreamExt};

    let fold = async {
        let mut events = EventStream::from_bytes(sse.to_vec());
        let mut aggregator = MessageAggregator::new();
        while let Some(event) = events.next().await {
            aggregator.apply(&event?)?;
        }
        let message = aggregator.api_message();
        // The typed error for a stream that ended early, partial message included.
        aggregator.finish()?;
        Ok::<_, chat_anthropic::Error>(message)
    };
    let message = fold
        .now_or_never()
        .expect("a stream read from memory is always ready")?;
    Ok(serde_json::to_value(message).expect("a message serializes to JSON"))
}

/// [`assemble_message`] for JavaScript: the message as JSON text, or the error's text.
#[cfg(feature = "fold")]
#[wasm_bindgen]
pub fn assemble(sse: &str) -> Result<String, String> {
    assemble_message(sse.as_bytes())
        .map(|message| message.to_string())
        .map_err(|err| err.to_string())
}

/// Feeds `fragments` to the partial-JSON parser one by one (as `input_json_delta`s arrive)
/// and returns, as JSON text, the value after each fragment: what a UI shows while a tool's
/// arguments stream in. The last is the whole input when the fragments form valid JSON.
#[wasm_bindgen]
pub fn parse_partial_json(fragments: Vec<String>) -> Vec<String> {
    let mut parser = PartialJsonParser::new();
    fragments
        .iter()
        .map(|fragment| {
            parser.push(fragment);
            parser.value().to_string()
        })
        .collect()
}
