//! The rustdoc examples show what they run: a reader who copies one gets the mock server, its
//! scripted replies and the `base_url` that points the model at it, because none of these is
//! on a hidden (`# `) line, and no visible line is a lone `;` left where hidden builder calls
//! were cut out. Read off the doc comments (`///`, `//!`) of `src/` and `mock/src/`, and the
//! README (the crate's front page, doc-tested too); only Rust code blocks count.

use std::path::{Path, PathBuf};

/// Words a hidden line must not hold: the mock's setup and where the model is pointed.
const SETUP_WORDS: &[&str] = &[
    "server",
    "MockServer",
    "MockReply",
    "MockScript",
    "chat_anthropic_mock",
    "enqueue",
    "base_url",
];

/// One code block: whether rustdoc runs it as Rust, and its lines (line number, text with
/// the doc-comment marker removed).
struct Block {
    rust: bool,
    lines: Vec<(usize, String)>,
}

/// Whether a fence's info string (what follows ```) makes a Rust block, as rustdoc reads it:
/// empty, or only Rust attributes.
fn is_rust(info: &str) -> bool {
    info.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|token| !token.is_empty())
        .all(|token| {
            matches!(
                token,
                "rust" | "ignore" | "no_run" | "should_panic" | "compile_fail" | "test_harness"
            ) || token.starts_with("edition")
        })
}

/// The code blocks of one stretch of Markdown.
fn blocks(lines: &[(usize, String)]) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    for (number, text) in lines {
        let trimmed = text.trim_start();
        let fence = ["```", "~~~"].iter().find(|f| trimmed.starts_with(**f));
        match (fence, open.take()) {
            (Some(fence), None) => {
                open = Some(Block {
                    rust: is_rust(&trimmed[fence.len()..]),
                    lines: Vec::new(),
                });
            }
            (Some(_), Some(block)) => found.push(block),
            (None, Some(mut block)) => {
                block.lines.push((*number, text.clone()));
                open = Some(block);
            }
            (None, None) => {}
        }
    }
    found
}

/// rustdoc hides a line whose text, leading whitespace aside, is `#` or starts with `# `
/// (`##` is an escaped `#`, shown).
fn is_hidden(line: &str) -> bool {
    let line = line.trim_start();
    line == "#" || line.starts_with("# ") || line.starts_with("#\t")
}

/// The doc comments of a Rust source file, each a run of `///` or `//!` lines.
fn doc_comments(text: &str) -> Vec<Vec<(usize, String)>> {
    let mut comments = Vec::new();
    let mut current: Vec<(usize, String)> = Vec::new();
    let mut kind = "";
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["///", "//!"]
            .into_iter()
            .find(|m| trimmed.starts_with(m) && !trimmed.starts_with("////"));
        match marker {
            Some(marker) => {
                if marker != kind && !current.is_empty() {
                    comments.push(std::mem::take(&mut current));
                }
                kind = marker;
                current.push((index + 1, trimmed[marker.len()..].to_owned()));
            }
            None => {
                if !current.is_empty() {
                    comments.push(std::mem::take(&mut current));
                }
                kind = "";
            }
        }
    }
    if !current.is_empty() {
        comments.push(current);
    }
    comments
}

/// What is wrong with the Rust blocks among `blocks`, as `file:line: why`; and how many Rust
/// blocks there were.
fn problems(file: &str, blocks: &[Block]) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut rust_blocks = 0;
    for block in blocks.iter().filter(|b| b.rust) {
        rust_blocks += 1;
        let mut after_hidden = false;
        for (number, text) in &block.lines {
            let hidden = is_hidden(text);
            if hidden {
                if let Some(word) = SETUP_WORDS.iter().find(|w| text.contains(**w)) {
                    found.push(format!(
                        "{file}:{number}: hidden line names `{word}`: {}",
                        text.trim()
                    ));
                }
            } else if after_hidden && text.trim() == ";" {
                found.push(format!("{file}:{number}: a lone `;` after hidden lines"));
            }
            after_hidden = hidden;
        }
    }
    (found, rust_blocks)
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every problem in the sources' doc comments and the README, and how many Rust blocks were
/// read.
fn scan(root: &Path) -> (Vec<String>, usize) {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("mock").join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut rust_blocks = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(root).unwrap().display().to_string();
        for comment in doc_comments(&text) {
            let (problems, count) = problems(&name, &blocks(&comment));
            found.extend(problems);
            rust_blocks += count;
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines: Vec<_> = readme
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.to_owned()))
        .collect();
    let (problems, count) = problems("README.md", &blocks(&lines));
    found.extend(problems);
    (found, rust_blocks + count)
}

#[test]
fn doc_examples_show_their_mock_setup() {
    let (found, rust_blocks) = scan(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        rust_blocks > 100,
        "the doc examples are found: {rust_blocks} Rust blocks"
    );
    assert!(
        found.is_empty(),
        "{} doc-example lines hide what a reader needs to copy:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The checker itself: it flags hidden setup and a lone `;` after hidden lines in Rust
/// blocks, and leaves alone the hidden `main` wrapper, escaped `##` lines, visible setup and
/// blocks in other languages.
#[test]
fn the_checker_sees_hidden_setup_and_nothing_else() {
    let source = "\
/// ```
/// # #[tokio::main] async fn main() -> Result<(), chat_anthropic::Error> {
/// # let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new(\"m\")
/// #   .base_url(server.base_url())
///     ;
/// ## not hidden: server
/// let reply = llm.invoke(\"Hi\").await?;
/// # Ok(()) }
/// ```
fn f() {}
/// ```rust,no_run
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new(\"m\").base_url(server.base_url())
///     ;
/// ```
/// ```sh
/// # server enqueue base_url
/// ```
//! ```
//! #     .enqueue(x)
//! ```
";
    let mut found = Vec::new();
    let mut rust_blocks = 0;
    for comment in doc_comments(source) {
        let (problems, count) = problems("f.rs", &blocks(&comment));
        found.extend(problems);
        rust_blocks += count;
    }
    assert_eq!(rust_blocks, 3);
    assert_eq!(
        found,
        [
            "f.rs:3: hidden line names `server`: # let server = chat_anthropic_mock::MockServer::start().await;",
            "f.rs:5: hidden line names `server`: #   .base_url(server.base_url())",
            "f.rs:6: a lone `;` after hidden lines",
            "f.rs:21: hidden line names `enqueue`: #     .enqueue(x)",
        ]
    );
    assert!(!is_hidden("## escaped") && is_hidden("#") && is_hidden("  # x"));
}
