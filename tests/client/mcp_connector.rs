//! The API's MCP connector (server side) over HTTP: a typed `mcp_toolset` lands in `tools` as
//! the API reads it, with its beta; the mock refuses what the connector's documentation says
//! the API refuses; a reply's `mcp_tool_use` / `mcp_tool_result` blocks fold (the call's input
//! streamed in fragments) and go back in the next request as they came.

use chat_anthropic::error::Error;
use chat_anthropic::settings::McpServer;
use chat_anthropic::tools::{McpToolConfig, McpToolset};
use chat_anthropic::{ChatAnthropic, HumanMessage, Message};
use chat_anthropic_mock::{MockReply, MockServer};
use serde_json::{json, Value};

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
}

#[tokio::test]
async fn mcp_toolsets_land_in_tools_with_the_connector_beta() {
    let server = MockServer::start().await;
    model(&server)
        .mcp_server(McpServer::url("docs", "https://docs.example.com/mcp").authorization_token("t"))
        .mcp_server(McpServer::url("wiki", "https://wiki.example.com/mcp"))
        .betas(["my-beta"])
        .bind_tools([
            McpToolset::new("docs")
                .allow_only(["search"])
                .config("search", McpToolConfig::new().defer_loading(true)),
            McpToolset::new("wiki")
                .deny(["delete_page"])
                .defer_loading(true)
                .cache_control(chat_anthropic::messages::CacheControl::ephemeral()),
        ])
        .invoke("Look it up")
        .await
        .expect("the mock accepts the connector's request");
    let sent = &server.requests()[0];
    assert_eq!(
        sent.body["tools"],
        json!([
            {"type": "mcp_toolset", "mcp_server_name": "docs", "default_config": {"enabled": false},
             "configs": {"search": {"enabled": true, "defer_loading": true}}},
            {"type": "mcp_toolset", "mcp_server_name": "wiki", "default_config": {"defer_loading": true},
             "configs": {"delete_page": {"enabled": false}}, "cache_control": {"type": "ephemeral"}}
        ])
    );
    assert_eq!(sent.body["mcp_servers"][1]["name"], "wiki");
    assert_eq!(
        sent.headers["anthropic-beta"],
        "my-beta,mcp-client-2025-11-20"
    );
}

#[tokio::test]
async fn the_mock_refuses_a_server_without_a_toolset_and_a_toolset_without_a_server() {
    let server = MockServer::start().await;
    let refusal = |err: Error| match err {
        Error::Api(api) => api.to_string(),
        other => panic!("not an API error: {other:?}"),
    };
    let lonely = model(&server)
        .mcp_server(McpServer::url("docs", "https://docs.example.com/mcp"))
        .invoke("Hi")
        .await
        .unwrap_err();
    let lonely = refusal(lonely);
    assert!(
        lonely.contains("'docs' must be referenced by exactly one mcp_toolset"),
        "{lonely}"
    );
    let orphan = model(&server)
        .bind_tools([McpToolset::new("wiki")])
        .invoke("Hi")
        .await
        .unwrap_err();
    let orphan = refusal(orphan);
    assert!(
        orphan.contains("MCP server 'wiki' is not defined in mcp_servers"),
        "{orphan}"
    );
}

/// A reply in which the API called a tool of the `docs` server (its input streamed in three
/// fragments), got the result, and answered.
fn connector_reply() -> String {
    let events = [
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-6", "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": 10, "output_tokens": 1}}}),
        json!({"type": "content_block_start", "index": 0, "content_block":
            {"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "search", "server_name": "docs", "input": {}}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "{\"query\": "}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "\"rate "}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": "limits\"}"}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "content_block_start", "index": 1, "content_block":
            {"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": false,
             "content": [{"type": "text", "text": "Rate limits: 50 requests a minute."}]}}),
        json!({"type": "content_block_stop", "index": 1}),
        json!({"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "50 a minute."}}),
        json!({"type": "content_block_stop", "index": 2}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
            "usage": {"output_tokens": 20}}),
        json!({"type": "message_stop"}),
    ];
    events
        .iter()
        .map(|event| {
            format!(
                "event: {}\ndata: {event}\n\n",
                event["type"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn mcp_tool_use_and_result_blocks_fold_and_go_back_as_they_came() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::sse_bytes(connector_reply()));
    let llm = model(&server)
        .mcp_server(McpServer::url("docs", "https://docs.example.com/mcp"))
        .bind_tools([McpToolset::new("docs")]);
    let reply = llm.invoke("What are the rate limits?").await.unwrap();
    assert_eq!(reply.text(), "50 a minute.");
    assert!(reply.tool_calls.is_empty(), "the API ran the call, not us");
    let blocks = serde_json::to_value(&reply.content).unwrap();
    let expected_use = json!({"type": "mcp_tool_use", "id": "mcptoolu_1", "name": "search",
        "server_name": "docs", "input": {"query": "rate limits"}});
    let expected_result = json!({"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "is_error": false,
        "content": [{"type": "text", "text": "Rate limits: 50 requests a minute."}]});
    assert_eq!(blocks[0], expected_use, "{blocks}");
    assert_eq!(blocks[1], expected_result, "{blocks}");

    let conversation: Vec<Message> = vec![
        HumanMessage::new("What are the rate limits?").into(),
        reply.into(),
        HumanMessage::new("And per day?").into(),
    ];
    llm.invoke(conversation).await.unwrap();
    let sent: &Value = &server.requests()[1].body["messages"][1]["content"];
    assert_eq!(sent[0], expected_use);
    assert_eq!(sent[1], expected_result);
    assert_eq!(sent[2]["text"], "50 a minute.");
}
