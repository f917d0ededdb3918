//! Every recorded stream assembles to the message Anthropic's official SDK builds from it.
//!
//! The expected messages in `tests/golden/` were produced by the official Python SDK's own
//! accumulator (`tools/golden_from_sdk.py`), so they are an independent oracle.

use crate::common;

use chat_anthropic::{
    aggregate::collect_message, aggregate::MessageAggregator, event::EventStream, AIMessageChunk,
    ContentBlock, MessageContent, StopReason,
};
use futures_util::StreamExt;
use serde_json::{json, Value};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// Folds a recorded stream with our pipeline, returning the aggregator after `message_stop`.
fn fold(bytes: &[u8]) -> MessageAggregator {
    block_on(async {
        let mut events = EventStream::from_bytes(bytes.to_vec());
        let mut aggregator = MessageAggregator::new();
        while let Some(event) = events.next().await {
            aggregator.apply(&event.unwrap()).unwrap();
        }
        assert!(aggregator.is_complete());
        aggregator
    })
}

/// Null-valued keys and absent keys mean the same to the API; compare without them.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[test]
fn every_fixture_matches_the_official_sdk() {
    let golden_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, bytes) in common::recorded_streams() {
        let golden: Value = serde_json::from_slice(
            &std::fs::read(golden_dir.join(format!("{name}.json")))
                .unwrap_or_else(|e| panic!("{name}: no golden file ({e})")),
        )
        .unwrap();
        let ours = serde_json::to_value(fold(&bytes).api_message()).unwrap();
        assert_eq!(
            without_nulls(ours),
            without_nulls(golden),
            "{name}: our message differs from the SDK's"
        );
    }
}

#[test]
fn chunks_sum_to_the_folded_message_for_every_fixture() {
    for (name, bytes) in common::recorded_streams() {
        let (sum, folded) = block_on(async {
            let mut events = EventStream::from_bytes(bytes.clone());
            let mut aggregator = MessageAggregator::new();
            let mut sum = AIMessageChunk::default();
            while let Some(event) = events.next().await {
                if let Some(chunk) = aggregator.apply_chunk(&event.unwrap()).unwrap() {
                    sum += chunk;
                }
            }
            (sum, aggregator.finish().unwrap())
        });
        assert_eq!(sum.into_message(), folded, "{name}");
    }
}

fn invoke(stem: &str) -> chat_anthropic::AIMessage {
    block_on(collect_message(EventStream::from_bytes(common::recorded(
        stem,
    ))))
    .unwrap()
}

#[test]
fn parallel_tool_calls_become_standard_tool_calls() {
    let reply = invoke("rig__streaming_grammar__parallel_tool_use__0");
    assert_eq!(reply.tool_calls.len(), 2);
    assert!(reply.invalid_tool_calls.is_empty());
    assert_eq!(
        reply.response_metadata.stop_reason,
        Some(StopReason::ToolUse)
    );
    let MessageContent::Blocks(blocks) = &reply.content else {
        panic!("tool use content is a list of blocks")
    };
    let uses: Vec<_> = blocks
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse(call) => Some(call),
            _ => None,
        })
        .collect();
    for (call, block) in reply.tool_calls.iter().zip(uses) {
        assert_eq!(
            (&call.id, &call.name, &call.args),
            (&block.id, &block.name, &block.input)
        );
        assert!(call.args.is_object());
    }
}

#[test]
fn zero_argument_tool_call_has_empty_object_args() {
    let reply = invoke("rig__messages_tool_args__zero_argument_tool_use_streaming__0");
    assert_eq!(reply.tool_calls.len(), 1);
    assert_eq!(reply.tool_calls[0].args, json!({}));
}

#[test]
fn thinking_keeps_its_signature_and_redacted_thinking_its_data() {
    let reply = invoke("rig__reasoning_roundtrip__streaming__1");
    let MessageContent::Blocks(blocks) = &reply.content else {
        panic!()
    };
    let ContentBlock::Thinking(thinking) = &blocks[0] else {
        panic!("{:?}", blocks[0])
    };
    assert!(!thinking.thinking.is_empty() && !thinking.signature.is_empty());

    let reply = invoke("rig__reasoning_usage_matrix__streaming_redacted_thinking__0");
    let MessageContent::Blocks(blocks) = &reply.content else {
        panic!()
    };
    assert!(
        matches!(&blocks[0], ContentBlock::RedactedThinking(r) if r.data == "redacted_thinking_REDACTED_1")
    );
    assert_eq!(reply.text(), "OK");
}

