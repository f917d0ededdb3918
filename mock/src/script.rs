//! Scripted replies: the content blocks a mock response carries, rendered either as the
//! event sequence of a stream or as a non-streaming message.

use serde_json::{json, Value};

/// The content of a scripted reply, block by block.
///
/// ```
/// use chat_anthropic_mock::{MockReply, MockScript};
/// let reply = MockReply::script(
///     MockScript::new()
///         .thinking("The user wants weather.", "sig-1")
///         .text("Let me check.")
///         .tool_use("toolu_1", "get_weather", serde_json::json!({"location": "Paris"})),
/// );
/// # let _ = reply;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MockScript {
    blocks: Vec<ScriptBlock>,
    stop_reason: Option<String>,
    stop_sequence: Option<String>,
    output_tokens: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
enum ScriptBlock {
    Text(String),
    /// Text streamed in pieces of 1–10 bytes, as the API streams JSON text (structured
    /// output), not a word at a time.
    TextInPieces(String),
    Thinking {
        thinking: String,
        signature: String,
    },
    RedactedThinking(String),
    /// Text backed by citations (streamed as `citations_delta`s, then the text).
    CitedText {
        text: String,
        citations: Vec<Value>,
    },
    ToolUse {
        id: String,
        name: String,
        /// The input's JSON text, as it will stream (possibly invalid, on purpose).
        input_json: String,
    },
    /// Any block, sent whole in its `content_block_start`.
    Raw(Value),
}

