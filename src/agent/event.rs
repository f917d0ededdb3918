//! What a run reports as it goes, and what it ends with.

use std::time::Duration;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::aggregate::StreamUpdate;
use crate::messages::{AIMessage, Message, MessageContent, UsageMetadata};

/// One step of an [`AgentRun`](super::AgentRun), across all its turns.
///
/// A turn is `TurnStarted`, every [`StreamUpdate`] of the model's reply (tokens, argument
/// fields as they stream), `ToolStarted` / `ToolFinished` for each call (a call starts as soon
/// as its arguments are complete, usually before the reply ends, so these interleave with the
/// updates), then `TurnFinished`. The last event is `Finished`.
///
/// # As JSON
///
/// An event serializes (serde) as one JSON object whose `type` names it, the shape a web page
/// reads ([`AgentRun::browser_events`](super::AgentRun::browser_events) and
/// [`AgentRun::sse_response`](super::AgentRun::sse_response) send these events as they are).
/// An `Update` is the reply's [`StreamUpdate`] as it serializes everywhere (the same `type`s
/// and fields a single reply streams, see [`web::BrowserEvent`](crate::web::BrowserEvent)),
/// with the turn beside it; the others are:
///
/// | `type` | fields |
/// |---|---|
/// | `turn_started` | `turn` (from 1; the reply's block indexes start again at 0) |
/// | a [`StreamUpdate`]'s (`text`, `tool_call_started`, `message_delta`, `done`, …) | the update's fields, `turn` |
/// | `tool_started` | `turn`, `id`, `name`, `args` |
/// | `tool_finished` | `turn`, `id`, `name`, `duration_ms`, `content` (a string, or a list of content blocks), `is_error` |
/// | `turn_finished` | `turn`, `message` (the [`AIMessage`]), `usage` |
/// | `turn_paused` | `turn`, `continuation` (from 1), `reason` (`pause_turn`, `compaction`) |
/// | `context_trimmed` | `turn`, `removed` (messages), `tokens`, `limit` |
/// | `finished` | the [`AgentOutput`]'s `message`, `usage`, `turns`, `stop` (`model_finished`, `max_turns`, `caller`, `pause_limit`, `context_budget`); its `conversation` is left out |
///
/// ```
/// use chat_anthropic::agent::AgentEvent;
/// use chat_anthropic::StreamUpdate;
/// use serde_json::json;
/// let text = AgentEvent::Update { turn: 2, update: StreamUpdate::Text { index: 0, text: "Hi".into() } };
/// assert_eq!(serde_json::to_value(&text)?, json!({"type": "text", "index": 0, "text": "Hi", "turn": 2}));
/// let started = AgentEvent::TurnStarted { turn: 2 };
/// assert_eq!(serde_json::to_value(&started)?, json!({"type": "turn_started", "turn": 2}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentEvent {
    /// A request for the model's next reply is being sent (turns count from 1).
    TurnStarted {
        /// The turn.
        turn: usize,
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
        /// unknown tool, invalid arguments); serialized as whole milliseconds, `duration_ms`.
        #[serde(rename = "duration_ms", serialize_with = "whole_millis")]
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
    /// The API paused the reply of this turn (`stop_reason: pause_turn`, a server tool's long
    /// turn; or `compaction`, when compaction is set to pause after it): the next turn sends
    /// the conversation back as it is, the paused reply last and no new user message, so the
    /// model continues it ([`Agent::max_pause_continuations`](super::Agent::max_pause_continuations)).
    TurnPaused {
        /// The paused turn.
        turn: usize,
        /// How many continuations of this paused reply have been asked for, this one included
        /// (from 1).
        continuation: usize,
        /// The stop reason that paused it.
        reason: String,
    },
    /// The conversation neared the context budget
    /// ([`Agent::context_budget`](super::Agent::context_budget) with
    /// [`BudgetPolicy::Trim`](super::BudgetPolicy::Trim)) and its oldest exchanges were dropped
    /// before the next turn.
    ContextTrimmed {
        /// The turn after which it was trimmed.
        turn: usize,
        /// How many messages were removed.
        removed: usize,
        /// The size the API measured: the last turn's input and output tokens.
        tokens: u64,
        /// The budget, in tokens.
        limit: u64,
    },
    /// The run is over; nothing follows.
    Finished(Box<AgentOutput>),
    /// Something arrived in the model's reply. (Last in the list only because serde wants its
    /// untagged form there: it comes between `TurnStarted` and `TurnFinished`.)
    #[serde(untagged)]
    Update {
        /// What arrived.
        #[serde(flatten)]
        update: StreamUpdate,
        /// The turn.
        turn: usize,
    },
}

/// Why a run ended (serialized in snake case: `model_finished`, `max_turns`, `caller`,
/// `pause_limit`, `context_budget`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StopCause {
    /// The model replied without calling a tool (its stop reason is in the final message).
    ModelFinished,
    /// The turn limit was reached ([`Agent::max_turns`](super::Agent::max_turns)); the
    /// conversation ends with the last turn's tool results.
    MaxTurns,
    /// The caller's condition said stop ([`Agent::stop_when`](super::Agent::stop_when)).
    Caller,
    /// The API kept pausing the same reply past
    /// [`Agent::max_pause_continuations`](super::Agent::max_pause_continuations); the
    /// conversation ends with the paused reply, so running it again continues it.
    PauseLimit,
    /// The conversation reached the context budget
    /// ([`Agent::context_budget`](super::Agent::context_budget)): with
    /// [`BudgetPolicy::Stop`](super::BudgetPolicy::Stop), or with
    /// [`BudgetPolicy::Trim`](super::BudgetPolicy::Trim) when trimming could not make it fit.
    ContextBudget,
}

/// The outcome of a run.
///
/// It serializes without its `conversation`: that holds the caller's own input (documents and
/// images included) and grows with every turn, while a page reading the run has seen each
/// reply and tool result go by.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AgentOutput {
    /// The model's last reply.
    pub message: AIMessage,
    /// The whole conversation: the input, every reply and every tool result.
    #[serde(skip_serializing)]
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

/// A duration as whole milliseconds (saturating), the unit a page shows.
fn whole_millis<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}
