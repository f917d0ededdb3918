//! The text editor (`text_editor_20250728`, named `str_replace_based_edit_tool`): view,
//! create, str_replace, insert, inside a root directory.

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
pub const TEXT_EDITOR_TYPE: &str = "text_editor_20250728";
/// The name the model calls it by (fixed by the API for this type).
pub const TEXT_EDITOR_NAME: &str = "str_replace_based_edit_tool";
/// How many characters a `view` shows when no `max_characters` is set.
pub const DEFAULT_VIEW_CHARACTERS: usize = 100_000;

/// The command the model sends (the API's input for this tool type).
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
        // The current documentation names it `insert_text`; older pages and clients, `new_str`.
        #[serde(alias = "new_str")]
        insert_text: String,
    },
}

/// Anthropic's text editor tool, run on files under one directory.
///
/// Every path the model sends is taken relative to the root (an absolute path is accepted
/// only under the root's own absolute path). See the [module](super) for the rules that
/// keep it there: no `..` above the root, no symbolic link followed, no NUL, size caps,
/// binary files reported rather than shown. `create` never overwrites; `str_replace` needs
/// exactly one occurrence; `undo_edit` is not part of this version of the tool.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use chat_anthropic::agent::client_tools::TextEditor;
/// use serde_json::json;
/// let dir = std::env::temp_dir().join(format!("editor-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let editor = TextEditor::new(&dir)?;
/// let created = editor.run(json!({"command": "create", "path": "notes.txt", "file_text": "one\ntwo\n"})).await;
/// assert_eq!(created, Ok("File created successfully at: notes.txt".to_owned()));
/// let escape = editor.run(json!({"command": "view", "path": "../../etc/passwd"})).await;
/// assert!(escape.unwrap_err().starts_with("Error: Permission denied"));
/// let tool = editor.into_tool(); // for Agent::tool
/// assert_eq!(tool.name(), "str_replace_based_edit_tool");
/// # std::fs::remove_dir_all(&dir)?; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TextEditor {
    root: Arc<Root>,
    max_characters: Option<usize>,
    max_file_bytes: u64,
}

impl TextEditor {
    /// An editor confined to the directory `root` (opened now; it must exist).
    pub fn new(root: impl AsRef<Path>) -> io::Result<Self> {
        Ok(Self {
            root: Arc::new(Root::open(root.as_ref())?),
            max_characters: None,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        })
    }

    /// Cuts what `view` shows of a file to this many characters; sent to the API as the
    /// tool's `max_characters` too.
    pub fn max_characters(mut self, characters: usize) -> Self {
        self.max_characters = Some(characters);
        self
    }

    /// The largest file read or written, in bytes (default [`DEFAULT_MAX_FILE_BYTES`]).
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// The definition the request carries: `{"type": "text_editor_20250728", "name":
    /// "str_replace_based_edit_tool"}`, with `max_characters` when set.
    pub fn definition(&self) -> ToolDefinition {
        let mut definition = json!({"type": TEXT_EDITOR_TYPE, "name": TEXT_EDITOR_NAME});
        if let Some(max) = self.max_characters {
            definition["max_characters"] = json!(max);
        }
        definition.into()
    }

    /// The tool for an [`Agent`](crate::agent::Agent).
    pub fn into_tool(self) -> AgentTool {
        let definition = self.definition();
        AgentTool::from_json(definition, move |input| {
            let editor = self.clone();
            async move { editor.run(input).await }
        })
    }

    /// Runs one command the model sent; `Ok` is the result text, `Err` the error text
    /// (sent with `is_error: true`).
    pub async fn run(&self, input: Value) -> Result<String, String> {
        let command = parse(input)?;
        let editor = self.clone();
        blocking(move || editor.execute(command)).await
    }

    fn execute(&self, command: Command) -> Result<String, String> {
        match command {
            Command::View { path, view_range } => self.view(&path, view_range),
            Command::Create { path, file_text } => {
                let rel = self.resolve(&path)?;
                if file_text.len() as u64 > self.max_file_bytes {
                    return Err(too_large(
                        &path,
                        file_text.len() as u64,
                        self.max_file_bytes,
                    ));
                }
                self.root
                    .create(&rel, file_text.as_bytes())
                    .map_err(|err| match err {
                        FsError::Exists => format!(
                            "Error: File already exists at: {path}. Cannot overwrite files using command `create`."
                        ),
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
                        return Err(
                            "Error: No match found for replacement. Please check your text and try again."
                                .to_owned(),
                        );
                    }
                    1 => {}
                    n => {
                        return Err(format!(
                            "Error: Found {n} matches for replacement text. Please provide more context to make a unique match."
                        ));
                    }
                }
                let edited = content.replacen(&old_str, &new_str, 1);
                self.write(&path, &rel, &edited)?;
                let snippet = text::snippet(&edited, found[0], new_str.matches('\n').count());
                Ok(format!(
                    "The file {path} has been edited. Here's the result of running `cat -n` on a snippet of {path}:\n{snippet}"
                ))
            }
            Command::Insert {
                path,
                insert_line,
                insert_text,
            } => {
                let (rel, content) = self.read_text(&path)?;
                let edited = text::insert_after(&content, insert_line, &insert_text).map_err(|lines| {
                    format!(
                        "Error: Invalid `insert_line` parameter: {insert_line}. It should be within the range of lines of the file: [0, {lines}]"
                    )
                })?;
                self.write(&path, &rel, &edited)?;
                let line = usize::try_from(insert_line).unwrap_or(0) + 1;
                let snippet = text::snippet(&edited, line, insert_text.matches('\n').count());
                Ok(format!(
                    "The file {path} has been edited. Here's the result of running `cat -n` on a snippet of the edited file:\n{snippet}"
                ))
            }
        }
    }

