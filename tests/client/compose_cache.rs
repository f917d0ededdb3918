//! The response cache over real HTTP against the mock server: a hit makes no request and
//! streams the same updates, chunks and message as the miss; the key leaves out the API key
//! and sees the settings; damaged entries and cut streams are misses, never errors; the
//! in-memory store is bounded; identical concurrent calls make one request.

use std::sync::Arc;
use std::time::Duration;

use chat_anthropic::compose::cache::{CacheStore, MemoryStore, WithCache};
use chat_anthropic::compose::{ChatModel, ChatModelExt};
use chat_anthropic::{AIMessage, AIMessageChunk, ChatAnthropic, StreamUpdate};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::json;

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

fn reply_with_a_tool_call() -> MockReply {
    MockReply::script(MockScript::new().text("Writing it.").tool_use(
        "toolu_1",
        "write_file",
        json!({"path": "a.txt", "content": "one two three"}),
    ))
}

async fn updates<M: ChatModel>(model: &M, input: &str) -> Vec<StreamUpdate> {
    let mut stream = model.stream(input).await.expect("a stream").updates();
    let mut out = Vec::new();
    while let Some(update) = stream.next().await {
        out.push(update.expect("an update"));
    }
    out
}

async fn chunks<M: ChatModel>(model: &M, input: &str) -> AIMessageChunk {
    let mut stream = model.stream(input).await.expect("a stream").chunks();
    let mut sum = AIMessageChunk::default();
    while let Some(chunk) = stream.next().await {
        sum += chunk.expect("a chunk");
    }
    sum
}

/// The message without what says where it came from (the cache mark, the response headers)
/// and the id (the mock numbers its replies).
fn content_of(mut reply: AIMessage) -> AIMessage {
    reply.response_metadata.extra.remove("cache_hit");
    reply.response_metadata.rate_limits = None;
    reply.response_metadata.id.clear();
    reply.id = None;
    reply
}

#[tokio::test]
async fn a_hit_makes_no_request_and_streams_the_same_updates_chunks_and_message() {
    let server = MockServer::start().await;
    server.enqueue(reply_with_a_tool_call());
    let cached = model(&server).with_cache(MemoryStore::new(10));

    let live = updates(&cached, "Write a.txt").await;
    assert_eq!(server.request_count(), 1);
    assert!(
        live.iter()
            .any(|u| matches!(u, StreamUpdate::ToolCallDone { .. })),
        "{live:?}"
    );

    let replayed = updates(&cached, "Write a.txt").await;
    assert_eq!(replayed, live, "the hit streams the same updates");
    let summed = chunks(&cached, "Write a.txt").await;
    let invoked = cached.invoke("Write a.txt").await.unwrap();
    assert_eq!(server.request_count(), 1, "hits make no request");

    assert_eq!(invoked.response_metadata.extra["cache_hit"], true);
    assert_eq!(summed.response_metadata.extra["cache_hit"], true);
    assert!(invoked.response_metadata.rate_limits.is_none());
    assert_eq!(invoked.tool_calls[0].args["content"], "one two three");
    assert_eq!(summed.tool_calls(), invoked.tool_calls);

    // The hit is the first reply (its id too); the same reply, live, from a model without
    // the cache is equal to it but for the marks and the id.
    let first_id = live
        .iter()
        .find_map(|u| match u {
            StreamUpdate::MessageStarted { id, .. } => Some(id.clone()),
            _ => None,
        })
        .expect("the message started");
    assert_eq!(invoked.response_metadata.id, first_id);
    server.enqueue(reply_with_a_tool_call());
    let fresh = model(&server).invoke("Write a.txt").await.unwrap();
    assert!(!fresh.response_metadata.extra.contains_key("cache_hit"));
    assert_eq!(content_of(invoked), content_of(fresh));
}

#[tokio::test]
async fn the_key_leaves_out_the_api_key_and_sees_the_settings() {
    let server = MockServer::start().await;
    let store = Arc::new(MemoryStore::new(10));
    let one = WithCache::shared(model(&server).api_key("sk-one"), store.clone());
    let two = WithCache::shared(model(&server).api_key("sk-two"), store.clone());
    let warmer = WithCache::shared(model(&server).temperature(0.7), store.clone());

    let first = one.invoke("Hi").await.unwrap();
    let second = two.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 1, "another API key, the same entry");
    assert_eq!(second.text(), first.text());
    assert_eq!(store.len(), 1);

    warmer.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 2, "another temperature is a miss");
    let body = &server.requests()[1].body;
    assert_eq!(body["temperature"], 0.7);
    one.invoke("Hello").await.unwrap();
    assert_eq!(server.request_count(), 3, "other messages are a miss");
    assert_eq!(store.len(), 3);
}

