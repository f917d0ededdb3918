//! The SQLite cache store: entries survive a restart (a second process, this test binary
//! run again, answers from the file without a request), a damaged row is a miss.

use std::time::Duration;

use chat_anthropic::compose::cache::{SqliteStore, WithCache};
use chat_anthropic::compose::ChatModelExt;
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};

/// Set in the second process: the cache file and the mock's URL.
const CHILD_FILE: &str = "CHAT_ANTHROPIC_TEST_CACHE_FILE";
const CHILD_URL: &str = "CHAT_ANTHROPIC_TEST_CACHE_URL";

fn model(base_url: String) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(base_url)
        .api_key("test-key")
        .max_retries(0)
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "chat-anthropic-cache-{}-{name}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    dir.join("cache.sqlite")
}

/// In the first process: a reply is stored, then this same test runs in a second process
/// (`current_exe`, with the file and the mock's URL in its environment), which must answer
/// from the file. In the second process: that answer, checked.
#[tokio::test]
async fn entries_survive_a_restart_of_the_process() {
    if let (Ok(file), Ok(url)) = (std::env::var(CHILD_FILE), std::env::var(CHILD_URL)) {
        let cached = model(url).with_cache(SqliteStore::open(&file).unwrap());
        let reply = cached.invoke("Remember me").await.unwrap();
        assert_eq!(reply.response_metadata.extra["cache_hit"], true);
        println!("child reply: {}", reply.text());
        return;
    }
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("Stored on disk."));
    let file = temp_file("restart");
    let cached = model(server.base_url()).with_cache(SqliteStore::open(&file).unwrap());
    assert_eq!(
        cached.invoke("Remember me").await.unwrap().text(),
        "Stored on disk."
    );
    drop(cached);

    let child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "compose_cache_sqlite::entries_survive_a_restart_of_the_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_FILE, &file)
        .env(CHILD_URL, server.base_url())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), child)
        .await
        .expect("the second process ends within a minute")
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "second process: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("child reply: Stored on disk."), "{stdout}");
    assert!(
        stdout.contains("1 passed"),
        "the child ran the test: {stdout}"
    );
    assert_eq!(
        server.request_count(),
        1,
        "the second process made no request"
    );
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[tokio::test]
async fn a_corrupted_row_is_a_miss_then_the_right_reply() {
    let server = MockServer::start().await;
    let file = temp_file("corrupt");
    let cached = WithCache::new(model(server.base_url()), SqliteStore::open(&file).unwrap());
    cached.invoke("Hi").await.unwrap();
    let key = cached.cache_key("Hi").unwrap();

    // Damage the row in the file itself, as another program (or a bad disk) might.
    let connection = rusqlite::Connection::open(&file).unwrap();
    let changed = connection
        .execute(
            "UPDATE chat_anthropic_cache SET value = substr(value, 1, length(value) / 2) || x'00ff' WHERE key = ?1",
            [&key],
        )
        .unwrap();
    assert_eq!(changed, 1, "the row is there");

    let reply = cached.invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "Mock reply to: Hi");
    assert!(!reply.response_metadata.extra.contains_key("cache_hit"));
    assert_eq!(server.request_count(), 2, "the damaged row was a miss");
    let hit = cached.invoke("Hi").await.unwrap();
    assert_eq!(
        hit.response_metadata.extra["cache_hit"], true,
        "the row was replaced"
    );
    assert_eq!(server.request_count(), 2);

    // A row that is not even bytes of the right type.
    connection
        .execute(
            "UPDATE chat_anthropic_cache SET value = 42 WHERE key = ?1",
            [&key],
        )
        .unwrap();
    assert_eq!(
        cached.invoke("Hi").await.unwrap().text(),
        "Mock reply to: Hi"
    );
    assert_eq!(server.request_count(), 3);
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

#[tokio::test]
async fn a_ttl_expires_rows() {
    let server = MockServer::start().await;
    let file = temp_file("ttl");
    let store = SqliteStore::open(&file)
        .unwrap()
        .ttl(Duration::from_secs(1));
    let cached = model(server.base_url()).with_cache(store);
    cached.invoke("Hi").await.unwrap();
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    cached.invoke("Hi").await.unwrap();
    assert_eq!(server.request_count(), 2, "expired");
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}
