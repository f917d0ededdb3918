//! The SSE decoder against a plain reference model of the WHATWG rules, on streams built from
//! the pieces that matter (known and almost-known event names, every line end, comments, ids,
//! retries, bytes that are not UTF-8, a BOM), whole and cut at random places.

use std::time::Duration;

use bytes::Bytes;
use chat_anthropic::sse::{SseDecoder, SseError, SseEvent};
use proptest::prelude::*;

/// What an event carries, for comparing.
type Shape = Result<(Option<String>, String, Option<String>, Option<Duration>), SseError>;

fn shape(result: Result<SseEvent, SseError>) -> Shape {
    result.map(|e| {
        (
            e.event_name().map(str::to_owned),
            e.data().to_owned(),
            e.id().map(str::to_owned),
            e.retry(),
        )
    })
}

/// Decodes `input` cut at `cuts` (sorted offsets); also says whether an event is pending.
fn decode(input: &[u8], cuts: &[usize], max_event_size: usize) -> (Vec<Shape>, bool) {
    let mut decoder = SseDecoder::with_max_event_size(max_event_size);
    let mut out = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain([input.len()].iter()) {
        decoder.push(Bytes::copy_from_slice(&input[start..end]));
        start = end;
        while let Some(result) = decoder.next_event() {
            out.push(shape(result));
        }
    }
    (out, decoder.has_partial_event())
}

/// The spec's steps, written as plainly as possible over the whole input (no size bound).
fn reference(input: &[u8]) -> Vec<Shape> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let utf8 = |field: &'static str, bytes: &[u8]| {
        String::from_utf8(bytes.to_vec()).map_err(|e| SseError::InvalidUtf8 {
            field,
            valid_up_to: e.utf8_error().valid_up_to(),
        })
    };
    let mut out = Vec::new();
    let (mut event_type, mut data, mut retry) = (Vec::new(), None::<Vec<u8>>, None);
    let mut invalid: Option<SseError> = None;
    let mut last_id: Option<String> = None;
    let mut rest = input;
    // Only terminated lines: an unterminated last line is never processed.
    while let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        let line = &rest[..end];
        let terminator = if rest[end..].starts_with(b"\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + terminator..];
        if line.is_empty() {
            let (name, body) = (std::mem::take(&mut event_type), data.take());
            let shape = match (invalid.take(), body) {
                (Some(err), _) => Err(err),
                (None, None) => {
                    retry = None;
                    continue;
                }
                (None, Some(body)) => (|| {
                    let name = (!name.is_empty())
                        .then(|| utf8("event", &name))
                        .transpose()?;
                    let body = utf8("data", &body[..body.len() - 1])?;
                    Ok((name, body, last_id.clone(), retry))
                })(),
            };
            retry = None;
            out.push(shape);
            continue;
        }
        if line[0] == b':' {
            continue;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                // The spec appends the value and an LF, and drops the last LF on dispatch.
                let body: &mut Vec<u8> = data.get_or_insert_with(Vec::new);
                body.extend_from_slice(value);
                body.push(b'\n');
            }
            b"event" => event_type = value.to_vec(),
            b"id" if !value.contains(&0) => match utf8("id", value) {
                Ok(id) => last_id = Some(id),
                Err(err) => {
                    invalid.get_or_insert(err);
                }
            },
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                if let Ok(ms) = std::str::from_utf8(value).unwrap().parse::<u64>() {
                    retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }
    out
}

/// The pieces streams are built from.
const PIECES: &[&[u8]] = &[
    b"event: ",
    b"event:",
    b"data: ",
    b"data:",
    b"id: ",
    b"retry: ",
    b": comment",
    b"x-other: ",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"content_block_delta",
    b"content_block_delt",
    b"content_block_deltas",
    b"message_start",
    b"ping",
    b"error",
    b"custom",
    b"{\"type\":\"ping\"}",
    b"7",
    b"caf\xC3\xA9",
    b"\xE6\x97\xA5",
    b"\xff",
    b"\0",
    b"\xEF\xBB\xBF",
    b"event: content_block_delta\ndata: {\"i\":0}\n\n",
    b"event: ping\r\ndata: {}\r\n\r\n",
    b"event: message_stop\rdata: \xC3\xA9\r\r",
];

