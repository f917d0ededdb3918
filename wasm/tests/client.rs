//! The client in the browser: `ChatAnthropic` over the browser's `fetch`, in headless
//! Chromium, against the mock server on 127.0.0.1 (another origin than the test page, so
//! every request is a CORS request, as a page's request to the API is). `.ci/run` starts the
//! mock (`chat-anthropic-mock --port 0`) and builds these tests with its URL in
//! `CHAT_ANTHROPIC_MOCK_URL`; without it every test fails and says so.
//!
//! Each test scripts its replies with `POST /mock/replies`, matched on a word of its own
//! prompt, and reads what was sent with `GET /mock/requests`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use chat_anthropic::error::{ApiErrorKind, TimeoutPhase};
use chat_anthropic::{ChatAnthropic, StreamUpdate, Tool, ToolChoice};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &str = "claude-sonnet-4-6";
const OPT_IN: &str = "anthropic-dangerous-direct-browser-access";

/// The mock's URL, given at build time.
fn mock_url() -> &'static str {
    option_env!("CHAT_ANTHROPIC_MOCK_URL").unwrap_or_else(|| {
        panic!(
            "CHAT_ANTHROPIC_MOCK_URL is not set: start the mock (`cargo run -p chat-anthropic-mock -- --port 0`) \
             and build these tests with its URL in CHAT_ANTHROPIC_MOCK_URL (.ci/run's wasm32 block does both)"
        )
    })
}

/// A model pointed at the mock, opted in to direct browser access.
fn llm() -> ChatAnthropic {
    ChatAnthropic::new(MODEL)
        .without_environment()
        .base_url(mock_url())
        .api_key("a-key-the-user-typed")
        .dangerous_direct_browser_access(true)
        .max_tokens(256)
        .max_retries(0)
}

/// Queues replies (JSONL) on the mock.
async fn script(replies: &[Value]) {
    let body: String = replies.iter().map(|r| format!("{r}\n")).collect();
    let answer = reqwest::Client::new()
        .post(format!("{}/mock/replies", mock_url()))
        .body(body)
        .send()
        .await
        .expect("the mock's admin endpoint answers");
    assert!(answer.status().is_success(), "{:?}", answer.text().await);
}

