//! The checks the real API makes before it generates anything, with its status codes and
//! `invalid_request_error` messages, so mistakes surface offline as they would live.

use serde_json::{Map, Value};

/// A refusal: status, error type, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refusal {
    pub(super) status: u16,
    pub(super) kind: String,
    pub(super) message: String,
}

pub(super) fn invalid(message: impl Into<String>) -> Refusal {
    Refusal {
        status: 400,
        kind: "invalid_request_error".into(),
        message: message.into(),
    }
}

/// Which endpoint the body is for: token counting takes no `max_tokens` and no `stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    Messages,
    CountTokens,
}

/// Headers: an API key (or bearer token) and a version.
pub(super) fn headers(get: impl Fn(&str) -> Option<String>) -> Result<(), Refusal> {
    if get("x-api-key").is_none() && get("authorization").is_none() {
        return Err(Refusal {
            status: 401,
            kind: "authentication_error".into(),
            message: "x-api-key header is required".into(),
        });
    }
    if get("anthropic-version").is_none() {
        return Err(invalid("anthropic-version: header is required"));
    }
    Ok(())
}

/// The body, as the API checks it.
pub(super) fn body(raw: &[u8], endpoint: Endpoint) -> Result<Map<String, Value>, Refusal> {
    let body: Value = serde_json::from_slice(raw).map_err(|e| {
        invalid(format!(
            "There was an error parsing the body of your request: {e}"
        ))
    })?;
    let Value::Object(body) = body else {
        return Err(invalid("The request body must be a JSON object"));
    };
    match body.get("model") {
        Some(Value::String(model)) if !model.is_empty() => {}
        Some(_) => return Err(invalid("model: Input should be a valid string")),
        None => return Err(invalid("model: Field required")),
    }
    let max_tokens = match (endpoint, body.get("max_tokens")) {
        (Endpoint::CountTokens, _) => None,
        (Endpoint::Messages, None) => return Err(invalid("max_tokens: Field required")),
        // 0 is valid: it only writes the prompt cache.
        (Endpoint::Messages, Some(value)) => match value.as_u64() {
            Some(n) => Some(n),
            _ => {
                return Err(invalid(
                    "max_tokens: Input should be a non-negative integer",
                ))
            }
        },
    };
    if endpoint == Endpoint::Messages && body.get("stream").is_some_and(|s| !s.is_boolean()) {
        return Err(invalid("stream: Input should be a valid boolean"));
    }
    system(body.get("system"))?;
    messages(
        body.get("messages"),
        body["model"].as_str().unwrap_or_default(),
    )?;
    sampling(&body)?;
    thinking(body.get("thinking"), max_tokens)?;
    tools(body.get("tools"))?;
    super::mcp_rules::check(&body)?;
    tool_choice(&body)?;
    output_config(body.get("output_config"))?;
    super::model_rules::check(&body)?;
    super::schema_rules::check(&body)?;
    Ok(body)
}

fn system(system: Option<&Value>) -> Result<(), Refusal> {
    match system {
        None | Some(Value::String(_)) => Ok(()),
        Some(Value::Array(blocks)) => blocks.iter().enumerate().try_for_each(|(i, block)| {
            match block.get("type").and_then(Value::as_str) {
                Some("text") if block.get("text").is_some_and(Value::is_string) => Ok(()),
                _ => Err(invalid(format!(
                    "system.{i}: system blocks must be text blocks"
                ))),
            }
        }),
        Some(_) => Err(invalid(
            "system: Input should be a valid string or list of text blocks",
        )),
    }
}

