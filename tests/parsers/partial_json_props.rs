//! The partial-JSON parser against serde_json: any document split anywhere ends with exactly
//! serde_json's value, and the live value after every fragment is a prefix view of it.

use chat_anthropic::partial_json::{PartialJsonParser, PathEvent, PathEventKind};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        printable(12).prop_map(Value::String),
        any_text().prop_map(Value::String),
    ];
    // Under Miri (~1000x slower) smaller documents, still nested three deep.
    let (depth, nodes) = if cfg!(miri) { (3, 16) } else { (5, 64) };
    leaf.prop_recursive(depth, nodes, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            // Keys of `~`, `/` and the digits of their escapes, or any text.
            prop::collection::vec((prop_oneof![pointer_chars(), printable(6)], inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

// proptest compiles a string strategy's regex for every case, which takes minutes under Miri:
// there the text is drawn char by char instead (the same kinds of chars; the cases are few).

/// Up to `max` chars that are not controls (`\PC`).
fn printable(max: usize) -> BoxedStrategy<String> {
    if cfg!(miri) {
        let printable = any::<char>().prop_filter("not a control", |c| !c.is_control());
        prop::collection::vec(printable, 0..=max)
            .prop_map(String::from_iter)
            .boxed()
    } else {
        proptest::string::string_regex(&format!("\\PC{{0,{max}}}"))
            .unwrap()
            .boxed()
    }
}

/// Any text (`any::<String>()`; up to 15 chars under Miri).
fn any_text() -> BoxedStrategy<String> {
    if cfg!(miri) {
        prop::collection::vec(any::<char>(), 0..16)
            .prop_map(String::from_iter)
            .boxed()
    } else {
        any::<String>().boxed()
    }
}

/// Up to 4 of `a`, `~`, `/`, `0`, `1`: the chars of JSON pointer escapes.
fn pointer_chars() -> BoxedStrategy<String> {
    if cfg!(miri) {
        prop::collection::vec(prop::sample::select(vec!['a', '~', '/', '0', '1']), 0..=4)
            .prop_map(String::from_iter)
            .boxed()
    } else {
        "[a~/01]{0,4}".boxed()
    }
}

/// The document in one of several spellings: compact, pretty, or with every non-ASCII
/// character written as a `\u` escape (surrogate pairs included).
fn spell(value: &Value, style: u8) -> String {
    match style % 3 {
        0 => serde_json::to_string(value).unwrap(),
        1 => serde_json::to_string_pretty(value).unwrap(),
        _ => {
            let mut out = String::new();
            for c in serde_json::to_string(value).unwrap().chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            out
        }
    }
}

/// Cuts `text` at the char boundaries nearest to the given fractions.
fn split<'a>(text: &'a str, cuts: &[usize]) -> Vec<&'a str> {
    let mut offsets: Vec<usize> = cuts
        .iter()
        .map(|&cut| {
            let mut at = cut % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        })
        .collect();
    offsets.sort_unstable();
    offsets.push(text.len());
    let mut pieces = Vec::new();
    let mut start = 0;
    for offset in offsets {
        pieces.push(&text[start..offset]);
        start = offset;
    }
    pieces
}

/// Feeds `piece` reporting path events into `events`, or without any.
fn feed(
    parser: &mut PartialJsonParser,
    piece: &str,
    with_events: bool,
    events: &mut Vec<PathEvent>,
) {
    if with_events {
        parser.push_with_events(piece, events);
    } else {
        parser.push(piece);
    }
}

/// Is `live` what a parser may show part-way through `full`? Everything but the last member
/// of a container is complete; the last may be partial; strings may be cut; scalars are
/// whole or absent.
fn is_prefix_view(live: &Value, full: &Value) -> bool {
    match (live, full) {
        (Value::String(live), Value::String(full)) => full.starts_with(live.as_str()),
        (Value::Array(live), Value::Array(full)) => {
            live.len() <= full.len()
                && live.iter().zip(full).enumerate().all(|(i, (l, f))| {
                    if i + 1 == live.len() {
                        is_prefix_view(l, f)
                    } else {
                        l == f
                    }
                })
        }
        (Value::Object(live), Value::Object(full)) => {
            live.len() <= full.len()
                && live
                    .iter()
                    .zip(full)
                    .enumerate()
                    .all(|(i, ((lk, lv), (fk, fv)))| {
                        lk == fk
                            && if i + 1 == live.len() {
                                is_prefix_view(lv, fv)
                            } else {
                                lv == fv
                            }
                    })
        }
        (live, full) => live == full,
    }
}

/// 512 cases natively; under Miri, which checks the aliasing and not the logic and runs
/// ~1000x slower, 8, without the file of past failures (Miri's isolation has no file system).
fn config() -> ProptestConfig {
    if cfg!(miri) {
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(8)
        }
    } else {
        ProptestConfig::with_cases(512)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_split_of_any_document_gives_serde_jsons_value(
        value in arbitrary_json(),
        style in any::<u8>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let text = spell(&value, style);
        let expected: Value = serde_json::from_str(&text).unwrap();
        let mut parser = PartialJsonParser::new();
        let mut events = Vec::new();
        for piece in split(&text, &cuts) {
            parser.push_with_events(piece, &mut events);
            prop_assert!(parser.error().is_none(), "{:?}", parser.error());
            prop_assert!(
                parser.value().is_null() || is_prefix_view(parser.value(), &expected),
                "live {} is not a prefix of {}", parser.value(), expected
            );
        }
        // The last event is the root's completion, with the whole value.
        match events.last().map(|e| (&*e.pointer, &e.kind)) {
            Some(("", PathEventKind::Complete(root))) => prop_assert_eq!(root, &expected),
            // A bare top-level number only completes at `finish`.
            other => prop_assert!(expected.is_number(), "{other:?}"),
        }
        prop_assert_eq!(parser.finish().unwrap(), expected);
    }

    #[test]
    fn string_deltas_rebuild_every_string(
        value in arbitrary_json(),
        style in any::<u8>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let text = spell(&value, style);
        let mut parser = PartialJsonParser::new();
        let mut events = Vec::new();
        for piece in split(&text, &cuts) {
            parser.push_with_events(piece, &mut events);
        }
        let mut rebuilt = std::collections::HashMap::<String, String>::new();
        for event in &events {
            match &event.kind {
                PathEventKind::StringDelta(delta) => {
                    rebuilt.entry(event.pointer.to_string()).or_default().push_str(delta)
                }
                PathEventKind::Complete(value) => {
                    if let Value::String(full) = &**value {
                        let grown = rebuilt.remove(&*event.pointer).unwrap_or_default();
                        prop_assert_eq!(&grown, full);
                    }
                }
                _ => {}
            }
        }
    }

    /// Every completion carries exactly the value at its pointer, however the pieces are cut,
    /// whether earlier pieces were read with events or without (a container whose members
    /// were not all seen completing is copied instead of assembled), and whether the events
    /// of its members are still held when it completes or were dropped (moved in).
    #[test]
    fn every_completion_is_the_value_at_its_pointer(
        value in arbitrary_json(),
        style in any::<u8>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        with_events in prop::collection::vec(any::<bool>(), 12),
        hold in any::<bool>(),
    ) {
        let text = spell(&value, style);
        let expected: Value = serde_json::from_str(&text).unwrap();
        let mut parser = PartialJsonParser::new();
        let mut held = Vec::new();
        for (i, piece) in split(&text, &cuts).into_iter().enumerate() {
            let mut events = Vec::new();
            feed(&mut parser, piece, with_events[i % with_events.len()], &mut events);
            for event in &events {
                if let PathEventKind::Complete(value) = &event.kind {
                    let at = expected.pointer(&event.pointer);
                    prop_assert_eq!(Some(&**value), at, "at {:?}", &*event.pointer);
                }
            }
            if hold {
                held.push(events);
            }
        }
        prop_assert_eq!(parser.finish().unwrap(), expected);
    }

    /// The live tree is only kept from its first read on; whether and when that read happens
    /// changes nothing else: every event, and the final value, are those of a parser whose
    /// live value is read after every fragment.
    #[test]
    fn reading_the_live_value_or_not_changes_no_event(
        value in arbitrary_json(),
        style in any::<u8>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
        with_events in prop::collection::vec(any::<bool>(), 12),
        first_read in 0usize..16,
    ) {
        let text = spell(&value, style);
        let (mut read_always, mut read_once) = (PartialJsonParser::new(), PartialJsonParser::new());
        let (mut always_events, mut once_events) = (Vec::new(), Vec::new());
        for (i, piece) in split(&text, &cuts).into_iter().enumerate() {
            let _ = read_always.value();
            if i == first_read {
                prop_assert_eq!(read_once.value(), read_always.value());
            }
            let with_events = with_events[i % with_events.len()];
            feed(&mut read_always, piece, with_events, &mut always_events);
            feed(&mut read_once, piece, with_events, &mut once_events);
            prop_assert_eq!(&once_events, &always_events);
        }
        prop_assert_eq!(read_once.value(), read_always.value());
        prop_assert_eq!(read_once.finish().unwrap(), read_always.finish().unwrap());
    }

    #[test]
    fn mangled_text_is_accepted_exactly_when_serde_json_accepts_it(
        value in arbitrary_json(),
        style in any::<u8>(),
        edits in prop::collection::vec((any::<usize>(), prop::sample::select(
            vec!["", "{", "}", "[", "]", ",", ":", "\"", "\\", "1", "-", "e", ".", "t", "nul", " ", "\u{1}", "é"]
        )), 1..4),
        cut_len in any::<usize>(),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut text = spell(&value, style);
        for (at, insert) in edits {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, insert);
        }
        // Sometimes cut the document short, as a stream that ends early does.
        if cut_len % 3 == 0 {
            let mut at = cut_len % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.truncate(at);
        }
        let mut parser = PartialJsonParser::new();
        for piece in split(&text, &cuts) {
            parser.push(piece);
        }
        let ours = parser.finish();
        if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
            prop_assert_eq!(ours.unwrap(), Value::Object(Map::new()));
        } else {
            match serde_json::from_str::<Value>(&text) {
                Ok(expected) => prop_assert_eq!(ours.unwrap(), expected),
                Err(error) => {
                    let invalid = ours.unwrap_err();
                    prop_assert_eq!(invalid.error, error.to_string());
                    prop_assert_eq!(invalid.raw, text);
                }
            }
        }
    }
}
