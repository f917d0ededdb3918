//! A local mock of Anthropic's Messages API, over real HTTP on a loopback port, for tests in
//! any language.
//!
//! It serves `POST /v1/messages` (streaming and not), `POST /v1/messages/count_tokens`, the
//! Message Batches API (`/v1/messages/batches`, with the API's lifecycle: see
//! [`MockServer::set_batch_processing_time`] and [`MockServer::batch_outcome`]), the Files and
//! Models APIs, and the Vertex AI and Amazon Bedrock spellings of the Messages endpoints. A
//! rate-limit mode ([`MockServer::set_rate_limits`]) enforces per-window limits with 429s and
//! sends the `anthropic-ratelimit-*` headers.
//!
//! It checks headers and bodies the way the API does, with rules of its own written from the
//! API's documentation and from refusals recorded against the live API (a 400
//! `invalid_request_error` for a missing `max_tokens`, a misplaced `tool_result`, a strict tool
//! schema too complex to compile, …; a 404 `not_found_error` for a model the API does not
//! serve). It shares no code with any client, so a client tested against it meets an
//! independent oracle. It answers from a script ([`MockScript`]) or a recorded `.sse` file,
//! injects faults on request (see [`MockReply`]), and records requests so tests can look at
//! what was sent ([`MockServer::requests`]), or that nothing was.
//!
//! With nothing queued, a request that forces a tool (`tool_choice` `{"type": "tool", "name":
//! …}`, or `{"type": "any"}`: the first tool) is answered with a call of that tool,
//! `stop_reason: "tool_use"`, whose input is generated from the tool's `input_schema`:
//! required properties only, types, `enum`, `const`, `format` (date-time, date, time, email,
//! uri, uuid, hostname, ipv4, ipv6), `minLength`/`maxLength`, `minimum`/`maximum` (and the
//! exclusive forms, `multipleOf`), `minItems`/`maxItems`, `$ref` into `$defs`, the first
//! branch of `anyOf`/`oneOf`, `allOf` merged. Streamed, the input comes as the API sends it: a
//! `content_block_start` with `input: {}`, `input_json_delta` pieces, `content_block_stop`. A
//! request for native structured output (`output_config.format` `{"type": "json_schema",
//! "schema": …}`) gets JSON text generated from its schema. The same messages give the same
//! values. See [`default_reply`].
//!
//! Replies can also be scripted as data ([`ScriptedReply`]: one JSON object a reply, read
//! from JSONL), so tests in other languages can script them: the program takes a file
//! (`--script replies.jsonl`), and every server serves admin endpoints (the table of all
//! endpoints: [`MockServer::endpoints`]):
//!
//! | endpoint | does |
//! |---|---|
//! | `POST /mock/replies` | queues replies (a JSON object, an array, or JSONL); a bad one is a 400 `invalid_request_error` naming it |
//! | `DELETE /mock/replies` | drops the queued replies |
//! | `GET /mock/requests` | `{"data": [{"method", "path", "headers", "body"}, …], "count"}` |
//! | `DELETE /mock/requests` | forgets the requests received |
//!
//! Admin requests need no API key and are neither recorded nor counted.
//!
//! Web pages reach it as they reach the API: a request with an `Origin` needs the header
//! `anthropic-dangerous-direct-browser-access: true` (else a 401 `authentication_error` the
//! page cannot read), and then gets `Access-Control-Allow-Origin: *`; preflights (`OPTIONS`)
//! are answered for every endpoint. The admin endpoints are open to any page, so browser
//! tests can script replies and read requests.
//!
//! As a program, `cargo run -p chat-anthropic-mock -- --port 8080 --script replies.jsonl`
//! serves it to other languages' tests (`--help` lists the options and every endpoint).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), reqwest::Error> {
//! use chat_anthropic_mock::{MockReply, MockServer};
//! use serde_json::json;
//!
//! let server = MockServer::start().await;
//! server.enqueue(MockReply::text("Hello!"));
//! let post = |body: serde_json::Value| {
//!     reqwest::Client::new()
//!         .post(format!("{}/v1/messages", server.base_url()))
//!         .header("x-api-key", "any")
//!         .header("anthropic-version", "2023-06-01")
//!         .json(&body)
//!         .send()
//! };
//! let hi = json!([{"role": "user", "content": "Hi"}]);
//! let reply = post(json!({"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": hi})).await?;
//! let message: serde_json::Value = reply.json().await?;
//! assert_eq!(message["content"][0]["text"], "Hello!");
//! assert_eq!(server.requests()[0].body["messages"][0]["content"], "Hi");
//!
//! // A body the API refuses is answered as the API answers it.
//! let refused = post(json!({"model": "claude-sonnet-4-6", "messages": hi})).await?;
//! assert_eq!(refused.status(), 400);
//! let error: serde_json::Value = refused.json().await?;
//! assert_eq!(error["error"]["type"], "invalid_request_error");
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod admin;
mod batches;
#[cfg(feature = "bedrock")]
mod bedrock;
mod beta_rules;
mod body;
mod builder;
mod content_check;
mod cors;
mod echo;
mod faults;
mod files;
mod fold;
mod generate;
mod mcp_rules;
mod model_rules;
mod models;
mod models_api;
mod multi_turn;
mod prompt_cache;
mod rate_limit;
mod render;
mod replies;
mod reply;
mod request_log;
mod resources;
mod respond;
mod route;
mod routes;
mod schema_rules;
mod script;
mod serve;
mod signatures;
mod sse;
mod ui_demo;
mod validate;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

