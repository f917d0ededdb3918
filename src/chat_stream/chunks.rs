//! [`ChatStream`] as LangChain-style chunks.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project::pin_project;

use super::{ChatStream, Folded, Want};
use crate::aggregate::MessageAggregator;
use crate::error::Error;
use crate::messages::AIMessageChunk;

/// [`ChatStream`] as [`AIMessageChunk`]s (events that add nothing are skipped).
#[pin_project]
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct ChunkStream {
    #[pin]
    pub(super) inner: ChatStream,
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
            match ready!(inner.as_mut().poll_step(cx, Want::Chunk)) {
                Some(Ok(Folded::Chunk(chunk))) => return Poll::Ready(Some(Ok(*chunk))),
                Some(Ok(Folded::Nothing)) => continue,
                Some(Err(err)) => return Poll::Ready(Some(Err(*err))),
                None => return Poll::Ready(None),
            }
        }
    }
}
