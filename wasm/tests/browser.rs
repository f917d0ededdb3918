//! The pipeline in the browser: every recorded stream of `tests/fixtures/recorded` that has a
//! golden assembles, in wasm32, to the message the official Python SDK's accumulator built
//! from the same bytes (`tests/golden/`, made by `tools/golden_from_sdk.py`: an independent
//! oracle, never our own fold run natively). The same tests run natively (`cargo test -p
//! chat-anthropic-wasm`) and in headless Chromium (`wasm-bindgen-test-runner`; `.ci/run`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use chat_anthropic_wasm::{assemble, assemble_message, parse_partial_json};
use serde_json::{json, Value};

#[path = "common/mod.rs"]
mod common;
use common::{without_nulls, FIXTURES};

#[test]
fn every_recorded_stream_assembles_to_the_official_sdks_message() {
    assert_eq!(FIXTURES.len(), 14, "the goldens with a recorded stream");
    for (name, sse, golden) in FIXTURES {
        let golden: Value = serde_json::from_str(golden).unwrap();
        let ours = assemble_message(sse).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(
            without_nulls(ours),
            without_nulls(golden),
            "{name}: our message differs from the SDK's"
        );
    }
}

/// Through the export JavaScript calls: text in, JSON text out.
#[test]
fn the_export_returns_the_message_as_json_text() {
    let (name, sse, golden) = FIXTURES
        .iter()
        .find(|(name, ..)| name.contains("parallel_tool_use"))
        .unwrap();
    let text = assemble(std::str::from_utf8(sse).unwrap()).unwrap();
    let ours: Value = serde_json::from_str(&text).unwrap();
    let golden: Value = serde_json::from_str(golden).unwrap();
    assert_eq!(without_nulls(ours), without_nulls(golden), "{name}");
}

/// A stream cut before `message_stop` is the typed error, with the text received so far.
#[test]
fn a_cut_stream_is_an_error_that_keeps_the_partial_message() {
    let (_, sse, _) = FIXTURES
        .iter()
        .find(|(name, ..)| *name == "genai__usage_stream__0")
        .unwrap();
    let text = std::str::from_utf8(sse).unwrap();
    let cut = &text[..text.find("event: message_stop").unwrap()];
    let err = assemble_message(cut.as_bytes()).unwrap_err();
    let partial = err.partial_message().expect("the partial message is kept");
    assert!(
        partial.text().starts_with("The sky is blue"),
        "{}",
        partial.text()
    );
    assert!(assemble(cut).unwrap_err().contains("stream"));
}

/// Tool input cut mid-string, mid-number and mid-key reads as what has arrived so far.
#[test]
fn the_partial_json_parser_shows_arguments_as_they_arrive() {
    let fragments = [
        "{\"path\": \"src/ma",
        "in.rs\", \"lines\": [1",
        "2, 3], \"mo",
        "de\": \"overwrite\"}",
    ];
    let values: Vec<Value> = parse_partial_json(fragments.map(String::from).to_vec())
        .iter()
        .map(|text| serde_json::from_str(text).unwrap())
        .collect();
    assert_eq!(values[0], json!({"path": "src/ma"}));
    assert_eq!(values[1]["path"], "src/main.rs");
    assert_eq!(values[2]["lines"], json!([12, 3]));
    let whole: Value = serde_json::from_str(&fragments.concat()).unwrap();
    assert_eq!(
        values[3], whole,
        "the last value is serde_json's parse of the whole text"
    );
}
