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

/// A chunk of the stream with the part of it found to be UTF-8 by one bulk check: SIMD
/// validation is far cheaper per byte over a run of events than over one short event at a
/// time, and a slice of that part needs no check of its own.
///
/// The check is made when the first data lying whole in the chunk is read, from that data to
/// the chunk's end. So a chunk holding only part of a long line (the line is checked once,
/// joined) or only events without data is not checked at all.
#[derive(Debug, Default)]
pub(crate) struct Utf8Chunk {
    bytes: Bytes,
    /// Valid UTF-8, as the bulk check found (empty before it).
    valid: Range<usize>,
    /// Where the bulk check ended: data starting before this point and not inside `valid`
    /// holds or follows bytes that are not UTF-8, and is checked alone (so the chunk is checked
    /// in bulk once, whatever it holds).
    checked_to: usize,
}

impl Utf8Chunk {
    pub(crate) fn new(bytes: Bytes) -> Self {
        Self {
            bytes,
            ..Self::default()
        }
    }

    /// `range` of the chunk as UTF-8 without another check, when it lies in the valid part
    /// and does not cut a character there; `None` means it needs its own check.
    #[inline]
    pub(crate) fn checked_slice(&mut self, range: Range<usize>) -> Option<Utf8Bytes> {
        let covered = |valid: &Range<usize>| valid.start <= range.start && range.end <= valid.end;
        if !covered(&self.valid) {
            if range.start < self.checked_to {
                return None;
            }
            self.check_from(range.start);
            if !covered(&self.valid) {
                return None;
            }
        }
        let valid = &self.bytes[..self.valid.end];
        let at_boundary = |at: usize| valid.get(at).is_none_or(|&b| !is_continuation(b));
        (at_boundary(range.start) && at_boundary(range.end))
            .then(|| Utf8Bytes(self.bytes.slice(range)))
    }

    /// The bulk check, from `start` to the end of the chunk's last whole character.
    #[inline(never)]
    fn check_from(&mut self, start: usize) {
        let end = start.max(self.bytes.len() - cut_at_end(&self.bytes));
        let text = &self.bytes[start..end];
        let len = simdutf8::compat::from_utf8(text).map_or_else(|e| e.valid_up_to(), str::len);
        self.valid = start..start + len;
        self.checked_to = end;
    }
}

/// How many bytes of a character cut by the end of `bytes` it ends with (at most 3).
fn cut_at_end(bytes: &[u8]) -> usize {
    let last_start = bytes
        .iter()
        .rev()
        .take(3)
        .position(|&b| !is_continuation(b));
    let Some(back) = last_start else {
        return 0;
    };
    let width = match bytes[bytes.len() - 1 - back] {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    if width > back + 1 {
        back + 1
    } else {
        0
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
    fn a_chunk_is_checked_from_the_first_data_read_to_its_last_whole_character() {
        // "é" is C3 A9, "日" is E6 97 A5: the chunk starts inside one character and ends
        // inside another.
        let bytes = Bytes::from_static(b"\xA9a\nb\xC3\xA9c\nd\xE6\x97");
        let mut chunk = Utf8Chunk::new(bytes.clone());
        assert_eq!(chunk.checked_slice(3..7).unwrap().as_str(), "béc");
        assert_eq!((chunk.valid.clone(), chunk.checked_to), (3..9, 9));
        assert_eq!(chunk.checked_slice(4..6).unwrap().as_str(), "é");
        assert_eq!(chunk.checked_slice(7..7).unwrap().as_str(), "");
        for outside_or_cutting in [1..3, 4..5, 5..7, 8..10] {
            assert!(
                chunk.checked_slice(outside_or_cutting.clone()).is_none(),
                "{outside_or_cutting:?}"
            );
        }
        // Data at the very start is checked from there (a cut character is not UTF-8 alone).
        assert!(Utf8Chunk::new(bytes).checked_slice(0..1).is_none());
    }

    #[test]
    fn a_check_stops_at_bytes_that_are_not_utf8_and_what_follows_is_checked_alone() {
        let mut chunk = Utf8Chunk::new(Bytes::from_static(b"ok\xffok\nfine\n\xfe\n"));
        assert_eq!(chunk.checked_slice(0..2).unwrap().as_str(), "ok");
        assert_eq!((chunk.valid.clone(), chunk.checked_to), (0..2, 13));
        assert!(chunk.checked_slice(2..5).is_none(), "holds the bad byte");
        assert!(
            chunk.checked_slice(6..10).is_none(),
            "not checked in bulk again"
        );
    }

    #[test]
    fn the_cut_at_the_end_is_the_start_of_an_unfinished_character() {
        for (bytes, cut) in [
            (&b""[..], 0),
            (b"a", 0),
            (b"a\xC3", 1),
            (b"\xC3\xA9", 0),
            (b"\xE6\x97", 2),
            (b"\xE6\x97\xA5", 0),
            (b"\xF0\x9F\x98", 3),
            (b"\xF0\x9F\x98\x80", 0),
            // Not UTF-8 at all: nothing to cut, the check finds it.
            (b"\x97\x97\x97", 0),
            (b"a\xFF", 0),
        ] {
            assert_eq!(cut_at_end(bytes), cut, "{bytes:?}");
        }
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
