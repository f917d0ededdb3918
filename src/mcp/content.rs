//! An MCP `tools/call` result as the `tool_result` the model reads: text as text, images as
//! image blocks, resources as text (or a document or image) naming their URI, `isError` as an
//! error result. Read off the result's JSON (the MCP wire form), so it follows the protocol,
//! not one SDK version's types.

use serde_json::Value;

use crate::messages::{ContentBlock, DocumentBlock, ImageBlock, MessageContent};

/// The `tool_result` content of a call's result (`CallToolResult` as JSON), or the error text
/// when the server set `isError`.
pub(super) fn tool_result(result: &Value) -> Result<MessageContent, String> {
    let mut blocks: Vec<ContentBlock> = result
        .get("content")
        .and_then(Value::as_array)
        .map(|content| content.iter().map(block).collect())
        .unwrap_or_default();
    if blocks.is_empty() {
        // A tool may answer with structured content alone; the model reads it as JSON text.
        match result.get("structuredContent") {
            Some(structured) => blocks.push(ContentBlock::text(structured.to_string())),
            None => blocks.push(ContentBlock::text("(the tool returned no content)")),
        }
    }
    if result.get("isError").and_then(Value::as_bool) == Some(true) {
        return Err(text_of(&blocks));
    }
    Ok(match <[ContentBlock; 1]>::try_from(blocks) {
        Ok([ContentBlock::Text(text)]) => MessageContent::Text(text.text),
        Ok([other]) => MessageContent::Blocks(vec![other]),
        Err(blocks) => MessageContent::Blocks(blocks),
    })
}

/// One MCP content item as a content block.
fn block(item: &Value) -> ContentBlock {
    let str_of = |key: &str| item.get(key).and_then(Value::as_str);
    match str_of("type") {
        Some("text") => ContentBlock::text(str_of("text").unwrap_or_default()),
        Some("image") => image(
            str_of("mimeType").unwrap_or_default(),
            str_of("data").unwrap_or_default(),
            "an image",
        ),
        Some("audio") => ContentBlock::text(format!(
            "[audio ({}) left out: the model takes no audio]",
            str_of("mimeType").unwrap_or("unknown type")
        )),
        Some("resource") => resource(item.get("resource").unwrap_or(&Value::Null)),
        Some("resource_link") => {
            let mut text = format!("[resource link: {}", str_of("uri").unwrap_or_default());
            for key in ["name", "mimeType", "description"] {
                if let Some(value) = str_of(key) {
                    text.push_str(&format!("; {key}: {value}"));
                }
            }
            text.push(']');
            ContentBlock::text(text)
        }
        _ => ContentBlock::text(item.to_string()),
    }
}

/// An embedded resource: its text with its URI; a PDF as a document, an image as an image,
/// other binary data named but left out.
fn resource(resource: &Value) -> ContentBlock {
    let str_of = |key: &str| resource.get(key).and_then(Value::as_str);
    let uri = str_of("uri").unwrap_or_default();
    let mime = str_of("mimeType");
    if let Some(text) = str_of("text") {
        return ContentBlock::text(format!("[resource {uri}]\n{text}"));
    }
    let blob = str_of("blob").unwrap_or_default();
    match mime {
        Some("application/pdf") => {
            let mut document = DocumentBlock::pdf_base64(blob);
            document.title = Some(uri.to_owned());
            ContentBlock::Document(document)
        }
        Some(mime) if mime.starts_with("image/") => image(mime, blob, uri),
        _ => ContentBlock::text(format!(
            "[resource {uri} ({}, {} bytes of binary data left out)]",
            mime.unwrap_or("no media type"),
            blob.len() / 4 * 3
        )),
    }
}

/// An image block, or a note naming it when the API does not take its media type.
fn image(mime: &str, data: &str, what: &str) -> ContentBlock {
    match ImageBlock::base64(mime, data) {
        Ok(image) => ContentBlock::Image(image),
        Err(err) => ContentBlock::text(format!("[{what} left out: {err}]")),
    }
}

