//! The agent runner against the mock server over real HTTP: eager tool execution, results in
//! call order, failures answered to the model, multi-turn state, cancellation.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_anthropic::agent::{
    Agent, AgentError, AgentEvent, AgentOutput, AgentRun, AgentTool, StopCause,
};
use chat_anthropic::{messages::CacheControl, settings::Thinking, ChatAnthropic, StreamUpdate};
use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns, RecordedRequest};
use futures_util::StreamExt;
use serde_json::{json, Value};

/// Look a key up
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Lookup {
    /// What to look up: `slow:<ms>:<text>` sleeps first, `fail` errs, `panic` panics.
    key: String,
}

async fn lookup(args: Lookup) -> Result<String, String> {
    let key = args.key;
    if let Some(rest) = key.strip_prefix("slow:") {
        let (ms, text) = rest.split_once(':').unwrap();
        tokio::time::sleep(Duration::from_millis(ms.parse().unwrap())).await;
        return Ok(text.to_owned());
    }
    match key.as_str() {
        "fail" => Err("the lookup service is down".into()),
        "panic" => panic!("lookup exploded"),
        other => Ok(format!("value of {other}")),
    }
}

fn lookup_tool() -> AgentTool {
    AgentTool::from_fn(lookup)
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

fn call(id: &str, key: &str) -> MockScript {
    MockScript::new().tool_use(id, "Lookup", json!({ "key": key }))
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
        panic!("the run ended without Finished or an error")
    })
    .await
    .expect("the run finished in time");
    (events, outcome)
}

/// The tool results the `n`th request sent back (its last message's blocks).
fn results_sent(requests: &[RecordedRequest], n: usize) -> Vec<Value> {
    let messages = requests[n].body["messages"].as_array().unwrap();
    let last = messages.last().unwrap();
    assert_eq!(last["role"], "user");
    last["content"].as_array().unwrap().clone()
}

fn position(events: &[AgentEvent], wanted: impl Fn(&AgentEvent) -> bool) -> usize {
    events
        .iter()
        .position(wanted)
        .expect("the event is in the run")
}

#[tokio::test]
async fn a_tool_starts_as_soon_as_its_call_is_complete_before_the_reply_ends() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(
                    call("toolu_1", "a").text("While that runs, some more words to stream."),
                )
                .delay(Duration::from_millis(20)),
            )
            .otherwise(MockReply::text("Done."))
            .responder(),
    );
    let started_at = Arc::new(Mutex::new(None));
    let started = started_at.clone();
    let agent = Agent::new(model(&server)).tool(AgentTool::from_fn(move |args: Lookup| {
        *started.lock().unwrap() = Some(Instant::now());
        lookup(args)
    }));
    let mut run = agent.run("Look up a");
    let mut done_at = None;
    while let Some(event) = tokio::time::timeout(Duration::from_secs(20), run.next())
        .await
        .unwrap()
    {
        if let AgentEvent::Update {
            turn: 1,
            update: StreamUpdate::Done,
        } = event.unwrap()
        {
            done_at = Some(Instant::now());
        }
    }
    let started = started_at.lock().unwrap().expect("the handler ran");
    assert!(
        started < done_at.expect("the first reply ended"),
        "the handler started before message_stop arrived"
    );
}

