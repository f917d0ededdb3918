//! chat-anthropic: a streaming-first client for Anthropic's Messages API.

pub mod aggregate;
#[cfg(feature = "bedrock")]
pub mod bedrock;
mod chat_model;
mod chat_stream;
pub mod credentials;
pub mod error;
pub mod event;
pub mod files;
pub mod messages;
#[cfg(feature = "mock")]
pub mod mock;
pub mod models;
pub mod pagination;
pub mod partial_json;
pub mod prompt;
mod request;
pub mod sse;
pub mod telemetry;
pub mod tools;
mod transport;
pub mod web;

pub use aggregate::{collect_message, MessageAggregator, StreamUpdate, Update};
pub use chat_model::{
    ApiKey, ChatAnthropic, ChatAnthropicConfig, Platform, Thinking, ANTHROPIC_VERSION,
    DEFAULT_BASE_URL, DEFAULT_BATCH_CONCURRENCY, VERTEX_ANTHROPIC_VERSION,
};
pub use chat_stream::{ChatStream, ChunkStream, ReplayPace, UpdateStream};
pub use error::{ApiErrorKind, ContentError, Error, EventDecodeError, ProtocolError};
pub use event::{
    ApiErrorBody, ContentBlockDelta, ContentBlockStart, ContentBlockStop, Delta, ErrorEvent,
    EventStream, MessageDelta, MessageDeltaBody, MessageStart, StreamEvent,
};
pub use messages::*;
pub use prompt::{Chain, ChatPromptTemplate, PromptArg, PromptArgs, PromptError};
pub use tools::{Tool, ToolChoice};

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
