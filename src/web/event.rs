//! The browser vocabulary: what a page needs to render a streaming reply, and nothing more.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aggregate::StreamUpdate;
use crate::error::Error;

/// One event for a web page, serialized as a JSON object whose `type` names it.
///
/// A reply streams as `thinking` and `text` deltas, tool calls as `tool_call_started`, then
/// `tool_arg_delta` (a string argument grew) and `tool_arg_complete` (an argument has its
/// final value; the whole input, pointer `""`, comes last), then `tool_call_done` (or
/// `tool_call_invalid`); then `usage`, and `done` last. A failure at any point, before the
/// first token included, is one `error` event, and nothing follows it: the page keeps what it
/// already rendered. `index` is the content block's position in the message, so a page can
/// give every block its own element.
///
/// | `type` | fields |
/// |---|---|
/// | `text` | `index`, `text` |
/// | `thinking` | `index`, `text` |
/// | `tool_call_started` | `index`, `id`, `name` |
/// | `tool_arg_delta` | `index`, `pointer` (JSON pointer, e.g. `/content`), `text` |
/// | `tool_arg_complete` | `index`, `pointer`, `value` |
/// | `tool_call_done` | `index`, `id`, `name`, `args` |
/// | `tool_call_invalid` | `index`, `id`, `name`, `raw`, `error` |
/// | `usage` | `input_tokens`, `output_tokens`, `stop_reason` |
/// | `done` | |
/// | `error` | `message`, `kind` (the API's error type, when it sent one) |
///
/// ```
/// use chat_anthropic::web::BrowserEvent;
/// use chat_anthropic::StreamUpdate;
/// let update = StreamUpdate::ToolArgDelta { index: 1, pointer: "/content".into(), text: "Hel".into() };
/// let event = BrowserEvent::from_update(update).unwrap();
/// assert_eq!(
///     event.to_json(),
///     r#"{"type":"tool_arg_delta","index":1,"pointer":"/content","text":"Hel"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BrowserEvent {
    /// Reply text appended to the text block `index`.
    Text {
        /// The content block's index.
        index: usize,
        /// The new text.
        text: String,
    },
    /// Reasoning appended to the thinking block `index`.
    Thinking {
        /// The content block's index.
        index: usize,
        /// The new reasoning.
        text: String,
    },
    /// A tool call began; its arguments follow.
    ToolCallStarted {
        /// The content block's index, which ties the call's events together.
        index: usize,
        /// The `tool_use` id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A string argument grew.
    ToolArgDelta {
        /// The call's block index.
        index: usize,
        /// Which argument, as a JSON pointer (`/path`, `/files/0/name`).
        pointer: String,
        /// The decoded text appended.
        text: String,
    },
    /// An argument has its final value.
    ToolArgComplete {
        /// The call's block index.
        index: usize,
        /// Which argument, as a JSON pointer; `""` is the whole input, and comes last.
        pointer: String,
        /// The value.
        value: Value,
    },
    /// A tool call is complete and its arguments parsed.
    ToolCallDone {
        /// The call's block index.
        index: usize,
        /// The `tool_use` id.
        id: String,
        /// The tool's name.
        name: String,
        /// The arguments.
        args: Value,
    },
    /// A tool call is complete but its input is not valid JSON.
    ToolCallInvalid {
        /// The call's block index.
        index: usize,
        /// The `tool_use` id.
        id: Option<String>,
        /// The tool's name.
        name: Option<String>,
        /// The input as it streamed.
        raw: Option<String>,
        /// Why it was rejected.
        error: Option<String>,
    },
    /// Token counts so far, and why the model stopped once known.
    Usage {
        /// All input tokens, cache reads and writes included.
        input_tokens: u64,
        /// Output tokens so far.
        output_tokens: u64,
        /// `end_turn`, `tool_use`, `max_tokens`, … once known.
        stop_reason: Option<String>,
    },
    /// The reply is complete; nothing follows.
    Done,
    /// The request or the stream failed; nothing follows.
    Error {
        /// What went wrong (the crate's error text, which never holds secrets).
        message: String,
        /// The API's error type (`overloaded_error`, `rate_limit_error`, …) when it sent one.
        kind: Option<String>,
    },
}

