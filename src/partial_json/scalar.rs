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
    use super::*;

    #[test]
    fn numbers_are_serde_json_numbers() {
        assert_eq!(number("-12").unwrap(), serde_json::json!(-12));
        assert_eq!(number("1.5e3").unwrap(), serde_json::json!(1500.0));
        for bad in ["-", "01", "1.", "1e", "1-2", "+1"] {
            assert!(number(bad).is_err(), "{bad}");
        }
    }
}
