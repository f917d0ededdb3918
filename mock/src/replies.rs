//! Scripted replies as data: one JSON object per reply, read from a JSONL file
//! (`--script replies.jsonl`) or posted to `POST /mock/replies`, so tests in any language can
//! script what the mock answers. Each object becomes a [`MockReply`], the type Rust tests
//! queue directly.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::reply::MockReply;
use super::script::MockScript;
use super::signatures::signature_for;

/// One scripted reply, as a line of a replies file or an object posted to `/mock/replies`:
/// a [`MockReply`], and optionally the text the last user message must contain for it to be
/// used.
///
/// The JSON form has exactly one of `text`, `content` (content blocks as the API sends them:
/// `text`, `thinking`, `redacted_thinking`, `tool_use`, or any other block sent whole),
/// `error` (`{"status", "type"?, "message"?}`) or `sse_file` (a recorded stream), plus
/// optional `stop_reason`, `stop_sequence`, `output_tokens`, `headers`, `fault` and `match`:
///
/// ```
/// use chat_anthropic_mock::ScriptedReply;
/// let replies = ScriptedReply::parse_jsonl(r#"
/// {"text": "Hello!"}
/// {"content": [{"type": "tool_use", "name": "get_weather", "input": {"city": "Paris"}}]}
/// {"content": [{"type": "thinking", "thinking": "Easy."}, {"type": "text", "text": "4"}]}
/// {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}}
/// {"text": "cut short", "fault": {"drop_after_events": 3}}
/// {"match": "weather", "text": "Sunny."}
/// "#).unwrap();
/// assert_eq!(replies.len(), 6);
/// assert_eq!(replies[5].matching(), Some("weather"));
///
/// let bad = ScriptedReply::parse_jsonl("{\"text\": \"ok\"}\n{\"txt\": \"typo\"}").unwrap_err();
/// assert_eq!(bad.line(), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "Wire")]
pub struct ScriptedReply {
    reply: MockReply,
    matching: Option<String>,
}

impl ScriptedReply {
    /// A reply used in order.
    pub fn new(reply: MockReply) -> Self {
        Self {
            reply,
            matching: None,
        }
    }

    /// Used (once) by the first request whose last user message contains `text`, ahead of the
    /// replies used in order.
    pub fn when_last_user_message_contains(mut self, text: impl Into<String>) -> Self {
        self.matching = Some(text.into());
        self
    }

    /// The reply.
    pub fn reply(&self) -> &MockReply {
        &self.reply
    }

    /// The text the last user message must contain, if the reply waits for one.
    pub fn matching(&self) -> Option<&str> {
        self.matching.as_deref()
    }

    pub(super) fn into_parts(self) -> (Option<String>, MockReply) {
        (self.matching, self.reply)
    }

    /// The replies of a JSONL text: one JSON object per line; blank lines and lines starting
    /// with `#` or `//` are skipped. An error names the line (1-based).
    pub fn parse_jsonl(text: &str) -> Result<Vec<Self>, RepliesError> {
        text.lines()
            .enumerate()
            .filter(|(_, line)| {
                let line = line.trim();
                !(line.is_empty() || line.starts_with('#') || line.starts_with("//"))
            })
            .map(|(index, line)| {
                serde_json::from_str(line).map_err(|err| RepliesError {
                    file: None,
                    line: Some(index + 1),
                    reason: Reason::Json(err),
                })
            })
            .collect()
    }

    /// The replies of a JSONL file (see [`parse_jsonl`](Self::parse_jsonl)).
    pub fn read_jsonl(path: impl AsRef<Path>) -> Result<Vec<Self>, RepliesError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|err| RepliesError {
            file: Some(path.to_owned()),
            line: None,
            reason: Reason::Read(err),
        })?;
        Self::parse_jsonl(&text).map_err(|err| RepliesError {
            file: Some(path.to_owned()),
            ..err
        })
    }

    /// The replies of a `POST /mock/replies` body: one JSON object, an array of them, or
    /// JSONL. An error names the array index or the line.
    pub(super) fn parse_body(body: &[u8]) -> Result<Vec<Self>, String> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| serde_json::from_value(item).map_err(|e| format!("[{i}]: {e}")))
                .collect(),
            Ok(item) => serde_json::from_value(item)
                .map(|reply| vec![reply])
                .map_err(|e| e.to_string()),
            Err(_) => {
                let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
                Self::parse_jsonl(text).map_err(|e| e.to_string())
            }
        }
    }
}

impl From<MockReply> for ScriptedReply {
    fn from(reply: MockReply) -> Self {
        Self::new(reply)
    }
}

/// A replies file or text that cannot be used: unreadable, or a line that is not a reply
/// (the error says which line and why).
#[derive(Debug)]
pub struct RepliesError {
    file: Option<PathBuf>,
    line: Option<usize>,
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    Read(std::io::Error),
    Json(serde_json::Error),
}

impl RepliesError {
    /// The line (1-based) that is not a reply; `None` when the file could not be read.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The file, when the replies came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }
}

