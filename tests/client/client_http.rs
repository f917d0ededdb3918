//! `ChatAnthropic` over real HTTP against the local mock server: request shapes, retries,
//! faults, timeouts and cancellation.

use std::time::{Duration, Instant};

use chat_anthropic::{error::ApiErrorKind, error::ProtocolError, ChatAnthropic, Error, StopReason};
use chat_anthropic_mock::{MockReply, MockServer};
use futures_util::StreamExt;
use serde_json::json;

const SEED_SYSTEM: &str =
    "You are a helpful assistant that translates English to French. Translate the user sentence.";

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("sk-test-secret")
}

#[tokio::test]
async fn invoke_sends_the_seeds_request_shape() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("J'adore la programmation."));
    let llm = model(&server)
        .temperature(0.0)
        .max_tokens(1024)
        .stop_sequences(["\n\nHuman:"])
        .betas(["beta-one", "beta-two"])
        .user_id("user-42")
        .model_kwarg("service_tier", "auto");
    let reply = llm
        .invoke([("system", SEED_SYSTEM), ("human", "I love programming.")])
        .await
        .unwrap();
    assert_eq!(reply.text(), "J'adore la programmation.");
    assert_eq!(
        reply.response_metadata.stop_reason,
        Some(StopReason::EndTurn)
    );
    assert!(reply.id.as_deref().unwrap().starts_with("msg_"));
    assert!(reply.usage_metadata.unwrap().total_tokens > 0);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(
        request.body,
        json!({
            "model": "claude-sonnet-4-6",
            "messages": [{"role": "user", "content": "I love programming."}],
            "system": SEED_SYSTEM,
            "max_tokens": 1024,
            "stream": true,
            "temperature": 0.0,
            "stop_sequences": ["\n\nHuman:"],
            "metadata": {"user_id": "user-42"},
            "service_tier": "auto"
        })
    );
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    assert_eq!(header("x-api-key"), Some("sk-test-secret"));
    assert_eq!(header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(header("anthropic-beta"), Some("beta-one,beta-two"));
}

#[tokio::test]
async fn settings_left_unset_are_not_sent() {
    let server = MockServer::start().await;
    model(&server).invoke("Hi").await.unwrap();
    let body = &server.requests()[0].body;
    for field in [
        "temperature",
        "top_k",
        "top_p",
        "stop_sequences",
        "system",
        "thinking",
    ] {
        assert!(body.get(field).is_none(), "{field} was sent: {body}");
    }
}

#[tokio::test]
async fn rate_limit_is_retried_after_the_time_the_server_asked() {
    let server = MockServer::start().await;
    server
        .enqueue(MockReply::error(429, "rate_limit_error", "Slow down").header("retry-after", "1"));
    server.enqueue(MockReply::text("Done"));
    let started = Instant::now();
    let reply = model(&server).invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "Done");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited only {:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_ms_is_preferred() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::error(529, "overloaded_error", "Overloaded")
            .header("retry-after-ms", "200")
            .header("retry-after", "30"),
    );
    server.enqueue(MockReply::text("ok"));
    let started = Instant::now();
    model(&server).invoke("Hi").await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[tokio::test]
async fn overload_beyond_max_retries_is_a_typed_error_after_exactly_that_many_attempts() {
    let server = MockServer::start().await;
    for _ in 0..5 {
        server.enqueue(
            MockReply::error(529, "overloaded_error", "Overloaded").header("retry-after-ms", "10"),
        );
    }
    let err = model(&server)
        .max_retries(2)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3, "1 attempt + 2 retries");
    assert_eq!(err.status(), Some(529));
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(err.request_id().unwrap().starts_with("req_"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn should_retry_header_overrides_the_status() {
    let server = MockServer::start().await;
    server
        .enqueue(MockReply::error(500, "api_error", "Internal").header("x-should-retry", "false"));
    let err = model(&server).invoke("Hi").await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn bad_request_is_not_retried_and_its_message_surfaces() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::error(
        400,
        "invalid_request_error",
        "max_tokens: Field required",
    ));
    let err = model(&server).invoke("Hi").await.unwrap_err();
    assert_eq!(server.requests().len(), 1, "no retry for 400");
    assert_eq!(err.status(), Some(400));
    assert!(
        err.to_string().contains("max_tokens: Field required"),
        "{err}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn the_mock_validates_like_the_api_and_the_error_reaches_the_caller() {
    let server = MockServer::start().await;
    let err = model(&server)
        .thinking(chat_anthropic::settings::Thinking::enabled(2048))
        .max_tokens(4096)
        .model_kwarg("max_tokens", json!(-5))
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::InvalidRequest));
    assert!(err.to_string().contains("max_tokens"), "{err}");
}

