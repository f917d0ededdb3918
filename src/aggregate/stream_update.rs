//! Owned, UI-sized updates: what each event changed, with tool-call progress spelled out.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MessageAggregator, Update};
use crate::error::Error;
use crate::event::StreamEvent;
use crate::messages::{
    Citation, ContentBlock, InvalidToolCall, StopReason, ToolCall, UsageMetadata,
};
use crate::partial_json::PathEventKind;

/// One thing a UI or an agent acts on, owned so it can be sent across tasks or serialized
/// (the `type` tag names it). Tool calls are spelled out: started, each raw fragment, each
/// argument field growing or completing, then done (parsed) or invalid, all before the
/// message ends. The live partial arguments are at
/// [`MessageAggregator::tool_input`].
///
/// ```
/// use chat_anthropic::aggregate::StreamUpdate;
/// let update = StreamUpdate::Text { index: 0, text: "Hi".into() };
/// assert_eq!(serde_json::to_value(&update).unwrap(), serde_json::json!({"type": "text", "index": 0, "text": "Hi"}));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamUpdate {
    /// The message began.
    MessageStarted {
        /// The message id.
        id: String,
        /// The model answering.
        model: String,
    },
    /// A content block other than a tool call began (text, thinking, server tool use, …).
    BlockStarted {
        /// The block's index.
        index: usize,
        /// The block as it started.
        block: ContentBlock,
    },
    /// Text appended.
    Text {
        /// The block's index.
        index: usize,
        /// The new text.
        text: String,
    },
    /// Reasoning appended to a thinking block.
    Thinking {
        /// The block's index.
        index: usize,
        /// The new reasoning.
        thinking: String,
    },
    /// A thinking block's signature arrived.
    Signature {
        /// The block's index.
        index: usize,
    },
    /// A citation was added to a text block.
    Citation {
        /// The block's index.
        index: usize,
        /// The citation.
        citation: Citation,
    },
    /// A tool call began.
    ToolCallStarted {
        /// The block's index, which ties the call's updates together.
        index: usize,
        /// The `tool_use` id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// A raw fragment of a tool call's (or server tool's) JSON input.
    ToolArgs {
        /// The block's index.
        index: usize,
        /// The fragment as it arrived.
        fragment: String,
    },
    /// A string argument grew (decoded text).
    ToolArgDelta {
        /// The block's index.
        index: usize,
        /// Where, as a JSON pointer (`/content`, `/files/0/path`).
        pointer: String,
        /// The text appended.
        text: String,
    },
    /// An argument is complete (the root `""` comes last).
    ToolArgComplete {
        /// The block's index.
        index: usize,
        /// Where, as a JSON pointer.
        pointer: String,
        /// Its final value.
        value: Value,
    },
    /// A tool call is complete, with parsed arguments: it can be run now, before the message
    /// ends.
    ToolCallDone {
        /// The block's index.
        index: usize,
        /// The call.
        call: ToolCall,
    },
    /// A tool call is complete but its input is not valid JSON.
    ToolCallInvalid {
        /// The block's index.
        index: usize,
        /// The raw text and the error.
        call: InvalidToolCall,
    },
    /// A content block is complete.
    BlockStopped {
        /// The block's index.
        index: usize,
    },
    /// Stop reason and usage so far.
    MessageDelta {
        /// Why the model stopped, once known.
        stop_reason: Option<StopReason>,
        /// Token counts so far.
        usage: UsageMetadata,
    },
    /// The message is complete.
    Done,
    /// An event or delta of a type this version does not know, as raw JSON.
    Unknown {
        /// The raw event or delta.
        raw: Value,
    },
}

