//! Replies without Rust: forced tools and structured output answered from their schemas
//! (checked by the `jsonschema` crate, an oracle independent of the mock's generator), replies
//! scripted from a JSONL file (`--script`) or `POST /mock/replies`, `GET /mock/requests`, and
//! the standalone server's `--help`, all over real HTTP on 127.0.0.1.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use chat_anthropic_mock::{MockServer, ScriptedReply};
use serde_json::{json, Value};

const MODEL: &str = "claude-sonnet-4-6";

async fn post(base_url: &str, path: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("x-api-key", "test")
        .header("anthropic-version", "2023-06-01")
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the mock answers")
}

/// The events of an SSE body, as JSON.
fn events(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("each event is JSON"))
        .collect()
}

fn ask(text: &str) -> Value {
    json!([{"role": "user", "content": text}])
}

/// The schemas the generator is checked on: enums and formats, nested objects and arrays
/// with bounds, `$defs`/`$ref`, branches, constants, nullable types.
fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "formats_and_enums",
            json!({"type": "object", "additionalProperties": false,
            "required": ["unit", "when", "day", "email", "site", "id", "at", "host", "ip"],
            "properties": {
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit", "kelvin"]},
                "when": {"type": "string", "format": "date-time"},
                "day": {"type": "string", "format": "date"},
                "email": {"type": "string", "format": "email"},
                "site": {"type": "string", "format": "uri"},
                "id": {"type": "string", "format": "uuid"},
                "at": {"type": "string", "format": "time"},
                "host": {"type": "string", "format": "hostname"},
                "ip": {"type": "string", "format": "ipv4"},
                "optional": {"type": "integer", "maximum": -1000000}
            }}),
        ),
        (
            "nested_with_bounds",
            json!({"type": "object", "required": ["trip"], "properties": {
                "trip": {"type": "object", "required": ["stops", "budget", "tags", "title"],
                    "additionalProperties": false, "properties": {
                    "title": {"type": "string", "minLength": 30, "maxLength": 32},
                    "stops": {"type": "array", "minItems": 3, "maxItems": 4, "items": {
                        "type": "object", "required": ["city", "nights"], "properties": {
                            "city": {"type": "string", "minLength": 12},
                            "nights": {"type": "integer", "minimum": 1, "maximum": 14}}}},
                    "budget": {"type": "number", "exclusiveMinimum": 100, "maximum": 100.75},
                    "tags": {"type": "array", "items": {"type": "integer", "minimum": 5},
                        "minItems": 3, "uniqueItems": true}}}}}),
        ),
        (
            "refs_and_branches",
            json!({"type": "object",
            "$defs": {"Point": {"type": "object", "required": ["x", "y"], "properties": {
                "x": {"type": "integer", "multipleOf": 5}, "y": {"type": "number"}}}},
            "required": ["origin", "path", "kind", "nothing", "flag", "shape", "maybe", "any"],
            "properties": {
                "origin": {"$ref": "#/$defs/Point"},
                "path": {"type": "array", "items": {"$ref": "#/$defs/Point"}, "minItems": 2},
                "kind": {"const": "polygon"},
                "nothing": {"type": "null"},
                "flag": {"type": "boolean"},
                "shape": {"oneOf": [{"type": "string", "enum": ["circle", "square"]},
                    {"type": "integer"}]},
                "maybe": {"type": ["string", "null"], "maxLength": 3},
                "any": {"anyOf": [{"$ref": "#/$defs/Point"}, {"type": "string"}]}
            }}),
        ),
        (
            "legacy_definitions_and_all_of",
            json!({"type": "object", "required": ["who"], "properties": {
                "who": {"allOf": [{"$ref": "#/definitions/Named"},
                    {"type": "object", "required": ["age"], "properties": {
                        "age": {"type": "integer", "exclusiveMinimum": 17, "exclusiveMaximum": 19}}}]}},
                "definitions": {"Named": {"type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string", "minLength": 1}}}}}),
        ),
    ]
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("the test's schema compiles")
}

fn assert_valid(name: &str, schema: &Value, instance: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {instance} fails: {errors:?}");
}

fn forced(schema: &Value, stream: bool, text: &str) -> Value {
    json!({"model": MODEL, "max_tokens": 512, "stream": stream, "messages": ask(text),
        "tools": [{"name": "other", "input_schema": {"type": "object"}},
                  {"name": "record", "description": "Record it", "input_schema": schema}],
        "tool_choice": {"type": "tool", "name": "record"}})
}

