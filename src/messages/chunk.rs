//! `AIMessageChunk`: LangChain's unit of streaming, which adds up to the whole message.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::unknown_block::merge_fields;
use super::{
    AIMessage, ApiMessage, ContentBlock, InvalidToolCall, ResponseMetadata, ToolCall, UsageMetadata,
};
use crate::partial_json::PartialJsonParser;

/// A piece of an assistant message, derived from one stream event
/// ([`MessageAggregator::apply_chunk`](crate::aggregate::MessageAggregator::apply_chunk)).
///
/// Chunks add up with `+` / `+=`: blocks with the same `index` merge (text and thinking
/// append, citations append, the signature is set, tool input text concatenates), tool call
/// chunks merge by index, usage counts add, and the last stop reason wins. Summing every chunk
/// of a stream and calling [`into_message`](Self::into_message) gives the same `AIMessage` as
/// the aggregator's `finish()`.
///
/// ```
/// use chat_anthropic::{AIMessageChunk, ContentBlock};
/// let hello = AIMessageChunk::from_block(0, ContentBlock::text("Hello, "));
/// let world = AIMessageChunk::from_block(0, ContentBlock::text("world"));
/// assert_eq!((hello + world).into_message().text(), "Hello, world");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AIMessageChunk {
    /// Pieces of content blocks, each tagged with its block index.
    #[serde(default)]
    pub content: Vec<ContentChunk>,
    /// Pieces of tool calls (raw argument text), LangChain's `tool_call_chunks`.
    #[serde(default)]
    pub tool_call_chunks: Vec<ToolCallChunk>,
    /// Token counts this chunk adds.
    #[serde(default)]
    pub usage_metadata: Option<UsageMetadata>,
    /// Response fields this chunk sets (id, model, stop reason, cumulative raw usage, …).
    #[serde(default)]
    pub response_metadata: ResponseMetadata,
    /// The message id, once known.
    #[serde(default)]
    pub id: Option<String>,
}

/// A piece of the content block at `index`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContentChunk {
    /// The block's index in the message.
    pub index: usize,
    /// The piece: a block of the same type holding only what this chunk adds.
    pub block: ContentBlock,
    /// For tool calls: the raw input JSON text this chunk adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_json: Option<String>,
}

/// A piece of a tool call: LangChain's `tool_call_chunks` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolCallChunk {
    /// The tool's name (on the first chunk).
    pub name: Option<String>,
    /// Raw argument text this chunk adds.
    pub args: Option<String>,
    /// The call's id (on the first chunk).
    pub id: Option<String>,
    /// The content block index, which ties the chunks of one call together.
    pub index: Option<usize>,
}

impl AIMessageChunk {
    /// A chunk holding one piece of content.
    pub fn from_block(index: usize, block: ContentBlock) -> Self {
        Self {
            content: vec![ContentChunk {
                index,
                block,
                partial_json: None,
            }],
            ..Self::default()
        }
    }

