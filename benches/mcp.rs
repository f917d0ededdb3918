//! What a tool call costs an agent when the tool sits behind an MCP server rather than in the
//! process: the same `add` tool body three ways.
//!
//! `nice -n 10 cargo bench -p chat-anthropic-benches --bench mcp` (`MCP_BENCH_ROUNDS`, default
//! 200, sets the rounds; `MCP_BENCH_NODE=1` adds the node reference server if it is installed
//! under `target/tmp/mcp-everything`, as `tests/client/mcp.rs` installs it).
//!
//! Not criterion: every path runs once per round, one after the other, round after round, and
//! the medians are compared, so drift on the shared machine hits all paths alike.
//!
//! - `agent/…`: [`Agent::invoke`] against the in-process mock server, whose turn 1 calls the
//!   tool [`CALLS`] times and whose turn 2 answers; `max_concurrency(1)`, so the calls run one
//!   after the other and the difference between two paths, divided by [`CALLS`], is what one
//!   call costs more. `in_process` is an [`AgentTool`] running the body; `mcp_stdio` is
//!   [`McpClient::stdio`] on this bench binary started again as an `rmcp` server speaking
//!   MCP on its stdin/stdout; `mcp_http` is [`McpClient::http`] on the same server over
//!   streamable HTTP on loopback (a child process too).
//! - `call/…`: one call alone, no model and no agent: the body called directly against
//!   [`McpSession::call`] over each transport (the transport's round trip and the
//!   client's and server's JSON-RPC work).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use chat_anthropic::agent::{Agent, AgentTool};
use chat_anthropic::mcp::{McpClient, McpSession};
use chat_anthropic::{ChatAnthropic, Message, Tool};
use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
use serde_json::{json, Value};

/// Tool calls in turn 1 of every agent run.
const CALLS: usize = 20;
/// The environment variable that makes this binary an MCP server (`stdio` or `http`).
const SERVE: &str = "MCP_BENCH_SERVE";

/// The tool body, the same on every path.
fn add(args: &Value) -> Result<String, String> {
    let number = |key: &str| {
        args[key]
            .as_i64()
            .ok_or_else(|| format!("{key} is not an integer"))
    };
    Ok((number("a")? + number("b")?).to_string())
}

fn add_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"]
    })
}

/// The MCP server side: one tool, `add`, answered by [`add`].
mod server {
    use std::sync::Arc;

    use rmcp::model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
        ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
    };
    use rmcp::service::{RequestContext, RoleServer};
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    use rmcp::{ServerHandler, ServiceExt};
    use serde_json::Value;

    #[derive(Clone)]
    struct AddServer;

    impl ServerHandler for AddServer {
        fn get_info(&self) -> ServerConfig {
            ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
        }

        async fn list_tools(
            &self,
            _request: Option<PaginatedRequestParams>,
            _context: RequestContext<RoleServer>,
        ) -> Result<ListToolsResult, ErrorData> {
            let Value::Object(schema) = super::add_schema() else {
                unreachable!("an object")
            };
            let tool = rmcp::model::Tool::new("add", "Adds two integers.", Arc::new(schema));
            Ok(ListToolsResult::with_all_items(vec![tool]))
        }

        async fn call_tool(
            &self,
            request: CallToolRequestParams,
            _context: RequestContext<RoleServer>,
        ) -> Result<CallToolResponse, ErrorData> {
            if request.name != "add" {
                return Err(ErrorData::invalid_params("unknown tool", None));
            }
            let args = Value::Object(request.arguments.unwrap_or_default());
            let result = match super::add(&args) {
                Ok(sum) => CallToolResult::success(vec![ContentBlock::text(sum)]),
                Err(err) => CallToolResult::error(vec![ContentBlock::text(err)]),
            };
            Ok(result.into())
        }
    }

    /// Serves on stdin/stdout until the client closes them.
    pub async fn stdio() {
        let running = AddServer
            .serve(rmcp::transport::stdio())
            .await
            .expect("the MCP handshake on stdio");
        let _ = running.waiting().await;
    }

    /// Serves streamable HTTP on a loopback port, prints its URL, and exits when stdin closes.
    pub async fn http() {
        let service: StreamableHttpService<AddServer, LocalSessionManager> =
            StreamableHttpService::new(
                || Ok(AddServer),
                Default::default(),
                StreamableHttpServerConfig::default(),
            );
        let router = axum::Router::new().nest_service("/mcp", service);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        println!("http://{}/mcp", listener.local_addr().expect("bound"));
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        axum::serve(listener, router).await.expect("serve");
    }
}

