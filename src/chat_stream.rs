//! The stream `ChatAnthropic::stream` returns: typed events, folded as they pass.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use futures_util::StreamExt;
use pin_project::pin_project;

use crate::aggregate::MessageAggregator;
use crate::error::{Error, ProtocolError};
use crate::event::{EventStream, StreamEvent};
use crate::messages::{AIMessage, AIMessageChunk};
use crate::transport::Body;

/// A live response: a `Stream` of [`StreamEvent`]s that folds every event into a
/// [`MessageAggregator`] as it passes, so the message so far (and tool arguments so far) can
/// be read at any point, and [`final_message`](Self::final_message) is just "read to the end".
///
/// Any failure ends the stream with an [`Error::Stream`] holding the partial message.
/// Dropping it closes the connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// # let server = chat_anthropic::mock::MockServer::start().await;
/// # server.enqueue(chat_anthropic::mock::MockReply::text("Bonjour tout le monde"));
/// use chat_anthropic::ChatAnthropic;
/// use futures_util::StreamExt;
/// # let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("test-key");
/// let mut stream = llm.stream("Say hello in French").await?.text();
/// let mut reply = String::new();
/// while let Some(piece) = stream.next().await {
///     reply.push_str(&piece?);
/// }
/// assert_eq!(reply, "Bonjour tout le monde");
/// # Ok(()) }
/// ```
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct ChatStream {
    #[pin]
    events: EventStream<Body>,
    aggregator: MessageAggregator,
    finished: bool,
    stream_usage: bool,
    started: Instant,
    first_token_seen: bool,
}

/// An event, folded, with its chunk when one was asked for.
type Step = Result<(StreamEvent, Option<AIMessageChunk>), Error>;

impl ChatStream {
    pub(crate) fn new(body: Body, stream_usage: bool, aggregator: MessageAggregator) -> Self {
        Self {
            events: EventStream::new(body),
            aggregator,
            finished: false,
            stream_usage,
            started: Instant::now(),
            first_token_seen: false,
        }
    }

    /// The fold so far: partial message, live tool input, path events of the last event.
    pub fn aggregator(&self) -> &MessageAggregator {
        &self.aggregator
    }

    /// The message so far.
    pub fn partial_message(&self) -> AIMessage {
        self.aggregator.partial_message()
    }

    /// Reads the rest of the stream and returns the message (what `invoke` does).
    pub async fn final_message(mut self) -> Result<AIMessage, Error> {
        while let Some(event) = self.next().await {
            event?;
        }
        self.aggregator.finish()
    }

    /// LangChain-style chunks instead of events; they add up to the final message.
    pub fn chunks(self) -> ChunkStream {
        ChunkStream { inner: self }
    }

    /// Just the text, piece by piece, as it arrives (what a terminal or UI prints).
    pub fn text(self) -> impl Stream<Item = Result<String, Error>> + Send + Unpin {
        self.chunks().filter_map(|chunk| {
            std::future::ready(match chunk {
                Ok(chunk) => Some(chunk.text()).filter(|t| !t.is_empty()).map(Ok),
                Err(err) => Some(Err(err)),
            })
        })
    }

    /// One step: the next event, folded, with its chunk when `want_chunk`.
    fn poll_step(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        want_chunk: bool,
    ) -> Poll<Option<Step>> {
        let this = self.project();
        if *this.finished {
            return Poll::Ready(None);
        }
        let item = ready!(this.events.poll_next(cx));
        let event = match item {
            Some(Ok(event)) => event,
            Some(Err(cause)) => {
                *this.finished = true;
                return Poll::Ready(Some(Err(this.aggregator.fail(cause))));
            }
            None => {
                *this.finished = true;
                if this.aggregator.is_complete() {
                    return Poll::Ready(None);
                }
                let cause = ProtocolError::Incomplete.into();
                return Poll::Ready(Some(Err(this.aggregator.fail(cause))));
            }
        };
        let folded = if want_chunk {
            this.aggregator.apply_chunk(&event)
        } else {
            this.aggregator.apply(&event).map(|_| None)
        };
        match folded {
            Ok(mut chunk) => {
                if !*this.first_token_seen && matches!(event, StreamEvent::ContentBlockDelta(_)) {
                    *this.first_token_seen = true;
                    tracing::info!(
                        ttft_ms = this.started.elapsed().as_millis() as u64,
                        "first token"
                    );
                }
                if !*this.stream_usage {
                    if let Some(chunk) = chunk.as_mut() {
                        chunk.usage_metadata = None;
                    }
                }
                *this.finished = this.aggregator.is_complete();
                Poll::Ready(Some(Ok((event, chunk))))
            }
            Err(cause) => {
                *this.finished = true;
                Poll::Ready(Some(Err(this.aggregator.fail(cause))))
            }
        }
    }
}

impl Stream for ChatStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_step(cx, false)
            .map(|step| step.map(|result| result.map(|(event, _)| event)))
    }
}

impl fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatStream")
            .field("finished", &self.finished)
            .field("complete", &self.aggregator.is_complete())
            .finish_non_exhaustive()
    }
}

/// [`ChatStream`] as [`AIMessageChunk`]s (events that add nothing are skipped).
#[pin_project]
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct ChunkStream {
    #[pin]
    inner: ChatStream,
}

impl ChunkStream {
    /// The fold so far.
    pub fn aggregator(&self) -> &MessageAggregator {
        self.inner.aggregator()
    }
}

impl Stream for ChunkStream {
    type Item = Result<AIMessageChunk, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut inner = self.project().inner;
        loop {
            match ready!(inner.as_mut().poll_step(cx, true)) {
                Some(Ok((_, Some(chunk)))) => return Poll::Ready(Some(Ok(chunk))),
                Some(Ok((_, None))) => continue,
                Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                None => return Poll::Ready(None),
            }
        }
    }
}