fn messages(messages: Option<&Value>, model: &str) -> Result<(), Refusal> {
    let messages = match messages {
        None => return Err(invalid("messages: Field required")),
        Some(Value::Array(messages)) => messages,
        Some(_) => return Err(invalid("messages: Input should be a valid list")),
    };
    if messages.is_empty() {
        return Err(invalid("messages: at least one message is required"));
    }
    let mut open_tool_uses: Vec<String> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str);
        let blocks = content_blocks(message.get("content"), i)?;
        super::content_check::media_blocks(&blocks, role.unwrap_or_default(), i)?;
        match role {
            Some("user") => {
                let results: Vec<&str> = blocks
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
                    .filter_map(|b| b.get("tool_use_id").and_then(Value::as_str))
                    .collect();
                if let Some(id) = results
                    .iter()
                    .find(|id| !open_tool_uses.iter().any(|o| o == *id))
                {
                    return Err(invalid(format!(
                        "messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                    )));
                }
                if let Some(missing) = open_tool_uses
                    .iter()
                    .find(|o| !results.contains(&o.as_str()))
                {
                    return Err(invalid(format!(
                        "messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {missing}. Each `tool_use` block must have a corresponding `tool_result` block in the next message."
                    )));
                }
                tool_results_in_place(&blocks, &open_tool_uses, i)?;
                open_tool_uses.clear();
            }
            Some("assistant") => {
                if !open_tool_uses.is_empty() {
                    return Err(invalid(format!(
                        "messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {}",
                        open_tool_uses.join(", ")
                    )));
                }
                if blocks
                    .iter()
                    .any(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
                {
                    return Err(invalid(format!(
                        "messages.{i}.content: `tool_result` blocks can only be in `user` messages"
                    )));
                }
                open_tool_uses = blocks
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
                    .filter_map(|b| b.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect();
            }
            Some("system") => super::model_rules::system_turn(model, messages, i)?,
            _ => {
                return Err(invalid(format!(
                    "messages.{i}.role: Input should be 'user' or 'assistant'"
                )))
            }
        }
    }
    if !open_tool_uses.is_empty() {
        // Ending on an assistant tool call is a prefill the API refuses.
        return Err(invalid(format!(
            "messages: `tool_use` ids were found without `tool_result` blocks immediately after: {}",
            open_tool_uses.join(", ")
        )));
    }
    Ok(())
}

/// The answers to the previous turn's tool calls open the user turn, one per call, in the
/// order of the calls.
fn tool_results_in_place(blocks: &[Value], calls: &[String], i: usize) -> Result<(), Refusal> {
    let leading = blocks
        .iter()
        .take_while(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
        .count();
    if leading < calls.len() {
        return Err(invalid(format!(
            "messages.{i}: Did not find {} tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks.",
            calls.len()
        )));
    }
    let answered: Vec<&str> = blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
        .filter_map(|b| b.get("tool_use_id").and_then(Value::as_str))
        .collect();
    for (j, id) in answered.iter().enumerate() {
        if answered[..j].contains(id) {
            return Err(invalid(format!(
                "messages.{i}.content.{j}: tool_use id {id} has more than one tool_result block"
            )));
        }
        if let Some(expected) = calls.get(j).filter(|expected| expected != id) {
            return Err(invalid(format!(
                "messages.{i}.content.{j}: tool_result blocks must follow the order of the tool_use blocks: expected {expected}, found {id}"
            )));
        }
    }
    Ok(())
}

/// Content as blocks, without checks: a string is one text block, anything but a list none.
pub(super) fn as_blocks(content: &Value) -> Vec<Value> {
    match content {
        Value::String(text) => vec![serde_json::json!({"type": "text", "text": text})],
        Value::Array(blocks) => blocks.clone(),
        _ => Vec::new(),
    }
}

/// A message's content as blocks (a string is one text block).
fn content_blocks(content: Option<&Value>, i: usize) -> Result<Vec<Value>, Refusal> {
    match content {
        Some(content @ Value::String(_)) => Ok(as_blocks(content)),
        Some(Value::Array(blocks)) => {
            for (j, block) in blocks.iter().enumerate() {
                if !block.get("type").is_some_and(Value::is_string) {
                    return Err(invalid(format!(
                        "messages.{i}.content.{j}.type: Field required"
                    )));
                }
                if block["type"] == "text" && !block.get("text").is_some_and(Value::is_string) {
                    return Err(invalid(format!(
                        "messages.{i}.content.{j}.text: Field required"
                    )));
                }
            }
            Ok(blocks.clone())
        }
        None => Err(invalid(format!("messages.{i}.content: Field required"))),
        Some(_) => Err(invalid(format!(
            "messages.{i}.content: Input should be a valid string or list of content blocks"
        ))),
    }
}

fn sampling(body: &Map<String, Value>) -> Result<(), Refusal> {
    for field in ["temperature", "top_p"] {
        if let Some(value) = body.get(field) {
            if !value.as_f64().is_some_and(|v| (0.0..=1.0).contains(&v)) {
                return Err(invalid(format!("{field}: range: 0..1")));
            }
        }
    }
    if let Some(top_k) = body.get("top_k") {
        if top_k.as_u64().is_none() {
            return Err(invalid("top_k: Input should be a non-negative integer"));
        }
    }
    if let Some(stops) = body.get("stop_sequences") {
        let all_strings = stops
            .as_array()
            .is_some_and(|s| s.iter().all(Value::is_string));
        if !all_strings {
            return Err(invalid(
                "stop_sequences: Input should be a valid list of strings",
            ));
        }
    }
    Ok(())
}

fn thinking(thinking: Option<&Value>, max_tokens: Option<u64>) -> Result<(), Refusal> {
    let Some(thinking) = thinking else {
        return Ok(());
    };
    match thinking.get("type").and_then(Value::as_str) {
        Some("enabled") => {
            let budget = thinking.get("budget_tokens").and_then(Value::as_u64);
            match (budget, max_tokens) {
                (None, _) => Err(invalid("thinking.enabled.budget_tokens: Field required")),
                (Some(b), _) if b < 1024 => Err(invalid(
                    "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
                )),
                (Some(b), Some(max)) if b >= max => Err(invalid(
                    "`max_tokens` must be greater than `thinking.budget_tokens`",
                )),
                _ => Ok(()),
            }
        }
        Some("adaptive" | "disabled" | "between_tools") => Ok(()),
        _ => Err(invalid(
            "thinking.type: Input should be 'enabled', 'adaptive', 'between_tools' or 'disabled'",
        )),
    }
}

fn tools(tools: Option<&Value>) -> Result<(), Refusal> {
    let Some(tools) = tools else {
        return Ok(());
    };
    let Some(tools) = tools.as_array() else {
        return Err(invalid("tools: Input should be a valid list"));
    };
    for (i, tool) in tools.iter().enumerate() {
        if tool.get("type").and_then(Value::as_str) == Some("mcp_toolset") {
            continue; // no name of its own: mcp_rules checks it
        }
        let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
        let name_ok = (1..=128).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(invalid(format!(
                "tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
            )));
        }
        let custom = matches!(
            tool.get("type").and_then(Value::as_str),
            None | Some("custom")
        );
        if custom && !tool.get("input_schema").is_some_and(Value::is_object) {
            return Err(invalid(format!(
                "tools.{i}.custom.input_schema: Field required"
            )));
        }
    }
    Ok(())
}

fn tool_choice(body: &Map<String, Value>) -> Result<(), Refusal> {
    let Some(choice) = body.get("tool_choice") else {
        return Ok(());
    };
    let tools = body.get("tools").and_then(Value::as_array);
    let kind = choice
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !["auto", "any", "tool", "none"].contains(&kind) {
        return Err(invalid(format!(
            "tool_choice: Input tag '{kind}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        )));
    }
    if tools.is_none_or(|tools| tools.is_empty()) && kind != "none" {
        return Err(invalid(
            "tool_choice may only be specified while providing tools.",
        ));
    }
    if kind == "tool" {
        let name = choice
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let known = tools
            .into_iter()
            .flatten()
            .any(|tool| tool.get("name").and_then(Value::as_str) == Some(name));
        if !known {
            return Err(invalid(format!(
                "tool_choice.tool.name: tool '{name}' is not among the provided tools"
            )));
        }
    }
    let thinking_on = body
        .get("thinking")
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| t != "disabled");
    if thinking_on && (kind == "any" || kind == "tool") {
        return Err(invalid(
            "Thinking may not be enabled when tool_choice forces tool use.",
        ));
    }
    Ok(())
}

fn output_config(config: Option<&Value>) -> Result<(), Refusal> {
    let Some(format) = config.and_then(|c| c.get("format")) else {
        return Ok(());
    };
    if format.get("type").and_then(Value::as_str) != Some("json_schema") {
        return Err(invalid(
            "output_config.format.type: Input should be 'json_schema'",
        ));
    }
    match format.get("schema") {
        Some(Value::Object(_)) => Ok(()),
        _ => Err(invalid("output_config.format.schema: Field required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Result<(), String> {
        super::body(body.to_string().as_bytes(), Endpoint::Messages)
            .map(drop)
            .map_err(|r| r.message)
    }

    fn base() -> Value {
        json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]})
    }

    #[test]
    fn accepts_a_plain_request() {
        check(base()).unwrap();
    }

    #[test]
    fn refuses_what_the_api_refuses() {
        let cases = [
            ("/max_tokens", Value::Null, "max_tokens: Field required"),
            ("/messages", json!([]), "at least one message"),
            (
                "/messages",
                json!([{"role": "system", "content": "x"}]),
                "top-level `system`",
            ),
            ("/temperature", json!(1.5), "temperature: range"),
            ("/stop_sequences", json!("stop"), "stop_sequences"),
            (
                "/thinking",
                json!({"type": "enabled", "budget_tokens": 512}),
                "1024",
            ),
            (
                "/thinking",
                json!({"type": "enabled", "budget_tokens": 2048}),
                "greater than",
            ),
            (
                "/tools",
                json!([{"name": "bad name", "input_schema": {}}]),
                "pattern",
            ),
            (
                "/tool_choice",
                json!({"type": "auto"}),
                "while providing tools",
            ),
            (
                "/output_config",
                json!({"format": {"type": "json_schema"}}),
                "schema: Field required",
            ),
        ];
        for (pointer, value, expected) in cases {
            let mut body = base();
            let field = &pointer[1..];
            if value.is_null() {
                body.as_object_mut().unwrap().remove(field);
            } else {
                body[field] = value;
            }
            let message = check(body).unwrap_err();
            assert!(message.contains(expected), "{pointer}: {message}");
        }
    }

    #[test]
    fn tool_results_must_answer_the_previous_tool_uses() {
        let mut body = base();
        body["messages"] = json!([
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "w", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "sunny"}]},
        ]);
        assert!(check(body.clone()).unwrap_err().contains("t2"));
        body["messages"][2]["content"][0]["tool_use_id"] = json!("t1");
        check(body).unwrap();
    }

    #[test]
    fn tool_results_open_the_next_turn_once_each_in_call_order() {
        let mut body = base();
        let result = |id: &str| json!({"type": "tool_result", "tool_use_id": id, "content": "ok"});
        let with_results = |body: &mut Value, content: Value| {
            body["messages"] = json!([
                {"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "t1", "name": "w", "input": {}},
                    {"type": "tool_use", "id": "t2", "name": "w", "input": {}}
                ]},
                {"role": "user", "content": content},
            ]);
        };
        with_results(
            &mut body,
            json!([result("t1"), result("t2"), {"type": "text", "text": "thanks"}]),
        );
        check(body.clone()).unwrap();
        with_results(&mut body, json!([result("t2"), result("t1")]));
        assert!(check(body.clone()).unwrap_err().contains("order"));
        with_results(
            &mut body,
            json!([{"type": "text", "text": "here"}, result("t1"), result("t2")]),
        );
        assert!(check(body.clone())
            .unwrap_err()
            .contains("at the beginning"));
        with_results(&mut body, json!([result("t1"), result("t2"), result("t1")]));
        assert!(check(body).unwrap_err().contains("more than one"));
    }

    #[test]
    fn tool_choice_must_name_a_bound_tool_and_not_force_tools_while_thinking() {
        let mut body = base();
        body["tools"] = json!([{"name": "w", "input_schema": {"type": "object"}}]);
        body["tool_choice"] = json!({"type": "tool", "name": "x"});
        assert!(check(body.clone()).unwrap_err().contains("'x'"));
        body["tool_choice"] = json!({"type": "tool", "name": "w"});
        check(body.clone()).unwrap();
        body["max_tokens"] = json!(4096);
        body["thinking"] = json!({"type": "enabled", "budget_tokens": 2048});
        assert!(check(body.clone()).unwrap_err().contains("forces tool use"));
        body["tool_choice"] = json!({"type": "auto"});
        check(body).unwrap();
    }

    #[test]
    fn headers_need_a_key_and_a_version() {
        let refusal = headers(|_| None).unwrap_err();
        assert_eq!(
            (refusal.status, refusal.kind.as_str()),
            (401, "authentication_error")
        );
        let refusal = headers(|name| (name == "x-api-key").then(|| "k".into())).unwrap_err();
        assert_eq!(refusal.status, 400);
    }
}
