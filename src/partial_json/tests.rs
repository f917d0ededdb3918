use serde_json::{json, Value};

use super::*;

fn parse_in_pieces(pieces: &[&str]) -> (PartialJsonParser, Vec<PathEvent>) {
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    for piece in pieces {
        parser.push_with_events(piece, &mut events);
    }
    (parser, events)
}

/// The places `places` to cut a text at: all of them natively; under Miri (which checks the
/// aliasing, not the logic, and runs ~1000x slower) the first three, the last three and every
/// fifth between, so that the test takes seconds there, not minutes.
fn cut_places(places: impl Iterator<Item = usize>) -> Vec<usize> {
    let places: Vec<usize> = places.collect();
    let n = places.len();
    places
        .into_iter()
        .enumerate()
        .filter(|&(i, _)| !cfg!(miri) || i < 3 || i + 3 >= n || i % 5 == 0)
        .map(|(_, place)| place)
        .collect()
}

#[test]
fn live_value_shows_open_strings_and_containers_but_not_partial_scalars() {
    let mut parser = PartialJsonParser::new();
    let steps: [(&str, Value); 7] = [
        (r#"{"a": [1"#, json!({"a": []})),
        (r#"0, tr"#, json!({"a": [10]})),
        (r#"ue, {"b": "x"#, json!({"a": [10, true, {"b": "x"}]})),
        (r#"y"}], "n": -"#, json!({"a": [10, true, {"b": "xy"}]})),
        (
            r#"2.5e1, "k"#,
            json!({"a": [10, true, {"b": "xy"}], "n": -25.0}),
        ),
        (
            r#"": nul"#,
            json!({"a": [10, true, {"b": "xy"}], "n": -25.0}),
        ),
        (
            r#"l}"#,
            json!({"a": [10, true, {"b": "xy"}], "n": -25.0, "k": null}),
        ),
    ];
    for (piece, expected) in steps {
        parser.push(piece);
        assert_eq!(parser.value(), &expected, "after {piece:?}");
        assert!(parser.error().is_none());
    }
    assert!(parser.is_complete());
}

#[test]
fn events_report_string_growth_then_completions_innermost_first() {
    let (parser, events) =
        parse_in_pieces(&[r#"{"path": "a.txt", "content": "Hel"#, r#"lo", "n": [1]}"#]);
    let described: Vec<(String, String)> = events
        .iter()
        .map(|event| {
            let what = match &event.kind {
                PathEventKind::StringDelta(text) => format!("+{text}"),
                PathEventKind::Complete(value) => format!("={value}"),
            };
            (event.pointer.to_string(), what)
        })
        .collect();
    let expected = [
        ("/path", "+a.txt"),
        ("/path", "=\"a.txt\""),
        ("/content", "+Hel"),
        ("/content", "+lo"),
        ("/content", "=\"Hello\""),
        ("/n/0", "=1"),
        ("/n", "=[1]"),
        ("", r#"={"path":"a.txt","content":"Hello","n":[1]}"#),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(p, w)| (p.to_string(), w.to_string()))
        .collect();
    assert_eq!(described, expected);
    assert!(parser.is_complete());
}

#[test]
fn top_level_scalars_finish_like_serde_json() {
    for text in ["42", " -0.5 ", "\"hi\"", "true", "null", "[]", "{}"] {
        let mut parser = PartialJsonParser::new();
        parser.push(text);
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parser.finish().unwrap(), expected, "{text}");
    }
}

#[test]
fn empty_input_is_an_empty_object() {
    let mut parser = PartialJsonParser::new();
    parser.push("  ");
    assert_eq!(parser.finish().unwrap(), json!({}));
}

#[test]
fn invalid_documents_keep_raw_text_and_serde_json_error() {
    for text in [
        r#"{"a": 1,}"#,
        r#"{"a" 1}"#,
        "[1 2]",
        "[01]",
        "{\"a\": tru}",
        r#"{"a": "b"} x"#,
        r#"{"a": "\q"}"#,
        "[1,]",
        "{1: 2}",
        "[}",
        r#"{"a": 1"#,
        "-",
    ] {
        let mut parser = PartialJsonParser::new();
        parser.push(text);
        let invalid = parser.finish().unwrap_err();
        assert_eq!(invalid.raw, text);
        let expected = serde_json::from_str::<Value>(text).unwrap_err().to_string();
        assert_eq!(invalid.error, expected, "{text}");
    }
}

#[test]
fn errors_stop_parsing_at_the_offending_byte() {
    let mut parser = PartialJsonParser::new();
    parser.push(r#"{"a": [1, 2}"#);
    let error = parser.error().unwrap();
    assert_eq!(error.offset, 11);
    parser.push(r#", "b": 3}"#);
    assert_eq!(parser.value(), &json!({"a": [1, 2]}));
}

#[test]
fn nesting_limit_matches_serde_json() {
    for depth in [127, 128] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut parser = PartialJsonParser::new();
        parser.push(&text);
        assert_eq!(
            parser.finish().is_ok(),
            serde_json::from_str::<Value>(&text).is_ok(),
            "depth {depth}"
        );
    }
}

#[test]
fn duplicate_keys_keep_the_last_value_like_serde_json() {
    let text = r#"{"a": 1, "b": 2, "a": "x"}"#;
    let (parser, _) = parse_in_pieces(&[text]);
    let expected: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parser.finish().unwrap(), expected);
}

#[test]
fn keys_and_pointers_escape() {
    let (parser, events) = parse_in_pieces(&[r#"{"a/b": {"~": "\u00e9"}}"#]);
    assert!(events.iter().any(|e| &*e.pointer == "/a~1b/~0"));
    assert_eq!(parser.value(), &json!({"a/b": {"~": "é"}}));
}

#[test]
fn a_repeated_key_is_filled_in_its_first_place_like_serde_json() {
    let text = r#"{"a": {"x": 1}, "b": 2, "a": {"y": "first", "z": [true]}}"#;
    let expected: Value = serde_json::from_str(text).unwrap();
    for cut in cut_places(0..=text.len()) {
        let (parser, events) = parse_in_pieces(&[&text[..cut], &text[cut..]]);
        assert_eq!(parser.value(), &expected, "cut at {cut}");
        assert_eq!(
            parser
                .value()
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        let deltas: String = events
            .iter()
            .filter_map(|e| match &e.kind {
                PathEventKind::StringDelta(text) if e.pointer == "/a/y" => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(deltas, "first", "cut at {cut}");
    }
    let mut parser = PartialJsonParser::new();
    parser.push(r#"{"a": {"x": 1}, "b": 2, "a": {"y": "fir"#);
    assert_eq!(parser.value(), &json!({"a": {"y": "fir"}, "b": 2}));
}

#[test]
fn events_about_one_place_share_one_pointer() {
    let (_, events) = parse_in_pieces(&[r#"{"files": [{"content": "a"#, "b", "c\"}]}"]);
    let content: Vec<&PathEvent> = events
        .iter()
        .filter(|e| e.pointer == "/files/0/content")
        .collect();
    assert_eq!(content.len(), 4, "{events:?}");
    for event in &content[1..] {
        assert_eq!(
            event.pointer.as_ptr(),
            content[0].pointer.as_ptr(),
            "rebuilt instead of shared"
        );
    }
}

#[test]
fn a_shared_snapshot_stays_as_it_was_and_costs_nothing_once_dropped() {
    let mut parser = PartialJsonParser::new();
    parser.push(r#"{"a": "x"#);
    let held = parser.shared_value();
    parser.push("y");
    assert_eq!(*held, json!({"a": "x"}), "a held snapshot never changes");
    assert_eq!(parser.value(), &json!({"a": "xy"}));
    drop(held);
    let live = parser.value() as *const Value;
    drop(parser.shared_value());
    parser.push("z");
    assert_eq!(
        parser.value() as *const Value,
        live,
        "copied although nobody held it"
    );
    assert_eq!(parser.finish().unwrap_err().raw, r#"{"a": "xyz"#);
}

#[test]
fn a_completed_container_is_assembled_from_its_members_not_copied() {
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    parser.push_with_events(r#"{"a": {"b": ["some text", "mo"#, &mut events);
    let text_at = |value: &Value| value.as_str().unwrap().as_ptr();
    let first = match &events[1].kind {
        PathEventKind::Complete(value) => text_at(value),
        other => panic!("{other:?}"),
    };
    events.clear();
    // Read once: the parser keeps the live tree from the next fragment on, and the members
    // kept so far stay kept.
    assert_eq!(parser.value(), &json!({"a": {"b": ["some text", "mo"]}}));
    parser.push_with_events(r#"re"]}}"#, &mut events);
    let completions: Vec<(&str, &SharedValue)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            PathEventKind::Complete(value) => Some((&*e.pointer, value)),
            PathEventKind::StringDelta(_) => None,
        })
        .collect();
    let pointers: Vec<&str> = completions.iter().map(|(p, _)| *p).collect();
    assert_eq!(pointers, ["/a/b/1", "/a/b", "/a", ""]);
    // Reading `/a` builds it alone: `/a/b` keeps no copy of its own.
    assert_eq!(completions[2].1["b"], json!(["some text", "more"]));
    assert!(
        std::ptr::eq(&**completions[3].1, parser.value()),
        "the root's completion is the live value"
    );
    assert_eq!(
        *completions[3].1,
        json!({"a": {"b": ["some text", "more"]}})
    );
    // Owned once nothing else holds it, the array is its members moved together.
    let at = events.iter().position(|e| e.pointer == "/a/b").unwrap();
    let PathEventKind::Complete(array) = events.swap_remove(at).kind else {
        panic!("the array's completion")
    };
    drop(events);
    assert_eq!(
        text_at(&array.into_value()[0]),
        first,
        "a member whose event was dropped is moved in"
    );
}

#[test]
fn a_string_delta_without_escapes_shares_the_fragment_read_from_a_stream() {
    let fragment = crate::event::SharedStr::from(r#"{"a": "plain", "b": "esc\naped"#);
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    parser.push_shared_with_events(&fragment, &mut events);
    let deltas: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            PathEventKind::StringDelta(text) => Some(text.as_str()),
            PathEventKind::Complete(_) => None,
        })
        .collect();
    assert_eq!(deltas, ["plain", "esc\naped"]);
    let within = |text: &str| fragment.as_bytes().as_ptr_range().contains(&text.as_ptr());
    assert!(
        within(deltas[0]),
        "a plain delta is a slice of the fragment"
    );
    assert!(
        !within(deltas[1]),
        "an escaped one is decoded into its own text"
    );
}

/// The open string's node is found once and written through afterwards; a snapshot or a clone
/// taken meanwhile shares the tree, so the next write must go to a copy, never to what they
/// hold.
#[test]
fn writes_to_an_open_string_never_reach_snapshots_or_clones() {
    let mut parser = PartialJsonParser::new();
    parser.push(r#"{"a": [{"b": "on"#);
    parser.push("e");
    let snapshot = parser.shared_value();
    let mut clone = parser.clone();
    parser.push(" two");
    assert_eq!(*snapshot, json!({"a": [{"b": "one"}]}));
    assert_eq!(clone.value(), &json!({"a": [{"b": "one"}]}));
    clone.push(" three");
    assert_eq!(clone.value(), &json!({"a": [{"b": "one three"}]}));
    assert_eq!(*snapshot, json!({"a": [{"b": "one"}]}));
    drop((snapshot, clone));
    // Unshared again: the writes go on in the parser's own tree.
    parser.push(" four\"}], \"c\": \"x");
    parser.push("y");
    assert_eq!(
        parser.value(),
        &json!({"a": [{"b": "one two four"}], "c": "xy"})
    );
    let (_, events) = parse_in_pieces(&[r#"{"s": "a"#, "b", "c\"}"]);
    assert!(events.iter().any(
        |e| matches!(&e.kind, PathEventKind::Complete(v) if e.pointer == "/s" && *v == json!("abc"))
    ));
}

#[test]
fn without_a_read_no_tree_is_kept_and_completions_make_the_final_value() {
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    parser.push_with_events(r#"{"a": [1, "tw"#, &mut events);
    parser.push_with_events(r#"o", {"b": null}], "c": true}"#, &mut events);
    assert!(!parser.keeps_tree, "nothing read the live value");
    let text_at = |value: &Value| value.as_str().unwrap().as_ptr();
    let two = events
        .iter()
        .find_map(|e| match &e.kind {
            PathEventKind::Complete(value) if e.pointer == "/a/1" => Some(text_at(value)),
            _ => None,
        })
        .unwrap();
    let last = events.last().unwrap();
    assert!(last.pointer.is_empty() && matches!(last.kind, PathEventKind::Complete(_)));
    drop(events);
    // Nothing else holds them: the final value is the completions moved together.
    let value = parser.finish().unwrap();
    assert_eq!(value, json!({"a": [1, "two", {"b": null}], "c": true}));
    assert_eq!(text_at(&value["a"][1]), two, "moved, not copied");
}

#[test]
fn a_completed_member_nothing_holds_is_settled_when_the_next_one_completes() {
    for hold in [false, true] {
        let mut parser = PartialJsonParser::new();
        let mut held = Vec::new();
        for fragment in [r#"[{"a": "x"}, "#, r#"{"b": [1]}, "#, r#"{"c": 2}"#] {
            let mut events = Vec::new();
            parser.push_with_events(fragment, &mut events);
            if hold {
                held.extend(events);
            }
        }
        let Some(Some(Completed::Array(items))) = parser.completed.last() else {
            panic!("the list's members are kept")
        };
        let settled: Vec<bool> = items.iter().map(|item| !item.holds_members()).collect();
        let expected = if hold {
            [false, false, false]
        } else {
            [true, true, false]
        };
        assert_eq!(settled, expected, "held: {hold}");
        let mut events = Vec::new();
        parser.push_with_events("]", &mut events);
        drop(events);
        let completed: Vec<Value> = held
            .iter()
            .filter_map(|e| match &e.kind {
                PathEventKind::Complete(value) if e.pointer.matches('/').count() == 1 => {
                    Some(Value::clone(value))
                }
                _ => None,
            })
            .collect();
        if hold {
            assert_eq!(
                completed,
                [json!({"a": "x"}), json!({"b": [1]}), json!({"c": 2})]
            );
        }
        assert_eq!(
            parser.finish().unwrap(),
            json!([{"a": "x"}, {"b": [1]}, {"c": 2}])
        );
    }
}

#[test]
fn a_container_begun_without_events_is_read_from_its_text_when_it_completes_with_them() {
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    // Begun with events (a parser begun without them keeps the live tree, and copies from it).
    parser.push_with_events(r#"{"a": "#, &mut events);
    parser.push(r#"{"b": [1, 2"#);
    parser.push_with_events(r#"], "c": "d"}, "e": 3}"#, &mut events);
    assert!(!parser.keeps_tree);
    let completions: Vec<(String, Value)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            PathEventKind::Complete(value) => Some((e.pointer.to_string(), Value::clone(value))),
            _ => None,
        })
        .collect();
    assert_eq!(
        completions,
        [
            ("/a/b/1".to_owned(), json!(2)),
            ("/a/b".to_owned(), json!([1, 2])),
            ("/a/c".to_owned(), json!("d")),
            ("/a".to_owned(), json!({"b": [1, 2], "c": "d"})),
            ("/e".to_owned(), json!(3)),
            ("".to_owned(), json!({"a": {"b": [1, 2], "c": "d"}, "e": 3})),
        ]
    );
    assert_eq!(parser.value()["a"]["b"], json!([1, 2]));
}

#[test]
fn completed_members_keep_their_keys_escaped_or_not_at_every_cut() {
    let text = r#"{"a/b": 1, "c~d": {"e~/": "x", "n": {"k": [2]}}, "f": [{"g": true}], "": "z"}"#;
    let expected: Value = serde_json::from_str(text).unwrap();
    for cut in cut_places(1..text.len()) {
        let (parser, events) = parse_in_pieces(&[&text[..cut], &text[cut..]]);
        let completed = |pointer: &str| {
            events.iter().find_map(|e| match &e.kind {
                PathEventKind::Complete(value) if e.pointer == pointer => Some(Value::clone(value)),
                _ => None,
            })
        };
        assert_eq!(
            completed("/c~0d"),
            expected.get("c~d").cloned(),
            "cut at {cut}"
        );
        assert_eq!(
            completed("/c~0d/n"),
            Some(json!({"k": [2]})),
            "cut at {cut}"
        );
        assert_eq!(completed(""), Some(expected.clone()), "cut at {cut}");
        assert_eq!(parser.finish().unwrap(), expected, "cut at {cut}");
    }
}

#[test]
fn changed_by_last_push_says_whether_the_live_value_changed_at_every_byte() {
    let texts = [
        r#"{"a": 12.5e3, "bb": "x\u00e9y", "c": [true, null, -0, "", {}], "d": {"e": false}}"#,
        r#"[ 1 , "two" , [ ] , { "k" : "v" } ]"#,
        r#""a root \"string\"""#,
        "  -123  ",
    ];
    for text in texts {
        // One parser reads the value at every step (it keeps the tree), the other never does.
        let (mut read, mut unread) = (PartialJsonParser::new(), PartialJsonParser::new());
        let mut before = read.value().clone();
        for (at, ch) in text.char_indices() {
            let piece = &text[at..at + ch.len_utf8()];
            read.push(piece);
            unread.push(piece);
            let after = read.value().clone();
            assert_eq!(
                read.changed_by_last_push(),
                after != before,
                "{text:?} at {at}"
            );
            assert_eq!(
                unread.changed_by_last_push(),
                after != before,
                "{text:?} at {at}"
            );
            before = after;
        }
    }
}
