//! Credentials that refresh, resolved before each request: a Vertex AI token from a
//! [`TokenProvider`], cached and shared by every clone of the model.

use std::borrow::Cow;

use serde_json::Value;

use super::{ApiKey, ChatAnthropic, Platform};
use crate::credentials::{TokenCache, TokenProvider};
use crate::error::Error;
use crate::request::Endpoint;
use crate::transport::{self, SendPolicy};

impl ChatAnthropic {
    /// Vertex AI tokens from `provider` (a [`ServiceAccountKey`](crate::credentials::ServiceAccountKey),
    /// the [`MetadataServerToken`](crate::credentials::MetadataServerToken), a
    /// [`CommandToken`](crate::credentials::CommandToken), your own), cached and fetched again
    /// shortly before they expire. Clones of the model share the cache. Takes precedence over
    /// [`vertex_access_token`](Self::vertex_access_token).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::credentials::CommandToken;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of Vertex AI; against the real one, drop base_url.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929")
    ///     .vertex("us-east5", "my-project")
    ///     .vertex_token_provider(CommandToken::new("echo", ["ya29.printed"]))
    ///     .base_url(server.base_url());
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
        self.settings.token_cache = Some(cache);
        self
    }

    /// Bedrock credentials from the AWS default credential chain (environment, profiles,
    /// SSO, web identity, container and instance metadata), cached and fetched again before
    /// they expire; every attempt, retries included, is signed afresh. Takes precedence over
    /// [`aws_credentials`](Self::aws_credentials).
    #[cfg(feature = "bedrock")]
    pub fn aws_credential_chain(mut self, chain: crate::credentials::AwsCredentialChain) -> Self {
        self.settings.aws_chain = Some(chain);
        self
    }

    /// Sends `body` to `endpoint` with retries (`retry` counts those spent, shared with
    /// re-sends before content). Credentials from a provider or the AWS chain are resolved
    /// afresh for every attempt; otherwise one prepared request is sent again (Bedrock's
    /// static credentials still sign each attempt).
    pub(super) async fn send_body(
        &self,
        endpoint: Endpoint,
        body: &Value,
        policy: &SendPolicy,
        retry: &mut u32,
    ) -> Result<transport::Response, Error> {
        let first = self
            .with_fresh_credentials()
            .await?
            .prepare(endpoint, body.clone())?;
        if !self.refreshes_credentials() {
            return transport::send(self.http()?, &first, policy, retry).await;
        }
        let url = first.url.clone();
        // The first attempt uses the credentials just fetched; each retry fetches again.
        let mut first = Some(first);
        transport::send_with(policy, &url, retry, || {
            let ready = first.take();
            async move {
                let prepared = match ready {
                    Some(prepared) => prepared,
                    None => self
                        .with_fresh_credentials()
                        .await?
                        .prepare(endpoint, body.clone())?,
                };
                Ok(self
                    .http()?
                    .post(&prepared.url)
                    .headers(prepared.attempt_headers()?)
                    .body(prepared.body.clone()))
            }
        })
        .await
    }

    /// Whether credentials come from a provider that may hand out new ones.
    fn refreshes_credentials(&self) -> bool {
        match &self.settings.config.platform {
            Platform::Vertex { .. } => self.settings.token_cache.is_some(),
            #[cfg(feature = "bedrock")]
            Platform::Bedrock { .. } => self.settings.aws_chain.is_some(),
            _ => false,
        }
    }

    /// This model with fresh credentials in place when they come from a provider or the
    /// AWS chain (else itself).
    async fn with_fresh_credentials(&self) -> Result<Cow<'_, Self>, Error> {
        match (&self.settings.config.platform, &self.settings.token_cache) {
            (Platform::Vertex { .. }, Some(cache)) => {
                let token = cache.token().await?;
                let mut refreshed = self.clone();
                refreshed.settings.access_token = Some(ApiKey::new(token.expose()));
                Ok(Cow::Owned(refreshed))
            }
            #[cfg(feature = "bedrock")]
            (Platform::Bedrock { .. }, _) if self.settings.aws_chain.is_some() => {
                let chain = self.settings.aws_chain.as_ref().expect("checked");
                let mut refreshed = self.clone();
                refreshed.settings.aws_credentials = Some(chain.credentials().await?);
                Ok(Cow::Owned(refreshed))
            }
            _ => Ok(Cow::Borrowed(self)),
        }
    }
}
