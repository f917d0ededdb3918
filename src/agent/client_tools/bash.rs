//! The bash tool (`bash_20250124`): one persistent bash process, in its own process group,
//! started in the root directory with a scrubbed environment.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

use crate::agent::AgentTool;
use crate::tools::ToolDefinition;

/// The tool type the request carries.
pub const BASH_TYPE: &str = "bash_20250124";
/// The name the model calls it by.
pub const BASH_NAME: &str = "bash";
/// How long one command may run, by default.
pub const DEFAULT_BASH_TIMEOUT: Duration = Duration::from_secs(120);
/// How much output one command returns at most, by default (half from its start, half from
/// its end).
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 30_000;
/// Variables passed from your environment by default (when set): the rest is not passed.
pub const DEFAULT_ALLOWED_ENV: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"];
/// Variables never passed, even when allowed or set explicitly.
pub const NEVER_PASSED_ENV: &[&str] = &["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"];

/// What the model sends: a command, or a restart.
#[derive(Debug, Deserialize)]
struct Input {
    command: Option<String>,
    #[serde(default)]
    restart: bool,
}

#[derive(Debug, Clone)]
struct Config {
    root: PathBuf,
    shell: PathBuf,
    allowed: Vec<String>,
    set: Vec<(String, String)>,
    timeout: Duration,
    max_output: usize,
}

/// Anthropic's bash tool: one persistent `bash` session per tool (a `cd` or a variable
/// lasts from one command to the next), run from a root directory.
///
/// - The session is started in the root, in a process group of its own, with `--noprofile
///   --norc`, stdin from `/dev/null` for each command, stderr merged into stdout.
/// - Its environment is cleared, then given only the variables you allow
///   ([`DEFAULT_ALLOWED_ENV`], [`allow_env`](Self::allow_env)) or set ([`env`](Self::env)),
///   `HOME` set to the root; [`NEVER_PASSED_ENV`] (the API key) is never passed.
/// - A command that runs past the [timeout](Self::timeout) has its **whole process group**
///   killed (`SIGKILL`), and the session is restarted; the result says so.
/// - Output past [`max_output_bytes`](Self::max_output_bytes) keeps its start and its end,
///   with a marker saying how many bytes were left out between.
/// - `{"restart": true}` kills the session and starts a new one.
///
/// # What this is not
///
/// Starting in the root is **not a sandbox**: a command can `cd /`, read what your user can
/// read, write what your user can write, open the network, and start a process that leaves
/// the group (`setsid`) and outlives the timeout. The boundary is the environment (no API key,
/// no variable you did not allow), the starting directory, the time and the output size. For
/// a hostile model, run the agent in a container or VM, or deny calls with an
/// [`ApprovalHook`](crate::agent::ApprovalHook). A background job (`cmd &`) that writes after
/// its command returned shows up in the next command's output.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use chat_anthropic::agent::client_tools::Bash;
/// use serde_json::json;
/// use std::time::Duration;
/// let dir = std::env::temp_dir();
/// let bash = Bash::new(&dir)?.timeout(Duration::from_secs(10));
/// bash.run(json!({"command": "greeting=hello"})).await?;
/// let out = bash.run(json!({"command": "echo $greeting; echo ${ANTHROPIC_API_KEY:-unset}"})).await?;
/// assert_eq!(out, "hello\nunset\n");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Bash {
    config: Arc<Config>,
    session: Arc<Mutex<Option<Session>>>,
}

impl Bash {
    /// A bash tool whose sessions start in the directory `root` (it must exist). No process
    /// starts before the first command.
    pub fn new(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref().canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        let shell = ["/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"]
            .iter()
            .map(PathBuf::from)
            .find(|path| path.is_file())
            .unwrap_or_else(|| PathBuf::from("bash"));
        Ok(Self {
            config: Arc::new(Config {
                root,
                shell,
                allowed: DEFAULT_ALLOWED_ENV
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                set: Vec::new(),
                timeout: DEFAULT_BASH_TIMEOUT,
                max_output: DEFAULT_MAX_OUTPUT_BYTES,
            }),
            session: Arc::new(Mutex::new(None)),
        })
    }

    /// The settings to change; a tool changed after it was cloned gets a session of its own.
    fn config_mut(&mut self) -> &mut Config {
        if Arc::get_mut(&mut self.config).is_none() {
            self.session = Arc::new(Mutex::new(None));
        }
        Arc::make_mut(&mut self.config)
    }

