//! The crate's error type: one `#[non_exhaustive]` enum to match on, each variant wrapping a
//! small type with accessors, and predicates on the whole.

mod api;
mod api_kind;
mod config;
mod decode;
mod platform;
mod protocol;
#[cfg(feature = "client")]
pub(crate) mod redact;
mod request;
mod response;
mod stream;
mod structured;
mod timeout;
#[cfg(feature = "client")]
mod transport;

use std::time::Duration;

pub use crate::messages::ContentError;
pub use api::ApiError;
pub use api_kind::ApiErrorKind;
pub use config::{ConfigError, ConfigReason};
pub use decode::EventDecodeError;
pub use platform::{PlatformError, PlatformErrorKind};
pub use protocol::ProtocolError;
pub use request::{RequestError, SchemaRule};
pub use response::NotEventStreamError;
#[cfg(feature = "client")]
pub use response::RedirectError;
#[cfg(feature = "client")]
pub(crate) use response::BODY_START_LIMIT;
pub use stream::StreamError;
pub use structured::StructuredError;
pub use timeout::{TimeoutError, TimeoutPhase};
#[cfg(feature = "client")]
pub use transport::TransportError;

use crate::messages::AIMessage;
use crate::sse::SseError;

/// Everything that can go wrong, in one enum a caller can match on, with predicates to ask
/// (`is_retryable`, `is_timeout`, `status`, `request_id`, `retry_after`, `partial_message`,
/// `api_kind`, `root`).
///
/// A failure after a stream started is an [`Error::Stream`]: it wraps the cause and carries
/// the partial message assembled so far, so nothing already received is lost. Every error's
/// text states the root cause once (no error is both printed and returned as `source()`).
///
/// ```
/// use chat_anthropic::error::{ApiError, ApiErrorKind, StreamError};
/// use chat_anthropic::{AIMessage, Error};
/// let cause = Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"));
/// let err = Error::Stream(StreamError::new(cause, AIMessage::new("Hel")));
/// assert_eq!(err.partial_message().unwrap().text(), "Hel");
/// assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
/// assert!(!err.is_retryable(), "a retry after content arrived would bill a second generation");
/// match err.root() {
///     Error::Api(api) => assert_eq!(api.message(), "Overloaded"),
///     other => panic!("{other}"),
/// }
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error: a non-2xx response, or an `error` event in a stream.
    #[error(transparent)]
    Api(ApiError),
    /// The stream broke after it started; the partial message is kept.
    #[error(transparent)]
    Stream(StreamError),
    /// Events out of the order the API streams in.
    #[error("protocol error: {0}")]
    Protocol(ProtocolError),
    /// An event whose JSON payload could not be parsed.
    #[error(transparent)]
    Decode(EventDecodeError),
    /// Bytes that are not a valid event stream.
    #[error("invalid event stream: {0}")]
    Sse(SseError),
    /// A timeout ran out; [`TimeoutError::phase`] says what was awaited.
    #[error(transparent)]
    Timeout(TimeoutError),
    /// The HTTP connection failed.
    #[cfg(feature = "client")]
    #[error(transparent)]
    Transport(TransportError),
    /// The server answered with a redirect, which is never followed.
    #[cfg(feature = "client")]
    #[error(transparent)]
    Redirect(RedirectError),
    /// A 2xx response that is not an event stream.
    #[error(transparent)]
    NotEventStream(NotEventStreamError),
    /// Reading a local source (a recorded stream) failed.
    #[error("I/O error: {0}")]
    Io(std::io::Error),
    /// The reply did not hold the structured value asked for
    /// ([`with_structured_output`](crate::ChatAnthropic::with_structured_output)).
    #[error(transparent)]
    Structured(StructuredError),
    /// A content block the API would refuse (an unsupported media type, a malformed data
    /// URL), caught before sending.
    #[error("invalid content: {0}")]
    Content(ContentError),
    /// A request the model or the API would refuse, caught before sending.
    #[error(transparent)]
    Request(RequestError),
    /// The client cannot send: a missing or invalid setting, input the API would refuse.
    #[error(transparent)]
    Config(ConfigError),
    /// A failure of an area built on the client, boxed so that this type names no module
    /// above the layers it serves: a prompt template that could not be formatted
    /// ([`PromptError`](crate::prompt::PromptError)), a Message Batch refused before sending
    /// or failing in a batch-specific way ([`BatchError`](crate::batches::BatchError)).
    /// [`Error::area`] reads it back as its own type.
    #[error(transparent)]
    Area(Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The Models or Files endpoints, or a credential provider, failed
    /// ([`PlatformError::kind`] says how).
    #[error(transparent)]
    Platform(PlatformError),
}

