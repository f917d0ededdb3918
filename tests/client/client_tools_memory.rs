//! The memory tool: its commands with the reference implementation's texts, and hostile paths
//! (outside `/memories`, `..`, links, NUL), the sentinel outside the root checked each time.

use std::os::unix::fs::symlink;

use chat_anthropic::agent::client_tools::Memory;
use serde_json::json;

use crate::client_tools_support::{accepted, refused, Sandbox, SECRET};

#[tokio::test]
async fn the_six_commands_answer_as_the_reference_does() {
    let sandbox = Sandbox::new();
    let memory = Memory::new(&sandbox.root).unwrap();
    let run = |input| memory.run(input);
    assert_eq!(
        accepted(run(json!({"command": "create", "path": "/memories/notes/a.md", "file_text": "one\ntwo\n"})).await),
        "File created successfully at: /memories/notes/a.md"
    );
    assert_eq!(
        refused(
            run(json!({"command": "create", "path": "/memories/notes/a.md", "file_text": "x"}))
                .await
        ),
        "File /memories/notes/a.md already exists"
    );
    assert_eq!(
        accepted(run(json!({"command": "view", "path": "/memories/notes/a.md"})).await),
        "Here's the content of /memories/notes/a.md with line numbers:\n     1\tone\n     2\ttwo\n     3\t"
    );
    let listing = accepted(run(json!({"command": "view", "path": "/memories"})).await);
    assert!(
        listing.starts_with("Here're the files and directories up to 2 levels deep in /memories, excluding hidden items:\n"),
        "{listing}"
    );
    assert!(
        listing.contains("\t/memories/notes/\n8B\t/memories/notes/a.md"),
        "{listing}"
    );
    let edited = accepted(
        run(json!({"command": "str_replace", "path": "/memories/notes/a.md", "old_str": "two", "new_str": "2"})).await,
    );
    assert_eq!(
        edited,
        "The memory file has been edited. Here is the snippet showing the change (with line numbers):\n     1\tone\n     2\t2\n     3\t"
    );
    assert_eq!(
        accepted(run(json!({"command": "insert", "path": "/memories/notes/a.md", "insert_line": 1, "insert_text": "one and a half"})).await),
        "The file /memories/notes/a.md has been edited."
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join("notes/a.md")).unwrap(),
        "one\none and a half\n2\n"
    );
    assert_eq!(
        accepted(run(json!({"command": "rename", "old_path": "/memories/notes/a.md", "new_path": "/memories/archive/a.md"})).await),
        "Successfully renamed /memories/notes/a.md to /memories/archive/a.md"
    );
    assert_eq!(
        accepted(run(json!({"command": "delete", "path": "/memories/archive"})).await),
        "Successfully deleted /memories/archive"
    );
    assert!(!sandbox.root.join("archive").exists());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn documented_errors_of_str_replace_insert_delete_rename() {
    let sandbox = Sandbox::new();
    let memory = Memory::new(&sandbox.root).unwrap();
    std::fs::write(sandbox.root.join("dup.md"), "tea\ncoffee\ntea\n").unwrap();
    let text = refused(
        memory
            .run(json!({"command": "str_replace", "path": "/memories/dup.md", "old_str": "tea", "new_str": "water"}))
            .await,
    );
    assert_eq!(
        text,
        "No replacement was performed. Multiple occurrences of old_str `tea` in lines: 1, 3. Please ensure it is unique"
    );
    let text = refused(
        memory
            .run(json!({"command": "str_replace", "path": "/memories/dup.md", "old_str": "milk", "new_str": "water"}))
            .await,
    );
    assert_eq!(
        text,
        "No replacement was performed, old_str `milk` did not appear verbatim in /memories/dup.md."
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join("dup.md")).unwrap(),
        "tea\ncoffee\ntea\n"
    );
    let text = refused(
        memory
            .run(json!({"command": "insert", "path": "/memories/dup.md", "insert_line": 7, "insert_text": "x"}))
            .await,
    );
    assert_eq!(
        text,
        "Invalid `insert_line` parameter: 7. It should be within the range [0, 3]."
    );
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/none.md"}))
            .await,
    );
    assert_eq!(
        text,
        "The path /memories/none.md does not exist. Please provide a valid path."
    );
    let text = refused(
        memory
            .run(json!({"command": "delete", "path": "/memories/none.md"}))
            .await,
    );
    assert_eq!(text, "The path /memories/none.md does not exist");
    let text = refused(
        memory
            .run(json!({"command": "delete", "path": "/memories"}))
            .await,
    );
    assert_eq!(text, "Cannot delete the /memories directory itself");
    std::fs::write(sandbox.root.join("other.md"), "x").unwrap();
    let text = refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/dup.md", "new_path": "/memories/other.md"}))
            .await,
    );
    assert_eq!(text, "The destination /memories/other.md already exists");
    let text = refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/none.md", "new_path": "/memories/n.md"}))
            .await,
    );
    assert_eq!(text, "The path /memories/none.md does not exist");
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn paths_outside_memories_and_dot_dot_are_refused() {
    let sandbox = Sandbox::new();
    let memory = Memory::new(&sandbox.root).unwrap();
    let sentinel = sandbox.sentinel().display().to_string();
    for path in [
        "/etc/passwd",
        "memories/a.md",
        "/memoriesX/a.md",
        "/",
        sentinel.as_str(),
    ] {
        let text = refused(memory.run(json!({"command": "view", "path": path})).await);
        assert_eq!(text, format!("Path must start with /memories, got: {path}"));
        refused(
            memory
                .run(json!({"command": "create", "path": path, "file_text": "x"}))
                .await,
        );
        refused(memory.run(json!({"command": "delete", "path": path})).await);
    }
    for path in [
        "/memories/../outside/sentinel.txt",
        "/memories/a/../../outside/sentinel.txt",
        "/memories/..",
    ] {
        let text = refused(memory.run(json!({"command": "view", "path": path})).await);
        assert_eq!(
            text,
            format!("Path {path} would escape /memories directory")
        );
        refused(
            memory
                .run(json!({"command": "str_replace", "path": path, "old_str": SECRET, "new_str": "x"}))
                .await,
        );
        refused(memory.run(json!({"command": "delete", "path": path})).await);
        refused(
            memory
                .run(json!({"command": "create", "path": path, "file_text": "x"}))
                .await,
        );
    }
    std::fs::write(sandbox.root.join("mine.md"), "mine").unwrap();
    refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/mine.md", "new_path": "/memories/../outside/mine.md"}))
            .await,
    );
    refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/../outside/sentinel.txt", "new_path": "/memories/stolen.md"}))
            .await,
    );
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/a\u{0}b"}))
            .await,
    );
    assert!(text.contains("NUL"), "{text}");
    assert!(sandbox.root.join("mine.md").exists() && !sandbox.root.join("stolen.md").exists());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn links_out_are_refused_and_deleting_one_removes_only_the_link() {
    let sandbox = Sandbox::new();
    symlink(sandbox.sentinel(), sandbox.root.join("leak.md")).unwrap();
    symlink(&sandbox.outside, sandbox.root.join("elsewhere")).unwrap();
    let memory = Memory::new(&sandbox.root).unwrap();
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/leak.md"}))
            .await,
    );
    assert_eq!(
        text,
        "Path /memories/leak.md would escape /memories directory via symlink"
    );
    refused(
        memory
            .run(json!({"command": "view", "path": "/memories/elsewhere/sentinel.txt"}))
            .await,
    );
    refused(
        memory
            .run(json!({"command": "str_replace", "path": "/memories/leak.md", "old_str": SECRET, "new_str": "x"}))
            .await,
    );
    refused(
        memory
            .run(json!({"command": "insert", "path": "/memories/leak.md", "insert_line": 0, "insert_text": "x"}))
            .await,
    );
    refused(
        memory
            .run(json!({"command": "create", "path": "/memories/elsewhere/planted.md", "file_text": "x"}))
            .await,
    );
    refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/elsewhere/sentinel.txt", "new_path": "/memories/got.md"}))
            .await,
    );
    // The listing does not enter the link.
    let listing = accepted(
        memory
            .run(json!({"command": "view", "path": "/memories"}))
            .await,
    );
    assert!(!listing.contains("sentinel"), "{listing}");
    // Deleting the links removes the links, never what they point at.
    accepted(
        memory
            .run(json!({"command": "delete", "path": "/memories/elsewhere"}))
            .await,
    );
    accepted(
        memory
            .run(json!({"command": "delete", "path": "/memories/leak.md"}))
            .await,
    );
    assert!(std::fs::symlink_metadata(sandbox.root.join("elsewhere")).is_err());
    // A directory holding a link out is deleted without following the link.
    std::fs::create_dir(sandbox.root.join("dir")).unwrap();
    symlink(&sandbox.outside, sandbox.root.join("dir/out")).unwrap();
    accepted(
        memory
            .run(json!({"command": "delete", "path": "/memories/dir"}))
            .await,
    );
    assert!(!sandbox.root.join("dir").exists());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn huge_and_binary_memories_are_not_dumped() {
    let sandbox = Sandbox::new();
    let memory = Memory::new(&sandbox.root).unwrap().max_file_bytes(1024);
    std::fs::write(sandbox.root.join("big.md"), "b".repeat(5000)).unwrap();
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/big.md"}))
            .await,
    );
    assert!(
        text.contains("5000 bytes, over the limit of 1024 bytes"),
        "{text}"
    );
    std::fs::write(sandbox.root.join("blob.bin"), b"\0\x01\x02").unwrap();
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/blob.bin"}))
            .await,
    );
    assert_eq!(
        text,
        "The file /memories/blob.bin is binary (3 bytes); it is not shown or edited."
    );
    let text = refused(
        memory
            .run(json!({"command": "create", "path": "/memories/new.md", "file_text": "n".repeat(2000)}))
            .await,
    );
    assert!(text.contains("over the limit of 1024 bytes"), "{text}");
    assert!(!sandbox.root.join("new.md").exists());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn links_made_by_bash_in_the_memory_directory_are_refused() {
    let sandbox = Sandbox::new();
    let memory = Memory::new(&sandbox.root).unwrap();
    let bash = chat_anthropic::agent::client_tools::Bash::new(&sandbox.root)
        .unwrap()
        .timeout(std::time::Duration::from_secs(20));
    accepted(
        memory
            .run(json!({"command": "create", "path": "/memories/todo.md", "file_text": "- a\n"}))
            .await,
    );
    accepted(
        bash.run(json!({"command": "rm todo.md && ln -s ../outside/sentinel.txt todo.md && mkdir -p d && ln -s ../../outside d/up"}))
            .await,
    );
    let text = refused(
        memory
            .run(json!({"command": "view", "path": "/memories/todo.md"}))
            .await,
    );
    assert_eq!(
        text,
        "Path /memories/todo.md would escape /memories directory via symlink"
    );
    refused(
        memory
            .run(json!({"command": "str_replace", "path": "/memories/todo.md", "old_str": SECRET, "new_str": "x"}))
            .await,
    );
    refused(
        memory
            .run(
                json!({"command": "create", "path": "/memories/d/up/planted.md", "file_text": "x"}),
            )
            .await,
    );
    refused(
        memory
            .run(json!({"command": "rename", "old_path": "/memories/d/up/sentinel.txt", "new_path": "/memories/mine.md"}))
            .await,
    );
    sandbox.assert_outside_untouched();
}
