//! The fold's throughput in the browser against native, on the same streams and the same
//! code: the same file runs in headless Chromium (`wasm-bindgen-test`, timed with
//! `performance.now()`) and natively (`std::time::Instant`). Build it in release for figures
//! (BENCHMARKS.md, "The fold in the browser"); a debug build (CI) runs smaller streams once,
//! so the assertions still run there.
//!
//! Streams, generated here deterministically in the shapes of `shared/tools/gen_streams.py`
//! (which the benches read from files a browser cannot open): `text` (2 MB of text deltas of
//! 1–4 words, a ping every 97), `tool_100k` (a 100 KB `write_file` input in 1–10 byte
//! `input_json_delta` fragments), and `recorded` (the fixtures with an SDK golden, each
//! folded as its own stream). Every round's result is checked (text, arguments, goldens),
//! outside the timed part, so the test fails if the fold goes wrong.
//!
//! Paths, each over the stream cut in 8 KiB chunks:
//! - `fold`: `EventStream` + `MessageAggregator::new()` + `finish()`, the loop of
//!   `benches/pipeline.rs`'s `text/pipeline` (polled with `now_or_never`: every chunk is ready);
//! - `page`: what `examples/wasm_chat` does per chunk: `SseDecoder::push`, `StreamEvent::from_sse`,
//!   `MessageAggregator::with_path_events().apply_updates` (owned updates, per-field path
//!   events), then `finish()`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use bytes::Bytes;
use chat_anthropic::aggregate::{MessageAggregator, StreamUpdate};
use chat_anthropic::event::EventStream;
use chat_anthropic::sse::SseDecoder;
use chat_anthropic::{AIMessage, StreamEvent};
use futures_util::{FutureExt, StreamExt};
use serde_json::{json, Value};

#[path = "common/mod.rs"]
mod common;
use common::{without_nulls, FIXTURES};

/// Milliseconds from a monotonic clock: `performance.now()` in the browser.
#[cfg(target_arch = "wasm32")]
fn now_ms() -> f64 {
    #[wasm_bindgen::prelude::wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn performance_now() -> f64;
    }
    performance_now()
}

#[cfg(not(target_arch = "wasm32"))]
fn now_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

fn print(line: &str) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{line}");
}

/// A small deterministic generator (xorshift64*), so both targets fold the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.between(0, WORDS.len() - 1)]
    }
}

/// gen_streams.py's words: ASCII, accents, CJK and an emoji.
const WORDS: &[&str] = &[
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dogs",
    "café",
    "日本語",
    "naïve",
    "🎉",
    "streaming",
    "tokens",
    "arrive",
    "one",
    "by",
    "one",
];

fn event(out: &mut String, data: Value) {
    let name = data["type"].as_str().expect("a typed event").to_owned();
    out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
}

fn start(out: &mut String) {
    event(
        out,
        json!({"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [], "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}),
    );
}

fn end(out: &mut String, reason: &str, tokens: usize) {
    event(
        out,
        json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null}, "usage": {"output_tokens": tokens}}),
    );
    event(out, json!({"type": "message_stop"}));
}

/// About `size` bytes of SSE carrying text deltas of 1–4 words; returns it and the text.
fn text_stream(size: usize) -> (Bytes, String) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::new();
    let mut text = String::new();
    start(&mut out);
    event(
        &mut out,
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    let mut deltas = 0;
    while out.len() < size {
        let words: Vec<&str> = (0..rng.between(1, 4)).map(|_| rng.word()).collect();
        let chunk = words.join(" ") + " ";
        text.push_str(&chunk);
        event(
            &mut out,
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": chunk}}),
        );
        deltas += 1;
        if deltas % 97 == 0 {
            event(&mut out, json!({"type": "ping"}));
        }
    }
    event(&mut out, json!({"type": "content_block_stop", "index": 0}));
    end(&mut out, "end_turn", deltas);
    (Bytes::from(out), text)
}

/// A `write_file` call whose input of about `size` bytes streams in 1–10 byte fragments;
/// returns the stream and the input.
fn tool_stream(size: usize) -> (Bytes, Value) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut content = String::new();
    while content.len() < size {
        let words: Vec<&str> = (0..8).map(|_| rng.word()).collect();
        content.push_str(&words.join(" "));
        content.push_str(" \"quoted\" \\ path\\n\tline\n");
    }
    let input = json!({"path": "src/main.rs", "content": content, "mode": 420, "tags": ["a", "b"], "nested": {"ok": true, "x": null}});
    let text = input.to_string();
    let mut out = String::new();
    start(&mut out);
    event(
        &mut out,
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    event(
        &mut out,
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Writing the file."}}),
    );
    event(&mut out, json!({"type": "content_block_stop", "index": 0}));
    event(
        &mut out,
        json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_01", "name": "write_file", "input": {}}}),
    );
    let mut rest = text.as_str();
    while !rest.is_empty() {
        // 1–10 bytes, moved back to a character boundary (never empty).
        let mut cut = rng.between(1, 10).min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (fragment, tail) = rest.split_at(cut);
        event(
            &mut out,
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": fragment}}),
        );
        rest = tail;
    }
    event(&mut out, json!({"type": "content_block_stop", "index": 1}));
    end(&mut out, "tool_use", text.len() / 4);
    (Bytes::from(out), input)
}

fn chunks(body: &Bytes) -> Vec<Bytes> {
    (0..body.len())
        .step_by(8192)
        .map(|at| body.slice(at..body.len().min(at + 8192)))
        .collect()
}