    /// The text this chunk adds (text blocks only): what a UI appends.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|chunk| chunk.block.as_text())
            .collect()
    }

    /// The tool calls as they stand, LangChain's `AIMessageChunk.tool_calls`: each entry of
    /// [`tool_call_chunks`](Self::tool_call_chunks) with its argument text read leniently
    /// (what has arrived so far, open strings included, as LangChain's `parse_partial_json`
    /// does; no text yet means `{}`). On the sum of a whole stream's chunks these are the
    /// message's `tool_calls`. Argument text that is not a prefix of a JSON object is in
    /// [`invalid_tool_calls`](Self::invalid_tool_calls) instead.
    ///
    /// ```
    /// use chat_anthropic::messages::ToolCallChunk;
    /// use chat_anthropic::AIMessageChunk;
    /// let first = AIMessageChunk::from_tool_call_chunk(
    ///     ToolCallChunk::new(0).name("GetWeather").id("toolu_1").args(r#"{"location": "Par"#),
    /// );
    /// let calls = first.tool_calls();
    /// assert_eq!(calls[0].name, "GetWeather");
    /// assert_eq!(calls[0].args, serde_json::json!({"location": "Par"}));
    ///
    /// let sum = first + AIMessageChunk::from_tool_call_chunk(ToolCallChunk::new(0).args(r#"is, FR"}"#));
    /// assert_eq!(sum.tool_calls()[0].args["location"], "Paris, FR");
    /// ```
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.tool_call_chunks
            .iter()
            .filter_map(|chunk| chunk.parse().ok())
            .collect()
    }

    /// The tool calls whose argument text so far is not a prefix of a JSON object, with the
    /// text and the reason (LangChain's `AIMessageChunk.invalid_tool_calls`).
    ///
    /// ```
    /// use chat_anthropic::messages::ToolCallChunk;
    /// use chat_anthropic::AIMessageChunk;
    /// let chunk = AIMessageChunk::from_tool_call_chunk(ToolCallChunk::new(0).name("f").args("[1, 2]"));
    /// assert!(chunk.tool_calls().is_empty());
    /// assert_eq!(chunk.invalid_tool_calls()[0].args.as_deref(), Some("[1, 2]"));
    /// ```
    pub fn invalid_tool_calls(&self) -> Vec<InvalidToolCall> {
        self.tool_call_chunks
            .iter()
            .filter_map(|chunk| chunk.parse().err())
            .collect()
    }

    /// A chunk holding one piece of a tool call (and nothing else).
    pub fn from_tool_call_chunk(chunk: ToolCallChunk) -> Self {
        Self {
            tool_call_chunks: vec![chunk],
            ..Self::default()
        }
    }

    /// The assembled message: tool input text is parsed strictly (invalid JSON becomes an
    /// invalid tool call keeping the raw text), as the aggregator does.
    pub fn into_message(self) -> AIMessage {
        let mut content = self.content;
        content.sort_by_key(|chunk| chunk.index);
        let mut invalid = Vec::new();
        let blocks = content
            .into_iter()
            .map(|chunk| {
                let mut block = chunk.block;
                if let Some(json) = chunk.partial_json.filter(|_| block.takes_tool_input()) {
                    let mut input = PartialJsonParser::new();
                    input.push(&json);
                    invalid.extend(block.finish_tool_input(input).err());
                }
                block
            })
            .collect();
        let mut meta = self.response_metadata;
        let rate_limits = meta.rate_limits.take();
        let take = |key: &str, meta: &mut ResponseMetadata, default: &str| match meta
            .extra
            .shift_remove(key)
        {
            Some(Value::String(value)) => value,
            _ => default.to_owned(),
        };
        let kind = take("type", &mut meta, "message");
        let role = take("role", &mut meta, "assistant");
        let message = ApiMessage {
            id: meta.id,
            kind,
            role,
            model: meta.model,
            content: blocks,
            stop_reason: meta.stop_reason,
            stop_sequence: meta.stop_sequence,
            usage: meta.usage,
            extra: meta.extra,
        };
        let mut reply = AIMessage::from_api(message, invalid);
        reply.response_metadata.rate_limits = rate_limits;
        reply
    }
}

impl AddAssign for AIMessageChunk {
    fn add_assign(&mut self, other: AIMessageChunk) {
        for piece in other.content {
            match self.content.iter_mut().find(|c| c.index == piece.index) {
                Some(existing) => existing.merge(piece),
                None => self.content.push(piece),
            }
        }
        for piece in other.tool_call_chunks {
            let same = |c: &&mut ToolCallChunk| piece.index.is_some() && c.index == piece.index;
            match self.tool_call_chunks.iter_mut().find(same) {
                Some(existing) => existing.merge(piece),
                None => self.tool_call_chunks.push(piece),
            }
        }
        match (&mut self.usage_metadata, other.usage_metadata) {
            (Some(mine), Some(theirs)) => *mine += &theirs,
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
        merge_metadata(&mut self.response_metadata, other.response_metadata);
        if other.id.is_some() {
            self.id = other.id;
        }
    }
}

impl Add for AIMessageChunk {
    type Output = AIMessageChunk;

