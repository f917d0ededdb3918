//! A response body as a byte stream, ended by an idle timeout when the bytes stop.

use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;

use super::Body;
use crate::error::{Error, TimeoutError, TimeoutPhase, TransportError};

/// `bytes` with transport errors as ours, and a [`TimeoutPhase::Body`] error when no chunk
/// arrives within `idle` of the last one (or of the start); `None` waits forever. (The timer
/// is tokio-stream's: pushing a deadline later is a cheap update in tokio's timer, not a new
/// registration.)
pub(crate) fn with_idle_timeout<S>(bytes: S, idle: Option<Duration>) -> Body
where
    S: Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
{
    let bytes = bytes.map(|chunk| chunk.map_err(|err| Error::from(TransportError::new(err))));
    match idle {
        None => Box::pin(bytes),
        Some(after) => Box::pin(
            tokio_stream::StreamExt::timeout(bytes, after).map(move |item| {
                item.unwrap_or(Err(TimeoutError::new(TimeoutPhase::Body, after).into()))
            }),
        ),
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
