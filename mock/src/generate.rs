//! A JSON value made from a JSON schema: the input of a forced tool call, the text of native
//! structured output. Deterministic: the same schema and seed give the same value.
//!
//! The rules, kept simple so a reader can predict the value: an object gets its `required`
//! properties and none of the optional ones; an array gets `minItems` items (at least one, at
//! most `maxItems`); `const` and `enum` are honoured (an `enum` value is picked by the seed);
//! `anyOf` / `oneOf` take their first branch, `allOf` is merged; `$ref` is followed within the
//! schema (`#/$defs/…`, `#/definitions/…`, any local pointer); a list of types takes its first
//! non-null one; strings honour `minLength` / `maxLength` and the formats `date-time`, `date`,
//! `time`, `email`, `uri`, `uuid`, `hostname`, `ipv4`, `ipv6`; numbers honour `minimum`,
//! `maximum`, their exclusive forms and `multipleOf`. (`pattern` is not honoured.)

use serde_json::{json, Map, Value};

/// How deep `$ref`s and nesting are followed before giving up with `null` (a schema whose
/// required properties recurse forever has no finite instance).
const MAX_DEPTH: usize = 32;

/// A value that validates against `schema` (for the schemas the rules above cover).
pub(crate) fn instance(schema: &Value, seed: u64) -> Value {
    Generator { root: schema }.value(schema, seed, "value", 0)
}

/// A 64-bit FNV-1a hash: the seed of a request's generated values.
pub(crate) fn seed_of(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The seed for a part of the value (a property, an array item).
fn mix(seed: u64, part: &str) -> u64 {
    seed_of(&[&seed.to_string(), part])
}

struct Generator<'a> {
    root: &'a Value,
}

impl Generator<'_> {
    fn value(&self, schema: &Value, seed: u64, name: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let Some(schema) = schema.as_object() else {
            // `true` (or a schema we cannot read) accepts anything.
            return Value::String(name.to_owned());
        };
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let resolved = target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer));
            return match resolved {
                Some(resolved) => self.value(resolved, seed, name, depth + 1),
                None => Value::Null,
            };
        }
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
            if !choices.is_empty() {
                return choices[(seed % choices.len() as u64) as usize].clone();
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|b| b.first())
            {
                return self.value(&merged(schema, key, first), seed, name, depth + 1);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            let mut combined = schema.clone();
            combined.remove("allOf");
            let mut combined = Value::Object(combined);
            for part in all {
                combined = merge(&combined, &self.resolved(part, depth));
            }
            return self.value(&combined, seed, name, depth + 1);
        }
        match type_of(schema) {
            "object" => self.object(schema, seed, depth),
            "array" => self.array(schema, seed, name, depth),
            "string" => string(schema, seed, name),
            "integer" => integer(schema, seed).into(),
            "number" => number(schema, seed),
            "boolean" => Value::Bool(seed % 2 == 0),
            "null" => Value::Null,
            _ => Value::String(name.to_owned()),
        }
    }

    /// A schema with its `$ref` followed (for `allOf` parts).
    fn resolved(&self, schema: &Value, depth: usize) -> Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) if depth <= MAX_DEPTH => target
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
                .map_or(Value::Null, |found| self.resolved(found, depth + 1)),
            _ => schema.clone(),
        }
    }

    fn object(&self, schema: &Map<String, Value>, seed: u64, depth: usize) -> Value {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required = schema.get("required").and_then(Value::as_array);
        let mut object = Map::new();
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            let property = properties
                .and_then(|p| p.get(name))
                .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
                .cloned()
                .unwrap_or(Value::Bool(true));
            let value = self.value(&property, mix(seed, name), name, depth + 1);
            object.insert(name.to_owned(), value);
        }
        Value::Object(object)
    }

    fn array(&self, schema: &Map<String, Value>, seed: u64, name: &str, depth: usize) -> Value {
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1);
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let count = min.max(1).min(max).min(64);
        let prefix = schema.get("prefixItems").and_then(Value::as_array);
        let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
        let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
        (0..count as usize)
            .map(|index| {
                let item = prefix.and_then(|p| p.get(index)).unwrap_or(&items);
                let item_seed = if unique {
                    seed.wrapping_add(index as u64)
                } else {
                    mix(seed, &index.to_string())
                };
                self.value(item, item_seed, name, depth + 1)
            })
            .collect()
    }
}

