//! The Redis cache store against a real `redis-server` started on loopback for each test
//! (`apt-get install redis-server`; the tests are ignored without it, and CI runs them):
//! two connections (as two processes would) share entries, TTLs are Redis's, a damaged
//! value is a miss.

use std::time::Duration;

use chat_anthropic::compose::cache::{CacheStore, RedisStore, WithCache};
use chat_anthropic::compose::ChatModelExt;
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};

#[path = "../../benches/common/redis_server.rs"]
mod redis_server;
use redis_server::RedisServer;

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server): run with --include-ignored"]
async fn two_connections_share_entries_with_a_ttl() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("From Redis."));
    let ttl = Duration::from_secs(60);
    let writer = model(&server).with_cache(RedisStore::connect(&redis.url).await.unwrap().ttl(ttl));
    let store = RedisStore::connect(&redis.url).await.unwrap();
    let reader = WithCache::new(model(&server).api_key("another-key"), store.clone());

    assert_eq!(writer.invoke("Hi").await.unwrap().text(), "From Redis.");
    let hit = reader.invoke("Hi").await.unwrap();
    assert_eq!(hit.text(), "From Redis.");
    assert_eq!(hit.response_metadata.extra["cache_hit"], true);
    assert_eq!(
        server.request_count(),
        1,
        "the second connection answered from Redis"
    );

    let key = store.redis_key(&reader.cache_key("Hi").unwrap());
    let mut connection = redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let left: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((1..=60).contains(&left), "SET with EX: {left} s left");
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server): run with --include-ignored"]
async fn an_expired_or_damaged_entry_is_a_miss() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let store = RedisStore::connect(&redis.url)
        .await
        .unwrap()
        .ttl(Duration::from_secs(1));
    let cached = WithCache::new(model(&server), store.clone());
    cached.invoke("Hi").await.unwrap();
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 2, "Redis expired the entry");

    let key = cached.cache_key("Hi").unwrap();
    store
        .put(&key, b"{\"format\":\"chat-anthropic-cache\"}\n[".to_vec())
        .await
        .unwrap();
    let reply = cached.invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hi");
    assert!(!reply.response_metadata.extra.contains_key("cache_hit"));
    assert_eq!(server.request_count(), 3, "a damaged value is a miss");
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server): run with --include-ignored"]
async fn a_server_gone_is_a_miss_not_an_error() {
    let redis = RedisServer::start();
    let server = MockServer::start().await;
    let cached = model(&server).with_cache(RedisStore::connect(&redis.url).await.unwrap());
    cached.invoke("Hi").await.unwrap();
    drop(redis);
    let reply = tokio::time::timeout(Duration::from_secs(30), cached.invoke("Hi"))
        .await
        .expect("bounded")
        .expect("the model answers without its cache");
    assert_eq!(reply.text(), "Mock reply to: Hi");
    assert_eq!(server.request_count(), 2);
}
