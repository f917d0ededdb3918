//! The model's settings, serializable so they can be stored and reloaded (secrets excluded).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{Container, ContextManagement, Effort, McpServer, ServiceTier, Speed};
use super::{ModelProfile, Thinking};

/// Every setting of a [`ChatAnthropic`](crate::ChatAnthropic) that can be stored: all but the
/// secrets (API key, access token), the sources of credentials that refresh, and the
/// environment read when the model was built.
///
/// Serializes with serde, so a configured model can be saved and rebuilt with
/// [`ChatAnthropic::from_config`](crate::ChatAnthropic::from_config). Secrets are never
/// written, neither by serde nor by `Debug`: header values become `REDACTED` (and are
/// dropped when read back: set them again, like the API key), and so does a password in the
/// base URL.
///
/// ```
/// use chat_anthropic::ChatAnthropic;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .default_header("x-proxy-token", "tok-123")
///     .base_url("https://user:hunter2@proxy.example");
/// let shown = format!("{:?} {}", llm.config(), serde_json::to_string(llm.config()).unwrap());
/// assert!(!shown.contains("tok-123") && !shown.contains("hunter2"), "{shown}");
/// assert!(shown.contains("x-proxy-token") && shown.contains("proxy.example"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ChatAnthropicConfig {
    /// The model name, e.g. `"claude-sonnet-4-6"`.
    pub model: String,
    /// The most tokens to generate; `None` sends the model's maximum output from its
    /// [`ModelProfile`] (every request streams, so a long reply is safe), or 1024 for a
    /// model without a profile. `Some(0)` only warms the prompt cache (no reply is generated).
    pub max_tokens: Option<u32>,
    /// Sampling temperature (sent only when set).
    pub temperature: Option<f64>,
    /// Top-k sampling (sent only when set).
    pub top_k: Option<u32>,
    /// Nucleus sampling (sent only when set).
    pub top_p: Option<f64>,
    /// Sequences that stop generation.
    pub stop_sequences: Vec<String>,
    /// Idle timeout: the longest wait for the response or for the next bytes of a stream (a
    /// long, healthy stream is never cut). `None` waits forever.
    #[serde(with = "optional_millis")]
    pub timeout: Option<Duration>,
    /// The longest wait to connect.
    #[serde(with = "millis")]
    pub connect_timeout: Duration,
    /// Retries before the first byte of a response (connection errors, 408, 409, 429, 5xx),
    /// and re-sends of a stream that failed before any content (see `retry_before_content`).
    pub max_retries: u32,
    /// Whether a stream that fails before any content reached the caller (a transient
    /// `error` event, a dropped connection, a stall) is sent again, within `max_retries`.
    pub retry_before_content: bool,
    /// The longest gap between content-bearing events of a stream (`ping`s do not count);
    /// `None` (the default) sets no limit.
    #[serde(with = "optional_millis")]
    pub stall_timeout: Option<Duration>,
    /// Where requests go: Anthropic's API, Vertex AI or Bedrock.
    pub platform: crate::settings::Platform,
    /// The API's base URL; `None` reads `ANTHROPIC_BASE_URL` (or the platform's own
    /// variable), else the platform's public address.
    #[serde(serialize_with = "redacted::url")]
    pub base_url: Option<String>,
    /// Headers sent with every request (their values are treated as secrets).
    #[serde(
        serialize_with = "redacted::header_values",
        deserialize_with = "redacted::known_header_values"
    )]
    pub default_headers: BTreeMap<String, String>,
    /// Beta features, sent as `anthropic-beta`.
    pub betas: Vec<String>,
    /// Extended thinking.
    pub thinking: Option<Thinking>,
    /// `metadata` (e.g. `{"user_id": "…"}`).
    pub metadata: Option<Value>,
    /// Top-level `cache_control`: automatic prompt caching up to the last cacheable block.
    pub cache_control: Option<crate::messages::CacheControl>,
    /// `output_config.effort`.
    pub effort: Option<Effort>,
    /// `service_tier`.
    pub service_tier: Option<ServiceTier>,
    /// `inference_geo`: where inference runs (e.g. `"us"`); `None` uses the workspace's default.
    pub inference_geo: Option<String>,
    /// `speed` (beta, added automatically).
    pub speed: Option<Speed>,
    /// `container`: a container to reuse, or skills to load.
    pub container: Option<Container>,
    /// `context_management` (beta, added automatically).
    pub context_management: Option<ContextManagement>,
    /// `mcp_servers` (beta, added automatically).
    pub mcp_servers: Vec<McpServer>,
    /// The model's profile when set; `None` uses the built-in table's
    /// ([`ModelProfile::for_model`]).
    pub profile: Option<ModelProfile>,
    /// Whether streamed chunks carry `usage_metadata`.
    pub stream_usage: bool,
    /// Further request body fields, sent as they are (LangChain's `model_kwargs`).
    pub model_kwargs: Map<String, Value>,
    /// Whether each call's span records the prompt and the reply (off by default: they may
    /// hold personal data); see the `telemetry` module.
    pub capture_message_content: bool,
}