#[tokio::test]
async fn calls_run_concurrently_and_results_go_back_in_call_order() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(call("toolu_slow", "slow:300:first").tool_use(
                    "toolu_fast",
                    "Lookup",
                    json!({"key": "slow:10:second"}),
                )),
            )
            .otherwise(MockReply::text("Both done."))
            .responder(),
    );
    let (events, outcome) = collect(
        Agent::new(model(&server))
            .tool(lookup_tool())
            .run("Two lookups"),
    )
    .await;
    let output = outcome.unwrap();
    assert_eq!(output.message.text(), "Both done.");
    // The fast call finished first, while the slow one was still running …
    let finished: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::ToolFinished { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(finished, ["toolu_fast", "toolu_slow"]);
    let slow_finished = position(
        &events,
        |e| matches!(e, AgentEvent::ToolFinished { id, .. } if id == "toolu_slow"),
    );
    let fast_started = position(
        &events,
        |e| matches!(e, AgentEvent::ToolStarted { id, .. } if id == "toolu_fast"),
    );
    assert!(fast_started < slow_finished, "both ran at once");
    // … but the results went back in the order of the calls, in one user turn.
    let results = results_sent(&server.requests(), 1);
    assert_eq!(
        results,
        [
            json!({"type": "tool_result", "tool_use_id": "toolu_slow", "content": "first"}),
            json!({"type": "tool_result", "tool_use_id": "toolu_fast", "content": "second"}),
        ]
    );
    assert_eq!(
        output.conversation.len(),
        5,
        "question, reply, two results, answer"
    );
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(
                    call("t1", "slow:50:a")
                        .tool_use("t2", "Lookup", json!({"key": "slow:50:b"}))
                        .tool_use("t3", "Lookup", json!({"key": "slow:50:c"})),
                ),
            )
            .otherwise(MockReply::text("ok"))
            .responder(),
    );
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (running.clone(), most.clone());
    let tool = AgentTool::from_fn(move |args: Lookup| {
        let (running, most) = (r.clone(), m.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let out = lookup(args).await;
            running.fetch_sub(1, Ordering::SeqCst);
            out
        }
    });
    let (events, outcome) = collect(
        Agent::new(model(&server))
            .tool(tool)
            .max_concurrency(2)
            .run("Three"),
    )
    .await;
    outcome.unwrap();
    assert_eq!(most.load(Ordering::SeqCst), 2);
    let started = events
        .iter()
        .filter(|e| matches!(e, AgentEvent::ToolStarted { .. }))
        .count();
    assert_eq!(started, 3);
    let ids: Vec<String> = results_sent(&server.requests(), 1)
        .iter()
        .map(|r| r["tool_use_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["t1", "t2", "t3"]);
}

#[tokio::test]
async fn failures_go_back_to_the_model_as_error_results_and_it_recovers() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(
                    call("t_err", "fail")
                        .tool_use("t_panic", "Lookup", json!({"key": "panic"}))
                        .tool_use_raw("t_json", "Lookup", r#"{"key": "x"#)
                        .tool_use("t_type", "Lookup", json!({"wrong": 1}))
                        .tool_use("t_unknown", "Teleport", json!({}))
                        .tool_use("t_ok", "Lookup", json!({"key": "k"})),
                ),
            )
            .when(
                |turn| turn.results.iter().filter(|r| r.is_error).count() == 5,
                MockReply::text("Five failed, one worked."),
            )
            .responder(),
    );
    let (events, outcome) = collect(
        Agent::new(model(&server))
            .tool(lookup_tool())
            .run("Try everything"),
    )
    .await;
    let output = outcome.expect("tool failures never end the run");
    assert_eq!(output.message.text(), "Five failed, one worked.");
    let results = results_sent(&server.requests(), 1);
    let text = |i: usize| results[i]["content"].as_str().unwrap().to_owned();
    let is_error = |i: usize| results[i]["is_error"] == true;
    assert!(is_error(0) && text(0) == "the lookup service is down");
    assert!(
        is_error(1) && text(1) == "the tool failed unexpectedly (panic: lookup exploded)",
        "{}",
        text(1)
    );
    assert!(
        is_error(2) && text(2).starts_with("the arguments are not valid JSON"),
        "{}",
        text(2)
    );
    assert!(
        is_error(3) && text(3).contains("missing field `key`"),
        "{}",
        text(3)
    );
    assert!(
        is_error(4) && text(4).contains("unknown tool \"Teleport\""),
        "{}",
        text(4)
    );
    assert!(!is_error(5) && text(5) == "value of k");
    let finished = events
        .iter()
        .filter(|e| matches!(e, AgentEvent::ToolFinished { .. }))
        .count();
    assert_eq!(finished, 6, "every call starts and finishes once");
}

#[tokio::test]
async fn thinking_redacted_thinking_and_server_tool_blocks_go_back_unchanged() {
    let server = MockServer::start().await;
    let server_use = json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "weather"}});
    let server_result = json!({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": [{"type": "web_search_result", "url": "https://example.com", "title": "Weather", "encrypted_content": "enc", "page_age": null}]});
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(
                    MockScript::new()
                        .thinking("I should search, then look up.", "sig-turn-1")
                        .redacted_thinking("opaque-data")
                        .raw_block(server_use.clone())
                        .raw_block(server_result.clone())
                        .text("Looking it up.")
                        .tool_use("t1", "Lookup", json!({"key": "k"})),
                ),
            )
            .otherwise(MockReply::script(
                MockScript::new()
                    .thinking("Got it.", "sig-turn-2")
                    .text("Here it is."),
            ))
            .responder(),
    );
    let llm = model(&server)
        .max_tokens(4096)
        .thinking(Thinking::enabled(2048));
    let (_, outcome) = collect(Agent::new(llm).tool(lookup_tool()).run("Find k")).await;
    let output = outcome.unwrap();
    let sent = &server.requests()[1].body["messages"][1];
    assert_eq!(sent["role"], "assistant");
    assert_eq!(
        sent["content"],
        json!([
            {"type": "thinking", "thinking": "I should search, then look up.", "signature": "sig-turn-1"},
            {"type": "redacted_thinking", "data": "opaque-data"},
            server_use,
            server_result,
            {"type": "text", "text": "Looking it up."},
            {"type": "tool_use", "id": "t1", "name": "Lookup", "input": {"key": "k"}},
        ])
    );
    assert_eq!(output.message.text(), "Here it is.");
}