impl BrowserEvent {
    /// The event a page needs for this update, or `None` for updates it has no use for
    /// (message and block boundaries, signatures, citations, raw tool-input fragments,
    /// unknown events).
    ///
    /// ```
    /// use chat_anthropic::web::BrowserEvent;
    /// use chat_anthropic::StreamUpdate;
    /// let text = StreamUpdate::Text { index: 0, text: "Hi".into() };
    /// assert_eq!(BrowserEvent::from_update(text), Some(BrowserEvent::Text { index: 0, text: "Hi".into() }));
    /// assert_eq!(BrowserEvent::from_update(StreamUpdate::BlockStopped { index: 0 }), None);
    /// ```
    pub fn from_update(update: StreamUpdate) -> Option<Self> {
        Some(match update {
            StreamUpdate::Text { index, text } => Self::Text { index, text },
            StreamUpdate::Thinking { index, thinking } => Self::Thinking {
                index,
                text: thinking,
            },
            StreamUpdate::ToolCallStarted { index, id, name } => {
                Self::ToolCallStarted { index, id, name }
            }
            StreamUpdate::ToolArgDelta {
                index,
                pointer,
                text,
            } => Self::ToolArgDelta {
                index,
                pointer: pointer.into(),
                text,
            },
            StreamUpdate::ToolArgComplete {
                index,
                pointer,
                value,
            } => Self::ToolArgComplete {
                index,
                pointer: pointer.into(),
                value,
            },
            StreamUpdate::ToolCallDone { index, call } => Self::ToolCallDone {
                index,
                id: call.id,
                name: call.name,
                args: call.args,
            },
            StreamUpdate::ToolCallInvalid { index, call } => Self::ToolCallInvalid {
                index,
                id: call.id,
                name: call.name,
                raw: call.args,
                error: call.error,
            },
            StreamUpdate::MessageDelta { stop_reason, usage } => Self::Usage {
                input_tokens: usage.input_tokens,
                output_tokens: usage.output_tokens,
                stop_reason: stop_reason.map(|reason| reason.as_str().to_owned()),
            },
            StreamUpdate::Done => Self::Done,
            _ => return None,
        })
    }

    /// The `error` event for a failure.
    ///
    /// ```
    /// use chat_anthropic::web::BrowserEvent;
    /// use chat_anthropic::{ApiErrorKind, Error};
    /// let err = Error::Api {
    ///     status: Some(529), kind: ApiErrorKind::Overloaded, message: "Overloaded".into(),
    ///     request_id: None, retry_after: None,
    /// };
    /// let BrowserEvent::Error { kind, .. } = BrowserEvent::from_error(&err) else { unreachable!() };
    /// assert_eq!(kind.as_deref(), Some("overloaded_error"));
    /// ```
    pub fn from_error(err: &Error) -> Self {
        Self::Error {
            message: err.to_string(),
            kind: err.api_kind().map(|kind| kind.as_str().to_owned()),
        }
    }

    /// Whether nothing follows this event (`done` or `error`).
    pub fn is_last(&self) -> bool {
        matches!(self, Self::Done | Self::Error { .. })
    }

