//! Any bytes, cut anywhere: the decoder never panics, and the events (and errors) are the
//! same as when the bytes arrive in one chunk.
#![no_main]

use bytes::Bytes;
use chat_anthropic::sse::{SseDecoder, SseError, SseEvent};
use libfuzzer_sys::fuzz_target;

fn decode(chunks: &[Bytes]) -> Vec<Result<SseEvent, SseError>> {
    // A small bound so the "event too large" path is reached too.
    let mut decoder = SseDecoder::with_max_event_size(256);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk.clone());
        while let Some(event) = decoder.next_event() {
            let failed = event.is_err();
            out.push(event);
            if failed {
                return out;
            }
        }
    }
    out
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the cut stride, the rest is the stream.
    let Some((&stride, body)) = input.split_first() else {
        return;
    };
    let body = Bytes::copy_from_slice(body);
    let whole = decode(&[body.clone()]);
    let stride = usize::from(stride % 16) + 1;
    let pieces: Vec<Bytes> = (0..body.len())
        .step_by(stride)
        .map(|at| body.slice(at..(at + stride).min(body.len())))
        .collect();
    assert_eq!(decode(&pieces), whole);
});
