//! A retry policy as a value, and the model wrapper that applies it.

use std::time::Duration;

use futures_core::future::BoxFuture;

use super::open::open_until_content;
use super::{ChatModel, ErrorFilter, RunConfig};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, Message};

/// The longest wait taken from a server's `retry-after`.
const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);

/// How a call is retried: how many attempts, the back-off between them (exponential, with
/// jitter, capped), and on which errors (an [`ErrorFilter`]). LangChain's `with_retry`.
///
/// Applied by [`WithRetry`] to each call, and to each item of a `batch` on its own. It sits
/// on top of the model's built-in retries ([`max_retries`](crate::ChatAnthropic::max_retries),
/// re-sends before content), which stay on by default: set the model's `max_retries(0)` for
/// this policy alone to decide.
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::compose::{ErrorFilter, RetryPolicy};
/// use chat_anthropic::error::{ApiError, ApiErrorKind};
/// use chat_anthropic::Error;
/// let policy = RetryPolicy::new(4)
///     .initial_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(1))
///     .jitter(0.0)
///     .retry_on(ErrorFilter::overloaded());
/// let overloaded = Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"));
/// assert_eq!(policy.delay(0, &overloaded), Duration::from_millis(100));
/// assert_eq!(policy.delay(1, &overloaded), Duration::from_millis(200));
/// assert_eq!(policy.delay(9, &overloaded), Duration::from_secs(1), "capped");
/// assert!(policy.should_retry(1, &overloaded), "attempt 1 of 4 failed");
/// assert!(!policy.should_retry(4, &overloaded), "no attempts left");
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    multiplier: f64,
    jitter: f64,
    retry_on: ErrorFilter,
    respect_retry_after: bool,
}