/// The HTTP server child, killed when dropped.
struct HttpChild(Child);

impl Drop for HttpChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_http_child() -> (HttpChild, String) {
    let mut child = std::process::Command::new(std::env::current_exe().expect("bench binary"))
        .env(SERVE, "http")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the MCP HTTP server");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut url)
        .expect("the server's URL");
    (HttpChild(child), url.trim().to_owned())
}

fn stdio_client() -> McpClient {
    let mut command = tokio::process::Command::new(std::env::current_exe().expect("bench binary"));
    command.env(SERVE, "stdio");
    McpClient::stdio(command)
}

/// The node reference server, when installed where tests/client/mcp.rs installs it.
fn node_client() -> Option<McpClient> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/tmp/mcp-everything");
    let script = std::path::Path::new(root)
        .join("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    if !script.exists() {
        eprintln!(
            "MCP_BENCH_NODE: {} not installed; no node row",
            script.display()
        );
        return None;
    }
    let mut command = tokio::process::Command::new("node");
    command.arg(script).arg("stdio").stderr(Stdio::null());
    Some(McpClient::stdio(command).stderr(Stdio::null()))
}

/// Turn 1 calls `tool` [`CALLS`] times with `{a: i, b: 1}`; turn 2 answers.
fn script(tool: &'static str) -> MockTurns {
    let calls = (0..CALLS).fold(MockScript::new().text("Adding."), |script, i| {
        script.tool_use(format!("toolu_{i}"), tool, json!({"a": i, "b": 1}))
    });
    MockTurns::new()
        .turn(1, MockReply::script(calls))
        .otherwise(MockReply::text("All added."))
}

