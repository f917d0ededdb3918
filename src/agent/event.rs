//! What a run reports as it goes, and what it ends with.

use std::time::Duration;

use serde_json::Value;

use crate::aggregate::StreamUpdate;
use crate::messages::{AIMessage, Message, MessageContent, UsageMetadata};

/// One step of an [`AgentRun`](super::AgentRun), across all its turns.
///
/// A turn is `TurnStarted`, every [`StreamUpdate`] of the model's reply (tokens, argument
/// fields as they stream), `ToolStarted` / `ToolFinished` for each call (a call starts as soon
/// as its arguments are complete, usually before the reply ends, so these interleave with the
/// updates), then `TurnFinished`. The last event is `Finished`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AgentEvent {
    /// A request for the model's next reply is being sent (turns count from 1).
    TurnStarted {
        /// The turn.
        turn: usize,
    },
    /// Something arrived in the model's reply.
    Update {
        /// The turn.
        turn: usize,
        /// What arrived.
        update: StreamUpdate,
    },
    /// A tool's handler started.
    ToolStarted {
        /// The turn.
        turn: usize,
        /// The `tool_use` id.
        id: String,
        /// The tool's name.
        name: String,
        /// The arguments (for a call whose input was not valid JSON: the raw text).
        args: Value,
    },
    /// A tool call has its result (every started call finishes exactly once).
    ToolFinished {
        /// The turn.
        turn: usize,
        /// The `tool_use` id.
        id: String,
        /// The tool's name.
        name: String,
        /// How long the handler ran (zero for a call answered without running a handler:
        /// unknown tool, invalid arguments).
        duration: Duration,
        /// The `tool_result` content: the output, or the error text.
        content: MessageContent,
        /// Whether it is an error (handler error or panic, invalid call, unknown tool).
        is_error: bool,
    },
    /// The reply is complete and its tool results are in.
    TurnFinished {
        /// The turn.
        turn: usize,
        /// The model's reply.
        message: Box<AIMessage>,
        /// The reply's token counts.
        usage: UsageMetadata,
    },
    /// The run is over; nothing follows.
    Finished(Box<AgentOutput>),
}

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopCause {
    /// The model replied without calling a tool (its stop reason is in the final message).
    ModelFinished,
    /// The turn limit was reached ([`Agent::max_turns`](super::Agent::max_turns)); the
    /// conversation ends with the last turn's tool results.
    MaxTurns,
    /// The caller's condition said stop ([`Agent::stop_when`](super::Agent::stop_when)).
    Caller,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AgentOutput {
    /// The model's last reply.
    pub message: AIMessage,
    /// The whole conversation: the input, every reply and every tool result.
    pub conversation: Vec<Message>,
    /// Token counts summed over all turns.
    pub usage: UsageMetadata,
    /// How many replies the model gave.
    pub turns: usize,
    /// Why the run ended.
    pub stop: StopCause,
}

/// What the caller's stop condition sees after each turn.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TurnView<'a> {
    /// The turn just finished (from 1).
    pub turn: usize,
    /// The model's reply in it.
    pub message: &'a AIMessage,
    /// The conversation so far, tool results of this turn included.
    pub conversation: &'a [Message],
    /// Token counts summed so far.
    pub usage: &'a UsageMetadata,
}
