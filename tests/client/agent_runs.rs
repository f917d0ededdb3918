//! Runs that keep going, over real HTTP against the mock: paused turns continued, a tool call
//! cut by `max_tokens` reported (and not run), compaction blocks sent back, the client-side
//! context budget (stop or trim).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chat_anthropic::agent::{
    Agent, AgentError, AgentEvent, AgentOutput, AgentRun, AgentTool, BudgetPolicy, RunError,
    StopCause,
};
use chat_anthropic::settings::{ContextManagement, ModelProfile};
use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockScript, MockServer, RecordedRequest};
use futures_util::StreamExt;
use serde_json::{json, Value};

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

/// Every event of a run, and how it ended (bounded in time).
async fn collect(mut run: AgentRun) -> (Vec<AgentEvent>, Result<AgentOutput, AgentError>) {
    let mut events = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = run.next().await {
            match event {
                Ok(AgentEvent::Finished(output)) => return Ok(*output),
                Ok(event) => events.push(event),
                Err(err) => return Err(err),
            }
        }
        panic!("the run ended without Finished or an error");
    })
    .await
    .expect("the run ends within 20 s");
    (events, outcome)
}

fn messages(request: &RecordedRequest) -> &Vec<Value> {
    request.body["messages"].as_array().expect("messages")
}

/// A tool that counts its calls and answers with `size` bytes of text.
fn reader(calls: Arc<AtomicUsize>, size: usize) -> AgentTool {
    AgentTool::from_json(
        chat_anthropic::Tool::new("read", json!({"type": "object", "properties": {}})),
        move |_| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, String>("lorem ipsum ".repeat(size / 12))
            }
        },
    )
}

/// A reply calling `read`, with an id unique to the request (the number of messages sent).
fn read_call(request: &RecordedRequest) -> MockReply {
    let id = format!("toolu_{}", messages(request).len());
    MockReply::script(MockScript::new().tool_use(id, "read", json!({})))
}

#[tokio::test]
async fn paused_turns_are_sent_back_as_they_are_until_the_model_finishes() {
    let server = MockServer::start().await;
    let search = json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "rust"}});
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("Searching…")
            .raw_block(search.clone())
            .stop_reason("pause_turn"),
    ));
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("Still searching…")
            .stop_reason("pause_turn"),
    ));
    server.enqueue(MockReply::text("Rust is a language."));
    let (events, outcome) = collect(
        Agent::new(model(&server))
            .max_pause_continuations(2)
            .run("What is Rust?"),
    )
    .await;
    let output = outcome.expect("the run finishes");
    assert_eq!(output.stop, StopCause::ModelFinished);
    assert_eq!(output.message.text(), "Rust is a language.");
    let paused: Vec<(usize, usize, String)> = events
        .iter()
        .filter_map(|event| match event {
            AgentEvent::TurnPaused {
                turn,
                continuation,
                reason,
            } => Some((*turn, *continuation, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        paused,
        [(1, 1, "pause_turn".into()), (2, 2, "pause_turn".into())]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    // Each continuation: the conversation as it was, the paused reply last, no user message
    // added; the server tool's block goes back as it came.
    let second = messages(&requests[1]);
    assert_eq!(second.len(), 2);
    assert_eq!(second[1]["role"], "assistant");
    assert_eq!(second[1]["content"][1], search);
    // Two paused replies in a row go back as one assistant turn (the API wants turns to
    // alternate), their blocks in order.
    let third = messages(&requests[2]);
    assert_eq!(third.len(), 2);
    let blocks = third[1]["content"].as_array().unwrap();
    assert_eq!(blocks.len(), 3, "{blocks:?}");
    assert_eq!(blocks[1], search);
    assert_eq!(blocks[2]["text"], "Still searching…");
    assert_eq!(output.conversation.len(), 4);
}

#[tokio::test]
async fn a_reply_paused_too_often_ends_the_run_resumable() {
    let server = MockServer::start().await;
    server.set_responder(|_| {
        MockReply::script(MockScript::new().text("Working…").stop_reason("pause_turn"))
    });
    let output = Agent::new(model(&server))
        .max_pause_continuations(2)
        .max_turns(10)
        .invoke("Long job")
        .await
        .expect("a pause limit is an outcome, not an error");
    assert_eq!(output.stop, StopCause::PauseLimit);
    assert_eq!(output.turns, 3, "the first reply and two continuations");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(output.conversation.last().unwrap().role(), "ai");

    // No continuation at all.
    let output = Agent::new(model(&server))
        .max_pause_continuations(0)
        .invoke("Long job")
        .await
        .unwrap();
    assert_eq!((output.stop, output.turns), (StopCause::PauseLimit, 1));
}

#[tokio::test]
async fn a_tool_call_cut_by_max_tokens_is_reported_and_never_run() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("Writing the file.")
            .tool_use_raw(
                "toolu_cut",
                "read",
                r#"{"path": "src/lib.rs", "content": "fn main() {"#,
            )
            .stop_reason("max_tokens"),
    ));
    let calls = Arc::new(AtomicUsize::new(0));
    let (events, outcome) = collect(
        Agent::new(model(&server))
            .tool(reader(calls.clone(), 10))
            .run("Write it"),
    )
    .await;
    let err = outcome.expect_err("a cut call ends the run");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "half a call is never run");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, AgentEvent::ToolStarted { .. })),
        "no tool event for the cut call: {events:?}"
    );
    match err.run_error() {
        Some(RunError::ToolInputCut {
            tool,
            id,
            partial_input,
            message,
        }) => {
            assert_eq!((tool.as_str(), id.as_str()), ("read", "toolu_cut"));
            assert_eq!(
                partial_input,
                r#"{"path": "src/lib.rs", "content": "fn main() {"#
            );
            assert_eq!(message.text(), "Writing the file.");
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("max_tokens") && text.contains("tool `read`") && text.contains("cut"),
        "{text}"
    );
    assert_eq!(err.turn(), 1);
    assert_eq!(
        err.conversation().len(),
        1,
        "the conversation before the turn"
    );
    assert_eq!(err.partial_message().unwrap().text(), "Writing the file.");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn max_tokens_after_a_complete_call_or_in_text_is_no_cut_call() {
    let server = MockServer::start().await;
    // Text cut by max_tokens: the model's reply, the run ends normally.
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("A long answer that")
            .stop_reason("max_tokens"),
    ));
    let output = Agent::new(model(&server)).invoke("Talk").await.unwrap();
    assert_eq!(output.stop, StopCause::ModelFinished);
    assert_eq!(
        output.message.response_metadata.stop_reason,
        Some(chat_anthropic::StopReason::MaxTokens)
    );
}

