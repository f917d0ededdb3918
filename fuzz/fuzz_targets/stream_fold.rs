//! Any bytes through the whole pipeline (SSE → typed events → fold): errors are fine,
//! panics are not, and a partial message is always available.
#![no_main]

use bytes::Bytes;
use chat_anthropic::{event::EventStream, aggregate::MessageAggregator};
use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let mut events = EventStream::from_bytes(Bytes::copy_from_slice(input));
    let mut aggregator = MessageAggregator::new().with_path_events();
    futures_executor::block_on(async {
        while let Some(event) = events.next().await {
            let Ok(event) = event else { break };
            if aggregator.apply(&event).is_err() {
                break;
            }
        }
    });
    let _ = aggregator.partial_message();
    let _ = aggregator.finish();
});
