//! A completed JSON value handed out by the parser, shared rather than copied.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::completed::Completed;

/// A complete JSON value, shared: cloning one is a reference-count increment. Reads as a
/// [`serde_json::Value`] (`value["key"]`, `value.as_str()`, `*value == json!(…)`), compares
/// with values, strings, numbers and booleans the way `Value` does, and serializes as the
/// value itself. [`into_value`](Self::into_value) gives the owned `Value` (a move when nothing
/// else holds it).
///
/// The parser makes each completed scalar once and hands it to the completion event. A
/// container's value is assembled from its members' shared values, which costs a handle per
/// member, not a copy: the `Value` is built the first time it is read (or by `into_value`),
/// its members moved in (copied only while something else still holds one), so completions
/// nobody reads cost nothing, and reading every completion as it comes costs no copy at any
/// depth. Once the parser keeps a live value (from its first read on), the root's value is
/// that live value itself. `null`, `true` and `false` are shared static values.
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
#[derive(Clone)]
pub struct SharedValue(Repr);

#[derive(Clone)]
enum Repr {
    /// `null`, `true` or `false`: nothing to allocate.
    Literal(&'static Value),
    /// A value made whole: a scalar, a value from outside, or the parser's live root.
    Made(Arc<Value>),
    /// A container made of its completed members, built into a `Value` when first read.
    Assembled(Arc<Assembled>),
}

struct Assembled {
    /// The members, until the value is built from them (taken then, so that the members
    /// nothing else holds are moved in rather than copied).
    members: Mutex<Completed>,
    value: OnceLock<Value>,
}

impl SharedValue {
    /// The value, owned: moved out when this is its only holder, copied otherwise.
    pub fn into_value(self) -> Value {
        match self.0 {
            Repr::Literal(value) => value.clone(),
            Repr::Made(value) => Arc::try_unwrap(value).unwrap_or_else(|shared| (*shared).clone()),
            Repr::Assembled(assembled) => match Arc::try_unwrap(assembled) {
                Ok(Assembled { members, value }) => value.into_inner().unwrap_or_else(|| {
                    members
                        .into_inner()
                        .unwrap_or_else(PoisonError::into_inner)
                        .into_value()
                }),
                // Built where it is shared (the other holders read it from there), then copied.
                Err(shared) => shared.value().clone(),
            },
        }
    }

    /// Builds the value of an assembled container that nothing else holds any more (its
    /// completion event was dropped) in place, moving its members in and dropping their
    /// handles; anything else stays as it is.
    ///
    /// The parser settles a container's previous member when the next one completes. Left
    /// to the end, a long list of records would be walked cold and its handles freed all at
    /// once, which costs the allocator more than the same work done while the record is
    /// still in cache; settled, the list holds each record's `Value`, not its handles.
    pub(super) fn settle(&mut self) {
        let Repr::Assembled(assembled) = &mut self.0 else {
            return;
        };
        let Some(assembled) = Arc::get_mut(assembled) else {
            return;
        };
        if assembled.value.get().is_none() {
            let members = std::mem::replace(
                assembled
                    .members
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner),
                Completed::array(),
            );
            let _ = assembled.value.set(members.into_value());
        }
    }

    /// An assembled container still holding its members' handles (not built).
    #[cfg(test)]
    pub(super) fn holds_members(&self) -> bool {
        matches!(&self.0, Repr::Assembled(assembled) if assembled.value.get().is_none())
    }

    /// Shares a value the parser already holds in an `Arc` (the live root).
    pub(super) fn from_arc(value: Arc<Value>) -> Self {
        Self(Repr::Made(value))
    }

    /// A container's value, to be made of `members` when read.
    pub(super) fn assembled(members: Completed) -> Self {
        Self(Repr::Assembled(Arc::new(Assembled {
            members: Mutex::new(members),
            value: OnceLock::new(),
        })))
    }
}

impl Assembled {
    /// The value, built at the first read from the members, which are taken: each is moved in
    /// if nothing else holds it, else copied (a member's own value is built where it is shared
    /// first, so its holders go on reading it there).
    fn value(&self) -> &Value {
        self.value.get_or_init(|| {
            let mut members = self.members.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *members, Completed::array()).into_value()
        })
    }
}

impl Default for SharedValue {
    fn default() -> Self {
        Self::from(Value::Null)
    }
}

impl PartialEq for SharedValue {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Deref for SharedValue {
    type Target = Value;
    fn deref(&self) -> &Value {
        match &self.0 {
            Repr::Literal(value) => value,
            Repr::Made(value) => value,
            Repr::Assembled(assembled) => assembled.value(),
        }
    }
}

impl AsRef<Value> for SharedValue {
    fn as_ref(&self) -> &Value {
        self
    }
}

impl From<Value> for SharedValue {
    fn from(value: Value) -> Self {
        static NULL: Value = Value::Null;
        static TRUE: Value = Value::Bool(true);
        static FALSE: Value = Value::Bool(false);
        Self(match value {
            Value::Null => Repr::Literal(&NULL),
            Value::Bool(true) => Repr::Literal(&TRUE),
            Value::Bool(false) => Repr::Literal(&FALSE),
            value => Repr::Made(Arc::new(value)),
        })
    }
}

impl From<SharedValue> for Value {
    fn from(value: SharedValue) -> Self {
        value.into_value()
    }
}

impl fmt::Display for SharedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl fmt::Debug for SharedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq<SharedValue> for Value {
    fn eq(&self, other: &SharedValue) -> bool {
        *self == **other
    }
}

/// Compares like `Value` does with everything `Value` compares with.
macro_rules! compare_like_value {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedValue {
            fn eq(&self, other: &$other) -> bool {
                **self == *other
            }
        }
    )*};
}

