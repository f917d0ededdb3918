//! `examples/web_chat.rs --coding-agent` in headless Chromium: the page at `/?coding` runs the
//! coding agent of `examples/coding_agent.rs` (the same project with a bug, the same agent, the
//! same scripted mock; the client tools run for real) and renders each step as it streams:
//! every turn's words, each tool call with its arguments, the tool's output, how the run
//! ended. At the end the project's tests pass.
//!
//! Needs `chromedriver` and `chromium` on `PATH`, like `web_chat_browser.rs` (`#[ignore]`d;
//! `-- --include-ignored` runs it, and a missing browser fails it with how to install it).
//! Screenshot: `<target>/tmp/web_chat_coding.png`.

use crate::common::serve;
#[path = "../../examples/web_chat.rs"]
#[allow(dead_code)]
mod web_chat;
use crate::webdriver;

use std::path::PathBuf;
use std::time::Duration;

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::MockServer;
use serde::Deserialize;
use serde_json::json;

use web_chat::coding;

/// Records, at every change of the log, how far the last reply has got.
const STEP_RECORDER: &str = r#"
window.steps = [];
const log = document.getElementById("log");
new MutationObserver(() => {
  const replies = log.querySelectorAll(".turn.assistant");
  const reply = replies[replies.length - 1];
  if (!reply) return;
  const calls = [...reply.querySelectorAll(".tool-call")];
  window.steps.push({
    reply: reply.dataset.state,
    turns: reply.querySelectorAll(".turn-mark[data-turn]").length,
    calls: calls.length,
    ran: calls.filter((call) => call.dataset.run === "ok").length,
  });
}).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
"#;

/// Every tool call of the last reply as the page shows it.
const CALLS: &str = r#"
const replies = document.querySelectorAll(".turn.assistant");
return [...replies[replies.length - 1].querySelectorAll(".tool-call")].map((call) => ({
  name: call.querySelector(".tool-name").textContent,
  state: call.dataset.state,
  run: call.dataset.run ?? null,
  status: call.querySelector(".tool-status").textContent,
  args: Object.fromEntries([...call.querySelectorAll(".arg")].map((row) =>
    [row.dataset.pointer, row.querySelector(".arg-value").textContent])),
  output: call.querySelector(".tool-output")?.textContent ?? null,
}));
"#;

#[derive(Debug, Deserialize)]
struct Step {
    reply: String,
    turns: usize,
    calls: usize,
    ran: usize,
}

#[derive(Debug, Deserialize)]
struct Call {
    name: String,
    state: String,
    run: Option<String>,
    status: String,
    args: std::collections::BTreeMap<String, String>,
    output: Option<String>,
}

impl Call {
    fn arg(&self, pointer: &str) -> &str {
        self.args
            .get(pointer)
            .map_or_else(|| panic!("{pointer} not shown in {self:?}"), String::as_str)
    }

