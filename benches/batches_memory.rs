//! Peak memory and rate-limit runs for the Message Batches client, one mode per process (so
//! each peak RSS is its own), printed as one line of figures.
//!
//! ```text
//! cargo bench -p chat-anthropic-benches --bench batches_memory -- results 1024      # stream a generated 1 GB results body
//! cargo bench -p chat-anthropic-benches --bench batches_memory -- create 100000     # create: the body streamed in pieces
//! cargo bench -p chat-anthropic-benches --bench batches_memory -- create-baseline 100000   # one serde_json string
//! cargo bench -p chat-anthropic-benches --bench batches_memory -- rate-limit 5000 50 20000  # prompts, req/s, input tok/s
//! ```
//!
//! - `results`: a local server answers `retrieve` (ended, with a `results_url`) and serves a
//!   JSONL body of N MB generated lazily in 64 KiB chunks (constant memory on its side); the
//!   client reads it through `batches().results(id)` over loopback HTTP.
//! - `create`: N requests through `batches().create` to a local sink that counts the body's
//!   bytes as they arrive; `create-baseline` builds the same body as one `serde_json::Value`
//!   and one `Vec<u8>` (what a client that serializes the whole request does) and posts it.
//! - `rate-limit`: N short prompts through `ChatAnthropic::batch` (concurrency 16, transport
//!   retries off) against the mock enforcing R requests and T input tokens per 1-second window.

#[path = "batches.rs"]
#[allow(dead_code)]
mod generated;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::routing::{get, post};
use bytes::Bytes;
use chat_anthropic::batches::BatchRequest;
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockRateLimits, MockServer};
use futures_util::StreamExt;
use serde_json::json;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn ended_batch(results_url: &str) -> serde_json::Value {
    json!({
        "id": "msgbatch_1", "type": "message_batch", "processing_status": "ended",
        "request_counts": {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 0, "expired": 0},
        "created_at": "2026-11-26T10:00:00Z", "expires_at": "2026-11-27T10:00:00Z",
        "ended_at": "2026-11-26T10:30:00Z", "results_url": results_url,
    })
}

/// A results body of `megabytes` MB, generated as it is sent.
fn generated_body(megabytes: u64) -> Body {
    let total = megabytes * 1024 * 1024;
    let chunks = futures_util::stream::unfold((0usize, 0u64), move |(line, sent)| async move {
        if sent >= total {
            return None;
        }
        let mut chunk = String::with_capacity(64 * 1024 + 2048);
        let mut next = line;
        while chunk.len() < 64 * 1024 {
            chunk.push_str(&generated::result_line(next));
            next += 1;
        }
        let len = chunk.len() as u64;
        Some((
            Ok::<_, std::io::Error>(Bytes::from(chunk)),
            (next, sent + len),
        ))
    });
    Body::from_stream(chunks)
}

async fn results(megabytes: u64) {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let base_for_route = base.clone();
    let app = axum::Router::new()
        .route(
            "/v1/messages/batches/{id}",
            get(move || {
                let base = base_for_route.clone();
                async move {
                    let url = format!(
                        "{}/v1/messages/batches/msgbatch_1/results",
                        base.get().unwrap()
                    );
                    axum::Json(ended_batch(&url))
                }
            }),
        )
        .route(
            "/v1/messages/batches/{id}/results",
            get(move || async move { generated_body(megabytes) }),
        );
    let url = serve(app).await;
    base.set(url.clone()).unwrap();
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(url)
        .api_key("k");
    let before = peak_rss_mb();
    let start = Instant::now();
    let mut stream = llm.batches().results("msgbatch_1").await.unwrap();
    let (mut lines, mut succeeded) = (0u64, 0u64);
    while let Some(item) = stream.next().await {
        let (_, outcome) = item.unwrap();
        lines += 1;
        succeeded += u64::from(outcome.message().is_some());
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "results: {megabytes} MB, {lines} lines ({succeeded} succeeded) in {secs:.1} s = {:.0} MB/s over loopback HTTP; peak RSS {:.1} MB (before reading: {before:.1} MB)",
        megabytes as f64 / secs,
        peak_rss_mb()
    );
}

