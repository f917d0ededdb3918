//! An agent loop written by hand: the model calls two tools in parallel, the program runs them
//! and sends the results back, until the model answers. It is the low-level counterpart of
//! `examples/agent.rs`, where `chat_anthropic::agent::Agent` runs the loop (and starts each
//! tool while the reply is still streaming).
//!
//! ```text
//! cargo run --example agent_loop
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (its
//! script asks for the weather in both cities at once, then answers from the results).

mod common;

use chat_anthropic::{HumanMessage, Message, Tool, ToolMessage};
use chat_anthropic_mock::{MockReply, MockScript, RecordedRequest};
use common::real_or_mock;
use serde_json::json;

/// Get the current weather in a given location
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

/// The stand-in weather service.
fn weather(location: &str) -> Result<String, String> {
    match location {
        l if l.starts_with("Los Angeles") => Ok("27°C and sunny".into()),
        l if l.starts_with("New York") => Ok("18°C and cloudy".into()),
        other => Err(format!("no station near {other}")),
    }
}

/// The mock's script: call both tools first, answer once both results are back.
fn script(request: &RecordedRequest) -> MockReply {
    let messages = request.body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let results: Vec<String> = messages
        .last()
        .and_then(|m| m["content"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .filter_map(|b| b["content"].as_str().map(str::to_owned))
        .collect();
    if results.is_empty() {
        return MockReply::script(
            MockScript::new()
                .text("I'll look up both cities.")
                .tool_use(
                    "toolu_la",
                    "GetWeather",
                    json!({"location": "Los Angeles, CA"}),
                )
                .tool_use(
                    "toolu_ny",
                    "GetWeather",
                    json!({"location": "New York, NY"}),
                ),
        );
    }
    MockReply::text(format!(
        "Los Angeles is hotter today ({}) than New York ({}).",
        results[0], results[1]
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _mock) = real_or_mock("claude-sonnet-4-6", script).await;
    let llm = llm.bind_tools([Tool::from_type::<GetWeather>()]);

    let mut conversation: Vec<Message> =
        vec![HumanMessage::new("Which city is hotter today: LA or NY?").into()];
    for turn in 1..=5 {
        let reply = llm.invoke(conversation.clone()).await?;
        let calls = reply.tool_calls.clone();
        println!("turn {turn}: {}", reply.text());
        conversation.push(reply.into());
        if calls.is_empty() {
            return Ok(());
        }
        // Every result of this turn goes back in one user message, in call order.
        for call in calls {
            let result = call
                .parse::<GetWeather>()
                .map_err(|e| e.to_string())
                .and_then(|args| weather(&args.location));
            println!("  {}({}) -> {result:?}", call.name, call.args);
            conversation.push(
                match result {
                    Ok(text) => ToolMessage::new(text, call.id),
                    Err(error) => ToolMessage::error(error, call.id),
                }
                .into(),
            );
        }
    }
    Err("no final answer after 5 turns".into())
}
