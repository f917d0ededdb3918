//! Batch results decoding: JSONL through `BatchResults` next to a serde_json baseline.
//!
//! `cargo bench -p chat-anthropic-benches --bench batches -- --warm-up-time 1 --measurement-time 3`
//!
//! - `results/batch_results`: a results body (4.9 MiB, 8,000 lines: succeeded messages with text
//!   or a tool call, some errored / canceled / expired) in 64 KiB chunks through
//!   `BatchResults`: newline scan, typed parse of each line, and the succeeded message turned
//!   into the `AIMessage` `invoke` returns.
//! - `results/serde_json_lines`: the baseline, the same bytes already in one buffer, split
//!   on `\n` and each line parsed by `serde_json` into the SDK-shaped line
//!   (`{custom_id, result: {type, message: ApiMessage, error}}`), nothing more.

use bytes::Bytes;
use chat_anthropic::batches::BatchResults;
use chat_anthropic::messages::ApiMessage;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures_util::StreamExt;
use serde::Deserialize;

/// One results line per outcome kind, as the API writes them.
pub fn result_line(i: usize) -> String {
    let result = match i % 20 {
        0 => {
            serde_json::json!({"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: Field required"}}})
        }
        1 => serde_json::json!({"type": "canceled"}),
        2 => serde_json::json!({"type": "expired"}),
        n if n % 3 == 0 => serde_json::json!({"type": "succeeded", "message": {
            "id": format!("msg_{i:08}"), "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [
                {"type": "text", "text": "Let me look that up."},
                {"type": "tool_use", "id": format!("toolu_{i:08}"), "name": "lookup",
                 "input": {"query": format!("item {i}"), "filters": {"in_stock": true, "max_price": 120.5}, "tags": ["a", "b", "c"]}},
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 412, "output_tokens": 57, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "service_tier": "batch"},
        }}),
        _ => serde_json::json!({"type": "succeeded", "message": {
            "id": format!("msg_{i:08}"), "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [{"type": "text", "text": format!("Item {i}: a sturdy, well-made product that does exactly what it says on the tin — durable materials, thoughtful design, and a price that makes sense. Customers mention its quiet operation, its long battery life and the helpful manual. Ships in recyclable packaging; two-year warranty included. {}", "Ideal for everyday use. ".repeat(8))}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 230, "output_tokens": 180, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "service_tier": "batch"},
        }}),
    };
    let line = serde_json::json!({"custom_id": format!("q-{i:06}"), "result": result});
    format!("{line}\n")
}

fn body(lines: usize) -> Vec<u8> {
    (0..lines)
        .flat_map(|i| result_line(i).into_bytes())
        .collect()
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SdkLine {
    custom_id: String,
    result: SdkResult,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct SdkResult {
    #[serde(rename = "type")]
    kind: String,
    message: Option<ApiMessage>,
    error: Option<serde_json::Value>,
}

fn decode(chunks: Vec<Bytes>) -> usize {
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok));
    let results = BatchResults::from_bytes_stream(stream);
    futures_executor::block_on(results.fold(0, |n, item| async move {
        item.expect("valid line");
        n + 1
    }))
}

fn baseline(body: &[u8]) -> usize {
    let mut parsed = 0;
    for line in body.split(|b| *b == b'\n').filter(|line| !line.is_empty()) {
        let line: SdkLine = serde_json::from_slice(line).expect("valid line");
        std::hint::black_box(&line);
        parsed += 1;
    }
    parsed
}

fn results(c: &mut Criterion) {
    let body = body(8_000);
    let chunks: Vec<Bytes> = body.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    assert_eq!(decode(chunks.clone()), 8_000);
    assert_eq!(baseline(&body), 8_000);
    let mut group = c.benchmark_group("results");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("batch_results", |b| b.iter(|| decode(chunks.clone())));
    group.bench_function("serde_json_lines", |b| b.iter(|| baseline(&body)));
    group.finish();
}

criterion_group!(benches, results);
criterion_main!(benches);
