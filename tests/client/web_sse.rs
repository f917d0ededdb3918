//! `web::sse_response` over real HTTP: an axum app forwarding mock replies to an HTTP client
//! as browser events, errors as `error` events, backpressure and cancellation.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chat_anthropic::web::{browser_events, sse_response, BrowserError, BrowserEvent};
use chat_anthropic::{ChatAnthropic, Error, StreamUpdate};
use chat_anthropic_mock::{ui_demo_reply, MockReply, MockServer};
use common::serve;
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The backend under test: `POST /chat` with the question as the body.
fn chat_app(llm: ChatAnthropic) -> Router {
    async fn chat(State(llm): State<ChatAnthropic>, question: String) -> Response {
        sse_response(llm.stream(question).await)
    }
    Router::new().route("/chat", post(chat)).with_state(llm)
}

/// A mock server answering with `reply` and the backend in front of it.
async fn backend(reply: impl Fn() -> MockReply + Send + Sync + 'static) -> (MockServer, String) {
    let server = MockServer::start().await;
    server.set_responder(move |_| reply());
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key");
    let url = serve(chat_app(llm)).await;
    (server, url)
}

/// The browser events of a response, as they arrive.
fn events_of(response: reqwest::Response) -> impl Stream<Item = BrowserEvent> {
    response.bytes_stream().eventsource().map(|event| {
        let event = event.expect("a well-formed event stream");
        serde_json::from_str(&event.data).expect("a browser event")
    })
}

async fn ask(url: &str, question: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{url}/chat"))
        .body(question.to_owned())
        .send()
        .await
        .expect("the backend answers")
}

