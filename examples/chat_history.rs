//! A conversation that outlives a call: `with_history` (LangChain's
//! `RunnableWithMessageHistory`) loads a session's messages before each turn and appends the
//! turn and its reply, tool calls and results included, once the reply has streamed to the end.
//!
//! ```text
//! cargo run --example chat_history --features history-sqlite
//! ```
//!
//! With `ANTHROPIC_API_KEY` set it calls the real API. Without it, it starts a local mock
//! Messages server that answers each turn (a tool call for the weather, then the answer) and
//! shows what each request carried. Pass a file name (`cargo run --example chat_history --features history-sqlite --
//! chat.db`) to keep the conversation in SQLite instead of memory: run it twice and the second
//! run continues the first one's conversation.

mod common;

use std::io::Write;
use std::sync::Arc;

use chat_anthropic::compose::history::WithHistory;
use chat_anthropic::compose::history::{ChatHistoryStore, InMemoryHistory, SqliteHistory};
use chat_anthropic::compose::{ChatModelExt, RunConfig};
use chat_anthropic::{HumanMessage, Message, SystemMessage, Tool, ToolCall, ToolMessage};
use chat_anthropic_mock::{MockReply, MockScript, RecordedRequest};
use common::real_or_mock;
use futures_util::StreamExt;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, mock) = real_or_mock("claude-sonnet-4-6", answer).await;
    let weather = Tool::new(
        "get_weather",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    )
    .description("The current weather in a city.");
    let llm = llm.bind_tools([weather]);

    // The store: in memory, or a SQLite file named on the command line.
    let store: Arc<dyn ChatHistoryStore> = match std::env::args().nth(1) {
        Some(path) => {
            println!("history in {path}");
            Arc::new(SqliteHistory::open(path)?)
        }
        None => Arc::new(InMemoryHistory::new()),
    };
    let chat = WithHistory::with_shared_store(llm, store.clone());
    let ada = RunConfig::new().session_id("ada");
    let system = || Message::from(SystemMessage::new("You are brief."));

    // Turn 1.
    let reply = chat
        .invoke_with(
            vec![system(), HumanMessage::new("Hi, I'm Ada.").into()],
            &ada,
        )
        .await?;
    println!("ada> Hi, I'm Ada.\nbot> {}\n", reply.text());

    // Turn 2, streamed: the model calls the weather tool.
    println!("ada> What's the weather in Paris?");
    let mut stream = chat
        .stream_with(
            vec![
                system(),
                HumanMessage::new("What's the weather in Paris?").into(),
            ],
            &ada,
        )
        .await?;
    while let Some(event) = stream.next().await {
        event?;
    }
    // The turn was appended as the stream ended: its tool call is in the store.
    let Some(call) = last_tool_calls(&*store).await?.first().cloned() else {
        println!("bot> (no tool call)");
        return Ok(());
    };
    println!("bot> calls {}({})", call.name, call.args);

    // Turn 3: the tool's result is this turn's input.
    let result = ToolMessage::new("15°C, sunny", call.id);
    let reply = chat
        .invoke_with(vec![system(), result.into()], &ada)
        .await?;
    println!("bot> {}\n", reply.text());

    println!("stored for session `ada`:");
    for message in store.load("ada").await? {
        println!("  {:<5} {}", message.role(), summary(&message));
    }
    if let Some(mock) = mock {
        println!("\nmessages sent per request (history + the new turn):");
        for (n, request) in mock.requests().iter().enumerate() {
            let sent = request.body["messages"].as_array().map_or(0, Vec::len);
            println!("  request {}: {sent} messages", n + 1);
        }
    }
    std::io::stdout().flush()?;
    Ok(())
}

/// The tool calls of the last stored reply of `ada`.
async fn last_tool_calls(
    store: &dyn ChatHistoryStore,
) -> Result<Vec<ToolCall>, chat_anthropic::Error> {
    let kept = store.load("ada").await?;
    Ok(match kept.last() {
        Some(Message::Ai(reply)) => reply.tool_calls.clone(),
        _ => Vec::new(),
    })
}

/// A message on one line: its text, or its tool calls.
fn summary(message: &Message) -> String {
    match message {
        Message::Ai(ai) if !ai.tool_calls.is_empty() => ai
            .tool_calls
            .iter()
            .map(|call| format!("-> {}({})", call.name, call.args))
            .collect::<Vec<_>>()
            .join(", "),
        Message::Tool(tool) => format!("{} (for {})", tool.content.text(), tool.tool_call_id),
        other => other.content().text(),
    }
}

/// The mock's answers: a name remembered, a tool call for the weather, then its result read.
fn answer(request: &RecordedRequest) -> MockReply {
    let messages = request.body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let last = messages.last().cloned().unwrap_or_default();
    let last_text = last["content"].as_str().unwrap_or_default();
    if let Some(result) = last["content"][0]["content"].as_str() {
        return MockReply::text(format!("It's {result} in Paris."));
    }
    if last_text.contains("weather") {
        return MockReply::script(MockScript::new().text("Let me check.").tool_use(
            "toolu_01",
            "get_weather",
            json!({"city": "Paris"}),
        ));
    }
    MockReply::text(format!(
        "Hello! ({} messages in this request)",
        messages.len()
    ))
}
