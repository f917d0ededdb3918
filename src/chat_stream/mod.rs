//! The stream `ChatAnthropic::stream` returns: typed events, folded as they pass.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use crate::clock::StdInstant as Instant;

use futures_core::Stream;
use futures_util::StreamExt;
use pin_project::pin_project;

mod chunks;
mod record;
mod replay;
mod resend;
mod source;
mod updates;
mod watchdog;

pub use chunks::ChunkStream;
pub(crate) use record::Tee;
pub use replay::ReplayPace;
pub(crate) use resend::{is_before_content, LiveEvents, ResendPolicy, HOLD_LIMIT};
use source::Source;
pub use updates::UpdateStream;

use crate::aggregate::{MessageAggregator, StreamUpdate};
use crate::error::{Error, ProtocolError};
use crate::event::StreamEvent;
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
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// use futures_util::StreamExt;
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("Bonjour tout le monde"));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test-key");
/// let mut stream = llm.stream("Say hello in French").await?.text();
/// let mut reply = String::new();
/// while let Some(piece) = stream.next().await {
///     reply.push_str(&piece?);
/// }
/// assert_eq!(reply, "Bonjour tout le monde");
/// # Ok(()) }
/// ```
#[pin_project(project = ChatStreamProj)]
#[must_use = "streams do nothing unless polled"]
pub struct ChatStream {
    #[pin]
    events: Source,
    aggregator: MessageAggregator,
    finished: bool,
    /// After `message_stop`: how long to keep reading for the body's end, so the connection
    /// goes back to the pool instead of being closed (the API ends the body right away).
    drain: Option<Pin<Box<crate::clock::Sleep>>>,
    stream_usage: bool,
    started: Instant,
    first_token_seen: bool,
    rate_limits: Option<crate::messages::RateLimits>,
    /// The call's span, recorded as events pass and closed at the end.
    telemetry: Option<crate::telemetry::StreamTelemetry>,
}

