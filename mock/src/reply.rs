//! What the mock server answers one request with, and how it misbehaves on request.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use super::faults::{At, ErrorEvent, EventFaults, Part, Pause};
use super::script::MockScript;

/// One scripted answer: a reply (scripted content, a recorded stream or an error status)
/// plus the faults to inject while sending it.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic_mock::MockReply;
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
    /// Faults placed between events (streaming replies only).
    pub(super) events: EventFaults,
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
        self.shape.events.error_event = Some(ErrorEvent {
            at: At::AfterEvents(events),
            kind: kind.into(),
            message: message.into(),
        });
        self
    }

    /// Ends the stream with an `error` event before any content: after `message_start` (and
    /// the ping that follows it), in place of the first `content_block_start`. Nothing the
    /// caller could show has arrived, so a client may retry such a stream.
    ///
    /// ```
    /// use chat_anthropic_mock::MockReply;
    /// let overloaded = MockReply::text("never sent")
    ///     .error_event_before_content("overloaded_error", "Overloaded");
    /// # let _ = overloaded;
    /// ```
    pub fn error_event_before_content(
        mut self,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.shape.events.error_event = Some(ErrorEvent {
            at: At::BeforeContent,
            kind: kind.into(),
            message: message.into(),
        });
        self
    }

    /// Breaks the connection after `events` events, e.g. `1`: right after `message_start`,
    /// before any content (a streaming reply; see [`drop_after_bytes`](Self::drop_after_bytes)
    /// to cut anywhere).
    ///
    /// ```
    /// use chat_anthropic_mock::MockReply;
    /// let reset = MockReply::text("never sent").drop_after_events(1);
    /// # let _ = reset;
    /// ```
    pub fn drop_after_events(mut self, events: usize) -> Self {
        self.shape.events.cut = Some((events, Part::Break));
        self
    }

    /// Sends `events` events, then nothing more, holding the connection open (until the
    /// server stops): a generation that stalls for good, not even pinging.
    ///
    /// ```
    /// use chat_anthropic_mock::MockReply;
    /// let stalled = MockReply::text("never sent").stall_after_events(1);
    /// # let _ = stalled;
    /// ```
    pub fn stall_after_events(mut self, events: usize) -> Self {
        self.shape.events.cut = Some((events, Part::Hold));
        self
    }

    /// Sends `events` events, goes silent for `pause` (no byte, not even a ping), then sends
    /// the rest: a generation that stalls and recovers.
    ///
    /// ```
    /// use std::time::Duration;
    /// use chat_anthropic_mock::MockReply;
    /// // message_start, ping, content_block_start, then 2 s of silence, then the rest.
    /// let reply = MockReply::text("late but whole").stall_then_resume(3, Duration::from_secs(2));
    /// # let _ = reply;
    /// ```
    pub fn stall_then_resume(mut self, events: usize, pause: Duration) -> Self {
        self.shape.events.pause = Some(Pause {
            after_events: events,
            length: pause,
            ping_every: None,
        });
        self
    }

    /// Like [`stall_then_resume`](Self::stall_then_resume), but the pause is filled with a
    /// `ping` event every `every`, as the API does while a generation is slow: the bytes keep
    /// coming, the content does not.
    ///
    /// ```
    /// use std::time::Duration;
    /// use chat_anthropic_mock::MockReply;
    /// let reply = MockReply::text("slow")
    ///     .pings_then_resume(3, Duration::from_secs(2), Duration::from_millis(100));
    /// # let _ = reply;
    /// ```
    pub fn pings_then_resume(mut self, events: usize, pause: Duration, every: Duration) -> Self {
        self.shape.events.pause = Some(Pause {
            after_events: events,
            length: pause,
            ping_every: Some(every),
        });
        self
    }

    /// Sends `events` events, then only a `ping` every `every`, until the client goes away
    /// (or the server stops): a stream that looks alive and never delivers. An idle-read
    /// timeout never fires on it; only a watchdog on content does.
    pub fn pings_forever_after(mut self, events: usize, every: Duration) -> Self {
        self.shape.events.pings_forever = Some((events, every.max(Duration::from_millis(1))));
        self
    }
}