impl RetryPolicy {
    /// At most `max_attempts` attempts in all (the first included; 0 counts as 1), waiting
    /// 0.5 s, doubling up to 8 s, each wait reduced by up to 25 % at random, on the errors
    /// [`ErrorFilter::retryable`] matches, and for as long as a server's `retry-after`
    /// asks (up to 60 s).
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            multiplier: 2.0,
            jitter: 0.25,
            retry_on: ErrorFilter::retryable(),
            respect_retry_after: true,
        }
    }

    /// The wait before the first retry.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest wait between attempts (a server's `retry-after` excepted).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How much each wait grows on the one before (default 2; below 1 counts as 1).
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.multiplier = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The share, 0 to 1, by which each wait is reduced at random (default 0.25), so that
    /// clients retrying together spread out.
    pub fn jitter(mut self, share: f64) -> Self {
        self.jitter = if share.is_finite() {
            share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The errors retried.
    pub fn retry_on(mut self, filter: ErrorFilter) -> Self {
        self.retry_on = filter;
        self
    }

    /// Whether a server's `retry-after` replaces the back-off (default true).
    pub fn respect_retry_after(mut self, respect: bool) -> Self {
        self.respect_retry_after = respect;
        self
    }

    /// The most attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether to try again after attempt number `attempt` (1-based) failed with `error`.
    pub fn should_retry(&self, attempt: u32, error: &Error) -> bool {
        attempt < self.max_attempts && self.retry_on.matches(error)
    }

    /// The wait before retry number `retry` (0-based) after `error`: the server's
    /// `retry-after` when it sent one (and it is respected), else `initial × multiplierʳᵉᵗʳʸ`
    /// capped at the maximum, reduced by up to the jitter share at random.
    pub fn delay(&self, retry: u32, error: &Error) -> Duration {
        if let Some(server) = error.retry_after().filter(|_| self.respect_retry_after) {
            return server.min(MAX_SERVER_WAIT);
        }
        let exponent = i32::try_from(retry).unwrap_or(i32::MAX);
        let grown = self.initial_delay.as_secs_f64() * self.multiplier.powi(exponent);
        let base = Duration::try_from_secs_f64(grown)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        base.mul_f64(1.0 - self.jitter * fastrand::f64())
    }
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::new(3)`](RetryPolicy::new).
    fn default() -> Self {
        Self::new(3)
    }
}

/// A model whose calls are retried by a [`RetryPolicy`]. Made by
/// [`ChatModelExt::with_retry`](super::ChatModelExt::with_retry).
///
/// - `invoke`: the whole call is made again on a matching error, wherever it happened (the
///   caller has seen nothing yet).
/// - `stream`: an attempt is made again only while it has handed out nothing: a failure
///   before the first content is retried, invisibly to the stream's reader; once content has
///   been handed out the stream is the caller's, and a failure ends it with the partial
///   message, as without the policy.
/// - `batch`: each item is retried on its own.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use std::time::Duration;
/// use chat_anthropic::compose::{ChatModelExt, RetryPolicy};
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
/// server.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
/// server.enqueue(MockReply::text("Third time lucky"));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .max_retries(0) // the policy alone decides
///     .base_url(server.base_url())
///     .api_key("test");
/// let patient = llm.with_retry(RetryPolicy::new(3).initial_delay(Duration::from_millis(10)));
/// assert_eq!(patient.invoke("Hi").await?.text(), "Third time lucky");
/// assert_eq!(server.request_count(), 3);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WithRetry<M> {
    inner: M,
    policy: RetryPolicy,
}

impl<M> WithRetry<M> {
    /// `inner`, retried by `policy`.
    pub fn new(inner: M, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The wrapped model.
    pub fn inner(&self) -> &M {
        &self.inner
    }
}

impl<M: ChatModel> WithRetry<M> {
    /// Waits before the next attempt after attempt `attempt` failed with `error`, or hands
    /// the error back when the policy says stop.
    async fn after_failure(&self, attempt: u32, error: Error) -> Result<(), Error> {
        if !self.policy.should_retry(attempt, &error) {
            return Err(error);
        }
        let delay = self.policy.delay(attempt - 1, &error);
        tracing::warn!(
            model = %self.inner.name(),
            attempt,
            max_attempts = self.policy.max_attempts,
            delay_ms = delay.as_millis() as u64,
            %error,
            "call failed; retrying"
        );
        crate::clock::sleep(delay).await;
        Ok(())
    }
}

impl<M: ChatModel> ChatModel for WithRetry<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                attempt += 1;
                match open_until_content(&self.inner, messages.clone(), run).await {
                    Ok(stream) => return Ok(stream),
                    Err(error) => self.after_failure(attempt, error).await?,
                }
            }
        })
    }

    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                attempt += 1;
                match self.inner.invoke_run(messages.clone(), run).await {
                    Ok(reply) => return Ok(reply),
                    Err(error) => self.after_failure(attempt, error).await?,
                }
            }
        })
    }

    fn name(&self) -> String {
        format!("retry({})", self.inner.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ApiErrorKind};

    fn overloaded() -> Error {
        Error::Api(ApiError::new(ApiErrorKind::Overloaded, "Overloaded"))
    }

    #[test]
    fn the_back_off_grows_is_capped_and_jitter_only_shortens_it() {
        let policy = RetryPolicy::new(10)
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(1000))
            .multiplier(3.0)
            .jitter(0.5);
        for retry in 0..10 {
            let base = (0.1 * 3f64.powi(retry as i32)).min(1.0);
            for _ in 0..50 {
                let wait = policy.delay(retry, &overloaded()).as_secs_f64();
                assert!(
                    wait <= base + 1e-9 && wait >= base * 0.5 - 1e-9,
                    "{retry}: {wait}"
                );
            }
        }
    }

    #[test]
    fn attempts_count_the_first_and_only_matching_errors_are_retried() {
        let policy = RetryPolicy::new(3).retry_on(ErrorFilter::overloaded());
        assert!(policy.should_retry(1, &overloaded()));
        assert!(policy.should_retry(2, &overloaded()));
        assert!(!policy.should_retry(3, &overloaded()));
        let bad = Error::Api(ApiError::new(ApiErrorKind::InvalidRequest, "no"));
        assert!(!policy.should_retry(1, &bad));
        assert_eq!(RetryPolicy::new(0).max_attempts(), 1);
    }

    #[test]
    fn a_server_wait_replaces_the_back_off_unless_told_otherwise() {
        let waited = Error::Api(
            ApiError::new(ApiErrorKind::RateLimit, "slow down")
                .with_retry_after(Duration::from_secs(3)),
        );
        let policy = RetryPolicy::new(3).initial_delay(Duration::from_millis(10));
        assert_eq!(policy.delay(0, &waited), Duration::from_secs(3));
        let ignoring = policy.respect_retry_after(false).jitter(0.0);
        assert_eq!(ignoring.delay(0, &waited), Duration::from_millis(10));
    }
}