    /// The event as one line of JSON, the `data` of its SSE event.
    pub fn to_json(&self) -> String {
        // Serializing this enum cannot fail: every field is a string, a number or a
        // `serde_json::Value`, whose map keys are strings.
        serde_json::to_string(self).unwrap_or_else(|err| {
            format!(
                r#"{{"type":"error","message":{},"kind":null}}"#,
                Value::String(err.to_string())
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::messages::{InvalidToolCall, StopReason, ToolCall, UsageMetadata};

    fn json_of(update: StreamUpdate) -> Value {
        let event = BrowserEvent::from_update(update).expect("a browser event");
        serde_json::from_str(&event.to_json()).expect("valid JSON")
    }

    #[test]
    fn deltas_keep_their_block_index() {
        let thinking = StreamUpdate::Thinking {
            index: 0,
            thinking: "Hmm".into(),
        };
        assert_eq!(
            json_of(thinking),
            json!({"type": "thinking", "index": 0, "text": "Hmm"})
        );
        let text = StreamUpdate::Text {
            index: 1,
            text: "Hi".into(),
        };
        assert_eq!(
            json_of(text),
            json!({"type": "text", "index": 1, "text": "Hi"})
        );
    }

    #[test]
    fn a_tool_call_is_spelled_out() {
        let started = StreamUpdate::ToolCallStarted {
            index: 2,
            id: "toolu_1".into(),
            name: "write_file".into(),
        };
        assert_eq!(
            json_of(started),
            json!({"type": "tool_call_started", "index": 2, "id": "toolu_1", "name": "write_file"})
        );
        let complete = StreamUpdate::ToolArgComplete {
            index: 2,
            pointer: "/path".into(),
            value: json!("a.txt"),
        };
        assert_eq!(
            json_of(complete),
            json!({"type": "tool_arg_complete", "index": 2, "pointer": "/path", "value": "a.txt"})
        );
        let done = StreamUpdate::ToolCallDone {
            index: 2,
            call: ToolCall::new("write_file", json!({"path": "a.txt"}), "toolu_1"),
        };
        assert_eq!(
            json_of(done),
            json!({"type": "tool_call_done", "index": 2, "id": "toolu_1", "name": "write_file", "args": {"path": "a.txt"}})
        );
    }

    #[test]
    fn an_invalid_call_keeps_its_raw_input_and_error() {
        let call: InvalidToolCall = serde_json::from_value(json!({
            "name": "f", "args": "{\"a\": 1,", "id": "toolu_1", "error": "EOF",
        }))
        .expect("an invalid call");
        let event = json_of(StreamUpdate::ToolCallInvalid { index: 0, call });
        assert_eq!(
            event,
            json!({"type": "tool_call_invalid", "index": 0, "id": "toolu_1", "name": "f", "raw": "{\"a\": 1,", "error": "EOF"})
        );
    }

    #[test]
    fn usage_carries_the_counts_and_the_stop_reason() {
        let usage: UsageMetadata = serde_json::from_value(json!({
            "input_tokens": 12, "output_tokens": 34, "total_tokens": 46,
        }))
        .expect("usage");
        let update = StreamUpdate::MessageDelta {
            stop_reason: Some(StopReason::ToolUse),
            usage,
        };
        assert_eq!(
            json_of(update),
            json!({"type": "usage", "input_tokens": 12, "output_tokens": 34, "stop_reason": "tool_use"})
        );
        assert_eq!(json_of(StreamUpdate::Done), json!({"type": "done"}));
    }

    #[test]
    fn updates_a_page_has_no_use_for_are_dropped() {
        for update in [
            StreamUpdate::Signature { index: 0 },
            StreamUpdate::BlockStopped { index: 0 },
            StreamUpdate::ToolArgs {
                index: 0,
                fragment: "{\"a".into(),
            },
            StreamUpdate::MessageStarted {
                id: "msg_1".into(),
                model: "m".into(),
            },
            StreamUpdate::Unknown { raw: json!({}) },
        ] {
            assert_eq!(BrowserEvent::from_update(update), None);
        }
    }

    #[test]
    fn an_error_names_the_api_error_type_when_there_is_one() {
        let api = Error::Api {
            status: Some(429),
            kind: crate::error::ApiErrorKind::RateLimit,
            message: "Slow down".into(),
            request_id: None,
            retry_after: None,
        };
        let event = BrowserEvent::from_error(&api);
        assert!(event.is_last());
        let BrowserEvent::Error { message, kind } = event else {
            panic!("not an error event")
        };
        assert!(message.contains("Slow down"), "{message}");
        assert_eq!(kind.as_deref(), Some("rate_limit_error"));

        let io = Error::Io(std::io::Error::other("disk gone"));
        assert_eq!(
            BrowserEvent::from_error(&io),
            BrowserEvent::Error {
                message: "I/O error: disk gone".into(),
                kind: None
            }
        );
    }

    #[test]
    fn events_read_back_from_their_json() {
        let event = BrowserEvent::Usage {
            input_tokens: 1,
            output_tokens: 2,
            stop_reason: None,
        };
        let back: BrowserEvent = serde_json::from_str(&event.to_json()).expect("parses");
        assert_eq!(back, event);
    }
}
