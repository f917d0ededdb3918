//! This crate beside its peers, on the same bytes cut the same way, in one process.
//!
//! `cargo bench -p chat-anthropic-benches --bench peers` (`PEERS_ROUNDS=15` rounds by default; `PEERS_ROWS=sse` or
//! `PEERS_ROWS=json` keeps one half, `PEERS_FILTER=ai_stream` the rows whose name contains
//! that text; `PEERS_QUADRATIC=1` also runs jiter on the 1 MiB row, about 5 GB of re-parsing
//! per run).
//!
//! On a noisy machine instruction counts are steadier: `PEERS_ONCE='1 KiB data line, 128'`
//! runs each library (or `PEERS_ONCE_LIBRARY=SseStream` alone) 100 times
//! (`PEERS_ONCE_RUNS`), untimed, on the rows whose name contains that text, for
//! `valgrind --tool=callgrind` or `perf record` (each library's run is its own `sse_*` or
//! `json_*` function: read their inclusive costs).
//!
//! Every library does its real per-chunk work, as its callers would:
//!
//! - SSE: `SseStream` (this crate), `sseer::EventStream` and `eventsource_stream::EventStream`,
//!   each a `Stream` over the same `Bytes` chunks, polled to the end; every event's type is
//!   compared with a name and its data read.
//! - Partial JSON: `PartialJsonParser::push` then `value()` after every fragment, and
//!   `push_with_events` with every event read (both `finish` at the end); jsonmodem's
//!   `StreamingParser` fed each fragment and drained of its events (path, fragment); jiter
//!   re-parsing the whole prefix after every fragment in partial mode (`TrailingStrings`, on a
//!   reused scratch), the way its users get a partial value; serde_json parsing the whole
//!   document once, as the floor.
//!
//! Before anything is timed, every library's output on every row is checked to agree (the
//! events' type, data and id; the JSON's final value, jsonmodem's rebuilt from its events).
//! Then each round times every library on the row, in an order that rotates by round: the
//! least of three batches of runs, each batch about 2 ms of this thread's CPU time (time given
//! to other processes is not counted). A ratio is taken within a round and the median of the
//! rounds' ratios is printed (steady on a shared machine whose speed drifts by the minute).
//! Allocations per run are counted by a counting global allocator.

#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::fmt::Write as _;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use chat_anthropic::partial_json::{PartialJsonParser, PathEventKind};
use chat_anthropic::sse::SseStream;
use futures_core::Stream;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Inputs: generated from a fixed seed, the same on every run.

/// xorshift64*: a fixed sequence, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: [&str; 24] = [
    "the",
    "stream",
    "of",
    "tokens",
    "arrives",
    "in",
    "small",
    "pieces",
    "and",
    "each",
    "one",
    "is",
    "read",
    "once",
    "café",
    "naïve",
    "résumé",
    "東京",
    "データ",
    "🙂",
    "über",
    "fold",
    "parser",
    "value",
];

/// JSON string content: words with the escapes a model writes (`\n`, `\"`, `\\`, `\t`, `\u`
/// escapes) and raw non-ASCII text. No surrogate pair (`\ud83d\ude00`): jsonmodem 0.1 rejects
/// one as an invalid escape.
fn json_text(rng: &mut Rng, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push_str(match rng.below(16) {
                0 => "\\n",
                1 => "\\n\\n    ",
                2 => ", ",
                3 => "\\t",
                _ => " ",
            });
        }
        match rng.below(40) {
            0 => out.push_str("\\\"quoted\\\""),
            1 => out.push_str("C:\\\\path\\\\to"),
            2 => out.push_str("\\u00e9t\\u00e9"),
            _ => out.push_str(rng.pick(&WORDS)),
        }
    }
    out
}

/// A number as a model writes one: integers, negatives, decimals, exponents.
fn json_number(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("{}", rng.below(1000)),
        1 => format!("-{}", rng.below(100_000)),
        2 => format!("{}.{:03}", rng.below(100), rng.below(1000)),
        3 => format!("{}.{}e{}", 1 + rng.below(9), rng.below(100), rng.below(20)),
        _ => format!("{}", rng.next() >> 20),
    }
}

