//! The response cache (`compose::cache`): what a hit costs against the same reply streamed
//! live from the mock, and what the lookup itself costs in each store.
//!
//! `nice -n 10 cargo bench -p chat-anthropic-benches --bench cache -- --warm-up-time 1 --measurement-time 3`
//!
//! Two replies, served by the mock Messages server in a child process (this binary started
//! again with `CACHE_MOCK_SERVER=1`, as in `e2e.rs`), over HTTP on 127.0.0.1, unpaced (each
//! SSE event written as one chunk, as fast as the client reads):
//!
//! - `small`: a recorded reply with one tool call
//!   (`tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse`,
//!   4 KB of SSE, 32 events);
//! - `large`: `text.sse` of `../shared/tools/gen_streams.py` (2.0 MB, 14,551 text deltas).
//!
//! Groups:
//!
//! - `e2e_{small,large}_{invoke,stream,updates}`: the same request (`ChatModelExt::invoke`;
//!   `stream()` read to its end; `stream().updates()` read to its end) served `live` (a
//!   `ChatAnthropic`, no cache), by a `WithCache` hit from each store (`memory`, `sqlite`:
//!   a file in a temporary folder, `redis`: a `redis-server` this bench starts on a free
//!   loopback port), and as a `miss_memory` (a `WithCache` over a `MemoryStore` emptied
//!   before each call: the live call plus recording and storing the reply).
//! - `get_hit_{small,large}`, `get_miss`, `put_{small,large}`: the lookup and the write alone,
//!   through the `CacheStore` trait, of the entries `WithCache` stored for the two replies
//!   (the bytes the store holds; the entry's decoding is not in these rows, it is in the
//!   end-to-end hits).
//!
//! Before timing, each group checks once what it measures: a hit replays the same message,
//! events or updates as the live call (after taking out `cache_hit` and the live call's
//! rate-limit headers), marked `cache_hit`, and makes no request; a miss makes one request
//! and stores the reply; a lookup hit returns the stored bytes and a miss returns nothing.
//! `redis-server` must be on `PATH` (`apt-get install redis-server`): the bench fails
//! without it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chat_anthropic::compose::cache::{CacheStore, MemoryStore, RedisStore, SqliteStore, WithCache};
use chat_anthropic::compose::{ChatModel, ChatModelExt};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};
use criterion::{BatchSize, Criterion};
use futures_util::StreamExt;
use serde_json::Value;

#[path = "common/mod.rs"]
mod common;
#[path = "common/redis_server.rs"]
mod redis_server;
#[path = "common/server_child.rs"]
mod server_child;

use redis_server::RedisServer;
use server_child::ServerChild;

const SERVER_ENV: &str = "CACHE_MOCK_SERVER";
const PROMPT: &str = "Tell me everything about the response cache.";
const SMALL_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse"
);

/// The two replies, by the model name that asks for them.
fn replies() -> [(&'static str, Bytes); 2] {
    let small = std::fs::read(SMALL_FIXTURE).expect("the recorded small reply");
    [
        ("small", Bytes::from(small)),
        ("large", common::load("text.sse")),
    ]
}

/// The child process: serves the replies until the parent closes its stdin; answers `count`
/// with the number of requests served so far.
fn run_server() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let server = MockServer::builder()
            .any_model(true)
            .start()
            .await
            .expect("mock server");
        let [(_, small), (_, large)] = replies();
        server.set_responder(move |request| {
            if request.body["model"] == "large" {
                MockReply::sse_bytes(large.clone())
            } else {
                MockReply::sse_bytes(small.clone())
            }
        });
        println!("{}", server.base_url());
        use tokio::io::AsyncBufReadExt;
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.trim() == "count" {
                println!("{}", server.request_count());
            }
        }
    });
}

/// The requests the child has served so far.
fn requests_served(server: &mut ServerChild) -> u64 {
    server
        .ask("count")
        .trim()
        .parse()
        .expect("the child answers a count")
}

/// How a caller reads the reply.
#[derive(Clone, Copy)]
enum Path {
    Invoke,
    Stream,
    Updates,
}

impl Path {
    const ALL: [Path; 3] = [Path::Invoke, Path::Stream, Path::Updates];

