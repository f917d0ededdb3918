//! The rate-limit headers every API response carries, typed: on replies, streams and errors.

use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, HeaderName};
use serde::{Deserialize, Serialize};

/// One limit the API reports: `anthropic-ratelimit-{name}-{limit,remaining,reset}`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// let mut headers = reqwest::header::HeaderMap::new();
/// headers.insert("anthropic-ratelimit-input-tokens-remaining", "900".parse().unwrap());
/// headers.insert("anthropic-ratelimit-input-tokens-reset", "2026-01-01T00:00:30Z".parse().unwrap());
/// let input = chat_anthropic::messages::RateLimits::from_headers(&headers).input_tokens.unwrap();
/// assert_eq!(input.remaining, Some(900));
/// let now = humantime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
/// assert_eq!(input.reset_in(now), Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimit {
    /// The most allowed in the window.
    pub limit: Option<u64>,
    /// What is left now.
    pub remaining: Option<u64>,
    /// When the limit is fully replenished (the header is RFC 3339).
    #[serde(default, with = "rfc3339")]
    pub reset: Option<SystemTime>,
}

impl RateLimit {
    /// How long until [`reset`](Self::reset), from `now` (zero when past).
    pub fn reset_in(&self, now: SystemTime) -> Option<Duration> {
        self.reset
            .map(|at| at.duration_since(now).unwrap_or_default())
    }
}

/// What a response said about the organisation's rate limits: `request-id`, every
/// `anthropic-ratelimit-*` header, and `retry-after`.
///
/// On every reply's [`response_metadata`](crate::messages::ResponseMetadata::rate_limits), on a
/// [`ChatStream`](crate::ChatStream::rate_limits) before its first event; an API error
/// carries its request id and `retry-after` ([`Error::request_id`](crate::Error::request_id),
/// [`Error::retry_after`](crate::Error::retry_after)).
///
/// ```
/// use chat_anthropic::messages::RateLimits;
/// let mut headers = reqwest::header::HeaderMap::new();
/// headers.insert("request-id", "req_1".parse().unwrap());
/// headers.insert("anthropic-ratelimit-requests-limit", "50".parse().unwrap());
/// headers.insert("anthropic-ratelimit-requests-remaining", "49".parse().unwrap());
/// headers.insert("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:01Z".parse().unwrap());
/// let limits = RateLimits::from_headers(&headers);
/// assert_eq!(limits.request_id.as_deref(), Some("req_1"));
/// let requests = limits.requests.unwrap();
/// assert_eq!((requests.limit, requests.remaining), (Some(50), Some(49)));
/// assert!(requests.reset.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimits {
    /// The `request-id` header, to quote to Anthropic's support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Requests per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<RateLimit>,
    /// Tokens per minute (the most restrictive of the token limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<RateLimit>,
    /// Input tokens per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<RateLimit>,
    /// Output tokens per minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<RateLimit>,
    /// How long the API asked to wait (`retry-after`, on a 429).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_seconds"
    )]
    pub retry_after: Option<Duration>,
}

impl RateLimits {
    /// Reads the headers of a response. Absent or malformed headers are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        let limit = |[limit, remaining, reset]: &[HeaderName; 3]| {
            let number = |name| text(name).and_then(|v| v.trim().parse::<u64>().ok());
            let found = RateLimit {
                limit: number(limit),
                remaining: number(remaining),
                reset: text(reset).and_then(|v| humantime::parse_rfc3339_weak(v.trim()).ok()),
            };
            (found != RateLimit::default()).then_some(found)
        };
        Self {
            request_id: text(&REQUEST_ID).map(str::to_owned),
            requests: limit(&REQUESTS),
            tokens: limit(&TOKENS),
            input_tokens: limit(&INPUT_TOKENS),
            output_tokens: limit(&OUTPUT_TOKENS),
            retry_after: text(&RETRY_AFTER)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .and_then(|secs| Duration::try_from_secs_f64(secs).ok()),
        }
    }

    /// Whether any rate-limit header was present (beyond the request id).
    pub fn has_limits(&self) -> bool {
        self.requests.is_some()
            || self.tokens.is_some()
            || self.input_tokens.is_some()
            || self.output_tokens.is_some()
            || self.retry_after.is_some()
    }
}

