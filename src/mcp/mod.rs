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
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chat_anthropic::agent::Agent;
//! use chat_anthropic::mcp::McpClient;
//! use chat_anthropic::ChatAnthropic;
//!
//! let mut command = tokio::process::Command::new("npx");
//! command.args(["-y", "@modelcontextprotocol/server-everything", "stdio"]);
//! let everything = McpClient::stdio(command).prefix("everything").connect().await?;
//! let agent = Agent::new(ChatAnthropic::new("claude-sonnet-4-6")).toolset(everything);
//! let output = agent.invoke("Use the echo tool to say hello.").await?;
//! println!("{}", output.message.text());
//! # Ok(()) }
//! ```
//!
//! A runnable version of this against the mock Messages API and a local server is in
//! `tests/client/mcp.rs`.

mod client;
mod content;
mod error;
mod session;

pub use client::{McpClient, DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT};
pub use error::{McpError, McpErrorKind, McpPhase};
pub use session::McpSession;
