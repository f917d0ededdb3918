//! Hostile and broken servers, over real HTTP against raw loopback listeners: redirects,
//! stalled and huge bodies, responses that are not event streams, retry facts, secrets in
//! errors, streams that fail before content, and streams that only ping.
//!
//! Each test bounds itself in time (`within`), so a regression fails instead of hanging.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_anthropic::{
    error::ApiErrorKind, error::ConfigReason, error::TimeoutPhase, ChatAnthropic, Error,
    StreamEvent,
};
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Fails the test if `future` takes longer than `limit`.
async fn within<T>(limit: Duration, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, future)
        .await
        .unwrap_or_else(|_| panic!("no result within {limit:?}"))
}

/// What one connection answers, given the socket after the request was read.
type Handler = Box<dyn FnOnce(TcpStream) -> BoxFuture<'static, ()> + Send>;

/// A request as the server received it.
#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// A loopback server answering the n-th connection with the n-th handler (later ones are
/// closed at once).
struct Raw {
    base_url: String,
    requests: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

impl Raw {
    async fn start(handlers: Vec<Handler>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (requests.clone(), connections.clone());
        tokio::spawn(async move {
            let mut handlers = handlers.into_iter();
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let handler = handlers.next();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else {
                        return;
                    };
                    seen.lock().unwrap().push(request);
                    if let Some(handler) = handler {
                        handler(socket).await;
                    }
                });
            }
        });
        Self {
            base_url,
            requests,
            connections,
        }
    }

    fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 || buffer.len() > 1 << 20 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let received = Received {
        head,
        body: Vec::new(),
    };
    let length: usize = received
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let read = socket.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Received { body, ..received })
}

/// Writes `bytes`, then closes the connection.
fn reply(bytes: impl Into<Vec<u8>>) -> Handler {
    let bytes = bytes.into();
    Box::new(move |mut socket| {
        async move {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
        .boxed()
    })
}

/// Writes `bytes`, then keeps the connection open without a word for `hold`.
fn reply_then_stall(bytes: impl Into<Vec<u8>>, hold: Duration) -> Handler {
    let bytes = bytes.into();
    Box::new(move |mut socket| {
        async move {
            let _ = socket.write_all(&bytes).await;
            tokio::time::sleep(hold).await;
        }
        .boxed()
    })
}

/// A response head with `status`, `headers` and, when given, a content length.
fn head(status: &str, headers: &[(&str, &str)], length: Option<usize>) -> String {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = length {
        out.push_str(&format!("content-length: {length}\r\n"));
    }
    out + "\r\n"
}

/// A complete response with `body`.
fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    head(status, headers, Some(body.len())) + body
}

fn api_error_body(kind: &str, message: &str) -> String {
    format!(
        r#"{{"type":"error","error":{{"type":"{kind}","message":"{message}"}},"request_id":"req_1"}}"#
    )
}

fn event(name: &str, data: &str) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

const MESSAGE_START: &str = r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#;

fn message_start() -> String {
    event("message_start", MESSAGE_START)
}

fn text_start() -> String {
    event(
        "content_block_start",
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    )
}

fn text_delta(text: &str) -> String {
    event(
        "content_block_delta",
        &format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{text}"}}}}"#
        ),
    )
}

