//! HTTP: sending a request with retries, and the response body as a byte stream.
//!
//! Retries happen only before the first byte of a response body: once a stream has begun,
//! the generation is running (and billed), so a failure then is returned, never retried.

mod api_error;
mod retry;

use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::Response;

use crate::error::Error;

/// A response body: bytes, or the error that ended them (an idle timeout, a broken
/// connection).
pub(crate) type Body = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// One POST, ready to send as many times as retries need.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// How to send.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendPolicy {
    pub(crate) max_retries: u32,
    /// The longest wait for response headers, and later between body bytes.
    pub(crate) idle_timeout: Option<Duration>,
}

/// Sends `request`, retrying connection failures, header timeouts, 408, 409, 429 and 5xx
/// (or whatever `x-should-retry` says), waiting as the server asks or with jittered
/// exponential back-off. Returns the first 2xx response, or the last error.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: &Prepared,
    policy: SendPolicy,
) -> Result<Response, Error> {
    send_with(policy, || {
        let attempt = http
            .post(&request.url)
            .headers(request.headers.clone())
            .body(request.body.clone());
        std::future::ready(Ok(attempt))
    })
    .await
}

/// [`send`] for any request: `build` makes each attempt afresh (a new body stream, a fresh
/// signature or token), so every retry sends what a first attempt would.
pub(crate) async fn send_with<F, Fut>(policy: SendPolicy, mut build: F) -> Result<Response, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<reqwest::RequestBuilder, Error>>,
{
    let mut retry = 0;
    loop {
        let attempt = build().await?.send();
        let outcome = match policy.idle_timeout {
            Some(after) => match tokio::time::timeout(after, attempt).await {
                Ok(result) => result.map_err(Error::from),
                Err(_) => Err(Error::Timeout {
                    phase: "response",
                    after,
                }),
            },
            None => attempt.await.map_err(Error::from),
        };
        let (error, delay) = match outcome {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) => {
                let status = response.status().as_u16();
                let retryable = retry::should_retry(status, response.headers());
                let server_delay = retry::server_delay(response.headers());
                let error = api_error::from_response(response).await;
                if !retryable {
                    return Err(error);
                }
                (error, server_delay)
            }
            Err(error) => (error, None),
        };
        if retry >= policy.max_retries {
            return Err(error);
        }
        let delay = delay.unwrap_or_else(|| retry::backoff(retry));
        tracing::warn!(
            retry = retry + 1,
            max_retries = policy.max_retries,
            delay_ms = delay.as_millis() as u64,
            %error,
            "retrying request"
        );
        tokio::time::sleep(delay).await;
        retry += 1;
        crate::telemetry::record_retries(retry);
    }
}

/// The body of a 2xx response as a byte stream, with the idle timeout between chunks.
pub(crate) fn body(response: Response, idle_timeout: Option<Duration>) -> Body {
    let bytes = response
        .bytes_stream()
        .map(|chunk| chunk.map_err(Error::from));
    match idle_timeout {
        None => Box::pin(bytes),
        Some(after) => Box::pin(
            tokio_stream::StreamExt::timeout(bytes, after).map(move |item| {
                item.unwrap_or(Err(Error::Timeout {
                    phase: "data",
                    after,
                }))
            }),
        ),
    }
}

/// Reads a whole JSON response (for `count_tokens`), within the idle timeout.
pub(crate) async fn json<T: serde::de::DeserializeOwned>(
    response: Response,
    idle_timeout: Option<Duration>,
) -> Result<T, Error> {
    let read = response.bytes();
    let bytes = match idle_timeout {
        Some(after) => tokio::time::timeout(after, read)
            .await
            .map_err(|_| Error::Timeout {
                phase: "data",
                after,
            })??,
        None => read.await?,
    };
    serde_json::from_slice(&bytes).map_err(|source| {
        Error::Decode(crate::error::EventDecodeError {
            event: "response".into(),
            data: String::from_utf8_lossy(&bytes).into_owned(),
            source,
        })
    })
}