/// The `-limit`, `-remaining` and `-reset` headers of one limit, named once (a lookup by a
/// `&str` would check and hash the name again on every response).
macro_rules! limit_headers {
    ($name:literal) => {
        [
            HeaderName::from_static(concat!("anthropic-ratelimit-", $name, "-limit")),
            HeaderName::from_static(concat!("anthropic-ratelimit-", $name, "-remaining")),
            HeaderName::from_static(concat!("anthropic-ratelimit-", $name, "-reset")),
        ]
    };
}

const REQUESTS: [HeaderName; 3] = limit_headers!("requests");
const TOKENS: [HeaderName; 3] = limit_headers!("tokens");
const INPUT_TOKENS: [HeaderName; 3] = limit_headers!("input-tokens");
const OUTPUT_TOKENS: [HeaderName; 3] = limit_headers!("output-tokens");
const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const RETRY_AFTER: HeaderName = http::header::RETRY_AFTER;

mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(at) => s.serialize_some(&humantime::format_rfc3339_millis(*at).to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| humantime::parse_rfc3339_weak(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Seconds as a number (fractions allowed), like the `retry-after` header itself.
mod optional_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_some(&value.map(|d| d.as_secs_f64()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.and_then(|secs| Duration::try_from_secs_f64(secs).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
            map.insert(name, value.parse().expect("a header value"));
        }
        map
    }

    #[test]
    fn every_limit_is_read_and_reset_is_rfc3339() {
        let limits = RateLimits::from_headers(&headers(&[
            ("request-id", "req_9"),
            ("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "0"),
            ("anthropic-ratelimit-requests-reset", "2026-11-26T10:00:02Z"),
            ("anthropic-ratelimit-input-tokens-limit", "20000"),
            ("anthropic-ratelimit-input-tokens-remaining", "19000"),
            (
                "anthropic-ratelimit-input-tokens-reset",
                "2026-11-26T10:00:01.500Z",
            ),
            ("anthropic-ratelimit-output-tokens-remaining", "7"),
            ("anthropic-ratelimit-tokens-limit", "30000"),
            ("retry-after", "2"),
        ]));
        assert_eq!(limits.request_id.as_deref(), Some("req_9"));
        let requests = limits.requests.unwrap();
        assert_eq!((requests.limit, requests.remaining), (Some(50), Some(0)));
        let base = humantime::parse_rfc3339("2026-11-26T10:00:00Z").unwrap();
        assert_eq!(requests.reset_in(base), Some(Duration::from_secs(2)));
        let input = limits.input_tokens.unwrap();
        assert_eq!(input.reset_in(base), Some(Duration::from_millis(1500)));
        assert_eq!(limits.output_tokens.unwrap().remaining, Some(7));
        assert_eq!(limits.output_tokens.unwrap().limit, None);
        assert_eq!(limits.tokens.unwrap().limit, Some(30000));
        assert_eq!(limits.retry_after, Some(Duration::from_secs(2)));
        assert!(limits.has_limits());
        let back: RateLimits =
            serde_json::from_value(serde_json::to_value(&limits).unwrap()).unwrap();
        assert_eq!(back, limits);
    }

    #[test]
    fn absent_or_malformed_headers_are_none() {
        let limits = RateLimits::from_headers(&headers(&[
            ("anthropic-ratelimit-requests-limit", "lots"),
            ("anthropic-ratelimit-requests-reset", "tomorrow"),
            ("retry-after", "soon"),
        ]));
        assert_eq!(limits, RateLimits::default());
        assert!(!limits.has_limits());
    }
}
