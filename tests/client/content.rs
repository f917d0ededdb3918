//! Content over real HTTP against the mock server: images in every form, documents with
//! citations, thinking sent back byte-exact, prompt-caching usage, server-tool blocks in a
//! follow-up turn, token counting with tools, and the Vertex AI target.

use crate::common;

use chat_anthropic::{
    messages::CacheControl, messages::Citation, messages::ContentError, messages::DocumentBlock,
    messages::ImageBlock, settings::Thinking, AIMessage, ChatAnthropic, ContentBlock, Error,
    HumanMessage, Message, MessageContent, StreamUpdate, SystemMessage, Tool, ToolMessage,
};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::{json, Value};

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
}

fn user(blocks: Vec<ContentBlock>) -> Vec<Message> {
    vec![HumanMessage::new(blocks).into()]
}

/// A LangChain-style block, as it arrives from JSON.
fn langchain(block: Value) -> ContentBlock {
    serde_json::from_value(block).unwrap()
}

#[tokio::test]
async fn images_in_every_form_reach_the_api_in_its_documented_shape() {
    let server = MockServer::start().await;
    let reply = model(&server)
        .invoke(user(vec![
            ContentBlock::text("Compare these."),
            ImageBlock::from_bytes("image/png", b"\x89PNG\r\n").unwrap().into(),
            ImageBlock::url("https://example.com/cat.jpg").into(),
            ImageBlock::file("file_011").into(),
            langchain(json!({"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGRg=="}})),
            langchain(json!({"type": "image_url", "image_url": "https://example.com/dog.gif"})),
            langchain(json!({"type": "image", "base64": "R0lGODlh", "mime_type": "image/gif"})),
        ]))
        .await
        .unwrap();
    let sent = &server.requests()[0].body["messages"][0]["content"];
    assert_eq!(
        sent,
        &json!([
            {"type": "text", "text": "Compare these."},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
            {"type": "image", "source": {"type": "file", "file_id": "file_011"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/webp", "data": "UklGRg=="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/dog.gif"}},
            {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGODlh"}},
        ])
    );
    assert!(
        reply.text().contains("an image (image/png"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn a_bad_image_is_a_typed_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let llm = model(&server);
    let bmp = llm
        .invoke(user(vec![langchain(
            json!({"type": "image_url", "image_url": {"url": "data:image/bmp;base64,Qk0="}}),
        )]))
        .await
        .unwrap_err();
    assert!(
        matches!(&bmp, Error::Content(ContentError::UnsupportedMediaType { media_type, .. }) if media_type == "image/bmp"),
        "{bmp:?}"
    );
    let malformed = llm
        .invoke(user(vec![langchain(
            json!({"type": "image_url", "image_url": {"url": "data:image/png;base64"}}),
        )]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            malformed,
            Error::Content(ContentError::MalformedDataUrl { .. })
        ),
        "{malformed:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_mock_refuses_media_the_api_refuses() {
    let server = MockServer::start().await;
    // Built by hand (as JSON) so the client's own check is bypassed: the server still says no.
    let raw: ContentBlock = serde_json::from_value(
        json!({"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "%%%"}}),
    )
    .unwrap();
    let err = model(&server).invoke(user(vec![raw])).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("base64"), "{err}");
}

async fn cited_reply(document: DocumentBlock) -> (AIMessage, Value, Vec<Citation>) {
    let server = MockServer::start().await;
    let mut stream = model(&server)
        .stream(user(vec![
            document.into(),
            ContentBlock::text("What does it say?"),
        ]))
        .await
        .unwrap()
        .updates();
    let mut streamed = Vec::new();
    while let Some(update) = stream.next().await {
        if let StreamUpdate::Citation { citation, .. } = update.unwrap() {
            streamed.push(*citation);
        }
    }
    let message = stream.aggregator().partial_message();
    let sent = server.requests()[0].body["messages"][0]["content"][0].clone();
    (message, sent, streamed)
}

fn citations_of(message: &AIMessage) -> Vec<Citation> {
    let MessageContent::Blocks(blocks) = &message.content else {
        panic!("a cited reply has blocks: {message:?}")
    };
    blocks
        .iter()
        .filter_map(|b| match b {
            ContentBlock::Text(t) => t.citations.clone(),
            _ => None,
        })
        .flatten()
        .collect()
}

#[tokio::test]
async fn a_text_document_is_cited_by_character_range() {
    let (message, sent, streamed) = cited_reply(
        DocumentBlock::text("The grass is green. The sky is blue.")
            .title("Facts")
            .context("From a primer")
            .citations(true),
    )
    .await;
    assert_eq!(
        sent,
        json!({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "The grass is green. The sky is blue."},
               "title": "Facts", "context": "From a primer", "citations": {"enabled": true}})
    );
    let citations = citations_of(&message);
    assert_eq!(citations, streamed, "the final message holds what streamed");
    assert!(
        matches!(&citations[..], [Citation::CharLocation { cited_text, document_title: Some(title), start_char_index: 0, end_char_index: 20, .. }]
            if cited_text == "The grass is green. " && title == "Facts"),
        "{citations:?}"
    );
}

#[tokio::test]
async fn pdfs_and_custom_content_are_cited_by_page_and_by_block() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nstream\nBT /F1 12 Tf 72 712 Td (Revenue grew 12% in Q3.) Tj ET\nendstream\nendobj\n%%EOF\n";
    let (message, sent, _) = cited_reply(DocumentBlock::pdf_bytes(pdf).citations(true)).await;
    assert_eq!(sent["source"]["media_type"], "application/pdf");
    assert!(
        matches!(&citations_of(&message)[..], [Citation::PageLocation { cited_text, start_page_number: 1, .. }] if cited_text == "Revenue grew 12% in Q3."),
        "{message:?}"
    );
    let (message, _, _) =
        cited_reply(DocumentBlock::content(["First chunk.", "Second chunk."]).citations(true))
            .await;
    assert!(
        matches!(&citations_of(&message)[..], [Citation::ContentBlockLocation { cited_text, start_block_index: 0, end_block_index: 1, .. }] if cited_text == "First chunk."),
        "{message:?}"
    );
}

#[tokio::test]
async fn streamed_thinking_goes_back_byte_exact_and_altered_thinking_is_refused() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .thinking(
                "The user wants Paris weather; call the tool.",
                "EqkBCkYIBhgCKkB/sig==",
            )
            .redacted_thinking("EmwKAhgBEgy3va3pzix/LafPsn4a")
            .tool_use("toolu_1", "get_weather", json!({"city": "Paris"})),
    ));
    server.enqueue(MockReply::text("It is sunny."));
    let llm = model(&server)
        .thinking(Thinking::enabled(2048))
        .max_tokens(4096)
        .bind_tools([Tool::new(
            "get_weather",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        )]);
    let question: Message = HumanMessage::new("Weather in Paris?").into();
    let first = llm.invoke(vec![question.clone()]).await.unwrap();
    let MessageContent::Blocks(blocks) = &first.content else {
        panic!("{first:?}")
    };
    let as_received = serde_json::to_value(blocks).unwrap();
    let call_id = first.tool_calls[0].id.clone();
    let history = vec![
        question.clone(),
        first.clone().into(),
        ToolMessage::new("Sunny, 21°C", call_id.clone()).into(),
    ];
    assert_eq!(llm.invoke(history).await.unwrap().text(), "It is sunny.");
    let sent = &server.requests()[1].body["messages"][1];
    assert_eq!(sent["role"], "assistant");
    assert_eq!(
        sent["content"], as_received,
        "thinking, signature and redacted data go back unchanged"
    );
    assert_eq!(
        sent["content"][0]["signature"], "EqkBCkYIBhgCKkB/sig==",
        "the signature_delta was kept"
    );

    // The same signature over different text is what the API refuses.
    let mut altered = first;
    if let MessageContent::Blocks(blocks) = &mut altered.content
        && let ContentBlock::Thinking(thinking) = &mut blocks[0]
    {
        thinking.thinking.push_str(" (edited)");
    }
    let err = llm
        .invoke(vec![
            question,
            altered.into(),
            ToolMessage::new("Sunny", call_id).into(),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("signature"), "{err}");
}

