//! A token given once, that never refreshes (today's `vertex_access_token`).

use super::{AccessToken, TokenFuture, TokenProvider};
use crate::settings::ApiKey;

/// A fixed access token.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::credentials::{StaticToken, TokenProvider};
/// assert_eq!(StaticToken::new("ya29.x").fetch().await?.expose(), "ya29.x");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StaticToken(ApiKey);

impl StaticToken {
    /// The token to send.
    pub fn new(token: impl Into<String>) -> Self {
        Self(ApiKey::new(token))
    }
}

impl TokenProvider for StaticToken {
    fn fetch(&self) -> TokenFuture<'_> {
        let token = AccessToken::new(self.0.expose(), None);
        Box::pin(std::future::ready(Ok(token)))
    }
}
