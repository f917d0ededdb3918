//! A chat page fed token by token: an axum app serving one page (plain HTML and JavaScript,
//! no build step) and a `POST /chat` endpoint that forwards the model's reply with
//! `chat_anthropic::web::sse_response`. The page shows thinking apart from the answer, a tool
//! call's arguments growing field by field, and a Stop button that aborts the request (the
//! backend drops the stream, which closes the connection to the API).
//!
//! ```text
//! cargo run --example web_chat --features web,agent                           # then open http://127.0.0.1:3000/
//! cargo run --example web_chat --features web,agent -- --addr 127.0.0.1:8080 # another address (or WEB_CHAT_ADDR=…)
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

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = match listen_addr() {
        Ok(addr) => addr,
        Err(err) => {
            eprintln!("web_chat: {err}\nusage: cargo run --example web_chat --features web,agent -- [--addr HOST:PORT]");
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
                "  cargo run --example web_chat --features web,agent -- --addr 127.0.0.1:8080"
            );
            eprintln!("  (or WEB_CHAT_ADDR=127.0.0.1:8080 cargo run --example web_chat --features web,agent)");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (llm, _mock) = demo_model().await;
    match listener.local_addr() {
        Ok(local) => println!("web_chat: open http://{local}/"),
        Err(_) => println!("web_chat: open http://{addr}/"),
    }
    if let Err(err) = axum::serve(listener, app(llm)).await {
        eprintln!("web_chat: the server stopped: {err}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// `--addr HOST:PORT`, else `WEB_CHAT_ADDR`, else [`DEFAULT_ADDR`].
fn listen_addr() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let mut addr = None;
    while let Some(arg) = args.next() {
        match (arg.as_str(), arg.strip_prefix("--addr=")) {
            (_, Some(value)) => addr = Some(value.to_owned()),
            ("--addr", None) => addr = Some(args.next().ok_or("--addr needs HOST:PORT")?),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(addr
        .or_else(|| std::env::var("WEB_CHAT_ADDR").ok())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned()))
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
