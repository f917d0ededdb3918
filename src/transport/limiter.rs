//! A client-side rate limiter fed by the API's own rate-limit headers and 429s.
//!
//! Every clone of a `ChatAnthropic` shares one, so concurrent calls from one process stay
//! under the organisation's limits without a coordinator: the headers are the server's
//! global view. Two mechanisms:
//! - a budget: the `remaining` requests / input tokens / output tokens the last response
//!   reported, less what was sent since; at zero, callers wait for the `reset` time.
//!   A 429 pauses everyone for its `retry-after`.
//! - an adaptive concurrency cap (for `batch`): halved on a 429, then probed up by one
//!   slot per "window" of successes (additive increase, multiplicative decrease).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::clock::Instant;

use reqwest::header::HeaderMap;
use tokio::sync::Notify;

use crate::messages::{RateLimit, RateLimits};

/// The longest a single wait lasts before the state is looked at again.
const RECHECK: Duration = Duration::from_millis(250);
/// How long a 429 without `retry-after` pauses everyone.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// One budget: what is left until `reset`.
#[derive(Debug, Clone, Copy, Default)]
struct Budget {
    remaining: Option<u64>,
    limit: Option<u64>,
    reset: Option<Instant>,
}

impl Budget {
    /// Whether `need` fits, as of `now`; else when to look again. With nothing in flight
    /// and no reset known, no response is coming to say more: the server decides.
    fn wait_for(&mut self, need: u64, now: Instant, idle: bool) -> Option<Instant> {
        if self.reset.is_some_and(|reset| reset <= now) {
            // The window turned over: the whole limit again, until the next response says.
            self.remaining = self.limit;
            self.reset = None;
        }
        match (self.remaining, self.reset) {
            // A request larger than the whole limit can never fit: let the server decide.
            (Some(left), _) if left >= need || self.limit.is_some_and(|l| need > l) => None,
            (Some(_), Some(reset)) => Some(reset),
            (Some(_), None) if !idle => Some(now + RECHECK),
            (Some(_), None) => None,
            (None, _) => None,
        }
    }

    fn spend(&mut self, amount: u64) {
        if let Some(left) = &mut self.remaining {
            *left = left.saturating_sub(amount);
        }
    }

    /// Takes the server's view, less what is still in flight (sent after it counted).
    fn update(&mut self, reported: Option<RateLimit>, in_flight: u64, base: (Instant, SystemTime)) {
        let Some(reported) = reported else { return };
        self.limit = reported.limit.or(self.limit);
        if let Some(remaining) = reported.remaining {
            self.remaining = Some(remaining.saturating_sub(in_flight));
        }
        self.reset = reported
            .reset
            .map(|at| base.0 + at.duration_since(base.1).unwrap_or_default());
    }
}

#[derive(Debug, Default)]
struct State {
    requests: Budget,
    input_tokens: Budget,
    output_tokens: Budget,
    paused_until: Option<Instant>,
    /// Requests admitted whose response has not arrived yet, and their token estimates.
    pending: u64,
    pending_tokens: u64,
    /// The learned concurrency cap (`None` until the first 429).
    concurrency: Option<f64>,
    in_flight_slots: usize,
}

/// A request's input tokens, estimated before sending from its body's size (about four
/// bytes a token), to hold it back while the input-token budget is spent.
pub(crate) fn estimate_tokens(body: &[u8]) -> u64 {
    (body.len() as u64).div_ceil(4)
}

/// The shared limiter.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    state: Mutex<State>,
    changed: Notify,
}

/// A request admitted under the budget; dropping it marks its response as arrived.
#[must_use]
pub(crate) struct Admission<'a> {
    limiter: &'a RateLimiter,
    tokens: u64,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        let mut state = self.limiter.lock();
        state.pending = state.pending.saturating_sub(1);
        state.pending_tokens = state.pending_tokens.saturating_sub(self.tokens);
        drop(state);
        self.limiter.changed.notify_waiters();
    }
}

/// A concurrency slot for one `batch` item.
#[must_use]
pub(crate) struct Slot<'a> {
    limiter: &'a RateLimiter,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.limiter.lock().in_flight_slots -= 1;
        self.limiter.changed.notify_waiters();
    }
}

