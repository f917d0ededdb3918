//! What each model accepts, as the API enforces it: the model's [`ModelProfile`] decides
//! sampling parameters, `max_tokens`, effort levels, thinking modes, forced `tool_choice`
//! and system turns inside `messages`. A model without a profile is not checked here.

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};
use crate::settings::ModelProfile;

/// The per-model checks over a body that passed the generic ones.
pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    let model = body["model"].as_str().unwrap_or_default();
    let Some(profile) = ModelProfile::for_model(model) else {
        return Ok(());
    };
    if !profile.temperature {
        if let Some(field) = ["temperature", "top_k", "top_p"]
            .into_iter()
            .find(|field| body.contains_key(*field))
        {
            return Err(invalid(format!(
                "{field}: `{field}` is not supported by {model}; omit it"
            )));
        }
    }
    let max_tokens = body.get("max_tokens").and_then(Value::as_u64);
    if let (Some(n), Some(limit)) = (max_tokens, profile.max_output_tokens) {
        if n > u64::from(limit) {
            return Err(invalid(format!(
                "max_tokens: {n} > {limit}, which is the maximum allowed number of output tokens for {model}"
            )));
        }
    }
    if let Some(effort) = body
        .get("output_config")
        .and_then(|c| c.get("effort"))
        .and_then(Value::as_str)
    {
        if !profile.effort_levels.iter().any(|e| e.as_str() == effort) {
            return Err(invalid(format!(
                "output_config.effort: '{effort}' is not supported by {model}"
            )));
        }
    }
    if let Some(mode) = body
        .get("thinking")
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
    {
        if !profile.thinking_modes.iter().any(|m| m.as_str() == mode) {
            return Err(invalid(format!(
                "thinking.type: '{mode}' is not supported by {model}"
            )));
        }
    }
    let choice = body
        .get("tool_choice")
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str);
    if let Some(forced @ ("any" | "tool")) = choice.filter(|_| !profile.tool_choice) {
        return Err(invalid(format!(
            "tool_choice.type: '{forced}' is not supported by {model}; use 'auto' or 'none'"
        )));
    }
    Ok(())
}

/// Whether the system turn at `messages[i]` is accepted: on models that take system turns
/// in place, after a user or system turn or an assistant turn ending in a server tool's
/// result; tool changes only on models that take those too.
pub(super) fn system_turn(model: &str, messages: &[Value], i: usize) -> Result<(), Refusal> {
    let profile = ModelProfile::for_model(model).unwrap_or_default();
    if !profile.mid_conversation_system_messages {
        return Err(invalid(format!(
            "messages.{i}.role: Input should be 'user' or 'assistant'; system prompts go in the top-level `system` field"
        )));
    }
    let previous = i.checked_sub(1).map(|p| &messages[p]);
    let after = previous.and_then(|p| p.get("role")).and_then(Value::as_str);
    let ends_in_server_result = previous
        .and_then(|p| p.get("content"))
        .and_then(Value::as_array)
        .and_then(|blocks| blocks.last())
        .and_then(|block| block.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|kind| kind.ends_with("_tool_result") && kind != "tool_result");
    let placed = match after {
        Some("user" | "system") => true,
        Some("assistant") => ends_in_server_result,
        _ => false,
    };
    if !placed {
        return Err(invalid(format!(
            "messages.{i}: a `system` message must follow a `user` message, or an `assistant` message ending in a server tool result"
        )));
    }
    let changes_tools = messages[i]
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|b| {
            matches!(
                b.get("type").and_then(Value::as_str),
                Some("tool_addition" | "tool_removal")
            )
        });
    if changes_tools && !profile.mid_conversation_tools {
        return Err(invalid(format!(
            "messages.{i}.content: tool changes in a `system` message are not supported by {model}"
        )));
    }
    Ok(())
}
