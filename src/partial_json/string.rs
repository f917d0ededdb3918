//! Decoding the inside of a JSON string, one fragment at a time.
//!
//! The decoder keeps its escape state between fragments, so a `\u00e9` or a surrogate pair
//! split anywhere decodes the same as in one piece. It accepts exactly what serde_json
//! accepts: no raw control characters, only the standard escapes, surrogates in pairs.

use crate::sse::simple_escape;

/// Where the decoder stands inside a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Escape {
    /// Ordinary characters.
    #[default]
    None,
    /// After a backslash.
    Backslash,
    /// Inside `\uXXXX`: `digits` hex digits read so far, their value in `code`; `high` is
    /// the leading surrogate this escape must complete.
    Unicode {
        code: u16,
        digits: u8,
        high: Option<u16>,
    },
    /// After a leading surrogate, expecting the `\` of its trailing half.
    LowBackslash(u16),
    /// After a leading surrogate and `\`, expecting `u`.
    LowU(u16),
}

/// What stopped [`decode`].
pub(super) enum StringEnd {
    /// The fragment ran out inside the string.
    NeedMore,
    /// The closing quote, at this byte offset of the fragment.
    Closed(usize),
    /// A byte that cannot appear here, at this offset.
    Invalid(usize, &'static str),
}

/// Decodes `input[start..]` into `out` until the closing quote. (Inlined into its one caller,
/// the parser's byte loop, as it always was before that loop grew.)
#[inline]
pub(super) fn decode(
    input: &str,
    start: usize,
    escape: &mut Escape,
    out: &mut String,
) -> StringEnd {
    let bytes = input.as_bytes();
    let mut pos = start;
    while pos < bytes.len() {
        if *escape == Escape::None {
            // The hot loop: copy a run of plain characters in one go. Every delimiter is
            // ASCII, so the run always ends on a character boundary.
            let run = bytes[pos..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len() - pos);
            out.push_str(&input[pos..pos + run]);
            pos += run;
            let Some(&byte) = bytes.get(pos) else {
                break;
            };
            match byte {
                b'"' => return StringEnd::Closed(pos),
                b'\\' => *escape = Escape::Backslash,
                _ => return StringEnd::Invalid(pos, "control character in a string"),
            }
            pos += 1;
            continue;
        }
        if let Err(message) = step(bytes[pos], escape, out) {
            return StringEnd::Invalid(pos, message);
        }
        pos += 1;
    }
    StringEnd::NeedMore
}

/// One byte of an escape sequence.
fn step(byte: u8, escape: &mut Escape, out: &mut String) -> Result<(), &'static str> {
    *escape = match (*escape, byte) {
        (Escape::Backslash, b'u') => Escape::Unicode {
            code: 0,
            digits: 0,
            high: None,
        },
        (Escape::Backslash, _) => {
            out.push(simple_escape(byte).ok_or("invalid escape")?);
            Escape::None
        }
        (Escape::LowBackslash(high), b'\\') => Escape::LowU(high),
        (Escape::LowU(high), b'u') => Escape::Unicode {
            code: 0,
            digits: 0,
            high: Some(high),
        },
        (Escape::LowBackslash(_) | Escape::LowU(_), _) => {
            return Err("lone leading surrogate in hex escape")
        }
        (Escape::Unicode { code, digits, high }, _) => {
            let digit = (byte as char).to_digit(16).ok_or("invalid hex escape")? as u16;
            let code = code << 4 | digit;
            if digits < 3 {
                Escape::Unicode {
                    code,
                    digits: digits + 1,
                    high,
                }
            } else {
                finish_unicode(code, high, out)?
            }
        }
        (Escape::None, _) => unreachable!("plain characters are handled by the run loop"),
    };
    Ok(())
}

/// A complete `\uXXXX`: a character, the first half of a pair, or an error.
fn finish_unicode(code: u16, high: Option<u16>, out: &mut String) -> Result<Escape, &'static str> {
    match (high, code) {
        (None, 0xD800..=0xDBFF) => Ok(Escape::LowBackslash(code)),
        (None, 0xDC00..=0xDFFF) => Err("lone trailing surrogate in hex escape"),
        (None, _) => {
            out.push(char::from_u32(code.into()).expect("not a surrogate"));
            Ok(Escape::None)
        }
        (Some(high), 0xDC00..=0xDFFF) => {
            let scalar = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(code) - 0xDC00);
            out.push(char::from_u32(scalar).expect("a surrogate pair is a valid scalar"));
            Ok(Escape::None)
        }
        (Some(_), _) => Err("lone leading surrogate in hex escape"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a string body fed in the given pieces; returns the text, or the error.
    fn decode_pieces(pieces: &[&str]) -> Result<String, &'static str> {
        let mut escape = Escape::None;
        let mut out = String::new();
        for piece in pieces {
            match decode(piece, 0, &mut escape, &mut out) {
                StringEnd::NeedMore => {}
                StringEnd::Closed(_) => return Ok(out),
                StringEnd::Invalid(_, message) => return Err(message),
            }
        }
        panic!("no closing quote");
    }

    #[test]
    fn escapes_decode_across_any_split() {
        let body = r#"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00z""#;
        let whole = decode_pieces(&[body]).unwrap();
        assert_eq!(whole, "a\"b\\c/\u{8}\u{c}\n\r\té😀z");
        for split in 1..body.len() {
            let (head, tail) = body.split_at(split);
            assert_eq!(
                decode_pieces(&[head, tail]).unwrap(),
                whole,
                "split at {split}"
            );
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            r#"\x""#,
            r#"\u12g4""#,
            r#"\ud83dx""#,
            r#"\ud83d\n""#,
            r#"\ude00""#,
            "\u{1}\"",
        ] {
            assert!(decode_pieces(&[bad]).is_err(), "{bad:?}");
            let quoted = format!("\"{bad}");
            assert!(serde_json::from_str::<String>(&quoted).is_err(), "{bad:?}");
        }
    }
}
