//! Violations of the stream's event grammar.

/// An event that breaks the order the Messages API streams in.
///
/// ```
/// use chat_anthropic::error::ProtocolError;
/// let err = ProtocolError::UnknownIndex { index: 3, event: "content_block_delta" };
/// assert_eq!(err.to_string(), "content_block_delta for content block 3, which was never started");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// An event arrived before `message_start`.
    #[error("{event} before message_start")]
    BeforeMessageStart {
        /// The event's type.
        event: &'static str,
    },
    /// A second `message_start`.
    #[error("a second message_start in one stream")]
    DuplicateMessageStart,
    /// An event arrived after `message_stop`.
    #[error("{event} after message_stop")]
    AfterMessageStop {
        /// The event's type.
        event: &'static str,
    },
    /// A delta or stop for an index that was never started.
    #[error("{event} for content block {index}, which was never started")]
    UnknownIndex {
        /// The block index the event named.
        index: usize,
        /// The event's type.
        event: &'static str,
    },
    /// A `content_block_start` whose index is not the next one.
    #[error("content_block_start for index {index}, expected {expected}")]
    UnexpectedIndex {
        /// The index the event named.
        index: usize,
        /// The next free index.
        expected: usize,
    },
    /// A delta or stop for a block that already stopped.
    #[error("{event} for content block {index}, which already stopped")]
    BlockStopped {
        /// The block index.
        index: usize,
        /// The event's type.
        event: &'static str,
    },
    /// A delta that does not fit the block it targets.
    #[error("{delta} cannot apply to the {block} block at index {index}")]
    DeltaMismatch {
        /// The block index.
        index: usize,
        /// The block's type.
        block: String,
        /// The delta's type.
        delta: String,
    },
    /// The stream ended before `message_stop`.
    #[error("the stream ended before message_stop")]
    Incomplete,
    /// An Amazon Bedrock event-stream frame that could not be read (bad length or checksum,
    /// a payload that is not the expected base64 JSON).
    #[error("invalid Bedrock event-stream frame: {0}")]
    Bedrock(String),
}
