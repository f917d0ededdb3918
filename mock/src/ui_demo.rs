//! The scripted reply the UI examples (`web_chat`, `chat_tui`) stream when there is no key.

use std::time::Duration;

use serde_json::{json, Value};

use super::{MockReply, MockScript, RecordedRequest};

/// The file the demo's tool call writes, a few lines long so its `content` visibly grows.
const POEM: &str = "Bytes on the wire,\n\
                    events parsed as they arrive,\n\
                    the fold makes a message;\n\
                    a tab closes, and the stream\n\
                    lets go of the connection.\n";

/// A reply that exercises everything a chat UI renders: thinking, text that quotes the
/// user's last message, and a `write_file` tool call (`path`, then a multi-line `content`)
/// whose arguments stream in small fragments. It arrives 64 bytes every 10 ms, under two
/// seconds in all, so tokens visibly trickle in.
pub fn ui_demo_reply(request: &RecordedRequest) -> MockReply {
    let said = last_user_text(&request.body);
    let script = MockScript::new()
        .thinking(
            format!(
                "The user wrote \u{201c}{said}\u{201d}. Answer in a sentence, then save a short \
                 poem with write_file: the path first, then the content line by line."
            ),
            "demo-signature",
        )
        .text(format!(
            "You said \u{201c}{said}\u{201d}. Here is a short poem about streaming, \
             written to poem.txt as it arrives:"
        ))
        .tool_use(
            "toolu_demo_1",
            "write_file",
            json!({"path": "poem.txt", "content": POEM}),
        );
    MockReply::script(script)
        .chunk_size(64)
        .delay(Duration::from_millis(10))
}

/// The text of the request's last user message (text blocks joined), or `""`.
fn last_user_text(body: &Value) -> String {
    let Some(last) = body["messages"]
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
    else {
        return String::new();
    };
    match &last["content"] {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|block| block["text"].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_the_last_user_message_in_either_content_form() {
        let plain = json!({"messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "second"},
        ]});
        assert_eq!(last_user_text(&plain), "second");
        let blocks = json!({"messages": [
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        ]});
        assert_eq!(last_user_text(&blocks), "a b");
        assert_eq!(last_user_text(&json!({})), "");
    }
}
