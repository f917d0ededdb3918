//! A local mock of the Messages API, over real HTTP on a loopback port.
//!
//! It serves `POST /v1/messages` (streaming and not), `POST /v1/messages/count_tokens` and
//! the Message Batches API (`/v1/messages/batches`, with the API's lifecycle: see
//! [`MockServer::set_batch_processing_time`] and [`MockServer::batch_outcome`]); a
//! rate-limit mode ([`MockServer::set_rate_limits`]) enforces per-window limits with 429s and
//! sends the `anthropic-ratelimit-*` headers. It
//! checks headers and bodies the way the API does (a 400 `invalid_request_error` for a
//! missing `max_tokens`, empty `messages`, a misplaced `tool_result`, …; a 404
//! `not_found_error` for a model the API does not serve), answers from a script or a recorded
//! `.sse` file, injects faults on request (see [`MockReply`]), and records requests so tests
//! can look at what was sent. The offline examples, the doc tests and the integration tests
//! all run against it; `cargo run --example mock_server` serves it to other languages' tests.
//!
//! Not in the default build: enable the `mock` feature, e.g. for your tests only:
//! `chat-anthropic = { version = "0.1", features = ["mock"] }` under `[dev-dependencies]`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::mock::{MockReply, MockServer};
//! use chat_anthropic::ChatAnthropic;
//!
//! let server = MockServer::start().await;
//! server.enqueue(MockReply::error(529, "overloaded_error", "Overloaded").header("retry-after-ms", "10"));
//! server.enqueue(MockReply::text("Hello!"));
//! let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("test");
//! assert_eq!(llm.invoke("Hi").await?.text(), "Hello!");
//! assert_eq!(server.requests().len(), 2); // the 529 was retried
//! # Ok(()) }
//! ```

mod batches;
#[cfg(feature = "bedrock")]
mod bedrock;
mod beta_rules;
mod body;
mod builder;
mod content_check;
mod demo;
mod echo;
mod faults;
mod files;
mod model_rules;
mod models;
mod models_api;
mod multi_turn;
mod prompt_cache;
mod rate_limit;
mod render;
mod reply;
mod request_log;
mod resources;
mod respond;
mod route;
mod schema_rules;
mod script;
mod serve;
mod signatures;
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
pub use bedrock::{bedrock_frame, bedrock_frames};
pub use builder::MockServerBuilder;
pub use demo::real_or_mock;
pub use echo::default_reply;
pub use multi_turn::{MockToolResult, MockTurn, MockTurns};
pub use rate_limit::MockRateLimits;
pub use reply::MockReply;
pub use request_log::RecordedRequest;
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
/// let server = chat_anthropic::mock::MockServer::start().await;
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
    aws_credentials: Mutex<Option<crate::bedrock::AwsCredentials>>,
}

impl Shared {
    /// The queued reply, else the responder's, else the echo.
    fn next_reply(&self, request: &RecordedRequest) -> MockReply {
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
    /// let server = chat_anthropic::mock::MockServer::try_start().await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub async fn try_start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// A server with settings: address, models, request log.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use chat_anthropic::mock::MockServer;
    /// let server = MockServer::builder().any_model(true).request_log_limit(100).start().await?;
    /// let llm = chat_anthropic::ChatAnthropic::new("my-fine-tune").base_url(server.base_url()).api_key("k");
    /// assert_eq!(llm.invoke("Hi").await?.text(), "Mock reply to: Hi");
    /// # Ok(()) }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The address the server listens on.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = chat_anthropic::mock::MockServer::start().await;
    /// assert!(server.local_addr().ip().is_loopback());
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to pass to [`ChatAnthropic::base_url`](crate::ChatAnthropic::base_url).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues the reply to the next request to `/v1/messages` (replies are used in order,
    /// before the responder).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::mock::{MockReply, MockScript, MockServer};
    /// let server = MockServer::start().await;
    /// server.enqueue(MockReply::script(
    ///     MockScript::new().tool_use("toolu_1", "get_weather", serde_json::json!({"location": "Paris"})),
    /// ));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// let reply = llm.invoke("Weather in Paris?").await?;
    /// assert_eq!(reply.tool_calls[0].args["location"], "Paris");
    /// # Ok(()) }
    /// ```
    pub fn enqueue(&self, reply: MockReply) {
        self.shared
            .queue
            .lock()
            .expect("not poisoned")
            .push_back(reply);
    }

    /// Answers requests (when nothing is queued) with a function of the request. The
    /// default echoes the last user message: `Mock reply to: …`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::mock::{MockReply, MockServer};
    /// let server = MockServer::start().await;
    /// server.set_responder(|request| {
    ///     let model = request.body["model"].as_str().unwrap_or_default();
    ///     MockReply::text(format!("I am {model}"))
    /// });
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-haiku-4-5").base_url(server.base_url()).api_key("k");
    /// assert_eq!(llm.invoke("Who are you?").await?.text(), "I am claude-haiku-4-5");
    /// # Ok(()) }
    /// ```
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
    pub fn set_aws_credentials(&self, credentials: crate::bedrock::AwsCredentials) {
        *self.shared.aws_credentials.lock().expect("not poisoned") = Some(credentials);
    }

    /// Stores a file as if the API had made it (e.g. an output of the code execution tool),
    /// so it can be downloaded; returns its id. Uploaded files, as with the API, cannot be.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// let server = chat_anthropic::mock::MockServer::start().await;
    /// let id = server.add_file("out.txt", "text/plain", "done");
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// assert_eq!(llm.files().retrieve_metadata(&id).await?.downloadable, Some(true));
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// let server = chat_anthropic::mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// llm.invoke("Hi").await?;
    /// server.clear_requests();
    /// assert!(server.requests().is_empty());
    /// assert_eq!(server.request_count(), 1);
    /// # Ok(()) }
    /// ```
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    /// How many requests the server received in all, including those the log no longer keeps.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = chat_anthropic::mock::MockServer::builder().request_log_limit(1).start().await?;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// llm.invoke("One").await?;
    /// llm.invoke("Two").await?;
    /// assert_eq!((server.request_count(), server.requests().len()), (2, 1));
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use std::time::Duration;
    /// use chat_anthropic::mock::{MockReply, MockServer};
    /// use futures_util::StreamExt;
    /// let server = MockServer::start().await;
    /// server.enqueue(MockReply::text("a slow reply").delay(Duration::from_millis(50)));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// let mut stream = llm.stream("Hi").await?;
    /// stream.next().await;
    /// drop(stream);
    /// assert!(server.wait_for_cancelled_stream(Duration::from_secs(5)).await);
    /// # Ok(()) }
    /// ```
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
