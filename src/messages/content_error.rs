//! Content the API would refuse, caught before the request is sent.

/// Why a content block (an image, a document, a LangChain-style block) cannot be sent.
///
/// ```
/// use chat_anthropic::messages::{ContentError, ImageBlock};
/// let err = ImageBlock::from_data_url("data:image/bmp;base64,Qk0=").unwrap_err();
/// assert!(matches!(err, ContentError::UnsupportedMediaType { ref media_type, .. } if media_type == "image/bmp"));
/// assert!(err.to_string().contains("image/png"), "the message lists what is supported: {err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// A media type the API does not accept for this kind of block.
    #[error("unsupported {kind} media type {media_type:?}: expected one of {}", supported.join(", "))]
    UnsupportedMediaType {
        /// `"image"` or `"document"`.
        kind: &'static str,
        /// The media type given.
        media_type: String,
        /// The media types the API accepts here.
        supported: &'static [&'static str],
    },
    /// A `data:` URL that could not be read.
    #[error("malformed data URL: {reason}")]
    MalformedDataUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// A block that lacks what its type needs (e.g. an `image_url` block without a URL).
    #[error("invalid {block_type} block: {reason}")]
    InvalidBlock {
        /// The block's `type`.
        block_type: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// A message role that is none of LangChain's (`system`, `human`/`user`, `ai`/`assistant`).
    #[error("unknown message role {role:?}: expected system, human, user, ai or assistant")]
    UnknownRole {
        /// The role given.
        role: String,
    },
}
