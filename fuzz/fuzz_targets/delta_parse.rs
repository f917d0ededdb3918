//! Any payload named `content_block_delta`: the typed parse never panics, and whatever it
//! accepts (most of it through the hand-written reader of the plain delta shape) is what the
//! general path, which reads the payload as JSON and dispatches on its `type`, makes of it.
#![no_main]

use chat_anthropic::StreamEvent;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let Ok(named) = StreamEvent::parse("content_block_delta", data) else {
        return;
    };
    let is_delta_type = serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|value| value.get("type").cloned())
        .is_some_and(|kind| kind == "content_block_delta");
    if is_delta_type {
        let general = StreamEvent::parse("message", data);
        assert_eq!(general.as_ref().ok(), Some(&named), "{data:?}");
    }
});
