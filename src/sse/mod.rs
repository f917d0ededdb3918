//! Server-Sent Events: bytes in, events out, split anywhere.
//!
//! [`SseDecoder`] follows the WHATWG event-stream rules (LF, CR and CRLF line ends, a
//! leading BOM, comments, `event`, `data`, `id`, `retry`; its documentation lists them) with
//! one deliberate deviation: bytes that are not UTF-8 are an error for their event rather than
//! U+FFFD. [`SseStream`] drives it over any `Stream` of byte chunks.

mod cut_line;
mod decoder;
mod error;
mod escape;
mod event;
mod shared_str;
mod stream;
mod text_part;

pub use decoder::{SseDecoder, DEFAULT_MAX_EVENT_SIZE};
pub use error::{SseError, SseStreamError};
pub(crate) use escape::simple_escape;
pub use event::SseEvent;
pub(crate) use event::Utf8Bytes;
pub use shared_str::SharedStr;
pub use stream::SseStream;
pub(crate) use text_part::{TextPart, TextWriter};