fn ping() -> String {
    event("ping", r#"{"type":"ping"}"#)
}

fn error_event(kind: &str) -> String {
    event(
        "error",
        &format!(r#"{{"type":"error","error":{{"type":"{kind}","message":"busy"}}}}"#),
    )
}

/// A whole text reply as SSE.
fn text_stream(text: &str) -> String {
    [
        message_start(),
        text_start(),
        ping(),
        text_delta(text),
        event(
            "content_block_stop",
            r#"{"type":"content_block_stop","index":0}"#,
        ),
        event(
            "message_delta",
            r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}"#,
        ),
        event("message_stop", r#"{"type":"message_stop"}"#),
    ]
    .concat()
}

/// A 200 event-stream response head (no length: the body ends when the connection closes).
fn sse_head() -> String {
    head("200 OK", &[("content-type", "text/event-stream")], None)
}

/// What `invoke("Hi")` fails with (within 20 s).
async fn invoke_err(llm: ChatAnthropic) -> Error {
    within(Duration::from_secs(20), llm.invoke("Hi"))
        .await
        .unwrap_err()
}

/// What `count_tokens("Hi")` fails with (within 20 s).
async fn count_tokens_err(llm: ChatAnthropic) -> Error {
    within(Duration::from_secs(20), llm.count_tokens("Hi"))
        .await
        .unwrap_err()
}

fn model(base_url: &str) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(base_url)
        .api_key("sk-hostile-test-key")
        .max_retries(0)
        .timeout(Duration::from_secs(5))
}

// ---- 1. Redirects ------------------------------------------------------------------------

/// A server that answers every request with `status` pointing at `elsewhere`.
async fn redirecting(status: &str, elsewhere: &Raw) -> Raw {
    let location = format!("{}/v1/messages?token=leak", elsewhere.base_url);
    let answer = response(status, &[("location", &location)], "");
    Raw::start(vec![reply(answer.clone()), reply(answer)]).await
}

fn assert_redirect(err: &Error, status: u16, other: &Raw) {
    let Error::Redirect(redirect) = err else {
        panic!("expected a redirect error, got {err:?}")
    };
    assert_eq!(redirect.status(), status);
    assert_eq!(
        redirect.location(),
        Some(format!("{}/v1/messages", other.base_url).as_str()),
        "the location, without its query"
    );
    assert_eq!(err.status(), Some(status));
    assert!(!err.is_retryable());
    assert_eq!(
        other.connections.load(Ordering::SeqCst),
        0,
        "the other origin received nothing (no key, no body)"
    );
}

#[tokio::test]
async fn the_raw_server_reads_whole_requests() {
    let server = Raw::start(vec![reply(text_stream_response("ok"))]).await;
    model(&server.base_url).invoke("Hi").await.unwrap();
    assert_eq!(server.requests()[0].json()["messages"][0]["content"], "Hi");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_status_and_location() {
    for (status, code) in [
        ("307 Temporary Redirect", 307),
        ("308 Permanent Redirect", 308),
        ("302 Found", 302),
    ] {
        let other = Raw::start(vec![]).await;
        let server = redirecting(status, &other).await;
        let err = invoke_err(model(&server.base_url)).await;
        assert_redirect(&err, code, &other);
        assert!(err.to_string().contains(&code.to_string()), "{err}");
    }
}

#[tokio::test]
async fn vertex_does_not_follow_a_redirect() {
    let other = Raw::start(vec![]).await;
    let server = redirecting("307 Temporary Redirect", &other).await;
    let llm = model(&server.base_url)
        .vertex("us-east5", "proj")
        .vertex_access_token("ya29.secret");
    let err = invoke_err(llm).await;
    assert_redirect(&err, 307, &other);
}

#[cfg(feature = "bedrock")]
#[tokio::test]
async fn bedrock_does_not_follow_a_redirect() {
    let other = Raw::start(vec![]).await;
    let server = redirecting("307 Temporary Redirect", &other).await;
    let llm = model(&server.base_url)
        .bedrock("us-east-1")
        .aws_credentials(chat_anthropic::bedrock::AwsCredentials::new(
            "AKID", "secret",
        ));
    let err = invoke_err(llm).await;
    assert_redirect(&err, 307, &other);
}

// ---- 2, 3. Error bodies: stalled, huge ----------------------------------------------------

#[tokio::test]
async fn an_error_body_that_stalls_ends_at_the_idle_timeout() {
    // A 529 announcing 1000 bytes that sends 16 and then nothing.
    let stalled = head(
        "529 Overloaded",
        &[("content-type", "application/json")],
        Some(1000),
    ) + r#"{"type":"error","#;
    let server = Raw::start(vec![reply_then_stall(stalled, Duration::from_secs(60))]).await;
    let started = Instant::now();
    let err = invoke_err(model(&server.base_url).timeout(Duration::from_millis(300))).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.status(), Some(529), "{err:?}");
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(err.to_string().contains("could not be read"), "{err}");
}

#[tokio::test]
async fn a_count_tokens_body_that_stalls_ends_at_the_idle_timeout() {
    let stalled =
        head("200 OK", &[("content-type", "application/json")], Some(100)) + r#"{"input_"#;
    let server = Raw::start(vec![reply_then_stall(stalled, Duration::from_secs(60))]).await;
    let err = count_tokens_err(model(&server.base_url).timeout(Duration::from_millis(300))).await;
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Body), "{err:?}");
}

