//! The one cache behind every refreshing credential: a value and its expiry, replaced
//! shortly before it expires, shared by clones, fetched once for concurrent callers.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::StdInstant as Instant;

use crate::error::Error;

/// A value and when it expires (`None`: never).
type Expiring<T> = (T, Option<Instant>);

/// A cached value with its expiry.
pub(crate) struct Refreshing<T> {
    slot: Arc<tokio::sync::Mutex<Option<Expiring<T>>>>,
    pub(crate) margin: Duration,
}

impl<T> Clone for Refreshing<T> {
    fn clone(&self) -> Self {
        Self {
            slot: self.slot.clone(),
            margin: self.margin,
        }
    }
}

impl<T: Clone> Refreshing<T> {
    pub(crate) fn new(margin: Duration) -> Self {
        Self {
            slot: Arc::default(),
            margin,
        }
    }

    /// The cached value while it is good for more than the margin, else `fetch`'s. The
    /// lock is held while fetching, so concurrent callers wait for that one fetch.
    pub(crate) async fn get<Fut>(&self, fetch: impl FnOnce() -> Fut) -> Result<T, Error>
    where
        Fut: Future<Output = Result<Expiring<T>, Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((value, _)) = slot.as_ref().filter(|(_, at)| fresh(*at, self.margin)) {
            return Ok(value.clone());
        }
        let (value, expires_at) = fetch().await?;
        *slot = Some((value.clone(), expires_at));
        Ok(value)
    }
}

/// Whether something expiring at `at` is still good for more than `margin`.
fn fresh(at: Option<Instant>, margin: Duration) -> bool {
    at.is_none_or(|at| {
        at.checked_duration_since(Instant::now())
            .is_some_and(|left| left > margin)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_counts_the_margin() {
        let now = Instant::now();
        let margin = Duration::from_secs(60);
        assert!(fresh(None, margin));
        assert!(fresh(Some(now + Duration::from_secs(120)), margin));
        assert!(!fresh(Some(now + Duration::from_secs(30)), margin));
        assert!(!fresh(Some(now), margin));
    }
}
