//! Token usage: the API's raw `usage` object and LangChain's `usage_metadata` view of it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `usage` object of a message, as the API reports it.
///
/// Fields this version does not model are kept in `extra` and serialized back.
///
/// ```
/// use chat_anthropic::Usage;
/// let usage: Usage = serde_json::from_str(
///     r#"{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":5,"inference_geo":"us"}"#,
/// ).unwrap();
/// assert_eq!(usage.cache_read_input_tokens, Some(5));
/// assert_eq!(usage.extra["inference_geo"], "us");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Usage {
    /// Input tokens not read from or written to the prompt cache.
    #[serde(default)]
    pub input_tokens: u64,
    /// Output tokens generated so far (cumulative while streaming).
    #[serde(default)]
    pub output_tokens: u64,
    /// Input tokens written to the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Input tokens read from the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    /// Cache writes split by TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<CacheCreation>,
    /// Server tool request counts, e.g. `{"web_search_requests": 1}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_tool_use: Option<Value>,
    /// The service tier that served the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Every other field, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Cache writes split by time-to-live.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CacheCreation {
    /// Tokens written with the 5-minute TTL.
    #[serde(default)]
    pub ephemeral_5m_input_tokens: u64,
    /// Tokens written with the 1-hour TTL.
    #[serde(default)]
    pub ephemeral_1h_input_tokens: u64,
    /// Every other field, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `usage` of a `message_delta` event: cumulative counts, each field optional.
///
/// [`Usage::apply`] folds it in: a present, non-null field replaces the current value, an
/// absent one keeps it. Counts are never added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageDelta {
    /// Replaces [`Usage::input_tokens`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Replaces [`Usage::output_tokens`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Replaces [`Usage::cache_creation_input_tokens`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Replaces [`Usage::cache_read_input_tokens`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    /// Replaces [`Usage::cache_creation`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<CacheCreation>,
    /// Replaces [`Usage::server_tool_use`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_tool_use: Option<Value>,
    /// Replaces [`Usage::service_tier`] when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Other fields; non-null ones replace the same key in [`Usage::extra`].
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Usage {
    /// Folds a `message_delta` usage into this one (replace, never add).
    ///
    /// ```
    /// use chat_anthropic::{Usage, UsageDelta};
    /// let mut usage: Usage = serde_json::from_str(r#"{"input_tokens":25,"output_tokens":1}"#).unwrap();
    /// let delta: UsageDelta = serde_json::from_str(r#"{"output_tokens":42}"#).unwrap();
    /// usage.apply(&delta);
    /// assert_eq!((usage.input_tokens, usage.output_tokens), (25, 42));
    /// ```
    pub fn apply(&mut self, delta: &UsageDelta) {
        fn replace<T: Clone>(slot: &mut T, new: &Option<T>) {
            if let Some(value) = new {
                *slot = value.clone();
            }
        }
        fn replace_opt<T: Clone>(slot: &mut Option<T>, new: &Option<T>) {
            if new.is_some() {
                slot.clone_from(new);
            }
        }
        replace(&mut self.input_tokens, &delta.input_tokens);
        replace(&mut self.output_tokens, &delta.output_tokens);
        replace_opt(
            &mut self.cache_creation_input_tokens,
            &delta.cache_creation_input_tokens,
        );
        replace_opt(
            &mut self.cache_read_input_tokens,
            &delta.cache_read_input_tokens,
        );
        replace_opt(&mut self.cache_creation, &delta.cache_creation);
        replace_opt(&mut self.server_tool_use, &delta.server_tool_use);
        replace_opt(&mut self.service_tier, &delta.service_tier);
        for (key, value) in &delta.extra {
            if !value.is_null() {
                self.extra.insert(key.clone(), value.clone());
            }
        }
    }
}

/// LangChain's standardized token counts (`AIMessage.usage_metadata`).
///
/// `input_tokens` counts every input token, including cache reads and cache writes (the API's
/// own `input_tokens` excludes them).
///
/// ```
/// use chat_anthropic::{Usage, UsageMetadata};
/// let usage: Usage = serde_json::from_str(
///     r#"{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}"#,
/// ).unwrap();
/// let meta = UsageMetadata::from(&usage);
/// assert_eq!((meta.input_tokens, meta.output_tokens, meta.total_tokens), (130, 3, 133));
/// assert_eq!(meta.input_token_details.cache_read, Some(100));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageMetadata {
    /// All input tokens: uncached + cache reads + cache writes.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// `input_tokens + output_tokens`.
    pub total_tokens: u64,
    /// The cache split of `input_tokens`.
    #[serde(default)]
    pub input_token_details: InputTokenDetails,
}

/// How the input tokens split across the prompt cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputTokenDetails {
    /// Tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<u64>,
    /// Tokens written to the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<u64>,
    /// Cache writes with the 5-minute TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_5m_input_tokens: Option<u64>,
    /// Cache writes with the 1-hour TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_1h_input_tokens: Option<u64>,
}

