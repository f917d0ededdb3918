//! `image` blocks: base64 data, a URL, or an uploaded file.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::CacheControl;
use super::ContentError;

/// The image media types the API accepts.
pub const IMAGE_MEDIA_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// An `image` block of a user turn (or of a tool result).
///
/// ```
/// use chat_anthropic::messages::ImageBlock;
/// use chat_anthropic::{ContentBlock, HumanMessage};
/// let png = ImageBlock::from_bytes("image/png", &[0x89, b'P', b'N', b'G'])?;
/// let message = HumanMessage::new(vec![
///     ContentBlock::text("What is in these pictures?"),
///     png.into(),
///     ImageBlock::url("https://example.com/cat.jpg").into(),
/// ]);
/// let json = serde_json::to_value(&message.content).unwrap();
/// assert_eq!(json[1]["source"], serde_json::json!({"type": "base64", "media_type": "image/png", "data": "iVBORw=="}));
/// assert_eq!(json[2]["source"]["type"], "url");
/// # Ok::<(), chat_anthropic::messages::ContentError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImageBlock {
    /// Where the image comes from. `None` only for a LangChain-style block whose fields are
    /// still in `extra` (converted when sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ImageSource>,
    /// A prompt-caching breakpoint after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where an image's bytes come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImageSource {
    /// The bytes, base64-encoded, with their media type.
    Base64 {
        /// One of [`IMAGE_MEDIA_TYPES`].
        media_type: String,
        /// Standard base64 (with padding).
        data: String,
    },
    /// An `http(s)` URL the API fetches.
    Url {
        /// The image's address.
        url: String,
    },
    /// A file uploaded with the Files API.
    File {
        /// The file's id.
        file_id: String,
    },
    /// A source type this version does not model, kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl ImageBlock {
    fn with_source(source: ImageSource) -> Self {
        Self {
            source: Some(source),
            ..Self::default()
        }
    }

    /// An image from base64 data, checking the media type.
    pub fn base64(
        media_type: impl Into<String>,
        data: impl Into<String>,
    ) -> Result<Self, ContentError> {
        let media_type = check_media_type("image", media_type.into(), IMAGE_MEDIA_TYPES)?;
        Ok(Self::with_source(ImageSource::Base64 {
            media_type,
            data: data.into(),
        }))
    }

    /// An image from raw bytes (base64-encoded here), checking the media type.
    pub fn from_bytes(media_type: impl Into<String>, bytes: &[u8]) -> Result<Self, ContentError> {
        Self::base64(
            media_type,
            base64::engine::general_purpose::STANDARD.encode(bytes),
        )
    }

    /// An image from a `data:image/png;base64,…` URL (LangChain's and OpenAI's inline form).
    pub fn from_data_url(url: &str) -> Result<Self, ContentError> {
        let (media_type, data) = parse_data_url(url)?;
        Self::base64(media_type, data)
    }

    /// An image the API fetches from `url`.
    pub fn url(url: impl Into<String>) -> Self {
        Self::with_source(ImageSource::Url { url: url.into() })
    }

    /// An image uploaded with the Files API.
    pub fn file(file_id: impl Into<String>) -> Self {
        Self::with_source(ImageSource::File {
            file_id: file_id.into(),
        })
    }

    /// A `data:` URL or an `http(s)` URL, whichever `url` is.
    pub fn from_any_url(url: &str) -> Result<Self, ContentError> {
        if url.starts_with("data:") {
            Self::from_data_url(url)
        } else {
            Ok(Self::url(url))
        }
    }
}

/// The media type, if it is one of `supported`.
pub(crate) fn check_media_type(
    kind: &'static str,
    media_type: String,
    supported: &'static [&'static str],
) -> Result<String, ContentError> {
    if supported.contains(&media_type.as_str()) {
        Ok(media_type)
    } else {
        Err(ContentError::UnsupportedMediaType {
            kind,
            media_type,
            supported,
        })
    }
}

/// Splits `data:<media type>;base64,<data>` into media type and data, checking the data is
/// base64 (the API takes nothing else).
pub(crate) fn parse_data_url(url: &str) -> Result<(String, String), ContentError> {
    let malformed = |reason: &str| ContentError::MalformedDataUrl {
        reason: reason.into(),
    };
    let rest = url
        .strip_prefix("data:")
        .ok_or_else(|| malformed("it does not start with \"data:\""))?;
    let (meta, data) = rest
        .split_once(',')
        .ok_or_else(|| malformed("no ',' separates the media type from the data"))?;
    let media_type = meta
        .strip_suffix(";base64")
        .ok_or_else(|| malformed("the data is not marked \";base64\""))?;
    if media_type.is_empty() {
        return Err(malformed("no media type"));
    }
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|err| ContentError::MalformedDataUrl {
            reason: format!("the data is not valid base64: {err}"),
        })?;
    Ok((media_type.to_ascii_lowercase(), data.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_urls_parse_or_say_what_is_wrong() {
        let image = ImageBlock::from_data_url("data:image/PNG;base64,iVBORw==").unwrap();
        assert_eq!(
            image.source,
            Some(ImageSource::Base64 {
                media_type: "image/png".into(),
                data: "iVBORw==".into()
            })
        );
        for (url, needle) in [
            ("image/png;base64,iVBO", "data:"),
            ("data:image/png;base64", "','"),
            ("data:image/png,iVBO", ";base64"),
            ("data:;base64,iVBO", "no media type"),
            ("data:image/png;base64,!!!!", "base64"),
        ] {
            let err = ImageBlock::from_data_url(url).unwrap_err();
            assert!(
                matches!(err, ContentError::MalformedDataUrl { ref reason } if reason.contains(needle)),
                "{url}: {err}"
            );
        }
    }

    #[test]
    fn unsupported_media_types_are_refused() {
        let err = ImageBlock::base64("image/tiff", "AAAA").unwrap_err();
        assert!(err.to_string().contains("image/tiff"), "{err}");
        assert!(ImageBlock::base64("image/webp", "AAAA").is_ok());
    }

    #[test]
    fn every_source_round_trips() {
        for raw in [
            serde_json::json!({"type": "image", "source": {"type": "url", "url": "https://a/b.png"}}),
            serde_json::json!({"type": "image", "source": {"type": "file", "file_id": "file_1"}, "cache_control": {"type": "ephemeral"}}),
            serde_json::json!({"type": "image", "source": {"type": "hologram", "beams": 2}}),
        ] {
            let block: crate::ContentBlock = serde_json::from_value(raw.clone()).unwrap();
            assert!(matches!(block, crate::ContentBlock::Image(_)), "{block:?}");
            assert_eq!(serde_json::to_value(&block).unwrap(), raw);
        }
    }
}
