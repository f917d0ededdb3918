//! Tools that may change while an agent runs: a set asked for its current tools before every
//! turn (an MCP server whose list changed, a plug-in folder, …).

use std::future::Future;
use std::pin::Pin;

use super::tool::AgentTool;

/// The future [`ToolSet::current_tools`] returns.
pub type ToolSetFuture<'a> = Pin<Box<dyn Future<Output = Vec<AgentTool>> + Send + 'a>>;

/// A source of tools the agent asks before every turn, so the tools offered to the model can
/// change between turns. Given to [`Agent::toolset`](super::Agent::toolset); the agent keeps
/// it (and whatever it owns, such as a server process) alive as long as the agent lives.
///
/// The future should not fail and should be quick (a cached list); a set that cannot refresh
/// should keep offering the tools it had.
///
/// ```
/// use chat_anthropic::agent::{AgentTool, ToolSet, ToolSetFuture};
///
/// struct Clock;
///
/// impl ToolSet for Clock {
///     fn current_tools(&self) -> ToolSetFuture<'_> {
///         Box::pin(async {
///             vec![AgentTool::from_json(
///                 chat_anthropic::Tool::new("now", serde_json::json!({"type": "object"})),
///                 |_| async { Ok::<_, String>("12:00") },
///             )]
///         })
///     }
/// }
/// let agent = chat_anthropic::agent::Agent::new(chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6"))
///     .toolset(Clock);
/// # let _ = agent;
/// ```
pub trait ToolSet: Send + Sync + 'static {
    /// The tools for the next turn.
    fn current_tools(&self) -> ToolSetFuture<'_>;
}