    fn view(&self, path: &str, range: Option<[i64; 2]>) -> Result<String, String> {
        let rel = self.resolve(path)?;
        match self.root.kind(&rel).map_err(|err| fs_error(path, err))? {
            Kind::Dir => {
                if range.is_some() {
                    return Err("Error: The `view_range` parameter is not allowed when `path` points to a directory.".to_owned());
                }
                let dir = self
                    .root
                    .open_dir(&rel)
                    .map_err(|err| fs_error(path, err))?;
                let (entries, truncated) =
                    list(&dir, 2, LIST_LIMIT).map_err(|err| fs_error(path, err))?;
                let mut out = format!(
                    "Here's the files and directories up to 2 levels deep in {path}, excluding hidden items:\n"
                );
                for entry in entries {
                    out.push_str(&entry.path);
                    out.push_str(match entry.kind {
                        Kind::Dir => "/",
                        Kind::Symlink => "@ (symbolic link, not followed)",
                        _ => "",
                    });
                    out.push('\n');
                }
                if truncated {
                    out.push_str(&format!("<listing cut at {LIST_LIMIT} entries>\n"));
                }
                Ok(out)
            }
            _ => {
                let (_, content) = self.read_text(path)?;
                let (shown, first) = match range {
                    Some(range) => {
                        text::view_range(&content, range).map_err(|err| format!("Error: {err}"))?
                    }
                    None => (content, 1),
                };
                let max = self.max_characters.unwrap_or(DEFAULT_VIEW_CHARACTERS);
                let (kept, clipped) = text::clip(&shown, max);
                let mut out = format!(
                    "Here's the result of running `cat -n` on {path}:\n{}",
                    text::numbered(kept, first)
                );
                if let Some(total) = clipped {
                    out.push_str(&format!(
                        "\n<response clipped: {max} of {total} characters shown; view a range to see more>"
                    ));
                }
                Ok(out)
            }
        }
    }

    fn resolve(&self, path: &str) -> Result<RelPath, String> {
        self.root.relative(path).map_err(|err| fs_error(path, err))
    }

    fn read_text(&self, path: &str) -> Result<(RelPath, String), String> {
        let rel = self.resolve(path)?;
        let bytes = self
            .root
            .read(&rel, self.max_file_bytes)
            .map_err(|err| fs_error(path, err))?;
        match text::as_text(&bytes) {
            Some(content) => Ok((rel, content.to_owned())),
            None => Err(format!(
                "Error: {path} is a binary file ({} bytes); it is not shown or edited.",
                bytes.len()
            )),
        }
    }

    fn write(&self, path: &str, rel: &RelPath, content: &str) -> Result<(), String> {
        if content.len() as u64 > self.max_file_bytes {
            return Err(too_large(path, content.len() as u64, self.max_file_bytes));
        }
        self.root
            .replace(rel, content.as_bytes())
            .map_err(|err| fs_error(path, err))
    }
}

fn parse(input: Value) -> Result<Command, String> {
    if input.get("command").and_then(Value::as_str) == Some("undo_edit") {
        return Err(format!(
            "Error: `undo_edit` is not a command of {TEXT_EDITOR_TYPE}; the commands are view, create, str_replace and insert."
        ));
    }
    Command::deserialize(input).map_err(|err| format!("Error: invalid input: {err}"))
}

fn too_large(path: &str, size: u64, limit: u64) -> String {
    format!("Error: {path} would be {size} bytes, over the limit of {limit} bytes.")
}

/// The text the model reads for a refused or failed file operation.
fn fs_error(path: &str, err: FsError) -> String {
    match err {
        FsError::NotFound => format!("Error: File not found: {path}"),
        FsError::Escape | FsError::Symlink | FsError::Nul | FsError::HardLinked => {
            format!("Error: Permission denied: {path}: {err}.")
        }
        FsError::TooLarge { size, limit } => format!(
            "Error: {path} is {size} bytes, over the limit of {limit} bytes; it is not read."
        ),
        other => format!("Error: {path}: {other}."),
    }
}
