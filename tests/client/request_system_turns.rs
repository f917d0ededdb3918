//! System messages in place, over HTTP: a later system message is sent as a `system` turn on
//! models whose profile allows it (the mock accepts it, as the API did for the recorded
//! request), hoisted into `system` elsewhere; tool changes in it carry their betas.

use crate::common;

use chat_anthropic::{
    error::RequestError, AIMessage, ChatAnthropic, ContentBlock, Error, HumanMessage, Message,
    MessageContent, SystemMessage,
};
use chat_anthropic_mock::MockServer;
use serde_json::{json, Value};

fn llm(server: &MockServer, model: &str) -> ChatAnthropic {
    ChatAnthropic::new(model)
        .base_url(server.base_url())
        .api_key("test-key")
}

fn conversation() -> Vec<Message> {
    vec![
        SystemMessage::new("Be brief.").into(),
        HumanMessage::new("Start a short language compliance check.").into(),
        SystemMessage::new("For the rest of this conversation, answer in Spanish only.").into(),
        AIMessage::new("Entendido.").into(),
        HumanMessage::new("What color is a clear daytime sky?").into(),
    ]
}

fn roles(body: &Value) -> Vec<&str> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_later_system_message_stays_in_place_on_models_that_allow_it() {
    let server = MockServer::start().await;
    let reply = llm(&server, "claude-opus-4-8")
        .invoke(conversation())
        .await
        .unwrap();
    assert!(
        !reply.text().is_empty(),
        "the mock accepted the system turn"
    );
    let sent = server.requests()[0].body.clone();
    assert_eq!(
        sent["system"], "Be brief.",
        "the leading system message stays top-level"
    );
    assert_eq!(roles(&sent), ["user", "system", "assistant", "user"]);
    assert_eq!(
        sent["messages"][1]["content"],
        "For the rest of this conversation, answer in Spanish only."
    );
}

#[tokio::test]
async fn elsewhere_it_is_hoisted_into_system() {
    let server = MockServer::start().await;
    llm(&server, "claude-sonnet-4-6")
        .invoke(conversation())
        .await
        .unwrap();
    let sent = server.requests()[0].body.clone();
    assert_eq!(roles(&sent), ["user", "assistant", "user"]);
    assert_eq!(
        sent["system"],
        json!([
            {"type": "text", "text": "Be brief."},
            {"type": "text", "text": "For the rest of this conversation, answer in Spanish only."}
        ])
    );
}

#[tokio::test]
async fn the_mock_answers_the_recorded_request_as_the_api_did() {
    let server = MockServer::start().await;
    let path = common::fixtures_dir()
        .join("rig__opus_4_8__messages_preserve_mid_conversation_system_role__0.request.json");
    let recorded: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let (status, message) = common::post_messages(&server.base_url(), &recorded, None).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["type"], "message");
    // A model without in-place system turns refuses the same body.
    let mut older = recorded.clone();
    older["model"] = json!("claude-sonnet-4-6");
    let (status, error) = common::post_messages(&server.base_url(), &older, None).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("messages.1.role"));
    // And a system turn after a plain assistant turn is out of place even on opus-4-8.
    let mut misplaced = recorded;
    let messages = misplaced["messages"].as_array_mut().unwrap();
    messages.swap(1, 2);
    let (status, error) = common::post_messages(&server.base_url(), &misplaced, None).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("must follow"),
        "{error}"
    );
}

fn tool_changes() -> MessageContent {
    let block = |value: Value| -> ContentBlock { serde_json::from_value(value).unwrap() };
    MessageContent::Blocks(vec![
        block(
            json!({"type": "tool_removal", "tool": {"type": "tool_reference", "name": "search"}}),
        ),
        block(json!({"type": "tool_addition", "tool": {
            "name": "lookup", "description": "Look a word up", "input_schema": {"type": "object", "properties": {}}
        }})),
    ])
}

#[tokio::test]
async fn tool_changes_in_a_system_turn_carry_their_betas() {
    let server = MockServer::start().await;
    let messages: Vec<Message> = vec![
        HumanMessage::new("Hello").into(),
        SystemMessage::new(tool_changes()).into(),
    ];
    llm(&server, "claude-opus-4-8")
        .betas(["inline-tools-2026-09-15", "my-beta"])
        .invoke(messages.clone())
        .await
        .unwrap();
    let sent = &server.requests()[0];
    assert_eq!(
        sent.headers["anthropic-beta"],
        "inline-tools-2026-09-15,my-beta,mid-conversation-tool-changes-2026-07-01",
        "the caller's betas first, then those the body needs, once each"
    );
    assert_eq!(sent.body["messages"][1]["role"], "system");
    assert_eq!(
        sent.body["messages"][1]["content"][0]["type"],
        "tool_removal"
    );
    // The mock refuses the same body without the betas, as the API does.
    let (status, error) = common::post_messages(&server.base_url(), &sent.body, None).await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mid-conversation-tool-changes-2026-07-01"),
        "{error}"
    );
    // On a model that cannot take them in place they are refused, never dropped.
    let err = llm(&server, "claude-sonnet-4-6")
        .invoke(messages)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Request(RequestError::ToolChangesNotInPlace { index: 1, .. })
    ));
    assert_eq!(
        server.requests().len(),
        2,
        "only the raw post reached the mock"
    );
}
