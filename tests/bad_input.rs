//! Bad input of every kind yields a clear typed error and the partial message; none panics.

mod common;

use chat_anthropic::{collect_message, AIMessage, ApiErrorKind, Error, EventStream, ProtocolError};

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
