//! Typed stream events: the `data` of each SSE event, parsed.

mod delta;
mod parse;
mod plain_delta;
mod stream;
mod text_arena;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::sse::SharedStr;
pub use delta::Delta;
pub use stream::EventStream;

use crate::error::ApiErrorKind;
use crate::messages::{ApiMessage, ContentBlock, StopReason, UsageDelta};

/// One event of a Messages API stream.
///
/// Event types this version does not know arrive as [`StreamEvent::Unknown`] with their raw
/// JSON; they are never an error.
///
/// The large, once-per-message variants are boxed: an event is moved by value through every
/// stream layer, and the token deltas that make up nearly every event stay inline and small.
///
/// ```
/// use chat_anthropic::event::Delta;
/// use chat_anthropic::StreamEvent;
/// let event = StreamEvent::parse(
///     "content_block_delta",
///     r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
/// ).unwrap();
/// let StreamEvent::ContentBlockDelta(delta) = event else { panic!() };
/// assert_eq!((delta.index, delta.delta), (0, Delta::Text("Hi".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamEvent {
    /// The message begins: id, model, and the initial usage.
    MessageStart(Box<MessageStart>),
    /// A content block begins.
    ContentBlockStart(Box<ContentBlockStart>),
    /// A content block grows.
    ContentBlockDelta(ContentBlockDelta),
    /// A content block is complete.
    ContentBlockStop(ContentBlockStop),
    /// Top-level changes: stop reason, stop sequence, cumulative usage.
    MessageDelta(Box<MessageDelta>),
    /// The message is complete.
    MessageStop,
    /// Keep-alive; carries nothing.
    Ping,
    /// The API failed mid-stream (e.g. `overloaded_error`); the stream ends.
    Error(Box<ErrorEvent>),
    /// An event type this version does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

/// `message_start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageStart {
    /// The message with empty content and the initial usage.
    pub message: ApiMessage,
}

/// `content_block_start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentBlockStart {
    /// The block's position in `content`.
    pub index: usize,
    /// The block as it starts (empty text, tool input `{}`, …).
    pub content_block: ContentBlock,
}

/// `content_block_delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentBlockDelta {
    /// The block that grows.
    pub index: usize,
    /// What it grows by.
    pub delta: Delta,
}

/// `content_block_stop`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentBlockStop {
    /// The block that is complete.
    pub index: usize,
}

/// `message_delta`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageDelta {
    /// Stop reason, stop sequence and any other top-level field.
    pub delta: MessageDeltaBody,
    /// Cumulative usage: present fields replace the message's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageDelta>,
}

/// The `delta` of a `message_delta`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageDeltaBody {
    /// Why generation stopped.
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that was hit.
    #[serde(default)]
    pub stop_sequence: Option<String>,
    /// Other fields (`container`, `stop_details`, …), set on the message.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `error`: the API failed after the stream began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorEvent {
    /// The error's type and message.
    pub error: ApiErrorBody,
}

/// The `error` object of an error body or event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// The error type.
    #[serde(rename = "type")]
    pub kind: ApiErrorKind,
    /// The API's message.
    #[serde(default)]
    pub message: String,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StreamEvent {
    /// The event's `type` on the wire.
    pub fn kind(&self) -> &str {
        match (self.known_kind(), self) {
            (Some(kind), _) => kind,
            (None, Self::Unknown(raw)) => raw.get("type").and_then(Value::as_str).unwrap_or(""),
            (None, _) => "",
        }
    }

    /// The `type` of a known event; `None` for [`StreamEvent::Unknown`].
    pub fn known_kind(&self) -> Option<&'static str> {
        Some(match self {
            Self::MessageStart(_) => "message_start",
            Self::ContentBlockStart(_) => "content_block_start",
            Self::ContentBlockDelta(_) => "content_block_delta",
            Self::ContentBlockStop(_) => "content_block_stop",
            Self::MessageDelta(_) => "message_delta",
            Self::MessageStop => "message_stop",
            Self::Ping => "ping",
            Self::Error(_) => "error",
            Self::Unknown(_) => return None,
        })
    }
}

#[cfg(test)]
mod size_tests {
    /// Every event is moved by value through each stream layer: a large variant inline would
    /// make every token delta pay for copying it (it was 544 bytes). What is left is the
    /// inline raw JSON of `Unknown` (an ordered map) beside a delta's index.
    #[test]
    fn an_event_stays_small() {
        let size = std::mem::size_of::<super::StreamEvent>();
        assert!(size <= 80, "StreamEvent is {size} bytes");
    }
}
