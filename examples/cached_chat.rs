//! A response cache around `ChatAnthropic` (LangChain's `set_llm_cache(SQLiteCache(...))`):
//! the same question asked twice is answered once by the model; the second run is replayed
//! from a SQLite file, as a stream, without a request.
//!
//! ```text
//! cargo run --example cached_chat --features cache-sqlite [-- CACHE_FILE]
//! ```
//!
//! With `ANTHROPIC_API_KEY` set it calls the real API, and the file (by default
//! `chat-anthropic-cached-chat.sqlite` in the system's temporary directory) keeps the replies
//! across runs of the program: run it twice and the second run makes no request. Without the
//! key it starts a local mock Messages server (on a new port each time, and the base URL is
//! part of the cache key, so each offline run starts with its own entry) and shows the second
//! pass, through a store opened afresh on the same file as after a restart, served from the
//! cache.

mod common;

use std::io::Write;
use std::time::Instant;

use chat_anthropic::compose::cache::SqliteStore;
use chat_anthropic::compose::ChatModelExt;
use chat_anthropic::AIMessageChunk;
use chat_anthropic_mock::MockReply;
use common::real_or_mock;
use futures_util::StreamExt;

const QUESTION: &str = "In one sentence: why is the sky blue?";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("chat-anthropic-cached-chat.sqlite"),
        Into::into,
    );
    let (llm, mock) = real_or_mock("claude-haiku-4-5", |_| {
        MockReply::text("Sunlight scatters off air molecules, and blue light scatters the most.")
    })
    .await;
    let llm = llm.max_tokens(200).temperature(0.0);
    println!("cache file: {}\n", file.display());

    for run in 1..=2 {
        // A new store on the same file each run: what a restarted program would open.
        let cached = llm.clone().with_cache(SqliteStore::open(&file)?);
        let started = Instant::now();
        let mut chunks = cached.stream(QUESTION).await?.chunks();
        let mut reply = AIMessageChunk::default();
        print!("run {run}: ");
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            print!("{}", chunk.text());
            std::io::stdout().flush()?;
            reply += chunk;
        }
        // A replayed reply says so in its metadata.
        let source = if reply.response_metadata.extra.get("cache_hit") == Some(&true.into()) {
            "served from the cache"
        } else {
            "from the model"
        };
        println!("\n       ({source}, {} ms)", started.elapsed().as_millis());
    }
    if let Some(mock) = mock {
        println!("\nrequests to the mock server: {}", mock.request_count());
    }
    Ok(())
}
