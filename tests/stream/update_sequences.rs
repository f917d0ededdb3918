//! The exact sequence of `StreamUpdate`s a stream amounts to, pinned: one nested tool input
//! spelled out by hand, and every recorded fixture plus a synthetic nested input cut into
//! fragments several ways against the files in `tests/golden/updates/` (written by this test
//! with `BLESS_UPDATES=1`). The updates are compared in their serialized form, so a change of
//! how a field is held (owned or shared) cannot hide a change of what it says.

use crate::common;

use std::path::PathBuf;

use chat_anthropic::{ChatStream, StreamUpdate};
use futures_util::StreamExt;
use serde_json::{json, Value};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

/// Every update of a stream, serialized.
fn updates_of(sse: Vec<u8>) -> Vec<Value> {
    block_on(async {
        let mut updates = ChatStream::from_sse_bytes(sse).updates();
        let mut out = Vec::new();
        while let Some(update) = updates.next().await {
            let update: StreamUpdate = update.unwrap();
            out.push(serde_json::to_value(&update).unwrap());
            assert!(out.len() < 1_000_000, "a bounded stream");
        }
        out
    })
}

fn event(name: &str, data: Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// A message with one text block and one `tool_use` block whose input arrives in `fragments`.
fn tool_stream(fragments: &[&str]) -> Vec<u8> {
    let mut sse = event(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-6", "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 5, "output_tokens": 1}}}),
    );
    sse += &event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    for text in ["Writing", " it \"now\"."] {
        sse += &event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
        );
    }
    sse += &event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    );
    sse += &event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use",
            "id": "toolu_1", "name": "plan", "input": {}}}),
    );
    sse += &event("ping", json!({"type": "ping"}));
    for fragment in fragments {
        sse += &event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": fragment}}),
        );
    }
    sse += &event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 1}),
    );
    sse += &event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null},
            "usage": {"output_tokens": 42}}),
    );
    sse += &event("message_stop", json!({"type": "message_stop"}));
    sse.into_bytes()
}

#[test]
fn a_nested_tool_input_comes_out_as_exactly_these_updates() {
    let fragments = [
        r#"{"city": "Ky"#,
        r#"oto", "days": [{"n": 1, "stops": ["T\u00e9"#,
        r#"mple", "Ga\"rden"]}, {"n": 2"#,
        r#", "stops": []}], "ok": true}"#,
    ];
    let day1 = json!({"n": 1, "stops": ["Témple", "Ga\"rden"]});
    let day2 = json!({"n": 2, "stops": []});
    let input = json!({"city": "Kyoto", "days": [day1, day2], "ok": true});
    let args = |index: usize, fragment: &str| json!({"type": "tool_args", "index": index, "fragment": fragment});
    let delta = |pointer: &str, text: &str| json!({"type": "tool_arg_delta", "index": 1, "pointer": pointer, "text": text});
    let complete = |pointer: &str, value: Value| json!({"type": "tool_arg_complete", "index": 1, "pointer": pointer, "value": value});
    let expected = vec![
        json!({"type": "message_started", "id": "msg_1", "model": "claude-sonnet-4-6"}),
        json!({"type": "block_started", "index": 0, "block": {"type": "text", "text": ""}}),
        json!({"type": "text", "index": 0, "text": "Writing"}),
        json!({"type": "text", "index": 0, "text": " it \"now\"."}),
        json!({"type": "block_stopped", "index": 0}),
        json!({"type": "tool_call_started", "index": 1, "id": "toolu_1", "name": "plan"}),
        args(1, fragments[0]),
        delta("/city", "Ky"),
        args(1, fragments[1]),
        delta("/city", "oto"),
        complete("/city", json!("Kyoto")),
        complete("/days/0/n", json!(1)),
        delta("/days/0/stops/0", "Té"),
        args(1, fragments[2]),
        delta("/days/0/stops/0", "mple"),
        complete("/days/0/stops/0", json!("Témple")),
        delta("/days/0/stops/1", "Ga\"rden"),
        complete("/days/0/stops/1", json!("Ga\"rden")),
        complete("/days/0/stops", day1["stops"].clone()),
        complete("/days/0", day1),
        args(1, fragments[3]),
        complete("/days/1/n", json!(2)),
        complete("/days/1/stops", json!([])),
        complete("/days/1", day2),
        complete("/days", input["days"].clone()),
        complete("/ok", json!(true)),
        complete("", input.clone()),
        json!({"type": "tool_call_done", "index": 1,
            "call": {"name": "plan", "args": input, "id": "toolu_1"}}),
        json!({"type": "message_delta", "stop_reason": "tool_use",
            "usage": {"input_tokens": 5, "output_tokens": 42, "total_tokens": 47, "input_token_details": {}}}),
        json!({"type": "done"}),
    ];
    let ours = updates_of(tool_stream(&fragments));
    assert_eq!(
        ours.len(),
        expected.len(),
        "{:#}",
        Value::Array(ours.clone())
    );
    for (i, (ours, expected)) in ours.iter().zip(&expected).enumerate() {
        assert_eq!(ours, expected, "update {i}");
    }
}

