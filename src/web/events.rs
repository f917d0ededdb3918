//! A stream of updates as a stream of [`BrowserEvent`]s, pulled one at a time.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project::pin_project;

use super::BrowserEvent;
use crate::aggregate::StreamUpdate;
use crate::chat_stream::{ChatStream, UpdateStream};
use crate::error::Error;

/// [`StreamUpdate`]s as [`BrowserEvent`]s; made by [`browser_events`] or
/// [`IntoBrowserEvents`].
///
/// It reads the upstream only when polled and holds at most the one update it is turning
/// into an event, so a consumer that reads slowly slows the upstream read, and dropping it
/// drops the upstream (for a [`ChatStream`], that closes the HTTP connection and the API
/// stops generating). An error becomes one `error` event, after which the stream ends.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct BrowserEvents<S> {
    /// `None` once the upstream ended or failed: it is dropped at once.
    #[pin]
    updates: Option<S>,
    /// A failure to report before reading anything (the request never started).
    failed: Option<Error>,
}

/// [`BrowserEvents`] over any stream of updates.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::web::{browser_events, BrowserEvent};
/// use chat_anthropic::{Error, StreamUpdate};
/// use futures_util::StreamExt;
/// let updates = futures_util::stream::iter([
///     Ok::<_, Error>(StreamUpdate::Text { index: 0, text: "Hel".into() }),
///     Ok(StreamUpdate::BlockStopped { index: 0 }),
///     Err(Error::Io(std::io::Error::other("connection reset"))),
/// ]);
/// let events: Vec<BrowserEvent> = browser_events(updates).collect().await;
/// assert_eq!(events[0], BrowserEvent::Update(StreamUpdate::Text { index: 0, text: "Hel".into() }));
/// assert!(matches!(&events[1], BrowserEvent::Error(error) if error.message.contains("connection reset")));
/// assert_eq!(events.len(), 2);
/// # }
/// ```
pub fn browser_events<S>(updates: S) -> BrowserEvents<S>
where
    S: Stream<Item = Result<StreamUpdate, Error>>,
{
    BrowserEvents {
        updates: Some(updates),
        failed: None,
    }
}

impl<S> BrowserEvents<S> {
    /// Just an `error` event, for a request that failed before it streamed anything.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic::web::{BrowserEvent, BrowserEvents};
    /// use chat_anthropic::{Error, UpdateStream};
    /// use futures_util::StreamExt;
    /// let err = Error::Io(std::io::Error::other("no route to host"));
    /// let events: Vec<BrowserEvent> = BrowserEvents::<UpdateStream>::failed(err).collect().await;
    /// assert!(matches!(events.as_slice(), [BrowserEvent::Error(_)]));
    /// # }
    /// ```
    pub fn failed(err: Error) -> Self {
        Self {
            updates: None,
            failed: Some(err),
        }
    }
}

