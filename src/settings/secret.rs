//! The API key, kept out of `Debug`, `Display` and serialization.

use std::fmt;

/// A secret string; `Debug` prints `ApiKey([redacted])`.
///
/// ```
/// let key = chat_anthropic::settings::ApiKey::new("sk-ant-123");
/// assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
/// assert_eq!(key.expose(), "sk-ant-123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}
