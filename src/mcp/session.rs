//! A connected server: its tools as the agent's tools, kept current when the server says its
//! list changed, and the calls that go to it.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, PaginatedRequestParams,
};
use rmcp::service::{NotificationContext, RoleClient, RunningService, ServiceError};
use rmcp::ClientHandler;
use serde_json::Value;

use super::content::tool_result;
use super::error::{McpError, McpErrorKind, McpPhase};
use crate::agent::{AgentTool, ToolSet, ToolSetFuture};
use crate::messages::MessageContent;
use crate::tools::Tool;

/// The most pages of `tools/list` read in one listing (a server whose cursors never end is
/// an error, not an endless loop).
const MAX_PAGES: usize = 1000;
/// The longest tool name the API takes.
const MAX_NAME_LEN: usize = 64;

/// What the client does with the server's notifications: a changed tool list marks the
/// session's list stale, to be listed again before the agent's next turn.
pub(super) struct Events {
    stale: Arc<AtomicBool>,
}

impl Events {
    pub(super) fn new(stale: Arc<AtomicBool>) -> Self {
        Self { stale }
    }
}

impl ClientHandler for Events {
    fn on_tool_list_changed(
        &self,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.stale.store(true, Ordering::SeqCst);
        std::future::ready(())
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("chat-anthropic", env!("CARGO_PKG_VERSION")),
        )
    }
}

/// The running client: dropping the last reference (the session and every tool made from it)
/// closes it, which ends a stdio server's process.
pub(super) struct Connection {
    label: String,
    service: RunningService<RoleClient, Events>,
    pid: Option<u32>,
    call_timeout: Duration,
}

impl Connection {
    pub(super) fn new(
        label: String,
        service: RunningService<RoleClient, Events>,
        pid: Option<u32>,
        call_timeout: Duration,
    ) -> Self {
        Self {
            label,
            service,
            pid,
            call_timeout,
        }
    }

    /// Every page of `tools/list`, as JSON (name, description, inputSchema, …).
    async fn list_tools(&self, timeout: Duration) -> Result<Vec<Value>, McpError> {
        let listing = async {
            let mut tools = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let params = cursor
                    .clone()
                    .map(|cursor| PaginatedRequestParams::default().with_cursor(Some(cursor)));
                let page = self
                    .service
                    .list_tools(params)
                    .await
                    .map_err(|err| self.service_error(McpPhase::ListTools, err))?;
                for tool in &page.tools {
                    tools.push(serde_json::to_value(tool).map_err(|err| {
                        McpError::new(
                            McpErrorKind::Protocol,
                            &self.label,
                            "a listed tool could not be read",
                        )
                        .with_source(err)
                    })?);
                }
                match page.next_cursor {
                    Some(next) if Some(&next) == cursor.as_ref() => {
                        return Err(McpError::new(
                            McpErrorKind::Protocol,
                            &self.label,
                            format!("tools/list returned its own cursor {next:?} as the next one"),
                        ));
                    }
                    Some(next) => cursor = Some(next),
                    None => return Ok(tools),
                }
            }
            Err(McpError::new(
                McpErrorKind::Protocol,
                &self.label,
                format!("tools/list had more than {MAX_PAGES} pages"),
            ))
        };
        tokio::time::timeout(timeout, listing)
            .await
            .unwrap_or_else(|_| Err(McpError::timeout(&self.label, McpPhase::ListTools, timeout)))
    }

    /// Calls the tool `name` (the server's name for it) within the call timeout: the result
    /// content, or the error text the model gets.
    async fn call(&self, name: &str, args: Value) -> Result<MessageContent, String> {
        let arguments = match args {
            Value::Object(map) => map,
            Value::Null => serde_json::Map::new(),
            other => return Err(format!("the arguments must be a JSON object, not {other}")),
        };
        let params = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
        // Dropping the request on timeout sends the server a cancellation.
        let result = tokio::time::timeout(self.call_timeout, self.service.call_tool(params))
            .await
            .map_err(|_| {
                McpError::timeout(&self.label, McpPhase::CallTool, self.call_timeout).to_string()
            })?
            .map_err(|err| self.service_error(McpPhase::CallTool, err).to_string())?;
        let json = serde_json::to_value(&result)
            .map_err(|err| format!("the result of {name} could not be read: {err}"))?;
        tool_result(&json)
    }

    fn service_error(&self, phase: McpPhase, err: ServiceError) -> McpError {
        let (kind, message) = match &err {
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => (
                McpErrorKind::Closed,
                format!("the connection is closed ({phase})"),
            ),
            ServiceError::Timeout { .. } => (McpErrorKind::Timeout(phase), format!("{phase}")),
            _ => (McpErrorKind::Protocol, format!("error {phase}")),
        };
        McpError::new(kind, &self.label, message).with_source(err)
    }
}

/// A connected MCP server and its tools, ready for an agent: give the session itself to
/// [`Agent::toolset`](crate::agent::Agent::toolset) (the tools are listed again before the
/// next turn when the server says they changed), or a snapshot of its tools to
/// [`Agent::tools`](crate::agent::Agent::tools). Made by
/// [`McpClient::connect`](super::McpClient::connect).
///
/// Each tool is offered under the server's name (with the prefix: `{prefix}__{name}`; a
/// character the API does not take in a name becomes `_`, and a name is cut to 64
/// characters) with the server's description (else its title) and input schema. A call
/// goes to the server within the call timeout; the result's text, images and resources go
/// back to the model, and a result with `isError`, a timeout or a closed connection go back
/// as an error result (`is_error: true`): the run goes on.
///
/// Cheap to clone. The connection (and a stdio server's process) ends when the session, its
/// clones and every tool made from it are dropped, e.g. with the agent that holds them.
#[derive(Clone)]
pub struct McpSession {
    inner: Arc<Inner>,
}

