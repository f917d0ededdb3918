//! Token usage: the API's raw `usage` object and LangChain's `usage_metadata` view of it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `usage` object of a message, as the API reports it.
///
/// Fields this version does not model are kept in `extra` and serialized back.
///
/// ```
/// use chat_anthropic::messages::Usage;
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
    /// use chat_anthropic::messages::{Usage, UsageDelta};
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

/// LangChain's standardized token counts (`AIMessage.usage_metadata`), computed as
/// langchain-anthropic does.
///
/// `input_tokens` counts every input token, including cache reads and cache writes (the API's
/// own `input_tokens` excludes them). When the API splits cache writes by TTL
/// (`ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`), `cache_creation` is 0 and the
/// split stands beside it, so the details add up to the cache part of `input_tokens` once.
/// `output_token_details.reasoning` is the API's `output_tokens_details.thinking_tokens`.
/// Counts saturate at `u64::MAX` rather than overflow.
///
/// ```
/// use chat_anthropic::messages::Usage;
/// use chat_anthropic::UsageMetadata;
/// let usage: Usage = serde_json::from_str(
///     r#"{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":100,"cache_creation_input_tokens":20}"#,
/// ).unwrap();
/// let meta = UsageMetadata::from(&usage);
/// assert_eq!((meta.input_tokens, meta.output_tokens, meta.total_tokens), (130, 3, 133));
/// assert_eq!(meta.input_token_details.cache_read, Some(100));
///
/// let split: Usage = serde_json::from_str(
///     r#"{"input_tokens":10,"output_tokens":30,"cache_creation_input_tokens":20,
///         "cache_creation":{"ephemeral_5m_input_tokens":15,"ephemeral_1h_input_tokens":5},
///         "output_tokens_details":{"thinking_tokens":25}}"#,
/// ).unwrap();
/// let meta = UsageMetadata::from(&split);
/// assert_eq!(meta.input_tokens, 30);
/// assert_eq!(meta.input_token_details.cache_creation, Some(0));
/// assert_eq!(meta.input_token_details.ephemeral_5m_input_tokens, Some(15));
/// assert_eq!(meta.output_token_details.reasoning, Some(25));
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
    /// What kind of output the output tokens were (reasoning), when the API says.
    #[serde(default, skip_serializing_if = "OutputTokenDetails::is_empty")]
    pub output_token_details: OutputTokenDetails,
}

/// How the input tokens split across the prompt cache.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputTokenDetails {
    /// Tokens read from the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<u64>,
    /// Tokens written to the cache; 0 when the TTL split below is reported instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<u64>,
    /// Cache writes with the 5-minute TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_5m_input_tokens: Option<u64>,
    /// Cache writes with the 1-hour TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_1h_input_tokens: Option<u64>,
}

/// What the output tokens were spent on (LangChain's `output_token_details`).
///
/// ```
/// let details = chat_anthropic::messages::OutputTokenDetails::default();
/// assert_eq!(details.reasoning, None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OutputTokenDetails {
    /// Tokens spent thinking (the API's `output_tokens_details.thinking_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<u64>,
}

impl OutputTokenDetails {
    fn is_empty(&self) -> bool {
        self.reasoning.is_none()
    }
}

impl From<&Usage> for UsageMetadata {
    fn from(usage: &Usage) -> Self {
        let cache_read = usage.cache_read_input_tokens;
        let split = usage.cache_creation.as_ref();
        let split_total = split.map_or(0, |c| {
            c.ephemeral_5m_input_tokens
                .saturating_add(c.ephemeral_1h_input_tokens)
        });
        // With a TTL split, the split is the count and `cache_creation` says 0, so that
        // summing the details counts each cache write once (as langchain-anthropic does).
        let (cache_creation, written) = if split_total > 0 {
            (Some(0), split_total)
        } else {
            let generic = usage.cache_creation_input_tokens;
            (generic, generic.unwrap_or(0))
        };
        let input_tokens = usage
            .input_tokens
            .saturating_add(cache_read.unwrap_or(0))
            .saturating_add(written);
        let reasoning = usage
            .extra
            .get("output_tokens_details")
            .and_then(|details| details.get("thinking_tokens"))
            .and_then(Value::as_u64);
        UsageMetadata {
            input_tokens,
            output_tokens: usage.output_tokens,
            total_tokens: input_tokens.saturating_add(usage.output_tokens),
            input_token_details: InputTokenDetails {
                cache_read,
                cache_creation,
                ephemeral_5m_input_tokens: split.map(|c| c.ephemeral_5m_input_tokens),
                ephemeral_1h_input_tokens: split.map(|c| c.ephemeral_1h_input_tokens),
            },
            output_token_details: OutputTokenDetails { reasoning },
        }
    }
}