/// `fold`: the event stream folded by `MessageAggregator::new()`.
fn fold(chunks: &[Bytes]) -> AIMessage {
    let source = futures_util::stream::iter(
        chunks
            .iter()
            .cloned()
            .map(Ok::<_, std::convert::Infallible>),
    );
    async {
        let mut events = EventStream::new(source);
        let mut aggregator = MessageAggregator::new();
        while let Some(event) = events.next().await {
            aggregator.apply(&event?)?;
        }
        aggregator.finish()
    }
    .now_or_never()
    .expect("chunks in memory are always ready")
    .expect("the stream folds")
}

/// `page`: the demo page's loop (decoder, events, owned updates with path events).
fn page(chunks: &[Bytes]) -> AIMessage {
    let mut decoder = SseDecoder::new();
    let mut aggregator = MessageAggregator::new().with_path_events();
    let mut updates: Vec<StreamUpdate> = Vec::new();
    let mut seen = 0;
    for chunk in chunks {
        decoder.push(chunk.clone());
        updates.clear();
        while let Some(sse) = decoder.next_event() {
            let event = StreamEvent::from_sse(&sse.expect("valid SSE")).expect("a valid event");
            aggregator
                .apply_updates(&event, &mut updates)
                .expect("the event folds");
        }
        seen += updates.len();
    }
    assert!(seen > 0 && !decoder.has_partial_event());
    aggregator.finish().expect("the stream folds")
}

/// Runs `round` until the time budget is spent (at least `min` rounds, at most 200), timing
/// only `round`, then `check`s each result; returns the median MB/s (10^6 bytes per second)
/// over `bytes` per round, and the rounds.
fn measure<T>(
    bytes: usize,
    min: usize,
    budget_ms: f64,
    mut round: impl FnMut() -> T,
    mut check: impl FnMut(T),
) -> (f64, usize) {
    let mut rates = Vec::new();
    let started = now_ms();
    while rates.len() < min || (now_ms() - started < budget_ms && rates.len() < 200) {
        let before = now_ms();
        let result = round();
        let ms = (now_ms() - before).max(0.001);
        check(result);
        rates.push(bytes as f64 / 1000.0 / ms);
    }
    rates.sort_by(|a, b| a.partial_cmp(b).expect("finite rates"));
    (rates[rates.len() / 2], rates.len())
}

#[test]
fn the_fold_s_throughput_on_the_same_streams() {
    // Debug builds (CI) fold streams a tenth the size, once: the checks, not the figures.
    let (scale, min, budget) = if cfg!(debug_assertions) {
        (10, 1, 0.0)
    } else {
        (1, 5, 2000.0)
    };
    let target = if cfg!(target_arch = "wasm32") {
        "wasm32 (browser)"
    } else {
        "native"
    };
    let profile = if cfg!(debug_assertions) {
        "debug: not a measurement"
    } else {
        "release"
    };
    let (text, expected_text) = text_stream(2_000_000 / scale);
    let (tool, expected_input) = tool_stream(100_000 / scale);
    let text_chunks = chunks(&text);
    let tool_chunks = chunks(&tool);
    let recorded: Vec<(Vec<Bytes>, Value)> = FIXTURES
        .iter()
        .map(|(_, sse, golden)| {
            (
                chunks(&Bytes::from_static(sse)),
                without_nulls(serde_json::from_str(golden).expect("a golden")),
            )
        })
        .collect();
    let recorded_bytes: usize = FIXTURES.iter().map(|(_, sse, _)| sse.len()).sum();

    const REPEAT: usize = 20;
    // What each recorded stream's golden holds: its text and how many tool calls.
    let golden: Vec<(String, usize)> = recorded
        .iter()
        .map(|(_, golden)| {
            let content = golden["content"].as_array().expect("content");
            (
                content.iter().filter_map(|b| b["text"].as_str()).collect(),
                content.iter().filter(|b| b["type"] == "tool_use").count(),
            )
        })
        .collect();
    type Path = fn(&[Bytes]) -> AIMessage;
    for (path, run) in [("fold", fold as Path), ("page", page as Path)] {
        let (rate, rounds) = measure(
            text.len(),
            min,
            budget,
            || run(&text_chunks),
            |message| assert_eq!(message.text(), expected_text, "{path}: text"),
        );
        print(&format!(
            "throughput {target} {profile}: {path} text ({} B): {rate:.1} MB/s (median of {rounds})",
            text.len()
        ));
        let (rate, rounds) = measure(
            tool.len(),
            min,
            budget,
            || run(&tool_chunks),
            |message| {
                assert_eq!(message.tool_calls.len(), 1, "{path}: one call");
                assert_eq!(
                    message.tool_calls[0].args, expected_input,
                    "{path}: arguments"
                );
            },
        );
        print(&format!(
            "throughput {target} {profile}: {path} tool ({} B): {rate:.1} MB/s (median of {rounds})",
            tool.len()
        ));
        // Each stream is a few KB: a round folds them all REPEAT times, so that it lasts
        // well above the browser's timer resolution (0.1 ms).
        let (rate, rounds) = measure(
            recorded_bytes * REPEAT,
            min,
            budget,
            || {
                let mut messages = Vec::with_capacity(recorded.len() * REPEAT);
                for (chunks, _) in recorded.iter().cycle().take(recorded.len() * REPEAT) {
                    messages.push(run(chunks));
                }
                messages
            },
            |messages| {
                // The text and the calls; tests/browser.rs compares every field.
                for (message, (text, calls)) in messages.iter().zip(golden.iter().cycle()) {
                    assert_eq!(&message.text(), text, "{path}: a recorded stream's text");
                    assert_eq!(message.tool_calls.len(), *calls, "{path}: recorded calls");
                }
            },
        );
        print(&format!(
            "throughput {target} {profile}: {path} recorded ({} streams, {recorded_bytes} B, {REPEAT} times a round): {rate:.1} MB/s (median of {rounds})",
            recorded.len()
        ));
    }
}
