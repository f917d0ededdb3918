//! A timeout that ran out, and what was being awaited.

use std::fmt;
use std::time::Duration;

/// What the client was waiting for when a timeout ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the connection (TCP and TLS): `connect_timeout`.
    Connect,
    /// The response's status and headers after the request was sent: the idle `timeout`.
    ResponseHeaders,
    /// The next bytes of a response body (an event stream, an error body, a JSON body): the
    /// idle `timeout`, reset by every byte.
    Body,
    /// A content-bearing event of a stream (`ping`s and comments do not count):
    /// `stall_timeout`.
    Content,
}

impl TimeoutPhase {
    /// Whether nothing of a response had arrived, so a retry cannot double-bill.
    pub fn is_before_response(self) -> bool {
        matches!(self, Self::Connect | Self::ResponseHeaders)
    }
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connection",
            Self::ResponseHeaders => "response headers",
            Self::Body => "response body bytes",
            Self::Content => "content-bearing event (pings do not count)",
        })
    }
}

/// A timeout that ran out.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::error::{TimeoutError, TimeoutPhase};
/// use chat_anthropic::Error;
/// let err = Error::Timeout(TimeoutError::new(TimeoutPhase::Connect, Duration::from_secs(10)));
/// assert!(err.is_timeout() && err.is_retryable());
/// assert_eq!(err.to_string(), "timed out: no connection within 10s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutError {
    phase: TimeoutPhase,
    after: Duration,
}

impl TimeoutError {
    /// Waiting for `phase` ran out after `after`.
    pub fn new(phase: TimeoutPhase, after: Duration) -> Self {
        Self { phase, after }
    }

    /// What was awaited.
    pub fn phase(&self) -> TimeoutPhase {
        self.phase
    }

    /// The limit that ran out.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out: no {} within {:?}", self.phase, self.after)
    }
}

impl std::error::Error for TimeoutError {}