/// `From` for each wrapped type, so `?` works on them.
macro_rules! from_wrapped {
    ($($(#[$attr:meta])* $variant:ident($type:ty)),* $(,)?) => {$(
        $(#[$attr])*
        impl From<$type> for Error {
            fn from(err: $type) -> Self {
                Self::$variant(err)
            }
        }
    )*};
}

from_wrapped!(
    Api(ApiError),
    Stream(StreamError),
    Protocol(ProtocolError),
    Decode(EventDecodeError),
    Sse(SseError),
    Timeout(TimeoutError),
    #[cfg(feature = "client")]
    Transport(TransportError),
    #[cfg(feature = "client")]
    Redirect(RedirectError),
    NotEventStream(NotEventStreamError),
    Io(std::io::Error),
    Structured(StructuredError),
    Content(ContentError),
    Request(RequestError),
    Config(ConfigError),
    Platform(PlatformError),
);

/// Short, as `main` prints an error it returns and `unwrap` a failure: the text and its
/// causes (a stream error's partial message left out; `partial_message()` has it). `{:#?}`
/// prints every field.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            return self.debug_fields(f);
        }
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            write!(f, "\n  caused by: {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

macro_rules! debug_fields {
    ($($(#[$attr:meta])* $variant:ident),* $(,)?) => {
        impl Error {
            /// The variant and every field of what it wraps.
            fn debug_fields(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $($(#[$attr])* Self::$variant(inner) => {
                        f.debug_tuple(stringify!($variant)).field(inner).finish()
                    })*
                }
            }
        }
    };
}

debug_fields!(
    Api,
    Stream,
    Protocol,
    Decode,
    Sse,
    Timeout,
    #[cfg(feature = "client")]
    Transport,
    #[cfg(feature = "client")]
    Redirect,
    NotEventStream,
    Io,
    Structured,
    Content,
    Request,
    Config,
    Area,
    Platform,
);

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Error {
    /// A configuration error of `reason`, explained by `message`.
    #[cfg(feature = "client")]
    pub(crate) fn config(reason: ConfigReason, message: impl Into<String>) -> Self {
        Self::Config(ConfigError::new(reason, message))
    }

    /// The cause, looking through [`Error::Stream`].
    pub fn root(&self) -> &Error {
        match self {
            Self::Stream(stream) => stream.cause().root(),
            other => other,
        }
    }

    /// Whether sending the same request again may succeed: the server's `x-should-retry`
    /// when it sent one, else 408, 409, 429, 5xx, connection failures and timeouts before
    /// the response, but not a refused TLS certificate (it refuses every attempt alike). A
    /// broken stream is retryable only if no content had arrived and its cause is transient;
    /// once content arrived a retry would start (and bill) a second generation.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => api.is_retryable(),
            #[cfg(feature = "client")]
            Self::Transport(transport) => !transport.is_certificate(),
            Self::Timeout(timeout) => timeout.phase().is_before_response(),
            Self::Stream(stream) => stream.before_content() && stream.cause().is_transient(),
            _ => false,
        }
    }

    /// Whether a stream that failed with this cause, before any content, may be re-sent: a
    /// transient `error` event, a broken connection, a timeout, an early end.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Api(api) => api.is_retryable(),
            #[cfg(feature = "client")]
            Self::Transport(_) => true,
            Self::Timeout(_) => true,
            Self::Protocol(ProtocolError::Incomplete) => true,
            _ => false,
        }
    }

    /// Whether a timeout ran out.
    pub fn is_timeout(&self) -> bool {
        match self.root() {
            Self::Timeout(_) => true,
            #[cfg(feature = "client")]
            Self::Transport(err) => err.is_timeout(),
            _ => false,
        }
    }

    /// What was awaited when a timeout ran out.
    pub fn timeout_phase(&self) -> Option<TimeoutPhase> {
        match self.root() {
            Self::Timeout(timeout) => Some(timeout.phase()),
            _ => None,
        }
    }

    /// The HTTP status of an API error, a redirect or an unexpected response.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            Self::Api(api) => api.status(),
            #[cfg(feature = "client")]
            Self::Redirect(redirect) => Some(redirect.status()),
            Self::NotEventStream(response) => Some(response.status()),
            _ => None,
        }
    }

    /// The API error type, for API errors and `error` events.
    pub fn api_kind(&self) -> Option<&ApiErrorKind> {
        match self.root() {
            Self::Api(api) => Some(api.kind()),
            _ => None,
        }
    }

    /// The `request-id` of the failed request, when the API sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self.root() {
            Self::Api(api) => api.request_id(),
            _ => None,
        }
    }

    /// How long the API asked to wait before retrying, as it asked (even beyond the 60 s
    /// the client itself waits at most).
    pub fn retry_after(&self) -> Option<Duration> {
        match self.root() {
            Self::Api(api) => api.retry_after(),
            _ => None,
        }
    }

    /// The `request-id` and rate-limit headers of the error response, typed (for a 429:
    /// which limit ran out, and when it resets).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use chat_anthropic_mock::{MockRateLimits, MockServer};
    /// let server = MockServer::start().await;
    /// server.set_rate_limits(MockRateLimits::per(Duration::from_secs(60)).requests(1));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url()).api_key("k").max_retries(0);
    /// let first = llm.invoke("Hi").await.unwrap();
    /// // A clone made without the shared limiter's knowledge: `from_config` starts afresh.
    /// let fresh = chat_anthropic::ChatAnthropic::from_config(llm.config().clone())
    ///     .base_url(server.base_url()).api_key("k");
    /// let err = fresh.invoke("Hi again").await.unwrap_err();
    /// let limits = err.rate_limits().expect("the 429 carried its headers");
    /// assert_eq!(limits.requests.unwrap().remaining, Some(0));
    /// assert!(limits.request_id.is_some());
    /// # let _ = first; }
    /// ```
    pub fn rate_limits(&self) -> Option<&crate::messages::RateLimits> {
        match self.root() {
            Self::Api(api) => api.rate_limits(),
            _ => None,
        }
    }

    /// The message assembled before a stream failed.
    pub fn partial_message(&self) -> Option<&AIMessage> {
        match self {
            Self::Stream(stream) => Some(stream.partial_message()),
            _ => None,
        }
    }

    /// An area's own error ([`Error::Area`]) as its type, e.g.
    /// [`BatchError`](crate::batches::BatchError) or [`PromptError`](crate::prompt::PromptError).
    ///
    /// ```
    /// use chat_anthropic::prompt::{ChatPromptTemplate, PromptArgs, PromptError};
    /// let template = ChatPromptTemplate::from_messages([("human", "Hi {name}")]).unwrap();
    /// let err = template.format(&PromptArgs::new()).unwrap_err();
    /// assert_eq!(err.area::<PromptError>(), Some(&PromptError::MissingVariable("name".into())));
    /// ```
    pub fn area<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self.root() {
            Self::Area(area) => area.downcast_ref(),
            _ => None,
        }
    }

    /// Why the client could not send, for a configuration error.
    pub fn config_reason(&self) -> Option<ConfigReason> {
        match self {
            Self::Config(config) => Some(config.reason()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event and update a stream hands out is a `Result<_, Error>`, as large as the
    /// largest error: the rare, large facts of an error are boxed (it was 104 bytes).
    #[test]
    fn an_error_stays_small() {
        let size = std::mem::size_of::<Error>();
        assert!(size <= 80, "Error is {size} bytes");
        let update = std::mem::size_of::<Result<crate::aggregate::StreamUpdate, Error>>();
        assert!(update <= 80, "an update's result is {update} bytes");
    }

    /// What `main` prints for an error it returns, or `unwrap` for a failure: the text, not a
    /// dump of the partial message (it was 1.4 KB for a short reply).
    #[test]
    fn debug_is_the_text_and_alternate_debug_every_field() {
        let cause = Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"));
        let partial = AIMessage::new("a long partial reply ".repeat(50));
        let err = Error::Stream(StreamError::new(cause, partial));
        assert_eq!(format!("{err:?}"), err.to_string());
        assert_eq!(
            format!("{:?}", Err::<(), _>(&err)),
            "Err(stream failed: API error event overloaded_error: Overloaded)"
        );
        let full = format!("{err:#?}");
        assert!(full.starts_with("Stream(\n    StreamError {"), "{full}");
        assert!(full.contains("a long partial reply"), "{full}");

        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let area = Error::Area(Box::new(Outer(std::io::Error::other("inner"))));
        assert_eq!(format!("{area:?}"), "outer\n  caused by: inner");
    }

    #[test]
    fn no_error_is_both_printed_and_a_source() {
        let cause = Error::Api(ApiError::new(ApiErrorKind::Api, "boom"));
        let err = Error::Stream(StreamError::new(cause, AIMessage::default()));
        assert!(std::error::Error::source(&err).is_none());
        assert_eq!(err.to_string().matches("boom").count(), 1);
    }

    #[test]
    fn a_stream_failure_before_content_is_retryable_only_if_transient() {
        let overloaded = || Error::Api(ApiError::new(ApiErrorKind::Overloaded, "o"));
        let empty = Error::Stream(StreamError::new(overloaded(), AIMessage::default()));
        assert!(empty.is_retryable());
        let started = Error::Stream(StreamError::new(overloaded(), AIMessage::new("x")));
        assert!(!started.is_retryable());
        let bad = Error::Stream(StreamError::new(
            ProtocolError::DuplicateMessageStart.into(),
            AIMessage::default(),
        ));
        assert!(!bad.is_retryable());
    }
}
