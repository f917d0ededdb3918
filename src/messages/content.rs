//! Content blocks: what a message is made of, in the API's own shapes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{CacheControl, Citation, DocumentBlock, ImageBlock};

/// One block of message content.
///
/// Serializes to and from the API's JSON (`{"type": "text", "text": "…"}` and so on). Block
/// types this version does not model arrive as [`ContentBlock::Unknown`] holding the raw JSON,
/// and every block keeps fields it does not model in its `extra` map, so a block is sent back to
/// the API exactly as it came.
///
/// ```
/// use chat_anthropic::ContentBlock;
/// let block: ContentBlock = serde_json::from_str(
///     r#"{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"},"caller":{"type":"direct"}}"#,
/// ).unwrap();
/// let ContentBlock::ToolUse(call) = &block else { panic!() };
/// assert_eq!(call.input["city"], "Paris");
/// assert_eq!(serde_json::to_value(&block).unwrap()["caller"]["type"], "direct");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentBlock {
    /// Text, possibly with citations.
    Text(TextBlock),
    /// The model's visible reasoning, with the signature that lets it be sent back.
    Thinking(ThinkingBlock),
    /// Reasoning the API encrypted; send it back unchanged.
    RedactedThinking(RedactedThinkingBlock),
    /// A call of one of the caller's tools.
    ToolUse(ToolUseBlock),
    /// A call of a server tool the API runs itself (web search, code execution, …).
    ServerToolUse(ToolUseBlock),
    /// A file the code-execution container produced.
    ContainerUpload(ContainerUploadBlock),
    /// The result of one of the caller's tools, sent in a user turn.
    ToolResult(ToolResultBlock),
    /// An image (user turns and tool results).
    Image(ImageBlock),
    /// A PDF, plain-text or custom-content document (user turns).
    Document(DocumentBlock),
    /// The result of a server tool (`web_search_tool_result`, `web_fetch_tool_result`,
    /// `code_execution_tool_result`, …): any `*_tool_result` block that names a `tool_use_id`.
    #[serde(untagged)]
    ServerToolResult(ServerToolResultBlock),
    /// A block type this version does not model, kept verbatim.
    #[serde(untagged)]
    Unknown(Value),
}

