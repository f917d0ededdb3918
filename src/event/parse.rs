//! From an SSE event to a [`StreamEvent`].

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::delta::content_block_delta;
use super::plain_delta::plain_content_block_delta;
use super::text_arena::TextArena;
use super::StreamEvent;
use crate::error::EventDecodeError;
use crate::sse::{SseEvent, Utf8Bytes};

impl StreamEvent {
    /// Parses the `data` of an SSE event named `event`.
    ///
    /// The API names every event after its `type`, so a known name picks the payload type
    /// directly and the JSON is read once, without an intermediate tree. Any other name falls
    /// back to dispatching on the payload's `type` field; unknown types become
    /// [`StreamEvent::Unknown`]. Malformed JSON, or a payload that is not a JSON object, is an
    /// [`EventDecodeError`] carrying the event name and the raw data.
    ///
    /// ```
    /// use chat_anthropic::StreamEvent;
    /// let err = StreamEvent::parse("message_delta", "{not json").unwrap_err();
    /// assert_eq!(err.event(), "message_delta");
    /// assert_eq!(err.data(), "{not json");
    /// assert!(matches!(StreamEvent::parse("future", r#"{"type":"future"}"#), Ok(StreamEvent::Unknown(_))));
    /// assert!(StreamEvent::parse("message_stop", "123").is_err());
    /// ```
    pub fn parse(event: &str, data: &str) -> Result<StreamEvent, EventDecodeError> {
        Self::parse_in(event, data, None, &mut TextArena::new(data.len()))
    }

    /// Parses a decoded SSE event (see [`StreamEvent::parse`]). The text of a delta without
    /// escapes points into the event's bytes instead of being copied.
    ///
    /// ```
    /// use chat_anthropic::sse::SseEvent;
    /// use chat_anthropic::event::Delta;
    /// use chat_anthropic::StreamEvent;
    /// let sse = SseEvent::new(Some("content_block_delta"),
    ///     r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#);
    /// let StreamEvent::ContentBlockDelta(delta) = StreamEvent::from_sse(&sse)? else { panic!() };
    /// let Delta::Text(text) = &delta.delta else { panic!() };
    /// assert!(sse.data().as_bytes().as_ptr_range().contains(&text.as_ptr()), "not a copy");
    /// # Ok::<(), chat_anthropic::error::EventDecodeError>(())
    /// ```
    pub fn from_sse(event: &SseEvent) -> Result<StreamEvent, EventDecodeError> {
        Self::from_sse_in(event, &mut TextArena::new(event.data().len()))
    }

    /// [`from_sse`](Self::from_sse), decoding text with escapes into a stream's `arena`.
    pub(crate) fn from_sse_in(
        event: &SseEvent,
        arena: &mut TextArena,
    ) -> Result<StreamEvent, EventDecodeError> {
        Self::parse_in(event.event(), event.data(), Some(&event.data), arena)
    }

    /// [`parse`](Self::parse), with the bytes `data` lies in when there are some to share.
    fn parse_in(
        event: &str,
        data: &str,
        bytes: Option<&Utf8Bytes>,
        arena: &mut TextArena,
    ) -> Result<StreamEvent, EventDecodeError> {
        use serde_json::from_str;
        // serde reads a struct from an array too, and `IgnoredAny` takes anything.
        let is_object = data
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .starts_with('{');
        let parsed = match event {
            _ if !is_object => Err(serde::de::Error::custom(
                "an event payload must be a JSON object",
            )),
            "content_block_delta" => match plain_content_block_delta(data, bytes, arena) {
                Some(delta) => Ok(delta),
                None => content_block_delta(data, bytes),
            }
            .map(StreamEvent::ContentBlockDelta),
            "content_block_start" => {
                from_str(data).map(|e| StreamEvent::ContentBlockStart(Box::new(e)))
            }
            "content_block_stop" => from_str(data).map(StreamEvent::ContentBlockStop),
            "message_start" => from_str(data).map(|e| StreamEvent::MessageStart(Box::new(e))),
            "message_delta" => from_str(data).map(|e| StreamEvent::MessageDelta(Box::new(e))),
            "message_stop" => from_str::<IgnoredAny>(data).map(|_| StreamEvent::MessageStop),
            "ping" => from_str::<IgnoredAny>(data).map(|_| StreamEvent::Ping),
            "error" => from_str(data).map(|e| StreamEvent::Error(Box::new(e))),
            _ => from_str::<serde_json::Value>(data).and_then(StreamEvent::deserialize),
        };
        parsed.map_err(|cause| EventDecodeError::new(event, data, cause))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ContentBlockStop, Delta};
    use crate::messages::ContentBlock;
    use crate::StopReason;

