//! Numbers in tool input and structured output come out exactly as the API sent them, over
//! real HTTP against the mock server, through every path: `invoke`, the event stream and its
//! fold, `chunks()`, `updates()` (path completions and the finished call), structured output
//! (both methods, invoke and stream), a batch's JSONL results, and the replay of a recording.
//!
//! The numbers are ones serde_json's default fast float path reads 1-2 ULP off (it is exact
//! only with its `float_roundtrip` feature). What each should be comes from the standard
//! library's correctly rounded `str::parse::<f64>` of the literal text, never from this crate.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chat_anthropic::batches::{BatchOutcome, WaitOptions};
use chat_anthropic::structured::{StructuredChunk, StructuredMethod};
use chat_anthropic::{
    event::Delta, AIMessageChunk, ChatAnthropic, ChatStream, ContentBlock, MessageContent,
    ReplayPace, StreamEvent, StreamUpdate,
};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde_json::{json, Value};

/// Where each number sits in [`INPUT`], and its text there.
const NUMBERS: [(&str, &str); 7] = [
    ("/reading", "12.642928786359079"),
    ("/series/0", "98.56906946328695"),
    ("/series/1", "-0.9564764414721547"),
    ("/series/2", "4.4783443670323356e-4"),
    ("/at/x", "212918.90726713458"),
    ("/at/y", "0.00044783443670323356"),
    ("/at/z", "9.856906946328695E+1"),
];

/// The tool input as the API sends it, character for character.
const INPUT: &str = r#"{"reading": 12.642928786359079, "series": [98.56906946328695, -0.9564764414721547, 4.4783443670323356e-4], "at": {"x": 212918.90726713458, "y": 0.00044783443670323356, "z": 9.856906946328695E+1}}"#;

/// The number `literal` spells, by the standard library (correctly rounded).
fn exact(literal: &str) -> f64 {
    literal.parse().unwrap()
}

/// Every number of [`INPUT`] in `value` is bit for bit the one sent.
fn assert_exact(value: &Value, context: &str) {
    for (pointer, literal) in NUMBERS {
        let found = value.pointer(pointer).and_then(Value::as_f64);
        assert_eq!(
            found.map(f64::to_bits),
            Some(exact(literal).to_bits()),
            "{context}: {pointer} is {found:?}, sent {literal}"
        );
    }
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("sk-test")
}

/// A reply whose only block is a tool call with [`INPUT`], streamed verbatim in fragments of
/// 1-10 bytes (so numbers are cut mid-digit).
fn tool_reply(name: &str) -> MockReply {
    MockReply::script(MockScript::new().tool_use_raw("toolu_1", name, INPUT))
}

#[test]
fn the_literals_are_the_ones_the_input_holds() {
    // Guards the table against drifting from the text: each literal sits at its pointer.
    let parsed: Value = serde_json::from_str(INPUT).unwrap();
    for (pointer, literal) in NUMBERS {
        assert!(parsed.pointer(pointer).is_some(), "{pointer}");
        assert!(INPUT.contains(literal), "{literal}");
    }
}

#[tokio::test]
async fn invoke_returns_the_numbers_sent() {
    let server = MockServer::start().await;
    server.enqueue(tool_reply("measure"));
    let message = model(&server).invoke("Measure").await.unwrap();
    assert_eq!(message.tool_calls.len(), 1, "{message:?}");
    assert_exact(&message.tool_calls[0].args, "invoke: tool_calls");
    let MessageContent::Blocks(blocks) = &message.content else {
        panic!("{message:?}")
    };
    let ContentBlock::ToolUse(block) = &blocks[0] else {
        panic!("{message:?}")
    };
    assert_exact(&block.input, "invoke: the tool_use block");
}

#[tokio::test]
async fn the_event_stream_and_its_fold_hold_the_numbers_sent() {
    let server = MockServer::start().await;
    server.enqueue(tool_reply("measure"));
    let mut stream = model(&server).stream("Measure").await.unwrap();
    let mut fragments = String::new();
    while let Some(event) = stream.next().await {
        if let StreamEvent::ContentBlockDelta(delta) = event.unwrap() {
            if let Delta::InputJson(fragment) = &delta.delta {
                fragments.push_str(fragment);
            }
            // The live input, read after every fragment (the parser keeps its tree).
            let _ = stream.partial_message();
        }
    }
    assert_eq!(fragments, INPUT, "the text arrives verbatim");
    assert_exact(&stream.partial_message().tool_calls[0].args, "live input");
    let folded = stream.aggregator().api_message();
    let ContentBlock::ToolUse(block) = &folded.content[0] else {
        panic!("{folded:?}")
    };
    assert_exact(&block.input, "the fold's tool_use block");
    assert_exact(
        &stream.final_message().await.unwrap().tool_calls[0].args,
        "final",
    );
}

#[tokio::test]
async fn chunks_add_up_to_the_numbers_sent() {
    let server = MockServer::start().await;
    server.enqueue(tool_reply("measure"));
    let chunks = model(&server).stream("Measure").await.unwrap().chunks();
    let sum: AIMessageChunk = chunks
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .sum();
    assert_exact(&sum.tool_calls()[0].args, "summed chunks");
    assert_exact(
        &sum.into_message().tool_calls[0].args,
        "summed chunks' message",
    );
}

