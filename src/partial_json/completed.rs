//! The completed members of an open container, kept while path events are reported so the
//! container's own completion is made of them (shared, not copied from the live tree: a copy
//! of a subtree at every level it closes would cost its size times its depth).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{JsonPointer, SharedValue};

/// What an open container's completion will be made of.
#[derive(Debug, Clone)]
pub(super) enum Completed {
    /// An object's completed members in arrival order (a repeated key included, as the live
    /// tree saw it), each under the pointer its completion event carried: the key is its
    /// last segment, read back only if the container's value is built.
    Object(Vec<(JsonPointer, SharedValue)>),
    Array(Vec<SharedValue>),
}

impl Completed {
    pub(super) fn object() -> Self {
        Self::Object(Vec::new())
    }

    pub(super) fn array() -> Self {
        Self::Array(Vec::new())
    }

    /// The member at `pointer` is complete; the one before it is settled
    /// ([`SharedValue::settle`]).
    pub(super) fn push(&mut self, pointer: &JsonPointer, value: SharedValue) {
        match self {
            Self::Object(members) => {
                if let Some((_, previous)) = members.last_mut() {
                    previous.settle();
                }
                members.push((pointer.clone(), value));
            }
            Self::Array(items) => {
                if let Some(previous) = items.last_mut() {
                    previous.settle();
                }
                items.push(value);
            }
        }
    }

    /// The container's value: its members moved in (copied only while something else still
    /// holds one). Repeated keys resolve as serde_json (and the live tree) resolve them: the
    /// first position, the last value.
    pub(super) fn into_value(self) -> Value {
        match self {
            Self::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (pointer, value) in members {
                    map.insert(last_key(&pointer).into_owned(), value.into_value());
                }
                Value::Object(map)
            }
            Self::Array(items) => {
                Value::Array(items.into_iter().map(SharedValue::into_value).collect())
            }
        }
    }
}

/// The key a member's pointer ends with, unescaped (`~1` is `/`, `~0` is `~`).
fn last_key(pointer: &str) -> Cow<'_, str> {
    let segment = pointer.rsplit_once('/').map_or(pointer, |(_, last)| last);
    if !segment.contains('~') {
        return Cow::Borrowed(segment);
    }
    let mut key = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('~', Some('1')) => {
                key.push('/');
                chars.next();
            }
            ('~', Some('0')) => {
                key.push('~');
                chars.next();
            }
            (c, _) => key.push(c),
        }
    }
    Cow::Owned(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_key_is_read_back_from_its_pointer() {
        for (pointer, key) in [
            ("/a", "a"),
            ("/items/3/title", "title"),
            ("/x/a~1b", "a/b"),
            ("/~0~1~01", "~/~1"),
            ("/", ""),
            ("/caf\u{e9} \u{1f389}", "caf\u{e9} \u{1f389}"),
        ] {
            assert_eq!(last_key(pointer), key, "{pointer}");
        }
    }
}
