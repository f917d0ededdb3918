//! Direct access from a browser page: the API's opt-in header.

use reqwest::header::{HeaderMap, HeaderValue};

use super::ChatAnthropic;

/// The header with which Anthropic's API answers a cross-origin request (one a page makes):
/// without it, such a request is refused (401 `authentication_error`, "CORS requests must set
/// 'anthropic-dangerous-direct-browser-access' header") and its reply carries no
/// `Access-Control-Allow-Origin`, so the browser reports a network error. The official
/// TypeScript SDK sends it when built with `dangerouslyAllowBrowser: true`.
const DIRECT_BROWSER_ACCESS: &str = "anthropic-dangerous-direct-browser-access";

impl ChatAnthropic {
    /// Sends `anthropic-dangerous-direct-browser-access: true` with every request to
    /// Anthropic's API, which lets a web page call the API directly (the official TypeScript
    /// SDK's `dangerouslyAllowBrowser`). Off by default, and never stored in the
    /// [`config`](Self::config).
    ///
    /// **The API key is then in the page**, where anyone who can open the page (or any
    /// script it loads) can read it. Use it only with a key the user typed in themselves, for
    /// their own use; otherwise keep the key on a server of your own that relays the stream
    /// (README: "In the browser"). Vertex AI and Bedrock ignore it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; in a page, the base URL is left out and the key is the
    /// // one the user typed.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .dangerous_direct_browser_access(true)
    ///     .base_url(server.base_url())
    ///     .api_key("the-key-the-user-typed");
    /// llm.invoke("Hello").await?;
    /// let sent = &server.requests()[0].headers;
    /// assert_eq!(sent["anthropic-dangerous-direct-browser-access"], "true");
    /// # Ok(()) }
    /// ```
    pub fn dangerous_direct_browser_access(mut self, allow: bool) -> Self {
        self.settings.direct_browser_access = allow;
        self
    }

    /// The opt-in header, when set.
    pub(super) fn add_direct_browser_access(&self, headers: &mut HeaderMap) {
        if self.settings.direct_browser_access {
            headers.insert(DIRECT_BROWSER_ACCESS, HeaderValue::from_static("true"));
        }
    }
}
