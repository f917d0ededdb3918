//! Tool schemas the API accepts, over HTTP: what is decidable locally is refused before
//! sending with the tool and the rule named; the mock refuses the same bodies with the API's
//! recorded status, type and message.

use crate::common;

use chat_anthropic::{error::RequestError, error::SchemaRule, ChatAnthropic, Error, Tool};
use chat_anthropic_mock::MockServer;
use serde_json::{json, Map, Value};

fn llm(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
}

fn fixture(name: &str) -> Value {
    let path = common::fixtures_dir().join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The mock's answer to a recorded request equals the API's recorded error.
async fn assert_mock_answers_as_recorded(server: &MockServer, stem: &str) {
    let request = fixture(&format!("{stem}.request.json"));
    let recorded = fixture(&format!("{stem}.error.json"));
    let (status, error) = common::post_messages(&server.base_url(), &request, None).await;
    assert_eq!(status, 400);
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"], recorded["error"], "{stem}");
}

fn schema_error(result: Result<chat_anthropic::AIMessage, Error>) -> (String, SchemaRule) {
    match result {
        Err(Error::Request(RequestError::ToolSchema { tool, rule })) => (tool, rule),
        other => panic!("expected a tool schema error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_scalar_root_is_refused_before_sending_and_by_the_mock_as_recorded() {
    let server = MockServer::start().await;
    let tool = Tool::new("record_scalar_root", json!({"type": "string"})).strict(true);
    let (name, rule) = schema_error(llm(&server).bind_tools([tool]).invoke("Go").await);
    assert_eq!(name, "record_scalar_root");
    assert_eq!(
        rule,
        SchemaRule::RootNotObject {
            found: Some("string".into())
        }
    );
    assert!(server.requests().is_empty());
    assert_mock_answers_as_recorded(
        &server,
        "rig__strict_schema_matrix__scalar_root_schema_is_rejected_for_tool_input__0",
    )
    .await;
}

#[tokio::test]
async fn twenty_one_strict_tools_are_refused_before_sending_and_by_the_mock_as_recorded() {
    let server = MockServer::start().await;
    let tools: Vec<Tool> = (0..21)
        .map(|i| {
            Tool::new(
                format!("boundary_tool_{i:02}"),
                json!({"type": "object", "properties": {}}),
            )
            .strict(true)
        })
        .collect();
    let (name, rule) = schema_error(llm(&server).bind_tools(tools.clone()).invoke("Go").await);
    assert_eq!(name, "boundary_tool_20");
    assert_eq!(rule, SchemaRule::TooManyStrictTools { count: 21, max: 20 });
    assert!(server.requests().is_empty());
    llm(&server)
        .bind_tools(tools[..20].to_vec())
        .invoke("Go")
        .await
        .unwrap();
    assert_mock_answers_as_recorded(
        &server,
        "rig__strict_schema_limits__twenty_one_strict_tools_are_rejected__0",
    )
    .await;
}

fn properties(prefix: &str, n: usize, schema: Value) -> Map<String, Value> {
    (0..n)
        .map(|i| (format!("{prefix}{i}"), schema.clone()))
        .collect()
}

#[tokio::test]
async fn strict_limits_on_optional_and_union_parameters_recursion_and_true() {
    let server = MockServer::start().await;
    let optional = |name: &str, n: usize| {
        let props = properties("p", n, json!({"type": "string"}));
        Tool::new(name, json!({"type": "object", "properties": props})).strict(true)
    };
    let (name, rule) = schema_error(
        llm(&server)
            .bind_tools([optional("a", 20), optional("b", 5)])
            .invoke("Go")
            .await,
    );
    assert_eq!(
        (name.as_str(), rule),
        (
            "b",
            SchemaRule::TooManyOptionalParameters { count: 25, max: 24 }
        )
    );
    let unions = properties("u", 17, json!({"type": ["string", "null"]}));
    let required: Vec<&String> = unions.keys().collect();
    let union_tool = Tool::new(
        "u",
        json!({"type": "object", "properties": unions, "required": required}),
    )
    .strict(true);
    let (_, rule) = schema_error(
        llm(&server)
            .bind_tools([union_tool.clone()])
            .invoke("Go")
            .await,
    );
    assert_eq!(
        rule,
        SchemaRule::TooManyUnionParameters { count: 17, max: 16 }
    );
    let anything = Tool::new(
        "t",
        json!({"type": "object", "properties": {"x": true}, "required": ["x"]}),
    )
    .strict(true);
    let (_, rule) = schema_error(
        llm(&server)
            .bind_tools([anything.clone()])
            .invoke("Go")
            .await,
    );
    assert_eq!(
        rule,
        SchemaRule::BooleanSchema {
            property: "x".into()
        }
    );
    assert!(server.requests().is_empty());

    // The mock refuses the same tools with the API's messages.
    for (tool, expected) in [
        (optional("a", 25), "optional parameters"),
        (union_tool, "union types"),
        (
            anything,
            "tools.0.custom: For 'object' type, property 'properties' is not supported",
        ),
    ] {
        let body = json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "tools": [tool],
            "messages": [{"role": "user", "content": "Go"}]});
        let (status, error) = common::post_messages(&server.base_url(), &body, None).await;
        assert_eq!(
            (status, error["error"]["type"].as_str()),
            (400, Some("invalid_request_error"))
        );
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{error}"
        );
    }
}

