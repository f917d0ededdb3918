//! Everything a model is set up with, in one struct.

use std::sync::Arc;

use crate::settings::{ApiKey, ChatAnthropicConfig, Environment};

/// Every setting of a [`ChatAnthropic`](super::ChatAnthropic), whichever builder method set it.
///
/// Two kinds live here. The settings that serialize are the [`ChatAnthropicConfig`] (what
/// [`ChatAnthropic::config`](super::ChatAnthropic::config) shows and
/// [`ChatAnthropic::from_config`](super::ChatAnthropic::from_config) takes back). The others
/// are never stored: the secrets, the sources of credentials that refresh (their types sit
/// above the `settings` layer), and the environment the settings fall back on. The model's
/// remaining fields are not settings but what is made from them or shared at run time: the
/// HTTP client, the tools bound, the rate limiter.
#[derive(Clone)]
pub(super) struct ModelSettings {
    /// The settings that serialize.
    pub(super) config: ChatAnthropicConfig,
    /// `x-api-key`; `None` reads `ANTHROPIC_API_KEY` (or the platform's variable).
    pub(super) api_key: Option<ApiKey>,
    /// A bearer token (Vertex AI); a token provider, when set, takes precedence.
    pub(super) access_token: Option<ApiKey>,
    /// The environment as it was when the model was built: what settings fall back on.
    pub(super) env: Arc<Environment>,
    /// Whether requests to Anthropic's API carry the browser opt-in header (never stored: a
    /// saved configuration does not turn it on again).
    pub(super) direct_browser_access: bool,
    /// Vertex AI tokens that refresh, shared by every clone.
    pub(super) token_cache: Option<crate::credentials::TokenCache>,
    /// Bedrock's static credentials.
    #[cfg(feature = "bedrock")]
    pub(super) aws_credentials: Option<crate::bedrock::AwsCredentials>,
    /// Bedrock credentials from the AWS chain, refreshed (they take precedence).
    #[cfg(feature = "bedrock")]
    pub(super) aws_chain: Option<crate::credentials::AwsCredentialChain>,
    /// The root certificates trusted besides the platform's.
    pub(super) tls: crate::transport::tls::TlsSettings,
}

impl ModelSettings {
    /// These stored settings, no secret or credential source, the environment as it is now.
    pub(super) fn new(config: ChatAnthropicConfig) -> Self {
        Self {
            config,
            api_key: None,
            access_token: None,
            env: Arc::new(Environment::from_process()),
            direct_browser_access: false,
            token_cache: None,
            #[cfg(feature = "bedrock")]
            aws_credentials: None,
            #[cfg(feature = "bedrock")]
            aws_chain: None,
            tls: Default::default(),
        }
    }
}