#[tokio::test]
async fn updates_complete_each_number_as_sent() {
    let server = MockServer::start().await;
    server.enqueue(tool_reply("measure"));
    let mut updates = model(&server).stream("Measure").await.unwrap().updates();
    let mut completed = BTreeMap::new();
    let mut done = None;
    while let Some(update) = updates.next().await {
        match update.unwrap() {
            StreamUpdate::ToolArgComplete { pointer, value, .. } => {
                completed.insert(pointer.as_str().to_owned(), value.into_value());
            }
            StreamUpdate::ToolCallDone { call, .. } => done = Some(call.args),
            _ => {}
        }
    }
    for (pointer, literal) in NUMBERS {
        let value = completed.get(pointer).and_then(Value::as_f64);
        assert_eq!(
            value.map(f64::to_bits),
            Some(exact(literal).to_bits()),
            "{pointer} completed as {value:?}, sent {literal}"
        );
    }
    assert_exact(&completed[""], "the root's completion");
    // The containers' completions hold them too.
    for (pointer, literal) in NUMBERS {
        let Some((container, inner)) = ["/series", "/at"]
            .into_iter()
            .find_map(|c| Some((c, pointer.strip_prefix(c)?)))
        else {
            continue;
        };
        let value = completed[container].pointer(inner).and_then(Value::as_f64);
        assert_eq!(
            value.map(f64::to_bits),
            Some(exact(literal).to_bits()),
            "{pointer} in the completion of {container} is {value:?}, sent {literal}"
        );
    }
    assert_exact(&done.unwrap(), "tool_call_done");
}

/// A reading.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Reading {
    reading: f64,
    series: Vec<f64>,
    at: Point,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Point {
    x: f64,
    y: f64,
    z: f64,
}

/// The reading's numbers in the order of [`NUMBERS`], bit for bit.
fn bits(reading: &Reading) -> Vec<u64> {
    let mut all = vec![reading.reading];
    all.extend(&reading.series);
    all.extend([reading.at.x, reading.at.y, reading.at.z]);
    all.into_iter().map(f64::to_bits).collect()
}

fn sent_bits() -> Vec<u64> {
    NUMBERS.iter().map(|(_, l)| exact(l).to_bits()).collect()
}

#[tokio::test]
async fn structured_output_holds_the_numbers_sent() {
    for method in [StructuredMethod::ToolCalling, StructuredMethod::JsonSchema] {
        let reply = || match method {
            StructuredMethod::ToolCalling => tool_reply("Reading"),
            // Native JSON output: the text, a word per delta.
            _ => MockReply::text(INPUT),
        };
        let server = MockServer::start().await;
        server.enqueue(reply());
        server.enqueue(reply());
        let structured = model(&server)
            .with_structured_output::<Reading>()
            .method(method);

        let reading = structured.invoke("Measure").await.unwrap();
        assert_eq!(
            bits(&reading),
            sent_bits(),
            "{method:?} invoke: {reading:?}"
        );

        let mut stream = structured.stream("Measure").await.unwrap();
        let (mut last_partial, mut complete) = (None, None);
        while let Some(chunk) = stream.next().await {
            match chunk.unwrap() {
                StructuredChunk::Partial(value) => last_partial = Some(value),
                StructuredChunk::Complete(reading) => complete = Some(reading),
                other => panic!("{other:?}"),
            }
        }
        let complete = complete.expect("a complete value");
        assert_eq!(
            bits(&complete),
            sent_bits(),
            "{method:?} stream: {complete:?}"
        );
        assert_exact(&last_partial.unwrap(), &format!("{method:?} last partial"));
    }
}

#[tokio::test]
async fn batch_results_hold_the_numbers_sent() {
    let server = MockServer::start().await;
    // The mock writes the results file: from the input text as streamed (read by the mock's
    // own serde_json), and from a block holding the standard library's values (written by
    // serde_json's shortest round-trip printer, whatever the reading side does).
    server.batch_outcome("from-text", tool_reply("measure"));
    let mut input = json!({"series": [null, null, null], "at": {}});
    for (pointer, literal) in NUMBERS {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let slot = input.pointer_mut(parent).unwrap();
        match slot {
            Value::Array(items) => items[key.parse::<usize>().unwrap()] = exact(literal).into(),
            _ => slot[key] = exact(literal).into(),
        }
    }
    server.batch_outcome(
        "from-values",
        MockReply::script(MockScript::new().raw_block(json!({
            "type": "tool_use", "id": "toolu_2", "name": "measure", "input": input
        }))),
    );
    let batches = model(&server).batches();
    let batch = batches
        .create([("from-text", "Measure"), ("from-values", "Measure")])
        .await
        .unwrap();
    let options = WaitOptions::default()
        .interval(Duration::from_millis(10))
        .max_interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(20));
    batches.wait(&batch.id, options, |_| {}).await.unwrap();
    let results: Vec<_> = batches
        .results(&batch.id)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    for (custom_id, outcome) in results {
        let BatchOutcome::Succeeded(message) = outcome else {
            panic!("{custom_id}: {outcome:?}")
        };
        assert_exact(&message.tool_calls[0].args, &custom_id);
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("exact_numbers");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test]
async fn a_recording_replays_the_numbers_sent() {
    let server = MockServer::start().await;
    server.enqueue(tool_reply("measure"));
    let path = scratch("tool_numbers.sse");
    let live = model(&server)
        .stream_recording("Measure", &path)
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_exact(&live.tool_calls[0].args, "live");

    let replayed = ChatStream::replay(&path, ReplayPace::Instant)
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_exact(&replayed.tool_calls[0].args, "replayed");
    let mut updates = ChatStream::replay(&path, ReplayPace::Instant)
        .unwrap()
        .updates();
    let mut done = None;
    while let Some(update) = updates.next().await {
        if let StreamUpdate::ToolCallDone { call, .. } = update.unwrap() {
            done = Some(call.args);
        }
    }
    assert_exact(&done.unwrap(), "replayed updates");

    // Served back by the mock as a recorded file: the same numbers.
    server.enqueue(MockReply::sse_file(&path));
    let served = model(&server).invoke("Again").await.unwrap();
    assert_exact(&served.tool_calls[0].args, "the recording, served");
}
