//! Builders for today's request fields: effort, service tier, inference geography, speed,
//! container, context management, MCP servers, and the model's profile.

use super::ChatAnthropic;
use crate::settings::{
    Container, ContextManagement, Effort, McpServer, ModelProfile, ServiceTier, Speed,
};

impl ChatAnthropic {
    /// How much effort the model spends (`output_config.effort`); checked against the
    /// levels its [`ModelProfile`] offers.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::settings::Effort;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .effort(Effort::Low)
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// llm.invoke("Hi").await?;
    /// assert_eq!(server.requests()[0].body["output_config"], serde_json::json!({"effort": "low"}));
    /// # Ok(()) }
    /// ```
    pub fn effort(mut self, value: Effort) -> Self {
        self.settings.config.effort = Some(value);
        self
    }

    /// `service_tier`: [`ServiceTier::Auto`] may use priority capacity,
    /// [`ServiceTier::StandardOnly`] never does.
    pub fn service_tier(mut self, value: ServiceTier) -> Self {
        self.settings.config.service_tier = Some(value);
        self
    }

    /// `speed`; [`Speed::Fast`] adds the beta it needs to `anthropic-beta` itself.
    pub fn speed(mut self, value: Speed) -> Self {
        self.settings.config.speed = Some(value);
        self
    }

    /// `container`: reuse a code-execution container, or load skills (adds the skills beta).
    pub fn container(mut self, value: Container) -> Self {
        self.settings.config.container = Some(value);
        self
    }

    /// `context_management`: edits the API makes to the context (adds its beta).
    pub fn context_management(mut self, value: ContextManagement) -> Self {
        self.settings.config.context_management = Some(value);
        self
    }

    /// `inference_geo`: where inference runs (e.g. `"us"`).
    pub fn inference_geo(mut self, geo: impl Into<String>) -> Self {
        self.settings.config.inference_geo = Some(geo.into());
        self
    }

    /// Adds a remote MCP server whose tools the API calls itself (`mcp_servers`; the beta it
    /// needs is added to `anthropic-beta`, merged with yours). Bind an
    /// [`McpToolset`](crate::tools::McpToolset) naming it too: the API wants exactly one per
    /// server, and it says which of the server's tools the model gets.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::settings::McpServer;
    /// use chat_anthropic::tools::McpToolset;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .mcp_server(McpServer::url("docs", "https://mcp.example.com/sse"))
    ///     .bind_tools([McpToolset::new("docs")])
    ///     .betas(["my-beta"])
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// llm.invoke("Search the docs").await?;
    /// let sent = &server.requests()[0];
    /// assert_eq!(sent.body["mcp_servers"][0]["name"], "docs");
    /// assert_eq!(sent.headers["anthropic-beta"], "my-beta,mcp-client-2025-11-20");
    /// # Ok(()) }
    /// ```
    pub fn mcp_server(mut self, server: McpServer) -> Self {
        self.settings.config.mcp_servers.push(server);
        self
    }

    /// Replaces the model's [`ModelProfile`] (what is checked before sending, the default
    /// `max_tokens`, whether later system messages stay in place): for a model newer than
    /// this crate's table, or to lift a check.
    ///
    /// ```
    /// use chat_anthropic::settings::ModelProfile;
    /// use chat_anthropic::ChatAnthropic;
    /// let mut profile = ModelProfile::for_model("claude-opus-4-8").unwrap();
    /// profile.max_output_tokens = Some(200_000);
    /// let llm = ChatAnthropic::new("claude-opus-4-9").profile(profile);
    /// assert_eq!(llm.config().effective_max_tokens(), 200_000);
    /// ```
    pub fn profile(mut self, profile: ModelProfile) -> Self {
        self.settings.config.profile = Some(profile);
        self
    }
}
