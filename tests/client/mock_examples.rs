//! The mock server's documented uses, run with this crate's client: the examples that were the
//! mock's rustdoc while it lived inside the library (the mock crate's own rustdoc speaks plain
//! HTTP, since it shares no code with the client).

#[path = "../../examples/common/mod.rs"]
mod example_common;

// From the rustdoc of the mock's batches.rs (line 532).
#[tokio::test]
async fn batches_set_batch_processing_time() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic::batches::ProcessingStatus;
    use std::time::Duration;
    let server = chat_anthropic_mock::MockServer::start().await;
    server.set_batch_processing_time(Duration::from_secs(3600));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let batch = llm.batches().create([("a", "Hi")]).await?;
    assert_eq!(batch.processing_status, ProcessingStatus::InProgress);
    server.end_batches();
    assert!(llm.batches().retrieve(&batch.id).await?.is_ended());
    Ok(())
}

// From the rustdoc of the mock's batches.rs (line 561).
#[tokio::test]
async fn batches_batch_outcome() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic::batches::{BatchOutcome, WaitOptions};
    use chat_anthropic_mock::{MockBatchOutcome, MockReply, MockServer};
    use futures_util::TryStreamExt;
    let server = MockServer::start().await;
    server.batch_outcome(
        "b",
        MockReply::error(500, "api_error", "Internal server error"),
    );
    server.batch_outcome("c", MockBatchOutcome::Expired);
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let batches = llm.batches();
    let batch = batches
        .create([("a", "Hi"), ("b", "Hi"), ("c", "Hi")])
        .await?;
    let ended = batches
        .wait(
            &batch.id,
            WaitOptions::default().interval(std::time::Duration::from_millis(20)),
            |_| {},
        )
        .await?;
    assert_eq!(
        (
            ended.request_counts.succeeded,
            ended.request_counts.errored,
            ended.request_counts.expired
        ),
        (1, 1, 1)
    );
    let results: Vec<_> = batches.results(&batch.id).await?.try_collect().await?;
    let b = results.iter().find(|(id, _)| id == "b").unwrap();
    let BatchOutcome::Errored(error) = &b.1 else {
        panic!()
    };
    assert_eq!(error.status(), Some(500));
    Ok(())
}

// From the rustdoc of the mock's builder.rs (line 59).
#[tokio::test]
async fn builder_any_model() -> std::io::Result<()> {
    use chat_anthropic_mock::MockServer;
    let strict = MockServer::start().await;
    let llm = chat_anthropic::ChatAnthropic::new("claude-nonexistent")
        .base_url(strict.base_url())
        .api_key("k");
    let err = llm.invoke("Hi").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(
        err.to_string().contains("model: claude-nonexistent"),
        "{err}"
    );

    let lenient = MockServer::builder().any_model(true).start().await?;
    assert!(llm.base_url(lenient.base_url()).invoke("Hi").await.is_ok());
    Ok(())
}

/// `real_or_mock` calls the real API when `ANTHROPIC_API_KEY` is set; the examples below show its
/// mock side, so they ask for the variable unset. (Read, never changed: the other tests of this
/// process read the environment meanwhile.)
fn without_api_key() {
    let key = std::env::var_os("ANTHROPIC_API_KEY").unwrap_or_default();
    assert!(
        key.is_empty(),
        "run the tests without ANTHROPIC_API_KEY: with it, real_or_mock calls the real API"
    );
}

// From the rustdoc of the mock's demo.rs (line 10).
#[tokio::test]
async fn demo_real_or_mock() -> Result<(), chat_anthropic::Error> {
    without_api_key();
    use chat_anthropic_mock::MockReply;
    use example_common::real_or_mock;
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", |_| MockReply::text("Hello!")).await;
    assert_eq!(llm.invoke("Hi").await?.text(), "Hello!");
    Ok(())
}

