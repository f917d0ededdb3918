//! Trimming over real HTTP against the mock: the trimmed conversation keeps every tool call
//! with its results (the mock refuses a split pair with a 400, as the API does) and starts on
//! a human turn; the API-counted path asks the mock's `count_tokens` endpoint.

use chat_anthropic::compose::{
    trim_messages, trim_messages_counted, ChatModelExt, TrimOptions, TrimStrategy,
};
use chat_anthropic::{
    AIMessage, ChatAnthropic, HumanMessage, Message, SystemMessage, ToolCall, ToolMessage,
};
use chat_anthropic_mock::{MockReply, MockServer};
use serde_json::{json, Value};

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .max_retries(0)
        .base_url(server.base_url())
        .api_key("test")
}

/// A system message, then `rounds` rounds of: a question, a reply calling two tools, their
/// two results, a text answer.
fn conversation_with_tools(rounds: usize) -> Vec<Message> {
    let mut messages = vec![Message::from(SystemMessage::new("You check the weather."))];
    for round in 0..rounds {
        messages.push(HumanMessage::new(format!("Weather in city {round} and its twin?")).into());
        let mut call = AIMessage::new(format!("Checking both, round {round}."));
        for twin in 0..2 {
            call.tool_calls.push(ToolCall::new(
                "get_weather",
                json!({"city": format!("city {round}.{twin}")}),
                format!("toolu_{round}_{twin}"),
            ));
        }
        messages.push(call.into());
        for twin in 0..2 {
            messages.push(
                ToolMessage::new(format!("{}°C", 10 + round), format!("toolu_{round}_{twin}"))
                    .into(),
            );
        }
        messages.push(AIMessage::new(format!("Both are {}°C.", 10 + round)).into());
    }
    messages
}

/// Each `tool_result` block answers a `tool_use` of the message just before it.
fn assert_tool_pairs_together(sent: &[Value]) {
    for (i, message) in sent.iter().enumerate() {
        let Some(blocks) = message["content"].as_array() else {
            continue;
        };
        for result in blocks.iter().filter(|b| b["type"] == "tool_result") {
            let call_id = &result["tool_use_id"];
            let before = sent[..i].last().expect("a tool result after a call");
            let calls = before["content"].as_array().expect("the call's blocks");
            assert!(
                calls
                    .iter()
                    .any(|b| b["type"] == "tool_use" && &b["id"] == call_id),
                "message {i}: result {call_id} without its call"
            );
        }
    }
}

#[tokio::test]
async fn trimming_keeps_tool_pairs_together_and_starts_on_a_human_turn() {
    let server = MockServer::start().await;
    let conversation = conversation_with_tools(6);
    // Budgets from tiny to all: each request is one the API accepts.
    for budget in [30, 60, 90, 120, 200, 400, 10_000] {
        server.enqueue(MockReply::text("ok"));
        let trimmed = model(&server).with_trimming(TrimOptions::new(budget));
        let mut input = conversation.clone();
        input.push(HumanMessage::new("And now?").into());
        trimmed
            .invoke(input)
            .await
            .unwrap_or_else(|e| panic!("budget {budget}: {e}"));
        let request = server.requests().pop().unwrap();
        let sent = request.body["messages"].as_array().unwrap().clone();
        assert_eq!(
            request.body["system"], "You check the weather.",
            "budget {budget}"
        );
        assert_eq!(sent[0]["role"], "user", "budget {budget}");
        assert!(
            sent[0]["content"].is_string(),
            "budget {budget}: starts on a human turn, not on tool results"
        );
        assert_tool_pairs_together(&sent);
        assert_eq!(sent.last().unwrap()["content"], "And now?");
    }
}

#[tokio::test]
async fn first_strategy_keeps_the_opening_turns_whole() {
    let conversation = conversation_with_tools(4);
    let options = TrimOptions::new(80).strategy(TrimStrategy::First);
    let kept = trim_messages(&conversation, &options);
    assert_eq!(kept[0], conversation[0]);
    assert_eq!(kept[1..], conversation[1..kept.len()], "a prefix");
    assert_ne!(kept.last().unwrap().role(), "human");
    let next = conversation.get(kept.len()).map(Message::role);
    assert_ne!(next, Some("tool"), "cut before a tool result");
}

#[tokio::test]
async fn the_api_counted_path_asks_count_tokens_and_keeps_within_the_budget() {
    let server = MockServer::start().await;
    let llm = model(&server);
    let conversation = conversation_with_tools(8);
    let all = llm.count_tokens(conversation.clone()).await.unwrap();
    let budget = all / 3;
    server.clear_requests();

    let kept = trim_messages_counted(&llm, &conversation, &TrimOptions::new(budget))
        .await
        .unwrap();
    let counted = server.requests();
    assert!(!counted.is_empty(), "at least one count");
    assert!(
        counted.len() <= 6,
        "a binary search over 8 rounds: {} counts",
        counted.len()
    );
    assert!(counted
        .iter()
        .all(|r| r.path == "/v1/messages/count_tokens"));
    assert!(kept.len() > 1 && kept.len() < conversation.len());
    assert!(llm.count_tokens(kept.clone()).await.unwrap() <= budget);
    assert_eq!(kept[0], conversation[0], "the system message kept");
    assert_eq!(kept[1].role(), "human");
    assert_eq!(kept.last(), conversation.last());

    // The same through the wrapper: counts first, then the one Messages request.
    server.clear_requests();
    server.enqueue(MockReply::text("ok"));
    let trimmed = llm
        .clone()
        .with_trimming(TrimOptions::new(budget))
        .count_with(llm.clone());
    trimmed.invoke(conversation.clone()).await.unwrap();
    let requests = server.requests();
    let (last, counts) = requests.split_last().unwrap();
    assert_eq!(last.path, "/v1/messages");
    assert!(counts.iter().all(|r| r.path == "/v1/messages/count_tokens"));
    // The same cut: the system message goes top-level, and a call's results go in one
    // user turn.
    let merged_results = kept
        .windows(2)
        .filter(|pair| matches!(pair, [Message::Tool(_), Message::Tool(_)]))
        .count();
    assert_eq!(
        last.body["messages"].as_array().unwrap().len(),
        kept.len() - 1 - merged_results,
    );
    assert_tool_pairs_together(last.body["messages"].as_array().unwrap());
}