/// A tool call's input of about `target` bytes: a path, a long `content` string, then
/// `edits`, an array of small objects (strings with escapes, numbers, booleans, null, nested
/// arrays and objects), and a nested `options` object.
fn tool_input(seed: u64, target: usize) -> String {
    let mut rng = Rng(seed);
    let mut doc = String::from("{\"path\": \"src/generated/report.md\", \"content\": \"");
    doc.push_str(&json_text(&mut rng, target / 24));
    doc.push_str("\", \"mode\": 420, \"edits\": [");
    let mut first = true;
    while doc.len() < target - 200 {
        if !first {
            doc.push_str(", ");
        }
        first = false;
        let words = 3 + rng.below(12);
        let _ = write!(
            doc,
            "{{\"line\": {}, \"old\": \"{}\", \"new\": \"{}\", \"weight\": {}, \"apply\": {}, \
             \"note\": {}, \"span\": [{}, {}], \"meta\": {{\"tags\": [\"{}\", \"{}\"], \"score\": {}}}}}",
            rng.below(5000),
            json_text(&mut rng, words),
            json_text(&mut rng, words),
            json_number(&mut rng),
            rng.below(2) == 0,
            if rng.below(3) == 0 { "null" } else { "\"checked\"" },
            rng.below(80),
            80 + rng.below(80),
            rng.pick(&WORDS),
            rng.pick(&WORDS),
            json_number(&mut rng),
        );
    }
    doc.push_str(
        "], \"options\": {\"overwrite\": true, \"encoding\": \"utf-8\", \"backup\": null, \
         \"limits\": {\"lines\": 10000, \"ratio\": 0.75}}}",
    );
    doc
}

/// `text` cut into `pieces` fragments of near-equal length, at character boundaries.
fn cut(text: &str, pieces: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(pieces);
    let mut start = 0;
    for i in 1..=pieces {
        let mut end = text.len() * i / pieces;
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if end > start {
            out.push(&text[start..end]);
            start = end;
        }
    }
    out
}

fn sse_event(out: &mut String, name: &str, data: &str) {
    let _ = write!(out, "event: {name}\ndata: {data}\n\n");
}

