//! The API's rules for tool input schemas, decidable without asking it: the root of every
//! custom tool's `input_schema` is an object, and strict tools stay within the limits of the
//! strict-mode compiler. Read over the tools as JSON. (The mock server has rules of its own,
//! written from the API's recorded refusals, so that the two can disagree.)

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::SchemaRule;

/// At most this many strict tools.
pub(crate) const MAX_STRICT_TOOLS: usize = 20;
/// At most this many optional parameters across all strict schemas.
pub(crate) const MAX_OPTIONAL_PARAMETERS: usize = 24;
/// At most this many parameters with union types across all strict schemas.
pub(crate) const MAX_UNION_PARAMETERS: usize = 16;

/// The strict-mode compiler's own limit on one schema, below the per-request limits: the API
/// refuses one strict schema with 16 union-typed parameters, or with 24 optional ones, as
/// "too complex for compilation", while the same counts spread over several tools compile
/// (both recorded against the live API). Refused here from those counts up.
pub(crate) const COMPLEX_UNION_PARAMETERS: usize = MAX_UNION_PARAMETERS;
/// See [`COMPLEX_UNION_PARAMETERS`].
pub(crate) const COMPLEX_OPTIONAL_PARAMETERS: usize = MAX_OPTIONAL_PARAMETERS;

/// A broken rule: the tool's index and name, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broken {
    pub(crate) index: usize,
    pub(crate) tool: String,
    pub(crate) rule: SchemaRule,
}

/// Checks the `tools` of a request body, in the order the API does: each schema's root,
/// then the strict-mode limits.
pub(crate) fn check(tools: &[Value]) -> Result<(), Broken> {
    let broken = |index: usize, rule: SchemaRule| Broken {
        index,
        tool: tools[index]
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        rule,
    };
    for (index, schema) in custom_schemas(tools) {
        match schema.get("type") {
            Some(Value::String(kind)) if kind == "object" => {}
            found => {
                let found = found.map(|t| t.as_str().map_or(t.to_string(), str::to_owned));
                return Err(broken(index, SchemaRule::RootNotObject { found }));
            }
        }
    }
    let strict: Vec<(usize, &Value)> = custom_schemas(tools)
        .filter(|(index, _)| tools[*index].get("strict") == Some(&Value::Bool(true)))
        .collect();
    if strict.len() > MAX_STRICT_TOOLS {
        let rule = SchemaRule::TooManyStrictTools {
            count: strict.len(),
            max: MAX_STRICT_TOOLS,
        };
        return Err(broken(strict[MAX_STRICT_TOOLS].0, rule));
    }
    let mut optional = 0;
    let mut unions = 0;
    let mut each = Vec::with_capacity(strict.len());
    for &(index, schema) in &strict {
        let mut counts = Counts::default();
        counts.walk(schema).map_err(|rule| broken(index, rule))?;
        if let Some(definition) = circular_reference(schema) {
            return Err(broken(index, SchemaRule::CircularReference { definition }));
        }
        optional += counts.optional;
        unions += counts.unions;
        if optional > MAX_OPTIONAL_PARAMETERS {
            let rule = SchemaRule::TooManyOptionalParameters {
                count: optional,
                max: MAX_OPTIONAL_PARAMETERS,
            };
            return Err(broken(index, rule));
        }
        if unions > MAX_UNION_PARAMETERS {
            let rule = SchemaRule::TooManyUnionParameters {
                count: unions,
                max: MAX_UNION_PARAMETERS,
            };
            return Err(broken(index, rule));
        }
        each.push((index, counts));
    }
    // Within the per-request limits, a schema may still be too complex on its own.
    for (index, counts) in each {
        if counts.unions >= COMPLEX_UNION_PARAMETERS
            || counts.optional >= COMPLEX_OPTIONAL_PARAMETERS
        {
            let rule = SchemaRule::TooComplex {
                optional: counts.optional,
                unions: counts.unions,
            };
            return Err(broken(index, rule));
        }
    }
    Ok(())
}

