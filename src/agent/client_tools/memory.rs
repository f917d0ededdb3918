//! The memory tool (`memory_20250818`): the model's `/memories` directory, kept in a directory
//! of the caller's.

use std::io;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};

use super::root::{list, FsError, Kind, RelPath, Root};
use super::{blocking, text, DEFAULT_MAX_FILE_BYTES, LIST_LIMIT};
use crate::agent::AgentTool;
use crate::tools::ToolDefinition;

/// The tool type the request carries.
pub const MEMORY_TYPE: &str = "memory_20250818";
/// The name the model calls it by.
pub const MEMORY_NAME: &str = "memory";
/// The beta the memory tool needs (`ChatAnthropic::betas`).
pub const MEMORY_BETA: &str = "context-management-2025-06-27";
/// The directory the model sees.
const MEMORIES: &str = "/memories";
/// The most lines a viewed memory file may have (the reference implementation's limit).
const MAX_LINES: usize = 999_999;

#[derive(Debug, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
enum Command {
    View {
        path: String,
        view_range: Option<[i64; 2]>,
    },
    Create {
        path: String,
        file_text: String,
    },
    StrReplace {
        path: String,
        old_str: String,
        #[serde(default)]
        new_str: String,
    },
    Insert {
        path: String,
        insert_line: i64,
        insert_text: String,
    },
    Delete {
        path: String,
    },
    Rename {
        old_path: String,
        new_path: String,
    },
}

/// Anthropic's memory tool, its `/memories` kept in a directory you choose.
///
/// The model names paths under `/memories` (`/memories/notes/style.md`); each maps to the
/// same path under the root you give. A path outside `/memories`, a `..` above it, a NUL, or
/// a symbolic link anywhere on the way is refused (see the [module](super)). The results and
/// error texts are those of Anthropic's reference implementation (the Python SDK's
/// `BetaLocalFilesystemMemoryTool`), so the model reads what it was trained on. The request
/// needs the beta [`MEMORY_BETA`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use chat_anthropic::agent::client_tools::Memory;
/// use serde_json::json;
/// let dir = std::env::temp_dir().join(format!("memory-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let memory = Memory::new(&dir)?;
/// let saved = memory.run(json!({"command": "create", "path": "/memories/prefs.md", "file_text": "likes tea\n"})).await;
/// assert_eq!(saved, Ok("File created successfully at: /memories/prefs.md".to_owned()));
/// assert_eq!(std::fs::read_to_string(dir.join("prefs.md"))?, "likes tea\n");
/// let outside = memory.run(json!({"command": "view", "path": "/etc/passwd"})).await;
/// assert_eq!(outside, Err("Path must start with /memories, got: /etc/passwd".to_owned()));
/// # std::fs::remove_dir_all(&dir)?; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Memory {
    root: Arc<Root>,
    max_file_bytes: u64,
}

impl Memory {
    /// A memory kept in the directory `root` (opened now; it must exist).
    pub fn new(root: impl AsRef<Path>) -> io::Result<Self> {
        Ok(Self {
            root: Arc::new(Root::open(root.as_ref())?),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        })
    }

    /// The largest file read or written, in bytes (default [`DEFAULT_MAX_FILE_BYTES`]).
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// The definition the request carries: `{"type": "memory_20250818", "name": "memory"}`.
    pub fn definition(&self) -> ToolDefinition {
        json!({"type": MEMORY_TYPE, "name": MEMORY_NAME}).into()
    }

    /// The tool for an [`Agent`](crate::agent::Agent) (its model needs the beta
    /// [`MEMORY_BETA`]).
    pub fn into_tool(self) -> AgentTool {
        let definition = self.definition();
        AgentTool::from_json(definition, move |input| {
            let memory = self.clone();
            async move { memory.run(input).await }
        })
    }

    /// Runs one command the model sent; `Ok` is the result text, `Err` the error text.
    pub async fn run(&self, input: Value) -> Result<String, String> {
        let command =
            Command::deserialize(input).map_err(|err| format!("Error: invalid input: {err}"))?;
        let memory = self.clone();
        blocking(move || memory.execute(command)).await
    }

