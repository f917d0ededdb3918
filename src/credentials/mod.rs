//! Credentials that expire and refresh: Vertex AI access tokens from a service-account key,
//! the GCE metadata server, a command (`gcloud auth print-access-token`) (those three with
//! feature `vertex`) or a fixed token,
//! each cached and renewed shortly before it expires, shared by every clone of a model; and
//! for Bedrock (feature `bedrock`) the AWS default credential chain.

#[cfg(feature = "bedrock")]
mod aws;
#[cfg(feature = "vertex")]
mod command;
#[cfg(feature = "vertex")]
mod metadata_server;
mod refresh;
#[cfg(feature = "vertex")]
mod service_account;
mod static_token;
#[cfg(feature = "vertex")]
mod token_endpoint;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::StdInstant as Instant;

#[cfg(feature = "bedrock")]
pub use aws::AwsCredentialChain;
#[cfg(feature = "vertex")]
pub use command::CommandToken;
#[cfg(feature = "vertex")]
pub use metadata_server::{MetadataServerToken, DEFAULT_METADATA_URL};
#[cfg(feature = "vertex")]
pub use service_account::{ServiceAccountKey, CLOUD_PLATFORM_SCOPE};
pub use static_token::StaticToken;

use crate::error::Error;
use crate::settings::ApiKey;

/// What [`TokenProvider::fetch`] returns: a boxed future, so providers can be trait objects.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// An OAuth access token and when it expires (`None`: never, as far as the provider knows).
/// `Debug` never shows the token.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::credentials::AccessToken;
/// let token = AccessToken::new("ya29.secret", Some(Duration::from_secs(3600)));
/// assert_eq!(token.expose(), "ya29.secret");
/// assert!(!format!("{token:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct AccessToken {
    token: ApiKey,
    expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token good for `expires_in` from now.
    pub fn new(token: impl Into<String>, expires_in: Option<Duration>) -> Self {
        Self {
            token: ApiKey::new(token),
            expires_at: expires_in.map(|after| Instant::now() + after),
        }
    }

    /// The token itself, for the `authorization` header only.
    pub fn expose(&self) -> &str {
        self.token.expose()
    }

    /// When it expires.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Something that fetches a new access token each time it is asked. Caching is done by
/// [`TokenCache`], so a provider just fetches.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::credentials::{AccessToken, TokenFuture, TokenProvider};
/// #[derive(Debug)]
/// struct FromVault;
/// impl TokenProvider for FromVault {
///     fn fetch(&self) -> TokenFuture<'_> {
///         Box::pin(async { Ok(AccessToken::new("ya29.from-vault", Some(Duration::from_secs(600)))) })
///     }
/// }
/// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-5@20250929")
///     .vertex("us-east5", "my-project")
///     .vertex_token_provider(FromVault);
/// # let _ = llm;
/// ```
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A new token.
    fn fetch(&self) -> TokenFuture<'_>;
}

/// How long before expiry a cached token is replaced, by default.
pub const DEFAULT_REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

/// A provider's token, cached and fetched again shortly before it expires. Clones share
/// the cache, and concurrent callers wait for one fetch rather than each starting one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::credentials::{StaticToken, TokenCache};
/// let cache = TokenCache::new(StaticToken::new("ya29.fixed"));
/// assert_eq!(cache.token().await?.expose(), "ya29.fixed");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenCache {
    provider: Arc<dyn TokenProvider>,
    cached: refresh::Refreshing<AccessToken>,
}

impl TokenCache {
    /// Caches `provider`'s tokens, renewing each [`DEFAULT_REFRESH_BEFORE`] its expiry.
    pub fn new(provider: impl TokenProvider + 'static) -> Self {
        Self {
            provider: Arc::new(provider),
            cached: refresh::Refreshing::new(DEFAULT_REFRESH_BEFORE),
        }
    }

    /// How long before expiry to fetch a new token.
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.cached.margin = margin;
        self
    }

    /// A token good for at least the refresh margin: the cached one, else a new one.
    pub async fn token(&self) -> Result<AccessToken, Error> {
        self.cached
            .get(|| async {
                let token = self.provider.fetch().await?;
                tracing::debug!(provider = ?self.provider, "fetched a new access token");
                let expires_at = token.expires_at;
                Ok((token, expires_at))
            })
            .await
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("provider", &self.provider)
            .field("refresh_before", &self.cached.margin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct Counting(AtomicUsize, Option<Duration>);

    impl TokenProvider for Counting {
        fn fetch(&self) -> TokenFuture<'_> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move { Ok(AccessToken::new(format!("token-{n}"), self.1)) })
        }
    }

    #[tokio::test]
    async fn a_token_is_reused_until_the_refresh_margin_then_fetched_again() {
        let cache = TokenCache::new(Counting(
            AtomicUsize::new(0),
            Some(Duration::from_secs(3600)),
        ));
        let clone = cache.clone();
        assert_eq!(cache.token().await.unwrap().expose(), "token-1");
        assert_eq!(
            clone.token().await.unwrap().expose(),
            "token-1",
            "clones share the cache"
        );
        // A token that expires within the margin is replaced at once.
        let short = TokenCache::new(Counting(AtomicUsize::new(0), Some(Duration::from_secs(60))));
        assert_eq!(short.token().await.unwrap().expose(), "token-1");
        assert_eq!(short.token().await.unwrap().expose(), "token-2");
        // With a smaller margin the cached 60-second token (shared with `short`) is kept.
        let relaxed = short.clone().refresh_before(Duration::from_secs(10));
        assert_eq!(relaxed.token().await.unwrap().expose(), "token-2");
        assert_eq!(relaxed.token().await.unwrap().expose(), "token-2");
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = TokenCache::new(Counting(AtomicUsize::new(0), None));
        let tokens = futures_util::future::join_all((0..8).map(|_| cache.token())).await;
        assert!(tokens
            .iter()
            .all(|t| t.as_ref().unwrap().expose() == "token-1"));
    }
}