/// Answers with `head` and then up to 256 MiB of body, counting what it managed to write
/// before the client hung up.
fn huge_body(head: String, written: Arc<AtomicUsize>) -> Handler {
    Box::new(move |mut socket| {
        async move {
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..4096 {
                match socket.write_all(&chunk).await {
                    Ok(()) => written.fetch_add(chunk.len(), Ordering::SeqCst),
                    Err(_) => return,
                };
            }
        }
        .boxed()
    })
}

const HUGE: usize = 256 << 20;

/// Serves `head` and a 256 MiB body to what `call` sends; returns the error it got and how
/// much the server managed to write before the client hung up.
async fn against_a_huge_body<T: std::fmt::Debug, F: Future<Output = Result<T, Error>>>(
    head: String,
    call: impl FnOnce(ChatAnthropic) -> F,
) -> (Error, usize) {
    let written = Arc::new(AtomicUsize::new(0));
    let server = Raw::start(vec![huge_body(head, written.clone())]).await;
    let err = within(Duration::from_secs(20), call(model(&server.base_url)))
        .await
        .unwrap_err();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let written = written.load(Ordering::SeqCst);
    assert!(
        written < 32 << 20,
        "the client stopped reading early; the server wrote {written} bytes"
    );
    (err, written)
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_to_a_bound() {
    let head = head(
        "500 Internal Server Error",
        &[("content-type", "text/plain")],
        Some(HUGE),
    );
    let (err, _) = against_a_huge_body(head, |llm| async move { llm.invoke("Hi").await }).await;
    assert_eq!(err.status(), Some(500));
    assert!(err.to_string().len() < 2000, "the message is shortened");
}

#[tokio::test]
async fn a_huge_count_tokens_body_is_read_only_to_a_bound() {
    let head = head(
        "200 OK",
        &[("content-type", "application/json")],
        Some(HUGE),
    );
    let (err, _) =
        against_a_huge_body(head, |llm| async move { llm.count_tokens("Hi").await }).await;
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

// ---- 9. A 200 that is not an event stream --------------------------------------------------

#[tokio::test]
async fn a_200_that_is_not_an_event_stream_names_its_type_and_keeps_the_body_start() {
    let html = format!(
        "<html><body>Proxy login required{}</body></html>",
        "!".repeat(5000)
    );
    let cases = [
        response(
            "200 OK",
            &[("content-type", "text/html; charset=utf-8")],
            &html,
        ),
        response(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"id":"msg_1","content":[]}"#,
        ),
        response(
            "200 OK",
            &[
                ("content-type", "text/event-stream"),
                ("content-encoding", "br"),
            ],
            "\u{1b}\u{0}garbled",
        ),
    ];
    for (case, answer) in cases.into_iter().enumerate() {
        let server = Raw::start(vec![reply(answer)]).await;
        let err = invoke_err(model(&server.base_url)).await;
        let Error::NotEventStream(response) = &err else {
            panic!("case {case}: {err:?}")
        };
        assert_eq!(response.status(), 200);
        match case {
            0 => {
                assert_eq!(response.content_type(), Some("text/html; charset=utf-8"));
                assert!(response
                    .body_start()
                    .starts_with("<html><body>Proxy login required"));
                assert_eq!(response.body_start().len(), 1024, "the first KiB");
                assert!(err.to_string().contains("text/html"), "{err}");
            }
            1 => assert!(response.body_start().contains("msg_1")),
            _ => assert_eq!(response.content_encoding(), Some("br")),
        }
    }
}

// ---- 11. Retry facts ---------------------------------------------------------------------

#[tokio::test]
async fn x_should_retry_is_what_the_client_does_and_what_the_error_says() {
    let no = response(
        "500 Internal Server Error",
        &[
            ("x-should-retry", "false"),
            ("content-type", "application/json"),
        ],
        &api_error_body("api_error", "do not retry"),
    );
    let server = Raw::start(vec![reply(no), reply(text_stream_response("unwanted"))]).await;
    let err = model(&server.base_url)
        .max_retries(2)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1, "not retried");
    assert!(!err.is_retryable(), "the error agrees with the client");

    let yes = response(
        "400 Bad Request",
        &[("x-should-retry", "true"), ("retry-after-ms", "10")],
        &api_error_body("invalid_request_error", "try again"),
    );
    let server = Raw::start(vec![reply(yes.clone()), reply(yes)]).await;
    let err = model(&server.base_url)
        .max_retries(1)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 2, "retried as the server asked");
    assert!(err.is_retryable());
}