#[tokio::test]
async fn damaged_entries_are_misses_then_replaced_by_the_right_reply() {
    let server = MockServer::start().await;
    let store = Arc::new(MemoryStore::new(10));
    let cached = WithCache::shared(model(&server), store.clone());
    let key = cached.cache_key("Hi").unwrap();

    // Garbage, then an entry of another format version, then an entry cut before its end.
    store
        .put(&key, b"\x00\xffnot an entry".to_vec())
        .await
        .unwrap();
    let reply = cached.invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hi");
    assert!(!reply.response_metadata.extra.contains_key("cache_hit"));
    assert_eq!(server.request_count(), 1);

    let good = store
        .get(&key)
        .await
        .unwrap()
        .expect("replaced by the reply");
    let text = String::from_utf8(good.clone()).unwrap();
    let newline = text.find('\n').unwrap();
    let wrong_version = text.replacen("\"version\":1", "\"version\":2", 1);
    let cut = text[..newline + (text.len() - newline) / 2].to_owned();
    for damaged in [wrong_version, cut] {
        store.put(&key, damaged.into_bytes()).await.unwrap();
        let before = server.request_count();
        let reply = cached.invoke("Hi").await.unwrap();
        assert_eq!(reply.text(), "Mock reply to: Hi");
        assert_eq!(
            server.request_count(),
            before + 1,
            "a damaged entry is a miss"
        );
    }
    // And the last reply was stored whole again.
    let hit = cached.invoke("Hi").await.unwrap();
    assert_eq!(hit.response_metadata.extra["cache_hit"], true);
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn a_stream_cut_midway_or_dropped_early_is_not_stored() {
    let server = MockServer::start().await;
    let store = Arc::new(MemoryStore::new(10));
    let cached = WithCache::shared(model(&server), store.clone());

    server.enqueue(MockReply::text("one two three four five six").drop_after_events(5));
    let error = cached.invoke("Hi").await.expect_err("the connection broke");
    assert!(!error.to_string().is_empty());
    server.enqueue(MockReply::text("never seen").error_event_after(
        4,
        "overloaded_error",
        "Overloaded",
    ));
    cached
        .invoke("Hi")
        .await
        .expect_err("the stream carried an error");
    assert!(store.is_empty(), "nothing stored from a broken stream");

    // A reader that stops after the first event stores nothing either.
    server.enqueue(
        MockReply::text("half read")
            .chunk_size(8)
            .delay(Duration::from_millis(5)),
    );
    let mut stream = cached.stream("Hi").await.unwrap();
    stream.next().await.expect("message_start").unwrap();
    drop(stream);
    assert!(
        store.is_empty(),
        "nothing stored from a stream dropped early"
    );

    let reply = cached.invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hi");
    assert_eq!(store.len(), 1);
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn the_memory_store_evicts_the_least_recently_used() {
    let server = MockServer::start().await;
    let store = Arc::new(MemoryStore::new(2));
    let cached = WithCache::shared(model(&server), store.clone());
    cached.invoke("a").await.unwrap();
    cached.invoke("b").await.unwrap();
    cached.invoke("a").await.unwrap(); // a hit: "a" is now the most recently used
    assert_eq!(server.request_count(), 2);
    cached.invoke("c").await.unwrap(); // evicts "b"
    assert_eq!(store.len(), 2);
    cached.invoke("a").await.unwrap();
    assert_eq!(server.request_count(), 3, "\"a\" was kept");
    cached.invoke("b").await.unwrap();
    assert_eq!(server.request_count(), 4, "\"b\" was evicted");
}

#[tokio::test]
async fn a_ttl_expires_entries() {
    let server = MockServer::start().await;
    let cached = model(&server).with_cache(MemoryStore::new(10).ttl(Duration::from_millis(200)));
    cached.invoke("Hi").await.unwrap();
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 2, "expired");
}

#[tokio::test]
async fn concurrent_identical_calls_make_one_request() {
    let server = MockServer::start().await;
    // Slow enough that every call starts while the first is streaming.
    server.enqueue(
        MockReply::text("shared answer")
            .chunk_size(16)
            .delay(Duration::from_millis(20)),
    );
    let cached = model(&server).with_cache(MemoryStore::new(10));
    let calls = (0..8).map(|_| cached.invoke("Hi"));
    let replies = tokio::time::timeout(
        Duration::from_secs(20),
        futures_util::future::join_all(calls),
    )
    .await
    .expect("bounded");
    assert_eq!(
        server.request_count(),
        1,
        "eight identical calls, one request"
    );
    let hits = replies
        .into_iter()
        .map(|reply| {
            let reply = reply.expect("a reply");
            assert_eq!(reply.text(), "shared answer");
            reply.response_metadata.extra.contains_key("cache_hit")
        })
        .filter(|hit| *hit)
        .count();
    assert_eq!(hits, 7, "one from the API, the others replayed");
}

#[tokio::test]
async fn when_the_first_call_fails_a_waiter_goes_to_the_api() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("a long reply that breaks")
            .chunk_size(8)
            .delay(Duration::from_millis(20))
            .drop_after_bytes(300),
    );
    server.enqueue(MockReply::text("the second try"));
    let cached = model(&server).with_cache(MemoryStore::new(10));
    let first = cached.invoke("Hi");
    let second = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        cached.invoke("Hi").await
    };
    let (first, second) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(first, second)
    })
    .await
    .expect("bounded");
    first.expect_err("the first stream broke");
    assert_eq!(
        second.expect("the waiter's own call").text(),
        "the second try"
    );
    assert_eq!(server.request_count(), 2);
}
