//! One content block under construction.

use serde_json::{Map, Value};

use crate::error::ProtocolError;
use crate::event::Delta;
use crate::messages::unknown_block::merge_fields;
use crate::messages::{Citation, ContentBlock, InvalidToolCall, ToolCall};
use crate::partial_json::{PartialJsonParser, PathEvent};

use super::finished_input::FinishedInput;

/// A content block plus what is needed to finish it.
#[derive(Debug, Clone)]
pub(crate) struct BlockBuilder {
    pub(crate) block: ContentBlock,
    /// The incremental parser of a tool call's input, until the block stops.
    input: Option<PartialJsonParser>,
    pub(super) stopped: bool,
    /// Set when the finished input was not valid JSON.
    pub(crate) invalid: Option<InvalidToolCall>,
    /// A finished `tool_use` call's input text, so its value can be lent (see
    /// [`lend_call`](Self::lend_call)).
    finished: Option<FinishedInput>,
}

/// How a delta applied, for the caller to report.
pub(crate) enum Applied {
    Done,
    Unknown,
}

impl BlockBuilder {
    pub(crate) fn new(block: ContentBlock) -> Self {
        Self {
            input: block.takes_tool_input().then(PartialJsonParser::new),
            block,
            stopped: false,
            invalid: None,
            finished: None,
        }
    }

    /// Appends a delta, following the fold rules: text and thinking append, the signature is
    /// set, citations append, tool input goes through the incremental parser. A delta of a
    /// known type that does not fit a known block is a protocol error; deltas on blocks of
    /// unknown type, known or not, are merged into their raw JSON ([`merge_fields`]).
    pub(crate) fn apply(
        &mut self,
        index: usize,
        delta: &Delta,
        path_events: Option<&mut Vec<PathEvent>>,
    ) -> Result<Applied, ProtocolError> {
        match (&mut self.block, delta) {
            (ContentBlock::Text(block), Delta::Text(text)) => block.text.push_str(text),
            (ContentBlock::Text(block), Delta::Citation(citation)) => block
                .citations
                .get_or_insert_with(Vec::new)
                .push(Citation::clone(citation)),
            (ContentBlock::Thinking(block), Delta::Thinking(thinking)) => {
                block.thinking.push_str(thinking)
            }
            (ContentBlock::Thinking(block), Delta::Signature(signature)) => {
                block.signature = signature.to_string()
            }
            (
                ContentBlock::ToolUse(_)
                | ContentBlock::ServerToolUse(_)
                | ContentBlock::Unknown(_),
                Delta::InputJson(fragment),
            ) => {
                let parser = self.input.get_or_insert_with(PartialJsonParser::new);
                match path_events {
                    Some(events) => parser.push_shared_with_events(fragment, events),
                    None => parser.push(fragment),
                }
            }
            (ContentBlock::Unknown(raw), delta) => merge_into_raw(raw, delta),
            (_, Delta::Unknown(_)) => return Ok(Applied::Unknown),
            (block, delta) => {
                return Err(ProtocolError::DeltaMismatch {
                    index,
                    block: block.kind().to_owned(),
                    delta: delta.kind().to_owned(),
                })
            }
        }
        Ok(Applied::Done)
    }

    /// The live tool input: what has arrived so far, or the finished value.
    pub(super) fn tool_input(&self) -> Option<&Value> {
        match (&self.input, &self.block) {
            (Some(parser), _) if !parser.raw().is_empty() => Some(parser.value()),
            (_, ContentBlock::ToolUse(call) | ContentBlock::ServerToolUse(call)) => {
                Some(self.finished_input(&call.input))
            }
            _ => None,
        }
    }

    /// The live tool input of a call still streaming, shared with its parser (no copy).
    #[cfg(feature = "structured")]
    pub(super) fn shared_input(&self) -> Option<std::sync::Arc<Value>> {
        let parser = self.input.as_ref().filter(|p| !p.raw().is_empty())?;
        Some(parser.shared_value())
    }

    /// Whether the last input fragment changed the input's live value.
    #[cfg(feature = "structured")]
    pub(super) fn input_changed(&self) -> bool {
        self.input
            .as_ref()
            .is_some_and(PartialJsonParser::changed_by_last_push)
    }

    /// The raw input text received so far.
    pub(super) fn raw_input(&self) -> Option<&str> {
        self.input.as_ref().map(PartialJsonParser::raw)
    }