impl MockScript {
    /// An empty reply.
    ///
    /// ```
    /// let script = chat_anthropic_mock::MockScript::new().text("Hi");
    /// # let _ = script;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A text block, streamed a word at a time.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(ScriptBlock::Text(text.into()));
        self
    }

    /// A text block streamed in small pieces, as the API streams structured output's JSON.
    pub(crate) fn text_in_pieces(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(ScriptBlock::TextInPieces(text.into()));
        self
    }

    /// A thinking block with its signature.
    pub fn thinking(mut self, thinking: impl Into<String>, signature: impl Into<String>) -> Self {
        self.blocks.push(ScriptBlock::Thinking {
            thinking: thinking.into(),
            signature: signature.into(),
        });
        self
    }

    /// A redacted thinking block.
    pub fn redacted_thinking(mut self, data: impl Into<String>) -> Self {
        self.blocks.push(ScriptBlock::RedactedThinking(data.into()));
        self
    }

    /// A tool call; its input streams as `input_json_delta` fragments of 1–10 bytes.
    pub fn tool_use(self, id: impl Into<String>, name: impl Into<String>, input: Value) -> Self {
        self.tool_use_raw(id, name, input.to_string())
    }

    /// A tool call whose input streams as exactly this text, valid JSON or not: the empty
    /// string is one empty fragment (what the API sends for a tool without arguments), and
    /// malformed text makes an invalid tool call.
    pub fn tool_use_raw(
        mut self,
        id: impl Into<String>,
        name: impl Into<String>,
        input_json: impl Into<String>,
    ) -> Self {
        self.blocks.push(ScriptBlock::ToolUse {
            id: id.into(),
            name: name.into(),
            input_json: input_json.into(),
        });
        self
    }

    /// Any block, e.g. a server tool result, sent whole.
    pub fn raw_block(mut self, block: Value) -> Self {
        self.blocks.push(ScriptBlock::Raw(block));
        self
    }

    /// A text block with citations (objects as the API sends them: `char_location`,
    /// `page_location`, `content_block_location`, `web_search_result_location`, …), streamed
    /// as the API does: the block starts with empty `citations`, each citation arrives as a
    /// `citations_delta`, then the text.
    ///
    /// ```
    /// use chat_anthropic_mock::MockScript;
    /// let script = MockScript::new().cited_text("The grass is green.", vec![serde_json::json!({
    ///     "type": "char_location", "cited_text": "The grass is green.", "document_index": 0,
    ///     "document_title": "Facts", "start_char_index": 0, "end_char_index": 20
    /// })]);
    /// # let _ = script;
    /// ```
    pub fn cited_text(mut self, text: impl Into<String>, citations: Vec<Value>) -> Self {
        self.blocks.push(ScriptBlock::CitedText {
            text: text.into(),
            citations,
        });
        self
    }

    /// The stop reason (default: `tool_use` when the script calls a tool, else `end_turn`).
    pub fn stop_reason(mut self, reason: impl Into<String>) -> Self {
        self.stop_reason = Some(reason.into());
        self
    }

    /// Ends with `stop_sequence` as the reason and this sequence.
    pub fn stop_sequence(mut self, sequence: impl Into<String>) -> Self {
        self.stop_reason = Some("stop_sequence".into());
        self.stop_sequence = Some(sequence.into());
        self
    }

    /// The output token count to report (default: an estimate from the content).
    pub fn output_tokens(mut self, tokens: u64) -> Self {
        self.output_tokens = Some(tokens);
        self
    }

    /// The (signature, thinking) pairs this reply hands out.
    pub(super) fn signatures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.blocks.iter().filter_map(|block| match block {
            ScriptBlock::Thinking {
                thinking,
                signature,
            } => Some((signature.as_str(), thinking.as_str())),
            _ => None,
        })
    }

    fn stop_reason_or_default(&self) -> &str {
        match &self.stop_reason {
            Some(reason) => reason,
            None if self
                .blocks
                .iter()
                .any(|b| matches!(b, ScriptBlock::ToolUse { .. })) =>
            {
                "tool_use"
            }
            None => "end_turn",
        }
    }

    pub(super) fn output_tokens_or_estimate(&self) -> u64 {
        self.output_tokens.unwrap_or_else(|| {
            let chars: usize = self
                .blocks
                .iter()
                .map(|b| final_block(b).to_string().len())
                .sum();
            (chars as u64 / 4).max(1)
        })
    }

    /// The stream's events, in order, as `(event name, data)`.
    pub(super) fn events(&self, id: &str, model: &str, usage: &Value) -> Vec<Value> {
        let mut events = vec![json!({
            "type": "message_start",
            "message": {
                "id": id, "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": usage,
            },
        })];
        events.push(json!({"type": "ping"}));
        for (index, block) in self.blocks.iter().enumerate() {
            events.push(json!({"type": "content_block_start", "index": index, "content_block": start_block(block)}));
            for delta in deltas(block) {
                events.push(json!({"type": "content_block_delta", "index": index, "delta": delta}));
            }
            events.push(json!({"type": "content_block_stop", "index": index}));
        }
        events.push(json!({
            "type": "message_delta",
            "delta": {"stop_reason": self.stop_reason_or_default(), "stop_sequence": self.stop_sequence},
            "usage": {"output_tokens": self.output_tokens_or_estimate()},
        }));
        events.push(json!({"type": "message_stop"}));
        events
    }

    /// The same reply as a non-streaming response body.
    pub(super) fn message(&self, id: &str, model: &str, usage: &Value) -> Value {
        let mut usage = usage.clone();
        usage["output_tokens"] = self.output_tokens_or_estimate().into();
        json!({
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": self.blocks.iter().map(final_block).collect::<Vec<_>>(),
            "stop_reason": self.stop_reason_or_default(),
            "stop_sequence": self.stop_sequence,
            "usage": usage,
        })
    }
}

/// The block as `content_block_start` announces it: empty, to be filled by deltas.
fn start_block(block: &ScriptBlock) -> Value {
    match block {
        ScriptBlock::Text(_) | ScriptBlock::TextInPieces(_) => json!({"type": "text", "text": ""}),
        ScriptBlock::CitedText { .. } => json!({"type": "text", "text": "", "citations": []}),
        ScriptBlock::Thinking { .. } => {
            json!({"type": "thinking", "thinking": "", "signature": ""})
        }
        ScriptBlock::ToolUse { id, name, .. } => {
            json!({"type": "tool_use", "id": id, "name": name, "input": {}})
        }
        ScriptBlock::RedactedThinking(_) | ScriptBlock::Raw(_) => final_block(block),
    }
}