    fn add(mut self, other: AIMessageChunk) -> AIMessageChunk {
        self += other;
        self
    }
}

impl std::iter::Sum for AIMessageChunk {
    fn sum<I: Iterator<Item = AIMessageChunk>>(chunks: I) -> Self {
        chunks.fold(AIMessageChunk::default(), Add::add)
    }
}

/// Later chunks set what they carry: identity once, stop fields and cumulative usage from
/// the `message_delta` chunk.
fn merge_metadata(mine: &mut ResponseMetadata, theirs: ResponseMetadata) {
    if !theirs.id.is_empty() {
        mine.id = theirs.id;
    }
    if !theirs.model.is_empty() {
        mine.model = theirs.model;
    }
    if !theirs.model_name.is_empty() {
        mine.model_name = theirs.model_name;
    }
    if !theirs.model_provider.is_empty() {
        mine.model_provider = theirs.model_provider;
    }
    if theirs.stop_reason.is_some() {
        mine.stop_reason = theirs.stop_reason;
        mine.stop_sequence = theirs.stop_sequence;
    }
    if theirs.usage != Default::default() {
        mine.usage = theirs.usage;
    }
    if theirs.rate_limits.is_some() {
        mine.rate_limits = theirs.rate_limits;
    }
    mine.extra.extend(theirs.extra);
}

impl ContentChunk {
    fn merge(&mut self, other: ContentChunk) {
        if let Some(json) = other.partial_json {
            self.partial_json
                .get_or_insert_with(String::new)
                .push_str(&json);
        }
        match (&mut self.block, other.block) {
            (ContentBlock::Text(mine), ContentBlock::Text(theirs)) => {
                mine.text.push_str(&theirs.text);
                if let Some(citations) = theirs.citations {
                    mine.citations
                        .get_or_insert_with(Vec::new)
                        .extend(citations);
                }
            }
            (ContentBlock::Thinking(mine), ContentBlock::Thinking(theirs)) => {
                mine.thinking.push_str(&theirs.thinking);
                if !theirs.signature.is_empty() {
                    mine.signature = theirs.signature;
                }
            }
            (
                ContentBlock::Unknown(Value::Object(mine)),
                ContentBlock::Unknown(Value::Object(theirs)),
            ) => merge_fields(mine, theirs),
            // Tool calls and other blocks keep their start block; their input is the text.
            _ => {}
        }
    }
}

impl ToolCallChunk {
    /// A piece of the tool call at content block `index`; add what it carries with
    /// [`name`](Self::name), [`id`](Self::id) and [`args`](Self::args).
    ///
    /// ```
    /// let piece = chat_anthropic::messages::ToolCallChunk::new(1).name("GetWeather").id("toolu_1").args("");
    /// assert_eq!(piece.index, Some(1));
    /// ```
    pub fn new(index: usize) -> Self {
        Self {
            index: Some(index),
            ..Self::default()
        }
    }

    /// Sets the tool's name.
    ///
    /// ```
    /// let piece = chat_anthropic::messages::ToolCallChunk::new(0).name("GetWeather");
    /// assert_eq!(piece.name.as_deref(), Some("GetWeather"));
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the call's id.
    ///
    /// ```
    /// let piece = chat_anthropic::messages::ToolCallChunk::new(0).id("toolu_1");
    /// assert_eq!(piece.id.as_deref(), Some("toolu_1"));
    /// ```
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the argument text this piece adds.
    ///
    /// ```
    /// let piece = chat_anthropic::messages::ToolCallChunk::new(0).args(r#"{"a": "#);
    /// assert_eq!(piece.args.as_deref(), Some(r#"{"a": "#));
    /// ```
    pub fn args(mut self, args: impl Into<String>) -> Self {
        self.args = Some(args.into());
        self
    }

    /// The call as it stands: the arguments so far when they are a prefix of a JSON object.
    fn parse(&self) -> Result<ToolCall, InvalidToolCall> {
        let text = self.args.as_deref().unwrap_or_default();
        let mut parser = PartialJsonParser::new();
        parser.push(text);
        let args = match (parser.error(), parser.value()) {
            (Some(error), _) => Err(error.to_string()),
            (None, args @ Value::Object(_)) => Ok(args.clone()),
            (None, _) if text.trim().is_empty() => Ok(Value::Object(Default::default())),
            (None, _) => Err("the arguments are not a JSON object".to_owned()),
        };
        match args {
            Ok(args) => Ok(ToolCall::new(
                self.name.clone().unwrap_or_default(),
                args,
                self.id.clone().unwrap_or_default(),
            )),
            Err(error) => Err(InvalidToolCall {
                name: self.name.clone(),
                args: self.args.clone(),
                id: self.id.clone(),
                error: Some(error),
            }),
        }
    }

