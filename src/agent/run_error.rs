//! Failures the run itself finds in a reply or in its settings (not the API's or the
//! transport's): carried in an [`AgentError`](super::AgentError) as the cause's
//! [`Error::area`](crate::Error::area), read back with
//! [`AgentError::run_error`](super::AgentError::run_error).

use crate::messages::AIMessage;

/// Why a run could not go on, found by the run itself.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The reply reached `max_tokens` while the model was still writing a tool call's input:
    /// the call is cut and was **not** run. Raise `max_tokens`
    /// ([`ChatAnthropic::max_tokens`](crate::ChatAnthropic::max_tokens)), or ask for smaller
    /// inputs, and run the conversation again.
    #[error(
        "the reply reached max_tokens while writing the input of tool `{tool}` (call {id}); \
         the input was cut and the call was not run (raise max_tokens)"
    )]
    ToolInputCut {
        /// The tool the cut call was for.
        tool: String,
        /// The `tool_use` id.
        id: String,
        /// The input text as far as it came.
        partial_input: String,
        /// The reply as it ended (its `invalid_tool_calls` hold the cut call).
        message: Box<AIMessage>,
    },
    /// A context budget ([`Agent::context_budget`](super::Agent::context_budget)) needs the
    /// model's context window, and the model has no profile that gives one: set one with
    /// [`ChatAnthropic::profile`](crate::ChatAnthropic::profile).
    #[error(
        "a context budget needs the context window of model `{model}`, which has no profile \
         with max_input_tokens (set one with ChatAnthropic::profile)"
    )]
    NoContextWindow {
        /// The model's name.
        model: String,
    },
}
