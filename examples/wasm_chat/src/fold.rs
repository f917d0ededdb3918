//! One reply as the page folds it: the bytes of the relayed event stream in, the crate's
//! [`StreamUpdate`]s out, and the end state. Pure Rust over `chat-anthropic`'s pipeline (the
//! SSE decoder, the typed events, the fold with per-field path events), so the same code runs
//! in the browser and in this file's native tests.

use bytes::Bytes;
use chat_anthropic::aggregate::{MessageAggregator, StreamUpdate};
use chat_anthropic::sse::SseDecoder;
use chat_anthropic::{AIMessage, Error, StreamEvent};

/// How a reply ended, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// `message_stop` arrived and the body ended: the reply is complete.
    Done {
        /// The stop reason (`end_turn`, `tool_use`, …), when the stream gave one.
        stop_reason: Option<String>,
    },
    /// The user pressed Stop: the request was aborted and what was shown stays.
    Stopped,
    /// The request failed, the stream carried an `error` event, or it ended early.
    Error(String),
}

impl End {
    /// The state's name, as the page writes it in `data-state`.
    pub fn state(&self) -> &'static str {
        match self {
            End::Done { .. } => "done",
            End::Stopped => "stopped",
            End::Error(_) => "error",
        }
    }

    /// The line the page shows under the reply.
    pub fn describe(&self) -> String {
        match self {
            End::Done {
                stop_reason: Some(reason),
            } => format!("done ({reason})"),
            End::Done { stop_reason: None } => "done".to_owned(),
            End::Stopped => "stopped".to_owned(),
            End::Error(message) => format!("error: {message}"),
        }
    }
}

/// The fold of one reply, fed chunk by chunk as the body arrives.
///
/// ```
/// use wasm_chat::fold::{End, ReplyFold};
/// let mut fold = ReplyFold::new();
/// let mut updates = Vec::new();
/// fold.push(&b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"[..], &mut updates).unwrap();
/// assert_eq!(updates.len(), 1);
/// // The body ends here, without `message_stop`: an error that keeps what arrived.
/// assert!(matches!(fold.finish(), (End::Error(_), _)));
/// ```
#[derive(Debug, Default)]
pub struct ReplyFold {
    decoder: SseDecoder,
    aggregator: MessageAggregator,
    stop_reason: Option<String>,
    bytes: usize,
    failed: Option<String>,
}

impl ReplyFold {
    /// A fold that reports each tool argument's growth and completion (path events).
    pub fn new() -> Self {
        Self {
            aggregator: MessageAggregator::new().with_path_events(),
            ..Self::default()
        }
    }

    /// Bytes received so far.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Folds one chunk of the body (any split: inside an event, a line or a UTF-8 sequence)
    /// and appends what it changed to `out`. After an error (a malformed event, an `error`
    /// event, an event out of order) the fold keeps what it had and ignores what follows.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<StreamUpdate>) -> Result<(), Error> {
        if self.failed.is_some() {
            return Ok(());
        }
        self.bytes += chunk.len();
        self.decoder.push(Bytes::copy_from_slice(chunk));
        let result = self.drain(out);
        if let Err(err) = &result {
            self.failed = Some(err.to_string());
        }
        result
    }

    fn drain(&mut self, out: &mut Vec<StreamUpdate>) -> Result<(), Error> {
        while let Some(sse) = self.decoder.next_event() {
            let event = StreamEvent::from_sse(&sse?)?;
            let before = out.len();
            self.aggregator.apply_updates(&event, out)?;
            for update in &out[before..] {
                if let StreamUpdate::MessageDelta {
                    stop_reason: Some(reason),
                    ..
                } = update
                {
                    self.stop_reason = Some(reason.as_str().to_owned());
                }
            }
        }
        Ok(())
    }

    /// The message so far (everything shown), whatever the end.
    pub fn partial_message(&self) -> AIMessage {
        self.aggregator.partial_message()
    }

    /// The body ended: done if the stream was complete, else the error saying why, with the
    /// message as far as it got.
    pub fn finish(self) -> (End, AIMessage) {
        let partial = self.aggregator.partial_message();
        if let Some(message) = self.failed {
            return (End::Error(message), partial);
        }
        if self.decoder.has_partial_event() {
            return (
                End::Error("the stream ended inside an event".to_owned()),
                partial,
            );
        }
        let stop_reason = self.stop_reason;
        match self.aggregator.finish() {
            Ok(message) => (End::Done { stop_reason }, message),
            Err(err) => (End::Error(err.to_string()), partial),
        }
    }

    /// The user stopped the reply: what was shown is the message.
    pub fn stop(self) -> (End, AIMessage) {
        (End::Stopped, self.aggregator.partial_message())
    }
}

