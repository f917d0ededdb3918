//! Failures of the platform services around the Messages API: the Models and Files
//! endpoints, and credentials that refresh (Vertex AI tokens, the AWS credential chain).

/// What a [`PlatformError`] is about, to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlatformErrorKind {
    /// The endpoint is not offered on the chosen platform: Message Batches, Files or Models
    /// through Vertex AI or Bedrock, token counting through Bedrock. The one error for it,
    /// whatever the endpoint.
    Unsupported,
    /// A setting that cannot be sent (a header value, a file name).
    InvalidSetting,
    /// Credentials could not be obtained: a key file, a token endpoint, a metadata server
    /// or a command failed, or answered something unreadable.
    Credentials,
    /// A paginated list answered with a cursor that does not move on.
    Pagination,
    /// A file to upload could not be read.
    Upload,
}

/// A typed failure of the Models / Files endpoints or of a credential provider. The message
/// names the cause and never holds a secret.
///
/// ```
/// use chat_anthropic::error::{PlatformError, PlatformErrorKind};
/// let err = PlatformError::new(PlatformErrorKind::Credentials, "the token endpoint answered 500");
/// assert_eq!(err.kind(), PlatformErrorKind::Credentials);
/// assert_eq!(err.to_string(), "the token endpoint answered 500");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PlatformError {
    kind: PlatformErrorKind,
    message: String,
}

impl PlatformError {
    /// An error of `kind` saying `message`.
    pub fn new(kind: PlatformErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// What went wrong, to match on.
    pub fn kind(&self) -> PlatformErrorKind {
        self.kind
    }

    #[cfg(any(feature = "vertex", feature = "bedrock"))]
    pub(crate) fn credentials(message: impl Into<String>) -> Self {
        Self::new(PlatformErrorKind::Credentials, message)
    }
}
