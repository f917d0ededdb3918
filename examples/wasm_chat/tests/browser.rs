//! The demo in headless Chromium: the page (this crate built for wasm32 and run through
//! `wasm-bindgen`) posts a prompt to the demo's server, which relays a mock server's slowly
//! streamed reply; the page folds the fetch body as it arrives. Checked: the text and the
//! tool call's argument fields grow in several steps before the reply ends, the reply ends
//! `done` with the whole text and arguments; a second reply stopped mid-stream shows
//! `stopped`, keeps the text shown so far, gains nothing after, and both the relay and the
//! mock server see the stream abandoned; a third reply cut by an `error` event and a fourth
//! refused with a 529 end `error`, saying why, the third keeping its text.
//!
//! Needs chromedriver and Chromium on `PATH`, the `wasm32-unknown-unknown` target and
//! `wasm-bindgen` at the version of `Cargo.lock` (the test says how to install what is
//! missing). It builds the page itself (debug profile) in `target/wasm-chat`, a target folder of
//! its own, so the cargo running the test is never waited on. Screenshots:
//! `target/tmp/wasm_chat_done.png`, `wasm_chat_stopped.png`, `wasm_chat_errors.png`.

#![cfg(not(target_arch = "wasm32"))]

#[path = "../../../tests/webdriver/mod.rs"]
mod webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use serde::Deserialize;
use serde_json::json;
use wasm_chat::server::{self, Upstream};

/// The reply's text: forty-odd words, one text delta each.
const TEXT: &str = "Streaming in the browser: every word of this reply crosses the relay as \
                    its own server-sent event, and the page folds each one with the same \
                    decoder and aggregator the native client uses, so the text grows on \
                    screen word by word while the tool call below streams its arguments.";
/// The tool call's `content`: streamed in fragments of 1 to 10 bytes.
const CONTENT: &str = "line one of the file\nline two of the file\nline three of the file\n";

fn reply(delay: Duration) -> MockReply {
    MockReply::script(MockScript::new().text(TEXT).tool_use(
        "toolu_demo",
        "write_file",
        json!({"path": "notes/streaming.txt", "content": CONTENT}),
    ))
    .delay(delay)
}

/// Installed before sending: records the last reply's state at every change of the log.
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
    text: find(".text")?.textContent.length ?? 0,
    call: find(".tool-call")?.dataset.state ?? null,
    path: find('.arg[data-pointer="/path"]')?.dataset.state ?? null,
    content: find('.arg[data-pointer="/content"] .arg-value')?.textContent.length ?? 0,
  });
}).observe(log, { subtree: true, childList: true, characterData: true, attributes: true });
"#;

#[derive(Debug, Deserialize)]
struct Snapshot {
    reply: String,
    text: usize,
    call: Option<String>,
    path: Option<String>,
    content: usize,
}

/// A script returning the last reply's `property` of the element at `css` (null if none).
fn last_reply(css: &str, property: &str) -> String {
    format!(
        "const replies = document.querySelectorAll('.turn.assistant'); \
         const reply = replies[replies.length - 1]; \
         const node = reply && reply.querySelector({css:?}); \
         return node ? node.{property} : null;"
    )
}

/// A script: whether the last reply is in `state`.
fn last_reply_is(state: &str) -> String {
    format!(
        "const replies = document.querySelectorAll('.turn.assistant'); \
         return replies.length > 0 && replies[replies.length - 1].dataset.state === {state:?};"
    )
}