    /// Passes this variable of your environment to the session too (when set). The names
    /// in [`NEVER_PASSED_ENV`] are ignored.
    pub fn allow_env(mut self, name: impl Into<String>) -> Self {
        self.config_mut().allowed.push(name.into());
        self
    }

    /// Passes no variable of your environment (not even `PATH`); only those set with
    /// [`env`](Self::env).
    pub fn no_inherited_env(mut self) -> Self {
        self.config_mut().allowed.clear();
        self
    }

    /// Sets a variable in the session. The names in [`NEVER_PASSED_ENV`] are ignored.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config_mut().set.push((name.into(), value.into()));
        self
    }

    /// How long one command may run (default [`DEFAULT_BASH_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config_mut().timeout = timeout;
        self
    }

    /// How many bytes of output one command returns at most (default
    /// [`DEFAULT_MAX_OUTPUT_BYTES`]; at least 64).
    pub fn max_output_bytes(mut self, bytes: usize) -> Self {
        self.config_mut().max_output = bytes.max(64);
        self
    }

    /// The definition the request carries: `{"type": "bash_20250124", "name": "bash"}`.
    pub fn definition(&self) -> ToolDefinition {
        json!({"type": BASH_TYPE, "name": BASH_NAME}).into()
    }

    /// The tool for an [`Agent`](crate::agent::Agent).
    pub fn into_tool(self) -> AgentTool {
        let definition = self.definition();
        AgentTool::from_json(definition, move |input| {
            let bash = self.clone();
            async move { bash.run(input).await }
        })
    }

    /// Runs one call the model sent: its output (with the exit status when not 0), or the
    /// error text (timeout, session ended, invalid input).
    pub async fn run(&self, input: Value) -> Result<String, String> {
        let input =
            Input::deserialize(input).map_err(|err| format!("Error: invalid input: {err}"))?;
        let mut session = self.session.lock().await;
        if input.restart {
            if let Some(old) = session.take() {
                old.kill().await;
            }
            *session = Some(self.start().map_err(start_error)?);
            return Ok("tool has been restarted.".to_owned());
        }
        let Some(command) = input.command else {
            return Err("Error: no command provided.".to_owned());
        };
        if command.contains('\0') {
            return Err("Error: the command contains a NUL byte.".to_owned());
        }
        if session.is_none() {
            *session = Some(self.start().map_err(start_error)?);
        }
        let running = session.as_mut().expect("started above");
        match running.execute(&command, &self.config).await {
            Finished::Exited(0, output) => Ok(non_empty(output)),
            Finished::Exited(status, output) => {
                Ok(format!("{}\n(exit status {status})", non_empty(output)))
            }
            Finished::TimedOut(output) => {
                if let Some(old) = session.take() {
                    old.kill().await;
                }
                *session = self.start().ok();
                Err(format!(
                    "{}\nError: the command timed out after {}s; its process group was killed and the bash session restarted (variables and the working directory are reset).",
                    non_empty(output),
                    self.config.timeout.as_secs_f64()
                ))
            }
            Finished::SessionEnded(output) => {
                if let Some(old) = session.take() {
                    old.kill().await;
                }
                *session = self.start().ok();
                Err(format!(
                    "{}\nError: the bash session ended (for example by `exit`); a new session was started (variables and the working directory are reset).",
                    non_empty(output)
                ))
            }
            Finished::Failed(err) => {
                if let Some(old) = session.take() {
                    old.kill().await;
                }
                Err(format!("Error: the bash session failed: {err}"))
            }
        }
    }

    fn start(&self) -> io::Result<Session> {
        let config = &self.config;
        let mut command = tokio::process::Command::new(&config.shell);
        command
            .args(["--noprofile", "--norc"])
            .current_dir(&config.root)
            .env_clear()
            .envs(child_env(std::env::vars_os(), &config.allowed, &config.set))
            .env("HOME", &config.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let pid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(rustix::process::Pid::from_raw)
            .ok_or_else(|| io::Error::other("the shell exited at once"))?;
        Ok(Session {
            child,
            stdin,
            stdout,
            group: pid,
        })
    }
}

