//! [`ChatStream`] as owned [`StreamUpdate`]s.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project::pin_project;

use super::{ChatStream, Want};
use crate::aggregate::{MessageAggregator, StreamUpdate};
use crate::error::Error;

/// [`ChatStream`] as [`StreamUpdate`]s; made by [`ChatStream::updates`]. An event can amount
/// to several updates (a fragment of tool input that completes one field and grows the
/// next); they come out one at a time, in order.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct UpdateStream {
    #[pin]
    inner: ChatStream,
    /// The updates of the last event not yet returned, last first (so each is a `pop`).
    pending: Vec<StreamUpdate>,
}

impl UpdateStream {
    /// Switches path events on: updates spell out every argument, so they are read here.
    pub(super) fn new(inner: ChatStream) -> Self {
        Self {
            inner: inner.with_path_events(),
            pending: Vec::new(),
        }
    }

    /// The fold so far: the partial message, and the live arguments of every tool call
    /// ([`MessageAggregator::tool_input`]).
    pub fn aggregator(&self) -> &MessageAggregator {
        self.inner.aggregator()
    }
}

impl Stream for UpdateStream {
    type Item = Result<StreamUpdate, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if let Some(update) = this.pending.pop() {
                return Poll::Ready(Some(Ok(update)));
            }
            match ready!(this
                .inner
                .as_mut()
                .poll_step(cx, Want::Updates(this.pending)))
            {
                Some(Ok(_)) => this.pending.reverse(),
                Some(Err(err)) => return Poll::Ready(Some(Err(*err))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl ChatStream {
    /// Also reports the per-field changes of tool input
    /// ([`MessageAggregator::path_events`], read through [`aggregator`](Self::aggregator)
    /// after each event). Off by default, so that [`final_message`](Self::final_message) and
    /// `invoke` never pay for them; [`updates`](Self::updates) and the browser adapter switch
    /// them on themselves.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::partial_json::PathEventKind;
    /// use chat_anthropic::ChatStream;
    /// use futures_util::StreamExt;
    /// let recorded = std::fs::read("tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse")?;
    /// let mut stream = ChatStream::from_sse_bytes(recorded).with_path_events();
    /// let mut city = None;
    /// while let Some(event) = stream.next().await {
    ///     event?;
    ///     for change in stream.aggregator().path_events() {
    ///         if let (PathEventKind::Complete(value), "/itinerary/city") = (&change.kind, change.pointer.as_str()) {
    ///             city = Some(value.clone());
    ///         }
    ///     }
    /// }
    /// assert_eq!(city.unwrap(), "Kyoto");
    /// # Ok(()) }
    /// ```
    pub fn with_path_events(mut self) -> Self {
        self.aggregator = std::mem::take(&mut self.aggregator).with_path_events();
        self
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    fn nested_tool_call() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse"
        );
        std::fs::read(path).unwrap()
    }

    async fn path_events_seen(mut stream: ChatStream) -> usize {
        let mut seen = 0;
        while let Some(event) = stream.next().await {
            event.unwrap();
            seen += stream.aggregator().path_events().len();
        }
        seen
    }

    #[tokio::test]
    async fn path_events_are_made_only_where_they_are_read() {
        let plain = ChatStream::from_sse_bytes(nested_tool_call());
        assert_eq!(
            path_events_seen(plain).await,
            0,
            "final_message's path pays for them"
        );
        let asked = ChatStream::from_sse_bytes(nested_tool_call()).with_path_events();
        assert!(path_events_seen(asked).await > 10);

        let mut updates = ChatStream::from_sse_bytes(nested_tool_call()).updates();
        let mut completed = Vec::new();
        while let Some(update) = updates.next().await {
            if let StreamUpdate::ToolArgComplete { pointer, .. } = update.unwrap() {
                completed.push(pointer.to_string());
            }
        }
        assert!(
            completed.iter().any(|p| p == "/itinerary/city"),
            "{completed:?}"
        );
        assert_eq!(completed.last().map(String::as_str), Some(""));
    }
}
