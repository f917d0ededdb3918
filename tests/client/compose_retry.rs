//! A retry policy as a value over real HTTP against the mock server: attempts counted by the
//! mock, the back-off's bounds in time, which errors are retried, streams retried only
//! before content, and each batch item retried on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_anthropic::compose::{ChatModelExt, ErrorFilter, RetryPolicy, RunConfig};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};
use futures_util::StreamExt;

/// A model without built-in retries, so the policy alone decides.
fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .max_retries(0)
        .retry_before_content(false)
        .base_url(server.base_url())
        .api_key("test")
}

fn overloaded() -> MockReply {
    MockReply::error(529, "overloaded_error", "Overloaded")
}

/// Short, exact waits: 40 ms, then 80 ms.
fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::new(attempts)
        .initial_delay(Duration::from_millis(40))
        .multiplier(2.0)
        .jitter(0.0)
}

#[tokio::test]
async fn attempts_are_counted_by_the_mock_and_the_back_off_is_waited() {
    let server = MockServer::start().await;
    server.enqueue(overloaded());
    server.enqueue(overloaded());
    server.enqueue(MockReply::text("third"));
    let llm = model(&server).with_retry(quick(3));

    let started = Instant::now();
    let reply = llm.invoke("Hi").await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(reply.text(), "third");
    assert_eq!(server.request_count(), 3);
    assert!(
        elapsed >= Duration::from_millis(120),
        "40 + 80 ms waited: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "no longer than asked: {elapsed:?}"
    );
}

#[tokio::test]
async fn when_attempts_run_out_the_last_error_is_returned() {
    let server = MockServer::start().await;
    for _ in 0..5 {
        server.enqueue(overloaded());
    }
    let err = model(&server)
        .with_retry(quick(3))
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(529));
    assert_eq!(server.request_count(), 3, "exactly max_attempts requests");
}

#[tokio::test]
async fn jitter_keeps_each_wait_between_its_floor_and_the_full_back_off() {
    let server = MockServer::start().await;
    server.enqueue(overloaded());
    server.enqueue(MockReply::text("second"));
    let policy = RetryPolicy::new(2)
        .initial_delay(Duration::from_millis(200))
        .jitter(0.5);
    let started = Instant::now();
    model(&server)
        .with_retry(policy)
        .invoke("Hi")
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn an_error_the_policy_does_not_name_is_not_retried() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::error(400, "invalid_request_error", "bad"));
    let err = model(&server)
        .with_retry(quick(5))
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(server.request_count(), 1);

    server.enqueue(MockReply::error(500, "api_error", "Internal"));
    let only_overload = quick(5).retry_on(ErrorFilter::overloaded());
    let err = model(&server)
        .with_retry(only_overload)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_stream_is_retried_before_content_and_never_after() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("hidden").error_event_before_content("overloaded_error", "Overloaded"),
    );
    server.enqueue(MockReply::text("one two three"));
    let llm = model(&server).with_retry(quick(3));
    let text: Vec<String> = llm
        .stream("Hi")
        .await
        .unwrap()
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(text.concat(), "one two three");
    assert_eq!(server.request_count(), 2);

    // Content handed out, then a break: the stream's error, no new request.
    server.enqueue(MockReply::text("one two three four five").drop_after_events(4));
    let mut pieces = llm.stream("Hi").await.unwrap().text();
    let mut shown = String::new();
    let mut failure = None;
    while let Some(piece) = pieces.next().await {
        match piece {
            Ok(piece) => shown.push_str(&piece),
            Err(err) => failure = Some(err),
        }
    }
    let err = failure.expect("the break is reported");
    assert!(!shown.is_empty());
    assert_eq!(err.partial_message().unwrap().text(), shown);
    assert_eq!(server.request_count(), 3, "not retried after content");
}

#[tokio::test]
async fn each_batch_item_is_retried_on_its_own() {
    let server = MockServer::start().await;
    // Every prompt fails the first time it is seen.
    let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    server.set_responder(move |request| {
        let prompt = request.body["messages"][0]["content"].to_string();
        let mut seen = seen.lock().unwrap();
        let count = seen.entry(prompt).or_default();
        *count += 1;
        if *count == 1 {
            MockReply::error(529, "overloaded_error", "Overloaded")
        } else {
            MockReply::text("ok")
        }
    });
    let llm = model(&server).with_retry(quick(2));
    let replies = llm
        .batch_with(["a", "b", "c"], &RunConfig::new().max_concurrency(2))
        .await;
    assert!(replies
        .iter()
        .all(|r| r.as_ref().is_ok_and(|m| m.text() == "ok")));
    assert_eq!(server.request_count(), 6, "two attempts per item");
}
