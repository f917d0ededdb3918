//! Citations attached to text blocks.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A citation on a text block, pointing into a document, a search result or a web page.
///
/// While streaming, each `citations_delta` appends one of these to its text block.
///
/// ```
/// use chat_anthropic::messages::Citation;
/// let c: Citation = serde_json::from_str(r#"{"type":"char_location","cited_text":"grass is green",
///     "document_index":0,"document_title":"Facts","start_char_index":0,"end_char_index":14}"#).unwrap();
/// assert_eq!(c.cited_text(), Some("grass is green"));
/// let odd: Citation = serde_json::from_str(r#"{"type":"hologram_location","x":1}"#).unwrap();
/// assert!(matches!(odd, Citation::Unknown(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Citation {
    /// A character range of a plain-text document.
    CharLocation {
        /// The quoted text.
        cited_text: String,
        /// Which document of the request.
        document_index: u32,
        /// The document's title, if it had one.
        #[serde(default)]
        document_title: Option<String>,
        /// First character (inclusive).
        start_char_index: u64,
        /// Last character (exclusive).
        end_char_index: u64,
        /// Other fields, kept verbatim.
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// A page range of a PDF document.
    PageLocation {
        /// The quoted text.
        cited_text: String,
        /// Which document of the request.
        document_index: u32,
        /// The document's title, if it had one.
        #[serde(default)]
        document_title: Option<String>,
        /// First page (1-based, inclusive).
        start_page_number: u64,
        /// Last page (exclusive).
        end_page_number: u64,
        /// Other fields, kept verbatim.
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// A range of blocks of a custom-content document.
    ContentBlockLocation {
        /// The quoted text.
        cited_text: String,
        /// Which document of the request.
        document_index: u32,
        /// The document's title, if it had one.
        #[serde(default)]
        document_title: Option<String>,
        /// First block (inclusive).
        start_block_index: u64,
        /// Last block (exclusive).
        end_block_index: u64,
        /// Other fields, kept verbatim.
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// A web page found by the web search server tool.
    WebSearchResultLocation {
        /// The quoted text.
        cited_text: String,
        /// The page's URL.
        url: String,
        /// The page's title.
        #[serde(default)]
        title: Option<String>,
        /// Opaque reference the API needs when the citation is sent back.
        #[serde(default)]
        encrypted_index: Option<String>,
        /// Other fields, kept verbatim.
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// A `search_result` block supplied by the caller.
    SearchResultLocation {
        /// The quoted text.
        cited_text: String,
        /// The search result's source.
        #[serde(default)]
        source: Option<String>,
        /// The search result's title.
        #[serde(default)]
        title: Option<String>,
        /// Which search result.
        search_result_index: u32,
        /// First block (inclusive).
        start_block_index: u64,
        /// Last block (exclusive).
        end_block_index: u64,
        /// Other fields, kept verbatim.
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// A citation type this version does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

impl Citation {
    /// The quoted text, for every known citation type.
    pub fn cited_text(&self) -> Option<&str> {
        match self {
            Self::CharLocation { cited_text, .. }
            | Self::PageLocation { cited_text, .. }
            | Self::ContentBlockLocation { cited_text, .. }
            | Self::WebSearchResultLocation { cited_text, .. }
            | Self::SearchResultLocation { cited_text, .. } => Some(cited_text),
            Self::Unknown(raw) => raw.get("cited_text").and_then(Value::as_str),
        }
    }
}
