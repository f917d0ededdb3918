//! Responses a Messages call never gets: a redirect, a 2xx that is not an event stream.

use std::fmt;

#[cfg(feature = "client")]
/// A 3xx answer. The API never redirects, and following one would send the key and the
/// request to another address, so it is not followed.
///
/// ```
/// use chat_anthropic::error::RedirectError;
/// let err = RedirectError::new(307, Some("http://elsewhere.example/v1/messages?k=1".into()));
/// assert_eq!(err.location(), Some("http://elsewhere.example/v1/messages"));
/// assert!(err.to_string().contains("307"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    status: u16,
    location: Option<String>,
}

#[cfg(feature = "client")]
impl RedirectError {
    /// A `status` redirect to `location` (stripped of user-info and query).
    pub fn new(status: u16, location: Option<String>) -> Self {
        Self {
            status,
            location: location.map(|url| super::redact::url_for_errors(&url)),
        }
    }

    /// The 3xx status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Where the server pointed (without user-info or query).
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

#[cfg(feature = "client")]
impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server redirected ({}) to ", self.status)?;
        match &self.location {
            Some(location) => write!(f, "{location}")?,
            None => f.write_str("no location")?,
        }
        f.write_str("; not followed: the API never redirects, check the base URL")
    }
}

#[cfg(feature = "client")]
impl std::error::Error for RedirectError {}

/// A 2xx response that is not the event stream asked for (an HTML proxy page, a JSON body,
/// an unexpected `content-encoding`). Keeps the start of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotEventStreamError {
    status: u16,
    // Boxed strings (no spare capacity kept): every `Result<_, Error>` is the size of the
    // largest error, so each streamed event and update stays small.
    content_type: Option<Box<str>>,
    content_encoding: Option<Box<str>>,
    body_start: Box<str>,
}

/// How much of the body is kept.
pub(crate) const BODY_START_LIMIT: usize = 1024;

impl NotEventStreamError {
    /// A `status` response of `content_type` whose body starts with `body_start` (cut at
    /// 1 KiB).
    pub fn new(
        status: u16,
        content_type: Option<String>,
        content_encoding: Option<String>,
        body_start: &[u8],
    ) -> Self {
        let kept = &body_start[..body_start.len().min(BODY_START_LIMIT)];
        Self {
            status,
            content_type: content_type.map(String::into_boxed_str),
            content_encoding: content_encoding.map(String::into_boxed_str),
            body_start: String::from_utf8_lossy(kept).into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `content-type` the server sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The `content-encoding` the server sent, if any.
    pub fn content_encoding(&self) -> Option<&str> {
        self.content_encoding.as_deref()
    }

    /// The first KiB of the body (lossy UTF-8).
    pub fn body_start(&self) -> &str {
        &self.body_start
    }
}

impl fmt::Display for NotEventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected an event stream, got a {} response of type ",
            self.status
        )?;
        match &self.content_type {
            Some(kind) => write!(f, "{kind:?}")?,
            None => f.write_str("(none)")?,
        }
        if let Some(encoding) = &self.content_encoding {
            write!(f, " encoded {encoding:?}")?;
        }
        let preview: String = self.body_start.chars().take(200).collect();
        write!(f, "; body starts: {preview:?}")
    }
}

impl std::error::Error for NotEventStreamError {}
