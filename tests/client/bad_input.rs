//! Bad input of every kind yields a clear typed error and the partial message; none panics.

use chat_anthropic::{
    aggregate::collect_message, error::ApiErrorKind, error::ProtocolError, event::EventStream,
    AIMessage, Error,
};

const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n";
const TEXT_START: &str = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const HELLO: &str = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
const TEXT_STOP: &str =
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
const END: &str = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

fn run(body: impl Into<Vec<u8>>) -> Result<AIMessage, Error> {
    let body = body.into();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(collect_message(EventStream::from_bytes(body)))
}

/// The error must be a stream error whose cause passes `check`, and whose partial message
/// holds `partial_text`.
fn expect_stream_error(
    body: impl Into<Vec<u8>>,
    partial_text: &str,
    check: impl Fn(&Error) -> bool,
) {
    let err = run(body).expect_err("bad input must fail");
    let partial = err
        .partial_message()
        .expect("the partial message is attached");
    assert_eq!(partial.text(), partial_text, "{err}");
    assert!(check(err.root()), "unexpected cause: {err:?}");
    assert!(!err.to_string().is_empty());
}

#[test]
fn a_well_formed_stream_succeeds() {
    let reply = run(format!("{START}{TEXT_START}{HELLO}{TEXT_STOP}{END}")).unwrap();
    assert_eq!(reply.text(), "Hello");
}

#[test]
fn truncated_stream_keeps_the_partial_message() {
    expect_stream_error(format!("{START}{TEXT_START}{HELLO}"), "Hello", |e| {
        matches!(e, Error::Protocol(ProtocolError::Incomplete))
    });
    // Cut in the middle of an event: that event is dropped, the rest is kept.
    let full = format!("{START}{TEXT_START}{HELLO}{HELLO}");
    expect_stream_error(&full.as_bytes()[..full.len() - 20], "Hello", |e| {
        matches!(e, Error::Protocol(ProtocolError::Incomplete))
    });
}

#[test]
fn garbage_bytes_are_a_decode_error() {
    expect_stream_error(
        format!("{START}{TEXT_START}{HELLO}data: \u{1}\u{2}garbage{{\n\n"),
        "Hello",
        |e| matches!(e, Error::Decode(d) if d.data().contains("garbage")),
    );
    // Not an event stream at all: nothing to decode, so the stream is incomplete.
    expect_stream_error(b"\x00\xff\xfe\x01 binary junk".to_vec(), "", |e| {
        matches!(
            e,
            Error::Protocol(ProtocolError::Incomplete) | Error::Sse(_)
        )
    });
}

#[test]
fn invalid_utf8_is_an_sse_error() {
    let mut body = format!("{START}{TEXT_START}{HELLO}").into_bytes();
    body.extend_from_slice(b"event: content_block_delta\ndata: {\"text\":\"\xff\xfe\"}\n\n");
    expect_stream_error(body, "Hello", |e| matches!(e, Error::Sse(_)));
}

#[test]
fn huge_event_is_an_sse_error_not_a_stall() {
    let huge = "x".repeat(17 * 1024 * 1024);
    expect_stream_error(
        format!("{START}{TEXT_START}{HELLO}data: {huge}\n\n{END}"),
        "Hello",
        |e| matches!(e, Error::Sse(_)),
    );
}

#[test]
fn malformed_json_payload_names_the_event() {
    expect_stream_error(
        format!("{START}{TEXT_START}{HELLO}event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\n\n"),
        "Hello",
        |e| matches!(e, Error::Decode(d) if d.event() == "content_block_delta"),
    );
}

#[test]
fn delta_for_an_unknown_index_is_a_protocol_error() {
    let stray = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n";
    expect_stream_error(format!("{START}{TEXT_START}{HELLO}{stray}"), "Hello", |e| {
        matches!(
            e,
            Error::Protocol(ProtocolError::UnknownIndex { index: 7, .. })
        )
    });
}

#[test]
fn events_before_message_start_are_a_protocol_error() {
    expect_stream_error(format!("{TEXT_START}{HELLO}"), "", |e| {
        matches!(e, Error::Protocol(ProtocolError::BeforeMessageStart { .. }))
    });
}

#[test]
fn mid_stream_error_event_is_an_api_error_with_the_partial() {
    let overloaded = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    let body = format!("{START}{TEXT_START}{HELLO}{overloaded}");
    expect_stream_error(
        body.clone(),
        "Hello",
        |e| matches!(e, Error::Api(api) if api.kind() == &ApiErrorKind::Overloaded && api.status().is_none() && api.message() == "Overloaded"),
    );
    let err = run(body).unwrap_err();
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(!err.is_retryable(), "the generation already ran");
}

