//! MCP servers as the agent's tools, client side: your process starts or reaches the server,
//! lists its tools, and runs the model's calls of them.
//!
//! Feature `mcp` (with `agent`), through the official Rust SDK, `rmcp`.
//!
//! [`McpClient`] says how to reach a server: a command started with its standard input and
//! output as the channel ([`McpClient::stdio`]), or a URL ([`McpClient::http`], streamable
//! HTTP). [`connect`](McpClient::connect) starts it, does the handshake and lists every page
//! of its tools, within a time limit, and gives an [`McpSession`]. The session goes to
//! [`Agent::toolset`](crate::agent::Agent::toolset): each of its tools is offered to the model
//! with the server's description and input schema (under `{prefix}__{tool}` with a
//! [`prefix`](McpClient::prefix), so tools of several servers cannot collide), a call goes to
//! the server, and when the server says its tools changed (`notifications/tools/list_changed`)
//! they are listed again before the next turn.
//!
//! Results: text goes back as text, an image as an image block, an embedded resource as text
//! naming its URI (a PDF as a document, an image as an image), a resource link as its URI.
//! A result with `isError`, a call that takes longer than the
//! [call timeout](McpClient::call_timeout), and a server that went away all go back to the
//! model as an error result (`is_error: true`) saying which: the run goes on.
//!
//! The agent owns the session: dropping the agent (its clones and runs) closes the connection,
//! and a stdio server's process is ended.
//!
//! For a remote server that Anthropic's API can reach itself, the server-side MCP connector
//! ([`ChatAnthropic::mcp_server`](crate::ChatAnthropic::mcp_server)) needs no process of yours;
//! the README compares the two.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chat_anthropic::agent::Agent;
//! use chat_anthropic::mcp::McpClient;
//! use chat_anthropic::ChatAnthropic;
//! use chat_anthropic_mock::{MockReply, MockScript, MockServer, MockTurns};
//! use serde_json::json;
//!
//! // A small MCP server (this repository's test fixture, run by node): tools t0, t1 and grow.
//! // The everything server: `npx -y @modelcontextprotocol/server-everything stdio`.
//! let mut command = tokio::process::Command::new("node");
//! command.args(["tests/fixtures/mcp/paging_server.mjs", "2", "10"]);
//! let session = McpClient::stdio(command).prefix("demo").connect().await?;
//! assert_eq!(session.tools()[0].name(), "demo__t0");
//!
//! // A local mock of the API that calls the tool, then answers once it has the result.
//! // Against the real API, drop base_url/api_key and set ANTHROPIC_API_KEY.
//! let server = MockServer::start().await;
//! server.set_responder(
//!     MockTurns::new()
//!         .turn(1, MockReply::script(MockScript::new().tool_use("toolu_1", "demo__t0", json!({"x": "hi"}))))
//!         .when_result_contains(r#"called t0 with {"x":"hi"}"#, MockReply::text("t0 answered."))
//!         .responder(),
//! );
//! let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
//! let agent = Agent::new(llm).toolset(session);
//! let output = agent.invoke("Call t0 with x = hi").await?;
//! assert_eq!(output.message.text(), "t0 answered.");
//! # Ok(()) }
//! ```

mod client;
mod content;
mod error;
mod session;

pub use client::{McpClient, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT};
pub use error::{McpError, McpErrorKind, McpPhase};
pub use session::McpSession;
