//! A failure of the HTTP connection, opaque so that the HTTP library is not part of the API.

use std::fmt;

use super::redact;

/// The connection failed (refused, DNS, TLS, reset while reading). Ask it with predicates;
/// its text names the URL (without user-info or query) and the root cause, once.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::{ChatAnthropic, Error};
/// // A loopback port nobody listens on.
/// let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .api_key("k")
///     .base_url(format!("http://127.0.0.1:{port}"))
///     .max_retries(0);
/// match llm.invoke("Hi").await {
///     Err(Error::Transport(err)) => {
///         assert!(err.is_connect());
///         assert!(err.to_string().contains("Connection refused"), "the root cause: {err}");
///     }
///     other => panic!("{other:?}"),
/// }
/// # }
/// ```
pub struct TransportError {
    inner: reqwest::Error,
}

impl TransportError {
    /// Wraps a reqwest error, removing user-info and query from its URL.
    pub(crate) fn new(mut inner: reqwest::Error) -> Self {
        if let Some(url) = inner.url_mut() {
            redact::strip(url);
        }
        Self { inner }
    }

    /// Whether connecting failed (refused, DNS, TLS handshake, connect timeout).
    ///
    /// In the browser (wasm32) `fetch` does not say why a request failed before a response:
    /// every such failure (refused, DNS, TLS, a CORS refusal) counts as a failed connection.
    pub fn is_connect(&self) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.inner.is_connect()
        }
        #[cfg(target_arch = "wasm32")]
        {
            self.inner.is_request()
        }
    }

    /// Whether the server's certificate was refused: not issued by a trusted root, for
    /// another name, expired, revoked, malformed. Read off the rustls error among the
    /// causes; with the `native-tls` backend it is `false` (the platform library's text, in
    /// [`Display`](fmt::Display), says why; [`is_connect`](Self::is_connect) is true).
    pub fn is_certificate(&self) -> bool {
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc"))]
        {
            refused_certificate(&self.inner)
        }
        #[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc")))]
        false
    }

    /// Whether a timeout inside the HTTP stack ran out.
    pub fn is_timeout(&self) -> bool {
        self.inner.is_timeout()
    }

    /// Whether reading or decoding a response body failed (e.g. the connection reset).
    pub fn is_body(&self) -> bool {
        self.inner.is_body() || self.inner.is_decode()
    }

    /// Whether sending the request failed after connecting.
    pub fn is_request(&self) -> bool {
        self.inner.is_request()
    }

    /// The URL, without user-info or query.
    pub fn url(&self) -> Option<&str> {
        self.inner.url().map(|url| url.as_str())
    }

    /// The innermost cause's text (e.g. "Connection refused (os error 111)"), or reqwest's
    /// own when it has no cause.
    fn root_cause(&self) -> String {
        let Some(mut cause) = std::error::Error::source(&self.inner) else {
            return self.inner.to_string();
        };
        while let Some(next) = cause.source() {
            cause = next;
        }
        cause.to_string()
    }
}

/// Whether `error` or one of its causes is rustls refusing a certificate. An `io::Error`
/// hides the error it wraps from `source()` (tokio-rustls wraps rustls's in one, which hyper
/// wraps in another), so those are opened with `get_ref`.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc"))]
fn refused_certificate(error: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(rustls::Error::InvalidCertificate(_)) = error.downcast_ref() {
        return true;
    }
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        // Bounded: each step goes one error deeper.
        if refused_certificate(inner) {
            return true;
        }
    }
    error.source().is_some_and(refused_certificate)
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.is_connect() {
            "could not connect"
        } else if self.is_body() {
            "reading the response failed"
        } else {
            "sending the request failed"
        };
        match self.url() {
            Some(url) => write!(f, "{what} to {url}: {}", self.root_cause()),
            None => write!(f, "{what}: {}", self.root_cause()),
        }
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("connect", &self.is_connect())
            .field("timeout", &self.is_timeout())
            .field("body", &self.is_body())
            .field("url", &self.url())
            .field("cause", &self.root_cause())
            .finish()
    }
}

// The cause is in the text; not a `source()` too, or a printed chain would repeat it.
impl std::error::Error for TransportError {}