/// A tool input with what the parser treats specially: nesting in objects and arrays, escapes
/// and `\u` escapes (a surrogate pair among them), keys that need escaping in a pointer, a
/// repeated key, numbers, literals, empty containers.
const NESTED_INPUT: &str = r#"{"title": "Caf\u00e9 \"menu\"", "items": [{"id": 1, "name": "tea", "tags": ["hot", "gr\u00fcn"], "price": 2.5}, {"id": 2, "name": "cake \ud83c\udf70", "tags": [], "price": null, "meta": {"a/b": {"~k": [true, false, [1, [2, {"deep": "down\nhere"}]]]}}}], "count": 2, "count": -3e2, "empty": {}, "last": "end"}"#;

/// `text` cut into pieces of `size` bytes (moved forward to char boundaries).
fn cut_every(text: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        pieces.push(&text[start..end]);
        start = end;
    }
    pieces
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/updates/{name}.jsonl"))
}

/// The updates as JSON lines must equal the golden file (under `BLESS_UPDATES=1` they are
/// written to it first, then compared all the same).
fn check_golden(name: &str, updates: &[Value]) {
    let lines: String = updates.iter().map(|u| format!("{u}\n")).collect();
    let path = golden_path(name);
    if std::env::var_os("BLESS_UPDATES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &lines).unwrap();
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{name}: no golden file {} ({e})", path.display()));
    for (i, (ours, golden)) in lines.lines().zip(golden.lines()).enumerate() {
        assert_eq!(ours, golden, "{name}: update {i} differs");
    }
    assert_eq!(
        lines.lines().count(),
        golden.lines().count(),
        "{name}: number of updates"
    );
}

#[test]
fn every_recorded_stream_comes_out_as_its_pinned_updates() {
    for (name, bytes) in common::recorded_streams() {
        check_golden(&name, &updates_of(bytes));
    }
}

#[test]
fn a_nested_input_cut_any_way_comes_out_as_its_pinned_updates() {
    assert!(serde_json::from_str::<Value>(NESTED_INPUT).is_ok());
    for size in [1, 2, 7, 16, 61, NESTED_INPUT.len()] {
        let updates = updates_of(tool_stream(&cut_every(NESTED_INPUT, size)));
        check_golden(&format!("nested_input_every_{size}"), &updates);
    }
}

/// `ToolCallDone` takes the finished input by a move, not a copy of the whole tree; the fold
/// still answers for it afterwards (read again from the input's text) and the final message
/// holds it.
#[test]
fn a_finished_call_moves_its_input_into_its_update_and_the_fold_still_has_it() {
    use chat_anthropic::{aggregate::MessageAggregator, StreamEvent};
    let input = json!({"items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}], "n": 2});
    let text = input.to_string();
    let sse = tool_stream(&cut_every(&text, 7));
    let events = block_on(async {
        let mut events = chat_anthropic::event::EventStream::from_bytes(sse);
        let mut out = Vec::new();
        while let Some(event) = events.next().await {
            out.push(event.unwrap());
            assert!(out.len() < 10_000, "a bounded stream");
        }
        out
    });
    let mut aggregator = MessageAggregator::new().with_path_events();
    let mut updates = Vec::new();
    let mut live_items = None;
    for event in &events {
        if matches!(event, StreamEvent::ContentBlockStop(stop) if stop.index == 1) {
            live_items = aggregator
                .tool_input(1)
                .map(|v| v["items"].as_array().unwrap().as_ptr());
        }
        updates.clear();
        aggregator.apply_updates(event, &mut updates).unwrap();
        for update in updates.drain(..) {
            if let StreamUpdate::ToolCallDone { call, .. } = update {
                assert_eq!(call.args, input);
                assert_eq!(
                    Some(call.args["items"].as_array().unwrap().as_ptr()),
                    live_items,
                    "the parsed input moved into the update"
                );
            }
        }
    }
    assert_eq!(aggregator.tool_input(1), Some(&input));
    assert_eq!(aggregator.tool_call(1).unwrap().unwrap().args, input);
    let chat_anthropic::ContentBlock::ToolUse(block) = &aggregator.api_message().content[1] else {
        panic!("the tool call's block")
    };
    assert_eq!(block.input, input);
    let message = aggregator.finish().unwrap();
    assert_eq!(message.tool_calls[0].args, input);
}
