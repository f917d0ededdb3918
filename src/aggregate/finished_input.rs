//! A finished tool call's input, handed to its `ToolCallDone` update by a move, not a copy.

use std::sync::OnceLock;

use serde_json::Value;

/// The text a finished tool call's input was parsed from. Kept so that the parsed value can
/// be moved out to the one update that reports the finished call (a copy would cost the size
/// of the input again, and would be dropped unread by most consumers) and be parsed again
/// here, once, only if the fold is read after that.
#[derive(Debug, Clone)]
pub(super) struct FinishedInput {
    raw: String,
    /// Set once the value has been moved out: the value read again from `raw`, on demand.
    lent: Option<OnceLock<Value>>,
}

impl FinishedInput {
    pub(super) fn new(raw: String) -> Self {
        Self { raw, lent: None }
    }

    /// Moves `input` out (leaving `Null`), the first time only.
    pub(super) fn lend(&mut self, input: &mut Value) -> Option<Value> {
        if self.lent.is_some() {
            return None;
        }
        self.lent = Some(OnceLock::new());
        Some(std::mem::take(input))
    }

    /// The input when it has been moved out, parsed again from its text; `None` while the
    /// block still holds it.
    pub(super) fn read(&self) -> Option<&Value> {
        let lent = self.lent.as_ref()?;
        Some(lent.get_or_init(|| self.parse()))
    }

    /// Puts the input back into `input` if it was moved out.
    pub(super) fn restore(self, input: &mut Value) {
        if let Some(lent) = self.lent {
            *input = lent.into_inner().unwrap_or_else(|| parse(&self.raw));
        }
    }

    fn parse(&self) -> Value {
        parse(&self.raw)
    }
}

/// The partial-JSON parser accepted this text and made its value exactly as serde_json does
/// (the property tests check that they agree), so reading it again cannot fail.
fn parse(raw: &str) -> Value {
    serde_json::from_str(raw).expect("a finished tool input is valid JSON")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_value_is_moved_out_once_and_read_again_from_its_text() {
        let raw = r#"{"a": [1, {"b": "c"}]}"#;
        let mut input = serde_json::from_str::<Value>(raw).unwrap();
        let mut finished = FinishedInput::new(raw.to_owned());
        assert_eq!(finished.read(), None, "the block still holds it");
        let inside = input["a"].as_array().unwrap().as_ptr();
        let lent = finished.lend(&mut input).unwrap();
        assert_eq!(
            lent["a"].as_array().unwrap().as_ptr(),
            inside,
            "moved, not copied"
        );
        assert_eq!(input, Value::Null);
        assert_eq!(finished.lend(&mut input), None, "only once");
        assert_eq!(finished.read(), Some(&json!({"a": [1, {"b": "c"}]})));
        finished.clone().restore(&mut input);
        assert_eq!(input, json!({"a": [1, {"b": "c"}]}));
        let mut unread = FinishedInput::new(raw.to_owned());
        let mut input = lent;
        unread.lend(&mut input);
        unread.restore(&mut input);
        assert_eq!(input, json!({"a": [1, {"b": "c"}]}));
    }
}
