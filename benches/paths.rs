//! The stream paths a caller really takes, next to the limit, on the same bytes in one run.
//!
//! `cargo bench -p chat-anthropic-benches --bench paths -- --warm-up-time 1 --measurement-time 3`
//!
//! Every row reads one whole stream held in memory, as `ChatStream::from_sse_bytes` gets it:
//!
//! - `limit`: a memchr scan for `data:` lines and a borrowed serde parse of each payload; no
//!   events, no fold (the ceiling the other rows are read against).
//! - `fold`: `collect_message(EventStream)`: decode, typed parse, fold; nothing else.
//! - `final_message`: `ChatStream::from_sse_bytes(..).final_message()`, what `invoke` runs.
//! - `updates`: `ChatStream::from_sse_bytes(..).updates()` drained: owned `StreamUpdate`s,
//!   path events included.
//! - `structured` (tool streams): `StructuredModel::read` over the same `ChatStream`, drained;
//!   each `Partial` snapshot is dropped before the next one is asked for.
//!
//! Printed once: allocations per text delta on the `final_message` path of `text.sse`.
//!
//! `PATHS_INTERLEAVED=15` measures without criterion: each path right after the limit, round
//! after round, and prints the median of the rounds' ratios (steadier on a shared machine);
//! `PATHS_STREAMS=records_1m,tool_1m` measures those streams alone (any stream of the bench data,
//! `records_100k` included).
//!
//! On a shared, noisy machine, instruction counts are steadier than times: with
//! `PATHS_ONCE=text,tool_100k` every path runs once per named stream and nothing else, for
//! `valgrind --tool=callgrind` (each path is its own `run_*` function; read their inclusive
//! costs with `callgrind_annotate --inclusive=yes`); `PATHS_ONLY=updates,fold` keeps those paths
//! alone, for `perf record`.

mod common;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use bytes::Bytes;
use chat_anthropic::structured::StructuredChunk;
use chat_anthropic::{aggregate::collect_message, event::EventStream, ChatAnthropic, ChatStream};
use criterion::{Criterion, Throughput};
use futures_util::StreamExt;
use serde::Deserialize;

/// The input of the generated `tool_*` streams' `write_file` call, as structured output.
#[derive(schemars::JsonSchema, Deserialize)]
#[schemars(rename = "write_file")]
#[allow(dead_code)]
struct WriteFile {
    path: String,
    content: String,
    mode: u32,
    tags: Vec<String>,
    nested: serde_json::Value,
}

/// The input of the generated `records_*` streams' call.
#[derive(schemars::JsonSchema, Deserialize)]
#[schemars(rename = "write_file")]
#[allow(dead_code)]
struct Records {
    items: Vec<serde_json::Value>,
    count: usize,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime")
}

async fn fold(body: &Bytes) -> usize {
    let message = collect_message(EventStream::from_bytes(body.clone()))
        .await
        .unwrap();
    message.tool_calls.len() + message.text().len()
}

async fn final_message(body: &Bytes) -> usize {
    let message = ChatStream::from_sse_bytes(body.clone())
        .final_message()
        .await
        .unwrap();
    message.tool_calls.len() + message.text().len()
}

async fn updates(body: &Bytes) -> usize {
    let mut updates = ChatStream::from_sse_bytes(body.clone()).updates();
    let mut seen = 0;
    while let Some(update) = updates.next().await {
        update.unwrap();
        seen += 1;
    }
    seen
}

async fn structured<T: serde::de::DeserializeOwned + schemars::JsonSchema>(body: &Bytes) -> usize {
    let model = ChatAnthropic::new("claude-sonnet-4-6")
        .api_key("unused")
        .with_structured_output::<T>();
    let mut stream = model.read(ChatStream::from_sse_bytes(body.clone()));
    let mut partials = 0;
    while let Some(chunk) = stream.next().await {
        if let StructuredChunk::Partial(value) = chunk.unwrap() {
            partials += value.is_object() as usize;
        }
    }
    partials
}

fn allocations_per_text_delta(runtime: &tokio::runtime::Runtime, body: &Bytes) {
    let deltas = body
        .windows(b"\"text_delta\"".len())
        .filter(|w| w == b"\"text_delta\"")
        .count();
    runtime.block_on(final_message(body)); // warm: first-use allocations are not per delta
    let allocations = counting_alloc::count(|| runtime.block_on(final_message(body)));
    eprintln!(
        "allocations per text delta, ChatStream::from_sse_bytes(text.sse).final_message(): {:.3} ({allocations} / {deltas})",
        allocations as f64 / deltas as f64
    );
}

