//! Why an MCP server could not be reached or answered.

use std::fmt;
use std::time::Duration;

/// What went wrong with an MCP server. `#[non_exhaustive]`: more kinds may come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum McpErrorKind {
    /// The server's process could not be started (no such program, no permission).
    Spawn,
    /// The server did not answer within the time allowed (phase: connecting, listing tools,
    /// a call).
    Timeout(McpPhase),
    /// The connection ended: the process exited, the HTTP server went away or refused us.
    Closed,
    /// The server answered with a JSON-RPC error, or with something that is not MCP.
    Protocol,
    /// The settings are not usable (e.g. a URL that is not `http(s)`).
    Config,
}

/// What the client was doing when a server failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum McpPhase {
    /// Starting the process or the HTTP session, and the `initialize` handshake.
    Connect,
    /// `tools/list` (every page).
    ListTools,
    /// `tools/call`.
    CallTool,
}

impl fmt::Display for McpPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            McpPhase::Connect => "connecting",
            McpPhase::ListTools => "listing tools",
            McpPhase::CallTool => "calling a tool",
        })
    }
}

type Source = Box<dyn std::error::Error + Send + Sync>;

/// An MCP server that could not be started, reached, or understood: which server, what kind of
/// failure ([`kind`](Self::kind), [`is_timeout`](Self::is_timeout)), and the cause as
/// [`source`](std::error::Error::source).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::mcp::{McpClient, McpErrorKind};
/// let err = McpClient::stdio(tokio::process::Command::new("/no/such/server")).connect().await.unwrap_err();
/// assert_eq!(err.kind(), McpErrorKind::Spawn);
/// assert!(err.to_string().starts_with("MCP server `/no/such/server`: could not start"), "{err}");
/// # }
/// ```
#[derive(Debug)]
pub struct McpError {
    kind: McpErrorKind,
    server: String,
    message: String,
    source: Option<Source>,
}

impl McpError {
    pub(super) fn new(kind: McpErrorKind, server: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            server: server.to_owned(),
            message: message.into(),
            source: None,
        }
    }

    pub(super) fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(super) fn timeout(server: &str, phase: McpPhase, after: Duration) -> Self {
        Self::new(
            McpErrorKind::Timeout(phase),
            server,
            format!("no answer {phase} within {after:?}"),
        )
    }

    /// What kind of failure.
    pub fn kind(&self) -> McpErrorKind {
        self.kind
    }

    /// Whether the server did not answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, McpErrorKind::Timeout(_))
    }

    /// The server, as the client names it (its prefix, else its command or URL).
    pub fn server(&self) -> &str {
        &self.server
    }
}

impl fmt::Display for McpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MCP server `{}`: {}", self.server, self.message)?;
        // The cause's text, once (a caller walking `source()` sees it there too).
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for McpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}