/// One run, checked: every call answered with its sum, in order, none an error.
async fn run_checked(agent: &Agent) {
    let output = agent.invoke("Add them").await.expect("the run");
    let results: Vec<(String, bool)> = output
        .conversation
        .iter()
        .filter_map(|message| match message {
            Message::Tool(result) => Some((result.content.text(), result.is_error)),
            _ => None,
        })
        .collect();
    let expected: Vec<(String, bool)> = (0..CALLS).map(|i| ((i + 1).to_string(), false)).collect();
    assert_eq!(results, expected, "every call answered with its sum");
    assert_eq!(output.message.text(), "All added.");
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

struct Path {
    name: &'static str,
    agent: Agent,
    /// The tool outside the agent: `None` for the in-process body.
    session: Option<(McpSession, &'static str)>,
    runs: Vec<Duration>,
    calls: Vec<Duration>,
}

fn main() {
    match std::env::var(SERVE).as_deref() {
        Ok(mode) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            match mode {
                "stdio" => rt.block_on(server::stdio()),
                "http" => rt.block_on(server::http()),
                other => panic!("{SERVE}={other}: stdio or http"),
            }
            return;
        }
        Err(_) if std::env::args().any(|a| a == "--list") => return, // cargo bench --list
        Err(_) => {}
    }
    let rounds: usize = std::env::var("MCP_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (_http_child, http_url) = start_http_child();
    let mut timings: Vec<(&str, Vec<Duration>, Vec<Duration>)> = rt.block_on(async {
        let mock = MockServer::start().await;
        let llm = ChatAnthropic::new("claude-sonnet-4-6")
            .base_url(mock.base_url())
            .api_key("k");
        // The mock answers by the tool's name in the request's tool list.
        let (add_turns, node_turns) = (script("add").responder(), script("get-sum").responder());
        mock.set_responder(move |request| {
            let tools = request.body["tools"].as_array();
            let node = tools.is_some_and(|tools| tools.iter().any(|t| t["name"] == "get-sum"));
            if node {
                node_turns(request)
            } else {
                add_turns(request)
            }
        });
        let agent = || Agent::new(llm.clone()).max_concurrency(1);

        let in_process = AgentTool::from_json(
            Tool::new("add", add_schema()).description("Adds two integers."),
            |args: Value| async move { add(&args) },
        );
        let stdio = stdio_client().connect().await.expect("the stdio server");
        let http = McpClient::http(&http_url)
            .connect()
            .await
            .expect("the HTTP server");
        let mut paths = vec![
            Path {
                name: "in_process",
                agent: agent().tool(in_process),
                session: None,
                runs: Vec::new(),
                calls: Vec::new(),
            },
            Path {
                name: "mcp_stdio",
                agent: agent().toolset(stdio.clone()),
                session: Some((stdio, "add")),
                runs: Vec::new(),
                calls: Vec::new(),
            },
            Path {
                name: "mcp_http",
                agent: agent().toolset(http.clone()),
                session: Some((http, "add")),
                runs: Vec::new(),
                calls: Vec::new(),
            },
        ];
        if std::env::var_os("MCP_BENCH_NODE").is_some() {
            if let Some(client) = node_client() {
                let node = client.connect().await.expect("the node reference server");
                paths.push(Path {
                    name: "mcp_stdio_node",
                    agent: agent().toolset(node.clone()),
                    session: Some((node, "get-sum")),
                    runs: Vec::new(),
                    calls: Vec::new(),
                });
            }
        }

        // Correctness first: each path's run gets every sum, and each direct call its own.
        for path in &paths {
            run_checked(&path.agent).await;
            if let Some((session, tool)) = &path.session {
                let content = session
                    .call(tool, json!({"a": 2, "b": 3}))
                    .await
                    .expect("a direct call");
                assert!(content.text().contains('5'), "{}: {content:?}", path.name);
            }
        }

        for _ in 0..rounds {
            for path in &mut paths {
                let started = Instant::now();
                path.agent.invoke("Add them").await.expect("the run");
                path.runs.push(started.elapsed());
                let args = json!({"a": 2, "b": 3});
                let started = Instant::now();
                match &path.session {
                    None => {
                        std::hint::black_box(add(std::hint::black_box(&args)).expect("sum"));
                    }
                    Some((session, tool)) => {
                        std::hint::black_box(session.call(tool, args).await.expect("sum"));
                    }
                }
                path.calls.push(started.elapsed());
            }
        }
        drop(mock);
        paths
            .into_iter()
            .map(|path| (path.name, path.runs, path.calls))
            .collect()
    });

    let base_run = median(&mut timings[0].1.clone());
    println!(
        "mcp bench: {rounds} rounds, {CALLS} sequential tool calls per run (turn 1), then an answer (turn 2)"
    );
    println!(
        "{:<16} {:>12} {:>10} {:>9} {:>22} {:>14}",
        "path", "run median", "per call", "vs in-p.", "extra per call (run)", "call alone"
    );
    for (name, runs, calls) in &mut timings {
        let run = median(runs);
        let call = median(calls);
        let extra = run.saturating_sub(base_run) / CALLS as u32;
        println!(
            "{:<16} {:>12.3?} {:>10.1?} {:>8.2}x {:>22.1?} {:>14.1?}",
            name,
            run,
            run / CALLS as u32,
            run.as_secs_f64() / base_run.as_secs_f64(),
            extra,
            call,
        );
    }
}
