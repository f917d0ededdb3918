//! The mock's rate-limit mode: requests, input tokens and output tokens per window, a 429
//! `rate_limit_error` with `retry-after` past a limit, and the `anthropic-ratelimit-*`
//! headers on every response, as the API sends them.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::reply::{MockReply, ReplyBody};
use super::validate::Refusal;

/// Limits per window, enforced by [`MockServer::set_rate_limits`](super::MockServer::set_rate_limits)
/// (the API's windows are a minute; tests use seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MockRateLimits {
    /// The window.
    pub window: Duration,
    /// Requests per window.
    pub requests: Option<u64>,
    /// Input tokens per window (as the mock counts them for `usage`).
    pub input_tokens: Option<u64>,
    /// Output tokens per window (charged as replies are sent).
    pub output_tokens: Option<u64>,
}

impl MockRateLimits {
    /// No limits yet, per `window`.
    pub fn per(window: Duration) -> Self {
        Self {
            window: window.max(Duration::from_millis(1)),
            requests: None,
            input_tokens: None,
            output_tokens: None,
        }
    }

    /// At most `n` requests per window.
    pub fn requests(mut self, n: u64) -> Self {
        self.requests = Some(n);
        self
    }

    /// At most `n` input tokens per window.
    pub fn input_tokens(mut self, n: u64) -> Self {
        self.input_tokens = Some(n);
        self
    }

    /// At most `n` output tokens per window.
    pub fn output_tokens(mut self, n: u64) -> Self {
        self.output_tokens = Some(n);
        self
    }
}

/// The limiter's state: the current window and what was used in it.
#[derive(Debug, Default)]
pub(super) struct RateLimitState {
    inner: Mutex<Option<Window>>,
}

#[derive(Debug)]
struct Window {
    limits: MockRateLimits,
    start: Instant,
    start_system: SystemTime,
    requests: u64,
    input: u64,
    output: u64,
    refused: u64,
}

impl Window {
    /// Moves to the window containing now.
    fn roll(&mut self) {
        let elapsed = self.start.elapsed();
        if elapsed >= self.limits.window {
            let windows = (elapsed.as_nanos() / self.limits.window.as_nanos()) as u32;
            let skip = self.limits.window * windows;
            self.start += skip;
            self.start_system += skip;
            self.requests = 0;
            self.input = 0;
            self.output = 0;
        }
    }

    fn reset_at(&self) -> SystemTime {
        self.start_system + self.limits.window
    }
}

impl RateLimitState {
    pub(super) fn set(&self, limits: MockRateLimits) {
        *self.lock() = Some(Window {
            limits,
            start: Instant::now(),
            start_system: SystemTime::now(),
            requests: 0,
            input: 0,
            output: 0,
            refused: 0,
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Window>> {
        self.inner.lock().expect("not poisoned")
    }

    /// How many requests were refused with a 429.
    pub(super) fn refused(&self) -> u64 {
        self.lock().as_ref().map_or(0, |w| w.refused)
    }

    /// Counts a Messages request, or refuses it (429 with `retry-after`) when it would go
    /// past a limit of the current window.
    pub(super) fn admit(
        &self,
        body: &Map<String, Value>,
    ) -> Result<(), (Refusal, Vec<(String, String)>)> {
        let mut guard = self.lock();
        let Some(window) = guard.as_mut() else {
            return Ok(());
        };
        window.roll();
        let input = super::prompt_cache::count(body);
        let limits = window.limits;
        let over =
            |used: u64, need: u64, limit: Option<u64>| limit.is_some_and(|l| used + need > l);
        let exceeded = if over(window.requests, 1, limits.requests) {
            Some("requests")
        } else if over(window.input, input, limits.input_tokens) {
            Some("input tokens")
        } else if over(window.output, 1, limits.output_tokens) {
            Some("output tokens")
        } else {
            None
        };
        if let Some(what) = exceeded {
            window.refused += 1;
            let wait = window
                .reset_at()
                .duration_since(SystemTime::now())
                .unwrap_or_default();
            // Whole seconds, as the API sends, at least one.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let refusal = Refusal {
                status: 429,
                kind: "rate_limit_error".into(),
                message: format!("This request would exceed the rate limit for {what} per window."),
            };
            return Err((
                refusal,
                vec![("retry-after".into(), seconds.max(1).to_string())],
            ));
        }
        window.requests += 1;
        window.input += input;
        Ok(())
    }

    /// Charges the output tokens of the reply being sent.
    pub(super) fn charge_output(&self, reply: &MockReply) {
        let tokens = match &reply.body {
            ReplyBody::Script(script) => script.output_tokens_or_estimate(),
            _ => 0,
        };
        if let Some(window) = self.lock().as_mut() {
            window.output += tokens;
        }
    }

    /// The `anthropic-ratelimit-*` headers of the current window, on any response.
    pub(super) fn add_headers(&self, headers: &mut HeaderMap) {
        let mut guard = self.lock();
        let Some(window) = guard.as_mut() else {
            return;
        };
        window.roll();
        let reset = humantime::format_rfc3339_millis(window.reset_at()).to_string();
        let limits = window.limits;
        let mut put = |name: &str, limit: Option<u64>, used: u64| {
            let Some(limit) = limit else { return };
            for (part, value) in [
                ("limit", limit.to_string()),
                ("remaining", limit.saturating_sub(used).to_string()),
                ("reset", reset.clone()),
            ] {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(format!("anthropic-ratelimit-{name}-{part}").as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    headers.insert(name, value);
                }
            }
        };
        put("requests", limits.requests, window.requests);
        put("input-tokens", limits.input_tokens, window.input);
        put("output-tokens", limits.output_tokens, window.output);
        // `tokens`: the most restrictive token limit in effect.
        let tokens = [
            limits.input_tokens.map(|l| (l, window.input)),
            limits.output_tokens.map(|l| (l, window.output)),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|(limit, used)| limit.saturating_sub(*used));
        if let Some((limit, used)) = tokens {
            put("tokens", Some(limit), used);
        }
    }
}

impl super::MockServer {
    /// Turns on the rate-limit mode: past a limit of the current window, Messages requests
    /// are refused with a 429 `rate_limit_error` and `retry-after`; every response carries
    /// the `anthropic-ratelimit-*` headers.
    pub fn set_rate_limits(&self, limits: MockRateLimits) {
        self.shared.rate_limits.set(limits);
    }

    /// How many requests the rate-limit mode refused with a 429.
    pub fn rate_limited(&self) -> u64 {
        self.shared.rate_limits.refused()
    }
}