fn benches(c: &mut Criterion) {
    let runtime = runtime();
    let text = common::load("text.sse");
    allocations_per_text_delta(&runtime, &text);
    for name in STREAMS {
        let body = common::load(&format!("{name}.sse"));
        let mut group = c.benchmark_group(format!("paths/{name}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("limit", |b| b.iter(|| common::limit(&body)));
        group.bench_function("fold", |b| b.iter(|| runtime.block_on(fold(&body))));
        group.bench_function("final_message", |b| {
            b.iter(|| runtime.block_on(final_message(&body)))
        });
        group.bench_function("updates", |b| b.iter(|| runtime.block_on(updates(&body))));
        if name.starts_with("tool") {
            group.bench_function("structured", |b| {
                b.iter(|| runtime.block_on(structured::<WriteFile>(&body)))
            });
        } else if name.starts_with("records") {
            group.bench_function("structured", |b| {
                b.iter(|| runtime.block_on(structured::<Records>(&body)))
            });
        }
        group.finish();
    }
}

#[inline(never)]
fn run_limit(body: &Bytes) -> usize {
    common::limit(body)
}

#[inline(never)]
fn run_fold(runtime: &tokio::runtime::Runtime, body: &Bytes) -> usize {
    runtime.block_on(fold(body))
}

#[inline(never)]
fn run_final_message(runtime: &tokio::runtime::Runtime, body: &Bytes) -> usize {
    runtime.block_on(final_message(body))
}

#[inline(never)]
fn run_updates(runtime: &tokio::runtime::Runtime, body: &Bytes) -> usize {
    runtime.block_on(updates(body))
}

#[inline(never)]
fn run_structured(runtime: &tokio::runtime::Runtime, body: &Bytes) -> usize {
    runtime.block_on(structured::<WriteFile>(body))
}

/// Every path once over each stream in `names` (comma-separated), for callgrind; with
/// `PATHS_ONLY=updates` (comma-separated), only those paths, for a profiler's flat view.
fn once(names: &str) {
    let only = std::env::var("PATHS_ONLY").ok();
    let wanted = |path: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|p| p == path))
    };
    let runtime = runtime();
    for name in names.split(',') {
        let body = common::load(&format!("{name}.sse"));
        let mut seen = 0;
        if wanted("limit") {
            seen += run_limit(&body);
        }
        if wanted("fold") {
            seen += run_fold(&runtime, &body);
        }
        if wanted("final_message") {
            seen += run_final_message(&runtime, &body);
        }
        if wanted("updates") {
            seen += run_updates(&runtime, &body);
        }
        if name.starts_with("tool") && wanted("structured") {
            seen += run_structured(&runtime, &body);
        }
        eprintln!("{name}: {seen}");
    }
}

/// Each path right after the limit, round after round, for `rounds` rounds per stream: the
/// median of the rounds' ratios to the limit, and the path's median throughput. A ratio taken
/// from two runs a second apart holds on a shared machine whose speed drifts by the minute,
/// where criterion's groups, each path measured for seconds on its own, do not.
fn interleaved(rounds: usize) {
    let runtime = runtime();
    println!("stream        path            MiB/s   × limit (median of {rounds} rounds; min–max)");
    let chosen = std::env::var("PATHS_STREAMS").ok();
    let streams: Vec<&str> = match &chosen {
        Some(chosen) => chosen.split(',').collect(),
        None => STREAMS.to_vec(),
    };
    for name in streams {
        let body = common::load(&format!("{name}.sse"));
        let mib = body.len() as f64 / (1024.0 * 1024.0);
        let mut paths: Vec<(&str, Run)> = vec![
            ("fold", Box::new(|| run_fold(&runtime, &body))),
            (
                "final_message",
                Box::new(|| run_final_message(&runtime, &body)),
            ),
            ("updates", Box::new(|| run_updates(&runtime, &body))),
        ];
        if name.starts_with("tool") {
            paths.push(("structured", Box::new(|| run_structured(&runtime, &body))));
        } else if name.starts_with("records") {
            paths.push((
                "structured",
                Box::new(|| runtime.block_on(structured::<Records>(&body))),
            ));
        }
        let only = std::env::var("PATHS_ONLY").ok();
        paths.retain(|(path, _)| {
            only.as_deref()
                .is_none_or(|only| only.split(',').any(|p| p == *path))
        });
        let seconds = |run: &dyn Fn() -> usize| {
            let start = std::time::Instant::now();
            std::hint::black_box(run());
            start.elapsed().as_secs_f64()
        };
        let mut limits = Vec::new();
        let mut rows: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); paths.len()];
        for _ in 0..rounds {
            for ((_, run), (ratios, times)) in paths.iter().zip(&mut rows) {
                let limit = seconds(&|| run_limit(&body));
                let time = seconds(run.as_ref());
                limits.push(limit);
                ratios.push(limit / time);
                times.push(time);
            }
        }
        println!(
            "{name:<13} {:<15} {:>6.0}",
            "limit",
            mib / median(&mut limits)
        );
        for ((path, _), (ratios, times)) in paths.iter().zip(&mut rows) {
            let (low, high) = ratios
                .iter()
                .fold((f64::MAX, 0f64), |(l, h), &r| (l.min(r), h.max(r)));
            println!(
                "{name:<13} {path:<15} {:>6.0}   {:.2} ({low:.2}–{high:.2})",
                mib / median(times),
                median(ratios),
            );
        }
    }
}

/// One path over one stream, as `interleaved` runs it.
type Run<'a> = Box<dyn Fn() -> usize + 'a>;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

const STREAMS: [&str; 6] = [
    "text",
    "tool_10k",
    "tool_1m",
    "records_1m",
    "deep_10k",
    "deep_1m",
];

fn main() {
    if let Ok(names) = std::env::var("PATHS_ONCE") {
        return once(&names);
    }
    if let Ok(rounds) = std::env::var("PATHS_INTERLEAVED") {
        return interleaved(rounds.parse().expect("PATHS_INTERLEAVED=<rounds>"));
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
