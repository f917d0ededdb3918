//! A recorded stream assembled into the message the API sends when not streaming, by the
//! documented fold: `message_start` gives the message; blocks start, take their deltas (text
//! and thinking append, `signature_delta` sets, `citations_delta` appends a citation, tool
//! input is the concatenated JSON text, `{}` when empty) and stop; each `message_delta` sets
//! the fields it carries and replaces the usage fields it carries. An `error` event, or an
//! event the fold cannot place, ends it.

use serde_json::{Map, Value};

use super::sse;

/// The message the events of `stream` assemble to (`{}` before any `message_start`).
pub(super) fn message(stream: &[u8]) -> Value {
    let mut message = Map::new();
    let mut inputs: Vec<Option<String>> = Vec::new();
    for event in sse::events(stream) {
        let Ok(Value::Object(event)) = serde_json::from_str::<Value>(&event.data) else {
            break;
        };
        if apply(&mut message, &mut inputs, &event).is_none() {
            break;
        }
    }
    Value::Object(message)
}

/// Applies one event; `None` ends the fold.
fn apply(
    message: &mut Map<String, Value>,
    inputs: &mut Vec<Option<String>>,
    event: &Map<String, Value>,
) -> Option<()> {
    let index = || event.get("index")?.as_u64().map(|i| i as usize);
    match event.get("type")?.as_str()? {
        "message_start" => *message = event.get("message")?.as_object()?.clone(),
        "content_block_start" => {
            let content = message.get_mut("content")?.as_array_mut()?;
            if index()? != content.len() {
                return None;
            }
            let block = event.get("content_block")?.clone();
            let takes_input = matches!(
                block.get("type").and_then(Value::as_str),
                Some("tool_use" | "server_tool_use")
            );
            inputs.push(takes_input.then(String::new));
            content.push(block);
        }
        "content_block_delta" => {
            let i = index()?;
            let block = message.get_mut("content")?.get_mut(i)?.as_object_mut()?;
            let delta = event.get("delta")?;
            let append = |block: &mut Map<String, Value>, field: &str, key: &str| {
                let more = delta.get(key)?.as_str()?;
                let text = block.entry(field).or_insert_with(|| Value::from(""));
                *text = Value::from(format!("{}{more}", text.as_str().unwrap_or_default()));
                Some(())
            };
            match delta.get("type")?.as_str()? {
                "text_delta" => append(block, "text", "text")?,
                "thinking_delta" => append(block, "thinking", "thinking")?,
                "signature_delta" => {
                    block.insert("signature".into(), delta.get("signature")?.clone());
                }
                "citations_delta" => {
                    let citations = block
                        .entry("citations")
                        .or_insert_with(|| Value::Array(vec![]));
                    citations
                        .as_array_mut()?
                        .push(delta.get("citation")?.clone());
                }
                "input_json_delta" => inputs
                    .get_mut(i)?
                    .as_mut()?
                    .push_str(delta.get("partial_json")?.as_str()?),
                _ => {}
            }
        }
        "content_block_stop" => {
            let i = index()?;
            if let Some(json) = inputs.get_mut(i)?.take() {
                let input = match json.trim() {
                    "" => Value::Object(Map::new()),
                    text => serde_json::from_str(text).ok()?,
                };
                message
                    .get_mut("content")?
                    .get_mut(i)?
                    .as_object_mut()?
                    .insert("input".into(), input);
            }
        }
        "message_delta" => {
            for (key, value) in event.get("delta")?.as_object()? {
                message.insert(key.clone(), value.clone());
            }
            if let Some(Value::Object(usage)) = event.get("usage") {
                let total = message
                    .entry("usage")
                    .or_insert_with(|| Value::Object(Map::new()));
                for (key, value) in usage {
                    total.as_object_mut()?.insert(key.clone(), value.clone());
                }
            }
        }
        "error" => return None,
        _ => {}
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_tool_call_and_text_with_cumulative_usage() {
        let stream = concat!(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":\"}}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"1}\"}}\n\n",
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n",
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
        );
        assert_eq!(
            message(stream.as_bytes()),
            json!({
                "id": "msg_1",
                "content": [
                    {"type": "text", "text": "Hello"},
                    {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}}
                ],
                "stop_reason": "tool_use",
                "usage": {"input_tokens": 5, "output_tokens": 9}
            })
        );
    }
}
