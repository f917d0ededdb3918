//! Bytes in, typed events out.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use pin_project::pin_project;

use super::text_arena::TextArena;
use super::StreamEvent;
use crate::error::Error;
use crate::sse::{SseDecoder, SseEvent, SseStream, SseStreamError};

/// Decodes a byte stream (an HTTP body, a recorded file) into [`StreamEvent`]s.
///
/// Events whose bytes have already arrived are decoded a few dozen at a time, ahead of the
/// caller (never waiting for more bytes, and stopping at an error), then handed out one by
/// one: decoding a run together and then folding it keeps each stage's code in cache.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::event::EventStream;
/// use chat_anthropic::StreamEvent;
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
    /// Events decoded ahead from bytes already received, in order, not yet handed out.
    ahead: VecDeque<Result<StreamEvent, Error>>,
}

/// How many events are decoded ahead from bytes already received. Decoding a run of events
/// together, then folding them one by one, keeps each stage's code in the instruction cache
/// across the run, where one event at a time through every stage evicts it each time.
const READ_AHEAD: usize = 32;

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
            ahead: VecDeque::new(),
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
        let mut this = self.project();
        if let Some(event) = this.ahead.pop_front() {
            return Poll::Ready(Some(event));
        }
        let Some(item) = ready!(this.sse.as_mut().poll_next(cx)) else {
            return Poll::Ready(None);
        };
        let first = typed(item, this.arena);
        // After an error nothing is read ahead: whether to go on is the caller's choice.
        let mut failed = first.is_err();
        while !failed && this.ahead.len() < READ_AHEAD {
            let Some(next) = this.sse.as_mut().next_buffered() else {
                break;
            };
            let next = typed(next.map_err(SseStreamError::<E>::Decode), this.arena);
            failed = next.is_err();
            this.ahead.push_back(next);
        }
        Poll::Ready(Some(first))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (low, high) = self.sse.size_hint();
        let ahead = self.ahead.len();
        (
            low.saturating_add(ahead),
            high.and_then(|high| high.checked_add(ahead)),
        )
    }
}

/// A decoded SSE event as a typed event, or the error it is.
fn typed<E: Into<Error>>(
    item: Result<SseEvent, SseStreamError<E>>,
    arena: &mut TextArena,
) -> Result<StreamEvent, Error> {
    match item {
        Ok(event) => StreamEvent::from_sse_in(&event, arena).map_err(Error::from),
        Err(SseStreamError::Transport(err)) => Err(err.into()),
        Err(SseStreamError::Decode(err)) => Err(Error::Sse(err)),
    }
}

impl<S> fmt::Debug for EventStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{stream, FutureExt, StreamExt};

    use super::*;

    fn stops(indexes: std::ops::Range<usize>) -> String {
        indexes
            .map(|i| {
                format!("event: content_block_stop\ndata: {{\"type\":\"content_block_stop\",\"index\":{i}}}\n\n")
            })
            .collect()
    }

    fn index(event: Option<Result<StreamEvent, Error>>) -> usize {
        match event {
            Some(Ok(StreamEvent::ContentBlockStop(stop))) => stop.index,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn events_received_are_decoded_ahead_in_order_up_to_a_bound_and_an_error() {
        let body = stops(0..40) + "event: content_block_stop\ndata: {not json\n\n" + &stops(40..43);
        // One chunk, then a source that never ends: reading ahead must not wait on it.
        let source = stream::iter([Ok::<_, Error>(Bytes::from(body))]).chain(stream::pending());
        let mut events = EventStream::new(source);
        assert_eq!(index(events.next().await), 0);
        assert_eq!(events.ahead.len(), READ_AHEAD, "bounded");
        assert_eq!(events.size_hint().0, READ_AHEAD);
        for expected in 1..34 {
            assert_eq!(index(events.next().await), expected);
        }
        // Decoded ahead up to the malformed event, and no further.
        assert_eq!(events.ahead.len(), 7);
        for expected in 34..40 {
            assert_eq!(index(events.next().await), expected);
        }
        assert!(matches!(events.next().await, Some(Err(Error::Decode(_)))));
        for expected in 40..43 {
            assert_eq!(index(events.next().await), expected);
        }
        assert!(
            events.next().now_or_never().is_none(),
            "waits for the source"
        );
    }
}