#[tokio::test]
async fn dropped_connection_mid_stream_keeps_the_partial_and_is_not_retried() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("one two three four five six seven eight nine ten")
            .chunk_size(64)
            .drop_after_bytes(900),
    );
    server.enqueue(MockReply::text("a second, billed generation"));
    let err = model(&server).invoke("Hi").await.unwrap_err();
    assert_eq!(
        server.requests().len(),
        1,
        "never retried after the first byte"
    );
    let partial = err.partial_message().expect("partial message attached");
    assert!(
        !partial.text().is_empty(),
        "some text arrived before the drop"
    );
    assert!("one two three four five six seven eight nine ten".starts_with(&partial.text()));
    assert!(matches!(err.root(), Error::Transport(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_stalled_stream_hits_the_idle_timeout_with_the_partial() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("Hello there, world").stall_after_bytes(700));
    let started = Instant::now();
    let err = model(&server)
        .timeout(Duration::from_millis(300))
        .invoke("Hi")
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.partial_message().is_some());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_long_healthy_stream_outlives_the_idle_timeout() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("slow but steady tokens keep arriving one after another")
            .chunk_size(40)
            .delay(Duration::from_millis(60)),
    );
    let reply = model(&server)
        .timeout(Duration::from_millis(250))
        .invoke("Hi")
        .await
        .unwrap();
    assert_eq!(
        reply.text(),
        "slow but steady tokens keep arriving one after another"
    );
}

#[tokio::test]
async fn mid_stream_error_event_is_typed_and_keeps_the_partial() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("partial answer that will be cut").error_event_after(
            4,
            "overloaded_error",
            "Overloaded",
        ),
    );
    let err = model(&server).invoke("Hi").await.unwrap_err();
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(err.partial_message().is_some());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::text("many words arriving slowly so the stream is still open when dropped")
            .chunk_size(16)
            .delay(Duration::from_millis(50)),
    );
    let mut stream = model(&server).stream("Hi").await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.kind(), "message_start");
    drop(stream);
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await,
        "the server never saw the client go away"
    );
}

#[tokio::test]
async fn a_finished_stream_hands_its_connection_back_for_the_next_request() {
    // The body ends 30 ms after `message_stop` (a trailing comment comes first): a client
    // that stopped reading at `message_stop` would abandon the body and lose the connection.
    let recorded = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recorded/genai__usage_stream__0.sse"
    ))
    .unwrap();
    let tail = b": the body ends a little after message_stop\n\n";
    let body = [recorded.as_slice(), tail].concat();
    let first_chunk = recorded.len();
    let server = MockServer::start().await;
    server.set_responder(move |_| {
        MockReply::sse_bytes(body.clone())
            .chunk_size(first_chunk)
            .delay(Duration::from_millis(30))
    });
    let llm = model(&server);
    for _ in 0..3 {
        llm.invoke("Hi").await.unwrap();
        let mut text = llm.stream("Hi").await.unwrap().text();
        while let Some(piece) = text.next().await {
            piece.unwrap();
        }
    }
    assert_eq!(server.cancelled_streams(), 0, "no body was abandoned");
    assert_eq!(
        server.connections(),
        1,
        "one pooled connection served all six"
    );
}

#[tokio::test]
async fn stream_text_arrives_in_pieces_and_chunks_sum_to_invoke() {
    let server = MockServer::start().await;
    let text = "Streaming tokens arrive one by one into the terminal";
    server.enqueue(MockReply::text(text));
    server.enqueue(MockReply::text(text));
    server.enqueue(MockReply::text(text));
    let llm = model(&server);
    let pieces: Vec<String> = llm
        .stream("Hi")
        .await
        .unwrap()
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(pieces.len() > 1, "{pieces:?}");
    assert_eq!(pieces.concat(), text);

    let chunks: Vec<_> = llm.stream("Hi").await.unwrap().chunks().collect().await;
    let sum: chat_anthropic::AIMessageChunk = chunks.into_iter().map(Result::unwrap).sum();
    let invoked = llm.invoke("Hi").await.unwrap();
    let mut summed = sum.into_message();
    // Ids are per response; everything else must agree.
    summed.id.clone_from(&invoked.id);
    summed
        .response_metadata
        .id
        .clone_from(&invoked.response_metadata.id);
    assert_eq!(summed, invoked);
}

