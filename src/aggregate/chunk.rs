//! Deriving an [`AIMessageChunk`] from each event.

use serde_json::Value;

use super::{block, MessageAggregator, Update};
use crate::error::Error;
use crate::event::{Delta, StreamEvent};
use crate::messages::{
    AIMessageChunk, Citation, ContentBlock, ContentChunk, ResponseMetadata, TextBlock,
    ThinkingBlock, ToolCallChunk, UsageMetadata, MODEL_PROVIDER,
};

impl MessageAggregator {
    /// Folds one event in, like [`apply`](Self::apply), and returns the
    /// [`AIMessageChunk`] it amounts to (`None` for events that add nothing: pings, block and
    /// message stops, unknown types). The chunks of a stream sum to the final message.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::aggregate::MessageAggregator;
    /// use chat_anthropic::event::EventStream;
    /// use chat_anthropic::AIMessageChunk;
    /// use futures_util::StreamExt;
    /// let recorded = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse"))?;
    /// let mut events = EventStream::from_bytes(recorded);
    /// let mut aggregator = MessageAggregator::new();
    /// let mut sum = AIMessageChunk::default();
    /// while let Some(event) = events.next().await {
    ///     if let Some(chunk) = aggregator.apply_chunk(&event?)? {
    ///         sum += chunk;
    ///     }
    /// }
    /// assert_eq!(sum.into_message(), aggregator.finish()?);
    /// # Ok(()) }
    /// ```
    pub fn apply_chunk(&mut self, event: &StreamEvent) -> Result<Option<AIMessageChunk>, Error> {
        let usage_before = self.usage_metadata();
        let Some(update) = self.apply(event)? else {
            return Ok(None);
        };
        let chunk = match (update, event) {
            (Update::MessageStarted, _) => {
                let Some(message) = self.message.as_ref() else {
                    return Ok(None);
                };
                let mut extra = message.extra.clone();
                extra.insert("type".into(), Value::String(message.kind.clone()));
                extra.insert("role".into(), Value::String(message.role.clone()));
                AIMessageChunk {
                    id: Some(message.id.clone()),
                    usage_metadata: Some(self.usage_metadata().since(&usage_before)),
                    response_metadata: ResponseMetadata {
                        id: message.id.clone(),
                        model: message.model.clone(),
                        model_name: message.model.clone(),
                        model_provider: MODEL_PROVIDER.to_owned(),
                        usage: message.usage.clone(),
                        extra,
                        ..ResponseMetadata::default()
                    },
                    ..AIMessageChunk::default()
                }
            }
            (Update::BlockStarted { index, block }, _) => {
                let takes_json = matches!(
                    block,
                    ContentBlock::ToolUse(_) | ContentBlock::ServerToolUse(_)
                );
                let mut chunk = AIMessageChunk::from_block(index, block.clone());
                chunk.content[0].partial_json = takes_json.then(String::new);
                if let ContentBlock::ToolUse(call) = block {
                    chunk.tool_call_chunks.push(ToolCallChunk {
                        name: Some(call.name.clone()),
                        args: Some(String::new()),
                        id: Some(call.id.clone()),
                        index: Some(index),
                    });
                }
                chunk
            }
            (_, StreamEvent::ContentBlockDelta(delta)) => {
                self.delta_chunk(delta.index, &delta.delta)
            }
            (Update::MessageDelta, StreamEvent::MessageDelta(delta)) => {
                // Only the message's top-level fields: cloning its content here made a
                // stream of many `message_delta`s quadratic.
                let Some(message) = self.message.as_ref() else {
                    return Ok(None);
                };
                AIMessageChunk {
                    usage_metadata: Some(self.usage_metadata().since(&usage_before)),
                    response_metadata: ResponseMetadata {
                        stop_reason: message.stop_reason.clone(),
                        stop_sequence: message.stop_sequence.clone(),
                        usage: message.usage.clone(),
                        extra: delta.delta.extra.clone(),
                        ..ResponseMetadata::default()
                    },
                    ..AIMessageChunk::default()
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(chunk))
    }

    pub(super) fn usage_metadata(&self) -> UsageMetadata {
        self.message
            .as_ref()
            .map(|m| UsageMetadata::from(&m.usage))
            .unwrap_or_default()
    }

    /// The piece a delta adds, shaped like the block it targets.
    fn delta_chunk(&self, index: usize, delta: &Delta) -> AIMessageChunk {
        let target = &self.blocks[index].block;
        let piece = |block| AIMessageChunk::from_block(index, block);
        match (target, delta) {
            (ContentBlock::Unknown(_), delta) => {
                let mut raw = block::delta_fields(delta).unwrap_or_default();
                raw.insert("type".into(), Value::String(target.kind().to_owned()));
                let mut chunk = piece(ContentBlock::Unknown(Value::Object(raw)));
                if let Delta::InputJson(fragment) = delta {
                    chunk.content[0].partial_json = Some(fragment.to_string());
                }
                chunk
            }
            (_, Delta::Text(text)) => piece(ContentBlock::text(text.to_string())),
            (_, Delta::Citation(citation)) => piece(ContentBlock::Text(TextBlock {
                citations: Some(vec![Citation::clone(citation)]),
                ..TextBlock::default()
            })),
            (_, Delta::Thinking(thinking)) => piece(ContentBlock::Thinking(ThinkingBlock {
                thinking: thinking.to_string(),
                ..ThinkingBlock::default()
            })),
            (_, Delta::Signature(signature)) => piece(ContentBlock::Thinking(ThinkingBlock {
                signature: signature.to_string(),
                ..ThinkingBlock::default()
            })),
            (block, Delta::InputJson(fragment)) => {
                let mut chunk = AIMessageChunk {
                    content: vec![ContentChunk {
                        index,
                        block: block.clone(),
                        partial_json: Some(fragment.to_string()),
                    }],
                    ..AIMessageChunk::default()
                };
                if matches!(block, ContentBlock::ToolUse(_)) {
                    chunk.tool_call_chunks.push(ToolCallChunk {
                        args: Some(fragment.to_string()),
                        index: Some(index),
                        ..ToolCallChunk::default()
                    });
                }
                chunk
            }
            (_, Delta::Unknown(_)) => AIMessageChunk::default(),
        }
    }
}
