//! A dispatched server-sent event.

use std::fmt;
use std::ops::{Deref, Range};
use std::time::Duration;

use bytes::Bytes;

/// Bytes known to be UTF-8: checked once when the event is dispatched, then read as `&str`
/// without copying or re-checking.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Utf8Bytes(Bytes);

impl Utf8Bytes {
    /// Checks `bytes` once; the error says where the first invalid byte is.
    pub(crate) fn new(bytes: Bytes) -> Result<Self, usize> {
        match simdutf8::basic::from_utf8(&bytes) {
            Ok(_) => Ok(Self(bytes)),
            Err(_) => Err(std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| 0)),
        }
    }

    /// Bytes the caller knows are UTF-8, without a check.
    ///
    /// # Safety
    ///
    /// `bytes` must be UTF-8.
    pub(crate) unsafe fn from_utf8_unchecked(bytes: Bytes) -> Self {
        Self(bytes)
    }

    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: `new` checks, `From<String>` holds a `String`, `from_utf8_unchecked`'s
        // callers promise UTF-8, and slices are taken only at `str` boundaries.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }

    pub(crate) fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// The part of these bytes that `part` borrows, shared without a copy; `None` when
    /// `part` lies elsewhere. (A `str` inside UTF-8 bytes is UTF-8 itself.)
    pub(crate) fn slice_ref(&self, part: &str) -> Option<Self> {
        let whole = self.0.as_ptr_range();
        let inner = part.as_bytes().as_ptr_range();
        (whole.start <= inner.start && inner.end <= whole.end)
            .then(|| Self(self.0.slice_ref(part.as_bytes())))
    }
}

/// A chunk of the stream with the part of it that is UTF-8, found by one bulk check when it
/// arrives: SIMD validation is far cheaper per byte over a whole chunk than over one short
/// event at a time, and a slice of that part needs no check of its own.
#[derive(Debug, Default)]
pub(crate) struct Utf8Chunk {
    bytes: Bytes,
    /// Valid UTF-8, from the first character that starts in this chunk up to the first byte
    /// that is not UTF-8 or the start of a character cut by the chunk's end.
    valid: Range<usize>,
}

impl Utf8Chunk {
    pub(crate) fn new(bytes: Bytes) -> Self {
        // The end of a character cut by the previous chunk boundary: at most 3 bytes.
        let start = bytes
            .iter()
            .take(3)
            .take_while(|&&b| is_continuation(b))
            .count();
        let len = match simdutf8::compat::from_utf8(&bytes[start..]) {
            Ok(text) => text.len(),
            Err(err) => err.valid_up_to(),
        };
        Self {
            bytes,
            valid: start..start + len,
        }
    }

    /// `range` of the chunk as UTF-8 without another check, when it lies in the valid part
    /// and does not cut a character there; `None` means it needs its own check.
    #[inline]
    pub(crate) fn checked_slice(&self, range: Range<usize>) -> Option<Utf8Bytes> {
        let valid = &self.bytes[self.valid.clone()];
        let start = range.start.checked_sub(self.valid.start)?;
        let end = range.end.checked_sub(self.valid.start)?;
        let at_boundary =
            |at: usize| at == valid.len() || valid.get(at).is_some_and(|&b| !is_continuation(b));
        (start <= end && at_boundary(start) && at_boundary(end))
            .then(|| Utf8Bytes(self.bytes.slice(range)))
    }
}

impl Deref for Utf8Chunk {
    type Target = Bytes;

    fn deref(&self) -> &Bytes {
        &self.bytes
    }
}

/// A byte inside a multi-byte character (`0b10xx_xxxx`), never the first of one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

impl From<String> for Utf8Bytes {
    fn from(text: String) -> Self {
        Self(Bytes::from(text))
    }
}

impl fmt::Debug for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The event names the Messages API sends (see `StreamEvent::parse`), held as `&'static str`:
/// the decoder recognises them by their bytes, so the common event needs neither a slice of
/// its chunk nor a UTF-8 check for its name. Any other name is kept as checked bytes.
const KNOWN_NAMES: [&str; 8] = [
    "content_block_delta",
    "content_block_start",
    "content_block_stop",
    "message_start",
    "message_delta",
    "message_stop",
    "ping",
    "error",
];

/// The known name spelled by `bytes`, if it is one (a prefix of one is not).
#[inline]
pub(crate) fn known_name(bytes: &[u8]) -> Option<&'static str> {
    KNOWN_NAMES
        .iter()
        .find(|name| name.as_bytes() == bytes)
        .copied()
}

/// The known name `bytes` starts with, if any (no known name starts with another).
#[inline]
pub(crate) fn known_name_prefix(bytes: &[u8]) -> Option<&'static str> {
    KNOWN_NAMES
        .iter()
        .find(|name| bytes.starts_with(name.as_bytes()))
        .copied()
}

