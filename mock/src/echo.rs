//! The default reply: names what the user sent, so examples and tests run with no script.
//!
//! It answers the request forms it recognises the way the API would shape the answer: with
//! thinking on, a signed thinking block comes first; images and documents are named; when a
//! document has citations enabled, the reply quotes its first passage with a citation of the
//! right kind (`char_location` for text, `page_location` for PDFs, `content_block_location`
//! for custom content).
//!
//! A request that forces a tool (`tool_choice` `{"type": "tool", "name": …}`, or `{"type":
//! "any"}`: the first tool with an `input_schema`) is answered with a call of that tool whose
//! input is generated from the tool's schema, with `stop_reason: "tool_use"`, as the API never
//! answers such a request with text. A request for native structured output
//! (`output_config.format`, or the older top-level `output_format`, `{"type": "json_schema",
//! "schema": …}`) is answered with JSON text generated from that schema. Both are
//! deterministic: the same messages give the same values.

use serde_json::{json, Value};

use super::generate::{instance, seed_of};
use super::script::MockScript;
use super::signatures::signature_for;
use super::validate::as_blocks;
use super::{MockReply, RecordedRequest};

/// The mock's default reply (used when nothing is queued and no responder is set; pass it to
/// [`MockServer::set_responder`](super::MockServer::set_responder) to get it back). It names what the user
/// sent, thinks first (signed) when the request turns thinking on, and quotes the first
/// passage of every document with citations enabled, citing it as the API would
/// (`char_location` for text, `page_location` for PDFs, `content_block_location` for custom
/// content). A forced tool (`tool_choice` `tool`, or `any`: the first tool with an
/// `input_schema`) is called instead, with an input generated from its schema; with native
/// structured output (`output_config.format`, or the beta's top-level `output_format`) the
/// text is JSON generated from its schema. The same messages give the same values.
pub fn default_reply(request: &RecordedRequest) -> MockReply {
    let body = &request.body;
    if let Some(forced) = forced_tool_call(body) {
        return forced;
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let last_blocks = last_user_blocks(body);
    let said = text_of(&last_blocks);
    let mut script = MockScript::new();
    if matches!(
        body["thinking"]["type"].as_str(),
        Some("enabled" | "adaptive")
    ) {
        let thinking = format!("The user wrote: {said}");
        let signature = signature_for(&thinking);
        script = script.thinking(thinking, signature);
    }
    let seen = attachments(&last_blocks);
    let mut text = format!("Mock reply to: {said}");
    if !seen.is_empty() {
        text.push_str(&format!(" [received {}]", seen.join(", ")));
    }
    if let Some(schema) = output_schema(body) {
        // The reply is the JSON and nothing else (no quoted documents after it).
        let seed = seed_of(&[&body["messages"].to_string(), "output_format"]);
        return MockReply::script(script.text_in_pieces(instance(schema, seed).to_string()));
    }
    script = script.text(text);
    let documents: Vec<Value> = messages
        .iter()
        .filter(|m| m["role"] == "user")
        .flat_map(|m| as_blocks(&m["content"]))
        .filter(|b| b["type"] == "document")
        .collect();
    for (index, document) in documents.iter().enumerate() {
        if document["citations"]["enabled"] == true {
            if let Some(citation) = first_passage(document, index) {
                let quoted = citation["cited_text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                script = script.cited_text(format!("The document says: {quoted}"), vec![citation]);
            }
        }
    }
    MockReply::script(script)
}

/// The blocks of the request's last user message.
fn last_user_blocks(body: &Value) -> Vec<Value> {
    let messages = body["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let last_user = messages.iter().rev().find(|m| m["role"] == "user");
    last_user
        .map(|m| as_blocks(&m["content"]))
        .unwrap_or_default()
}

/// The text blocks' text, joined with spaces.
fn text_of(blocks: &[Value]) -> String {
    let texts: Vec<&str> = blocks.iter().filter_map(|b| b["text"].as_str()).collect();
    texts.join(" ")
}

/// The text of the request's last user message (its text blocks joined with spaces): what
/// the default reply names and what scripted replies are matched on.
pub(super) fn last_user_text(body: &Value) -> String {
    text_of(&last_user_blocks(body))
}

/// The call of the tool the request forces, with an input made from its schema.
fn forced_tool_call(body: &Value) -> Option<MockReply> {
    let tools = body["tools"].as_array()?;
    let custom = |tool: &&Value| tool.get("input_schema").is_some();
    let tool = match body["tool_choice"]["type"].as_str()? {
        "tool" => {
            let name = body["tool_choice"]["name"].as_str()?;
            tools
                .iter()
                .filter(custom)
                .find(|tool| tool["name"] == name)?
        }
        "any" => tools.iter().find(custom)?,
        _ => return None,
    };
    let name = tool["name"].as_str()?;
    let seed = seed_of(&[&body["messages"].to_string(), name]);
    let input = instance(&tool["input_schema"], seed);
    let id = format!("toolu_mock_{seed:016x}");
    Some(MockReply::script(
        MockScript::new().tool_use(id, name, input),
    ))
}

/// The JSON schema of native structured output: `output_config.format`, or the beta's
/// top-level `output_format`.
fn output_schema(body: &Value) -> Option<&Value> {
    [&body["output_config"]["format"], &body["output_format"]]
        .into_iter()
        .find(|format| format["type"] == "json_schema")
        .and_then(|format| format.get("schema"))
}

/// "1 image (image/png, 68 bytes)", "document \"Facts\" (text)", …
fn attachments(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(|block| {
            let source = &block["source"];
            let kind = source["type"].as_str().unwrap_or("?");
            let described = match (kind, source["media_type"].as_str()) {
                ("base64", Some(media_type)) => {
                    let bytes = source["data"].as_str().map_or(0, |d| d.len() * 3 / 4);
                    format!("{media_type}, ~{bytes} bytes")
                }
                ("url", _) => format!("url {}", source["url"].as_str().unwrap_or_default()),
                ("file", _) => format!("file {}", source["file_id"].as_str().unwrap_or_default()),
                (kind, _) => kind.to_owned(),
            };
            match block["type"].as_str() {
                Some("image") => Some(format!("an image ({described})")),
                Some("document") => Some(match block["title"].as_str() {
                    Some(title) => format!("a document {title:?} ({described})"),
                    None => format!("a document ({described})"),
                }),
                _ => None,
            }
        })
        .collect()
}

/// A citation of the document's first passage, in the location type its source calls for.
fn first_passage(document: &Value, index: usize) -> Option<Value> {
    let source = &document["source"];
    let title = &document["title"];
    match source["type"].as_str()? {
        "text" => {
            let data = source["data"].as_str()?;
            let end = data.find(". ").map_or(data.len(), |at| at + 2);
            let cited = &data[..end];
            Some(json!({
                "type": "char_location", "cited_text": cited, "document_index": index,
                "document_title": title, "start_char_index": 0,
                "end_char_index": cited.chars().count(),
            }))
        }
        "content" => {
            let first = match &source["content"] {
                Value::String(text) => text.clone(),
                Value::Array(chunks) => chunks.first()?["text"].as_str()?.to_owned(),
                _ => return None,
            };
            Some(json!({
                "type": "content_block_location", "cited_text": first, "document_index": index,
                "document_title": title, "start_block_index": 0, "end_block_index": 1,
            }))
        }
        "base64" | "url" | "file" => Some(json!({
            "type": "page_location", "cited_text": pdf_text(source).unwrap_or_else(|| "(page 1)".into()),
            "document_index": index, "document_title": title,
            "start_page_number": 1, "end_page_number": 2,
        })),
        _ => None,
    }
}

/// The first string shown with `Tj` in an uncompressed PDF: enough for a mock to quote a
/// simple document.
fn pdf_text(source: &Value) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(source["data"].as_str()?)
        .ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let end = text.find(") Tj").or_else(|| text.find(")Tj"))?;
    let start = text[..end].rfind('(')? + 1;
    Some(text[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Value) -> RecordedRequest {
        RecordedRequest::messages_post(body)
    }

    fn script_of(reply: MockReply) -> Vec<Value> {
        match reply.body {
            super::super::reply::ReplyBody::Script(script) => {
                script.events("msg", "m", &json!({"input_tokens": 1}))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn citable_documents_are_quoted_with_the_right_location() {
        let events = script_of(default_reply(&request(
            json!({"messages": [{"role": "user", "content": [
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Grass is green. Sky is blue."}, "title": "Facts", "citations": {"enabled": true}},
                {"type": "text", "text": "What color is grass?"}
            ]}]}),
        )));
        let citation = events
            .iter()
            .find(|e| e["delta"]["type"] == "citations_delta")
            .expect("a citation is streamed");
        assert_eq!(citation["delta"]["citation"]["type"], "char_location");
        assert_eq!(
            citation["delta"]["citation"]["cited_text"],
            "Grass is green. "
        );
        assert_eq!(citation["delta"]["citation"]["end_char_index"], 16);
    }

    #[test]
    fn thinking_requests_get_a_signed_thinking_block_first() {
        let events = script_of(default_reply(&request(
            json!({"thinking": {"type": "enabled", "budget_tokens": 1024},
            "messages": [{"role": "user", "content": "Hi"}]}),
        )));
        assert_eq!(events[2]["content_block"]["type"], "thinking");
        assert!(events
            .iter()
            .any(|e| e["delta"]["signature"] == signature_for("The user wrote: Hi")));
    }

    #[test]
    fn a_forced_tool_is_called_with_an_input_from_its_schema() {
        let tools = json!([
            {"name": "first", "input_schema": {"type": "object"}},
            {"name": "weather", "input_schema": {"type": "object", "required": ["city"],
                "properties": {"city": {"type": "string", "enum": ["Paris"]}}}}
        ]);
        let body = |choice: Value| {
            json!({"tools": tools, "tool_choice": choice,
                "messages": [{"role": "user", "content": "Hi"}]})
        };
        let events = script_of(default_reply(&request(body(
            json!({"type": "tool", "name": "weather"}),
        ))));
        assert_eq!(events[2]["content_block"]["name"], "weather");
        assert_eq!(events[2]["content_block"]["input"], json!({}));
        let input: String = events
            .iter()
            .filter_map(|e| e["delta"]["partial_json"].as_str())
            .collect();
        assert_eq!(input, r#"{"city":"Paris"}"#);
        assert_eq!(events[events.len() - 2]["delta"]["stop_reason"], "tool_use");
        let any = script_of(default_reply(&request(body(json!({"type": "any"})))));
        assert_eq!(any[2]["content_block"]["name"], "first");
        let auto = script_of(default_reply(&request(body(json!({"type": "auto"})))));
        assert_eq!(auto[2]["content_block"]["type"], "text");
    }

    #[test]
    fn pdf_text_is_read_from_simple_pdfs() {
        use base64::Engine;
        let pdf = b"%PDF-1.4\nBT /F1 12 Tf (Quarterly revenue grew 12%.) Tj ET\n%%EOF";
        let data = base64::engine::general_purpose::STANDARD.encode(pdf);
        assert_eq!(
            pdf_text(&json!({"data": data})).as_deref(),
            Some("Quarterly revenue grew 12%.")
        );
    }
}
