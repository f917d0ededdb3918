//! The mock Messages server on its own, spoken to with a plain HTTP client: it must refuse
//! what the API refuses and answer in the API's shapes.

use chat_anthropic::mock::{MockReply, MockScript, MockServer};
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
            json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}]}),
            "max_tokens: Field required",
        ),
        (
            json!({"model": "m", "max_tokens": 10, "messages": []}),
            "at least one message",
        ),
        (
            json!({"model": "m", "max_tokens": 10, "messages": [
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
        json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]})
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
    let body =
        json!({"model": "m", "max_tokens": 2000, "messages": [{"role": "user", "content": "Hi"}]});
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
    let streaming = json!({"model": "m", "max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "Hi"}]});
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
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "Hello there"}]});
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
    let body = json!({"model": "m", "max_tokens": 5, "stream": true, "messages": [{"role": "user", "content": "Hi"}]});
    let (status, reply) = post(&server, "/v1/messages", &API_HEADERS, &body.to_string()).await;
    assert_eq!(status, 500);
    assert!(error_message(&reply).contains("/no/such/file.sse"));
}