// From the rustdoc of the mock's echo.rs (line 23).
#[tokio::test]
async fn echo_default_reply() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::default_reply;
    use example_common::real_or_mock;
    without_api_key();
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", default_reply).await;
    assert_eq!(llm.invoke("Hi").await?.text(), "Mock reply to: Hi");
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 18).
#[tokio::test]
async fn server_module() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic::ChatAnthropic;
    use chat_anthropic_mock::{MockReply, MockServer};

    let server = MockServer::start().await;
    server.enqueue(
        MockReply::error(529, "overloaded_error", "Overloaded").header("retry-after-ms", "10"),
    );
    server.enqueue(MockReply::text("Hello!"));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    assert_eq!(llm.invoke("Hi").await?.text(), "Hello!");
    assert_eq!(server.requests().len(), 2); // the 529 was retried
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 160).
#[tokio::test]
async fn server_builder() -> Result<(), Box<dyn std::error::Error>> {
    use chat_anthropic_mock::MockServer;
    let server = MockServer::builder()
        .any_model(true)
        .request_log_limit(100)
        .start()
        .await?;
    let llm = chat_anthropic::ChatAnthropic::new("my-fine-tune")
        .base_url(server.base_url())
        .api_key("k");
    assert_eq!(llm.invoke("Hi").await?.text(), "Mock reply to: Hi");
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 192).
#[tokio::test]
async fn server_enqueue() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "get_weather",
        serde_json::json!({"location": "Paris"}),
    )));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let reply = llm.invoke("Weather in Paris?").await?;
    assert_eq!(reply.tool_calls[0].args["location"], "Paris");
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 215).
#[tokio::test]
async fn server_set_responder() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockReply, MockServer};
    let server = MockServer::start().await;
    server.set_responder(|request| {
        let model = request.body["model"].as_str().unwrap_or_default();
        MockReply::text(format!("I am {model}"))
    });
    let llm = chat_anthropic::ChatAnthropic::new("claude-haiku-4-5")
        .base_url(server.base_url())
        .api_key("k");
    assert_eq!(
        llm.invoke("Who are you?").await?.text(),
        "I am claude-haiku-4-5"
    );
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 245).
#[tokio::test]
async fn server_add_file() -> Result<(), chat_anthropic::Error> {
    let server = chat_anthropic_mock::MockServer::start().await;
    let id = server.add_file("out.txt", "text/plain", "done");
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    assert_eq!(
        llm.files().retrieve_metadata(&id).await?.downloadable,
        Some(true)
    );
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 274).
#[tokio::test]
async fn server_clear_requests() -> Result<(), chat_anthropic::Error> {
    let server = chat_anthropic_mock::MockServer::start().await;
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    llm.invoke("Hi").await?;
    server.clear_requests();
    assert!(server.requests().is_empty());
    assert_eq!(server.request_count(), 1);
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 290).
#[tokio::test]
async fn server_request_count() -> Result<(), Box<dyn std::error::Error>> {
    let server = chat_anthropic_mock::MockServer::builder()
        .request_log_limit(1)
        .start()
        .await?;
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    llm.invoke("One").await?;
    llm.invoke("Two").await?;
    assert_eq!((server.request_count(), server.requests().len()), (2, 1));
    Ok(())
}

// From the rustdoc of the mock's lib.rs (line 317).
#[tokio::test]
async fn server_wait_for_cancelled_stream() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockReply, MockServer};
    use futures_util::StreamExt;
    use std::time::Duration;
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("a slow reply").delay(Duration::from_millis(50)));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let mut stream = llm.stream("Hi").await?;
    stream.next().await;
    drop(stream);
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await
    );
    Ok(())
}

// From the rustdoc of the mock's multi_turn.rs (line 42).
#[tokio::test]
async fn multi_turn_mockturns() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic::{ChatAnthropic, HumanMessage, Message, ToolMessage};
    use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use(
                    "toolu_1",
                    "lookup",
                    serde_json::json!({"q": "x"}),
                )),
            )
            .when(
                |turn| turn.results.iter().any(|r| r.is_error),
                MockReply::text("The lookup failed."),
            )
            .otherwise(MockReply::text("Found it."))
            .responder(),
    );
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let call = llm.invoke("Find x").await?;
    let mut conversation: Vec<Message> = vec![HumanMessage::new("Find x").into(), call.into()];
    conversation.push(ToolMessage::error("timeout", "toolu_1").into());
    assert_eq!(llm.invoke(conversation).await?.text(), "The lookup failed.");
    Ok(())
}

// From the rustdoc of the mock's rate_limit.rs (line 17).
#[tokio::test]
async fn rate_limit_mockratelimits() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockRateLimits, MockServer};
    use std::time::Duration;
    let server = MockServer::start().await;
    server.set_rate_limits(MockRateLimits::per(Duration::from_secs(60)).requests(1));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k")
        .max_retries(0);
    let reply = llm.invoke("Hi").await?;
    let requests = reply
        .response_metadata
        .rate_limits
        .unwrap()
        .requests
        .unwrap();
    assert_eq!((requests.limit, requests.remaining), (Some(1), Some(0)));
    // A second call now would wait for the window's reset (the client's limiter read the
    // headers) instead of running into the mock's 429.
    assert_eq!(server.rate_limited(), 0);
    Ok(())
}

// From the rustdoc of the mock's reply.rs (line 234).
#[tokio::test]
async fn reply_pings_forever_after() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockReply, MockServer};
    use futures_util::StreamExt;
    use std::time::Duration;
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("never sent").pings_forever_after(1, Duration::from_millis(10)));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let mut stream = llm.stream("Hi").await?;
    stream.next().await; // message_start
    drop(stream); // nothing else would ever come
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await
    );
    Ok(())
}

// From the rustdoc of the mock's script.rs (line 90).
#[tokio::test]
async fn script_tool_use_raw() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(MockScript::new().tool_use_raw(
        "toolu_1",
        "f",
        r#"{"a": 1,"#,
    )));
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let reply = llm.invoke("Hi").await?;
    assert_eq!(
        reply.invalid_tool_calls[0].args.as_deref(),
        Some(r#"{"a": 1,"#)
    );
    Ok(())
}

// From the rustdoc of the mock's ui_demo.rs (line 21).
#[tokio::test]
async fn ui_demo_ui_demo_reply() -> Result<(), chat_anthropic::Error> {
    use chat_anthropic_mock::{ui_demo_reply, MockServer};
    let server = MockServer::start().await;
    server.set_responder(ui_demo_reply);
    let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    let reply = llm.invoke("Hello").await?;
    assert!(reply.text().contains("Hello"));
    assert_eq!(reply.tool_calls[0].name, "write_file");
    assert!(
        reply.tool_calls[0].args["content"]
            .as_str()
            .unwrap()
            .lines()
            .count()
            > 2
    );
    Ok(())
}