/// A text reply as the Messages API streams it: 512 events, 506 of them text deltas.
fn anthropic_text_stream() -> Bytes {
    let mut rng = Rng(0x5EED_0001);
    let mut out = String::new();
    sse_event(
        &mut out,
        "message_start",
        r#"{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}"#,
    );
    sse_event(
        &mut out,
        "content_block_start",
        r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
    );
    sse_event(&mut out, "ping", r#"{"type": "ping"}"#);
    for _ in 0..506 {
        let words = 1 + rng.below(6);
        let text = json_text(&mut rng, words);
        sse_event(
            &mut out,
            "content_block_delta",
            &format!(
                r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":" {text}"}}}}"#
            ),
        );
    }
    sse_event(
        &mut out,
        "content_block_stop",
        r#"{"type":"content_block_stop","index":0}"#,
    );
    sse_event(
        &mut out,
        "message_delta",
        r#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1843}}"#,
    );
    sse_event(&mut out, "message_stop", r#"{"type":"message_stop"}"#);
    Bytes::from(out)
}

/// One event whose `data` line holds 1 KiB of JSON (a tool input delta).
fn long_line_event() -> Bytes {
    let mut rng = Rng(0x5EED_0002);
    let mut text = String::new();
    while text.len() < 1024 - 110 {
        text.push_str(rng.pick(&WORDS));
        text.push(' ');
    }
    let data = format!(
        r#"{{"type":"content_block_delta","index":1,"delta":{{"type":"input_json_delta","partial_json":"{}"}}}}"#,
        text.replace('"', "\\\"")
    );
    // Padded to 1 KiB exactly with spaces (JSON whitespace after the object).
    let data = data.clone() + &" ".repeat(1024 - data.len());
    assert_eq!(data.len(), 1024);
    let mut out = String::new();
    sse_event(&mut out, "content_block_delta", &data);
    Bytes::from(out)
}

/// sseer's own bench streams (`bench_data/*.bin` in its crate), found through `cargo metadata`.
fn sseer_bench_streams() -> Vec<(String, Bytes)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let manifest = output.ok().and_then(|out| {
        let metadata: Value = serde_json::from_slice(&out.stdout).ok()?;
        metadata["packages"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == "sseer")?["manifest_path"]
            .as_str()
            .map(std::path::PathBuf::from)
    });
    let Some(dir) = manifest.as_deref().and_then(std::path::Path::parent) else {
        eprintln!(
            "sseer's crate not found through `cargo metadata`: its bench streams are skipped"
        );
        return Vec::new();
    };
    ["ai_stream", "mixed"]
        .into_iter()
        .filter_map(|name| {
            let path = dir.join("bench_data").join(format!("{name}.bin"));
            match std::fs::read(&path) {
                Ok(bytes) => Some((format!("sseer {name}.bin"), Bytes::from(bytes))),
                Err(err) => {
                    eprintln!("{}: {err} (skipped)", path.display());
                    None
                }
            }
        })
        .collect()
}

/// `data` in chunks of `size` bytes (the last one shorter), as `Bytes` sharing `data`.
fn chunks(data: &Bytes, size: usize) -> Vec<Bytes> {
    (0..data.len())
        .step_by(size)
        .map(|at| data.slice(at..(at + size).min(data.len())))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The SSE decoders, each over the same chunks.

/// Polls `stream` to its end (every source here is ready at once, so no waker is needed).
fn drain<S: Stream>(stream: S, mut each: impl FnMut(S::Item)) {
    let mut stream = pin!(stream);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(item)) => each(item),
            Poll::Ready(None) => return,
            Poll::Pending => unreachable!("an in-memory source is always ready"),
        }
    }
}

fn source(chunks: &[Bytes]) -> impl Stream<Item = Result<Bytes, Infallible>> + '_ {
    futures_util::stream::iter(chunks.iter().cloned().map(Ok))
}

/// What a caller does with an event: dispatch on its type, read its data.
#[inline]
fn read_event(event: &str, data: &str) -> usize {
    let known = usize::from(event == "content_block_delta");
    known + data.len() + data.as_bytes().last().map_or(0, |&b| b as usize)
}

#[inline(never)]
fn sse_ours(chunks: &[Bytes]) -> usize {
    let mut seen = 0;
    drain(SseStream::new(source(chunks)), |event| {
        let event = event.unwrap();
        seen += read_event(event.event(), event.data());
    });
    seen
}

#[inline(never)]
fn sse_sseer(chunks: &[Bytes]) -> usize {
    let mut seen = 0;
    drain(sseer::EventStream::new(source(chunks)), |event| {
        let event = event.unwrap();
        seen += read_event(&event.event, &event.data);
    });
    seen
}

#[inline(never)]
fn sse_eventsource_stream(chunks: &[Bytes]) -> usize {
    let mut seen = 0;
    drain(
        eventsource_stream::EventStream::new(source(chunks)),
        |event| {
            let event = event.unwrap();
            seen += read_event(&event.event, &event.data);
        },
    );
    seen
}

/// Every event as (type, data, id), for the agreement check.
type Events = Vec<(String, String, String)>;

