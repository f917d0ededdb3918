//! A stream that broke after it started: the cause and the message received so far.

use std::fmt;

use super::Error;
use crate::messages::{AIMessage, MessageContent};

/// A stream failure; nothing received before it is lost.
///
/// ```
/// use chat_anthropic::error::{ApiError, ApiErrorKind, StreamError};
/// use chat_anthropic::{AIMessage, Error};
/// let cause = Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"));
/// let err = Error::Stream(StreamError::new(cause, AIMessage::new("Hel")));
/// assert_eq!(err.partial_message().unwrap().text(), "Hel");
/// assert!(!err.is_retryable(), "content had arrived: a retry would bill a second generation");
/// assert_eq!(err.to_string(), "stream failed: API error event overloaded_error: Overloaded");
/// ```
#[derive(Debug)]
pub struct StreamError {
    cause: Box<Error>,
    partial: Box<AIMessage>,
}

impl StreamError {
    /// `cause`, after `partial` had been assembled.
    pub fn new(cause: Error, partial: AIMessage) -> Self {
        Self {
            cause: Box::new(cause),
            partial: Box::new(partial),
        }
    }

    /// What went wrong.
    pub fn cause(&self) -> &Error {
        &self.cause
    }

    /// The message assembled from the events received before the failure.
    pub fn partial_message(&self) -> &AIMessage {
        &self.partial
    }

    /// What went wrong, owned (the partial message dropped).
    pub fn into_cause(self) -> Error {
        *self.cause
    }

    /// The partial message, owned.
    pub fn into_partial_message(self) -> AIMessage {
        *self.partial
    }

    /// Whether no content had arrived (no content block started) before the failure.
    pub fn before_content(&self) -> bool {
        match &self.partial.content {
            MessageContent::Text(text) => text.is_empty(),
            MessageContent::Blocks(blocks) => blocks.is_empty(),
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cause is printed here, so it is not also a `source()`: a printed chain would
        // repeat it.
        write!(f, "stream failed: {}", self.cause)
    }
}

impl std::error::Error for StreamError {}
