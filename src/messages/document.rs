//! `document` blocks: PDFs, plain text and custom content, optionally citable.

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::image::check_media_type;
use super::ContentError;
use super::{CacheControl, ContentBlock};

/// A `document` block of a user turn: a PDF, plain text, or your own chunks of content, with
/// an optional title and context, and citations the reply may point into.
///
/// ```
/// use chat_anthropic::messages::DocumentBlock;
/// use chat_anthropic::{HumanMessage, ContentBlock};
/// let doc = DocumentBlock::text("The grass is green. The sky is blue.")
///     .title("Facts")
///     .context("Trusted source")
///     .citations(true);
/// let message = HumanMessage::new(vec![doc.into(), ContentBlock::text("What color is the grass?")]);
/// let json = serde_json::to_value(&message.content).unwrap();
/// assert_eq!(json[0], serde_json::json!({
///     "type": "document",
///     "source": {"type": "text", "media_type": "text/plain", "data": "The grass is green. The sky is blue."},
///     "title": "Facts", "context": "Trusted source", "citations": {"enabled": true}
/// }));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentBlock {
    /// Where the document comes from.
    pub source: Option<DocumentSource>,
    /// A title the model sees (and citations quote back as `document_title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Context about the document that is not itself cited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `{enabled: true}` lets the reply cite this document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<CitationsConfig>,
    /// A prompt-caching breakpoint after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Whether a document may be cited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CitationsConfig {
    /// Turns citations on for the document.
    pub enabled: bool,
}

/// Where a document's content comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentSource {
    /// A PDF, base64-encoded (`media_type` is `application/pdf`).
    Base64 {
        /// `application/pdf`.
        media_type: String,
        /// Standard base64.
        data: String,
    },
    /// Plain text (`media_type` is `text/plain`); citations point at character ranges.
    Text {
        /// `text/plain`.
        media_type: String,
        /// The text.
        data: String,
    },
    /// A PDF the API fetches from a URL.
    Url {
        /// The PDF's address.
        url: String,
    },
    /// Your own chunks (text blocks); citations point at block ranges.
    Content {
        /// The chunks.
        content: Vec<ContentBlock>,
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

const PDF: &[&str] = &["application/pdf"];

impl DocumentBlock {
    fn with_source(source: DocumentSource) -> Self {
        Self {
            source: Some(source),
            ..Self::default()
        }
    }

    /// A PDF from base64 data.
    pub fn pdf_base64(data: impl Into<String>) -> Self {
        Self::with_source(DocumentSource::Base64 {
            media_type: PDF[0].into(),
            data: data.into(),
        })
    }

    /// A PDF from raw bytes (base64-encoded here).
    pub fn pdf_bytes(bytes: &[u8]) -> Self {
        Self::pdf_base64(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// A base64 document of the given media type, checking that the API takes it.
    pub fn base64(
        media_type: impl Into<String>,
        data: impl Into<String>,
    ) -> Result<Self, ContentError> {
        let media_type = check_media_type("document", media_type.into(), PDF)?;
        Ok(Self::with_source(DocumentSource::Base64 {
            media_type,
            data: data.into(),
        }))
    }

    /// A PDF the API fetches from `url`.
    pub fn pdf_url(url: impl Into<String>) -> Self {
        Self::with_source(DocumentSource::Url { url: url.into() })
    }

    /// A plain-text document.
    pub fn text(text: impl Into<String>) -> Self {
        Self::with_source(DocumentSource::Text {
            media_type: "text/plain".into(),
            data: text.into(),
        })
    }

    /// A document made of your own chunks; each chunk is one citable unit.
    pub fn content<S: Into<String>>(chunks: impl IntoIterator<Item = S>) -> Self {
        Self::with_source(DocumentSource::Content {
            content: chunks.into_iter().map(ContentBlock::text).collect(),
        })
    }

    /// A document uploaded with the Files API.
    pub fn file(file_id: impl Into<String>) -> Self {
        Self::with_source(DocumentSource::File {
            file_id: file_id.into(),
        })
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the context.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Lets the reply cite this document (or not).
    pub fn citations(mut self, enabled: bool) -> Self {
        self.citations = Some(CitationsConfig { enabled });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_source_has_the_documented_shape() {
        let cases = [
            (
                DocumentBlock::pdf_bytes(b"%PDF"),
                json!({"type": "base64", "media_type": "application/pdf", "data": "JVBERg=="}),
            ),
            (
                DocumentBlock::pdf_url("https://a/b.pdf"),
                json!({"type": "url", "url": "https://a/b.pdf"}),
            ),
            (
                DocumentBlock::content(["One.", "Two."]),
                json!({"type": "content", "content": [{"type": "text", "text": "One."}, {"type": "text", "text": "Two."}]}),
            ),
            (
                DocumentBlock::file("file_1"),
                json!({"type": "file", "file_id": "file_1"}),
            ),
        ];
        for (block, source) in cases {
            let json = serde_json::to_value(ContentBlock::from(block)).unwrap();
            assert_eq!(json["type"], "document");
            assert_eq!(json["source"], source);
            let back: ContentBlock = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(back).unwrap(), json);
        }
    }

    #[test]
    fn only_pdf_is_a_base64_document() {
        assert!(DocumentBlock::base64("application/pdf", "JVBERg==").is_ok());
        let err = DocumentBlock::base64("application/msword", "AA==").unwrap_err();
        assert!(matches!(
            err,
            ContentError::UnsupportedMediaType {
                kind: "document",
                ..
            }
        ));
    }
}
