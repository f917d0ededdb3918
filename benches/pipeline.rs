//! The whole pipeline: bytes → SSE → typed events → fold, against a "limit" baseline.
//!
//! `cargo bench -p chat-anthropic-benches --bench pipeline -- --warm-up-time 1 --measurement-time 3`
//!
//! - `text/…`: `text.sse` (~2 MB of text deltas) in 8 KiB chunks through `EventStream` +
//!   `MessageAggregator`, next to the limit: a memchr scan for `data:` lines and a borrowed
//!   serde parse of each payload, with no event assembly and no fold.
//! - `sse/…`: SSE decoding alone over `text.sse` in 8 KiB chunks: this crate's `SseStream`
//!   next to `eventsource-stream` (the parser inside `reqwest-eventsource`).
//! - `tool/…`: one tool call of 10 KB, 100 KB and 1 MB input in 1–10 byte fragments, with the
//!   live partial value read and path events produced after every fragment, next to what the
//!   official SDKs do: re-parse the accumulated input text after every fragment. The re-parse
//!   baseline is quadratic; on `tool_1m` one full run takes minutes, so it is timed once (not
//!   sampled) and printed, unless `SKIP_REPARSE_1M` is set.
//! - Allocations per text delta event are counted once with a counting allocator and printed.
//!
//! For instruction counts (steadier than times on a shared machine), `SSE_ONCE=8k` (or
//! `SSE_ONCE=whole`: one chunk, ours only) runs only the `sse/…` decoders, once each over
//! `text.sse`, each in its own `run_sse_*` function for `valgrind --tool=callgrind
//! --toggle-collect=…`.

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use chat_anthropic::{aggregate::MessageAggregator, event::EventStream, StreamEvent};
use criterion::{criterion_group, Criterion, Throughput};
use futures_util::StreamExt;

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

/// Runs the pipeline over `chunks`; with `read_live`, reads the tool input after each event.
fn pipeline(chunks: &[Bytes], read_live: bool) -> usize {
    let source = futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>));
    let mut events = EventStream::new(source);
    let mut aggregator = MessageAggregator::new();
    if read_live {
        aggregator = aggregator.with_path_events();
    }
    let mut seen = 0;
    futures_executor::block_on(async {
        while let Some(event) = events.next().await {
            let event = event.unwrap();
            aggregator.apply(&event).unwrap();
            if read_live {
                seen += aggregator.path_events().len();
                if let Some(input) = aggregator.tool_input(1) {
                    seen += input.is_object() as usize;
                }
            }
        }
    });
    seen + aggregator.finish().unwrap().tool_calls.len()
}

/// Decodes SSE only, with this crate's decoder; returns the number of data bytes seen.
fn sse_ours(chunks: &[Bytes]) -> usize {
    let source = futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>));
    futures_executor::block_on(
        chat_anthropic::sse::SseStream::new(source)
            .map(|event| event.unwrap().data().len())
            .fold(0, |sum, n| async move { sum + n }),
    )
}

/// Decodes SSE only, with `eventsource-stream`.
fn sse_eventsource_stream(chunks: &[Bytes]) -> usize {
    use eventsource_stream::Eventsource;
    let source = futures_util::stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>));
    futures_executor::block_on(
        source
            .eventsource()
            .map(|event| event.unwrap().data.len())
            .fold(0, |sum, n| async move { sum + n }),
    )
}

#[inline(never)]
fn run_sse_ours(chunks: &[Bytes]) -> usize {
    sse_ours(chunks)
}

#[inline(never)]
fn run_sse_eventsource_stream(chunks: &[Bytes]) -> usize {
    sse_eventsource_stream(chunks)
}

/// Both SSE decoders once over `text.sse` in 8 KiB chunks (`8k`) or in one chunk, for
/// callgrind.
fn sse_once(chunking: &str) {
    let text = common::load("text.sse");
    let chunks = match chunking {
        "8k" => common::chunks(&text, 8192),
        _ => vec![text],
    };
    let ours = run_sse_ours(&chunks);
    // eventsource-stream moves its buffer's tail after every event: quadratic on one chunk.
    let theirs = (chunking == "8k").then(|| run_sse_eventsource_stream(&chunks));
    eprintln!("{} chunks: {ours} / {theirs:?} data bytes", chunks.len());
}