impl UsageMetadata {
    /// Field-wise difference `self - earlier` (saturating), the usage a streamed chunk carries
    /// so that summing chunks gives the final counts.
    pub(crate) fn since(&self, earlier: &UsageMetadata) -> UsageMetadata {
        fn diff(now: Option<u64>, before: Option<u64>) -> Option<u64> {
            now.map(|now| now.saturating_sub(before.unwrap_or(0)))
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
            output_token_details: OutputTokenDetails {
                reasoning: diff(
                    self.output_token_details.reasoning,
                    earlier.output_token_details.reasoning,
                ),
            },
        }
    }
}

impl std::ops::AddAssign<&UsageMetadata> for UsageMetadata {
    /// Adds counts field by field, as LangChain's `add_usage` does when chunks are summed
    /// (saturating: counts come from the server).
    fn add_assign(&mut self, other: &UsageMetadata) {
        fn add(a: &mut Option<u64>, b: Option<u64>) {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0).saturating_add(b));
            }
        }
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.total_tokens = self.total_tokens.saturating_add(other.total_tokens);
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
        add(
            &mut self.output_token_details.reasoning,
            other.output_token_details.reasoning,
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

    /// LangChain's view of a raw `usage` object.
    fn metadata(usage: Value) -> UsageMetadata {
        UsageMetadata::from(&serde_json::from_value::<Usage>(usage).unwrap())
    }

    #[test]
    fn metadata_counts_cache_reads_and_writes_as_input() {
        let meta = metadata(json!({
            "input_tokens": 4, "output_tokens": 6,
            "cache_creation_input_tokens": 10, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 0}
        }));
        assert_eq!(meta.input_tokens, 14);
        assert_eq!(meta.total_tokens, 20);
        assert_eq!(meta.input_token_details.ephemeral_5m_input_tokens, Some(10));
        assert_eq!(meta.input_token_details.cache_read, Some(0));
    }

    #[test]
    fn a_ttl_split_replaces_the_generic_cache_write_count_so_details_sum_once() {
        let meta = metadata(json!({
            "input_tokens": 200, "output_tokens": 30,
            "cache_read_input_tokens": 10, "cache_creation_input_tokens": 150,
            "cache_creation": {"ephemeral_5m_input_tokens": 80, "ephemeral_1h_input_tokens": 70}
        }));
        let details = &meta.input_token_details;
        assert_eq!(details.cache_creation, Some(0));
        assert_eq!(
            (
                details.ephemeral_5m_input_tokens,
                details.ephemeral_1h_input_tokens
            ),
            (Some(80), Some(70))
        );
        assert_eq!(meta.input_tokens, 200 + 10 + 80 + 70);
        let cached: u64 = [
            details.cache_read,
            details.cache_creation,
            details.ephemeral_5m_input_tokens,
            details.ephemeral_1h_input_tokens,
        ]
        .into_iter()
        .flatten()
        .sum();
        assert_eq!(cached, 10 + 150, "each cached token counted once");

        // A split of zeros says nothing: the generic count stands (langchain-anthropic too).
        let meta = metadata(json!({
            "input_tokens": 200, "output_tokens": 30, "cache_creation_input_tokens": 50,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
        }));
        assert_eq!(meta.input_token_details.cache_creation, Some(50));
        assert_eq!(meta.input_tokens, 250);
    }

    #[test]
    fn thinking_tokens_are_reported_as_reasoning_and_stay_in_the_raw_usage() {
        let usage: Usage = serde_json::from_value(json!({
            "input_tokens": 5, "output_tokens": 300,
            "output_tokens_details": {"thinking_tokens": 250}
        }))
        .unwrap();
        let meta = UsageMetadata::from(&usage);
        assert_eq!(meta.output_token_details.reasoning, Some(250));
        assert_eq!(usage.extra["output_tokens_details"]["thinking_tokens"], 250);
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(json["output_token_details"], json!({"reasoning": 250}));
        let plain = UsageMetadata::from(&Usage::default());
        assert_eq!(plain.output_token_details.reasoning, None);
    }

    #[test]
    fn server_supplied_counts_saturate_instead_of_overflowing() {
        let meta = metadata(json!({
            "input_tokens": u64::MAX, "output_tokens": 1, "cache_read_input_tokens": 1,
            "cache_creation": {"ephemeral_5m_input_tokens": u64::MAX, "ephemeral_1h_input_tokens": 1}
        }));
        assert_eq!((meta.input_tokens, meta.total_tokens), (u64::MAX, u64::MAX));
        let mut sum = meta.clone();
        sum += &meta;
        assert_eq!(sum.input_tokens, u64::MAX);
        assert_eq!(
            sum.input_token_details.ephemeral_5m_input_tokens,
            Some(u64::MAX)
        );
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
