//! Fallbacks over real HTTP against two mock servers: the order models are tried in, which
//! errors move on, no fallback once a stream handed out content, tools and structured output
//! through a fallback, batches, and the API's own server-side fallback (request field, beta
//! header, the `fallback` block kept and sent back).

use chat_anthropic::compose::{
    ChatModel, ChatModelExt, ErrorFilter, FallbackBlock, RetryPolicy, RunConfig, ServerFallback,
    WithFallbacks,
};
use chat_anthropic::structured::{StructuredChunk, StructuredMethod};
use chat_anthropic::{AIMessage, ChatAnthropic, Error, HumanMessage, Message, StreamUpdate, Tool};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::json;

/// A model on `server` that does not retry by itself (so one failure is one request).
fn model(name: &str, server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new(name)
        .max_retries(0)
        .base_url(server.base_url())
        .api_key("test")
}

fn overloaded() -> MockReply {
    MockReply::error(529, "overloaded_error", "Overloaded")
}

#[tokio::test]
async fn the_first_model_fails_with_529_and_the_second_answers() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(overloaded());
    second.enqueue(MockReply::text("from the second"));
    let llm =
        model("claude-sonnet-4-6", &first).with_fallbacks([model("claude-haiku-4-5", &second)]);

    let reply = llm.invoke("Hi").await.unwrap();

    assert_eq!(reply.text(), "from the second");
    let (a, b) = (first.requests(), second.requests());
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(a[0].body["model"], "claude-sonnet-4-6");
    assert_eq!(b[0].body["model"], "claude-haiku-4-5");
    assert_eq!(
        b[0].body["messages"], a[0].body["messages"],
        "the same conversation"
    );
}

#[tokio::test]
async fn models_are_tried_in_order_and_the_last_error_is_returned_when_all_fail() {
    let servers = [
        MockServer::start().await,
        MockServer::start().await,
        MockServer::start().await,
    ];
    servers[0].enqueue(overloaded());
    servers[1].enqueue(MockReply::error(500, "api_error", "Internal"));
    servers[2].enqueue(MockReply::error(503, "api_error", "Unavailable"));
    let llm = WithFallbacks::new(servers.iter().enumerate().map(|(i, s)| {
        model(
            ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-5"][i],
            s,
        )
        .into_arc()
    }));

    let err = llm.invoke("Hi").await.unwrap_err();

    assert_eq!(err.status(), Some(503), "{err}");
    for server in &servers {
        assert_eq!(server.request_count(), 1);
    }
    assert_eq!(
        llm.name(),
        "fallbacks(claude-sonnet-4-6, claude-haiku-4-5, claude-opus-4-5)"
    );
}

#[tokio::test]
async fn an_error_not_in_the_list_is_returned_and_no_fallback_is_sent_anything() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(MockReply::error(400, "invalid_request_error", "bad"));
    let llm =
        model("claude-sonnet-4-6", &first).with_fallbacks([model("claude-haiku-4-5", &second)]);
    let err = llm.invoke("Hi").await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(second.request_count(), 0);

    // A narrower list: only overload moves on, so a 500 is returned as it is.
    first.enqueue(MockReply::error(500, "api_error", "Internal"));
    let narrow = model("claude-sonnet-4-6", &first)
        .with_fallbacks([model("claude-haiku-4-5", &second)])
        .on(ErrorFilter::overloaded());
    let err = narrow.stream("Hi").await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(second.request_count(), 0);
}

#[tokio::test]
async fn a_stream_that_fails_before_content_falls_back_unseen() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(
        MockReply::text("never shown").error_event_before_content("overloaded_error", "Overloaded"),
    );
    second.enqueue(MockReply::text("one two three"));
    let primary = model("claude-sonnet-4-6", &first).retry_before_content(false);
    let llm = primary.with_fallbacks([model("claude-haiku-4-5", &second)]);

    let mut updates = llm.stream("Hi").await.unwrap().updates();
    let mut text = String::new();
    while let Some(update) = updates.next().await {
        if let StreamUpdate::Text { text: piece, .. } = update.unwrap() {
            text.push_str(&piece);
        }
    }

    assert_eq!(text, "one two three");
    assert_eq!((first.request_count(), second.request_count()), (1, 1));
}