/// The tool input of every `input_json_delta`, in order.
fn fragments(body: &Bytes) -> Vec<String> {
    let events: Vec<StreamEvent> = futures_executor::block_on(
        EventStream::from_bytes(body.clone())
            .map(Result::unwrap)
            .collect(),
    );
    events
        .into_iter()
        .filter_map(|event| match event {
            StreamEvent::ContentBlockDelta(delta) => match delta.delta {
                chat_anthropic::event::Delta::InputJson(json) => Some(json.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// What the official SDKs do with tool input: append the fragment, re-parse everything.
fn reparse_after_every_fragment(fragments: &[String]) -> usize {
    let mut text = String::new();
    let mut parsed = 0;
    for fragment in fragments {
        text.push_str(fragment);
        parsed += serde_json::from_str::<serde_json::Value>(&text).is_ok() as usize;
    }
    parsed
}

/// Our parser alone over the same fragments, reading the live value after each.
fn incremental(fragments: &[String]) -> usize {
    let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
    let mut events = Vec::new();
    let mut seen = 0;
    for fragment in fragments {
        events.clear();
        parser.push_with_events(fragment, &mut events);
        seen += events.len() + parser.value().is_object() as usize;
    }
    seen
}

fn count_allocations_per_text_delta(body: &Bytes) {
    let chunks = common::chunks(body, 8192);
    let deltas = {
        let all: Vec<StreamEvent> = futures_executor::block_on(
            EventStream::new(futures_util::stream::iter(
                chunks.iter().cloned().map(Ok::<_, Infallible>),
            ))
            .map(Result::unwrap)
            .collect(),
        );
        all.iter()
            .filter(|e| matches!(e, StreamEvent::ContentBlockDelta(_)))
            .count()
    };
    let allocations = counting_alloc::count(|| pipeline(&chunks, false));
    eprintln!(
        "allocations per text delta event (text.sse, 8 KiB chunks, decode + parse + fold): {:.2} ({allocations} / {deltas})",
        allocations as f64 / deltas as f64
    );
}

fn benches(c: &mut Criterion) {
    let text = common::load("text.sse");
    count_allocations_per_text_delta(&text);

    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(text.len() as u64));
    let chunks = common::chunks(&text, 8192);
    group.bench_function("pipeline", |b| b.iter(|| pipeline(&chunks, false)));
    group.bench_function("limit_baseline", |b| b.iter(|| common::limit(&text)));
    group.finish();

    let mut group = c.benchmark_group("sse");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("chat_anthropic", |b| b.iter(|| sse_ours(&chunks)));
    group.bench_function("eventsource_stream", |b| {
        b.iter(|| sse_eventsource_stream(&chunks))
    });
    group.finish();

    let mut group = c.benchmark_group("tool");
    for name in ["tool_10k", "tool_100k", "tool_1m"] {
        let body = common::load(&format!("{name}.sse"));
        let chunks = common::chunks(&body, 8192);
        let fragments = fragments(&body);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(format!("{name}/pipeline_live"), |b| {
            b.iter(|| pipeline(&chunks, true))
        });
        let input_bytes: usize = fragments.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(input_bytes as u64));
        group.bench_function(format!("{name}/input_incremental"), |b| {
            b.iter(|| incremental(&fragments))
        });
        if name != "tool_1m" {
            // Quadratic: one run of tool_100k takes seconds, so take the fewest samples.
            group.sample_size(10);
            group.bench_function(format!("{name}/input_reparse_baseline"), |b| {
                b.iter(|| reparse_after_every_fragment(&fragments))
            });
            group.sample_size(100);
        } else if std::env::var_os("SKIP_REPARSE_1M").is_none() {
            let started = std::time::Instant::now();
            reparse_after_every_fragment(&fragments);
            let elapsed = started.elapsed();
            eprintln!(
                "tool/tool_1m/input_reparse_baseline: one run {elapsed:.2?} ({:.3} MiB/s of tool input, {} fragments)",
                input_bytes as f64 / elapsed.as_secs_f64() / (1 << 20) as f64,
                fragments.len()
            );
        }
    }
    group.finish();
}

criterion_group!(pipeline_benches, benches);

fn main() {
    if let Ok(chunking) = std::env::var("SSE_ONCE") {
        return sse_once(&chunking);
    }
    pipeline_benches();
    Criterion::default().configure_from_args().final_summary();
}
