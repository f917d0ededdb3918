//! The events of a live response, re-sent transparently when it fails before any content.
//!
//! Until the first content arrives (a delta, or anything but `message_start`, `ping` and
//! the empty start of a text, thinking or tool-use block) events are held back. If the stream
//! fails then — a transient `error` event such as `overloaded_error`, a dropped connection,
//! a timeout, an early end — the held events are dropped and the request is sent again,
//! within the same `max_retries` and back-off as before the first byte. Once content has been
//! released to the caller nothing is ever re-sent, so the caller never sees two generations.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures_core::future::BoxFuture;
use futures_core::Stream;
use futures_util::FutureExt;

use super::watchdog::Watchdog;
use crate::error::{ApiError, Error, ProtocolError};
use crate::event::{EventStream, StreamEvent};
use crate::messages::ContentBlock;
use crate::transport::Body;

/// Opens the response again: given the retries spent so far, the new body and the retries
/// spent after it (sending may itself retry before the first byte).
pub(crate) type Reopen =
    Arc<dyn Fn(u32) -> BoxFuture<'static, Result<(Body, u32), Error>> + Send + Sync>;

/// How a live stream may be re-sent.
pub(crate) struct ResendPolicy {
    pub(crate) reopen: Reopen,
    /// Retries already spent before the first byte.
    pub(crate) retries_spent: u32,
    pub(crate) max_retries: u32,
    /// Whether a failure before content is re-sent at all.
    pub(crate) enabled: bool,
}

/// Events held back before content: a bound, so a server that never sends content cannot
/// grow memory (beyond it, events are released and nothing is re-sent).
pub(crate) const HOLD_LIMIT: usize = 64;

type Attempt = Pin<Box<Watchdog<EventStream<Body>>>>;

/// The event source of a [`ChatStream`](super::ChatStream): one attempt's events, with the
/// stall watchdog, re-sent before content when a [`ResendPolicy`] allows.
#[must_use = "streams do nothing unless polled"]
pub(crate) struct LiveEvents {
    attempt: Attempt,
    stall_timeout: Option<Duration>,
    resend: Option<ResendPolicy>,
    /// Events held back while no content has arrived.
    held: VecDeque<StreamEvent>,
    /// Whether events are still held back (no content yet).
    holding: bool,
    /// A re-send under way: the back-off, then the new response.
    reopening: Option<BoxFuture<'static, Result<(Body, u32), Error>>>,
    /// What ends the stream once the held events are out: an error, or the end (`None`).
    ending: Option<Option<Error>>,
}

impl LiveEvents {
    /// The events of `body`, as they come (no watchdog, no re-send).
    pub(crate) fn plain(body: Body) -> Self {
        Self::new(body, None, None)
    }

    /// The events of `body`, with a stall watchdog and, if `resend` is given, re-sent when
    /// they fail before content.
    pub(crate) fn new(
        body: Body,
        stall_timeout: Option<Duration>,
        resend: Option<ResendPolicy>,
    ) -> Self {
        let holding = resend.as_ref().is_some_and(|policy| policy.enabled);
        Self {
            attempt: Box::pin(Watchdog::new(EventStream::new(body), stall_timeout)),
            stall_timeout,
            resend,
            held: VecDeque::new(),
            holding,
            reopening: None,
            ending: None,
        }
    }

    /// Starts a re-send after `cause`, if the policy has retries left; else hands the
    /// cause back.
    fn try_resend(&mut self, cause: Error) -> Result<(), Error> {
        let Some(policy) = self.resend.as_mut() else {
            return Err(cause);
        };
        if !cause.is_transient() || policy.retries_spent >= policy.max_retries {
            return Err(cause);
        }
        let delay = crate::transport::retry_delay(None, policy.retries_spent);
        policy.retries_spent += 1;
        tracing::warn!(
            retry = policy.retries_spent,
            max_retries = policy.max_retries,
            delay_ms = delay.as_millis() as u64,
            error = %cause,
            "stream failed before any content; sending the request again"
        );
        self.held.clear();
        let reopen = policy.reopen.clone();
        let spent = policy.retries_spent;
        self.reopening = Some(
            async move {
                crate::clock::sleep(delay).await;
                reopen(spent).await
            }
            .boxed(),
        );
        Ok(())
    }

    /// Releases the held events, then ends with `end`.
    fn release_then(&mut self, end: Option<Error>) {
        self.stop_holding();
        self.ending = Some(end);
    }

    /// No more holding back, and so no re-send: the way to send again (the request, its
    /// span) is let go at once rather than with the stream.
    fn stop_holding(&mut self) {
        self.holding = false;
        self.resend = None;
    }
}

/// Whether an event carries nothing the caller could have used yet.
pub(crate) fn is_before_content(event: &StreamEvent) -> bool {
    match event {
        StreamEvent::MessageStart(_) | StreamEvent::Ping => true,
        StreamEvent::ContentBlockStart(start) => matches!(
            start.content_block,
            ContentBlock::Text(_) | ContentBlock::Thinking(_) | ContentBlock::ToolUse(_)
        ),
        _ => false,
    }
}

