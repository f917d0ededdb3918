//! `content_block_delta` payloads.
//!
//! Deserialized by hand: this runs once per streamed token, and serde's derive for internally
//! tagged enums buffers every field into an intermediate tree first. The visitor below reads
//! the fields in one pass, in any order (recorded streams sort keys, so `type` may come last).
//! Read from an SSE event ([`content_block_delta`]), a delta's text without escapes points
//! into the event's bytes: no allocation at all.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ContentBlockDelta, SharedStr};
use crate::messages::Citation;
use crate::sse::Utf8Bytes;

/// What a `content_block_delta` adds to its block.
///
/// ```
/// use chat_anthropic::event::Delta;
/// let delta: Delta = serde_json::from_str(r#"{"text":"Hi","type":"text_delta"}"#).unwrap();
/// assert_eq!(delta, Delta::Text("Hi".into()));
/// let Delta::Text(text) = delta else { unreachable!() };
/// assert_eq!(text, "Hi");
/// let future: Delta = serde_json::from_str(r#"{"type":"hologram_delta","beams":2}"#).unwrap();
/// assert_eq!(future.kind(), "hologram_delta");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Delta {
    /// `text_delta`: text appended to a text block.
    Text(SharedStr),
    /// `input_json_delta`: a fragment of a tool call's JSON input.
    InputJson(SharedStr),
    /// `thinking_delta`: reasoning appended to a thinking block.
    Thinking(SharedStr),
    /// `signature_delta`: the thinking block's signature.
    Signature(SharedStr),
    /// `citations_delta`: one citation appended to a text block (boxed: it is rare and large,
    /// and a delta is moved once per token).
    Citation(Box<Citation>),
    /// A delta type this version does not know, kept verbatim.
    Unknown(Value),
}

impl Delta {
    /// The delta's `type` on the wire.
    pub fn kind(&self) -> &str {
        match self {
            Self::Text(_) => "text_delta",
            Self::InputJson(_) => "input_json_delta",
            Self::Thinking(_) => "thinking_delta",
            Self::Signature(_) => "signature_delta",
            Self::Citation(_) => "citations_delta",
            Self::Unknown(raw) => raw.get("type").and_then(Value::as_str).unwrap_or(""),
        }
    }

    /// The name of the field that carries the payload of each known string delta.
    fn payload_field(&self) -> Option<(&'static str, &str)> {
        match self {
            Self::Text(text) => Some(("text", text.as_str())),
            Self::InputJson(json) => Some(("partial_json", json.as_str())),
            Self::Thinking(thinking) => Some(("thinking", thinking.as_str())),
            Self::Signature(signature) => Some(("signature", signature.as_str())),
            Self::Citation(_) | Self::Unknown(_) => None,
        }
    }
}

impl Serialize for Delta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Self::Unknown(raw) = self {
            return raw.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", self.kind())?;
        match (self, self.payload_field()) {
            (_, Some((field, payload))) => map.serialize_entry(field, payload)?,
            (Self::Citation(citation), None) => map.serialize_entry("citation", citation)?,
            _ => unreachable!("every known delta has a payload"),
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Delta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DeltaVisitor { bytes: None })
    }
}

/// Parses the data of a `content_block_delta` event; its text points into `bytes` (the
/// event's data) when it has no escapes.
pub(super) fn content_block_delta(
    data: &str,
    bytes: Option<&Utf8Bytes>,
) -> serde_json::Result<ContentBlockDelta> {
    let mut deserializer = serde_json::Deserializer::from_str(data);
    let event = deserializer.deserialize_map(EventVisitor { bytes })?;
    deserializer.end()?;
    Ok(event)
}

/// `{"type": "content_block_delta", "index": …, "delta": {…}}`, other fields ignored.
struct EventVisitor<'b> {
    bytes: Option<&'b Utf8Bytes>,
}

