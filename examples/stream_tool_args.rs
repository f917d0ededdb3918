//! A tool call's arguments, printed field by field while they stream: a `write_file` call
//! whose `content` appears on the terminal as the model writes it, long before the call (or
//! the message) is complete.
//!
//! ```text
//! cargo run --example stream_tool_args
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (its
//! scripted reply streams the input in fragments of 1–10 bytes, as the API does).

mod common;

use std::io::Write;
use std::time::Duration;

use chat_anthropic::{StreamUpdate, Tool, ToolChoice};
use chat_anthropic_mock::{MockReply, MockScript};
use common::real_or_mock;
use futures_util::StreamExt;
use serde_json::json;

/// Write a text file to disk.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct WriteFile {
    /// Where to write, relative to the project root.
    path: String,
    /// The whole content of the file.
    content: String,
}

const POEM: &str = "Bytes on the wire,\nevents parsed as they arrive,\nthe fold makes a message.\n";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _mock) = real_or_mock("claude-sonnet-4-6", |_| {
        MockReply::script(MockScript::new().tool_use(
            "toolu_1",
            "WriteFile",
            json!({"path": "poem.txt", "content": POEM}),
        ))
        .chunk_size(24)
        .delay(Duration::from_millis(15))
    })
    .await;
    let llm = llm
        .bind_tools([Tool::from_type::<WriteFile>()])
        .tool_choice(ToolChoice::tool("WriteFile"));

    let mut updates = llm
        .stream("Write a three-line poem about streaming parsers to poem.txt")
        .await?
        .updates();
    let mut out = std::io::stdout();
    while let Some(update) = updates.next().await {
        match update? {
            StreamUpdate::ToolCallStarted { name, id, .. } => println!("[{name} {id} started]"),
            StreamUpdate::ToolArgDelta { pointer, text, .. } if pointer == "/content" => {
                print!("{text}");
                out.flush()?;
            }
            StreamUpdate::ToolArgComplete { pointer, value, .. } if pointer == "/path" => {
                println!("[path: {value}]");
            }
            StreamUpdate::ToolCallDone { call, .. } => {
                let file: WriteFile = call.parse()?;
                println!(
                    "[{} done: {} bytes for {}]",
                    call.name,
                    file.content.len(),
                    file.path
                );
            }
            StreamUpdate::ToolCallInvalid { call, .. } => {
                println!("[invalid tool input: {:?}]", call.error)
            }
            _ => {}
        }
    }
    Ok(())
}
