//! A response body as a byte stream, ended by an idle timeout when the bytes stop.

use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use pin_project::pin_project;

use super::Body;
use crate::clock::{sleep_until, Instant, Sleep};
use crate::error::{Error, TimeoutError, TimeoutPhase, TransportError};

/// `bytes` with transport errors as ours, and a [`TimeoutPhase::Body`] error when no chunk
/// arrives within `idle` of the last one (or of the start); `None` waits forever. (The timer
/// is the target's (`crate::clock`): pushing a deadline later is a cheap update of one timer,
/// not a new registration.)
pub(crate) fn with_idle_timeout<S>(bytes: S, idle: Option<Duration>) -> Body
where
    S: Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
{
    let bytes = bytes.map(|chunk| chunk.map_err(|err| Error::from(TransportError::new(err))));
    match idle {
        None => Box::pin(bytes),
        Some(after) => Box::pin(IdleTimeout {
            inner: bytes,
            deadline: sleep_until(Instant::now() + after),
            armed: true,
            after,
        }),
    }
}

/// The stream adapter behind [`with_idle_timeout`] (tokio-stream's `Timeout`, on the
/// target's timer): each item re-arms the deadline; when it passes first, one timeout error
/// is yielded, and the stream then waits for the next item without a limit.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
struct IdleTimeout<S> {
    #[pin]
    inner: S,
    #[pin]
    deadline: Sleep,
    armed: bool,
    after: Duration,
}

impl<S: Stream<Item = Result<Bytes, Error>>> Stream for IdleTimeout<S> {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if let Poll::Ready(item) = this.inner.poll_next(cx) {
            if item.is_some() {
                this.deadline.as_mut().reset(Instant::now() + *this.after);
                *this.armed = true;
            }
            return Poll::Ready(item);
        }
        if *this.armed {
            ready!(this.deadline.poll(cx));
            *this.armed = false;
            return Poll::Ready(Some(Err(TimeoutError::new(
                TimeoutPhase::Body,
                *this.after,
            )
            .into())));
        }
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Each item of the body, plus perhaps one timeout.
        let (low, high) = self.inner.size_hint();
        (low, high.and_then(|high| high.checked_add(1)))
    }
}

#[cfg(test)]
mod tests {
    use tokio::time::Instant;

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
        let mut body = with_idle_timeout(chunks, Some(idle));
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
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_start_times_out_and_no_limit_waits_forever() {
        let idle = Duration::from_secs(3);
        let started = Instant::now();
        let mut silent = with_idle_timeout(
            futures_util::stream::pending::<reqwest::Result<Bytes>>(),
            Some(idle),
        );
        let err = silent.next().await.expect("the timeout").unwrap_err();
        assert!(err.is_timeout());
        assert_eq!(Instant::now() - started, idle);

        let mut patient = with_idle_timeout(
            futures_util::stream::pending::<reqwest::Result<Bytes>>(),
            None,
        );
        let waited = tokio::time::timeout(Duration::from_secs(3600), patient.next()).await;
        assert!(waited.is_err(), "still waiting after an hour");
    }

    #[tokio::test]
    async fn the_end_of_the_body_ends_the_stream() {
        let chunks = futures_util::stream::iter([chunk("a"), chunk("b")]);
        let body: Vec<_> = with_idle_timeout(chunks, Some(Duration::from_secs(1)))
            .collect()
            .await;
        assert_eq!(body.len(), 2);
    }
}
