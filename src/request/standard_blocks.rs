//! LangChain's provider-neutral content blocks, converted to the API's own before sending.
//!
//! LangChain code builds images as `{"type": "image_url", "image_url": {"url": …}}` (the
//! OpenAI form, with a `data:` or `http(s)` URL) or as standard blocks (`{"type": "image",
//! "url" | "base64" + "mime_type" | "file_id"}`, the older `source_type` variant, and
//! `{"type": "file", …}` for PDFs and text). They deserialize into our types with their
//! fields in `extra` (or as [`ContentBlock::Unknown`]) and become `image` / `document`
//! blocks here, so a conversation saved by LangChain can be sent as it is.

use serde_json::{Map, Value};

use crate::error::ContentError;
use crate::messages::{
    image::check_media_type, CacheControl, ContentBlock, DocumentBlock, DocumentSource, ImageBlock,
    ImageSource, MessageContent, IMAGE_MEDIA_TYPES,
};

/// Converts every block of `content` (tool results' blocks included) to the API's form,
/// checking media types.
pub(crate) fn to_api_content(content: MessageContent) -> Result<MessageContent, ContentError> {
    match content {
        MessageContent::Text(text) => Ok(MessageContent::Text(text)),
        MessageContent::Blocks(blocks) => blocks
            .into_iter()
            .map(to_api_block)
            .collect::<Result<_, _>>()
            .map(MessageContent::Blocks),
    }
}

fn to_api_block(block: ContentBlock) -> Result<ContentBlock, ContentError> {
    Ok(match block {
        ContentBlock::Image(image) => ContentBlock::Image(checked_image(image)?),
        ContentBlock::Document(document) => ContentBlock::Document(checked_document(document)?),
        ContentBlock::ToolResult(mut result) => {
            result.content = result.content.map(to_api_content).transpose()?;
            ContentBlock::ToolResult(result)
        }
        ContentBlock::Unknown(Value::Object(raw)) => from_langchain(raw)?,
        other => other,
    })
}

fn checked_image(mut image: ImageBlock) -> Result<ImageBlock, ContentError> {
    match &image.source {
        None => {
            let converted = image_from_fields(&mut image.extra, "image")?;
            image.source = converted.source;
        }
        Some(ImageSource::Base64 { media_type, .. }) => {
            check_media_type("image", media_type.clone(), IMAGE_MEDIA_TYPES)?;
        }
        Some(_) => {}
    }
    Ok(image)
}

fn checked_document(document: DocumentBlock) -> Result<DocumentBlock, ContentError> {
    match &document.source {
        Some(DocumentSource::Base64 { media_type, data }) => {
            DocumentBlock::base64(media_type.clone(), data.clone())?;
        }
        Some(_) => {}
        None => return Err(invalid("document", "no \"source\"")),
    }
    Ok(document)
}

/// A LangChain block that is not one of ours (`image_url`, `file`, `text-plain`).
fn from_langchain(mut raw: Map<String, Value>) -> Result<ContentBlock, ContentError> {
    let kind = field(&raw, "type").unwrap_or_default();
    if !matches!(kind.as_str(), "image_url" | "file" | "text-plain") {
        return Ok(ContentBlock::Unknown(Value::Object(raw)));
    }
    let cache_control = take_cache_control(&mut raw);
    let block = match kind.as_str() {
        "image_url" => {
            let url = match raw.get("image_url") {
                Some(Value::String(url)) => Some(url.as_str()),
                Some(Value::Object(inner)) => inner.get("url").and_then(Value::as_str),
                _ => None,
            }
            .ok_or_else(|| invalid("image_url", "no image_url.url"))?;
            ContentBlock::Image(ImageBlock::from_any_url(url)?)
        }
        _ => file_block(&kind, &mut raw)?,
    };
    Ok(match cache_control {
        Some(cache_control) => block.with_cache_control(cache_control),
        None => block,
    })
}

/// A standard `file` (or `text-plain`) block: a PDF or text document, or an image.
fn file_block(kind: &str, raw: &mut Map<String, Value>) -> Result<ContentBlock, ContentError> {
    let mime = mime_type(raw);
    if mime.as_deref().is_some_and(|m| m.starts_with("image/")) {
        return Ok(ContentBlock::Image(image_from_fields(raw, kind)?));
    }
    let text = field(raw, "text").or_else(|| {
        (field(raw, "source_type").as_deref() == Some("text"))
            .then(|| field(raw, "data"))
            .flatten()
    });
    let mut document = if let Some(text) = text {
        DocumentBlock::text(text)
    } else if let Some(url) = field(raw, "url") {
        DocumentBlock::pdf_url(url)
    } else if let Some(id) = field(raw, "file_id").or_else(|| field(raw, "id")) {
        DocumentBlock::file(id)
    } else if let Some(data) = field(raw, "base64").or_else(|| field(raw, "data")) {
        DocumentBlock::base64(mime.unwrap_or_else(|| "application/pdf".into()), data)?
    } else {
        return Err(invalid(kind, "no text, url, file_id or base64 data"));
    };
    document.title = field(raw, "title");
    document.context = field(raw, "context");
    if let Some(citations) = raw.get("citations").cloned() {
        document.citations = serde_json::from_value(citations).ok();
    }
    Ok(ContentBlock::Document(document))
}

