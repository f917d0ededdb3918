//! Keeping a long conversation within a token budget: `trim_messages` (LangChain's), counted
//! offline or by the API's `count_tokens`, and `with_trimming` to trim before every call.
//! A tool call is never separated from its results, and the kept part starts on a human turn.
//!
//! ```text
//! cargo run --example trim_messages
//! ```
//!
//! With `ANTHROPIC_API_KEY` set the exact counts and the last call go to the real API;
//! without it, to a local mock Messages server (its `count_tokens` counts like the API's, not
//! token for token).

mod common;

use chat_anthropic::compose::{
    approximate_tokens, trim_messages, trim_messages_counted, ChatModelExt, TrimOptions,
    TrimStrategy,
};
use chat_anthropic::{AIMessage, HumanMessage, Message, SystemMessage, ToolCall, ToolMessage};
use chat_anthropic_mock::MockReply;
use common::real_or_mock;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conversation = conversation();
    println!(
        "the conversation: {} messages, ~{} tokens (approximate)\n",
        conversation.len(),
        approximate_tokens(&conversation)
    );
    show("all", &conversation);

    // Offline: the last ~120 tokens, then the first ~120.
    let last = trim_messages(&conversation, &TrimOptions::new(120));
    show("last ~120 tokens (approximate count)", &last);
    let first = trim_messages(
        &conversation,
        &TrimOptions::new(120).strategy(TrimStrategy::First),
    );
    show("first ~120 tokens", &first);

    // Counted by the API (or the mock): about log2(turns) count_tokens requests.
    let (llm, mock) = real_or_mock("claude-sonnet-4-6", |_| MockReply::text("Noted.")).await;
    let total = llm.count_tokens(conversation.clone()).await?;
    let budget = total / 2;
    let counted = trim_messages_counted(&llm, &conversation, &TrimOptions::new(budget)).await?;
    show(
        &format!("at most {budget} of {total} tokens (count_tokens)"),
        &counted,
    );

    // Trimmed before every call.
    let short = llm.with_trimming(TrimOptions::new(120));
    let mut input = conversation.clone();
    input.push(HumanMessage::new("Summarize our chat.").into());
    let reply = short.invoke(input).await?;
    println!("with_trimming(120) answered: {}", reply.text());
    if let Some(mock) = mock {
        let sent = mock.requests().last().map_or(0, |request| {
            request.body["messages"].as_array().map_or(0, Vec::len)
        });
        println!("  (its request carried {sent} messages)");
    }
    Ok(())
}

/// A system message and four rounds, two of them with a tool round trip.
fn conversation() -> Vec<Message> {
    let mut messages = vec![Message::from(SystemMessage::new(
        "You are a travel assistant.",
    ))];
    for (round, city) in ["Paris", "Lisbon", "Oslo", "Rome"].into_iter().enumerate() {
        messages.push(HumanMessage::new(format!("What should I pack for {city}?")).into());
        if round % 2 == 0 {
            let id = format!("toolu_{round}");
            let mut call = AIMessage::new("Let me check the forecast.");
            call.tool_calls.push(ToolCall::new(
                "get_forecast",
                json!({"city": city}),
                id.clone(),
            ));
            messages.push(call.into());
            messages.push(ToolMessage::new("Rain, 12°C all week.", id).into());
        }
        messages.push(
            AIMessage::new(format!(
                "For {city}, pack layers, a light jacket and comfortable shoes."
            ))
            .into(),
        );
    }
    messages
}

fn show(title: &str, messages: &[Message]) {
    println!("== {title}: {} messages", messages.len());
    for message in messages {
        let text = match message {
            Message::Ai(ai) if !ai.tool_calls.is_empty() => {
                format!("{} -> {}", ai.text(), ai.tool_calls[0].name)
            }
            other => other.content().text(),
        };
        println!("  {:<6} {text}", message.role());
    }
    println!();
}
