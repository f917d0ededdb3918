//! Tool input schemas made acceptable to strict mode.

use serde_json::{Map, Value};

/// Makes a schema acceptable to strict mode (strict tools and native structured output):
/// every object schema closes with `additionalProperties: false` unless it says otherwise.
pub(crate) fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if is_object_schema(map) && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for value in map.values_mut() {
                close_objects(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

fn is_object_schema(map: &Map<String, Value>) -> bool {
    match map.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "object"),
        _ => map.contains_key("properties"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn closing_objects_reaches_nested_definitions_and_keeps_explicit_choices() {
        let mut schema = json!({
            "type": "object",
            "properties": {"a": {"type": "object", "properties": {}}, "b": {"type": "object", "additionalProperties": true}},
            "$defs": {"S": {"type": ["object", "null"], "properties": {}}}
        });
        close_objects(&mut schema);
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["a"]["additionalProperties"], false);
        assert_eq!(schema["properties"]["b"]["additionalProperties"], true);
        assert_eq!(schema["$defs"]["S"]["additionalProperties"], false);
    }
}
