//! The stall watchdog: a limit on the gap between content-bearing events.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::clock::{Instant, Sleep};
use futures_core::Stream;
use pin_project::pin_project;

use crate::error::{Error, TimeoutError, TimeoutPhase};
use crate::event::StreamEvent;

/// Ends a stream of events with a [`TimeoutPhase::Content`] timeout when no event but `ping`
/// arrived within `limit`. The idle timeout cannot see this: every ping resets it, so a
/// server that keeps pinging while generation has stalled would hold the stream forever.
///
/// An event costs one clock read: the timer is moved only when it fires early (to the last
/// content's time plus `limit`), not on every event.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub(crate) struct Watchdog<S> {
    #[pin]
    inner: S,
    /// The limit and its timer (set at the first poll); `None` watches nothing.
    limit: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
    /// When the last event other than `ping` arrived (or the first poll).
    last_content: Instant,
    fired: bool,
}

impl<S> Watchdog<S> {
    /// Watches `inner`; `None` watches nothing.
    pub(crate) fn new(inner: S, limit: Option<Duration>) -> Self {
        Self {
            inner,
            limit,
            timer: None,
            last_content: Instant::now(),
            fired: false,
        }
    }
}

impl<S: Stream<Item = Result<StreamEvent, Error>>> Stream for Watchdog<S> {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.fired {
            return Poll::Ready(None);
        }
        let Some(limit) = *this.limit else {
            return this.inner.poll_next(cx);
        };
        let last_content = this.last_content;
        let timer = this.timer.get_or_insert_with(|| {
            *last_content = Instant::now();
            Box::pin(crate::clock::sleep_until(*last_content + limit))
        });
        let item = this.inner.poll_next(cx);
        let stalled = match &item {
            Poll::Ready(Some(Ok(StreamEvent::Ping))) => Instant::now() >= *last_content + limit,
            Poll::Ready(_) => {
                *last_content = Instant::now();
                false
            }
            Poll::Pending => loop {
                if timer.as_mut().poll(cx).is_pending() {
                    break false;
                }
                let deadline = *last_content + limit;
                if deadline <= Instant::now() {
                    break true;
                }
                // Content came since the timer was set: wait from the last of it.
                timer.as_mut().reset(deadline);
            },
        };
        if stalled {
            *this.fired = true;
            return Poll::Ready(Some(Err(
                TimeoutError::new(TimeoutPhase::Content, limit).into()
            )));
        }
        item
    }
}

impl<S> fmt::Debug for Watchdog<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watchdog")
            .field("limit", &self.limit)
            .field("fired", &self.fired)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// Reads `watched` up to its error: how many events came first, and the error.
    async fn events_until_the_error<S>(watched: &mut Pin<Box<Watchdog<S>>>) -> (usize, Error)
    where
        S: Stream<Item = Result<StreamEvent, Error>>,
    {
        let mut seen = 0;
        loop {
            match watched.next().await.expect("the watchdog ends the stream") {
                Ok(_) => seen += 1,
                Err(err) => return (seen, err),
            }
            assert!(seen < 10_000, "bounded");
        }
    }

    #[tokio::test]
    async fn pings_alone_do_not_keep_a_stream_alive() {
        let pings = futures_util::stream::iter(std::iter::repeat_with(|| Ok(StreamEvent::Ping)))
            .then(|ping| async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ping
            });
        let limit = Duration::from_millis(200);
        let mut watched = Box::pin(Watchdog::new(pings, Some(limit)));
        let started = Instant::now();
        let (seen, err) = events_until_the_error(&mut watched).await;
        assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Content));
        assert!(seen > 0 && started.elapsed() >= limit, "{seen} pings");
        assert!(watched.next().await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn content_within_the_limit_keeps_a_stream_alive_and_the_limit_counts_from_the_last() {
        let limit = Duration::from_secs(10);
        // Content every 6 s (more than half the limit, so the timer fires between two
        // events and must wait on), then pings every second and no more content.
        let content = futures_util::stream::iter(0..5).then(|_| async {
            tokio::time::sleep(Duration::from_secs(6)).await;
            Ok(StreamEvent::MessageStop)
        });
        let pings = futures_util::stream::iter(0..100).then(|_| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(StreamEvent::Ping)
        });
        let mut watched = Box::pin(Watchdog::new(content.chain(pings), Some(limit)));
        for _ in 0..5 {
            assert!(matches!(
                watched.next().await,
                Some(Ok(StreamEvent::MessageStop))
            ));
        }
        let last_content = Instant::now();
        let (pings, err) = events_until_the_error(&mut watched).await;
        assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Content));
        assert_eq!(Instant::now() - last_content, limit, "after {pings} pings");
    }

    #[tokio::test]
    async fn a_silent_stream_times_out_after_its_content() {
        let events = futures_util::stream::iter([Ok(StreamEvent::MessageStop)])
            .chain(futures_util::stream::pending());
        let limit = Duration::from_millis(100);
        let mut watched = Box::pin(Watchdog::new(events, Some(limit)));
        assert!(matches!(
            watched.next().await,
            Some(Ok(StreamEvent::MessageStop))
        ));
        let started = Instant::now();
        let err = watched.next().await.unwrap().unwrap_err();
        assert!(err.is_timeout());
        assert!(started.elapsed() >= limit);
    }
}
