//! A reply that does not hold the structured value asked for.

use std::fmt;

use crate::messages::AIMessage;

/// No value could be read from the reply
/// ([`with_structured_output`](crate::ChatAnthropic::with_structured_output)); the reply is
/// kept.
#[derive(Debug, Clone)]
pub struct StructuredError {
    message: String,
    raw: Box<AIMessage>,
}

impl StructuredError {
    /// Why no value could be read from `raw`.
    pub fn new(message: impl Into<String>, raw: AIMessage) -> Self {
        Self {
            message: message.into(),
            raw: Box::new(raw),
        }
    }

    /// Why no value could be read.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The reply as it came.
    pub fn raw(&self) -> &AIMessage {
        &self.raw
    }

    /// The reply, owned.
    pub fn into_raw(self) -> AIMessage {
        *self.raw
    }
}

impl fmt::Display for StructuredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "structured output: {}", self.message)
    }
}

impl std::error::Error for StructuredError {}
