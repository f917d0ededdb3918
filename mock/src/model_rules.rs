//! What each model accepts, as the API enforces it: sampling parameters, `max_tokens`,
//! effort levels, thinking modes, forced `tool_choice` and system turns inside `messages`,
//! from a table of the mock's own (the models' documented limits: Anthropic's models
//! overview, extended and adaptive thinking, effort and tool-use pages). A model the table
//! does not list is not checked here.

use serde_json::{Map, Value};

use super::models::canonical;
use super::validate::{invalid, Refusal};

/// What one model family accepts.
struct Limits {
    /// The most output tokens (`max_tokens` above it is refused).
    max_output: u64,
    /// `output_config.effort` levels (empty: none accepted).
    efforts: &'static [&'static str],
    /// `thinking.type` values accepted.
    thinking: &'static [&'static str],
    /// `temperature`, `top_k` and `top_p`.
    sampling: bool,
    /// `tool_choice` of type `any` or `tool`.
    forced_tool_choice: bool,
    /// `role: "system"` turns inside `messages`, and tool changes in them.
    system_turns: bool,
}

const OFF: &[&str] = &["disabled"];
const BUDGET: &[&str] = &["enabled", "disabled"];
const ADAPTIVE: &[&str] = &["enabled", "adaptive", "disabled"];
const EVERY_MODE: &[&str] = &["enabled", "adaptive", "between_tools", "disabled"];
const NO_EFFORT: &[&str] = &[];
const THREE: &[&str] = &["low", "medium", "high"];
const TO_MAX: &[&str] = &["low", "medium", "high", "max"];
const ALL_EFFORTS: &[&str] = &["low", "medium", "high", "xhigh", "max"];

const fn limits(
    max_output: u64,
    thinking: &'static [&'static str],
    efforts: &'static [&'static str],
) -> Limits {
    Limits {
        max_output,
        efforts,
        thinking,
        sampling: true,
        forced_tool_choice: true,
        system_turns: false,
    }
}

const fn with_system_turns(mut limits: Limits) -> Limits {
    limits.system_turns = true;
    limits
}

/// The families, by the API's name without a date. `*` ends a name that also covers its
/// later point releases (`claude-fable-5` covers `claude-fable-5-1`).
#[rustfmt::skip]
const TABLE: &[(&str, Limits)] = &[
    ("claude-3-haiku", limits(4_096, OFF, NO_EFFORT)),
    ("claude-3-opus", limits(4_096, OFF, NO_EFFORT)),
    ("claude-3-5-haiku", limits(8_192, OFF, NO_EFFORT)),
    ("claude-3-5-sonnet", limits(8_192, OFF, NO_EFFORT)),
    ("claude-3-7-sonnet", limits(64_000, BUDGET, NO_EFFORT)),
    ("claude-sonnet-4", limits(64_000, BUDGET, NO_EFFORT)),
    ("claude-opus-4", limits(32_000, BUDGET, NO_EFFORT)),
    ("claude-opus-4-1", limits(32_000, BUDGET, NO_EFFORT)),
    ("claude-sonnet-4-5", limits(64_000, BUDGET, NO_EFFORT)),
    ("claude-haiku-4-5", limits(64_000, BUDGET, NO_EFFORT)),
    ("claude-opus-4-5", limits(64_000, BUDGET, THREE)),
    ("claude-opus-4-6", limits(128_000, ADAPTIVE, TO_MAX)),
    ("claude-sonnet-4-6", limits(128_000, ADAPTIVE, TO_MAX)),
    ("claude-opus-4-7", limits(128_000, ADAPTIVE, ALL_EFFORTS)),
    ("claude-opus-4-8", with_system_turns(limits(128_000, EVERY_MODE, ALL_EFFORTS))),
    ("claude-sonnet-5", with_system_turns(limits(128_000, EVERY_MODE, ALL_EFFORTS))),
    ("claude-haiku-5-5", with_system_turns(limits(64_000, EVERY_MODE, ALL_EFFORTS))),
    ("claude-fable-5*", Limits {
        max_output: 128_000,
        efforts: ALL_EFFORTS,
        thinking: &["enabled", "adaptive", "between_tools"],
        sampling: false,
        forced_tool_choice: true,
        system_turns: true,
    }),
    ("claude-sonnet-5-5*", Limits {
        max_output: 128_000,
        efforts: THREE,
        thinking: &["between_tools"],
        sampling: false,
        forced_tool_choice: false,
        system_turns: true,
    }),
];

/// The limits of `model` (any platform's spelling, dated or not, or an alias).
fn limits_of(model: &str) -> Option<&'static Limits> {
    let mut name = canonical(model);
    for suffix in ["-latest", "-0"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_owned();
        }
    }
    if let Some((stem, date)) = name.rsplit_once('-') {
        if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
            name = stem.to_owned();
        }
    }
    let exact = TABLE
        .iter()
        .find(|(id, _)| id.strip_suffix('*').unwrap_or(id) == name);
    // A later point release of a family whose name ends in `*`: the longest such family.
    let later = || {
        TABLE
            .iter()
            .filter(|(id, _)| {
                id.strip_suffix('*').is_some_and(|family| {
                    name.strip_prefix(family)
                        .is_some_and(|rest| rest.starts_with('-'))
                })
            })
            .max_by_key(|(id, _)| id.len())
    };
    exact.or_else(later).map(|(_, limits)| limits)
}

/// The per-model checks over a body that passed the generic ones.
pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    let model = body["model"].as_str().unwrap_or_default();
    let Some(limits) = limits_of(model) else {
        return Ok(());
    };
    if !limits.sampling {
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
    if let Some(n) = max_tokens {
        let limit = limits.max_output;
        if n > limit {
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
        if !limits.efforts.contains(&effort) {
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
        if !limits.thinking.contains(&mode) {
            return Err(invalid(format!(
                "thinking.type: '{mode}' is not supported by {model}"
            )));
        }
    }
    let choice = body
        .get("tool_choice")
        .and_then(|c| c.get("type"))
        .and_then(Value::as_str);
    if let Some(forced @ ("any" | "tool")) = choice.filter(|_| !limits.forced_tool_choice) {
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
    // Only the models documented to take them do; the rest answer as the API's older models.
    let system_turns = limits_of(model).is_some_and(|limits| limits.system_turns);
    if !system_turns {
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
    if changes_tools && !system_turns {
        return Err(invalid(format!(
            "messages.{i}.content: tool changes in a `system` message are not supported by {model}"
        )));
    }
    Ok(())
}
