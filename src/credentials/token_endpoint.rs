//! Fetching a token from an OAuth token endpoint or the GCE metadata server.

use std::time::Duration;

use super::AccessToken;
use crate::error::{Error, PlatformError};

/// The answer of an OAuth token endpoint (and of the GCE metadata server).
#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
}

/// Reads a token endpoint's answer: a 2xx JSON `{access_token, expires_in}`, else an error
/// naming `what` and the status (the body is not quoted: it may echo credentials).
pub(super) async fn token_from_response(
    what: &str,
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<AccessToken, Error> {
    let response =
        response.map_err(|e| PlatformError::credentials(format!("{what}: request failed: {e}")))?;
    let status = response.status();
    if !status.is_success() {
        return Err(PlatformError::credentials(format!("{what} answered HTTP {status}")).into());
    }
    let body: TokenResponse = response
        .json()
        .await
        .map_err(|e| PlatformError::credentials(format!("{what} answered no token: {e}")))?;
    Ok(AccessToken::new(
        body.access_token,
        body.expires_in.map(Duration::from_secs),
    ))
}

/// The longest a token fetch may take, connecting included.
const TOKEN_FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A request to a token endpoint through the HTTP client every token fetch shares: built
/// once, by the same function as the model's (never following redirects), and bounded in
/// time. A client that cannot be built is the fetch's error.
pub(super) fn token_request(
    method: reqwest::Method,
    url: &str,
) -> Result<reqwest::RequestBuilder, Error> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, crate::error::ConfigError>> =
        std::sync::OnceLock::new();
    let client = CLIENT
        .get_or_init(|| crate::transport::http_client(Duration::from_secs(10), &Default::default()))
        .as_ref()
        .map_err(|e| Error::Config(e.clone()))?;
    Ok(client.request(method, url).timeout(TOKEN_FETCH_TIMEOUT))
}