/// An image from LangChain's standard fields: `url`, `base64` + `mime_type`, `file_id`, or
/// the older `source_type` with `url` / `data` / `id`.
fn image_from_fields(raw: &mut Map<String, Value>, kind: &str) -> Result<ImageBlock, ContentError> {
    let image = if let Some(url) = field(raw, "url") {
        ImageBlock::from_any_url(&url)?
    } else if let Some(id) = field(raw, "file_id").or_else(|| field(raw, "id")) {
        ImageBlock::file(id)
    } else if let Some(data) = field(raw, "base64").or_else(|| field(raw, "data")) {
        let media_type =
            mime_type(raw).ok_or_else(|| invalid(kind, "base64 data without a mime_type"))?;
        ImageBlock::base64(media_type, data)?
    } else {
        return Err(invalid(kind, "no source, url, file_id or base64 data"));
    };
    for key in [
        "url",
        "file_id",
        "id",
        "base64",
        "data",
        "mime_type",
        "source_type",
    ] {
        raw.remove(key);
    }
    Ok(image)
}

fn field(raw: &Map<String, Value>, key: &str) -> Option<String> {
    raw.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn mime_type(raw: &Map<String, Value>) -> Option<String> {
    field(raw, "mime_type").or_else(|| field(raw, "media_type"))
}

fn take_cache_control(raw: &mut Map<String, Value>) -> Option<CacheControl> {
    raw.remove("cache_control")
        .and_then(|value| serde_json::from_value(value).ok())
}

fn invalid(block_type: &str, reason: &str) -> ContentError {
    ContentError::InvalidBlock {
        block_type: block_type.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert(raw: Value) -> Result<Value, ContentError> {
        let block: ContentBlock = serde_json::from_value(raw).unwrap();
        let content = to_api_content(MessageContent::Blocks(vec![block]))?;
        Ok(serde_json::to_value(content).unwrap()[0].clone())
    }

    #[test]
    fn openai_style_image_urls_become_image_blocks() {
        assert_eq!(
            convert(
                json!({"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/"}})
            )
            .unwrap(),
            json!({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"}})
        );
        assert_eq!(
            convert(json!({"type": "image_url", "image_url": "https://example.com/a.png"}))
                .unwrap(),
            json!({"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}})
        );
        assert!(matches!(
            convert(json!({"type": "image_url", "image_url": {"url": "data:image/png,raw"}})),
            Err(ContentError::MalformedDataUrl { .. })
        ));
        assert!(matches!(
            convert(json!({"type": "image_url", "image_url": {}})),
            Err(ContentError::InvalidBlock { .. })
        ));
    }

    #[test]
    fn langchain_standard_image_blocks_become_image_blocks() {
        assert_eq!(
            convert(json!({"type": "image", "base64": "R0lG", "mime_type": "image/gif", "cache_control": {"type": "ephemeral"}})).unwrap(),
            json!({"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lG"}, "cache_control": {"type": "ephemeral"}})
        );
        assert_eq!(
            convert(json!({"type": "image", "source_type": "url", "url": "https://a/b.webp"}))
                .unwrap(),
            json!({"type": "image", "source": {"type": "url", "url": "https://a/b.webp"}})
        );
        assert_eq!(
            convert(json!({"type": "image", "file_id": "file_9"})).unwrap()["source"],
            json!({"type": "file", "file_id": "file_9"})
        );
        assert!(matches!(
            convert(json!({"type": "image", "base64": "AA==", "mime_type": "image/bmp"})),
            Err(ContentError::UnsupportedMediaType { .. })
        ));
        assert!(matches!(
            convert(
                json!({"type": "image", "source": {"type": "base64", "media_type": "image/heic", "data": "AA=="}})
            ),
            Err(ContentError::UnsupportedMediaType { .. })
        ));
    }

    #[test]
    fn langchain_file_blocks_become_documents() {
        assert_eq!(
            convert(json!({"type": "file", "base64": "JVBERg==", "mime_type": "application/pdf", "title": "Report", "citations": {"enabled": true}})).unwrap(),
            json!({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERg=="}, "title": "Report", "citations": {"enabled": true}})
        );
        assert_eq!(
            convert(
                json!({"type": "text-plain", "text": "Plain facts.", "mime_type": "text/plain"})
            )
            .unwrap()["source"],
            json!({"type": "text", "media_type": "text/plain", "data": "Plain facts."})
        );
        assert_eq!(
            convert(json!({"type": "file", "url": "https://a/r.pdf"})).unwrap()["source"],
            json!({"type": "url", "url": "https://a/r.pdf"})
        );
        assert!(matches!(
            convert(json!({"type": "file", "base64": "AA==", "mime_type": "application/zip"})),
            Err(ContentError::UnsupportedMediaType { .. })
        ));
    }

    #[test]
    fn images_inside_tool_results_are_converted_too() {
        let result = convert(
            json!({"type": "tool_result", "tool_use_id": "t1", "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw=="}}
            ]}),
        )
        .unwrap();
        assert_eq!(result["content"][0]["source"]["media_type"], "image/png");
    }

    #[test]
    fn anthropic_blocks_and_unknown_types_pass_through_unchanged() {
        for raw in [
            json!({"type": "image", "source": {"type": "url", "url": "https://a/b.png"}}),
            json!({"type": "search_result", "source": "s", "title": "t", "content": []}),
            json!({"type": "text", "text": "hi"}),
        ] {
            assert_eq!(convert(raw.clone()).unwrap(), raw);
        }
    }
}