impl Stream for LiveEvents {
    type Item = Result<StreamEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if !this.holding
            && this.held.is_empty()
            && this.ending.is_none()
            && this.reopening.is_none()
        {
            // Content has begun (or re-sending is off): the attempt's events as they come,
            // handed straight through rather than moved through the loop below.
            return this.attempt.as_mut().poll_next(cx);
        }
        loop {
            if !this.holding {
                if let Some(event) = this.held.pop_front() {
                    return Poll::Ready(Some(Ok(event)));
                }
                if let Some(end) = this.ending.take() {
                    // Once ended, stay ended.
                    this.ending = Some(None);
                    return Poll::Ready(end.map(Err));
                }
            }
            if let Some(reopening) = this.reopening.as_mut() {
                let outcome = ready!(reopening.as_mut().poll(cx));
                this.reopening = None;
                match outcome {
                    Ok((body, spent)) => {
                        if let Some(policy) = this.resend.as_mut() {
                            policy.retries_spent = spent;
                        }
                        this.attempt =
                            Box::pin(Watchdog::new(EventStream::new(body), this.stall_timeout));
                    }
                    Err(err) => this.release_then(Some(err)),
                }
                continue;
            }
            let item = ready!(this.attempt.as_mut().poll_next(cx));
            match item {
                Some(Ok(event)) if !this.holding => return Poll::Ready(Some(Ok(event))),
                Some(Ok(StreamEvent::Error(event))) => {
                    let cause =
                        ApiError::new(event.error.kind.clone(), event.error.message.clone());
                    if this.try_resend(cause.into()).is_err() {
                        // Not re-sent: the fold turns the event into the typed error.
                        this.held.push_back(StreamEvent::Error(event));
                        this.stop_holding();
                    }
                }
                Some(Ok(event)) => {
                    let hold = is_before_content(&event) && this.held.len() < HOLD_LIMIT;
                    this.held.push_back(event);
                    if !hold {
                        this.stop_holding();
                    }
                }
                Some(Err(err)) if !this.holding => return Poll::Ready(Some(Err(err))),
                Some(Err(err)) => {
                    if let Err(err) = this.try_resend(err) {
                        this.release_then(Some(err));
                    }
                }
                None if !this.holding => return Poll::Ready(None),
                None => {
                    let early_end = ProtocolError::Incomplete.into();
                    if this.try_resend(early_end).is_err() {
                        // Ended without content: the fold reports what is missing.
                        this.release_then(None);
                    }
                }
            }
        }
    }
}

impl fmt::Debug for LiveEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveEvents")
            .field("held", &self.held.len())
            .field("holding", &self.holding)
            .field("reopening", &self.reopening.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use bytes::Bytes;
    use futures_util::StreamExt;

    use super::*;

    const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n";
    const PING: &str = "event: ping\ndata: {\"type\":\"ping\"}\n\n";

    fn body(sse: String) -> Body {
        Box::pin(futures_util::stream::iter([Ok(Bytes::from(sse))]))
    }

    /// Events over `first`, re-opened (counted) with `again`.
    fn live(first: String, again: String, max_retries: u32) -> (LiveEvents, Arc<AtomicU32>) {
        let reopened = Arc::new(AtomicU32::new(0));
        let count = reopened.clone();
        let reopen: Reopen = Arc::new(move |spent| {
            count.fetch_add(1, Ordering::SeqCst);
            let body = body(again.clone());
            async move { Ok((body, spent)) }.boxed()
        });
        let policy = ResendPolicy {
            reopen,
            retries_spent: 0,
            max_retries,
            enabled: true,
        };
        (LiveEvents::new(body(first), None, Some(policy)), reopened)
    }

    #[tokio::test]
    async fn an_early_end_is_re_opened_and_the_first_attempt_never_shows() {
        let (events, reopened) = live(START.to_owned(), format!("{PING}{START}"), 1);
        let events: Vec<_> = events.collect().await;
        assert_eq!(reopened.load(Ordering::SeqCst), 1);
        assert_eq!(
            events.len(),
            2,
            "only the second attempt's ping and message_start"
        );
        assert!(matches!(events[0], Ok(StreamEvent::Ping)));
    }

    #[tokio::test]
    async fn holding_is_bounded_and_then_nothing_is_re_sent() {
        let first = format!("{START}{}", PING.repeat(HOLD_LIMIT + 10));
        let (events, reopened) = live(first, String::new(), 3);
        let events: Vec<_> = events.collect().await;
        assert_eq!(events.len(), HOLD_LIMIT + 11, "every event, in order");
        assert!(matches!(events[0], Ok(StreamEvent::MessageStart(_))));
        assert_eq!(reopened.load(Ordering::SeqCst), 0);
    }
}
