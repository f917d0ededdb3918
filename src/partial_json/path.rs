//! Where a value sits in the tree, as path segments and as RFC 6901 JSON pointers.

use std::sync::Arc;

use serde_json::Value;

/// One step from a container to a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(Arc<str>),
    Index(usize),
}

/// A change to one place of the arguments, emitted while they stream.
///
/// ```
/// use chat_anthropic::partial_json::{PartialJsonParser, PathEventKind};
/// let mut parser = PartialJsonParser::new();
/// let mut events = Vec::new();
/// parser.push_with_events(r#"{"path": "a.txt", "content": "Hel"#, &mut events);
/// assert_eq!(&*events[0].pointer, "/path");
/// assert!(matches!(&events[1].kind, PathEventKind::Complete(v) if v == "a.txt"));
/// assert!(matches!(events.last().unwrap().kind, PathEventKind::StringDelta(ref d) if d == "Hel"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PathEvent {
    /// The place, as a JSON pointer (`""` is the root, `/content`, `/tags/0`).
    pub pointer: Arc<str>,
    /// What happened there.
    pub kind: PathEventKind,
}

/// What happened at a [`PathEvent`]'s pointer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PathEventKind {
    /// Text appended to the string at the pointer (decoded; at most one per string per
    /// fragment).
    StringDelta(String),
    /// The value at the pointer is complete; the root's comes last.
    Complete(Value),
}

/// The JSON pointer of `path`.
pub(crate) fn pointer(path: &[Segment]) -> Arc<str> {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(key) => {
                for c in key.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            Segment::Index(index) => out.push_str(&index.to_string()),
        }
    }
    Arc::from(out)
}

/// The node at `path` below `root`. Paths are only ever built from nodes the parser
/// inserted, so the walk cannot miss.
pub(crate) fn node_mut<'a>(root: &'a mut Value, path: &[Segment]) -> &'a mut Value {
    path.iter()
        .fold(root, |node, segment| match (node, segment) {
            (Value::Object(map), Segment::Key(key)) => map
                .get_mut(&**key)
                .expect("the parser inserted this member"),
            (Value::Array(items), Segment::Index(index)) => items
                .get_mut(*index)
                .expect("the parser pushed this element"),
            _ => unreachable!("a path segment always matches its container"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let path = [
            Segment::Key("a/b".into()),
            Segment::Index(3),
            Segment::Key("~x".into()),
        ];
        assert_eq!(&*pointer(&path), "/a~1b/3/~0x");
        assert_eq!(&*pointer(&[]), "");
    }
}
