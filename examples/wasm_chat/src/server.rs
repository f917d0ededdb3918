//! The native half: an axum app that serves the page (`static/index.html` and the
//! `wasm-bindgen` output) and relays `POST /chat` to the Messages API as the raw event
//! stream, so the API key stays on the server; and [`build_page`], which compiles the page
//! to WebAssembly and runs `wasm-bindgen` on it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde_json::{json, Value};

/// The page, served as is; it loads `/pkg/wasm_chat.js`, which loads the module.
const PAGE: &str = include_str!("../static/index.html");

/// The files `wasm-bindgen --target web` writes for this crate, and their types.
const PAGE_FILES: &[(&str, &str)] = &[
    ("wasm_chat.js", "text/javascript"),
    ("wasm_chat_bg.wasm", "application/wasm"),
];

/// The model asked when relaying to the real API (the mock answers any known model).
pub const MODEL: &str = "claude-sonnet-4-6";

/// The tool offered with every prompt, so that replies can stream a call's arguments field by
/// field (the page shows the call; nothing runs it).
fn write_file_tool() -> Value {
    json!({
        "name": "write_file",
        "description": "Write a text file. The demo only displays the call; nothing is written.",
        "input_schema": {
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Where to write"},
                "content": {"type": "string", "description": "The whole content of the file"}
            },
            "required": ["path", "content"]
        }
    })
}

/// Where `POST /chat` relays to: a Messages API (the real one or a mock) and its key.
#[derive(Clone)]
pub struct Upstream {
    base_url: String,
    api_key: String,
    model: String,
}

impl Upstream {
    /// Anthropic's API with this key.
    pub fn anthropic(api_key: impl Into<String>) -> Self {
        Self::new("https://api.anthropic.com", api_key)
    }

    /// Any Messages API at `base_url` (e.g. `http://127.0.0.1:8080` for the mock server).
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            model: MODEL.to_owned(),
        }
    }

    /// Asks another model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .field("model", &self.model)
            .finish()
    }
}

/// What the relay has seen: streams started, relayed to their end, and abandoned by the
/// browser before their end (the page's Stop button aborts the fetch; the relay then drops
/// the upstream response, which closes that connection too).
#[derive(Debug, Default)]
pub struct RelayStats {
    started: AtomicUsize,
    finished: AtomicUsize,
    cancelled: AtomicUsize,
}

impl RelayStats {
    /// Streams relayed so far (started).
    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    /// Streams relayed to their end.
    pub fn finished(&self) -> usize {
        self.finished.load(Ordering::SeqCst)
    }

    /// Streams dropped before their end: the browser abandoned them (or the upstream failed
    /// mid-stream).
    pub fn cancelled(&self) -> usize {
        self.cancelled.load(Ordering::SeqCst)
    }

    fn to_json(&self) -> Value {
        json!({"started": self.started(), "finished": self.finished(), "cancelled": self.cancelled()})
    }
}

/// The app's state: where to relay, where the page's files are, the counters.
struct Relay {
    upstream: Upstream,
    pkg_dir: PathBuf,
    http: reqwest::Client,
    stats: Arc<RelayStats>,
}

/// The demo's app: `GET /` (the page), `GET /pkg/{file}` (the `wasm-bindgen` output in
/// `pkg_dir`), `POST /chat` (`{"prompt": "…"}` → the Messages API's event stream, relayed
/// byte for byte) and `GET /relay/stats` (the [`RelayStats`] as JSON). Returns the app and
/// its counters.
pub fn app(upstream: Upstream, pkg_dir: impl Into<PathBuf>) -> (Router, Arc<RelayStats>) {
    let stats = Arc::new(RelayStats::default());
    let relay = Arc::new(Relay {
        upstream,
        pkg_dir: pkg_dir.into(),
        http: reqwest::Client::new(),
        stats: stats.clone(),
    });
    let router = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/pkg/{file}", get(page_file))
        .route("/chat", post(chat))
        .route(
            "/relay/stats",
            get(|State(relay): State<Arc<Relay>>| async move { Json(relay.stats.to_json()) }),
        )
        .with_state(relay);
    (router, stats)
}

/// Whether `pkg_dir` holds the page's files; `Err` names the one missing.
pub fn check_page(pkg_dir: &Path) -> Result<(), PathBuf> {
    PAGE_FILES
        .iter()
        .map(|(name, _)| pkg_dir.join(name))
        .find(|path| !path.is_file())
        .map_or(Ok(()), Err)
}

async fn page_file(State(relay): State<Arc<Relay>>, UrlPath(file): UrlPath<String>) -> Response {
    // Only the known names: nothing else under the folder (or above it) is served.
    let Some((name, mime)) = PAGE_FILES.iter().find(|(name, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(relay.pkg_dir.join(name)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, *mime)], bytes).into_response(),
        Err(err) => (
            StatusCode::NOT_FOUND,
            format!("{name}: {err} (build the page: the README's \"A chat page in WebAssembly\")"),
        )
            .into_response(),
    }
}