/// `schema` without `key`, with the branch's keywords added (a branch keeps the
/// annotations around it, e.g. a description).
fn merged(schema: &Map<String, Value>, key: &str, branch: &Value) -> Value {
    let mut outer = schema.clone();
    outer.remove(key);
    merge(&Value::Object(outer), branch)
}

/// Both schemas' keywords; `properties` are joined and `required` lists concatenated.
fn merge(a: &Value, b: &Value) -> Value {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return b.clone();
    };
    let mut out = a.clone();
    for (key, value) in b {
        match (key.as_str(), out.get_mut(key)) {
            ("properties", Some(Value::Object(mine))) => {
                if let Some(theirs) = value.as_object() {
                    mine.extend(theirs.clone());
                }
            }
            ("required", Some(Value::Array(mine))) => {
                for name in value.as_array().into_iter().flatten() {
                    if !mine.contains(name) {
                        mine.push(name.clone());
                    }
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// The schema's type: its `type` (the first non-null of a list), else what its keywords
/// imply.
fn type_of(schema: &Map<String, Value>) -> &str {
    match schema.get("type") {
        Some(Value::String(kind)) => kind,
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .or_else(|| kinds.first().and_then(Value::as_str))
            .unwrap_or("null"),
        _ if schema.contains_key("properties") || schema.contains_key("required") => "object",
        _ if schema.contains_key("items") || schema.contains_key("prefixItems") => "array",
        _ => "string",
    }
}

fn string(schema: &Map<String, Value>, seed: u64, name: &str) -> Value {
    let n = seed % 10_000;
    let formatted = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => Some(format!(
            "2026-{:02}-{:02}T{:02}:{:02}:00Z",
            1 + n % 12,
            1 + n % 28,
            n % 24,
            n % 60
        )),
        Some("date") => Some(format!("2026-{:02}-{:02}", 1 + n % 12, 1 + n % 28)),
        Some("time") => Some(format!("{:02}:{:02}:00Z", n % 24, n % 60)),
        Some("email") => Some(format!("user{n}@example.com")),
        Some("uri" | "url" | "iri") => Some(format!("https://example.com/{name}/{n}")),
        Some("uuid") => Some(uuid(seed)),
        Some("hostname") => Some(format!("host{n}.example.com")),
        Some("ipv4") => Some(format!("192.0.2.{}", n % 256)),
        Some("ipv6") => Some(format!("2001:db8::{:x}", n)),
        _ => None,
    };
    if let Some(text) = formatted {
        return Value::String(text);
    }
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let mut text = format!("{name} {n}");
    let length = text.chars().count();
    if length < min {
        text.extend(std::iter::repeat_n('x', min - length));
    }
    if let Some(max) = max {
        text = text.chars().take(max).collect();
    }
    Value::String(text)
}

/// A version-4 UUID from the seed.
fn uuid(seed: u64) -> String {
    let high = seed;
    let low = mix(seed, "uuid");
    let hex = format!("{high:016x}{low:016x}");
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(low % 4) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

/// An integer within the schema's bounds, picked by the seed: within both bounds, or up to
/// 99 past the one bound (1 to 100 without bounds); a multiple of `multipleOf`.
fn integer(schema: &Map<String, Value>, seed: u64) -> i64 {
    let bound = |key| schema.get(key).and_then(Value::as_f64);
    let lower = match (bound("minimum"), bound("exclusiveMinimum")) {
        (Some(min), _) => Some(min.ceil() as i128),
        (None, Some(min)) => Some(min.floor() as i128 + 1),
        _ => None,
    };
    let upper = match (bound("maximum"), bound("exclusiveMaximum")) {
        (Some(max), _) => Some(max.floor() as i128),
        (None, Some(max)) => Some(max.ceil() as i128 - 1),
        _ => None,
    };
    let step = schema
        .get("multipleOf")
        .and_then(Value::as_i64)
        .filter(|step| *step > 0)
        .map_or(1, i128::from);
    let offset = |span: i128| i128::from(seed) % span.max(1);
    let mut value = match (lower, upper) {
        (Some(lower), Some(upper)) => lower + offset(upper - lower + 1),
        (Some(lower), None) => lower + offset(100),
        (None, Some(upper)) => upper - offset(100),
        (None, None) => 1 + offset(100),
    };
    value = value.div_euclid(step) * step;
    if lower.is_some_and(|lower| value < lower) {
        value += step;
    }
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A number within the schema's bounds, picked by the seed: strictly between both bounds,
/// or past the one bound by a half and up to 99 (a half and up to 99 without bounds); a
/// multiple of `multipleOf` when one fits.
fn number(schema: &Map<String, Value>, seed: u64) -> Value {
    let bound = |keys: [&str; 2]| keys.iter().find_map(|key| schema.get(*key)?.as_f64());
    let lower = bound(["minimum", "exclusiveMinimum"]);
    let upper = bound(["maximum", "exclusiveMaximum"]);
    let spread = (seed % 100) as f64;
    let value = match (lower, upper) {
        (Some(lower), Some(upper)) => lower + (upper - lower) * (1.0 + (seed % 98) as f64) / 100.0,
        (Some(lower), None) => lower + 0.5 + spread,
        (None, Some(upper)) => upper - 0.5 - spread,
        (None, None) => 0.5 + spread,
    };
    let inside = |v: f64| {
        let above = |key, strict: bool| {
            schema
                .get(key)
                .and_then(Value::as_f64)
                .is_none_or(|b| if strict { v > b } else { v >= b })
        };
        let below = |key, strict: bool| {
            schema
                .get(key)
                .and_then(Value::as_f64)
                .is_none_or(|b| if strict { v < b } else { v <= b })
        };
        above("minimum", false)
            && above("exclusiveMinimum", true)
            && below("maximum", false)
            && below("exclusiveMaximum", true)
    };
    let step = schema
        .get("multipleOf")
        .and_then(Value::as_f64)
        .filter(|s| *s > 0.0);
    let value = match step {
        Some(step) => [(value / step).ceil(), (value / step).floor()]
            .map(|k| k * step)
            .into_iter()
            .find(|v| inside(*v))
            .unwrap_or(value),
        None => value,
    };
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_get_their_required_properties_only() {
        let schema = json!({"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer", "minimum": 3},
            "note": {"type": "string"}
        }, "required": ["city", "days"]});
        let value = instance(&schema, 7);
        assert!((3..103).contains(&value["days"].as_i64().unwrap()));
        assert!(value["city"].is_string());
        assert!(value.get("note").is_none());
        assert_eq!(instance(&schema, 7), value, "deterministic");
    }

    #[test]
    fn refs_branches_and_formats_are_followed() {
        let schema = json!({
            "type": "object", "required": ["at", "who", "either"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "who": {"$ref": "#/$defs/Person"},
                "either": {"anyOf": [{"type": "integer", "maximum": -5}, {"type": "string"}]}
            },
            "$defs": {"Person": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string", "format": "uuid"}}}}
        });
        let value = instance(&schema, 1);
        assert!(value["either"].as_i64().unwrap() <= -5);
        assert_eq!(value["who"]["id"].as_str().unwrap().len(), 36);
        assert!(value["at"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn bounds_are_kept() {
        let int = |schema: Value| integer(schema.as_object().unwrap(), 99);
        assert_eq!(int(json!({"minimum": 10, "multipleOf": 4})), 108);
        assert_eq!(int(json!({"exclusiveMinimum": 10})), 110);
        assert_eq!(int(json!({"maximum": 5})), -94);
        assert_eq!(int(json!({"minimum": 1, "maximum": 14})), 1 + 99 % 14);
        assert_eq!(int(json!({"minimum": 3, "maximum": 3})), 3);
        let text = string(
            json!({"minLength": 20, "maxLength": 25})
                .as_object()
                .unwrap(),
            3,
            "a",
        );
        let length = text.as_str().unwrap().chars().count();
        assert!((20..=25).contains(&length), "{text}");
    }

    #[test]
    fn recursion_without_end_gives_up() {
        let schema = json!({"$ref": "#/$defs/A", "$defs": {"A": {"type": "object",
            "required": ["a"], "properties": {"a": {"$ref": "#/$defs/A"}}}}});
        let _ = instance(&schema, 0); // terminates
    }
}
