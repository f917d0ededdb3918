//! Tool schemas the API refuses, with the messages it answers: the root of every custom
//! tool's `input_schema` is an object, and strict tools stay within what the strict-mode
//! grammar compiler takes. Written from Anthropic's structured-outputs documentation
//! ("Schema complexity limits") and from refusals recorded against the live API
//! (`tests/fixtures/recorded/`, whose messages are the ones below).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};

/// At most this many strict tools per request.
const STRICT_TOOLS: usize = 20;
/// At most this many optional parameters across a request's strict schemas.
const OPTIONAL_PARAMETERS: usize = 24;
/// At most this many parameters with union types across a request's strict schemas.
const UNION_PARAMETERS: usize = 16;

/// The compiler's internal limit on one schema, below the per-request limits: recorded, one
/// strict schema with 16 union-typed parameters is refused as too complex while 16 spread
/// over 16 tools compile, and likewise 24 optional parameters in one schema against 24 over
/// 12 tools. The documentation gives no figure ("features … interact with each other"), so
/// the mock draws the line at the recorded points.
const TOO_COMPLEX: &str =
    "Schema is too complex for compilation. Try reducing the number of tools or simplifying tool schemas.";

/// Checks `tools`, in the order the API answers: each schema's root, the number of strict
/// tools, the per-request parameter limits, then each strict schema's compilation.
pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    let Some(Value::Array(tools)) = body.get("tools") else {
        return Ok(());
    };
    let custom: Vec<(usize, &Value)> = tools
        .iter()
        .enumerate()
        .filter(|(_, tool)| {
            matches!(
                tool.get("type").and_then(Value::as_str),
                None | Some("custom")
            )
        })
        .filter_map(|(i, tool)| Some((i, tool.get("input_schema")?)))
        .collect();
    for &(i, schema) in &custom {
        root(i, schema)?;
    }
    let strict: Vec<(usize, &Value)> = custom
        .into_iter()
        .filter(|(i, _)| tools[*i].get("strict") == Some(&Value::Bool(true)))
        .collect();
    if strict.len() > STRICT_TOOLS {
        return Err(invalid(format!(
            "Too many strict tools ({}). The maximum number of strict tools supported is {STRICT_TOOLS}. Try reducing the number of tools marked as strict.",
            strict.len()
        )));
    }
    let counts: Vec<Counts> = strict
        .iter()
        .map(|(_, schema)| Counts::of(schema))
        .collect();
    let optional: usize = counts.iter().map(|c| c.optional).sum();
    if optional > OPTIONAL_PARAMETERS {
        return Err(invalid(format!(
            "Schemas contains too many optional parameters ({optional}), which would make grammar compilation inefficient. Reduce the number of optional parameters in your tool schemas (limit: {OPTIONAL_PARAMETERS})."
        )));
    }
    let unions: usize = counts.iter().map(|c| c.unions).sum();
    if unions > UNION_PARAMETERS {
        return Err(invalid(format!(
            "Schemas contains too many parameters with union types ({unions} parameters with type arrays or anyOf). This causes exponential compilation cost. Reduce the number of nullable or union-typed parameters (limit: {UNION_PARAMETERS} parameters with unions)."
        )));
    }
    for (&(i, schema), counts) in strict.iter().zip(&counts) {
        if counts.open_property {
            return Err(invalid(format!(
                "tools.{i}.custom: For 'object' type, property 'properties' is not supported"
            )));
        }
        if let Some(cycle) = cycle(schema) {
            return Err(invalid(format!(
                "tools.{i}.custom: Invalid schema: Circular reference detected in schema definitions: {}. Self-referencing or mutually-referencing definitions are not supported.",
                cycle.join(" -> ")
            )));
        }
        if counts.unions >= UNION_PARAMETERS || counts.optional >= OPTIONAL_PARAMETERS {
            return Err(invalid(TOO_COMPLEX));
        }
    }
    Ok(())
}

/// The root must be an object schema with `type: "object"` (a root `anyOf` or `$ref` has no
/// `type`, and is refused for it).
fn root(i: usize, schema: &Value) -> Result<(), Refusal> {
    let Value::Object(schema) = schema else {
        return Err(invalid(format!(
            "tools.{i}.custom.input_schema: Input does not match the expected shape."
        )));
    };
    match schema.get("type") {
        Some(Value::String(kind)) if kind == "object" => Ok(()),
        Some(_) => Err(invalid(format!(
            "tools.{i}.custom.input_schema.type: Input should be 'object'"
        ))),
        None => Err(invalid(format!(
            "tools.{i}.custom.input_schema.type: Field required"
        ))),
    }
}

/// What one strict schema holds, nested objects and definitions included.
#[derive(Default)]
struct Counts {
    /// Properties not listed in their object's `required`.
    optional: usize,
    /// Properties with a `type` array of several types, or an `anyOf`/`oneOf`.
    unions: usize,
    /// A property whose schema is `true` (anything).
    open_property: bool,
}

impl Counts {
    fn of(schema: &Value) -> Self {
        let mut counts = Self::default();
        counts.walk(schema);
        counts
    }

    fn walk(&mut self, schema: &Value) {
        let Value::Object(map) = schema else {
            return;
        };
        if let Some(Value::Object(properties)) = map.get("properties") {
            let required: BTreeSet<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            for (name, property) in properties {
                self.open_property |= property == &Value::Bool(true);
                self.optional += usize::from(!required.contains(name.as_str()));
                self.unions += usize::from(is_union(property));
            }
        }
        for (key, value) in map {
            match (key.as_str(), value) {
                ("properties" | "$defs" | "definitions", Value::Object(children)) => {
                    children.values().for_each(|child| self.walk(child))
                }
                ("items" | "additionalProperties", child) => self.walk(child),
                ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(children)) => {
                    children.iter().for_each(|child| self.walk(child))
                }
                _ => {}
            }
        }
    }
}

fn is_union(schema: &Value) -> bool {
    let types = schema.get("type").and_then(Value::as_array);
    types.is_some_and(|types| types.len() > 1)
        || schema.get("anyOf").is_some()
        || schema.get("oneOf").is_some()
}

/// The first loop of `$ref`s among the schema's definitions, as the names along it with the
/// first repeated at the end (`Node -> Node`); `#` stands for the root.
fn cycle(root: &Value) -> Option<Vec<String>> {
    let mut path = Vec::new();
    follow("#", root, root, &mut path)
}

fn follow(name: &str, schema: &Value, root: &Value, path: &mut Vec<String>) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|seen| seen == name) {
        let mut cycle = path[start..].to_vec();
        cycle.push(name.to_owned());
        return Some(cycle);
    }
    path.push(name.to_owned());
    let mut refs = Vec::new();
    refs_in(schema, name == "#", &mut refs);
    let found = refs.into_iter().find_map(|target| {
        if target == "#" {
            return follow("#", root, root, path);
        }
        let (key, definition) = ["$defs", "definitions"].into_iter().find_map(|key| {
            let name = target.strip_prefix(&format!("#/{key}/"))?;
            Some((name.to_owned(), root.get(key)?.get(name)?))
        })?;
        follow(&key, definition, root, path)
    });
    path.pop();
    found
}

/// The `$ref` targets inside a schema; the root's own definitions are reached through refs,
/// not by descending into them.
fn refs_in(schema: &Value, is_root: bool, refs: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    ("$defs" | "definitions", _) if is_root => {}
                    (_, child) => refs_in(child, false, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs_in(item, false, refs)),
        _ => {}
    }
}