    fn execute(&self, command: Command) -> Result<String, String> {
        match command {
            Command::View { path, view_range } => self.view(&path, view_range),
            Command::Create { path, file_text } => {
                let rel = self.resolve(&path)?;
                if file_text.len() as u64 > self.max_file_bytes {
                    return Err(too_large(&path, self.max_file_bytes));
                }
                self.root
                    .create(&rel, file_text.as_bytes())
                    .map_err(|err| match err {
                        FsError::Exists => format!("File {path} already exists"),
                        other => fs_error(&path, other),
                    })?;
                Ok(format!("File created successfully at: {path}"))
            }
            Command::StrReplace {
                path,
                old_str,
                new_str,
            } => {
                let (rel, content) = self.read_text(&path)?;
                let found = text::occurrences(&content, &old_str);
                match found.len() {
                    0 => {
                        return Err(format!(
                            "No replacement was performed, old_str `{old_str}` did not appear verbatim in {path}."
                        ));
                    }
                    1 => {}
                    _ => {
                        let lines: Vec<String> = found.iter().map(usize::to_string).collect();
                        return Err(format!(
                            "No replacement was performed. Multiple occurrences of old_str `{old_str}` in lines: {}. Please ensure it is unique",
                            lines.join(", ")
                        ));
                    }
                }
                let edited = content.replacen(&old_str, &new_str, 1);
                self.write(&path, &rel, &edited)?;
                let lines: Vec<&str> = edited.split('\n').collect();
                let changed = found[0] - 1;
                let (from, to) = (changed.saturating_sub(2), (changed + 3).min(lines.len()));
                Ok(format!(
                    "The memory file has been edited. Here is the snippet showing the change (with line numbers):\n{}",
                    text::numbered(&lines[from..to].join("\n"), from + 1)
                ))
            }
            Command::Insert {
                path,
                insert_line,
                insert_text,
            } => {
                let (rel, content) = self.read_text(&path)?;
                let edited =
                    text::insert_after(&content, insert_line, &insert_text).map_err(|lines| {
                        format!(
                            "Invalid `insert_line` parameter: {insert_line}. It should be within the range [0, {lines}]."
                        )
                    })?;
                self.write(&path, &rel, &edited)?;
                Ok(format!("The file {path} has been edited."))
            }
            Command::Delete { path } => {
                let rel = self.resolve(&path)?;
                if rel.is_root() {
                    return Err("Cannot delete the /memories directory itself".to_owned());
                }
                self.root.delete(&rel).map_err(|err| match err {
                    FsError::NotFound => format!("The path {path} does not exist"),
                    other => fs_error(&path, other),
                })?;
                Ok(format!("Successfully deleted {path}"))
            }
            Command::Rename { old_path, new_path } => {
                let from = self.resolve(&old_path)?;
                let to = self.resolve(&new_path)?;
                if from.is_root() || to.is_root() {
                    return Err("Cannot rename the /memories directory itself".to_owned());
                }
                match self.root.kind(&from) {
                    Ok(_) => {}
                    Err(FsError::NotFound) => {
                        return Err(format!("The path {old_path} does not exist"));
                    }
                    Err(err) => return Err(fs_error(&old_path, err)),
                }
                self.root.rename(&from, &to).map_err(|err| match err {
                    FsError::Exists => format!("The destination {new_path} already exists"),
                    FsError::NotFound => format!("The path {old_path} does not exist"),
                    other => fs_error(&new_path, other),
                })?;
                Ok(format!("Successfully renamed {old_path} to {new_path}"))
            }
        }
    }