fn text_stream_response(text: &str) -> String {
    sse_head() + &text_stream(text)
}

#[tokio::test]
async fn a_long_retry_after_is_reported_as_sent() {
    let limited = response(
        "429 Too Many Requests",
        &[("retry-after", "3600")],
        &api_error_body("rate_limit_error", "slow down"),
    );
    let server = Raw::start(vec![reply(limited)]).await;
    let err = model(&server.base_url).invoke("Hi").await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(err.request_id(), Some("req_1"));
}

#[tokio::test]
async fn a_malformed_url_is_a_configuration_error_and_not_retried() {
    let started = Instant::now();
    let err = ChatAnthropic::new("claude-sonnet-4-6")
        .api_key("k")
        .base_url("http://[not-a-host/")
        .max_retries(3)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(
        err.config_reason(),
        Some(ConfigReason::InvalidSetting),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "no back-off slept"
    );
}

// ---- 12, 14. Secrets and root causes in errors ----------------------------------------------

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_refused_connection_says_why_once_and_hides_url_secrets() {
    let base = format!(
        "http://user:hunter2@127.0.0.1:{}/?key=sk-in-query",
        closed_port()
    );
    let llm = model(&base).default_header("x-proxy-token", "tok-secret");
    let err = llm.invoke("Hi").await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("{err:?}")
    };
    assert!(transport.is_connect());
    let text = err.to_string();
    assert!(text.to_lowercase().contains("connection refused"), "{text}");
    for secret in [
        "hunter2",
        "sk-in-query",
        "tok-secret",
        "sk-hostile-test-key",
    ] {
        let shown = format!("{text} {err:?} {llm:?}");
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(
        !format!("{text} {err:?}").contains("user@"),
        "no user-info in errors"
    );
    // A printed chain (message, then each source) states the cause once.
    let mut chain = vec![text.clone()];
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let refused = chain
        .join(" <- ")
        .to_lowercase()
        .matches("connection refused")
        .count();
    assert_eq!(refused, 1, "{chain:?}");
}

#[tokio::test]
async fn secrets_stay_out_of_the_serialized_config() {
    let llm =
        model("https://user:hunter2@proxy.example").default_header("x-proxy-token", "tok-secret");
    let saved = serde_json::to_string(llm.config()).unwrap();
    assert!(
        !saved.contains("hunter2") && !saved.contains("tok-secret"),
        "{saved}"
    );
    let restored: chat_anthropic::settings::ChatAnthropicConfig =
        serde_json::from_str(&saved).unwrap();
    assert!(
        restored.default_headers.is_empty(),
        "a redacted value is not read back as a value"
    );
}

// ---- Connection phase ------------------------------------------------------------------

