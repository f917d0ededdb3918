//! Sending a response body the way a reply's shape asks: in chunks, with delays, breaking
//! or stalling part-way, and noticing when the client goes away first.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::sync::{watch, Notify};

use super::reply::Shape;

/// What the server knows about the streams it sent.
#[derive(Debug, Default)]
pub(super) struct StreamStats {
    pub(super) cancelled: AtomicUsize,
    pub(super) changed: Notify,
}

/// How the body ends after its last chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Complete,
    Break,
    Stall,
}

/// The body as a stream of chunks shaped by `shape`; `pieces` are the natural chunks (one
/// per event).
pub(super) fn shaped(
    pieces: Vec<Bytes>,
    shape: &Shape,
    stats: std::sync::Arc<StreamStats>,
    shutdown: watch::Receiver<bool>,
) -> TrackedBody {
    let mut chunks: VecDeque<Bytes> = match shape.chunk_size {
        Some(size) => {
            let whole: BytesMut = pieces.iter().flat_map(|p| p.iter().copied()).collect();
            let whole = whole.freeze();
            (0..whole.len())
                .step_by(size)
                .map(|start| whole.slice(start..(start + size).min(whole.len())))
                .collect()
        }
        None => pieces.into(),
    };
    let (cut, ending) = match (shape.drop_after, shape.stall_after) {
        (Some(d), Some(s)) if s < d => (Some(s), Ending::Stall),
        (Some(d), _) => (Some(d), Ending::Break),
        (None, Some(s)) => (Some(s), Ending::Stall),
        (None, None) => (None, Ending::Complete),
    };
    if let Some(cut) = cut {
        truncate(&mut chunks, cut);
    }
    let delay = shape.delay;
    let state = (chunks, shutdown);
    let inner = futures_util::stream::unfold(Some(state), move |state| async move {
        let (mut chunks, mut shutdown) = state?;
        if let Some(chunk) = chunks.pop_front() {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            return Some((Ok(chunk), Some((chunks, shutdown))));
        }
        match ending {
            Ending::Complete => None,
            Ending::Break => {
                // Let hyper flush what was sent first; an error discards its write buffer.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Some((Err(std::io::Error::other("mock: connection dropped")), None))
            }
            Ending::Stall => {
                // Hold the connection open until the server shuts down (or is dropped).
                let _ = shutdown.wait_for(|stop| *stop).await;
                None
            }
        }
    });
    TrackedBody {
        inner: inner.boxed(),
        finished: false,
        stats,
    }
}

/// Keeps the first `limit` bytes.
fn truncate(chunks: &mut VecDeque<Bytes>, limit: usize) {
    let mut kept = 0;
    let mut out = VecDeque::new();
    for chunk in chunks.drain(..) {
        if kept >= limit {
            break;
        }
        let take = chunk.len().min(limit - kept);
        kept += take;
        out.push_back(chunk.slice(..take));
    }
    *chunks = out;
}

/// A body that counts itself as cancelled if it is dropped before it ended: hyper drops the
/// body when the client closes the connection.
pub(super) struct TrackedBody {
    inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
    finished: bool,
    stats: std::sync::Arc<StreamStats>,
}

impl Stream for TrackedBody {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(None | Some(Err(_))) = &polled {
            self.finished = true;
        }
        polled
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        if !self.finished {
            self.stats.cancelled.fetch_add(1, Ordering::SeqCst);
            self.stats.changed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_exactly_the_limit() {
        let mut chunks: VecDeque<Bytes> =
            [&b"abc"[..], b"def", b"gh"].map(Bytes::from_static).into();
        truncate(&mut chunks, 5);
        let kept: Vec<&[u8]> = chunks.iter().map(|c| &c[..]).collect();
        assert_eq!(kept, [&b"abc"[..], &b"de"[..]]);
    }
}
