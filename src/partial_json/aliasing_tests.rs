//! The cases that exercise the kept slot node (`slot_node.rs`) against every other way of
//! touching the live tree: root strings, root arrays, nested strings, and reads, snapshots,
//! clones, `Debug` and path events between fragments. Each checks the parser's values against
//! serde_json; run under Miri (both borrow models, see `.ci/miri`) they check the aliasing too.

use serde_json::{json, Value};

use super::*;

/// What is done to the parser between two fragments.
#[derive(Debug, Clone, Copy)]
enum Between {
    Nothing,
    Read,
    /// A snapshot taken and dropped at once.
    SnapshotDropped,
    /// A snapshot taken and held until the end: the parser must write on a copy.
    SnapshotHeld,
    /// A clone taken, pushed to once (which copies the tree) and dropped.
    CloneWritten,
    Debug,
    /// The fragment goes through `push_with_events`, with a read before it.
    EventsAndRead,
}

const BETWEEN: [Between; 7] = [
    Between::Nothing,
    Between::Read,
    Between::SnapshotDropped,
    Between::SnapshotHeld,
    Between::CloneWritten,
    Between::Debug,
    Between::EventsAndRead,
];

/// Feeds `document` in pieces of `size` bytes (on char boundaries), doing `between` before each
/// piece after the first, and checks the final value and that no held snapshot changed.
fn stream(document: &str, size: usize, between: Between) {
    let expected: Value = serde_json::from_str(document).unwrap();
    let mut parser = PartialJsonParser::new();
    // Reading once first makes the parser keep the live tree, which is what is under test.
    parser.value();
    let mut held = Vec::new();
    let mut events = Vec::new();
    let mut start = 0;
    while start < document.len() {
        let mut end = (start + size).min(document.len());
        while !document.is_char_boundary(end) {
            end += 1;
        }
        let piece = &document[start..end];
        if start > 0 {
            match between {
                Between::Nothing => {}
                Between::Read => {
                    parser.value();
                }
                Between::SnapshotDropped => drop(parser.shared_value()),
                Between::SnapshotHeld => {
                    let snapshot = parser.shared_value();
                    let copy = (*snapshot).clone();
                    held.push((snapshot, copy));
                }
                Between::CloneWritten => {
                    let mut clone = parser.clone();
                    clone.push(piece);
                    assert_eq!(clone.raw(), &document[..end]);
                }
                Between::Debug => {
                    assert!(format!("{parser:?}").contains("PartialJsonParser"));
                }
                Between::EventsAndRead => {
                    parser.value();
                }
            }
        }
        match between {
            Between::EventsAndRead => parser.push_with_events(piece, &mut events),
            _ => parser.push(piece),
        }
        start = end;
    }
    for (snapshot, copy) in &held {
        assert_eq!(**snapshot, *copy, "a held snapshot changed ({between:?})");
    }
    assert_eq!(
        parser.value(),
        &expected,
        "{document} by {size} ({between:?})"
    );
    assert_eq!(parser.finish().unwrap(), expected);
}

const DOCUMENTS: [&str; 5] = [
    r#""a root string, streamed""#,
    r#"["root", "array", "of strings"]"#,
    r#"{"k": "a nested string", "n": {"deeper": ["x", {"y": "still deeper"}]}}"#,
    r#"{"k": "one", "k": "the same key again", "z": "é and \n escapes \u00e9"}"#,
    r#"[[["three arrays deep"]], "then a sibling"]"#,
];

#[test]
fn every_document_streams_exactly_whatever_happens_between_fragments() {
    for document in DOCUMENTS {
        // Under Miri (see .ci/miri) one piece size: every operation still lands mid-string.
        let sizes: &[usize] = if cfg!(miri) { &[3] } else { &[1, 3, 7] };
        for &size in sizes {
            for between in BETWEEN {
                stream(document, size, between);
            }
        }
    }
}

/// The issue's reproductions, step by step with the value read between.
#[test]
fn a_root_string_streamed_in_pieces_reads_as_it_grows() {
    let mut parser = PartialJsonParser::new();
    let mut seen = Vec::new();
    for piece in ["\"a", "b", "c", "\""] {
        parser.push(piece);
        seen.push(parser.value().clone());
    }
    assert_eq!(seen, [json!("a"), json!("ab"), json!("abc"), json!("abc")]);
    assert_eq!(parser.finish().unwrap(), json!("abc"));
}

#[test]
fn a_nested_string_read_between_pieces_reads_as_it_grows() {
    let mut parser = PartialJsonParser::new();
    parser.push(r#"{"k": "a"#);
    assert_eq!(parser.value(), &json!({"k": "a"}));
    parser.push("b");
    assert_eq!(parser.value(), &json!({"k": "ab"}));
    let mut events = Vec::new();
    parser.push_with_events("c", &mut events);
    assert_eq!(parser.value(), &json!({"k": "abc"}));
    parser.push_with_events("\"}", &mut events);
    assert_eq!(parser.value(), &json!({"k": "abc"}));
}