#[tokio::test]
async fn a_connection_that_never_completes_is_a_connect_timeout() {
    // A listener whose accept queue is full and never drained: the kernel drops further
    // connection attempts, so connecting hangs.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(Ok(stream)) =
            tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await
        {
            fillers.push(stream);
        }
    }
    let err =
        invoke_err(model(&format!("http://{addr}")).connect_timeout(Duration::from_millis(300)))
            .await;
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Connect), "{err:?}");
    assert!(err.is_retryable());
    drop((listener, fillers));
}

#[tokio::test]
async fn response_headers_that_never_come_are_a_header_timeout() {
    let server = Raw::start(vec![reply_then_stall("", Duration::from_secs(60))]).await;
    let err = invoke_err(model(&server.base_url).timeout(Duration::from_millis(300))).await;
    assert_eq!(
        err.timeout_phase(),
        Some(TimeoutPhase::ResponseHeaders),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

// ---- 15. Bedrock signs each attempt; futures are Send ---------------------------------------

#[cfg(feature = "bedrock")]
#[tokio::test]
async fn bedrock_signs_each_attempt_afresh() {
    let busy = response(
        "529 Overloaded",
        &[
            ("retry-after-ms", "1100"),
            ("content-type", "application/json"),
        ],
        r#"{"message":"busy"}"#,
    );
    let refused = response("400 Bad Request", &[], r#"{"message":"stop here"}"#);
    let server = Raw::start(vec![reply(busy), reply(refused)]).await;
    let llm = model(&server.base_url)
        .max_retries(1)
        .bedrock("us-east-1")
        .aws_credentials(chat_anthropic::bedrock::AwsCredentials::new(
            "AKID", "secret",
        ));
    let err = invoke_err(llm).await;
    assert_eq!(err.status(), Some(400), "{err:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let stamp = |n: usize| {
        (
            requests[n].header("x-amz-date"),
            requests[n].header("authorization"),
        )
    };
    assert!(stamp(0).0.is_some());
    assert_ne!(
        stamp(0),
        stamp(1),
        "the retry carries its own date and signature"
    );
}

#[test]
fn the_client_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let llm = ChatAnthropic::new("claude-sonnet-4-6");
    send(llm.invoke("Hi"));
    send(llm.stream("Hi"));
    send(llm.count_tokens("Hi"));
}

// ---- Beyond: re-send before content -------------------------------------------------------

#[tokio::test]
async fn an_error_event_before_content_is_re_sent_transparently() {
    let failing =
        sse_head() + &message_start() + &text_start() + &ping() + &error_event("overloaded_error");
    let server = Raw::start(vec![reply(failing), reply(text_stream_response("second"))]).await;
    let llm = model(&server.base_url).max_retries(1);
    let mut stream = within(Duration::from_secs(10), llm.stream("Hi"))
        .await
        .unwrap();
    let mut starts = 0;
    while let Some(event) = within(Duration::from_secs(10), stream.next()).await {
        if let StreamEvent::MessageStart(_) = event.unwrap() {
            starts += 1;
        }
    }
    assert_eq!(starts, 1, "the caller sees one message");
    assert_eq!(stream.partial_message().text(), "second");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_connection_dropped_after_message_start_is_re_sent() {
    let dropped = sse_head() + &message_start();
    let server = Raw::start(vec![reply(dropped), reply(text_stream_response("again"))]).await;
    let reply = within(
        Duration::from_secs(10),
        model(&server.base_url).max_retries(1).invoke("Hi"),
    )
    .await
    .unwrap();
    assert_eq!(reply.text(), "again");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn nothing_is_re_sent_once_content_was_yielded() {
    let failing = sse_head()
        + &message_start()
        + &text_start()
        + &text_delta("Hel")
        + &error_event("overloaded_error");
    let server = Raw::start(vec![
        reply(failing),
        reply(text_stream_response("billed twice")),
    ])
    .await;
    let err = invoke_err(model(&server.base_url).max_retries(2)).await;
    assert_eq!(err.partial_message().unwrap().text(), "Hel");
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Overloaded));
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn re_sending_can_be_turned_off_and_stays_within_max_retries() {
    let failing = || reply(sse_head() + &message_start() + &error_event("api_error"));
    let server = Raw::start(vec![failing(), failing()]).await;
    let err = model(&server.base_url)
        .max_retries(3)
        .retry_before_content(false)
        .invoke("Hi")
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(
        err.is_retryable(),
        "no content arrived: the caller may re-send"
    );
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Api));

    let server = Raw::start(vec![failing(), failing(), failing(), failing()]).await;
    let err = invoke_err(model(&server.base_url).max_retries(2)).await;
    assert_eq!(
        server.requests().len(),
        3,
        "one attempt and max_retries re-sends"
    );
    assert_eq!(err.api_kind(), Some(&ApiErrorKind::Api));
    assert!(err.partial_message().is_some());
}

// ---- Beyond: the stall watchdog -------------------------------------------------------------

/// Writes `bytes`, then a ping every 50 ms until the client hangs up (at most ~60 s).
fn reply_then_ping(bytes: String) -> Handler {
    Box::new(move |mut socket| {
        async move {
            if socket.write_all(bytes.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..1200 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if socket.write_all(ping().as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        .boxed()
    })
}

#[tokio::test]
async fn pings_forever_after_content_hit_the_stall_watchdog_with_the_partial() {
    let start = sse_head() + &message_start() + &text_start() + &text_delta("Hel");
    let server = Raw::start(vec![reply_then_ping(start)]).await;
    let llm = model(&server.base_url)
        .max_retries(2)
        .timeout(Duration::from_secs(5))
        .stall_timeout(Duration::from_millis(400));
    let err = invoke_err(llm).await;
    assert_eq!(err.timeout_phase(), Some(TimeoutPhase::Content), "{err:?}");
    assert_eq!(err.partial_message().unwrap().text(), "Hel");
    assert_eq!(
        server.requests().len(),
        1,
        "content had arrived: not re-sent"
    );
}

#[tokio::test]
async fn pings_forever_before_content_are_re_sent_then_reported() {
    let start = sse_head() + &message_start();
    let server = Raw::start(vec![
        reply_then_ping(start.clone()),
        reply(text_stream_response("after the stall")),
    ])
    .await;
    let llm = model(&server.base_url)
        .max_retries(1)
        .stall_timeout(Duration::from_millis(300));
    let reply = within(Duration::from_secs(10), llm.invoke("Hi"))
        .await
        .unwrap();
    assert_eq!(reply.text(), "after the stall");
    assert_eq!(server.requests().len(), 2);
}

/// A subscriber that only tracks which spans this thread has entered.
struct EnteredSpans;

thread_local! {
    static ENTERED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl tracing::Subscriber for EnteredSpans {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        tracing::span::Id::from_u64(NEXT.fetch_add(1, Ordering::SeqCst) as u64)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, span: &tracing::span::Id) {
        ENTERED.with(|entered| entered.borrow_mut().push(span.into_u64()));
    }
    fn exit(&self, span: &tracing::span::Id) {
        ENTERED.with(|entered| entered.borrow_mut().retain(|id| *id != span.into_u64()));
    }
}

#[test]
fn the_request_span_is_not_left_entered_while_the_request_waits() {
    // The server runs on its own runtime; the client is polled on this thread.
    let server_runtime = tokio::runtime::Runtime::new().unwrap();
    let server = server_runtime.block_on(Raw::start(vec![reply_then_stall(
        "",
        Duration::from_secs(60),
    )]));
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let llm = model(&server.base_url);
    tracing::subscriber::with_default(EnteredSpans, || {
        client_runtime.block_on(async {
            let mut waiting = Box::pin(llm.stream("Hi"));
            let pending = tokio::time::timeout(Duration::from_millis(300), &mut waiting).await;
            assert!(pending.is_err(), "the server never answers");
            let entered = ENTERED.with(|entered| entered.borrow().clone());
            assert!(
                entered.is_empty(),
                "a span stayed entered across an await: {entered:?}"
            );
        })
    });
}