compare_like_value!(
    Value, str, &str, String, bool, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64
);

impl Serialize for SharedValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
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
    fn literals_are_shared_without_an_allocation() {
        for value in [json!(null), json!(true), json!(false)] {
            let shared = SharedValue::from(value.clone());
            assert!(matches!(shared.0, Repr::Literal(_)), "{value}");
            assert_eq!(shared, value);
            assert_eq!(shared.clone().into_value(), value);
        }
        assert!(matches!(SharedValue::from(json!(0)).0, Repr::Made(_)));
    }

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

    fn assembled_object() -> (SharedValue, SharedValue) {
        let inner =
            SharedValue::assembled(Completed::Array(vec![json!(1).into(), json!("two").into()]));
        let mut members = Completed::object();
        for (key, value) in [
            ("a", inner.clone()),
            ("b", json!(null).into()),
            ("a", json!(3).into()),
        ] {
            members.push(|| key.to_owned(), value);
        }
        (SharedValue::assembled(members), inner)
    }

    #[test]
    fn a_container_nothing_else_holds_settles_into_its_value_by_a_move() {
        let member = SharedValue::from(json!("text"));
        let text_at = member.as_str().unwrap().as_ptr();
        let mut alone = SharedValue::assembled(Completed::Array(vec![member]));
        alone.settle();
        assert!(!alone.holds_members());
        assert_eq!(alone, json!(["text"]));
        assert_eq!(
            alone[0].as_str().unwrap().as_ptr(),
            text_at,
            "moved, not copied"
        );

        let (mut outer, inner) = assembled_object();
        let mut held = inner.clone();
        held.settle();
        assert!(held.holds_members(), "an event still holds it");
        drop(held);
        outer.settle();
        assert!(!outer.holds_members());
        assert_eq!(outer, json!({"a": 3, "b": null}));
        assert_eq!(inner, json!([1, "two"]), "the holder's value is intact");
        let mut literal = SharedValue::from(json!(null));
        literal.settle();
        assert!(matches!(literal.0, Repr::Literal(_)));
    }

    #[test]
    fn an_assembled_container_reads_as_serde_json_would_make_it() {
        let (outer, inner) = assembled_object();
        // A repeated key: its first position, its last value.
        assert_eq!(outer, json!({"a": 3, "b": null}));
        assert_eq!(outer.to_string(), r#"{"a":3,"b":null}"#);
        assert_eq!(inner, json!([1, "two"]));
        assert_eq!(outer.clone().into_value(), json!({"a": 3, "b": null}));
        assert_eq!(outer.into_value(), json!({"a": 3, "b": null}));
    }

    #[test]
    fn an_assembled_container_is_built_on_first_read_and_moved_by_its_only_holder() {
        let (_, inner) = assembled_object();
        let Repr::Assembled(assembled) = &inner.0 else {
            panic!("assembled")
        };
        assert!(
            assembled.value.get().is_none(),
            "not built before it is read"
        );
        let first = inner.as_array().unwrap().as_ptr();
        assert_eq!(inner.as_array().unwrap().as_ptr(), first, "built once");
        assert_eq!(inner.into_value().as_array().unwrap().as_ptr(), first);
        let (_, inner) = assembled_object();
        let held = inner.clone();
        let copy = inner.into_value();
        assert_eq!(copy, *held);
        let Repr::Assembled(assembled) = &held.0 else {
            panic!("assembled")
        };
        assert!(assembled.value.get().is_some());
        assert!(Arc::strong_count(assembled) == 1);
    }

    #[test]
    fn reading_a_container_moves_in_the_members_nothing_else_holds_and_copies_the_others() {
        let text = |value: &Value| value.as_str().unwrap().as_ptr();
        let dropped = SharedValue::from(json!("moved"));
        let held = SharedValue::from(json!("copied"));
        let (dropped_at, held_at) = (text(&dropped), text(&held));
        let inner = SharedValue::assembled(Completed::Array(vec![dropped, held.clone()]));
        let outer = SharedValue::assembled(Completed::Array(vec![inner.clone()]));
        drop(inner);
        // Read as a whole first: the inner container is moved in too, and built where it was.
        assert_eq!(outer, json!([["moved", "copied"]]));
        assert_eq!(text(&outer[0][0]), dropped_at, "moved, not copied");
        assert_ne!(text(&outer[0][1]), held_at, "held elsewhere: copied");
        assert_eq!(held, json!("copied"));
        assert!(!outer.holds_members());

        // A container still held elsewhere is built where it is shared, then copied.
        let member = SharedValue::from(json!("x"));
        let member_at = text(&member);
        let inner = SharedValue::assembled(Completed::Array(vec![member]));
        let outer = SharedValue::assembled(Completed::Array(vec![inner.clone()]));
        assert_eq!(outer, json!([["x"]]));
        assert!(!inner.holds_members(), "built where it is shared");
        assert_eq!(text(&inner[0]), member_at, "its member moved into it");
        assert_ne!(text(&outer[0][0]), member_at, "the outer value has a copy");
    }
}
