//! A tool call's input, finished: one rule shared by the fold and by chunks adding up.

use serde_json::Value;

use super::{ContentBlock, InvalidToolCall};
use crate::partial_json::PartialJsonParser;

impl ContentBlock {
    /// Whether this block takes streamed JSON input (`input_json_delta`): tool calls, server
    /// tool calls, and blocks of types this version does not know.
    pub(crate) fn takes_tool_input(&self) -> bool {
        matches!(
            self,
            ContentBlock::ToolUse(_) | ContentBlock::ServerToolUse(_) | ContentBlock::Unknown(_)
        )
    }

    /// Sets the input of a tool call (or of a block of unknown type that takes input).
    fn set_tool_input(&mut self, value: Value) {
        match self {
            ContentBlock::ToolUse(call) | ContentBlock::ServerToolUse(call) => call.input = value,
            ContentBlock::Unknown(Value::Object(raw)) => {
                raw.insert("input".to_owned(), value);
            }
            _ => {}
        }
    }

    /// The `(id, name)` of a tool call, for reporting it as invalid.
    pub(crate) fn tool_call_identity(&self) -> (Option<String>, Option<String>) {
        match self {
            ContentBlock::ToolUse(call) | ContentBlock::ServerToolUse(call) => {
                (Some(call.id.clone()), Some(call.name.clone()))
            }
            ContentBlock::Unknown(raw) => {
                let field = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
                (field("id"), field("name"))
            }
            _ => (None, None),
        }
    }

    /// Closes a tool call with its whole input text, parsed strictly: a blank input keeps
    /// what the start block said (`{}`), valid JSON becomes the input (and its text is handed
    /// back), and invalid JSON is returned as an invalid call keeping the raw text and the
    /// error.
    pub(crate) fn finish_tool_input(
        &mut self,
        input: PartialJsonParser,
    ) -> Result<Option<String>, InvalidToolCall> {
        if input.raw().trim().is_empty() {
            return Ok(None);
        }
        match input.finish_with_raw() {
            Ok((value, raw)) => {
                self.set_tool_input(value);
                Ok(Some(raw))
            }
            Err(invalid) => {
                let (id, name) = self.tool_call_identity();
                Err(InvalidToolCall {
                    name,
                    args: Some(invalid.raw),
                    id,
                    error: Some(invalid.error),
                })
            }
        }
    }
}
