//! `examples/web_chat.rs` in headless Chromium: the reply streams into the page in steps,
//! thinking apart from the text, a tool call's fields render before the call completes, and
//! the Stop button cancels the upstream request (the mock server sees it closed).
//!
//! Needs `chromedriver` and `chromium` (or `chromium-browser`, `google-chrome`) on `PATH`
//! (Debian: `apt-get install -y chromium chromium-driver`): the tests are `#[ignore]`d, so
//! `-- --include-ignored` runs them, and then a missing browser fails them with how to
//! install it.
//! Screenshots: `<target>/tmp/web_chat_streaming.png` (a tool call's content half written),
//! `web_chat.png` (the reply complete) and `web_chat_stopped.png` (a second reply stopped).

use crate::common;
#[path = "../../examples/web_chat.rs"]
#[allow(dead_code)]
mod web_chat;
use crate::webdriver;

use common::serve;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{ui_demo_reply, MockServer};
use serde::Deserialize;
use serde_json::json;

/// Installed in the page before sending: records the last reply's state at every change.
const RECORDER: &str = r#"
window.snapshots = [];
const log = document.getElementById("log");
new MutationObserver(() => {
  const replies = log.querySelectorAll(".turn.assistant");
  const reply = replies[replies.length - 1];
  if (!reply) return;
  const find = (css) => reply.querySelector(css);
  window.snapshots.push({
    reply: reply.dataset.state,
    thinking: find(".thinking-text")?.textContent.length ?? 0,
    text: find(".text")?.textContent.length ?? 0,
    call: find(".tool-call")?.dataset.state ?? null,
    path: find('.arg[data-pointer="/path"]')?.dataset.state ?? null,
    content: find('.arg[data-pointer="/content"] .arg-value')?.textContent.length ?? 0,
  });
}).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
"#;

/// The last reply as the recorder saw it after one change.
#[derive(Debug, Deserialize)]
struct Snapshot {
    reply: String,
    thinking: usize,
    text: usize,
    call: Option<String>,
    path: Option<String>,
    content: usize,
}

/// A script returning the last reply's `property` of the element at `css`.
fn last_reply(css: &str, property: &str) -> String {
    format!(
        "const replies = document.querySelectorAll('.turn.assistant'); \
         const reply = replies[replies.length - 1]; \
         const node = reply && reply.querySelector({css:?}); \
         return node ? node.{property} : null;"
    )
}

/// A script: whether the last reply is in `state` (`streaming`, `done`, `stopped`, `error`).
fn last_reply_is(state: &str) -> String {
    format!(
        "const replies = document.querySelectorAll('.turn.assistant'); \
         return replies.length > 0 && replies[replies.length - 1].dataset.state === {state:?};"
    )
}

