//! chat-anthropic: a streaming-first client for Anthropic's Messages API.

pub mod sse;
