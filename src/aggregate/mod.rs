//! The fold: stream events in, one message out.

mod block;
mod chunk;
mod collect;
mod finished_input;
mod stream_update;
mod unknown;
mod update;

use serde_json::Value;

pub use collect::collect_message;
pub use stream_update::StreamUpdate;
pub use update::Update;

use self::block::Applied;
pub(crate) use self::block::BlockBuilder;
use self::unknown::UnknownLog;
use crate::error::{Error, ProtocolError};
use crate::event::{ContentBlockDelta, ContentBlockStart, MessageDelta, StreamEvent};
use crate::messages::{AIMessage, ApiMessage, InvalidToolCall, ToolCall};
use crate::partial_json::PathEvent;

/// Folds [`StreamEvent`]s into a message, one event at a time.
///
/// Follows the rules the official SDKs agree on: usage in `message_delta` replaces (never
/// adds), stop fields come from the last `message_delta`, text and thinking append, the
/// signature is set, citations append, tool input is parsed incrementally (linear time, live
/// value after every fragment) and strictly at the end. Unknown event, block and delta types
/// are kept, never an error. Events out of order and `error` events are errors that leave
/// the state as it was, so [`partial_message`](Self::partial_message) still has everything
/// received before.
///
/// ```
/// use chat_anthropic::aggregate::MessageAggregator;
/// use chat_anthropic::StreamEvent;
/// let stream = [
///     ("message_start", r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}"#),
///     ("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
///     ("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"J'adore "}}"#),
///     ("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"la programmation."}}"#),
///     ("content_block_stop", r#"{"type":"content_block_stop","index":0}"#),
///     ("message_delta", r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":11}}"#),
///     ("message_stop", r#"{"type":"message_stop"}"#),
/// ];
/// let mut aggregator = MessageAggregator::new();
/// for (name, data) in stream {
///     aggregator.apply(&StreamEvent::parse(name, data)?)?;
/// }
/// let reply = aggregator.finish()?;
/// assert_eq!(reply.text(), "J'adore la programmation.");
/// assert_eq!(reply.usage_metadata.unwrap().total_tokens, 23);
/// # Ok::<(), chat_anthropic::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageAggregator {
    /// `None` until `message_start`; its `content` stays empty (blocks live in `blocks`).
    message: Option<ApiMessage>,
    blocks: Vec<BlockBuilder>,
    stopped: bool,
    track_paths: bool,
    path_events: Vec<PathEvent>,
    unknown: UnknownLog,
}

impl MessageAggregator {
    /// An empty aggregator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also produce per-field path events for tool input (see [`path_events`](Self::path_events)).
    pub fn with_path_events(mut self) -> Self {
        self.track_paths = true;
        self
    }