#[tokio::test]
async fn altered_thinking_is_refused_by_the_mock_so_the_echo_test_can_fail() {
    // The mock checks signatures; an agent that changed reasoning would get this 400.
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .thinking("Plan.", "sig-x")
            .tool_use("t1", "Lookup", json!({"key": "k"})),
    ));
    let llm = model(&server)
        .max_tokens(4096)
        .thinking(Thinking::enabled(2048));
    let mut reply = llm.invoke("Find k").await.unwrap();
    let chat_anthropic::MessageContent::Blocks(blocks) = &mut reply.content else {
        panic!()
    };
    let chat_anthropic::ContentBlock::Thinking(thinking) = &mut blocks[0] else {
        panic!()
    };
    thinking.thinking.push_str(" (edited)");
    let err = llm
        .invoke(vec![
            chat_anthropic::Message::from(chat_anthropic::HumanMessage::new("Find k")),
            reply.into(),
            chat_anthropic::ToolMessage::new("v", "t1").into(),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

#[tokio::test]
async fn the_mock_refuses_tool_results_out_of_order_as_the_api_does() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(call("t1", "a").tool_use(
        "t2",
        "Lookup",
        json!({"key": "b"}),
    )));
    let llm = model(&server);
    let reply = llm.invoke("Two").await.unwrap();
    let err = llm
        .invoke(vec![
            chat_anthropic::Message::from(chat_anthropic::HumanMessage::new("Two")),
            reply.into(),
            chat_anthropic::ToolMessage::new("b", "t2").into(),
            chat_anthropic::ToolMessage::new("a", "t1").into(),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("order"), "{err}");
}

#[tokio::test]
async fn usage_is_summed_and_the_automatic_cache_breakpoint_moves_with_the_conversation() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(1, MockReply::script(call("t1", "a")))
            .turn(2, MockReply::script(call("t2", "b")))
            .otherwise(MockReply::text("All done."))
            .responder(),
    );
    let llm = model(&server).cache_control(CacheControl::ephemeral());
    let (events, outcome) = collect(
        Agent::new(llm)
            .tool(lookup_tool())
            .run("A long question ".repeat(400)),
    )
    .await;
    let output = outcome.unwrap();
    assert_eq!(output.turns, 3);
    let per_turn: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::TurnFinished { usage, .. } => Some(usage.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(per_turn.len(), 3);
    let mut sum = chat_anthropic::UsageMetadata::default();
    per_turn.iter().for_each(|u| sum += u);
    assert_eq!(output.usage, sum);
    assert!(sum.output_tokens > 0);
    // Turn 2 and 3 read what the turn before wrote at its (automatic, last-block) breakpoint.
    for usage in &per_turn[1..] {
        assert!(
            usage.input_token_details.cache_read.unwrap_or(0) > 0,
            "{usage:?}"
        );
    }
    assert!(
        per_turn[2].input_token_details.cache_read > per_turn[1].input_token_details.cache_read
    );
}

