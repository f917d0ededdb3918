//! Today's request fields, typed, over HTTP: each lands in the body where the API reads it,
//! the betas they need are added to the caller's own (once each), token counting gets only
//! the fields its endpoint takes, and the mock refuses a beta field without its beta.

use crate::common;

use chat_anthropic::{
    messages::CacheControl, settings::Container, settings::ContextManagement, settings::Effort,
    settings::McpServer, settings::ServiceTier, settings::Speed, tools::McpToolset,
    tools::ToolDefinition, ChatAnthropic, Tool,
};
use chat_anthropic_mock::MockServer;
use serde_json::json;

/// Write a file.
#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
struct WriteFile {
    /// Where.
    path: String,
    /// What.
    content: String,
}

fn configured(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-opus-4-7")
        .base_url(server.base_url())
        .api_key("test-key")
        .effort(Effort::High)
        .context_management(
            ContextManagement::new().edit(json!({"type": "clear_tool_uses_20250919"})),
        )
        .mcp_server(McpServer::url("docs", "https://mcp.example.com/sse"))
        .container(Container::skills([
            json!({"type": "anthropic", "skill_id": "xlsx", "version": "latest"}),
        ]))
        .service_tier(ServiceTier::StandardOnly)
        .inference_geo("us")
        .speed(Speed::Fast)
        .cache_control(CacheControl::ephemeral())
        .betas(["mcp-client-2025-11-20", "my-beta", "my-beta"])
        .bind_tools::<ToolDefinition>([
            Tool::from_type::<WriteFile>()
                .eager_input_streaming(true)
                .input_example(json!({"path": "a.txt", "content": "hi"}))
                .into(),
            Tool::new("rare_tool", json!({"type": "object", "properties": {}}))
                .defer_loading(true)
                .into(),
            McpToolset::new("docs").allow_only(["search"]).into(),
        ])
}

#[tokio::test]
async fn typed_fields_land_in_the_body_with_their_betas_merged() {
    let server = MockServer::start().await;
    configured(&server).invoke("Hi").await.unwrap();
    let sent = &server.requests()[0];
    let body = &sent.body;
    assert_eq!(body["output_config"], json!({"effort": "high"}));
    assert_eq!(
        body["context_management"],
        json!({"edits": [{"type": "clear_tool_uses_20250919"}]})
    );
    assert_eq!(
        body["mcp_servers"],
        json!([{"type": "url", "name": "docs", "url": "https://mcp.example.com/sse"}])
    );
    assert_eq!(
        body["tools"][2],
        json!({"type": "mcp_toolset", "mcp_server_name": "docs", "default_config": {"enabled": false}, "configs": {"search": {"enabled": true}}})
    );
    assert_eq!(body["container"]["skills"][0]["skill_id"], "xlsx");
    assert_eq!(body["service_tier"], "standard_only");
    assert_eq!(body["inference_geo"], "us");
    assert_eq!(body["speed"], "fast");
    assert_eq!(body["cache_control"], json!({"type": "ephemeral"}));
    let tools = body["tools"].as_array().unwrap();
    assert_eq!(tools[0]["eager_input_streaming"], true);
    assert_eq!(
        tools[0]["input_examples"],
        json!([{"path": "a.txt", "content": "hi"}])
    );
    assert_eq!(tools[1]["defer_loading"], true);
    assert!(
        tools[1].get("eager_input_streaming").is_none(),
        "unset fields are not sent"
    );
    assert_eq!(
        sent.headers["anthropic-beta"],
        "mcp-client-2025-11-20,my-beta,context-management-2025-06-27,fast-mode-2026-02-01,skills-2025-10-02"
    );
}

#[tokio::test]
async fn token_counting_gets_only_the_fields_its_endpoint_takes() {
    let server = MockServer::start().await;
    configured(&server).count_tokens("Hi").await.unwrap();
    let body = &server.requests()[0].body;
    for field in [
        "output_config",
        "context_management",
        "mcp_servers",
        "speed",
        "cache_control",
        "tools",
    ] {
        assert!(body.get(field).is_some(), "{field} is sent to count_tokens");
    }
    for field in [
        "container",
        "service_tier",
        "inference_geo",
        "max_tokens",
        "stream",
    ] {
        assert!(
            body.get(field).is_none(),
            "{field} is not a count_tokens field"
        );
    }
}

#[tokio::test]
async fn nothing_new_is_sent_when_nothing_is_set() {
    let server = MockServer::start().await;
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .invoke("Hi")
        .await
        .unwrap();
    let sent = &server.requests()[0];
    let keys: Vec<&String> = sent.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["model", "messages", "max_tokens", "stream"]);
    assert!(!sent.headers.contains_key("anthropic-beta"));
}

#[tokio::test]
async fn the_mock_refuses_a_beta_field_without_its_beta() {
    let server = MockServer::start().await;
    for (field, value, beta) in [
        (
            "context_management",
            json!({"edits": []}),
            "context-management-2025-06-27",
        ),
        (
            "mcp_servers",
            json!([{"type": "url", "name": "d", "url": "https://d"}]),
            "mcp-client-2025-11-20",
        ),
        ("speed", json!("fast"), "fast-mode-2026-02-01"),
        ("container", json!({"skills": []}), "skills-2025-10-02"),
    ] {
        let mut body = json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]});
        body[field] = value;
        if field == "mcp_servers" {
            // The connector wants a toolset naming each server.
            body["tools"] = json!([{"type": "mcp_toolset", "mcp_server_name": "d"}]);
        }
        let (status, error) = common::post_messages(&server.base_url(), &body, None).await;
        assert_eq!(
            (status, error["error"]["type"].as_str()),
            (400, Some("invalid_request_error")),
            "{field}"
        );
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(field) && message.contains(beta),
            "{message}"
        );
        let (status, _) = common::post_messages(
            &server.base_url(),
            &body,
            Some(&format!("other-beta, {beta}")),
        )
        .await;
        assert_eq!(status, 200, "{field} with its beta");
    }
}

#[cfg(feature = "bedrock")]
#[tokio::test]
async fn on_bedrock_the_betas_go_in_the_body_and_the_mock_reads_them_there() {
    use chat_anthropic::bedrock::AwsCredentials;
    let server = MockServer::start().await;
    let reply = ChatAnthropic::new("anthropic.claude-sonnet-4-5-20250929-v1:0")
        .bedrock("us-east-1")
        .aws_credentials(AwsCredentials::new("AKIDMOCK", "secret"))
        .base_url(server.base_url())
        .betas(["my-beta"])
        .context_management(ContextManagement::new())
        .invoke("Hi")
        .await
        .unwrap();
    assert!(
        !reply.text().is_empty(),
        "the mock accepted context_management with its beta"
    );
    let sent = &server.requests()[0];
    assert!(!sent.headers.contains_key("anthropic-beta"));
    assert_eq!(
        sent.body["anthropic_beta"],
        json!(["my-beta", "context-management-2025-06-27"])
    );
}