/// The block as a finished message holds it.
fn final_block(block: &ScriptBlock) -> Value {
    match block {
        ScriptBlock::Text(text) | ScriptBlock::TextInPieces(text) => {
            json!({"type": "text", "text": text})
        }
        ScriptBlock::CitedText { text, citations } => {
            json!({"type": "text", "text": text, "citations": citations})
        }
        ScriptBlock::Thinking {
            thinking,
            signature,
        } => json!({"type": "thinking", "thinking": thinking, "signature": signature}),
        ScriptBlock::RedactedThinking(data) => json!({"type": "redacted_thinking", "data": data}),
        ScriptBlock::ToolUse {
            id,
            name,
            input_json,
        } => {
            let input: Value = serde_json::from_str(input_json).unwrap_or_else(|_| json!({}));
            json!({"type": "tool_use", "id": id, "name": name, "input": input})
        }
        ScriptBlock::Raw(block) => block.clone(),
    }
}

/// The deltas that fill a block: words of text, fragments of tool input.
fn deltas(block: &ScriptBlock) -> Vec<Value> {
    match block {
        ScriptBlock::Text(text) => words(text)
            .map(|word| json!({"type": "text_delta", "text": word}))
            .collect(),
        ScriptBlock::TextInPieces(text) => fragments(text)
            .map(|piece| json!({"type": "text_delta", "text": piece}))
            .collect(),
        ScriptBlock::CitedText { text, citations } => citations
            .iter()
            .map(|citation| json!({"type": "citations_delta", "citation": citation}))
            .chain(words(text).map(|word| json!({"type": "text_delta", "text": word})))
            .collect(),
        ScriptBlock::Thinking {
            thinking,
            signature,
        } => words(thinking)
            .map(|word| json!({"type": "thinking_delta", "thinking": word}))
            .chain([json!({"type": "signature_delta", "signature": signature})])
            .collect(),
        ScriptBlock::ToolUse { input_json, .. } if input_json.is_empty() => {
            vec![json!({"type": "input_json_delta", "partial_json": ""})]
        }
        ScriptBlock::ToolUse { input_json, .. } => fragments(input_json)
            .map(|piece| json!({"type": "input_json_delta", "partial_json": piece}))
            .collect(),
        ScriptBlock::RedactedThinking(_) | ScriptBlock::Raw(_) => Vec::new(),
    }
}

/// Splits text after each space, the way tokens tend to arrive.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(' ')
}

/// Splits text into pieces of 1 to 10 bytes (on character boundaries), in a fixed pattern so
/// replies are reproducible.
fn fragments(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    let mut step = 0usize;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        step += 1;
        let mut at = (1 + step * 7 % 10).min(rest.len());
        while !rest.is_char_boundary(at) {
            at += 1;
        }
        let (piece, tail) = rest.split_at(at);
        rest = tail;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_cover_the_text_in_small_pieces() {
        let text = r#"{"city": "Zürich", "days": [1, 2, 3]}"#;
        let pieces: Vec<&str> = fragments(text).collect();
        assert_eq!(pieces.concat(), text);
        assert!(pieces.len() > 4);
        assert!(pieces.iter().all(|p| !p.is_empty() && p.len() <= 11));
    }

    #[test]
    fn default_stop_reason_follows_the_content() {
        assert_eq!(
            MockScript::new().text("a").stop_reason_or_default(),
            "end_turn"
        );
        let tool = MockScript::new().tool_use("t", "f", json!({}));
        assert_eq!(tool.stop_reason_or_default(), "tool_use");
    }
}
