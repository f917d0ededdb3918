//! `invoke` is this: fold a whole stream into one message.

use futures_core::Stream;
use futures_util::StreamExt;

use super::MessageAggregator;
use crate::error::Error;
use crate::event::StreamEvent;
use crate::messages::AIMessage;

/// Folds a stream of events into the final message.
///
/// Any failure (a transport error, a malformed event, an `error` event, events out of order,
/// an end before `message_stop`) is returned as [`Error::Stream`] carrying the partial message.
/// Reading stops at `message_stop`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::aggregate::collect_message;
/// use chat_anthropic::event::EventStream;
/// let recorded = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/fixtures/recorded/rig__streaming_grammar__parallel_tool_use__0.sse"))?;
/// let reply = collect_message(EventStream::from_bytes(recorded)).await?;
/// assert_eq!(reply.tool_calls.len(), 2);
/// # Ok(()) }
/// ```
pub async fn collect_message<S>(events: S) -> Result<AIMessage, Error>
where
    S: Stream<Item = Result<StreamEvent, Error>>,
{
    let mut aggregator = MessageAggregator::new();
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        let event = event.map_err(|cause| aggregator.fail(cause))?;
        aggregator
            .apply(&event)
            .map_err(|cause| aggregator.fail(cause))?;
        if aggregator.is_complete() {
            break;
        }
    }
    aggregator.finish()
}