#[tokio::test]
async fn compaction_blocks_stay_in_the_conversation_and_are_sent_back() {
    let server = MockServer::start().await;
    let compaction = json!({"type": "compaction", "content": "Summary: the user asked to read files; two were read."});
    server.enqueue(MockReply::script(
        MockScript::new()
            .raw_block(compaction.clone())
            .tool_use("toolu_1", "read", json!({})),
    ));
    // Compaction set to pause after it: the reply stops at the summary, and is continued.
    server.enqueue(MockReply::script(
        MockScript::new()
            .raw_block(compaction.clone())
            .stop_reason("compaction"),
    ));
    server.enqueue(MockReply::text("Done."));
    let llm = model(&server).context_management(ContextManagement::new().edit(
        json!({"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 50000}}),
    ));
    let calls = Arc::new(AtomicUsize::new(0));
    let (events, outcome) = collect(
        Agent::new(llm)
            .tool(reader(calls.clone(), 10))
            .run("Read the files"),
    )
    .await;
    let output = outcome.unwrap();
    assert_eq!(output.message.text(), "Done.");
    assert!(events.iter().any(
        |e| matches!(e, AgentEvent::TurnPaused { turn: 2, reason, .. } if reason == "compaction")
    ));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(
            request.body["context_management"]["edits"][0]["type"],
            "compact_20260112"
        );
        let betas = request.headers.get("anthropic-beta").expect("betas");
        assert!(
            betas.contains("compact-2026-01-12") && betas.contains("context-management-2025-06-27"),
            "{betas}"
        );
    }
    // The compaction block goes back first in its reply, exactly as it came.
    let second = messages(&requests[1]);
    assert_eq!(second[1]["role"], "assistant");
    assert_eq!(second[1]["content"][0], compaction);
    assert_eq!(second[1]["content"][1]["type"], "tool_use");
    let third = messages(&requests[2]);
    assert_eq!(third.last().unwrap()["content"][0], compaction);
}

/// The turns' usage, from the run's events.
fn turn_sizes(events: &[AgentEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::TurnFinished { usage, .. } => {
                Some(usage.input_tokens + usage.output_tokens)
            }
            _ => None,
        })
        .collect()
}

fn small_window(server: &MockServer, window: u32) -> ChatAnthropic {
    let mut profile = ModelProfile::default();
    profile.max_input_tokens = Some(window);
    model(server).profile(profile)
}