#[tokio::test]
async fn no_fallback_after_content_the_error_keeps_the_partial_message() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    // message_start, content_block_start, two words, then the connection breaks.
    first.enqueue(MockReply::text("one two three four five six").drop_after_events(4));
    second.enqueue(MockReply::text("never asked"));
    let llm =
        model("claude-sonnet-4-6", &first).with_fallbacks([model("claude-haiku-4-5", &second)]);

    let mut pieces = llm.stream("Hi").await.unwrap().text();
    let mut shown = String::new();
    let mut failure = None;
    while let Some(piece) = pieces.next().await {
        match piece {
            Ok(piece) => shown.push_str(&piece),
            Err(err) => failure = Some(err),
        }
    }

    let err = failure.expect("the broken stream ends with an error");
    assert!(!shown.is_empty(), "content was handed out before the break");
    let partial = err.partial_message().expect("a stream error").text();
    assert_eq!(partial, shown, "the partial message is what was handed out");
    assert!(!err.is_retryable());
    assert_eq!(
        second.request_count(),
        0,
        "no fallback once content was out"
    );
}

#[tokio::test]
async fn invoke_falls_back_even_after_content_since_the_caller_saw_nothing() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(MockReply::text("one two three four").error_event_after(
        4,
        "overloaded_error",
        "Overloaded",
    ));
    second.enqueue(MockReply::text("whole"));
    let llm =
        model("claude-sonnet-4-6", &first).with_fallbacks([model("claude-haiku-4-5", &second)]);
    assert_eq!(llm.invoke("Hi").await.unwrap().text(), "whole");
    assert_eq!(second.request_count(), 1);
}

#[tokio::test]
async fn tools_bound_on_each_model_reach_the_fallback_and_its_calls_come_back() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(overloaded());
    second.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "get_weather",
        json!({"location": "Paris"}),
    )));
    let weather = Tool::new(
        "get_weather",
        json!({"type": "object", "properties": {"location": {"type": "string"}}}),
    );
    let llm = model("claude-sonnet-4-6", &first)
        .bind_tools([weather.clone()])
        .with_fallbacks([model("claude-haiku-4-5", &second).bind_tools([weather])]);

    let reply = llm.invoke("Weather in Paris?").await.unwrap();

    assert_eq!(reply.tool_calls[0].name, "get_weather");
    assert_eq!(reply.tool_calls[0].args, json!({"location": "Paris"}));
    assert_eq!(second.requests()[0].body["tools"][0]["name"], "get_weather");
    assert_eq!(first.requests()[0].body["tools"][0]["name"], "get_weather");
}

/// A person.
#[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
struct Person {
    name: String,
    born: u32,
}

