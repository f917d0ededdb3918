//! RFC 6901 JSON pointers: the shared, cheap-to-clone [`JsonPointer`], and the builder that
//! keeps the pointer of the parser's current slot up to date one segment at a time.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sse::{TextPart, TextWriter};

/// Where a value sits in a JSON document, as an RFC 6901 pointer (`""` is the root,
/// `/content`, `/files/0/path`; `~` and `/` in keys are written `~0` and `~1`).
///
/// Shared: cloning one is a reference-count increment, so every event about the same place
/// carries the same text, whatever its depth or the length of its keys. Reads as a `str`.
/// The parser writes its pointers one after another into chunks of text they share, so a
/// pointer costs a copy of its text, not an allocation of its own. 16 bytes.
///
/// ```
/// use chat_anthropic::partial_json::JsonPointer;
/// let pointer = JsonPointer::from("/files/0/path");
/// assert_eq!(pointer, "/files/0/path");
/// assert!(pointer.starts_with("/files"));
/// let value = serde_json::json!({"files": [{"path": "a.txt"}]});
/// assert_eq!(value.pointer(&pointer).unwrap(), "a.txt");
/// assert_eq!(serde_json::to_string(&pointer).unwrap(), r#""/files/0/path""#);
/// ```
#[derive(Clone, Default)]
pub struct JsonPointer(TextPart);

impl JsonPointer {
    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for JsonPointer {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for JsonPointer {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for JsonPointer {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for JsonPointer {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for JsonPointer {}

impl PartialOrd for JsonPointer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for JsonPointer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for JsonPointer {
    /// As its text hashes (so that a map keyed by pointers is read with a `&str`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for JsonPointer {
    fn from(text: &str) -> Self {
        Self(TextPart::from(text))
    }
}

impl From<String> for JsonPointer {
    fn from(text: String) -> Self {
        Self::from(text.as_str())
    }
}

impl From<JsonPointer> for String {
    fn from(pointer: JsonPointer) -> Self {
        pointer.as_str().to_owned()
    }
}

impl PartialEq<str> for JsonPointer {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for JsonPointer {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for JsonPointer {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<JsonPointer> for str {
    fn eq(&self, other: &JsonPointer) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<JsonPointer> for &str {
    fn eq(&self, other: &JsonPointer) -> bool {
        *self == other.as_str()
    }
}

impl Serialize for JsonPointer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JsonPointer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// The pointer of the parser's current slot, kept as text that grows and shrinks by one
/// escaped segment as the parser enters and leaves values, plus a shared copy made at most
/// once per slot: events about one place cost a reference-count increment each, not a walk
/// of the path.
#[derive(Debug, Clone, Default)]
pub(super) struct PointerBuf {
    text: String,
    shared: Option<JsonPointer>,
}

impl PointerBuf {
    /// Enters the member `key`; returns the length to [`truncate`](Self::truncate) back to.
    pub(super) fn push_key(&mut self, key: &str) -> usize {
        let before = self.enter();
        if !key.contains(['~', '/']) {
            self.text.push_str(key);
            return before;
        }
        for c in key.chars() {
            match c {
                '~' => self.text.push_str("~0"),
                '/' => self.text.push_str("~1"),
                c => self.text.push(c),
            }
        }
        before
    }

    /// Enters the array item at `index`; returns the length to truncate back to.
    pub(super) fn push_index(&mut self, index: usize) -> usize {
        use std::fmt::Write;
        let before = self.enter();
        let _ = write!(self.text, "{index}");
        before
    }

    fn enter(&mut self) -> usize {
        self.shared = None;
        let before = self.text.len();
        self.text.push('/');
        before
    }

    /// Leaves the innermost segment (back to what `push_*` returned).
    pub(super) fn truncate(&mut self, len: usize) {
        self.shared = None;
        self.text.truncate(len);
    }

    /// The current pointer, shared: made once per slot, its text written by `texts`.
    pub(super) fn shared(&mut self, texts: &mut TextWriter) -> JsonPointer {
        self.shared
            .get_or_insert_with(|| JsonPointer(texts.write(&self.text)))
            .clone()
    }

    /// The key of the member the pointer ends at, unescaped (`~1` is `/`, `~0` is `~`).
    pub(super) fn last_key(&self) -> String {
        let segment = self.text.rsplit_once('/').map_or("", |(_, last)| last);
        if !segment.contains('~') {
            return segment.to_owned();
        }
        let mut key = String::with_capacity(segment.len());
        let mut chars = segment.chars();
        while let Some(c) = chars.next() {
            match (c, chars.clone().next()) {
                ('~', Some('1')) => {
                    key.push('/');
                    chars.next();
                }
                ('~', Some('0')) => {
                    key.push('~');
                    chars.next();
                }
                (c, _) => key.push(c),
            }
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_escaped_and_undone_one_at_a_time() {
        let (mut buf, texts) = (PointerBuf::default(), &mut TextWriter::default());
        assert_eq!(buf.shared(texts), "");
        let a = buf.push_key("a/b");
        let three = buf.push_index(3);
        buf.push_key("~x");
        assert_eq!(buf.shared(texts), "/a~1b/3/~0x");
        buf.truncate(three);
        assert_eq!(buf.shared(texts), "/a~1b");
        buf.truncate(a);
        assert_eq!(buf.shared(texts), "");
    }

    #[test]
    fn a_member_key_is_read_back_from_the_pointer() {
        for key in ["a", "", "a/b", "~", "~/~1", "~01", "caf\u{e9} \u{1f389}"] {
            let mut buf = PointerBuf::default();
            buf.push_key("items");
            buf.push_index(3);
            buf.push_key(key);
            assert_eq!(buf.last_key(), key);
        }
    }

    #[test]
    fn one_shared_copy_per_slot() {
        let (mut buf, texts) = (PointerBuf::default(), &mut TextWriter::default());
        buf.push_key("content");
        let first = buf.shared(texts);
        let again = buf.shared(texts);
        assert_eq!(first.as_ptr(), again.as_ptr(), "the same text");
        let before = buf.push_index(0);
        buf.truncate(before);
        let after = buf.shared(texts);
        assert_ne!(first.as_ptr(), after.as_ptr());
        assert_eq!((first.as_str(), after.as_str()), ("/content", "/content"));
    }

    #[test]
    fn a_pointer_reads_hashes_and_orders_as_its_text() {
        use std::collections::HashMap;
        let (mut buf, texts) = (PointerBuf::default(), &mut TextWriter::default());
        buf.push_key("b");
        let made = buf.shared(texts);
        let from_text = JsonPointer::from("/b");
        assert_eq!(made, from_text);
        assert_eq!(JsonPointer::from(String::new()), JsonPointer::default());
        assert_eq!(JsonPointer::default(), "");
        // A pointer's hash and order are its text, which never changes once made.
        #[allow(clippy::mutable_key_type)]
        let map: HashMap<JsonPointer, u8> = [(made, 1), (JsonPointer::from("/a"), 2)].into();
        assert_eq!(map.get("/b"), Some(&1));
        #[allow(clippy::cmp_owned)]
        let ordered = JsonPointer::from("/a") < from_text && JsonPointer::default() < from_text;
        assert!(ordered);
        assert_eq!(String::from(from_text), "/b");
        assert_eq!(std::mem::size_of::<JsonPointer>(), 16);
    }
}