fn sse_events(chunks: &[Bytes]) -> [(&'static str, Events); 3] {
    let mut ours = Vec::new();
    drain(SseStream::new(source(chunks)), |e| {
        let e = e.unwrap();
        ours.push((
            e.event().to_owned(),
            e.data().to_owned(),
            e.id().unwrap_or("").to_owned(),
        ));
    });
    let mut sseer = Vec::new();
    drain(sseer::EventStream::new(source(chunks)), |e| {
        let e = e.unwrap();
        sseer.push((e.event.to_string(), e.data.to_string(), e.id.to_string()));
    });
    let mut es = Vec::new();
    drain(eventsource_stream::EventStream::new(source(chunks)), |e| {
        let e = e.unwrap();
        es.push((e.event, e.data, e.id));
    });
    [
        ("chat-anthropic", ours),
        ("sseer", sseer),
        ("eventsource-stream", es),
    ]
}

// ---------------------------------------------------------------------------------------------
// The partial JSON parsers, each over the same fragments.

#[inline(never)]
fn json_values(pieces: &[&str]) -> usize {
    let mut parser = PartialJsonParser::new();
    let mut seen = 0;
    for piece in pieces {
        parser.push(piece);
        seen += parser.value().as_object().map_or(0, serde_json::Map::len);
    }
    seen + usize::from(parser.finish().unwrap().is_object())
}

#[inline(never)]
fn json_events(pieces: &[&str]) -> usize {
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    let mut seen = 0;
    for piece in pieces {
        parser.push_with_events(piece, &mut events);
        for event in events.drain(..) {
            seen += event.pointer.len()
                + match &event.kind {
                    PathEventKind::StringDelta(text) => text.len(),
                    // A completion nobody reads costs nothing more: reading one forces it.
                    PathEventKind::Complete(_) => 1,
                    _ => 0,
                };
        }
    }
    seen + usize::from(parser.finish().unwrap().is_object())
}

fn jsonmodem_event_size(event: &jsonmodem::ParseEvent) -> usize {
    use jsonmodem::ParseEvent as E;
    match event {
        E::String { path, fragment, .. } => path.len() + fragment.len(),
        E::Number { path, value } => path.len() + usize::from(*value > 0.0),
        E::Boolean { path, value } => path.len() + usize::from(*value),
        E::Null { path }
        | E::ArrayStart { path }
        | E::ObjectBegin { path }
        | E::ArrayEnd { path, .. }
        | E::ObjectEnd { path, .. } => path.len() + 1,
    }
}

#[inline(never)]
fn json_jsonmodem(pieces: &[&str]) -> usize {
    let mut parser = jsonmodem::StreamingParser::new(jsonmodem::ParserOptions::default());
    let mut seen = 0;
    for piece in pieces {
        parser.feed(piece);
        for event in &mut parser {
            seen += jsonmodem_event_size(&event.unwrap());
        }
    }
    for event in parser.finish() {
        seen += jsonmodem_event_size(&event.unwrap());
    }
    seen
}

/// jiter as its users get a partial value: the whole text so far, re-parsed at every fragment.
#[inline(never)]
fn json_jiter(doc: &str, pieces: &[&str]) -> usize {
    let mut scratch = jiter::JsonValueScratch::new();
    let mut seen = 0;
    let mut end = 0;
    for piece in pieces {
        end += piece.len();
        let prefix = &doc.as_bytes()[..end];
        // A prefix ending inside a number or a literal is not a value yet: the caller keeps
        // the previous one.
        if let Ok(jiter::JsonValue::Object(members)) =
            scratch.parse(prefix, false, jiter::PartialMode::TrailingStrings)
        {
            seen += members.len();
        }
    }
    seen
}

#[inline(never)]
fn json_serde(doc: &str) -> usize {
    serde_json::from_str::<Value>(doc)
        .unwrap()
        .as_object()
        .map_or(0, serde_json::Map::len)
}

/// Numbers as f64, so values read by parsers that keep integers and ones that do not compare.
fn normalized(value: Value) -> Value {
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(normalized).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalized(v))).collect())
        }
        other => other,
    }
}

fn from_jiter(value: &jiter::JsonValue) -> Value {
    use jiter::JsonValue as J;
    match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Int(i) => serde_json::json!(*i as f64),
        J::Float(f) => serde_json::json!(*f),
        J::Str(s) => Value::String(s.to_string()),
        J::Array(items) => Value::Array(items.iter().map(from_jiter).collect()),
        J::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.to_string(), from_jiter(v)))
                .collect(),
        ),
    }
}