#[tokio::test]
async fn cache_writes_and_reads_land_in_usage_metadata_with_the_ttl_split() {
    let server = MockServer::start().await;
    let guide = "Always answer in formal English. ".repeat(200);
    let tool = Tool::new(
        "lookup",
        // Over 1,024 tokens: Sonnet's minimum cacheable length, below which nothing is cached.
        json!({"type": "object", "description": "x".repeat(4400)}),
    )
    .cache_control(CacheControl::ephemeral_1h());
    let llm = model(&server).bind_tools([tool]);
    let conversation = |question: &str| -> Vec<Message> {
        vec![
            SystemMessage::new(guide.as_str())
                .with_cache_control(CacheControl::ephemeral())
                .into(),
            HumanMessage::new(question).into(),
        ]
    };
    let first = llm.invoke(conversation("Hello")).await.unwrap();
    let details = &first.usage_metadata.as_ref().unwrap().input_token_details;
    let written_1h = details.ephemeral_1h_input_tokens.unwrap();
    let written_5m = details.ephemeral_5m_input_tokens.unwrap();
    assert!(written_1h > 400 && written_5m > 1000, "{details:?}");
    // As langchain-anthropic: with a TTL split, the split is the count and `cache_creation`
    // is 0, so the details add up to the cached part of `input_tokens` once.
    assert_eq!(details.cache_creation, Some(0));
    assert_eq!(details.cache_read, Some(0));
    let first_usage = first.usage_metadata.as_ref().unwrap();
    let uncached = first.response_metadata.usage.input_tokens;
    assert_eq!(
        first_usage.input_tokens,
        uncached + written_1h + written_5m,
        "{first_usage:?}"
    );
    let sent = &server.requests()[0].body;
    assert_eq!(
        sent["system"][0]["cache_control"],
        json!({"type": "ephemeral"})
    );
    assert_eq!(
        sent["tools"][0]["cache_control"],
        json!({"type": "ephemeral", "ttl": "1h"})
    );

    let second = llm.invoke(conversation("Another question")).await.unwrap();
    let usage = second.usage_metadata.unwrap();
    assert_eq!(
        usage.input_token_details.cache_read,
        Some(written_1h + written_5m)
    );
    assert_eq!(usage.input_token_details.cache_creation, Some(0));
    assert!(
        usage.input_tokens > usage.input_token_details.cache_read.unwrap(),
        "LangChain's input_tokens counts cached tokens too: {usage:?}"
    );
}

