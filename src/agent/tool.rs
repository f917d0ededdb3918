//! Tools with handlers: a definition the model reads, and the code that answers a call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::messages::{ContentBlock, MessageContent};
use crate::tools::{Tool, ToolDefinition};

/// What a handler's future resolves to: the `tool_result` content, or the error text the model
/// sees (`is_error: true`).
pub(super) type HandlerFuture =
    Pin<Box<dyn Future<Output = Result<MessageContent, String>> + Send>>;

type Handler = Arc<dyn Fn(Value) -> HandlerFuture + Send + Sync>;

/// A tool the model can call, with the async function that answers the call.
///
/// Made from a typed handler ([`from_fn`](Self::from_fn): the argument type gives the name,
/// description and schema, as [`Tool::from_type`] does) or from a definition and a handler
/// over raw JSON ([`from_json`](Self::from_json)). A handler returns anything serializable
/// (a string is sent as text, anything else as its JSON text), or [`ToolContent`] (text,
/// images, documents); an error (anything `Display`) is sent back with `is_error: true` so
/// the model can recover.
///
/// ```
/// use chat_anthropic::agent::AgentTool;
///
/// /// Get the current weather in a given location
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct GetWeather {
///     /// The city and state, e.g. San Francisco, CA
///     location: String,
/// }
///
/// let weather = AgentTool::from_fn(|args: GetWeather| async move {
///     match args.location.as_str() {
///         "Paris" => Ok(serde_json::json!({"celsius": 15, "sky": "clear"})),
///         other => Err(format!("no station near {other}")),
///     }
/// });
/// assert_eq!(weather.name(), "GetWeather");
///
/// let clock = AgentTool::from_json(
///     chat_anthropic::Tool::new("now", serde_json::json!({"type": "object", "properties": {}})),
///     |_args| async { Ok::<_, String>("12:00") },
/// );
/// assert_eq!(clock.name(), "now");
/// ```
#[derive(Clone)]
pub struct AgentTool {
    definition: ToolDefinition,
    name: String,
    handler: Handler,
}

impl AgentTool {
    /// A tool whose arguments are `T`: named after the type, described by its doc comment,
    /// its input schema generated from it. Arguments that do not deserialize into `T` are
    /// answered with an error result naming the problem; `handler` is not called.
    pub fn from_fn<T, F, Fut, O, E>(handler: F) -> Self
    where
        T: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
        O: IntoToolOutput,
        E: fmt::Display,
    {
        let tool = Tool::from_type::<T>();
        let name = tool.name.clone();
        Self::from_json(tool, move |args: Value| {
            let parsed =
                T::deserialize(args).map_err(|err| format!("invalid arguments for {name}: {err}"));
            let call = parsed.map(&handler);
            async move { call?.await.map_err(|err| err.to_string()) }
        })
    }

    /// A tool from any definition (a [`Tool`] with a JSON Schema, or one of the API's
    /// client-executed tool types as JSON) and a handler over the raw JSON arguments.
    pub fn from_json<F, Fut, O, E>(definition: impl Into<ToolDefinition>, handler: F) -> Self
    where
        F: Fn(Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, E>> + Send + 'static,
        O: IntoToolOutput,
        E: fmt::Display,
    {
        let definition = definition.into();
        let name = definition.name().unwrap_or_default().to_owned();
        let handler: Handler = Arc::new(move |args| {
            let call = handler(args);
            Box::pin(async move {
                match call.await {
                    Ok(output) => output.into_tool_output(),
                    Err(err) => Err(err.to_string()),
                }
            })
        });
        Self {
            definition,
            name,
            handler,
        }
    }

    /// A tool from a definition and a handler that already answers in the run's terms (the
    /// `tool_result` content, or the error text): what wrappers such as an approval hook use.
    pub(super) fn from_handler(
        definition: ToolDefinition,
        handler: impl Fn(Value) -> HandlerFuture + Send + Sync + 'static,
    ) -> Self {
        let name = definition.name().unwrap_or_default().to_owned();
        Self {
            definition,
            name,
            handler: Arc::new(handler),
        }
    }

    /// Renames the tool (custom tools; e.g. `write_file` for a handler of `WriteFile`).
    ///
    /// ```
    /// use chat_anthropic::agent::AgentTool;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct WriteFile { path: String }
    /// let tool = AgentTool::from_fn(|args: WriteFile| async move { Ok::<_, String>(args.path) })
    ///     .with_name("write_file");
    /// assert_eq!((tool.name(), tool.definition().name()), ("write_file", Some("write_file")));
    /// ```
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if let ToolDefinition::Custom(tool) = &mut self.definition {
            tool.name.clone_from(&name);
        }
        self.name = name;
        self
    }

    /// The name the model calls the tool by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The definition sent to the model.
    pub fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    /// Replaces the description the model reads (custom tools only).
    ///
    /// ```
    /// use chat_anthropic::agent::AgentTool;
    /// let tool = AgentTool::from_json(
    ///     chat_anthropic::Tool::new("now", serde_json::json!({"type": "object"})),
    ///     |_| async { Ok::<_, String>("12:00") },
    /// ).description("The current time");
    /// assert_eq!(tool.definition().to_json()["description"], "The current time");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        if let ToolDefinition::Custom(tool) = &mut self.definition {
            tool.description = Some(description.into());
        }
        self
    }

    /// Starts the handler on `args` (the future does the work; nothing runs before it is
    /// polled).
    pub(super) fn call(&self, args: Value) -> HandlerFuture {
        (self.handler)(args)
    }
}