    fn name(self) -> &'static str {
        match self {
            Path::Invoke => "invoke",
            Path::Stream => "stream",
            Path::Updates => "updates",
        }
    }

    /// One call read to its end, as timed: returns how many items it read (1 for `invoke`).
    async fn run(self, model: &dyn ChatModel) -> usize {
        match self {
            Path::Invoke => {
                let message = model.invoke(PROMPT).await.expect("the reply");
                std::hint::black_box(message);
                1
            }
            Path::Stream => {
                let mut stream = model.stream(PROMPT).await.expect("the stream opens");
                let mut count = 0;
                while let Some(event) = stream.next().await {
                    std::hint::black_box(event.expect("an event"));
                    count += 1;
                }
                count
            }
            Path::Updates => {
                let stream = model.stream(PROMPT).await.expect("the stream opens");
                let mut updates = stream.updates();
                let mut count = 0;
                while let Some(update) = updates.next().await {
                    std::hint::black_box(update.expect("an update"));
                    count += 1;
                }
                count
            }
        }
    }

    /// One call read to its end, kept as JSON for the checks.
    async fn record(self, model: &dyn ChatModel) -> Value {
        fn json(value: &impl serde::Serialize) -> Value {
            serde_json::to_value(value).expect("serializes")
        }
        match self {
            Path::Invoke => json(&model.invoke(PROMPT).await.expect("the reply")),
            Path::Stream => {
                let stream = model.stream(PROMPT).await.expect("the stream opens");
                let events: Vec<_> = stream.map(|e| e.expect("an event")).collect().await;
                json(&events)
            }
            Path::Updates => {
                let stream = model.stream(PROMPT).await.expect("the stream opens");
                let updates: Vec<_> = stream
                    .updates()
                    .map(|u| u.expect("an update"))
                    .collect()
                    .await;
                json(&updates)
            }
        }
    }
}