/// The value jsonmodem's events describe, rebuilt by following each event's path.
fn from_jsonmodem(pieces: &[&str]) -> Value {
    use jsonmodem::{ParseEvent as E, PathComponent as P};
    fn slot<'a>(root: &'a mut Value, path: &[P]) -> &'a mut Value {
        path.iter().fold(root, |node, step| match (node, step) {
            (Value::Object(map), P::Key(key)) => map.entry(key.clone()).or_insert(Value::Null),
            (Value::Array(items), P::Index(i)) => {
                if *i == items.len() {
                    items.push(Value::Null);
                }
                &mut items[*i]
            }
            (node, step) => panic!("jsonmodem path step {step:?} into {node:?}"),
        })
    }
    let mut root = Value::Null;
    let mut parser = jsonmodem::StreamingParser::new(jsonmodem::ParserOptions::default());
    let mut events = Vec::new();
    for piece in pieces {
        parser.feed(piece);
        events.extend((&mut parser).map(Result::unwrap));
    }
    events.extend(parser.finish().map(Result::unwrap));
    for event in events {
        match event {
            E::ObjectBegin { path } => *slot(&mut root, &path) = Value::Object(Default::default()),
            E::ArrayStart { path } => *slot(&mut root, &path) = Value::Array(Vec::new()),
            E::Null { path } => *slot(&mut root, &path) = Value::Null,
            E::Boolean { path, value } => *slot(&mut root, &path) = Value::Bool(value),
            E::Number { path, value } => *slot(&mut root, &path) = serde_json::json!(value),
            E::String { path, fragment, .. } => match slot(&mut root, &path) {
                Value::String(text) => text.push_str(&fragment),
                other => *other = Value::String(fragment),
            },
            E::ArrayEnd { .. } | E::ObjectEnd { .. } => {}
        }
    }
    root
}

fn check_json(doc: &str, pieces: &[&str], with_jiter: bool) {
    let expected: Value = serde_json::from_str(doc).unwrap();
    let mut values = PartialJsonParser::new();
    for piece in pieces {
        values.push(piece);
        black_box(values.value());
    }
    assert_eq!(values.finish().unwrap(), expected, "push + value()");
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    for piece in pieces {
        parser.push_with_events(piece, &mut events);
    }
    let root = events.iter().rev().find(|e| e.pointer.is_empty()).unwrap();
    let PathEventKind::Complete(root) = &root.kind else {
        panic!("the root's last event is its completion");
    };
    assert_eq!(root.clone().into_value(), expected, "push_with_events");
    assert_eq!(
        parser.finish().unwrap(),
        expected,
        "push_with_events, finish"
    );
    let expected = normalized(expected);
    assert_eq!(from_jsonmodem(pieces), expected, "jsonmodem");
    if with_jiter {
        let last = jiter::JsonValue::parse_with_config(
            doc.as_bytes(),
            false,
            jiter::PartialMode::TrailingStrings,
        )
        .unwrap();
        assert_eq!(normalized(from_jiter(&last)), expected, "jiter");
    }
}

// ---------------------------------------------------------------------------------------------
// The harness.

/// One library's run on one row.
struct Entry<'a> {
    name: &'static str,
    /// A peer (the floor and this crate's entries are not).
    peer: bool,
    run: Box<dyn Fn() -> usize + 'a>,
}

/// The CPU time this thread has used: time the scheduler gave to other processes on a shared
/// machine is not counted, as wall-clock time would count it.
fn thread_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// How many runs make a batch of about `target` (one, for a run longer than that).
fn batch_size(run: &dyn Fn() -> usize, target: Duration) -> usize {
    let start = thread_cpu_time();
    let mut runs = 0;
    while thread_cpu_time() - start < target / 4 {
        black_box(run());
        runs += 1;
    }
    let per_run = (thread_cpu_time() - start) / runs;
    (target.as_nanos() / per_run.as_nanos().max(1)).max(1) as usize
}

