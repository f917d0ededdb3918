//! The agent runner: what eager tool execution saves, and what the runner costs.
//!
//! `cargo bench -p chat-anthropic-benches --bench agent -- --warm-up-time 1 --measurement-time 3`
//!
//! - `turn_end/…`: the mock paces a reply (one SSE event every 40 ms) so that call 1 is
//!   complete at 0.2 s, call 2 at 1.0 s and `message_stop` arrives at ≈1.5 s; both handlers
//!   take 0.5 s. Measured: from sending the request to having every tool result of the turn.
//!   `eager_agent` is [`Agent::run`] (each call starts at its `ToolCallDone`), timed to its
//!   `TurnFinished`; `after_stop_parallel` reads the reply to its end, then runs both calls
//!   at once; `after_stop_sequential` runs them one after the other.
//! - `overhead/…`: a two-turn conversation (one tool call with an instant handler, then a
//!   text answer) from an unpaced in-process mock: [`Agent::invoke`] against the same loop
//!   written by hand over `ChatAnthropic::stream` + `updates()`.

use std::time::{Duration, Instant};

use chat_anthropic::agent::{Agent, AgentEvent, AgentTool};
use chat_anthropic::{ChatAnthropic, HumanMessage, Message, StreamUpdate, Tool, ToolMessage};
use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::StreamExt;
use serde_json::json;

const EVENT_GAP: Duration = Duration::from_millis(40);
const HANDLER_TIME: Duration = Duration::from_millis(500);

/// The paced reply: message_start, ping, call 1 (3 events: done at event 5 = 0.2 s), 15
/// words (call 2 done at event 25 = 1.0 s), 8 more words, message_delta, message_stop (event
/// 37 ≈ 1.5 s).
fn paced_reply() -> MockReply {
    let words = |n: usize| "word ".repeat(n).trim_end().to_owned();
    MockReply::script(
        MockScript::new()
            .tool_use_raw("toolu_1", "work", "")
            .text(words(15))
            .tool_use_raw("toolu_2", "work", "")
            .text(words(8)),
    )
    .delay(EVENT_GAP)
}

fn work_tool(delay: Duration) -> AgentTool {
    AgentTool::from_json(
        Tool::new("work", json!({"type": "object", "properties": {}})),
        move |_| async move {
            // No timer for an instant handler: tokio's timer ticks every millisecond.
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Ok::<_, String>("done")
        },
    )
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k")
}

/// Time to the end of turn 1 with the runner.
async fn eager_turn(server: &MockServer, agent: &Agent) -> Duration {
    server.enqueue(paced_reply());
    let started = Instant::now();
    let mut run = agent.run("Do the work");
    while let Some(event) = run.next().await {
        if let AgentEvent::TurnFinished { .. } = event.expect("the turn runs") {
            return started.elapsed();
        }
    }
    panic!("no TurnFinished")
}

/// Time to the end of turn 1 reading the reply first, then running the calls.
async fn after_stop_turn(server: &MockServer, llm: &ChatAnthropic, parallel: bool) -> Duration {
    server.enqueue(paced_reply());
    let started = Instant::now();
    let reply = llm.invoke("Do the work").await.expect("the reply arrives");
    let run = |_| tokio::time::sleep(HANDLER_TIME);
    if parallel {
        futures_util::future::join_all(reply.tool_calls.iter().map(run)).await;
    } else {
        for call in &reply.tool_calls {
            run(call).await;
        }
    }
    assert_eq!(reply.tool_calls.len(), 2);
    started.elapsed()
}

/// The two-turn conversation, looped by hand over `stream()` (the same tool bound).
async fn hand_loop(llm: &ChatAnthropic) -> usize {
    let llm = llm.bind_tools([work_tool(Duration::ZERO).definition().clone()]);
    let mut conversation: Vec<Message> = vec![HumanMessage::new("Do the work").into()];
    for _ in 0..4 {
        let mut updates = llm.stream(conversation.clone()).await.unwrap().updates();
        let mut results = Vec::new();
        while let Some(update) = updates.next().await {
            if let StreamUpdate::ToolCallDone { call, .. } = update.unwrap() {
                results.push(ToolMessage::new("done", call.id));
            }
        }
        let message = updates.aggregator().partial_message();
        conversation.push(message.into());
        if results.is_empty() {
            return conversation.len();
        }
        conversation.extend(results.into_iter().map(Message::from));
    }
    unreachable!("the script ends in two turns")
}

fn two_turn_script() -> MockTurns {
    MockTurns::new()
        .turn(
            1,
            MockReply::script(MockScript::new().text("Working on it.").tool_use(
                "toolu_1",
                "work",
                json!({"task": "the work"}),
            )),
        )
        .otherwise(MockReply::text("All done, the work is finished."))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(MockServer::start());
    let llm = model(&server);
    let agent = Agent::new(llm.clone()).tool(work_tool(HANDLER_TIME));

    let mut group = c.benchmark_group("turn_end");
    group.sample_size(10);
    group.bench_function("eager_agent", |b| {
        b.iter_custom(|n| {
            rt.block_on(async { sum((0..n).map(|_| eager_turn(&server, &agent))).await })
        })
    });
    group.bench_function("after_stop_parallel", |b| {
        b.iter_custom(|n| {
            rt.block_on(async { sum((0..n).map(|_| after_stop_turn(&server, &llm, true))).await })
        })
    });
    group.bench_function("after_stop_sequential", |b| {
        b.iter_custom(|n| {
            rt.block_on(async { sum((0..n).map(|_| after_stop_turn(&server, &llm, false))).await })
        })
    });
    group.finish();

    server.set_responder(two_turn_script().responder());
    let instant = Agent::new(llm.clone()).tool(work_tool(Duration::ZERO));
    let mut group = c.benchmark_group("overhead");
    group.bench_function("agent_invoke", |b| {
        b.to_async(&rt).iter(|| async {
            let output = instant.invoke("Do the work").await.unwrap();
            assert_eq!(output.conversation.len(), 4);
        })
    });
    group.bench_function("hand_loop_over_stream", |b| {
        b.to_async(&rt)
            .iter(|| async { assert_eq!(hand_loop(&llm).await, 4) })
    });
    group.finish();

    // The same two loops alternating run by run, so drift on a busy machine hits both alike.
    let (mut agent_times, mut hand_times) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for _ in 0..300 {
            let started = Instant::now();
            instant.invoke("Do the work").await.unwrap();
            agent_times.push(started.elapsed());
            let started = Instant::now();
            hand_loop(&llm).await;
            hand_times.push(started.elapsed());
        }
    });
    let (agent, hand) = (median(&mut agent_times), median(&mut hand_times));
    println!(
        "overhead, interleaved (300 runs each, 2 turns a run): agent_invoke median {agent:?}, \
         hand_loop_over_stream median {hand:?}, ratio {:.3}",
        agent.as_secs_f64() / hand.as_secs_f64(),
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs the turns one after the other and adds their times.
async fn sum<F: std::future::Future<Output = Duration>>(
    turns: impl Iterator<Item = F>,
) -> Duration {
    let mut total = Duration::ZERO;
    for turn in turns {
        total += turn.await;
    }
    total
}

criterion_group!(benches, bench);
criterion_main!(benches);
