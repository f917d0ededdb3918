//! Owned, UI-sized updates: what each event changed, with tool-call progress spelled out.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{MessageAggregator, Update};
use crate::error::Error;
use crate::event::{Delta, SharedStr, StreamEvent};
use crate::messages::{
    Citation, ContentBlock, InvalidToolCall, StopReason, ToolCall, UsageMetadata,
};
use crate::partial_json::{JsonPointer, PathEvent, PathEventKind, SharedValue};

/// One thing a UI or an agent acts on, owned so it can be sent across tasks or serialized
/// (the `type` tag names it). Tool calls are spelled out: started, each raw fragment, each
/// argument field growing or completing, then done (parsed) or invalid, all before the
/// message ends. The live partial arguments are at
/// [`MessageAggregator::tool_input`].
///
/// The large, rare payloads (a started block, a citation, a finished or invalid call, usage)
/// are boxed, so that the update of every token stays small as it is moved to you (72
/// bytes, not 256): read their fields as before (`block.kind()`, `call.name`); `*call` takes
/// the value out, and `.into()` boxes one you build. Serialized, nothing changes.
///
/// ```
/// use chat_anthropic::aggregate::StreamUpdate;
/// use chat_anthropic::ToolCall;
/// use serde_json::json;
/// let update = StreamUpdate::Text { index: 0, text: "Hi".into() };
/// assert_eq!(serde_json::to_value(&update).unwrap(), json!({"type": "text", "index": 0, "text": "Hi"}));
/// let done = StreamUpdate::ToolCallDone {
///     index: 1,
///     call: ToolCall::new("get_weather", json!({"city": "Oslo"}), "toolu_1").into(),
/// };
/// if let StreamUpdate::ToolCallDone { call, .. } = done {
///     assert_eq!(call.name, "get_weather");
///     let call: ToolCall = *call;
///     assert_eq!(call.args["city"], "Oslo");
/// }
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
        block: Box<ContentBlock>,
    },
    /// Text appended.
    Text {
        /// The block's index.
        index: usize,
        /// The new text, sharing the bytes of the event it arrived in (reads as a `str`).
        text: SharedStr,
    },
    /// Reasoning appended to a thinking block.
    Thinking {
        /// The block's index.
        index: usize,
        /// The new reasoning, sharing the event's bytes.
        thinking: SharedStr,
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
        citation: Box<Citation>,
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
        /// The fragment as it arrived, sharing the event's bytes.
        fragment: SharedStr,
    },
    /// A string argument grew (decoded text).
    ToolArgDelta {
        /// The block's index.
        index: usize,
        /// Where, as a JSON pointer (`/content`, `/files/0/path`), shared by every update
        /// about the same place.
        pointer: JsonPointer,
        /// The text appended, sharing the event's bytes when it has no escapes.
        text: SharedStr,
    },
    /// An argument is complete (the root `""` comes last).
    ToolArgComplete {
        /// The block's index.
        index: usize,
        /// Where, as a JSON pointer.
        pointer: JsonPointer,
        /// Its final value, shared (reads as a [`Value`]; [`SharedValue::into_value`] owns it):
        /// made once, not copied at every level it closes; a container's is built when read.
        value: SharedValue,
    },
    /// A tool call is complete, with parsed arguments: it can be run now, before the message
    /// ends. The arguments are moved here from the fold, not copied; the fold parses their
    /// text again only if asked for the call afterwards.
    ToolCallDone {
        /// The block's index.
        index: usize,
        /// The call.
        call: Box<ToolCall>,
    },
    /// A tool call is complete but its input is not valid JSON.
    ToolCallInvalid {
        /// The block's index.
        index: usize,
        /// The raw text and the error.
        call: Box<InvalidToolCall>,
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
        usage: Box<UsageMetadata>,
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
    /// use chat_anthropic::aggregate::MessageAggregator;
    /// use chat_anthropic::StreamEvent;
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
        let tool_input = match update {
            Update::ToolInput { index, .. } => Some(index),
            _ => None,
        };
        out.push(self.owned(update, event));
        if let Some(index) = tool_input {
            self.argument_updates(index, out);
        }
        Ok(())
    }

    /// What the last fragment of tool input did to each argument. The path events move into
    /// the updates (no second copy of a completed value).
    fn argument_updates(&mut self, index: usize, out: &mut Vec<StreamUpdate>) {
        out.extend(
            self.path_events
                .drain(..)
                .map(|event| StreamUpdate::from_path_event(index, event)),
        );
    }

    /// The owned form of an update (a tool input fragment's argument updates come apart).
    fn owned(&mut self, update: Update<'_>, event: &StreamEvent) -> StreamUpdate {
        match update {
            Update::MessageStarted => self.message_started(),
            Update::BlockStarted { index, block } => StreamUpdate::block_started(index, block),
            Update::Text { index, text } => StreamUpdate::Text {
                index,
                text: delta_text(event, text),
            },
            Update::Thinking { index, thinking } => StreamUpdate::Thinking {
                index,
                thinking: delta_text(event, thinking),
            },
            Update::Signature { index } => StreamUpdate::Signature { index },
            Update::Citation { index, citation } => StreamUpdate::Citation {
                index,
                citation: Box::new(citation.clone()),
            },
            Update::ToolInput { index, fragment } => StreamUpdate::ToolArgs {
                index,
                fragment: delta_text(event, fragment),
            },
            Update::BlockStopped { index } => StreamUpdate::BlockStopped { index },
            // The call's input moves into the update (the fold parses its text again only
            // if read afterwards): a copy of the whole input per call would be the price.
            Update::ToolCallDone { index } => match self.blocks[index].lend_call() {
                Some(Ok(call)) => StreamUpdate::ToolCallDone {
                    index,
                    call: Box::new(call),
                },
                Some(Err(call)) => StreamUpdate::ToolCallInvalid {
                    index,
                    call: Box::new(call),
                },
                None => unreachable!("the fold reports ToolCallDone for stopped tool_use blocks"),
            },
            Update::MessageDelta => StreamUpdate::MessageDelta {
                stop_reason: self.message.as_ref().and_then(|m| m.stop_reason.clone()),
                usage: Box::new(self.usage_metadata()),
            },
            Update::MessageStopped => StreamUpdate::Done,
            // The event itself: the kept list is bounded, and a delta merged into an
            // unknown block is not in it.
            Update::Unknown => StreamUpdate::Unknown {
                raw: match event {
                    StreamEvent::Unknown(raw) => raw.clone(),
                    event => serde_json::to_value(event).unwrap_or(Value::Null),
                },
            },
        }
    }

    fn message_started(&self) -> StreamUpdate {
        let message = self.message.as_ref();
        StreamUpdate::MessageStarted {
            id: message.map(|m| m.id.clone()).unwrap_or_default(),
            model: message.map(|m| m.model.clone()).unwrap_or_default(),
        }
    }
}

