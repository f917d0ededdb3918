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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::agent::Agent;
    use crate::chat_model::ChatAnthropic;

    fn tool(name: &str) -> AgentTool {
        AgentTool::from_json(
            crate::tools::Tool::new(name, serde_json::json!({"type": "object"})),
            |_| async { Ok::<_, String>("ok") },
        )
    }

    /// Offers `now` (taken by the agent's own tool) and one more tool per time asked.
    struct Growing(AtomicUsize);

    impl ToolSet for Growing {
        fn current_tools(&self) -> ToolSetFuture<'_> {
            let asked = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                std::iter::once(tool("now"))
                    .chain((1..=asked).map(|n| tool(&format!("t{n}"))))
                    .collect()
            })
        }
    }

    fn names(tools: &[AgentTool]) -> Vec<&str> {
        tools.iter().map(AgentTool::name).collect()
    }

    #[tokio::test]
    async fn a_set_is_asked_every_turn_and_a_taken_name_is_left_out() {
        let agent = Agent::new(ChatAnthropic::new("claude-sonnet-4-6"))
            .tool(tool("now"))
            .toolset(Growing(AtomicUsize::new(0)));
        assert_eq!(names(&agent.turn_tools().await), ["now", "t1"]);
        assert_eq!(names(&agent.turn_tools().await), ["now", "t1", "t2"]);
        let bound = agent.bound_model(&agent.turn_tools().await);
        let bound: Vec<_> = bound
            .tools()
            .iter()
            .map(|t| t.name().unwrap().to_owned())
            .collect();
        assert_eq!(bound, ["now", "t1", "t2", "t3"]);
    }

    #[tokio::test]
    async fn without_sets_the_agents_own_tools_are_used_as_they_are() {
        let agent = Agent::new(ChatAnthropic::new("claude-sonnet-4-6")).tool(tool("now"));
        let tools = agent.turn_tools().await;
        assert!(std::sync::Arc::ptr_eq(&tools, &agent.tools));
    }
}
