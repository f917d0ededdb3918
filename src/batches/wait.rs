//! Waiting for a batch to end: polling with back-off, as a stream of snapshots.

use std::time::Duration;

use futures_core::Stream;
use tokio::time::Instant;

use super::{BatchError, Batches, MessageBatch};
use crate::error::Error;

/// How to poll while waiting: the first interval, growing by `factor` up to `max_interval`,
/// for at most `timeout` (none by default: a batch ends within 24 hours by itself).
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::batches::WaitOptions;
/// let quick = WaitOptions::default()
///     .interval(Duration::from_millis(50))
///     .max_interval(Duration::from_secs(1))
///     .timeout(Duration::from_secs(60));
/// # let _ = quick;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// The first wait between polls.
    pub interval: Duration,
    /// The longest wait between polls.
    pub max_interval: Duration,
    /// How much each wait grows.
    pub factor: f64,
    /// Give up (with [`BatchError::WaitTimeout`]) after this long.
    pub timeout: Option<Duration>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(60),
            factor: 1.5,
            timeout: None,
        }
    }
}

impl WaitOptions {
    /// The first wait between polls.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest wait between polls.
    pub fn max_interval(mut self, max: Duration) -> Self {
        self.max_interval = max;
        self
    }

    /// How much each wait grows (at least 1).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = factor.max(1.0);
        self
    }

    /// Give up after this long.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The wait after `interval`.
    fn next(&self, interval: Duration) -> Duration {
        interval.mul_f64(self.factor).min(self.max_interval)
    }
}

struct Polling {
    batches: Batches,
    id: String,
    options: WaitOptions,
    interval: Duration,
    started: Instant,
    first: bool,
    finished: bool,
}

/// Snapshots of batch `id`, one per poll, ending with the one where it has ended.
pub(crate) fn watch(
    batches: Batches,
    id: String,
    options: WaitOptions,
) -> impl Stream<Item = Result<MessageBatch, Error>> + Send + 'static {
    let state = Polling {
        batches,
        id,
        options,
        interval: options.interval,
        started: Instant::now(),
        first: true,
        finished: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        if state.finished {
            return None;
        }
        if !state.first {
            tokio::time::sleep(state.interval).await;
            state.interval = state.options.next(state.interval);
        }
        state.first = false;
        let item = match state.batches.retrieve(&state.id).await {
            Ok(batch) if batch.is_ended() => {
                state.finished = true;
                Ok(batch)
            }
            Ok(batch) => match state.options.timeout {
                Some(limit) if state.started.elapsed() + state.interval > limit => {
                    state.finished = true;
                    Err(BatchError::WaitTimeout {
                        id: batch.id,
                        status: batch.processing_status,
                        waited: state.started.elapsed(),
                    }
                    .into())
                }
                _ => Ok(batch),
            },
            Err(error) => {
                state.finished = true;
                Err(error)
            }
        };
        Some((item, state))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_to_the_cap() {
        let options = WaitOptions::default()
            .interval(Duration::from_millis(100))
            .factor(2.0)
            .max_interval(Duration::from_millis(500));
        let mut interval = options.interval;
        let mut seen = Vec::new();
        for _ in 0..5 {
            interval = options.next(interval);
            seen.push(interval.as_millis());
        }
        assert_eq!(seen, [200, 400, 500, 500, 500]);
    }
}
