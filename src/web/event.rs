//! The browser's events: the crate's one stream vocabulary, [`StreamUpdate`], as a page
//! needs it, plus the failure that ends a stream.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aggregate::StreamUpdate;
use crate::error::Error;

/// One event for a web page, serialized as a JSON object whose `type` names it.
///
/// It is a [`StreamUpdate`] serialized as it is (the same vocabulary the crate streams
/// everywhere, not a copy of it), limited to what a page renders, or the `error` that ends
/// the stream. A reply streams as `thinking` and `text` deltas, tool calls as
/// `tool_call_started`, then `tool_arg_delta` (a string argument grew) and
/// `tool_arg_complete` (an argument has its final value; the whole input, pointer `""`, comes
/// last), then `tool_call_done` (or `tool_call_invalid`); then `message_delta` with the
/// usage, and `done` last. A failure at any point, before the first token included, is one
/// `error` event, and nothing follows it: the page keeps what it already rendered. `index`
/// is the content block's position in the message, so a page can give every block its own
/// element.
///
/// | `type` | fields |
/// |---|---|
/// | `text` | `index`, `text` |
/// | `thinking` | `index`, `thinking` |
/// | `tool_call_started` | `index`, `id`, `name` |
/// | `tool_arg_delta` | `index`, `pointer` (JSON pointer, e.g. `/content`), `text` |
/// | `tool_arg_complete` | `index`, `pointer`, `value` |
/// | `tool_call_done` | `index`, `call`: `{id, name, args}` |
/// | `tool_call_invalid` | `index`, `call`: `{id, name, args` (the raw text)`, error}` |
/// | `message_delta` | `stop_reason` (`end_turn`, `tool_use`, … once known), `usage`: `{input_tokens, output_tokens, total_tokens, …}` |
/// | `done` | |
/// | `error` | `message`, `kind` (the API's error type, when it sent one) |
///
/// An agent run ([`AgentRun::browser_events`](crate::agent::AgentRun::browser_events)) sends
/// its own events, [`AgentEvent`](crate::agent::AgentEvent)s as they serialize: the same
/// updates with their `turn`, its `turn_started`, `tool_started` and `tool_finished`, and one
/// `finished` at the end (or one `error`).
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
#[serde(untagged)]
#[non_exhaustive]
// Events pass one at a time on their way to the page; none are kept in bulk, so the size of
// an update is no cost worth a box on every event.
#[allow(clippy::large_enum_variant)]
pub enum BrowserEvent {
    /// A change to the reply, as the crate's stream vocabulary says it.
    Update(StreamUpdate),
    /// The request or the stream failed; nothing follows.
    Error(BrowserError),
}

/// The `error` event: why the request or the stream failed.
///
/// ```
/// use chat_anthropic::web::{BrowserError, BrowserEvent};
/// let event: BrowserEvent = serde_json::from_str(r#"{"type":"error","message":"Overloaded","kind":"overloaded_error"}"#).unwrap();
/// let BrowserEvent::Error(BrowserError { kind, .. }) = event else { unreachable!() };
/// assert_eq!(kind.as_deref(), Some("overloaded_error"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename = "error")]
#[non_exhaustive]
pub struct BrowserError {
    /// What went wrong (the crate's error text, which never holds secrets).
    pub message: String,
    /// The API's error type (`overloaded_error`, `rate_limit_error`, …) when it sent one.
    pub kind: Option<String>,
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
    /// assert_eq!(BrowserEvent::from_update(text.clone()), Some(BrowserEvent::Update(text)));
    /// assert_eq!(BrowserEvent::from_update(StreamUpdate::BlockStopped { index: 0 }), None);
    /// ```
    pub fn from_update(update: StreamUpdate) -> Option<Self> {
        renders(&update).then_some(Self::Update(update))
    }

    /// The update this event carries (`None` for an error).
    ///
    /// ```
    /// use chat_anthropic::web::BrowserEvent;
    /// use chat_anthropic::StreamUpdate;
    /// assert_eq!(BrowserEvent::Update(StreamUpdate::Done).update(), Some(&StreamUpdate::Done));
    /// ```
    pub fn update(&self) -> Option<&StreamUpdate> {
        match self {
            Self::Update(update) => Some(update),
            Self::Error(_) => None,
        }
    }

    /// The `error` event for a failure.
    ///
    /// ```
    /// use chat_anthropic::web::BrowserEvent;
    /// use chat_anthropic::aggregate::MessageAggregator;
    /// use chat_anthropic::StreamEvent;
    /// // An `error` event in the middle of a stream.
    /// let overloaded = StreamEvent::parse("error", r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)?;
    /// let err = MessageAggregator::new().apply(&overloaded).unwrap_err();
    /// let BrowserEvent::Error(error) = BrowserEvent::from_error(&err) else { unreachable!() };
    /// assert_eq!(error.kind.as_deref(), Some("overloaded_error"));
    /// # Ok::<(), chat_anthropic::Error>(())
    /// ```
    pub fn from_error(err: &Error) -> Self {
        Self::Error(BrowserError {
            message: err.to_string(),
            kind: err.api_kind().map(|kind| kind.as_str().to_owned()),
        })
    }