#[tokio::test]
async fn a_forced_tool_gets_an_input_valid_for_its_schema_streamed_as_the_api_streams_it() {
    let server = MockServer::start().await;
    let url = server.base_url();
    for (name, schema) in schemas() {
        let reply = post(&url, "/v1/messages", &forced(&schema, false, "Go")).await;
        assert_eq!(reply.status(), 200, "{name}");
        let message: Value = reply.json().await.unwrap();
        assert_eq!(message["stop_reason"], "tool_use", "{name}");
        let block = &message["content"][0];
        assert_eq!(message["content"].as_array().unwrap().len(), 1, "{name}");
        assert_eq!(
            (&block["type"], &block["name"]),
            (&json!("tool_use"), &json!("record"))
        );
        assert!(
            block["id"].as_str().unwrap().starts_with("toolu_"),
            "{block}"
        );
        assert_valid(name, &schema, &block["input"]);

        // Streaming: an empty input announced, then the JSON text in several pieces.
        let reply = post(&url, "/v1/messages", &forced(&schema, true, "Go")).await;
        assert_eq!(reply.status(), 200, "{name}");
        let events = events(&reply.text().await.unwrap());
        let start = events
            .iter()
            .find(|e| e["type"] == "content_block_start")
            .unwrap();
        assert_eq!(start["content_block"]["input"], json!({}), "{name}");
        assert_eq!(start["content_block"]["id"], block["id"], "{name}");
        let pieces: Vec<&str> = events
            .iter()
            .filter(|e| e["delta"]["type"] == "input_json_delta")
            .map(|e| e["delta"]["partial_json"].as_str().unwrap())
            .collect();
        assert!(pieces.len() > 2, "{name}: {pieces:?}");
        let streamed: Value = serde_json::from_str(&pieces.concat()).unwrap();
        assert_eq!(
            streamed, block["input"],
            "{name}: streaming or not, the same input"
        );
        let stop = events.iter().filter(|e| e["type"] == "content_block_stop");
        assert_eq!(stop.count(), 1, "{name}");
        let delta = events
            .iter()
            .find(|e| e["type"] == "message_delta")
            .unwrap();
        assert_eq!(delta["delta"]["stop_reason"], "tool_use", "{name}");
        assert_eq!(events.last().unwrap()["type"], "message_stop", "{name}");
    }
}

#[tokio::test]
async fn the_same_request_gets_the_same_input_and_another_request_may_not() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let schema = &schemas()[1].1;
    let input = |message: Value| message["content"][0]["input"].clone();
    let mut inputs = Vec::new();
    for text in ["Plan a trip", "Plan a trip", "Plan another trip"] {
        let reply = post(&url, "/v1/messages", &forced(schema, false, text)).await;
        inputs.push(input(reply.json().await.unwrap()));
    }
    assert_eq!(inputs[0], inputs[1]);
    assert_ne!(inputs[0], inputs[2]);
    // A fresh server answers the same request the same way.
    let other = MockServer::start().await;
    let body = forced(schema, false, "Plan a trip");
    let reply = post(&other.base_url(), "/v1/messages", &body).await;
    assert_eq!(input(reply.json().await.unwrap()), inputs[0]);
}

