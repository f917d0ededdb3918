//! `AIMessageChunk`: LangChain's unit of streaming, which adds up to the whole message.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AIMessage, ApiMessage, ContentBlock, ResponseMetadata, UsageMetadata};
use crate::aggregate::BlockBuilder;
use crate::event::Delta;

/// A piece of an assistant message, derived from one stream event
/// ([`MessageAggregator::apply_chunk`](crate::MessageAggregator::apply_chunk)).
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

    /// The assembled message: tool input text is parsed strictly (invalid JSON becomes an
    /// invalid tool call keeping the raw text), as the aggregator does.
    pub fn into_message(self) -> AIMessage {
        let mut content = self.content;
        content.sort_by_key(|chunk| chunk.index);
        let mut invalid = Vec::new();
        let blocks = content
            .into_iter()
            .map(|chunk| {
                let Some(json) = chunk.partial_json else {
                    return chunk.block;
                };
                let mut builder = BlockBuilder::new(chunk.block);
                // A known block type with an input-taking delta cannot mismatch.
                let _ = builder.apply(chunk.index, &Delta::InputJson(json.into()), None);
                builder.stop();
                invalid.extend(builder.invalid.take());
                builder.block
            })
            .collect();
        let mut meta = self.response_metadata;
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
        AIMessage::from_api(message, invalid)
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
    if theirs.stop_reason.is_some() {
        mine.stop_reason = theirs.stop_reason;
        mine.stop_sequence = theirs.stop_sequence;
    }
    if theirs.usage != Default::default() {
        mine.usage = theirs.usage;
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
            ) => {
                for (key, value) in theirs {
                    if key == "type" {
                        continue;
                    }
                    match (mine.get_mut(&key), value) {
                        (Some(Value::String(a)), Value::String(b)) if key != "signature" => {
                            a.push_str(&b)
                        }
                        (Some(Value::Array(a)), Value::Array(b)) => a.extend(b),
                        (_, value) => {
                            mine.insert(key, value);
                        }
                    }
                }
            }
            // Tool calls and other blocks keep their start block; their input is the text.
            _ => {}
        }
    }
}

impl ToolCallChunk {
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
