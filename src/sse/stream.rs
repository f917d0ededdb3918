//! `SseStream`: the decoder as a `Stream` adapter over any byte stream.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use pin_project::pin_project;

use super::{SseDecoder, SseError, SseEvent, SseStreamError};

/// Decodes a stream of byte chunks (an HTTP body, a file) into [`SseEvent`]s.
///
/// After the source ends, complete events still buffered are yielded, then `None`; an
/// unfinished last event is discarded, as the spec says. A source error is yielded once and
/// ends the stream.
///
/// ```
/// # futures_executor::block_on(async {
/// use bytes::Bytes;
/// use chat_anthropic::sse::SseStream;
/// use futures_util::StreamExt;
/// let chunks = ["event: a\nda", "ta: 1\n", "\n"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c)));
/// let events: Vec<_> = SseStream::new(futures_util::stream::iter(chunks)).collect().await;
/// assert_eq!(events[0].as_ref().unwrap().data(), "1");
/// # });
/// ```
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct SseStream<S> {
    #[pin]
    inner: S,
    decoder: SseDecoder,
    source_done: bool,
}

impl<S> SseStream<S> {
    /// Decodes `inner` with the default limits.
    pub fn new(inner: S) -> Self {
        Self::with_decoder(inner, SseDecoder::new())
    }

    /// Decodes `inner` with a configured decoder.
    pub fn with_decoder(inner: S, decoder: SseDecoder) -> Self {
        Self {
            inner,
            decoder,
            source_done: false,
        }
    }

    /// The decoder, e.g. to ask whether an event was cut off at the end.
    pub fn decoder(&self) -> &SseDecoder {
        &self.decoder
    }

    /// The next event among the bytes already received, without reading the source.
    pub(crate) fn next_buffered(self: Pin<&mut Self>) -> Option<Result<SseEvent, SseError>> {
        self.project().decoder.next_event()
    }

    /// The byte source.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The byte source (anything not yet decoded is dropped).
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, E> Stream for SseStream<S>
where
    S: Stream<Item = Result<Bytes, E>>,
{
    type Item = Result<SseEvent, SseStreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if let Some(result) = this.decoder.next_event() {
                return Poll::Ready(Some(result.map_err(SseStreamError::Decode)));
            }
            if *this.source_done {
                return Poll::Ready(None);
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.decoder.push(chunk),
                Poll::Ready(Some(Err(err))) => {
                    *this.source_done = true;
                    return Poll::Ready(Some(Err(SseStreamError::Transport(err))));
                }
                Poll::Ready(None) => *this.source_done = true,
            }
        }
    }
}

impl<S> fmt::Debug for SseStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseStream")
            .field("decoder", &self.decoder)
            .field("source_done", &self.source_done)
            .finish_non_exhaustive()
    }
}
