//! HTTP: sending a request with retries, and the response body as a byte stream.
//!
//! Retries happen only before the first byte of a response body: once a stream has begun,
//! the generation is running (and billed), so a failure then is returned, never retried here
//! (see `chat_stream::resend` for the one exception, before any content).
//! Redirects are never followed (the API never redirects; following one would send the key
//! elsewhere). Every body read is under the idle timeout and bounded in size.

mod api_error;
mod cleartext;
mod idle;
pub(crate) mod limiter;
mod local;
mod read;
mod retry;
pub(crate) mod tls;

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use reqwest::header::{HeaderMap, CONTENT_ENCODING, CONTENT_TYPE, LOCATION};

pub(crate) use local::Response;
use local::{local, unwrap_local};

use crate::error::{
    ConfigError, ConfigReason, Error, EventDecodeError, NotEventStreamError, RedirectError,
    TimeoutError, TimeoutPhase, TransportError, BODY_START_LIMIT,
};

/// A response body: bytes, or the error that ended them (an idle timeout, a broken
/// connection).
pub(crate) type Body = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// Signs one attempt (Bedrock's SigV4): given the URL and body, adds headers. Called for
/// every attempt, so a retry carries a fresh signature.
pub(crate) type Signer =
    Arc<dyn Fn(&str, &mut HeaderMap, &[u8]) -> Result<(), Error> + Send + Sync>;

/// One POST, ready to send as many times as retries need.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) signer: Option<Signer>,
}

impl Prepared {
    /// The headers of one attempt: signed now, when a signer is set.
    pub(crate) fn attempt_headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = self.headers.clone();
        if let Some(sign) = &self.signer {
            sign(&self.url, &mut headers, &self.body)?;
        }
        Ok(headers)
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("url", &crate::error::redact::url_for_errors(&self.url))
            .field("headers", &self.headers)
            .field("body_bytes", &self.body.len())
            .field("signed", &self.signer.is_some())
            .finish()
    }
}

/// How to send.
#[derive(Debug, Clone)]
pub(crate) struct SendPolicy {
    pub(crate) max_retries: u32,
    /// The longest wait for response headers, and later between body bytes.
    pub(crate) idle_timeout: Option<Duration>,
    /// The longest wait to connect (set on the HTTP client; here to name it in errors).
    pub(crate) connect_timeout: Duration,
    /// Told about every response (rate-limit headers, 429s), shared by a model's clones.
    pub(crate) limiter: Option<std::sync::Arc<limiter::RateLimiter>>,
}

/// Sends `request`, retrying connection failures, header timeouts, 408, 409, 429 and 5xx
/// (or whatever `x-should-retry` says), waiting as the server asks (at most 60 s) or with
/// jittered exponential back-off. `retry` counts the retries spent so far (shared with
/// re-sends of a stream that failed before content). Returns the first 2xx response, or the
/// last error; a redirect is an error, never retried.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: &Prepared,
    policy: &SendPolicy,
    retry: &mut u32,
) -> Result<Response, Error> {
    // Waits while the organisation's budget (as the last response reported it) is spent.
    let _admission = match &policy.limiter {
        Some(limiter) => Some(limiter.admit(limiter::estimate_tokens(&request.body)).await),
        None => None,
    };
    send_with(policy, &request.url, retry, || {
        let attempt = request.attempt_headers().map(|headers| {
            http.post(&request.url)
                .headers(headers)
                .body(request.body.clone())
        });
        std::future::ready(attempt)
    })
    .await
}

/// [`send`] for any request to `url`: `build` makes each attempt afresh (any method, a new
/// body stream, a fresh signature or token), so every retry sends what a first attempt would.
pub(crate) async fn send_with<F, Fut>(
    policy: &SendPolicy,
    url: &str,
    retry: &mut u32,
    mut build: F,
) -> Result<Response, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::RequestBuilder, Error>>,
{
    cleartext::warn_if_cleartext(url);
    loop {
        let attempt = local(build().await?.send());
        let outcome = match policy.idle_timeout {
            Some(after) => match crate::clock::timeout(after, attempt).await {
                Ok(result) => result.map(local).map_err(|err| classify(err, policy)),
                Err(_) => Err(TimeoutError::new(TimeoutPhase::ResponseHeaders, after).into()),
            },
            None => attempt
                .await
                .map(local)
                .map_err(|err| classify(err, policy)),
        };
        if let (Ok(response), Some(limiter)) = (&outcome, &policy.limiter) {
            limiter.observe(response.status().as_u16(), response.headers());
        }
        let (error, server_delay) = match outcome {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) if response.status().is_redirection() => {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                return Err(RedirectError::new(response.status().as_u16(), location).into());
            }
            Ok(response) => {
                let error = api_error::from_response(response, policy.idle_timeout).await;
                let server_delay = error.retry_after();
                (error, server_delay)
            }
            Err(error) => (error, None),
        };
        if !error.is_retryable() || *retry >= policy.max_retries {
            return Err(error);
        }
        let delay = retry::delay(server_delay, *retry);
        *retry += 1;
        tracing::warn!(
            retry = *retry,
            max_retries = policy.max_retries,
            delay_ms = delay.as_millis() as u64,
            %error,
            "retrying request"
        );
        crate::clock::sleep(delay).await;
        crate::telemetry::record_retries(*retry);
    }
}

