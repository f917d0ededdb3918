//! A response body as a byte stream, ended by an idle timeout when the bytes stop.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use pin_project::pin_project;
use tokio::time::{Instant, Sleep};

use crate::error::{Error, TimeoutError, TimeoutPhase, TransportError};

/// `inner`'s chunks, with transport errors as ours, ended by a [`TimeoutPhase::Body`] error
/// when no chunk arrives within `idle` of the last one (or of the start).
///
/// A chunk costs one clock read: the timer is moved only when it fires early (to the last
/// chunk's time plus `idle`), not on every chunk, which on a stream of hundreds of small
/// chunks saves a timer update and an adapter layer per chunk.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub(crate) struct IdleTimeout<S> {
    #[pin]
    inner: S,
    /// The limit and its timer; `None` waits forever.
    idle: Option<(Duration, Pin<Box<Sleep>>)>,
    /// When the last chunk arrived (or the stream began).
    last: Instant,
    /// After a timeout, the stream is over.
    timed_out: bool,
}

impl<S> IdleTimeout<S> {
    pub(crate) fn new(inner: S, idle: Option<Duration>) -> Self {
        let last = Instant::now();
        Self {
            inner,
            idle: idle.map(|limit| (limit, Box::pin(tokio::time::sleep_until(last + limit)))),
            last,
            timed_out: false,
        }
    }
}

impl<S> Stream for IdleTimeout<S>
where
    S: Stream<Item = reqwest::Result<Bytes>>,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.timed_out {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.inner.poll_next(cx) {
            if this.idle.is_some() {
                *this.last = Instant::now();
            }
            return Poll::Ready(
                item.map(|chunk| chunk.map_err(|err| TransportError::new(err).into())),
            );
        }
        let Some((limit, timer)) = this.idle else {
            return Poll::Pending;
        };
        loop {
            ready!(timer.as_mut().poll(cx));
            let deadline = *this.last + *limit;
            if deadline <= Instant::now() {
                *this.timed_out = true;
                return Poll::Ready(Some(Err(
                    TimeoutError::new(TimeoutPhase::Body, *limit).into()
                )));
            }
            // Bytes came since the timer was set: wait from the last of them.
            timer.as_mut().reset(deadline);
        }
    }
}

impl<S> fmt::Debug for IdleTimeout<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdleTimeout")
            .field("idle", &self.idle.as_ref().map(|(limit, _)| limit))
            .field("timed_out", &self.timed_out)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    fn chunk(text: &'static str) -> reqwest::Result<Bytes> {
        Ok(Bytes::from_static(text.as_bytes()))
    }

    #[tokio::test(start_paused = true)]
    async fn steady_chunks_never_time_out_and_a_gap_does_after_the_last_chunk() {
        let idle = Duration::from_secs(10);
        // A chunk every 6 s (within the limit, though more than half of it), then silence.
        let chunks = futures_util::stream::iter(0..5)
            .then(|_| async {
                tokio::time::sleep(Duration::from_secs(6)).await;
                chunk("data")
            })
            .chain(futures_util::stream::pending());
        let mut body = Box::pin(IdleTimeout::new(chunks, Some(idle)));
        for _ in 0..5 {
            assert!(body.next().await.expect("a chunk").is_ok());
        }
        let last = Instant::now();
        let err = body.next().await.expect("the timeout").unwrap_err();
        assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Body));
        assert_eq!(
            Instant::now() - last,
            idle,
            "exactly the limit after the last chunk"
        );
        assert!(body.next().await.is_none(), "over after the timeout");
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_start_times_out_and_no_limit_waits_forever() {
        let idle = Duration::from_secs(3);
        let started = Instant::now();
        let mut silent = Box::pin(IdleTimeout::new(
            futures_util::stream::pending::<reqwest::Result<Bytes>>(),
            Some(idle),
        ));
        let err = silent.next().await.expect("the timeout").unwrap_err();
        assert!(err.is_timeout());
        assert_eq!(Instant::now() - started, idle);

        let mut patient = Box::pin(IdleTimeout::new(
            futures_util::stream::pending::<reqwest::Result<Bytes>>(),
            None,
        ));
        let waited = tokio::time::timeout(Duration::from_secs(3600), patient.next()).await;
        assert!(waited.is_err(), "still waiting after an hour");
    }

    #[tokio::test]
    async fn the_end_of_the_body_ends_the_stream() {
        let chunks = futures_util::stream::iter([chunk("a"), chunk("b")]);
        let body: Vec<_> = IdleTimeout::new(chunks, Some(Duration::from_secs(1)))
            .collect()
            .await;
        assert_eq!(body.len(), 2);
    }
}