/// Growing, distinct values of `values` (zeros left out).
fn steps(values: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut steps: Vec<usize> = values.filter(|&n| n > 0).collect();
    steps.dedup();
    steps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromedriver, wasm32 target, wasm-bindgen-cli"]
async fn the_page_folds_the_relayed_stream_as_it_arrives_and_stop_aborts_the_fetch() {
    let name = "the_page_folds_the_relayed_stream_as_it_arrives_and_stop_aborts_the_fetch";
    webdriver::require_browser(name);
    if let Err(err) = server::check_tools() {
        panic!("{name}: {err} (or leave out --include-ignored)");
    }
    let started = Instant::now();
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let build_dir = artifacts
        .parent()
        .expect("the target folder")
        .join("wasm-chat");
    let pkg = tokio::task::spawn_blocking(move || server::build_page(&build_dir, false))
        .await
        .expect("the build task")
        .unwrap_or_else(|err| panic!("{name}: building the page: {err}"));
    let built = started.elapsed();

    let mock = MockServer::start().await;
    // The first reply streams to its end; the second, slower, is stopped.
    mock.enqueue(reply(Duration::from_millis(25)));
    mock.enqueue(reply(Duration::from_millis(80)));
    // The third breaks off with an `error` event after ten words; the fourth is refused.
    mock.enqueue(reply(Duration::from_millis(5)).error_event_after(
        14,
        "overloaded_error",
        "Overloaded",
    ));
    mock.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
    let (app, stats) = server::app(Upstream::new(mock.base_url(), "test-key"), pkg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let profile = artifacts.join(format!("wasm_chat_profile_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("a fresh browser profile");
    let driver = webdriver::Driver::start().await;
    let session = driver.session(&profile, 1000, 1200).await;
    session.goto(&url).await;
    let ready = session
        .wait_for(
            "the module to load",
            "return document.body.dataset.ready !== 'false' && document.body.dataset.ready;",
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(ready, "true", "the page's WebAssembly loaded");
    session.execute(RECORDER, json!([])).await;

    // A first prompt, answered in full.
    let prompt = session.find("#prompt").await;
    session.type_into(&prompt, "Write me a file").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the first reply to end",
            "const r = document.querySelector('.turn.assistant'); return r && r.dataset.state !== 'streaming';",
            Duration::from_secs(30),
        )
        .await;
    let status = session
        .execute(&last_reply(".status", "textContent"), json!([]))
        .await;
    assert_eq!(status, "done (tool_use)", "how the first reply ended");
    let snapshots: Vec<Snapshot> =
        serde_json::from_value(session.execute("return window.snapshots;", json!([])).await)
            .expect("the recorder's snapshots");
    let streaming: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| s.reply == "streaming")
        .collect();
    let text_steps = steps(streaming.iter().map(|s| s.text));
    assert!(
        text_steps.len() >= 5,
        "the text grew in steps while streaming, not at once: {text_steps:?}"
    );
    let content_steps = steps(
        streaming
            .iter()
            .filter(|s| s.call.as_deref() == Some("streaming"))
            .map(|s| s.content),
    );
    assert!(
        content_steps.len() >= 3,
        "the content argument grew in steps before the call completed: {content_steps:?}"
    );
    assert!(
        streaming
            .iter()
            .any(|s| s.call.as_deref() == Some("streaming")
                && s.path.as_deref() == Some("complete")
                && s.content < CONTENT.len()),
        "the path argument was complete while the content still streamed"
    );
    let text = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    assert_eq!(text, TEXT);
    let content = session
        .execute(
            &last_reply(".arg[data-pointer='/content'] .arg-value", "textContent"),
            json!([]),
        )
        .await;
    assert_eq!(content, CONTENT);
    let path = session
        .execute(
            &last_reply(".arg[data-pointer='/path'] .arg-value", "textContent"),
            json!([]),
        )
        .await;
    assert_eq!(path, "notes/streaming.txt");
    let call = session
        .execute(&last_reply(".tool-call", "dataset.state"), json!([]))
        .await;
    assert_eq!(call, "done");
    session
        .screenshot(&artifacts.join("wasm_chat_done.png"))
        .await;
    assert_eq!(
        (
            stats.finished(),
            stats.cancelled(),
            mock.cancelled_streams()
        ),
        (1, 0, 0),
        "the first stream was relayed to its end"
    );

    // A second prompt, stopped once its text has started.
    session.type_into(&prompt, "Write it again").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the second reply's text",
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return replies.length === 2 && replies[1].querySelector('.text').textContent.length > 20;",
            Duration::from_secs(20),
        )
        .await;
    session.click(&session.find("#stop").await).await;
    session
        .wait_for(
            "the reply to show it was stopped",
            &last_reply_is("stopped"),
            Duration::from_secs(5),
        )
        .await;
    let status = session
        .execute(&last_reply(".status", "textContent"), json!([]))
        .await;
    assert_eq!(status, "stopped");
    assert!(
        mock.wait_for_cancelled_stream(Duration::from_secs(5)).await,
        "the mock server saw its stream abandoned"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while stats.cancelled() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        (stats.started(), stats.finished(), stats.cancelled()),
        (2, 1, 1),
        "the relay saw the browser abandon the second stream"
    );
    let kept = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    let kept = kept.as_str().unwrap_or_default().to_owned();
    assert!(
        kept.len() > 20 && kept.len() < TEXT.len() && TEXT.starts_with(&kept),
        "the text shown so far stays, cut mid-stream: {kept:?}"
    );
    // The second reply streams a word every 80 ms: four would have arrived by now.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let after = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    assert_eq!(after, kept.as_str(), "nothing arrives after Stop");
    let state = session.execute(&last_reply_is("stopped"), json!([])).await;
    assert_eq!(state, true);
    session
        .screenshot(&artifacts.join("wasm_chat_stopped.png"))
        .await;

    // A stream that ends with an `error` event: the text so far stays, the reply says why.
    session.type_into(&prompt, "Third").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the third reply to fail",
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return replies.length === 3 && replies[2].dataset.state === 'error';",
            Duration::from_secs(20),
        )
        .await;
    let status = session
        .execute(&last_reply(".status", "textContent"), json!([]))
        .await;
    assert!(
        status.as_str().unwrap_or_default().contains("Overloaded"),
        "{status}"
    );
    let text = session
        .execute(&last_reply(".text", "textContent"), json!([]))
        .await;
    let text = text.as_str().unwrap_or_default();
    assert!(
        !text.is_empty() && text.len() < TEXT.len() && TEXT.starts_with(text),
        "the text before the error stays: {text:?}"
    );
    // A refusal before the stream: the status and the API's error body.
    session.type_into(&prompt, "Fourth").await;
    session.click(&session.find("#send").await).await;
    session
        .wait_for(
            "the fourth reply to fail",
            "const replies = document.querySelectorAll('.turn.assistant'); \
             return replies.length === 4 && replies[3].dataset.state === 'error';",
            Duration::from_secs(20),
        )
        .await;
    let status = session
        .execute(&last_reply(".status", "textContent"), json!([]))
        .await;
    let status = status.as_str().unwrap_or_default();
    assert!(
        status.starts_with("error: 529") && status.contains("overloaded_error"),
        "{status}"
    );
    session
        .screenshot(&artifacts.join("wasm_chat_errors.png"))
        .await;

    session.quit().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    eprintln!(
        "wasm_chat browser test: page built in {built:?}, {:?} in all; screenshots in {}",
        started.elapsed(),
        artifacts.display()
    );
}
