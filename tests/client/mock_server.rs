//! The mock Messages server on its own, spoken to with a plain HTTP client: it must refuse
//! what the API refuses and answer in the API's shapes.

use std::time::{Duration, Instant};

use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::{json, Value};

async fn post(
    server: &MockServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const API_HEADERS: [(&str, &str); 2] = [("x-api-key", "k"), ("anthropic-version", "2023-06-01")];

fn error_message(body: &Value) -> &str {
    assert_eq!(body["type"], "error", "{body}");
    assert!(body["request_id"]
        .as_str()
        .unwrap()
        .starts_with("req_mock_"));
    body["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn refuses_requests_the_api_would_refuse() {
    let server = MockServer::start().await;
    let cases = [
        (
            json!({"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "Hi"}]}),
            "max_tokens: Field required",
        ),
        (
            json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": []}),
            "at least one message",
        ),
        (
            json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                {"role": "user", "content": "no result"}
            ]}),
            "without `tool_result`",
        ),
        (
            json!({"max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}),
            "model: Field required",
        ),
    ];
    for (body, expected) in cases {
        let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(reply["error"]["type"], "invalid_request_error");
        assert!(error_message(&reply).contains(expected), "{reply}");
    }
    let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, "{not json").await;
    assert_eq!(status, 400);
    assert!(error_message(&reply).contains("parsing the body"));
}

#[tokio::test]
async fn checks_the_key_and_version_headers() {
    let server = MockServer::start().await;
    let body =
        json!({"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]})
            .to_string();
    let (status, reply) = post(
        &server,
        "/v1/messages",
        &[("anthropic-version", "2023-06-01")],
        &body,
    )
    .await;
    assert_eq!(
        (status, reply["error"]["type"].as_str()),
        (401, Some("authentication_error"))
    );
    let (status, _) = post(&server, "/v1/messages", &[("x-api-key", "k")], &body).await;
    assert_eq!(status, 400);
    let (status, reply) = post(&server, "/v1/nothing", &API_HEADERS, &body).await;
    assert_eq!(
        (status, reply["error"]["type"].as_str()),
        (404, Some("not_found_error"))
    );
}

#[tokio::test]
async fn answers_without_streaming_in_the_message_shape() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new().thinking("Think.", "sig").tool_use(
            "toolu_1",
            "get_weather",
            json!({"location": "Paris"}),
        ),
    ));
    let body = json!({"model": "claude-sonnet-4-6", "max_tokens": 2000, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(reply["type"], "message");
    assert_eq!(reply["stop_reason"], "tool_use");
    assert_eq!(
        reply["content"][0],
        json!({"type": "thinking", "thinking": "Think.", "signature": "sig"})
    );
    assert_eq!(reply["content"][1]["input"], json!({"location": "Paris"}));
}

#[tokio::test]
async fn streams_a_recorded_file_as_served_and_assembles_it_when_not_streaming() {
    let server = MockServer::start().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recorded/genai__usage_stream__0.sse"
    );
    server.enqueue(MockReply::sse_file(path));
    server.enqueue(MockReply::sse_file(path));
    let streaming = json!({"model": "claude-sonnet-4-6", "max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "Hi"}]});
    let (_, raw) = post(
        &server,
        "/v1/messages",
        &API_HEADERS,
        &streaming.to_string(),
    )
    .await;
    assert_eq!(
        raw.as_str().unwrap().as_bytes(),
        std::fs::read(path).unwrap()
    );
    let mut plain = streaming;
    plain["stream"] = json!(false);
    let (_, message) = post(&server, "/v1/messages", &API_HEADERS, &plain.to_string()).await;
    assert_eq!(message["type"], "message");
    assert!(message["usage"]["output_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn counts_tokens_without_max_tokens() {
    let server = MockServer::start().await;
    let body = json!({"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "Hello there"}]});
    let (status, reply) = post(
        &server,
        "/v1/messages/count_tokens",
        &API_HEADERS,
        &body.to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(reply["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(server.requests()[0].path, "/v1/messages/count_tokens");
}

#[tokio::test]
async fn an_unreadable_recording_is_a_500_that_says_why() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::sse_file("/no/such/file.sse"));
    let body = json!({"model": "claude-sonnet-4-6", "max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
    assert_eq!(status, 500);
    assert!(error_message(&reply).contains("/no/such/file.sse"));
}

#[tokio::test]
async fn an_unknown_model_is_the_api_s_404() {
    let server = MockServer::start().await;
    let body = json!({"model": "claude-nonexistent-rig-test", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]});
    let recorded: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recorded/rig__error_envelope__nonexistent_model_streaming_error_preserves_status_and_body__0.error.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for path in ["/v1/messages", "/v1/messages/count_tokens"] {
        let (status, reply) = post(&server, path, &API_HEADERS, &body.to_string()).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(reply["error"], recorded["error"], "{path}");
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let (mut ours, mut theirs) = (keys(&reply), keys(&recorded));
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
    }
    // Dated names, aliases and older generations are all served.
    for model in [
        "claude-sonnet-4-6",
        "claude-opus-4-8",
        "claude-haiku-4-5-20251001",
        "claude-3-5-sonnet-20241022",
    ] {
        let body = json!({"model": model, "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]});
        let (status, _) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
        assert_eq!(status, 200, "{model}");
    }
}

#[tokio::test]
async fn any_model_is_accepted_when_asked() {
    let server = MockServer::builder().any_model(true).start().await.unwrap();
    let body = json!({"model": "my-fine-tune", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["model"], "my-fine-tune");
}

/// The `usage` of a non-streaming reply to a request whose system prompt of `chars`
/// characters is marked for caching.
async fn cached_usage(server: &MockServer, model: &str, chars: usize) -> Value {
    let body = json!({"model": model, "max_tokens": 5,
        "system": [{"type": "text", "text": "s".repeat(chars), "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post(server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
    assert_eq!(status, 200, "{reply}");
    reply["usage"].clone()
}

#[tokio::test]
async fn a_prefix_below_the_model_s_minimum_is_not_cached() {
    let server = MockServer::start().await;
    // ~2,000 tokens: over Sonnet's 1,024-token minimum, under Haiku 4.5's 4,096.
    for _ in 0..2 {
        let haiku = cached_usage(&server, "claude-haiku-4-5", 8000).await;
        assert_eq!(haiku["cache_creation_input_tokens"], 0, "{haiku}");
        assert_eq!(haiku["cache_read_input_tokens"], 0, "{haiku}");
        assert!(haiku["input_tokens"].as_u64().unwrap() > 1900, "{haiku}");
    }
    let written = cached_usage(&server, "claude-sonnet-4-6", 8000).await;
    assert!(
        written["cache_creation_input_tokens"].as_u64().unwrap() > 1900,
        "{written}"
    );
    let read = cached_usage(&server, "claude-sonnet-4-6", 8000).await;
    assert_eq!(
        read["cache_read_input_tokens"],
        written["cache_creation_input_tokens"]
    );
    // ~500 tokens: under Sonnet's minimum too.
    for _ in 0..2 {
        let short = cached_usage(&server, "claude-sonnet-4-6", 2000).await;
        assert_eq!(short["cache_creation_input_tokens"], 0, "{short}");
        assert_eq!(short["cache_read_input_tokens"], 0, "{short}");
    }
}

/// A streamed response's events as they arrive: (event name, data, time since the request).
struct Arrived {
    events: Vec<(String, Value, Duration)>,
    /// The body ended (rather than the reading stopped at the deadline).
    ended: bool,
    /// The connection broke before the body ended.
    broken: bool,
}

/// Streams a request and collects its events until the body ends, `deadline` passes or
/// `enough` events arrived.
async fn stream_events(server: &MockServer, deadline: Duration, enough: usize) -> Arrived {
    let body = json!({"model": "claude-sonnet-4-6", "max_tokens": 50, "stream": true,
        "messages": [{"role": "user", "content": "Hi"}]});
    let start = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", "k")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    let mut broken = false;
    let ended = loop {
        if events.len() >= enough {
            break false;
        }
        let left = deadline.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, bytes.next()).await {
            Err(_) => break false,
            Ok(None) => break true,
            Ok(Some(Err(_))) => {
                broken = true;
                break false;
            }
            Ok(Some(Ok(chunk))) => buffer.push_str(std::str::from_utf8(&chunk).unwrap()),
        }
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let name = event
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or_default();
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or("null");
            events.push((
                name.to_owned(),
                serde_json::from_str(data).unwrap(),
                start.elapsed(),
            ));
        }
    };
    Arrived {
        events,
        ended,
        broken,
    }
}

fn names(arrived: &Arrived) -> Vec<&str> {
    arrived
        .events
        .iter()
        .map(|(name, ..)| name.as_str())
        .collect()
}

#[tokio::test]
async fn pings_forever_carry_no_content_until_the_client_leaves() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("never sent").pings_forever_after(1, Duration::from_millis(20)));
    let arrived = stream_events(&server, Duration::from_secs(10), 12).await;
    assert!(!arrived.ended, "the stream must not end by itself");
    let names = names(&arrived);
    assert_eq!(names[0], "message_start");
    assert!(names.len() >= 12, "pings keep coming: {names:?}");
    assert!(names[1..].iter().all(|name| *name == "ping"), "{names:?}");
    // The client dropped the body: the server counts the stream as cancelled.
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await
    );
}

#[tokio::test]
async fn an_error_event_can_come_before_any_content() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("never sent").error_event_before_content("overloaded_error", "Overloaded"),
    );
    let arrived = stream_events(&server, Duration::from_secs(10), usize::MAX).await;
    assert!(arrived.ended);
    assert_eq!(names(&arrived), ["message_start", "ping", "error"]);
    let (_, error, _) = &arrived.events[2];
    assert_eq!(
        error["error"],
        json!({"type": "overloaded_error", "message": "Overloaded"})
    );
}

#[tokio::test]
async fn a_stream_can_stall_then_resume_whole() {
    let server = MockServer::start().await;
    let pause = Duration::from_millis(500);
    server.enqueue(MockReply::text("late but whole").stall_then_resume(3, pause));
    let arrived = stream_events(&server, Duration::from_secs(10), usize::MAX).await;
    assert!(arrived.ended);
    let names = names(&arrived);
    assert_eq!(names[..3], ["message_start", "ping", "content_block_start"]);
    assert_eq!(names.last(), Some(&"message_stop"));
    assert!(!names[3..].contains(&"ping"), "a silent stall: {names:?}");
    let gap = arrived.events[3].2 - arrived.events[2].2;
    // (The client may see the event before the pause a little late.)
    assert!(
        gap >= pause - Duration::from_millis(100),
        "nothing arrived during the pause: {gap:?}"
    );
    let text: String = arrived
        .events
        .iter()
        .filter_map(|(_, data, _)| data["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, "late but whole");
}

#[tokio::test]
async fn a_pinging_stall_sends_only_pings_then_the_rest() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("slow but whole").pings_then_resume(
        3,
        Duration::from_millis(300),
        Duration::from_millis(50),
    ));
    let arrived = stream_events(&server, Duration::from_secs(10), usize::MAX).await;
    assert!(arrived.ended);
    let names = names(&arrived);
    assert_eq!(names[..3], ["message_start", "ping", "content_block_start"]);
    assert_eq!(names[3..9], ["ping"; 6], "{names:?}");
    assert_eq!(names[9], "content_block_delta", "{names:?}");
    assert_eq!(names.last(), Some(&"message_stop"));
}

#[tokio::test]
async fn a_stream_can_break_or_go_silent_right_after_message_start() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("never sent").drop_after_events(1));
    let arrived = stream_events(&server, Duration::from_secs(10), usize::MAX).await;
    assert!(arrived.broken, "the connection breaks");
    assert_eq!(names(&arrived), ["message_start"]);

    server.enqueue(MockReply::text("never sent").stall_after_events(1));
    let arrived = stream_events(&server, Duration::from_millis(500), usize::MAX).await;
    assert!(
        !arrived.ended && !arrived.broken,
        "the connection stays open"
    );
    assert_eq!(names(&arrived), ["message_start"]);
}

#[tokio::test]
async fn the_request_log_can_be_bounded_and_cleared() {
    let server = MockServer::builder()
        .request_log_limit(2)
        .start()
        .await
        .unwrap();
    for n in 0..5 {
        let body = json!({"model": "claude-sonnet-4-6", "max_tokens": n + 1, "messages": [{"role": "user", "content": "Hi"}]});
        let (status, _) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
        assert_eq!(status, 200);
    }
    let kept: Vec<Value> = server
        .requests()
        .into_iter()
        .map(|r| r.body["max_tokens"].clone())
        .collect();
    assert_eq!(kept, [json!(4), json!(5)]);
    assert_eq!(server.request_count(), 5);
    server.clear_requests();
    assert!(server.requests().is_empty());
    assert_eq!(server.request_count(), 5);
}
