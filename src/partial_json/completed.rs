//! The completed members of an open container, kept while path events are reported so the
//! container's own completion is assembled from them (moved, not copied from the live tree:
//! a copy of a subtree at every level it closes would cost its size times its depth).

use serde_json::{Map, Value};

use super::SharedValue;

/// What an open container's completion will be made of.
#[derive(Debug, Clone)]
pub(super) enum Completed {
    /// An object's completed members in arrival order (a repeated key included, as the live
    /// tree saw it), and the key of the member being parsed.
    Object {
        members: Vec<(String, SharedValue)>,
        key: Option<String>,
    },
    Array(Vec<SharedValue>),
}

impl Completed {
    pub(super) fn object() -> Self {
        Self::Object {
            members: Vec::new(),
            key: None,
        }
    }

    pub(super) fn array() -> Self {
        Self::Array(Vec::new())
    }

    /// A member starts under `key` (objects only).
    pub(super) fn enter(&mut self, key: &str) {
        if let Self::Object { key: slot, .. } = self {
            *slot = Some(key.to_owned());
        }
    }

    /// The member being parsed is complete.
    pub(super) fn push(&mut self, value: SharedValue) {
        match self {
            Self::Object { members, key } => {
                members.push((key.take().expect("a member has a key"), value));
            }
            Self::Array(items) => items.push(value),
        }
    }

    /// The container's value: its members moved in (copied only while something else still
    /// holds one). Repeated keys resolve as serde_json (and the live tree) resolve them: the
    /// first position, the last value.
    pub(super) fn into_value(self) -> Value {
        match self {
            Self::Object { members, .. } => {
                let mut map = Map::with_capacity(members.len());
                for (key, value) in members {
                    map.insert(key, value.into_value());
                }
                Value::Object(map)
            }
            Self::Array(items) => {
                Value::Array(items.into_iter().map(SharedValue::into_value).collect())
            }
        }
    }

    /// The container's value, copied from its members (which keep no copy of their own).
    pub(super) fn to_value(&self) -> Value {
        match self {
            Self::Object { members, .. } => {
                let mut map = Map::with_capacity(members.len());
                for (key, value) in members {
                    map.insert(key.clone(), value.to_value());
                }
                Value::Object(map)
            }
            Self::Array(items) => Value::Array(items.iter().map(SharedValue::to_value).collect()),
        }
    }
}
