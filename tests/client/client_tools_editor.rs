//! The text editor tool against hostile input: every refusal is checked, and so is the
//! sentinel outside the root (never read into a result, never changed, nothing new beside it).

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_anthropic::agent::client_tools::{Bash, TextEditor};
use serde_json::json;

use crate::client_tools_support::{accepted, refused, Sandbox, SECRET};

fn view(path: &str) -> serde_json::Value {
    json!({"command": "view", "path": path})
}

fn create(path: &str, text: &str) -> serde_json::Value {
    json!({"command": "create", "path": path, "file_text": text})
}

fn replace(path: &str, old: &str, new: &str) -> serde_json::Value {
    json!({"command": "str_replace", "path": path, "old_str": old, "new_str": new})
}

fn insert(path: &str, line: i64, text: &str) -> serde_json::Value {
    json!({"command": "insert", "path": path, "insert_line": line, "insert_text": text})
}

#[tokio::test]
async fn the_four_commands_work_inside_the_root() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let created = accepted(editor.run(create("src/main.py", "a = 1\nb = 2\n")).await);
    assert_eq!(created, "File created successfully at: src/main.py");
    let shown = accepted(editor.run(view("src/main.py")).await);
    assert_eq!(
        shown,
        "Here's the result of running `cat -n` on src/main.py:\n     1\ta = 1\n     2\tb = 2\n     3\t"
    );
    let ranged = accepted(
        editor
            .run(json!({"command": "view", "path": "src/main.py", "view_range": [2, -1]}))
            .await,
    );
    assert!(ranged.ends_with("     2\tb = 2\n     3\t"), "{ranged}");
    let edited = accepted(editor.run(replace("src/main.py", "b = 2", "b = 3")).await);
    assert!(
        edited.starts_with("The file src/main.py has been edited."),
        "{edited}"
    );
    assert!(edited.contains("     2\tb = 3"), "{edited}");
    accepted(editor.run(insert("src/main.py", 0, "import os")).await);
    // `new_str` is accepted for insert too (older documentation's name).
    accepted(
        editor
            .run(json!({"command": "insert", "path": "src/main.py", "insert_line": 3, "new_str": "c = 4"}))
            .await,
    );
    let on_disk = std::fs::read_to_string(sandbox.root.join("src/main.py")).unwrap();
    assert_eq!(on_disk, "import os\na = 1\nb = 3\nc = 4\n");
    // An absolute path under the root is the same file.
    let absolute = sandbox.root.join("src/main.py");
    let shown = accepted(editor.run(view(absolute.to_str().unwrap())).await);
    assert!(shown.contains("import os"), "{shown}");
    let listing = accepted(editor.run(view(".")).await);
    assert!(listing.contains("src/\nsrc/main.py\n"), "{listing}");
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn dot_dot_and_absolute_paths_outside_are_refused() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let sentinel = sandbox.sentinel();
    let outside_abs = sentinel.to_str().unwrap().to_owned();
    let tricky_abs = format!("{}/../outside/sentinel.txt", sandbox.root.display());
    for path in [
        "../outside/sentinel.txt",
        "a/../../outside/sentinel.txt",
        "./../outside/sentinel.txt",
        "..",
        "/etc/passwd",
        outside_abs.as_str(),
        tricky_abs.as_str(),
    ] {
        let text = refused(editor.run(view(path)).await);
        assert!(
            text.starts_with("Error: Permission denied"),
            "{path}: {text}"
        );
        refused(editor.run(replace(path, SECRET, "owned")).await);
        refused(editor.run(insert(path, 0, "owned")).await);
    }
    for path in [
        "../outside/new.txt",
        "../outside/sub/new.txt",
        "/tmp/new-file-from-model.txt",
    ] {
        let text = refused(editor.run(create(path, "x")).await);
        assert!(
            text.starts_with("Error: Permission denied"),
            "{path}: {text}"
        );
    }
    assert!(!std::path::Path::new("/tmp/new-file-from-model.txt").exists());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn symlinks_made_before_the_run_are_never_followed() {
    let sandbox = Sandbox::new();
    symlink(sandbox.sentinel(), sandbox.root.join("file_link")).unwrap();
    symlink(&sandbox.outside, sandbox.root.join("dir_link")).unwrap();
    symlink(
        "../outside/sentinel.txt",
        sandbox.root.join("relative_link"),
    )
    .unwrap();
    std::fs::create_dir(sandbox.root.join("inner")).unwrap();
    std::fs::write(sandbox.root.join("inner/ok.txt"), "inside").unwrap();
    // A link that points inside the root is not followed either: one rule, no resolution.
    symlink("inner", sandbox.root.join("inner_link")).unwrap();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    for path in [
        "file_link",
        "relative_link",
        "dir_link/sentinel.txt",
        "inner_link/ok.txt",
    ] {
        let text = refused(editor.run(view(path)).await);
        assert!(text.contains("symbolic link"), "{path}: {text}");
        refused(editor.run(replace(path, SECRET, "owned")).await);
        refused(editor.run(insert(path, 0, "owned")).await);
    }
    let text = refused(editor.run(view("dir_link")).await);
    assert!(text.contains("symbolic link"), "{text}");
    for path in ["dir_link/new.txt", "file_link", "relative_link"] {
        refused(editor.run(create(path, "owned")).await);
    }
    // The listing shows links as links and does not enter them.
    let listing = accepted(editor.run(view("")).await);
    assert!(
        listing.contains("dir_link@ (symbolic link, not followed)"),
        "{listing}"
    );
    assert!(!listing.contains("dir_link/sentinel.txt"), "{listing}");
    sandbox.assert_outside_untouched();
    assert!(std::fs::symlink_metadata(sandbox.root.join("file_link"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[tokio::test]
async fn symlinks_made_by_bash_during_the_run_are_never_followed() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let bash = Bash::new(&sandbox.root)
        .unwrap()
        .timeout(Duration::from_secs(20));
    accepted(editor.run(create("notes.txt", "old text\n")).await);
    // The model replaces a file it already edited with a link out, then edits it again.
    accepted(
        bash.run(json!({"command": "rm notes.txt && ln -s ../outside/sentinel.txt notes.txt && ln -s ../outside out"}))
            .await,
    );
    let text = refused(editor.run(replace("notes.txt", SECRET, "owned")).await);
    assert!(text.contains("symbolic link"), "{text}");
    refused(editor.run(view("notes.txt")).await);
    refused(editor.run(insert("notes.txt", 0, "owned")).await);
    refused(editor.run(create("out/planted.txt", "owned")).await);
    refused(editor.run(view("out/sentinel.txt")).await);
    sandbox.assert_outside_untouched();
}

/// A link swapped in and out while the editor reads and writes the same name: whichever
/// state each call meets, it never reads or writes through the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_swapped_in_during_each_call_is_refused_at_open_time() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let target = sandbox.root.join("race.txt");
    let stop = Arc::new(AtomicBool::new(false));
    let flipper = {
        let (target, stop, sentinel) = (target.clone(), stop.clone(), sandbox.sentinel());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut flips = 0u32;
            while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(35) {
                let _ = std::fs::remove_file(&target);
                let _ = std::fs::write(&target, "race text\n");
                std::thread::sleep(Duration::from_micros(100));
                let _ = std::fs::remove_file(&target);
                let _ = symlink(&sentinel, &target);
                // The link stays longer than the file: most calls meet it somewhere.
                std::thread::sleep(Duration::from_micros(300));
                flips += 1;
            }
            flips
        })
    };
    let (mut ok, mut denied, mut met_link) = (0, 0, 0);
    let started = Instant::now();
    // 400 calls or 8 s, and on (up to 30 s) until one met the link: on a loaded machine the
    // flipping thread may get few turns, and a run that never met the link proved nothing.
    for i in 0.. {
        let elapsed = started.elapsed();
        let enough = (i >= 400 || elapsed > Duration::from_secs(8)) && met_link > 0;
        if enough || elapsed > Duration::from_secs(30) {
            break;
        }
        let call = match i % 3 {
            0 => view("race.txt"),
            1 => replace("race.txt", "race text", "race text"),
            _ => insert("race.txt", 0, "x"),
        };
        match editor.run(call).await {
            Ok(text) => {
                assert!(!text.contains(SECRET), "read through a link: {text}");
                ok += 1;
            }
            Err(text) => {
                assert!(!text.contains(SECRET), "leaked: {text}");
                met_link += usize::from(text.contains("symbolic link"));
                denied += 1;
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    let flips = flipper.join().unwrap();
    // The race was run: calls met the link (and, most runs, the file: `ok`).
    assert!(
        flips > 0 && met_link > 0,
        "flips {flips}, ok {ok}, denied {denied}, met the link {met_link}"
    );
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn nul_bytes_and_names_that_are_not_utf8() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let text = refused(editor.run(view("a\u{0}b")).await);
    assert!(text.contains("NUL"), "{text}");
    refused(editor.run(create("../outside/x\u{0}", "x")).await);
    refused(editor.run(create("ok\u{0}.txt", "x")).await);
    assert!(!sandbox.root.join("ok").exists());
    // A file named with invalid UTF-8 (made outside the tool) is listed lossily and cannot be
    // named back; its text-looking name does not reach it.
    let raw = std::ffi::OsStr::from_bytes(b"bad\xffname");
    std::fs::write(sandbox.root.join(raw), "hidden").unwrap();
    let listing = accepted(editor.run(view(".")).await);
    assert!(listing.contains("bad\u{fffd}name"), "{listing}");
    let text = refused(editor.run(view("bad\u{fffd}name")).await);
    assert!(text.starts_with("Error: File not found"), "{text}");
    // Lone surrogates cannot even be sent: serde_json refuses them as input.
    assert!(serde_json::from_str::<serde_json::Value>(r#"{"path": "\ud800"}"#).is_err());
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn huge_and_binary_files_are_reported_not_dumped() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root)
        .unwrap()
        .max_file_bytes(64 * 1024);
    std::fs::write(sandbox.root.join("huge.txt"), "y".repeat(200_000)).unwrap();
    let text = refused(editor.run(view("huge.txt")).await);
    assert!(
        text.contains("200000 bytes, over the limit of 65536 bytes"),
        "{text}"
    );
    assert!(text.len() < 200, "{text}");
    refused(editor.run(replace("huge.txt", "y", "z")).await);
    let text = refused(editor.run(create("big.txt", &"z".repeat(70_000))).await);
    assert!(text.contains("over the limit"), "{text}");
    assert!(!sandbox.root.join("big.txt").exists());
    // An edit whose result would pass the cap is refused and the file kept.
    std::fs::write(sandbox.root.join("grow.txt"), "seed\n").unwrap();
    refused(
        editor
            .run(replace("grow.txt", "seed", &"w".repeat(70_000)))
            .await,
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join("grow.txt")).unwrap(),
        "seed\n"
    );

    let mut binary = b"\x7fELF\0\0\x01".to_vec();
    binary.extend(std::iter::repeat_n(0xAB, 1000));
    std::fs::write(sandbox.root.join("prog.bin"), &binary).unwrap();
    let text = refused(editor.run(view("prog.bin")).await);
    assert_eq!(
        text,
        "Error: prog.bin is a binary file (1007 bytes); it is not shown or edited."
    );
    refused(editor.run(replace("prog.bin", "ELF", "FLE")).await);
    assert_eq!(
        std::fs::read(sandbox.root.join("prog.bin")).unwrap(),
        binary
    );
    std::fs::write(sandbox.root.join("latin1.txt"), b"caf\xe9").unwrap();
    let text = refused(editor.run(view("latin1.txt")).await);
    assert!(text.contains("binary file"), "{text}");

    // max_characters cuts what view shows.
    let short = TextEditor::new(&sandbox.root).unwrap().max_characters(10);
    std::fs::write(sandbox.root.join("long.txt"), "0123456789abcdef").unwrap();
    let shown = accepted(short.run(view("long.txt")).await);
    assert!(shown.contains("0123456789\n<response clipped"), "{shown}");
    assert!(!shown.contains("abcdef"), "{shown}");
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn special_files_and_hard_links_are_refused() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    let fifo = sandbox.root.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Opening a FIFO for reading would block forever; the tool must not.
    let text = tokio::time::timeout(Duration::from_secs(5), editor.run(view("pipe")))
        .await
        .expect("viewing a FIFO hung");
    let text = refused(text);
    assert!(text.contains("not a regular file"), "{text}");
    std::fs::hard_link(sandbox.sentinel(), sandbox.root.join("hard")).unwrap();
    let text = refused(editor.run(view("hard")).await);
    assert!(text.contains("hard links"), "{text}");
    refused(editor.run(replace("hard", SECRET, "owned")).await);
    sandbox.assert_outside_untouched();
}

#[tokio::test]
async fn str_replace_needs_exactly_one_occurrence() {
    let sandbox = Sandbox::new();
    let editor = TextEditor::new(&sandbox.root).unwrap();
    accepted(editor.run(create("twice.txt", "x = 1\nx = 1\n")).await);
    let text = refused(editor.run(replace("twice.txt", "x = 1", "x = 2")).await);
    assert_eq!(
        text,
        "Error: Found 2 matches for replacement text. Please provide more context to make a unique match."
    );
    let text = refused(editor.run(replace("twice.txt", "y = 1", "x = 2")).await);
    assert_eq!(
        text,
        "Error: No match found for replacement. Please check your text and try again."
    );
    assert_eq!(
        std::fs::read_to_string(sandbox.root.join("twice.txt")).unwrap(),
        "x = 1\nx = 1\n"
    );
    let text = refused(editor.run(insert("twice.txt", 9, "z")).await);
    assert_eq!(
        text,
        "Error: Invalid `insert_line` parameter: 9. It should be within the range of lines of the file: [0, 2]"
    );
    let text = refused(editor.run(create("twice.txt", "again")).await);
    assert!(
        text.starts_with("Error: File already exists at: twice.txt."),
        "{text}"
    );
    let text = refused(
        editor
            .run(json!({"command": "undo_edit", "path": "twice.txt"}))
            .await,
    );
    assert!(
        text.contains("not a command of text_editor_20250728"),
        "{text}"
    );
    let text = refused(editor.run(view("missing.txt")).await);
    assert_eq!(text, "Error: File not found: missing.txt");
    sandbox.assert_outside_untouched();
}
