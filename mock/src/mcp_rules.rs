//! The MCP connector's request rules (beta `mcp-client-2025-11-20`), as Anthropic's MCP
//! connector documentation states them: `mcp_servers` defines the servers (`type: "url"`, a
//! `url`, a unique `name`, an optional `authorization_token`), and `tools` holds one
//! `mcp_toolset` per server (`mcp_server_name` naming it, optional `default_config` and
//! per-tool `configs` of `enabled` / `defer_loading`, optional `cache_control`). Every server
//! must be named by exactly one toolset, and every toolset must name a defined server.

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};

pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    let servers: &[Value] = match body.get("mcp_servers") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(servers)) => servers,
        Some(_) => return Err(invalid("mcp_servers: Input should be a valid list")),
    };
    let mut names: Vec<&str> = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        if server.get("type").and_then(Value::as_str) != Some("url") {
            return Err(invalid(format!(
                "mcp_servers.{i}.type: Input should be 'url'"
            )));
        }
        if !server.get("url").is_some_and(Value::is_string) {
            return Err(invalid(format!("mcp_servers.{i}.url: Field required")));
        }
        let Some(name) = server.get("name").and_then(Value::as_str) else {
            return Err(invalid(format!("mcp_servers.{i}.name: Field required")));
        };
        if names.contains(&name) {
            return Err(invalid(format!(
                "mcp_servers.{i}.name: MCP server names must be unique; '{name}' is defined twice"
            )));
        }
        names.push(name);
    }
    let tools = body.get("tools").and_then(Value::as_array);
    let mut named: Vec<&str> = Vec::new();
    for (i, tool) in tools.into_iter().flatten().enumerate() {
        if tool.get("type").and_then(Value::as_str) != Some("mcp_toolset") {
            continue;
        }
        let Some(server) = tool.get("mcp_server_name").and_then(Value::as_str) else {
            return Err(invalid(format!(
                "tools.{i}.mcp_toolset.mcp_server_name: Field required"
            )));
        };
        if !names.contains(&server) {
            return Err(invalid(format!(
                "tools.{i}.mcp_toolset.mcp_server_name: MCP server '{server}' is not defined in mcp_servers"
            )));
        }
        if named.contains(&server) {
            return Err(invalid(format!(
                "tools.{i}.mcp_toolset: MCP server '{server}' is referenced by more than one mcp_toolset"
            )));
        }
        named.push(server);
        if let Some(config) = tool.get("default_config") {
            tool_config(config, &format!("tools.{i}.mcp_toolset.default_config"))?;
        }
        match tool.get("configs") {
            None | Some(Value::Null) => {}
            Some(Value::Object(configs)) => {
                for (name, config) in configs {
                    tool_config(config, &format!("tools.{i}.mcp_toolset.configs.{name}"))?;
                }
            }
            Some(_) => {
                return Err(invalid(format!(
                    "tools.{i}.mcp_toolset.configs: Input should be a valid dictionary"
                )))
            }
        }
    }
    if let Some(unused) = names.iter().find(|name| !named.contains(name)) {
        return Err(invalid(format!(
            "mcp_servers: MCP server '{unused}' must be referenced by exactly one mcp_toolset in tools"
        )));
    }
    Ok(())
}

/// `{"enabled"?: bool, "defer_loading"?: bool}`.
fn tool_config(config: &Value, path: &str) -> Result<(), Refusal> {
    let Some(config) = config.as_object() else {
        return Err(invalid(format!(
            "{path}: Input should be a valid dictionary"
        )));
    };
    for key in ["enabled", "defer_loading"] {
        if config.get(key).is_some_and(|v| !v.is_boolean()) {
            return Err(invalid(format!(
                "{path}.{key}: Input should be a valid boolean"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check_json(body: Value) -> Result<(), String> {
        check(body.as_object().unwrap()).map_err(|r| r.message)
    }

    fn server(name: &str) -> Value {
        json!({"type": "url", "url": "https://mcp.example.com/mcp", "name": name})
    }

    #[test]
    fn a_server_and_its_toolset_pass() {
        let body = json!({
            "mcp_servers": [server("docs")],
            "tools": [
                {"name": "w", "input_schema": {"type": "object"}},
                {"type": "mcp_toolset", "mcp_server_name": "docs",
                 "default_config": {"enabled": false}, "configs": {"search": {"enabled": true, "defer_loading": true}}}
            ]
        });
        assert_eq!(check_json(body), Ok(()));
        assert_eq!(check_json(json!({"messages": []})), Ok(()));
    }

    #[test]
    fn every_server_needs_exactly_one_toolset_naming_a_defined_server() {
        let unused = check_json(json!({"mcp_servers": [server("docs")]})).unwrap_err();
        assert!(
            unused.contains("'docs' must be referenced by exactly one mcp_toolset"),
            "{unused}"
        );
        let unknown = check_json(json!({
            "mcp_servers": [server("docs")],
            "tools": [{"type": "mcp_toolset", "mcp_server_name": "wiki"}]
        }))
        .unwrap_err();
        assert!(
            unknown.starts_with("tools.0.mcp_toolset.mcp_server_name"),
            "{unknown}"
        );
        let twice = check_json(json!({
            "mcp_servers": [server("docs")],
            "tools": [{"type": "mcp_toolset", "mcp_server_name": "docs"}, {"type": "mcp_toolset", "mcp_server_name": "docs"}]
        }))
        .unwrap_err();
        assert!(twice.contains("more than one"), "{twice}");
        let duplicate = check_json(json!({"mcp_servers": [server("a"), server("a")]})).unwrap_err();
        assert!(duplicate.contains("unique"), "{duplicate}");
        let bad_flag = check_json(json!({
            "mcp_servers": [server("docs")],
            "tools": [{"type": "mcp_toolset", "mcp_server_name": "docs", "configs": {"x": {"enabled": "yes"}}}]
        }))
        .unwrap_err();
        assert_eq!(
            bad_flag,
            "tools.0.mcp_toolset.configs.x.enabled: Input should be a valid boolean"
        );
    }
}
