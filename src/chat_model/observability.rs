//! The one observability setting: whether prompts and replies go into the call's span.

use super::ChatAnthropic;

impl ChatAnthropic {
    /// Records the prompt (`gen_ai.input.messages`, `gen_ai.system_instructions`) and the
    /// reply (`gen_ai.output.messages`) as JSON on each call's span (off by default: they may
    /// hold personal data). Every other [`telemetry`](crate::telemetry) field is always there.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// # let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .capture_message_content(true)
    /// #   .base_url(server.base_url()).api_key("test")
    ///     ;
    /// llm.invoke("Hello").await?;
    /// # Ok(()) }
    /// ```
    pub fn capture_message_content(mut self, capture: bool) -> Self {
        self.capture_content = capture;
        self
    }
}
