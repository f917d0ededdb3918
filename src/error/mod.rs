//! The crate's error type.

mod api_kind;
mod content;
mod decode;
mod platform;
mod protocol;

use std::time::Duration;

pub use api_kind::ApiErrorKind;
pub use content::ContentError;
pub use decode::EventDecodeError;
pub use platform::{PlatformError, PlatformErrorKind};
pub use protocol::ProtocolError;

use crate::messages::AIMessage;
use crate::sse::SseError;

/// Everything that can go wrong, in one enum a caller can match on, with predicates to ask
/// (`is_retryable`, `is_timeout`, `status`, `request_id`, `partial_message`).
///
/// A failure after content started streaming is an [`Error::Stream`]: it wraps the cause and
/// carries the partial message assembled so far, so nothing already received is lost.
///
/// ```
/// use chat_anthropic::{AIMessage, ApiErrorKind, Error};
/// let cause = Error::Api {
///     status: Some(529), kind: ApiErrorKind::Overloaded, message: "Overloaded".into(),
///     request_id: None, retry_after: None,
/// };
/// let err = Error::Stream { source: Box::new(cause), partial: Box::new(AIMessage::new("Hel")) };
/// assert_eq!(err.partial_message().unwrap().text(), "Hel");
/// assert!(!err.is_retryable(), "a retry after the first byte would bill a second generation");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error: a non-2xx response, or an `error` event in a stream.
    #[error("{}", api_display(*.status, kind, message, request_id.as_deref()))]
    Api {
        /// The HTTP status (`None` for an `error` event inside a 200 stream).
        status: Option<u16>,
        /// The error type.
        kind: ApiErrorKind,
        /// The API's message.
        message: String,
        /// The `request-id` header, to quote to Anthropic's support.
        request_id: Option<String>,
        /// How long the API asked to wait before retrying.
        retry_after: Option<Duration>,
    },
    /// The stream broke after content had started; `partial` is what arrived before.
    #[error("stream failed: {source}")]
    Stream {
        /// What went wrong.
        source: Box<Error>,
        /// The message assembled from the events received before the failure.
        partial: Box<AIMessage>,
    },
    /// Events out of the order the API streams in.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// An event whose JSON payload could not be parsed.
    #[error(transparent)]
    Decode(#[from] EventDecodeError),
    /// Bytes that are not a valid event stream.
    #[error("invalid event stream: {0}")]
    Sse(#[from] SseError),
    /// No byte arrived within the timeout.
    #[error("timed out: no {phase} within {after:?}")]
    Timeout {
        /// What was awaited: `"connection"`, `"response"` or `"data"`.
        phase: &'static str,
        /// The limit that ran out.
        after: Duration,
    },
    /// The HTTP connection failed.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// Reading a local source (a recorded stream) failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A prompt template could not be formatted.
    #[error(transparent)]
    Prompt(#[from] crate::prompt::PromptError),
    /// The reply did not hold the structured value asked for
    /// ([`with_structured_output`](crate::ChatAnthropic::with_structured_output)).
    #[error("structured output: {message}")]
    Structured {
        /// Why no value could be read from the reply.
        message: String,
        /// The reply as it came.
        raw: Box<AIMessage>,
    },
    /// A content block the API would refuse (an unsupported media type, a malformed data
    /// URL), caught before sending.
    #[error("invalid content: {0}")]
    Content(#[from] ContentError),
    /// The Models or Files endpoints, or a credential provider, failed
    /// ([`PlatformError::kind`] says how).
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// The client is misconfigured (e.g. no API key).
    #[error("configuration error: {0}")]
    Config(String),
}

fn api_display(
    status: Option<u16>,
    kind: &ApiErrorKind,
    message: &str,
    request_id: Option<&str>,
) -> String {
    let mut out = match status {
        Some(status) => format!("API error {status} {kind}: {message}"),
        None => format!("API error event {kind}: {message}"),
    };
    if let Some(id) = request_id {
        out.push_str(&format!(" (request-id {id})"));
    }
    out
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Error {
    /// The cause, looking through [`Error::Stream`].
    pub fn root(&self) -> &Error {
        match self {
            Self::Stream { source, .. } => source.root(),
            other => other,
        }
    }

    /// Whether sending the same request again may succeed. Never true once a stream has
    /// started: a retry then would start (and bill) a second generation.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api {
                status: Some(status),
                ..
            } => matches!(status, 408 | 409 | 429 | 500..=599),
            // Outside a stream these happened before any response byte.
            Self::Transport(_) => true,
            Self::Timeout { phase, .. } => *phase != "data",
            _ => false,
        }
    }

    /// Whether a timeout ran out.
    pub fn is_timeout(&self) -> bool {
        match self.root() {
            Self::Timeout { .. } => true,
            Self::Transport(err) => err.is_timeout(),
            _ => false,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            Self::Api { status, .. } => *status,
            Self::Transport(err) => err.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The API error type, for API errors and `error` events.
    pub fn api_kind(&self) -> Option<&ApiErrorKind> {
        match self.root() {
            Self::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// The `request-id` of the failed request, when the API sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self.root() {
            Self::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// How long the API asked to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.root() {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The message assembled before a stream failed.
    pub fn partial_message(&self) -> Option<&AIMessage> {
        match self {
            Self::Stream { partial, .. } => Some(partial),
            _ => None,
        }
    }
}