#[tokio::test]
async fn a_reply_arrives_as_browser_events_in_order() {
    let (server, url) = backend(|| ui_demo_reply_for("Hello").delay(Duration::ZERO)).await;
    let response = ask(&url, "Hello").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let events: Vec<BrowserEvent> = events_of(response).collect().await;

    let position = |wanted: &dyn Fn(&BrowserEvent) -> bool| {
        events
            .iter()
            .position(wanted)
            .unwrap_or_else(|| panic!("missing event in {events:#?}"))
    };
    let thinking =
        position(&|e| matches!(e.update(), Some(StreamUpdate::Thinking { index: 0, .. })));
    let text: String = events
        .iter()
        .filter_map(|e| match e.update() {
            Some(StreamUpdate::Text { index: 1, text }) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(text.contains("\u{201c}Hello\u{201d}"), "{text}");
    let started = position(
        &|e| matches!(e.update(), Some(StreamUpdate::ToolCallStarted { index: 2, name, .. }) if name == "write_file"),
    );
    let path_complete = position(
        &|e| matches!(e.update(), Some(StreamUpdate::ToolArgComplete { pointer, value, .. }) if pointer == "/path" && value == "poem.txt"),
    );
    let first_content = position(
        &|e| matches!(e.update(), Some(StreamUpdate::ToolArgDelta { pointer, .. }) if pointer == "/content"),
    );
    let done_call = position(&|e| matches!(e.update(), Some(StreamUpdate::ToolCallDone { .. })));
    assert!(thinking < started && started < path_complete && path_complete < first_content);
    assert!(first_content < done_call);

    let streamed_content: String = events
        .iter()
        .filter_map(|e| match e.update() {
            Some(StreamUpdate::ToolArgDelta { pointer, text, .. }) if pointer == "/content" => {
                Some(text.as_str())
            }
            _ => None,
        })
        .collect();
    let Some(StreamUpdate::ToolCallDone { call, .. }) = events[done_call].update() else {
        unreachable!()
    };
    assert_eq!(call.args["content"], streamed_content.as_str());
    assert!(streamed_content.lines().count() > 2, "{streamed_content:?}");
    let content_deltas = events
        .iter()
        .filter(
            |e| matches!(e.update(), Some(StreamUpdate::ToolArgDelta { pointer, .. }) if pointer == "/content"),
        )
        .count();
    assert!(
        content_deltas > 5,
        "content streamed in {content_deltas} pieces"
    );

    assert!(events.iter().any(|e| matches!(
        e.update(),
        Some(StreamUpdate::MessageDelta { usage, stop_reason: Some(reason) })
            if usage.output_tokens > 0 && reason.as_str() == "tool_use"
    )));
    assert_eq!(
        events.last(),
        Some(&BrowserEvent::Update(StreamUpdate::Done))
    );
    assert_eq!(
        server.cancelled_streams(),
        0,
        "a finished reply is read to its end, not cut"
    );
}

/// The demo reply, as the mock would answer a request whose last message is `said`.
fn ui_demo_reply_for(said: &str) -> MockReply {
    let request = chat_anthropic_mock::RecordedRequest {
        method: "POST".into(),
        path: "/v1/messages".into(),
        headers: Default::default(),
        body: json!({"messages": [{"role": "user", "content": said}]}),
    };
    ui_demo_reply(&request)
}

#[tokio::test]
async fn a_refused_request_is_one_error_event() {
    let (_server, url) =
        backend(|| MockReply::error(401, "authentication_error", "invalid x-api-key")).await;
    let events: Vec<BrowserEvent> = events_of(ask(&url, "Hi").await).collect().await;
    let [BrowserEvent::Error(BrowserError { message, kind, .. })] = events.as_slice() else {
        panic!("expected one error event, got {events:#?}")
    };
    assert!(message.contains("invalid x-api-key"), "{message}");
    assert_eq!(kind.as_deref(), Some("authentication_error"));
}

#[tokio::test]
async fn a_stream_that_fails_midway_ends_with_an_error_after_the_text_so_far() {
    let (_server, url) = backend(|| {
        MockReply::text("one two three four five six").error_event_after(
            5,
            "overloaded_error",
            "Overloaded",
        )
    })
    .await;
    let events: Vec<BrowserEvent> = events_of(ask(&url, "Hi").await).collect().await;
    let (last, before) = events.split_last().expect("events");
    assert!(
        matches!(last, BrowserEvent::Error(BrowserError { kind: Some(kind), .. }) if kind == "overloaded_error"),
        "{last:?}"
    );
    let text: String = before
        .iter()
        .map(|e| match e.update() {
            Some(StreamUpdate::Text { text, .. }) => text.as_str(),
            other => panic!("only text before the error, got {other:?}"),
        })
        .collect();
    assert_eq!(text, "one two ");
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_the_upstream_request() {
    let (server, url) = backend(|| ui_demo_reply_for("Hi").delay(Duration::from_millis(30))).await;
    let mut events = Box::pin(events_of(ask(&url, "Hi").await));
    let first = events.next().await.expect("a first event");
    assert!(
        matches!(first.update(), Some(StreamUpdate::Thinking { .. })),
        "{first:?}"
    );
    assert_eq!(server.cancelled_streams(), 0);
    drop(events); // the tab closes: the connection to the backend goes
    assert!(
        server
            .wait_for_cancelled_stream(Duration::from_secs(5))
            .await,
        "the mock saw the upstream request cancelled"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_stops_the_upstream_read() {
    // An endless upstream of 16 KiB text deltas that counts how many were pulled.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let flood = move || {
        let counter = counter.clone();
        let text = "x".repeat(16 * 1024);
        let updates = futures_util::stream::repeat_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Error>(StreamUpdate::Text {
                index: 0,
                text: text.clone().into(),
            })
        });
        async move { sse_response(browser_events(updates)) }
    };
    let url = serve(Router::new().route("/flood", get(flood))).await;

    // A client that reads the start of the response, then nothing.
    let addr = url.trim_start_matches("http://");
    let mut client = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    client
        .write_all(format!("GET /flood HTTP/1.1\r\nhost: {addr}\r\n\r\n").as_bytes())
        .await
        .expect("request sent");
    let mut buffer = vec![0u8; 64 * 1024];
    let read = client.read(&mut buffer).await.expect("response starts");
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));

    let stalled_at = wait_until_stable(&pulled).await;
    // Socket buffers and hyper's write buffer hold a few MiB at most: far less than this.
    assert!(
        stalled_at < 2_000,
        "{stalled_at} deltas pulled for a client that stopped reading"
    );

    // Reading again resumes the upstream.
    let mut drained = 0;
    while drained < 8 << 20 {
        drained += client.read(&mut buffer).await.expect("more of the body");
    }
    assert!(
        pulled.load(Ordering::SeqCst) > stalled_at,
        "reading resumed the upstream"
    );
}

/// Waits until `counter` stops moving for a while and returns its value; fails if it never
/// does (an unbounded buffer would keep pulling).
async fn wait_until_stable(counter: &AtomicUsize) -> usize {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut last = counter.load(Ordering::SeqCst);
    let mut still = 0;
    while still < 5 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the upstream kept being read: {last} deltas"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        let now = counter.load(Ordering::SeqCst);
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    last
}