#[test]
fn invalid_tool_json_becomes_an_invalid_tool_call() {
    let tool = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}\n\n\
        event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}\n\n\
        event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\", }\"}}\n\n\
        event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
    let reply = run(format!("{START}{tool}{END}")).unwrap();
    assert!(reply.tool_calls.is_empty());
    let invalid = &reply.invalid_tool_calls[0];
    assert_eq!(invalid.args.as_deref(), Some("{\"city\": \"Paris\", }"));
    assert_eq!(invalid.id.as_deref(), Some("toolu_1"));
    assert_eq!(invalid.name.as_deref(), Some("get_weather"));
    assert!(!invalid.error.as_deref().unwrap_or("").is_empty());
}

#[test]
fn a_tool_call_cut_off_mid_input_is_kept_as_invalid_in_the_partial() {
    let tool = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"write\",\"input\":{}}}\n\n\
        event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"text\\\": \\\"abc\"}}\n\n";
    let err = run(format!("{START}{tool}")).unwrap_err();
    let partial = err.partial_message().unwrap();
    assert_eq!(
        partial.invalid_tool_calls[0].args.as_deref(),
        Some("{\"text\": \"abc")
    );
}

#[test]
fn delta_of_the_wrong_kind_is_a_protocol_error() {
    let thinking = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"x\"}}\n\n";
    expect_stream_error(
        format!("{START}{TEXT_START}{HELLO}{thinking}"),
        "Hello",
        |e| matches!(e, Error::Protocol(ProtocolError::DeltaMismatch { .. })),
    );
}

#[test]
fn unknown_event_block_and_delta_types_are_kept_not_errors() {
    let future_event =
        "event: message_hologram\ndata: {\"type\":\"message_hologram\",\"beams\":3}\n\n";
    let future_block = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"hologram\",\"text\":\"\"}}\n\n\
        event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"shimmer\"}}\n\n\
        event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"hologram_delta\",\"beams\":1}}\n\n\
        event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n";
    let reply = run(format!(
        "{START}{TEXT_START}{HELLO}{TEXT_STOP}{future_event}{future_block}{END}"
    ))
    .unwrap();
    let chat_anthropic::MessageContent::Blocks(blocks) = reply.content else {
        panic!("two blocks")
    };
    assert_eq!(blocks[1].kind(), "hologram");
    let chat_anthropic::ContentBlock::Unknown(raw) = &blocks[1] else {
        panic!()
    };
    assert_eq!(raw["text"], "shimmer");
}

/// One SSE event named after its payload's `type`.
fn sse(payload: serde_json::Value) -> String {
    format!(
        "event: {}\ndata: {payload}\n\n",
        payload["type"].as_str().unwrap()
    )
}

#[test]
fn a_payload_that_is_not_an_object_is_a_decode_error() {
    for (name, data) in [
        ("message_stop", "123"),
        ("content_block_stop", "[0]"),
        ("message", "[\"message_stop\"]"),
    ] {
        expect_stream_error(
            format!("{START}{TEXT_START}{HELLO}event: {name}\ndata: {data}\n\n{END}"),
            "Hello",
            |e| matches!(e, Error::Decode(d) if d.event() == name && d.data() == data),
        );
    }
}

#[test]
fn token_counts_at_the_edge_of_u64_saturate_instead_of_overflowing() {
    let start = sse(serde_json::json!({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
        "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": u64::MAX, "output_tokens": 1, "cache_read_input_tokens": 1}}}));
    let reply = run(format!("{start}{TEXT_START}{HELLO}{TEXT_STOP}{END}")).unwrap();
    let usage = reply.usage_metadata.unwrap();
    assert_eq!(usage.input_tokens, u64::MAX);
    assert_eq!(usage.total_tokens, u64::MAX);
    assert_eq!(usage.output_tokens, 5);
}

#[test]
fn a_flood_of_unknown_events_is_kept_within_a_bound_and_the_message_stays_usable() {
    use chat_anthropic::aggregate::StreamUpdate;
    use chat_anthropic::{aggregate::MessageAggregator, StreamEvent};
    const FLOOD: u64 = 100_000;
    let mut aggregator = MessageAggregator::new();
    let mut updates = Vec::new();
    let mut apply = |aggregator: &mut MessageAggregator, name: &str, data: &str| {
        updates.clear();
        let event = StreamEvent::parse(name, data).unwrap();
        aggregator.apply_updates(&event, &mut updates).unwrap();
        updates.clone()
    };
    let events = format!("{START}{TEXT_START}{HELLO}");
    for block in events.split("\n\n").filter(|b| !b.is_empty()) {
        let (name, data) = block.split_once("\ndata: ").unwrap();
        apply(&mut aggregator, name.trim_start_matches("event: "), data);
    }
    for n in 0..FLOOD {
        let data = format!(
            r#"{{"type":"hologram","n":{n},"beams":"{}"}}"#,
            "*".repeat(40)
        );
        let updates = apply(&mut aggregator, "hologram", &data);
        // Each update carries its own event, even once the kept list is full.
        assert!(
            matches!(&updates[..], [StreamUpdate::Unknown { raw }] if raw["n"] == n),
            "{updates:?}"
        );
    }
    let kept = aggregator.unknown().len() as u64;
    assert!(kept > 0 && kept <= 1024, "kept {kept} of {FLOOD}");
    assert_eq!(kept + aggregator.unknown_dropped(), FLOOD);
    assert_eq!(aggregator.unknown()[0]["n"], 0, "the first ones are kept");
    let rest = format!("{TEXT_STOP}{END}");
    for block in rest.split("\n\n").filter(|b| !b.is_empty()) {
        let (name, data) = block.split_once("\ndata: ").unwrap();
        apply(&mut aggregator, name.trim_start_matches("event: "), data);
    }
    assert_eq!(aggregator.finish().unwrap().text(), "Hello");
}

