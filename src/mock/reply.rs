//! What the mock server answers one request with, and how it misbehaves on request.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use super::script::MockScript;

/// One scripted answer: a reply (scripted content, a recorded stream or an error status)
/// plus the faults to inject while sending it.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::mock::MockReply;
/// // A reply that arrives 16 bytes at a time, 10 ms apart, and breaks after 500 bytes.
/// let reply = MockReply::text("Hello there")
///     .chunk_size(16)
///     .delay(Duration::from_millis(10))
///     .drop_after_bytes(500);
/// // A rate limit that asks the client to come back in a second.
/// let limited = MockReply::error(429, "rate_limit_error", "Slow down").header("retry-after", "1");
/// # let _ = (reply, limited);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MockReply {
    pub(super) body: ReplyBody,
    pub(super) headers: Vec<(String, String)>,
    pub(super) shape: Shape,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum ReplyBody {
    Script(MockScript),
    SseFile(PathBuf),
    SseBytes(Bytes),
    Error {
        status: u16,
        kind: String,
        message: String,
    },
}

/// How the body bytes are sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Shape {
    pub(super) chunk_size: Option<usize>,
    pub(super) delay: Option<Duration>,
    pub(super) drop_after: Option<usize>,
    pub(super) stall_after: Option<usize>,
    /// After this many events, an `error` event of (type, message) ends the stream.
    pub(super) error_event: Option<(usize, String, String)>,
}

impl MockReply {
    /// A text reply (streamed a word per delta).
    pub fn text(text: impl Into<String>) -> Self {
        Self::script(MockScript::new().text(text))
    }

    /// A scripted reply: text, thinking, tool calls, any block.
    pub fn script(script: MockScript) -> Self {
        Self::from_body(ReplyBody::Script(script))
    }

    /// Replays a recorded `.sse` file byte for byte (read when the request arrives; an
    /// unreadable file is answered with a 500 that says why).
    pub fn sse_file(path: impl Into<PathBuf>) -> Self {
        Self::from_body(ReplyBody::SseFile(path.into()))
    }

    /// Serves these bytes as the event stream, whatever they are.
    pub fn sse_bytes(bytes: impl Into<Bytes>) -> Self {
        Self::from_body(ReplyBody::SseBytes(bytes.into()))
    }

    /// An error status with the API's error body (`{"type": "error", "error": {…}}`).
    pub fn error(status: u16, kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self::from_body(ReplyBody::Error {
            status,
            kind: kind.into(),
            message: message.into(),
        })
    }

    fn from_body(body: ReplyBody) -> Self {
        Self {
            body,
            headers: Vec::new(),
            shape: Shape::default(),
        }
    }

    /// Adds a response header (e.g. `retry-after`, `x-should-retry`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends the body in chunks of this many bytes (default: one chunk per event).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.shape.chunk_size = Some(bytes.max(1));
        self
    }

    /// Waits this long before each chunk.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.shape.delay = Some(delay);
        self
    }

    /// Breaks the connection after this many body bytes.
    pub fn drop_after_bytes(mut self, bytes: usize) -> Self {
        self.shape.drop_after = Some(bytes);
        self
    }

    /// Stops sending (but keeps the connection open) after this many body bytes.
    pub fn stall_after_bytes(mut self, bytes: usize) -> Self {
        self.shape.stall_after = Some(bytes);
        self
    }

    /// Ends the stream after `events` events with an `error` event of this type and message,
    /// as the API does when it overloads mid-stream.
    pub fn error_event_after(
        mut self,
        events: usize,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.shape.error_event = Some((events, kind.into(), message.into()));
        self
    }
}
