//! A completed JSON value handed out by the parser, shared rather than copied.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A complete JSON value, shared: cloning one is a reference-count increment. Reads as a
/// [`serde_json::Value`] (`value["key"]`, `value.as_str()`, `*value == json!(…)`), compares
/// with values, strings, numbers and booleans the way `Value` does, and serializes as the
/// value itself. [`into_value`](Self::into_value) gives the owned `Value` (a move when nothing
/// else holds it).
///
/// The parser makes each completed value once and hands it to the completion event; a
/// container's value is then assembled from its members' values, moved rather than copied
/// when their events have been dropped, and the root's is the live value itself.
///
/// ```
/// use chat_anthropic::partial_json::SharedValue;
/// use serde_json::json;
/// let value = SharedValue::from(json!({"city": "Kyoto", "days": 3}));
/// assert_eq!(value["city"], "Kyoto");
/// assert_eq!(value, json!({"city": "Kyoto", "days": 3}));
/// assert_eq!(value.to_string(), r#"{"city":"Kyoto","days":3}"#);
/// let owned: serde_json::Value = value.into_value();
/// assert_eq!(owned["days"], 3);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct SharedValue(Arc<Value>);

impl SharedValue {
    /// The value, owned: moved out when this is its only holder, copied otherwise.
    pub fn into_value(self) -> Value {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Shares a value the parser already holds in an `Arc` (the live root).
    pub(super) fn from_arc(value: Arc<Value>) -> Self {
        Self(value)
    }
}

impl Deref for SharedValue {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl AsRef<Value> for SharedValue {
    fn as_ref(&self) -> &Value {
        &self.0
    }
}

impl From<Value> for SharedValue {
    fn from(value: Value) -> Self {
        Self(Arc::new(value))
    }
}

impl From<SharedValue> for Value {
    fn from(value: SharedValue) -> Self {
        value.into_value()
    }
}

impl fmt::Display for SharedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for SharedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<SharedValue> for Value {
    fn eq(&self, other: &SharedValue) -> bool {
        *self == *other.0
    }
}

/// Compares like `Value` does with everything `Value` compares with.
macro_rules! compare_like_value {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedValue {
            fn eq(&self, other: &$other) -> bool {
                *self.0 == *other
            }
        }
    )*};
}

compare_like_value!(
    Value, str, &str, String, bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64
);

impl Serialize for SharedValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SharedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_only_holder_moves_the_value_out() {
        let value = SharedValue::from(json!(["a", "b"]));
        let inside = value.as_array().unwrap().as_ptr();
        assert_eq!(value.into_value().as_array().unwrap().as_ptr(), inside);
        let value = SharedValue::from(json!(["a", "b"]));
        let held = value.clone();
        assert_ne!(
            value.into_value().as_array().unwrap().as_ptr(),
            held.as_array().unwrap().as_ptr()
        );
        assert_eq!(held, json!(["a", "b"]));
    }
}
