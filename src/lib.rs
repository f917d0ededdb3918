//! chat-anthropic: a streaming-first client for Anthropic's Messages API.

pub mod aggregate;
pub mod error;
pub mod event;
pub mod messages;
pub mod partial_json;
pub mod sse;

pub use aggregate::{collect_message, MessageAggregator, Update};
pub use error::{ApiErrorKind, Error, EventDecodeError, ProtocolError};
pub use event::{
    ApiErrorBody, ContentBlockDelta, ContentBlockStart, ContentBlockStop, Delta, ErrorEvent,
    EventStream, MessageDelta, MessageDeltaBody, MessageStart, StreamEvent,
};
pub use messages::*;
