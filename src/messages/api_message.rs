//! The Messages API's own message object (the non-streaming response shape).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ContentBlock, StopReason, Usage};

/// A message exactly as the Messages API describes it: `message_start` carries its first
/// snapshot, and it is what a non-streaming request returns.
///
/// [`MessageAggregator::api_message`](crate::aggregate::MessageAggregator::api_message) rebuilds it from
/// a stream, so a recorded stream can be compared with the non-streaming response.
///
/// ```
/// use chat_anthropic::messages::ApiMessage;
/// let msg: ApiMessage = serde_json::from_str(r#"{"id":"msg_1","type":"message","role":"assistant",
///   "model":"claude-sonnet-4-6","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",
///   "stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}"#).unwrap();
/// assert_eq!(msg.content[0].as_text(), Some("Hi"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiMessage {
    /// `msg_…`
    #[serde(default)]
    pub id: String,
    /// Always `"message"`.
    #[serde(rename = "type", default = "message_type")]
    pub kind: String,
    /// Always `"assistant"`.
    #[serde(default = "assistant_role")]
    pub role: String,
    /// The model that answered.
    #[serde(default)]
    pub model: String,
    /// The content blocks, in index order.
    #[serde(default)]
    pub content: Vec<ContentBlock>,
    /// Why generation stopped (`None` until the stream says).
    #[serde(default)]
    pub stop_reason: Option<StopReason>,
    /// The stop sequence that was hit, if any.
    #[serde(default)]
    pub stop_sequence: Option<String>,
    /// Token usage.
    #[serde(default)]
    pub usage: Usage,
    /// Every other field (`container`, `stop_details`, …), kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn message_type() -> String {
    "message".to_owned()
}

fn assistant_role() -> String {
    "assistant".to_owned()
}

impl Default for ApiMessage {
    fn default() -> Self {
        Self {
            id: String::new(),
            kind: message_type(),
            role: assistant_role(),
            model: String::new(),
            content: Vec::new(),
            stop_reason: None,
            stop_sequence: None,
            usage: Usage::default(),
            extra: Map::new(),
        }
    }
}