#[tokio::test]
async fn max_turns_and_the_callers_condition_end_the_run() {
    let server = MockServer::start().await;
    let counter = Arc::new(AtomicUsize::new(0));
    let c = counter.clone();
    server.set_responder(move |_| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        MockReply::script(call(&format!("t{n}"), "again"))
    });
    let agent = Agent::new(model(&server)).tool(lookup_tool());
    let output = agent.clone().max_turns(3).invoke("Loop").await.unwrap();
    assert_eq!((output.turns, output.stop), (3, StopCause::MaxTurns));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        output.conversation.last().unwrap().role(),
        "tool",
        "the last results are kept"
    );

    let output = agent
        .stop_when(|turn| turn.turn == 2)
        .invoke("Loop")
        .await
        .unwrap();
    assert_eq!((output.turns, output.stop), (2, StopCause::Caller));
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn a_broken_stream_ends_the_run_with_the_conversation_so_far() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(call("t1", "a")));
    server.enqueue(
        MockReply::text("This reply breaks half way").error_event_after(
            5,
            "overloaded_error",
            "Overloaded",
        ),
    );
    let (events, outcome) = collect(Agent::new(model(&server)).tool(lookup_tool()).run("Go")).await;
    let err = outcome.unwrap_err();
    assert_eq!(err.turn(), 2);
    assert_eq!(
        err.conversation().len(),
        3,
        "question, first reply, its result"
    );
    assert!(err
        .partial_message()
        .is_some_and(|m| m.text().starts_with("This")));
    assert_eq!(
        err.cause().api_kind().map(|k| k.to_string()),
        Some("overloaded_error".into())
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, AgentEvent::TurnFinished { turn: 1, .. })));
}

#[tokio::test]
async fn dropping_the_run_cancels_the_request_and_the_running_handlers() {
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::script(
            call("t1", "slow").text("and a long tail of text to keep the stream open for a while"),
        )
        .delay(Duration::from_millis(50)),
    );
    let dropped = Arc::new(AtomicBool::new(false));
    let (tx, started) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let flag = dropped.clone();
    let tool = AgentTool::from_fn(move |_: Lookup| {
        struct Guard(Arc<AtomicBool>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let guard = Guard(flag.clone());
        let tx = tx.lock().unwrap().take();
        async move {
            let _guard = guard;
            if let Some(tx) = tx {
                let _ = tx.send(());
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, String>("never")
        }
    });
    let mut run = Agent::new(model(&server)).tool(tool).run("Go");
    let reader = tokio::spawn(async move {
        while let Some(event) = run.next().await {
            if matches!(event, Ok(AgentEvent::ToolStarted { .. })) {
                break;
            }
        }
        run // handed back so the test decides when it is dropped
    });
    let run = tokio::time::timeout(Duration::from_secs(10), reader)
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), started)
        .await
        .unwrap()
        .unwrap();
    assert!(!dropped.load(Ordering::SeqCst));
    drop(run);
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await,
        "the response was closed"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while !dropped.load(Ordering::SeqCst) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        dropped.load(Ordering::SeqCst),
        "the handler's future was dropped"
    );
}

#[tokio::test]
async fn a_pause_turn_reply_is_sent_back_to_continue() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("Searching…")
            .stop_reason("pause_turn"),
    ));
    server.enqueue(MockReply::text("Found."));
    let output = Agent::new(model(&server)).invoke("Search").await.unwrap();
    assert_eq!(
        (output.turns, output.message.text().as_str()),
        (2, "Found.")
    );
    let second = &server.requests()[1].body["messages"];
    assert_eq!(second.as_array().unwrap().len(), 2);
    assert_eq!(second[1]["role"], "assistant");
}

#[tokio::test]
async fn raw_json_handlers_and_content_blocks() {
    let server = MockServer::start().await;
    server.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use(
                    "t1",
                    "chart",
                    json!({"series": [1, 2, 3]}),
                )),
            )
            .otherwise(MockReply::text("Nice chart."))
            .responder(),
    );
    let chart = AgentTool::from_json(
        chat_anthropic::Tool::new(
            "chart",
            json!({"type": "object", "properties": {"series": {"type": "array"}}}),
        ),
        |args: Value| async move {
            let n = args["series"].as_array().map_or(0, Vec::len);
            Ok::<_, String>(chat_anthropic::agent::ToolContent::new([
                chat_anthropic::ContentBlock::text(format!("{n} points")),
                chat_anthropic::ContentBlock::text("rising"),
            ]))
        },
    );
    let output = Agent::new(model(&server))
        .tool(chart)
        .system("Be brief.")
        .invoke("Chart it")
        .await
        .unwrap();
    assert_eq!(output.message.text(), "Nice chart.");
    let request = &server.requests()[1].body;
    assert_eq!(request["system"], "Be brief.");
    assert_eq!(
        output.conversation.len(),
        4,
        "the system prompt is not in the conversation"
    );
    assert_eq!(request["tools"][0]["name"], "chart");
    assert_eq!(
        results_sent(&server.requests(), 1)[0]["content"],
        json!([{"type": "text", "text": "3 points"}, {"type": "text", "text": "rising"}])
    );
}