struct Inner {
    connection: Arc<Connection>,
    prefix: Option<String>,
    list_timeout: Duration,
    stale: Arc<AtomicBool>,
    tools: Mutex<Arc<[AgentTool]>>,
}

impl McpSession {
    pub(super) async fn start(
        connection: Connection,
        prefix: Option<String>,
        list_timeout: Duration,
        stale: Arc<AtomicBool>,
    ) -> Result<Self, McpError> {
        let session = Self {
            inner: Arc::new(Inner {
                connection: Arc::new(connection),
                prefix,
                list_timeout,
                stale,
                tools: Mutex::new(Arc::new([])),
            }),
        };
        session.refresh().await?;
        Ok(session)
    }

    /// The tools as last listed, named for the model.
    pub fn tools(&self) -> Vec<AgentTool> {
        self.current().to_vec()
    }

    /// Lists the server's tools again (every page) and makes them the session's tools.
    pub async fn refresh(&self) -> Result<(), McpError> {
        let inner = &self.inner;
        inner.stale.store(false, Ordering::SeqCst);
        let listed = match inner.connection.list_tools(inner.list_timeout).await {
            Ok(listed) => listed,
            Err(err) => {
                inner.stale.store(true, Ordering::SeqCst);
                return Err(err);
            }
        };
        let mut tools: Vec<AgentTool> = Vec::with_capacity(listed.len());
        for tool in listed {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                continue;
            };
            let exposed = exposed_name(inner.prefix.as_deref(), name);
            if tools.iter().any(|known| known.name() == exposed) {
                tracing::warn!(server = %inner.connection.label, tool = name, "two tools share the name {exposed}; the second is left out");
                continue;
            }
            tools.push(agent_tool(
                &inner.connection,
                exposed,
                name.to_owned(),
                &tool,
            ));
        }
        *inner.tools.lock().unwrap_or_else(|e| e.into_inner()) = tools.into();
        Ok(())
    }

    /// Whether the server said its tools changed since they were last listed.
    pub fn is_stale(&self) -> bool {
        self.inner.stale.load(Ordering::SeqCst)
    }

    /// The process id of a stdio server (`None` for HTTP, or once it is gone).
    pub fn pid(&self) -> Option<u32> {
        self.inner.connection.pid
    }

    /// The server's name and version, as it gave them in the handshake.
    pub fn server_info(&self) -> Option<(String, String)> {
        let info = self.inner.connection.service.peer_info()?;
        let json = serde_json::to_value(&*info).ok()?;
        let server = json.get("serverInfo")?;
        Some((
            server.get("name")?.as_str()?.to_owned(),
            server.get("version")?.as_str()?.to_owned(),
        ))
    }

    /// Calls a tool by its name on the server (not prefixed), as the agent would: the
    /// content the model would get, or the error text of an error result.
    pub async fn call(&self, name: &str, args: Value) -> Result<MessageContent, String> {
        self.inner.connection.call(name, args).await
    }

    fn current(&self) -> Arc<[AgentTool]> {
        self.inner
            .tools
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl ToolSet for McpSession {
    /// The tools, listed again first if the server said they changed; if that listing fails,
    /// the tools as they were (and a warning).
    fn current_tools(&self) -> ToolSetFuture<'_> {
        Box::pin(async move {
            if self.is_stale()
                && let Err(err) = self.refresh().await
            {
                tracing::warn!(error = %err, "MCP tools could not be listed again; keeping the old list");
            }
            self.tools()
        })
    }
}

impl fmt::Debug for McpSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tools = self.current();
        let names: Vec<&str> = tools.iter().map(AgentTool::name).collect();
        f.debug_struct("McpSession")
            .field("server", &self.inner.connection.label)
            .field("pid", &self.inner.connection.pid)
            .field("tools", &names)
            .finish_non_exhaustive()
    }
}

/// A listed tool (MCP JSON) as the agent's tool named `exposed`, calling `name` on the server.
fn agent_tool(
    connection: &Arc<Connection>,
    exposed: String,
    name: String,
    tool: &Value,
) -> AgentTool {
    let schema = tool
        .get("inputSchema")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({"type": "object"}));
    let mut definition = Tool::new(exposed, schema);
    // The description the server gives, else its human-readable title.
    let description = ["description", "title"]
        .iter()
        .find_map(|key| tool.get(*key).and_then(Value::as_str));
    if let Some(description) = description {
        definition = definition.description(description);
    }
    let connection = connection.clone();
    let name: Arc<str> = name.into();
    AgentTool::from_json(definition, move |args| {
        let connection = connection.clone();
        let name = name.clone();
        async move { connection.call(&name, args).await }
    })
}

/// The name the model knows a server's tool by: `{prefix}__{name}`, with characters outside
/// `[A-Za-z0-9_-]` made `_`, at most 64 characters.
pub(super) fn exposed_name(prefix: Option<&str>, name: &str) -> String {
    let full = match prefix {
        Some(prefix) => format!("{prefix}__{name}"),
        None => name.to_owned(),
    };
    full.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME_LEN)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed_made_valid_and_cut() {
        assert_eq!(exposed_name(Some("fs"), "read_file"), "fs__read_file");
        assert_eq!(exposed_name(None, "get-sum"), "get-sum");
        assert_eq!(exposed_name(Some("my server"), "a.b/c"), "my_server__a_b_c");
        assert_eq!(exposed_name(None, "größe"), "gr__e");
        let long = "x".repeat(100);
        assert_eq!(exposed_name(Some("p"), &long).len(), 64);
    }
}
