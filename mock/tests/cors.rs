//! Requests from web pages: the preflight, a page's request refused without the opt-in header
//! (`anthropic-dangerous-direct-browser-access`), readable with it, the admin endpoints open to
//! any page, and a server's request (no `Origin`) untouched; over real HTTP on 127.0.0.1.

use std::time::Duration;

use chat_anthropic_mock::{MockReply, MockServer};
use serde_json::{json, Value};

const PAGE: &str = "http://127.0.0.1:9999";
const OPT_IN: &str = "anthropic-dangerous-direct-browser-access";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn hello() -> Value {
    json!({"model": "claude-sonnet-4-6", "max_tokens": 64,
           "messages": [{"role": "user", "content": "Hi"}]})
}

fn messages(server: &MockServer) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", "test")
        .header("anthropic-version", "2023-06-01")
        .json(&hello())
}

#[tokio::test]
async fn a_preflight_allows_the_methods_of_the_path_and_the_headers_asked_for() {
    let server = MockServer::start().await;
    let asked = format!("content-type,x-api-key,anthropic-version,{OPT_IN}");
    let answer = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/messages", server.base_url()),
        )
        .header("origin", PAGE)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", &asked)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    let header = |name: &str| answer.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("access-control-allow-origin"), "*");
    assert_eq!(header("access-control-allow-methods"), "POST");
    assert_eq!(header("access-control-allow-headers"), asked);
    assert!(header("access-control-max-age").parse::<u32>().unwrap() > 0);
    assert!(server.requests().is_empty(), "a preflight is not a request");

    // A path the API does not serve gets no preflight answer.
    let unknown = client()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/unknown", server.base_url()),
        )
        .header("origin", PAGE)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(!unknown.status().is_success());
    assert!(!unknown
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn a_pages_request_without_the_opt_in_header_is_refused_unreadably() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("never sent"));
    let refused = messages(&server)
        .header("origin", PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin"),
        "the page cannot read the refusal"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["type"], "authentication_error");
    assert_eq!(
        body["error"]["message"],
        format!("CORS requests must set '{OPT_IN}' header")
    );
    // The queued reply was not spent.
    let served = messages(&server).send().await.unwrap();
    let message: Value = served.json().await.unwrap();
    assert_eq!(message["content"][0]["text"], "never sent");
}

#[tokio::test]
async fn with_the_header_the_page_may_read_the_reply_and_its_headers() {
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("Hello, page"));
    let reply = messages(&server)
        .header("origin", PAGE)
        .header(OPT_IN, "true")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["access-control-allow-origin"], "*");
    assert_eq!(reply.headers()["access-control-expose-headers"], "*");
    let message: Value = reply.json().await.unwrap();
    assert_eq!(message["content"][0]["text"], "Hello, page");
    assert_eq!(server.requests()[0].headers[OPT_IN], "true");

    // An error the API sends is readable too.
    let refused = client()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", "test")
        .header("anthropic-version", "2023-06-01")
        .header("origin", PAGE)
        .header(OPT_IN, "true")
        .json(&json!({"model": "claude-sonnet-4-6", "messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn the_admin_endpoints_are_open_to_pages_and_servers_get_no_cors_headers() {
    let server = MockServer::start().await;
    let requests = client()
        .get(format!("{}/mock/requests", server.base_url()))
        .header("origin", PAGE)
        .send()
        .await
        .unwrap();
    assert_eq!(requests.status(), 200);
    assert_eq!(requests.headers()["access-control-allow-origin"], "*");

    let from_a_server = messages(&server).send().await.unwrap();
    assert_eq!(from_a_server.status(), 200);
    assert!(!from_a_server
        .headers()
        .contains_key("access-control-allow-origin"));
}