impl std::fmt::Debug for Bash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values of set variables stay out (they may be secrets).
        f.debug_struct("Bash")
            .field("root", &self.config.root)
            .field("shell", &self.config.shell)
            .field("allowed_env", &self.config.allowed)
            .field("timeout", &self.config.timeout)
            .field("max_output", &self.config.max_output)
            .finish_non_exhaustive()
    }
}

fn start_error(err: io::Error) -> String {
    format!("Error: bash could not be started: {err}")
}

fn non_empty(output: String) -> String {
    if output.is_empty() {
        "(no output)".to_owned()
    } else {
        output
    }
}

/// The child's environment: the allowed variables that are set in `parent`, then the ones
/// set explicitly; never a name in [`NEVER_PASSED_ENV`].
fn child_env(
    parent: impl Iterator<Item = (OsString, OsString)>,
    allowed: &[String],
    set: &[(String, String)],
) -> Vec<(OsString, OsString)> {
    let never = |name: &OsStr| NEVER_PASSED_ENV.iter().any(|n| OsStr::new(n) == name);
    let mut env: Vec<(OsString, OsString)> = parent
        .filter(|(name, _)| allowed.iter().any(|a| OsStr::new(a) == name) && !never(name))
        .collect();
    for (name, value) in set {
        if !never(OsStr::new(name)) {
            env.retain(|(n, _)| n != OsStr::new(name));
            env.push((name.into(), value.into()));
        }
    }
    env
}

/// How a command ended.
enum Finished {
    Exited(i32, String),
    TimedOut(String),
    SessionEnded(String),
    Failed(io::Error),
}

/// A running bash and its group.
struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    group: rustix::process::Pid,
}

impl Session {
    async fn execute(&mut self, command: &str, config: &Config) -> Finished {
        let marker = format!("__chat_anthropic_done_{:016x}__", fastrand::u64(..));
        // One line: the command, quoted so no byte of it is read as shell syntax here, run
        // by `eval` with stdin from /dev/null (it cannot read the next line), then the marker
        // with its status. `exec 2>&1` puts stderr in the same stream, in order.
        let line = format!(
            "exec 2>&1; eval {} < /dev/null; printf '\\n{marker}:%s\\n' \"$?\"\n",
            ansi_c_quote(command)
        );
        if let Err(err) = self.stdin.write_all(line.as_bytes()).await {
            return if err.kind() == io::ErrorKind::BrokenPipe {
                Finished::SessionEnded(String::new())
            } else {
                Finished::Failed(err)
            };
        }
        if let Err(err) = self.stdin.flush().await {
            return Finished::Failed(err);
        }
        let mut capture = Capture::new(config.max_output, marker.len() + 32);
        let deadline = tokio::time::Instant::now() + config.timeout;
        let needle = format!("\n{marker}:");
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let read = tokio::time::timeout_at(deadline, self.stdout.read(&mut buf)).await;
            match read {
                Err(_) => return Finished::TimedOut(capture.finish(None)),
                Ok(Err(err)) => return Finished::Failed(err),
                Ok(Ok(0)) => return Finished::SessionEnded(capture.finish(None)),
                Ok(Ok(n)) => capture.push(&buf[..n]),
            }
            if let Some(status) = capture.status_after(needle.as_bytes()) {
                return Finished::Exited(status, capture.finish(Some(needle.as_bytes())));
            }
        }
    }

    /// Kills the whole group and reaps the shell (bounded).
    async fn kill(mut self) {
        let _ = rustix::process::kill_process_group(self.group, rustix::process::Signal::KILL);
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Whatever the shell started in its group goes with it.
        let _ = rustix::process::kill_process_group(self.group, rustix::process::Signal::KILL);
    }
}

/// `$'…'` quoting: letters, digits and a few safe characters as they are, every other byte
/// as `\xHH`, so nothing in the command is shell syntax until `eval` reads it.
fn ansi_c_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2 + 3);
    out.push_str("$'");
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b" _-.,/:=+@%".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('\'');
    out
}

/// A command's output, capped: the first half of the cap, and a rolling last half.
struct Capture {
    head: Vec<u8>,
    tail: Vec<u8>,
    omitted: usize,
    half: usize,
    slack: usize,
}

