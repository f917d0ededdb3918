//! An agent with two tools, run by the library: tools start while the reply is still
//! streaming, independent calls run in parallel, and a failing call goes back to the model,
//! which recovers. Tokens and tool arguments print as they arrive.
//!
//! ```text
//! cargo run --example agent --features agent
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (its
//! multi-turn script: look up both cities and convert the budget at once, fix the currency
//! code the converter refused, then answer). `examples/agent_loop.rs` is the same idea
//! written by hand over `invoke`.

mod common;

use std::io::Write;
use std::time::Duration;

use chat_anthropic::agent::{Agent, AgentEvent, AgentTool};
use chat_anthropic::StreamUpdate;
use chat_anthropic_mock::{MockReply, MockScript, MockTurns};
use common::real_or_mock;
use futures_util::StreamExt;
use serde_json::json;

/// Get the current weather in a given location
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

/// Convert an amount of money between currencies
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct ConvertCurrency {
    /// The amount to convert
    amount: f64,
    /// ISO 4217 code of the currency to convert from, e.g. USD
    from: String,
    /// ISO 4217 code of the currency to convert to, e.g. EUR
    to: String,
}

/// A slow weather service (0.8 s a call).
async fn weather(args: GetWeather) -> Result<serde_json::Value, String> {
    tokio::time::sleep(Duration::from_millis(800)).await;
    match args.location.as_str() {
        l if l.starts_with("Los Angeles") => Ok(json!({"celsius": 27, "sky": "sunny"})),
        l if l.starts_with("New York") => Ok(json!({"celsius": 18, "sky": "cloudy"})),
        other => Err(format!("no station near {other}")),
    }
}

/// A fast converter that knows two rates and insists on ISO codes.
async fn convert(args: ConvertCurrency) -> Result<String, String> {
    let rate = match (args.from.as_str(), args.to.as_str()) {
        ("USD", "EUR") => 0.92,
        ("EUR", "USD") => 1.09,
        (from, to) => {
            return Err(format!(
                "unknown currency pair {from}->{to}: use ISO codes such as USD and EUR"
            ))
        }
    };
    Ok(format!("{:.2} {}", args.amount * rate, args.to))
}

/// What the mock answers, turn by turn (the real model decides for itself).
fn script() -> MockTurns {
    let paced = |script: MockScript| MockReply::script(script).delay(Duration::from_millis(15));
    MockTurns::new()
        .turn(
            1,
            paced(
                MockScript::new()
                    .text("I'll check both cities and convert your budget at the same time.")
                    .tool_use("toolu_la", "GetWeather", json!({"location": "Los Angeles, CA"}))
                    .tool_use("toolu_ny", "GetWeather", json!({"location": "New York, NY"}))
                    .tool_use("toolu_fx1", "ConvertCurrency", json!({"amount": 100, "from": "USD", "to": "EUROS"})),
            ),
        )
        .when(
            |turn| turn.results.iter().any(|r| r.is_error),
            paced(
                MockScript::new()
                    .text("The converter wants ISO codes; retrying with EUR.")
                    .tool_use("toolu_fx2", "ConvertCurrency", json!({"amount": 100, "from": "USD", "to": "EUR"})),
            ),
        )
        .otherwise(paced(MockScript::new().text(
            "Los Angeles is hotter today (27°C and sunny) than New York (18°C and cloudy), and your $100 is 92.00 EUR.",
        )))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _mock) = real_or_mock("claude-sonnet-4-6", script().responder()).await;
    let agent = Agent::new(llm)
        .tool(AgentTool::from_fn(weather))
        .tool(AgentTool::from_fn(convert))
        .max_turns(6);

    let mut run = agent.run("Which city is hotter today, LA or NY? And what is $100 in euros?");
    let mut out = std::io::stdout();
    while let Some(event) = run.next().await {
        match event? {
            AgentEvent::TurnStarted { turn } => println!("── turn {turn} ──"),
            AgentEvent::Update { update, .. } => match update {
                StreamUpdate::Text { text, .. } => {
                    print!("{text}");
                    out.flush()?;
                }
                StreamUpdate::ToolCallStarted { name, .. } => print!("\n  {name} "),
                StreamUpdate::ToolArgComplete { pointer, value, .. } if !pointer.is_empty() => {
                    print!("{}={value} ", &pointer[1..]);
                    out.flush()?;
                }
                _ => {}
            },
            AgentEvent::ToolStarted { name, id, .. } => println!("\n  ▶ {name} started ({id})"),
            AgentEvent::ToolFinished {
                name,
                duration,
                content,
                is_error,
                ..
            } => {
                let mark = if is_error { "✘" } else { "✔" };
                println!(
                    "  {mark} {name} after {:.2}s: {}",
                    duration.as_secs_f64(),
                    content.text()
                );
            }
            AgentEvent::TurnFinished { usage, .. } => {
                println!(
                    "\n  [{} tokens in, {} out]",
                    usage.input_tokens, usage.output_tokens
                );
            }
            AgentEvent::Finished(output) => {
                println!(
                    "\nDone after {} turns ({:?}): {} messages, {} tokens in all.",
                    output.turns,
                    output.stop,
                    output.conversation.len(),
                    output.usage.total_tokens
                );
            }
            _ => {}
        }
    }
    Ok(())
}