/// `POST /chat`: the prompt in, the upstream's event stream out, unchanged. A refusal
/// (non-2xx) is passed on with its status and body; an unreachable upstream is a 502.
async fn chat(State(relay): State<Arc<Relay>>, body: Bytes) -> Response {
    let prompt = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|body| body["prompt"].as_str().map(str::to_owned));
    let Some(prompt) = prompt.filter(|p| !p.trim().is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            "expected a JSON body {\"prompt\": \"…\"} with a prompt",
        )
            .into_response();
    };
    let request = json!({
        "model": relay.upstream.model,
        "max_tokens": 1024,
        "stream": true,
        "messages": [{"role": "user", "content": prompt}],
        "tools": [write_file_tool()],
    });
    let sent = relay
        .http
        .post(format!("{}/v1/messages", relay.upstream.base_url))
        .header("x-api-key", &relay.upstream.api_key)
        .header("anthropic-version", "2023-06-01")
        .header(header::CONTENT_TYPE, "application/json")
        .body(request.to_string())
        .send()
        .await;
    let upstream = match sent {
        Ok(upstream) => upstream,
        Err(err) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("the Messages API is unreachable: {err}"),
            )
                .into_response();
        }
    };
    let status = upstream.status();
    if !status.is_success() {
        let text = upstream.text().await.unwrap_or_default();
        let status = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        return (status, text).into_response();
    }
    relay.stats.started.fetch_add(1, Ordering::SeqCst);
    let body = Counted {
        inner: Box::pin(upstream.bytes_stream()),
        ended: false,
        stats: relay.stats.clone(),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(body))
        .expect("a valid response")
}

/// The relayed body: counts a stream that ends, and one dropped before its end (the browser
/// went away), which drops the upstream response and so closes its connection.
struct Counted<S> {
    inner: Pin<Box<S>>,
    ended: bool,
    stats: Arc<RelayStats>,
}

impl<S: Stream<Item = reqwest::Result<Bytes>>> Stream for Counted<S> {
    type Item = reqwest::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(None) = next
            && !self.ended
        {
            self.ended = true;
            self.stats.finished.fetch_add(1, Ordering::SeqCst);
        }
        next
    }
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        if !self.ended {
            self.stats.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// The workspace this crate lives in (its `Cargo.lock` pins wasm-bindgen).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where [`build_page`] builds by default: `target/wasm-chat` of the workspace, a target
/// folder of its own (so a build started from a running `cargo` never waits on its lock).
pub fn default_build_dir() -> PathBuf {
    workspace_dir().join("target/wasm-chat")
}

/// Why the page could not be built: a tool missing (with how to install it) or a step that
/// failed.
#[derive(Debug)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// The `wasm-bindgen` version of the workspace's `Cargo.lock`: the CLI must be the same.
pub fn locked_wasm_bindgen_version() -> Result<String, BuildError> {
    let lock = std::fs::read_to_string(workspace_dir().join("Cargo.lock"))
        .map_err(|err| BuildError(format!("cannot read Cargo.lock: {err}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    Err(BuildError("no wasm-bindgen in Cargo.lock".into()))
}

/// Checks the tools the build needs: the `wasm32-unknown-unknown` target and `wasm-bindgen`
/// at the version of `Cargo.lock`. The error says how to install what is missing.
pub fn check_tools() -> Result<(), BuildError> {
    let version = locked_wasm_bindgen_version()?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = std::process::Command::new(&rustc)
        .args([
            "--print",
            "target-libdir",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    let has_target = libdir.is_some_and(|dir| {
        std::fs::read_dir(dir).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libcore")))
        })
    });
    if !has_target {
        return Err(BuildError(
            "the wasm32-unknown-unknown target is not installed: rustup target add wasm32-unknown-unknown"
                .into(),
        ));
    }
    let found = std::process::Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    if found.as_deref() != Some(&format!("wasm-bindgen {version}")) {
        return Err(BuildError(format!(
            "wasm-bindgen {version} (the version of Cargo.lock) is not on PATH (found: {}): \
             cargo install wasm-bindgen-cli --version {version} --locked",
            found.as_deref().unwrap_or("none")
        )));
    }
    Ok(())
}

/// Builds the page: `cargo build --target wasm32-unknown-unknown -p chat-anthropic-wasm-chat
/// --lib` in `build_dir` (`--release` if asked), then `wasm-bindgen --target web` into
/// `build_dir/pkg` (or `build_dir/pkg-debug`). Returns the `pkg` folder to serve.
pub fn build_page(build_dir: &Path, release: bool) -> Result<PathBuf, BuildError> {
    check_tools()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = std::process::Command::new(&cargo);
    build
        .current_dir(workspace_dir())
        .args(["build", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "chat-anthropic-wasm-chat", "--lib"])
        .env("CARGO_TARGET_DIR", build_dir)
        // A runner set for the tests of another crate has nothing to do with this build.
        .env_remove("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER");
    if release {
        build.arg("--release");
    }
    let status = build
        .status()
        .map_err(|err| BuildError(format!("cannot run {cargo}: {err}")))?;
    if !status.success() {
        return Err(BuildError(format!(
            "cargo build of the page failed: {status}"
        )));
    }
    let profile = if release { "release" } else { "debug" };
    let wasm = build_dir.join(format!("wasm32-unknown-unknown/{profile}/wasm_chat.wasm"));
    let out = build_dir.join(if release { "pkg" } else { "pkg-debug" });
    let status = std::process::Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&out)
        .arg(&wasm)
        .status()
        .map_err(|err| BuildError(format!("cannot run wasm-bindgen: {err}")))?;
    if !status.success() {
        return Err(BuildError(format!("wasm-bindgen failed: {status}")));
    }
    Ok(out)
}