#[tokio::test]
async fn server_tool_blocks_are_kept_and_sent_back_in_the_next_turn() {
    let server = MockServer::start().await;
    let fixture = "rig__streamed_server_tools__streamed_web_search_preserves_server_tool_blocks__0";
    server.enqueue(MockReply::sse_bytes(common::recorded(fixture)));
    let llm = model(&server).bind_tools([chat_anthropic::tools::ToolDefinition::from(
        json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 1}),
    )]);
    let question: Message = HumanMessage::new("Why is the sky blue?").into();
    let answer = llm.invoke(vec![question.clone()]).await.unwrap();
    let MessageContent::Blocks(blocks) = &answer.content else {
        panic!()
    };
    let kinds: Vec<&str> = blocks.iter().map(ContentBlock::kind).collect();
    assert_eq!(&kinds[..2], ["server_tool_use", "web_search_tool_result"]);
    assert!(
        answer.tool_calls.is_empty(),
        "server tools are not the caller's to run"
    );
    assert!(!citations_of(&answer).is_empty());

    llm.invoke(vec![
        question,
        answer.clone().into(),
        HumanMessage::new("And at sunset?").into(),
    ])
    .await
    .unwrap();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/golden/{fixture}.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        server.requests()[1].body["messages"][1]["content"],
        golden["content"],
        "the assistant turn goes back exactly as the official SDK assembles it"
    );
}

#[tokio::test]
async fn tokens_are_counted_with_tools() {
    let server = MockServer::start().await;
    let llm = model(&server);
    let tool = Tool::new(
        "search",
        json!({"type": "object", "properties": {"q": {"type": "string", "description": "The query"}}}),
    );
    let bare = llm.count_tokens("Find it").await.unwrap();
    let with = llm
        .get_num_tokens_from_messages("Find it", [tool])
        .await
        .unwrap();
    assert!(with > bare, "{with} > {bare}");
    let sent = &server.requests()[1];
    assert_eq!(sent.path, "/v1/messages/count_tokens");
    assert_eq!(sent.body["tools"][0]["name"], "search");
    assert!(sent.body.get("max_tokens").is_none());
}

#[tokio::test]
async fn vertex_ai_streams_through_the_same_pipeline() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::script(
        MockScript::new()
            .text("Bonjour")
            .tool_use("toolu_1", "f", json!({"a": 1})),
    ));
    let llm = ChatAnthropic::new("claude-sonnet-4-5@20250929")
        .vertex("europe-west1", "acme-prod")
        .vertex_access_token("ya29.secret")
        .betas(["context-1m-2025-08-07"])
        .base_url(server.base_url());
    let debug = format!("{llm:?}");
    assert!(!debug.contains("ya29.secret"), "{debug}");
    let reply = llm.invoke("Hello").await.unwrap();
    assert_eq!(reply.text(), "Bonjour");
    assert_eq!(reply.tool_calls[0].args, json!({"a": 1}));
    let sent = &server.requests()[0];
    assert_eq!(
        sent.path,
        "/v1/projects/acme-prod/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"
    );
    assert_eq!(sent.headers["authorization"], "Bearer ya29.secret");
    assert_eq!(sent.headers["anthropic-beta"], "context-1m-2025-08-07");
    assert!(!sent.headers.contains_key("x-api-key"));
    assert_eq!(sent.body["anthropic_version"], "vertex-2023-10-16");
    assert!(sent.body.get("model").is_none());
    assert_eq!(sent.body["stream"], true);

    let count = llm.count_tokens("Hello").await.unwrap();
    assert!(count > 0);
    let sent = &server.requests()[1];
    assert!(
        sent.path.ends_with("/models/count-tokens:rawPredict"),
        "{}",
        sent.path
    );
    assert_eq!(sent.body["model"], "claude-sonnet-4-5@20250929");
}

#[tokio::test]
async fn vertex_without_a_token_says_which_variable_to_set() {
    let err = ChatAnthropic::new("claude-sonnet-4-5@20250929")
        .without_environment()
        .vertex("us-east5", "p")
        .base_url("http://127.0.0.1:9")
        .invoke("Hi")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(config) if config.message().contains("ANTHROPIC_VERTEX_ACCESS_TOKEN")),
        "{err}"
    );
}