/// The least time per run over `batches` batches of `runs` runs: the batch least disturbed
/// (by interrupts, by another process evicting the caches).
fn seconds_per_run(run: &dyn Fn() -> usize, runs: usize, batches: usize) -> f64 {
    (0..batches)
        .map(|_| {
            let start = thread_cpu_time();
            for _ in 0..runs {
                black_box(run());
            }
            (thread_cpu_time() - start).as_secs_f64() / runs as f64
        })
        .fold(f64::MAX, f64::min)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Measures every entry of a row, round by round, and prints its lines of the table:
/// time per run, throughput, allocations per run, and for each of this crate's entries the
/// paired median of (peer's time / ours) against every peer.
fn measure(row: &str, bytes: usize, entries: &[Entry], rounds: usize) {
    if std::env::var("PEERS_FILTER").is_ok_and(|only| !row.contains(&only)) {
        return;
    }
    if let Ok(only) = std::env::var("PEERS_ONCE") {
        // For callgrind: each entry's runs, untimed, on the rows whose name contains `only`.
        if row.contains(&only) {
            let runs = std::env::var("PEERS_ONCE_RUNS").map_or(100, |n| n.parse().unwrap());
            let library = std::env::var("PEERS_ONCE_LIBRARY").ok();
            for entry in entries {
                if library.as_deref().is_some_and(|name| name != entry.name) {
                    continue;
                }
                for _ in 0..runs {
                    black_box((entry.run)());
                }
            }
        }
        return;
    }
    for entry in entries {
        black_box((entry.run)()); // warm: first-use allocations are not per run
    }
    let allocations: Vec<usize> = entries
        .iter()
        .map(|e| counting_alloc::count(|| (e.run)()))
        .collect();
    let target = Duration::from_millis(2);
    let runs: Vec<usize> = entries
        .iter()
        .map(|e| batch_size(e.run.as_ref(), target))
        .collect();
    let mut times = vec![Vec::with_capacity(rounds); entries.len()];
    for round in 0..rounds {
        for k in 0..entries.len() {
            let i = (k + round) % entries.len();
            times[i].push(seconds_per_run(entries[i].run.as_ref(), runs[i], 3));
        }
    }
    let ratio = |peer: usize, ours: usize| {
        let mut ratios: Vec<f64> = (0..rounds)
            .map(|r| times[peer][r] / times[ours][r])
            .collect();
        median(&mut ratios)
    };
    let mib = bytes as f64 / (1024.0 * 1024.0);
    for (i, entry) in entries.iter().enumerate() {
        let time = median(&mut times[i].clone());
        let mut line = format!(
            "| {row} | {} | {:.1} | {:.0} | {} |",
            entry.name,
            time * 1e6,
            mib / time,
            allocations[i]
        );
        if entry.peer || entry.name == "serde_json (whole, once)" {
            line.push_str(" |");
        } else {
            let against: Vec<String> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.peer)
                .map(|(p, e)| format!("{:.2}x {}", ratio(p, i), e.name))
                .collect();
            let _ = write!(line, " {} |", against.join(", "));
        }
        println!("{line}");
    }
    // The path-event entry against push + value() on the same row.
    if let (Some(values), Some(events)) = (
        entries.iter().position(|e| e.name == "push + value()"),
        entries.iter().position(|e| e.name == "push_with_events"),
    ) {
        println!(
            "|   | push_with_events / push + value(): time {:.2}x, allocations {:.2}x | | | | |",
            ratio(events, values),
            allocations[events] as f64 / allocations[values].max(1) as f64
        );
    }
}

