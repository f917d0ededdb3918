//! An error the API answered with: a non-2xx response, or an `error` event in a stream.

use std::fmt;
use std::time::Duration;

use super::ApiErrorKind;
use crate::messages::RateLimits;

/// What the API said went wrong, with the facts a caller acts on.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::error::{ApiError, ApiErrorKind};
/// use chat_anthropic::Error;
/// let err = Error::Api(ApiError::new(ApiErrorKind::RateLimit, "Slow down").with_status(429).with_retry_after(Duration::from_secs(90)));
/// assert_eq!(err.status(), Some(429));
/// assert_eq!(err.retry_after(), Some(Duration::from_secs(90)));
/// assert!(err.is_retryable());
/// assert_eq!(err.to_string(), "API error 429 rate_limit_error: Slow down");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: Option<u16>,
    kind: ApiErrorKind,
    message: String,
    should_retry: Option<bool>,
    /// The facts not every error has, boxed: every `Result<_, Error>` a stream hands out is
    /// the size of the largest error, so this keeps each streamed event and update small.
    details: Option<Box<Details>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Details {
    request_id: Option<String>,
    retry_after: Option<Duration>,
    rate_limits: Option<RateLimits>,
}

impl ApiError {
    /// An error of `kind` with the API's `message` (no status: as an `error` event).
    pub fn new(kind: ApiErrorKind, message: impl Into<String>) -> Self {
        Self {
            status: None,
            kind,
            message: message.into(),
            should_retry: None,
            details: None,
        }
    }

    /// With the HTTP status of the response.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The rarer facts, allocated when the first of them is set.
    fn details_mut(&mut self) -> &mut Details {
        self.details.get_or_insert_with(Box::default)
    }

    /// With the `request-id` the API sent.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.details_mut().request_id = Some(request_id.into());
        self
    }

    /// With the wait the server asked for (`retry-after-ms` / `retry-after`).
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.details_mut().retry_after = Some(after);
        self
    }

    /// With the `request-id` and rate-limit headers of the response it came from.
    pub fn with_rate_limits(mut self, rate_limits: RateLimits) -> Self {
        self.details_mut().rate_limits = Some(rate_limits);
        self
    }

    /// The response's `request-id` and `anthropic-ratelimit-*` headers, typed (`None` for an
    /// `error` event inside a stream: the stream's own are on the
    /// [`ChatStream`](crate::ChatStream::rate_limits)).
    pub fn rate_limits(&self) -> Option<&RateLimits> {
        self.details.as_ref()?.rate_limits.as_ref()
    }

    /// With the server's `x-should-retry` verdict, which overrides the status.
    pub fn with_should_retry(mut self, should_retry: bool) -> Self {
        self.should_retry = Some(should_retry);
        self
    }

    /// The HTTP status (`None` for an `error` event inside a 200 stream).
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The error type.
    pub fn kind(&self) -> &ApiErrorKind {
        &self.kind
    }

    /// The API's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `request-id`, to quote to Anthropic's support.
    pub fn request_id(&self) -> Option<&str> {
        self.details.as_ref()?.request_id.as_deref()
    }

    /// The wait the server asked for, as it asked (the client caps its own sleep at 60 s but
    /// reports the server's value here).
    pub fn retry_after(&self) -> Option<Duration> {
        self.details.as_ref()?.retry_after
    }

    /// The server's `x-should-retry` header, when it sent one.
    pub fn should_retry(&self) -> Option<bool> {
        self.should_retry
    }

    /// Whether sending the request again may succeed: `x-should-retry` when the server sent
    /// it, else 408, 409, 429 and 5xx; for an `error` event (no status), the transient kinds
    /// (overloaded, api, rate limit, timeout).
    pub fn is_retryable(&self) -> bool {
        if let Some(verdict) = self.should_retry {
            return verdict;
        }
        match self.status {
            Some(status) => matches!(status, 408 | 409 | 429 | 500..=599),
            None => matches!(
                self.kind,
                ApiErrorKind::Overloaded
                    | ApiErrorKind::Api
                    | ApiErrorKind::RateLimit
                    | ApiErrorKind::Timeout
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            status,
            kind,
            message,
            ..
        } = self;
        match status {
            Some(status) => write!(f, "API error {status} {kind}: {message}")?,
            None => write!(f, "API error event {kind}: {message}")?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request-id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_retry_overrides_the_status_both_ways() {
        let err =
            |status| ApiError::new(ApiErrorKind::from_status(status), "x").with_status(status);
        assert!(err(500).is_retryable());
        assert!(!err(500).with_should_retry(false).is_retryable());
        assert!(!err(400).is_retryable());
        assert!(err(400).with_should_retry(true).is_retryable());
    }

    #[test]
    fn error_events_are_retryable_when_transient() {
        assert!(ApiError::new(ApiErrorKind::Overloaded, "x").is_retryable());
        assert!(ApiError::new(ApiErrorKind::Api, "x").is_retryable());
        assert!(!ApiError::new(ApiErrorKind::InvalidRequest, "x").is_retryable());
    }
}
