//! Beta features need their `anthropic-beta` value (Bedrock: `anthropic_beta` in the body),
//! as the API requires; without it the API does not know the field. The beta names are those
//! Anthropic's documentation and official SDKs give for each feature.

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};
use super::RecordedRequest;

/// Top-level fields that only exist under a beta, with its name.
const FIELD_BETAS: &[(&str, &str)] = &[
    ("context_management", "context-management-2025-06-27"),
    ("mcp_servers", MCP_CLIENT),
    ("speed", "fast-mode-2026-02-01"),
];
/// The MCP connector: `mcp_servers`, and an `mcp_toolset` in `tools`.
const MCP_CLIENT: &str = "mcp-client-2025-11-20";
/// A `container` object (skills) rather than a container id.
const SKILLS: &str = "skills-2025-10-02";
/// `tool_addition` / `tool_removal` blocks in a system turn.
const TOOL_CHANGES: &str = "mid-conversation-tool-changes-2026-07-01";
/// A `tool_addition` that defines its tool inline rather than naming a bound one.
const INLINE_TOOLS: &str = "inline-tools-2026-09-15";

pub(super) fn check(
    body: Map<String, Value>,
    request: &RecordedRequest,
) -> Result<Map<String, Value>, Refusal> {
    let from_header = request
        .headers
        .get("anthropic-beta")
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim);
    let from_body = request
        .body
        .get("anthropic_beta")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    let given: Vec<&str> = from_header.chain(from_body).collect();
    match needed(&body)
        .into_iter()
        .find(|(beta, _)| !given.contains(beta))
    {
        Some((beta, path)) => Err(invalid(format!(
            "{path}: Extra inputs are not permitted (this feature needs the `anthropic-beta: {beta}` header)"
        ))),
        None => Ok(body),
    }
}

/// The betas the body's fields need, in the order the fields appear, each with the first part
/// of the body that needs it.
fn needed(body: &Map<String, Value>) -> Vec<(&'static str, String)> {
    let mut needed = Vec::new();
    for (field, beta) in FIELD_BETAS {
        if body.get(*field).is_some_and(|v| !v.is_null()) {
            needed.push((*beta, (*field).to_owned()));
        }
    }
    let tools = body.get("tools").and_then(Value::as_array);
    for (i, tool) in tools.into_iter().flatten().enumerate() {
        if tool.get("type").and_then(Value::as_str) == Some("mcp_toolset") {
            needed.push((MCP_CLIENT, format!("tools.{i}")));
        }
    }
    if body.get("container").is_some_and(Value::is_object) {
        needed.push((SKILLS, "container".to_owned()));
    }
    let messages = body.get("messages").and_then(Value::as_array);
    for (i, message) in messages.into_iter().flatten().enumerate() {
        if message.get("role").and_then(Value::as_str) != Some("system") {
            continue;
        }
        let blocks = message.get("content").and_then(Value::as_array);
        for (j, block) in blocks.into_iter().flatten().enumerate() {
            let kind = block.get("type").and_then(Value::as_str);
            if matches!(kind, Some("tool_addition" | "tool_removal")) {
                needed.push((TOOL_CHANGES, format!("messages.{i}.content.{j}")));
            }
            let inline =
                block.pointer("/tool/type").and_then(Value::as_str) != Some("tool_reference");
            if kind == Some("tool_addition") && inline {
                needed.push((INLINE_TOOLS, format!("messages.{i}.content.{j}.tool")));
            }
        }
    }
    needed
}