/// A tree.
#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
struct Node {
    name: String,
    children: Vec<Node>,
}

#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
enum Mode {
    Fast,
    Careful { reason: String },
}

#[derive(schemars::JsonSchema, serde::Deserialize)]
#[allow(dead_code)]
struct Settings {
    level: u32,
}

#[tokio::test]
async fn from_type_of_an_enum_an_option_and_a_recursive_type_behave_as_documented() {
    let server = MockServer::start().await;
    // An enum and an Option have no object root: refused, not wrapped.
    let (name, rule) = schema_error(
        llm(&server)
            .bind_tools([Tool::from_type::<Mode>()])
            .invoke("Go")
            .await,
    );
    assert_eq!(
        (name.as_str(), rule),
        ("Mode", SchemaRule::RootNotObject { found: None })
    );
    let (_, rule) = schema_error(
        llm(&server)
            .bind_tools([Tool::from_type::<Option<Settings>>()])
            .invoke("Go")
            .await,
    );
    assert_eq!(rule, SchemaRule::RootNotObject { found: None });
    assert!(server.requests().is_empty());
    // The mock refuses such a root as the API does.
    let body = json!({"model": "claude-sonnet-4-6", "max_tokens": 10, "tools": [Tool::from_type::<Mode>()],
        "messages": [{"role": "user", "content": "Go"}]});
    let (status, error) = common::post_messages(&server.base_url(), &body, None).await;
    assert_eq!(status, 400);
    assert_eq!(
        error["error"]["message"],
        "tools.0.custom.input_schema.type: Field required"
    );
    // A recursive type is sent as it is without strict mode...
    llm(&server)
        .bind_tools([Tool::from_type::<Node>()])
        .invoke("Go")
        .await
        .unwrap();
    let sent = server.requests().last().unwrap().body.clone();
    assert_eq!(
        sent["tools"][0]["input_schema"]["properties"]["children"]["items"]["$ref"],
        "#"
    );
    // ...and refused in strict mode, before sending and by the mock.
    let strict = Tool::from_type::<Node>().strict(true);
    let (_, rule) = schema_error(llm(&server).bind_tools([strict.clone()]).invoke("Go").await);
    assert!(matches!(rule, SchemaRule::CircularReference { .. }));
    let mut body = sent;
    body["tools"] = json!([strict]);
    body["stream"] = json!(false);
    let (status, error) = common::post_messages(&server.base_url(), &body, None).await;
    assert_eq!(status, 400);
    // The API's wording, as recorded for a `$defs` cycle (`Node -> Node`); here the cycle
    // runs through the root.
    assert_eq!(
        error["error"]["message"],
        "tools.0.custom: Invalid schema: Circular reference detected in schema definitions: # -> #. Self-referencing or mutually-referencing definitions are not supported."
    );
}

/// The tools of a request recorded against the live API (`mock/tests/fixtures/recorded/`).
fn recorded_tools(stem: &str) -> Vec<Tool> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("mock/tests/fixtures/recorded")
        .join(format!("rig__strict_schema_limits__{stem}__0.request.json"));
    let request: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| {
            Tool::new(tool["name"].as_str().unwrap(), tool["input_schema"].clone())
                .strict(tool["strict"] == true)
        })
        .collect()
}

/// Recorded: one strict schema with 16 union-typed parameters, or with 24 optional ones, is
/// "too complex for compilation" (400), while the same counts spread over several tools are
/// answered. The first two are refused before sending; the other two are sent.
#[tokio::test]
async fn one_schema_at_the_limits_is_refused_before_sending_but_the_same_counts_across_tools_are_sent(
) {
    let server = MockServer::start().await;
    for (refused, expected, accepted) in [
        (
            "sixteen_union_parameters_in_one_schema_hit_internal_limit",
            SchemaRule::TooComplex {
                optional: 0,
                unions: 16,
            },
            "sixteen_union_parameters_across_tools_are_accepted",
        ),
        (
            "twenty_four_optional_parameters_in_one_schema_hit_internal_limit",
            SchemaRule::TooComplex {
                optional: 24,
                unions: 0,
            },
            "twenty_four_optional_parameters_across_tools_are_accepted",
        ),
    ] {
        let (_, rule) = schema_error(
            llm(&server)
                .bind_tools(recorded_tools(refused))
                .invoke("Go")
                .await,
        );
        assert_eq!(rule, expected, "{refused}");
        assert!(server.requests().is_empty(), "{refused} reached the server");
        let sent = llm(&server)
            .bind_tools(recorded_tools(accepted))
            .invoke("Go")
            .await;
        assert!(sent.is_ok(), "{accepted}: {sent:?}");
        assert_eq!(server.requests().len(), 1, "{accepted}");
        server.clear_requests();
    }
}
