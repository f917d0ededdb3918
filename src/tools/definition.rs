//! Tool definitions as the API takes them.

#[cfg(feature = "structured")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::mcp_toolset::McpToolset;
use super::schema;
use crate::messages::CacheControl;

/// A custom tool: `{name, description, input_schema, strict?, cache_control?,
/// eager_input_streaming?, defer_loading?, input_examples?}`.
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
    /// Stream the input without buffering it for validation first, so the first argument
    /// fragment arrives sooner (this crate shows arguments as they stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eager_input_streaming: Option<bool>,
    /// Keep the tool out of the prompt until tool search finds it (needs a tool-search tool
    /// bound too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_loading: Option<bool>,
    /// Example inputs that show the model how to call the tool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_examples: Vec<Value>,
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
            eager_input_streaming: None,
            defer_loading: None,
            input_examples: Vec::new(),
        }
    }

    /// A tool whose input is `T`: named after the type, described by its doc comment.
    ///
    /// The API takes only an object at the root of a tool's input, so `T` should be a struct
    /// (or a map). A type whose schema has another root is **refused before sending**, not
    /// wrapped (a wrapper would change the JSON the model sends back, and
    /// [`ToolCall::parse`](crate::ToolCall::parse) into `T` would no longer fit): an enum
    /// (`oneOf` at the root), an `Option<_>` (`anyOf`) or a scalar gives
    /// [`RequestError::ToolSchema`](crate::error::RequestError::ToolSchema) with
    /// [`SchemaRule::RootNotObject`](crate::error::SchemaRule::RootNotObject). Put such a type in a
    /// field of a struct instead. A recursive struct is sent as it is (`$ref: "#"`) and works
    /// without strict mode; with [`strict`](Self::strict) it is refused with
    /// [`SchemaRule::CircularReference`](crate::error::SchemaRule::CircularReference), as the API
    /// would.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic::error::{RequestError, SchemaRule};
    /// use chat_anthropic::{ChatAnthropic, Error, Tool};
    /// #[derive(schemars::JsonSchema)]
    /// enum Mode { Fast, Careful }
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").api_key("unused");
    /// let err = llm.bind_tools([Tool::from_type::<Mode>()]).invoke("Go").await.unwrap_err();
    /// assert!(matches!(
    ///     err,
    ///     Error::Request(RequestError::ToolSchema { ref tool, rule: SchemaRule::RootNotObject { .. } }) if tool == "Mode"
    /// ));
    /// # }
    /// ```
    #[cfg(feature = "structured")]
    pub fn from_type<T: JsonSchema>() -> Self {
        let super::type_schema::TypeSchema {
            name,
            description,
            schema,
        } = super::type_schema::of::<T>();
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
    /// use chat_anthropic::messages::CacheControl;
    /// use chat_anthropic::Tool;
    /// let tool = Tool::new("lookup", serde_json::json!({"type": "object"})).cache_control(CacheControl::ephemeral_1h());
    /// assert_eq!(serde_json::to_value(&tool).unwrap()["cache_control"], serde_json::json!({"type": "ephemeral", "ttl": "1h"}));
    /// ```
    pub fn cache_control(mut self, cache_control: CacheControl) -> Self {
        self.cache_control = Some(cache_control);
        self
    }

    /// `eager_input_streaming`: the input streams without being buffered for validation, so
    /// the first argument fragment arrives sooner.
    ///
    /// ```
    /// use chat_anthropic::Tool;
    /// /// Write a file.
    /// #[derive(schemars::JsonSchema)]
    /// struct WriteFile { path: String, content: String }
    /// let tool = Tool::from_type::<WriteFile>().eager_input_streaming(true);
    /// assert_eq!(serde_json::to_value(&tool).unwrap()["eager_input_streaming"], true);
    /// ```
    pub fn eager_input_streaming(mut self, eager: bool) -> Self {
        self.eager_input_streaming = Some(eager);
        self
    }

    /// `defer_loading`: the tool is loaded only when tool search finds it.
    pub fn defer_loading(mut self, defer: bool) -> Self {
        self.defer_loading = Some(defer);
        self
    }

    /// Adds an example input (`input_examples`).
    ///
    /// ```
    /// use chat_anthropic::Tool;
    /// let tool = Tool::new("lookup", serde_json::json!({"type": "object", "properties": {"q": {"type": "string"}}}))
    ///     .input_example(serde_json::json!({"q": "capital of France"}));
    /// assert_eq!(serde_json::to_value(&tool).unwrap()["input_examples"][0]["q"], "capital of France");
    /// ```
    pub fn input_example(mut self, example: Value) -> Self {
        self.input_examples.push(example);
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
    /// The tools of a remote MCP server the API calls itself (`mcp_toolset`; no name of its
    /// own). Boxed: it is the largest definition and the rarest.
    McpToolset(Box<McpToolset>),
    /// Any tool definition, sent as it is.
    Raw(Value),
}

impl ToolDefinition {
    /// The tool's name, when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Custom(tool) => Some(&tool.name),
            Self::McpToolset(_) => None,
            Self::Raw(raw) => raw.get("name").and_then(Value::as_str),
        }
    }

    /// The definition as the request body carries it.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Custom(tool) => serde_json::to_value(tool).unwrap_or(Value::Null),
            Self::McpToolset(toolset) => serde_json::to_value(toolset).unwrap_or(Value::Null),
            Self::Raw(raw) => raw.clone(),
        }
    }
}

impl From<Tool> for ToolDefinition {
    fn from(tool: Tool) -> Self {
        Self::Custom(tool)
    }
}

impl From<McpToolset> for ToolDefinition {
    fn from(toolset: McpToolset) -> Self {
        Self::McpToolset(Box::new(toolset))
    }
}

impl From<Value> for ToolDefinition {
    fn from(raw: Value) -> Self {
        Self::Raw(raw)
    }
}
