//! `AIMessage`: the assistant's reply in LangChain's standardized shape.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use std::collections::HashSet;

use super::{ApiMessage, ContentBlock, StopReason, Usage, UsageMetadata};

/// `response_metadata.model_provider`, as LangChain names this integration's provider.
pub(crate) const MODEL_PROVIDER: &str = "anthropic";

/// A message's content: a plain string, or a list of blocks.
///
/// As in LangChain, a reply made of a single plain text block is a string; anything else
/// (tool use, thinking, citations, several blocks) is the list of blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Content blocks.
    Blocks(Vec<ContentBlock>),
}

impl Default for MessageContent {
    fn default() -> Self {
        Self::Text(String::new())
    }
}

impl MessageContent {
    /// All text, concatenated (text blocks only).
    ///
    /// ```
    /// use chat_anthropic::{ContentBlock, MessageContent};
    /// let content = MessageContent::Blocks(vec![ContentBlock::text("a"), ContentBlock::text("b")]);
    /// assert_eq!(content.text(), "ab");
    /// ```
    pub fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Blocks(blocks) => blocks.iter().filter_map(ContentBlock::as_text).collect(),
        }
    }

    /// The content as blocks (a string becomes one text block).
    pub fn into_blocks(self) -> Vec<ContentBlock> {
        match self {
            Self::Text(text) if text.is_empty() => Vec::new(),
            Self::Text(text) => vec![ContentBlock::text(text)],
            Self::Blocks(blocks) => blocks,
        }
    }

    /// The content as blocks with a prompt-caching breakpoint on the last one, so the whole
    /// prompt up to here is cached.
    ///
    /// ```
    /// use chat_anthropic::messages::CacheControl;
    /// use chat_anthropic::MessageContent;
    /// let content = MessageContent::from("<a long style guide>").with_cache_control(CacheControl::ephemeral());
    /// let json = serde_json::to_value(&content).unwrap();
    /// assert_eq!(json, serde_json::json!([{"type": "text", "text": "<a long style guide>", "cache_control": {"type": "ephemeral"}}]));
    /// ```
    pub fn with_cache_control(self, cache_control: super::CacheControl) -> Self {
        let mut blocks = self.into_blocks();
        if let Some(last) = blocks.pop() {
            blocks.push(last.with_cache_control(cache_control));
        }
        Self::Blocks(blocks)
    }

    /// LangChain's choice: a single citation-free text block collapses to a string.
    pub(crate) fn from_blocks(mut blocks: Vec<ContentBlock>) -> Self {
        if let [ContentBlock::Text(block)] = blocks.as_slice()
            && block.citations.is_none()
            && block.cache_control.is_none()
            && block.extra.is_empty()
        {
            let Some(ContentBlock::Text(block)) = blocks.pop() else {
                unreachable!("matched a single text block above")
            };
            return Self::Text(block.text);
        }
        Self::Blocks(blocks)
    }
}

impl From<String> for MessageContent {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for MessageContent {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<Vec<ContentBlock>> for MessageContent {
    fn from(blocks: Vec<ContentBlock>) -> Self {
        Self::Blocks(blocks)
    }
}

/// A tool call with parsed arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCall {
    /// The tool's name.
    pub name: String,
    /// The arguments (a JSON object).
    pub args: Value,
    /// The `tool_use` id to answer with a tool result.
    pub id: String,
}

impl ToolCall {
    /// A tool call.
    pub fn new(name: impl Into<String>, args: Value, id: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            args,
            id: id.into(),
        }
    }

    /// Deserializes the arguments into `T`.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct GetWeather { location: String }
    /// let call = chat_anthropic::ToolCall::new("GetWeather", serde_json::json!({"location": "Paris"}), "toolu_1");
    /// assert_eq!(call.parse::<GetWeather>().unwrap().location, "Paris");
    /// ```
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.args)
    }
}

/// A tool call whose arguments were not valid JSON: the raw text and the error are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvalidToolCall {
    /// The tool's name.
    pub name: Option<String>,
    /// The raw argument text as it streamed.
    pub args: Option<String>,
    /// The `tool_use` id.
    pub id: Option<String>,
    /// Why the arguments were rejected.
    pub error: Option<String>,
}

/// What the API said about the response besides its content.
///
/// Equality compares what the message says, not the transport it came over:
/// [`rate_limits`](Self::rate_limits) is left out, so a reply equals its replayed recording.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResponseMetadata {
    /// The message id (`msg_…`).
    #[serde(default)]
    pub id: String,
    /// The model that answered.
    #[serde(default)]
    pub model: String,
    /// The model that answered, under LangChain's standard key (the same as `model`).
    #[serde(default)]
    pub model_name: String,
    /// Who served the reply, LangChain's standard key: `"anthropic"`.
    #[serde(default)]
    pub model_provider: String,
    /// Why generation stopped.
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that was hit, if any.
    #[serde(default)]
    pub stop_sequence: Option<String>,
    /// The raw usage object.
    #[serde(default)]
    pub usage: Usage,
    /// The response's `request-id` and rate-limit headers (`None` for a replayed stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<crate::messages::RateLimits>,
    /// Every other field of the message (`container`, `stop_details`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PartialEq for ResponseMetadata {
    fn eq(&self, other: &Self) -> bool {
        let Self {
            id,
            model,
            stop_reason,
            stop_sequence,
            usage,
            model_name,
            model_provider,
            rate_limits: _,
            extra,
        } = self;
        (
            id,
            model,
            model_name,
            model_provider,
            stop_reason,
            stop_sequence,
            usage,
            extra,
        ) == (
            &other.id,
            &other.model,
            &other.model_name,
            &other.model_provider,
            &other.stop_reason,
            &other.stop_sequence,
            &other.usage,
            &other.extra,
        )
    }
}

