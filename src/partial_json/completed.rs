//! The completed members of an open container, kept while path events are reported so the
//! container's own completion is made of them (shared, not copied from the live tree: a copy
//! of a subtree at every level it closes would cost its size times its depth).

use serde_json::{Map, Value};

use super::SharedValue;

/// What an open container's completion will be made of.
#[derive(Debug, Clone)]
pub(super) enum Completed {
    /// An object's completed members in arrival order under their keys (a repeated key
    /// included, as the live tree saw it).
    Object(Vec<(String, SharedValue)>),
    Array(Vec<SharedValue>),
}

impl Completed {
    pub(super) fn object() -> Self {
        Self::Object(Vec::new())
    }

    pub(super) fn array() -> Self {
        Self::Array(Vec::new())
    }

    /// The member is complete (its key, made only for an object's member: the map it is
    /// moved into needs it anyway); the one before it is settled ([`SharedValue::settle`]).
    pub(super) fn push(&mut self, key: impl FnOnce() -> String, value: SharedValue) {
        match self {
            Self::Object(members) => {
                if let Some((_, previous)) = members.last_mut() {
                    previous.settle();
                }
                members.push((key(), value));
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
}