/// Takes every `cache_hit` and `rate_limits` member out of `value`; returns how many
/// `cache_hit: true` it took out.
fn strip_origin(value: &mut Value) -> usize {
    match value {
        Value::Object(members) => {
            let hits = usize::from(members.remove("cache_hit") == Some(Value::Bool(true)));
            members.remove("rate_limits");
            hits + members.values_mut().map(strip_origin).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(strip_origin).sum(),
        _ => 0,
    }
}

/// The three stores, each with its own `WithCache` over the same model.
struct Cached {
    memory: WithCache<ChatAnthropic, MemoryStore>,
    sqlite: WithCache<ChatAnthropic, SqliteStore>,
    redis: WithCache<ChatAnthropic, RedisStore>,
}

impl Cached {
    fn models(&self) -> [(&'static str, &dyn ChatModel); 3] {
        [
            ("memory", &self.memory),
            ("sqlite", &self.sqlite),
            ("redis", &self.redis),
        ]
    }
}

fn model(base_url: &str, name: &str) -> ChatAnthropic {
    ChatAnthropic::new(name)
        .base_url(base_url)
        .api_key("bench")
        .max_retries(0)
}

/// Checks a hit from each store and a miss against the live call (once per group, before
/// timing), so the bench fails rather than time the wrong thing.
async fn check_end_to_end(
    server: &mut ServerChild,
    path: Path,
    live: &ChatAnthropic,
    cached: &Cached,
    miss: &WithCache<ChatAnthropic, MemoryStore>,
) {
    let before = requests_served(server);
    let mut expected = path.record(live).await;
    assert_eq!(
        requests_served(server),
        before + 1,
        "the live call is served"
    );
    assert_eq!(strip_origin(&mut expected), 0, "the live call is no hit");
    for (name, model) in cached.models() {
        let before = requests_served(server);
        let mut replayed = path.record(model).await;
        assert_eq!(
            requests_served(server),
            before,
            "{name}: a hit makes no request"
        );
        // The updates carry no response metadata: only the message and the events say
        // `cache_hit`.
        let marks = strip_origin(&mut replayed);
        assert!(
            marks >= 1 || matches!(path, Path::Updates),
            "{name}: marked cache_hit"
        );
        assert_eq!(replayed, expected, "{name}: the hit replays the live reply");
    }
    miss.store().clear();
    let before = requests_served(server);
    let mut missed = path.record(miss).await;
    assert_eq!(
        requests_served(server),
        before + 1,
        "a miss makes a request"
    );
    assert_eq!(strip_origin(&mut missed), 0, "a miss is no hit");
    assert_eq!(missed, expected, "a miss reads the live reply");
    assert_eq!(miss.store().len(), 1, "a miss stores the reply");
}

fn end_to_end(
    criterion: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    server: &mut ServerChild,
    reply: &str,
    live: &ChatAnthropic,
    cached: &Cached,
) {
    let miss = WithCache::new(live.clone(), MemoryStore::new(16));
    for path in Path::ALL {
        runtime.block_on(check_end_to_end(server, path, live, cached, &miss));
        let mut group = criterion.benchmark_group(format!("e2e_{reply}_{}", path.name()));
        group.sample_size(20);
        group.bench_function("live", |b| b.to_async(runtime).iter(|| path.run(live)));
        for (name, model) in cached.models() {
            group.bench_function(name, |b| b.to_async(runtime).iter(|| path.run(model)));
        }
        group.bench_function("miss_memory", |b| {
            b.to_async(runtime).iter_batched(
                || miss.store().clear(),
                |()| path.run(&miss),
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }
}

/// The lookups and writes alone, through the trait, of the entries stored for each reply.
fn lookups(
    criterion: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    stores: &[(&'static str, &dyn CacheStore)],
    entries: &[(&'static str, Vec<u8>)],
) {
    for (reply, bytes) in entries {
        let key = format!("bench-lookup-{reply}");
        for (name, store) in stores {
            runtime.block_on(async {
                store.put(&key, bytes.clone()).await.expect("stored");
                let found = store.get(&key).await.expect("looked up");
                assert_eq!(
                    found.as_ref(),
                    Some(bytes),
                    "{name}: the hit returns the entry"
                );
            });
        }
        let mut group = criterion.benchmark_group(format!("get_hit_{reply}"));
        group.sample_size(50);
        for (name, store) in stores {
            group.bench_function(*name, |b| {
                b.to_async(runtime)
                    .iter(|| async { store.get(&key).await.expect("looked up").expect("a hit") })
            });
        }
        group.finish();
    }

    let absent = "bench-lookup-absent";
    let mut group = criterion.benchmark_group("get_miss");
    group.sample_size(50);
    for (name, store) in stores {
        let found = runtime.block_on(store.get(absent)).expect("looked up");
        assert!(found.is_none(), "{name}: a missing key is a miss");
        group.bench_function(*name, |b| {
            b.to_async(runtime).iter(|| async {
                assert!(store.get(absent).await.expect("looked up").is_none());
            })
        });
    }
    group.finish();

    for (reply, bytes) in entries {
        let key = format!("bench-put-{reply}");
        let mut group = criterion.benchmark_group(format!("put_{reply}"));
        group.sample_size(50);
        for (name, store) in stores {
            runtime.block_on(async {
                store.put(&key, bytes.clone()).await.expect("stored");
                let found = store.get(&key).await.expect("looked up");
                assert_eq!(
                    found.as_ref(),
                    Some(bytes),
                    "{name}: the write is read back"
                );
            });
            group.bench_function(*name, |b| {
                b.to_async(runtime).iter_batched(
                    || bytes.clone(),
                    |value| async { store.put(&key, value).await.expect("stored") },
                    BatchSize::SmallInput,
                )
            });
        }
        group.finish();
    }
}

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        run_server();
        return;
    }
    // Generates the streams before the child reads them.
    common::data_dir();
    let mut server = ServerChild::start(SERVER_ENV);
    let redis = RedisServer::start();
    let folder: PathBuf =
        std::env::temp_dir().join(format!("chat-anthropic-cache-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();

    let memory = Arc::new(MemoryStore::new(64));
    let sqlite = Arc::new(SqliteStore::open(folder.join("cache.sqlite")).expect("SQLite store"));
    let redis_store = Arc::new(
        runtime
            .block_on(RedisStore::connect(&redis.url))
            .expect("Redis store"),
    );

    let mut entries = Vec::new();
    for (reply, _) in replies() {
        let live = model(&server.base_url, reply);
        let cached = Cached {
            memory: WithCache::shared(live.clone(), memory.clone()),
            sqlite: WithCache::shared(live.clone(), sqlite.clone()),
            redis: WithCache::shared(live.clone(), redis_store.clone()),
        };
        // Fill each store: one miss each.
        runtime.block_on(async {
            for (name, model) in cached.models() {
                let before = requests_served(&mut server);
                model.invoke(PROMPT).await.expect("the reply");
                assert_eq!(
                    requests_served(&mut server),
                    before + 1,
                    "{name}: the first call is a miss"
                );
            }
        });
        let key = cached.memory.cache_key(PROMPT).expect("a key");
        let entry = runtime
            .block_on(memory.get(&key))
            .expect("looked up")
            .expect("the entry");
        println!("{reply}: entry of {} bytes", entry.len());
        entries.push((reply, entry));
        end_to_end(&mut criterion, &runtime, &mut server, reply, &live, &cached);
    }

    let stores: [(&'static str, &dyn CacheStore); 3] = [
        ("memory", &*memory),
        ("sqlite", &*sqlite),
        ("redis", &*redis_store),
    ];
    lookups(&mut criterion, &runtime, &stores, &entries);
    criterion.final_summary();
    drop(redis);
    let _ = std::fs::remove_dir_all(&folder);
}
