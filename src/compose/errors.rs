//! Which errors a wrapper acts on: a predicate over [`Error`], with presets.

use std::fmt;
use std::sync::Arc;

use crate::error::{ApiErrorKind, Error, ProtocolError};

/// A predicate over the crate's [`Error`]: which errors [`WithFallbacks`](super::WithFallbacks)
/// moves on from, and which [`RetryPolicy`](super::RetryPolicy) retries. Presets combine with
/// [`or`](Self::or); [`new`](Self::new) takes any function.
///
/// Every preset looks through a stream failure to its cause ([`Error::root`]): an
/// `overloaded_error` event before any content matches [`overloaded`](Self::overloaded) as a
/// 529 response does.
///
/// ```
/// use chat_anthropic::compose::ErrorFilter;
/// use chat_anthropic::error::{ApiError, ApiErrorKind};
/// use chat_anthropic::Error;
/// let overloaded = Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"));
/// let bad_request = Error::Api(ApiError::new(ApiErrorKind::InvalidRequest, "no"));
/// let filter = ErrorFilter::default_fallback();
/// assert!(filter.matches(&overloaded));
/// assert!(!filter.matches(&bad_request));
/// let custom = ErrorFilter::new("bad requests", |e| e.api_kind() == Some(&ApiErrorKind::InvalidRequest));
/// assert!(ErrorFilter::overloaded().or(custom).matches(&bad_request));
/// ```
#[derive(Clone)]
pub struct ErrorFilter {
    name: Arc<str>,
    test: Arc<dyn Fn(&Error) -> bool + Send + Sync>,
}

impl ErrorFilter {
    /// A filter named `name` (for `Debug` and logs) that matches when `test` says so.
    pub fn new(
        name: impl Into<String>,
        test: impl Fn(&Error) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: Arc::from(name.into()),
            test: Arc::new(test),
        }
    }

    /// Whether `error` matches.
    pub fn matches(&self, error: &Error) -> bool {
        (self.test)(error)
    }

    /// Matches what either filter matches.
    pub fn or(self, other: ErrorFilter) -> Self {
        let name = format!("{} | {}", self.name, other.name);
        Self::new(name, move |error| {
            self.matches(error) || other.matches(error)
        })
    }

    /// What a fallback is taken on by default: [`overloaded`](Self::overloaded),
    /// [`server_errors`](Self::server_errors), [`timeouts`](Self::timeouts),
    /// [`connection`](Self::connection) failures and [`rate_limited`](Self::rate_limited)
    /// (each after the model's own retries). Not: invalid requests, authentication,
    /// permissions, a missing model, a request too large, configuration errors.
    pub fn default_fallback() -> Self {
        Self::overloaded()
            .or(Self::server_errors())
            .or(Self::timeouts())
            .or(Self::connection())
            .or(Self::rate_limited())
    }

    /// `overloaded_error` (529), as a response or an `error` event.
    pub fn overloaded() -> Self {
        Self::new("overloaded", |error| {
            error.api_kind() == Some(&ApiErrorKind::Overloaded) || error.status() == Some(529)
        })
    }

    /// Any 5xx, and the API's `api_error`, `timeout_error` and `overloaded_error` events.
    pub fn server_errors() -> Self {
        Self::new("server errors", |error| {
            error
                .status()
                .is_some_and(|status| (500..=599).contains(&status))
                || matches!(
                    error.api_kind(),
                    Some(ApiErrorKind::Api | ApiErrorKind::Timeout | ApiErrorKind::Overloaded)
                )
        })
    }

    /// `rate_limit_error` (429).
    pub fn rate_limited() -> Self {
        Self::new("rate limited", |error| {
            error.api_kind() == Some(&ApiErrorKind::RateLimit) || error.status() == Some(429)
        })
    }

    /// A timeout in any phase (connect, response, idle read, stalled content).
    pub fn timeouts() -> Self {
        Self::new("timeouts", Error::is_timeout)
    }

    /// A failed or dropped connection, and a stream that ended before `message_stop`.
    pub fn connection() -> Self {
        Self::new("connection failures", |error| {
            matches!(
                error.root(),
                Error::Transport(_) | Error::Protocol(ProtocolError::Incomplete)
            )
        })
    }

    /// What [`Error::is_retryable`] says may succeed if sent again: the server's
    /// `x-should-retry`, else 408, 409, 429, 5xx, connection failures, timeouts before the
    /// response, and a stream that broke before any content with a transient cause. A stream
    /// that broke after content does not match (a retry would bill a second generation).
    pub fn retryable() -> Self {
        Self::new("retryable", Error::is_retryable)
    }

    /// Every error.
    pub fn any() -> Self {
        Self::new("any", |_| true)
    }
}

impl Default for ErrorFilter {
    /// [`default_fallback`](Self::default_fallback).
    fn default() -> Self {
        Self::default_fallback()
    }
}

impl fmt::Debug for ErrorFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ErrorFilter").field(&self.name).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, StreamError, TimeoutError, TimeoutPhase};
    use crate::messages::AIMessage;

    fn api(kind: ApiErrorKind) -> Error {
        Error::Api(ApiError::new(kind, "m"))
    }

    #[test]
    fn the_default_fallback_matches_overload_5xx_timeouts_connections_and_429_only() {
        let filter = ErrorFilter::default_fallback();
        for kind in [
            ApiErrorKind::Overloaded,
            ApiErrorKind::Api,
            ApiErrorKind::Timeout,
            ApiErrorKind::RateLimit,
        ] {
            assert!(filter.matches(&api(kind.clone())), "{kind:?}");
        }
        for kind in [
            ApiErrorKind::InvalidRequest,
            ApiErrorKind::Authentication,
            ApiErrorKind::Permission,
            ApiErrorKind::NotFound,
            ApiErrorKind::RequestTooLarge,
        ] {
            assert!(!filter.matches(&api(kind.clone())), "{kind:?}");
        }
        let timeout = Error::Timeout(TimeoutError::new(
            TimeoutPhase::Connect,
            std::time::Duration::from_secs(1),
        ));
        assert!(filter.matches(&timeout));
        let early_end = Error::Stream(StreamError::new(
            ProtocolError::Incomplete.into(),
            AIMessage::default(),
        ));
        assert!(filter.matches(&early_end));
        let config = Error::config(crate::error::ConfigReason::InvalidSetting, "x");
        assert!(!filter.matches(&config));
    }

    #[test]
    fn presets_look_through_a_stream_failure_and_retryable_stops_at_content() {
        let before = Error::Stream(StreamError::new(
            api(ApiErrorKind::Overloaded),
            AIMessage::default(),
        ));
        let after = Error::Stream(StreamError::new(
            api(ApiErrorKind::Overloaded),
            AIMessage::new("Hel"),
        ));
        assert!(ErrorFilter::overloaded().matches(&before));
        assert!(ErrorFilter::overloaded().matches(&after));
        assert!(ErrorFilter::retryable().matches(&before));
        assert!(!ErrorFilter::retryable().matches(&after));
        assert_eq!(
            format!("{:?}", ErrorFilter::overloaded().or(ErrorFilter::any())),
            "ErrorFilter(\"overloaded | any\")"
        );
    }
}