impl RateLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until a request estimated at `input_tokens` fits the budget, then counts it.
    pub(crate) async fn admit(&self, input_tokens: u64) -> Admission<'_> {
        loop {
            let changed = self.changed.notified();
            let wake = {
                let mut state = self.lock();
                let now = Instant::now();
                let idle = state.pending == 0;
                let wake = [
                    state.paused_until.filter(|until| *until > now),
                    state.requests.wait_for(1, now, idle),
                    state.input_tokens.wait_for(input_tokens, now, idle),
                    state.output_tokens.wait_for(1, now, idle),
                ]
                .into_iter()
                .flatten()
                .max();
                if wake.is_none() {
                    state.requests.spend(1);
                    state.input_tokens.spend(input_tokens);
                    state.pending += 1;
                    state.pending_tokens += input_tokens;
                    return Admission {
                        limiter: self,
                        tokens: input_tokens,
                    };
                }
                wake
            };
            let until = wake.map_or(Instant::now() + RECHECK, |w| {
                w.min(Instant::now() + RECHECK)
            });
            let _ = crate::clock::timeout_at(until, changed).await;
        }
    }

    /// Waits for a concurrency slot: at most `max`, fewer after 429s.
    pub(crate) async fn slot(&self, max: usize) -> Slot<'_> {
        loop {
            let changed = self.changed.notified();
            {
                let mut state = self.lock();
                let cap = state
                    .concurrency
                    .map_or(max, |c| (c.floor() as usize).clamp(1, max.max(1)));
                if state.in_flight_slots < cap {
                    state.in_flight_slots += 1;
                    return Slot { limiter: self };
                }
            }
            let _ = crate::clock::timeout(RECHECK, changed).await;
        }
    }

    /// Learns from a response: its rate-limit headers, and whether it was a 429.
    pub(crate) fn observe(&self, status: u16, headers: &HeaderMap) {
        let reported = RateLimits::from_headers(headers);
        let base = (Instant::now(), crate::clock::system_now());
        let mut state = self.lock();
        // This response's own request has been counted by the server; the others have not.
        let others = state.pending.saturating_sub(1);
        let other_tokens = state.pending_tokens.saturating_mul(others) / state.pending.max(1);
        state.requests.update(reported.requests, others, base);
        state
            .input_tokens
            .update(reported.input_tokens, other_tokens, base);
        state.output_tokens.update(reported.output_tokens, 0, base);
        if status == 429 {
            let pause = reported
                .retry_after
                .or_else(|| super::retry::server_delay(headers))
                .unwrap_or(DEFAULT_PAUSE);
            let until = base.0 + pause;
            state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
            let current = state
                .concurrency
                .unwrap_or(state.in_flight_slots.max(1) as f64);
            state.concurrency = Some((current / 2.0).max(1.0));
            tracing::debug!(
                pause_ms = pause.as_millis() as u64,
                "rate limited: backing off"
            );
        } else if (200..300).contains(&status)
            && let Some(c) = state.concurrency
        {
            // Additive increase: one more slot after about `c` successes.
            state.concurrency = Some(c + 1.0 / c);
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// The concurrency cap learned so far (`None`: no 429 seen).
    #[cfg(test)]
    fn concurrency(&self) -> Option<f64> {
        self.lock().concurrency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, String)]) -> HeaderMap {
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
        crate::transport::test_headers(&pairs)
    }

    fn rfc3339_in(after: Duration) -> String {
        humantime::format_rfc3339_millis(SystemTime::now() + after).to_string()
    }

    #[tokio::test]
    async fn an_exhausted_budget_waits_for_the_reset() {
        let limiter = RateLimiter::default();
        let admitted = limiter.admit(10).await;
        limiter.observe(
            200,
            &headers(&[
                ("anthropic-ratelimit-requests-limit", "2".into()),
                ("anthropic-ratelimit-requests-remaining", "1".into()),
                (
                    "anthropic-ratelimit-requests-reset",
                    rfc3339_in(Duration::from_millis(400)),
                ),
            ]),
        );
        drop(admitted);
        let start = Instant::now();
        drop(limiter.admit(10).await); // the one request left
        assert!(start.elapsed() < Duration::from_millis(300));
        drop(limiter.admit(10).await); // none left: waits for the reset
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(350), "{waited:?}");
    }

    #[tokio::test]
    async fn in_flight_requests_are_subtracted_from_what_the_server_reports() {
        let limiter = RateLimiter::default();
        let first = limiter.admit(100).await;
        let second = limiter.admit(100).await;
        // The server counted the first (2 left) but not yet the second.
        limiter.observe(
            200,
            &headers(&[
                ("anthropic-ratelimit-requests-remaining", "2".into()),
                (
                    "anthropic-ratelimit-requests-reset",
                    rfc3339_in(Duration::from_millis(400)),
                ),
            ]),
        );
        drop(first);
        let start = Instant::now();
        drop(limiter.admit(100).await);
        assert!(start.elapsed() < Duration::from_millis(300));
        drop(limiter.admit(100).await);
        assert!(start.elapsed() >= Duration::from_millis(350));
        drop(second);
    }

    #[tokio::test]
    async fn a_429_pauses_everyone_and_halves_concurrency_then_probes_up() {
        let limiter = RateLimiter::default();
        let slots: Vec<_> = futures_util::future::join_all((0..8).map(|_| limiter.slot(8))).await;
        limiter.observe(429, &headers(&[("retry-after", "0.4".into())]));
        assert_eq!(limiter.concurrency(), Some(4.0));
        drop(slots);
        let start = Instant::now();
        drop(limiter.admit(1).await);
        assert!(start.elapsed() >= Duration::from_millis(390));
        // About `c` successes add one slot: 4 → 5 after five.
        for _ in 0..5 {
            limiter.observe(200, &HeaderMap::new());
        }
        let probed = limiter.concurrency().unwrap();
        assert!(probed > 5.0 && probed < 5.2, "{probed}");
        // With the cap at 5 (of 8), a sixth slot waits until one is freed.
        let held: Vec<_> = futures_util::future::join_all((0..5).map(|_| limiter.slot(8))).await;
        let sixth = tokio::time::timeout(Duration::from_millis(100), limiter.slot(8)).await;
        assert!(sixth.is_err(), "the cap holds");
        drop(held);
        let sixth = tokio::time::timeout(Duration::from_secs(5), limiter.slot(8)).await;
        assert!(sixth.is_ok(), "a freed slot is taken");
    }

    #[tokio::test]
    async fn no_headers_means_no_waiting() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..100 {
            limiter.observe(200, &HeaderMap::new());
            drop(limiter.admit(1_000_000).await);
        }
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(limiter.concurrency(), None);
    }
}
