//! LangChain's `tool_call_chunks` on real recorded streams: read through `.chunks()`, the
//! pieces add up to the message's tool calls, and while they stream the sum's
//! `tool_calls()` are the arguments received so far.

use crate::common;

use chat_anthropic::{AIMessageChunk, ChatStream, ContentBlock};
use futures_util::StreamExt;

#[tokio::test]
async fn tool_call_chunks_add_up_to_the_tool_calls_of_every_recorded_stream() {
    let mut streams_with_calls = 0;
    for (name, bytes) in common::recorded_streams() {
        let expected = ChatStream::from_sse_bytes(bytes.clone())
            .final_message()
            .await
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let mut chunks = ChatStream::from_sse_bytes(bytes).chunks();
        let mut sum = AIMessageChunk::default();
        let mut pieces = 0;
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.unwrap_or_else(|err| panic!("{name}: {err}"));
            for piece in &chunk.tool_call_chunks {
                pieces += 1;
                let index = piece.index.expect("every piece names its block");
                let block = &chunks.aggregator().api_message().content[index];
                assert!(
                    matches!(block, ContentBlock::ToolUse(_)),
                    "{name}: {block:?}"
                );
            }
            sum += chunk;
            // The sum so far reads like the aggregator's live tool input.
            for (call, piece) in sum.tool_calls().iter().zip(&sum.tool_call_chunks) {
                let live = chunks.aggregator().tool_input(piece.index.unwrap());
                assert_eq!(Some(&call.args), live, "{name}: {call:?}");
            }
        }
        assert_eq!(sum.tool_calls(), expected.tool_calls, "{name}");
        assert!(sum.invalid_tool_calls().is_empty(), "{name}");
        assert_eq!(
            sum.tool_call_chunks.len(),
            expected.tool_calls.len(),
            "{name}: one merged piece per call"
        );
        if !expected.tool_calls.is_empty() {
            streams_with_calls += 1;
            assert!(
                pieces > expected.tool_calls.len(),
                "{name}: arguments stream in pieces"
            );
            for (piece, call) in sum.tool_call_chunks.iter().zip(&expected.tool_calls) {
                assert_eq!(piece.name.as_deref(), Some(call.name.as_str()));
                assert_eq!(piece.id.as_deref(), Some(call.id.as_str()));
                let text = piece.args.as_deref().unwrap_or_default().trim();
                let args: serde_json::Value =
                    serde_json::from_str(if text.is_empty() { "{}" } else { text }).unwrap();
                assert_eq!(
                    args, call.args,
                    "{name}: the argument text is the call's input"
                );
            }
        }
    }
    assert!(
        streams_with_calls >= 4,
        "only {streams_with_calls} recorded streams call tools"
    );
}
