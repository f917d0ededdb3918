//! The demo's server without a browser: `POST /chat` relays the mock's event stream byte for
//! byte (the page's fold turns it into the scripted message), passes a refusal on with its
//! status, refuses a body without a prompt, and counts a stream the client drops midway.

#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use serde_json::json;
use wasm_chat::fold::{End, ReplyFold};
use wasm_chat::server::{self, Upstream};

async fn serve(mock: &MockServer) -> (String, std::sync::Arc<server::RelayStats>) {
    let (app, stats) = server::app(Upstream::new(mock.base_url(), "test-key"), "does-not-exist");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, stats)
}

#[tokio::test]
async fn the_relay_passes_the_stream_on_and_counts_an_abandoned_one() {
    let mock = MockServer::start().await;
    let script = MockScript::new().text("Hello from the relay").tool_use(
        "toolu_1",
        "write_file",
        json!({"path": "a.txt", "content": "one\ntwo\n"}),
    );
    mock.enqueue(MockReply::script(script.clone()).delay(Duration::from_millis(5)));
    mock.enqueue(MockReply::script(script).delay(Duration::from_millis(50)));
    mock.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
    let (url, stats) = serve(&mock).await;
    let http = reqwest::Client::new();

    let mut response = http
        .post(format!("{url}/chat"))
        .body(json!({"prompt": "Write a.txt"}).to_string())
        .send()
        .await
        .expect("the relay answers");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream",
        "the raw event stream"
    );
    let mut fold = ReplyFold::new();
    let mut updates = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = response.chunk().await.expect("the body") {
        fold.push(&chunk, &mut updates).expect("the stream folds");
        chunks += 1;
    }
    let (end, message) = fold.finish();
    assert_eq!(
        end,
        End::Done {
            stop_reason: Some("tool_use".into())
        }
    );
    assert_eq!(message.text(), "Hello from the relay");
    assert_eq!(
        message.tool_calls[0].args,
        json!({"path": "a.txt", "content": "one\ntwo\n"})
    );
    assert!(chunks > 1, "the body arrived in several chunks");
    let sent = &mock.requests()[0].body;
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["messages"][0]["content"], "Write a.txt");
    assert_eq!(sent["tools"][0]["name"], "write_file");

    // A client that goes away mid-stream: the relay drops the upstream response.
    let mut response = http
        .post(format!("{url}/chat"))
        .body(json!({"prompt": "again"}).to_string())
        .send()
        .await
        .expect("the relay answers");
    response.chunk().await.expect("a first chunk");
    drop(response);
    assert!(
        mock.wait_for_cancelled_stream(Duration::from_secs(5)).await,
        "the mock saw its stream abandoned"
    );
    for _ in 0..100 {
        if stats.cancelled() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        (stats.started(), stats.finished(), stats.cancelled()),
        (2, 1, 1)
    );

    // A refusal keeps its status and body; a body without a prompt never goes upstream.
    let refused = http
        .post(format!("{url}/chat"))
        .body(json!({"prompt": "third"}).to_string())
        .send()
        .await
        .expect("the relay answers");
    assert_eq!(refused.status(), 529);
    assert!(refused.text().await.unwrap().contains("overloaded_error"));
    let requests = mock.requests().len();
    let bad = http
        .post(format!("{url}/chat"))
        .body("{\"question\": 1}")
        .send()
        .await
        .expect("the relay answers");
    assert_eq!(bad.status(), 400);
    assert_eq!(mock.requests().len(), requests, "nothing sent upstream");
    // Only the page's two files are served, and the folder here has none.
    let missing = http
        .get(format!("{url}/pkg/wasm_chat.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let other = http
        .get(format!("{url}/pkg/..%2FCargo.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("/pkg/wasm_chat.js"));
}
