//! Prompt caching as the API accounts for it: a prefix up to a `cache_control` breakpoint is
//! written on first use (billed as cache creation, split by TTL) and read on the next request
//! that starts with the same prefix, until its TTL runs out.
//!
//! The prefix runs tools → system → messages, block by block, as in the API; a block's own
//! `cache_control` is not part of what is cached. A top-level `cache_control` (automatic
//! caching) puts the breakpoint on the last block of the last message. Tokens are the mock's
//! usual estimate (four characters a token). A breakpoint whose prefix is shorter than the
//! model's minimum cacheable length is ignored, as the API ignores it: nothing is written or
//! read there (the request still succeeds).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::validate::as_blocks;

/// Input tokens split the way the API's `usage` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct InputUsage {
    pub(super) input_tokens: u64,
    pub(super) cache_read: u64,
    pub(super) creation_5m: u64,
    pub(super) creation_1h: u64,
}

impl InputUsage {
    /// The total the model read: what `count_tokens` reports.
    #[cfg(test)]
    fn total(&self) -> u64 {
        self.input_tokens + self.cache_read + self.creation_5m + self.creation_1h
    }

    /// The `usage` object of `message_start` (output tokens so far: 1).
    pub(super) fn to_json(self) -> Value {
        json!({
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.creation_5m + self.creation_1h,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.creation_5m,
                "ephemeral_1h_input_tokens": self.creation_1h,
            },
            "output_tokens": 1,
        })
    }
}

/// Cached prefixes by hash, with their expiry.
#[derive(Debug, Default)]
pub(super) struct PromptCache {
    entries: Mutex<HashMap<u64, Instant>>,
}

/// A point where the prefix may be cached.
struct Breakpoint {
    tokens: u64,
    key: u64,
    ttl: Duration,
}

impl PromptCache {
    /// Accounts for one request's input, writing the prefixes it marks that hold at least
    /// `min_tokens`.
    pub(super) fn account(&self, body: &Map<String, Value>, min_tokens: u64) -> InputUsage {
        let Prefix {
            total,
            boundaries,
            mut breakpoints,
        } = prefix(body);
        breakpoints.retain(|breakpoint| breakpoint.tokens >= min_tokens);
        let now = Instant::now();
        let mut entries = self.entries.lock().expect("not poisoned");
        entries.retain(|_, expires| *expires > now);
        // Like the API, a breakpoint also finds a prefix cached at an earlier block boundary
        // (the previous turn's breakpoint, as a conversation grows).
        let last_breakpoint = breakpoints.last().map_or(0, |b| b.tokens);
        let read = boundaries
            .iter()
            .rev()
            .filter(|(tokens, _)| (min_tokens..=last_breakpoint).contains(tokens))
            .find(|(_, key)| entries.contains_key(key))
            .map_or(0, |(tokens, _)| *tokens);
        let mut usage = InputUsage {
            cache_read: read,
            ..InputUsage::default()
        };
        let mut covered = read;
        for breakpoint in &breakpoints {
            let expires = now + breakpoint.ttl;
            let entry = entries.entry(breakpoint.key).or_insert(expires);
            *entry = (*entry).max(expires); // a hit refreshes the TTL
            if breakpoint.tokens > covered {
                let written = breakpoint.tokens - covered;
                if breakpoint.ttl > FIVE_MINUTES {
                    usage.creation_1h += written;
                } else {
                    usage.creation_5m += written;
                }
                covered = breakpoint.tokens;
            }
        }
        usage.input_tokens = total.saturating_sub(covered).max(1);
        usage
    }
}

const FIVE_MINUTES: Duration = Duration::from_secs(300);

/// The input tokens of a request, cached or not (what `count_tokens` answers).
pub(super) fn count(body: &Map<String, Value>) -> u64 {
    prefix(body).total
}

/// A request's input as the cache sees it.
struct Prefix {
    /// Tokens in all.
    total: u64,
    /// (tokens so far, key of the prefix so far) after every block.
    boundaries: Vec<(u64, u64)>,
    /// The marked boundaries, in prefix order.
    breakpoints: Vec<Breakpoint>,
}

fn prefix(body: &Map<String, Value>) -> Prefix {
    let mut hasher = DefaultHasher::new();
    body.get("model").map(Value::to_string).hash(&mut hasher);
    let mut chars = 0usize;
    let mut boundaries = Vec::new();
    let mut breakpoints = Vec::new();
    let automatic = body.get("cache_control").and_then(ttl_of);
    let segments = segments(body);
    let last = segments.len().saturating_sub(1);
    for (at, segment) in segments.into_iter().enumerate() {
        let mut segment = segment;
        let ttl = segment
            .as_object_mut()
            .and_then(|block| block.remove("cache_control"))
            .as_ref()
            .and_then(ttl_of)
            .or(if at == last { automatic } else { None });
        let text = segment.to_string();
        chars += text.len();
        text.hash(&mut hasher);
        let (tokens, key) = (chars as u64 / 4, hasher.finish());
        boundaries.push((tokens, key));
        if let Some(ttl) = ttl {
            breakpoints.push(Breakpoint { tokens, key, ttl });
        }
    }
    Prefix {
        total: (chars as u64 / 4).max(1),
        boundaries,
        breakpoints,
    }
}

