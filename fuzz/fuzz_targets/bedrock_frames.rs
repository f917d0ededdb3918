//! Any bytes as a Bedrock event-stream body, cut anywhere: the frame decoder never panics,
//! and the SSE it yields (and where it fails) is the same as when the bytes arrive whole.
#![no_main]

use bytes::Bytes;
use chat_anthropic::bedrock::EventStreamToSse;
use chat_anthropic::Error;
use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;

fn decode(chunks: Vec<Bytes>) -> (Vec<u8>, Option<String>) {
    let stream = EventStreamToSse::new(futures_util::stream::iter(
        chunks.into_iter().map(Ok::<_, Error>),
    ));
    let items: Vec<_> = futures_executor::block_on(stream.collect());
    let mut sse = Vec::new();
    for item in items {
        match item {
            Ok(bytes) => sse.extend_from_slice(&bytes),
            Err(err) => return (sse, Some(err.to_string())),
        }
    }
    (sse, None)
}

fuzz_target!(|input: &[u8]| {
    let Some((&stride, body)) = input.split_first() else {
        return;
    };
    let whole = decode(vec![Bytes::copy_from_slice(body)]);
    let stride = usize::from(stride).max(1);
    let cut = decode(body.chunks(stride).map(Bytes::copy_from_slice).collect());
    assert_eq!(whole, cut);
});
