//! Soak: many requests through one client against the mock server in a child process, with the
//! client's memory (RSS) and open file descriptors sampled before, during and after.
//!
//! ```text
//! cargo bench -p chat-anthropic-benches --bench soak
//! ```
//!
//! 1. 10,000 sequential `invoke`s (one connection, reused);
//! 2. 1,000 concurrent streams read to the end;
//! 3. 500 concurrent streams dropped after their first text: the server must count 500
//!    cancelled streams, and the client's descriptors must come back to the baseline.
//!
//! Not a test: it reports figures (for BENCHMARKS.md) and asserts only what must hold
//! whatever the machine (every reply whole, 500 cancellations seen, no descriptor left open).
//! Linux only (it reads `/proc/self`).

use std::io::BufRead;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};
use futures_util::StreamExt;

const SERVER_ENV: &str = "SOAK_MOCK_SERVER";
const SEQUENTIAL: usize = 10_000;
const CONCURRENT: usize = 1_000;
const DROPPED: usize = 500;
/// The question that gets the slow reply the client abandons.
const SLOW: &str = "slow";
const MODEL: &str = "claude-sonnet-4-6";

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        return run_server();
    }
    // `cargo bench` passes `--bench`; nothing else to parse.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(soak());
}

/// The child: a mock server answering short replies quickly, paced replies for the
/// concurrent phase, and a long slow reply to `SLOW`. Reads commands on stdin: `stats`
/// prints `requests cancelled`; end of input stops it.
fn run_server() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let server = MockServer::builder()
            .request_log_limit(0)
            .start()
            .await
            .expect("mock server");
        server.set_responder(|request| {
            let question = request.body["messages"][0]["content"]
                .as_str()
                .unwrap_or_default();
            match question {
                SLOW => MockReply::text("word ".repeat(500)).delay(Duration::from_millis(10)),
                "paced" => MockReply::text("word ".repeat(20)).delay(Duration::from_millis(5)),
                _ => MockReply::text("A short reply of a few words."),
            }
        });
        println!("{}", server.base_url());
        let server = Arc::new(server);
        let answering = server.clone();
        tokio::task::spawn_blocking(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if line.trim() == "stats" {
                    println!(
                        "{} {}",
                        answering.request_count(),
                        answering.cancelled_streams()
                    );
                }
            }
        })
        .await
        .ok();
    });
}

#[path = "common/server_child.rs"]
mod server_child;
use server_child::ServerChild;

/// (requests received, streams cancelled), as the server counts them.
fn stats(server: &mut ServerChild) -> (u64, u64) {
    let line = server.ask("stats");
    let mut numbers = line.split_whitespace().map(|n| n.parse().expect("a count"));
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

/// The client's resident memory and open descriptors.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    rss_kib: u64,
    fds: u64,
}

fn sample() -> Sample {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0);
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64);
    Sample { rss_kib, fds }
}

/// The highest RSS and descriptor count seen while `running`, sampled every 20 ms.
fn sampler(running: Arc<AtomicBool>) -> tokio::task::JoinHandle<Sample> {
    tokio::spawn(async move {
        let mut peak = sample();
        while running.load(Ordering::SeqCst) {
            let now = sample();
            peak.rss_kib = peak.rss_kib.max(now.rss_kib);
            peak.fds = peak.fds.max(now.fds);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peak
    })
}

fn row(label: &str, sample: Sample) {
    println!(
        "| {label} | {:.1} | {} |",
        sample.rss_kib as f64 / 1024.0,
        sample.fds
    );
}

fn client(base_url: &str) -> ChatAnthropic {
    ChatAnthropic::new(MODEL)
        .base_url(base_url)
        .api_key("soak-key")
        .max_tokens(64)
}

async fn soak() {
    let mut server = ServerChild::start(SERVER_ENV);
    let baseline = sample();
    println!("| client, when | RSS (MiB) | open fds |\n|---|---|---|");
    row("baseline (server child started)", baseline);

    // 1. Sequential requests.
    let llm = client(&server.base_url);
    let start = Instant::now();
    for n in 1..=SEQUENTIAL {
        let reply = llm.invoke("Hi").await.expect("a reply");
        assert_eq!(reply.text(), "A short reply of a few words.");
        if n == 100 || n % 2_500 == 0 {
            row(&format!("sequential: after {n}"), sample());
        }
    }
    let sequential = start.elapsed();
    drop(llm);
    settle(baseline.fds).await;
    row("sequential: client dropped", sample());

    // 2. Concurrent streams read to the end.
    let llm = client(&server.base_url);
    let running = Arc::new(AtomicBool::new(true));
    let peak = sampler(running.clone());
    let whole = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let (llm, whole) = (llm.clone(), whole.clone());
            tokio::spawn(async move {
                let reply = llm.invoke("paced").await.expect("a reply");
                if reply.text() == "word ".repeat(20) {
                    whole.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let concurrent = start.elapsed();
    running.store(false, Ordering::SeqCst);
    row("concurrent: peak during", peak.await.expect("sampler"));
    assert_eq!(whole.load(Ordering::SeqCst), CONCURRENT as u64);
    row("concurrent: after (idle pool open)", sample());
    drop(llm);
    settle(baseline.fds).await;
    row("concurrent: client dropped", sample());

    // 3. Streams dropped mid-way.
    let (_, cancelled_before) = stats(&mut server);
    let llm = client(&server.base_url);
    let running = Arc::new(AtomicBool::new(true));
    let peak = sampler(running.clone());
    let tasks: Vec<_> = (0..DROPPED)
        .map(|_| {
            let llm = llm.clone();
            tokio::spawn(async move {
                let mut text = llm.stream(SLOW).await.expect("a stream").text();
                let first = text.next().await.expect("some text").expect("text");
                assert!(first.starts_with("word"));
                // Dropped here, mid-way through a 500-word reply.
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    running.store(false, Ordering::SeqCst);
    row("dropped: peak during", peak.await.expect("sampler"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let cancelled = loop {
        let (_, cancelled) = stats(&mut server);
        let cancelled = cancelled - cancelled_before;
        if cancelled >= DROPPED as u64 || Instant::now() > deadline {
            break cancelled;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    drop(llm);
    settle(baseline.fds).await;
    let after = sample();
    row("dropped: after, client dropped", after);
    let (requests, _) = stats(&mut server);

    println!();
    println!(
        "sequential: {SEQUENTIAL} requests in {:.2} s ({:.0} requests/s)",
        sequential.as_secs_f64(),
        SEQUENTIAL as f64 / sequential.as_secs_f64()
    );
    println!(
        "concurrent: {CONCURRENT} streams in {:.2} s",
        concurrent.as_secs_f64()
    );
    println!("dropped: the server counted {cancelled} cancelled streams of {DROPPED}");
    println!("server: {requests} requests in all");
    assert_eq!(cancelled, DROPPED as u64, "every dropped stream is seen");
    assert_eq!(after.fds, baseline.fds, "descriptors back to the baseline");
}

/// Gives closing sockets a moment to go (bounded), until the count is back to `fds`.
async fn settle(fds: u64) {
    for _ in 0..100 {
        if sample().fds <= fds {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
