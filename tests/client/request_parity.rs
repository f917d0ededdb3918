//! Request parity with langchain-anthropic, over HTTP against the mock, asserting the body:
//! native structured output keeps the type's description, `max_tokens: 0` warms the cache,
//! and the default `max_tokens` is the model's maximum output.

use chat_anthropic::structured::StructuredMethod;
use chat_anthropic::{messages::CacheControl, settings::DEFAULT_MAX_TOKENS, ChatAnthropic};
use chat_anthropic_mock::{MockReply, MockServer};
use serde_json::json;

fn llm(server: &MockServer, model: &str) -> ChatAnthropic {
    ChatAnthropic::new(model)
        .base_url(server.base_url())
        .api_key("test-key")
}

/// A person from history.
#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct Person {
    /// Their full name.
    name: String,
    /// The year they were born.
    born: u32,
}

#[tokio::test]
async fn native_structured_output_keeps_the_types_and_fields_descriptions() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text(r#"{"name": "Ada Lovelace", "born": 1815}"#));
    let person = llm(&server, "claude-sonnet-4-6")
        .with_structured_output::<Person>()
        .method(StructuredMethod::JsonSchema)
        .invoke("Who wrote the first program?")
        .await
        .unwrap();
    assert_eq!(person.born, 1815);
    let format = server.requests()[0].body["output_config"]["format"].clone();
    assert_eq!(format["type"], "json_schema");
    let schema = &format["schema"];
    assert_eq!(schema["description"], "A person from history.");
    assert_eq!(
        schema["properties"]["name"]["description"],
        "Their full name."
    );
    assert_eq!(
        schema["properties"]["born"]["description"],
        "The year they were born."
    );
    assert_eq!(schema["additionalProperties"], false);
    // The tool-calling method keeps it where the API reads it for a tool.
    let _ = llm(&server, "claude-sonnet-4-6")
        .with_structured_output::<Person>()
        .invoke("Who?")
        .await;
    let tool = server.requests()[1].body["tools"][0].clone();
    assert_eq!(tool["description"], "A person from history.");
    assert!(tool["input_schema"].get("description").is_none());
}

#[tokio::test]
async fn max_tokens_zero_is_sent_and_warms_the_cache() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text(
        "a queued reply the warming call must not consume",
    ));
    let model = llm(&server, "claude-sonnet-4-6").cache_control(CacheControl::ephemeral());
    let manual = "Chapter one of a long reference manual. ".repeat(300);
    let prompt = [
        ("system", manual.as_str()),
        ("human", "Summarise chapter one."),
    ];
    let warmed = model.warm_cache(prompt).await.unwrap();
    let sent = server.requests()[0].body.clone();
    assert_eq!(sent["max_tokens"], 0);
    assert_eq!(sent["cache_control"], json!({"type": "ephemeral"}));
    assert!(
        warmed.text().is_empty() && warmed.tool_calls.is_empty(),
        "no content"
    );
    assert_eq!(warmed.response_metadata.usage.output_tokens, 0);
    let written = warmed
        .response_metadata
        .usage
        .cache_creation_input_tokens
        .unwrap_or(0);
    assert!(
        written > 0,
        "cache-write usage: {:?}",
        warmed.response_metadata.usage
    );
    // The real call then reads what was written, and gets the queued reply.
    let reply = model.invoke(prompt).await.unwrap();
    assert_eq!(
        reply.text(),
        "a queued reply the warming call must not consume"
    );
    assert_eq!(
        reply.response_metadata.usage.cache_read_input_tokens,
        Some(written)
    );
    // max_tokens(0) set by hand is sent as well.
    model.clone().max_tokens(0).invoke("Hi").await.unwrap();
    assert_eq!(server.requests()[2].body["max_tokens"], 0);
}

#[tokio::test]
async fn default_max_tokens_is_the_profiles_maximum_output_else_1024() {
    let server = MockServer::start().await;
    for (model, expected) in [
        ("claude-sonnet-4-6", 128_000),
        ("claude-haiku-4-5-20251001", 64_000),
        ("claude-opus-4-1", 32_000),
        ("claude-3-5-haiku-latest", 8_192),
        ("my-proxy-model", DEFAULT_MAX_TOKENS),
    ] {
        let _ = llm(&server, model).invoke("Hi").await;
        let sent = server.requests().last().unwrap().body.clone();
        assert_eq!(sent["max_tokens"], expected, "{model}");
    }
    assert_eq!(DEFAULT_MAX_TOKENS, 1024);
    // A value set by hand wins.
    llm(&server, "claude-sonnet-4-6")
        .max_tokens(500)
        .invoke("Hi")
        .await
        .unwrap();
    assert_eq!(server.requests().last().unwrap().body["max_tokens"], 500);
}
