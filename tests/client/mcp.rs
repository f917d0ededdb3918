//! MCP servers as the agent's tools (feature `mcp`), against a server nobody here wrote: the
//! reference `@modelcontextprotocol/server-everything` from the npm registry, over stdio and
//! streamable HTTP; plus `tests/fixtures/mcp/paging_server.mjs` for what it does not do
//! (pages of tools, a changing list), a server that hangs and one that exits at once.
//!
//! The tests that run node are `#[ignore]`d, so that a machine without node counts them as not
//! run: `-- --include-ignored` runs them (CI does). The server is installed (pinned) under the
//! target directory on first use, or beforehand by `.ci/run`; without node and npm they fail
//! saying how to install them. The hanging and exiting servers need neither and always run.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chat_anthropic::agent::{Agent, StopCause};
use chat_anthropic::mcp::{McpClient, McpErrorKind, McpPhase, McpSession};
use chat_anthropic::messages::MessageContent;
use chat_anthropic::{ChatAnthropic, ContentBlock};
use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns, RecordedRequest};
use serde_json::{json, Value};

/// The version of the reference server the tests run against (also in `.ci/run`).
const EVERYTHING_VERSION: &str = "2026.8.31";
const EVERYTHING: &str = "@modelcontextprotocol/server-everything";

/// `<target>/tmp/mcp-everything`: where the server is installed.
fn install_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-everything")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mcp")
        .join(name)
}

/// The everything server's entry point, installed (once per test process) if missing.
fn everything_entry() -> &'static Path {
    static ENTRY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let entry = ENTRY.get_or_init(|| {
        let dir = install_dir();
        let package = dir.join("node_modules").join(EVERYTHING);
        let installed = std::fs::read_to_string(package.join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .is_some_and(|json| json["version"] == EVERYTHING_VERSION);
        if !installed {
            npm_install(&dir)?;
        }
        Ok(package.join("dist/index.js"))
    });
    match entry {
        Ok(path) => path,
        Err(why) => panic!(
            "{why}\nThese tests need node (>= 18) and npm: install them (Debian: `apt-get install \
             nodejs npm`), then `npm install --prefix {} {EVERYTHING}@{EVERYTHING_VERSION}` \
             (what .ci/run does).",
            install_dir().display()
        ),
    }
}

/// `npm install` of the pinned server, bounded to five minutes.
fn npm_install(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let mut npm = std::process::Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .arg(format!("{EVERYTHING}@{EVERYTHING_VERSION}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("could not run npm: {err}"))?;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match npm.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let output = npm.wait_with_output().map(|o| o.stderr).unwrap_or_default();
                return Err(format!(
                    "npm install failed ({status}): {}",
                    String::from_utf8_lossy(&output)
                ));
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Ok(None) => {
                let _ = npm.kill();
                let _ = npm.wait();
                return Err("npm install took more than 5 minutes".into());
            }
            Err(err) => return Err(format!("npm install: {err}")),
        }
    }
}

fn node(args: &[&std::ffi::OsStr]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new("node");
    command.args(args);
    command
}

/// The everything server over stdio, its log to /dev/null.
fn everything_stdio() -> McpClient {
    let entry = everything_entry();
    McpClient::stdio(node(&[entry.as_os_str(), "stdio".as_ref()])).stderr(Stdio::null())
}

/// The paging fixture server over stdio.
fn paging(tools: usize, page_size: usize, mode: &str) -> McpClient {
    let script = fixture("paging_server.mjs");
    let (tools, page_size) = (tools.to_string(), page_size.to_string());
    McpClient::stdio(node(&[
        script.as_os_str(),
        tools.as_ref(),
        page_size.as_ref(),
        mode.as_ref(),
    ]))
}

/// The everything server in streamable HTTP mode on a free loopback port, killed on drop.
struct HttpServer {
    child: Child,
    url: String,
}