impl<'de> Visitor<'de> for EventVisitor<'_> {
    type Value = ContentBlockDelta;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a content_block_delta event")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContentBlockDelta, A::Error> {
        let (mut index, mut delta) = (None, None);
        while let Some(MaybeBorrowed(key)) = map.next_key()? {
            match key.as_ref() {
                "index" => index = Some(map.next_value()?),
                "delta" => delta = Some(map.next_value_seed(DeltaVisitor { bytes: self.bytes })?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(ContentBlockDelta {
            index: index.ok_or_else(|| de::Error::missing_field("index"))?,
            delta: delta.ok_or_else(|| de::Error::missing_field("delta"))?,
        })
    }
}

impl<'de> de::DeserializeSeed<'de> for DeltaVisitor<'_> {
    type Value = Delta;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Delta, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// A string that borrows from the input when it has no escapes.
struct MaybeBorrowed<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for MaybeBorrowed<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = MaybeBorrowed<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeBorrowed(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeBorrowed(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeBorrowed(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// Reads a delta; its text shares `bytes` when it lies inside them.
struct DeltaVisitor<'b> {
    bytes: Option<&'b Utf8Bytes>,
}

/// The fields seen so far; unknown fields are kept only in case the type turns out unknown.
#[derive(Default)]
struct Fields<'de> {
    kind: Option<Cow<'de, str>>,
    text: Option<Cow<'de, str>>,
    partial_json: Option<Cow<'de, str>>,
    thinking: Option<Cow<'de, str>>,
    signature: Option<Cow<'de, str>>,
    citation: Option<Value>,
    other: Map<String, Value>,
}

impl<'de> Visitor<'de> for DeltaVisitor<'_> {
    type Value = Delta;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a content block delta object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Delta, A::Error> {
        let mut fields = Fields::default();
        while let Some(MaybeBorrowed(key)) = map.next_key()? {
            match key.as_ref() {
                "type" => fields.kind = Some(map.next_value::<MaybeBorrowed>()?.0),
                "text" => fields.text = Some(map.next_value::<MaybeBorrowed>()?.0),
                "partial_json" => fields.partial_json = Some(map.next_value::<MaybeBorrowed>()?.0),
                "thinking" => fields.thinking = Some(map.next_value::<MaybeBorrowed>()?.0),
                "signature" => fields.signature = Some(map.next_value::<MaybeBorrowed>()?.0),
                "citation" => fields.citation = Some(map.next_value()?),
                _ if fields.kind.as_deref().is_some_and(is_known) => {
                    map.next_value::<IgnoredAny>()?;
                }
                other => {
                    let value = map.next_value()?;
                    fields.other.insert(other.to_owned(), value);
                }
            }
        }
        fields.into_delta(self.bytes)
    }
}

fn is_known(kind: &str) -> bool {
    matches!(
        kind,
        "text_delta"
            | "input_json_delta"
            | "thinking_delta"
            | "signature_delta"
            | "citations_delta"
    )
}

impl Fields<'_> {
    fn into_delta<E: de::Error>(self, bytes: Option<&Utf8Bytes>) -> Result<Delta, E> {
        let kind = self.kind.ok_or_else(|| E::missing_field("type"))?;
        let shared = |text: Option<Cow<'_, str>>, field| match text {
            Some(text) => Ok(SharedStr::within(bytes, &text)),
            None => Err(E::missing_field(field)),
        };
        Ok(match kind.as_ref() {
            "text_delta" => Delta::Text(shared(self.text, "text")?),
            "input_json_delta" => Delta::InputJson(shared(self.partial_json, "partial_json")?),
            "thinking_delta" => Delta::Thinking(shared(self.thinking, "thinking")?),
            "signature_delta" => Delta::Signature(shared(self.signature, "signature")?),
            "citations_delta" => {
                let raw = self.citation.ok_or_else(|| E::missing_field("citation"))?;
                Delta::Citation(Box::new(Citation::deserialize(raw).map_err(E::custom)?))
            }
            unknown => {
                let mut raw = self.other;
                raw.insert("type".to_owned(), Value::String(unknown.to_owned()));
                let string =
                    |text: Option<Cow<'_, str>>| text.map(|t| Value::String(t.into_owned()));
                let known = [
                    ("text", string(self.text)),
                    ("partial_json", string(self.partial_json)),
                    ("thinking", string(self.thinking)),
                    ("signature", string(self.signature)),
                    ("citation", self.citation),
                ];
                for (field, value) in known {
                    if let Some(value) = value {
                        raw.insert(field.to_owned(), value);
                    }
                }
                Delta::Unknown(Value::Object(raw))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_delta_round_trips_with_keys_in_any_order() {
        for raw in [
            json!({"type": "text_delta", "text": "Hé\n\"x\""}),
            json!({"partial_json": "{\"a\":", "type": "input_json_delta"}),
            json!({"type": "thinking_delta", "thinking": "hmm"}),
            json!({"signature": "EqQB", "type": "signature_delta"}),
            json!({"type": "citations_delta", "citation": {"type": "char_location",
                "cited_text": "x", "document_index": 0, "document_title": "T",
                "start_char_index": 0, "end_char_index": 1}}),
        ] {
            let delta: Delta = serde_json::from_value(raw.clone()).unwrap();
            assert!(!matches!(delta, Delta::Unknown(_)), "{raw}");
            assert_eq!(serde_json::to_value(&delta).unwrap(), raw);
            let from_text: Delta = serde_json::from_str(&raw.to_string()).unwrap();
            assert_eq!(from_text, delta);
        }
    }

    #[test]
    fn unknown_delta_keeps_every_field() {
        let raw = json!({"text": "t", "type": "future_delta", "extra": {"n": 1}});
        let delta: Delta = serde_json::from_str(&raw.to_string()).unwrap();
        assert_eq!(delta, Delta::Unknown(raw.clone()));
        assert_eq!(serde_json::to_value(&delta).unwrap(), raw);
    }

    #[test]
    fn known_delta_ignores_extra_fields_and_requires_its_payload() {
        let delta: Delta =
            serde_json::from_str(r#"{"type":"text_delta","text":"a","new":1}"#).unwrap();
        assert_eq!(delta, Delta::Text("a".into()));
        let err = serde_json::from_str::<Delta>(r#"{"type":"text_delta"}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `text`"), "{err}");
        assert!(serde_json::from_str::<Delta>(r#"{"text":"a"}"#).is_err());
    }
}