/// The requests the mock received whose body mentions `token`.
async fn requests_mentioning(token: &str) -> Vec<Value> {
    let log: Value = reqwest::Client::new()
        .get(format!("{}/mock/requests", mock_url()))
        .send()
        .await
        .expect("the mock's admin endpoint answers")
        .json()
        .await
        .expect("JSON");
    log["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|r| r["body"].to_string().contains(token))
        .cloned()
        .collect()
}

/// `name` made unique to this run, so that a mock that served earlier runs (or other tests)
/// never matches it.
fn token(name: &str) -> String {
    format!(
        "{name}-{:012x}",
        (js_sys::Math::random() * 2f64.powi(48)) as u64
    )
}

/// Milliseconds on the page's clock.
fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[test]
async fn stream_yields_the_text_deltas_and_sends_the_opt_in_header() {
    let t = token("wasm-stream");
    script(&[json!({"match": t, "text": "Hello from the mock over fetch"})]).await;
    let mut pieces = llm()
        .stream(format!("say hello ({t})").as_str())
        .await
        .expect("the stream opens")
        .text();
    let mut text = Vec::new();
    while let Some(piece) = pieces.next().await {
        text.push(piece.expect("a text piece"));
    }
    assert!(text.len() > 1, "the text came in pieces: {text:?}");
    assert_eq!(text.concat(), "Hello from the mock over fetch");

    let sent = requests_mentioning(&t).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let headers = &sent[0]["headers"];
    assert_eq!(headers[OPT_IN], "true");
    assert_eq!(headers["x-api-key"], "a-key-the-user-typed");
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert!(
        headers["origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("http://")),
        "a page's request carries its origin: {headers}"
    );
    assert_eq!(sent[0]["body"]["stream"], true);
}

#[test]
async fn invoke_returns_the_whole_message() {
    let t = token("wasm-invoke");
    let reply = llm().invoke(t.as_str()).await.expect("the reply");
    assert_eq!(reply.text(), format!("Mock reply to: {t}"));
    let usage = reply.usage_metadata.expect("usage");
    assert!(usage.output_tokens > 0);
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// The weather in a city.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[allow(dead_code)]
struct Weather {
    city: String,
    unit: Unit,
    days: u8,
}

#[test]
async fn a_forced_tool_call_streams_as_updates_and_structured_output_parses() {
    let t = token("wasm-structured");
    let tool = Tool::from_type::<Weather>();
    let name = tool.name.clone();
    let mut updates = llm()
        .bind_tools([tool])
        .tool_choice(ToolChoice::tool(&name))
        .stream("wasm-tool-1: the weather in Paris")
        .await
        .expect("the stream opens")
        .updates();
    let (mut started, mut args, mut call) = (false, 0, None);
    while let Some(update) = updates.next().await {
        match update.expect("an update") {
            StreamUpdate::ToolCallStarted { name: called, .. } => {
                assert_eq!(called, name);
                started = true;
            }
            StreamUpdate::ToolArgs { .. } => args += 1,
            StreamUpdate::ToolCallDone { call: done, .. } => call = Some(done),
            _ => {}
        }
    }
    assert!(started && args > 0, "the input streamed ({args} fragments)");
    let call = call.expect("the finished call");
    assert!(call.args["city"].is_string(), "{:?}", call.args);
    assert!(["Celsius", "Fahrenheit"].contains(&call.args["unit"].as_str().unwrap_or("")));

    // The same through with_structured_output: the mock makes the input from the schema.
    // serde checks the types: a city, a unit of the enum, days in 0..=255.
    let _weather: Weather = llm()
        .with_structured_output::<Weather>()
        .invoke(format!("{t}: the weather in Oslo").as_str())
        .await
        .expect("a Weather");
    let sent = requests_mentioning(&t).await;
    assert_eq!(sent[0]["body"]["tool_choice"]["type"], "tool");
}

#[test]
async fn an_http_error_is_a_typed_error() {
    let t = token("wasm-error");
    script(&[json!({"match": t,
                    "error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}})])
    .await;
    let err = llm()
        .invoke(t.as_str())
        .await
        .expect_err("the mock answers 529");
    assert_eq!(err.status(), Some(529));
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(err.is_retryable());
    assert!(err.request_id().is_some_and(|id| id.starts_with("req_")));
}

#[test]
async fn a_retry_waits_on_the_browsers_timer_then_succeeds() {
    let t = token("wasm-retry");
    script(&[
        json!({"match": t,
               "error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}}),
        json!({"match": t, "text": "second time lucky"}),
    ])
    .await;
    let started = now_ms();
    let reply = llm()
        .max_retries(1)
        .invoke(t.as_str())
        .await
        .expect("the retry succeeds");
    assert_eq!(reply.text(), "second time lucky");
    let waited = now_ms() - started;
    // The first back-off is 0.5 s less up to 25 % jitter.
    assert!(waited >= 350.0, "backed off {waited} ms");
    assert_eq!(requests_mentioning(&t).await.len(), 2);
}

#[test]
async fn the_idle_timeout_fires_on_the_browsers_timers() {
    // The body stalls after the first text delta (message_start, ping, content_block_start,
    // one delta): the idle timeout ends the stream.
    let t = token("wasm-stall");
    script(&[json!({"match": t, "text": "one two three",
                    "fault": {"stall_after_events": 4}})])
    .await;
    let started = now_ms();
    let mut pieces = llm()
        .timeout(Duration::from_millis(400))
        .stream(t.as_str())
        .await
        .expect("the stream opens")
        .text();
    let mut got = Vec::new();
    let err = loop {
        match pieces.next().await.expect("an error before the end") {
            Ok(piece) => got.push(piece),
            Err(err) => break err,
        }
    };
    let waited = now_ms() - started;
    assert!(err.is_timeout(), "{err}");
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Body), "{err}");
    assert_eq!(got, ["one "]);
    assert!((350.0..5000.0).contains(&waited), "fired after {waited} ms");

    // A body whose first byte comes late (the mock's delay before each chunk) times out
    // before any content.
    let t = token("wasm-late");
    script(&[json!({"match": t, "text": "late", "fault": {"delay_ms": 3000}})]).await;
    let started = now_ms();
    let err = llm()
        .timeout(Duration::from_millis(300))
        .invoke(t.as_str())
        .await
        .expect_err("the first byte comes too late");
    let waited = now_ms() - started;
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Body), "{err}");
    assert!((250.0..2500.0).contains(&waited), "fired after {waited} ms");
}

#[test]
async fn without_the_opt_in_the_page_cannot_read_the_reply() {
    // The mock refuses a page's request without the header as the API does, with no
    // Access-Control-Allow-Origin: the browser hides the reply, and fetch fails.
    let t = token("wasm-no-opt-in");
    let err = llm()
        .dangerous_direct_browser_access(false)
        .invoke(t.as_str())
        .await
        .expect_err("the browser blocks the reply");
    assert_eq!(err.status(), None, "the page never sees the 401: {err}");
    let sent = requests_mentioning(&t).await;
    assert_eq!(sent.len(), 1, "sent once, refused: {sent:?}");
    assert!(sent[0]["headers"].get(OPT_IN).is_none());
}
