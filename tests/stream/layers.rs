//! The layer rule (DESIGN.md §1, the crate's front page): a top-level module of `src/` names
//! only modules below it in the pipeline's order, never one above. Read off the source text:
//! every `crate::` path outside comments, string literals and `#[cfg(test)]` items, with names
//! re-exported at the crate root resolved to the module they come from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, bottom first; within a layer, too, a module names only those listed before it.
const LAYERS: &[(&str, &[&str])] = &[
    ("wire", &["sse", "partial_json"]),
    ("vocabulary", &["messages", "error"]),
    ("events", &["event"]),
    ("fold", &["aggregate"]),
    ("request", &["settings", "tools", "request"]),
    ("transport", &["clock", "telemetry", "transport"]),
    (
        "client",
        &["bedrock", "credentials", "chat_stream", "chat_model"],
    ),
    (
        "areas",
        &[
            "pagination",
            "structured",
            "prompt",
            "web",
            "batches",
            "files",
            "models",
            "agent",
            "mcp",
        ],
    ),
    ("composition", &["compose"]),
];

fn rank(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .flat_map(|(_, modules)| modules.iter())
        .position(|m| *m == module)
}

fn layer_of(module: &str) -> &'static str {
    LAYERS
        .iter()
        .find(|(_, modules)| modules.contains(&module))
        .map_or("?", |(layer, _)| layer)
}

/// Source text with comments, string and char literals blanked (newlines kept, so line numbers
/// hold) and every `#[cfg(test)]` item cut out.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
        {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                out.push(blank(chars[j]));
                j += 1;
            }
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    out.push(blank(c));
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal (a lifetime has no closing quote two characters on).
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    cut_test_items(&out)
}

/// `out` without the item after each `#[cfg(test)]` (to its `;`, or its `{…}` block).
fn cut_test_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        out.extend(item[..end].chars().filter(|&c| c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first segment of every `crate::` path in `code`, with its line: `crate::a::b` gives
/// `a`, `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == '$') {
            continue;
        }
        let line = code[..start].matches('\n').count() + 1;
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level entries of the group only: split at commas outside nested braces.
            let mut depth = 0;
            let mut entry_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            found.push((std::mem::take(&mut name), line));
                        }
                        entry_start = true;
                    }
                    c if entry_start && is_ident(c) => name.push(c),
                    c if entry_start && !name.is_empty() && !is_ident(c) => {
                        found.push((std::mem::take(&mut name), line));
                        entry_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.push((name, line));
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !name.is_empty() {
                found.push((name, line));
            }
        }
    }
    found
}

/// Names the crate root re-exports (`pub use module::{A, B as C};`), each with its module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let code = code_only(lib);
    let mut names = BTreeMap::new();
    for statement in code.split(';') {
        // Without its attributes (`#[cfg(feature = "client")]` on a line of its own).
        let statement = statement
            .lines()
            .filter(|line| !line.trim_start().starts_with("#["))
            .collect::<Vec<_>>()
            .join("\n");
        let statement = statement.trim();
        let Some(path) = statement.strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim().trim_start_matches("crate::");
        let module: String = path.chars().take_while(|&c| is_ident(c)).collect();
        let tail = &path[module.len()..];
        assert!(
            !tail.contains('*'),
            "the crate root re-exports by name, never by glob: `{statement}`"
        );
        // Each re-exported name is the last identifier of an entry (after `as` if renamed).
        let entries = tail.trim_start_matches("::").trim_matches(['{', '}']);
        for entry in entries.split(',') {
            let entry = entry.trim().trim_matches(['{', '}']).trim();
            if let Some(name) = entry.rsplit([':', ' ']).next().filter(|n| !n.is_empty()) {
                names.insert(name.to_owned(), module.clone());
            }
        }
    }
    names
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().unwrap() != "tests" {
                rust_files(&path, into);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && !matches!(
                path.file_name().unwrap().to_str(),
                Some("tests.rs" | "test.rs")
            )
        {
            into.push(path);
        }
    }
}