    /// Whether nothing follows this event (`done` or `error`).
    pub fn is_last(&self) -> bool {
        matches!(self, Self::Update(StreamUpdate::Done) | Self::Error(_))
    }

    /// The event as one line of JSON, the `data` of its SSE event.
    pub fn to_json(&self) -> String {
        to_json(self)
    }
}

/// Whether a page has a use for this update: the content as it grows, the tool calls spelled
/// out, the usage, the end; not message and block boundaries, signatures, citations, raw
/// tool-input fragments or unknown events.
pub(crate) fn renders(update: &StreamUpdate) -> bool {
    matches!(
        update,
        StreamUpdate::Text { .. }
            | StreamUpdate::Thinking { .. }
            | StreamUpdate::ToolCallStarted { .. }
            | StreamUpdate::ToolArgDelta { .. }
            | StreamUpdate::ToolArgComplete { .. }
            | StreamUpdate::ToolCallDone { .. }
            | StreamUpdate::ToolCallInvalid { .. }
            | StreamUpdate::MessageDelta { .. }
            | StreamUpdate::Done
    )
}

/// An event as one line of JSON, the `data` of its SSE event.
pub(crate) fn to_json(event: &impl Serialize) -> String {
    // Serializing cannot fail: every field is a string, a number, a list or a
    // `serde_json::Value`, and every map has string keys.
    serde_json::to_string(event).unwrap_or_else(|err| {
        format!(
            r#"{{"type":"error","message":{},"kind":null}}"#,
            Value::String(err.to_string())
        )
    })
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
            json!({"type": "thinking", "index": 0, "thinking": "Hmm"})
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
            value: json!("a.txt").into(),
        };
        assert_eq!(
            json_of(complete),
            json!({"type": "tool_arg_complete", "index": 2, "pointer": "/path", "value": "a.txt"})
        );
        let done = StreamUpdate::ToolCallDone {
            index: 2,
            call: ToolCall::new("write_file", json!({"path": "a.txt"}), "toolu_1").into(),
        };
        assert_eq!(
            json_of(done),
            json!({"type": "tool_call_done", "index": 2, "call": {"id": "toolu_1", "name": "write_file", "args": {"path": "a.txt"}}})
        );
    }

    #[test]
    fn an_invalid_call_keeps_its_raw_input_and_error() {
        let call: InvalidToolCall = serde_json::from_value(json!({
            "name": "f", "args": "{\"a\": 1,", "id": "toolu_1", "error": "EOF",
        }))
        .expect("an invalid call");
        let event = json_of(StreamUpdate::ToolCallInvalid {
            index: 0,
            call: call.into(),
        });
        assert_eq!(
            event,
            json!({"type": "tool_call_invalid", "index": 0, "call": {"id": "toolu_1", "name": "f", "args": "{\"a\": 1,", "error": "EOF"}})
        );
    }

    #[test]
    fn message_delta_carries_the_counts_and_the_stop_reason() {
        let usage: UsageMetadata = serde_json::from_value(json!({
            "input_tokens": 12, "output_tokens": 34, "total_tokens": 46,
        }))
        .expect("usage");
        let update = StreamUpdate::MessageDelta {
            stop_reason: Some(StopReason::ToolUse),
            usage: usage.into(),
        };
        let event = json_of(update);
        assert_eq!(event["type"], "message_delta");
        assert_eq!(event["stop_reason"], "tool_use");
        assert_eq!(event["usage"]["input_tokens"], 12);
        assert_eq!(event["usage"]["output_tokens"], 34);
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
        let rate_limited = crate::event::StreamEvent::parse(
            "error",
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}"#,
        )
        .expect("an error event");
        let api = crate::aggregate::MessageAggregator::new()
            .apply(&rate_limited)
            .expect_err("an API error");
        let event = BrowserEvent::from_error(&api);
        assert!(event.is_last());
        let BrowserEvent::Error(BrowserError { message, kind }) = event else {
            panic!("not an error event")
        };
        assert!(message.contains("Slow down"), "{message}");
        assert_eq!(kind.as_deref(), Some("rate_limit_error"));

        let io = Error::Io(std::io::Error::other("disk gone"));
        let event = BrowserEvent::from_error(&io);
        assert_eq!(
            serde_json::from_str::<Value>(&event.to_json()).expect("JSON"),
            json!({"type": "error", "message": "I/O error: disk gone", "kind": null})
        );
    }

    #[test]
    fn events_read_back_from_their_json() {
        let usage: UsageMetadata = serde_json::from_value(
            json!({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}),
        )
        .expect("usage");
        for event in [
            BrowserEvent::Update(StreamUpdate::MessageDelta {
                stop_reason: None,
                usage: usage.into(),
            }),
            BrowserEvent::Update(StreamUpdate::Done),
            BrowserEvent::Error(BrowserError {
                message: "gone".into(),
                kind: Some("api_error".into()),
            }),
        ] {
            let back: BrowserEvent = serde_json::from_str(&event.to_json()).expect("parses");
            assert_eq!(back, event);
        }
    }
}
