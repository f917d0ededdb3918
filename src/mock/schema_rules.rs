//! Tool schemas the API refuses, with its messages: the same rules the client checks before
//! sending ([`crate::request::schema_rules`]), so a request built by hand, or by another
//! client, meets them here.

use serde_json::{Map, Value};

use super::validate::{invalid, Refusal};
use crate::error::SchemaRule;
use crate::request::schema_rules;

pub(super) fn check(body: &Map<String, Value>) -> Result<(), Refusal> {
    let Some(Value::Array(tools)) = body.get("tools") else {
        return Ok(());
    };
    schema_rules::check(tools).map_err(|broken| {
        let i = broken.index;
        invalid(match broken.rule {
            SchemaRule::RootNotObject { found: Some(_) } => {
                format!("tools.{i}.custom.input_schema.type: Input should be 'object'")
            }
            SchemaRule::RootNotObject { found: None } => {
                format!("tools.{i}.custom.input_schema.type: Field required")
            }
            SchemaRule::TooManyStrictTools { count, max } => format!(
                "Too many strict tools ({count}). The maximum number of strict tools supported is {max}. Try reducing the number of tools marked as strict."
            ),
            SchemaRule::TooManyOptionalParameters { count, max } => format!(
                "Too many optional parameters across strict tools ({count}). The maximum number of optional parameters supported is {max}. Try marking more parameters as required."
            ),
            SchemaRule::TooManyUnionParameters { count, max } => format!(
                "Too many parameters with union types across strict tools ({count}). The maximum number of parameters with union types supported is {max}."
            ),
            SchemaRule::CircularReference { .. } => {
                "Circular reference detected in schema definitions".to_owned()
            }
            SchemaRule::BooleanSchema { .. } => format!(
                "tools.{i}.custom: For 'object' type, property 'properties' is not supported"
            ),
        })
    })
}
