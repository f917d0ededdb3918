//! A cache entry's bytes: a header line (format, version, key, checksum) and the recorded
//! events as JSON. Anything that does not decode to a whole reply is a miss.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::StreamEvent;

/// The format's name, in every header.
const FORMAT: &str = "chat-anthropic-cache";
/// The format's version: entries of another version are misses (and get overwritten).
pub(super) const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// The key the entry was stored under: an entry found under another key is a miss.
    key: String,
    /// SHA-256 (hex) of the events' JSON that follows the header line.
    sha256: String,
    /// Whether the stream's chunks carried usage (the model's `stream_usage`).
    stream_usage: bool,
}

/// A whole reply as stored.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) events: Vec<StreamEvent>,
    pub(super) stream_usage: bool,
}

pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// The entry's bytes, or `None` when its events do not serialize (they always do).
pub(super) fn encode(key: &str, entry: &Entry) -> Option<Vec<u8>> {
    let events = serde_json::to_vec(&entry.events).ok()?;
    let header = Header {
        format: FORMAT.to_owned(),
        version: VERSION,
        key: key.to_owned(),
        sha256: hex(&Sha256::digest(&events)),
        stream_usage: entry.stream_usage,
    };
    let mut bytes = serde_json::to_vec(&header).ok()?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&events);
    Some(bytes)
}

/// Why stored bytes are not a reply (each is a miss).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Damage {
    NoHeader,
    OtherFormatOrVersion,
    OtherKey,
    Checksum,
    Events,
    Incomplete,
}

/// The reply stored in `bytes` under `key`, or what is wrong with them.
pub(super) fn decode(key: &str, bytes: &[u8]) -> Result<Entry, Damage> {
    let newline = memchr::memchr(b'\n', bytes).ok_or(Damage::NoHeader)?;
    let (header, events) = (&bytes[..newline], &bytes[newline + 1..]);
    let header: Header = serde_json::from_slice(header).map_err(|_| Damage::NoHeader)?;
    if header.format != FORMAT || header.version != VERSION {
        return Err(Damage::OtherFormatOrVersion);
    }
    if header.key != key {
        return Err(Damage::OtherKey);
    }
    if hex(&Sha256::digest(events)) != header.sha256 {
        return Err(Damage::Checksum);
    }
    let events: Vec<StreamEvent> = serde_json::from_slice(events).map_err(|_| Damage::Events)?;
    let whole = matches!(events.first(), Some(StreamEvent::MessageStart(_)))
        && matches!(events.last(), Some(StreamEvent::MessageStop));
    if !whole {
        return Err(Damage::Incomplete);
    }
    Ok(Entry {
        events,
        stream_usage: header.stream_usage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ChatStream;
    use futures_util::StreamExt;

    async fn recorded() -> Vec<StreamEvent> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recorded/genai__usage_stream__0.sse"
        );
        let bytes = std::fs::read(path).expect("the recorded fixture");
        ChatStream::from_sse_bytes(bytes)
            .map(|event| event.expect("a recorded event"))
            .collect()
            .await
    }

    #[tokio::test]
    async fn an_entry_round_trips_and_damage_is_named() {
        let entry = Entry {
            events: recorded().await,
            stream_usage: true,
        };
        let bytes = encode("k1", &entry).expect("encodes");
        assert_eq!(decode("k1", &bytes), Ok(entry.clone()));
        assert_eq!(decode("k2", &bytes), Err(Damage::OtherKey));
        assert_eq!(decode("k1", b"garbage"), Err(Damage::NoHeader));
        assert_eq!(decode("k1", b""), Err(Damage::NoHeader));

        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 0x20;
        assert_eq!(decode("k1", &flipped), Err(Damage::Checksum));
        let truncated = &bytes[..bytes.len() - 10];
        assert_eq!(decode("k1", truncated), Err(Damage::Checksum));

        let other_version = String::from_utf8(bytes.clone()).unwrap().replacen(
            "\"version\":1",
            "\"version\":99",
            1,
        );
        assert_eq!(
            decode("k1", other_version.as_bytes()),
            Err(Damage::OtherFormatOrVersion)
        );

        let mut cut = entry.clone();
        cut.events.pop();
        let cut = encode("k1", &cut).expect("encodes");
        assert_eq!(decode("k1", &cut), Err(Damage::Incomplete));
    }
}