/// The one way this crate builds an HTTP client (the model's, the credential fetches'):
/// never following a redirect (the API never redirects; following one would send the key
/// elsewhere), with the crate's user agent. A client that cannot be built is an error, never
/// a default client with another redirect policy. TLS as `tls` says, through the backend the
/// crate's features choose ([`tls::configure`]).
///
/// In wasm32 the client is the browser's `fetch`, which does TLS, sets its own user agent,
/// has no connect phase of its own (the wait for the response headers covers it) and follows
/// redirects itself (README: "In the browser").
pub(crate) fn http_client(
    connect_timeout: Duration,
    tls: &tls::TlsSettings,
) -> Result<reqwest::Client, ConfigError> {
    let builder = tls::configure(reqwest::Client::builder(), tls)?;
    #[cfg(not(target_arch = "wasm32"))]
    let builder = builder
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("chat-anthropic/", env!("CARGO_PKG_VERSION")));
    #[cfg(target_arch = "wasm32")]
    let _ = connect_timeout;
    builder.build().map_err(|e| {
        ConfigError::new(
            ConfigReason::InvalidSetting,
            format!(
                "the HTTP client cannot be built: {}",
                TransportError::new(e)
            ),
        )
    })
}

/// The jittered back-off (or the server's wait, capped) before retry number `retry`.
pub(crate) fn retry_delay(server: Option<Duration>, retry: u32) -> Duration {
    retry::delay(server, retry)
}

/// A reqwest error as ours: a malformed request is a configuration error (never retried), a
/// connect timeout a [`TimeoutPhase::Connect`] timeout, anything else a transport error.
fn classify(err: reqwest::Error, policy: &SendPolicy) -> Error {
    if err.is_builder() {
        let err = TransportError::new(err);
        return Error::config(
            ConfigReason::InvalidSetting,
            format!("the request cannot be built ({err}); check the base URL and headers"),
        );
    }
    if connect_timed_out(&err) {
        return TimeoutError::new(TimeoutPhase::Connect, policy.connect_timeout).into();
    }
    TransportError::new(err).into()
}

/// Whether the connect timeout ran out. The browser's `fetch` (wasm32) has none: there the
/// wait for the response headers covers connecting.
fn connect_timed_out(err: &reqwest::Error) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        err.is_connect() && err.is_timeout()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = err;
        false
    }
}

/// The body of a 2xx response as a byte stream, with the idle timeout between chunks, after
/// checking that it is an event stream of `content_type` (e.g. `text/event-stream`): anything
/// else (an HTML page from a proxy, a JSON body, a compressed body) is an error that names
/// what came and keeps its first KiB.
pub(crate) async fn event_stream(
    response: Response,
    content_type: &str,
    idle_timeout: Option<Duration>,
) -> Result<Body, Error> {
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let got_type = header(CONTENT_TYPE);
    let encoding = header(CONTENT_ENCODING).filter(|e| !e.eq_ignore_ascii_case("identity"));
    let essence = got_type
        .as_deref()
        .and_then(|t| t.split(';').next())
        .map(str::trim);
    if !essence.is_some_and(|t| t.eq_ignore_ascii_case(content_type)) || encoding.is_some() {
        let status = response.status().as_u16();
        let start = read::prefix(response, BODY_START_LIMIT, idle_timeout)
            .await
            .map(|prefix| prefix.bytes)
            .unwrap_or_default();
        return Err(NotEventStreamError::new(status, got_type, encoding, &start).into());
    }
    Ok(body(response, idle_timeout))
}

/// The body of a 2xx response as a byte stream, with the idle timeout between chunks.
pub(crate) fn body(response: Response, idle_timeout: Option<Duration>) -> Body {
    idle::with_idle_timeout(local(unwrap_local(response).bytes_stream()), idle_timeout)
}

/// The most of a JSON response (`count_tokens`) that is read.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Reads a whole JSON response (for `count_tokens`): each chunk within the idle timeout, at
/// most 1 MiB.
pub(crate) async fn json<T: serde::de::DeserializeOwned>(
    response: Response,
    idle_timeout: Option<Duration>,
) -> Result<T, Error> {
    let body = read::prefix(response, JSON_BODY_LIMIT, idle_timeout).await?;
    serde_json::from_slice(&body.bytes).map_err(|cause| {
        let mut data = String::from_utf8_lossy(&body.bytes).into_owned();
        if !body.complete {
            data.push_str(&format!(
                "… (the body exceeds {JSON_BODY_LIMIT} bytes and was not read further)"
            ));
        }
        EventDecodeError::new("response", data, cause).into()
    })
}

/// A header map from `(name, value)` pairs, for tests.
#[cfg(test)]
pub(crate) fn test_headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    map
}
