//! Growing a content block of a type this version does not model, kept as raw JSON.

use serde_json::{Map, Value};

/// The one rule for growing a block this version does not model (the fold and the sum of
/// chunks both use it): each field but `type` merges into the block's field of the same
/// name. A string appends to a string and an array extends an array; anything else, a
/// `signature` (whole in every delta) or a field the block lacks, replaces.
pub(crate) fn merge_fields(block: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (key, value) in fields {
        if key == "type" {
            continue;
        }
        match (block.get_mut(&key), value) {
            (Some(Value::String(mine)), Value::String(more)) if key != "signature" => {
                mine.push_str(&more)
            }
            (Some(Value::Array(mine)), Value::Array(more)) => mine.extend(more),
            (_, value) => {
                block.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn strings_append_arrays_extend_the_rest_replaces() {
        let mut block = object(json!({
            "type": "compaction", "content": "Sum", "items": [1], "signature": "a", "n": 1,
        }));
        merge_fields(
            &mut block,
            object(json!({
                "type": "ignored", "content": "mary", "items": [2], "signature": "b", "n": 2,
                "new": true,
            })),
        );
        assert_eq!(
            Value::Object(block),
            json!({
                "type": "compaction", "content": "Summary", "items": [1, 2], "signature": "b",
                "n": 2, "new": true,
            })
        );
    }
}
