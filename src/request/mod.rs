//! The request body for `POST /v1/messages` and `/v1/messages/count_tokens`.

mod model_rules;
mod standard_blocks;
mod turns;

use serde_json::{Map, Value};

use crate::chat_model::ChatAnthropicConfig;
use crate::error::{ConfigReason, Error};
use crate::messages::Message;
use crate::tools::{ToolChoice, ToolDefinition};

pub(crate) use turns::{to_conversation, Conversation};

/// Tool-related request fields (set by `bind_tools` and structured output).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ToolFields {
    pub(crate) tools: Vec<ToolDefinition>,
    pub(crate) tool_choice: Option<ToolChoice>,
    /// `output_config.format` for native structured output.
    pub(crate) output_format: Option<Value>,
}

/// Which endpoint the body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `POST /v1/messages` with `stream: true`.
    Stream,
    /// `POST /v1/messages/count_tokens` (no generation settings).
    CountTokens,
}

/// Builds the JSON body: settings sent only when set, model rules checked first,
/// `model_kwargs` merged last.
pub(crate) fn body(
    config: &ChatAnthropicConfig,
    tools: &ToolFields,
    messages: Vec<Message>,
    endpoint: Endpoint,
) -> Result<Value, Error> {
    model_rules::check(config)?;
    let Conversation { system, turns } = to_conversation(messages)?;
    if turns.is_empty() {
        return Err(Error::config(
            ConfigReason::InvalidInput,
            "no messages to send: give at least one human message",
        ));
    }
    let mut body = Map::new();
    let mut put = |key: &str, value: Value| {
        body.insert(key.to_owned(), value);
    };
    put("model", Value::from(config.model.clone()));
    put("messages", serde_json::to_value(turns).map_err(to_config)?);
    if let Some(system) = system {
        put("system", serde_json::to_value(system).map_err(to_config)?);
    }
    if !tools.tools.is_empty() {
        put(
            "tools",
            tools.tools.iter().map(ToolDefinition::to_json).collect(),
        );
    }
    if let Some(choice) = &tools.tool_choice {
        put(
            "tool_choice",
            serde_json::to_value(choice).map_err(to_config)?,
        );
    }
    if let Some(format) = &tools.output_format {
        put("output_config", serde_json::json!({ "format": format }));
    }
    if let Some(cache_control) = &config.cache_control {
        put(
            "cache_control",
            serde_json::to_value(cache_control).map_err(to_config)?,
        );
    }
    if let Some(thinking) = &config.thinking {
        put(
            "thinking",
            serde_json::to_value(thinking).map_err(to_config)?,
        );
    }
    if endpoint == Endpoint::Stream {
        put("max_tokens", Value::from(config.max_tokens));
        put("stream", Value::Bool(true));
        if let Some(t) = config.temperature {
            put("temperature", Value::from(t));
        }
        if let Some(k) = config.top_k {
            put("top_k", Value::from(k));
        }
        if let Some(p) = config.top_p {
            put("top_p", Value::from(p));
        }
        if !config.stop_sequences.is_empty() {
            put("stop_sequences", Value::from(config.stop_sequences.clone()));
        }
        if let Some(metadata) = &config.metadata {
            put("metadata", metadata.clone());
        }
    }
    for (key, value) in &config.model_kwargs {
        // An object meets an object field member by member (e.g. `output_config.effort` from
        // the kwargs next to `output_config.format` from structured output).
        match (body.get_mut(key), value) {
            (Some(Value::Object(field)), Value::Object(extra)) => {
                field.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            _ => {
                body.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(Value::Object(body))
}

fn to_config(err: serde_json::Error) -> Error {
    Error::config(
        ConfigReason::Encoding,
        format!("could not serialize the request: {err}"),
    )
}
