//! `cache_control`: marks the end of a prompt prefix the API may cache.

use serde::{Deserialize, Serialize};

/// A prompt-caching breakpoint: everything up to and including the marked block (tools, then
/// system, then messages) is cached for `ttl` (the API's default is five minutes).
///
/// ```
/// use chat_anthropic::messages::CacheControl;
/// assert_eq!(serde_json::to_value(CacheControl::ephemeral()).unwrap(), serde_json::json!({"type": "ephemeral"}));
/// assert_eq!(serde_json::to_value(CacheControl::ephemeral_1h()).unwrap(), serde_json::json!({"type": "ephemeral", "ttl": "1h"}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CacheControl {
    /// The cache type; `"ephemeral"` is the one the API offers.
    #[serde(rename = "type")]
    pub kind: String,
    /// `"5m"` or `"1h"`; absent means five minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

impl CacheControl {
    /// `{type: "ephemeral"}`: cached for five minutes, refreshed on each hit.
    pub fn ephemeral() -> Self {
        Self {
            kind: "ephemeral".into(),
            ttl: None,
        }
    }

    /// `{type: "ephemeral", ttl: "1h"}`: cached for an hour (writes cost more).
    pub fn ephemeral_1h() -> Self {
        Self::ephemeral().ttl("1h")
    }

    /// The same breakpoint with another time-to-live (`"5m"` or `"1h"`).
    pub fn ttl(mut self, ttl: impl Into<String>) -> Self {
        self.ttl = Some(ttl.into());
        self
    }
}

impl Default for CacheControl {
    fn default() -> Self {
        Self::ephemeral()
    }
}
