//! Messages and their parts: content blocks, citations, usage, and the assistant's reply.

mod ai_message;
mod api_message;
mod cache_control;
mod chunk;
mod citation;
mod content;
mod content_error;
mod conversation;
mod document;
pub(crate) mod image;
mod rate_limits;
mod stop_reason;
mod tool_input;
pub(crate) mod unknown_block;
mod usage;

pub(crate) use ai_message::MODEL_PROVIDER;
pub use ai_message::{AIMessage, InvalidToolCall, MessageContent, ResponseMetadata, ToolCall};
pub use api_message::ApiMessage;
pub use cache_control::CacheControl;
pub use chunk::{AIMessageChunk, ContentChunk, ToolCallChunk};
pub use citation::Citation;
pub use content::{
    ContainerUploadBlock, ContentBlock, RedactedThinkingBlock, ServerToolResultBlock, TextBlock,
    ThinkingBlock, ToolResultBlock, ToolUseBlock,
};
pub use content_error::ContentError;
pub use conversation::{HumanMessage, IntoMessages, Message, SystemMessage, ToolMessage};
pub use document::{CitationsConfig, DocumentBlock, DocumentSource};
pub use image::{ImageBlock, ImageSource, IMAGE_MEDIA_TYPES};
pub use rate_limits::{RateLimit, RateLimits};
pub use stop_reason::StopReason;
pub use usage::{
    CacheCreation, InputTokenDetails, OutputTokenDetails, Usage, UsageDelta, UsageMetadata,
};
