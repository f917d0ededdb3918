//! End to end over loopback: this crate's client next to `reqwest-eventsource`, both reading
//! the same streams from the same mock Messages server in the same run.
//!
//! `cargo bench -p chat-anthropic-benches --bench e2e -- --warm-up-time 1 --measurement-time 5`
//!
//! The mock server runs in a child process (this binary, started again with
//! `E2E_MOCK_SERVER=1`), so the client's CPU and memory are measured alone. Every request is
//! answered with the same 200-word text reply, one word per `text_delta` (≈ 40 KiB of SSE).
//! Both clients do the same work per event (typed parse + fold into the `AIMessage`), so the
//! difference is the transport and the SSE decoder:
//!
//! - Time to first event: from sending the request to the first typed event, one stream at a
//!   time, the clients alternating request by request; median and p90 printed.
//! - `streams_N/…`: N streams started together (1, 100, 1000), each read to the end; sampled
//!   by criterion (one client after the other) and also interleaved batch by batch (medians
//!   printed), which is the fairer comparison on a noisy machine.
//! - Heap and RSS per open stream: 1000 streams held open after their first event (the
//!   server stalls them), measured once per client and printed.
//! - Client CPU time per stream: this process's CPU clock (the server is another process)
//!   around batches of 1 and 1,000 concurrent streams, the clients taking turns; printed.
//!
//! `E2E_ONLY=chat_anthropic` (or `reqwest_eventsource`), with `E2E_STREAMS` (default 200) and
//! `E2E_CONCURRENT` (default 1): that client alone, after one warm-up batch; prints its CPU
//! time and its threads' context switches per stream. To profile one client, run it under
//! `valgrind --tool=callgrind` with `E2E_NO_CLOCK=1` (the streams run on the runtime's worker
//! threads: compare a run of N streams with a run of 0 for the cost per stream).
//!
//! The baseline's retry policy is `Never`: with its default, `EventSource` sends the POST
//! again when a stream ends.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use chat_anthropic::{aggregate::MessageAggregator, ChatAnthropic, StreamEvent};
use chat_anthropic_mock::{MockReply, MockServer};
use criterion::{Criterion, Throughput};
use futures_util::StreamExt;
use reqwest_eventsource::{Event, EventSource, RequestBuilderExt};

const SERVER_ENV: &str = "E2E_MOCK_SERVER";
const STALL_MODEL: &str = "stall";
const REPLY_WORDS: usize = 200;

struct HeapCounter;

/// Bytes currently allocated by this process.
static LIVE_HEAP: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for HeapCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_HEAP.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_HEAP.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_HEAP.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: HeapCounter = HeapCounter;

/// The reply text: `REPLY_WORDS` words.
fn reply_text() -> String {
    (0..REPLY_WORDS)
        .map(|i| format!("word{i} "))
        .collect::<String>()
}

/// The child process: serve until the parent closes our stdin.
fn run_server() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        // Any model: the stalling streams are asked for by a model name of their own.
        let server = MockServer::builder()
            .any_model(true)
            .start()
            .await
            .expect("mock server");
        let text = reply_text();
        server.set_responder(move |request| {
            let reply = MockReply::text(text.clone());
            if request.body["model"] == STALL_MODEL {
                // Hold the stream open after its first event.
                reply.stall_after_bytes(1024)
            } else {
                reply
            }
        });
        println!("{}", server.base_url());
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
        })
        .await
        .ok();
    });
}

#[path = "common/server_child.rs"]
mod server_child;
use server_child::ServerChild;

/// The two clients under test.
#[allow(clippy::large_enum_variant)] // as for `Open`: no extra indirection on one side only
#[derive(Clone)]
enum Client {
    Ours(ChatAnthropic),
    Baseline {
        http: reqwest012::Client,
        url: String,
    },
}

/// An open stream of either client.
// Boxing either side would add an allocation to one client's measured path.
#[allow(clippy::large_enum_variant)]
enum Open {
    Ours(chat_anthropic::ChatStream),
    Baseline(EventSource, MessageAggregator),
}

impl Client {
    fn ours(base_url: &str, model: &str) -> Self {
        Client::Ours(
            ChatAnthropic::new(model)
                .base_url(base_url)
                .api_key("bench")
                .max_retries(0),
        )
    }

    fn baseline(base_url: &str) -> Self {
        Client::Baseline {
            http: reqwest012::Client::new(),
            url: format!("{base_url}/v1/messages"),
        }
    }