impl fmt::Display for RepliesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if self.line.is_some() {
                write!(f, " ")?;
            }
        }
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
        }
        match &self.reason {
            Reason::Read(err) => write!(f, ": cannot read: {err}"),
            Reason::Json(err) => write!(f, ": {err}"),
        }
    }
}

impl std::error::Error for RepliesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            Reason::Read(err) => Some(err),
            Reason::Json(err) => Some(err),
        }
    }
}

/// The JSON form, before its parts are checked against each other.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    #[serde(rename = "match")]
    matching: Option<String>,
    text: Option<String>,
    content: Option<Vec<Value>>,
    error: Option<WireError>,
    sse_file: Option<PathBuf>,
    stop_reason: Option<String>,
    stop_sequence: Option<String>,
    output_tokens: Option<u64>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    fault: Fault,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireError {
    status: u16,
    #[serde(rename = "type")]
    kind: Option<String>,
    message: Option<String>,
}

/// `{"type": …, "message": …}`, and for `error_event_after` the events sent before it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventError {
    #[serde(default)]
    events: usize,
    #[serde(rename = "type", default = "overloaded")]
    kind: String,
    #[serde(default = "overloaded_message")]
    message: String,
}

fn overloaded() -> String {
    "overloaded_error".into()
}

fn overloaded_message() -> String {
    "Overloaded".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pause {
    events: usize,
    pause_ms: u64,
    every_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Every {
    events: usize,
    every_ms: u64,
}

/// The faults of [`MockReply`]'s builder methods, by the same names.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fault {
    chunk_size: Option<usize>,
    delay_ms: Option<u64>,
    drop_after_bytes: Option<usize>,
    stall_after_bytes: Option<usize>,
    drop_after_events: Option<usize>,
    stall_after_events: Option<usize>,
    error_event_after: Option<EventError>,
    error_event_before_content: Option<EventError>,
    stall_then_resume: Option<Pause>,
    pings_then_resume: Option<Pause>,
    pings_forever_after: Option<Every>,
}

impl TryFrom<Wire> for ScriptedReply {
    type Error = String;

    fn try_from(wire: Wire) -> Result<Self, String> {
        let bodies = [
            wire.text.is_some(),
            wire.content.is_some(),
            wire.error.is_some(),
            wire.sse_file.is_some(),
        ];
        match bodies.iter().filter(|given| **given).count() {
            1 => {}
            0 => return Err("a reply needs one of `text`, `content`, `error`, `sse_file`".into()),
            _ => {
                return Err("a reply has only one of `text`, `content`, `error`, `sse_file`".into())
            }
        }
        let scripted = wire.text.is_some() || wire.content.is_some();
        let script_only = [
            ("stop_reason", wire.stop_reason.is_some()),
            ("stop_sequence", wire.stop_sequence.is_some()),
            ("output_tokens", wire.output_tokens.is_some()),
        ];
        if let Some((field, _)) = script_only.iter().find(|(_, given)| *given && !scripted) {
            return Err(format!("`{field}` goes with `text` or `content`"));
        }
        let mut reply = if let Some(error) = wire.error {
            let kind = error.kind.unwrap_or_else(|| kind_for(error.status).into());
            let message = error.message.unwrap_or_else(|| kind.clone());
            MockReply::error(error.status, kind, message)
        } else if let Some(path) = wire.sse_file {
            MockReply::sse_file(path)
        } else {
            let mut script = match wire.text {
                Some(text) => MockScript::new().text(text),
                None => content(wire.content.unwrap_or_default())?,
            };
            if let Some(reason) = wire.stop_reason {
                script = script.stop_reason(reason);
            }
            if let Some(sequence) = wire.stop_sequence {
                script = script.stop_sequence(sequence);
            }
            if let Some(tokens) = wire.output_tokens {
                script = script.output_tokens(tokens);
            }
            MockReply::script(script)
        };
        for (name, value) in wire.headers {
            reply = reply.header(name, value);
        }
        Ok(Self {
            reply: wire.fault.apply(reply),
            matching: wire.matching,
        })
    }
}

impl Fault {
    fn apply(self, mut reply: MockReply) -> MockReply {
        let ms = Duration::from_millis;
        if let Some(bytes) = self.chunk_size {
            reply = reply.chunk_size(bytes);
        }
        if let Some(delay) = self.delay_ms {
            reply = reply.delay(ms(delay));
        }
        if let Some(bytes) = self.drop_after_bytes {
            reply = reply.drop_after_bytes(bytes);
        }
        if let Some(bytes) = self.stall_after_bytes {
            reply = reply.stall_after_bytes(bytes);
        }
        if let Some(events) = self.drop_after_events {
            reply = reply.drop_after_events(events);
        }
        if let Some(events) = self.stall_after_events {
            reply = reply.stall_after_events(events);
        }
        if let Some(error) = self.error_event_after {
            reply = reply.error_event_after(error.events, error.kind, error.message);
        }
        if let Some(error) = self.error_event_before_content {
            reply = reply.error_event_before_content(error.kind, error.message);
        }
        if let Some(pause) = self.stall_then_resume {
            reply = reply.stall_then_resume(pause.events, ms(pause.pause_ms));
        }
        if let Some(pause) = self.pings_then_resume {
            let every = ms(pause.every_ms.unwrap_or(100));
            reply = reply.pings_then_resume(pause.events, ms(pause.pause_ms), every);
        }
        if let Some(pings) = self.pings_forever_after {
            reply = reply.pings_forever_after(pings.events, ms(pings.every_ms));
        }
        reply
    }
}

/// The error type the API gives a status.
fn kind_for(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        500..=599 => "api_error",
        _ => "invalid_request_error",
    }
}

