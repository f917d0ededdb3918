//! Model profiles over HTTP: every per-model rule is refused before sending with a typed
//! error (nothing reaches the server), the mock refuses the same body sent by hand with the
//! API's status and type, and a model without a profile is sent unchecked.

use crate::common;

use chat_anthropic::{
    error::RequestError, settings::Effort, settings::ModelProfile, settings::Thinking,
    ChatAnthropic, Error, Tool, ToolChoice,
};
use chat_anthropic_mock::MockServer;
use serde_json::{json, Value};

fn llm(server: &MockServer, model: &str) -> ChatAnthropic {
    ChatAnthropic::new(model)
        .base_url(server.base_url())
        .api_key("test-key")
}

fn request_error(result: Result<chat_anthropic::AIMessage, Error>) -> RequestError {
    match result {
        Err(Error::Request(err)) => err,
        other => panic!("expected a request error, got {other:?}"),
    }
}

async fn assert_mock_refuses(server: &MockServer, body: Value, expected: &str) {
    let (status, error) = common::post_messages(&server.base_url(), &body, None).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains(expected), "{message}");
}

fn base(model: &str) -> Value {
    json!({"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]})
}

#[tokio::test]
async fn sampling_parameters_on_the_newest_families() {
    let server = MockServer::start().await;
    let err = request_error(
        llm(&server, "claude-sonnet-5-5")
            .top_p(0.5)
            .invoke("Hi")
            .await,
    );
    assert!(
        matches!(
            err,
            RequestError::SamplingUnsupported {
                parameter: "top_p",
                ..
            }
        ),
        "{err}"
    );
    let err = request_error(
        llm(&server, "claude-fable-5")
            .temperature(0.0)
            .invoke("Hi")
            .await,
    );
    assert!(matches!(
        err,
        RequestError::SamplingUnsupported {
            parameter: "temperature",
            ..
        }
    ));
    assert!(server.requests().is_empty(), "nothing was sent");
    let mut body = base("claude-fable-5");
    body["temperature"] = json!(0);
    assert_mock_refuses(&server, body, "temperature").await;
    // An older model takes them, and they are sent.
    llm(&server, "claude-sonnet-4-6")
        .temperature(0.0)
        .invoke("Hi")
        .await
        .unwrap();
    assert_eq!(server.requests().last().unwrap().body["temperature"], 0.0);
}

#[tokio::test]
async fn max_tokens_above_the_models_output_limit() {
    let server = MockServer::start().await;
    let err = request_error(
        llm(&server, "claude-opus-4-1")
            .max_tokens(32_001)
            .invoke("Hi")
            .await,
    );
    assert_eq!(
        err,
        RequestError::MaxTokensAboveLimit {
            model: "claude-opus-4-1".into(),
            max_tokens: 32_001,
            limit: 32_000
        }
    );
    assert!(server.requests().is_empty());
    let mut body = base("claude-opus-4-1-20250805");
    body["max_tokens"] = json!(32_001);
    assert_mock_refuses(&server, body, "maximum allowed number of output tokens").await;
    llm(&server, "claude-opus-4-1")
        .max_tokens(32_000)
        .invoke("Hi")
        .await
        .unwrap();
}

#[tokio::test]
async fn effort_levels_the_model_offers() {
    let server = MockServer::start().await;
    let err = request_error(
        llm(&server, "claude-sonnet-4-6")
            .effort(Effort::XHigh)
            .invoke("Hi")
            .await,
    );
    assert!(
        matches!(&err, RequestError::EffortUnsupported { effort, supported, .. }
            if effort == "xhigh" && supported == &["low", "medium", "high", "max"]),
        "{err}"
    );
    assert!(server.requests().is_empty());
    let mut body = base("claude-sonnet-4-6");
    body["output_config"] = json!({"effort": "xhigh"});
    assert_mock_refuses(&server, body, "output_config.effort").await;
    llm(&server, "claude-opus-4-7")
        .effort(Effort::XHigh)
        .invoke("Hi")
        .await
        .unwrap();
    assert_eq!(
        server.requests().last().unwrap().body["output_config"],
        json!({"effort": "xhigh"})
    );
}

#[tokio::test]
async fn thinking_modes_the_model_accepts() {
    let server = MockServer::start().await;
    let err = request_error(
        llm(&server, "claude-fable-5")
            .thinking(Thinking::Disabled)
            .invoke("Hi")
            .await,
    );
    assert!(matches!(&err, RequestError::ThinkingUnsupported { mode, .. } if mode == "disabled"));
    let err = request_error(
        llm(&server, "claude-sonnet-5-5")
            .thinking(Thinking::adaptive())
            .invoke("Hi")
            .await,
    );
    assert!(matches!(&err, RequestError::ThinkingUnsupported { mode, .. } if mode == "adaptive"));
    assert!(server.requests().is_empty());
    let mut body = base("claude-sonnet-5-5");
    body["thinking"] = json!({"type": "adaptive"});
    assert_mock_refuses(&server, body, "thinking.type").await;
    llm(&server, "claude-sonnet-5-5")
        .thinking(Thinking::BetweenTools)
        .effort(Effort::Medium)
        .invoke("Hi")
        .await
        .unwrap();
    let sent = server.requests().last().unwrap().body.clone();
    assert_eq!(sent["thinking"], json!({"type": "between_tools"}));
    assert_eq!(sent["output_config"], json!({"effort": "medium"}));
}

#[tokio::test]
async fn forced_tool_choice_where_the_model_takes_only_auto() {
    let server = MockServer::start().await;
    let tool = Tool::new("answer", json!({"type": "object", "properties": {}}));
    let bound = llm(&server, "claude-sonnet-5-5").bind_tools([tool.clone()]);
    let err = request_error(
        bound
            .clone()
            .tool_choice(ToolChoice::any())
            .invoke("Hi")
            .await,
    );
    assert!(matches!(&err, RequestError::ToolChoiceUnsupported { choice, .. } if choice == "any"));
    assert!(server.requests().is_empty());
    let mut body = base("claude-sonnet-5-5");
    body["tools"] =
        json!([{"name": "answer", "input_schema": {"type": "object", "properties": {}}}]);
    body["tool_choice"] = json!({"type": "tool", "name": "answer"});
    assert_mock_refuses(&server, body, "tool_choice").await;
    bound
        .tool_choice(ToolChoice::auto())
        .invoke("Hi")
        .await
        .unwrap();
    // Structured output on such a model offers its tool with `auto` instead of forcing it.
    #[derive(schemars::JsonSchema, serde::Deserialize)]
    struct Answer {}
    let structured = llm(&server, "claude-sonnet-5-5").with_structured_output::<Answer>();
    let _ = structured.invoke("Hi").await;
    assert_eq!(
        server.requests().last().unwrap().body["tool_choice"],
        json!({"type": "auto"})
    );
}

#[tokio::test]
async fn unknown_models_are_sent_unchecked_and_user_profiles_replace_the_table() {
    let server = MockServer::start().await;
    let _ = llm(&server, "my-proxy-model")
        .max_tokens(1_000_000)
        .effort(Effort::Max)
        .thinking(Thinking::Disabled)
        .invoke("Hi")
        .await;
    let sent = server.requests();
    assert_eq!(sent.len(), 1, "no profile, no checks: the request went out");
    assert_eq!(sent[0].body["max_tokens"], 1_000_000);
    let mut profile = ModelProfile::default();
    profile.max_output_tokens = Some(4096);
    let err = request_error(
        llm(&server, "my-proxy-model")
            .profile(profile)
            .max_tokens(5000)
            .invoke("Hi")
            .await,
    );
    assert!(matches!(
        err,
        RequestError::MaxTokensAboveLimit { limit: 4096, .. }
    ));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn dated_and_platform_ids_get_their_familys_rules() {
    let server = MockServer::start().await;
    for model in ["claude-sonnet-5-5-20261001", "claude-fable-5-1"] {
        let err = request_error(llm(&server, model).top_k(5).invoke("Hi").await);
        assert!(
            matches!(
                err,
                RequestError::SamplingUnsupported {
                    parameter: "top_k",
                    ..
                }
            ),
            "{model}"
        );
    }
    let vertex = llm(&server, "claude-sonnet-4-5@20250929")
        .vertex("us-east5", "p")
        .vertex_access_token("t")
        .effort(Effort::Low);
    let err = request_error(vertex.invoke("Hi").await);
    assert!(
        matches!(&err, RequestError::EffortUnsupported { supported, .. } if supported.is_empty())
    );
    assert!(server.requests().is_empty());
}
