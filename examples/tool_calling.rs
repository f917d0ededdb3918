//! Tool calling as in LangChain's `ChatAnthropic` guide: bind a `GetWeather` tool, then read
//! the reply's `content` and `tool_calls`.
//!
//! ```text
//! cargo run --example tool_calling
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise.

mod common;

use chat_anthropic::Tool;
use chat_anthropic_mock::{MockReply, MockScript};
use common::real_or_mock;
use serde_json::json;

/// Get the current weather in a given location
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct GetWeather {
    /// The city and state, e.g. San Francisco, CA
    location: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _mock) = real_or_mock("claude-sonnet-4-6", |_| {
        MockReply::script(
            MockScript::new()
                .text("I'll check the current weather in both cities.")
                .tool_use(
                    "toolu_01A09q90qw90lq917835lq9",
                    "GetWeather",
                    json!({"location": "Los Angeles, CA"}),
                )
                .tool_use(
                    "toolu_01CkMaXrgmsNjTso7so94RJq",
                    "GetWeather",
                    json!({"location": "New York, NY"}),
                ),
        )
    })
    .await;

    let llm_with_tools = llm.bind_tools([Tool::from_type::<GetWeather>()]);
    let ai_msg = llm_with_tools
        .invoke("Which city is hotter today: LA or NY?")
        .await?;

    println!(
        "== content\n{}\n",
        serde_json::to_string_pretty(&ai_msg.content)?
    );
    println!(
        "== tool_calls\n{}\n",
        serde_json::to_string_pretty(&ai_msg.tool_calls)?
    );
    for call in &ai_msg.tool_calls {
        let args: GetWeather = call.parse()?;
        println!("{} wants the weather in {}", call.id, args.location);
    }
    Ok(())
}