/// What a step derives from its event, besides folding it.
#[derive(Debug)]
enum Want<'a> {
    /// The event itself, put here.
    Event(&'a mut Option<StreamEvent>),
    Chunk,
    /// Updates, appended to this buffer (reused from event to event: no allocation each).
    Updates(&'a mut Vec<StreamUpdate>),
}

/// What an event amounted to, as asked for by [`Want`] (the event and the updates go where
/// it says).
enum Folded {
    Nothing,
    Chunk(Box<AIMessageChunk>),
}

/// An event, folded. A step is moved out through each layer, once per event: it stays a few
/// words (the event goes where [`Want`] says, and the rare error is boxed).
type Step = Result<Folded, Box<Error>>;

impl ChatStream {
    pub(crate) fn new(body: Body, stream_usage: bool, aggregator: MessageAggregator) -> Self {
        Self::live(LiveEvents::plain(body), stream_usage, aggregator)
    }

    /// A stream over live events (with the stall watchdog and re-sends before content).
    pub(crate) fn live(
        events: LiveEvents,
        stream_usage: bool,
        aggregator: MessageAggregator,
    ) -> Self {
        Self::with_source(Source::Live(events), stream_usage, aggregator)
    }

    fn with_source(events: Source, stream_usage: bool, aggregator: MessageAggregator) -> Self {
        Self {
            events,
            aggregator,
            finished: false,
            drain: None,
            stream_usage,
            started: Instant::now(),
            first_token_seen: false,
            rate_limits: None,
            telemetry: None,
        }
    }

    pub(crate) fn with_rate_limits(mut self, rate_limits: crate::messages::RateLimits) -> Self {
        self.rate_limits = Some(rate_limits);
        self
    }

    /// The response's `request-id` and rate-limit headers, known before the first event
    /// (`None` for a replayed stream). The final message carries them too, in
    /// [`response_metadata`](crate::messages::ResponseMetadata::rate_limits).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let stream = llm.stream("Hi").await?;
    /// let request_id = stream.rate_limits().unwrap().request_id.clone().unwrap();
    /// let reply = stream.final_message().await?;
    /// assert_eq!(reply.response_metadata.rate_limits.unwrap().request_id, Some(request_id));
    /// # Ok(()) }
    /// ```
    pub fn rate_limits(&self) -> Option<&crate::messages::RateLimits> {
        self.rate_limits.as_ref()
    }

    /// Records the stream on its call's span (see [`crate::telemetry`]).
    pub(crate) fn with_telemetry(mut self, telemetry: crate::telemetry::StreamTelemetry) -> Self {
        self.telemetry = Some(telemetry);
        self
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
        let mut reply = self.aggregator.finish()?;
        reply.response_metadata.rate_limits = self.rate_limits;
        Ok(reply)
    }

    /// LangChain-style chunks instead of events; they add up to the final message.
    pub fn chunks(self) -> ChunkStream {
        ChunkStream { inner: self }
    }

    /// Owned [`StreamUpdate`]s: text and thinking deltas, and tool calls spelled out
    /// (started, each argument field as it grows, done with parsed arguments) so an agent can
    /// run a tool before the message ends and a UI can render arguments live.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::StreamUpdate;
    /// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    /// use futures_util::StreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = MockServer::start().await;
    /// server.enqueue(MockReply::script(MockScript::new()
    ///     .tool_use("toolu_1", "write_file", serde_json::json!({"path": "a.txt", "content": "one two three"}))
    ///     .text("Done.")));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("test");
    /// let mut updates = llm.stream("Write a.txt").await?.updates();
    /// let mut content = String::new();
    /// let mut ran_before_the_end = false;
    /// while let Some(update) = updates.next().await {
    ///     match update? {
    ///         StreamUpdate::ToolArgDelta { pointer, text, .. } if pointer == "/content" => content.push_str(&text),
    ///         StreamUpdate::ToolCallDone { call, .. } => ran_before_the_end = !updates.aggregator().is_complete(),
    ///         _ => {}
    ///     }
    /// }
    /// assert_eq!(content, "one two three");
    /// assert!(ran_before_the_end);
    /// # Ok(()) }
    /// ```
    pub fn updates(self) -> UpdateStream {
        UpdateStream::new(self)
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

    /// One step: the next event, folded, with what `want` asks for, recorded on the call's
    /// span; the span closes with the stream's last step.
    fn poll_step(mut self: Pin<&mut Self>, cx: &mut Context<'_>, want: Want) -> Poll<Option<Step>> {
        let step = ready!(self.as_mut().poll_fold(cx, want));
        let this = self.project();
        if let Some(telemetry) = this.telemetry {
            if let Some(Err(error)) = &step {
                telemetry.finish(this.aggregator, Some(error));
            }
            if *this.finished {
                if step.as_ref().is_some_and(|s| s.is_ok()) {
                    telemetry.finish(this.aggregator, None);
                }
                *this.telemetry = None;
            }
        }
        Poll::Ready(step)
    }

    fn poll_fold(self: Pin<&mut Self>, cx: &mut Context<'_>, want: Want) -> Poll<Option<Step>> {
        let mut this = self.project();
        if *this.finished {
            return poll_drain(this.events, this.drain, cx);
        }
        let step = match ready!(this.events.as_mut().poll_next(cx)) {
            Some(Ok(event)) => {
                this.note_first_token(&event);
                if let Some(telemetry) = this.telemetry {
                    telemetry.on_event(&event);
                }
                fold(this.aggregator, event, want, *this.stream_usage)
            }
            Some(Err(cause)) => Err(cause),
            None if this.aggregator.is_complete() => {
                *this.finished = true;
                return Poll::Ready(None);
            }
            None => Err(ProtocolError::Incomplete.into()),
        };
        Poll::Ready(Some(match step {
            Ok(folded) => {
                this.note_completion();
                Ok(folded)
            }
            Err(cause) => {
                *this.finished = true;
                Err(Box::new(this.aggregator.fail(cause)))
            }
        }))
    }
}

impl ChatStreamProj<'_> {
    /// Logs the time to the first content delta, once.
    fn note_first_token(&mut self, event: &StreamEvent) {
        if !*self.first_token_seen && matches!(event, StreamEvent::ContentBlockDelta(_)) {
            *self.first_token_seen = true;
            tracing::info!(
                ttft_ms = self.started.elapsed().as_millis() as u64,
                "first token"
            );
        }
    }

    /// After `message_stop`: no more events, and a short wait for the body's end.
    fn note_completion(&mut self) {
        if self.aggregator.is_complete() {
            *self.finished = true;
            *self.drain = Some(Box::pin(crate::clock::sleep(DRAIN_GRACE)));
        }
    }
}

/// Folds `event` in and derives what `want` asks for (chunks carry usage only when
/// `stream_usage` is on).
fn fold(
    aggregator: &mut MessageAggregator,
    event: StreamEvent,
    want: Want,
    stream_usage: bool,
) -> Result<Folded, Error> {
    match want {
        Want::Event(slot) => {
            aggregator.apply(&event)?;
            *slot = Some(event);
            Ok(Folded::Nothing)
        }
        Want::Chunk => aggregator.apply_chunk(&event).map(|chunk| match chunk {
            Some(mut chunk) => {
                if !stream_usage {
                    chunk.usage_metadata = None;
                }
                Folded::Chunk(Box::new(chunk))
            }
            None => Folded::Nothing,
        }),
        Want::Updates(updates) => aggregator
            .apply_updates(&event, updates)
            .map(|()| Folded::Nothing),
    }
}

/// The longest wait, after `message_stop`, for the end of the body.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

/// Reads what follows `message_stop` (nothing, normally) up to the body's end or the grace
/// period, then ends the stream.
fn poll_drain(
    mut events: Pin<&mut Source>,
    drain: &mut Option<Pin<Box<crate::clock::Sleep>>>,
    cx: &mut Context<'_>,
) -> Poll<Option<Step>> {
    while let Some(deadline) = drain.as_mut() {
        match events.as_mut().poll_next(cx) {
            Poll::Ready(Some(extra)) => {
                tracing::debug!(?extra, "event after message_stop ignored");
            }
            Poll::Ready(None) => *drain = None,
            Poll::Pending => {
                ready!(deadline.as_mut().poll(cx));
                *drain = None;
            }
        }
    }
    Poll::Ready(None)
}

impl Stream for ChatStream {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut event = None;
        let step = ready!(self.poll_step(cx, Want::Event(&mut event)));
        Poll::Ready(step.map(|folded| match folded {
            Ok(_) => Ok(event.expect("a folded event is handed back")),
            Err(err) => Err(*err),
        }))
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

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn recorded(stream_usage: bool) -> ChatStream {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recorded/genai__usage_stream__0.sse"
        );
        let bytes = Bytes::from(std::fs::read(path).expect("the recorded fixture"));
        let body: Body = Box::pin(futures_util::stream::once(async move { Ok(bytes) }));
        ChatStream::new(body, stream_usage, MessageAggregator::new())
    }

    #[tokio::test]
    async fn chunks_carry_usage_only_when_stream_usage_is_on() {
        for stream_usage in [true, false] {
            let chunks: Vec<_> = recorded(stream_usage).chunks().collect().await;
            let with_usage = chunks
                .iter()
                .map(|chunk| chunk.as_ref().expect("a chunk"))
                .filter(|chunk| chunk.usage_metadata.is_some())
                .count();
            assert_eq!(with_usage > 0, stream_usage, "stream_usage {stream_usage}");
            let text: String = chunks.iter().flatten().map(AIMessageChunk::text).collect();
            assert!(text.starts_with("The sky is blue"), "{text}");
        }
    }

    /// A step is moved out through every layer once per event: carrying the event (80
    /// bytes) or an error inline (80 bytes) cost more than any single stage of the fold.
    #[test]
    fn a_step_stays_a_few_words() {
        let size = std::mem::size_of::<Option<Step>>();
        assert!(size <= 16, "a step is {size} bytes");
    }

    #[tokio::test]
    async fn a_stream_ends_after_message_stop_and_says_so_once() {
        let mut stream = recorded(true);
        while let Some(event) = stream.next().await {
            event.expect("a recorded event");
        }
        assert!(stream.aggregator().is_complete());
        assert!(stream.next().await.is_none(), "nothing after the end");
    }
}
