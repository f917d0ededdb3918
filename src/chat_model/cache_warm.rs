//! Pre-warming the prompt cache: the same request with `max_tokens: 0`, which the API
//! answers without generating, only writing the cache.

use super::ChatAnthropic;
use crate::error::Error;
use crate::messages::{AIMessage, IntoMessages};

impl ChatAnthropic {
    /// Writes the prompt cache for `input` without generating a reply (`max_tokens: 0`), so
    /// the first real call reads a warm cache instead of paying the write and its latency.
    /// Warm with the model you will ask with: the cache only helps a request with the same
    /// prefix (tools, system, messages) and a cache breakpoint — automatic caching
    /// ([`cache_control`](Self::cache_control)) or marked blocks. The reply has no content;
    /// its usage shows what was written. (With budgeted thinking on, `max_tokens: 0` is below
    /// the budget and refused: warm without it.)
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::messages::CacheControl;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .cache_control(CacheControl::ephemeral())
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let manual = "A long reference manual. ".repeat(400);
    /// let warmed = llm.warm_cache([("system", manual.as_str()), ("human", "Ready?")]).await?;
    /// assert!(warmed.text().is_empty() && warmed.tool_calls.is_empty());
    /// assert_eq!(server.requests()[0].body["max_tokens"], 0);
    /// assert!(warmed.response_metadata.usage.cache_creation_input_tokens.unwrap_or(0) > 0);
    /// # Ok(()) }
    /// ```
    pub async fn warm_cache(&self, input: impl IntoMessages) -> Result<AIMessage, Error> {
        self.clone().max_tokens(0).invoke(input).await
    }
}
