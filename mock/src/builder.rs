//! Settings for a mock server, and starting it: binding the address, the shared state, the
//! axum app on a task of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::request_log::RequestLog;
use super::{serve, MockServer, Shared};

/// Settings for a [`MockServer`]: where it listens, which models it accepts, how many
/// requests it remembers. [`MockServer::start`] uses the defaults.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `start`"]
pub struct MockServerBuilder {
    host: String,
    port: u16,
    any_model: bool,
    request_log_limit: Option<usize>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            any_model: false,
            request_log_limit: None,
        }
    }
}

impl MockServerBuilder {
    /// The address to listen on (default `127.0.0.1`; `0.0.0.0` to be reachable from other
    /// machines or containers).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let server = chat_anthropic_mock::MockServer::builder().host("127.0.0.1").port(0).start().await?;
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// The port (default 0: a free port, see [`MockServer::base_url`]). A port in use is an
    /// `AddrInUse` error from [`start`](Self::start).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts any model name. By default a model the API does not serve is refused as the
    /// API refuses it: a 404 `not_found_error` with the message `model: <name>`.
    pub fn any_model(mut self, any: bool) -> Self {
        self.any_model = any;
        self
    }

    /// Keeps only the latest `limit` requests for [`MockServer::requests`] (default: all of
    /// them; a server that runs for long should bound it). See
    /// [`MockServer::request_count`] for an example.
    pub fn request_log_limit(mut self, limit: usize) -> Self {
        self.request_log_limit = Some(limit);
        self
    }

    /// Starts the server (see [`MockServer::builder`]).
    pub async fn start(self) -> std::io::Result<MockServer> {
        let settings = self;
        let listener =
            tokio::net::TcpListener::bind((settings.host.as_str(), settings.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            queue: Mutex::default(),
            matched: Mutex::default(),
            responder: Mutex::default(),
            log: RequestLog::new(settings.request_log_limit),
            any_model: settings.any_model,
            counter: AtomicU64::new(0),
            connections: Arc::default(),
            stats: Arc::default(),
            shutdown,
            cache: Default::default(),
            signatures: Default::default(),
            batches: Default::default(),
            rate_limits: Default::default(),
            files: Default::default(),
            #[cfg(feature = "bedrock")]
            aws_credentials: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(serve::handle)
            .with_state(shared.clone());
        // Without TCP_NODELAY, Nagle's algorithm holds each small SSE event until the client
        // ACKs the last one, and delayed ACKs turn that into ~40 ms stalls per stream.
        let connections = shared.connections.clone();
        let listener = axum::serve::ListenerExt::tap_io(listener, move |tcp| {
            connections.fetch_add(1, Ordering::SeqCst);
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(target: "chat_anthropic_mock", %err, "TCP_NODELAY not set");
            }
        });
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!(target: "chat_anthropic_mock", %err, "mock server stopped");
            }
        });
        Ok(MockServer {
            addr,
            shared,
            stop,
            task,
        })
    }
}
