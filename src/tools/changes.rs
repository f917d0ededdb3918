//! Changing the tool set mid-conversation: `tool_addition` / `tool_removal` blocks, sent in a
//! system message on models whose profile takes them in place.

use serde_json::{json, Value};

use super::ToolDefinition;
use crate::messages::ContentBlock;

/// One change to the tools the model may call, as a content block of a
/// [`SystemMessage`](crate::SystemMessage). On a model with mid-conversation system messages
/// (see [`ModelProfile`](crate::settings::ModelProfile)) the message is sent in place and the betas it
/// needs are added (`mid-conversation-tool-changes-2026-07-01`, and `inline-tools-2026-09-15`
/// for a tool defined inline); elsewhere it is refused before sending
/// ([`RequestError::ToolChangesNotInPlace`](crate::error::RequestError::ToolChangesNotInPlace)),
/// never silently dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::tools::ToolChange;
/// use chat_anthropic::{ChatAnthropic, HumanMessage, Message, SystemMessage, Tool};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-opus-4-8")
///     .base_url(server.base_url())
///     .api_key("test");
/// let conversation: Vec<Message> = vec![
///     HumanMessage::new("Find the release notes.").into(),
///     SystemMessage::new(vec![
///         ToolChange::remove("web_search").into(),
///         ToolChange::add(Tool::new("read_notes", serde_json::json!({"type": "object", "properties": {}}))).into(),
///     ]).into(),
/// ];
/// llm.invoke(conversation).await?;
/// let sent = &server.requests()[0];
/// assert_eq!(sent.body["messages"][1]["role"], "system");
/// assert_eq!(sent.body["messages"][1]["content"][0], serde_json::json!(
///     {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "web_search"}}));
/// assert_eq!(sent.headers["anthropic-beta"], "mid-conversation-tool-changes-2026-07-01,inline-tools-2026-09-15");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ToolChange {
    /// Offer a tool defined here (inline).
    Add(ToolDefinition),
    /// Offer again a tool known by name (a `tool_reference`).
    AddReference(String),
    /// Stop offering a tool, by name.
    Remove(String),
}

impl ToolChange {
    /// Offer `tool`, defined inline.
    pub fn add(tool: impl Into<ToolDefinition>) -> Self {
        Self::Add(tool.into())
    }

    /// Offer the tool called `name` (already defined in the request).
    pub fn add_reference(name: impl Into<String>) -> Self {
        Self::AddReference(name.into())
    }

    /// Stop offering the tool called `name`.
    pub fn remove(name: impl Into<String>) -> Self {
        Self::Remove(name.into())
    }

    /// The block as the API takes it.
    pub fn to_json(&self) -> Value {
        let reference = |name: &str| json!({"type": "tool_reference", "name": name});
        match self {
            Self::Add(tool) => json!({"type": "tool_addition", "tool": tool.to_json()}),
            Self::AddReference(name) => json!({"type": "tool_addition", "tool": reference(name)}),
            Self::Remove(name) => json!({"type": "tool_removal", "tool": reference(name)}),
        }
    }
}

impl From<ToolChange> for ContentBlock {
    fn from(change: ToolChange) -> Self {
        ContentBlock::Unknown(change.to_json())
    }
}
