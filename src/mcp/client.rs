//! How to reach a server: a command to start (stdio) or a URL (streamable HTTP), with the
//! name prefix and time limits; `connect` starts it and lists its tools.

use std::fmt;
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use rmcp::service::ClientInitializeError;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::ServiceExt;

use super::error::{McpError, McpErrorKind, McpPhase};
use super::session::{Connection, Events, McpSession};

/// How long a server may take to start and answer `initialize`, or to list its tools, by
/// default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one tool call may take, by default.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

enum Transport {
    Stdio {
        command: tokio::process::Command,
        stderr: Option<Stdio>,
    },
    Http {
        url: String,
        bearer_token: Option<String>,
    },
}

/// An MCP server to connect to, client side: a program started with its standard input and
/// output as the channel (stdio), or a URL (streamable HTTP). [`connect`](Self::connect)
/// starts it, does the handshake and lists its tools: an [`McpSession`].
///
/// ```
/// use std::time::Duration;
/// use chat_anthropic::mcp::McpClient;
///
/// let mut command = tokio::process::Command::new("npx");
/// command.args(["-y", "@modelcontextprotocol/server-everything", "stdio"]);
/// let local = McpClient::stdio(command)
///     .prefix("everything")
///     .call_timeout(Duration::from_secs(20));
/// let remote = McpClient::http("http://127.0.0.1:3001/mcp")
///     .prefix("docs")
///     .bearer_token("secret");
/// assert!(!format!("{remote:?}").contains("secret"));
/// # let _ = local;
/// ```
pub struct McpClient {
    transport: Transport,
    prefix: Option<String>,
    connect_timeout: Duration,
    call_timeout: Duration,
}

impl McpClient {
    /// A server started as `command`, speaking MCP on its standard input and output. Its
    /// standard error goes where ours goes unless [`stderr`](Self::stderr) says otherwise.
    /// The process is ended when the session (and every tool made from it) is dropped.
    pub fn stdio(command: tokio::process::Command) -> Self {
        Self::with(Transport::Stdio {
            command,
            stderr: None,
        })
    }

    /// A server at `url` (streamable HTTP, e.g. `http://127.0.0.1:3001/mcp`).
    pub fn http(url: impl Into<String>) -> Self {
        Self::with(Transport::Http {
            url: url.into(),
            bearer_token: None,
        })
    }

    fn with(transport: Transport) -> Self {
        Self {
            transport,
            prefix: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
        }
    }

    /// Names the server's tools `{prefix}__{tool}` for the model, so that tools of several
    /// servers cannot collide (the server still gets its own names). Also names the server in
    /// errors.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// How long starting the server and the `initialize` handshake may take, and each
    /// listing of its tools (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one tool call may take (default [`DEFAULT_CALL_TIMEOUT`]); a call that takes
    /// longer is cancelled and answered to the model as an error result.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Where the server's standard error goes (stdio servers; default: inherited).
    pub fn stderr(mut self, stderr: impl Into<Stdio>) -> Self {
        if let Transport::Stdio { stderr: slot, .. } = &mut self.transport {
            *slot = Some(stderr.into());
        }
        self
    }

