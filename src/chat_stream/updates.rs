//! [`ChatStream`] as owned [`StreamUpdate`]s.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project::pin_project;

use super::{ChatStream, Folded, Want};
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
    pending: VecDeque<StreamUpdate>,
}

impl UpdateStream {
    pub(super) fn new(inner: ChatStream) -> Self {
        Self {
            inner,
            pending: VecDeque::new(),
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
            if let Some(update) = this.pending.pop_front() {
                return Poll::Ready(Some(Ok(update)));
            }
            match ready!(this.inner.as_mut().poll_step(cx, Want::Updates)) {
                Some(Ok((_, Folded::Updates(updates)))) => this.pending.extend(updates),
                Some(Ok(_)) => {}
                Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                None => return Poll::Ready(None),
            }
        }
    }
}
