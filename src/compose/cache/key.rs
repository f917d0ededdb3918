//! The cache key: what a model would send, hashed.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::entry::{hex, VERSION};
use crate::chat_model::ChatAnthropic;
use crate::compose::{WithConfig, WithRetry};
use crate::error::Error;
use crate::messages::Message;

/// A model whose replies can be cached: it tells what identifies a request, without sending
/// it. [`ChatAnthropic`] gives the request body it would send (messages, system, tools,
/// `max_tokens`, `temperature`, `thinking`, `model_kwargs`, …) and the settings outside the
/// body that change the reply (platform, base URL, betas), never a secret; the wrappers that
/// do not change the reply ([`WithRetry`], [`WithConfig`]) give their model's. A model made
/// of several (a [`WithFallbacks`](crate::compose::WithFallbacks)) has no one request: cache
/// each model in it (`primary.with_cache(store.clone())`, …, over one shared store).
pub trait CacheKeyed {
    /// What identifies the request `messages` would make; equal values, equal replies.
    /// An error is the request's own (no messages, a setting the model refuses): the call
    /// then goes to the model, which reports it.
    fn request_identity(&self, messages: &[Message]) -> Result<Value, Error>;
}

impl CacheKeyed for ChatAnthropic {
    fn request_identity(&self, messages: &[Message]) -> Result<Value, Error> {
        self.request_identity_json(messages.to_vec())
    }
}

impl<M: CacheKeyed> CacheKeyed for WithRetry<M> {
    fn request_identity(&self, messages: &[Message]) -> Result<Value, Error> {
        self.inner().request_identity(messages)
    }
}

impl<M: CacheKeyed> CacheKeyed for WithConfig<M> {
    fn request_identity(&self, messages: &[Message]) -> Result<Value, Error> {
        self.inner().request_identity(messages)
    }
}

/// The key of `identity` in `namespace`: SHA-256 (hex) of their canonical JSON (object keys
/// sorted, no spaces), with the entry format's version.
pub(super) fn key(namespace: &str, identity: &Value) -> String {
    let material = serde_json::json!({
        "format_version": VERSION,
        "namespace": namespace,
        "request": canonical(identity),
    });
    let bytes = serde_json::to_vec(&material).expect("JSON values serialize");
    hex(&Sha256::digest(&bytes))
}

/// `value` with every object's keys in sorted order (the crate's maps keep insertion order).
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let sorted: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), canonical(&map[k])))
                .collect();
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_key_ignores_key_order_and_sees_every_value() {
        let a = key(
            "",
            &json!({"model": "m", "temperature": 0.0, "tools": [{"b": 1, "a": 2}]}),
        );
        let b = key(
            "",
            &json!({"tools": [{"a": 2, "b": 1}], "temperature": 0.0, "model": "m"}),
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        let warmer = key(
            "",
            &json!({"model": "m", "temperature": 0.5, "tools": [{"b": 1, "a": 2}]}),
        );
        assert_ne!(a, warmer);
        let elsewhere = key(
            "tenant-2",
            &json!({"model": "m", "temperature": 0.0, "tools": [{"b": 1, "a": 2}]}),
        );
        assert_ne!(a, elsewhere);
    }

    #[test]
    fn the_key_leaves_out_the_api_key() {
        let messages = crate::messages::IntoMessages::into_messages("Hi").unwrap();
        let one = ChatAnthropic::new("claude-sonnet-4-6")
            .api_key("sk-one")
            .max_tokens(100);
        let two = one.clone().api_key("sk-two");
        let identity = one.request_identity(&messages).unwrap();
        assert_eq!(identity, two.request_identity(&messages).unwrap());
        assert!(!identity.to_string().contains("sk-one"));
        let other = one
            .clone()
            .max_tokens(200)
            .request_identity(&messages)
            .unwrap();
        assert_ne!(key("", &identity), key("", &other));
    }
}
