//! Extended thinking in a tool loop: the reasoning streams apart from the answer, and the
//! signed thinking block goes back unchanged with the tool result, as the API requires.
//!
//! ```text
//! cargo run --example thinking
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (its
//! script thinks, calls the tool, then answers; it refuses thinking that comes back altered).

mod common;

use std::io::{IsTerminal, Write};

use chat_anthropic::{
    settings::Thinking, ChatAnthropic, HumanMessage, Message, StreamUpdate, Tool, ToolMessage,
};
use chat_anthropic_mock::{MockReply, MockScript, RecordedRequest};
use common::real_or_mock;
use futures_util::StreamExt;
use serde_json::json;

/// The mock's script: think and call the tool first, answer once the result is back.
fn script(request: &RecordedRequest) -> MockReply {
    let answered = request.body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .is_some_and(|last| last["content"][0]["type"] == "tool_result");
    MockReply::script(if answered {
        MockScript::new().text("12 × 17 = 204.")
    } else {
        MockScript::new()
            .thinking(
                "The user wants 12 × 17. I should use the calculator rather than guess.",
                "EqoBCkgIARABGAIiQL-mock-signature",
            )
            .tool_use("toolu_calc", "calculator", json!({"expression": "12 * 17"}))
    })
}

/// Streams one turn: thinking dimmed on a terminal, text plain. Returns the assembled
/// message.
async fn turn(
    llm: &ChatAnthropic,
    history: &[Message],
) -> Result<chat_anthropic::AIMessage, chat_anthropic::Error> {
    // Escapes only for a terminal: a pipe or a file gets plain text.
    let (dim, reset) = if std::io::stdout().is_terminal() {
        ("\x1b[2m", "\x1b[0m")
    } else {
        ("", "")
    };
    let mut updates = llm.stream(history.to_vec()).await?.updates();
    while let Some(update) = updates.next().await {
        match update? {
            StreamUpdate::BlockStarted { block, .. } if block.kind() == "thinking" => {
                print!("{dim}thinking: {reset}")
            }
            StreamUpdate::Thinking { thinking, .. } => print!("{dim}{thinking}{reset}"),
            StreamUpdate::Signature { .. } => println!("{dim} [signed]{reset}"),
            StreamUpdate::Text { text, .. } => print!("{text}"),
            StreamUpdate::ToolCallDone { call, .. } => println!("→ {}({})", call.name, call.args),
            _ => {}
        }
        let _ = std::io::stdout().flush();
    }
    Ok(updates.aggregator().partial_message())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", script).await;
    let llm = llm
        .max_tokens(4096)
        .thinking(Thinking::enabled(2048))
        .bind_tools([Tool::new(
            "calculator",
            json!({"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}),
        )
        .description("Evaluates an arithmetic expression.")]);

    let mut history: Vec<Message> =
        vec![HumanMessage::new("How much is 12 × 17? Use the calculator.").into()];
    loop {
        let reply = turn(&llm, &history).await?;
        let calls = reply.tool_calls.clone();
        // The reply goes back as it came: thinking, signature and tool_use blocks unchanged.
        history.push(reply.into());
        if calls.is_empty() {
            break;
        }
        for call in calls {
            history.push(ToolMessage::new("204", call.id).into());
        }
    }
    println!();
    Ok(())
}