#[test]
fn server_tool_blocks_and_citations_are_kept() {
    let reply =
        invoke("rig__streamed_server_tools__streamed_web_search_preserves_server_tool_blocks__0");
    let MessageContent::Blocks(blocks) = &reply.content else {
        panic!()
    };
    assert!(
        matches!(&blocks[0], ContentBlock::ServerToolUse(u) if u.input == json!({"query": "why is the sky blue"}))
    );
    assert_eq!(blocks[1].kind(), "web_search_tool_result");
    let ContentBlock::Text(text) = &blocks[2] else {
        panic!()
    };
    assert!(!text.citations.as_ref().unwrap().is_empty());
    assert!(
        reply.tool_calls.is_empty(),
        "server tools are not the caller's tool calls"
    );
    assert_eq!(
        reply.response_metadata.usage.server_tool_use,
        Some(json!({"web_fetch_requests": 0, "web_search_requests": 1}))
    );
}

#[test]
fn cache_usage_lands_in_usage_metadata() {
    let reply = invoke("genai__usage_cache_creation_stream__0");
    let usage = reply.usage_metadata.unwrap();
    assert_eq!(usage.input_tokens, 9 + 4202);
    assert_eq!(usage.output_tokens, 5);
    assert_eq!(usage.total_tokens, 9 + 4202 + 5);
    // The API split the write by TTL: as langchain-anthropic, the split is the count and
    // `cache_creation` is 0, so the details add up to the cached tokens once.
    assert_eq!(usage.input_token_details.cache_creation, Some(0));
    assert_eq!(
        usage.input_token_details.ephemeral_5m_input_tokens,
        Some(4202)
    );
    assert_eq!(usage.input_token_details.ephemeral_1h_input_tokens, Some(0));
    let reply = invoke("genai__usage_cache_stream__0");
    assert_eq!(
        reply.usage_metadata.unwrap().input_token_details.cache_read,
        Some(4202)
    );
    assert!(
        matches!(reply.content, MessageContent::Text(_)),
        "a single text block is a string"
    );
}

#[test]
fn stop_sequences_and_max_tokens_are_reported() {
    let reply = invoke("rig__stop_sequence_terminal_matrix__raw_unicode_sequence__0");
    assert_eq!(
        reply.response_metadata.stop_reason,
        Some(StopReason::StopSequence)
    );
    assert_eq!(reply.response_metadata.stop_sequence.as_deref(), Some("🌊"));
    let reply = invoke("rig__regression__stop_reason_max_tokens__0");
    assert_eq!(
        reply.response_metadata.stop_reason,
        Some(StopReason::MaxTokens)
    );
}

#[test]
fn response_metadata_names_the_model_and_provider_as_langchain_does() {
    for (name, bytes) in common::recorded_streams() {
        let reply = fold(&bytes).finish().unwrap();
        let meta = &reply.response_metadata;
        assert!(!meta.model.is_empty(), "{name}");
        assert_eq!(meta.model_name, meta.model, "{name}");
        assert_eq!(meta.model_provider, "anthropic", "{name}");
        let json = serde_json::to_value(meta).unwrap();
        assert_eq!(json["model_name"], json["model"], "{name}");
        assert_eq!(json["model_provider"], "anthropic", "{name}");
    }
}

#[test]
fn thinking_tokens_become_reasoning_and_stay_in_the_raw_usage() {
    let reply = invoke("rig__reasoning_usage_matrix__normalized_stream_budget_thinking__0");
    let usage = reply.usage_metadata.as_ref().unwrap();
    assert_eq!(usage.output_token_details.reasoning, Some(7));
    assert_eq!(
        reply.response_metadata.usage.extra["output_tokens_details"],
        json!({"thinking_tokens": 7})
    );
    assert_eq!(
        serde_json::to_value(usage).unwrap()["output_token_details"],
        json!({"reasoning": 7})
    );
    let plain = invoke("genai__usage_stream__0");
    assert_eq!(
        plain.usage_metadata.unwrap().output_token_details.reasoning,
        None
    );
}