/// The blocks the API sends, as a script: the kinds it streams in deltas are read, any other
/// block is sent whole.
fn content(blocks: Vec<Value>) -> Result<MockScript, String> {
    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
    enum Block {
        Text {
            text: String,
            #[serde(default)]
            citations: Vec<Value>,
        },
        Thinking {
            thinking: String,
            signature: Option<String>,
        },
        RedactedThinking {
            data: String,
        },
        ToolUse {
            id: Option<String>,
            name: String,
            #[serde(default)]
            input: Option<Value>,
        },
    }
    const READ: &[&str] = &["text", "thinking", "redacted_thinking", "tool_use"];
    let mut script = MockScript::new();
    for (index, block) in blocks.into_iter().enumerate() {
        let kind = block
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if kind.is_empty() {
            return Err(format!("content[{index}]: a block needs a `type`"));
        }
        if !READ.contains(&kind) {
            script = script.raw_block(block);
            continue;
        }
        let block: Block =
            serde_json::from_value(block).map_err(|e| format!("content[{index}]: {e}"))?;
        script = match block {
            Block::Text { text, citations } if citations.is_empty() => script.text(text),
            Block::Text { text, citations } => script.cited_text(text, citations),
            Block::Thinking {
                signature,
                thinking,
            } => {
                let signature = signature.unwrap_or_else(|| signature_for(&thinking));
                script.thinking(thinking, signature)
            }
            Block::RedactedThinking { data } => script.redacted_thinking(data),
            Block::ToolUse { id, name, input } => {
                let input = input.unwrap_or_else(|| Value::Object(Default::default()));
                let id = id.unwrap_or_else(|| {
                    let seed = super::generate::seed_of(&[&name, &input.to_string()]);
                    format!("toolu_mock_{seed:016x}")
                });
                script.tool_use(id, name, input)
            }
        };
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<ScriptedReply, String> {
        ScriptedReply::parse_jsonl(line)
            .map(|mut replies| replies.remove(0))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn each_kind_of_line_makes_the_reply_the_builder_makes() {
        assert_eq!(
            one(r#"{"text": "Hi"}"#).unwrap().reply,
            MockReply::text("Hi")
        );
        assert_eq!(
            one(r#"{"error": {"status": 529}}"#).unwrap().reply,
            MockReply::error(529, "overloaded_error", "overloaded_error")
        );
        assert_eq!(
            one(r#"{"text": "x", "fault": {"error_event_after": {"events": 2}}, "headers": {"a": "b"}}"#)
                .unwrap()
                .reply,
            MockReply::text("x")
                .header("a", "b")
                .error_event_after(2, "overloaded_error", "Overloaded")
        );
        let tool = one(
            r#"{"content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}}]}"#,
        );
        assert_eq!(
            tool.unwrap().reply,
            MockReply::script(MockScript::new().tool_use(
                "toolu_1",
                "f",
                serde_json::json!({"a": 1})
            ))
        );
    }

    #[test]
    fn bad_lines_say_what_is_wrong_and_where() {
        let err = ScriptedReply::parse_jsonl("{\"text\": \"a\"}\n\n{\"text\": 1}").unwrap_err();
        assert_eq!(err.line(), Some(3));
        assert!(err.to_string().starts_with("line 3: "), "{err}");
        for (line, says) in [
            (r#"{}"#, "needs one of"),
            (r#"{"text": "a", "error": {"status": 500}}"#, "only one of"),
            (
                r#"{"error": {"status": 500}, "stop_reason": "x"}"#,
                "goes with",
            ),
            (
                r#"{"content": [{"type": "tool_use"}]}"#,
                "content[0]: missing field `name`",
            ),
            (
                r#"{"text": "a", "fault": {"drop_after": 3}}"#,
                "unknown field `drop_after`",
            ),
        ] {
            let err = one(line).unwrap_err();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    #[test]
    fn bodies_are_an_object_an_array_or_jsonl() {
        let parse = |body: &str| ScriptedReply::parse_body(body.as_bytes()).map(|r| r.len());
        assert_eq!(parse(r#"{"text": "a"}"#), Ok(1));
        assert_eq!(parse(r#"[{"text": "a"}, {"text": "b"}]"#), Ok(2));
        assert_eq!(parse("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"), Ok(2));
        assert!(parse(r#"[{"text": "a"}, {"txt": "b"}]"#)
            .unwrap_err()
            .starts_with("[1]: "));
    }
}