/// The assistant's reply, as LangChain's `AIMessage`.
///
/// Built by folding a stream ([`MessageAggregator`](crate::aggregate::MessageAggregator)); `invoke`
/// returns one.
///
/// ```
/// use chat_anthropic::{AIMessage, MessageContent};
/// let reply = AIMessage::new("J'adore la programmation.");
/// assert_eq!(reply.text(), "J'adore la programmation.");
/// assert!(matches!(reply.content, MessageContent::Text(_)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AIMessage {
    /// A string for a plain text reply, otherwise the content blocks.
    pub content: MessageContent,
    /// Tool calls with parsed arguments, in block order.
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// Tool calls whose arguments were not valid JSON.
    #[serde(default)]
    pub invalid_tool_calls: Vec<InvalidToolCall>,
    /// Standardized token counts.
    #[serde(default)]
    pub usage_metadata: Option<UsageMetadata>,
    /// Id, model, stop reason, raw usage and other response fields.
    #[serde(default)]
    pub response_metadata: ResponseMetadata,
    /// The message id.
    #[serde(default)]
    pub id: Option<String>,
}

impl AIMessage {
    /// An assistant message with the given content (e.g. a prior turn of a conversation).
    pub fn new(content: impl Into<MessageContent>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }

    /// All text of the reply, concatenated.
    pub fn text(&self) -> String {
        self.content.text()
    }

    /// Builds the LangChain view of an API message. `invalid` lists the tool calls whose
    /// arguments failed to parse (by block id); their blocks stay in `content`.
    pub(crate) fn from_api(message: ApiMessage, invalid: Vec<InvalidToolCall>) -> Self {
        // A set, not a scan per block: a reply may carry tens of thousands of calls.
        let invalid_ids: HashSet<&str> = invalid.iter().filter_map(|c| c.id.as_deref()).collect();
        let is_invalid = |id: &str| invalid_ids.contains(id);
        let tool_calls = message
            .content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::ToolUse(call) if !is_invalid(&call.id) => Some(ToolCall::new(
                    call.name.clone(),
                    call.input.clone(),
                    call.id.clone(),
                )),
                _ => None,
            })
            .collect();
        drop(invalid_ids);
        let usage_metadata = Some(UsageMetadata::from(&message.usage));
        let id = (!message.id.is_empty()).then(|| message.id.clone());
        let mut extra = message.extra;
        extra.insert("type".to_owned(), Value::String(message.kind));
        extra.insert("role".to_owned(), Value::String(message.role));
        AIMessage {
            content: MessageContent::from_blocks(message.content),
            tool_calls,
            invalid_tool_calls: invalid,
            usage_metadata,
            response_metadata: ResponseMetadata {
                id: message.id,
                model_name: message.model.clone(),
                model_provider: MODEL_PROVIDER.to_owned(),
                model: message.model,
                stop_reason: message.stop_reason,
                stop_sequence: message.stop_sequence,
                usage: message.usage,
                rate_limits: None,
                extra,
            },
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::messages::ToolUseBlock;

    /// `invoke` with many invalid tool calls must stay linear: matching each block against
    /// the whole invalid list was 80,000² comparisons (8.8 s in release for 80,000 calls).
    /// Linear takes well under a second here even in a debug build; the bound is generous,
    /// the quadratic version needs minutes.
    #[test]
    fn many_invalid_tool_calls_are_matched_in_linear_time() {
        const CALLS: usize = 200_000;
        let id = |n: usize| format!("toolu_{n:08}");
        let message = ApiMessage {
            content: (0..CALLS)
                .map(|n| {
                    ContentBlock::ToolUse(ToolUseBlock {
                        id: id(n),
                        name: "f".into(),
                        ..ToolUseBlock::default()
                    })
                })
                .collect(),
            ..ApiMessage::default()
        };
        // Every other call is invalid.
        let invalid: Vec<InvalidToolCall> = (0..CALLS)
            .step_by(2)
            .map(|n| InvalidToolCall {
                name: Some("f".into()),
                args: Some("x".into()),
                id: Some(id(n)),
                error: Some("not JSON".into()),
            })
            .collect();
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(AIMessage::from_api(message, invalid));
        });
        let reply = finished
            .recv_timeout(Duration::from_secs(30))
            .expect("from_api took over 30 s: quadratic in the invalid tool calls");
        assert_eq!(reply.tool_calls.len(), CALLS / 2);
        assert_eq!(reply.invalid_tool_calls.len(), CALLS / 2);
        assert_eq!(
            reply.tool_calls[0].id,
            id(1),
            "the valid ones, in block order"
        );
    }
}