pub use batches::MockBatchOutcome;
#[cfg(feature = "bedrock")]
pub use bedrock::{bedrock_frame, bedrock_frames, MockAwsCredentials};
pub use builder::MockServerBuilder;
pub use echo::default_reply;
pub use multi_turn::{MockToolResult, MockTurn, MockTurns};
pub use rate_limit::MockRateLimits;
pub use replies::{RepliesError, ScriptedReply};
pub use reply::MockReply;
pub use request_log::RecordedRequest;
pub use routes::MockEndpoint;
pub use script::MockScript;
pub use ui_demo::ui_demo_reply;

use body::StreamStats;
use request_log::RequestLog;

/// Chooses the reply to a request when nothing is queued.
type Responder = Arc<dyn Fn(&RecordedRequest) -> MockReply + Send + Sync>;

/// The running server. Dropping it stops it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = chat_anthropic_mock::MockServer::start().await;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

pub(crate) struct Shared {
    queue: Mutex<VecDeque<MockReply>>,
    /// Replies waiting for a last user message that contains their text, in order.
    matched: Mutex<Vec<(String, MockReply)>>,
    responder: Mutex<Option<Responder>>,
    log: RequestLog,
    any_model: bool,
    counter: AtomicU64,
    connections: Arc<AtomicU64>,
    stats: Arc<StreamStats>,
    shutdown: watch::Receiver<bool>,
    cache: prompt_cache::PromptCache,
    signatures: signatures::IssuedSignatures,
    batches: batches::BatchStore,
    rate_limits: rate_limit::RateLimitState,
    files: files::FileStore,
    #[cfg(feature = "bedrock")]
    aws_credentials: Mutex<Option<MockAwsCredentials>>,
}

impl Shared {
    /// The first matching reply, else the queued one, else the responder's, else the echo.
    fn next_reply(&self, request: &RecordedRequest) -> MockReply {
        let mut matched = self.matched.lock().expect("not poisoned");
        if !matched.is_empty() {
            let said = echo::last_user_text(&request.body);
            if let Some(at) = matched
                .iter()
                .position(|(text, _)| said.contains(text.as_str()))
            {
                return matched.remove(at).1;
            }
        }
        drop(matched);
        if let Some(reply) = self.queue.lock().expect("not poisoned").pop_front() {
            return reply;
        }
        let responder = self.responder.lock().expect("not poisoned").clone();
        match responder {
            Some(responder) => responder(request),
            None => default_reply(request),
        }
    }
}

impl Shared {
    /// Queues a scripted reply: in order, or waiting for its text.
    fn enqueue(&self, reply: ScriptedReply) {
        match reply.into_parts() {
            (Some(text), reply) => self
                .matched
                .lock()
                .expect("not poisoned")
                .push((text, reply)),
            (None, reply) => self.queue.lock().expect("not poisoned").push_back(reply),
        }
    }

    /// How many replies are queued or waiting.
    fn pending(&self) -> usize {
        self.queue.lock().expect("not poisoned").len()
            + self.matched.lock().expect("not poisoned").len()
    }

    /// Drops every queued and waiting reply; returns how many there were.
    fn drop_queued(&self) -> usize {
        let dropped = self.pending();
        self.queue.lock().expect("not poisoned").clear();
        self.matched.lock().expect("not poisoned").clear();
        dropped
    }
}

impl MockServer {
    /// Starts a server on a free loopback port that knows the API's models.
    ///
    /// # Panics
    /// If no loopback port can be bound; [`try_start`](Self::try_start) returns the error.
    pub async fn start() -> Self {
        Self::try_start()
            .await
            .expect("mock server: cannot bind a loopback port")
    }