/// Tools, then system blocks, then each message's blocks (tagged with the role).
fn segments(body: &Map<String, Value>) -> Vec<Value> {
    let mut out: Vec<Value> = body
        .get("tools")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    out.extend(body.get("system").map(as_blocks).unwrap_or_default());
    for message in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push(json!({"role": message["role"]}));
        out.extend(as_blocks(&message["content"]));
    }
    out
}

fn ttl_of(cache_control: &Value) -> Option<Duration> {
    match cache_control.get("ttl").and_then(Value::as_str) {
        Some("1h") => Some(Duration::from_secs(3600)),
        _ if cache_control.is_object() => Some(FIVE_MINUTES),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_marked_prefix_is_written_once_then_read() {
        let cache = PromptCache::default();
        let long = "rules ".repeat(400);
        let request = |question: &str| {
            body(json!({"model": "m", "system": [
                {"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}
            ], "messages": [{"role": "user", "content": question}]}))
        };
        let first = cache.account(&request("Q1"), 0);
        assert!(first.creation_5m > 500, "{first:?}");
        assert_eq!((first.cache_read, first.creation_1h), (0, 0));
        let second = cache.account(&request("A different question"), 0);
        assert_eq!(second.cache_read, first.creation_5m);
        assert_eq!(second.creation_5m, 0);
        assert!(second.input_tokens < 50, "{second:?}");
    }

    #[test]
    fn one_hour_and_five_minute_breakpoints_are_billed_apart() {
        let cache = PromptCache::default();
        let request = body(json!({"model": "m",
            "tools": [{"name": "t", "input_schema": {"type": "object", "description": "x".repeat(800)}, "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
            "system": [{"type": "text", "text": "y".repeat(800), "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": "Hi"}]}));
        let usage = cache.account(&request, 0);
        assert!(
            usage.creation_1h >= 200 && usage.creation_5m >= 200,
            "{usage:?}"
        );
        assert_eq!(usage.total(), prefix(&request).total);
    }

    #[test]
    fn automatic_caching_marks_the_last_block_and_a_changed_prefix_misses() {
        let cache = PromptCache::default();
        let request = |text: &str| {
            body(json!({"model": "m", "cache_control": {"type": "ephemeral"},
                "messages": [{"role": "user", "content": text}]}))
        };
        assert!(cache.account(&request("same words"), 0).creation_5m > 0);
        assert!(cache.account(&request("same words"), 0).cache_read > 0);
        assert_eq!(cache.account(&request("other words"), 0).cache_read, 0);
    }

    #[test]
    fn a_growing_conversation_reads_the_previous_turn_s_prefix() {
        let cache = PromptCache::default();
        let turns = |n: usize| {
            let messages: Vec<Value> = (0..n)
                .map(|i| json!({"role": if i % 2 == 0 { "user" } else { "assistant" }, "content": format!("turn {i} {}", "w".repeat(400))}))
                .collect();
            body(
                json!({"model": "m", "cache_control": {"type": "ephemeral"}, "messages": messages}),
            )
        };
        let first = cache.account(&turns(1), 0);
        let second = cache.account(&turns(3), 0);
        assert_eq!(second.cache_read, first.creation_5m);
        assert!(second.creation_5m > 0);
    }

    #[test]
    fn a_prefix_below_the_minimum_is_neither_written_nor_read() {
        let cache = PromptCache::default();
        let request = |chars: usize, question: &str| {
            body(json!({"model": "m", "system": [
                {"type": "text", "text": "r".repeat(chars), "cache_control": {"type": "ephemeral"}}
            ], "messages": [{"role": "user", "content": question}]}))
        };
        // About 1,000 tokens: under a 1,024-token minimum, over a 512-token one.
        let short = request(4000, "Q");
        for _ in 0..2 {
            let usage = cache.account(&short, 1024);
            assert_eq!((usage.creation_5m, usage.cache_read), (0, 0), "{usage:?}");
            assert_eq!(usage.input_tokens, prefix(&short).total);
        }
        assert!(cache.account(&short, 512).creation_5m > 900);
        assert!(cache.account(&short, 512).cache_read > 900);
        // Written under a low minimum, the entry is still not read under a higher one.
        assert_eq!(cache.account(&short, 1024).cache_read, 0);
    }
}
