//! Opening a model's stream up to its first content, so a wrapper can still choose another
//! attempt (a retry, a fallback) while nothing has been handed out.

use futures_util::StreamExt;

use super::{ChatModel, RunConfig};
use crate::aggregate::MessageAggregator;
use crate::chat_stream::{is_before_content, ChatStream, HOLD_LIMIT};
use crate::error::{Error, ProtocolError};
use crate::event::StreamEvent;
use crate::messages::Message;

/// Opens `model`'s stream and reads it until its first content (a delta, a block with
/// content, the end), holding back what came before (`message_start`, `ping`s, empty block
/// starts). A failure before then is returned as an error, so the caller may try again
/// elsewhere without the stream's consumer ever seeing the failed attempt; after it, the
/// returned stream hands out the held events, then the rest as they come, and a failure
/// is the stream's (with the partial message).
pub(crate) async fn open_until_content(
    model: &dyn ChatModel,
    messages: Vec<Message>,
    run: &RunConfig,
) -> Result<ChatStream, Error> {
    let inner = model.stream_run(messages, run).await?;
    let rate_limits = inner.rate_limits().cloned();
    let stream_usage = inner.stream_usage();
    let mut inner = inner.into_events();
    let mut held = Vec::new();
    loop {
        match inner.next().await {
            Some(Ok(event)) => {
                let before = is_before_content(&event);
                held.push(event);
                if !before || held.len() >= HOLD_LIMIT {
                    break;
                }
            }
            Some(Err(error)) => return Err(before_content(&held, error)),
            // Ended with nothing but what comes before content: never complete.
            None => return Err(before_content(&held, ProtocolError::Incomplete.into())),
        }
    }
    let events = futures_util::stream::iter(held.into_iter().map(Ok)).chain(inner);
    let mut stream = ChatStream::from_events(events).with_stream_usage(stream_usage);
    if let Some(rate_limits) = rate_limits {
        stream = stream.with_rate_limits(rate_limits);
    }
    Ok(stream)
}

/// A failure before content, as a live stream reports it: an [`Error::Stream`] whose
/// partial message holds what was held back (the message's id and model, no content), so
/// [`Error::is_retryable`] and the filters read it the same whichever wrapper it came
/// through.
fn before_content(held: &[StreamEvent], cause: Error) -> Error {
    if matches!(cause, Error::Stream(_)) {
        return cause;
    }
    let mut aggregator = MessageAggregator::new();
    for event in held {
        if aggregator.apply(event).is_err() {
            break;
        }
    }
    aggregator.fail(cause)
}
