//! A chat page fed token by token: an axum app serving one page (plain HTML and JavaScript,
//! no build step) and a `POST /chat` endpoint that forwards the model's reply with
//! `chat_anthropic::web::sse_response`. The page shows thinking apart from the answer, a tool
//! call's arguments growing field by field, and a Stop button that aborts the request (the
//! backend drops the stream, which closes the connection to the API).
//!
//! ```text
//! cargo run --example web_chat --features web,client-tools                           # then open http://127.0.0.1:3000/
//! cargo run --example web_chat --features web,client-tools -- --addr 127.0.0.1:8080 # another address (or WEB_CHAT_ADDR=…)
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set (thinking on, a `write_file` tool offered,
//! never run); otherwise the built-in mock server streams a scripted reply with thinking,
//! text and a `write_file` call.
//!
//! `http://127.0.0.1:3000/?agent` posts to `POST /agent` instead, where a
//! `chat_anthropic::agent::Agent` runs the conversation: the `write_file` call is executed
//! (a preview: nothing touches the disk) as soon as its arguments are complete, the page shows
//! it running and its result, and the model answers in a second turn.
//!
//! ```text
//! cargo run --example web_chat --features web,client-tools -- --coding-agent
//! ```
//!
//! also serves the coding agent of `examples/coding_agent.rs` (Unix): the same project with a
//! bug in a temporary directory (removed on Ctrl-C), the same agent and, without a key, the same
//! scripted mock. `http://127.0.0.1:3000/?coding` posts to `POST /coding`, and the page shows
//! the run as it streams: each turn's words, each tool call's arguments field by field, the
//! tool running and its output, and how the run ended.

#[cfg(unix)]
pub mod coding;
mod common;

use axum::extract::State;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chat_anthropic::agent::{Agent, AgentTool};
use chat_anthropic::{settings::Thinking, ChatAnthropic, Tool};
use chat_anthropic_mock::{ui_demo_reply, MockReply, MockServer, RecordedRequest};
use common::real_or_mock;
use serde::Deserialize;

/// The page, served as is.
const PAGE: &str = include_str!("web_chat.html");

/// The model, when a key is set.
const MODEL: &str = "claude-sonnet-4-6";

/// Write a text file. The demo only displays the call; nothing is written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct WriteFile {
    /// Where to write, relative to the project root.
    path: String,
    /// The whole content of the file.
    content: String,
}

/// What the page posts: the conversation so far, text turns only.
#[derive(Debug, Deserialize)]
struct ChatRequest {
    messages: Vec<Turn>,
}

#[derive(Debug, Deserialize)]
struct Turn {
    /// `user` or `assistant`.
    role: String,
    content: String,
}