/// The text of blocks, for an error result (which the agent sends as text).
fn text_of(blocks: &[ContentBlock]) -> String {
    let texts: Vec<String> = blocks
        .iter()
        .map(|block| match block {
            ContentBlock::Text(text) => text.text.clone(),
            other => format!("[{} block]", block_type(other)),
        })
        .collect();
    texts.join("\n")
}

fn block_type(block: &ContentBlock) -> &'static str {
    match block {
        ContentBlock::Image(_) => "image",
        ContentBlock::Document(_) => "document",
        _ => "non-text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PNG: &str = "iVBORw0KGgo=";

    #[test]
    fn one_text_item_is_text_and_several_items_are_blocks() {
        let one = json!({"content": [{"type": "text", "text": "Echo: hi"}]});
        assert_eq!(
            tool_result(&one),
            Ok(MessageContent::Text("Echo: hi".into()))
        );
        let two = json!({"content": [
            {"type": "text", "text": "Here:"},
            {"type": "image", "data": PNG, "mimeType": "image/png"},
        ]});
        let Ok(MessageContent::Blocks(blocks)) = tool_result(&two) else {
            panic!("blocks expected")
        };
        assert_eq!(blocks[0], ContentBlock::text("Here:"));
        let image = serde_json::to_value(&blocks[1]).unwrap();
        assert_eq!(
            image,
            json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}})
        );
    }

    #[test]
    fn is_error_makes_an_error_result_with_the_text() {
        let result = json!({"isError": true, "content": [{"type": "text", "text": "Invalid resourceId: 0"}]});
        assert_eq!(tool_result(&result), Err("Invalid resourceId: 0".into()));
        let not_error = json!({"isError": false, "content": [{"type": "text", "text": "fine"}]});
        assert_eq!(
            tool_result(&not_error),
            Ok(MessageContent::Text("fine".into()))
        );
    }

    #[test]
    fn resources_name_their_uri() {
        let text = json!({"content": [{"type": "resource", "resource": {
            "uri": "demo://resource/static/document/1", "mimeType": "text/plain", "text": "Resource 1"}}]});
        assert_eq!(
            tool_result(&text),
            Ok(MessageContent::Text(
                "[resource demo://resource/static/document/1]\nResource 1".into()
            ))
        );
        let blob = json!({"content": [{"type": "resource", "resource": {
            "uri": "demo://blob/1", "mimeType": "application/octet-stream", "blob": "AAAA"}}]});
        assert_eq!(
            tool_result(&blob),
            Ok(MessageContent::Text(
                "[resource demo://blob/1 (application/octet-stream, 3 bytes of binary data left out)]".into()
            ))
        );
        let pdf = json!({"content": [{"type": "resource", "resource": {
            "uri": "file:///a.pdf", "mimeType": "application/pdf", "blob": "JVBERi0="}}]});
        let Ok(MessageContent::Blocks(blocks)) = tool_result(&pdf) else {
            panic!("a document expected")
        };
        let document = serde_json::to_value(&blocks[0]).unwrap();
        assert_eq!(document["type"], "document");
        assert_eq!(document["title"], "file:///a.pdf");
        let link =
            json!({"content": [{"type": "resource_link", "uri": "demo://r/2", "name": "r2"}]});
        assert_eq!(
            tool_result(&link),
            Ok(MessageContent::Text(
                "[resource link: demo://r/2; name: r2]".into()
            ))
        );
    }

    #[test]
    fn what_the_model_cannot_take_is_named_not_dropped() {
        let svg = json!({"content": [{"type": "image", "data": "PHN2Zz4=", "mimeType": "image/svg+xml"}]});
        let Ok(MessageContent::Text(text)) = tool_result(&svg) else {
            panic!("text expected")
        };
        assert!(text.starts_with("[an image left out:"), "{text}");
        let audio =
            json!({"content": [{"type": "audio", "data": "AAAA", "mimeType": "audio/wav"}]});
        assert_eq!(
            tool_result(&audio),
            Ok(MessageContent::Text(
                "[audio (audio/wav) left out: the model takes no audio]".into()
            ))
        );
        let structured = json!({"content": [], "structuredContent": {"temperature": 22}});
        assert_eq!(
            tool_result(&structured),
            Ok(MessageContent::Text(r#"{"temperature":22}"#.into()))
        );
    }
}
