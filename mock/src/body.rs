//! Sending a response body the way a reply's shape asks: in chunks, with delays, breaking
//! or stalling part-way, and noticing when the client goes away first.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::stream::{BoxStream, Stream, StreamExt};
use tokio::sync::{watch, Notify};

use super::faults::Part;
use super::reply::Shape;

/// What the server knows about the streams it sent.
#[derive(Debug, Default)]
pub(super) struct StreamStats {
    pub(super) cancelled: AtomicUsize,
    pub(super) changed: Notify,
}

/// The body as a stream played from `parts` (one data part per event, sleeps, pings and
/// endings from the event faults), re-chunked, delayed and cut as `shape` asks.
pub(super) fn shaped(
    parts: Vec<Part>,
    shape: &Shape,
    stats: std::sync::Arc<StreamStats>,
    shutdown: watch::Receiver<bool>,
) -> TrackedBody {
    let mut parts: VecDeque<Part> = match shape.chunk_size {
        Some(size) => rechunk(parts, size),
        None => parts.into(),
    };
    let cut = match (shape.drop_after, shape.stall_after) {
        (Some(d), Some(s)) if s < d => Some((s, Part::Hold)),
        (Some(d), _) => Some((d, Part::Break)),
        (None, Some(s)) => Some((s, Part::Hold)),
        (None, None) => None,
    };
    if let Some((limit, ending)) = cut {
        truncate(&mut parts, limit);
        parts.push_back(ending);
    }
    let delay = shape.delay;
    let inner = futures_util::stream::unfold(Some((parts, shutdown)), move |state| async move {
        let (mut parts, mut shutdown) = state?;
        while let Some(part) = parts.pop_front() {
            match part {
                Part::Data(chunk) => {
                    if let Some(delay) = delay {
                        tokio::time::sleep(delay).await;
                    }
                    return Some((Ok(chunk), Some((parts, shutdown))));
                }
                Part::Sleep(length) => tokio::time::sleep(length).await,
                Part::PingForever { every, ping } => {
                    tokio::time::sleep(every).await;
                    if *shutdown.borrow() {
                        return None;
                    }
                    parts.push_front(Part::PingForever {
                        every,
                        ping: ping.clone(),
                    });
                    return Some((Ok(ping), Some((parts, shutdown))));
                }
                Part::Break => {
                    // Let hyper flush what was sent first; an error discards its write buffer.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    return Some((Err(std::io::Error::other("mock: connection dropped")), None));
                }
                Part::Hold => {
                    // Hold the connection open until the server shuts down (or is dropped).
                    let _ = shutdown.wait_for(|stop| *stop).await;
                    return None;
                }
            }
        }
        None
    });
    TrackedBody {
        inner: inner.boxed(),
        finished: false,
        stats,
    }
}

/// Joins each run of data parts and cuts it again into chunks of `size` bytes.
fn rechunk(parts: Vec<Part>, size: usize) -> VecDeque<Part> {
    let mut out = VecDeque::new();
    let mut run = BytesMut::new();
    let flush = |run: &mut BytesMut, out: &mut VecDeque<Part>| {
        let whole = run.split().freeze();
        for start in (0..whole.len()).step_by(size) {
            out.push_back(Part::Data(
                whole.slice(start..(start + size).min(whole.len())),
            ));
        }
    };
    for part in parts {
        match part {
            Part::Data(bytes) => run.extend_from_slice(&bytes),
            other => {
                flush(&mut run, &mut out);
                out.push_back(other);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Keeps the parts up to the first `limit` data bytes.
fn truncate(parts: &mut VecDeque<Part>, limit: usize) {
    let mut kept = 0;
    let mut out = VecDeque::new();
    for part in parts.drain(..) {
        if kept >= limit {
            break;
        }
        match part {
            Part::Data(chunk) => {
                let take = chunk.len().min(limit - kept);
                kept += take;
                out.push_back(Part::Data(chunk.slice(..take)));
            }
            other => out.push_back(other),
        }
    }
    *parts = out;
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

    fn data(parts: &VecDeque<Part>) -> Vec<&[u8]> {
        parts
            .iter()
            .filter_map(|part| match part {
                Part::Data(bytes) => Some(&bytes[..]),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn truncation_keeps_exactly_the_limit() {
        let mut parts: VecDeque<Part> = [&b"abc"[..], b"def", b"gh"]
            .map(|b| Part::Data(Bytes::from_static(b)))
            .into();
        truncate(&mut parts, 5);
        assert_eq!(data(&parts), [&b"abc"[..], &b"de"[..]]);
    }

    #[test]
    fn rechunking_keeps_sleeps_between_the_runs_they_separate() {
        let pause = Part::Sleep(std::time::Duration::from_millis(5));
        let parts = vec![
            Part::Data(Bytes::from_static(b"abc")),
            Part::Data(Bytes::from_static(b"de")),
            pause.clone(),
            Part::Data(Bytes::from_static(b"fgh")),
        ];
        let chunked = rechunk(parts, 2);
        assert_eq!(data(&chunked), [&b"ab"[..], b"cd", b"e", b"fg", b"h"]);
        assert_eq!(chunked[3], pause);
    }
}
