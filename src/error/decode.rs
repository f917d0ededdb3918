//! An event payload that is not the JSON it should be.

use std::fmt;

/// A malformed JSON payload: the event's name and raw data are kept for inspection.
///
/// ```
/// use chat_anthropic::StreamEvent;
/// let err = StreamEvent::parse("message_delta", "{not json").unwrap_err();
/// assert_eq!(err.event(), "message_delta");
/// assert_eq!(err.data(), "{not json");
/// assert!(err.to_string().starts_with("malformed `message_delta` event (key must be a string"));
/// ```
#[derive(Debug)]
pub struct EventDecodeError {
    event: String,
    data: String,
    cause: serde_json::Error,
}

impl EventDecodeError {
    pub(crate) fn new(
        event: impl Into<String>,
        data: impl Into<String>,
        cause: serde_json::Error,
    ) -> Self {
        Self {
            event: event.into(),
            data: data.into(),
            cause,
        }
    }

    /// The SSE event name (or `"response"` for a JSON response body).
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The raw `data` of the event.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Where in the data the JSON broke: (line, column), 1-based.
    pub fn position(&self) -> (usize, usize) {
        (self.cause.line(), self.cause.column())
    }
}

impl fmt::Display for EventDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed `{}` event ({}); data: {}",
            self.event,
            self.cause,
            preview(&self.data)
        )
    }
}

// The cause is in the text, so it is not also a `source()`.
impl std::error::Error for EventDecodeError {}

/// The data, shortened for display (the full text stays in the field).
fn preview(data: &str) -> String {
    const MAX: usize = 200;
    if data.len() <= MAX {
        return data.to_owned();
    }
    let mut end = MAX;
    while !data.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &data[..end], data.len())
}