#[tokio::test]
async fn batch_keeps_input_order() {
    let server = MockServer::start().await;
    let llm = model(&server);
    let replies = llm
        .batch_with_concurrency(["one", "two", "three", "four"], 2)
        .await;
    let texts: Vec<String> = replies.into_iter().map(|r| r.unwrap().text()).collect();
    for (text, input) in texts.iter().zip(["one", "two", "three", "four"]) {
        assert!(text.contains(input), "{text} should answer {input}");
    }
}

#[tokio::test]
async fn count_tokens_uses_its_endpoint() {
    let server = MockServer::start().await;
    let count = model(&server)
        .count_tokens([("system", SEED_SYSTEM), ("human", "I love programming.")])
        .await
        .unwrap();
    assert!(count > 0);
    let request = &server.requests()[0];
    assert_eq!(request.path, "/v1/messages/count_tokens");
    assert!(request.body.get("stream").is_none() && request.body.get("max_tokens").is_none());
}

#[tokio::test]
async fn recorded_streams_replay_through_the_client() {
    let server = MockServer::start().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recorded/rig__streaming_grammar__parallel_tool_use__0.sse"
    );
    server.enqueue(MockReply::sse_file(path).chunk_size(7));
    let reply = model(&server).invoke("Weather?").await.unwrap();
    assert_eq!(reply.tool_calls.len(), 2);
}

#[tokio::test]
async fn a_missing_key_is_a_clear_error_at_the_first_call() {
    let server = MockServer::start().await;
    // Whatever the caller's ANTHROPIC_API_KEY holds: this model reads no environment.
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .without_environment()
        .base_url(server.base_url());
    let err = llm.invoke("Hi").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("ANTHROPIC_API_KEY"), "{err}");
    assert!(
        server.requests().is_empty(),
        "nothing is sent without a key"
    );
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::error(
        401,
        "authentication_error",
        "invalid x-api-key",
    ));
    let llm = model(&server);
    assert!(!format!("{llm:?}").contains("sk-test-secret"));
    let err = llm.invoke("Hi").await.unwrap_err();
    assert!(!format!("{err:?} {err}").contains("sk-test-secret"));
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Authentication));
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(format!("http://127.0.0.1:{port}"))
        .api_key("k")
        .max_retries(1);
    let err = llm.invoke("Hi").await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_incomplete_stream_from_the_server_is_a_protocol_error() {
    let server = MockServer::start().await;
    let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n";
    server.enqueue(MockReply::sse_bytes(body));
    let err = model(&server)
        .retry_before_content(false)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert!(
        matches!(err.root(), Error::Protocol(ProtocolError::Incomplete)),
        "{err:?}"
    );
    assert!(err.is_retryable(), "no content had arrived");

    // By default an end before any content is re-sent, invisibly to the caller.
    server.enqueue(MockReply::sse_bytes(body));
    server.enqueue(MockReply::text("second try"));
    let reply = model(&server).invoke("Hi").await.unwrap();
    assert_eq!(reply.text(), "second try");
    assert_eq!(server.requests().len(), 3);
}

/// Path events (per-argument tool input changes) cost time on every fragment, so a live
/// stream opened through the client makes none unless they are read: `with_path_events()`
/// and `updates()` switch them on.
#[tokio::test]
async fn a_live_stream_makes_path_events_only_where_they_are_read() {
    let server = MockServer::start().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recorded/rig__messages_tool_args__nested_arguments_streaming__0.sse"
    );
    let llm = model(&server);
    async fn path_events_seen(mut stream: chat_anthropic::ChatStream) -> usize {
        let mut seen = 0;
        while let Some(event) = stream.next().await {
            event.unwrap();
            seen += stream.aggregator().path_events().len();
        }
        seen
    }

    server.enqueue(MockReply::sse_file(path).chunk_size(7));
    let plain = llm.stream("Plan a trip").await.unwrap();
    assert_eq!(path_events_seen(plain).await, 0, "off by default");

    server.enqueue(MockReply::sse_file(path).chunk_size(7));
    let asked = llm.stream("Plan a trip").await.unwrap().with_path_events();
    assert!(path_events_seen(asked).await > 10);

    server.enqueue(MockReply::sse_file(path).chunk_size(7));
    let mut updates = llm.stream("Plan a trip").await.unwrap().updates();
    let mut completed = Vec::new();
    while let Some(update) = updates.next().await {
        if let chat_anthropic::StreamUpdate::ToolArgComplete { pointer, .. } = update.unwrap() {
            completed.push(pointer.to_string());
        }
    }
    assert!(
        completed.iter().any(|p| p == "/itinerary/city"),
        "{completed:?}"
    );
}