    fn merge(&mut self, other: ToolCallChunk) {
        if let Some(args) = other.args {
            self.args.get_or_insert_with(String::new).push_str(&args);
        }
        if self.name.is_none() {
            self.name = other.name;
        }
        if self.id.is_none() {
            self.id = other.id;
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::messages::ToolUseBlock;

    fn piece(index: usize, args: &str) -> AIMessageChunk {
        AIMessageChunk::from_tool_call_chunk(ToolCallChunk::new(index).args(args))
    }

    #[test]
    fn tool_call_chunks_merge_by_index_keeping_the_first_name_and_id() {
        let start = |index, name: &str, id: &str| {
            AIMessageChunk::from_tool_call_chunk(
                ToolCallChunk::new(index).name(name).id(id).args(""),
            )
        };
        let sum: AIMessageChunk = [
            start(1, "a", "toolu_a"),
            piece(1, r#"{"x": "#),
            start(2, "b", "toolu_b"),
            piece(2, "{}"),
            piece(1, "1}"),
        ]
        .into_iter()
        .sum();
        assert_eq!(
            sum.tool_calls(),
            [
                ToolCall::new("a", json!({"x": 1}), "toolu_a"),
                ToolCall::new("b", json!({}), "toolu_b"),
            ]
        );
        assert!(sum.invalid_tool_calls().is_empty());
    }

    #[test]
    fn arguments_read_leniently_while_they_stream() {
        assert_eq!(piece(0, "").tool_calls()[0].args, json!({}));
        assert_eq!(piece(0, "  ").tool_calls()[0].args, json!({}));
        assert_eq!(
            piece(0, r#"{"path": "a.t"#).tool_calls()[0].args,
            json!({"path": "a.t"})
        );
    }

    #[test]
    fn arguments_that_cannot_become_an_object_are_invalid() {
        for text in ["[1", "\"text\"", "nu", r#"{"a" 1"#] {
            let chunk = piece(3, text);
            assert!(chunk.tool_calls().is_empty(), "{text}");
            let invalid = chunk.invalid_tool_calls();
            assert_eq!(invalid.len(), 1, "{text}");
            assert_eq!(invalid[0].args.as_deref(), Some(text));
            assert!(invalid[0].error.as_deref().is_some_and(|e| !e.is_empty()));
        }
    }

    #[test]
    fn into_message_parses_tool_input_strictly() {
        let call = |input: &str| {
            let mut chunk = AIMessageChunk::from_block(
                0,
                ContentBlock::ToolUse(ToolUseBlock {
                    id: "toolu_1".into(),
                    name: "f".into(),
                    input: json!({}),
                    ..ToolUseBlock::default()
                }),
            );
            chunk.content[0].partial_json = Some(input.to_owned());
            chunk.into_message()
        };
        assert_eq!(call(r#"{"a": 1}"#).tool_calls[0].args, json!({"a": 1}));
        assert_eq!(call("").tool_calls[0].args, json!({}));
        let cut = call(r#"{"a": 1"#);
        assert!(cut.tool_calls.is_empty());
        assert_eq!(
            cut.invalid_tool_calls[0].args.as_deref(),
            Some(r#"{"a": 1"#)
        );
        assert_eq!(cut.invalid_tool_calls[0].id.as_deref(), Some("toolu_1"));
    }

    #[test]
    fn tool_input_on_a_block_that_takes_none_is_ignored() {
        let mut chunk = AIMessageChunk::from_block(0, ContentBlock::text("hi"));
        chunk.content[0].partial_json = Some("{".into());
        let message = chunk.into_message();
        assert_eq!(message.text(), "hi");
        assert!(message.invalid_tool_calls.is_empty());
    }
}