/// The `input_schema` of each custom tool (no `type`, or `type: "custom"`), with its index.
fn custom_schemas(tools: &[Value]) -> impl Iterator<Item = (usize, &Value)> {
    tools.iter().enumerate().filter_map(|(index, tool)| {
        let custom = matches!(
            tool.get("type").and_then(Value::as_str),
            None | Some("custom")
        );
        custom
            .then(|| tool.get("input_schema"))
            .flatten()
            .map(|s| (index, s))
    })
}

/// Optional and union-typed parameters of one schema, nested objects and definitions included.
#[derive(Default)]
struct Counts {
    optional: usize,
    unions: usize,
}

impl Counts {
    fn walk(&mut self, schema: &Value) -> Result<(), SchemaRule> {
        let Value::Object(map) = schema else {
            return Ok(());
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
                if property == &Value::Bool(true) {
                    return Err(SchemaRule::BooleanSchema {
                        property: name.clone(),
                    });
                }
                self.optional += usize::from(!required.contains(name.as_str()));
                self.unions += usize::from(is_union(property));
            }
        }
        for (key, value) in map {
            match (key.as_str(), value) {
                ("properties" | "$defs" | "definitions", Value::Object(children)) => {
                    children.values().try_for_each(|child| self.walk(child))?
                }
                ("items" | "additionalProperties", child) => self.walk(child)?,
                ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(children)) => {
                    children.iter().try_for_each(|child| self.walk(child))?
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn is_union(schema: &Value) -> bool {
    let multi_type = schema
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|types| types.len() > 1);
    multi_type || schema.get("anyOf").is_some() || schema.get("oneOf").is_some()
}

/// The first definition reachable from the root whose `$ref`s lead back to itself (`"#"`
/// for the root itself).
fn circular_reference(root: &Value) -> Option<String> {
    let definitions: Map<String, Value> = ["$defs", "definitions"]
        .iter()
        .filter_map(|key| root.get(key).and_then(Value::as_object))
        .flat_map(|defs| defs.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    let mut path = Vec::new();
    visit("#", root, &definitions, &mut path)
}

fn visit(
    name: &str,
    schema: &Value,
    definitions: &Map<String, Value>,
    path: &mut Vec<String>,
) -> Option<String> {
    if path.iter().any(|seen| seen == name) {
        return Some(name.to_owned());
    }
    path.push(name.to_owned());
    let mut refs = Vec::new();
    collect_refs(schema, name == "#", &mut refs);
    let found = refs.iter().find_map(|target| {
        let target_name = target
            .strip_prefix("#/$defs/")
            .or_else(|| target.strip_prefix("#/definitions/"))
            .unwrap_or(target);
        match (target.as_str(), definitions.get(target_name)) {
            ("#", _) => Some("#".to_owned()),
            (_, Some(definition)) => visit(target_name, definition, definitions, path),
            _ => None,
        }
    });
    path.pop();
    found
}

/// The `$ref`s inside a schema, not descending into the root's own definitions (they are
/// visited when referred to).
fn collect_refs(schema: &Value, is_root: bool, refs: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    ("$defs" | "definitions", _) if is_root => {}
                    _ => collect_refs(value, false, refs),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_refs(item, false, refs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str, schema: Value, strict: bool) -> Value {
        json!({"name": name, "input_schema": schema, "strict": strict})
    }

    fn rule(tools: &[Value]) -> Option<(usize, SchemaRule)> {
        check(tools).err().map(|b| (b.index, b.rule))
    }

    #[test]
    fn the_root_must_be_an_object() {
        let ok = tool("a", json!({"type": "object"}), false);
        let scalar = tool("b", json!({"type": "string"}), false);
        let any_of = tool("c", json!({"anyOf": [{"type": "object"}]}), false);
        assert_eq!(rule(std::slice::from_ref(&ok)), None);
        assert_eq!(
            rule(&[ok.clone(), scalar]),
            Some((
                1,
                SchemaRule::RootNotObject {
                    found: Some("string".into())
                }
            ))
        );
        assert_eq!(
            rule(&[any_of]),
            Some((0, SchemaRule::RootNotObject { found: None }))
        );
        let server_tool = json!({"type": "web_search_20250305", "name": "web_search"});
        assert_eq!(rule(&[server_tool]), None);
    }

    #[test]
    fn at_most_twenty_strict_tools() {
        let strict = |i: usize| {
            tool(
                &format!("t{i}"),
                json!({"type": "object", "properties": {}}),
                true,
            )
        };
        let twenty: Vec<Value> = (0..20).map(strict).collect();
        assert_eq!(rule(&twenty), None);
        let mut more = twenty;
        more.push(tool("loose", json!({"type": "object"}), false));
        assert_eq!(rule(&more), None, "non-strict tools do not count");
        more.push(strict(20));
        assert_eq!(
            rule(&more),
            Some((21, SchemaRule::TooManyStrictTools { count: 21, max: 20 }))
        );
    }

    #[test]
    fn optional_and_union_parameters_are_counted_across_strict_tools() {
        let optional = |n: usize| {
            let properties: Map<String, Value> = (0..n)
                .map(|i| (format!("p{i}"), json!({"type": "string"})))
                .collect();
            json!({"type": "object", "properties": properties})
        };
        let tools = [tool("a", optional(12), true), tool("b", optional(12), true)];
        assert_eq!(rule(&tools), None);
        let tools = [tool("a", optional(12), true), tool("b", optional(13), true)];
        assert_eq!(
            rule(&tools),
            Some((
                1,
                SchemaRule::TooManyOptionalParameters { count: 25, max: 24 }
            ))
        );
        let tools = [tool("a", optional(30), false)];
        assert_eq!(rule(&tools), None, "limits are for strict tools only");
        let unions: Map<String, Value> = (0..17)
            .map(|i| (format!("u{i}"), json!({"type": ["string", "null"]})))
            .collect();
        let required: Vec<&String> = unions.keys().collect();
        let schema = json!({"type": "object", "properties": unions, "required": required});
        assert_eq!(
            rule(&[tool("u", schema, true)]),
            Some((0, SchemaRule::TooManyUnionParameters { count: 17, max: 16 }))
        );
    }

    #[test]
    fn strict_schemas_may_not_recurse_nor_hold_true() {
        let recursive = json!({
            "type": "object",
            "properties": {"root": {"$ref": "#/$defs/Node"}},
            "required": ["root"],
            "$defs": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}, "required": ["children"]}}
        });
        assert_eq!(
            rule(&[tool("r", recursive.clone(), true)]),
            Some((
                0,
                SchemaRule::CircularReference {
                    definition: "Node".into()
                }
            ))
        );
        assert_eq!(rule(&[tool("r", recursive, false)]), None);
        let to_root =
            json!({"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]});
        assert!(matches!(
            rule(&[tool("r", to_root, true)]),
            Some((0, SchemaRule::CircularReference { .. }))
        ));
        let shared = json!({
            "type": "object",
            "properties": {"a": {"$ref": "#/$defs/S"}, "b": {"$ref": "#/$defs/S"}},
            "required": ["a", "b"],
            "$defs": {"S": {"type": "string"}}
        });
        assert_eq!(
            rule(&[tool("s", shared, true)]),
            None,
            "a shared definition is no cycle"
        );
        let anything = json!({"type": "object", "properties": {"x": true}, "required": ["x"]});
        assert_eq!(
            rule(&[tool("t", anything, true)]),
            Some((
                0,
                SchemaRule::BooleanSchema {
                    property: "x".into()
                }
            ))
        );
    }
}