/// Serves the example against `mock`; returns its URL, the artifacts folder and a fresh
/// browser profile folder named after `name`.
async fn serve_app(mock: &MockServer, name: &str) -> (String, PathBuf, PathBuf) {
    let llm = web_chat::configure(
        ChatAnthropic::new("claude-sonnet-4-6")
            .base_url(mock.base_url())
            .api_key("test-key"),
    );
    let url = serve(web_chat::app(llm)).await;
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let profile = artifacts.join(format!("{name}_profile_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("a fresh browser profile");
    (url, artifacts, profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver on PATH (apt-get install -y chromium chromium-driver): run with --include-ignored"]
async fn the_page_streams_a_reply_and_its_stop_button_cancels_the_upstream() {
    webdriver::require_browser("the_page_streams_a_reply_and_its_stop_button_cancels_the_upstream");
    let started = Instant::now();
    let mock = MockServer::start().await;
    // The second reply (the one stopped) streams slower, so the click lands well before its end.
    let replies = Arc::new(AtomicUsize::new(0));
    let counter = replies.clone();
    mock.set_responder(
        move |request| match counter.fetch_add(1, Ordering::SeqCst) {
            0 => ui_demo_reply(request),
            _ => ui_demo_reply(request).delay(Duration::from_millis(20)),
        },
    );
    let (url, artifacts, profile) = serve_app(&mock, "web_chat").await;
    let driver = webdriver::Driver::start().await;
    let session = driver.session(&profile, 1000, 1400).await;
    session.goto(&url).await;
    session.execute(RECORDER, json!([])).await;

    // A first message, answered in full.
    let input = session.find("#message").await;
    session.type_into(&input, "Hello there").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the tool call's content to start streaming",
            &last_reply(
                ".tool-call[data-state='streaming'] .arg[data-pointer='/content'] .arg-value",
                "textContent.length > 0",
            ),
            Duration::from_secs(15),
        )
        .await;
    session
        .screenshot(&artifacts.join("web_chat_streaming.png"))
        .await;
    session
        .wait_for(
            "the first reply to finish",
            &last_reply_is("done"),
            Duration::from_secs(15),
        )
        .await;
    let snapshots: Vec<Snapshot> =
        serde_json::from_value(session.execute("return window.snapshots;", json!([])).await)
            .expect("the recorder's snapshots");
    let streaming: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| s.reply == "streaming")
        .collect();

    let mut text_steps: Vec<usize> = streaming
        .iter()
        .map(|s| s.text)
        .filter(|&n| n > 0)
        .collect();
    text_steps.dedup();
    assert!(
        text_steps.len() >= 3 && text_steps.windows(2).all(|w| w[0] < w[1]),
        "the text arrived in several growing steps, not at once: {text_steps:?}"
    );
    let first_thinking = streaming.iter().position(|s| s.thinking > 0);
    let first_text = streaming.iter().position(|s| s.text > 0);
    assert!(
        first_thinking.is_some() && first_thinking < first_text,
        "thinking shows before the text"
    );
    let mut content_steps: Vec<usize> = streaming
        .iter()
        .filter(|s| s.call.as_deref() == Some("streaming") && s.content > 0)
        .map(|s| s.content)
        .collect();
    content_steps.dedup();
    assert!(
        content_steps.len() >= 3,
        "the content field grew in steps before the call completed: {content_steps:?}"
    );
    assert!(
        streaming.iter().any(
            |s| s.call.as_deref() == Some("streaming") && s.path.as_deref() == Some("complete")
        ),
        "the path field was marked complete while the call was still streaming"
    );
    let last = snapshots.last().expect("snapshots");
    assert_eq!(
        (last.reply.as_str(), last.call.as_deref()),
        ("done", Some("done"))
    );

    let thinking = session
        .execute(&last_reply(".thinking-text", "textContent"), json!([]))
        .await;
    let text = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    let content = session
        .execute(
            &last_reply(".arg[data-pointer='/content'] .arg-value", "textContent"),
            json!([]),
        )
        .await;
    let meta = session
        .execute(&last_reply(".meta", "textContent"), json!([]))
        .await;
    let (thinking, text) = (thinking.as_str().unwrap_or(""), text.as_str().unwrap_or(""));
    assert!(thinking.starts_with("The user wrote"), "{thinking}");
    assert!(text.contains("\u{201c}Hello there\u{201d}"), "{text}");
    assert!(!text.contains("The user wrote"), "thinking is kept apart");
    assert!(
        content.as_str().unwrap_or("").lines().count() >= 4,
        "{content}"
    );
    let meta = meta.as_str().unwrap_or("");
    assert!(
        meta.starts_with("usage: ") && meta.contains(" in / ") && meta.ends_with("tool_use"),
        "{meta}"
    );
    session.screenshot(&artifacts.join("web_chat.png")).await;
    assert_eq!(
        mock.cancelled_streams(),
        0,
        "a finished reply is not cancelled"
    );

    // A second message, stopped as soon as its text starts.
    session.type_into(&input, "Tell me more").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the second reply's text",
            &last_reply(".text", "textContent.length > 0"),
            Duration::from_secs(15),
        )
        .await;
    session.click(&session.find("#stop").await).await;
    assert!(
        mock.wait_for_cancelled_stream(Duration::from_secs(5)).await,
        "the mock server saw the upstream request cancelled"
    );
    session
        .wait_for(
            "the reply to show it was stopped",
            &last_reply_is("stopped"),
            Duration::from_secs(5),
        )
        .await;
    let kept = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    let kept = kept.as_str().unwrap_or("").to_owned();
    assert!(
        kept.starts_with("You said"),
        "the partial text stays: {kept:?}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    assert_eq!(
        after.as_str(),
        Some(kept.as_str()),
        "nothing arrives after Stop"
    );
    assert_eq!(replies.load(Ordering::SeqCst), 2);
    session
        .screenshot(&artifacts.join("web_chat_stopped.png"))
        .await;

    session.quit().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!(
        "web_chat_browser: {:?}, screenshots in {}",
        started.elapsed(),
        artifacts.display()
    );
}

/// Records, at every change, the run state of the last reply's tool call and whether the
/// reply is still streaming.
const RUN_RECORDER: &str = r#"
window.runs = [];
const log = document.getElementById("log");
new MutationObserver(() => {
  const replies = log.querySelectorAll(".turn.assistant");
  const reply = replies[replies.length - 1];
  const call = reply && reply.querySelector(".tool-call");
  if (!call) return;
  window.runs.push({ reply: reply.dataset.state, call: call.dataset.state, run: call.dataset.run ?? null });
}).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
"#;

/// The tool call's state as [`RUN_RECORDER`] saw it after one change.
#[derive(Debug, Deserialize)]
struct RunSnapshot {
    reply: String,
    call: String,
    run: Option<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver on PATH (apt-get install -y chromium chromium-driver): run with --include-ignored"]
async fn the_page_shows_an_agent_run_its_tool_running_and_the_second_turn() {
    webdriver::require_browser("the_page_shows_an_agent_run_its_tool_running_and_the_second_turn");
    let mock = MockServer::start().await;
    mock.set_responder(web_chat::demo_reply);
    let (url, artifacts, profile) = serve_app(&mock, "web_chat_agent").await;
    let driver = webdriver::Driver::start().await;
    let session = driver.session(&profile, 1000, 1400).await;
    session.goto(&format!("{url}/?agent")).await;
    session.execute(RUN_RECORDER, json!([])).await;

    let input = session.find("#message").await;
    session.type_into(&input, "Write me a poem").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the run to finish",
            &last_reply_is("done"),
            Duration::from_secs(20),
        )
        .await;
    let runs: Vec<RunSnapshot> =
        serde_json::from_value(session.execute("return window.runs;", json!([])).await)
            .expect("the recorder's snapshots");
    let running = runs
        .iter()
        .position(|s| s.run.as_deref() == Some("running"))
        .expect("the page showed the tool running");
    let ran = runs
        .iter()
        .position(|s| s.run.as_deref() == Some("ok"))
        .expect("the page showed the tool's result");
    assert!(running < ran);
    assert_eq!(
        (runs[running].call.as_str(), runs[running].reply.as_str()),
        ("done", "streaming"),
        "the handler starts once the arguments are complete, while the run streams"
    );
    assert_eq!(runs.last().map(|s| s.call.as_str()), Some("done"));
    let output = session
        .execute(&last_reply(".tool-output", "textContent"), json!([]))
        .await;
    assert!(
        output
            .as_str()
            .unwrap_or("")
            .starts_with("wrote 5 lines to poem.txt"),
        "{output}"
    );
    let texts = session
        .execute(
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return [...replies[replies.length - 1].querySelectorAll('.text')].map((n) => n.textContent);",
            json!([]),
        )
        .await;
    let texts: Vec<String> = serde_json::from_value(texts).expect("texts");
    assert_eq!(
        texts.len(),
        2,
        "one text per turn, the first kept: {texts:?}"
    );
    assert!(texts[0].starts_with("You said"), "{texts:?}");
    assert_eq!(texts[1], "Saved: poem.txt holds the poem now.");
    let status = session
        .execute(&last_reply(".tool-status", "textContent"), json!([]))
        .await;
    assert!(
        status.as_str().unwrap_or("").starts_with("ran in "),
        "{status}"
    );
    assert_eq!(mock.requests().len(), 2, "two turns");
    session
        .screenshot(&artifacts.join("web_chat_agent.png"))
        .await;
    session.quit().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
}
