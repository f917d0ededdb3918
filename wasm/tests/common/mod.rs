//! What the browser tests share: the recorded streams that have an SDK golden, built into
//! the test binary (a page cannot read files), and the comparison rule.

#![allow(dead_code)]

use serde_json::Value;

/// The recorded stream and the SDK's message for each fixture with a golden, built in.
macro_rules! fixtures {
    ($($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_bytes!(concat!("../../../tests/fixtures/recorded/", $name, ".sse")),
            include_str!(concat!("../../../tests/golden/", $name, ".json")),
        )),*]
    };
}

pub const FIXTURES: &[(&str, &[u8], &str)] = fixtures!(
    "genai__usage_cache_creation_stream__0",
    "genai__usage_cache_stream__0",
    "genai__usage_stream__0",
    "rig__messages_tool_args__nested_arguments_streaming__0",
    "rig__messages_tool_args__zero_argument_tool_use_streaming__0",
    "rig__reasoning_roundtrip__streaming__1",
    "rig__reasoning_usage_matrix__normalized_stream_budget_thinking__0",
    "rig__reasoning_usage_matrix__streaming_redacted_thinking__0",
    "rig__regression__stop_reason_max_tokens__0",
    "rig__stop_sequence_terminal_matrix__raw_tool_use_control__0",
    "rig__stop_sequence_terminal_matrix__raw_unicode_sequence__0",
    "rig__streamed_server_tools__streamed_web_search_preserves_server_tool_blocks__0",
    "rig__streaming_grammar__parallel_tool_use__0",
    "rig__tool_call_rewrite_args__tool_call_args_rewritten_by_hook_streaming__0",
);

/// Null-valued keys and absent keys mean the same to the API; compare without them (as the
/// native test, tests/stream/recorded_fixtures.rs, does).
pub fn without_nulls(value: Value) -> Value {
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
