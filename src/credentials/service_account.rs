//! A service-account key file: the OAuth 2.0 JWT-bearer flow (RFC 7523). An RS256 JWT
//! signed with the key is exchanged at the key's `token_uri` for an access token.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::token_endpoint::{token_from_response, token_request};
use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::{Error, PlatformError};

/// The scope Vertex AI needs.
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// The fields of a key file this flow reads.
#[derive(Deserialize)]
struct KeyFile {
    client_email: String,
    private_key: String,
    #[serde(default)]
    private_key_id: Option<String>,
    token_uri: String,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// A Google service-account key (the JSON file `gcloud iam service-accounts keys create`
/// writes). `Debug` shows the account, never the key.
///
/// ```no_run
/// # async fn run() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::credentials::ServiceAccountKey;
/// use chat_anthropic::ChatAnthropic;
/// let key = ServiceAccountKey::from_file("/secrets/vertex-sa.json")?;
/// let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929")
///     .vertex("us-east5", "my-project")
///     .vertex_token_provider(key);
/// llm.invoke("Hello").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ServiceAccountKey {
    client_email: String,
    key_id: Option<String>,
    token_uri: String,
    key: EncodingKey,
    scope: String,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

impl ServiceAccountKey {
    /// Reads a key file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|e| {
            PlatformError::credentials(format!("cannot read key file {}: {e}", path.display()))
        })?;
        Self::from_json(&json)
    }

    /// Reads a key from its JSON text.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        // serde's message could quote the key: say only which field is wrong.
        let file: KeyFile = serde_json::from_str(json).map_err(|e| {
            PlatformError::credentials(format!(
                "not a service-account key (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let key = EncodingKey::from_rsa_pem(file.private_key.as_bytes()).map_err(|_| {
            PlatformError::credentials("the key file's private_key is not an RSA PEM key")
        })?;
        Ok(Self {
            client_email: file.client_email,
            key_id: file.private_key_id,
            token_uri: file.token_uri,
            key,
            scope: CLOUD_PLATFORM_SCOPE.to_owned(),
        })
    }

    /// Another OAuth scope than [`CLOUD_PLATFORM_SCOPE`].
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// The signed assertion: `iss` the account, `aud` the token URL, valid one hour.
    fn assertion(&self, now: SystemTime) -> Result<String, PlatformError> {
        let iat = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = Claims {
            iss: &self.client_email,
            scope: &self.scope,
            aud: &self.token_uri,
            iat,
            exp: iat + 3600,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.key_id.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| PlatformError::credentials(format!("cannot sign the assertion: {e}")))
    }

    async fn exchange(&self) -> Result<AccessToken, Error> {
        let assertion = self.assertion(SystemTime::now())?;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ];
        let response = token_request(reqwest::Method::POST, &self.token_uri)?
            .form(&form)
            .send()
            .await;
        let token = token_from_response("the service account's token endpoint", response).await?;
        // Google's tokens last an hour; an endpoint that says nothing is taken at that.
        Ok(match token.expires_at() {
            Some(_) => token,
            None => AccessToken::new(token.expose(), Some(Duration::from_secs(3600))),
        })
    }
}

impl TokenProvider for ServiceAccountKey {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(self.exchange())
    }
}