fn sse_rows(rounds: usize) {
    let text = anthropic_text_stream();
    let long = long_line_event();
    let mut rows: Vec<(String, Vec<Bytes>)> = vec![
        ("text, 512 events, 128 B chunks".into(), chunks(&text, 128)),
        ("text, 512 events, one chunk".into(), vec![text.clone()]),
        ("1 KiB data line, one chunk".into(), vec![long.clone()]),
        ("1 KiB data line, 128 B chunks".into(), chunks(&long, 128)),
    ];
    for (name, bytes) in sseer_bench_streams() {
        // As sseer's own bench cuts them.
        rows.push((format!("{name}, 128 B chunks"), chunks(&bytes, 128)));
    }
    for (row, chunks) in &rows {
        let bytes: usize = chunks.iter().map(Bytes::len).sum();
        let [(_, ours), rest @ ..] = sse_events(chunks);
        eprintln!(
            "checking {row} ({bytes} bytes, {} chunks, {} events)",
            chunks.len(),
            ours.len()
        );
        assert!(!ours.is_empty(), "{row}: no events");
        for (peer, events) in rest {
            assert_eq!(events, ours, "{row}: {peer} disagrees");
        }
    }
    println!(
        "\nSSE ({rounds} rounds): µs per run, MiB/s, allocations per run, and this crate's \
         paired median speed-up over each peer (peer's time / ours)\n"
    );
    println!("| row | library | µs/run | MiB/s | allocations | × peer |");
    println!("|---|---|---:|---:|---:|---|");
    for (row, chunks) in &rows {
        let bytes = chunks.iter().map(Bytes::len).sum();
        let entries = [
            Entry {
                name: "SseStream",
                peer: false,
                run: Box::new(|| sse_ours(chunks)),
            },
            Entry {
                name: "sseer",
                peer: true,
                run: Box::new(|| sse_sseer(chunks)),
            },
            Entry {
                name: "eventsource-stream",
                peer: true,
                run: Box::new(|| sse_eventsource_stream(chunks)),
            },
        ];
        measure(row, bytes, &entries, rounds);
    }
}

fn json_rows(rounds: usize) {
    let small = tool_input(0x5EED_0003, 16 * 1024);
    let large = tool_input(0x5EED_0004, 1024 * 1024);
    let quadratic = std::env::var_os("PEERS_QUADRATIC").is_some();
    let rows: Vec<(String, &str, Vec<&str>, bool)> = [100, 1_000, 5_000]
        .into_iter()
        .map(|n| (format!("16 KiB, {n} pieces"), &*small, cut(&small, n), true))
        .chain([(
            "1 MiB, 10,000 pieces".to_owned(),
            &*large,
            cut(&large, 10_000),
            quadratic,
        )])
        .collect();
    for (row, doc, pieces, with_jiter) in &rows {
        eprintln!("checking {row} ({} bytes)", doc.len());
        check_json(doc, pieces, *with_jiter);
    }
    println!(
        "\nPartial JSON ({rounds} rounds): µs per run, MiB/s, allocations per run, and the \
         paired median speed-up of this crate's entries over each peer\n"
    );
    println!("| row | library | µs/run | MiB/s | allocations | × peer |");
    println!("|---|---|---:|---:|---:|---|");
    for (row, doc, pieces, with_jiter) in &rows {
        let mut entries = vec![
            Entry {
                name: "push + value()",
                peer: false,
                run: Box::new(|| json_values(pieces)),
            },
            Entry {
                name: "push_with_events",
                peer: false,
                run: Box::new(|| json_events(pieces)),
            },
            Entry {
                name: "jsonmodem",
                peer: true,
                run: Box::new(|| json_jsonmodem(pieces)),
            },
        ];
        if *with_jiter {
            entries.push(Entry {
                name: "jiter (prefix re-parsed)",
                peer: true,
                run: Box::new(|| json_jiter(doc, pieces)),
            });
        }
        entries.push(Entry {
            name: "serde_json (whole, once)",
            peer: false,
            run: Box::new(|| json_serde(doc)),
        });
        measure(row, doc.len(), &entries, rounds);
        if !with_jiter {
            println!("| {row} | jiter (prefix re-parsed) | not run: ~5 GB re-parsed per run (PEERS_QUADRATIC=1 runs it) | | | |");
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument, if any, is ignored.
    let rounds = std::env::var("PEERS_ROUNDS").map_or(15, |r| r.parse().expect("PEERS_ROUNDS=<n>"));
    let rows = std::env::var("PEERS_ROWS").unwrap_or_default();
    if rows.is_empty() || rows.contains("sse") {
        sse_rows(rounds);
    }
    if rows.is_empty() || rows.contains("json") {
        json_rows(rounds);
    }
}