/// Where to listen unless `--addr` or `WEB_CHAT_ADDR` says otherwise.
const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// Command-line options.
struct Options {
    addr: String,
    /// `--coding-agent`: also serve the coding agent at `POST /coding`.
    coding_agent: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Options { addr, coding_agent } = match options() {
        Ok(options) => options,
        Err(err) => {
            eprintln!(
                "web_chat: {err}\nusage: cargo run --example web_chat --features web,client-tools -- [--addr HOST:PORT] [--coding-agent]"
            );
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("web_chat: cannot listen on {addr}: {err}");
            if err.kind() == std::io::ErrorKind::AddrInUse {
                eprintln!("another program is using that port; choose another address with");
            } else {
                eprintln!("choose another address with");
            }
            eprintln!(
                "  cargo run --example web_chat --features web,client-tools -- --addr 127.0.0.1:8080"
            );
            eprintln!("  (or WEB_CHAT_ADDR=127.0.0.1:8080 cargo run --example web_chat --features web,client-tools)");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (llm, _mock) = demo_model().await;
    let local = listener
        .local_addr()
        .map_or_else(|_| addr.clone(), |local| local.to_string());
    let mut router = app(llm);
    // The coding agent's project and mock live as long as the server.
    #[cfg(unix)]
    let _coding = if coding_agent {
        match coding_demo().await {
            Ok((agent, workspace, mock)) => {
                println!(
                    "web_chat: the coding agent works in {}; open http://{local}/?coding",
                    workspace.project().display()
                );
                router = router.merge(coding_app(agent, workspace.project()));
                Some((workspace, mock))
            }
            Err(err) => {
                eprintln!("web_chat: cannot set up the coding agent's project: {err}");
                return std::process::ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    #[cfg(not(unix))]
    {
        if coding_agent {
            eprintln!("web_chat: the coding agent's client tools need a Unix system");
            return std::process::ExitCode::from(2);
        }
    }
    println!("web_chat: open http://{local}/");
    // Ctrl-C ends the server gracefully, so the coding agent's temporary project is removed.
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(err) = axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await
    {
        eprintln!("web_chat: the server stopped: {err}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// `--addr HOST:PORT` (else `WEB_CHAT_ADDR`, else [`DEFAULT_ADDR`]) and `--coding-agent`.
fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut addr = None;
    let mut coding_agent = false;
    while let Some(arg) = args.next() {
        match (arg.as_str(), arg.strip_prefix("--addr=")) {
            (_, Some(value)) => addr = Some(value.to_owned()),
            ("--addr", None) => addr = Some(args.next().ok_or("--addr needs HOST:PORT")?),
            ("--coding-agent", None) => coding_agent = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    let addr = addr
        .or_else(|| std::env::var("WEB_CHAT_ADDR").ok())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    Ok(Options { addr, coding_agent })
}

/// The coding agent of `examples/coding_agent.rs` on its fresh project: the real API with a
/// key, else its scripted mock (keep the workspace and the server alive while it runs).
#[cfg(unix)]
pub async fn coding_demo() -> std::io::Result<(Agent, coding::Workspace, Option<MockServer>)> {
    let workspace = coding::Workspace::new()?;
    let (llm, mock) = real_or_mock(coding::MODEL, coding::script().responder()).await;
    let agent = coding::agent(llm, &workspace)?;
    Ok((agent, workspace, mock))
}

/// What the page shows before a coding run: the task to send and where the project is.
#[cfg(unix)]
#[derive(Clone)]
struct CodingState {
    agent: Agent,
    project: std::path::PathBuf,
}

/// `GET /coding`: the task and the project's folder; `POST /coding`: a run of the coding
/// `agent` on the conversation, as a stream of its events.
#[cfg(unix)]
pub fn coding_app(agent: Agent, project: std::path::PathBuf) -> Router {
    Router::new()
        .route("/coding", get(coding_task).post(coding_run))
        .with_state(CodingState { agent, project })
}

#[cfg(unix)]
async fn coding_task(State(state): State<CodingState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"task": coding::TASK, "project": state.project}))
}

#[cfg(unix)]
async fn coding_run(
    State(state): State<CodingState>,
    Json(request): Json<ChatRequest>,
) -> Response {
    state.agent.run(request.turns()).sse_response()
}

/// The model the example talks to: the real API with a key, else the mock with the demo
/// script. Keep the server alive as long as the model is used.
pub async fn demo_model() -> (ChatAnthropic, Option<MockServer>) {
    let (llm, mock) = real_or_mock(MODEL, demo_reply).await;
    (configure(llm), mock)
}

/// The mock's side of the demo: the streaming demo reply, and once the `write_file` result
/// comes back (agent mode), a short answer.
pub fn demo_reply(request: &RecordedRequest) -> MockReply {
    let answered = request.body["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .and_then(|last| last["content"].as_array())
        .is_some_and(|blocks| blocks.iter().any(|b| b["type"] == "tool_result"));
    if answered {
        return MockReply::text("Saved: poem.txt holds the poem now.")
            .delay(std::time::Duration::from_millis(10));
    }
    ui_demo_reply(request)
}

/// Thinking on, and a `write_file` tool the model may call.
pub fn configure(llm: ChatAnthropic) -> ChatAnthropic {
    llm.max_tokens(4096)
        .thinking(Thinking::enabled(1024))
        .bind_tools([Tool::from_type::<WriteFile>().name("write_file")])
}

/// `GET /`: the page; `POST /chat`: the reply as a stream of browser events; `POST /agent`:
/// an agent run as one.
pub fn app(llm: ChatAnthropic) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/chat", post(chat))
        .route("/agent", post(agent))
        .with_state(llm)
}

async fn chat(State(llm): State<ChatAnthropic>, Json(request): Json<ChatRequest>) -> Response {
    // A refused request (bad key, unknown role, overloaded, …) becomes an `error` event.
    chat_anthropic::web::sse_response(llm.stream(request.turns()).await)
}

/// `POST /agent`: the conversation run by an agent that executes `write_file` (a preview).
async fn agent(State(llm): State<ChatAnthropic>, Json(request): Json<ChatRequest>) -> Response {
    let write_file = AgentTool::from_fn(|args: WriteFile| async move {
        let lines = args.content.lines().count();
        Ok::<_, String>(format!(
            "wrote {lines} lines to {} (demo: nothing was saved)",
            args.path
        ))
    })
    .with_name("write_file");
    Agent::new(llm)
        .tool(write_file)
        .max_turns(4)
        .run(request.turns())
        .sse_response()
}

impl ChatRequest {
    fn turns(self) -> Vec<(String, String)> {
        self.messages
            .into_iter()
            .map(|turn| (turn.role, turn.content))
            .collect()
    }
}
