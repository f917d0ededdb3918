//! Typed request fields of today's API that are plain settings: `output_config.effort`,
//! `service_tier`, `speed`, `container`, `context_management`, `mcp_servers`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How much effort the model spends (`output_config.effort`): fewer tokens and faster replies
/// at `Low`, the most thorough answers at `Max`. Which levels a model offers is in its
/// [`ModelProfile`](crate::settings::ModelProfile).
///
/// ```
/// use chat_anthropic::settings::Effort;
/// assert_eq!(serde_json::to_value(Effort::XHigh).unwrap(), "xhigh");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Effort {
    /// `"low"`.
    Low,
    /// `"medium"`.
    Medium,
    /// `"high"` (the API's default where effort is offered).
    High,
    /// `"xhigh"`.
    XHigh,
    /// `"max"`.
    Max,
}

impl Effort {
    /// The name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::XHigh => "xhigh",
            Self::Max => "max",
        }
    }
}

/// `service_tier`: whether priority capacity may be used.
///
/// ```
/// use chat_anthropic::settings::ServiceTier;
/// assert_eq!(serde_json::to_value(ServiceTier::StandardOnly).unwrap(), "standard_only");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceTier {
    /// Priority capacity when available, else standard.
    Auto,
    /// Standard capacity only.
    StandardOnly,
}

/// `speed`: `Fast` generates output much faster at premium pricing, on the models that offer
/// it (beta `fast-mode-2026-02-01`, added automatically).
///
/// ```
/// use chat_anthropic::settings::Speed;
/// assert_eq!(serde_json::to_value(Speed::Fast).unwrap(), "fast");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Speed {
    /// The default.
    Standard,
    /// Faster output generation.
    Fast,
}

/// `container`: a code-execution container to reuse, by id, or (beta `skills-2025-10-02`,
/// added automatically) a container with Agent Skills.
///
/// ```
/// use chat_anthropic::settings::Container;
/// assert_eq!(serde_json::to_value(Container::id("container_01")).unwrap(), "container_01");
/// let skills = Container::skills([serde_json::json!({"type": "anthropic", "skill_id": "xlsx", "version": "latest"})]);
/// assert_eq!(serde_json::to_value(skills).unwrap()["skills"][0]["skill_id"], "xlsx");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Container {
    /// An existing container's id.
    Id(String),
    /// `{id?, skills}`.
    Params {
        /// An existing container's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The skills to load (`{type, skill_id, version}`), passed through as JSON.
        #[serde(default)]
        skills: Vec<Value>,
    },
}

impl Container {
    /// Reuse the container `id`.
    pub fn id(id: impl Into<String>) -> Self {
        Self::Id(id.into())
    }

    /// A container with these skills.
    pub fn skills(skills: impl IntoIterator<Item = Value>) -> Self {
        Self::Params {
            id: None,
            skills: skills.into_iter().collect(),
        }
    }
}

/// `context_management` (beta `context-management-2025-06-27`, added automatically): edits
/// the API applies to the context, such as clearing old tool results or compacting. The edits
/// are versioned types (`clear_tool_uses_20250919`, `clear_thinking_20251015`,
/// `compact_20260112`, …) passed through as JSON, so new ones work without a release. A
/// `compact_*` edit (server-side compaction) also brings its beta `compact-2026-01-12`. With
/// compaction the reply may start with a `compaction` block (the summary of what came before);
/// keep it in the conversation and send it back (the agent does), as the API drops what
/// precedes it.
///
/// ```
/// use chat_anthropic::settings::ContextManagement;
/// let cm = ContextManagement::new().edit(serde_json::json!({"type": "clear_tool_uses_20250919"}));
/// assert_eq!(serde_json::to_value(cm).unwrap(), serde_json::json!({"edits": [{"type": "clear_tool_uses_20250919"}]}));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContextManagement {
    /// The edits, in order.
    #[serde(default)]
    pub edits: Vec<Value>,
}

impl ContextManagement {
    /// No edits yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an edit.
    pub fn edit(mut self, edit: Value) -> Self {
        self.edits.push(edit);
        self
    }
}

/// One entry of `mcp_servers` (beta `mcp-client-2025-11-20`, added automatically): a remote
/// MCP server whose tools the API calls itself. The token is never printed by `Debug`.
///
/// Which of its tools the model gets, and how, is an
/// [`McpToolset`](crate::tools::McpToolset) in `tools` naming the server: the API wants
/// exactly one per server.
///
/// ```
/// use chat_anthropic::settings::McpServer;
/// let server = McpServer::url("docs", "https://mcp.example.com/sse").authorization_token("secret");
/// let json = serde_json::to_value(&server).unwrap();
/// assert_eq!(json["type"], "url");
/// assert!(!format!("{server:?}").contains("secret"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct McpServer {
    /// Always `"url"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The name the model knows the server by.
    pub name: String,
    /// The server's URL.
    pub url: String,
    /// A bearer token for the server. Sent in the request body, so it is also part of the
    /// serialized [`ChatAnthropicConfig`](crate::settings::ChatAnthropicConfig): store that accordingly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_token: Option<String>,
    /// Which of its tools are offered: the shape of the deprecated beta
    /// `mcp-client-2025-04-04`. With the current one, an
    /// [`McpToolset`](crate::tools::McpToolset) says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_configuration: Option<Value>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("name", &self.name)
            .field("url", &self.url)
            .field(
                "authorization_token",
                &self.authorization_token.as_ref().map(|_| "[redacted]"),
            )
            .field("tool_configuration", &self.tool_configuration)
            .finish()
    }
}

impl McpServer {
    /// A server at `url`, known to the model as `name`.
    pub fn url(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            kind: "url".into(),
            name: name.into(),
            url: url.into(),
            authorization_token: None,
            tool_configuration: None,
        }
    }

    /// The bearer token the API sends to the server.
    pub fn authorization_token(mut self, token: impl Into<String>) -> Self {
        self.authorization_token = Some(token.into());
        self
    }

    /// Offers only these tools of the server (`tool_configuration`, the deprecated beta
    /// `mcp-client-2025-04-04`'s shape).
    #[deprecated(
        since = "0.1.0",
        note = "the beta this crate sends (mcp-client-2025-11-20) configures tools in an `mcp_toolset`: `McpToolset::new(name).allow_only(tools)` in `bind_tools`"
    )]
    pub fn allowed_tools<S: Into<String>>(mut self, tools: impl IntoIterator<Item = S>) -> Self {
        let tools: Vec<String> = tools.into_iter().map(Into::into).collect();
        self.tool_configuration = Some(serde_json::json!({ "allowed_tools": tools }));
        self
    }
}
