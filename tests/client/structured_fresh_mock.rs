//! Structured output against a fresh mock server, with nothing scripted: the mock answers a
//! forced tool with an input generated from the tool's schema, and native structured output
//! with JSON generated from its schema, so `with_structured_output` works out of the box.

use chat_anthropic::structured::StructuredMethod;
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::MockServer;
use serde::Deserialize;
use serde_json::json;

/// A journey.
#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
struct Journey {
    /// Where to.
    destination: String,
    /// How to get there.
    mode: Mode,
    /// The legs, in order.
    legs: Vec<Leg>,
    /// How many nights, if decided.
    nights: Option<u32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Mode {
    Train,
    Plane,
}

#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
struct Leg {
    from: String,
    to: String,
    hours: f64,
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test")
}

#[tokio::test]
async fn structured_output_works_against_a_fresh_mock_in_both_modes() {
    let server = MockServer::start().await;
    let by_tool = model(&server).with_structured_output::<Journey>();
    let first = by_tool.invoke("Plan a journey").await.unwrap();
    assert!(!first.legs.is_empty(), "{first:?}");
    // Deterministic: the same request, the same value.
    assert_eq!(by_tool.invoke("Plan a journey").await.unwrap(), first);
    let sent = &server.requests()[0].body;
    assert_eq!(
        sent["tool_choice"],
        json!({"type": "tool", "name": "Journey"})
    );

    let native = model(&server)
        .with_structured_output::<Journey>()
        .method(StructuredMethod::JsonSchema);
    let journey = native.invoke("Plan a journey").await.unwrap();
    assert!(!journey.legs.is_empty(), "{journey:?}");
    assert_eq!(
        server.requests()[2].body["output_config"]["format"]["type"],
        "json_schema"
    );
}
