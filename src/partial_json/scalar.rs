//! Numbers and the literals `true`, `false`, `null`: values that only exist once complete.

use serde_json::Value;

/// Can this byte continue a number? The grammar is checked when the number ends, by
/// serde_json itself, so numbers come out exactly as serde_json would make them.
pub(super) fn continues_number(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// The value of a complete number's text.
pub(super) fn number(text: &str) -> Result<Value, &'static str> {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Number(_)) => Ok(value),
        _ => Err("invalid number"),
    }
}

/// The literal a byte starts, if any.
pub(super) fn literal_starting_with(byte: u8) -> Option<&'static str> {
    match byte {
        b't' => Some("true"),
        b'f' => Some("false"),
        b'n' => Some("null"),
        _ => None,
    }
}

/// The value of a complete literal.
pub(super) fn literal_value(literal: &str) -> Value {
    match literal {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PartialJsonParser, PathEvent, PathEventKind};
    use super::*;

    /// Numbers serde_json's default fast float path reads 1-2 ULP off (checked against
    /// `str::parse::<f64>`, which rounds correctly); exact only with its `float_roundtrip`.
    const HARD: [&str; 7] = [
        "12.642928786359079",
        "98.56906946328695",
        "-0.9564764414721547",
        "212918.90726713458",
        "0.00044783443670323356",
        "4.4783443670323356e-4",
        "9.856906946328695E+1",
    ];

    /// The literals a test goes through: under Miri (which checks the parser's aliasing, not
    /// its arithmetic, and runs ~1000x slower) the first alone.
    fn hard() -> &'static [&'static str] {
        &HARD[..if cfg!(miri) { 1 } else { HARD.len() }]
    }

    /// Whether `value` is exactly the number `literal` spells, by the standard library's
    /// correctly rounded parse (an oracle outside serde_json).
    fn is_exactly(value: &Value, literal: &str) -> bool {
        let expected: f64 = literal.parse().unwrap();
        value.as_f64().map(f64::to_bits) == Some(expected.to_bits())
    }

    /// `{"a": N, "b": [N, {"c": N}]}` and where N sits in it.
    fn document(literal: &str) -> (String, [&'static str; 3]) {
        let text = format!(r#"{{"a": {literal}, "b": [{literal}, {{"c": {literal}}}]}}"#);
        (text, ["/a", "/b/0", "/b/1/c"])
    }

    fn assert_exact(value: &Value, literal: &str, context: &str) {
        let (_, pointers) = document(literal);
        for pointer in pointers {
            let found = value.pointer(pointer).unwrap_or(&Value::Null);
            assert!(
                is_exactly(found, literal),
                "{context}: {pointer} is {found}, sent {literal}"
            );
        }
    }

    #[test]
    fn numbers_are_read_exactly_as_sent() {
        for &literal in hard() {
            let value = number(literal).unwrap();
            assert!(is_exactly(&value, literal), "{literal} read as {value}");
        }
    }

    #[test]
    fn a_number_split_anywhere_is_read_exactly_by_finish() {
        for &literal in hard() {
            let (text, _) = document(literal);
            for cut in 1..text.len() {
                let mut parser = PartialJsonParser::new();
                parser.push(&text[..cut]);
                parser.push(&text[cut..]);
                let value = parser.finish().unwrap();
                assert_exact(&value, literal, &format!("cut at {cut}"));
            }
            // A bare number, a byte at a time: complete only at `finish`.
            let mut parser = PartialJsonParser::new();
            for byte in literal.as_bytes() {
                parser.push(std::str::from_utf8(std::slice::from_ref(byte)).unwrap());
            }
            let value = parser.finish().unwrap();
            assert!(is_exactly(&value, literal), "{literal} read as {value}");
        }
    }

    #[test]
    fn the_live_value_holds_numbers_exactly_as_sent() {
        for &literal in hard() {
            let (text, _) = document(literal);
            for cut in 1..text.len() {
                // Read before the number ends (the tree is kept from then on) and after.
                let mut parser = PartialJsonParser::new();
                parser.push(&text[..cut]);
                let _ = parser.value();
                parser.push(&text[cut..]);
                assert_exact(parser.value(), literal, &format!("live, cut at {cut}"));
                let value = parser.finish().unwrap();
                assert_exact(&value, literal, &format!("finished, cut at {cut}"));
            }
        }
    }

    #[test]
    fn path_completions_carry_numbers_exactly_as_sent() {
        for &literal in hard() {
            let (text, pointers) = document(literal);
            for cut in 1..text.len() {
                let mut parser = PartialJsonParser::new();
                let mut events: Vec<PathEvent> = Vec::new();
                parser.push_with_events(&text[..cut], &mut events);
                parser.push_with_events(&text[cut..], &mut events);
                let completed = |pointer: &str| {
                    events.iter().find_map(|event| match &event.kind {
                        PathEventKind::Complete(value) if event.pointer == pointer => {
                            Some(value.clone().into_value())
                        }
                        _ => None,
                    })
                };
                for pointer in pointers {
                    let value = completed(pointer).unwrap_or_else(|| panic!("{pointer}"));
                    assert!(
                        is_exactly(&value, literal),
                        "cut at {cut}: {pointer} completed as {value}, sent {literal}"
                    );
                }
                assert_exact(&completed("").unwrap(), literal, "root completion");
                assert_exact(&parser.finish().unwrap(), literal, "finish after events");
            }
        }
    }

    #[test]
    fn numbers_are_serde_json_numbers() {
        assert_eq!(number("-12").unwrap(), serde_json::json!(-12));
        assert_eq!(number("1.5e3").unwrap(), serde_json::json!(1500.0));
        for bad in ["-", "01", "1.", "1e", "1-2", "+1"] {
            assert!(number(bad).is_err(), "{bad}");
        }
    }
}