    /// Starts a server on a free loopback port, or says why it could not.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let server = chat_anthropic_mock::MockServer::try_start().await?;
    /// println!("a mock of the API at {}", server.base_url());
    /// # Ok(()) }
    /// ```
    pub async fn try_start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// A server with settings: address, models, request log.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address the server listens on.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// assert!(server.local_addr().ip().is_loopback());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's root URL (`http://127.0.0.1:port`), the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues the reply to the next request to `/v1/messages` (replies are used in order,
    /// before the responder).
    pub fn enqueue(&self, reply: MockReply) {
        self.shared
            .queue
            .lock()
            .expect("not poisoned")
            .push_back(reply);
    }

    /// Queues a reply for the first request to `/v1/messages` whose last user message contains
    /// `text` (its text blocks joined with spaces). Such replies are used once each, ahead of
    /// the replies queued in order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic_mock::{MockReply, MockServer};
    /// let server = MockServer::start().await;
    /// server.enqueue_when("weather", MockReply::text("Sunny."));
    /// # }
    /// ```
    pub fn enqueue_when(&self, text: impl Into<String>, reply: MockReply) {
        self.shared
            .enqueue(ScriptedReply::new(reply).when_last_user_message_contains(text));
    }

    /// Queues scripted replies, e.g. those of a JSONL file read with
    /// [`ScriptedReply::read_jsonl`] (what `--script` and `POST /mock/replies` do).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic_mock::{MockServer, ScriptedReply};
    /// let server = MockServer::start().await;
    /// server.enqueue_scripted(ScriptedReply::parse_jsonl(r#"{"text": "Hello!"}"#).unwrap());
    /// # }
    /// ```
    pub fn enqueue_scripted(&self, replies: impl IntoIterator<Item = ScriptedReply>) {
        for reply in replies {
            self.shared.enqueue(reply);
        }
    }

    /// Every endpoint the server serves (the router's own table: a request that matches
    /// none is a 404).
    pub fn endpoints() -> &'static [MockEndpoint] {
        routes::ENDPOINTS
    }

    /// Answers requests (when nothing is queued) with a function of the request. The
    /// default echoes the last user message: `Mock reply to: …`.
    pub fn set_responder(
        &self,
        responder: impl Fn(&RecordedRequest) -> MockReply + Send + Sync + 'static,
    ) {
        *self.shared.responder.lock().expect("not poisoned") = Some(Arc::new(responder));
    }

    /// Checks the SigV4 signature of every Bedrock request against these credentials (403
    /// `InvalidSignatureException` on a mismatch, as Bedrock answers). Without it, Bedrock
    /// requests need an `AWS4-HMAC-SHA256` authorization header but are not verified.
    #[cfg(feature = "bedrock")]
    pub fn set_aws_credentials(&self, credentials: MockAwsCredentials) {
        *self.shared.aws_credentials.lock().expect("not poisoned") = Some(credentials);
    }

    /// Stores a file as if the API had made it (e.g. an output of the code execution tool),
    /// so it can be downloaded; returns its id. Uploaded files, as with the API, cannot be.
    pub fn add_file(
        &self,
        filename: impl Into<String>,
        mime_type: impl Into<String>,
        content: impl Into<bytes::Bytes>,
    ) -> String {
        let metadata =
            self.shared
                .files
                .add(&filename.into(), &mime_type.into(), content.into(), true);
        metadata["id"].as_str().unwrap_or_default().to_owned()
    }

    /// The requests received so far, in order: all of them, or the latest
    /// [`request_log_limit`](MockServerBuilder::request_log_limit) ones.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.snapshot()
    }

    /// Forgets the requests received so far ([`request_count`](Self::request_count) goes on).
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// How many requests the server received in all, including those the log no longer keeps.
    pub fn request_count(&self) -> u64 {
        self.shared.counter.load(Ordering::SeqCst)
    }

    /// How many TCP connections clients opened so far (a client that reads each stream to
    /// its end reuses one connection for sequential requests).
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// How many response bodies the client abandoned before they ended (it closed the
    /// connection).
    pub fn cancelled_streams(&self) -> usize {
        self.shared.stats.cancelled.load(Ordering::SeqCst)
    }

    /// Waits until the client has abandoned at least one response body; `false` on timeout.
    pub async fn wait_for_cancelled_stream(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.shared.stats.changed.notified();
            if self.cancelled_streams() > 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.cancelled_streams() > 0;
            }
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("requests", &self.shared.log.len())
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}