impl<S> Stream for BrowserEvents<S>
where
    S: Stream<Item = Result<StreamUpdate, Error>>,
{
    type Item = BrowserEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if let Some(err) = this.failed.take() {
            return Poll::Ready(Some(BrowserEvent::from_error(&err)));
        }
        loop {
            let Some(updates) = this.updates.as_mut().as_pin_mut() else {
                return Poll::Ready(None);
            };
            match ready!(updates.poll_next(cx)) {
                Some(Ok(update)) => {
                    if let Some(event) = BrowserEvent::from_update(update) {
                        return Poll::Ready(Some(event));
                    }
                }
                Some(Err(err)) => {
                    this.updates.set(None);
                    return Poll::Ready(Some(BrowserEvent::from_error(&err)));
                }
                None => {
                    this.updates.set(None);
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let pending = usize::from(self.failed.is_some());
        match &self.updates {
            // Updates may map to no event; an error adds one.
            Some(updates) => (pending, updates.size_hint().1.map(|n| n + pending)),
            None => (pending, Some(pending)),
        }
    }
}

impl<S> fmt::Debug for BrowserEvents<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserEvents")
            .field("reading", &self.updates.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

/// What can be streamed to a browser: a [`ChatStream`], an [`UpdateStream`], the result of
/// [`ChatAnthropic::stream`](crate::ChatAnthropic::stream) (so a failed request becomes an
/// `error` event), or [`BrowserEvents`] made from any stream by [`browser_events`].
pub trait IntoBrowserEvents {
    /// The updates read.
    type Updates: Stream<Item = Result<StreamUpdate, Error>>;

    /// The events.
    fn into_browser_events(self) -> BrowserEvents<Self::Updates>;
}

impl IntoBrowserEvents for UpdateStream {
    type Updates = UpdateStream;

    fn into_browser_events(self) -> BrowserEvents<UpdateStream> {
        browser_events(self)
    }
}

impl IntoBrowserEvents for ChatStream {
    type Updates = UpdateStream;

    fn into_browser_events(self) -> BrowserEvents<UpdateStream> {
        browser_events(self.updates())
    }
}

impl<T: IntoBrowserEvents> IntoBrowserEvents for Result<T, Error> {
    type Updates = T::Updates;

    fn into_browser_events(self) -> BrowserEvents<T::Updates> {
        match self {
            Ok(source) => source.into_browser_events(),
            Err(err) => BrowserEvents::failed(err),
        }
    }
}

impl<S> IntoBrowserEvents for BrowserEvents<S>
where
    S: Stream<Item = Result<StreamUpdate, Error>>,
{
    type Updates = S;

    fn into_browser_events(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use futures_util::StreamExt;

    use super::*;

    fn text(text: &str) -> Result<StreamUpdate, Error> {
        Ok(StreamUpdate::Text {
            index: 0,
            text: text.into(),
        })
    }

    #[tokio::test]
    async fn nothing_is_read_ahead_of_the_consumer() {
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = pulled.clone();
        let updates = futures_util::stream::repeat_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            text("x")
        });
        let mut events = browser_events(updates);
        for expected in 1..=3 {
            events.next().await;
            assert_eq!(pulled.load(Ordering::SeqCst), expected);
        }
    }

    #[tokio::test]
    async fn an_error_ends_the_events_and_drops_the_upstream() {
        let upstream = Arc::new(());
        let held = upstream.clone();
        let updates = futures_util::stream::iter([
            text("a"),
            Err(Error::Io(std::io::Error::other("reset"))),
            text("never sent"),
        ])
        .map(move |update| {
            let _ = &held;
            update
        });
        let mut events = browser_events(updates);
        assert!(matches!(
            events.next().await,
            Some(BrowserEvent::Update(StreamUpdate::Text { .. }))
        ));
        assert!(matches!(events.next().await, Some(BrowserEvent::Error(_))));
        assert_eq!(Arc::strong_count(&upstream), 1, "the upstream was dropped");
        assert_eq!(events.next().await, None);
        assert_eq!(events.next().await, None);
    }

    #[tokio::test]
    async fn a_failed_request_is_one_error_event() {
        let failed: Result<UpdateStream, Error> = Err(Error::Io(std::io::Error::other("refused")));
        let mut events = failed.into_browser_events();
        assert_eq!(events.size_hint(), (1, Some(1)));
        let event = events.next().await.expect("an event");
        assert!(event.is_last());
        assert_eq!(events.next().await, None);
    }

    #[tokio::test]
    async fn updates_without_a_browser_event_are_skipped() {
        let updates = futures_util::stream::iter([
            Ok(StreamUpdate::Signature { index: 0 }),
            text("a"),
            Ok(StreamUpdate::BlockStopped { index: 0 }),
            Ok(StreamUpdate::Done),
        ]);
        let events: Vec<BrowserEvent> = browser_events(updates).collect().await;
        assert_eq!(
            events,
            [
                BrowserEvent::Update(StreamUpdate::Text {
                    index: 0,
                    text: "a".into()
                }),
                BrowserEvent::Update(StreamUpdate::Done)
            ]
        );
    }
}
