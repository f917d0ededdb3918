//! Opening a model's stream up to its first content, so a wrapper can still choose another
//! attempt (a retry, a fallback) while nothing has been handed out.

use futures_util::StreamExt;

use super::{ChatModel, RunConfig};
use crate::chat_stream::{is_before_content, ChatStream, HOLD_LIMIT};
use crate::error::Error;
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
    let mut inner = model.stream_run(messages, run).await?;
    let mut held = Vec::new();
    while let Some(event) = inner.next().await {
        let event = event?;
        let before = is_before_content(&event);
        held.push(event);
        if !before || held.len() >= HOLD_LIMIT {
            break;
        }
    }
    let rate_limits = inner.rate_limits().cloned();
    let stream_usage = inner.stream_usage();
    let events = futures_util::stream::iter(held.into_iter().map(Ok)).chain(inner);
    let mut stream = ChatStream::from_events(events).with_stream_usage(stream_usage);
    if let Some(rate_limits) = rate_limits {
        stream = stream.with_rate_limits(rate_limits);
    }
    Ok(stream)
}