impl From<&Usage> for UsageMetadata {
    fn from(usage: &Usage) -> Self {
        let cache_read = usage.cache_read_input_tokens;
        let cache_creation = usage.cache_creation_input_tokens;
        let input_tokens =
            usage.input_tokens + cache_read.unwrap_or(0) + cache_creation.unwrap_or(0);
        UsageMetadata {
            input_tokens,
            output_tokens: usage.output_tokens,
            total_tokens: input_tokens + usage.output_tokens,
            input_token_details: InputTokenDetails {
                cache_read,
                cache_creation,
                ephemeral_5m_input_tokens: usage
                    .cache_creation
                    .as_ref()
                    .map(|c| c.ephemeral_5m_input_tokens),
                ephemeral_1h_input_tokens: usage
                    .cache_creation
                    .as_ref()
                    .map(|c| c.ephemeral_1h_input_tokens),
            },
        }
    }
}

impl UsageMetadata {
    /// Field-wise difference `self - earlier` (saturating), the usage a streamed chunk carries
    /// so that summing chunks gives the final counts.
    pub(crate) fn since(&self, earlier: &UsageMetadata) -> UsageMetadata {
        fn diff(now: Option<u64>, before: Option<u64>) -> Option<u64> {
            match (now, before) {
                (Some(now), before) => Some(now.saturating_sub(before.unwrap_or(0))),
                (None, _) => None,
            }
        }
        let (now, before) = (&self.input_token_details, &earlier.input_token_details);
        UsageMetadata {
            input_tokens: self.input_tokens.saturating_sub(earlier.input_tokens),
            output_tokens: self.output_tokens.saturating_sub(earlier.output_tokens),
            total_tokens: self.total_tokens.saturating_sub(earlier.total_tokens),
            input_token_details: InputTokenDetails {
                cache_read: diff(now.cache_read, before.cache_read),
                cache_creation: diff(now.cache_creation, before.cache_creation),
                ephemeral_5m_input_tokens: diff(
                    now.ephemeral_5m_input_tokens,
                    before.ephemeral_5m_input_tokens,
                ),
                ephemeral_1h_input_tokens: diff(
                    now.ephemeral_1h_input_tokens,
                    before.ephemeral_1h_input_tokens,
                ),
            },
        }
    }
}

impl std::ops::AddAssign<&UsageMetadata> for UsageMetadata {
    /// Adds counts field by field, as LangChain's `add_usage` does when chunks are summed.
    fn add_assign(&mut self, other: &UsageMetadata) {
        fn add(a: &mut Option<u64>, b: Option<u64>) {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0) + b);
            }
        }
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.total_tokens += other.total_tokens;
        let (mine, theirs) = (&mut self.input_token_details, &other.input_token_details);
        add(&mut mine.cache_read, theirs.cache_read);
        add(&mut mine.cache_creation, theirs.cache_creation);
        add(
            &mut mine.ephemeral_5m_input_tokens,
            theirs.ephemeral_5m_input_tokens,
        );
        add(
            &mut mine.ephemeral_1h_input_tokens,
            theirs.ephemeral_1h_input_tokens,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn delta_replaces_present_fields_and_keeps_absent_ones() {
        let mut usage: Usage = serde_json::from_value(json!({
            "input_tokens": 25, "output_tokens": 1, "cache_read_input_tokens": 7
        }))
        .unwrap();
        let delta: UsageDelta = serde_json::from_value(json!({
            "output_tokens": 40, "cache_read_input_tokens": null, "new_field": 3, "gone": null
        }))
        .unwrap();
        usage.apply(&delta);
        usage.apply(&delta);
        assert_eq!(usage.input_tokens, 25);
        assert_eq!(usage.output_tokens, 40, "replaced, not summed");
        assert_eq!(
            usage.cache_read_input_tokens,
            Some(7),
            "null keeps the value"
        );
        assert_eq!(usage.extra.get("new_field"), Some(&json!(3)));
        assert!(!usage.extra.contains_key("gone"));
    }

    #[test]
    fn metadata_counts_cache_reads_and_writes_as_input() {
        let usage: Usage = serde_json::from_value(json!({
            "input_tokens": 4, "output_tokens": 6,
            "cache_creation_input_tokens": 10, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 0}
        }))
        .unwrap();
        let meta = UsageMetadata::from(&usage);
        assert_eq!(meta.input_tokens, 14);
        assert_eq!(meta.total_tokens, 20);
        assert_eq!(meta.input_token_details.ephemeral_5m_input_tokens, Some(10));
        assert_eq!(meta.input_token_details.cache_read, Some(0));
    }

    #[test]
    fn since_then_add_restores_the_later_counts() {
        let early = UsageMetadata::from(&Usage {
            input_tokens: 10,
            output_tokens: 1,
            cache_read_input_tokens: Some(3),
            ..Usage::default()
        });
        let late = UsageMetadata::from(&Usage {
            input_tokens: 10,
            output_tokens: 50,
            cache_read_input_tokens: Some(3),
            ..Usage::default()
        });
        let mut sum = early.clone();
        sum += &late.since(&early);
        assert_eq!(sum, late);
    }
}