impl Default for ChatAnthropicConfig {
    fn default() -> Self {
        Self {
            model: String::new(),
            max_tokens: None,
            temperature: None,
            top_k: None,
            top_p: None,
            stop_sequences: Vec::new(),
            timeout: Some(Duration::from_secs(600)),
            connect_timeout: Duration::from_secs(10),
            max_retries: 2,
            retry_before_content: true,
            stall_timeout: None,
            platform: crate::settings::Platform::Anthropic,
            base_url: None,
            default_headers: BTreeMap::new(),
            betas: Vec::new(),
            thinking: None,
            metadata: None,
            cache_control: None,
            effort: None,
            service_tier: None,
            inference_geo: None,
            speed: None,
            container: None,
            context_management: None,
            mcp_servers: Vec::new(),
            profile: None,
            stream_usage: true,
            model_kwargs: Map::new(),
            capture_message_content: false,
        }
    }
}

/// `max_tokens` for a model without a known maximum output.
pub const DEFAULT_MAX_TOKENS: u32 = 1024;
/// How many requests [`ChatAnthropic::batch`](crate::ChatAnthropic::batch) runs at once by
/// default.
pub const DEFAULT_BATCH_CONCURRENCY: usize = 8;
/// How many times [`ChatAnthropic::batch`](crate::ChatAnthropic::batch) sends a call again
/// after a 429 reached it (on top of the transport's own retries).
pub const BATCH_RATE_LIMIT_RETRIES: u32 = 8;

impl ChatAnthropicConfig {
    /// The model's profile: the one set, else the built-in table's, else `None` (an unknown
    /// model: nothing is checked before sending).
    ///
    /// ```
    /// use chat_anthropic::ChatAnthropic;
    /// assert!(ChatAnthropic::new("claude-sonnet-4-6").config().model_profile().is_some());
    /// assert!(ChatAnthropic::new("my-proxy-model").config().model_profile().is_none());
    /// ```
    pub fn model_profile(&self) -> Option<ModelProfile> {
        self.profile
            .clone()
            .or_else(|| ModelProfile::for_model(&self.model))
    }

    /// The `max_tokens` sent: the one set, else the profile's maximum output, else
    /// [`DEFAULT_MAX_TOKENS`].
    ///
    /// ```
    /// use chat_anthropic::ChatAnthropic;
    /// assert_eq!(ChatAnthropic::new("claude-sonnet-4-6").config().effective_max_tokens(), 128_000);
    /// assert_eq!(ChatAnthropic::new("my-proxy-model").config().effective_max_tokens(), 1024);
    /// assert_eq!(ChatAnthropic::new("claude-sonnet-4-6").max_tokens(64).config().effective_max_tokens(), 64);
    /// ```
    pub fn effective_max_tokens(&self) -> u32 {
        self.max_tokens.unwrap_or_else(|| {
            self.model_profile()
                .and_then(|profile| profile.max_output_tokens)
                .unwrap_or(DEFAULT_MAX_TOKENS)
        })
    }
}

impl std::fmt::Debug for ChatAnthropicConfig {
    /// The serialized form, which holds no secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let json = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        write!(f, "ChatAnthropicConfig {json}")
    }
}

/// Settings that may hold secrets, written without them.
mod redacted {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use crate::error::redact::{url_without_password, REDACTED};

    pub fn url<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(url) => s.serialize_some(&url_without_password(url)),
            None => s.serialize_none(),
        }
    }

    pub fn header_values<S: Serializer>(
        headers: &BTreeMap<String, String>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(headers.keys().map(|name| (name, REDACTED)))
    }

    /// Drops the values written as `REDACTED`: sending that text would be wrong.
    pub fn known_header_values<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, String>, D::Error> {
        let mut headers = BTreeMap::<String, String>::deserialize(d)?;
        headers.retain(|_, value| value != REDACTED);
        Ok(headers)
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(value.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

mod optional_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => s.serialize_some(&(value.as_millis() as u64)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}
