//! The API's checks on image and document blocks: where they may appear, their sources,
//! media types and base64 data.

use base64::Engine;
use serde_json::Value;

use super::validate::{invalid, Refusal};

/// The image types the API accepts (its vision documentation; the `media_type` error lists them).
const IMAGE_MEDIA_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];

/// Checks the image and document blocks of one message (and inside its tool results).
pub(super) fn media_blocks(blocks: &[Value], role: &str, i: usize) -> Result<(), Refusal> {
    for (j, block) in blocks.iter().enumerate() {
        let path = format!("messages.{i}.content.{j}");
        match block["type"].as_str() {
            Some(kind @ ("image" | "document")) => {
                if role != "user" {
                    return Err(invalid(format!(
                        "{path}: `{kind}` blocks can only be in `user` messages"
                    )));
                }
                if kind == "image" {
                    image(block, &path)?;
                } else {
                    document(block, &path)?;
                }
            }
            Some("tool_result") => {
                if let Some(Value::Array(inner)) = block.get("content") {
                    for (k, item) in inner.iter().enumerate() {
                        if item["type"] == "image" {
                            image(item, &format!("{path}.content.{k}"))?;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn image(block: &Value, path: &str) -> Result<(), Refusal> {
    let source = &block["source"];
    match source["type"].as_str() {
        Some("base64") => {
            let media_type = source["media_type"].as_str().unwrap_or_default();
            if !IMAGE_MEDIA_TYPES.contains(&media_type) {
                return Err(invalid(format!(
                    "{path}.source.base64.media_type: Input should be {}",
                    IMAGE_MEDIA_TYPES
                        .iter()
                        .map(|t| format!("'{t}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            base64_data(source, path)
        }
        Some("url") => url(source, path),
        Some("file") => file(source, path),
        _ => Err(invalid(format!(
            "{path}.source: Input tag does not match any of the expected tags: 'base64', 'url', 'file'"
        ))),
    }
}

fn document(block: &Value, path: &str) -> Result<(), Refusal> {
    let source = &block["source"];
    match source["type"].as_str() {
        Some("base64") => {
            if source["media_type"] != "application/pdf" {
                return Err(invalid(format!(
                    "{path}.source.base64.media_type: Input should be 'application/pdf'"
                )));
            }
            base64_data(source, path)?;
        }
        Some("text") => {
            if source["media_type"] != "text/plain" || !source["data"].is_string() {
                return Err(invalid(format!(
                    "{path}.source.text: media_type 'text/plain' and string data are required"
                )));
            }
        }
        Some("content") => {
            if !(source["content"].is_string() || source["content"].is_array()) {
                return Err(invalid(format!(
                    "{path}.source.content.content: Input should be a valid string or list"
                )));
            }
        }
        Some("url") => url(source, path)?,
        Some("file") => file(source, path)?,
        _ => {
            return Err(invalid(format!(
                "{path}.source: Input tag does not match any of the expected tags: 'base64', 'text', 'content', 'url', 'file'"
            )))
        }
    }
    match block.get("citations") {
        None | Some(Value::Null) => Ok(()),
        Some(citations) if citations["enabled"].is_boolean() => Ok(()),
        Some(_) => Err(invalid(format!(
            "{path}.citations.enabled: Input should be a valid boolean"
        ))),
    }
}

fn base64_data(source: &Value, path: &str) -> Result<(), Refusal> {
    let data = source["data"].as_str().unwrap_or_default();
    match base64::engine::general_purpose::STANDARD.decode(data) {
        Ok(bytes) if !bytes.is_empty() => Ok(()),
        _ => Err(invalid(format!(
            "{path}.source.base64.data: the data is not valid base64"
        ))),
    }
}

fn url(source: &Value, path: &str) -> Result<(), Refusal> {
    match source["url"].as_str() {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => Ok(()),
        _ => Err(invalid(format!(
            "{path}.source.url: an http(s) URL is required"
        ))),
    }
}

fn file(source: &Value, path: &str) -> Result<(), Refusal> {
    match source["file_id"].as_str() {
        Some(id) if !id.is_empty() => Ok(()),
        _ => Err(invalid(format!("{path}.source.file_id: Field required"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(block: Value, role: &str) -> Result<(), String> {
        media_blocks(&[block], role, 0).map_err(|r| r.message)
    }

    #[test]
    fn well_formed_media_blocks_pass() {
        for block in [
            json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw=="}}),
            json!({"type": "image", "source": {"type": "url", "url": "https://a/b.png"}}),
            json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}, "citations": {"enabled": true}}),
            json!({"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "x"}]}}),
            json!({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERg=="}}),
        ] {
            assert_eq!(check(block.clone(), "user"), Ok(()), "{block}");
        }
    }

    #[test]
    fn the_api_s_refusals() {
        let cases = [
            (
                json!({"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "AA=="}}),
                "user",
                "media_type",
            ),
            (
                json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "@@"}}),
                "user",
                "base64",
            ),
            (
                json!({"type": "image", "source": {"type": "url", "url": "ftp://a"}}),
                "user",
                "http(s)",
            ),
            (
                json!({"type": "image", "source": {"type": "url", "url": "https://a"}}),
                "assistant",
                "only be in `user`",
            ),
            (
                json!({"type": "document", "source": {"type": "base64", "media_type": "text/plain", "data": "AA=="}}),
                "user",
                "application/pdf",
            ),
            (
                json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}, "citations": {"enabled": "yes"}}),
                "user",
                "citations.enabled",
            ),
            (
                json!({"type": "tool_result", "tool_use_id": "t", "content": [{"type": "image", "source": {}}]}),
                "user",
                "content.0.content.0.source",
            ),
        ];
        for (block, role, needle) in cases {
            let message = check(block.clone(), role).unwrap_err();
            assert!(message.contains(needle), "{block}: {message}");
        }
    }
}
