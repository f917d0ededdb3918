//! The plain shape of a token delta, read without a general JSON parser.
//!
//! Nearly every event of a stream is a `content_block_delta` of one shape: an object with
//! `type`, `index` and `delta`, the delta an object with `type` and one string. Going through
//! serde's map visitors costs several times what the bytes need, so that shape is read here
//! directly, in any key order and with any whitespace. Anything else (an extra or repeated
//! key, a `\u` escape, a number that is not a plain non-negative integer, a control
//! character, trailing bytes) returns `None` and the full parser decides: this reader never
//! accepts what the full parser would reject or read differently (the differential tests
//! below check it).

use super::text_arena::TextArena;
use super::{ContentBlockDelta, Delta, SharedStr};
use crate::sse::simple_escape;
use crate::sse::Utf8Bytes;

/// The delta of `data` when it has the plain shape; `None` sends it to the full parser.
/// Text without escapes points into `bytes` (the event's data) when given; text with escapes
/// is decoded into `arena`.
pub(super) fn plain_content_block_delta(
    data: &str,
    bytes: Option<&Utf8Bytes>,
    arena: &mut TextArena,
) -> Option<ContentBlockDelta> {
    let reader = |at| Reader {
        data,
        input: data.as_bytes(),
        at,
    };
    if let Some(delta) = reader(0).in_the_api_order(bytes, arena) {
        return Some(delta);
    }
    let mut reader = reader(0);
    let (mut kind_seen, mut index, mut delta) = (false, None, None);
    reader.eat(b'{')?;
    loop {
        match reader.key()? {
            Key::Type if !kind_seen => {
                kind_seen = true;
                reader.literal(b"\"content_block_delta\"")?;
            }
            Key::Index if index.is_none() => index = Some(reader.integer()?),
            Key::Delta if delta.is_none() => delta = Some(reader.delta(bytes, arena)?),
            _ => return None,
        }
        if reader.object_ends()? {
            break;
        }
    }
    reader.end()?;
    Some(ContentBlockDelta {
        index: index?,
        delta: delta?,
    })
}

/// The keys of the plain shape; any other key is the full parser's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Index,
    Delta,
    Text,
    PartialJson,
    Thinking,
    Signature,
}

const KEYS: [(&[u8], Key); 7] = [
    (b"\"type\"", Key::Type),
    (b"\"index\"", Key::Index),
    (b"\"delta\"", Key::Delta),
    (b"\"text\"", Key::Text),
    (b"\"partial_json\"", Key::PartialJson),
    (b"\"thinking\"", Key::Thinking),
    (b"\"signature\"", Key::Signature),
];