/// A `text` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TextBlock {
    /// The text.
    pub text: String,
    /// Citations backing the text, when the request enabled them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Vec<Citation>>,
    /// A prompt-caching breakpoint after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `thinking` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThinkingBlock {
    /// The reasoning text (empty when the request asked for it to be omitted).
    pub thinking: String,
    /// The signature the API checks when the block is sent back.
    #[serde(default)]
    pub signature: String,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `redacted_thinking` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RedactedThinkingBlock {
    /// The encrypted reasoning.
    pub data: String,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `tool_use` or `server_tool_use` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolUseBlock {
    /// The call's id, echoed by the matching tool result.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments (a JSON object).
    #[serde(default)]
    pub input: Value,
    /// Other fields (e.g. `caller`), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `container_upload` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContainerUploadBlock {
    /// The uploaded file's id.
    pub file_id: String,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A server tool's result block, whatever the tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerToolResultBlock {
    /// The block type, e.g. `"web_search_tool_result"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The `server_tool_use` block this answers.
    pub tool_use_id: String,
    /// The result, as the API sent it.
    pub content: Value,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `tool_result` block: the answer to a `tool_use`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolResultBlock {
    /// The `tool_use` id this answers.
    pub tool_use_id: String,
    /// The result: a string or content blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<super::MessageContent>,
    /// Whether the tool failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// A prompt-caching breakpoint after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TextBlock {
    /// A text block holding `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

impl ContentBlock {
    /// A text block.
    ///
    /// ```
    /// let block = chat_anthropic::ContentBlock::text("hi");
    /// assert_eq!(block.as_text(), Some("hi"));
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextBlock::new(text))
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(block) => Some(&block.text),
            _ => None,
        }
    }

    /// The same block marked as a prompt-caching breakpoint: the API caches the prompt up to
    /// and including it.
    ///
    /// ```
    /// use chat_anthropic::messages::CacheControl;
    /// use chat_anthropic::ContentBlock;
    /// let block = ContentBlock::text("<long reference text>").with_cache_control(CacheControl::ephemeral_1h());
    /// assert_eq!(serde_json::to_value(&block).unwrap()["cache_control"]["ttl"], "1h");
    /// ```
    pub fn with_cache_control(mut self, cache_control: CacheControl) -> Self {
        match &mut self {
            Self::Text(block) => block.cache_control = Some(cache_control),
            Self::Image(block) => block.cache_control = Some(cache_control),
            Self::Document(block) => block.cache_control = Some(cache_control),
            Self::ToolResult(block) => block.cache_control = Some(cache_control),
            other => {
                let value = serde_json::to_value(cache_control).unwrap_or_default();
                match other {
                    Self::Thinking(b) => b.extra.insert("cache_control".into(), value),
                    Self::RedactedThinking(b) => b.extra.insert("cache_control".into(), value),
                    Self::ToolUse(b) | Self::ServerToolUse(b) => {
                        b.extra.insert("cache_control".into(), value)
                    }
                    Self::ContainerUpload(b) => b.extra.insert("cache_control".into(), value),
                    Self::ServerToolResult(b) => b.extra.insert("cache_control".into(), value),
                    Self::Unknown(Value::Object(raw)) => raw.insert("cache_control".into(), value),
                    _ => None,
                };
            }
        }
        self
    }

    /// The block's `type` as it appears on the wire.
    pub fn kind(&self) -> &str {
        match self {
            Self::Text(_) => "text",
            Self::Thinking(_) => "thinking",
            Self::RedactedThinking(_) => "redacted_thinking",
            Self::ToolUse(_) => "tool_use",
            Self::ServerToolUse(_) => "server_tool_use",
            Self::ContainerUpload(_) => "container_upload",
            Self::ToolResult(_) => "tool_result",
            Self::Image(_) => "image",
            Self::Document(_) => "document",
            Self::ServerToolResult(block) => &block.kind,
            Self::Unknown(raw) => raw.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }
}

macro_rules! block_from {
    ($($type:ident => $variant:ident),*) => {$(
        impl From<$type> for ContentBlock {
            fn from(block: $type) -> Self {
                Self::$variant(block)
            }
        }
    )*};
}
block_from!(TextBlock => Text, ImageBlock => Image, DocumentBlock => Document, ToolResultBlock => ToolResult);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(raw: Value) -> ContentBlock {
        let block: ContentBlock = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&block).unwrap(), raw, "{block:?}");
        block
    }

    #[test]
    fn known_blocks_round_trip_with_unknown_fields() {
        let block = round_trip(json!({"type": "text", "text": "hi", "future": [1]}));
        assert!(matches!(block, ContentBlock::Text(ref t) if t.extra["future"] == json!([1])));
        let block = round_trip(json!({"type": "thinking", "thinking": "hmm", "signature": "sig"}));
        assert!(matches!(block, ContentBlock::Thinking(_)));
        let block = round_trip(json!({"type": "redacted_thinking", "data": "xyz"}));
        assert!(matches!(block, ContentBlock::RedactedThinking(_)));
        let block = round_trip(
            json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}}),
        );
        assert_eq!(block.kind(), "server_tool_use");
    }

    #[test]
    fn any_server_tool_result_is_kept_with_its_type() {
        let block = round_trip(json!({
            "type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_1",
            "content": {"type": "web_fetch_result", "url": "https://example.com"}
        }));
        let ContentBlock::ServerToolResult(result) = &block else {
            panic!("{block:?}")
        };
        assert_eq!(result.kind, "web_fetch_tool_result");
        assert_eq!(block.kind(), "web_fetch_tool_result");
    }

    #[test]
    fn unknown_block_types_keep_their_raw_json() {
        let block = round_trip(json!({"type": "hologram", "beams": 3}));
        assert!(matches!(block, ContentBlock::Unknown(_)));
        assert_eq!(block.kind(), "hologram");
    }

    #[test]
    fn citations_parse_into_types() {
        let block = round_trip(json!({"type": "text", "text": "x", "citations": [
            {"type": "web_search_result_location", "cited_text": "c", "url": "https://a", "title": "A", "encrypted_index": "e"},
            {"type": "page_location", "cited_text": "p", "document_index": 0, "document_title": null, "start_page_number": 1, "end_page_number": 2}
        ]}));
        let ContentBlock::Text(text) = block else {
            panic!()
        };
        let citations = text.citations.unwrap();
        assert!(matches!(
            citations[0],
            Citation::WebSearchResultLocation { .. }
        ));
        assert!(matches!(citations[1], Citation::PageLocation { .. }));
    }
}