impl MessageAggregator {
    /// Folds one event in and appends the [`StreamUpdate`]s it amounts to (none for pings).
    /// Path events for tool arguments are produced when the aggregator was made
    /// [`with_path_events`](Self::with_path_events).
    ///
    /// ```
    /// use chat_anthropic::aggregate::StreamUpdate;
    /// use chat_anthropic::{MessageAggregator, StreamEvent};
    /// let mut aggregator = MessageAggregator::new().with_path_events();
    /// let mut updates = Vec::new();
    /// for (name, data) in [
    ///     ("message_start", r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#),
    ///     ("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"write_file","input":{}}}"#),
    ///     ("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"content\": \"Hel"}}"#),
    /// ] {
    ///     aggregator.apply_updates(&StreamEvent::parse(name, data)?, &mut updates)?;
    /// }
    /// assert!(matches!(&updates[1], StreamUpdate::ToolCallStarted { name, .. } if name == "write_file"));
    /// assert!(updates.contains(&StreamUpdate::ToolArgDelta { index: 0, pointer: "/content".into(), text: "Hel".into() }));
    /// assert_eq!(aggregator.tool_input(0).unwrap()["content"], "Hel");
    /// # Ok::<(), chat_anthropic::Error>(())
    /// ```
    pub fn apply_updates(
        &mut self,
        event: &StreamEvent,
        out: &mut Vec<StreamUpdate>,
    ) -> Result<(), Error> {
        let Some(update) = self.apply(event)? else {
            return Ok(());
        };
        match update {
            Update::MessageStarted => {
                let message = self.message.as_ref();
                out.push(StreamUpdate::MessageStarted {
                    id: message.map(|m| m.id.clone()).unwrap_or_default(),
                    model: message.map(|m| m.model.clone()).unwrap_or_default(),
                });
            }
            Update::BlockStarted { index, block } => out.push(match block {
                ContentBlock::ToolUse(call) => StreamUpdate::ToolCallStarted {
                    index,
                    id: call.id.clone(),
                    name: call.name.clone(),
                },
                block => StreamUpdate::BlockStarted {
                    index,
                    block: block.clone(),
                },
            }),
            Update::Text { index, text } => out.push(StreamUpdate::Text {
                index,
                text: text.to_owned(),
            }),
            Update::Thinking { index, thinking } => out.push(StreamUpdate::Thinking {
                index,
                thinking: thinking.to_owned(),
            }),
            Update::Signature { index } => out.push(StreamUpdate::Signature { index }),
            Update::Citation { index, citation } => out.push(StreamUpdate::Citation {
                index,
                citation: citation.clone(),
            }),
            Update::ToolInput { index, fragment } => {
                out.push(StreamUpdate::ToolArgs {
                    index,
                    fragment: fragment.to_owned(),
                });
                out.extend(self.path_events.iter().map(|event| match &event.kind {
                    PathEventKind::StringDelta(text) => StreamUpdate::ToolArgDelta {
                        index,
                        pointer: event.pointer.to_string(),
                        text: text.clone(),
                    },
                    PathEventKind::Complete(value) => StreamUpdate::ToolArgComplete {
                        index,
                        pointer: event.pointer.to_string(),
                        value: value.clone(),
                    },
                }));
            }
            Update::BlockStopped { index } => out.push(StreamUpdate::BlockStopped { index }),
            Update::ToolCallDone { index, result } => out.push(match result {
                Ok(call) => StreamUpdate::ToolCallDone { index, call },
                Err(call) => StreamUpdate::ToolCallInvalid { index, call },
            }),
            Update::MessageDelta => out.push(StreamUpdate::MessageDelta {
                stop_reason: self.message.as_ref().and_then(|m| m.stop_reason.clone()),
                usage: self.usage_metadata(),
            }),
            Update::MessageStopped => out.push(StreamUpdate::Done),
            // The event itself: the kept list is bounded, and a delta merged into an
            // unknown block is not in it.
            Update::Unknown => out.push(StreamUpdate::Unknown {
                raw: match event {
                    StreamEvent::Unknown(raw) => raw.clone(),
                    event => serde_json::to_value(event).unwrap_or(Value::Null),
                },
            }),
        }
        Ok(())
    }
}