impl fmt::Debug for AgentTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentTool")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Content blocks a handler returns as its result: text, images, documents.
///
/// ```
/// use chat_anthropic::agent::ToolContent;
/// use chat_anthropic::ContentBlock;
/// let content = ToolContent::new([ContentBlock::text("chart attached")]);
/// # let _ = content;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ToolContent(Vec<ContentBlock>);

impl ToolContent {
    /// Content made of these blocks.
    pub fn new<B: Into<ContentBlock>>(blocks: impl IntoIterator<Item = B>) -> Self {
        Self(blocks.into_iter().map(Into::into).collect())
    }
}

impl From<Vec<ContentBlock>> for ToolContent {
    fn from(blocks: Vec<ContentBlock>) -> Self {
        Self(blocks)
    }
}

/// What a handler may return: anything serializable (a string goes as text, any other value
/// as its JSON text), or [`ToolContent`] for blocks.
pub trait IntoToolOutput {
    /// The `tool_result` content, or why it could not be made.
    fn into_tool_output(self) -> Result<MessageContent, String>;
}

impl<T: Serialize> IntoToolOutput for T {
    fn into_tool_output(self) -> Result<MessageContent, String> {
        match serde_json::to_value(&self) {
            Ok(Value::String(text)) => Ok(MessageContent::Text(text)),
            Ok(value) => Ok(MessageContent::Text(value.to_string())),
            Err(err) => Err(format!("the tool's result could not be serialized: {err}")),
        }
    }
}

impl IntoToolOutput for ToolContent {
    fn into_tool_output(self) -> Result<MessageContent, String> {
        Ok(MessageContent::Blocks(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Add two numbers
    #[derive(serde::Deserialize, JsonSchema)]
    struct Add {
        a: i64,
        b: i64,
    }

    fn add_tool() -> AgentTool {
        AgentTool::from_fn(|Add { a, b }| async move {
            a.checked_add(b)
                .map(|sum| json!({ "sum": sum }))
                .ok_or("overflow")
        })
    }

    #[tokio::test]
    async fn typed_handlers_get_parsed_arguments_and_serialize_their_result() {
        let tool = add_tool();
        assert_eq!(tool.name(), "Add");
        assert_eq!(
            tool.definition().to_json()["description"],
            "Add two numbers"
        );
        let result = tool.call(json!({"a": 2, "b": 3})).await;
        assert_eq!(result, Ok(MessageContent::Text(r#"{"sum":5}"#.into())));
        let overflow = tool.call(json!({"a": i64::MAX, "b": 1})).await;
        assert_eq!(overflow, Err("overflow".into()));
    }

    #[tokio::test]
    async fn arguments_of_the_wrong_shape_are_an_error_result() {
        let err = add_tool().call(json!({"a": 2})).await.unwrap_err();
        assert!(err.starts_with("invalid arguments for Add:"), "{err}");
        assert!(err.contains("missing field `b`"), "{err}");
    }

    #[tokio::test]
    async fn strings_go_as_text_and_blocks_as_blocks() {
        assert_eq!(
            "sunny".into_tool_output(),
            Ok(MessageContent::Text("sunny".into()))
        );
        let blocks = ToolContent::new([ContentBlock::text("a"), ContentBlock::text("b")]);
        assert_eq!(
            blocks.into_tool_output(),
            Ok(MessageContent::Blocks(vec![
                ContentBlock::text("a"),
                ContentBlock::text("b")
            ]))
        );
    }
}
