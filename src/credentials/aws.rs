//! AWS credentials for Bedrock from the default credential chain of `aws-config` (the AWS
//! SDKs' own): environment, shared config and credentials files with profiles, SSO, web
//! identity, container and instance metadata. Cached and fetched again before they expire.

use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::refresh::Refreshing;
use super::DEFAULT_REFRESH_BEFORE;
use crate::bedrock::AwsCredentials;
use crate::error::{Error, PlatformError};

/// The AWS default credential chain, cached: temporary credentials (SSO, web identity,
/// container or instance roles) are fetched again [`DEFAULT_REFRESH_BEFORE`] they expire.
/// Clones share the cache. `Debug` shows no secret.
///
/// ```no_run
/// # async fn run() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::credentials::AwsCredentialChain;
/// use chat_anthropic::ChatAnthropic;
/// let llm = ChatAnthropic::new("anthropic.claude-sonnet-4-5-20250929-v1:0")
///     .bedrock("us-east-1")
///     .aws_credential_chain(AwsCredentialChain::profile("bedrock-dev").await);
/// llm.invoke("Hello").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AwsCredentialChain {
    provider: SharedCredentialsProvider,
    cached: Refreshing<AwsCredentials>,
}

impl std::fmt::Debug for AwsCredentialChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentialChain")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl AwsCredentialChain {
    /// The default chain, with the profile `AWS_PROFILE` names (else `default`).
    pub async fn default_chain() -> Self {
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .build()
            .await;
        Self::from_chain(SharedCredentialsProvider::new(chain))
    }

    /// The default chain with a named profile of `~/.aws/config` and `~/.aws/credentials`
    /// (or the files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name).
    pub async fn profile(name: impl Into<String>) -> Self {
        let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
            .profile_name(&name.into())
            .build()
            .await;
        Self::from_chain(SharedCredentialsProvider::new(chain))
    }

    fn from_chain(provider: SharedCredentialsProvider) -> Self {
        Self {
            provider,
            cached: Refreshing::new(DEFAULT_REFRESH_BEFORE),
        }
    }

    /// How long before expiry to fetch new credentials.
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.cached.margin = margin;
        self
    }

    /// Credentials good for more than the refresh margin.
    pub async fn credentials(&self) -> Result<AwsCredentials, Error> {
        self.cached
            .get(|| async {
                let found = self.provider.provide_credentials().await.map_err(|e| {
                    PlatformError::credentials(format!("the AWS credential chain found none: {e}"))
                })?;
                let mut credentials =
                    AwsCredentials::new(found.access_key_id(), found.secret_access_key());
                if let Some(token) = found.session_token() {
                    credentials = credentials.session_token(token);
                }
                let expires_at = found.expiry().map(|at| {
                    Instant::now() + at.duration_since(SystemTime::now()).unwrap_or_default()
                });
                Ok((credentials, expires_at))
            })
            .await
    }
}
