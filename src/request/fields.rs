//! The body's fields, one group per function: the conversation, the tools, the settings both
//! endpoints take, those only generation takes, and `model_kwargs` over all of them.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Conversation, ToolFields};
use crate::error::RequestError;
use crate::settings::ChatAnthropicConfig;

type Body = Map<String, Value>;

fn to_json(value: &impl Serialize) -> Result<Value, RequestError> {
    serde_json::to_value(value).map_err(|err| RequestError::Serialize(err.to_string()))
}

fn put(body: &mut Body, key: &str, value: Value) {
    body.insert(key.to_owned(), value);
}

/// `model`, `messages` and `system`.
pub(super) fn conversation(
    body: &mut Body,
    model: &str,
    Conversation { system, turns }: Conversation,
) -> Result<(), RequestError> {
    put(body, "model", Value::from(model));
    put(body, "messages", to_json(&turns)?);
    if let Some(system) = system {
        put(body, "system", to_json(&system)?);
    }
    Ok(())
}

/// `tools`, `tool_choice` and `output_config.format`.
pub(super) fn tools(body: &mut Body, tools: &ToolFields) {
    if !tools.tools.is_empty() {
        put(body, "tools", Value::Array(tools.tools.clone()));
    }
    if let Some(choice) = &tools.tool_choice {
        put(body, "tool_choice", choice.clone());
    }
    if let Some(format) = &tools.output_format {
        output_config(body).insert("format".into(), format.clone());
    }
}

/// The settings token counting takes too: `cache_control`, `thinking`,
/// `output_config.effort`, `context_management`, `mcp_servers`, `speed`.
pub(super) fn shared_settings(
    body: &mut Body,
    config: &ChatAnthropicConfig,
) -> Result<(), RequestError> {
    if let Some(cache_control) = &config.cache_control {
        put(body, "cache_control", to_json(cache_control)?);
    }
    if let Some(thinking) = &config.thinking {
        put(body, "thinking", to_json(thinking)?);
    }
    if let Some(effort) = config.effort {
        output_config(body).insert("effort".into(), Value::from(effort.as_str()));
    }
    if let Some(context_management) = &config.context_management {
        put(body, "context_management", to_json(context_management)?);
    }
    if !config.mcp_servers.is_empty() {
        put(body, "mcp_servers", to_json(&config.mcp_servers)?);
    }
    if let Some(speed) = &config.speed {
        put(body, "speed", to_json(speed)?);
    }
    Ok(())
}

/// The settings only generation takes: `max_tokens`, `stream`, sampling, stops, `metadata`,
/// `container`, `inference_geo`, `service_tier`.
pub(super) fn generation_settings(
    body: &mut Body,
    config: &ChatAnthropicConfig,
) -> Result<(), RequestError> {
    put(
        body,
        "max_tokens",
        Value::from(config.effective_max_tokens()),
    );
    put(body, "stream", Value::Bool(true));
    if let Some(t) = config.temperature {
        put(body, "temperature", Value::from(t));
    }
    if let Some(k) = config.top_k {
        put(body, "top_k", Value::from(k));
    }
    if let Some(p) = config.top_p {
        put(body, "top_p", Value::from(p));
    }
    if !config.stop_sequences.is_empty() {
        put(
            body,
            "stop_sequences",
            Value::from(config.stop_sequences.clone()),
        );
    }
    if let Some(metadata) = &config.metadata {
        put(body, "metadata", metadata.clone());
    }
    if let Some(container) = &config.container {
        put(body, "container", to_json(container)?);
    }
    if let Some(geo) = &config.inference_geo {
        put(body, "inference_geo", Value::from(geo.clone()));
    }
    if let Some(tier) = &config.service_tier {
        put(body, "service_tier", to_json(tier)?);
    }
    Ok(())
}

/// `model_kwargs` last: an object meets an object field member by member (e.g.
/// `output_config.effort` from the kwargs next to `output_config.format` from structured
/// output); anything else replaces the field.
pub(super) fn model_kwargs(body: &mut Body, kwargs: &Map<String, Value>) {
    for (key, value) in kwargs {
        match (body.get_mut(key), value) {
            (Some(Value::Object(field)), Value::Object(extra)) => {
                field.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                body.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The `output_config` object, created on first use.
fn output_config(body: &mut Body) -> &mut Map<String, Value> {
    let entry = body
        .entry("output_config")
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("made an object above")
}