    /// Closes the block: a tool call's input is parsed strictly; invalid JSON keeps the raw
    /// text and the error. An empty input stays what the start block said (`{}`).
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        let Some(parser) = self.input.take() else {
            return;
        };
        match self.block.finish_tool_input(parser) {
            Ok(raw) => {
                let lendable = matches!(self.block, ContentBlock::ToolUse(_));
                self.finished = raw.filter(|_| lendable).map(FinishedInput::new);
            }
            Err(invalid) => self.invalid = Some(invalid),
        }
    }

    /// A finished call's input as the block holds it, or as read again once lent.
    fn finished_input<'a>(&'a self, held: &'a Value) -> &'a Value {
        self.finished
            .as_ref()
            .and_then(FinishedInput::read)
            .unwrap_or(held)
    }

    /// The block, owned: a lent input is put back.
    pub(super) fn into_block(mut self) -> ContentBlock {
        if let (Some(finished), ContentBlock::ToolUse(call)) = (self.finished, &mut self.block) {
            finished.restore(&mut call.input);
        }
        self.block
    }

    /// The block as it stands, with the live input of an unfinished tool call.
    pub(super) fn snapshot(&self) -> ContentBlock {
        let mut block = self.block.clone();
        if let (Some(lent), ContentBlock::ToolUse(call)) = (
            self.finished.as_ref().and_then(FinishedInput::read),
            &mut block,
        ) {
            call.input = lent.clone();
        }
        if let Some(parser) = self.input.as_ref().filter(|p| !p.raw().is_empty()) {
            let live = parser.value().clone();
            match &mut block {
                ContentBlock::ToolUse(call) | ContentBlock::ServerToolUse(call) => {
                    call.input = live
                }
                ContentBlock::Unknown(Value::Object(raw)) => {
                    raw.insert("input".to_owned(), live);
                }
                _ => {}
            }
        }
        block
    }

    /// A stopped `tool_use` block as a call: parsed, or invalid.
    pub(super) fn finished_call(&self) -> Option<Result<ToolCall, InvalidToolCall>> {
        let ContentBlock::ToolUse(call) = &self.block else {
            return None;
        };
        if !self.stopped {
            return None;
        }
        Some(match &self.invalid {
            Some(invalid) => Err(invalid.clone()),
            None => Ok(ToolCall::new(
                call.name.clone(),
                self.finished_input(&call.input).clone(),
                call.id.clone(),
            )),
        })
    }

    /// [`finished_call`](Self::finished_call), with the input moved out rather than copied
    /// the first time (the fold reads it again from its text if asked for it afterwards).
    pub(super) fn lend_call(&mut self) -> Option<Result<ToolCall, InvalidToolCall>> {
        if let (true, None, Some(finished), ContentBlock::ToolUse(call)) = (
            self.stopped,
            &self.invalid,
            &mut self.finished,
            &mut self.block,
        ) && let Some(input) = finished.lend(&mut call.input)
        {
            return Some(Ok(ToolCall::new(call.name.clone(), input, call.id.clone())));
        }
        self.finished_call()
    }

    /// An unfinished tool call, reported as invalid so its raw text is not lost.
    pub(super) fn unfinished_call(&self) -> Option<InvalidToolCall> {
        if self.stopped || !matches!(self.block, ContentBlock::ToolUse(_)) {
            return None;
        }
        let (id, name) = self.block.tool_call_identity();
        Some(InvalidToolCall {
            name,
            args: self.raw_input().map(str::to_owned),
            id,
            error: Some("the stream ended before this tool call's input was complete".into()),
        })
    }
}

/// Forward compatibility: a delta on a block type we do not model is merged into the block's
/// JSON by [`merge_fields`]; a known delta under its natural field (`text`, `thinking`,
/// `signature`, `citations`), an unknown one field by field (e.g. a `compaction_delta`'s
/// `content` and `encrypted_content` into a `compaction` block).
fn merge_into_raw(raw: &mut Value, delta: &Delta) {
    if let (Value::Object(raw), Some(fields)) = (raw, delta_fields(delta)) {
        merge_fields(raw, fields);
    }
}

/// What a delta adds to a block we do not model, as the fields to merge into its JSON
/// (`None` for tool input, which goes through the parser).
pub(super) fn delta_fields(delta: &Delta) -> Option<Map<String, Value>> {
    let field = |name: &str, value: Value| Some(Map::from_iter([(name.to_owned(), value)]));
    match delta {
        Delta::Text(text) => field("text", Value::String(text.to_string())),
        Delta::Thinking(thinking) => field("thinking", Value::String(thinking.to_string())),
        Delta::Signature(signature) => field("signature", Value::String(signature.to_string())),
        Delta::Citation(citation) => {
            let value = serde_json::to_value(citation).unwrap_or(Value::Null);
            field("citations", Value::Array(vec![value]))
        }
        Delta::Unknown(Value::Object(raw)) => Some(
            raw.iter()
                .filter(|(key, _)| *key != "type")
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        Delta::InputJson(_) | Delta::Unknown(_) => None,
    }
}
