//! A token printed by a command, e.g. `gcloud auth print-access-token`.

use std::time::Duration;

use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::PlatformError;

/// Runs a command and takes its trimmed standard output as the token, considered good for
/// [`lifetime`](Self::lifetime) (15 minutes by default: the command says nothing of expiry).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::credentials::{CommandToken, TokenProvider};
/// let gcloud = CommandToken::gcloud();
/// let echo = CommandToken::new("echo", ["ya29.from-a-command"]);
/// # #[cfg(unix)]
/// assert_eq!(echo.fetch().await?.expose(), "ya29.from-a-command");
/// # let _ = gcloud; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CommandToken {
    program: String,
    args: Vec<String>,
    lifetime: Duration,
    timeout: Duration,
}

impl CommandToken {
    /// `program` with `args`.
    pub fn new<S: Into<String>>(
        program: impl Into<String>,
        args: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            lifetime: Duration::from_secs(15 * 60),
            timeout: Duration::from_secs(60),
        }
    }

    /// `gcloud auth print-access-token`.
    pub fn gcloud() -> Self {
        Self::new("gcloud", ["auth", "print-access-token"])
    }

    /// How long a printed token is used before the command runs again.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The longest the command may run (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn run(&self) -> Result<AccessToken, PlatformError> {
        let failed = |why: String| PlatformError::credentials(format!("`{}`: {why}", self.program));
        let output = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(self.timeout, output)
            .await
            .map_err(|_| failed(format!("no answer within {:?}", self.timeout)))?
            .map_err(|e| failed(format!("cannot run: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr: String = stderr.trim().chars().take(500).collect();
            return Err(failed(format!("{}: {stderr}", output.status)));
        }
        let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(failed("printed no single token".into()));
        }
        Ok(AccessToken::new(token, Some(self.lifetime)))
    }
}

impl TokenProvider for CommandToken {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(async move { Ok(self.run().await?) })
    }
}