/// The label of a tool argument's row: its JSON pointer without the leading `/`
/// (`/files/0/path` reads `files/0/path`), `~1` and `~0` decoded.
pub fn argument_label(pointer: &str) -> String {
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .replace("~1", "/")
        .replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A stream with text and a tool call whose input arrives in small fragments.
    fn stream() -> String {
        let mut events = vec![
            json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 1}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Writing "}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "the file. é"}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "write_file", "input": {}}}),
        ];
        let input = r#"{"path": "a.txt", "content": "line 1\nline 2\n", "mode": 420}"#;
        for piece in input.as_bytes().chunks(7) {
            events.push(json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": std::str::from_utf8(piece).unwrap()}}));
        }
        events.extend([
            json!({"type": "content_block_stop", "index": 1}),
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 30}}),
            json!({"type": "message_stop"}),
        ]);
        events
            .iter()
            .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
            .collect()
    }

    #[test]
    fn any_split_of_the_body_gives_the_same_updates_and_message() {
        let body = stream();
        let whole = {
            let mut fold = ReplyFold::new();
            let mut updates = Vec::new();
            fold.push(body.as_bytes(), &mut updates).unwrap();
            (updates, fold.finish())
        };
        assert_eq!(
            whole.1 .0,
            End::Done {
                stop_reason: Some("tool_use".into())
            }
        );
        assert_eq!(whole.1 .1.text(), "Writing the file. é");
        assert_eq!(
            whole.1 .1.tool_calls[0].args,
            json!({"path": "a.txt", "content": "line 1\nline 2\n", "mode": 420})
        );
        let deltas: String = whole
            .0
            .iter()
            .filter_map(|u| match u {
                StreamUpdate::ToolArgDelta { pointer, text, .. }
                    if pointer.as_str() == "/content" =>
                {
                    Some(text.to_string())
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            deltas, "line 1\nline 2\n",
            "the content field streamed in pieces"
        );
        for size in [1, 2, 3, 5, 64] {
            let mut fold = ReplyFold::new();
            let mut updates = Vec::new();
            for chunk in body.as_bytes().chunks(size) {
                fold.push(chunk, &mut updates).unwrap();
            }
            let (end, message) = fold.finish();
            assert_eq!(end, whole.1 .0, "chunks of {size}");
            assert_eq!(message.text(), whole.1 .1.text(), "chunks of {size}");
            assert_eq!(
                message.tool_calls, whole.1 .1.tool_calls,
                "chunks of {size}"
            );
            let text: String = updates
                .iter()
                .filter_map(|u| match u {
                    StreamUpdate::Text { text, .. } => Some(text.to_string()),
                    _ => None,
                })
                .collect();
            assert_eq!(text, "Writing the file. é", "chunks of {size}");
        }
    }

    #[test]
    fn a_cut_stream_an_error_event_and_a_stop_end_as_such() {
        let body = stream();
        let cut = &body[..body.find("event: message_delta").unwrap()];
        let mut fold = ReplyFold::new();
        fold.push(cut.as_bytes(), &mut Vec::new()).unwrap();
        let (end, partial) = fold.finish();
        assert!(matches!(end, End::Error(_)), "{end:?}");
        assert_eq!(partial.text(), "Writing the file. é");

        let mut fold = ReplyFold::new();
        fold.push(cut.as_bytes(), &mut Vec::new()).unwrap();
        let error = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        assert!(fold.push(error.as_bytes(), &mut Vec::new()).is_err());
        let mut after = Vec::new();
        fold.push(body.as_bytes(), &mut after).unwrap();
        assert!(after.is_empty(), "nothing is folded after an error");
        let (end, partial) = fold.finish();
        assert!(
            matches!(&end, End::Error(message) if message.contains("Overloaded")),
            "{end:?}"
        );
        assert_eq!(partial.text(), "Writing the file. é");

        let mut fold = ReplyFold::new();
        fold.push(&body.as_bytes()[..200], &mut Vec::new()).unwrap();
        assert_eq!(fold.stop().0.describe(), "stopped");
    }

    #[test]
    fn labels_read_as_paths() {
        assert_eq!(argument_label("/content"), "content");
        assert_eq!(argument_label("/files/0/a~1b"), "files/0/a/b");
    }
}
