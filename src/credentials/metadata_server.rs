//! The GCE metadata server: the token of the service account a Google Cloud VM, Cloud Run
//! service or GKE workload runs as.

use super::token_endpoint::{token_from_response, token_request};
use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::Error;

/// The metadata server's address on Google Cloud.
pub const DEFAULT_METADATA_URL: &str = "http://metadata.google.internal";

/// Fetches tokens from `{base}/computeMetadata/v1/instance/service-accounts/default/token`
/// with `Metadata-Flavor: Google`. The base is [`DEFAULT_METADATA_URL`], or `GCE_METADATA_HOST`
/// (a `host:port`) when set, or what [`base_url`](Self::base_url) says.
///
/// ```
/// use chat_anthropic::credentials::MetadataServerToken;
/// let on_gcp = MetadataServerToken::new();
/// let in_a_test = MetadataServerToken::new().base_url("http://127.0.0.1:8080");
/// # let _ = (on_gcp, in_a_test);
/// ```
#[derive(Debug, Clone)]
pub struct MetadataServerToken {
    base_url: String,
}

impl Default for MetadataServerToken {
    fn default() -> Self {
        Self::new()
    }
}

impl MetadataServerToken {
    /// The metadata server of the machine this runs on (at `GCE_METADATA_HOST` if set, read
    /// now).
    pub fn new() -> Self {
        let base_url = std::env::var("GCE_METADATA_HOST")
            .ok()
            .filter(|host| !host.is_empty())
            .map(|host| format!("http://{host}"))
            .unwrap_or_else(|| DEFAULT_METADATA_URL.to_owned());
        Self { base_url }
    }

    /// Another address (a test server, a proxy).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    async fn request(&self) -> Result<AccessToken, Error> {
        let url = format!(
            "{}/computeMetadata/v1/instance/service-accounts/default/token",
            self.base_url.trim_end_matches('/')
        );
        let response = token_request(reqwest::Method::GET, &url)?
            .header("Metadata-Flavor", "Google")
            .send()
            .await;
        token_from_response("the GCE metadata server", response).await
    }
}

impl TokenProvider for MetadataServerToken {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(self.request())
    }
}
