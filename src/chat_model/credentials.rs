//! Credentials that refresh, resolved before each request: a Vertex AI token from a
//! [`TokenProvider`], cached and shared by every clone of the model.

use std::borrow::Cow;

use super::{ApiKey, ChatAnthropic, Platform};
use crate::credentials::{TokenCache, TokenProvider};
use crate::error::Error;

impl ChatAnthropic {
    /// Vertex AI tokens from `provider` (a [`ServiceAccountKey`](crate::credentials::ServiceAccountKey),
    /// the [`MetadataServerToken`](crate::credentials::MetadataServerToken), a
    /// [`CommandToken`](crate::credentials::CommandToken), your own), cached and fetched again
    /// shortly before they expire. Clones of the model share the cache. Takes precedence over
    /// [`vertex_access_token`](Self::vertex_access_token).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// # let server = chat_anthropic::mock::MockServer::start().await;
    /// use chat_anthropic::credentials::CommandToken;
    /// use chat_anthropic::ChatAnthropic;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929")
    ///     .vertex("us-east5", "my-project")
    ///     .vertex_token_provider(CommandToken::new("echo", ["ya29.printed"]))
    /// #   .base_url(server.base_url())
    ///     ;
    /// # #[cfg(unix)] {
    /// llm.invoke("Hello").await?;
    /// assert_eq!(server.requests()[0].headers["authorization"], "Bearer ya29.printed");
    /// # }
    /// # Ok(()) }
    /// ```
    pub fn vertex_token_provider(self, provider: impl TokenProvider + 'static) -> Self {
        self.vertex_token_cache(TokenCache::new(provider))
    }

    /// A [`TokenCache`] to take Vertex AI tokens from (one cache can serve many models).
    pub fn vertex_token_cache(mut self, cache: TokenCache) -> Self {
        self.token_cache = Some(cache);
        self
    }

    /// This model with a fresh token in place when one comes from a provider (else itself).
    pub(super) async fn with_fresh_credentials(&self) -> Result<Cow<'_, Self>, Error> {
        match (&self.config.platform, &self.token_cache) {
            (Platform::Vertex { .. }, Some(cache)) => {
                let token = cache.token().await?;
                let mut refreshed = self.clone();
                refreshed.access_token = Some(ApiKey::new(token.expose()));
                Ok(Cow::Owned(refreshed))
            }
            _ => Ok(Cow::Borrowed(self)),
        }
    }
}