#[tokio::test]
async fn the_stop_policy_ends_the_run_at_the_first_turn_past_the_budget() {
    let server = MockServer::start().await;
    server.set_responder(read_call);
    let calls = Arc::new(AtomicUsize::new(0));
    let (events, outcome) = collect(
        Agent::new(small_window(&server, 4_000))
            .tool(reader(calls, 1_200))
            .max_turns(40)
            .context_budget(0.5, BudgetPolicy::Stop)
            .run("Read everything"),
    )
    .await;
    let output = outcome.unwrap();
    assert_eq!(output.stop, StopCause::ContextBudget);
    let sizes = turn_sizes(&events);
    assert!(
        sizes.len() >= 2,
        "the budget is not reached at once: {sizes:?}"
    );
    assert!(
        sizes[..sizes.len() - 1].iter().all(|&s| s <= 2_000),
        "{sizes:?}"
    );
    assert!(*sizes.last().unwrap() > 2_000, "{sizes:?}");
    assert_eq!(output.turns, sizes.len());
    // The conversation is whole: the last turn's tool results are in.
    assert_eq!(output.conversation.last().unwrap().role(), "tool");
}

#[tokio::test]
async fn the_trim_policy_drops_whole_exchanges_and_keeps_the_prompt() {
    let server = MockServer::start().await;
    server.set_responder(read_call);
    let calls = Arc::new(AtomicUsize::new(0));
    let (events, outcome) = collect(
        Agent::new(small_window(&server, 4_000))
            .tool(reader(calls.clone(), 1_200))
            .max_turns(12)
            .context_budget(0.5, BudgetPolicy::Trim)
            .run("Read everything"),
    )
    .await;
    let output = outcome.unwrap();
    assert_eq!(output.stop, StopCause::MaxTurns, "trimming kept it going");
    assert_eq!(calls.load(Ordering::SeqCst), 12);
    let trims: Vec<(usize, u64, u64)> = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::ContextTrimmed {
                removed,
                tokens,
                limit,
                ..
            } => Some((*removed, *tokens, *limit)),
            _ => None,
        })
        .collect();
    assert!(!trims.is_empty(), "{:?}", turn_sizes(&events));
    for (removed, tokens, limit) in &trims {
        assert!(
            *removed >= 2 && removed % 2 == 0,
            "whole exchanges: {trims:?}"
        );
        assert!(tokens > limit && *limit == 2_000);
    }
    for request in server.requests() {
        let sent = messages(&request);
        assert_eq!(sent[0]["content"], "Read everything", "the prompt stays");
        // Alternating turns, and every tool_result answers a tool_use of the reply before it.
        for pair in sent.windows(2) {
            assert_ne!(pair[0]["role"], pair[1]["role"]);
            let results = pair[1]["content"].as_array().into_iter().flatten();
            for result in results.filter(|b| b["type"] == "tool_result") {
                let calls = pair[0]["content"].as_array().unwrap();
                assert!(
                    calls.iter().any(|c| c["id"] == result["tool_use_id"]),
                    "{sent:?}"
                );
            }
        }
    }
    // Past the first trim, requests stay bounded instead of growing every turn.
    let sizes = turn_sizes(&events);
    assert!(
        sizes.iter().all(|&s| s <= 2_000 * 2),
        "bounded by trimming: {sizes:?}"
    );
}

#[tokio::test]
async fn a_budget_needs_a_context_window() {
    let server = MockServer::start().await;
    let llm = ChatAnthropic::new("my-proxy-model")
        .base_url(server.base_url())
        .api_key("k");
    let err = Agent::new(llm)
        .context_budget(0.8, BudgetPolicy::Stop)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(
        err.run_error(),
        Some(&RunError::NoContextWindow {
            model: "my-proxy-model".into()
        })
    );
    assert!(err.to_string().contains("ChatAnthropic::profile"));
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[test]
fn the_new_events_serialize_as_a_page_reads_them() {
    let paused = AgentEvent::TurnPaused {
        turn: 2,
        continuation: 1,
        reason: "pause_turn".into(),
    };
    assert_eq!(
        serde_json::to_value(&paused).unwrap(),
        json!({"type": "turn_paused", "turn": 2, "continuation": 1, "reason": "pause_turn"})
    );
    let trimmed = AgentEvent::ContextTrimmed {
        turn: 5,
        removed: 4,
        tokens: 2100,
        limit: 2000,
    };
    assert_eq!(
        serde_json::to_value(&trimmed).unwrap(),
        json!({"type": "context_trimmed", "turn": 5, "removed": 4, "tokens": 2100, "limit": 2000})
    );
    assert_eq!(
        serde_json::to_value(StopCause::PauseLimit).unwrap(),
        "pause_limit"
    );
    assert_eq!(
        serde_json::to_value(StopCause::ContextBudget).unwrap(),
        "context_budget"
    );
}