/// A non-empty event type: one of the known names, or any other (UTF-8 checked) name.
#[derive(Clone)]
pub(crate) enum EventName {
    Known(&'static str),
    Other(Utf8Bytes),
}

impl EventName {
    fn as_str(&self) -> &str {
        match self {
            Self::Known(name) => name,
            Self::Other(name) => name.as_str(),
        }
    }
}

/// By text: a known name equals the same name however it was stored.
impl PartialEq for EventName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for EventName {}

/// One event of an event stream: its type, its data, the last event ID and any `retry`.
///
/// The data usually points into the chunk it arrived in (no copy).
///
/// ```
/// use chat_anthropic::sse::SseEvent;
/// let event = SseEvent::new(Some("ping"), "{\"type\":\"ping\"}");
/// assert_eq!((event.event(), event.data()), ("ping", "{\"type\":\"ping\"}"));
/// assert_eq!(SseEvent::new(None, "x").event(), "message");
/// assert_eq!(SseEvent::new(Some(""), "x").event(), "message");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub(crate) event: Option<EventName>,
    pub(crate) data: Utf8Bytes,
    pub(crate) id: Option<Utf8Bytes>,
    pub(crate) retry: Option<Duration>,
}

impl SseEvent {
    /// An event with the given type (`None` or `""` means the default, `message`) and data.
    pub fn new(event: Option<&str>, data: impl Into<String>) -> Self {
        Self {
            event: event.filter(|e| !e.is_empty()).map(|e| {
                known_name(e.as_bytes()).map_or_else(
                    || EventName::Other(Utf8Bytes::from(e.to_owned())),
                    EventName::Known,
                )
            }),
            data: Utf8Bytes::from(data.into()),
            id: None,
            retry: None,
        }
    }

    /// The event type: the `event` field, or `"message"` when it was absent or empty.
    pub fn event(&self) -> &str {
        self.event_name().unwrap_or("message")
    }

    /// The `event` field, if the event had a non-empty one.
    pub fn event_name(&self) -> Option<&str> {
        self.event.as_ref().map(EventName::as_str)
    }

    /// The data: every `data` line, joined with `\n`.
    pub fn data(&self) -> &str {
        self.data.as_str()
    }

    /// The data as the underlying bytes (shared with the input chunk when possible).
    pub fn data_bytes(&self) -> &Bytes {
        self.data.bytes()
    }

    /// The last event ID set on the stream (it persists across events).
    pub fn id(&self) -> Option<&str> {
        self.id.as_ref().map(Utf8Bytes::as_str)
    }

    /// The reconnection time, if this event set one.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }
}

impl fmt::Debug for SseEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("SseEvent");
        out.field("event", &self.event());
        out.field("data", &self.data());
        if let Some(id) = self.id() {
            out.field("id", &id);
        }
        if let Some(retry) = self.retry {
            out.field("retry", &retry);
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_is_checked_from_its_first_whole_character_to_its_last() {
        // "é" is C3 A9, "日" is E6 97 A5: this chunk starts inside one and ends inside another.
        let chunk = Utf8Chunk::new(Bytes::from_static(b"\xA9ab\xC3\xA9c\xE6\x97"));
        assert_eq!(chunk.valid, 1..6);
        assert_eq!(chunk.checked_slice(1..6).unwrap().as_str(), "abéc");
        assert_eq!(chunk.checked_slice(3..5).unwrap().as_str(), "é");
        assert_eq!(chunk.checked_slice(2..2).unwrap().as_str(), "");
        for outside_or_cutting in [0..2, 4..5, 3..4, 5..7, 6..8] {
            assert!(
                chunk.checked_slice(outside_or_cutting.clone()).is_none(),
                "{outside_or_cutting:?}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_end_the_checked_part() {
        let chunk = Utf8Chunk::new(Bytes::from_static(b"ok\xffok"));
        assert_eq!(chunk.valid, 0..2);
        assert!(chunk.checked_slice(3..5).is_none());
    }

    #[test]
    fn known_names_are_whole_names_only() {
        assert_eq!(known_name(b"ping"), Some("ping"));
        assert_eq!(known_name(b"pin"), None);
        assert_eq!(known_name(b"pings"), None);
        assert_eq!(known_name_prefix(b"pings"), Some("ping"));
        assert_eq!(
            SseEvent::new(Some("ping"), "x"),
            SseEvent {
                event: Some(EventName::Other(Utf8Bytes::from("ping".to_owned()))),
                ..SseEvent::new(None, "x")
            },
            "a name equals itself however it is stored"
        );
    }
}
