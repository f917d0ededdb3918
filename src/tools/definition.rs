//! Tool definitions as the API takes them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema;
use crate::messages::CacheControl;

/// A custom tool: `{name, description, input_schema, strict?, cache_control?}`.
///
/// Built from a Rust type (the counterpart of the seed's pydantic `GetWeather`: the name is
/// the type's, the description its doc comment, field docs describe the fields), or from a
/// JSON Schema by hand.
///
/// ```
/// use chat_anthropic::tools::Tool;
///
/// /// Get the current weather in a given location
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct GetWeather {
///     /// The city and state, e.g. San Francisco, CA
///     location: String,
/// }
///
/// let tool = Tool::from_type::<GetWeather>();
/// assert_eq!(tool.name, "GetWeather");
/// assert_eq!(tool.description.as_deref(), Some("Get the current weather in a given location"));
/// assert_eq!(tool.input_schema["properties"]["location"]["description"], "The city and state, e.g. San Francisco, CA");
///
/// let by_hand = Tool::new("get_time", serde_json::json!({"type": "object", "properties": {}}))
///     .description("The current time")
///     .strict(true);
/// assert_eq!(by_hand.input_schema["additionalProperties"], false);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tool {
    /// The name the model calls the tool by (`^[a-zA-Z0-9_-]{1,128}$`).
    pub name: String,
    /// What the tool does: the model reads this to decide when to call it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema of the input object.
    pub input_schema: Value,
    /// Whether the API must guarantee input that matches the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// A prompt-cache breakpoint after this tool: the tool definitions up to here are cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<CacheControl>,
}

impl Tool {
    /// A tool from a name and a JSON Schema for its input.
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Self {
            name: name.into(),
            description: None,
            input_schema,
            strict: None,
            cache_control: None,
        }
    }

    /// A tool whose input is `T`: named after the type, described by its doc comment.
    pub fn from_type<T: JsonSchema>() -> Self {
        let schema::TypeSchema {
            name,
            description,
            schema,
        } = schema::of::<T>();
        Self {
            description,
            ..Self::new(name, schema)
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Renames the tool.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Strict mode: the API guarantees the input matches the schema. Turning it on closes
    /// every object in the schema (`additionalProperties: false`), as strict mode requires.
    pub fn strict(mut self, strict: bool) -> Self {
        if strict {
            schema::close_objects(&mut self.input_schema);
        }
        self.strict = Some(strict);
        self
    }

    /// Sets a prompt-cache breakpoint after this tool (tools come first in the cached prefix).
    ///
    /// ```
    /// use chat_anthropic::{CacheControl, Tool};
    /// let tool = Tool::new("lookup", serde_json::json!({"type": "object"})).cache_control(CacheControl::ephemeral_1h());
    /// assert_eq!(serde_json::to_value(&tool).unwrap()["cache_control"], serde_json::json!({"type": "ephemeral", "ttl": "1h"}));
    /// ```
    pub fn cache_control(mut self, cache_control: CacheControl) -> Self {
        self.cache_control = Some(cache_control);
        self
    }
}

/// Anything [`ChatAnthropic::bind_tools`](crate::ChatAnthropic::bind_tools) accepts: a custom
/// [`Tool`], or one of the API's own tool types (web search, code execution, bash, text
/// editor, …) passed through verbatim as JSON, so new versions work without a release.
///
/// ```
/// use chat_anthropic::tools::{Tool, ToolDefinition};
/// let search: ToolDefinition = serde_json::json!({
///     "type": "web_search_20250305", "name": "web_search", "max_uses": 3
/// }).into();
/// assert_eq!(search.name(), Some("web_search"));
/// let custom: ToolDefinition = Tool::new("noop", serde_json::json!({"type": "object"})).into();
/// assert_eq!(custom.name(), Some("noop"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ToolDefinition {
    /// A custom tool.
    Custom(Tool),
    /// Any tool definition, sent as it is.
    Raw(Value),
}

impl ToolDefinition {
    /// The tool's name, when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Custom(tool) => Some(&tool.name),
            Self::Raw(raw) => raw.get("name").and_then(Value::as_str),
        }
    }

    /// The definition as the request body carries it.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Custom(tool) => serde_json::to_value(tool).unwrap_or(Value::Null),
            Self::Raw(raw) => raw.clone(),
        }
    }
}

impl From<Tool> for ToolDefinition {
    fn from(tool: Tool) -> Self {
        Self::Custom(tool)
    }
}

impl From<Value> for ToolDefinition {
    fn from(raw: Value) -> Self {
        Self::Raw(raw)
    }
}
