//! The mock's refusals against the API's, recorded live (`fixtures/recorded/`, see its README):
//! each recorded request is sent to the mock over HTTP, and a recorded refusal must come back
//! with the same status, error type and message, an accepted request with a 200.

use std::path::{Path, PathBuf};

use chat_anthropic_mock::MockServer;
use serde_json::Value;

fn recorded() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

/// Sends a recorded request body as the recorder did, and returns the status and the body.
async fn send(server: &MockServer, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", "recorded")
        .header("anthropic-version", "2023-06-01")
        .json(body)
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// The names of the recorded exchanges (`<name>.request.json`).
fn exchanges() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(recorded())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".request.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_recorded_exchange_is_answered_as_recorded() {
    let names = exchanges();
    assert_eq!(names.len(), 12, "{names:?}");
    let server = MockServer::start().await;
    let mut wrong = Vec::new();
    for name in &names {
        let request = read(&recorded().join(format!("{name}.request.json")));
        let (status, body) = send(&server, &request).await;
        let error = recorded().join(format!("{name}.error.json"));
        if error.exists() {
            let expected = read(&error);
            if status != 400 || body["type"] != "error" || body["error"] != expected["error"] {
                wrong.push(format!(
                    "{name}: recorded 400 {}, the mock answered {status} {}",
                    expected["error"], body["error"]
                ));
            }
        } else {
            assert!(
                recorded().join(format!("{name}.message.json")).exists(),
                "{name}"
            );
            if status != 200 {
                wrong.push(format!(
                    "{name}: recorded 200, the mock answered {status} {body}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The two refusals the compiler's internal limit makes, by name: one schema with 16
/// union-typed parameters, and one with 24 optional parameters (the documented per-request
/// limits, 16 and 24, are not exceeded by either).
#[tokio::test]
async fn one_schema_at_the_limits_is_too_complex_but_the_same_counts_across_tools_compile() {
    let server = MockServer::start().await;
    let too_complex = "Schema is too complex for compilation. Try reducing the number of tools or simplifying tool schemas.";
    for (refused, accepted) in [
        (
            "sixteen_union_parameters_in_one_schema_hit_internal_limit",
            "sixteen_union_parameters_across_tools_are_accepted",
        ),
        (
            "twenty_four_optional_parameters_in_one_schema_hit_internal_limit",
            "twenty_four_optional_parameters_across_tools_are_accepted",
        ),
    ] {
        let file = |name: &str| {
            let group = "rig__strict_schema_limits__";
            recorded().join(format!("{group}{name}__0.request.json"))
        };
        let (status, body) = send(&server, &read(&file(refused))).await;
        assert_eq!(
            (status, body["error"]["message"].as_str()),
            (400, Some(too_complex)),
            "{refused}"
        );
        assert_eq!(body["error"]["type"], "invalid_request_error");
        let (status, body) = send(&server, &read(&file(accepted))).await;
        assert_eq!(status, 200, "{accepted}: {body}");
    }
}
