//! `mcp_toolset`: which tools of a server in `mcp_servers` the API's MCP connector offers the
//! model, and how.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::messages::CacheControl;

/// The `type` of an [`McpToolset`]: only `"mcp_toolset"` reads as one (anything else stays a
/// raw [`ToolDefinition`](super::ToolDefinition)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
enum McpToolsetType {
    #[default]
    #[serde(rename = "mcp_toolset")]
    McpToolset,
}

/// An `mcp_toolset` entry of `tools`: the tools of one remote MCP server that the API's MCP
/// connector calls itself (server side, beta `mcp-client-2025-11-20`, added to
/// `anthropic-beta` for you). The server is defined in the request's `mcp_servers`
/// ([`ChatAnthropic::mcp_server`](crate::ChatAnthropic::mcp_server)); each server there must
/// be named by exactly one toolset.
///
/// With no configuration every tool of the server is offered. [`default_config`] applies to
/// all of them and [`config`] overrides it for one tool (a tool's own config wins over the
/// default, which wins over the API's defaults: enabled, not deferred): [`allow_only`] is the
/// allowlist (all off, the named ones on), [`deny`] the denylist. Fields this version does not
/// know (such as a pinned listing of the server's tools) are kept as they are, both ways.
///
/// [`default_config`]: Self::default_config
/// [`config`]: Self::config
/// [`allow_only`]: Self::allow_only
/// [`deny`]: Self::deny
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::settings::McpServer;
/// use chat_anthropic::tools::{McpToolConfig, McpToolset};
/// use chat_anthropic::ChatAnthropic;
/// use serde_json::json;
///
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .mcp_server(McpServer::url("docs", "https://mcp.example.com/mcp"))
///     .bind_tools([McpToolset::new("docs")
///         .allow_only(["search", "fetch"])
///         .config("fetch", McpToolConfig::new().defer_loading(true))])
///     .base_url(server.base_url())
///     .api_key("test");
/// llm.invoke("Search the docs").await?;
/// let sent = &server.requests()[0];
/// assert_eq!(sent.body["tools"][0], json!({
///     "type": "mcp_toolset",
///     "mcp_server_name": "docs",
///     "default_config": {"enabled": false},
///     "configs": {"fetch": {"enabled": true, "defer_loading": true}, "search": {"enabled": true}}
/// }));
/// assert_eq!(sent.headers["anthropic-beta"], "mcp-client-2025-11-20");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct McpToolset {
    #[serde(rename = "type")]
    kind: McpToolsetType,
    /// The `name` of the server in `mcp_servers` whose tools these are.
    pub mcp_server_name: String,
    /// The configuration of every tool of the server that [`configs`](Self::configs) does not
    /// override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_config: Option<McpToolConfig>,
    /// Per-tool configuration, by the tool's name on the server (sent sorted by name).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, McpToolConfig>,
    /// A prompt-cache breakpoint after this entry of `tools`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Fields this version does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl McpToolset {
    /// Every tool of the server named `mcp_server_name` in `mcp_servers`, as the server
    /// lists them.
    pub fn new(mcp_server_name: impl Into<String>) -> Self {
        Self {
            kind: McpToolsetType::McpToolset,
            mcp_server_name: mcp_server_name.into(),
            default_config: None,
            configs: BTreeMap::new(),
            cache_control: None,
            extra: Map::new(),
        }
    }

    /// The configuration of every tool no [`config`](Self::config) names.
    pub fn default_config(mut self, config: McpToolConfig) -> Self {
        self.default_config = Some(config);
        self
    }

    /// The configuration of the tool `tool` (its name on the server), over the default
    /// one; set again, the fields given replace the earlier ones.
    pub fn config(mut self, tool: impl Into<String>, config: McpToolConfig) -> Self {
        let slot = self.configs.entry(tool.into()).or_default();
        slot.enabled = config.enabled.or(slot.enabled);
        slot.defer_loading = config.defer_loading.or(slot.defer_loading);
        slot.extra.extend(config.extra);
        self
    }

    /// The allowlist: only these tools are offered (the default turned off, each named tool
    /// turned on).
    ///
    /// ```
    /// use chat_anthropic::tools::McpToolset;
    /// let json = serde_json::to_value(McpToolset::new("docs").allow_only(["search"])).unwrap();
    /// assert_eq!(json["default_config"]["enabled"], false);
    /// assert_eq!(json["configs"]["search"]["enabled"], true);
    /// ```
    pub fn allow_only<S: Into<String>>(mut self, tools: impl IntoIterator<Item = S>) -> Self {
        let default = self.default_config.take().unwrap_or_default();
        self = self.default_config(default.enabled(false));
        for tool in tools {
            self = self.config(tool, McpToolConfig::new().enabled(true));
        }
        self
    }

    /// The denylist: every tool but these is offered.
    ///
    /// ```
    /// use chat_anthropic::tools::McpToolset;
    /// let json = serde_json::to_value(McpToolset::new("docs").deny(["delete_page"])).unwrap();
    /// assert_eq!(json["configs"]["delete_page"]["enabled"], false);
    /// assert!(json.get("default_config").is_none());
    /// ```
    pub fn deny<S: Into<String>>(mut self, tools: impl IntoIterator<Item = S>) -> Self {
        for tool in tools {
            self = self.config(tool, McpToolConfig::new().enabled(false));
        }
        self
    }

    /// Defers every tool of the server (`default_config.defer_loading`): their definitions
    /// stay out of the prompt until tool search finds them (a tool-search tool must be bound
    /// too).
    pub fn defer_loading(mut self, defer: bool) -> Self {
        let default = self.default_config.take().unwrap_or_default();
        self.default_config = Some(default.defer_loading(defer));
        self
    }

    /// A prompt-cache breakpoint after this entry (the tool definitions up to here are
    /// cached).
    pub fn cache_control(mut self, cache_control: CacheControl) -> Self {
        self.cache_control = Some(cache_control);
        self
    }

    /// Sets a field this version does not model, sent as it is.
    pub fn field(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

/// How one tool of an [`McpToolset`] (or, as its `default_config`, all of them) is offered:
/// `{"enabled"?, "defer_loading"?}`. A field left unset falls back to the default config,
/// then to the API's default (enabled, not deferred).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct McpToolConfig {
    /// Whether the tool is offered to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether the tool's definition stays out of the prompt until tool search finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_loading: Option<bool>,
    /// Fields this version does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl McpToolConfig {
    /// Nothing set: everything as the default config (or the API) says.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers the tool, or not.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Defers the tool's definition until tool search finds it, or not.
    pub fn defer_loading(mut self, defer: bool) -> Self {
        self.defer_loading = Some(defer);
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tools::ToolDefinition;

    #[test]
    fn a_toolset_reads_back_typed_with_the_fields_it_does_not_know() {
        let sent = json!({
            "type": "mcp_toolset",
            "mcp_server_name": "docs",
            "default_config": {"enabled": false, "future_flag": 1},
            "configs": {"search": {"enabled": true}},
            "cache_control": {"type": "ephemeral"},
            "tools": [{"name": "search", "input_schema": {"type": "object"}}]
        });
        let read: ToolDefinition = serde_json::from_value(sent.clone()).unwrap();
        let ToolDefinition::McpToolset(toolset) = &read else {
            panic!("not read as a toolset: {read:?}");
        };
        assert_eq!(toolset.mcp_server_name, "docs");
        assert_eq!(toolset.configs["search"].enabled, Some(true));
        assert_eq!(toolset.extra["tools"][0]["name"], "search");
        assert_eq!(
            toolset.default_config.as_ref().unwrap().extra["future_flag"],
            1
        );
        assert_eq!(read.to_json(), sent);
        assert_eq!(read.name(), None);
    }

    #[test]
    fn other_types_stay_raw_and_a_config_set_twice_merges() {
        let other: ToolDefinition =
            serde_json::from_value(json!({"type": "mcp_toolset_v2", "mcp_server_name": "x"}))
                .unwrap();
        assert!(matches!(other, ToolDefinition::Raw(_)), "{other:?}");
        let toolset = McpToolset::new("x")
            .config("a", McpToolConfig::new().enabled(false))
            .config("a", McpToolConfig::new().defer_loading(true))
            .defer_loading(true)
            .deny(["b"]);
        assert_eq!(
            serde_json::to_value(&toolset).unwrap(),
            json!({
                "type": "mcp_toolset",
                "mcp_server_name": "x",
                "default_config": {"defer_loading": true},
                "configs": {"a": {"enabled": false, "defer_loading": true}, "b": {"enabled": false}}
            })
        );
    }
}
