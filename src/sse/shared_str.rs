//! Text that shares the bytes it arrived in.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::text_part::TextPart;
use crate::sse::Utf8Bytes;

/// An immutable string that, when it came from a stream, points into the bytes of the SSE
/// event it arrived in instead of owning a copy (a delta without escapes costs no
/// allocation); the partial-JSON parser's other deltas are parts of a chunk of texts it
/// shares with them. Cloning is a reference-count increment. Reads as a `str`.
///
/// ```
/// use chat_anthropic::event::SharedStr;
/// let text = SharedStr::from("Bonjour");
/// assert_eq!(text, "Bonjour");
/// assert!(text.starts_with("Bon"));
/// let mut reply = String::new();
/// reply.push_str(&text);
/// assert_eq!(serde_json::to_string(&text).unwrap(), r#""Bonjour""#);
/// ```
#[derive(Clone, Default)]
pub struct SharedStr(Repr);

#[derive(Clone)]
enum Repr {
    /// Bytes of the stream (or a `String`'s, moved in).
    Bytes(Utf8Bytes),
    /// Part of a chunk of texts.
    Part(TextPart),
}

impl Default for Repr {
    fn default() -> Self {
        Self::Bytes(Utf8Bytes::default())
    }
}

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Bytes(bytes) => bytes.as_str(),
            Repr::Part(part) => part.as_str(),
        }
    }

    /// Text already held in shared bytes.
    pub(crate) fn from_bytes(text: Utf8Bytes) -> Self {
        Self(Repr::Bytes(text))
    }

    /// Text that is part of a chunk of texts.
    pub(crate) fn from_part(part: TextPart) -> Self {
        Self(Repr::Part(part))
    }

    /// The part of `bytes` that `part` borrows, or a copy of `part` when it lies elsewhere
    /// (a string serde had to unescape).
    pub(crate) fn within(bytes: Option<&Utf8Bytes>, part: &str) -> Self {
        match bytes.and_then(|bytes| bytes.slice_ref(part)) {
            Some(shared) => Self::from_bytes(shared),
            None => Self::from(part),
        }
    }

    /// The part of this text that `part` borrows, shared without a copy; `None` when `part`
    /// lies elsewhere (or this text is not held in bytes).
    pub(crate) fn slice_ref(&self, part: &str) -> Option<Self> {
        match &self.0 {
            Repr::Bytes(bytes) => bytes.slice_ref(part).map(Self::from_bytes),
            Repr::Part(_) => None,
        }
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedStr {}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        Self::from_bytes(Utf8Bytes::from(text))
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        Self::from(text.to_owned())
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.as_str().to_owned()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn a_shared_str_stays_four_words() {
        assert_eq!(std::mem::size_of::<SharedStr>(), 32);
    }

    #[test]
    fn a_part_of_a_chunk_reads_and_compares_as_its_text() {
        let mut writer = crate::sse::TextWriter::default();
        writer.write("/a/b ");
        let text = SharedStr::from_part(writer.write("caf\u{e9}"));
        assert_eq!(text, "caf\u{e9}");
        assert_eq!(text, SharedStr::from("caf\u{e9}"), "compares by text");
        assert!(text.slice_ref(&text).is_none(), "not bytes");
    }

    #[test]
    fn text_inside_the_bytes_is_shared_and_other_text_copied() {
        let data = Utf8Bytes::new(Bytes::from_static(b"{\"text\":\"caf\xC3\xA9\"}")).unwrap();
        let inside = &data.as_str()[9..14];
        let shared = SharedStr::within(Some(&data), inside);
        assert_eq!(shared, "café");
        assert_eq!(shared.as_ptr(), inside.as_ptr(), "no copy");
        let elsewhere = String::from("café");
        let copied = SharedStr::within(Some(&data), &elsewhere);
        assert_eq!(copied, "café");
        assert_ne!(copied.as_ptr(), elsewhere.as_ptr());
        assert_eq!(SharedStr::within(None, inside), "café");
    }
}