fn stream() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
        .prop_map(|pieces| pieces.concat())
}

fn cuts(len: usize, picks: &[prop::sample::Index]) -> Vec<usize> {
    let mut cuts: Vec<usize> = picks.iter().map(|i| i.index(len + 1)).collect();
    cuts.sort_unstable();
    cuts
}

/// Streams with long lines among the usual pieces: text with characters of every width (and,
/// rarely, a byte that is not UTF-8), long enough to be cut many times.
fn long_line_stream() -> impl Strategy<Value = Vec<u8>> {
    let long: Vec<Vec<u8>> = [
        "data: ".to_owned() + &"text é 日本 🎉 ".repeat(20),
        "event: content_block_delta\r\ndata: ".to_owned() + &"{\"k\": \"v\"} ".repeat(30),
        ": ".to_owned() + &"comment ".repeat(40),
        "id: ".to_owned() + &"9".repeat(100),
    ]
    .into_iter()
    .map(String::into_bytes)
    .chain([[b"data: ".as_slice(), &[b'x'; 150], b"\xff", &[b'y'; 150]].concat()])
    .chain(PIECES.iter().map(|piece| piece.to_vec()))
    .collect();
    proptest::collection::vec(proptest::sample::select(long), 0..24)
        .prop_map(|pieces| pieces.concat())
}

/// 2000 cases natively; under Miri, which checks the aliasing and not the logic and runs
/// ~1000x slower, 8, without the file of past failures (Miri's isolation has no file system).
fn config() -> ProptestConfig {
    if cfg!(miri) {
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(8)
        }
    } else {
        ProptestConfig::with_cases(2000)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn long_lines_cut_in_many_places_follow_the_reference(
        input in long_line_stream(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..64),
    ) {
        let (cut, _) = decode(&input, &cuts(input.len(), &picks), usize::MAX);
        prop_assert_eq!(cut, reference(&input));
    }

    #[test]
    fn the_decoder_follows_the_reference_however_the_stream_is_cut(
        input in stream(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let (whole, pending) = decode(&input, &[], usize::MAX);
        prop_assert_eq!(&whole, &reference(&input));
        let (cut, cut_pending) = decode(&input, &cuts(input.len(), &picks), usize::MAX);
        prop_assert_eq!(cut, whole);
        prop_assert_eq!(cut_pending, pending);
    }

    #[test]
    fn the_size_bound_counts_the_same_however_the_stream_is_cut(
        input in stream(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        bound in 0usize..48,
    ) {
        let whole = decode(&input, &[], bound);
        prop_assert_eq!(decode(&input, &cuts(input.len(), &picks), bound), whole);
    }
}

/// Natively every pair; under Miri (163 s for all 900) one pair in five, chosen so that every
/// piece is still met first and second six times each.
#[test]
fn byte_by_byte_matches_the_reference_on_every_piece_pair() {
    let stride = if cfg!(miri) { 5 } else { 1 };
    let pairs = PIECES.iter().enumerate().flat_map(|(i, a)| {
        PIECES
            .iter()
            .enumerate()
            .filter_map(move |(j, b)| ((i + j) % stride == 0).then_some((a, b)))
    });
    let mut checked = 0;
    for (a, b) in pairs {
        checked += 1;
        let input = [*a, *b, b"\n\n"].concat();
        let every_byte: Vec<usize> = (1..input.len()).collect();
        assert_eq!(
            decode(&input, &every_byte, usize::MAX).0,
            reference(&input),
            "{input:?}"
        );
    }
    assert_eq!(checked, PIECES.len() * PIECES.len() / stride);
}
