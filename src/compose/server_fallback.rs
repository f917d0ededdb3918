//! The API's own fallback: the `fallbacks` request field (beta
//! `server-side-fallback-2026-06-01`) and the `fallback` content block that marks a hand-over
//! in the reply.
//!
//! Server-side fallback is not the client-side kind of [`WithFallbacks`](super::WithFallbacks):
//! the API re-runs a request the requested model *refused* (`stop_reason: "refusal"` from a
//! safety classifier) on the named fallback model, inside the same call; overload, rate
//! limits and server errors are returned as before. The reply then holds a `fallback` block
//! (`from`, `to`, `trigger`) where one model's output ends and the next one's begins, and its
//! `model` names the model that answered. The two combine: server-side for refusals,
//! client-side for availability.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chat_model::ChatAnthropic;
use crate::messages::{AIMessage, ContentBlock, MessageContent};

/// One entry of the request's `fallbacks` list: the model to re-run a refused request on,
/// with optional per-attempt settings (`max_tokens`, and any other field the API accepts for
/// an entry, such as `output_config`, `thinking` or `speed`, through [`field`](Self::field)).
///
/// ```
/// use chat_anthropic::compose::ServerFallback;
/// let entry = ServerFallback::new("claude-opus-4-8").max_tokens(2048);
/// assert_eq!(
///     serde_json::to_value(&entry).unwrap(),
///     serde_json::json!({"model": "claude-opus-4-8", "max_tokens": 2048})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerFallback {
    /// The fallback model.
    pub model: String,
    /// `max_tokens` for the attempt on this model, in place of the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Other per-attempt fields, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerFallback {
    /// A fallback to `model`.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            max_tokens: None,
            extra: Map::new(),
        }
    }

    /// `max_tokens` for the attempt on this model.
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// Any other per-attempt field (`output_config`, `thinking`, `speed`, …).
    pub fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

impl ChatAnthropic {
    /// The API's server-side fallback: a request this model refuses is re-run on these
    /// models, in order, within the same call (the `fallbacks` field, with its beta header
    /// `server-side-fallback-2026-06-01` added). The API accepts only models in the primary's
    /// `allowed_fallback_models`, and up to three. A hand-over shows in the reply as a
    /// `fallback` block ([`FallbackBlock::all_in`]). For fallbacks on overload, errors or
    /// outages, see [`WithFallbacks`](super::WithFallbacks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::compose::ServerFallback;
    /// use chat_anthropic::ChatAnthropic;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .server_fallbacks([ServerFallback::new("claude-opus-4-8")])
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// llm.invoke("Hi").await?;
    /// let sent = &server.requests()[0];
    /// assert_eq!(sent.body["fallbacks"], serde_json::json!([{"model": "claude-opus-4-8"}]));
    /// assert!(sent.headers["anthropic-beta"].contains("server-side-fallback-2026-06-01"));
    /// # Ok(()) }
    /// ```
    pub fn server_fallbacks(self, fallbacks: impl IntoIterator<Item = ServerFallback>) -> Self {
        let list: Vec<Value> = fallbacks
            .into_iter()
            .map(|entry| serde_json::to_value(entry).expect("a fallback entry serializes"))
            .collect();
        self.model_kwarg("fallbacks", list)
    }
}

/// The model on one side of a hand-over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FallbackModel {
    /// The model id.
    pub model: String,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `fallback` content block: where the output of the model that declined (`from`) ends
/// and the fallback model's (`to`) begins, and why (`trigger`, e.g. `{"type": "refusal",
/// "category": "cyber"}`).
///
/// The fold keeps the block in the reply as it came (a
/// [`ContentBlock::Unknown`](crate::ContentBlock::Unknown) holding its JSON), so sending the
/// reply back in the next turn sends the block back unchanged, as the API asks; this type
/// reads it.
///
/// ```
/// use chat_anthropic::compose::FallbackBlock;
/// use chat_anthropic::ContentBlock;
/// let block: ContentBlock = serde_json::from_value(serde_json::json!({
///     "type": "fallback",
///     "from": {"model": "claude-fable-5"},
///     "to": {"model": "claude-opus-4-8"},
///     "trigger": {"type": "refusal", "category": "cyber"}
/// })).unwrap();
/// let hand_over = FallbackBlock::from_block(&block).unwrap();
/// assert_eq!((hand_over.from.model.as_str(), hand_over.to.model.as_str()), ("claude-fable-5", "claude-opus-4-8"));
/// assert_eq!(hand_over.trigger.as_ref().unwrap()["category"], "cyber");
/// assert_eq!(hand_over.to_block(), block, "round-trips");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FallbackBlock {
    /// The model whose output ends here (the one that declined).
    pub from: FallbackModel,
    /// The model whose output follows.
    pub to: FallbackModel,
    /// What made `from` hand over, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Value>,
    /// Other fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FallbackBlock {
    /// The block's `type`.
    pub const TYPE: &'static str = "fallback";

    /// `block` read as a hand-over, if it is a `fallback` block.
    pub fn from_block(block: &ContentBlock) -> Option<Self> {
        let ContentBlock::Unknown(raw) = block else {
            return None;
        };
        if raw.get("type").and_then(Value::as_str) != Some(Self::TYPE) {
            return None;
        }
        serde_json::from_value(raw.clone()).ok()
    }

    /// Every hand-over in `message`, in order (none when the requested model answered).
    pub fn all_in(message: &AIMessage) -> Vec<Self> {
        match &message.content {
            MessageContent::Blocks(blocks) => blocks.iter().filter_map(Self::from_block).collect(),
            MessageContent::Text(_) => Vec::new(),
        }
    }

    /// The block as content, to send back.
    pub fn to_block(&self) -> ContentBlock {
        let mut raw = serde_json::to_value(self).expect("a fallback block serializes");
        if let Value::Object(fields) = &mut raw {
            fields.insert("type".into(), Value::from(Self::TYPE));
        }
        ContentBlock::Unknown(raw)
    }
}