    fn view(&self, path: &str, range: Option<[i64; 2]>) -> Result<String, String> {
        let rel = self.resolve(path)?;
        let kind = self.root.kind(&rel).map_err(|err| match err {
            FsError::NotFound => not_found(path),
            other => fs_error(path, other),
        })?;
        if kind == Kind::Dir {
            let dir = self
                .root
                .open_dir(&rel)
                .map_err(|err| fs_error(path, err))?;
            let (entries, truncated) =
                list(&dir, 2, LIST_LIMIT).map_err(|err| fs_error(path, err))?;
            let mut out = format!(
                "Here're the files and directories up to 2 levels deep in {path}, excluding hidden items:\n{}\t{path}",
                size_text(4096)
            );
            for entry in entries {
                let (size, suffix) = match entry.kind {
                    Kind::File(size) => (size, ""),
                    Kind::Dir => (4096, "/"),
                    _ => continue,
                };
                out.push_str(&format!(
                    "\n{}\t{}/{}{suffix}",
                    size_text(size),
                    path.trim_end_matches('/'),
                    entry.path
                ));
            }
            if truncated {
                out.push_str(&format!("\n(listing cut at {LIST_LIMIT} entries)"));
            }
            return Ok(out);
        }
        let (_, content) = self.read_text(path)?;
        if content.split('\n').count() > MAX_LINES {
            return Err(format!(
                "File {path} exceeds maximum line limit of 999,999 lines."
            ));
        }
        let (shown, first) = match range {
            Some(range) => text::view_range(&content, range)?,
            None => (content, 1),
        };
        Ok(format!(
            "Here's the content of {path} with line numbers:\n{}",
            text::numbered(&shown, first)
        ))
    }

    /// Maps a `/memories/...` path into the root.
    fn resolve(&self, path: &str) -> Result<RelPath, String> {
        let rest = match path.strip_prefix(MEMORIES) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            _ => return Err(format!("Path must start with /memories, got: {path}")),
        };
        RelPath::parse(rest).map_err(|err| match err {
            FsError::Escape => format!("Path {path} would escape /memories directory"),
            other => fs_error(path, other),
        })
    }

    fn read_text(&self, path: &str) -> Result<(RelPath, String), String> {
        let rel = self.resolve(path)?;
        let bytes = self
            .root
            .read(&rel, self.max_file_bytes)
            .map_err(|err| match err {
                FsError::NotFound => not_found(path),
                FsError::NotAFile => format!("The path {path} is not a file."),
                other => fs_error(path, other),
            })?;
        match text::as_text(&bytes) {
            Some(content) => Ok((rel, content.to_owned())),
            None => Err(format!(
                "The file {path} is binary ({} bytes); it is not shown or edited.",
                bytes.len()
            )),
        }
    }

    fn write(&self, path: &str, rel: &RelPath, content: &str) -> Result<(), String> {
        if content.len() as u64 > self.max_file_bytes {
            return Err(too_large(path, self.max_file_bytes));
        }
        self.root
            .replace(rel, content.as_bytes())
            .map_err(|err| fs_error(path, err))
    }
}

fn not_found(path: &str) -> String {
    format!("The path {path} does not exist. Please provide a valid path.")
}

fn too_large(path: &str, limit: u64) -> String {
    format!("The file {path} would be over the limit of {limit} bytes.")
}

fn fs_error(path: &str, err: FsError) -> String {
    match err {
        FsError::Escape => format!("Path {path} would escape /memories directory"),
        FsError::Symlink => format!("Path {path} would escape /memories directory via symlink"),
        other => format!("The path {path} cannot be used: {other}."),
    }
}

/// A size as the reference implementation lists it: `0B`, `512B`, `4K`, `1.5M`.
fn size_text(bytes: u64) -> String {
    if bytes == 0 {
        return "0B".to_owned();
    }
    let units = ["B", "K", "M", "G"];
    let i = (((63 - bytes.leading_zeros()) / 10) as usize).min(units.len() - 1);
    let size = bytes as f64 / 1024f64.powi(i as i32);
    if size.fract() == 0.0 {
        format!("{}{}", size as u64, units[i])
    } else {
        format!("{size:.1}{}", units[i])
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_read_like_the_reference() {
        assert_eq!(size_text(0), "0B");
        assert_eq!(size_text(512), "512B");
        assert_eq!(size_text(4096), "4K");
        assert_eq!(size_text(1536 * 1024), "1.5M");
    }
}