/// A string delta's `type` as written, the key of its payload, and its constructor.
type StringDelta = (&'static [u8], Key, fn(SharedStr) -> Delta);

/// The four string deltas.
const STRING_DELTAS: [StringDelta; 4] = [
    (b"\"text_delta\"", Key::Text, Delta::Text),
    (b"\"input_json_delta\"", Key::PartialJson, Delta::InputJson),
    (b"\"thinking_delta\"", Key::Thinking, Delta::Thinking),
    (b"\"signature_delta\"", Key::Signature, Delta::Signature),
];

struct Reader<'a> {
    data: &'a str,
    input: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.input.get(self.at) {
            self.at += 1;
        }
    }

    /// Skips whitespace, then takes `byte`.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.input.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// Skips whitespace, then takes exactly `literal`.
    fn literal(&mut self, literal: &[u8]) -> Option<()> {
        self.skip_whitespace();
        self.input[self.at..]
            .starts_with(literal)
            .then(|| self.at += literal.len())
    }

    /// Skips whitespace, then takes exactly `literal`, whose length is known where this is
    /// called: the comparison compiles to a few loads, where [`literal`](Self::literal)'s
    /// calls `memcmp`.
    #[inline(always)]
    fn known<const N: usize>(&mut self, literal: &[u8; N]) -> Option<()> {
        self.skip_whitespace();
        let found = self.input.get(self.at..self.at + N)? == literal;
        found.then(|| self.at += N)
    }

    /// `,` then `key` (quoted) and its colon.
    #[inline(always)]
    fn next_key<const N: usize>(&mut self, key: &[u8; N]) -> Option<()> {
        self.eat(b',')?;
        self.known(key)?;
        self.eat(b':')
    }

    /// The delta in the order and spelling the API writes it (`type`, `index`, `delta`; in the
    /// delta `type` and then its string), any whitespace between: each key is one comparison
    /// of known length instead of a search over the keys. `None` for anything else, which
    /// the general loop then reads.
    fn in_the_api_order(
        &mut self,
        bytes: Option<&Utf8Bytes>,
        arena: &mut TextArena,
    ) -> Option<ContentBlockDelta> {
        self.eat(b'{')?;
        self.known(b"\"type\"")?;
        self.eat(b':')?;
        self.known(b"\"content_block_delta\"")?;
        self.next_key(b"\"index\"")?;
        let index = self.integer()?;
        self.next_key(b"\"delta\"")?;
        self.eat(b'{')?;
        self.known(b"\"type\"")?;
        self.eat(b':')?;
        let delta = if self.known(b"\"input_json_delta\"").is_some() {
            self.next_key(b"\"partial_json\"")?;
            Delta::InputJson(self.string(bytes, arena)?)
        } else if self.known(b"\"text_delta\"").is_some() {
            self.next_key(b"\"text\"")?;
            Delta::Text(self.string(bytes, arena)?)
        } else if self.known(b"\"thinking_delta\"").is_some() {
            self.next_key(b"\"thinking\"")?;
            Delta::Thinking(self.string(bytes, arena)?)
        } else {
            self.known(b"\"signature_delta\"")?;
            self.next_key(b"\"signature\"")?;
            Delta::Signature(self.string(bytes, arena)?)
        };
        self.eat(b'}')?;
        self.eat(b'}')?;
        self.end()?;
        Some(ContentBlockDelta { index, delta })
    }

    /// A known key and its colon. Keys are compared as written: one with an escape is not
    /// known here.
    fn key(&mut self) -> Option<Key> {
        self.skip_whitespace();
        let rest = &self.input[self.at..];
        let &(literal, key) = KEYS.iter().find(|(literal, _)| rest.starts_with(literal))?;
        self.at += literal.len();
        self.eat(b':')?;
        Some(key)
    }

    /// After a value: `,` (more to come, `false`) or `}` (`true`).
    fn object_ends(&mut self) -> Option<bool> {
        self.skip_whitespace();
        let ends = match self.input.get(self.at)? {
            b',' => false,
            b'}' => true,
            _ => return None,
        };
        self.at += 1;
        Some(ends)
    }

    /// Nothing but whitespace left.
    fn end(&mut self) -> Option<()> {
        self.skip_whitespace();
        (self.at == self.input.len()).then_some(())
    }

    /// A non-negative integer that fits a `usize`, as JSON writes it (no leading zero).
    fn integer(&mut self) -> Option<usize> {
        self.skip_whitespace();
        let start = self.at;
        let mut value = 0usize;
        // Folded while scanning: `str::parse` costs several times what an index's one or
        // two digits need.
        while let Some(&digit @ b'0'..=b'9') = self.input.get(self.at) {
            value = value
                .checked_mul(10)?
                .checked_add(usize::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (digits > 1 && self.input[start] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.input.get(self.at) {
            return None;
        }
        Some(value)
    }

    /// `{"type": "…_delta", "<payload>": "…"}` for the four string deltas, keys in any order.
    fn delta(&mut self, bytes: Option<&Utf8Bytes>, arena: &mut TextArena) -> Option<Delta> {
        let (mut kind, mut payload) = (None, None);
        self.eat(b'{')?;
        loop {
            match self.key()? {
                Key::Type if kind.is_none() => {
                    self.skip_whitespace();
                    let rest = &self.input[self.at..];
                    let found = STRING_DELTAS
                        .iter()
                        .find(|(name, ..)| rest.starts_with(name))?;
                    self.at += found.0.len();
                    kind = Some(found);
                }
                Key::Type | Key::Index | Key::Delta => return None,
                field if payload.is_none() => payload = Some((field, self.string(bytes, arena)?)),
                _ => return None,
            }
            if self.object_ends()? {
                break;
            }
        }
        let (_, payload_key, make) = kind?;
        let (field, text) = payload?;
        (field == *payload_key).then(|| make(text))
    }

    /// A string value, shared with `bytes` when it has no escapes, else decoded into `arena`.
    fn string(&mut self, bytes: Option<&Utf8Bytes>, arena: &mut TextArena) -> Option<SharedStr> {
        self.skip_whitespace();
        if self.input.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let end = start + quote_or_backslash(&self.input[start..])?;
        if self.input[end] == b'\\' {
            return self
                .escaped_string(start, end, arena)
                .map(SharedStr::from_bytes);
        }
        self.at = end + 1;
        Some(SharedStr::within(bytes, &self.data[start..end]))
    }

    /// The string from `start`, whose first escape is at `at`, decoded into `arena`.
    fn escaped_string(
        &mut self,
        start: usize,
        mut at: usize,
        arena: &mut TextArena,
    ) -> Option<Utf8Bytes> {
        arena.discard();
        arena.push_str(&self.data[start..at]);
        loop {
            // `at` is on a backslash; `\u` (surrogates and all) is the full parser's.
            arena.push_char(simple_escape(*self.input.get(at + 1)?)?);
            let run = at + 2;
            at = run + quote_or_backslash(self.input.get(run..)?)?;
            arena.push_str(&self.data[run..at]);
            if self.input[at] == b'"' {
                self.at = at + 1;
                return Some(arena.finish());
            }
        }
    }
}

/// Where the first `"` or `\\` of `text` is; `None` if there is none, or if a control
/// character (which JSON strings may not hold raw) comes before it.
///
/// The runs between a tool fragment's escapes are a few bytes long, where `memchr`'s setup
/// costs more than a plain loop: the first bytes are read one by one, the rest (long text)
/// with `memchr` and a vectorised check.
fn quote_or_backslash(text: &[u8]) -> Option<usize> {
    const SHORT: usize = 32;
    for (at, &byte) in text.iter().take(SHORT).enumerate() {
        match byte {
            b'"' | b'\\' => return Some(at),
            0..=0x1f => return None,
            _ => {}
        }
    }
    let rest = text.get(SHORT..)?;
    let at = memchr::memchr2(b'"', b'\\', rest)?;
    // A fold, not `any`: it vectorises.
    let control = rest[..at]
        .iter()
        .fold(false, |found, &byte| found | (byte < 0x20));
    (!control).then_some(SHORT + at)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::event::delta::content_block_delta;

    /// What the full parser makes of `data`.
    fn full(data: &str) -> Option<ContentBlockDelta> {
        content_block_delta(data, None).ok()
    }

    /// What the reader of the API's order alone makes of `data`.
    fn in_the_api_order(data: &str) -> Option<ContentBlockDelta> {
        let mut reader = Reader {
            data,
            input: data.as_bytes(),
            at: 0,
        };
        reader.in_the_api_order(None, &mut TextArena::new(64))
    }

    /// The plain reader, and its reader of the API's order alone, each either decline or
    /// agree with the full parser.
    fn agrees(data: &str) -> bool {
        let plain = plain_content_block_delta(data, None, &mut TextArena::new(64));
        [plain, in_the_api_order(data)]
            .into_iter()
            .flatten()
            .all(|read| full(data).as_ref() == Some(&read))
    }

    #[test]
    fn an_index_is_read_as_str_parse_reads_it() {
        for text in [
            "0",
            "7",
            "10",
            "4096",
            "01",
            "00",
            "",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "1.5",
            "2e3",
            "12x",
        ] {
            let mut reader = Reader {
                data: text,
                input: text.as_bytes(),
                at: 0,
            };
            let expected = text
                .parse::<usize>()
                .ok()
                .filter(|_| !text.starts_with("0") || text == "0");
            let read = reader.integer();
            if text == "12x" {
                assert_eq!(
                    (read, reader.at),
                    (Some(12), 2),
                    "stops at the first non-digit"
                );
            } else {
                assert_eq!(read, expected, "{text}");
            }
        }
    }

    #[test]
    fn the_api_order_is_read_key_by_key_and_any_other_by_the_general_loop() {
        for data in [
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"OK"}}"#,
            r#"{"type": "content_block_delta", "index": 7, "delta": {"type": "input_json_delta", "partial_json": "{\"a\": "}}"#,
            r#"{"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"hm\n"}}"#,
            "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQB\"}}\r\n",
        ] {
            assert!(in_the_api_order(data).is_some(), "{data}");
            assert_eq!(in_the_api_order(data), full(data), "{data}");
        }
        for data in [
            r#"{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"OK"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"text":"OK","type":"text_delta"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","thinking":"OK"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"OK"}} x"#,
        ] {
            assert_eq!(in_the_api_order(data), None, "{data}");
            assert_eq!(
                plain_content_block_delta(data, None, &mut TextArena::new(64)),
                full(data),
                "{data}"
            );
        }
    }

    #[test]
    fn the_shapes_the_api_and_recorders_write_are_read_plainly() {
        for data in [
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"OK"}     }"#,
            r#"{"delta":{"partial_json":"{\"i","type":"input_json_delta"},"index":1,"type":"content_block_delta"}"#,
            r#"{"type": "content_block_delta", "index": 12, "delta": {"type": "thinking_delta", "thinking": "a\nb\t\"c\" \\ \/"}}"#,
            "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQB\"}}\r\n",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"café ☕"}}"#,
        ] {
            let plain = plain_content_block_delta(data, None, &mut TextArena::new(64));
            assert!(plain.is_some(), "{data}");
            assert_eq!(plain, full(data), "{data}");
        }
    }

    #[test]
    fn the_end_of_a_string_run_is_found_the_same_short_or_long() {
        let reference = |text: &[u8]| {
            let at = text.iter().position(|&b| b == b'"' || b == b'\\')?;
            (!text[..at].iter().any(|&b| b < 0x20)).then_some(at)
        };
        // Natively every length and place up to 80 bytes; under Miri (which checks the unsafe
        // reads, not the logic, and runs ~1000x slower) the ends of the text and the places
        // around the switch to `memchr` at 32 bytes, in texts short and long.
        let lengths: Vec<usize> = if cfg!(miri) {
            vec![0, 1, 2, 31, 32, 33, 34, 79]
        } else {
            (0..80).collect()
        };
        let tried = |len: usize, at: usize| {
            !cfg!(miri) || at < 2 || at + 2 >= len || (30..=34).contains(&at)
        };
        for len in lengths {
            for at in (0..len).filter(|&at| tried(len, at)) {
                for special in [b'"', b'\\', b'\n', 0x1f, b'a'] {
                    let mut text = vec![b'x'; len];
                    text[at] = special;
                    assert_eq!(
                        quote_or_backslash(&text),
                        reference(&text),
                        "{len} {at} {special}"
                    );
                    // A control character after the end does not count.
                    text.push(b'"');
                    text.push(0x01);
                    assert_eq!(
                        quote_or_backslash(&text),
                        reference(&text),
                        "{len} {at} {special}"
                    );
                }
            }
        }
    }

    #[test]
    fn anything_else_goes_to_the_full_parser() {
        for data in [
            // Valid for the full parser, but not the plain shape.
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\u00e9"}}"#,
            r#"{"type":"content_block_delta","index":0,"extra":1,"delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":0,"index":1,"delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","more":2}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"future_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","thinking":"a"}}"#,
            r#"{"ty\u0070e":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}"#,
            // Rejected by the full parser too.
            r#"{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":1.0,"delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":99999999999999999999999,"delta":{"type":"text_delta","text":"a"}}"#,
            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\u{1}\"}}",
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\x"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}} x"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},}"#,
            r#"{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}"#,
        ] {
            assert_eq!(plain_content_block_delta(data, None, &mut TextArena::new(64)), None, "{data}");
        }
    }

    #[test]
    fn plain_text_points_into_the_event_and_escaped_text_is_decoded() {
        let data = r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"plain"}}"#;
        let bytes = Utf8Bytes::from(data.to_owned());
        let delta =
            plain_content_block_delta(bytes.as_str(), Some(&bytes), &mut TextArena::new(64))
                .unwrap();
        let Delta::Text(text) = delta.delta else {
            panic!()
        };
        assert!(bytes.bytes().as_ptr_range().contains(&text.as_ptr()));
    }

    #[test]
    fn escaped_texts_are_decoded_one_after_the_other_into_the_arena() {
        let mut arena = TextArena::new(1024);
        let mut previous_end = None;
        for (raw, decoded) in [
            (r#""a\"b\\\\c\n""#, "a\"b\\\\c\n"),
            (r#""\\\"""#, "\\\""),
            (r#""x\/\t""#, "x/\t"),
        ] {
            let mut reader = Reader {
                data: raw,
                input: raw.as_bytes(),
                at: 1,
            };
            let first_escape = raw.find('\\').unwrap();
            let text = reader.escaped_string(1, first_escape, &mut arena).unwrap();
            assert_eq!(text.as_str(), decoded);
            assert_eq!(reader.at, raw.len());
            let range = text.as_str().as_bytes().as_ptr_range();
            if let Some(end) = previous_end {
                assert_eq!(range.start, end, "{raw}: no allocation of its own");
            }
            previous_end = Some(range.end);
        }
        // A declined string leaves nothing behind for the next one.
        let raw = r#""ok\u00e9""#;
        let mut reader = Reader {
            data: raw,
            input: raw.as_bytes(),
            at: 1,
        };
        assert!(reader.escaped_string(1, 3, &mut arena).is_none());
        let raw = r#""next\n""#;
        let mut reader = Reader {
            data: raw,
            input: raw.as_bytes(),
            at: 1,
        };
        let text = reader.escaped_string(1, 5, &mut arena).unwrap();
        assert_eq!(text.as_str(), "next\n");
    }

    #[test]
    fn deltas_of_a_stream_share_the_arena() {
        let mut arena = TextArena::new(1024);
        let data = r#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": "}}"#;
        let texts: Vec<SharedStr> = (0..3)
            .map(|_| {
                match plain_content_block_delta(data, None, &mut arena)
                    .unwrap()
                    .delta
                {
                    Delta::InputJson(text) => text,
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        assert!(texts.iter().all(|t| t.as_str() == r#"{"a": "#));
        assert_eq!(
            texts[1].as_ptr(),
            texts[0].as_str().as_bytes().as_ptr_range().end
        );
    }

    /// Pieces the generated payloads are made of: whitespace, keys, strings and numbers of
    /// every kind the two parsers could read differently.
    fn whitespace() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "", " ", "\n", "\t ", "\r\n  "]).prop_map(str::to_owned)
    }

    fn json_string() -> impl Strategy<Value = String> {
        prop_oneof![
            2 => any_text().prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => raw_string_body().prop_map(|s| format!("\"{s}\"")),
            2 => prop::collection::vec(
                prop::sample::select(vec![
                    "a", "é", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r",
                    "\\u00e9", "\\ud83d\\ude00", "\\ud83d", "\\x", "\\", "\u{7}",
                ]),
                0..6
            )
            .prop_map(|parts| format!("\"{}\"", parts.concat())),
        ]
    }

    /// Any text: proptest's `any::<String>()` natively; under Miri, up to 15 of any char drawn
    /// one by one. (A string strategy is a regex that proptest compiles for every case, which
    /// takes minutes under Miri.)
    fn any_text() -> BoxedStrategy<String> {
        if cfg!(miri) {
            prop::collection::vec(any::<char>(), 0..16)
                .prop_map(String::from_iter)
                .boxed()
        } else {
            any::<String>().boxed()
        }
    }

    /// A string's body as written, raw quotes, backslashes and controls included (most of
    /// them not JSON): the regex natively, the same chars drawn one by one under Miri.
    fn raw_string_body() -> BoxedStrategy<String> {
        if cfg!(miri) {
            let chars: Vec<char> = ('a'..='z')
                .chain(['"', '\\', '/', '\n', '\u{1}', 'é'])
                .collect();
            prop::collection::vec(prop::sample::select(chars), 0..=8)
                .prop_map(String::from_iter)
                .boxed()
        } else {
            "[a-z\"\\\\/\\n\\u{1}é]{0,8}".boxed()
        }
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            2 => any::<u64>().prop_map(|n| n.to_string()),
            6 => (0u8..20).prop_map(|n| n.to_string()),
            1 => prop::sample::select(vec!["01", "-1", "1.0", "1e2", "", "18446744073709551616", "0"])
                .prop_map(str::to_owned),
        ]
    }

    fn delta_object() -> impl Strategy<Value = String> {
        let pairs = [
            ("text_delta", "text"),
            ("input_json_delta", "partial_json"),
            ("thinking_delta", "thinking"),
            ("signature_delta", "signature"),
        ];
        let kind_and_field = prop_oneof![
            6 => prop::sample::select(pairs.to_vec()),
            1 => (
                prop::sample::select(vec!["text_delta", "citations_delta", "other_delta"]),
                prop::sample::select(vec!["text", "partial_json", "signature", "x"]),
            ),
        ];
        let extra = prop::sample::select(vec![false, false, false, true]);
        (
            kind_and_field,
            json_string(),
            any::<bool>(),
            whitespace(),
            extra,
        )
            .prop_map(|((kind, field), text, type_first, ws, extra)| {
                let kind = format!("\"type\":{ws}\"{kind}\"");
                let payload = format!("\"{field}\"{ws}:{text}");
                let mut pairs = if type_first {
                    vec![kind, payload]
                } else {
                    vec![payload, kind]
                };
                if extra {
                    pairs.push("\"text\":\"again\"".to_owned());
                }
                format!("{{{ws}{}{ws}}}", pairs.join(&format!(",{ws}")))
            })
    }

    fn payload() -> impl Strategy<Value = String> {
        let trailing = prop::sample::select(vec![false, false, false, true]);
        (delta_object(), number(), whitespace(), 0usize..6, trailing).prop_map(
            |(delta, index, ws, order, trailing)| {
                let parts = [
                    format!("\"type\":{ws}\"content_block_delta\""),
                    format!("\"index\":{ws}{index}"),
                    format!("\"delta\":{ws}{delta}"),
                ];
                let orders = [
                    [0, 1, 2],
                    [0, 2, 1],
                    [1, 0, 2],
                    [1, 2, 0],
                    [2, 0, 1],
                    [2, 1, 0],
                ];
                let body: Vec<&str> = orders[order].iter().map(|&i| parts[i].as_str()).collect();
                let tail = if trailing { " x" } else { "" };
                format!("{ws}{{{}}}{ws}{tail}", body.join(","))
            },
        )
    }

    /// The generated payloads exercise the plain reader, not just the fallback.
    #[test]
    fn generated_payloads_are_often_read_plainly() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = payload();
        // Under Miri (see .ci/miri) a few cases check the aliasing; natively, thousands the logic
        // and how often the plain reader takes a payload.
        let (mut plain, total) = (0, if cfg!(miri) { 10 } else { 2000 });
        for _ in 0..total {
            let data = strategy.new_tree(&mut runner).unwrap().current();
            assert!(agrees(&data), "{data}");
            plain += usize::from(
                plain_content_block_delta(&data, None, &mut TextArena::new(64)).is_some(),
            );
        }
        assert!(
            cfg!(miri) || plain * 10 >= total,
            "only {plain} of {total} read plainly"
        );
    }

    /// 4096 cases natively; under Miri, which checks the aliasing and not the logic and runs
    /// ~1000x slower, 8, without the file of past failures (Miri's isolation has no file system).
    fn config() -> ProptestConfig {
        if cfg!(miri) {
            ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::with_cases(8)
            }
        } else {
            ProptestConfig::with_cases(4096)
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn the_plain_reader_never_disagrees_with_the_full_parser(data in payload()) {
            prop_assert!(agrees(&data), "{}", data);
        }

        #[test]
        fn nor_on_any_single_byte_change(data in payload(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = data.into_bytes();
            let at = at.index(bytes.len());
            bytes[at] = byte;
            if let Ok(mutated) = String::from_utf8(bytes) {
                prop_assert!(agrees(&mutated), "{}", mutated);
            }
        }
    }
}
