//! What one event changed: the fold's own description of a stream, borrowed from the event
//! and free to make (no copies: `invoke` pays nothing for it).
//!
//! It is the one vocabulary of a stream; the others are projections of it, made after the
//! fold: [`StreamUpdate`](crate::StreamUpdate) is its owned form
//! ([`apply_updates`](crate::aggregate::MessageAggregator::apply_updates), which also spells out a tool
//! input fragment's path events), `AIMessageChunk` is LangChain's
//! ([`apply_chunk`](crate::aggregate::MessageAggregator::apply_chunk)), and the browser's events are
//! projected from `StreamUpdate`.

use crate::messages::{Citation, ContentBlock};

/// What [`MessageAggregator::apply`](crate::aggregate::MessageAggregator::apply) changed, borrowing from
/// the event: enough to drive a UI without diffing the message.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Update<'e> {
    /// `message_start`: id, model and initial usage are known.
    MessageStarted,
    /// A content block began.
    BlockStarted {
        /// The block's index.
        index: usize,
        /// The block as it started.
        block: &'e ContentBlock,
    },
    /// Text appended to a text block.
    Text {
        /// The block's index.
        index: usize,
        /// The new text.
        text: &'e str,
    },
    /// Reasoning appended to a thinking block.
    Thinking {
        /// The block's index.
        index: usize,
        /// The new reasoning.
        thinking: &'e str,
    },
    /// A thinking block's signature arrived.
    Signature {
        /// The block's index.
        index: usize,
    },
    /// A citation was appended to a text block.
    Citation {
        /// The block's index.
        index: usize,
        /// The citation.
        citation: &'e Citation,
    },
    /// A fragment of a tool call's JSON input arrived. The live arguments are at
    /// [`MessageAggregator::tool_input`](crate::aggregate::MessageAggregator::tool_input), and the per-field
    /// changes at [`MessageAggregator::path_events`](crate::aggregate::MessageAggregator::path_events).
    ToolInput {
        /// The block's index.
        index: usize,
        /// The raw fragment.
        fragment: &'e str,
    },
    /// A content block is complete (for tool calls, see [`Update::ToolCallDone`]).
    BlockStopped {
        /// The block's index.
        index: usize,
    },
    /// A `tool_use` block is complete: its arguments parsed, or were invalid. The call is at
    /// [`MessageAggregator::tool_call`](crate::aggregate::MessageAggregator::tool_call) (copied only
    /// when asked for: `invoke` never pays for it).
    ToolCallDone {
        /// The block's index.
        index: usize,
    },
    /// `message_delta`: stop reason, stop sequence or usage changed.
    MessageDelta,
    /// `message_stop`: the message is complete.
    MessageStopped,
    /// An event or delta type this version does not know: kept in
    /// [`MessageAggregator::unknown`](crate::aggregate::MessageAggregator::unknown), or, for a delta on a
    /// block of unknown type, merged into that block.
    Unknown,
}
