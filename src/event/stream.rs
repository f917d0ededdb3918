//! Bytes in, typed events out.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use pin_project::pin_project;

use super::text_arena::TextArena;
use super::StreamEvent;
use crate::error::Error;
use crate::sse::{SseDecoder, SseStream, SseStreamError};

/// Decodes a byte stream (an HTTP body, a recorded file) into [`StreamEvent`]s.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::{EventStream, StreamEvent};
/// use futures_util::StreamExt;
/// let body = "event: ping\ndata: {\"type\":\"ping\"}\n\n";
/// let events: Vec<_> = EventStream::from_bytes(body).collect().await;
/// assert!(matches!(events[..], [Ok(StreamEvent::Ping)]));
/// # }
/// ```
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct EventStream<S> {
    #[pin]
    sse: SseStream<S>,
    /// Where the text of deltas with escapes is decoded, shared by the stream's events.
    arena: TextArena,
}

/// The size of the buffers the text of deltas with escapes is decoded into: a few hundred
/// typical fragments each, and the most a held slice can keep alive beyond its own text.
const ARENA_CHUNK: usize = 8 * 1024;

/// The byte stream of an in-memory body.
pub type OnceBytes = futures_util::stream::Once<
    futures_util::future::Ready<Result<Bytes, std::convert::Infallible>>,
>;

impl<S> EventStream<S> {
    /// Decodes `bytes` with the default SSE limits.
    pub fn new(bytes: S) -> Self {
        Self::with_decoder(bytes, SseDecoder::new())
    }

    /// Decodes `bytes` with a configured SSE decoder (e.g. another event size bound).
    pub fn with_decoder(bytes: S, decoder: SseDecoder) -> Self {
        Self {
            sse: SseStream::with_decoder(bytes, decoder),
            arena: TextArena::new(ARENA_CHUNK),
        }
    }
}

impl EventStream<OnceBytes> {
    /// Events of a complete body held in memory, such as a recorded `.sse` file.
    pub fn from_bytes(body: impl Into<Bytes>) -> Self {
        Self::new(futures_util::stream::once(futures_util::future::ready(Ok(
            body.into(),
        ))))
    }
}

impl<S, E> Stream for EventStream<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<Error>,
{
    type Item = Result<StreamEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let item = ready!(this.sse.poll_next(cx));
        Poll::Ready(item.map(|sse| match sse {
            Ok(event) => StreamEvent::from_sse_in(&event, this.arena).map_err(Error::from),
            Err(SseStreamError::Transport(err)) => Err(err.into()),
            Err(SseStreamError::Decode(err)) => Err(Error::Sse(err)),
        }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.sse.size_hint()
    }
}

impl<S> fmt::Debug for EventStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}