impl HttpServer {
    fn start() -> Self {
        let entry = everything_entry();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = std::process::Command::new("node")
            .arg("--require")
            .arg(fixture("loopback.cjs"))
            .arg(entry)
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the everything server exited before listening: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the everything server did not listen on {addr} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .max_retries(0)
}

fn tool_names(request: &RecordedRequest) -> Vec<String> {
    request.body["tools"]
        .as_array()
        .map(|tools| {
            tools
                .iter()
                .map(|t| t["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The tool results the request sent (its last message: the user turn with the results).
fn results_sent(request: &RecordedRequest) -> Vec<Value> {
    let messages = request.body["messages"].as_array().expect("messages");
    let last = messages.last().expect("a message");
    assert_eq!(last["role"], "user");
    last["content"].as_array().expect("content blocks").clone()
}

/// Whether the process `pid` is gone (or a zombie nobody waits for: it no longer runs).
fn process_ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

async fn wait_until_ended(pid: u32) -> bool {
    for _ in 0..100 {
        if process_ended(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn text(content: &MessageContent) -> String {
    match content {
        MessageContent::Text(text) => text.clone(),
        MessageContent::Blocks(blocks) => blocks
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text(t) => Some(t.text.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn the_everything_server_over_stdio_lists_its_tools_with_their_schemas() {
    let session = everything_stdio()
        .prefix("everything")
        .connect()
        .await
        .unwrap();
    let (name, _version) = session.server_info().expect("the server named itself");
    assert_eq!(name, "mcp-servers/everything");
    let tools = session.tools();
    let names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
    for wanted in [
        "everything__echo",
        "everything__get-sum",
        "everything__get-tiny-image",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    let echo = tools
        .iter()
        .find(|t| t.name() == "everything__echo")
        .unwrap();
    let definition = echo.definition().to_json();
    assert_eq!(definition["description"], "Echoes back the input string");
    assert_eq!(definition["input_schema"]["type"], "object");
    assert_eq!(
        definition["input_schema"]["properties"]["message"]["type"],
        "string"
    );
    assert_eq!(definition["input_schema"]["required"], json!(["message"]));
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn calls_map_text_images_resources_and_errors() {
    let session = everything_stdio().connect().await.unwrap();
    let echo = session.call("echo", json!({"message": "hi"})).await;
    assert_eq!(echo, Ok(MessageContent::Text("Echo: hi".into())));
    let sum = session.call("get-sum", json!({"a": 2, "b": 3})).await;
    assert_eq!(
        sum,
        Ok(MessageContent::Text("The sum of 2 and 3 is 5.".into()))
    );

    let Ok(MessageContent::Blocks(blocks)) = session.call("get-tiny-image", json!({})).await else {
        panic!("blocks expected")
    };
    let image = blocks
        .iter()
        .find_map(|b| match b {
            ContentBlock::Image(image) => Some(serde_json::to_value(image).unwrap()),
            _ => None,
        })
        .expect("an image block");
    assert_eq!(image["source"]["type"], "base64");
    assert_eq!(image["source"]["media_type"], "image/png");
    assert!(image["source"]["data"]
        .as_str()
        .unwrap()
        .starts_with("iVBORw0KGgo"));

    let resource = session
        .call(
            "get-resource-reference",
            json!({"resourceType": "Text", "resourceId": 1}),
        )
        .await
        .expect("a resource");
    let resource = text(&resource);
    assert!(
        resource.contains(
            "[resource demo://resource/dynamic/text/1]\nResource 1: This is a plaintext resource"
        ),
        "{resource}"
    );
    let Ok(MessageContent::Blocks(blocks)) = session
        .call(
            "get-resource-reference",
            json!({"resourceType": "Blob", "resourceId": 1}),
        )
        .await
    else {
        panic!("blocks expected")
    };
    let blob = text(&MessageContent::Blocks(blocks));
    assert!(
        blob.contains("[resource demo://resource/dynamic/blob/1 ("),
        "{blob}"
    );

    let error = session
        .call(
            "get-resource-reference",
            json!({"resourceType": "Text", "resourceId": 0}),
        )
        .await
        .expect_err("an error result");
    assert!(error.contains("Invalid resourceId: 0"), "{error}");
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn the_everything_server_over_streamable_http() {
    let server = HttpServer::start();
    let session = McpClient::http(&server.url)
        .prefix("web")
        .connect()
        .await
        .unwrap();
    assert_eq!(session.pid(), None);
    assert!(session.tools().iter().any(|t| t.name() == "web__echo"));
    let echo = session.call("echo", json!({"message": "over http"})).await;
    assert_eq!(echo, Ok(MessageContent::Text("Echo: over http".into())));
    let sum = session.call("get-sum", json!({"a": 40, "b": 2})).await;
    assert_eq!(
        sum,
        Ok(MessageContent::Text("The sum of 40 and 2 is 42.".into()))
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn an_agent_turn_calls_the_prefixed_tool_and_sends_its_result_back() {
    let session = everything_stdio()
        .prefix("everything")
        .connect()
        .await
        .unwrap();
    let api = MockServer::start().await;
    api.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use(
                    "toolu_1",
                    "everything__echo",
                    json!({"message": "hello"}),
                )),
            )
            .when_result_contains("Echo: hello", MockReply::text("It said hello."))
            .responder(),
    );
    let agent = Agent::new(model(&api)).toolset(session);
    let output = tokio::time::timeout(Duration::from_secs(30), agent.invoke("Echo hello"))
        .await
        .expect("the run ends")
        .unwrap();
    assert_eq!(output.message.text(), "It said hello.");
    assert_eq!((output.turns, output.stop), (2, StopCause::ModelFinished));
    let requests = api.requests();
    let first = &requests[0].body["tools"];
    let echo = first
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "everything__echo")
        .expect("the MCP tool is offered");
    assert_eq!(
        echo["input_schema"]["properties"]["message"]["type"],
        "string"
    );
    assert_eq!(
        results_sent(&requests[1]),
        [json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "Echo: hello"})]
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn two_servers_with_prefixes_offer_the_same_tool_twice_without_collision() {
    let (one, two) = tokio::join!(
        everything_stdio().prefix("one").connect(),
        everything_stdio().prefix("two").connect()
    );
    let api = MockServer::start().await;
    api.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(
                    MockScript::new()
                        .tool_use("toolu_1", "one__echo", json!({"message": "from one"}))
                        .tool_use("toolu_2", "two__get-sum", json!({"a": 1, "b": 1})),
                ),
            )
            .when_result_contains("Echo: from one", MockReply::text("Done."))
            .responder(),
    );
    let agent = Agent::new(model(&api))
        .toolset(one.unwrap())
        .toolset(two.unwrap());
    let output = tokio::time::timeout(Duration::from_secs(30), agent.invoke("Both"))
        .await
        .expect("the run ends")
        .unwrap();
    assert_eq!(output.message.text(), "Done.");
    let requests = api.requests();
    let names = tool_names(&requests[0]);
    assert!(
        names.contains(&"one__echo".to_owned()) && names.contains(&"two__echo".to_owned()),
        "{names:?}"
    );
    let unique: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "no name offered twice: {names:?}"
    );
    assert_eq!(
        results_sent(&requests[1]),
        [
            json!({"type": "tool_result", "tool_use_id": "toolu_1", "content": "Echo: from one"}),
            json!({"type": "tool_result", "tool_use_id": "toolu_2", "content": "The sum of 1 and 1 is 2."}),
        ]
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn every_page_of_tools_is_listed() {
    let session = paging(5, 2, "").prefix("p").connect().await.unwrap();
    let names: Vec<String> = session
        .tools()
        .iter()
        .map(|t| t.name().to_owned())
        .collect();
    assert_eq!(
        names,
        ["p__t0", "p__t1", "p__t2", "p__t3", "p__t4", "p__grow"]
    );
    assert_eq!(
        session.call("t3", json!({"x": "y"})).await,
        Ok(MessageContent::Text(r#"called t3 with {"x":"y"}"#.into()))
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn a_server_whose_cursor_never_ends_is_an_error_not_a_loop() {
    let err = paging(5, 2, "loop")
        .prefix("looping")
        .connect()
        .await
        .expect_err("a cursor that repeats");
    assert_eq!(err.kind(), McpErrorKind::Protocol);
    assert!(err.to_string().contains("returned its own cursor"), "{err}");
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn a_changed_tool_list_is_listed_again_before_the_next_turn() {
    let session = paging(1, 10, "").prefix("p").connect().await.unwrap();
    let api = MockServer::start().await;
    api.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use("toolu_1", "p__grow", json!({}))),
            )
            .turn(
                2,
                MockReply::script(MockScript::new().tool_use(
                    "toolu_2",
                    "p__added1",
                    json!({"x": "new"}),
                )),
            )
            .turn(3, MockReply::text("Used the new tool."))
            .responder(),
    );
    let agent = Agent::new(model(&api)).toolset(session.clone());
    let output = tokio::time::timeout(Duration::from_secs(30), agent.invoke("Grow"))
        .await
        .expect("the run ends")
        .unwrap();
    assert_eq!(output.turns, 3);
    let requests = api.requests();
    assert!(!tool_names(&requests[0]).contains(&"p__added1".to_owned()));
    assert!(
        tool_names(&requests[1]).contains(&"p__added1".to_owned()),
        "{:?}",
        tool_names(&requests[1])
    );
    assert_eq!(
        results_sent(&requests[2]),
        [
            json!({"type": "tool_result", "tool_use_id": "toolu_2", "content": r#"called added1 with {"x":"new"}"#})
        ]
    );
    assert!(!session.is_stale());
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn a_call_that_hangs_is_an_error_result_after_the_timeout_and_the_run_goes_on() {
    let session = everything_stdio()
        .prefix("everything")
        .call_timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    let api = MockServer::start().await;
    api.set_responder(
        MockTurns::new()
            .turn(
                1,
                MockReply::script(MockScript::new().tool_use(
                    "toolu_1",
                    "everything__trigger-long-running-operation",
                    json!({"duration": 30, "steps": 3}),
                )),
            )
            .turn(2, MockReply::text("It timed out."))
            .responder(),
    );
    let started = Instant::now();
    let agent = Agent::new(model(&api)).toolset(session);
    let output = tokio::time::timeout(Duration::from_secs(20), agent.invoke("Run it"))
        .await
        .expect("the run ends")
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded by the call timeout"
    );
    assert_eq!((output.turns, output.stop), (2, StopCause::ModelFinished));
    let results = results_sent(&api.requests()[1]);
    assert_eq!(results[0]["is_error"], true);
    let message = results[0]["content"].as_str().unwrap();
    assert_eq!(
        message,
        "MCP server `everything`: no answer calling a tool within 300ms"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_fails_to_connect_within_the_timeout() {
    let mut sleep = tokio::process::Command::new("sleep");
    sleep.arg("100");
    let started = Instant::now();
    let err = McpClient::stdio(sleep)
        .connect_timeout(Duration::from_millis(500))
        .connect()
        .await
        .expect_err("no handshake");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.is_timeout());
    assert_eq!(err.kind(), McpErrorKind::Timeout(McpPhase::Connect));
    assert_eq!(
        err.to_string(),
        "MCP server `sleep`: no answer connecting within 500ms"
    );
}

#[tokio::test]
async fn a_server_that_exits_at_once_is_a_clear_error() {
    let mut exits = tokio::process::Command::new("sh");
    exits.args(["-c", "exit 3"]);
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        McpClient::stdio(exits).prefix("gone").connect(),
    )
    .await
    .expect("bounded")
    .expect_err("no server");
    assert_eq!(err.kind(), McpErrorKind::Closed, "{err}");
    assert!(
        err.to_string()
            .starts_with("MCP server `gone`: the handshake failed"),
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn a_server_that_dies_mid_session_gives_error_results() {
    let session = everything_stdio().prefix("e").connect().await.unwrap();
    let pid = session.pid().expect("a process");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let error = tokio::time::timeout(
        Duration::from_secs(10),
        session.call("echo", json!({"message": "x"})),
    )
    .await
    .expect("bounded")
    .expect_err("the server is gone");
    assert!(
        error.starts_with("MCP server `e`: the connection is closed (calling a tool)"),
        "{error}"
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn dropping_the_agent_ends_the_server_process() {
    let session: McpSession = everything_stdio().connect().await.unwrap();
    let pid = session.pid().expect("a process");
    assert!(!process_ended(pid));
    let api = MockServer::start().await;
    let agent = Agent::new(model(&api)).toolset(session);
    let output = agent.invoke("Hi").await.unwrap();
    assert_eq!(output.turns, 1);
    assert!(!process_ended(pid), "the agent keeps the server alive");
    drop(agent);
    assert!(
        wait_until_ended(pid).await,
        "process {pid} still runs 10 s after the agent was dropped"
    );
}

#[tokio::test]
#[ignore = "needs node and npm (Debian: apt-get install nodejs npm): run with --include-ignored"]
async fn the_everything_server_announces_a_changed_list_and_the_next_turn_lists_again() {
    use chat_anthropic::agent::ToolSet;
    // The server registers more tools once the handshake is over and says so
    // (notifications/tools/list_changed), after our first listing has gone out.
    let session = everything_stdio().prefix("e").connect().await.unwrap();
    let mut announced = false;
    for _ in 0..50 {
        announced = session.is_stale();
        if announced {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(announced, "no tools/list_changed within 5 s");
    let tools = session.current_tools().await;
    assert!(!session.is_stale(), "listed again");
    assert!(tools
        .iter()
        .any(|t| t.name() == "e__simulate-research-query"));
}
