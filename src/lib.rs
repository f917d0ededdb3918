//! chat-anthropic (skeleton)
