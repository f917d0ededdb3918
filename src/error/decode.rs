//! An event payload that is not the JSON it should be.

/// A malformed JSON payload: the event's name and raw data are kept for inspection.
#[derive(Debug, thiserror::Error)]
#[error("malformed `{event}` event ({source}); data: {}", preview(.data))]
pub struct EventDecodeError {
    /// The SSE event name.
    pub event: String,
    /// The raw `data` of the event.
    pub data: String,
    /// What serde_json objected to.
    #[source]
    pub source: serde_json::Error,
}

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