/// `text`, which `event`'s delta carries, shared with the event rather than copied.
fn delta_text(event: &StreamEvent, text: &str) -> SharedStr {
    match event {
        StreamEvent::ContentBlockDelta(delta) => match &delta.delta {
            Delta::Text(shared) | Delta::Thinking(shared) | Delta::InputJson(shared)
                if shared.as_ptr() == text.as_ptr() && shared.len() == text.len() =>
            {
                shared.clone()
            }
            _ => SharedStr::from(text),
        },
        _ => SharedStr::from(text),
    }
}

impl StreamUpdate {
    /// A block began: tool calls get their own update, other blocks come as they started.
    fn block_started(index: usize, block: &ContentBlock) -> Self {
        match block {
            ContentBlock::ToolUse(call) => Self::ToolCallStarted {
                index,
                id: call.id.clone(),
                name: call.name.clone(),
            },
            block => Self::BlockStarted {
                index,
                block: Box::new(block.clone()),
            },
        }
    }

    /// What a fragment did to one argument of the tool call at `index`.
    fn from_path_event(index: usize, event: PathEvent) -> Self {
        match event.kind {
            PathEventKind::StringDelta(text) => Self::ToolArgDelta {
                index,
                pointer: event.pointer,
                text,
            },
            PathEventKind::Complete(value) => Self::ToolArgComplete {
                index,
                pointer: event.pointer,
                value,
            },
        }
    }
}

#[cfg(test)]
mod size_tests {
    /// Every update is moved by value into the buffer, out of it and through `Poll` to the
    /// caller: the rare, large payloads (a started block, a citation, a finished call, usage)
    /// are boxed so that each token's update does not copy them (it was 256 bytes). What is
    /// left is a pointer and a shared text beside an index.
    #[test]
    fn an_update_stays_small() {
        let size = std::mem::size_of::<super::StreamUpdate>();
        assert!(size <= 72, "StreamUpdate is {size} bytes");
    }
}
