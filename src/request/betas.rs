//! The `anthropic-beta` values a request body needs, read off the body itself (so a feature
//! set through `model_kwargs` gets its beta too), merged with the caller's own. The names are
//! the official SDK's.

use serde_json::{Map, Value};

/// `context_management`.
pub(crate) const CONTEXT_MANAGEMENT: &str = "context-management-2025-06-27";
/// The compaction edit of `context_management` (`compact_20260112`): server-side compaction.
pub(crate) const COMPACT: &str = "compact-2026-01-12";
/// `mcp_servers`, and the `mcp_toolset` entries of `tools` that name them.
pub(crate) const MCP_CLIENT: &str = "mcp-client-2025-11-20";
/// `speed`.
pub(crate) const FAST_MODE: &str = "fast-mode-2026-02-01";
/// `fallbacks` (server-side fallback to other models when the requested one refuses).
pub(crate) const SERVER_SIDE_FALLBACK: &str = "server-side-fallback-2026-06-01";
/// `container` with skills.
pub(crate) const SKILLS: &str = "skills-2025-10-02";
/// `tool_addition` / `tool_removal` blocks in a system turn.
pub(crate) const MID_CONVERSATION_TOOL_CHANGES: &str = "mid-conversation-tool-changes-2026-07-01";
/// A `tool_addition` that defines its tool inline (rather than referring to a bound one).
pub(crate) const INLINE_TOOLS: &str = "inline-tools-2026-09-15";

/// A beta the body needs, and the part of the body that needs it (as the API names it in
/// an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequiredBeta {
    pub(crate) beta: &'static str,
    pub(crate) path: String,
}

/// Every beta the body needs, in the order its fields appear, once each.
pub(crate) fn required(body: &Map<String, Value>) -> Vec<RequiredBeta> {
    let mut needed: Vec<RequiredBeta> = Vec::new();
    let mut need = |beta: &'static str, path: String| {
        if !needed.iter().any(|n| n.beta == beta) {
            needed.push(RequiredBeta { beta, path });
        }
    };
    for (field, beta) in [
        ("context_management", CONTEXT_MANAGEMENT),
        ("mcp_servers", MCP_CLIENT),
        ("speed", FAST_MODE),
        ("fallbacks", SERVER_SIDE_FALLBACK),
    ] {
        if body.get(field).is_some_and(|v| !v.is_null()) {
            need(beta, field.to_owned());
        }
    }
    let tools = body.get("tools").and_then(Value::as_array);
    for (i, tool) in tools.into_iter().flatten().enumerate() {
        if tool.get("type").and_then(Value::as_str) == Some("mcp_toolset") {
            need(MCP_CLIENT, format!("tools.{i}"));
        }
    }
    let edits = body
        .get("context_management")
        .and_then(|cm| cm.get("edits"))
        .and_then(Value::as_array);
    for (i, edit) in edits.into_iter().flatten().enumerate() {
        let kind = edit.get("type").and_then(Value::as_str).unwrap_or_default();
        if kind.starts_with("compact_") {
            need(COMPACT, format!("context_management.edits.{i}"));
        }
    }
    if body.get("container").is_some_and(Value::is_object) {
        need(SKILLS, "container".into());
    }
    let messages = body.get("messages").and_then(Value::as_array);
    for (i, message) in messages.into_iter().flatten().enumerate() {
        if message.get("role").and_then(Value::as_str) != Some("system") {
            continue;
        }
        let blocks = message.get("content").and_then(Value::as_array);
        for (j, block) in blocks.into_iter().flatten().enumerate() {
            let kind = block
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if matches!(kind, "tool_addition" | "tool_removal") {
                need(
                    MID_CONVERSATION_TOOL_CHANGES,
                    format!("messages.{i}.content.{j}"),
                );
            }
            let tool_kind = block.pointer("/tool/type").and_then(Value::as_str);
            if kind == "tool_addition" && tool_kind != Some("tool_reference") {
                need(INLINE_TOOLS, format!("messages.{i}.content.{j}.tool"));
            }
        }
    }
    needed
}

/// The caller's betas, then those the body needs, without repeats.
pub(crate) fn merged(own: &[String], body: &Map<String, Value>) -> Vec<String> {
    let mut betas: Vec<String> = Vec::new();
    let needed = required(body).into_iter().map(|r| r.beta.to_owned());
    for beta in own.iter().cloned().chain(needed) {
        if !betas.contains(&beta) {
            betas.push(beta);
        }
    }
    betas
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn features_bring_their_betas_merged_with_the_callers_once_each() {
        let b = body(json!({
            "context_management": {"edits": []},
            "mcp_servers": [{"type": "url", "name": "x", "url": "https://x"}],
            "speed": "fast",
            "container": {"skills": []},
            "messages": [{"role": "user", "content": "hi"}]
        }));
        let own = vec![
            MCP_CLIENT.to_owned(),
            "extra-beta".into(),
            "extra-beta".into(),
        ];
        assert_eq!(
            merged(&own, &b),
            [
                MCP_CLIENT,
                "extra-beta",
                CONTEXT_MANAGEMENT,
                FAST_MODE,
                SKILLS
            ]
        );
        let plain = body(json!({"container": "container_1", "messages": []}));
        assert!(required(&plain).is_empty(), "a container id needs no beta");
    }

    #[test]
    fn an_mcp_toolset_needs_the_mcp_client_beta_even_without_servers() {
        let b = body(json!({
            "tools": [
                {"name": "w", "input_schema": {"type": "object"}},
                {"type": "mcp_toolset", "mcp_server_name": "docs"}
            ],
            "messages": []
        }));
        assert_eq!(
            required(&b),
            [RequiredBeta {
                beta: MCP_CLIENT,
                path: "tools.1".into()
            }]
        );
        let both = body(json!({
            "mcp_servers": [{"type": "url", "name": "docs", "url": "https://x"}],
            "tools": [{"type": "mcp_toolset", "mcp_server_name": "docs"}]
        }));
        assert_eq!(merged(&[], &both), [MCP_CLIENT]);
    }

    #[test]
    fn the_compaction_edit_needs_the_compact_beta_too() {
        let b = body(json!({
            "context_management": {"edits": [
                {"type": "clear_tool_uses_20250919"},
                {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 150000}}
            ]},
            "messages": []
        }));
        assert_eq!(merged(&[], &b), [CONTEXT_MANAGEMENT, COMPACT]);
        let without =
            body(json!({"context_management": {"edits": [{"type": "clear_thinking_20251015"}]}}));
        assert_eq!(merged(&[], &without), [CONTEXT_MANAGEMENT]);
    }

    #[test]
    fn tool_changes_in_system_turns_need_their_betas() {
        let b = body(json!({"messages": [
            {"role": "user", "content": "hi"},
            {"role": "system", "content": [
                {"type": "tool_removal", "tool": {"type": "tool_reference", "name": "a"}},
                {"type": "tool_addition", "tool": {"name": "b", "input_schema": {"type": "object"}}}
            ]}
        ]}));
        let needed = required(&b);
        assert_eq!(
            needed,
            [
                RequiredBeta {
                    beta: MID_CONVERSATION_TOOL_CHANGES,
                    path: "messages.1.content.0".into()
                },
                RequiredBeta {
                    beta: INLINE_TOOLS,
                    path: "messages.1.content.1.tool".into()
                },
            ]
        );
    }
}