fn prompt(i: usize) -> String {
    format!("Write a one-line product description for item #{i}: a sturdy, well-made product with durable materials and thoughtful design.")
}

async fn sink() -> (String, Arc<AtomicU64>) {
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/v1/messages/batches",
        post(move |body: Body| {
            let counter = counter.clone();
            async move {
                let mut data = body.into_data_stream();
                while let Some(chunk) = data.next().await {
                    counter.fetch_add(chunk.unwrap().len() as u64, Ordering::Relaxed);
                }
                let mut batch = ended_batch("");
                batch["processing_status"] = json!("in_progress");
                axum::Json(batch)
            }
        }),
    );
    (serve(app).await, received)
}

async fn create(count: usize, baseline: bool) {
    let (url, received) = sink().await;
    let llm = ChatAnthropic::new("claude-haiku-4-5")
        .max_tokens(256)
        .base_url(url.clone())
        .api_key("k");
    let start = Instant::now();
    if baseline {
        let requests: Vec<serde_json::Value> = (0..count)
            .map(|i| {
                json!({"custom_id": format!("q-{i}"), "params": {
                "model": "claude-haiku-4-5", "max_tokens": 256,
                "messages": [{"role": "user", "content": prompt(i)}]}})
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "requests": requests })).unwrap();
        drop(requests);
        let response = reqwest::Client::new()
            .post(format!("{url}/v1/messages/batches"))
            .header("x-api-key", "k")
            .header("anthropic-version", "2023-06-01")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    } else {
        let requests = (0..count).map(|i| BatchRequest::new(format!("q-{i}"), prompt(i)));
        llm.batches().create(requests).await.unwrap();
    }
    let mb = received.load(Ordering::Relaxed) as f64 / 1024.0 / 1024.0;
    println!(
        "create{}: {count} requests, body {mb:.1} MB sent in {:.1} s; peak RSS {:.1} MB",
        if baseline {
            " (baseline: one serde_json string)"
        } else {
            " (pieces, streamed)"
        },
        start.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
}

async fn rate_limit(count: usize, requests_per_second: u64, input_tokens_per_second: u64) {
    let server = MockServer::start().await;
    server.set_rate_limits(
        MockRateLimits::per(Duration::from_secs(1))
            .requests(requests_per_second)
            .input_tokens(input_tokens_per_second),
    );
    let llm = ChatAnthropic::new("claude-haiku-4-5")
        .max_tokens(64)
        .max_retries(0)
        .base_url(server.base_url())
        .api_key("k");
    let prompts: Vec<String> = (0..count)
        .map(|i| format!("Short prompt number {i}"))
        .collect();
    let start = Instant::now();
    let replies = llm.batch_with_concurrency(prompts, 16).await;
    let secs = start.elapsed().as_secs_f64();
    let reached = replies
        .iter()
        .filter(|r| matches!(r, Err(e) if e.status() == Some(429)))
        .count();
    let failed = replies.iter().filter(|r| r.is_err()).count();
    let rate = count as f64 / secs;
    println!(
        "rate-limit: {count} prompts in {secs:.1} s = {rate:.1} req/s against a limit of {requests_per_second} req/s ({:.1} %); 429s reaching the caller: {reached} (errors of any kind: {failed}); 429s the server sent: {}",
        100.0 * rate / requests_per_second as f64,
        server.rate_limited()
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("results") => results(number(1, 1024)).await,
        Some("create") => create(number(1, 100_000) as usize, false).await,
        Some("create-baseline") => create(number(1, 100_000) as usize, true).await,
        Some("rate-limit") => rate_limit(number(1, 5_000) as usize, number(2, 50), number(3, 20_000)).await,
        _ => println!("modes: results MB | create N | create-baseline N | rate-limit N RPS TPS (see the file's header)"),
    }
}