    fn output(&self) -> &str {
        self.output.as_deref().unwrap_or("")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver on PATH (apt-get install -y chromium chromium-driver): run with --include-ignored"]
async fn the_page_shows_the_coding_agent_fix_the_bug_step_by_step() {
    webdriver::require_browser("the_page_shows_the_coding_agent_fix_the_bug_step_by_step");
    let workspace = coding::Workspace::new().expect("the project");
    assert!(
        !coding::tests_pass(&workspace.project()),
        "the bug is there to fix"
    );
    let mock = MockServer::start().await;
    mock.set_responder(coding::script().responder());
    let llm = ChatAnthropic::new(coding::MODEL)
        .base_url(mock.base_url())
        .api_key("test-key");
    let agent = coding::agent(llm, &workspace).expect("the agent's tools");
    // The page and the chat routes as the example serves them, plus the coding agent.
    let demo = MockServer::start().await;
    let chat = web_chat::configure(
        ChatAnthropic::new("claude-sonnet-4-6")
            .base_url(demo.base_url())
            .api_key("test-key"),
    );
    let url =
        serve(web_chat::app(chat).merge(web_chat::coding_app(agent, workspace.project()))).await;

    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let profile = artifacts.join(format!("web_chat_coding_profile_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("a fresh browser profile");
    let driver = webdriver::Driver::start().await;
    let session = driver.session(&profile, 1000, 1800).await;
    session.goto(&format!("{url}/?coding")).await;
    session
        .wait_for(
            "the page to put the coding task in the message box",
            "return document.getElementById('message').value.length > 0;",
            Duration::from_secs(10),
        )
        .await;
    let intro = session
        .execute(
            "return document.getElementById('intro').textContent;",
            json!([]),
        )
        .await;
    let project = workspace.project().display().to_string();
    assert!(
        intro.as_str().unwrap_or("").contains(&project),
        "the header names the project: {intro}"
    );
    session.execute(STEP_RECORDER, json!([])).await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the coding run to finish",
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return replies.length > 0 && replies[replies.length - 1].dataset.state === 'done';",
            Duration::from_secs(60),
        )
        .await;

    // Each step appeared while the run was still streaming, not all at the end.
    let steps: Vec<Step> =
        serde_json::from_value(session.execute("return window.steps;", json!([])).await)
            .expect("the recorder's steps");
    let streaming: Vec<&Step> = steps.iter().filter(|s| s.reply == "streaming").collect();
    let mut turns: Vec<usize> = streaming
        .iter()
        .map(|s| s.turns)
        .filter(|&t| t > 0)
        .collect();
    turns.dedup();
    assert_eq!(turns, [1, 2, 3, 4, 5], "each turn showed as it began");
    let mut ran: Vec<usize> = streaming.iter().map(|s| s.ran).collect();
    ran.dedup();
    assert_eq!(ran, [0, 1, 2, 3, 4], "each tool's result showed as it came");
    assert!(
        streaming.iter().any(|s| s.calls > s.ran),
        "a call showed before its result"
    );

    // The steps themselves: the view, the fix, the test run, the note, with their arguments
    // and outputs.
    let calls: Vec<Call> =
        serde_json::from_value(session.execute(CALLS, json!([])).await).expect("the calls");
    let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "str_replace_based_edit_tool",
            "str_replace_based_edit_tool",
            "bash",
            "memory"
        ]
    );
    for call in &calls {
        assert_eq!(
            (call.state.as_str(), call.run.as_deref()),
            ("done", Some("ok")),
            "{call:?}"
        );
        assert!(call.status.starts_with("ran in "), "{call:?}");
    }
    let [view, fix, test, note] = &calls[..] else {
        unreachable!("four calls")
    };
    assert_eq!(
        (view.arg("/command"), view.arg("/path")),
        ("view", "calc.sh")
    );
    assert!(
        view.output().contains("echo $((sum / ($# - 1)))"),
        "{view:?}"
    );
    assert_eq!(fix.arg("/command"), "str_replace");
    assert_eq!(fix.arg("/old_str"), "echo $((sum / ($# - 1)))");
    assert_eq!(fix.arg("/new_str"), "echo $((sum / $#))");
    assert!(
        fix.output().contains("The file calc.sh has been edited."),
        "{fix:?}"
    );
    assert_eq!(test.arg("/command"), "bash test_calc.sh");
    assert!(
        test.output().contains("ok: average 2 4 6 = 4")
            && test.output().contains("all tests passed")
            && !test.output().contains("FAIL"),
        "{test:?}"
    );
    assert_eq!(note.arg("/path"), "/memories/calc-project.md");
    assert!(
        note.arg("/file_text").contains("bash test_calc.sh"),
        "{note:?}"
    );
    assert!(
        note.output().contains("File created successfully"),
        "{note:?}"
    );

    let texts = session
        .execute(
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return [...replies[replies.length - 1].querySelectorAll('.text')].map((n) => n.textContent);",
            json!([]),
        )
        .await;
    let texts: Vec<String> = serde_json::from_value(texts).expect("texts");
    assert_eq!(texts.len(), 5, "one text per turn: {texts:?}");
    assert!(
        texts[4].starts_with("Fixed: `average` divided by"),
        "{texts:?}"
    );
    let summary = session
        .execute(
            "return document.querySelector('.run-summary')?.textContent ?? null;",
            json!([]),
        )
        .await;
    assert_eq!(
        summary.as_str(),
        Some("Done after 5 turns (model finished).")
    );
    session
        .screenshot(&artifacts.join("web_chat_coding.png"))
        .await;

    // The project's bug is fixed: its own tests pass, run outside the agent.
    let calc = std::fs::read_to_string(workspace.project().join("calc.sh")).expect("calc.sh");
    assert!(calc.contains("    echo $((sum / $#))\n"), "{calc}");
    assert!(
        coding::tests_pass(&workspace.project()),
        "the tests pass now"
    );
    assert!(
        workspace.memories().join("calc-project.md").exists(),
        "the memory note was written"
    );
    assert_eq!(mock.requests().len(), 5, "five turns");

    session.quit().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
}
