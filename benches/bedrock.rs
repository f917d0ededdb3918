//! What Bedrock's framing costs: the same stream assembled from SSE, and from AWS
//! event-stream frames (base64 JSON per event) through `EventStreamToSse`, side by side.
//!
//! ```text
//! cargo bench -p chat-anthropic-benches --bench bedrock -- --warm-up-time 1 --measurement-time 3
//! ```

mod common;

use bytes::Bytes;
use chat_anthropic::bedrock::EventStreamToSse;
use chat_anthropic::{aggregate::MessageAggregator, event::EventStream, Error};
use chat_anthropic_mock::bedrock_frames;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures_util::StreamExt;

/// Folds a stream of SSE bytes (already decoded from frames, or not) into a message.
fn fold<S: futures_core::Stream<Item = Result<Bytes, Error>> + Unpin>(source: S) -> usize {
    let mut events = EventStream::new(source);
    let mut aggregator = MessageAggregator::new();
    futures_executor::block_on(async {
        while let Some(event) = events.next().await {
            aggregator.apply(&event.unwrap()).unwrap();
        }
    });
    aggregator.finish().unwrap().text().len()
}

fn benches(c: &mut Criterion) {
    for name in ["text.sse", "tool_100k.sse"] {
        let sse = common::load(name);
        let framed = Bytes::from(bedrock_frames(&sse).concat());
        let sse_chunks = common::chunks(&sse, 8192);
        let framed_chunks = common::chunks(&framed, 8192);
        let mut group = c.benchmark_group(format!("bedrock/{name}"));
        // Same content, so the same throughput basis: the SSE size.
        group.throughput(Throughput::Bytes(sse.len() as u64));
        group.bench_function("sse_pipeline", |b| {
            b.iter(|| {
                fold(futures_util::stream::iter(
                    sse_chunks.iter().cloned().map(Ok),
                ))
            })
        });
        group.bench_function("event_stream_pipeline", |b| {
            b.iter(|| {
                fold(EventStreamToSse::new(futures_util::stream::iter(
                    framed_chunks.iter().cloned().map(Ok),
                )))
            })
        });
        group.finish();
    }
}

criterion_group!(bedrock_benches, benches);
criterion_main!(bedrock_benches);