/// The files of the modules `file` declares as `#[cfg(test)] mod name;` (test code).
fn test_module_files(file: &Path, text: &str) -> Vec<PathBuf> {
    let dir = match file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") => file.parent().unwrap().to_owned(),
        Some(stem) => file.parent().unwrap().join(stem),
        None => return Vec::new(),
    };
    let mut found = Vec::new();
    for (at, _) in text.match_indices("#[cfg(test)]") {
        let rest = text[at + "#[cfg(test)]".len()..].trim_start();
        let rest = rest.strip_prefix("pub(crate) ").unwrap_or(rest);
        if let Some(rest) = rest.strip_prefix("mod ") {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if rest[name.len()..].trim_start().starts_with(';') {
                found.push(dir.join(format!("{name}.rs")));
                found.push(dir.join(&name).join("mod.rs"));
            }
        }
    }
    found
}

/// Every place a module of `src` names one above it (or one no layer lists), as messages.
fn violations(src: &Path) -> Vec<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let reexports = root_reexports(&lib);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let test_files: Vec<PathBuf> = files
        .iter()
        .flat_map(|file| test_module_files(file, &std::fs::read_to_string(file).unwrap()))
        .collect();
    files.retain(|file| !test_files.contains(file));
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_str().unwrap().trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let Some(own) = rank(module) else {
            found.push(format!(
                "src/{module}: a top-level module no layer lists (add it to LAYERS)"
            ));
            continue;
        };
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (name, line) in crate_paths(&code) {
            let target = if src.join(&name).is_dir() || src.join(format!("{name}.rs")).is_file() {
                name.clone()
            } else if let Some(module) = reexports.get(&name) {
                module.clone()
            } else {
                found.push(format!(
                    "{}:{line}: crate::{name} is neither a module nor a name the root re-exports",
                    relative.display()
                ));
                continue;
            };
            if target == module {
                continue;
            }
            match rank(&target) {
                Some(theirs) if theirs < own => {}
                _ => found.push(format!(
                    "{}:{line}: {module} ({}) names crate::{name}, of {target} ({}), above it",
                    relative.display(),
                    layer_of(module),
                    layer_of(&target),
                )),
            }
        }
    }
    found
}

/// The mock server (`mock/`, its own crate) is an oracle for the client only if it shares no
/// code with it: its manifest names no `chat-anthropic` dependency of any kind, and its
/// source no `chat_anthropic` path.
#[test]
fn the_mock_crate_shares_no_code_with_the_client() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("mock");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // A name counts unless it is the mock's own (`chat-anthropic-mock`, `chat_anthropic_mock`).
    let named = |text: &str, name: &str| {
        text.match_indices(name).any(|(at, _)| {
            let rest = &text[at + name.len()..];
            !rest.starts_with("-mock") && !rest.starts_with("_mock")
        })
    };
    assert!(
        !named(&manifest, "chat-anthropic"),
        "mock/Cargo.toml names chat-anthropic"
    );
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    assert!(files.len() > 20, "the mock's sources are found: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !named(&text, "chat_anthropic"),
            "{} names chat_anthropic",
            file.display()
        );
    }
}

#[test]
fn no_module_names_a_module_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "layer violations:\n{}", found.join("\n"));
}

/// The checker itself: it sees a violating path in code, and not in comments, strings or
/// test modules; it follows root re-exports and `crate::{…}` groups.
#[test]
fn the_checker_sees_what_it_must_and_nothing_else() {
    let code = code_only(
        "use crate::event::X; // crate::agent\n\
         let s = \"crate::agent\"; let r = r#\"crate::web\"#; let c = '\"';\n\
         use crate::{aggregate, web::Y};\n\
         #[cfg(test)]\nmod tests { use crate::agent; }\n\
         fn f<'a>(x: &'a crate::ChatAnthropic) {}\n",
    );
    let names: Vec<_> = crate_paths(&code).into_iter().collect();
    assert_eq!(
        names,
        [
            ("event".to_owned(), 1),
            ("aggregate".to_owned(), 3),
            ("web".to_owned(), 3),
            ("ChatAnthropic".to_owned(), 6),
        ]
    );
    let root = root_reexports(
        "#[cfg(feature = \"client\")]\npub use chat_model::{ChatAnthropic, X as Y};\npub use a::b::C;",
    );
    assert_eq!(root["ChatAnthropic"], "chat_model");
    assert_eq!(root["Y"], "chat_model");
    assert_eq!(root["C"], "a");
}
