//! What can go wrong decoding an event stream.

use std::fmt;

/// A stream that is not a valid event stream. The decoder resynchronises at the next event,
/// so decoding can go on after either error.
///
/// ```
/// let err = chat_anthropic::sse::SseError::EventTooLarge { limit: 1024 };
/// assert_eq!(err.to_string(), "an event exceeded the 1024-byte limit and was discarded");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// A field of an event is not valid UTF-8; the event was discarded.
    #[error("the `{field}` of an event is not valid UTF-8 (after {valid_up_to} valid bytes)")]
    InvalidUtf8 {
        /// `"data"`, `"event"` or `"id"`.
        field: &'static str,
        /// How many bytes of the field were valid.
        valid_up_to: usize,
    },
    /// An event grew past the configured bound; its bytes were dropped as they came.
    #[error("an event exceeded the {limit}-byte limit and was discarded")]
    EventTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
}

/// An error of an [`SseStream`](super::SseStream): from the byte source, or from decoding.
#[derive(Debug)]
#[non_exhaustive]
pub enum SseStreamError<E> {
    /// The byte source failed (e.g. the connection broke).
    Transport(E),
    /// The bytes were not a valid event stream.
    Decode(SseError),
}

impl<E: fmt::Display> fmt::Display for SseStreamError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(err) => write!(f, "transport error: {err}"),
            Self::Decode(err) => write!(f, "{err}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SseStreamError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(err) => Some(err),
            Self::Decode(err) => Some(err),
        }
    }
}
