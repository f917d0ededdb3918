//! chat-anthropic: a streaming-first client for Anthropic's Messages API.

pub mod partial_json;
pub mod sse;