    #[test]
    fn known_names_parse_to_their_types() {
        let start = StreamEvent::parse(
            "message_start",
            r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",
               "model":"m","content":[],"stop_reason":null,"stop_sequence":null,
               "usage":{"input_tokens":5,"output_tokens":1,"service_tier":"standard"}}}"#,
        )
        .unwrap();
        let StreamEvent::MessageStart(start) = start else {
            panic!()
        };
        assert_eq!(start.message.id, "msg_1");
        assert_eq!(
            start.message.usage.service_tier.as_deref(),
            Some("standard")
        );

        let block = StreamEvent::parse(
            "content_block_start",
            r#"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}"#,
        )
        .unwrap();
        assert!(matches!(block, StreamEvent::ContentBlockStart(ref s)
            if s.index == 1 && matches!(s.content_block, ContentBlock::ToolUse(_))));

        let delta = StreamEvent::parse(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END","stop_details":null},"usage":{"output_tokens":9}}"#,
        )
        .unwrap();
        let StreamEvent::MessageDelta(delta) = delta else {
            panic!()
        };
        assert_eq!(delta.delta.stop_reason, Some(StopReason::StopSequence));
        assert!(delta.delta.extra.contains_key("stop_details"));
        assert_eq!(delta.usage.unwrap().output_tokens, Some(9));

        assert_eq!(
            StreamEvent::parse(
                "content_block_stop",
                r#"{"type":"content_block_stop","index":2}"#
            )
            .unwrap(),
            StreamEvent::ContentBlockStop(ContentBlockStop { index: 2 })
        );
        assert_eq!(
            StreamEvent::parse("ping", r#"{"type": "ping"}"#).unwrap(),
            StreamEvent::Ping
        );
    }

    #[test]
    fn unnamed_events_dispatch_on_their_type() {
        let event = StreamEvent::parse(
            "message",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"so"}}"#,
        )
        .unwrap();
        assert!(matches!(event, StreamEvent::ContentBlockDelta(ref d)
            if d.delta == Delta::Thinking("so".into())));
        assert_eq!(
            StreamEvent::parse("message", r#"{"type":"message_stop"}"#).unwrap(),
            StreamEvent::MessageStop
        );
    }

    #[test]
    fn error_events_are_typed() {
        let event = StreamEvent::parse(
            "error",
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .unwrap();
        let StreamEvent::Error(event) = event else {
            panic!()
        };
        assert_eq!(event.error.kind, crate::error::ApiErrorKind::Overloaded);
        assert_eq!(event.error.message, "Overloaded");
    }

    #[test]
    fn malformed_payloads_name_the_event_and_keep_the_data() {
        for (name, data) in [
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":"x"}"#,
            ),
            ("message_stop", "not json"),
            ("whatever", "[1,"),
            // An event payload is an object: serde would read these as typed events.
            ("message_stop", "123"),
            ("ping", "[]"),
            ("content_block_stop", "[3]"),
            ("message", r#"["content_block_stop", 3]"#),
            ("message", r#"["message_stop"]"#),
            ("hologram", "\"beams\""),
        ] {
            let err = StreamEvent::parse(name, data).unwrap_err();
            assert_eq!((err.event(), err.data()), (name, data));
            assert!(err.to_string().contains(name));
        }
    }

    #[test]
    fn events_serialize_back_to_their_wire_json() {
        let raw =
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}"#;
        let event = StreamEvent::parse("content_block_delta", raw).unwrap();
        assert_eq!(serde_json::to_string(&event).unwrap(), raw);
        let stop = serde_json::to_string(&StreamEvent::MessageStop).unwrap();
        assert_eq!(stop, r#"{"type":"message_stop"}"#);
    }
}

#[cfg(test)]
mod sharing_tests {
    use crate::event::Delta;
    use crate::sse::SseEvent;
    use crate::StreamEvent;

    fn delta_text(data: &str) -> (SseEvent, crate::event::SharedStr) {
        let sse = SseEvent::new(Some("content_block_delta"), data);
        let StreamEvent::ContentBlockDelta(event) = StreamEvent::from_sse(&sse).unwrap() else {
            panic!("{data}")
        };
        let (Delta::Text(text) | Delta::InputJson(text)) = event.delta else {
            panic!("{data}")
        };
        (sse, text)
    }

    #[test]
    fn delta_text_without_escapes_points_into_the_event_and_escaped_text_is_decoded() {
        let (sse, plain) = delta_text(
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"café"}}"#,
        );
        assert_eq!(plain, "café");
        assert!(sse
            .data()
            .as_bytes()
            .as_ptr_range()
            .contains(&plain.as_ptr()));

        let (sse, escaped) = delta_text(
            r#"{"index":0,"delta":{"partial_json":"{\"a\": \"b\\n","type":"input_json_delta"},"type":"content_block_delta"}"#,
        );
        assert_eq!(escaped, "{\"a\": \"b\\n");
        assert!(!sse
            .data()
            .as_bytes()
            .as_ptr_range()
            .contains(&escaped.as_ptr()));
    }

    #[test]
    fn shared_and_copied_parses_agree() {
        for data in [
            r#"{"type":"content_block_delta","index":3,"delta":{"type":"thinking_delta","thinking":"so"},"extra":[1]}"#,
            r#"{"delta":{"signature":"EqQB","type":"signature_delta"},"index":0,"type":"content_block_delta"}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"future_delta","text":"x\ty"}}"#,
        ] {
            let sse = SseEvent::new(Some("content_block_delta"), data);
            assert_eq!(
                StreamEvent::from_sse(&sse).unwrap(),
                StreamEvent::parse("content_block_delta", data).unwrap(),
                "{data}"
            );
        }
        for bad in [
            r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}"#,
            r#"{"type":"content_block_delta","index":0}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta"}} x"#,
        ] {
            let sse = SseEvent::new(Some("content_block_delta"), bad);
            assert!(StreamEvent::from_sse(&sse).is_err(), "{bad}");
        }
    }
}