impl Capture {
    fn new(max: usize, slack: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: Vec::new(),
            omitted: 0,
            half: max / 2,
            slack,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = bytes.len().min(self.half - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        self.tail.extend_from_slice(bytes);
        let keep = self.half + self.slack;
        if self.tail.len() > 2 * keep {
            let drop = self.tail.len() - keep;
            self.tail.drain(..drop);
            self.omitted += drop;
        }
    }

    /// The bytes so far as one slice when nothing was dropped, else the tail.
    fn end(&self) -> Vec<u8> {
        if self.omitted == 0 {
            [self.head.as_slice(), self.tail.as_slice()].concat()
        } else {
            self.tail.clone()
        }
    }

    /// The exit status, when the output ends with the marker line.
    fn status_after(&self, needle: &[u8]) -> Option<i32> {
        let end = self.end();
        if !end.ends_with(b"\n") {
            return None;
        }
        let at = memchr::memmem::rfind(&end, needle)?;
        let digits = &end[at + needle.len()..end.len() - 1];
        std::str::from_utf8(digits).ok()?.parse().ok()
    }

    /// The output as text, the marker line (when `needle` is given) taken off, the middle
    /// replaced by a note when too long.
    fn finish(self, needle: Option<&[u8]>) -> String {
        let mut all_end = self.end();
        if let Some(needle) = needle
            && let Some(at) = memchr::memmem::rfind(&all_end, needle)
        {
            all_end.truncate(at);
        }
        if self.omitted == 0 {
            if all_end.len() <= 2 * self.half {
                return String::from_utf8_lossy(&all_end).into_owned();
            }
            let (head, tail) = all_end.split_at(self.half);
            return join(head, tail, self.half, 0);
        }
        join(&self.head, &all_end, self.half, self.omitted)
    }
}

fn join(head: &[u8], tail: &[u8], half: usize, omitted: usize) -> String {
    let cut = tail.len().saturating_sub(half);
    let omitted = omitted + cut;
    if omitted == 0 {
        return format!(
            "{}{}",
            String::from_utf8_lossy(head),
            String::from_utf8_lossy(tail)
        );
    }
    format!(
        "{}\n[... {omitted} bytes of output omitted ...]\n{}",
        String::from_utf8_lossy(head),
        String::from_utf8_lossy(&tail[cut..])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_is_the_allowed_names_only_and_never_the_key() {
        let parent = vec![
            ("PATH".into(), "/bin".into()),
            ("ANTHROPIC_API_KEY".into(), "sk-secret".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "aws".into()),
            ("LANG".into(), "C".into()),
        ];
        let allowed = vec!["PATH".to_owned(), "ANTHROPIC_API_KEY".to_owned()];
        let set = vec![
            ("ANTHROPIC_API_KEY".to_owned(), "again".to_owned()),
            ("MODE".to_owned(), "test".to_owned()),
        ];
        let env = child_env(parent.into_iter(), &allowed, &set);
        assert_eq!(
            env,
            vec![
                (OsString::from("PATH"), OsString::from("/bin")),
                (OsString::from("MODE"), OsString::from("test")),
            ]
        );
    }

    #[test]
    fn quoting_leaves_no_shell_syntax() {
        assert_eq!(ansi_c_quote("echo hi"), "$'echo hi'");
        assert_eq!(ansi_c_quote("a'b;$x\n"), "$'a\\x27b\\x3b\\x24x\\x0a'");
        assert_eq!(ansi_c_quote("é"), "$'\\xc3\\xa9'");
    }

    #[test]
    fn long_output_keeps_head_and_tail() {
        let needle = b"\n__m__:";
        let mut capture = Capture::new(100, 40);
        for _ in 0..1000 {
            capture.push(b"0123456789");
        }
        capture.push(b"END\n__m__:0\n");
        assert_eq!(capture.status_after(needle), Some(0));
        let text = capture.finish(Some(needle));
        assert!(text.starts_with("01234567890123456789"), "{text}");
        assert!(text.ends_with("789END"), "{text}");
        assert!(text.contains("bytes of output omitted"), "{text}");
        let omitted: usize = text
            .split("[... ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(omitted + 100, 10_003);
    }

    #[test]
    fn short_output_is_whole_and_the_marker_is_cut() {
        let needle = b"\n__m__:";
        let mut capture = Capture::new(100, 40);
        capture.push(b"hello\n");
        assert_eq!(capture.status_after(needle), None);
        capture.push(b"\n__m__:");
        assert_eq!(capture.status_after(needle), None);
        capture.push(b"3\n");
        assert_eq!(capture.status_after(needle), Some(3));
        assert_eq!(capture.finish(Some(needle)), "hello\n");
    }
}