#[tokio::test]
async fn structured_output_through_a_fallback() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(overloaded());
    second.enqueue(MockReply::script(MockScript::new().tool_use(
        "toolu_1",
        "Person",
        json!({"name": "Ada", "born": 1815}),
    )));
    let people = model("claude-sonnet-4-6", &first)
        .with_structured_output::<Person>()
        .with_fallbacks([model("claude-haiku-4-5", &second).with_structured_output::<Person>()]);

    let mut values = people.stream("Who?").await.unwrap();
    let mut person = None;
    while let Some(chunk) = values.next().await {
        if let StructuredChunk::Complete(value) = chunk.unwrap() {
            person = Some(value);
        }
    }

    assert_eq!(
        person,
        Some(Person {
            name: "Ada".into(),
            born: 1815
        })
    );
    assert_eq!(second.requests()[0].body["tool_choice"]["name"], "Person");

    // The fallback uses native JSON output: its reply is read as such.
    first.enqueue(overloaded());
    second.enqueue(MockReply::text(r#"{"name": "Alan", "born": 1912}"#));
    let mixed = model("claude-sonnet-4-6", &first)
        .with_structured_output::<Person>()
        .with_fallbacks([model("claude-haiku-4-5", &second)
            .with_structured_output::<Person>()
            .method(StructuredMethod::JsonSchema)]);
    let alan = mixed.invoke("Who?").await.unwrap();
    assert_eq!(
        alan,
        Person {
            name: "Alan".into(),
            born: 1912
        }
    );
    assert!(second.requests()[1].body["output_config"]["format"].is_object());
    // An error outside the list is returned as it is.
    first.enqueue(MockReply::error(400, "invalid_request_error", "bad schema"));
    assert_eq!(mixed.invoke("Who?").await.unwrap_err().status(), Some(400));
    assert_eq!(second.request_count(), 2);
}

#[tokio::test]
async fn a_retried_model_in_a_fallback_list_and_a_batch_falling_back_per_item() {
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    // The first model is retried once (two requests), then the list moves on.
    first.enqueue(overloaded());
    first.enqueue(overloaded());
    let patient = model("claude-sonnet-4-6", &first)
        .with_retry(RetryPolicy::new(2).initial_delay(std::time::Duration::from_millis(5)));
    let llm = patient.with_fallbacks([model("claude-haiku-4-5", &second)]);
    assert_eq!(llm.invoke("Hi").await.unwrap().text(), "Mock reply to: Hi");
    assert_eq!((first.request_count(), second.request_count()), (2, 1));

    // Batch: the first model is overloaded for one item only; that item falls back alone.
    first.set_responder(|request| {
        if request.body["messages"][0]["content"] == "two" {
            MockReply::error(529, "overloaded_error", "Overloaded")
        } else {
            MockReply::text("first")
        }
    });
    let llm =
        model("claude-sonnet-4-6", &first).with_fallbacks([model("claude-haiku-4-5", &second)]);
    let replies = llm
        .batch_with(
            ["one", "two", "three"],
            &RunConfig::new().max_concurrency(1),
        )
        .await;
    let texts: Vec<String> = replies.into_iter().map(|r| r.unwrap().text()).collect();
    assert_eq!(texts, ["first", "Mock reply to: two", "first"]);
    assert_eq!(second.request_count(), 2);
}

#[tokio::test]
async fn server_side_fallbacks_are_sent_with_their_beta_and_the_block_round_trips() {
    let server = MockServer::start().await;
    let hand_over = json!({
        "type": "fallback",
        "from": {"model": "claude-fable-5"},
        "to": {"model": "claude-opus-4-8"},
        "trigger": {"type": "refusal", "category": "cyber"}
    });
    server.enqueue(MockReply::script(
        MockScript::new()
            .raw_block(hand_over.clone())
            .text("Here is how."),
    ));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .server_fallbacks([ServerFallback::new("claude-opus-4-8").max_tokens(1024)])
        .base_url(server.base_url())
        .api_key("test");

    let reply: AIMessage = llm.invoke("Harden my server").await.unwrap();

    let sent = &server.requests()[0];
    assert_eq!(
        sent.body["fallbacks"],
        json!([{"model": "claude-opus-4-8", "max_tokens": 1024}])
    );
    assert!(
        sent.headers["anthropic-beta"].contains("server-side-fallback-2026-06-01"),
        "{:?}",
        sent.headers.get("anthropic-beta")
    );
    let hand_overs = FallbackBlock::all_in(&reply);
    assert_eq!(hand_overs.len(), 1);
    assert_eq!(hand_overs[0].from.model, "claude-fable-5");
    assert_eq!(hand_overs[0].to.model, "claude-opus-4-8");
    assert_eq!(reply.text(), "Here is how.");

    // The next turn sends the block back unchanged.
    let turns: Vec<Message> = vec![
        HumanMessage::new("Harden my server").into(),
        reply.into(),
        HumanMessage::new("And the firewall?").into(),
    ];
    llm.invoke(turns).await.unwrap();
    let sent_back = &server.requests()[1].body["messages"][1]["content"];
    assert_eq!(sent_back[0], hand_over, "{sent_back}");
}

#[tokio::test]
async fn an_empty_fallback_list_is_a_configuration_error() {
    let llm = WithFallbacks::new(std::iter::empty());
    let err: Error = llm.invoke("Hi").await.unwrap_err();
    assert!(err.config_reason().is_some(), "{err}");
}

#[tokio::test]
async fn the_same_model_on_vertex_as_the_fallback() {
    let (anthropic, vertex) = (MockServer::start().await, MockServer::start().await);
    anthropic.enqueue(overloaded());
    let on_vertex = ChatAnthropic::new("claude-sonnet-4-5@20250929")
        .vertex("us-east5", "my-project")
        .vertex_access_token("ya29.token")
        .base_url(vertex.base_url());
    let llm = model("claude-sonnet-4-5", &anthropic).with_fallbacks([on_vertex]);

    let reply = llm.invoke("Hi").await.unwrap();

    assert_eq!(reply.text(), "Mock reply to: Hi");
    let sent = &vertex.requests()[0];
    assert_eq!(
        sent.path,
        "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"
    );
    assert_eq!(sent.headers["authorization"], "Bearer ya29.token");
    assert_eq!(anthropic.request_count(), 1);
}
