//! Anthropic-defined client tools, implemented and ready for an [`Agent`](super::Agent): the
//! memory tool ([`Memory`], `memory_20250818`), the text editor ([`TextEditor`],
//! `text_editor_20250728`) and bash ([`Bash`], `bash_20250124`), each confined to a directory
//! you give.
//!
//! Feature `client-tools` (with `agent`), Unix only.
//!
//! The model cannot be trusted with a path, so the file tools treat every path as hostile:
//!
//! - It is resolved **component by component from an open handle on the root** (`openat`),
//!   never as a path string, with `O_NOFOLLOW` on every component: a symbolic link is never
//!   followed, whether it was there before the run or made during it (by the bash tool, say,
//!   between two calls or during one). The check *is* the open, so there is no window
//!   between them.
//! - `..` is resolved in the text first and may not climb above the root; an absolute path is
//!   refused unless it lies under the root (the text editor) or under `/memories` (the memory
//!   tool); a NUL byte is refused. Names on disk that are not UTF-8 are listed lossily and
//!   cannot be named back.
//! - Reads and writes are capped ([`DEFAULT_MAX_FILE_BYTES`]); a binary file (a NUL byte, or
//!   not UTF-8) is reported with its size, not shown; FIFOs, sockets and devices are refused
//!   (opened non-blocking, checked on the open handle); so is a file with several hard links.
//! - Edits write a temporary file beside the target and rename it over the target, so a
//!   link swapped in at the last moment is replaced, not written through.
//!
//! Bash is different: it runs commands, and a command can go anywhere your user can. Its
//! boundary is its environment, starting directory, time and output, not the file system; see
//! [`Bash`]. Any tool can be put behind an [`ApprovalHook`](super::ApprovalHook) that sees
//! each call first and may deny it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use chat_anthropic::agent::client_tools::{Bash, Memory, TextEditor};
//! use chat_anthropic::agent::{Agent, Approval, ApprovalHook};
//! use chat_anthropic::ChatAnthropic;
//! let workspace = std::env::temp_dir().join(format!("client-tools-doc-{}", std::process::id()));
//! std::fs::create_dir_all(workspace.join("memories"))?;
//! let no_rm = ApprovalHook::new(|call| match call.input["command"].as_str() {
//!     Some(command) if command.contains("rm ") => Approval::deny("no deleting"),
//!     _ => Approval::Allow,
//! });
//! let agent = Agent::new(ChatAnthropic::new("claude-sonnet-4-6").betas([chat_anthropic::agent::client_tools::MEMORY_BETA]))
//!     .tool(TextEditor::new(&workspace)?.max_characters(20_000).into_tool())
//!     .tool(Bash::new(&workspace)?.into_tool().with_approval(no_rm))
//!     .tool(Memory::new(workspace.join("memories"))?.into_tool());
//! let names: Vec<&str> = agent.tool_list().iter().map(|tool| tool.name()).collect();
//! assert_eq!(names, ["str_replace_based_edit_tool", "bash", "memory"]);
//! # std::fs::remove_dir_all(&workspace)?; Ok(()) }
//! ```

mod bash;
mod memory;
mod root;
mod text;
mod text_editor;

pub use bash::{
    Bash, BASH_NAME, BASH_TYPE, DEFAULT_ALLOWED_ENV, DEFAULT_BASH_TIMEOUT,
    DEFAULT_MAX_OUTPUT_BYTES, NEVER_PASSED_ENV,
};
pub use memory::{Memory, MEMORY_BETA, MEMORY_NAME, MEMORY_TYPE};
pub use text_editor::{TextEditor, DEFAULT_VIEW_CHARACTERS, TEXT_EDITOR_NAME, TEXT_EDITOR_TYPE};

/// The largest file the file tools read or write, by default (1 MiB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 1 << 20;

/// The most entries a directory view lists.
const LIST_LIMIT: usize = 1_000;

/// Runs file work off the async threads; a panic becomes an error text.
async fn blocking<F>(work: F) -> Result<String, String>
where
    F: FnOnce() -> Result<String, String> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| Err(format!("Error: the tool failed unexpectedly: {err}")))
}
