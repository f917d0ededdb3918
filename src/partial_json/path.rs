//! Where the parser stands in the tree, and the path events it reports.

use serde_json::Value;

use super::pointer::JsonPointer;
use super::SharedValue;
use crate::sse::SharedStr;

/// One step from an open container to the slot being filled, and where its pointer segment
/// starts in the parser's pointer text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) slot: Slot,
    pub(crate) pointer_start: usize,
}

/// How to find a slot in its container without hashing or comparing keys: the value being
/// filled is the container's last item or member, except when a key repeats an earlier one
/// (serde_json keeps the first position and the last value), which is found by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Slot {
    Last,
    Key(Box<str>),
}

/// A change to one place of the arguments, emitted while they stream.
///
/// ```
/// use chat_anthropic::partial_json::{PartialJsonParser, PathEventKind};
/// let mut parser = PartialJsonParser::new();
/// let mut events = Vec::new();
/// parser.push_with_events(r#"{"path": "a.txt", "content": "Hel"#, &mut events);
/// assert_eq!(events[0].pointer, "/path");
/// assert!(matches!(&events[1].kind, PathEventKind::Complete(v) if v == "a.txt"));
/// assert!(matches!(events.last().unwrap().kind, PathEventKind::StringDelta(ref d) if d == "Hel"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PathEvent {
    /// The place (`""` is the root, `/content`, `/tags/0`), shared by every event about it.
    pub pointer: JsonPointer,
    /// What happened there.
    pub kind: PathEventKind,
}

/// What happened at a [`PathEvent`]'s pointer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PathEventKind {
    /// Text appended to the string at the pointer (decoded; at most one per string per
    /// fragment). Read from a stream, text without escapes shares the fragment's bytes.
    StringDelta(SharedStr),
    /// The value at the pointer is complete; the root's comes last. Shared: a container's
    /// value is made of its members' shared values and built only when read, and the root's
    /// is the parser's live value.
    Complete(SharedValue),
}

/// The node at `path` below `root`: one step per level, each an O(1) move to the last child
/// (a key is hashed only when it repeats an earlier one). Paths are only ever built from
/// nodes the parser inserted, so the walk cannot miss.
pub(crate) fn node_mut<'a>(root: &'a mut Value, path: &[Segment]) -> &'a mut Value {
    path.iter()
        .fold(root, |node, segment| match (node, &segment.slot) {
            (Value::Object(map), Slot::Last) => map
                .values_mut()
                .next_back()
                .expect("the parser inserted this member"),
            (Value::Object(map), Slot::Key(key)) => map
                .get_mut(&**key)
                .expect("the parser inserted this member"),
            (Value::Array(items), Slot::Last) => {
                items.last_mut().expect("the parser pushed this element")
            }
            _ => unreachable!("a path segment always matches its container"),
        })
}
