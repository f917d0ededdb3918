//! The request body for `POST /v1/messages` and `/v1/messages/count_tokens`, checked before
//! it is sent, and the betas it needs.

mod betas;
mod fields;
mod model_rules;
pub(crate) mod schema_rules;
mod standard_blocks;
mod turns;

use serde_json::{Map, Value};

use crate::error::{Error, RequestError};
use crate::messages::Message;
use crate::settings::ChatAnthropicConfig;

pub(crate) use betas::merged as merged_betas;
pub(crate) use turns::{to_conversation, Conversation, SystemPlacement};

/// The tool-related request fields as the API takes them (the chat model turns its bound
/// tools into these), so the request needs nothing from the tools above it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ToolFields {
    /// `tools`, each definition as sent.
    pub(crate) tools: Vec<Value>,
    /// `tool_choice`.
    pub(crate) tool_choice: Option<Value>,
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

/// Builds the JSON body: the model's rules checked first, settings sent only when set,
/// `model_kwargs` merged last, and the tools checked as they will be sent.
pub(crate) fn body(
    config: &ChatAnthropicConfig,
    tools: &ToolFields,
    messages: Vec<Message>,
    endpoint: Endpoint,
) -> Result<Value, Error> {
    model_rules::check(config, tools.tool_choice.as_ref())?;
    let conversation = to_conversation(messages, system_placement(config))?;
    if conversation.turns.is_empty() {
        return Err(RequestError::NoMessages.into());
    }
    let mut body = Map::new();
    fields::conversation(&mut body, &config.model, conversation)?;
    fields::tools(&mut body, tools);
    fields::shared_settings(&mut body, config)?;
    if endpoint == Endpoint::Stream {
        fields::generation_settings(&mut body, config)?;
    }
    fields::model_kwargs(&mut body, &config.model_kwargs);
    check_tools(&body)?;
    Ok(Value::Object(body))
}

/// Where the model takes later system messages, from its profile.
fn system_placement(config: &ChatAnthropicConfig) -> SystemPlacement<'_> {
    let profile = config.model_profile();
    SystemPlacement {
        model: &config.model,
        in_place: profile
            .as_ref()
            .is_some_and(|p| p.mid_conversation_system_messages),
        tool_changes: profile.as_ref().is_some_and(|p| p.mid_conversation_tools),
    }
}

/// The API's schema rules over the tools exactly as sent (`model_kwargs` included).
fn check_tools(body: &Map<String, Value>) -> Result<(), RequestError> {
    let Some(Value::Array(tools)) = body.get("tools") else {
        return Ok(());
    };
    schema_rules::check(tools).map_err(|broken| RequestError::ToolSchema {
        tool: broken.tool,
        rule: broken.rule,
    })
}