    /// Folds one event in and says what changed. On error the state is unchanged.
    pub fn apply<'e>(&mut self, event: &'e StreamEvent) -> Result<Option<Update<'e>>, Error> {
        self.path_events.clear();
        if self.stopped && !matches!(event, StreamEvent::Ping | StreamEvent::Unknown(_)) {
            return Err(ProtocolError::AfterMessageStop {
                event: event.known_kind().unwrap_or("unknown event"),
            }
            .into());
        }
        match event {
            StreamEvent::MessageStart(start) => {
                if self.message.is_some() {
                    return Err(ProtocolError::DuplicateMessageStart.into());
                }
                let mut message = start.message.clone();
                for block in std::mem::take(&mut message.content) {
                    self.blocks.push(BlockBuilder::new(block));
                }
                self.message = Some(message);
                Ok(Some(Update::MessageStarted))
            }
            StreamEvent::ContentBlockStart(start) => self.start_block(start).map(Some),
            StreamEvent::ContentBlockDelta(delta) => self.apply_delta(delta).map(Some),
            StreamEvent::ContentBlockStop(stop) => self.stop_block(stop.index).map(Some),
            StreamEvent::MessageDelta(delta) => {
                self.apply_message_delta(delta)?;
                Ok(Some(Update::MessageDelta))
            }
            StreamEvent::MessageStop => {
                self.started("message_stop")?;
                self.stopped = true;
                Ok(Some(Update::MessageStopped))
            }
            StreamEvent::Ping => Ok(None),
            StreamEvent::Error(error) => Err(Error::Api(crate::error::ApiError::new(
                error.error.kind.clone(),
                error.error.message.clone(),
            ))),
            StreamEvent::Unknown(raw) => {
                self.unknown.push(raw);
                Ok(Some(Update::Unknown))
            }
        }
    }

    fn started(&mut self, event: &'static str) -> Result<&mut ApiMessage, ProtocolError> {
        self.message
            .as_mut()
            .ok_or(ProtocolError::BeforeMessageStart { event })
    }

    fn start_block<'e>(&mut self, start: &'e ContentBlockStart) -> Result<Update<'e>, Error> {
        self.started("content_block_start")?;
        if start.index != self.blocks.len() {
            return Err(ProtocolError::UnexpectedIndex {
                index: start.index,
                expected: self.blocks.len(),
            }
            .into());
        }
        self.blocks
            .push(BlockBuilder::new(start.content_block.clone()));
        Ok(Update::BlockStarted {
            index: start.index,
            block: &start.content_block,
        })
    }

    fn apply_delta<'e>(&mut self, event: &'e ContentBlockDelta) -> Result<Update<'e>, Error> {
        use crate::event::Delta;
        let index = event.index;
        let block = open_block(
            &self.message,
            &mut self.blocks,
            index,
            "content_block_delta",
        )?;
        let paths = self.track_paths.then_some(&mut self.path_events);
        if let Applied::Unknown = block.apply(index, &event.delta, paths)? {
            self.unknown.push(event);
            return Ok(Update::Unknown);
        }
        Ok(match &event.delta {
            Delta::Text(text) => Update::Text { index, text },
            Delta::Thinking(thinking) => Update::Thinking { index, thinking },
            Delta::Signature(_) => Update::Signature { index },
            Delta::Citation(citation) => Update::Citation { index, citation },
            Delta::InputJson(fragment) => Update::ToolInput { index, fragment },
            Delta::Unknown(_) => Update::Unknown,
        })
    }

    fn stop_block(&mut self, index: usize) -> Result<Update<'static>, Error> {
        let block = open_block(&self.message, &mut self.blocks, index, "content_block_stop")?;
        block.stop();
        Ok(match block.block {
            crate::messages::ContentBlock::ToolUse(_) => Update::ToolCallDone { index },
            _ => Update::BlockStopped { index },
        })
    }

    fn apply_message_delta(&mut self, event: &MessageDelta) -> Result<(), ProtocolError> {
        let message = self.started("message_delta")?;
        message.stop_reason.clone_from(&event.delta.stop_reason);
        message.stop_sequence.clone_from(&event.delta.stop_sequence);
        for (key, value) in &event.delta.extra {
            message.extra.insert(key.clone(), value.clone());
        }
        if let Some(usage) = &event.usage {
            message.usage.apply(usage);
        }
        Ok(())
    }

    /// Whether `message_stop` has arrived.
    pub fn is_complete(&self) -> bool {
        self.stopped
    }

    /// The live arguments of the tool call at `index`: what has arrived so far (open strings
    /// included), borrowed. The first read of a call's arguments builds them from the text so
    /// far; from then on the parser keeps them up to date at each fragment, so reading after
    /// every fragment costs O(1) each (and a caller that never reads them pays for no tree).
    pub fn tool_input(&self, index: usize) -> Option<&Value> {
        self.blocks.get(index)?.tool_input()
    }

    /// The live arguments of the tool call at `index` while they stream, shared with the
    /// parser: O(1) once read (as [`tool_input`](Self::tool_input)), and a copy of the tree at
    /// the next fragment only if still held.
    #[cfg(feature = "structured")]
    pub(crate) fn shared_tool_input(&self, index: usize) -> Option<std::sync::Arc<Value>> {
        self.blocks.get(index)?.shared_input()
    }

    /// Whether the last input fragment of the tool call at `index` changed its live input.
    #[cfg(feature = "structured")]
    pub(crate) fn tool_input_changed(&self, index: usize) -> bool {
        self.blocks
            .get(index)
            .is_some_and(|block| block.input_changed())
    }

    /// The raw input text received so far for the tool call at `index`.
    pub fn tool_input_raw(&self, index: usize) -> Option<&str> {
        self.blocks.get(index)?.raw_input()
    }

    /// The finished `tool_use` call at `index`: parsed, or invalid with its raw text and the
    /// error. `None` while it is still streaming, or for other blocks. A copy: made only for
    /// whoever asks (see [`Update::ToolCallDone`]).
    ///
    /// ```
    /// use chat_anthropic::aggregate::{MessageAggregator, Update};
    /// use chat_anthropic::StreamEvent;
    /// let mut aggregator = MessageAggregator::new();
    /// for (name, data) in [
    ///     ("message_start", r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#),
    ///     ("content_block_start", r#"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}"#),
    ///     ("content_block_delta", r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Paris\"}"}}"#),
    /// ] {
    ///     aggregator.apply(&StreamEvent::parse(name, data)?)?;
    /// }
    /// assert!(aggregator.tool_call(0).is_none(), "still streaming");
    /// let stop = StreamEvent::parse("content_block_stop", r#"{"type":"content_block_stop","index":0}"#)?;
    /// assert_eq!(aggregator.apply(&stop)?, Some(Update::ToolCallDone { index: 0 }));
    /// let call = aggregator.tool_call(0).unwrap().unwrap();
    /// assert_eq!((call.name.as_str(), &call.args["city"]), ("get_weather", &serde_json::json!("Paris")));
    /// # Ok::<(), chat_anthropic::Error>(())
    /// ```
    pub fn tool_call(&self, index: usize) -> Option<Result<ToolCall, InvalidToolCall>> {
        self.blocks.get(index)?.finished_call()
    }

    /// The per-field changes of tool input made by the last [`apply`](Self::apply) (only with
    /// [`with_path_events`](Self::with_path_events)).
    pub fn path_events(&self) -> &[PathEvent] {
        &self.path_events
    }

    /// Events of unknown types received so far, as raw JSON, and `content_block_delta`
    /// events whose delta type is unknown on a block of a known type. (A delta on a block of
    /// unknown type is merged into that block instead; see [`ContentBlock::Unknown`].)
    ///
    /// Bounded: the first 1,024 events or 1 MiB of JSON are kept, the rest only counted
    /// ([`unknown_dropped`](Self::unknown_dropped)); the message is unaffected either way.
    ///
    /// [`ContentBlock::Unknown`]: crate::ContentBlock::Unknown
    pub fn unknown(&self) -> &[Value] {
        self.unknown.kept()
    }

    /// How many unknown events were not kept in [`unknown`](Self::unknown) for lack of room.
    ///
    /// ```
    /// use chat_anthropic::aggregate::MessageAggregator;
    /// use chat_anthropic::StreamEvent;
    /// let mut aggregator = MessageAggregator::new();
    /// let hologram = StreamEvent::parse("hologram", r#"{"type":"hologram"}"#)?;
    /// for _ in 0..2000 {
    ///     aggregator.apply(&hologram)?;
    /// }
    /// assert_eq!(aggregator.unknown().len() as u64 + aggregator.unknown_dropped(), 2000);
    /// assert!(aggregator.unknown_dropped() > 0);
    /// # Ok::<(), chat_anthropic::Error>(())
    /// ```
    pub fn unknown_dropped(&self) -> u64 {
        self.unknown.dropped()
    }

    /// The message's id, model, stop reason and usage as they stand (its content is in the
    /// blocks), without copying the content.
    #[cfg(feature = "client")]
    pub(crate) fn header(&self) -> Option<&ApiMessage> {
        self.message.as_ref()
    }

    /// The message in the API's own shape, as it stands (tool input live).
    pub fn api_message(&self) -> ApiMessage {
        let mut message = self.message.clone().unwrap_or_default();
        message.content = self.blocks.iter().map(BlockBuilder::snapshot).collect();
        message
    }

    /// The message as it stands, in LangChain's shape. Tool calls still streaming are listed
    /// in `invalid_tool_calls` with their raw text, so nothing received is lost.
    pub fn partial_message(&self) -> AIMessage {
        AIMessage::from_api(self.api_message(), self.invalid_calls(true))
    }

    fn invalid_calls(&self, with_unfinished: bool) -> Vec<InvalidToolCall> {
        self.blocks
            .iter()
            .filter_map(|block| {
                block
                    .invalid
                    .clone()
                    .or_else(|| with_unfinished.then(|| block.unfinished_call()).flatten())
            })
            .collect()
    }

    /// The final message. A stream that did not reach `message_stop` is an
    /// [`Error::Stream`] carrying the partial message.
    pub fn finish(self) -> Result<AIMessage, Error> {
        if !self.stopped {
            return Err(self.fail(ProtocolError::Incomplete.into()));
        }
        let invalid = self.invalid_calls(false);
        let mut message = self.message.unwrap_or_default();
        message.content = self
            .blocks
            .into_iter()
            .map(BlockBuilder::into_block)
            .collect();
        Ok(AIMessage::from_api(message, invalid))
    }

    /// Wraps `cause` with the partial message: what a consumer returns when a stream breaks.
    pub fn fail(&self, cause: Error) -> Error {
        Error::Stream(crate::error::StreamError::new(
            cause,
            self.partial_message(),
        ))
    }
}

/// The started, still open block at `index` (a free function so the caller can borrow other
/// fields of the aggregator at the same time).
fn open_block<'a>(
    message: &Option<ApiMessage>,
    blocks: &'a mut [BlockBuilder],
    index: usize,
    event: &'static str,
) -> Result<&'a mut BlockBuilder, ProtocolError> {
    if message.is_none() {
        return Err(ProtocolError::BeforeMessageStart { event });
    }
    let block = blocks
        .get_mut(index)
        .ok_or(ProtocolError::UnknownIndex { index, event })?;
    if block.stopped {
        return Err(ProtocolError::BlockStopped { index, event });
    }
    Ok(block)
}
