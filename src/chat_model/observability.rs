//! The one observability setting: whether prompts and replies go into the call's span.

use super::ChatAnthropic;

impl ChatAnthropic {
    /// Records the prompt (`gen_ai.input.messages`, `gen_ai.system_instructions`) and the
    /// reply (`gen_ai.output.messages`) as JSON on each call's span (off by default: they may
    /// hold personal data). Every other [`telemetry`](crate::telemetry) field is always there.
    /// Like every setting that is not a secret, it is part of the stored
    /// [`config`](Self::config).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .capture_message_content(true)
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// llm.invoke("Hello").await?;
    /// let saved = serde_json::to_string(llm.config())?;
    /// assert!(ChatAnthropic::from_config(serde_json::from_str(&saved)?).config().capture_message_content);
    /// # Ok(()) }
    /// ```
    pub fn capture_message_content(mut self, capture: bool) -> Self {
        self.settings.config.capture_message_content = capture;
        self
    }
}