    /// The bearer token sent as `Authorization` (HTTP servers). Never printed by `Debug`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        if let Transport::Http { bearer_token, .. } = &mut self.transport {
            *bearer_token = Some(token.into());
        }
        self
    }

    /// The server's name in errors: the prefix, else the program or URL.
    fn label(&self) -> String {
        match (&self.prefix, &self.transport) {
            (Some(prefix), _) => prefix.clone(),
            (None, Transport::Stdio { command, .. }) => command
                .as_std()
                .get_program()
                .to_string_lossy()
                .into_owned(),
            (None, Transport::Http { url, .. }) => url_label(url),
        }
    }

    /// Starts the server (or opens the HTTP session), does the `initialize` handshake and
    /// lists every page of its tools, each step within the connect timeout.
    ///
    /// Errors: [`McpErrorKind::Spawn`] (the program could not start), `Timeout(Connect)`,
    /// `Closed` (the process exited or the server refused the session), `Protocol`.
    pub async fn connect(self) -> Result<McpSession, McpError> {
        let label = self.label();
        let stale = Arc::new(AtomicBool::new(false));
        let events = Events::new(stale.clone());
        let connect_timeout = self.connect_timeout;
        let (service, pid) = match self.transport {
            Transport::Stdio {
                mut command,
                stderr,
            } => {
                // If the runtime is gone when the session is dropped, the child still dies.
                command.kill_on_drop(true);
                let mut builder = TokioChildProcess::builder(command);
                if let Some(stderr) = stderr {
                    builder = builder.stderr(stderr);
                }
                let (process, _) = builder.spawn().map_err(|err| {
                    McpError::new(McpErrorKind::Spawn, &label, "could not start").with_source(err)
                })?;
                let pid = process.id();
                let service = within(connect_timeout, &label, events.serve(process)).await?;
                (service, pid)
            }
            Transport::Http { url, bearer_token } => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(McpError::new(
                        McpErrorKind::Config,
                        &label,
                        format!("{url:?} is not an http(s) URL"),
                    ));
                }
                let mut config = StreamableHttpClientTransportConfig::with_uri(url);
                if let Some(token) = bearer_token {
                    config = config.auth_header(token);
                }
                let http = http_client().map_err(|err| {
                    McpError::new(McpErrorKind::Config, &label, err.message().to_owned())
                })?;
                let transport = StreamableHttpClientTransport::with_client(http, config);
                let service = within(connect_timeout, &label, events.serve(transport)).await?;
                (service, None)
            }
        };
        let connection = Connection::new(label, service, pid, self.call_timeout);
        McpSession::start(connection, self.prefix, connect_timeout, stale).await
    }
}

/// The HTTP client of an MCP server over streamable HTTP: rmcp's own settings (no idle
/// connection kept, which avoids delayed-ACK stalls; only same-origin 307/308 redirects
/// followed, at most 10, as they keep the method and body), with this crate's TLS backend.
/// (rmcp's default client would ask reqwest for its default provider, which this crate
/// does not install.)
fn http_client() -> Result<reqwest::Client, crate::error::ConfigError> {
    const MAX_REDIRECTS: usize = 10;
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let keeps_body = matches!(
            attempt.status(),
            reqwest::StatusCode::TEMPORARY_REDIRECT | reqwest::StatusCode::PERMANENT_REDIRECT
        );
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !keeps_body || !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("exceeded {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    });
    crate::transport::tls::configure(reqwest::Client::builder(), &Default::default())?
        .pool_max_idle_per_host(0)
        .redirect(redirects)
        .build()
        .map_err(|err| {
            crate::error::ConfigError::new(
                crate::error::ConfigReason::InvalidSetting,
                format!("the HTTP client cannot be built: {err}"),
            )
        })
}

/// A URL as errors name it: without user-info, query or fragment (where tokens hide).
fn url_label(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// The handshake, within `timeout`; its failure as an [`McpError`].
async fn within<T>(
    timeout: Duration,
    label: &str,
    handshake: impl Future<Output = Result<T, ClientInitializeError>>,
) -> Result<T, McpError> {
    match tokio::time::timeout(timeout, handshake).await {
        Err(_) => Err(McpError::timeout(label, McpPhase::Connect, timeout)),
        Ok(Err(err)) => {
            let kind = match err {
                ClientInitializeError::ConnectionClosed(_)
                | ClientInitializeError::TransportError { .. } => McpErrorKind::Closed,
                _ => McpErrorKind::Protocol,
            };
            Err(McpError::new(kind, label, "the handshake failed").with_source(err))
        }
        Ok(Ok(service)) => Ok(service),
    }
}

impl fmt::Debug for McpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("McpClient");
        match &self.transport {
            Transport::Stdio { command, .. } => out.field("command", command.as_std()),
            Transport::Http { url, bearer_token } => out
                .field("url", url)
                .field("bearer_token", &bearer_token.as_ref().map(|_| "[redacted]")),
        };
        out.field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_in_errors_has_no_credentials_query_or_fragment() {
        assert_eq!(
            url_label("https://user:pw@mcp.example.com/mcp?token=secret#x"),
            "https://mcp.example.com/mcp"
        );
        assert_eq!(
            url_label("http://127.0.0.1:3001/mcp"),
            "http://127.0.0.1:3001/mcp"
        );
        assert_eq!(url_label("http://h?k=v"), "http://h");
        assert_eq!(
            McpClient::http("https://u:p@h/mcp?t=s").label(),
            "https://h/mcp"
        );
    }
}