#[tokio::test]
async fn any_calls_the_first_tool_and_auto_stays_text() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let schema = &schemas()[0].1;
    let mut body = forced(schema, false, "Go");
    body["tools"] = json!([{"name": "first", "input_schema": schema}, {"name": "second",
        "input_schema": {"type": "object"}}]);
    body["tool_choice"] = json!({"type": "any"});
    let message: Value = post(&url, "/v1/messages", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(message["content"][0]["name"], "first");
    assert_valid("any", schema, &message["content"][0]["input"]);
    body["tool_choice"] = json!({"type": "auto"});
    let message: Value = post(&url, "/v1/messages", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(message["content"][0]["text"], "Mock reply to: Go");
    assert_eq!(message["stop_reason"], "end_turn");
}

#[tokio::test]
async fn native_structured_output_is_json_text_valid_for_its_schema() {
    let server = MockServer::start().await;
    let url = server.base_url();
    for (name, schema) in schemas() {
        for format_field in ["output_config", "output_format"] {
            let format = json!({"type": "json_schema", "schema": schema});
            let mut body = json!({"model": MODEL, "max_tokens": 512, "messages": ask("Go")});
            body[format_field] = match format_field {
                "output_config" => json!({ "format": format }),
                _ => format,
            };
            let message: Value = post(&url, "/v1/messages", &body)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(message["stop_reason"], "end_turn", "{name}");
            let text = message["content"][0]["text"].as_str().unwrap();
            let value: Value = serde_json::from_str(text).expect("the text is JSON");
            assert_valid(name, &schema, &value);

            body["stream"] = json!(true);
            let reply = post(&url, "/v1/messages", &body).await;
            let events = events(&reply.text().await.unwrap());
            let pieces: Vec<&str> = events
                .iter()
                .filter(|e| e["delta"]["type"] == "text_delta")
                .map(|e| e["delta"]["text"].as_str().unwrap())
                .collect();
            assert!(pieces.len() > 2, "{name}: {pieces:?}");
            assert_eq!(
                pieces.concat(),
                text,
                "{name}: streaming or not, the same JSON"
            );
        }
    }
}

/// Sends `text` as the user and returns the status and the events (or the JSON error).
async fn turn(url: &str, text: &str) -> (u16, Vec<Value>) {
    let body = json!({"model": MODEL, "max_tokens": 256, "stream": true, "messages": ask(text)});
    let reply = post(url, "/v1/messages", &body).await;
    let status = reply.status().as_u16();
    // A dropped connection ends the body with an error: keep what arrived.
    let bytes = match reply.bytes().await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => Vec::new(),
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match status {
        200 => (status, events(&text)),
        _ => (status, vec![serde_json::from_str(&text).unwrap()]),
    }
}

const SCRIPT: &str = r#"# a comment, then one reply of each kind
{"text": "Hello from the script!"}
{"content": [{"type": "tool_use", "id": "toolu_script_1", "name": "get_weather", "input": {"city": "Paris"}}]}
{"content": [{"type": "thinking", "thinking": "Two and two."}, {"type": "text", "text": "Four."}]}
{"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}}
{"text": "never finished", "fault": {"error_event_before_content": {"type": "overloaded_error", "message": "Overloaded"}}}
{"match": "weather in Oslo", "content": [{"type": "tool_use", "name": "get_weather", "input": {"city": "Oslo"}}]}
"#;

/// The script's replies, checked in order; the matched one is taken by the request that
/// mentions it, ahead of the queue, whenever it comes.
async fn check_script_replies(url: &str) {
    let (status, first) = turn(url, "Hi").await;
    assert_eq!(status, 200);
    let text: String = first
        .iter()
        .filter_map(|e| e["delta"]["text"].as_str())
        .collect();
    assert_eq!(text, "Hello from the script!");

    let (_, matched) = turn(url, "What is the weather in Oslo today?").await;
    let start = &matched[2]["content_block"];
    assert_eq!(
        (&start["type"], &start["name"]),
        (&json!("tool_use"), &json!("get_weather"))
    );
    assert!(start["id"].as_str().unwrap().starts_with("toolu_"));
    let input: String = matched
        .iter()
        .filter_map(|e| e["delta"]["partial_json"].as_str())
        .collect();
    assert_eq!(input, r#"{"city":"Oslo"}"#);

    let (_, tool) = turn(url, "Weather in Paris?").await;
    assert_eq!(tool[2]["content_block"]["id"], "toolu_script_1");
    let stop = tool.iter().find(|e| e["type"] == "message_delta").unwrap();
    assert_eq!(stop["delta"]["stop_reason"], "tool_use");

    let (_, thinking) = turn(url, "2+2?").await;
    assert_eq!(thinking[2]["content_block"]["type"], "thinking");
    assert!(thinking
        .iter()
        .any(|e| e["delta"]["type"] == "signature_delta"));
    assert_eq!(thinking[thinking.len() - 4]["delta"]["text"], "Four.");

    let (status, error) = turn(url, "again").await;
    assert_eq!(status, 529);
    assert_eq!(error[0]["error"]["type"], "overloaded_error");

    let (status, fault) = turn(url, "once more").await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = fault.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message_start", "ping", "error"]);

    // The script is used up: the default reply again.
    let (_, echo) = turn(url, "done").await;
    assert_eq!(echo[3]["delta"]["text"], "Mock ");
}

#[tokio::test]
async fn a_jsonl_script_is_consumed_in_order_with_matched_replies_first() {
    let server = MockServer::start().await;
    server.enqueue_scripted(ScriptedReply::parse_jsonl(SCRIPT).unwrap());
    check_script_replies(&server.base_url()).await;
}

#[tokio::test]
async fn replies_posted_to_the_admin_endpoint_are_used_and_requests_can_be_read_back() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let client = reqwest::Client::new();
    let jsonl = client
        .post(format!("{url}/mock/replies"))
        .body(SCRIPT)
        .send()
        .await
        .unwrap();
    assert_eq!(jsonl.status(), 200);
    assert_eq!(jsonl.json::<Value>().await.unwrap()["queued"], 6);
    check_script_replies(&url).await;

    let array = json!([{"text": "one"}, {"match": "two", "text": "second"}]);
    let queued = client
        .post(format!("{url}/mock/replies"))
        .json(&array)
        .send()
        .await
        .unwrap();
    assert_eq!(
        queued.json::<Value>().await.unwrap(),
        json!({"queued": 2, "pending": 2})
    );
    let dropped = client
        .delete(format!("{url}/mock/replies"))
        .send()
        .await
        .unwrap();
    assert_eq!(dropped.json::<Value>().await.unwrap()["dropped"], 2);

    // A body that is not a reply is refused as the API refuses: a 400 with its error shape.
    let bad = json!([{"text": "fine"}, {"text": "a", "fault": {"drop_after": 1}}]);
    let refused = client
        .post(format!("{url}/mock/replies"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("[1]") && message.contains("drop_after"),
        "{message}"
    );
    let nothing = client
        .post(format!("{url}/mock/replies"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), 400);

    // What the server received, without the admin requests.
    let requests: Value = client
        .get(format!("{url}/mock/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = requests["data"].as_array().unwrap();
    assert_eq!(data.len(), 7);
    assert_eq!(requests["count"], 7);
    assert!(data
        .iter()
        .all(|r| r["method"] == "POST" && r["path"] == "/v1/messages"));
    assert_eq!(
        data[1]["body"]["messages"][0]["content"],
        "What is the weather in Oslo today?"
    );
    assert_eq!(data[0]["headers"]["anthropic-version"], "2023-06-01");
    let cleared = client
        .delete(format!("{url}/mock/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    assert!(server.requests().is_empty());
    let unknown = client
        .get(format!("{url}/mock/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn every_endpoint_in_the_table_is_served_and_nothing_else() {
    let server = MockServer::start().await;
    let url = server.base_url();
    let client = reqwest::Client::new();
    for endpoint in MockServer::endpoints() {
        let path = endpoint
            .path()
            .replace("{model}:", "claude-sonnet-4-6:")
            .replace("{model}", "anthropic.claude-sonnet-4-6")
            .replace("{project}", "p")
            .replace("{region}", "r")
            .replace("{batch_id}", "msgbatch_none")
            .replace("{model_id}", "claude-sonnet-4-6")
            .replace("{file_id}", "file_none");
        let method = reqwest::Method::from_bytes(endpoint.method().as_bytes()).unwrap();
        let reply = client
            .request(method, format!("{url}{path}"))
            .header("x-api-key", "test")
            .header("anthropic-version", "2023-06-01")
            .body("{}")
            .send()
            .await
            .unwrap();
        let text = reply.text().await.unwrap();
        assert!(
            !text.contains("Not found: /"),
            "{} {path}: {text}",
            endpoint.method()
        );
    }
    let unknown = client
        .post(format!("{url}/v1/complete"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let wrong_method = client
        .get(format!("{url}/v1/messages"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 404);
}

/// The standalone server, stopped when dropped.
struct Standalone(Child);

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chat-anthropic-mock"))
}

/// Starts the binary on a free port and returns it with its base URL.
fn standalone(args: &[&str]) -> (Standalone, String) {
    let mut child = binary()
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let guard = Standalone(child);
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().take(10) {
            let Ok(line) = line else { return };
            if let Some(url) = line.split("listening on ").nth(1) {
                let _ = send.send(url.trim().to_owned());
                // The pipe closes here, before the binary's next status line: it must go on
                // serving (it once died of `println!` on the closed pipe).
                return;
            }
        }
    });
    let url = receive
        .recv_timeout(Duration::from_secs(20))
        .expect("the binary says where it listens");
    (guard, url)
}

#[tokio::test]
async fn the_binary_serves_a_script_file() {
    let dir = std::env::temp_dir().join(format!("mock-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("replies.jsonl");
    std::fs::write(&path, SCRIPT).unwrap();
    let (_server, url) = standalone(&["--script", path.to_str().unwrap()]);
    check_script_replies(&url).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_malformed_script_line_stops_the_binary_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("mock-bad-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"text\": \"fine\"}\n\n{\"text\": \"a\", \"stop\": 1}\n",
    )
    .unwrap();
    let output = binary()
        .args(["--port", "0", "--script"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.jsonl line 3: unknown field `stop`"),
        "{stderr}"
    );
    let missing = binary()
        .args(["--script", "/nonexistent/r.jsonl"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn help_lists_every_endpoint_and_exits_0() {
    let output = binary().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for endpoint in MockServer::endpoints() {
        let line = format!("{:<7}{}\n", endpoint.method(), endpoint.path());
        assert!(help.contains(&line), "--help lacks {line:?}:\n{help}");
    }
    assert!(help.contains("--script FILE"));
}

/// A reader of the binary's stdout that goes away (a pipe closed after the URL was read) must
/// not stop the server: its later status lines, down to the one it prints on Ctrl-C, are
/// dropped, and it still answers and exits cleanly.
#[tokio::test]
async fn the_binary_outlives_a_closed_stdout_and_exits_cleanly_on_ctrl_c() {
    let (mut server, url) = standalone(&[]);
    // `standalone`'s reader has returned: the pipe is closed by now.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = post(
        &url,
        "/v1/messages",
        &json!({"model": MODEL, "max_tokens": 16, "messages": ask("Hi")}),
    )
    .await;
    assert_eq!(reply.status(), 200);
    let pid = server.0.id().to_string();
    let interrupted = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(interrupted.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the binary did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}
