//! JSON Schemas for tool input, from Rust types (feature `structured`: schemars).

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

/// What a Rust type says about itself as a tool: its name, its doc comment, its schema.
pub(crate) struct TypeSchema {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) schema: Value,
}

/// The input schema of `T`: draft 2020-12 as the API reads it, with no `$schema`, the type's
/// doc comment moved out as the tool's description, and shared types under `$defs`.
pub(crate) fn of<T: JsonSchema>() -> TypeSchema {
    let settings = SchemaSettings::draft2020_12()
        .for_deserialize()
        .with(|s| s.meta_schema = None);
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    let description = schema.as_object_mut().and_then(|root| {
        root.remove("title");
        match root.remove("description") {
            Some(Value::String(text)) => Some(text),
            _ => None,
        }
    });
    TypeSchema {
        name: T::schema_name().into_owned(),
        description,
        schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Where to go.
    #[allow(dead_code)]
    #[derive(JsonSchema)]
    struct Trip {
        /// The destination city.
        city: String,
        /// Days, if known.
        days: Option<u32>,
        mode: Mode,
        stops: Vec<Stop>,
    }

    #[allow(dead_code)]
    #[derive(JsonSchema)]
    #[serde(rename_all = "snake_case")]
    enum Mode {
        Train,
        Plane,
    }

    #[allow(dead_code)]
    #[derive(JsonSchema)]
    struct Stop {
        name: String,
    }

    #[test]
    fn a_type_gives_its_name_docs_and_a_schema_without_meta_fields() {
        let TypeSchema {
            name,
            description,
            schema,
        } = of::<Trip>();
        assert_eq!(name, "Trip");
        assert_eq!(description.as_deref(), Some("Where to go."));
        assert_eq!(schema["type"], "object");
        assert!(schema.get("$schema").is_none() && schema.get("title").is_none());
        assert_eq!(
            schema["properties"]["city"]["description"],
            "The destination city."
        );
        assert_eq!(schema["required"], json!(["city", "mode", "stops"]));
        assert_eq!(
            schema["properties"]["days"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(schema["$defs"]["Mode"]["enum"], json!(["train", "plane"]));
        assert_eq!(
            schema["properties"]["stops"]["items"]["$ref"],
            "#/$defs/Stop"
        );
    }
}
