//! Rate-limit headers typed on every reply, stream and error, and `batch` staying under the
//! limits the mock enforces.

use std::time::Duration;

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockRateLimits, MockReply, MockServer};
use futures_util::StreamExt;

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("sk-test-secret")
}

#[tokio::test]
async fn replies_and_streams_carry_the_typed_headers() {
    let server = MockServer::start().await;
    server.set_rate_limits(
        MockRateLimits::per(Duration::from_secs(60))
            .requests(50)
            .input_tokens(20_000)
            .output_tokens(8_000),
    );
    let llm = model(&server);
    let reply = llm.invoke("Hi").await.unwrap();
    let limits = reply.response_metadata.rate_limits.clone().unwrap();
    assert!(limits
        .request_id
        .as_deref()
        .unwrap()
        .starts_with("req_mock_"));
    let requests = limits.requests.unwrap();
    assert_eq!((requests.limit, requests.remaining), (Some(50), Some(49)));
    let input = limits.input_tokens.unwrap();
    assert_eq!(input.limit, Some(20_000));
    assert!(input.remaining.unwrap() < 20_000);
    let reset = requests.reset.unwrap();
    let until = reset.duration_since(std::time::SystemTime::now()).unwrap();
    assert!(until <= Duration::from_secs(60), "{until:?}");
    assert_eq!(limits.output_tokens.unwrap().limit, Some(8_000));
    assert!(limits.tokens.is_some());

    // A stream knows them before its first event.
    let mut stream = llm.stream("Hi").await.unwrap();
    let early = stream.rate_limits().cloned().unwrap();
    assert_eq!(early.requests.unwrap().remaining, Some(48));
    stream.next().await.unwrap().unwrap();
    let reply = stream.final_message().await.unwrap();
    assert_eq!(reply.response_metadata.rate_limits, Some(early));

    // Serialized with the message, and read back.
    let json = serde_json::to_value(&reply).unwrap();
    assert_eq!(
        json["response_metadata"]["rate_limits"]["requests"]["limit"],
        50
    );
}

#[tokio::test]
async fn without_rate_limit_mode_only_the_request_id_comes() {
    let server = MockServer::start().await;
    let reply = model(&server).invoke("Hi").await.unwrap();
    let limits = reply.response_metadata.rate_limits.unwrap();
    assert!(limits.request_id.is_some());
    assert!(!limits.has_limits());
}

async fn raw_post(server: &MockServer, path: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_mock_refuses_past_a_limit_with_retry_after_and_headers_on_every_response() {
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_secs(30)).requests(2));
    let body = serde_json::json!({"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]});
    for remaining in ["1", "0"] {
        let ok = raw_post(&server, "/v1/messages", body.clone()).await;
        assert_eq!(ok.status().as_u16(), 200);
        assert_eq!(
            ok.headers()["anthropic-ratelimit-requests-remaining"],
            remaining
        );
    }
    let refused = raw_post(&server, "/v1/messages", body.clone()).await;
    assert_eq!(refused.status().as_u16(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(refused.headers()["anthropic-ratelimit-requests-limit"], "2");
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["type"], "rate_limit_error");
    assert_eq!(server.rate_limited(), 1);
    // Other endpoints carry the headers too.
    let count = raw_post(
        &server,
        "/v1/messages/count_tokens",
        serde_json::json!({"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "Hi"}]}),
    )
    .await;
    assert_eq!(
        count.headers()["anthropic-ratelimit-requests-remaining"],
        "0"
    );
}

#[tokio::test]
async fn invoke_waits_for_the_reset_instead_of_running_into_the_limit() {
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_millis(700)).requests(1));
    let llm = model(&server).max_retries(0);
    let start = std::time::Instant::now();
    llm.invoke("one").await.unwrap();
    llm.clone().invoke("two").await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.rate_limited(), 0);
}

#[tokio::test]
async fn errors_carry_the_request_id_and_retry_after() {
    let server = MockServer::start().await;
    server
        .enqueue(MockReply::error(429, "rate_limit_error", "Slow down").header("retry-after", "7"));
    let err = model(&server)
        .max_retries(0)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.request_id().unwrap().starts_with("req_mock_"));
}

#[tokio::test]
async fn a_429_carries_the_typed_rate_limits_of_its_response() {
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_secs(30)).requests(1));
    let llm = model(&server).max_retries(0);
    llm.invoke("Hi").await.unwrap();
    // A model that has not seen the headers (its own limiter) runs into the limit.
    let fresh = model(&server).max_retries(0);
    let err = fresh.invoke("Hi again").await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    let limits = err.rate_limits().expect("rate limits on the error");
    let requests = limits.requests.expect("the requests limit");
    assert_eq!((requests.limit, requests.remaining), (Some(1), Some(0)));
    assert!(requests.reset.is_some());
    assert_eq!(limits.request_id.as_deref(), err.request_id());
}

#[tokio::test]
async fn an_input_token_limit_is_enforced_too() {
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_secs(30)).input_tokens(30));
    let llm = model(&server).max_retries(0);
    let long = "word ".repeat(100);
    let err = llm.invoke(long.as_str()).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert!(err.to_string().contains("input tokens"), "{err}");
}

/// The limiter is what keeps 429s from the caller: with no retries left to the transport,
/// each 429 that reached `batch` unhandled would be an error here.
#[tokio::test]
async fn batch_stays_under_the_limits_and_clones_share_the_limiter() {
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_millis(500)).requests(6));
    let llm = model(&server).max_retries(0);
    let clone = llm.clone();
    let prompts: Vec<String> = (0..18).map(|i| format!("prompt {i}")).collect();
    let (first, second) = tokio::time::timeout(
        Duration::from_secs(60),
        futures_util::future::join(
            llm.batch_with_concurrency(prompts.clone(), 8),
            clone.batch_with_concurrency(prompts.clone(), 8),
        ),
    )
    .await
    .expect("bounded");
    for (i, reply) in first.iter().chain(&second).enumerate() {
        let reply = reply.as_ref().unwrap_or_else(|e| panic!("{i}: {e}"));
        assert_eq!(reply.text(), format!("Mock reply to: prompt {}", i % 18));
    }
    // The very first window is learned from the first replies; later ones are known.
    assert!(
        server.rate_limited() <= 8,
        "{} refused",
        server.rate_limited()
    );
}

#[tokio::test]
async fn a_429_reaching_batch_is_waited_out_and_sent_again() {
    let server = MockServer::start().await;
    server
        .enqueue(MockReply::error(429, "rate_limit_error", "Slow down").header("retry-after", "1"));
    let llm = model(&server).max_retries(0);
    let replies = llm.batch(["Hi"]).await;
    assert_eq!(replies[0].as_ref().unwrap().text(), "Mock reply to: Hi");
    assert_eq!(server.requests().len(), 2);
}