    /// Sends the request and returns the stream once its first typed event has arrived.
    async fn open(&self, model: &str) -> Open {
        match self {
            Client::Ours(llm) => {
                let mut stream = if llm.config().model == model {
                    llm.stream("Hi").await
                } else {
                    llm.clone().model(model).stream("Hi").await
                }
                .expect("stream");
                stream.next().await.expect("first event").expect("ok");
                Open::Ours(stream)
            }
            Client::Baseline { http, url } => {
                let body = serde_json::json!({
                    "model": model,
                    "max_tokens": 1024,
                    "messages": [{"role": "user", "content": "Hi"}],
                    "stream": true,
                });
                let mut source = http
                    .post(url)
                    .header("x-api-key", "bench")
                    .header(
                        "anthropic-version",
                        chat_anthropic::settings::ANTHROPIC_VERSION,
                    )
                    .json(&body)
                    .eventsource()
                    .expect("cloneable request");
                source.set_retry_policy(Box::new(reqwest_eventsource::retry::Never));
                let mut aggregator = MessageAggregator::new();
                loop {
                    match source.next().await.expect("first event").expect("ok") {
                        Event::Open => continue,
                        Event::Message(message) => {
                            let event = StreamEvent::parse(&message.event, &message.data)
                                .expect("typed event");
                            aggregator.apply(&event).expect("fold");
                            break;
                        }
                    }
                }
                Open::Baseline(source, aggregator)
            }
        }
    }
}

impl Open {
    /// Reads the stream to its end; returns the reply's text length.
    async fn finish(self) -> usize {
        match self {
            Open::Ours(stream) => stream.final_message().await.expect("message").text().len(),
            Open::Baseline(mut source, mut aggregator) => {
                while let Some(event) = source.next().await {
                    match event.expect("ok") {
                        Event::Open => {}
                        Event::Message(message) => {
                            let event = StreamEvent::parse(&message.event, &message.data)
                                .expect("typed event");
                            aggregator.apply(&event).expect("fold");
                            if matches!(event, StreamEvent::MessageStop) {
                                source.close();
                            }
                        }
                    }
                }
                aggregator.finish().expect("message").text().len()
            }
        }
    }
}

/// Runs `count` streams at once to their end; returns the wall time.
async fn concurrent_streams(client: &Client, count: usize) -> Duration {
    let started = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.open("bench").await.finish().await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.expect("task") > 0);
    }
    started.elapsed()
}

/// Time to the first typed event, one stream at a time, the two clients taking turns so that
/// drift on a noisy machine hits both alike; prints the median and the 90th percentile.
async fn time_to_first_event(clients: &[(&str, Client)], rounds: usize) {
    let mut samples = vec![Vec::with_capacity(rounds); clients.len()];
    for round in 0..rounds + rounds / 10 {
        for (i, (_, client)) in clients.iter().enumerate() {
            let started = Instant::now();
            let open = client.open("bench").await;
            let elapsed = started.elapsed();
            open.finish().await;
            // The first tenth warms connections and caches up.
            if round >= rounds / 10 {
                samples[i].push(elapsed);
            }
        }
    }
    for ((name, _), times) in clients.iter().zip(&mut samples) {
        times.sort_unstable();
        eprintln!(
            "time to first event ({name}, {rounds} requests, interleaved): median {:.0} µs, p90 {:.0} µs",
            times[times.len() / 2].as_secs_f64() * 1e6,
            times[times.len() * 9 / 10].as_secs_f64() * 1e6
        );
    }
}

/// `count` concurrent streams to their end, the clients taking turns batch by batch; prints
/// the median wall time per batch and the streams per second it amounts to.
async fn interleaved_streams(clients: &[(&str, Client)], count: usize, rounds: usize) {
    let mut samples = vec![Vec::with_capacity(rounds); clients.len()];
    for round in 0..=rounds {
        for (i, (_, client)) in clients.iter().enumerate() {
            let elapsed = concurrent_streams(client, count).await;
            if round > 0 {
                samples[i].push(elapsed);
            }
        }
    }
    for ((name, _), times) in clients.iter().zip(&mut samples) {
        times.sort_unstable();
        let median = times[times.len() / 2];
        eprintln!(
            "{count} concurrent streams ({name}, {rounds} batches, interleaved): median {:.2} ms, {:.0} streams/s",
            median.as_secs_f64() * 1e3,
            count as f64 / median.as_secs_f64()
        );
    }
}

/// The CPU time this process (the client side only) has used so far, all threads.
fn process_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// The client's CPU time per stream, `count` streams at a time, `streams` in all per client,
/// the clients taking turns batch by batch; prints each and the ratio to the first.
async fn cpu_per_stream(clients: &[(&str, Client)], count: usize, streams: usize) {
    let mut spent = vec![Duration::ZERO; clients.len()];
    for round in 0..=streams / count {
        for (i, (_, client)) in clients.iter().enumerate() {
            let before = process_cpu_time();
            concurrent_streams(client, count).await;
            // The first batch warms connections and caches up.
            if round > 0 {
                spent[i] += process_cpu_time() - before;
            }
        }
    }
    let per_stream: Vec<f64> = spent
        .iter()
        .map(|cpu| cpu.as_secs_f64() * 1e6 / streams as f64)
        .collect();
    for ((name, _), micros) in clients.iter().zip(&per_stream) {
        eprintln!(
            "client CPU per stream ({name}, {count} concurrent, {streams} streams, interleaved): {micros:.1} µs ({:.2}× {})",
            micros / per_stream[0],
            clients[0].0
        );
    }
}