/// A context-compaction block as the API streams it (beta `compact-2026-01-12`): a block
/// type and a delta type this version does not model, and a block the API wants back
/// verbatim in the next request.
fn compaction_stream() -> String {
    use serde_json::json;
    [
        START.to_owned(),
        sse(json!({"type": "content_block_start", "index": 0,
            "content_block": {"type": "compaction", "content": "", "encrypted_content": null}})),
        sse(json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "compaction_delta", "content": "Summary: the user asked "}})),
        sse(json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "compaction_delta", "content": "about caching.",
                "encrypted_content": "b3BhcXVl"}})),
        sse(json!({"type": "content_block_stop", "index": 0})),
        sse(json!({"type": "content_block_start", "index": 1,
            "content_block": {"type": "text", "text": ""}})),
        sse(json!({"type": "content_block_delta", "index": 1,
            "delta": {"type": "text_delta", "text": "Hello"}})),
        sse(json!({"type": "content_block_stop", "index": 1})),
        END.to_owned(),
    ]
    .concat()
}

fn compaction_block() -> serde_json::Value {
    serde_json::json!({"type": "compaction", "content": "Summary: the user asked about caching.",
        "encrypted_content": "b3BhcXVl"})
}

#[test]
fn unknown_deltas_on_unknown_blocks_merge_in_the_fold_the_updates_and_the_chunks() {
    use chat_anthropic::aggregate::StreamUpdate;
    use chat_anthropic::{aggregate::MessageAggregator, AIMessageChunk, StreamEvent};
    let stream = compaction_stream();
    let mut aggregator = MessageAggregator::new();
    let mut for_chunks = MessageAggregator::new();
    let mut sum = AIMessageChunk::default();
    let mut unknown_updates = Vec::new();
    for block in stream.split("\n\n").filter(|b| !b.is_empty()) {
        let (name, data) = block.split_once("\ndata: ").unwrap();
        let event = StreamEvent::parse(name.trim_start_matches("event: "), data).unwrap();
        let mut updates = Vec::new();
        aggregator.apply_updates(&event, &mut updates).unwrap();
        unknown_updates.extend(updates.into_iter().filter_map(|u| match u {
            StreamUpdate::Unknown { raw } => Some(raw),
            _ => None,
        }));
        if let Some(chunk) = for_chunks.apply_chunk(&event).unwrap() {
            sum += chunk;
        }
    }
    // Each update carries its own delta (not a stale earlier one).
    let contents: Vec<_> = unknown_updates
        .iter()
        .map(|raw| raw["delta"]["content"].clone())
        .collect();
    assert_eq!(contents, ["Summary: the user asked ", "about caching."]);
    assert!(
        aggregator.unknown().is_empty(),
        "merged into the block, not kept aside"
    );
    let reply = aggregator.finish().unwrap();
    let chat_anthropic::MessageContent::Blocks(blocks) = &reply.content else {
        panic!("two blocks")
    };
    assert_eq!(
        serde_json::to_value(&blocks[0]).unwrap(),
        compaction_block()
    );
    assert_eq!(reply.text(), "Hello");
    assert_eq!(
        sum.into_message(),
        reply,
        "the chunks merge by the same rule"
    );
}

#[tokio::test]
async fn a_compaction_block_streams_in_and_goes_back_verbatim_in_the_next_request() {
    use chat_anthropic::{ChatAnthropic, HumanMessage, Message};
    use chat_anthropic_mock::{MockReply, MockServer};
    let server = MockServer::start().await;
    server.enqueue(MockReply::sse_bytes(compaction_stream()).chunk_size(7));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key");
    let first = llm.invoke("Hi").await.unwrap();
    let conversation: Vec<Message> = vec![
        HumanMessage::new("Hi").into(),
        first.into(),
        HumanMessage::new("And then?").into(),
    ];
    llm.invoke(conversation).await.unwrap();
    let sent = &server.requests()[1].body;
    assert_eq!(sent["messages"][1]["content"][0], compaction_block());
}
