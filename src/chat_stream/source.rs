//! Where a [`ChatStream`]'s events come from: a live response, or any stream of events
//! (a wrapper's, a cache's replay).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::BoxStream;
use futures_core::Stream;

use super::{ChatStream, LiveEvents};
use crate::aggregate::MessageAggregator;
use crate::error::Error;
use crate::event::StreamEvent;

/// The event source of a [`ChatStream`].
pub(crate) enum Source {
    /// A response over HTTP (or SSE bytes), with its watchdog and re-sends.
    Live(LiveEvents),
    /// Events handed over by someone else: a model wrapper, a replayed cache entry.
    Events(BoxStream<'static, Result<StreamEvent, Error>>),
}

impl Stream for Source {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.get_mut() {
            Self::Live(live) => Pin::new(live).poll_next(cx),
            Self::Events(events) => match events.as_mut().poll_next(cx) {
                // Another `ChatStream` upstream already wrapped its cause with its partial
                // message; this stream folded the same events and wraps it with its own.
                Poll::Ready(Some(Err(Error::Stream(failure)))) => {
                    Poll::Ready(Some(Err(failure.into_cause())))
                }
                other => other,
            },
        }
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Live(live) => live.fmt(f),
            Self::Events(_) => f.write_str("Events"),
        }
    }
}

impl ChatStream {
    /// A stream over typed events from anywhere, folded and viewed exactly as a live
    /// response ([`text`](Self::text), [`chunks`](Self::chunks), [`updates`](Self::updates),
    /// [`final_message`](Self::final_message)): what a model wrapper hands out after
    /// choosing a source, and what a cache replays. An `Err` item ends the stream as an
    /// [`Error::Stream`] carrying the message folded so far; events must arrive in the
    /// API's order (`message_start` first, `message_stop` last), or the fold reports a
    /// [`ProtocolError`](crate::error::ProtocolError).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::{ChatStream, StreamEvent};
    /// use futures_util::StreamExt;
    /// // Events kept from an earlier reply (e.g. by a cache), handed out again.
    /// let recorded = std::fs::read("tests/fixtures/recorded/genai__usage_stream__0.sse")?;
    /// let kept: Vec<StreamEvent> = ChatStream::from_sse_bytes(recorded)
    ///     .map(|event| event.expect("a recorded event"))
    ///     .collect()
    ///     .await;
    /// let replayed = ChatStream::from_events(futures_util::stream::iter(kept.into_iter().map(Ok)));
    /// let reply = replayed.final_message().await?;
    /// assert!(reply.text().starts_with("The sky is blue"));
    /// # Ok(()) }
    /// ```
    pub fn from_events(
        events: impl Stream<Item = Result<StreamEvent, Error>> + Send + 'static,
    ) -> Self {
        Self::with_source(
            Source::Events(Box::pin(events)),
            true,
            MessageAggregator::new(),
        )
    }

    /// The stream's events for another stream to fold: the source itself, unfolded, when
    /// this stream was made by [`from_events`](Self::from_events) and nothing has read it
    /// (so a wrapper of a wrapper folds once, not once per level); else this stream, which
    /// folds as it hands events on (a live response's fold feeds its telemetry span).
    pub(crate) fn into_events(self) -> BoxStream<'static, Result<StreamEvent, Error>> {
        let unread =
            self.telemetry.is_none() && !self.finished && self.aggregator.header().is_none();
        match self {
            ChatStream {
                events: Source::Events(events),
                ..
            } if unread => events,
            stream => Box::pin(stream),
        }
    }

    /// Whether chunks carry `usage_metadata` (the model's `stream_usage`).
    pub(crate) fn stream_usage(&self) -> bool {
        self.stream_usage
    }

    /// Sets whether chunks carry `usage_metadata`.
    pub(crate) fn with_stream_usage(mut self, stream_usage: bool) -> Self {
        self.stream_usage = stream_usage;
        self
    }
}