/// One client alone (`E2E_ONLY`): `streams` streams, `count` at a time, after one warm-up
/// batch; prints the CPU time per stream. Its own function, so a profiler can select it.
#[inline(never)]
async fn only_client(name: &str, client: &Client, count: usize, streams: usize) {
    concurrent_streams(client, count).await;
    // rustix's vDSO lookup crashes under valgrind, which counts instructions anyway.
    if std::env::var_os("E2E_NO_CLOCK").is_some() {
        for _ in 0..streams.div_ceil(count) {
            concurrent_streams(client, count).await;
        }
        return;
    }
    let switches_before = context_switches();
    let before = process_cpu_time();
    for _ in 0..streams.div_ceil(count) {
        concurrent_streams(client, count).await;
    }
    let micros = (process_cpu_time() - before).as_secs_f64() * 1e6 / streams as f64;
    let switches = (context_switches() - switches_before) as f64 / streams as f64;
    eprintln!("client CPU per stream ({name} alone, {count} concurrent, {streams} streams): {micros:.1} µs, {switches:.1} context switches");
}

/// Context switches of this process's threads so far (each time a thread slept and woke).
fn context_switches() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|line| line.contains("ctxt_switches"))
                .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Opens `count` streams that stay open and reports heap and RSS growth per stream.
async fn memory_per_open_stream(name: &str, client: &Client, count: usize) {
    // Warm the connection pool's and the runtime's one-time allocations first.
    client.open("bench").await.finish().await;
    let heap_before = LIVE_HEAP.load(Ordering::Relaxed);
    let rss_before = resident_bytes();
    let mut open = Vec::with_capacity(count);
    for _ in 0..count {
        open.push(client.open(STALL_MODEL).await);
    }
    let heap = (LIVE_HEAP.load(Ordering::Relaxed) - heap_before) as f64 / count as f64;
    let rss = rss_before.abs_diff(resident_bytes()) as f64 / count as f64;
    eprintln!(
        "memory per open stream ({name}, {count} streams open after their first event): heap {:.1} KiB, RSS {:.1} KiB",
        heap / 1024.0,
        rss / 1024.0
    );
    drop(open);
}

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        return run_server();
    }
    let server = ServerChild::start(SERVER_ENV);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let clients = [
        ("chat_anthropic", Client::ours(&server.base_url, "bench")),
        ("reqwest_eventsource", Client::baseline(&server.base_url)),
    ];
    if let Ok(only) = std::env::var("E2E_ONLY") {
        let (name, client) = clients
            .iter()
            .find(|(name, _)| *name == only)
            .expect("E2E_ONLY names a client: chat_anthropic or reqwest_eventsource");
        let count = env_number("E2E_CONCURRENT", 1);
        let streams = env_number("E2E_STREAMS", 200);
        runtime.block_on(only_client(name, client, count, streams));
        return;
    }
    let mut criterion = Criterion::default().sample_size(20).configure_from_args();
    // `E2E_CPU_ONLY=1`: only the CPU time per stream (a minute instead of several).
    let cpu_only = std::env::var_os("E2E_CPU_ONLY").is_some();

    runtime.block_on(async {
        for (count, streams) in [(1, 2000), (1000, 8000)] {
            cpu_per_stream(&clients, count, streams).await;
        }
        if cpu_only {
            return;
        }
        time_to_first_event(&clients, 2000).await;
        for (count, rounds) in [(1, 400), (100, 30), (1000, 8)] {
            interleaved_streams(&clients, count, rounds).await;
        }
    });
    if cpu_only {
        return;
    }

    for count in [1, 100, 1000] {
        let mut group = criterion.benchmark_group(format!("streams_{count}"));
        group.throughput(Throughput::Elements(count as u64));
        if count == 1000 {
            group.sample_size(10);
        }
        for (name, client) in &clients {
            group.bench_function(*name, |b| {
                b.to_async(&runtime).iter_custom(|iters| async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        total += concurrent_streams(client, count).await;
                    }
                    total
                })
            });
        }
        group.finish();
    }

    for (name, _) in &clients {
        // A fresh client each, so neither inherits the other's pooled connections.
        let client = match *name {
            "chat_anthropic" => Client::ours(&server.base_url, STALL_MODEL),
            _ => Client::baseline(&server.base_url),
        };
        runtime.block_on(memory_per_open_stream(name, &client, 1000));
    }
    criterion.final_summary();
}
